/*
 * keymap.c - dense ids for 64-bit keys (keymap.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "keymap.h"

/* splitmix64's finaliser: the keys differ in a few bits of each field */
static uint64_t
mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* The slot of key in m (m->cap > 0): its own, or the empty one it goes to. */
static size_t
slot(const struct bp_keymap *m, uint64_t key)
{
	size_t i = (size_t)mix(key) & (m->cap - 1);
	while (m->id[i] && m->key[i] != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

int
bp_keymap_reserve(struct bp_keymap *m, size_t expected)
{
	size_t cap = m->cap ? m->cap : 1024;
	while (cap < 2 * expected)
		cap *= 2;
	if (cap == m->cap)
		return 0;
	struct bp_keymap bigger = { .cap = cap, .n = m->n };
	if (!(bigger.key = malloc(cap * sizeof(*bigger.key))) ||
	    !(bigger.id = calloc(cap, sizeof(*bigger.id)))) {
		free(bigger.key);
		errno = ENOMEM;
		return -1;
	}
	for (size_t i = 0; i < m->cap; i++)
		if (m->id[i]) {
			size_t j = slot(&bigger, m->key[i]);
			bigger.key[j] = m->key[i];
			bigger.id[j] = m->id[i];
		}
	free(m->key);
	free(m->id);
	*m = bigger;
	return 0;
}

uint32_t
bp_keymap_id(struct bp_keymap *m, uint64_t key, int *fresh)
{
	if (fresh)
		*fresh = 0;
	if (m->cap) {
		size_t i = slot(m, key);
		if (m->id[i])
			return m->id[i];
	}
	if (m->n == UINT32_MAX) {
		errno = ENOMEM;
		return 0;
	}
	if (bp_keymap_reserve(m, (size_t)m->n + 1) < 0)
		return 0;
	size_t i = slot(m, key);
	m->key[i] = key;
	m->id[i] = ++m->n;
	if (fresh)
		*fresh = 1;
	return m->id[i];
}

void
bp_keymap_free(struct bp_keymap *m)
{
	free(m->key);
	free(m->id);
	memset(m, 0, sizeof(*m));
}
