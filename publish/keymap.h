/*
 * keymap.h - dense ids for 64-bit keys (publish/): the first key seen is
 * 1, the next new one 2, and so on, whatever the hash; open addressing,
 * the table at most half full.  tables.c numbers the quantities of a
 * release with it, release_joint_memo.c the printed rows it keeps.
 */
#ifndef BP_PUBLISH_KEYMAP_H
#define BP_PUBLISH_KEYMAP_H

#include <stddef.h>
#include <stdint.h>

struct bp_keymap {
	uint64_t *key;
	uint32_t *id;              /* 0: an empty slot */
	size_t cap;                /* a power of two, or 0 before the first key */
	uint32_t n;                /* ids given: 1..n */
};

/* Room for at least `expected` keys without growing (m zeroed before the
 * first call); 0 or -1 (ENOMEM, m as it was). */
int bp_keymap_reserve(struct bp_keymap *m, size_t expected);
/* The id of key, a new one (n + 1) when it is new; *fresh (if not NULL)
 * says which.  0 on ENOMEM or when UINT32_MAX ids are given. */
uint32_t bp_keymap_id(struct bp_keymap *m, uint64_t key, int *fresh);
/* Frees the map's arrays (m itself is the caller's) and zeroes it. */
void bp_keymap_free(struct bp_keymap *m);

#endif
