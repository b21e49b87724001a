/* PLACEHOLDER until its area lands: replaced by the real command. */
#include <stdio.h>
#include <sysexits.h>

#include "commands.h"

int
bp_cmd_status(int argc, char **argv)
{
	fprintf(stderr, "bpagg status: not built yet\n");
	return EX_SOFTWARE;
}
