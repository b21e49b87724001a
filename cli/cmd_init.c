/*
 * cmd_init.c - `bpagg init DIR [--registry FILE]`: creates a working
 * installation (keys, folders, the kommune registry, bpagg.conf, the
 * store and an empty suppression log).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <sodium.h>

#include "cli_util.h"
#include "commands.h"
#include "io.h"
#include "keys.h"
#include "store.h"

#define REGISTRY_MAX (4u << 20) /* the registry is a few tens of KiB */

/* The same text as conf/bpagg.conf.example (a test compares them). */
static const char conf_text[] =
	"# bpagg.conf - configuration of a bpagg installation (bpagg.conf(5)).\n"
	"#\n"
	"# Written by `bpagg init DIR`. Every setting bpagg reads is listed here with\n"
	"# its default value; a line that is removed takes that same default. A\n"
	"# relative path is taken relative to the directory that holds this file, so\n"
	"# an installation can be moved as a whole. Lines starting with # or ; are\n"
	"# comments.\n"
	"\n"
	"[paths]\n"
	"# Sealed submissions (*.bpx) are dropped here, or in inbox/NNNN/.\n"
	"inbox = inbox\n"
	"# Accepted submissions are moved to archive/YYYY/NNNN/.\n"
	"archive = archive\n"
	"# Refused submissions are moved here, each with a .reason file beside it.\n"
	"rejected = rejected\n"
	"# Signed receipts for each kommune are written to outbox/NNNN/.\n"
	"outbox = outbox\n"
	"# central.box.pk/.sk, daemon.sign.pk/.sk, pseudonym.key and kommuner/NNNN.sign.pk.\n"
	"keys = keys\n"
	"# The kommune registry (kommunenummer, name, fylke, population 18+).\n"
	"registry = kommuner.csv\n"
	"# The append-only, hash-chained and signed suppression log (JSON lines);\n"
	"# created empty by `bpagg init`, appended to by `bpagg publish`.\n"
	"suppression_log = suppression.log\n"
	"# bpaggd's private queue (queue/, mode 0700, with the installation lock) is\n"
	"# made in this directory; \".\" is the directory that holds this file.\n"
	"state = .\n"
	"\n"
	"[store]\n"
	"# Storage backend: sqlite or postgresql.\n"
	"backend = sqlite\n"
	"# The SQLite store; created (its schema, no data) by `bpagg init`.\n"
	"path = store.sqlite\n"
	"# Connection string for backend = postgresql (unused with sqlite).\n"
	"dsn =\n"
	"# PostgreSQL: seconds a writer waits for a lock before it gives up and\n"
	"# tries again later (0: no limit).\n"
	"lock_timeout = 60\n"
	"\n"
	"[ingest]\n"
	"# Most data rows accepted in one export (1..10000000).\n"
	"max_rows = 200000\n"
	"# Largest sealed file accepted, in bytes (default 256 MiB).\n"
	"max_file_bytes = 268435456\n"
	"# An incomplete file younger than this many seconds is retried, not rejected.\n"
	"young_seconds = 60\n"
	"# Seconds between periodic scans of the inbox (besides change events).\n"
	"scan_seconds = 30\n"
	"# Refusals of files no kommune's key vouches for that get a reason file,\n"
	"# store record and log line each, per inbox folder and UTC day; further\n"
	"# ones are counted in rejected/YYYYMMDD-NNNN.unverified (bpaggd(8)).\n"
	"unverified_refusals_per_day = 100\n"
	"# Uploads of a submission whose exact bytes are kept already (a replay)\n"
	"# that get a receipt (and a refused one a reason file) each, per inbox\n"
	"# folder and UTC day; further ones are counted in\n"
	"# rejected/YYYYMMDD-NNNN.replayed.\n"
	"replays_per_day = 20\n"
	"# Pseudonym scope: global (linkable across years) or year (not linkable).\n"
	"pseudonym_scope = global\n"
	"\n"
	"[measures]\n"
	"# ROP definition: 2016 or 2015 (measures.md).\n"
	"rop_definition = 2016\n"
	"# Cut points of the living-conditions index (mean area score m): m below\n"
	"# lki_cut_gul is gronn, below lki_cut_rod gul, below lki_cut_blalys rod, else blalys.\n"
	"lki_cut_gul = 0.5\n"
	"lki_cut_rod = 1.0\n"
	"lki_cut_blalys = 1.5\n"
	"\n"
	"[publish]\n"
	"# Smallest published count; a cell with 1..min_cell-1 is suppressed.\n"
	"min_cell = 5\n"
	"# Also suppress zero cells (yes or no).\n"
	"suppress_zero = no\n"
	"# Which tables each level publishes: rapport (the tables of the reports),\n"
	"# full (the whole catalogue), or a file of your own (bpagg-publish(1)).\n"
	"profile = rapport\n"
	"# Breakdowns the kommune level may publish at most (comma-separated); the\n"
	"# profile chooses among them.\n"
	"kommune_breakdowns = total,brukergruppe,rop\n"
	"# Republishing a year: protect_differences (suppress cells that moved by less\n"
	"# than min_cell since the last release) or refuse.\n"
	"republish_rule = protect_differences\n"
	"# A quantity several tables print (counts of persons by breakdown value\n"
	"# are every table's i_alt): consistent (hidden everywhere or nowhere) or\n"
	"# per_table (each indicator protected on its own; fewer cells hidden).\n"
	"shared_cells = consistent\n"
	"# How suppression is decided and proven: release (the whole release as one\n"
	"# model, audited as a whole; see bpagg-publish(1)) or per_group (one problem\n"
	"# per indicator, settled across groups; for comparison).\n"
	"method = release\n"
	"\n"
	"[daemon]\n"
	"# Drop privileges to this user after start-up; empty stays as started.\n"
	"user =\n";

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: bpagg init DIR [--registry FILE] [--state SDIR] [--user USER]\n"
	    "\n"
	    "Creates a bpagg installation in DIR (made if missing; refused if it\n"
	    "already holds bpagg.conf or keys/): bpagg.conf, keys/ with the central\n"
	    "encryption key pair, the daemon's signing key pair and the pseudonym key\n"
	    "(secrets mode 0600), keys/kommuner/, inbox/, archive/, rejected/,\n"
	    "outbox/, kommuner.csv (a copy of the kommune registry), the SQLite\n"
	    "store (its schema, no data) and an empty suppression log.\n"
	    "\n"
	    "  --registry FILE  the kommune registry to copy (default: the bundled one)\n"
	    "  --state SDIR     put inbox/, archive/, rejected/, outbox/, the store, the\n"
	    "                   suppression log and bpaggd's queue in SDIR (absolute),\n"
	    "                   not in DIR: the service layout, DIR /etc/bpagg and SDIR\n"
	    "                   /var/lib/bpagg\n"
	    "  --user USER      (as root) give keys/ and the key files, and the folders\n"
	    "                   it creates, to USER, the user bpaggd runs as\n"
	    "  -h, --help       this help\n");
}

/* Joins dir and name into out. Returns 0 or -1 when too long. */
static int
join(char *out, size_t outlen, const char *dir, const char *name)
{
	int n = snprintf(out, outlen, "%s/%s", dir, name);
	return (n < 0 || (size_t)n >= outlen) ? -1 : 0;
}

/* The user that --user names: uid and gid, and set. */
struct owner {
	bool set;
	uid_t uid;
	gid_t gid;
};

/* Gives path (not followed) to o, when set. Returns 0 or -1. */
static int
give(const char *path, const struct owner *o)
{
	if (!o->set || lchown(path, o->uid, o->gid) == 0)
		return 0;
	fprintf(stderr, "bpagg init: %s: cannot change its owner: %s\n", path, strerror(errno));
	return -1;
}

/* Sets the mode of the directory just made at path (not followed): mkdir's
 * mode is cut by the umask, and the daemon user must be able to read what
 * root made under umask 027. Returns 0 or -1. */
static int
set_dir_mode(const char *path, mode_t mode)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && fchmod(fd, mode) == 0) {
		close(fd);
		return 0;
	}
	fprintf(stderr, "bpagg init: %s: cannot set its mode: %s\n", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Makes dir (mode) unless it is already a directory; a directory it makes
 * is given to o. Returns 0 or -1. */
static int
make_dir_for(const char *path, mode_t mode, const struct owner *o)
{
	struct stat st;
	if (mkdir(path, mode) == 0)
		return set_dir_mode(path, mode) < 0 ? -1 : give(path, o);
	if (errno == EEXIST && lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	fprintf(stderr, "bpagg init: %s: cannot create directory: %s\n", path, strerror(errno));
	return -1;
}

/* Makes dir (mode) unless it is already a directory. Returns 0 or -1. */
static int
make_dir(const char *path, mode_t mode)
{
	struct stat st;
	if (mkdir(path, mode) == 0)
		return set_dir_mode(path, mode);
	if (errno == EEXIST && lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	fprintf(stderr, "bpagg init: %s: cannot create directory: %s\n", path, strerror(errno));
	return -1;
}

/* Refuses a DIR that already holds an installation. keys/ without
 * bpagg.conf is most likely an init that was interrupted (bpagg.conf is
 * written last): said so, with what to do; its keys are never replaced,
 * since central.box.pk may already have been given out. */
static int
check_fresh(const char *dir)
{
	char conf[PATH_MAX], keys[PATH_MAX];
	struct stat st;

	if (join(conf, sizeof(conf), dir, "bpagg.conf") < 0 ||
	    join(keys, sizeof(keys), dir, "keys") < 0)
		return -1;
	if (lstat(conf, &st) == 0) {
		fprintf(stderr, "bpagg init: %s already exists: refusing to overwrite "
		    "an existing installation\n", conf);
		return -1;
	}
	if (lstat(keys, &st) == 0) {
		fprintf(stderr, "bpagg init: %s exists but %s does not: left by an "
		    "interrupted init, or bpagg.conf was removed. Refusing to replace keys. "
		    "If no kommune has been given %s/central.box.pk yet, move %s aside and "
		    "run init again; otherwise restore bpagg.conf (bpagg.conf(5))\n",
		    keys, conf, keys, dir);
		return -1;
	}
	return 0;
}

/* Writes len bytes to a new file path (mode), refusing to replace one. The
 * file is written under a temporary name and linked into place. */
static int
write_new(const char *path, const void *buf, size_t len, mode_t mode)
{
	char tmp[PATH_MAX];
	int fd = -1, ret = -1;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		goto out;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0 || fchmod(fd, mode) < 0) /* mode exactly, whatever the umask */
		goto out;
	const char *p = buf;
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto out;
		p += w;
		len -= (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (link(tmp, path) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		fprintf(stderr, "bpagg init: %s: cannot write: %s\n", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return ret;
}

/* Reads the registry file (regular, no link, at most REGISTRY_MAX bytes)
 * into a malloc'd buffer that the caller frees. */
static char *
read_registry(const char *path, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	int fd = bp_open_regular(AT_FDCWD, path, O_RDONLY, 0, REGISTRY_MAX, &st);

	if (fd < 0) {
		fprintf(stderr, "bpagg init: %s: not a readable regular file of at most %u bytes\n",
		    path, REGISTRY_MAX);
		goto out;
	}
	if (!(buf = malloc((size_t)st.st_size + 1)))
		goto out;
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fprintf(stderr, "bpagg init: %s: read error\n", path);
			free(buf);
			buf = NULL;
			goto out;
		}
		got += (size_t)r;
	}
	*len = got;
out:
	if (fd >= 0)
		close(fd);
	return buf;
}

/* Saves a key pair as keys/NAME.pk and keys/NAME.sk. */
static int
save_pair(const char *keys, const char *name, struct bp_key *pk, struct bp_key *sk)
{
	char p[PATH_MAX], err[512];
	int ret = -1;

	if (snprintf(p, sizeof(p), "%s/%s.sk", keys, name) >= (int)sizeof(p) ||
	    bp_key_save(p, sk, err, sizeof(err)) < 0)
		goto out;
	if (snprintf(p, sizeof(p), "%s/%s.pk", keys, name) >= (int)sizeof(p) ||
	    bp_key_save(p, pk, err, sizeof(err)) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		fprintf(stderr, "bpagg init: %s\n", err);
	bp_key_free(pk);
	bp_key_free(sk);
	return ret;
}

/* Generates and writes the three key files of keys/. Prints the central
 * key id, which kommuner can compare with the file they were given. */
static int
make_keys(const char *keys)
{
	struct bp_key pk, sk, ps;
	char p[PATH_MAX], err[512], hex[2 * BP_KEY_ID_BYTES + 1];

	if (bp_key_gen_box(&pk, &sk) < 0)
		return -1;
	sodium_bin2hex(hex, sizeof(hex), pk.id, BP_KEY_ID_BYTES);
	if (save_pair(keys, "central.box", &pk, &sk) < 0)
		return -1;
	if (bp_key_gen_sign(&pk, &sk, NULL) < 0 || save_pair(keys, "daemon.sign", &pk, &sk) < 0)
		return -1;
	if (bp_key_gen_pseudonym(&ps) < 0)
		return -1;
	int rc = 0;
	if (join(p, sizeof(p), keys, "pseudonym.key") < 0 || bp_key_save(p, &ps, err, sizeof(err)) < 0) {
		fprintf(stderr, "bpagg init: %s\n", err);
		rc = -1;
	}
	bp_key_free(&ps);
	if (rc == 0)
		printf("central key id %s\n", hex);
	return rc;
}

/*
 * The text of bpagg.conf: conf_text, or with state set, the same with the
 * state's paths made absolute beneath it. The caller frees the result.
 */
static char *
conf_for(const char *state)
{
	static const struct { const char *line, *name; } moved[] = {
		{ "inbox = inbox\n", "inbox" }, { "archive = archive\n", "archive" },
		{ "rejected = rejected\n", "rejected" }, { "outbox = outbox\n", "outbox" },
		{ "suppression_log = suppression.log\n", "suppression.log" },
		{ "state = .\n", NULL }, { "path = store.sqlite\n", "store.sqlite" },
	};
	size_t cap = sizeof(conf_text) + 8 * (strlen(state ? state : "") + 32);
	char *out = malloc(cap), *o = out;
	const char *s = conf_text;

	if (!out)
		return NULL;
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) + 1 : strlen(s);
		size_t i, n = sizeof(moved) / sizeof(moved[0]);
		for (i = 0; state && i < n; i++)
			if (strlen(moved[i].line) == len && !memcmp(s, moved[i].line, len))
				break;
		if (state && i < n) {
			size_t key = strcspn(moved[i].line, " ");
			o += snprintf(o, cap - (size_t)(o - out), "%.*s = %s%s%s\n", (int)key,
			    moved[i].line, state, moved[i].name ? "/" : "",
			    moved[i].name ? moved[i].name : "");
		} else {
			memcpy(o, s, len);
			o += len;
		}
		s += len;
	}
	*o = '\0';
	return out;
}

/* Gives keys/, keys/kommuner/ and every key file in keys/ to o. */
static int
give_keys(const char *keys, const struct owner *o)
{
	static const char *names[] = { "", "kommuner", "central.box.pk", "central.box.sk",
		"daemon.sign.pk", "daemon.sign.sk", "pseudonym.key" };
	char p[PATH_MAX];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (join(p, sizeof(p), keys, names[i]) < 0 || give(*names[i] ? p : keys, o) < 0)
			return -1;
	return 0;
}

/* Creates the folders, the keys, the registry copy and bpagg.conf; with
 * state, the folders there. */
static int
populate(const char *dir, const char *registry, const char *state, const struct owner *own)
{
	const char *dirs[] = { "inbox", "archive", "rejected", "outbox" };
	char p[PATH_MAX], keys[PATH_MAX];
	size_t rlen;
	char *rbuf, *text;

	if (join(keys, sizeof(keys), dir, "keys") < 0 || make_dir(keys, 0700) < 0)
		return EX_CANTCREAT;
	if (join(p, sizeof(p), keys, "kommuner") < 0 || make_dir(p, 0700) < 0)
		return EX_CANTCREAT;
	if (state && make_dir_for(state, 0755, own) < 0)
		return EX_CANTCREAT;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (join(p, sizeof(p), state ? state : dir, dirs[i]) < 0 ||
		    make_dir_for(p, 0750, own) < 0)
			return EX_CANTCREAT;
	if (make_keys(keys) < 0 || give_keys(keys, own) < 0)
		return EX_CANTCREAT;
	if (!(rbuf = read_registry(registry, &rlen)))
		return EX_NOINPUT;
	int rc = join(p, sizeof(p), dir, "kommuner.csv") < 0 || write_new(p, rbuf, rlen, 0644) < 0;
	free(rbuf);
	if (rc)
		return EX_CANTCREAT;
	if (!(text = conf_for(state)))
		return EX_OSERR;
	rc = join(p, sizeof(p), dir, "bpagg.conf") < 0 || write_new(p, text, strlen(text), 0644) < 0;
	free(text);
	return rc ? EX_CANTCREAT : 0;
}

/*
 * Loads the written configuration back, as the daemon will, and makes the
 * store (SQLite: the schema, no data) and an empty suppression log where
 * it puts them, given to own like the folders. A store or log already there
 * (a state folder kept from an earlier installation) is left as it is,
 * unread.
 */
static int
make_store_and_log(const char *dir, const struct owner *own)
{
	char p[PATH_MAX], err[512];
	struct bp_config c;
	struct stat st;
	bp_store *s = NULL;
	int fd, rc = 0;

	if (join(p, sizeof(p), dir, "bpagg.conf") < 0 || bp_cli_load_conf("init", p, &c) != 0)
		return EX_SOFTWARE;
	if (lstat(c.store_path, &st) == 0)
		printf("kept the store already at %s\n", c.store_path);
	else if (bp_store_open(&c, &s, err, sizeof(err)) < 0) {
		fprintf(stderr, "bpagg init: %s\n", err);
		rc = EX_CANTCREAT;
	} else {
		bp_store_close(s);
		if (give(c.store_path, own) < 0)
			rc = EX_CANTCREAT;
	}
	fd = rc ? -1 : open(c.suppression_log, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644);
	if (!rc && fd < 0 && errno == EEXIST)
		printf("kept the suppression log already at %s\n", c.suppression_log);
	else if (!rc && (fd < 0 || fchmod(fd, 0644) < 0 || close(fd) < 0 ||
	    give(c.suppression_log, own) < 0)) {
		fprintf(stderr, "bpagg init: %s: %s\n", c.suppression_log, strerror(errno));
		rc = EX_CANTCREAT;
	}
	bp_config_free(&c);
	return rc;
}

int
bp_cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "registry", required_argument, NULL, 'r' },
		{ "state", required_argument, NULL, 's' },
		{ "user", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *registry = NULL, *state = NULL, *user = NULL;
	struct owner own = { .set = false };
	struct bp_registry reg;
	struct passwd *pw;
	int c, rc;

	while ((c = getopt_long(argc, argv, "r:s:u:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': registry = optarg; break;
		case 's': state = optarg; break;
		case 'u': user = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (argc - optind != 1) {
		usage(stderr);
		return EX_USAGE;
	}
	const char *dir = argv[optind];
	if (state && (state[0] != '/' || strpbrk(state, "\n\r;#"))) {
		fprintf(stderr, "bpagg init: --state: give an absolute path without a "
		    "newline, ';' or '#' (it is written into bpagg.conf)\n");
		return EX_USAGE;
	}
	if (user) {
		if (!(pw = getpwnam(user))) {
			fprintf(stderr, "bpagg init: --user %s: no such user (the package or "
			    "systemd-sysusers creates bpagg)\n", user);
			return EX_NOUSER;
		}
		if (geteuid() != 0 && pw->pw_uid != geteuid()) {
			fprintf(stderr, "bpagg init: --user %s: only root can give files to "
			    "another user\n", user);
			return EX_NOPERM;
		}
		own = (struct owner){ .set = true, .uid = pw->pw_uid, .gid = pw->pw_gid };
	}
	if (!registry)
		registry = bp_cli_default_registry();
	memset(&reg, 0, sizeof(reg));
	if ((rc = bp_cli_load_registry("init", registry, &reg)) != 0) {
		bp_registry_free(&reg);
		return rc;
	}
	printf("kommune registry: %zu kommuner (%d)\n", reg.n, reg.year);
	bp_registry_free(&reg);
	if (make_dir(dir, 0755) < 0)
		return EX_CANTCREAT;
	if (check_fresh(dir) < 0)
		return EX_CANTCREAT;
	if ((rc = populate(dir, registry, state, &own)) != 0)
		return rc;
	if ((rc = make_store_and_log(dir, &own)) != 0)
		return rc;
	printf("created installation %s; give kommuner %s/keys/central.box.pk\n", dir, dir);
	return 0;
}
