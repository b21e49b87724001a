/*
 * cmd_sample.c - `bpagg sample`: writes a synthetic kommune export
 * (export/sample.h) to stdout or, atomically, to a file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli_util.h"
#include "commands.h"
#include "sample.h"

static void
sample_usage(FILE *f)
{
	fprintf(f, "usage: bpagg sample --kommune NNNN --year YYYY --rows N --seed S\n"
	    "                    [--delimiter ';'|','] [--optional seed|all|none] [--plain]\n"
	    "                    [-o FILE] [--quiet]\n"
	    "\n"
	    "Progress is shown on stderr while writing when it is a terminal;\n"
	    "--quiet turns it off. See bpagg-sample(1).\n");
}

/* Parses an unsigned decimal number no larger than max. */
static int
parse_ulong(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
parse_optional(const char *s, enum bp_sample_optional *out)
{
	if (!strcmp(s, "seed"))
		*out = BP_SAMPLE_OPTIONAL_SEED;
	else if (!strcmp(s, "all"))
		*out = BP_SAMPLE_OPTIONAL_ALL;
	else if (!strcmp(s, "none"))
		*out = BP_SAMPLE_OPTIONAL_NONE;
	else
		return -1;
	return 0;
}

struct sample_args {
	char kommune[5];
	struct bp_sample_opts o;
	const char *outpath;
	bool have_kommune, have_year, have_rows, have_seed, quiet;
};

/* One option with its value; returns 0, or -1 with the reason printed. */
static int
parse_option(struct sample_args *a, const char *opt, const char *val)
{
	unsigned long long v;

	if (!strcmp(opt, "--kommune")) {
		if (bp_cli_kommune(val, a->kommune) < 0)
			goto bad;
		a->have_kommune = true;
	} else if (!strcmp(opt, "--year")) {
		if (bp_cli_year(val, &a->o.year) < 0)
			goto bad;
		a->have_year = true;
	} else if (!strcmp(opt, "--rows")) {
		if (parse_ulong(val, BP_SAMPLE_MAX_ROWS, &v) < 0)
			goto bad;
		a->o.rows = (unsigned long)v;
		a->have_rows = true;
	} else if (!strcmp(opt, "--seed")) {
		if (parse_ulong(val, UINT64_MAX, &v) < 0)
			goto bad;
		a->o.seed = (uint64_t)v;
		a->have_seed = true;
	} else if (!strcmp(opt, "--delimiter")) {
		if (strcmp(val, ";") && strcmp(val, ","))
			goto bad;
		a->o.delimiter = val[0];
	} else if (!strcmp(opt, "--optional")) {
		if (parse_optional(val, &a->o.optional) < 0)
			goto bad;
	} else if (!strcmp(opt, "-o") || !strcmp(opt, "--output")) {
		a->outpath = val;
	} else {
		fprintf(stderr, "bpagg sample: unknown option '%s'\n", opt);
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, "bpagg sample: %s: invalid value (expected %s)\n", opt,
	    !strcmp(opt, "--kommune") ? "4 digits" :
	    !strcmp(opt, "--year") ? "a year 1990..2100" :
	    !strcmp(opt, "--rows") ? "0..1000000" :
	    !strcmp(opt, "--seed") ? "an unsigned 64-bit number" :
	    !strcmp(opt, "--delimiter") ? "';' or ','" : "seed, all or none");
	return -1;
}

/* Fills a from argv: 0, 1 when --help (or -h) is among the options, -1 on a
 * usage error (said on stderr). */
static int
parse_args(int argc, char **argv, struct sample_args *a)
{
	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
		if (!strcmp(argv[i], "--plain")) {
			a->o.plain = true;
			continue;
		}
		if (!strcmp(argv[i], "--quiet")) {
			a->quiet = true;
			continue;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "bpagg sample: option '%s' needs a value\n", argv[i]);
			return -1;
		}
		if (parse_option(a, argv[i], argv[i + 1]) < 0)
			return -1;
		i++;
	}
	if (!a->have_kommune || !a->have_year || !a->have_rows || !a->have_seed) {
		fprintf(stderr, "bpagg sample: --kommune, --year, --rows and --seed are required\n");
		return -1;
	}
	a->o.kommune = a->kommune;
	return 0;
}

/*
 * Writes the sample to path: path.tmp (created with O_NOFOLLOW, checked to
 * be a regular file), flushed to disk, then renamed over path, which must
 * be absent or a regular file. The
 * temporary file is removed on failure.
 */
static int
write_atomic(const char *path, const struct bp_sample_opts *o, struct bp_cli_progress *prog)
{
	char tmp[4096];
	struct stat st;
	FILE *f = NULL;
	int fd = -1, ret = EX_IOERR;
	bool created = false;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		fprintf(stderr, "bpagg sample: %s: path too long\n", path);
		return EX_USAGE;
	}
	/* rename() would replace whatever is at path: never a device, FIFO,
	 * directory or symlink (-o /dev/null as root would replace the node). */
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		fprintf(stderr, "bpagg sample: %s: exists and is not a regular file; "
		    "not replacing it\n", path);
		return EX_IOERR;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "bpagg sample: %s: cannot create: %s\n", tmp,
		    fd < 0 ? strerror(errno) : "not a regular file");
		goto out;
	}
	created = true;
	if (!(f = fdopen(fd, "w"))) {
		fprintf(stderr, "bpagg sample: %s: %s\n", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	int w = bp_sample_write(f, o), e = errno;
	bp_cli_progress_end(prog);   /* the line cleared before any message */
	errno = e;
	if (w < 0 || fsync(fileno(f)) < 0) {
		fprintf(stderr, "bpagg sample: %s: write failed: %s\n", tmp, strerror(errno));
		goto out;
	}
	if (fclose(f) != 0) {
		f = NULL;
		fprintf(stderr, "bpagg sample: %s: write failed: %s\n", tmp, strerror(errno));
		goto out;
	}
	f = NULL;
	if (rename(tmp, path) < 0) {
		fprintf(stderr, "bpagg sample: %s: cannot rename into place: %s\n", path,
		    strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd);
	if (ret != 0 && created)
		unlink(tmp);
	return ret;
}

int
bp_cmd_sample(int argc, char **argv)
{
	struct sample_args a;
	int parsed = parse_args(argc, argv, &a);

	if (parsed > 0) { /* --help, wherever it is */
		sample_usage(stdout);
		return 0;
	}
	if (parsed < 0) {
		sample_usage(stderr);
		return EX_USAGE;
	}
	struct bp_cli_progress prog;
	int rc = 0;
	bp_cli_progress_init(&prog, a.quiet);
	a.o.progress = bp_cli_progress_cb(&prog);
	if (a.outpath) {
		rc = write_atomic(a.outpath, &a.o, &prog);
	} else if (bp_sample_write(stdout, &a.o) < 0) {
		int e = errno;
		bp_cli_progress_end(&prog);
		fprintf(stderr, "bpagg sample: write to standard output failed: %s\n",
		    strerror(e));
		rc = EX_IOERR;
	}
	bp_cli_progress_end(&prog);
	return rc;
}
