/*
 * cmd_receipt.c - `bpagg receipt verify RECEIPT... --key daemon.sign.pk`:
 * checks the daemon's signature on receipts (bpaggd(8)) and prints what
 * each one says. For the kommune: the receipt names the submission id that
 * `bpagg seal` printed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "commands.h"
#include "io.h"
#include "keys.h"
#include "receipt.h"

/* Exit status of a receipt that does not verify (as signify and minisign). */
#define EX_BADSIG 1

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: bpagg receipt verify RECEIPT... --key daemon.sign.pk\n"
	    "\n"
	    "Checks that each receipt was signed by the daemon key in daemon.sign.pk\n"
	    "and was not changed since, then prints what it says: status, kommune,\n"
	    "year, submission id (as `bpagg seal` printed it) and rows. Get\n"
	    "daemon.sign.pk from the administrator and compare its fingerprint\n"
	    "(printed here, and by `bpagg status` at the central site) by phone.\n"
	    "\n"
	    "  -k, --key FILE   the daemon's signing public key (required)\n"
	    "  -h, --help       this help\n"
	    "\n"
	    "Exit status: 0 every receipt verified, 1 a receipt does not verify\n"
	    "(changed, or signed by another key), 64 usage, 65 not a receipt,\n"
	    "66 a file is missing, 77 the key is refused.\n");
}

/* Reads path (a regular file, not through a symlink, at most
 * BP_RECEIPT_MAX bytes) into a malloc'ed buffer the caller frees. Returns
 * it, or NULL with an exit status in *rc after a message. */
static char *
read_receipt(const char *path, size_t *len, int *rc)
{
	struct stat st;
	char *buf = NULL;
	int fd = bp_open_regular(AT_FDCWD, path, O_RDONLY, 0, BP_RECEIPT_MAX, &st);

	*rc = EX_NOINPUT;
	if (fd < 0 && (errno == EINVAL || errno == EFBIG)) {
		fprintf(stderr, "bpagg receipt: %s: not a receipt (not a regular file of at "
		    "most %u bytes)\n", path, BP_RECEIPT_MAX);
		*rc = EX_DATAERR;
		return NULL;
	}
	if (fd < 0) {
		*rc = errno == ENOENT ? EX_NOINPUT : EX_IOERR;
		fprintf(stderr, "bpagg receipt: %s: %s\n", path,
		    errno == ELOOP ? "is a symbolic link (refused)" : strerror(errno));
		return NULL;
	}
	if (!(buf = malloc((size_t)st.st_size + 1))) {
		*rc = EX_OSERR;
		goto out;
	}
	ssize_t n = bp_read_full(fd, (uint8_t *)buf, (size_t)st.st_size + 1);
	if (n < 0) {
		fprintf(stderr, "bpagg receipt: %s: %s\n", path, strerror(errno));
		free(buf);
		buf = NULL;
		*rc = EX_IOERR;
		goto out;
	}
	*len = (size_t)n;
	*rc = 0;
out:
	close(fd);
	return buf;
}

/* A string or integer field of the receipt as text into out ("?" if absent). */
static const char *
field(json_t *o, const char *name, char *out, size_t outlen)
{
	json_t *v = json_object_get(o, name);
	if (json_is_string(v))
		snprintf(out, outlen, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(out, outlen, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else
		snprintf(out, outlen, "?");
	return out;
}

/* Prints what a verified receipt's JSON line says. */
static int
print_receipt(const char *path, const char *json, size_t len, const char *fpr)
{
	char status[32], kommune[8], year[8], id[40], rows[24], seq[24], reason[200];
	json_error_t e;
	json_t *o = json_loadb(json, len, 0, &e);

	if (!json_is_object(o)) {
		fprintf(stderr, "bpagg receipt: %s: line 1, column %d: the signed line is not "
		    "a JSON object: %s\n", path, e.column, e.text);
		json_decref(o);
		return EX_DATAERR;
	}
	printf("%s: good signature by the daemon key %s\n"
	    "  status %s, kommune %s, year %s, submission id %s, sequence %s, rows %s\n",
	    path, fpr, field(o, "status", status, sizeof(status)),
	    field(o, "kommune", kommune, sizeof(kommune)), field(o, "year", year, sizeof(year)),
	    field(o, "submission_id", id, sizeof(id)), field(o, "sequence", seq, sizeof(seq)),
	    field(o, "rows", rows, sizeof(rows)));
	if (strcmp(status, "refused") == 0)
		printf("  reason: %s\n", field(o, "reason", reason, sizeof(reason)));
	json_decref(o);
	return 0;
}

/* Verifies one receipt. Returns 0 or an exit status after a message. */
static int
verify_one(const char *path, const struct bp_key *pk, const char *fpr)
{
	uint8_t signer[BP_KEY_ID_BYTES];
	char hex[2 * BP_KEY_ID_BYTES + 1], mine[2 * BP_KEY_ID_BYTES + 1];
	size_t len = 0, json_len;
	int rc;
	char *text = read_receipt(path, &len, &rc);

	if (!text)
		return rc;
	switch (bp_receipt_verify(text, len, pk, &json_len, signer)) {
	case BP_RECEIPT_GOOD:
		rc = print_receipt(path, text, json_len, fpr);
		break;
	case BP_RECEIPT_MALFORMED:
		fprintf(stderr, "bpagg receipt: %s: not a bpagg receipt (expected a JSON line, "
		    "then \"ed25519 KEYID SIGNATURE\"; see bpaggd(8))\n", path);
		rc = EX_DATAERR;
		break;
	case BP_RECEIPT_OTHER_KEY:
		sodium_bin2hex(hex, sizeof(hex), signer, sizeof(signer));
		sodium_bin2hex(mine, sizeof(mine), pk->id, sizeof(pk->id));
		fprintf(stderr, "bpagg receipt: %s: DOES NOT VERIFY: signed by key id %s, not "
		    "by the given key (key id %s): the wrong daemon.sign.pk, or a receipt of "
		    "another installation\n", path, hex, mine);
		rc = EX_BADSIG;
		break;
	case BP_RECEIPT_BAD_SIG:
		fprintf(stderr, "bpagg receipt: %s: DOES NOT VERIFY: the signature does not "
		    "match the receipt: it was changed after the daemon signed it\n", path);
		rc = EX_BADSIG;
		break;
	}
	free(text);
	return rc;
}

/* The worse of two exit statuses: a failed check beats a missing file. */
static int
worse(int a, int b)
{
	if (a == EX_BADSIG || b == EX_BADSIG)
		return EX_BADSIG;
	return a ? a : b;
}

static int
verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *keypath = NULL;
	char err[512], fpr[BP_KEY_FPR_SIZE];
	struct bp_key pk;
	int c, rc = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': keypath = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (!keypath || optind == argc) {
		usage(stderr);
		return EX_USAGE;
	}
	if (bp_key_load(keypath, BP_KEY_SIGN_PK, &pk, err, sizeof(err)) < 0) {
		fprintf(stderr, "bpagg receipt: %s\n", err);
		return errno == ENOENT ? EX_NOINPUT : EX_NOPERM;
	}
	if (pk.kommune[0]) {
		fprintf(stderr, "bpagg receipt: %s: kommune %s's signing key, not the daemon's "
		    "(keys/daemon.sign.pk of the installation)\n", keypath, pk.kommune);
		bp_key_free(&pk);
		return EX_NOPERM;
	}
	bp_key_fingerprint(&pk, fpr);
	for (int i = optind; i < argc; i++)
		rc = worse(rc, verify_one(argv[i], &pk, fpr));
	bp_key_free(&pk);
	return rc;
}

int
bp_cmd_receipt(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc < 2 || strcmp(argv[1], "verify") != 0) {
		usage(stderr);
		return EX_USAGE;
	}
	return verify(argc - 1, argv + 1);
}
