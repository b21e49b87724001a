/*
 * release_republish.c - republish model 3: what an earlier release of the
 * year and this one tell together of the kommuner that reported since
 * (bpagg-publish(1), "Republishing a year").
 *
 * The republishing rule compares each figure with its earlier values; a
 * figure that moved by min_cell or more is printed.  But what it moved by
 * is a figure too: with the kommuner of the earlier release unchanged, a
 * fylke's figure now less its figure then is the sum of that figure over
 * the kommuner that reported since.  Release A printed fylke 11's persons
 * of 1101 and 1103 as 60; 1111 (6 persons) reported, and release B printed
 * the fylke's 66 while hiding 1111's total: its total was 6, and each of
 * its three hidden bolig cells (at least 1 each) at most 4.  The intruder
 * who holds both releases was tested knowing which kommuner resubmitted;
 * so is the model: each upper figure printed in an earlier release is, in
 * this release's model, its figure then (a constant) plus what each
 * kommune new since counts of it, plus what each kommune whose printed
 * figure moved counts now less then (row_since).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "release_private.h"

/* Whether kommune k counts in upper area u's figures. */
static bool
below(const struct bp_tables *T, size_t k, size_t u)
{
	const struct area *K = &T->a[k];
	return K->level == BP_LEVEL_KOMMUNE && K->rows &&
	    (T->a[u].level == BP_LEVEL_NASJONAL || K->parent == u);
}

/*
 * Row (u, g, b, v, r) against earlier release q, when q printed it at u:
 *     now(u) + the figures then of the kommuner whose printed figure moved
 *       = then(u) + the figures now of those kommuner and of the new ones,
 * each "then" a constant.  Added when it holds of the tallies (a kommune
 * whose figure q hid is taken as unchanged; if it moved, the sums differ
 * and nothing is added) and every kommune in it prints the figure now.
 * m1 and m2 have room for T->na + 1 cells each; done marks the model cells
 * given their equation for q already (a quantity printed in several tables
 * is one cell); moving the kommuner new since q or with a printed figure
 * that moved (the others add nothing).  0, or -1 (ENOMEM).
 */
static int
row_since(const struct bp_tables *T, struct rel *R, const struct bp_prev *q, size_t u,
    size_t g, size_t b, size_t v, size_t r, size_t *m1, size_t *m2, unsigned char *done,
    const unsigned char *moving)
{
	struct bp_sup_problem *M = bp_model_problem(R->m);
	char key[256];
	int64_t then, lhs, rhs;
	size_t row = bp__rel_row_of(T, u, g, b, v, r), x, n1 = 0, n2 = 0;
	/* the kommuner in it: cell now, figure then (-1: new) */
	size_t *kc = m2 + T->na + 1;
	int64_t *kold = (int64_t *)(kc + T->na + 1);

	if (row == SIZE_MAX || (x = R->rowcell[row]) == SIZE_MAX || done[x])
		return 0;
	bp_tb_prev_key(T, &T->a[u], g, b, v, r, key, sizeof(key));
	if (!bp_prev_get(q, key, &then) || then < 0)
		return 0;   /* not printed then: no constant to subtract */
	lhs = bp_sup_value_of(M, x);
	rhs = then;
	for (size_t k = 0; k < T->na; k++) {
		int64_t old = -1;
		if (!moving[k] || !below(T, k, u))
			continue;
		bp_tb_prev_key(T, &T->a[k], g, b, v, r, key, sizeof(key));
		bool was = bp_prev_get(q, key, &old);
		size_t kr = bp__rel_row_of(T, k, g, b, v, r);
		size_t ck = kr == SIZE_MAX ? SIZE_MAX : R->rowcell[kr];
		if (was && old < 0)
			continue;   /* hidden then: taken as unchanged */
		if (ck == SIZE_MAX)
			return 0;   /* not printed now */
		if (was && old == (int64_t)bp_sup_value_of(M, ck))
			continue;   /* the same figure: it cancels */
		kc[n2] = ck;   /* old stays -1 when it is new (bp_prev_get set nothing) */
		kold[n2++] = old;
		rhs += bp_sup_value_of(M, ck);
		if (old >= 0)
			lhs += old;
	}
	/* nothing moved, or a kommune whose figure was hidden moved too */
	if (n2 == 0 || lhs != rhs)
		return 0;
	done[x] = 1;
	m1[n1++] = x;
	long fix = bp_sup_add_cell(M, (uint32_t)then, BP_SUP_FIXED);
	if (fix < 0)
		return -1;
	size_t nk = n2;
	n2 = 0;
	m2[n2++] = (size_t)fix;
	for (size_t j = 0; j < nk; j++) {
		m2[n2++] = kc[j];
		if (kold[j] < 0)
			continue;
		if ((fix = bp_sup_add_cell(M, (uint32_t)kold[j], BP_SUP_FIXED)) < 0)
			return -1;
		m1[n1++] = (size_t)fix;
	}
	return bp__rel_add_equal(R, m1, n1, m2, n2);
}

/* Whether kommune k is new since q (q printed nothing of it) or a figure
 * q printed of it moved: each kommune's rows looked up once per release,
 * not once per upper figure. */
static bool
kommune_moved(const struct bp_tables *T, const struct rel *R, const struct bp_prev *q,
    size_t k)
{
	const struct bp_sup_problem *M = bp_model_problem(R->m);
	char key[256];

	for (size_t g = 0; g < T->ngroup; g++)
		for (size_t b = 0; b < bp_n_breakdowns(); b++) {
			if (!table_on(T, BP_LEVEL_KOMMUNE, g, b))
				continue;
			for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++)
				for (size_t r = 0; r < group_nrow(T, g); r++) {
					size_t row = bp__rel_row_of(T, k, g, b, v, r);
					int64_t old;
					if (row == SIZE_MAX || R->rowcell[row] == SIZE_MAX)
						continue;
					bp_tb_prev_key(T, &T->a[k], g, b, v, r, key, sizeof(key));
					if (!bp_prev_get(q, key, &old) || (old >= 0 &&
					    old != (int64_t)bp_sup_value_of(M, R->rowcell[row])))
						return true;
				}
		}
	return false;
}

int
bp__rel_since(const struct bp_tables *T, struct rel *R, const struct bp_prev *prev)
{
	size_t nc = bp_sup_ncells(bp_model_problem(R->m));
	/* m1, m2, then the kommuner's cells and figures (row_since) */
	size_t *mem = malloc((T->na + 1) * (3 * sizeof(*mem) + sizeof(int64_t)));
	unsigned char *done = malloc(nc ? nc : 1), *moving = calloc(T->na ? T->na : 1, 1);
	int ret = -1;

	if (!mem || !done || !moving) {
		errno = ENOMEM;
		goto out;
	}
	for (const struct bp_prev *q = prev; q; q = bp_prev_older(q)) {
		memset(done, 0, nc ? nc : 1);
		size_t nmoving = 0;
		for (size_t k = 0; k < T->na; k++) {
			const struct area *K = &T->a[k];
			moving[k] = K->level == BP_LEVEL_KOMMUNE && K->rows && kommune_moved(T, R, q, k);
			nmoving += moving[k];
		}
		for (size_t u = 0; u < T->na && nmoving > 0; u++) {
			const struct area *a = &T->a[u];
			bool any = false;
			for (size_t k = 0; k < T->na && !any; k++)
				any = moving[k] && below(T, k, u);
			if (!a->rows || a->level == BP_LEVEL_KOMMUNE || !any)
				continue;
			for (size_t g = 0; g < T->ngroup; g++)
				for (size_t b = 0; b < bp_n_breakdowns(); b++) {
					if (!table_on(T, a->level, g, b))
						continue;
					for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++)
						for (size_t r = 0; r < group_nrow(T, g); r++)
							if (row_since(T, R, q, u, g, b, v, r, mem,
							    mem + T->na + 1, done, moving) < 0) {
								errno = ENOMEM;
								goto out;
							}
				}
		}
	}
	ret = 0;
out:
	free(mem);
	free(done);
	free(moving);
	return ret;
}
