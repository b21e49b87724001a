/*
 * release_attack_hash.c - the intruder's open-addressing table from 64-bit
 * keys to indexes (the model's quantities, variables and families are
 * looked up by key while tables.csv is read; release_attack.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "release_attack.h"

static uint64_t
mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

uint64_t
bp_ra_hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

int
bp_ra_hash_get(const struct bp_ra_hash *h, uint64_t key)
{
	if (!h->cap)
		return -1;
	for (size_t i = mix(key) & (h->cap - 1);; i = (i + 1) & (h->cap - 1)) {
		if (h->v[i] < 0)
			return -1;
		if (h->k[i] == key)
			return h->v[i];
	}
}

void
bp_ra_hash_put(struct bp_ra_hash *h, uint64_t key, int v)
{
	if (2 * (h->n + 1) > h->cap) {
		struct bp_ra_hash o = *h;
		h->cap = o.cap ? 2 * o.cap : 1024;
		h->k = bp_ra_xrealloc(NULL, h->cap * sizeof(uint64_t));
		h->v = bp_ra_xrealloc(NULL, h->cap * sizeof(int));
		h->n = 0;
		for (size_t i = 0; i < h->cap; i++)
			h->v[i] = -1;
		for (size_t i = 0; i < o.cap; i++)
			if (o.v[i] >= 0)
				bp_ra_hash_put(h, o.k[i], o.v[i]);
		free(o.k);
		free(o.v);
	}
	size_t i = mix(key) & (h->cap - 1);
	while (h->v[i] >= 0 && h->k[i] != key)
		i = (i + 1) & (h->cap - 1);
	if (h->v[i] < 0)
		h->n++;
	h->k[i] = key;
	h->v[i] = v;
}

void
bp_ra_hash_free(struct bp_ra_hash *h)
{
	free(h->k);
	free(h->v);
	memset(h, 0, sizeof(*h));
}
