/* cli_util.c - helpers shared by the bpagg subcommands; see cli_util.h. */
#include "cli_util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <sys/stat.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "export.h"
#include "io.h"

int
bp_cli_load_conf(const char *cmd, const char *path, struct bp_config *c)
{
	char err[512];
	const char *use = bp_config_path(path);
	if (bp_config_load(use, c, err, sizeof(err)) < 0) {
		fprintf(stderr, "bpagg %s: %s%s\n", cmd, err, path ? "" :
		    " (no -c CONF given: BPAGG_CONF, else the installed configuration)");
		return EX_CONFIG;
	}
	return 0;
}

int
bp_cli_load_registry(const char *cmd, const char *path, struct bp_registry *r)
{
	struct bp_diags d;
	bp_diags_init(&d);
	int rc = 0;
	if (access(path, R_OK) < 0) {
		fprintf(stderr, "bpagg %s: %s: kommune registry not readable (%s); give one with "
		    "--registry FILE or BPAGG_REGISTRY=FILE, or install bpagg\n", cmd, path,
		    strerror(errno));
		rc = EX_NOINPUT;
	} else if (bp_registry_load(path, r, &d) < 0) {
		bp_diags_print(&d, path, stderr);
		rc = EX_CONFIG;
	}
	bp_diags_free(&d);
	return rc;
}

int
bp_cli_kommune(const char *s, char out[5])
{
	if (strlen(s) != 4)
		return -1;
	for (int i = 0; i < 4; i++)
		if (!isdigit((unsigned char)s[i]))
			return -1;
	memcpy(out, s, 5);
	return 0;
}

int
bp_cli_year(const char *s, int *year)
{
	char *end;
	long y = strtol(s, &end, 10);
	if (end == s || *end || y < 1990 || y > 2100)
		return -1;
	*year = (int)y;
	return 0;
}

void
bp_cli_solver_heap(void)
{
	/* blocks up to 64 MiB come from the heap, and up to 256 MiB of free
	 * heap is kept: at 357 kommuner some 20 MiB more resident memory */
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

const char *
bp_cli_default_registry(void)
{
	const char *env = getenv("BPAGG_REGISTRY");
	if (env && *env)
		return env;
	/* Programs run from the build directory, before make install, use the
	 * source tree's bundled registry. */
	if (access(BP_PKGDATADIR "/kommuner.csv", R_OK) < 0 &&
	    access(BP_SRCDIR "/conf/kommuner.csv", R_OK) == 0)
		return BP_SRCDIR "/conf/kommuner.csv";
	return BP_PKGDATADIR "/kommuner.csv";
}

#define CHUNK (64u * 1024u)

/* Opens the export: a regular file, not through a symlink; a FIFO (or a
 * device) is refused instead of waiting for a writer. Returns the fd or -1
 * with *ex set to the exit status. */
static int
open_export(const char *cmd, const char *path, int *ex)
{
	struct stat st;
	int fd = bp_open_regular(AT_FDCWD, path, O_RDONLY, 0, 0, &st);
	if (fd < 0 && errno == EINVAL) {
		fprintf(stderr, "bpagg %s: %s: not a regular file\n", cmd, path);
		*ex = EX_NOINPUT;
	} else if (fd < 0) {
		*ex = errno == EACCES ? EX_NOPERM : EX_NOINPUT;
		fprintf(stderr, "bpagg %s: %s: %s\n", cmd, path, strerror(errno));
	}
	return fd;
}

/*
 * Feeds fd through the reader and the digest, stopping after (max_rows + 2)
 * full rows' worth of bytes: the bytes up to that cap are fed, so that the
 * reader itself reports "more than N rows" at its line; *too_big is set
 * only when the reader took all of them (only possible with over-long rows,
 * refused anyway). The chunk buffer held
 * plaintext and is wiped. Returns 0 or EX_IOERR / EX_OSERR.
 */
static int
stream(const char *cmd, const char *path, int fd, bp_export *x, unsigned long max_rows,
    bool *too_big, uint8_t digest[32], const struct bp_progress *prog)
{
	unsigned long long cap = ((unsigned long long)max_rows + 2) * (BP_MAX_ROW_BYTES + 2);
	unsigned long long total = 0;
	crypto_generichash_state h;
	struct stat st;
	int ret = EX_IOERR;
	char *buf = sodium_malloc(CHUNK);
	/* Progress in KiB of the file (its size as the reads began). */
	uint64_t kib = fstat(fd, &st) == 0 ? ((uint64_t)st.st_size + 1023) / 1024 : 0;

	if (!buf) {
		fprintf(stderr, "bpagg %s: out of memory\n", cmd);
		return EX_OSERR;
	}
	crypto_generichash_init(&h, NULL, 0, 32);
	for (;;) {
		ssize_t n = read(fd, buf, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "bpagg %s: %s: %s\n", cmd, path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		bool over = total + (unsigned long long)n > cap;
		if (over)
			n = (ssize_t)(cap - total); /* feed up to the cap, no further */
		total += (unsigned long long)n;
		crypto_generichash_update(&h, (unsigned char *)buf, (size_t)n);
		if (bp_export_feed(x, buf, (size_t)n) < 0)
			break; /* a fatal error is in the diagnostics */
		uint64_t done = (total + 1023) / 1024;
		bp_progress_report(prog, "checking, KiB", done > kib ? kib : done, kib);
		if (over) {
			*too_big = true;
			break;
		}
	}
	crypto_generichash_final(&h, digest, 32);
	ret = 0;
out:
	sodium_free(buf); /* wipes */
	sodium_memzero(&h, sizeof(h));
	return ret;
}

int
bp_cli_validate_export(const char *cmd, const char *path, const char *kommune,
    int year, const char *registry_path, unsigned long max_rows,
    struct bp_cli_validation *v, int *fd_out, struct bp_cli_progress *prog)
{
	struct bp_progress cb = { NULL, NULL };
	struct bp_registry reg;
	bp_export *x = NULL;
	bool too_big = false;
	int fd = -1, ret;

	memset(v, 0, sizeof(*v));
	memset(&reg, 0, sizeof(reg));
	if (!max_rows)
		max_rows = BP_DEFAULT_MAX_ROWS;
	if ((ret = bp_cli_load_registry(cmd, registry_path, &reg)) != 0)
		goto out;
	/* Said once here, rather than once for every row of the file. */
	if (!bp_registry_find(&reg, kommune)) {
		fprintf(stderr, "bpagg %s: --kommune %s: kommunenummer not in the kommune "
		    "registry %s\n", cmd, kommune, registry_path);
		ret = EX_DATAERR;
		goto out;
	}
	/* bpaggd's rule (bp_registry_year_ok): what it would refuse is invalid. */
	if (!bp_registry_year_ok(&reg, year)) {
		fprintf(stderr, "bpagg %s: --year %d: outside the registry's span (%d to %d); "
		    "bpaggd refuses it\n", cmd, year, BP_REGISTRY_YEAR_MIN,
		    bp_registry_year_max(&reg));
		ret = EX_DATAERR;
		goto out;
	}
	if ((fd = open_export(cmd, path, &ret)) < 0)
		goto out;
	struct bp_export_opts o = {
		.expect_kommune = kommune,
		.expect_year = year,
		.registry = &reg,
		.max_rows = max_rows,
	};
	if (!(x = bp_export_new(&o, NULL, NULL))) {
		fprintf(stderr, "bpagg %s: out of memory\n", cmd);
		ret = EX_OSERR;
		goto out;
	}
	if (prog)
		cb = bp_cli_progress_cb(prog);
	ret = stream(cmd, path, fd, x, max_rows, &too_big, v->digest, &cb);
	if (prog)
		bp_cli_progress_end(prog);   /* before any error is printed */
	if (ret != 0)
		goto out;
	v->valid = bp_export_finish(x) == 0 && !too_big;
	if (too_big)
		bp_export_cut(x);
	const struct bp_diags *d = bp_export_diags(x);
	bp_diags_print(d, path, stderr);
	v->rows = bp_export_rows(x);
	v->errors = d->total;
out:
	bp_export_free(x);
	bp_registry_free(&reg);
	if (fd_out && ret == 0) {
		*fd_out = fd;
		fd = -1;
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

int
bp_cli_resets_add(const struct bp_sequence_reset *r, void *ud)
{
	struct bp_cli_resets *rs = ud;

	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 16;
		struct bp_sequence_reset *v = realloc(rs->v, cap * sizeof(*v));
		if (!v)
			return -1;
		rs->v = v;
		rs->cap = cap;
	}
	rs->v[rs->n++] = *r;
	return 0;
}
