/* PLACEHOLDER until its area lands: replaced by the real command. */
#include <stdio.h>
#include <sysexits.h>

#include "commands.h"

int
bp_cmd_seal(int argc, char **argv)
{
	fprintf(stderr, "bpagg seal: not built yet\n");
	return EX_SOFTWARE;
}
