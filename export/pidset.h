/*
 * pidset.h - the duplicate-person_id check of the export reader (private
 * to export/): each person_id's keyed hash (the reader hashes, with a key
 * of its own) and the line it was first seen on, so that a repeated one
 * can name that line. The hashes are kept in arrays in row order, with an
 * open-addressing index into them: at most 16 bytes a row, as much as a
 * table of the hashes alone at half load.
 */
#ifndef BP_PIDSET_H
#define BP_PIDSET_H

#include <stddef.h>
#include <stdint.h>

struct bp_pidset {
	uint64_t *h;       /* per entry: the keyed hash (wiped when freed) */
	uint32_t *line;    /* per entry: its first line (UINT32_MAX: further) */
	size_t n, cap;     /* entries, and room in h and line */
	uint32_t *slot;    /* 0 = empty, else entry + 1 */
	size_t nslot;      /* a power of two, more than twice n */
};

/*
 * Adds hash h (not 0), seen on line. Returns 1 when it was there already
 * (with the line it was first seen on in *first, 0 when that is past
 * UINT32_MAX), 0 when added, -1 on ENOMEM. A zeroed struct is an empty set.
 */
int bp_pidset_add(struct bp_pidset *st, uint64_t h, unsigned long line, unsigned long *first);
/* Frees the set, wiping the hashes; st is then an empty set again. */
void bp_pidset_free(struct bp_pidset *st);

#endif
