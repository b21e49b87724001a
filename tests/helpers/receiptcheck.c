/*
 * receiptcheck DAEMON.sign.pk RECEIPT... - verifies bpaggd receipts (see
 * bpaggd(8)): two lines, a JSON object and "ed25519 KEYID SIG" over the
 * first line. Prints "STATUS FILE-NAME-IN-RECEIPT" per valid receipt (the
 * JSON fields the tests need, never anything else). Exit 0 when all verify,
 * 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "json.h"
#include "keys.h"
#include "receipt.h"

/* String member name of the receipt's JSON line, read by jansson. */
static int
field(const char *json, const char *name, char *out, size_t outlen)
{
	const json_t *v;
	char err[160];
	json_t *o = bp_json_parse(json, strlen(json), strlen(json), err, sizeof(err));
	int rc = -1;
	if (o && json_is_string(v = json_object_get(o, name)) &&
	    json_string_length(v) < outlen) {
		snprintf(out, outlen, "%s", json_string_value(v));
		rc = 0;
	}
	json_decref(o);
	return rc;
}

static int
check(const struct bp_key *pk, const char *path)
{
	char buf[1 << 16], status[64], file[256];
	uint8_t signer[BP_KEY_ID_BYTES];
	size_t json_len;
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	/* The check bpagg receipt verify makes (crypto/receipt.c). */
	if (bp_receipt_verify(buf, n, pk, &json_len, signer) != BP_RECEIPT_GOOD)
		return -1;
	buf[json_len] = '\0';
	if (field(buf, "status", status, sizeof(status)) < 0 ||
	    field(buf, "file", file, sizeof(file)) < 0)
		return -1;
	printf("%s %s\n", status, file);
	return 0;
}

int
main(int argc, char **argv)
{
	struct bp_key pk;
	char err[256];
	int bad = 0;

	if (argc < 2 || sodium_init() < 0)
		return 64;
	if (bp_key_load(argv[1], BP_KEY_SIGN_PK, &pk, err, sizeof(err)) < 0) {
		fprintf(stderr, "receiptcheck: %s\n", err);
		return 1;
	}
	for (int i = 2; i < argc; i++)
		if (check(&pk, argv[i]) < 0) {
			fprintf(stderr, "receiptcheck: %s: does not verify\n", argv[i]);
			bad++;
		}
	bp_key_free(&pk);
	return bad ? 1 : 0;
}
