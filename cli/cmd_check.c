/*
 * cmd_check.c - bpagg check: validates a kommune export against the format
 * (shared/spec/export-format.md, bpagg-export(5)) and prints every error by
 * line and column. Nothing of the file is ever printed.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli_util.h"
#include "commands.h"
#include "export.h"

struct check_args {
	const char *file;
	const char *registry;
	char kommune[5];
	int year;
	unsigned long max_rows;
	bool quiet;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: bpagg check FILE.csv --kommune NNNN --year YYYY\n"
	    "                   [--registry FILE] [--max-rows N] [--quiet]\n"
	    "\n"
	    "Validates a kommune export (see bpagg-export(5)) and prints every error\n"
	    "as FILE:LINE:COL: column: message on stderr, then a one-line summary.\n"
	    "\n"
	    "  --kommune NNNN   the kommune the export belongs to (every row must match)\n"
	    "  --year YYYY      the registration year (every row must match)\n"
	    "  --registry FILE  the kommune registry (default: %s)\n"
	    "  --max-rows N     refuse more than N rows (default: %u)\n"
	    "  --quiet          print the errors only: no summary line, no progress\n"
	    "                   (shown on stderr while reading, when it is a terminal)\n"
	    "  --help           print this help\n"
	    "\n"
	    "Exit status: 0 valid, 65 invalid, 66 missing input, 64 usage.\n",
	    bp_cli_default_registry(), BP_DEFAULT_MAX_ROWS);
}

static int
parse_args(int argc, char **argv, struct check_args *a)
{
	static const struct option opts[] = {
		{ "kommune", required_argument, NULL, 'k' },
		{ "year", required_argument, NULL, 'y' },
		{ "registry", required_argument, NULL, 'r' },
		{ "max-rows", required_argument, NULL, 'm' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool have_kommune = false;
	char *end;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "k:y:r:m:qh", opts, NULL)) != -1) {
		switch (ch) {
		case 'k':
			if (bp_cli_kommune(optarg, a->kommune) < 0) {
				fprintf(stderr, "bpagg check: --kommune expects 4 digits\n");
				return EX_USAGE;
			}
			have_kommune = true;
			break;
		case 'y':
			if (bp_cli_year(optarg, &a->year) < 0) {
				fprintf(stderr, "bpagg check: --year expects a year 1990-2100\n");
				return EX_USAGE;
			}
			break;
		case 'r':
			a->registry = optarg;
			break;
		case 'm':
			errno = 0;
			a->max_rows = strtoul(optarg, &end, 10);
			/* seal's and the daemon's bound: a larger one overflowed
			 * the byte limit of the read (cli_util.c) */
			if (errno || end == optarg || *end || optarg[0] == '-' ||
			    a->max_rows == 0 || a->max_rows > 10000000) {
				fprintf(stderr, "bpagg check: --max-rows expects 1..10000000\n");
				return EX_USAGE;
			}
			break;
		case 'q':
			a->quiet = true;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind + 1 != argc || !have_kommune || a->year == 0) {
		usage(stderr);
		return EX_USAGE;
	}
	a->file = argv[optind];
	if (!a->registry)
		a->registry = bp_cli_default_registry();
	return 0;
}

int
bp_cmd_check(int argc, char **argv)
{
	struct check_args a;
	struct bp_cli_validation v;
	int ret;

	memset(&a, 0, sizeof(a));
	if ((ret = parse_args(argc, argv, &a)) != 0)
		return ret < 0 ? 0 : ret;
	if (sodium_init() < 0) {
		fprintf(stderr, "bpagg check: libsodium failed to initialise\n");
		return EX_SOFTWARE;
	}
	struct bp_cli_progress prog;
	bp_cli_progress_init(&prog, a.quiet);
	if ((ret = bp_cli_validate_export("check", a.file, a.kommune, a.year, a.registry,
	    a.max_rows, &v, NULL, &prog)) != 0)
		return ret;
	if (!a.quiet) {
		if (v.valid)
			printf("%s: valid: %lu row%s, kommune %s, year %d\n", a.file,
			    v.rows, v.rows == 1 ? "" : "s", a.kommune, a.year);
		else
			fprintf(stderr, "%s: invalid: %zu error%s in %lu row%s\n", a.file,
			    v.errors, v.errors == 1 ? "" : "s", v.rows, v.rows == 1 ? "" : "s");
	}
	return v.valid ? 0 : EX_DATAERR;
}
