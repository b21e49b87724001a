/* store_codec.c - the byte layout of a stored tally; see store_codec.h. */
#include "store_codec.h"

#include <sodium.h>

/* Explicit little-endian load/store: never a host-order integer on disk. */
static void
store_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void
store_le64(uint8_t *p, uint64_t v)
{
	store_le32(p, (uint32_t)v);
	store_le32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t
load_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
load_le64(const uint8_t *p)
{
	return (uint64_t)load_le32(p) | (uint64_t)load_le32(p + 4) << 32;
}

size_t
bp_codec_tally_bytes(size_t ncells, size_t nsum)
{
	return ncells * 4 + nsum * 12;
}

void
bp_codec_encode(uint8_t *buf, size_t ncells, size_t nsum, const struct bp_tally *t)
{
	uint8_t *p = buf;

	for (size_t i = 0; i < ncells; i++, p += 4)
		store_le32(p, t->counts[i]);
	for (size_t i = 0; i < nsum; i++, p += 4)
		store_le32(p, t->sum_n[i]);
	for (size_t i = 0; i < nsum; i++, p += 8)
		store_le64(p, t->sum[i]);
}

void
bp_codec_decode(const uint8_t *c, const uint8_t *n, const uint8_t *s, size_t ncells,
    size_t nsum, struct bp_tally *t)
{
	for (size_t i = 0; i < ncells; i++)
		t->counts[i] = load_le32(c + 4 * i);
	for (size_t i = 0; i < nsum; i++) {
		t->sum_n[i] = load_le32(n + 4 * i);
		t->sum[i] = load_le64(s + 8 * i);
	}
}

void
bp_codec_checksum(const uint8_t *counts, size_t nc, const uint8_t *sum_n, size_t nn,
    const uint8_t *sums, size_t ns, uint32_t rows, const uint8_t catalogue_id[32],
    uint8_t out[32])
{
	static const uint8_t domain[] = "bpagg tally v1";
	crypto_generichash_state st;
	uint8_t r[4];

	store_le32(r, rows);
	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, domain, sizeof(domain));
	crypto_generichash_update(&st, r, sizeof(r));
	crypto_generichash_update(&st, catalogue_id, 32);
	crypto_generichash_update(&st, counts, nc);
	crypto_generichash_update(&st, sum_n, nn);
	crypto_generichash_update(&st, sums, ns);
	crypto_generichash_final(&st, out, 32);
}
