/*
 * forge.h - an encoder of bpagg-submission(5) envelopes written from the
 * manual page, independently of crypto/envelope.c, for the tests and the
 * vector generator. It can build what bp_seal never would: a signature by
 * another key, a wrong digest, a forwarded file, an early final tag, short
 * chunks. Test code only: it aborts on allocation failure.
 */
#ifndef BP_TEST_FORGE_H
#define BP_TEST_FORGE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

struct forge_buf {
	uint8_t *p;
	size_t n;
};

static inline void
forge_put(struct forge_buf *b, const void *d, size_t n)
{
	uint8_t *p = realloc(b->p, b->n + n + 1);
	if (!p)
		abort();
	b->p = p;
	memcpy(b->p + b->n, d, n);
	b->n += n;
}

static inline void
forge_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* The 149-byte metadata plaintext: the 85-byte block, then the Ed25519
 * signature (by sk, 64 bytes) over "bpagg-submission-signature-v1\0" and
 * the block. The submission id is the fixed byte pattern 0x5a. */
static inline void
forge_meta(uint8_t out[149], const char *kommune, const uint8_t recipient[8], uint16_t year,
    uint64_t plen, const uint8_t digest[32], uint16_t version, const uint8_t sk[64])
{
	static const char dom[] = "bpagg-submission-signature-v1";
	uint8_t msg[30 + 85];
	memset(out, 0, 149);
	forge_le(out, version, 2);
	memcpy(out + 2, recipient, 8);
	memcpy(out + 10, kommune, 4);
	forge_le(out + 14, year, 2);
	memset(out + 16, 0x5a, 16);
	forge_le(out + 32, 1234567890123456789ull, 8);
	forge_le(out + 40, 3, 4);
	forge_le(out + 44, plen, 8);
	memcpy(out + 52, digest, 32);
	out[84] = 0;
	memcpy(msg, dom, 30);
	memcpy(msg + 30, out, 85);
	crypto_sign_detached(out + 85, NULL, msg, sizeof(msg), sk);
}

/* Pushes one length-framed chunk. */
static inline void
forge_chunk(struct forge_buf *b, crypto_secretstream_xchacha20poly1305_state *st,
    const uint8_t *m, size_t n, uint8_t tag, const uint8_t *ad, size_t adlen)
{
	uint8_t *c = malloc(n + 17), len[4];
	unsigned long long clen;
	if (!c)
		abort();
	crypto_secretstream_xchacha20poly1305_push(st, c, &clen, m, n, ad, adlen, tag);
	forge_le(len, clen, 4);
	forge_put(b, len, 4);
	forge_put(b, c, (size_t)clen);
	free(c);
}

/*
 * A whole envelope to the X25519 key to_pk (id to_id) with the given
 * metadata plaintext and body, split into chunks of chunk bytes (65536 in
 * the format). With final_early the first body chunk carries TAG_FINAL
 * and the others follow it; with empty_final every body chunk is a
 * message and an empty chunk carries TAG_FINAL (what bp_seal does only for
 * an empty plaintext). Returns a malloc'd buffer of *len bytes.
 */
static inline uint8_t *
forge_env_ext(const uint8_t to_id[8], const uint8_t to_pk[32], const uint8_t meta[149],
    const uint8_t *body, size_t blen, size_t chunk, int final_early, int empty_final,
    size_t *len)
{
	uint8_t h[132], key[32];
	struct forge_buf b = { 0 };
	crypto_secretstream_xchacha20poly1305_state st;

	memcpy(h, "BPAGGSUB", 8);
	forge_le(h + 8, 1, 2);
	forge_le(h + 10, 0x0101, 2);
	forge_le(h + 12, 0x0001, 2);
	forge_le(h + 14, 0x0201, 2);
	forge_le(h + 16, 65536, 4);
	memcpy(h + 20, to_id, 8);
	crypto_secretstream_xchacha20poly1305_keygen(key);
	if (crypto_box_seal(h + 28, key, 32, to_pk) != 0)
		abort();
	crypto_secretstream_xchacha20poly1305_init_push(&st, h + 108, key);
	forge_put(&b, h, sizeof(h));
	forge_chunk(&b, &st, meta, 149, 0, h, sizeof(h));
	size_t off = 0;
	do {
		size_t n = blen - off > chunk ? chunk : blen - off;
		int last = off + n == blen;
		uint8_t tag = ((last && !empty_final) || (final_early && off == 0)) ?
		    crypto_secretstream_xchacha20poly1305_TAG_FINAL :
		    crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
		forge_chunk(&b, &st, body + off, n, tag, NULL, 0);
		off += n;
	} while (off < blen);
	if (empty_final)
		forge_chunk(&b, &st, body, 0, crypto_secretstream_xchacha20poly1305_TAG_FINAL,
		    NULL, 0);
	sodium_memzero(key, sizeof(key));
	*len = b.n;
	return b.p;
}

static inline uint8_t *
forge_env(const uint8_t to_id[8], const uint8_t to_pk[32], const uint8_t meta[149],
    const uint8_t *body, size_t blen, size_t chunk, int final_early, size_t *len)
{
	return forge_env_ext(to_id, to_pk, meta, body, blen, chunk, final_early, 0, len);
}

#endif
