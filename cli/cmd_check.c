/* PLACEHOLDER until its area lands: replaced by the real command. */
#include <stdio.h>
#include <sysexits.h>

#include "commands.h"

int
bp_cmd_check(int argc, char **argv)
{
	fprintf(stderr, "bpagg check: not built yet\n");
	return EX_SOFTWARE;
}
