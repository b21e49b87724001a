/* receipt.c - checking a bpaggd receipt's signature; see receipt.h. */
#include "receipt.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define SIG_PREFIX "ed25519 "

/* Parses "ed25519 <16 hex> <128 hex>" (line, n bytes, then an optional
 * newline and nothing else) into id and sig. Returns 0 or -1. */
static int
parse_sig_line(const char *line, size_t n, uint8_t id[BP_KEY_ID_BYTES],
    uint8_t sig[crypto_sign_BYTES])
{
	const size_t pre = sizeof(SIG_PREFIX) - 1, idhex = 2 * BP_KEY_ID_BYTES,
	    sighex = 2 * crypto_sign_BYTES, want = pre + idhex + 1 + sighex;

	if (n == want + 1 && line[want] == '\n')
		n = want;
	if (n != want || memcmp(line, SIG_PREFIX, pre) != 0 || line[pre + idhex] != ' ')
		return -1;
	if (sodium_hex2bin(id, BP_KEY_ID_BYTES, line + pre, idhex, NULL, NULL, NULL) != 0 ||
	    sodium_hex2bin(sig, crypto_sign_BYTES, line + pre + idhex + 1, sighex, NULL,
	    NULL, NULL) != 0)
		return -1;
	return 0;
}

enum bp_receipt_check
bp_receipt_verify(const char *text, size_t len, const struct bp_key *pk, size_t *json_len,
    uint8_t signer_id[BP_KEY_ID_BYTES])
{
	static const char domain[] = BP_RECEIPT_DOMAIN; /* with its NUL */
	uint8_t sig[crypto_sign_BYTES];
	const char *nl = memchr(text, '\n', len);
	enum bp_receipt_check ret = BP_RECEIPT_MALFORMED;
	uint8_t *msg = NULL;

	memset(signer_id, 0, BP_KEY_ID_BYTES);
	*json_len = 0;
	if (!nl || nl == text || len > BP_RECEIPT_MAX || pk->alg != BP_KEY_SIGN_PK ||
	    pk->len != crypto_sign_PUBLICKEYBYTES)
		return BP_RECEIPT_MALFORMED;
	size_t first = (size_t)(nl - text);
	if (memchr(text, '\0', first) ||
	    parse_sig_line(nl + 1, len - first - 1, signer_id, sig) < 0)
		return BP_RECEIPT_MALFORMED;
	if (sodium_memcmp(signer_id, pk->id, BP_KEY_ID_BYTES) != 0)
		return BP_RECEIPT_OTHER_KEY;
	if (!(msg = malloc(sizeof(domain) + first)))
		return BP_RECEIPT_MALFORMED;
	memcpy(msg, domain, sizeof(domain));
	memcpy(msg + sizeof(domain), text, first);
	ret = crypto_sign_verify_detached(sig, msg, sizeof(domain) + first, pk->bytes) == 0 ?
	    BP_RECEIPT_GOOD : BP_RECEIPT_BAD_SIG;
	free(msg);
	if (ret == BP_RECEIPT_GOOD)
		*json_len = first;
	return ret;
}
