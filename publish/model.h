/*
 * model.h - one linear model for a whole release (bpagg-publish(1), "The
 * release model").
 *
 * Suppression problems (suppress.h) describe parts of a release: one per
 * indicator or sum measure, every level.  A quantity that several of them
 * print (the i_alt of every indicator by a breakdown value is that value's
 * count of persons; kjonn__rop and rop__kjonn print the same cells) has
 * the same key (cellkeys.h, tables.c) wherever it is printed.  The model
 * puts the parts together: cells with the same key are ONE model cell,
 * every other cell is its own, and every constraint of every part holds
 * over the model cells (the same constraint met twice is kept once).  What
 * the model hides, it hides in every table that prints it, and its LP audit
 * sees every published cell of the release at once.
 */
#ifndef BP_MODEL_H
#define BP_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "suppress.h"

struct bp_model;   /* opaque */

/* A new model for keys 1..nkey; NULL on ENOMEM.  Free with bp_model_free. */
struct bp_model *bp_model_new(size_t nkey);
void bp_model_free(struct bp_model *m);

/*
 * Adds part p: cell c gets the model cell of key[c] (c < nkeyed and key[c]
 * != 0: the first part that printed the key made it) or a new one.  A new
 * cell keeps p's value and flags; a keyed cell met again gets the flags of
 * both (BP_SUP_FIXED only when both say so).  map (p's cell count
 * entries, the caller's) receives each cell's model cell.  Constraints are
 * copied with their cells mapped; one that maps to a cell equal to itself
 * is dropped.  0, or -1: errno ENOMEM, or EINVAL when a constraint does not
 * map to a sum of distinct cells (two of its cells are one quantity) or a
 * key's cells differ in value.
 */
int bp_model_add(struct bp_model *m, const struct bp_sup_problem *p, const uint32_t *key,
    size_t nkeyed, size_t *map);

/* The model as one problem (owned by m): solve and audit it like any other. */
struct bp_sup_problem *bp_model_problem(struct bp_model *m);

/* How many constraints were met twice and kept once (for the bench). */
size_t bp_model_duplicates(const struct bp_model *m);

#endif
