/*
 * cmd_check.c - bpagg check: validates a kommune export against the format
 * (shared/spec/export-format.md, bpagg-export(5)) and prints every error by
 * line and column. Nothing of the file is ever printed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli_util.h"
#include "commands.h"
#include "export.h"
#include "registry.h"

#define CHUNK (64u * 1024u)

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
	    "  --quiet          print the errors only, no summary line\n"
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
			if (errno || end == optarg || *end || optarg[0] == '-' || a->max_rows == 0) {
				fprintf(stderr, "bpagg check: --max-rows expects a positive number\n");
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

/* Opens the export: a regular file, not through a symlink. Returns the fd or
 * -1 with *ex set to the exit status. */
static int
open_export(const char *path, int *ex)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "bpagg check: %s: %s\n", path, strerror(errno));
		*ex = errno == EACCES ? EX_NOPERM : EX_NOINPUT;
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "bpagg check: %s: not a regular file\n", path);
		close(fd);
		*ex = EX_NOINPUT;
		return -1;
	}
	return fd;
}

/*
 * Streams the file through the reader in 64 KiB chunks, stopping after
 * (max_rows + 2) full rows' worth of bytes (the size cap; *too_big is set
 * when the file is larger). The chunk buffer held plaintext and is wiped.
 * Returns 0 or EX_IOERR / EX_OSERR.
 */
static int
stream(int fd, bp_export *x, unsigned long max_rows, const char *path, bool *too_big)
{
	unsigned long long cap = ((unsigned long long)max_rows + 2) * (BP_MAX_ROW_BYTES + 2);
	unsigned long long total = 0;
	int ret = EX_IOERR;
	char *buf = sodium_malloc(CHUNK);
	if (!buf) {
		fprintf(stderr, "bpagg check: out of memory\n");
		return EX_OSERR;
	}
	for (;;) {
		ssize_t n = read(fd, buf, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "bpagg check: %s: %s\n", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		total += (unsigned long long)n;
		if (total > cap) { /* only with over-long rows: refused anyway */
			*too_big = true;
			break;
		}
		if (bp_export_feed(x, buf, (size_t)n) < 0)
			break; /* a fatal error is in the diagnostics */
	}
	ret = 0;
out:
	sodium_free(buf); /* wipes */
	return ret;
}

int
bp_cmd_check(int argc, char **argv)
{
	struct check_args a;
	struct bp_registry reg;
	bp_export *x = NULL;
	int fd = -1, ret;

	memset(&a, 0, sizeof(a));
	memset(&reg, 0, sizeof(reg));
	if ((ret = parse_args(argc, argv, &a)) != 0)
		return ret < 0 ? 0 : ret;
	if (sodium_init() < 0) {
		fprintf(stderr, "bpagg check: libsodium failed to initialise\n");
		return EX_SOFTWARE;
	}
	if ((ret = bp_cli_load_registry("check", a.registry, &reg)) != 0)
		goto out;
	if ((fd = open_export(a.file, &ret)) < 0)
		goto out;
	struct bp_export_opts o = {
		.expect_kommune = a.kommune,
		.expect_year = a.year,
		.registry = &reg,
		.max_rows = a.max_rows,
	};
	if (!(x = bp_export_new(&o, NULL, NULL))) {
		fprintf(stderr, "bpagg check: out of memory\n");
		ret = EX_OSERR;
		goto out;
	}
	bool too_big = false;
	if ((ret = stream(fd, x, a.max_rows ? a.max_rows : BP_DEFAULT_MAX_ROWS, a.file,
	    &too_big)) != 0)
		goto out;
	int valid = bp_export_finish(x) == 0 && !too_big;
	const struct bp_diags *d = bp_export_diags(x);
	bp_diags_print(d, a.file, stderr);
	if (too_big)
		fprintf(stderr, "%s: larger than max_rows rows of 4096 bytes; "
		    "read no further\n", a.file);
	if (!a.quiet) {
		if (valid)
			printf("%s: valid: %lu row%s, kommune %s, year %d\n", a.file,
			    bp_export_rows(x), bp_export_rows(x) == 1 ? "" : "s",
			    a.kommune, a.year);
		else
			fprintf(stderr, "%s: invalid: %zu error%s in %lu row%s\n", a.file,
			    d->total, d->total == 1 ? "" : "s", bp_export_rows(x),
			    bp_export_rows(x) == 1 ? "" : "s");
	}
	ret = valid ? 0 : EX_DATAERR;
out:
	bp_export_free(x);
	if (fd >= 0)
		close(fd);
	bp_registry_free(&reg);
	return ret;
}
