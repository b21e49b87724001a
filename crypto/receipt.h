/*
 * receipt.h - checking the signature of a bpaggd receipt (bpaggd(8)).
 *
 * A receipt is two lines: a JSON object, then "ed25519 <key id, 16 hex>
 * <signature, 128 hex>", the detached Ed25519 signature by the daemon's
 * key over BP_RECEIPT_DOMAIN, one NUL byte, and the first line without its
 * newline. The daemon writes them (daemon/receipt.c, whose
 * BPD_RECEIPT_DOMAIN is the same string); kommuner check them with
 * `bpagg receipt verify`.
 */
#ifndef BP_RECEIPT_H
#define BP_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#include "keys.h"

#define BP_RECEIPT_DOMAIN "bpagg-receipt-signature-v1"
#define BP_RECEIPT_MAX (1u << 20) /* no receipt is larger than this */

enum bp_receipt_check {
	BP_RECEIPT_GOOD = 0,
	BP_RECEIPT_MALFORMED,   /* not two lines of the documented shape */
	BP_RECEIPT_OTHER_KEY,   /* signed with a key whose id is not pk's */
	BP_RECEIPT_BAD_SIG,     /* pk's key id, but the signature fails:
	                           changed after signing */
};

/*
 * Checks the receipt text (len bytes, need not be NUL-terminated) against
 * the daemon's signing public key pk. On BP_RECEIPT_GOOD, *json_len is the
 * length of the signed first line (text[0 .. *json_len)). signer_id gets
 * the key id named on the signature line when it could be read (zeros
 * otherwise). Never allocates anything the caller frees.
 */
enum bp_receipt_check bp_receipt_verify(const char *text, size_t len,
    const struct bp_key *pk, size_t *json_len, uint8_t signer_id[BP_KEY_ID_BYTES]);

#endif
