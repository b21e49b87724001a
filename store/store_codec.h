/*
 * store_codec.h - how every backend lays a tally out as bytes: three dense
 * little-endian vectors (counts: ncells x u32, sum_n: nsum x u32, sums:
 * nsum x u64), and a BLAKE2b-256 checksum over them, the row count and the
 * catalogue id, so that a bit flipped on disk is noticed when the tally is
 * read (a database's own page checks do not look inside a value).
 */
#ifndef BP_STORE_CODEC_H
#define BP_STORE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "measures.h"

/* Bytes of an encoded tally: ncells * 4 + nsum * 12. */
size_t bp_codec_tally_bytes(size_t ncells, size_t nsum);

/* Encodes t into buf (bp_codec_tally_bytes long): counts | sum_n | sums. */
void bp_codec_encode(uint8_t *buf, size_t ncells, size_t nsum, const struct bp_tally *t);

/* Decodes the three vectors into t (allocated by bp_tally_init). */
void bp_codec_decode(const uint8_t *counts, const uint8_t *sum_n, const uint8_t *sums,
    size_t ncells, size_t nsum, struct bp_tally *t);

/* The checksum of an encoded tally (the three vectors, contiguous or not). */
void bp_codec_checksum(const uint8_t *counts, size_t nc, const uint8_t *sum_n, size_t nn,
    const uint8_t *sums, size_t ns, uint32_t rows, const uint8_t catalogue_id[32],
    uint8_t out[32]);

#endif
