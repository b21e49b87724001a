/* pidset.c - the duplicate-person_id check of the export reader; see
 * pidset.h. */
#include "pidset.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/* Grows the entry arrays to hold one more. Returns 0 or -1 (ENOMEM). */
static int
set_grow_entries(struct bp_pidset *st)
{
	size_t cap = st->cap ? st->cap * 2 : 1024;
	uint64_t *h = malloc(cap * sizeof(*h));
	uint32_t *line = realloc(st->line, cap * sizeof(*line));

	if (line)
		st->line = line;
	if (!h || !line) {
		free(h);
		return -1;
	}
	if (st->h) {
		memcpy(h, st->h, st->n * sizeof(*h));
		sodium_memzero(st->h, st->n * sizeof(*h));
		free(st->h);
	}
	st->h = h;
	st->cap = cap;
	return 0;
}

/* Doubles the index and places every entry again. Returns 0 or -1. */
static int
set_grow_slots(struct bp_pidset *st)
{
	size_t nslot = st->nslot ? st->nslot * 2 : 2048;
	uint32_t *slot = calloc(nslot, sizeof(*slot));

	if (!slot)
		return -1;
	for (size_t e = 0; e < st->n; e++) {
		size_t i = (size_t)st->h[e] & (nslot - 1);
		while (slot[i] != 0)
			i = (i + 1) & (nslot - 1);
		slot[i] = (uint32_t)(e + 1);
	}
	free(st->slot);
	st->slot = slot;
	st->nslot = nslot;
	return 0;
}

void
bp_pidset_free(struct bp_pidset *st)
{
	if (st->h)
		sodium_memzero(st->h, st->n * sizeof(*st->h));
	free(st->h);
	free(st->line);
	free(st->slot);
	memset(st, 0, sizeof(*st));
}

int
bp_pidset_add(struct bp_pidset *st, uint64_t v, unsigned long line, unsigned long *first)
{
	if ((st->n == st->cap && set_grow_entries(st) < 0) ||
	    ((st->n + 1) * 2 > st->nslot && set_grow_slots(st) < 0))
		return -1;
	size_t i = (size_t)v & (st->nslot - 1);
	while (st->slot[i] != 0) {
		uint32_t e = st->slot[i] - 1;
		if (st->h[e] == v) {
			*first = st->line[e] == UINT32_MAX ? 0 : st->line[e];
			return 1;
		}
		i = (i + 1) & (st->nslot - 1);
	}
	st->h[st->n] = v;
	st->line[st->n] = line >= UINT32_MAX ? UINT32_MAX : (uint32_t)line;
	st->slot[i] = (uint32_t)(st->n + 1);
	st->n++;
	return 0;
}
