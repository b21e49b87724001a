/*
 * cmd_keygen.c - `bpagg keygen kommune NNNN --out DIR`: a kommune's signing
 * key pair, NNNN.sign.sk (mode 0600, kept by the kommune) and NNNN.sign.pk
 * (given to the administrator for `bpagg register`).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <sodium.h>

#include "cli_util.h"
#include "commands.h"
#include "keys.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: bpagg keygen kommune NNNN --out DIR\n"
	    "\n"
	    "Writes kommune NNNN's Ed25519 signing key pair: DIR/NNNN.sign.sk (secret,\n"
	    "mode 0600; used by `bpagg seal`) and DIR/NNNN.sign.pk (give it to the\n"
	    "administrator, who installs it with `bpagg register`). DIR is created\n"
	    "(mode 0700) if missing. Existing key files are never overwritten.\n"
	    "\n"
	    "  -o, --out DIR  where to write the two files (required)\n"
	    "  -h, --help     this help\n");
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

/* Generates and saves the pair; removes the secret file if the public one
 * cannot be written, so a failed run leaves nothing behind. */
static int
keygen(const char *dir, const char *kommune)
{
	char skp[PATH_MAX], pkp[PATH_MAX], err[512], hex[2 * BP_KEY_ID_BYTES + 1];
	struct bp_key pk, sk;
	int rc = EX_CANTCREAT;

	if (snprintf(skp, sizeof(skp), "%s/%s.sign.sk", dir, kommune) >= (int)sizeof(skp) ||
	    snprintf(pkp, sizeof(pkp), "%s/%s.sign.pk", dir, kommune) >= (int)sizeof(pkp)) {
		fprintf(stderr, "bpagg keygen: %s: path too long\n", dir);
		return EX_USAGE;
	}
	if (access(skp, F_OK) == 0 || access(pkp, F_OK) == 0) {
		fprintf(stderr, "bpagg keygen: %s already holds a key pair of kommune %s: "
		    "refusing to overwrite it\n", dir, kommune);
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
	sodium_bin2hex(hex, sizeof(hex), pk.id, BP_KEY_ID_BYTES);
	printf("wrote %s (secret: keep it, mode 0600) and %s (key id %s)\n", skp, pkp, hex);
	rc = 0;
out:
	bp_key_free(&pk);
	bp_key_free(&sk);
	return rc;
}

int
bp_cmd_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL;
	char kommune[5];
	int c;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': dir = optarg; break;
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
	if (out_dir(dir) < 0)
		return EX_CANTCREAT;
	return keygen(dir, kommune);
}
