/*
 * cmd_keygen.c - `bpagg keygen kommune NNNN --out DIR`: a kommune's signing
 * key pair, NNNN.sign.sk (mode 0600, kept by the kommune) and NNNN.sign.pk
 * (text, given to the administrator for `bpagg register`), after checking
 * NNNN is in the kommune registry; prints the public key's fingerprint.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <sodium.h>

#include "cli_util.h"
#include "commands.h"
#include "keys.h"
#include "registry.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: bpagg keygen kommune NNNN --out DIR [--registry FILE]\n"
	    "\n"
	    "Writes kommune NNNN's Ed25519 signing key pair: DIR/NNNN.sign.sk (secret,\n"
	    "binary, mode 0600; used by `bpagg seal`) and DIR/NNNN.sign.pk (two lines of\n"
	    "text: mail it to the administrator, who installs it with `bpagg register`).\n"
	    "Prints the key's fingerprint: read it to the administrator by phone, who\n"
	    "compares it with the one `bpagg register` prints. NNNN must be in the\n"
	    "kommune registry. DIR is created (mode 0700) if missing. Existing key\n"
	    "files are never overwritten; NNNN.sign.sk alone (an interrupted keygen)\n"
	    "is kept and its NNNN.sign.pk written from it.\n"
	    "\n"
	    "  -o, --out DIR      where to write the two files (required)\n"
	    "  --registry FILE    the kommune registry (default: %s)\n"
	    "  -h, --help         this help\n", bp_cli_default_registry());
}

/* Makes dir (0700) unless it is already a directory. */
static int
out_dir(const char *dir)
{
	struct stat st;
	if (mkdir(dir, 0700) == 0)
		return 0;
	if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	fprintf(stderr, "bpagg keygen: %s: not a usable directory: %s\n", dir,
	    errno == EEXIST ? "exists and is not a directory" : strerror(errno));
	return -1;
}

/*
 * skp is there without pkp: keygen writes the secret first, so a killed
 * run leaves just that. Writes the public half derived from it; the secret
 * is never replaced (it may already be in use).
 */
static int
complete_pair(const char *skp, const char *pkp, const char *kommune)
{
	char err[512], fpr[BP_KEY_FPR_SIZE];
	struct bp_key sk = { 0 }, pk = { 0 };
	int rc = EX_CANTCREAT;

	if (bp_key_load(skp, BP_KEY_SIGN_SK, &sk, err, sizeof(err)) < 0) {
		fprintf(stderr, "bpagg keygen: %s is there without %s and cannot be used (%s); "
		    "not replacing it: move it away and run keygen again\n", skp, pkp, err);
		goto out;
	}
	if (strcmp(sk.kommune, kommune) != 0) {
		fprintf(stderr, "bpagg keygen: %s is not a signing key of kommune %s; "
		    "not replacing it\n", skp, kommune);
		goto out;
	}
	if (bp_key_sign_public(&sk, &pk) < 0) {
		fprintf(stderr, "bpagg keygen: out of memory\n");
		rc = EX_OSERR;
		goto out;
	}
	if (bp_key_save(pkp, &pk, err, sizeof(err)) < 0) {
		fprintf(stderr, "bpagg keygen: %s\n", err);
		goto out;
	}
	bp_key_fingerprint(&pk, fpr);
	printf("%s was there without its public key (an interrupted keygen): kept it and "
	    "wrote %s from it (public: send it to the administrator)\nfingerprint %s\n",
	    skp, pkp, fpr);
	rc = 0;
out:
	bp_key_free(&pk);
	bp_key_free(&sk);
	return rc;
}

/* Generates and saves the pair; removes the secret file if the public one
 * cannot be written, so a failed run leaves nothing behind. */
static int
keygen(const char *dir, const char *kommune)
{
	char skp[PATH_MAX], pkp[PATH_MAX], err[512], fpr[BP_KEY_FPR_SIZE];
	struct bp_key pk, sk;
	int rc = EX_CANTCREAT;

	if (snprintf(skp, sizeof(skp), "%s/%s.sign.sk", dir, kommune) >= (int)sizeof(skp) ||
	    snprintf(pkp, sizeof(pkp), "%s/%s.sign.pk", dir, kommune) >= (int)sizeof(pkp)) {
		fprintf(stderr, "bpagg keygen: %s: path too long\n", dir);
		return EX_USAGE;
	}
	struct stat st;
	bool have_sk = lstat(skp, &st) == 0, have_pk = lstat(pkp, &st) == 0;
	if (have_sk && have_pk) {
		fprintf(stderr, "bpagg keygen: %s already holds a key pair of kommune %s: "
		    "refusing to overwrite it\n", dir, kommune);
		return EX_CANTCREAT;
	}
	if (have_sk)   /* a keygen killed between its two files */
		return complete_pair(skp, pkp, kommune);
	if (have_pk) {
		fprintf(stderr, "bpagg keygen: %s holds %s but not its secret key %s: "
		    "refusing to write a new pair over it (move it away if its secret key "
		    "is lost)\n", dir, pkp, skp);
		return EX_CANTCREAT;
	}
	if (bp_key_gen_sign(&pk, &sk, kommune) < 0) {
		fprintf(stderr, "bpagg keygen: out of memory\n");
		return EX_OSERR;
	}
	if (bp_key_save(skp, &sk, err, sizeof(err)) < 0) {
		fprintf(stderr, "bpagg keygen: %s\n", err);
		goto out;
	}
	if (bp_key_save(pkp, &pk, err, sizeof(err)) < 0) {
		fprintf(stderr, "bpagg keygen: %s\n", err);
		unlink(skp);
		goto out;
	}
	bp_key_fingerprint(&pk, fpr);
	printf("wrote %s (secret: keep it, mode 0600) and %s (public: send it to the "
	    "administrator)\nfingerprint %s\n", skp, pkp, fpr);
	rc = 0;
out:
	bp_key_free(&pk);
	bp_key_free(&sk);
	return rc;
}

/* Refuses a kommune that is not in the registry at path (it could never
 * be registered). Returns 0 or an exit status after a message. */
static int
in_registry(const char *path, const char *kommune)
{
	struct bp_registry reg;
	memset(&reg, 0, sizeof(reg));
	int rc = bp_cli_load_registry("keygen", path, &reg);
	if (rc == 0 && !bp_registry_find(&reg, kommune)) {
		fprintf(stderr, "bpagg keygen: kommune %s is not in the kommune registry %s "
		    "(another registry: --registry FILE)\n", kommune, path);
		rc = EX_DATAERR;
	}
	bp_registry_free(&reg);
	return rc;
}

int
bp_cmd_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "registry", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *registry = bp_cli_default_registry();
	char kommune[5];
	int c, rc;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': dir = optarg; break;
		case 'r': registry = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (argc - optind != 2 || strcmp(argv[optind], "kommune") != 0 || !dir) {
		usage(stderr);
		return EX_USAGE;
	}
	if (bp_cli_kommune(argv[optind + 1], kommune) < 0) {
		fprintf(stderr, "bpagg keygen: the kommunenummer must be four digits\n");
		return EX_USAGE;
	}
	if ((rc = in_registry(registry, kommune)) != 0)
		return rc;
	if (out_dir(dir) < 0)
		return EX_CANTCREAT;
	return keygen(dir, kommune);
}
