/*
 * cmd_register.c - `bpagg register -c CONF NNNN FILE.pk [--replace]`:
 * installs a kommune's signing public key as keys/kommuner/NNNN.sign.pk;
 * a key it replaces is kept in keys/retired/ for bpagg rebuild.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cli_util.h"
#include "commands.h"
#include "keys.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: bpagg register [-c CONF] NNNN FILE.pk [--replace]\n"
	    "\n"
	    "Checks that FILE.pk is the Ed25519 signing public key of kommune NNNN\n"
	    "(as written by `bpagg keygen`; text or the binary form of earlier\n"
	    "versions) and that NNNN is in the kommune registry, then installs it as\n"
	    "KEYS/kommuner/NNNN.sign.pk (atomically, as text) and prints its\n"
	    "fingerprint: compare it with the kommune's by phone. A different\n"
	    "key already registered for NNNN is only replaced with --replace; the\n"
	    "replaced key is kept as KEYS/retired/NNNN.T.sign.pk (T: the time of the\n"
	    "replacement) for `bpagg rebuild`, and bpaggd no longer accepts it.\n"
	    "A running bpaggd picks the key up on SIGHUP.\n"
	    "\n"
	    "  -c, --config CONF  the installation's bpagg.conf (default: $BPAGG_CONF,\n"
	    "                     else " BP_CONFIG_DEFAULT ")\n"
	    "      --replace      replace a different registered key\n"
	    "  -h, --help         this help\n");
}

/* Checks the kommune is in the installation's registry. */
static int
in_registry(const struct bp_config *c, const char *kommune)
{
	struct bp_registry reg;
	memset(&reg, 0, sizeof(reg));
	int rc = bp_cli_load_registry("register", c->registry, &reg);
	if (rc == 0 && !bp_registry_find(&reg, kommune)) {
		fprintf(stderr, "bpagg register: kommune %s is not in the registry %s\n",
		    kommune, c->registry);
		rc = EX_DATAERR;
	}
	bp_registry_free(&reg);
	return rc;
}

/* Loads the key to register and checks it is kommune's signing key. */
static int
load_new(const char *path, const char *kommune, struct bp_key *k)
{
	char err[512];
	if (bp_key_load(path, BP_KEY_SIGN_PK, k, err, sizeof(err)) < 0) {
		fprintf(stderr, "bpagg register: %s\n", err);
		return errno == ENOENT ? EX_NOINPUT : EX_DATAERR;
	}
	if (strcmp(k->kommune, kommune) != 0) {
		fprintf(stderr, "bpagg register: %s: not the signing key of kommune %s\n",
		    path, kommune);
		return EX_NOPERM;
	}
	return 0;
}

/*
 * Compares with a key already installed at dest: returns 1 when the same
 * key is there, 0 when none is, -1 when another (or an unreadable) one is.
 */
static int
compare_existing(const char *dest, const struct bp_key *k)
{
	struct bp_key old;
	char err[512];
	struct stat st;

	if (lstat(dest, &st) < 0 && errno == ENOENT)
		return 0;
	if (bp_key_load(dest, BP_KEY_SIGN_PK, &old, err, sizeof(err)) < 0)
		return -1;
	int same = bp_key_equal(&old, k);
	bp_key_free(&old);
	return same ? 1 : -1;
}

/*
 * True (after saying so) when the same key bytes are registered for
 * another kommune: one key for two kommuner would let one sign for the
 * other (an owner field is easily edited). An unreadable keyring is left
 * for the daemon to refuse.
 */
static bool
held_by_other(const char *dir, const char *kommune, const struct bp_key *k)
{
	struct bp_keyring *kr = NULL;
	char err[512];
	const char *holder;
	bool other = false;

	if (bp_keyring_load(dir, &kr, err, sizeof(err)) < 0)
		return false;
	holder = bp_keyring_holder(kr, k);
	if (holder && strcmp(holder, kommune) != 0) {
		fprintf(stderr, "bpagg register: this key is already registered for kommune %s; "
		    "one key cannot serve two kommuner\n", holder);
		other = true;
	}
	bp_keyring_free(kr);
	return other;
}

/*
 * Keeps the key at dest, about to be replaced, under KEYS/retired/ for
 * bpagg rebuild (its path in kept; "" when it cannot be read, which is
 * said). 0, or -1 after saying why: the key is then not replaced, since
 * the archived files it signed could no longer be verified.
 */
static int
retire(const struct bp_config *c, const char *dest, char *kept, size_t keptlen)
{
	struct bp_key old;
	char err[512];

	kept[0] = '\0';
	if (bp_key_load(dest, BP_KEY_SIGN_PK, &old, err, sizeof(err)) < 0) {
		fprintf(stderr, "bpagg register: the previous key cannot be read (%s), so it is "
		    "not kept: bpagg rebuild cannot verify files it signed\n", err);
		bp_key_free(&old);
		return 0;
	}
	int rc = bp_retired_keep(c->keys, &old, (int64_t)time(NULL), kept, keptlen, err,
	    sizeof(err));
	bp_key_free(&old);
	if (rc < 0) {
		kept[0] = '\0';
		fprintf(stderr, "bpagg register: cannot keep the previous key (%s); it was not "
		    "replaced\n", err);
		return -1;
	}
	return 0;
}

/* Installs k as dest. */
static int
install(const struct bp_config *c, const char *kommune, const struct bp_key *k, int replace)
{
	char dir[PATH_MAX], dest[PATH_MAX], err[512], fpr[BP_KEY_FPR_SIZE], kept[PATH_MAX] = "";

	if (snprintf(dir, sizeof(dir), "%s/kommuner", c->keys) >= (int)sizeof(dir) ||
	    snprintf(dest, sizeof(dest), "%s/%s.sign.pk", dir, kommune) >= (int)sizeof(dest)) {
		fprintf(stderr, "bpagg register: %s: path too long\n", c->keys);
		return EX_CONFIG;
	}
	if (bp_key_dir_make(dir, err, sizeof(err)) < 0) {
		fprintf(stderr, "bpagg register: %s\n", err);
		return EX_CANTCREAT;
	}
	bp_key_fingerprint(k, fpr);
	if (held_by_other(dir, kommune, k))
		return EX_NOPERM;
	int cmp = compare_existing(dest, k);
	if (cmp == 1) {
		printf("kommune %s: this key is already registered\nfingerprint %s\n", kommune,
		    fpr);
		return 0;
	}
	if (cmp < 0 && !replace) {
		fprintf(stderr, "bpagg register: %s: another key is registered for kommune %s; "
		    "use --replace to replace it\n", dest, kommune);
		return EX_NOPERM;
	}
	if (cmp < 0 && retire(c, dest, kept, sizeof(kept)) != 0)
		return EX_CANTCREAT;
	if ((replace ? bp_key_save_replace(dest, k, err, sizeof(err)) :
	    bp_key_save(dest, k, err, sizeof(err))) < 0) {
		fprintf(stderr, "bpagg register: %s\n", err);
		return EX_CANTCREAT;
	}
	printf("registered kommune %s as %s%s; a running bpaggd picks it up on SIGHUP\n"
	    "fingerprint %s (compare it with the kommune's, by phone)\n", kommune, dest,
	    cmp < 0 ? ", replacing the previous key" : "", fpr);
	if (kept[0])
		printf("the previous key is kept as %s: bpagg rebuild verifies the archived "
		    "files it signed, bpaggd no longer accepts it\n", kept);
	return 0;
}

int
bp_cmd_register(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "conf", required_argument, NULL, 'c' },
		{ "replace", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf = NULL;
	int replace = 0, c, rc;
	char kommune[5];
	struct bp_config cfg;
	struct bp_key k = { 0 };

	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': conf = optarg; break;
		case 'R': replace = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return EX_USAGE;
	}
	if (bp_cli_kommune(argv[optind], kommune) < 0) {
		fprintf(stderr, "bpagg register: the kommunenummer must be four digits\n");
		return EX_USAGE;
	}
	if ((rc = bp_cli_load_conf("register", conf, &cfg)) != 0)
		goto out;
	if ((rc = in_registry(&cfg, kommune)) != 0)
		goto out;
	if ((rc = load_new(argv[optind + 1], kommune, &k)) != 0)
		goto out;
	rc = install(&cfg, kommune, &k, replace);
out:
	bp_key_free(&k);
	bp_config_free(&cfg);
	return rc;
}
