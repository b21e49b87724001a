/* PLACEHOLDER until its area lands: replaced by the real command. */
#include <stdio.h>
#include <sysexits.h>

#include "commands.h"

int
bp_cmd_register(int argc, char **argv)
{
	fprintf(stderr, "bpagg register: not built yet\n");
	return EX_SOFTWARE;
}
