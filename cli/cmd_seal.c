/*
 * cmd_seal.c - `bpagg seal FILE.csv --kommune NNNN --year YYYY --key
 * NNNN.sign.sk --to central.box.pk -o OUT.bpx [--dry-run]`: checks the
 * export like `bpagg check`, then signs and encrypts it into OUT
 * (bpagg-submission(5)), written as OUT.tmp and renamed into place.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <sodium.h>

#include "cli_util.h"
#include "commands.h"
#include "envelope.h"
#include "export.h"
#include "keys.h"
#include "registry.h"

struct seal_args {
	const char *file, *key, *to, *out, *registry;
	char kommune[5];
	int year;
	unsigned long max_rows;
	bool dry_run;
	bool empty;   /* a header-only export is meant: the kommune reports no one */
	bool force;   /* replace an existing OUT */
	bool quiet;   /* no progress on a terminal */
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: bpagg seal FILE.csv --kommune NNNN --year YYYY --key NNNN.sign.sk\n"
	    "                  --to central.box.pk -o OUT.bpx [--dry-run] [--empty]\n"
	    "                  [--registry FILE] [--max-rows N] [--force] [--quiet]\n"
	    "\n"
	    "Validates the export as `bpagg check` does (errors by line and column on\n"
	    "stderr; exit 65 if invalid), then signs it with the kommune's key and\n"
	    "encrypts it to the central key (bpagg-submission(5)). OUT is written as\n"
	    "OUT.tmp and renamed into place when complete; an existing OUT is kept\n"
	    "(exit 73) unless --force is given, as is an OUT.tmp left by an\n"
	    "interrupted seal. Prints the submission id, which names\n"
	    "the receipt bpaggd writes (outbox/NNNN/ID.receipt; check it with\n"
	    "`bpagg receipt verify`).\n"
	    "\n"
	    "  --kommune NNNN   the kommune (every row must match; the key must be its key)\n"
	    "  --year YYYY      the registration year (every row must match)\n"
	    "  --key FILE       the kommune's signing secret key (mode 0600)\n"
	    "  --to FILE        the central encryption public key (central.box.pk)\n"
	    "  -o, --out FILE   the sealed file to write\n"
	    "  --force          replace OUT, and remove a stale OUT.tmp, when they exist\n"
	    "  --quiet          no progress (shown on stderr while checking, when it\n"
	    "                   is a terminal)\n"
	    "  --dry-run        mark the submission as a test: validated, never merged\n"
	    "  --empty          seal an export with no rows (it replaces the kommune's\n"
	    "                   year with no registrations); refused without this\n"
	    "  --registry FILE  the kommune registry (default: %s)\n"
	    "  --max-rows N     refuse more than N rows (default: %u)\n"
	    "  -h, --help       this help\n"
	    "\n"
	    "Exit status: 0 sealed, 64 usage, 65 invalid export, 66 missing input,\n"
	    "73 OUT or OUT.tmp exists, 74 I/O error, 77 key refused (wrong kommune, wrong kind:\n"
	    "a public key for --key, open permissions).\n",
	    bp_cli_default_registry(), BP_DEFAULT_MAX_ROWS);
}

/* Returns 0, EX_USAGE, or -1 after --help. */
static int
parse_args(int argc, char **argv, struct seal_args *a)
{
	static const struct option opts[] = {
		{ "kommune", required_argument, NULL, 'k' },
		{ "year", required_argument, NULL, 'y' },
		{ "key", required_argument, NULL, 'K' },
		{ "to", required_argument, NULL, 't' },
		{ "out", required_argument, NULL, 'o' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "empty", no_argument, NULL, 'E' },
		{ "registry", required_argument, NULL, 'r' },
		{ "max-rows", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	char *end;

	while ((ch = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'k':
			if (bp_cli_kommune(optarg, a->kommune) < 0) {
				fprintf(stderr, "bpagg seal: --kommune expects 4 digits\n");
				return EX_USAGE;
			}
			break;
		case 'y':
			if (bp_cli_year(optarg, &a->year) < 0) {
				fprintf(stderr, "bpagg seal: --year expects a year 1990-2100\n");
				return EX_USAGE;
			}
			break;
		case 'K': a->key = optarg; break;
		case 't': a->to = optarg; break;
		case 'o': a->out = optarg; break;
		case 'n': a->dry_run = true; break;
		case 'f': a->force = true; break;
		case 'q': a->quiet = true; break;
		case 'E': a->empty = true; break;
		case 'r': a->registry = optarg; break;
		case 'm':
			errno = 0;
			a->max_rows = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' ||
			    a->max_rows == 0 || a->max_rows > 10000000) {
				fprintf(stderr, "bpagg seal: --max-rows expects 1..10000000\n");
				return EX_USAGE;
			}
			break;
		case 'h': usage(stdout); return -1;
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (optind + 1 != argc || !a->kommune[0] || !a->year || !a->key || !a->to || !a->out) {
		usage(stderr);
		return EX_USAGE;
	}
	a->file = argv[optind];
	if (!a->registry)
		a->registry = bp_cli_default_registry();
	if (!a->max_rows)
		a->max_rows = BP_DEFAULT_MAX_ROWS;
	return 0;
}

/* Loads a key, mapping failures to exit codes (66 missing, 77 refused). */
static int
load_key(const char *path, enum bp_key_alg alg, struct bp_key *k)
{
	char err[512];
	if (bp_key_load(path, alg, k, err, sizeof(err)) == 0)
		return 0;
	fprintf(stderr, "bpagg seal: %s\n", err);
	if (errno == ENOENT)
		return EX_NOINPUT;
	if (errno == EPERM || errno == EACCES || errno == EINVAL || errno == ELOOP)
		return EX_NOPERM;
	return EX_IOERR;
}

/* Seals fd into a.out via a.out.tmp; checks the sealed plaintext is the
 * one validated (same digest). */
static int
seal_to(int fd, const struct seal_args *a, const struct bp_key *sk, const struct bp_key *pk,
    unsigned long rows, const uint8_t digest[32])
{
	char tmp[PATH_MAX], err[512], hex[65], id[33];
	struct bp_env_meta m;
	int out = -1, ret = EX_IOERR;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", a->out) >= (int)sizeof(tmp)) {
		fprintf(stderr, "bpagg seal: %s: path too long\n", a->out);
		return EX_USAGE;
	}
	memset(&m, 0, sizeof(m));
	memcpy(m.kommune, a->kommune, 5);
	m.year = (uint16_t)a->year;
	m.rows = (uint32_t)rows;
	m.dry_run = a->dry_run;
	/* OUT.tmp is created exclusively (never through a planted symlink); a
	 * killed seal leaves one behind, which --force removes (unlink does not
	 * follow symlinks). */
	if (a->force && unlink(tmp) < 0 && errno != ENOENT) {
		fprintf(stderr, "bpagg seal: %s: cannot remove: %s\n", tmp, strerror(errno));
		return EX_CANTCREAT;
	}
	if (lseek(fd, 0, SEEK_SET) < 0 ||
	    (out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0) {
		int e = errno;
		if (e == EEXIST)
			fprintf(stderr, "bpagg seal: %s exists: left from an interrupted seal "
			    "(or one still running); --force replaces it\n", tmp);
		else
			fprintf(stderr, "bpagg seal: %s: %s\n", tmp, strerror(e));
		return e == EEXIST ? EX_CANTCREAT : EX_IOERR;
	}
	if (bp_seal(fd, out, sk, pk, &m, err, sizeof(err)) < 0) {
		fprintf(stderr, "bpagg seal: %s: %s\n", a->file, err);
		goto out;
	}
	if (sodium_memcmp(m.digest, digest, 32) != 0) {
		fprintf(stderr, "bpagg seal: %s: the export changed after it was checked\n", a->file);
		goto out;
	}
	if (fsync(out) < 0 || close(out) < 0) {
		out = -1;
		fprintf(stderr, "bpagg seal: %s: %s\n", tmp, strerror(errno));
		goto out;
	}
	out = -1;
	/* Never over an existing OUT unless asked (a kommune's earlier seal may
	 * be waiting in the inbox); no link(2) either: a second name would make
	 * the daemon refuse the file. */
	if (a->force ? rename(tmp, a->out) < 0
	    : renameat2(AT_FDCWD, tmp, AT_FDCWD, a->out, RENAME_NOREPLACE) < 0) {
		fprintf(stderr, "bpagg seal: %s: %s%s\n", a->out, strerror(errno),
		    errno == EEXIST ? "; --force replaces it" : "");
		ret = errno == EEXIST ? EX_CANTCREAT : EX_IOERR;
		goto out;
	}
	sodium_bin2hex(hex, sizeof(hex), m.digest, 32);
	sodium_bin2hex(id, sizeof(id), m.submission_id, sizeof(m.submission_id));
	printf("%s: sealed %lu rows of kommune %s, %d%s: sequence %llu, digest %s\n"
	    "submission id %s: its receipt will be outbox/%s/%s.receipt\n",
	    a->out, rows, a->kommune, a->year, a->dry_run ? " (dry run)" : "",
	    (unsigned long long)m.sequence, hex, id, a->kommune, id);
	ret = 0;
out:
	if (out >= 0)
		close(out);
	if (ret != 0)
		unlink(tmp);
	return ret;
}

int
bp_cmd_seal(int argc, char **argv)
{
	struct seal_args a;
	struct bp_key sk = { 0 }, pk = { 0 };
	struct bp_cli_validation v;
	int fd = -1, ret;

	memset(&a, 0, sizeof(a));
	if ((ret = parse_args(argc, argv, &a)) != 0)
		return ret < 0 ? 0 : ret;
	/* Said before the work; the rename at the end decides (no race). */
	struct stat st;
	if (!a.force && lstat(a.out, &st) == 0) {
		fprintf(stderr, "bpagg seal: %s exists; --force replaces it\n", a.out);
		return EX_CANTCREAT;
	}
	struct bp_cli_progress prog;
	bp_cli_progress_init(&prog, a.quiet);
	if ((ret = bp_cli_validate_export("seal", a.file, a.kommune, a.year, a.registry,
	    a.max_rows, &v, &fd, &prog)) != 0)
		return ret;
	if (!v.valid) {
		fprintf(stderr, "%s: invalid: %zu error%s in %lu rows; not sealed\n", a.file,
		    v.errors, v.errors == 1 ? "" : "s", v.rows);
		ret = EX_DATAERR;
		goto out;
	}
	/* A header-only export would replace the kommune's year with nothing:
	 * almost always a broken export job, so it must be asked for. */
	if (v.rows == 0 && !a.empty) {
		fprintf(stderr, "%s: no rows: sealing it would replace kommune %s's %d with "
		    "no registrations; use --empty if that is meant; not sealed\n",
		    a.file, a.kommune, a.year);
		ret = EX_DATAERR;
		goto out;
	}
	if ((ret = load_key(a.key, BP_KEY_SIGN_SK, &sk)) != 0)
		goto out;
	if (strcmp(sk.kommune, a.kommune) != 0) {
		fprintf(stderr, "bpagg seal: %s: not the signing key of kommune %s\n",
		    a.key, a.kommune);
		ret = EX_NOPERM;
		goto out;
	}
	if ((ret = load_key(a.to, BP_KEY_BOX_PK, &pk)) != 0)
		goto out;
	ret = seal_to(fd, &a, &sk, &pk, v.rows, v.digest);
out:
	bp_key_free(&sk);
	bp_key_free(&pk);
	close(fd);
	return ret;
}
