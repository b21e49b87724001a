/* keytext.c - the text form of public key files and fingerprints; see
 * keytext.h and keys.h. */
#include "keytext.h"
#include "keys.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

/* The end of the line starting at p (its '\n', or end). */
static const char *
line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	return nl ? nl : end;
}

/* True when [p, end) holds only blanks and line ends. */
static int
only_space(const char *p, const char *end)
{
	for (; p < end; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			return 0;
	return 1;
}

int
bp_key_text_decode(const char *path, const char *in, size_t n, uint8_t *img,
    size_t *len, int *text, char *err, size_t errlen)
{
	static const char prefix[] = BP_KEY_TEXT_PREFIX;
	const char *end = in + n, *b64, *b64_end, *last;
	size_t bin = 0;

	*text = n >= sizeof(prefix) - 1 && memcmp(in, prefix, sizeof(prefix) - 1) == 0;
	if (!*text) {
		if (n > BP_KEY_FILE_MAX) {
			snprintf(err, errlen, "%s: too large for a key file", path);
			return -1;
		}
		memcpy(img, in, n);
		*len = n;
		return 0;
	}
	b64 = line_end(in, end);
	if (b64 == end) {
		snprintf(err, errlen, "%s: text key file without its key line (line 2)", path);
		return -1;
	}
	b64++;
	b64_end = line_end(b64, end);
	/* A key mailed from another system may come with CR LF. */
	for (last = b64_end; last > b64 && (last[-1] == '\r' || last[-1] == ' '); last--)
		;
	if (last == b64 || !only_space(b64_end, end)) {
		snprintf(err, errlen, "%s: line %d: not a bpagg text key (line 1 a comment, "
		    "line 2 the key in base64, nothing after)", path, last == b64 ? 2 : 3);
		return -1;
	}
	if (sodium_base642bin(img, BP_KEY_FILE_MAX, b64, (size_t)(last - b64), NULL, &bin,
	    NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
		snprintf(err, errlen, "%s: line 2: the key is not valid base64 (damaged in "
		    "copying?)", path);
		return -1;
	}
	*len = bin;
	return 0;
}

size_t
bp_key_text_encode(const uint8_t *img, size_t len, const char *comment, char *out,
    size_t cap)
{
	size_t b64len = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	int head = snprintf(out, cap, BP_KEY_TEXT_PREFIX "%s\n", comment);

	if (head < 0 || (size_t)head + b64len + 1 > cap)
		return 0;
	sodium_bin2base64(out + head, b64len, img, len, sodium_base64_VARIANT_ORIGINAL);
	out[head + b64len - 1] = '\n';
	out[head + b64len] = '\0';
	return (size_t)head + b64len;
}

/* The public key of k into pk (32 bytes). Returns 0, or -1 for a pseudonym
 * key (it has none) or a damaged secret. */
static int
public_of(const struct bp_key *k, uint8_t pk[32])
{
	switch (k->alg) {
	case BP_KEY_BOX_PK:
	case BP_KEY_SIGN_PK:
		memcpy(pk, k->bytes, 32);
		return 0;
	case BP_KEY_BOX_SK:
		return crypto_scalarmult_base(pk, k->bytes) == 0 ? 0 : -1;
	case BP_KEY_SIGN_SK:
		/* libsodium's layout: seed || public key (checked on load). */
		memcpy(pk, k->bytes + 32, 32);
		return 0;
	case BP_KEY_PSEUDONYM:
		break;
	}
	return -1;
}

int
bp_key_fingerprint(const struct bp_key *k, char out[BP_KEY_FPR_SIZE])
{
	uint8_t pk[32], h[32];
	char hex[2 * BP_KEY_FPR_BYTES + 1];
	char *o = out;

	out[0] = '\0';
	if (!k->bytes || k->len < 32 || public_of(k, pk) < 0)
		return -1;
	crypto_generichash(h, sizeof(h), pk, sizeof(pk), NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, BP_KEY_FPR_BYTES);
	for (size_t i = 0; i < 2 * BP_KEY_FPR_BYTES; i += 4) {
		if (i)
			*o++ = ' ';
		memcpy(o, hex + i, 4);
		o += 4;
	}
	*o = '\0';
	return 0;
}
