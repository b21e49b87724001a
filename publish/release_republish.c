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
 *
 * Republish model 4: that held only where every such kommune prints the
 * figure itself, and the rapport profile prints most tables at the nation
 * and the fylker alone (bench/republish_sweep.sh: 7 of 20 small republished
 * years left primary cells bounded, 42 in all).  So an upper figure then is
 * also its children's then, a child that nothing moved under being the
 * same quantity now (then_by_children); and the part of a figure that the
 * new kommuner do not print is an unknown of its own, its value from their
 * tallies, with its table's lines, and by a breakdown's values adding up
 * to their printed totals (new_parts, since_partition).  That is still not
 * the reader's joint distribution of the new kommuners' persons over every
 * table: the sweep's years leave 19 cells bounded (bpagg-publish(1)).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "release_private.h"

/* moving[k] (bp__rel_since): a kommune that resubmitted, or one new since */
enum { MOVED = BP_REL_MOVED, MOVED_NEW = BP_REL_MOVED_NEW };

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
    const unsigned char *moving, const size_t *ycell)
{
	struct bp_sup_problem *M = bp_model_problem(R->m);
	char key[256];
	int64_t then, lhs, rhs;
	size_t row = bp__rel_row_of(T, u, g, b, v, r), x, n1 = 0, n2 = 0;
	bool unprinted = false;   /* model 4: new kommuner that do not print it */
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
		if (ck == SIZE_MAX && moving[k] == MOVED_NEW && T->s.republish_model >= 4) {
			unprinted = true;   /* new, and not printed: in the unknown */
			continue;
		}
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
	/* the new kommuners' part that they do not print: what is left */
	long yc = -1;
	if (unprinted) {
		if (ycell[row] == SIZE_MAX)
			return 0;
		yc = (long)ycell[row];
		rhs += bp_sup_value_of(M, (size_t)yc);
	}
	/* nothing moved, or a kommune whose figure was hidden moved too */
	if ((n2 == 0 && yc < 0) || lhs != rhs)
		return 0;
	done[x] = 1;
	m1[n1++] = x;
	long fix = bp_sup_add_cell(M, (uint32_t)then, BP_SUP_FIXED);
	if (fix < 0)
		return -1;
	size_t nk = n2;
	n2 = 0;
	m2[n2++] = (size_t)fix;
	if (yc >= 0)
		m2[n2++] = (size_t)yc;
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

/* What moved of kommune k since q: MOVED_NEW when q printed nothing of it,
 * MOVED when a figure q printed of it moved or one it prints now is not in
 * q (model 5: or its latest submission was applied after q; model 6: or it
 * is not the one q read), else 0: each
 * kommune's rows looked up once per release, not once per upper figure. */
static unsigned char
kommune_moved(const struct bp_tables *T, const struct rel *R, const struct bp_prev *q,
    size_t k)
{
	const struct bp_sup_problem *M = bp_model_problem(R->m);
	char key[256];
	bool moved = false, seen = false, any = false;

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
					any = true;
					if (!bp_prev_get(q, key, &old)) {
						moved = true;
					} else {
						seen = true;
						if (old >= 0 && old !=
						    (int64_t)bp_sup_value_of(M, R->rowcell[row]))
							moved = true;
					}
					/* model 3 stops at the first change; model 4 reads
					 * on to tell a new kommune */
					if (moved && (T->s.republish_model < 4 || seen))
						return MOVED;
				}
		}
	/* model 5: a kommune of q that submitted after q read the store (a
	 * later second than q's time) is taken as one that resubmitted even
	 * where every figure q printed of it is the same (q may have hidden
	 * all of them; a reader may know it submitted again).  Model 6: when
	 * q's log entry records the received time of each submission it read,
	 * one whose latest submission is not the one q read, whatever the
	 * clocks and however close in time (the same second as q's read was
	 * missed, and a daemon's clock behind the publishing host's) */
	int64_t then = 0;
	if (seen && !moved && T->s.republish_model >= 6 &&
	    bp_prev_received(q, T->a[k].code, &then) == 1)
		return T->a[k].received != then ? MOVED : 0;
	if (seen && !moved && T->s.republish_model >= 5 && bp_prev_time(q) > 0 &&
	    T->a[k].received > bp_prev_time(q))
		return MOVED;
	return any && !seen && moved ? MOVED_NEW : moved ? MOVED : 0;
}

/*
 * Model 4: the new kommuners' part of each figure of upper area u's table
 * of group g by breakdown b, which they do not print themselves: an
 * unknown each (ycell, by u's row), its value their tallies', and the
 * table's lines among them (the categories add up to i_alt).  0, or -1
 * (ENOMEM).
 */
static int
new_parts(const struct bp_tables *T, struct rel *R, const unsigned char *moving, size_t u,
    size_t g, size_t b, size_t *ycell, size_t *m)
{
	size_t nval = bp_breakdown_at(b)->nval, nr = group_nrow(T, g);

	for (size_t v = 0; v < nval; v++) {
		for (size_t r = 0; r < nr; r++) {
			size_t row = bp__rel_row_of(T, u, g, b, v, r);
			uint64_t y = 0;
			if (row == SIZE_MAX)
				return 0;
			for (size_t k = 0; k < T->na; k++)
				if (moving[k] == MOVED_NEW && below(T, k, u))
					y += cell_value(T, &T->a[k], g, b, v, r);
			long c = y > UINT32_MAX ? -1 : bp__rel_add_unknown(R, (uint32_t)y);
			if (c < 0)
				return -1;
			ycell[row] = (size_t)c;
		}
		if (g >= T->nind)
			continue;   /* a sum: one row */
		/* categories 0..nr-2, then i_alt */
		for (size_t r = 0; r + 1 < nr; r++)
			m[r] = ycell[bp__rel_row_of(T, u, g, b, v, r)];
		size_t ialt = ycell[bp__rel_row_of(T, u, g, b, v, nr - 1)];
		if (bp__rel_add_equal(R, m, nr - 1, &ialt, 1) < 0)
			return -1;
	}
	return 0;
}

/*
 * Model 4: where the new kommuners' unknown part of upper area u's figure
 * exists for every value v of breakdown b (row r of group g), the parts
 * are the new kommuners' figure by total, which they print:
 *     sum over v of part(v) [+ a rest, for a breakdown that leaves persons
 *     out] = sum over the new kommuner below u of their total.
 * Added when it holds of the tallies.  m has room for T->na + 1 cells.
 * 0, or -1 (ENOMEM).
 */
static int
since_partition(const struct bp_tables *T, struct rel *R, const unsigned char *moving,
    size_t u, size_t g, size_t b, size_t r, const size_t *ycell, size_t *m)
{
	struct bp_sup_problem *M = bp_model_problem(R->m);
	int tot = bp_breakdown_find("total");
	size_t nval = bp_breakdown_at(b)->nval, n1 = 0, n2;
	uint64_t parts = 0, whole = 0;
	size_t *m2 = m + nval + 1;

	if (tot < 0 || (size_t)tot == b)
		return 0;
	for (size_t v = 0; v < nval; v++) {
		size_t row = bp__rel_row_of(T, u, g, b, v, r);
		if (row == SIZE_MAX || ycell[row] == SIZE_MAX)
			return 0;
		m[n1++] = ycell[row];
		parts += bp_sup_value_of(M, ycell[row]);
	}
	n2 = 0;
	for (size_t k = 0; k < T->na; k++) {
		if (!moving[k] || !below(T, k, u))
			continue;
		if (moving[k] != MOVED_NEW)
			return 0;   /* a kommune that resubmitted: its part is not its total */
		size_t kr = bp__rel_row_of(T, k, g, (size_t)tot, 0, r);
		if (kr == SIZE_MAX || R->rowcell[kr] == SIZE_MAX)
			return 0;   /* a new kommune that does not print its total */
		m2[n2++] = R->rowcell[kr];
		whole += bp_sup_value_of(M, R->rowcell[kr]);
	}
	if (n2 == 0 || parts > whole)
		return 0;   /* values overlap: no equation */
	if (parts < whole) {
		long rest = bp__rel_add_unknown(R, (uint32_t)(whole - parts));
		if (rest < 0)
			return -1;
		m[n1++] = (size_t)rest;
	}
	return bp__rel_add_equal(R, m, n1, m2, n2);
}

/*
 * Model 4: upper area u's figure then, which q printed, is the sum of its
 * children's figures then (the fylker under the nation where they print
 * the table, else the kommuner), and a child that nothing moved under is
 * the same quantity now, hidden or not:
 *     then(u) = the cells now of the children nothing moved under
 *             + the figures then (q printed them) of the others,
 * children new since q adding nothing.  With now(u) the sum of the
 * children now, the difference of u's figures is the new and moved
 * children's, which a reader of both releases holds: release A of 0301
 * and 4601 (20 persons each) printed the nation, release B with 5001 (a
 * fylke of its own) the nation and fylke 50, and that reader bounded 64
 * primary cells of B below min_cell, tables the kommuner do not print.
 * child[f] says what moved under fylke f (MOVED, MOVED_NEW: every kommune
 * new).  Added when it holds of the tallies.  m has room for T->na + 1
 * cells; done marks the model cells given their equation for q.  0, or -1
 * (ENOMEM).
 */
static int
then_by_children(const struct bp_tables *T, struct rel *R, const struct bp_prev *q,
    size_t u, size_t g, size_t b, size_t v, size_t r, const unsigned char *child,
    unsigned char *done, size_t *m)
{
	struct bp_sup_problem *M = bp_model_problem(R->m);
	const struct area *U = &T->a[u];
	unsigned cl = U->level == BP_LEVEL_NASJONAL && table_on(T, BP_LEVEL_FYLKE, g, b) ?
	    BP_LEVEL_FYLKE : table_on(T, BP_LEVEL_KOMMUNE, g, b) ? BP_LEVEL_KOMMUNE : 0;
	size_t row = bp__rel_row_of(T, u, g, b, v, r), x, n2 = 0;
	char key[256];
	int64_t then, sum = 0;

	if (!cl || row == SIZE_MAX || (x = R->rowcell[row]) == SIZE_MAX || done[x])
		return 0;
	bp_tb_prev_key(T, U, g, b, v, r, key, sizeof(key));
	if (!bp_prev_get(q, key, &then) || then < 0)
		return 0;
	for (size_t c = 0; c < T->na; c++) {
		const struct area *C = &T->a[c];
		int64_t old;
		if (C->level != cl || !C->rows ||
		    (U->level == BP_LEVEL_FYLKE && C->parent != u))
			continue;
		if (child[c] == MOVED_NEW)
			continue;   /* not in q: nothing of it then */
		if (child[c] == 0) {
			size_t cr = bp__rel_row_of(T, c, g, b, v, r);
			if (cr == SIZE_MAX || R->rowcell[cr] == SIZE_MAX)
				return 0;
			m[n2++] = R->rowcell[cr];
			sum += (int64_t)bp_sup_value_of(M, R->rowcell[cr]);
			continue;
		}
		bp_tb_prev_key(T, C, g, b, v, r, key, sizeof(key));
		if (!bp_prev_get(q, key, &old) || old < 0)
			return 0;   /* moved, and its figure then not printed */
		long fix = bp_sup_add_cell(M, (uint32_t)old, BP_SUP_FIXED);
		if (fix < 0)
			return -1;
		m[n2++] = (size_t)fix;
		sum += old;
	}
	if (n2 == 0 || sum != then)
		return 0;
	done[x] = 1;
	long fix = bp_sup_add_cell(M, (uint32_t)then, BP_SUP_FIXED);
	if (fix < 0)
		return -1;
	size_t m1 = (size_t)fix;
	return bp__rel_add_equal(R, &m1, 1, m, n2);
}

/* child[]: for each kommune what moved of it, for each fylke what moved
 * under it (MOVED_NEW when every kommune of it is new). */
static void
children_moved(const struct bp_tables *T, const unsigned char *moving, unsigned char *child)
{
	for (size_t f = 0; f < T->na; f++) {
		const struct area *F = &T->a[f];
		if (F->level == BP_LEVEL_KOMMUNE) {
			child[f] = moving[f];
			continue;
		}
		size_t n = 0, nnew = 0, nmoved = 0;
		for (size_t k = 0; F->level == BP_LEVEL_FYLKE && k < T->na; k++)
			if (below(T, k, f)) {
				n++;
				nnew += moving[k] == MOVED_NEW;
				nmoved += moving[k] != 0;
			}
		child[f] = n && nnew == n ? MOVED_NEW : nmoved ? MOVED : 0;
	}
}

/* Appends F to R->since: 0, or -1 (ENOMEM). */
static int
add_fig(struct rel *R, struct since_fig F)
{
	if (R->nsince == R->capsince) {
		size_t cap = R->capsince ? 2 * R->capsince : 256;
		struct since_fig *n = realloc(R->since, cap * sizeof(*n));
		if (!n)
			return -1;
		R->since = n;
		R->capsince = cap;
	}
	R->since[R->nsince++] = F;
	return 0;
}

/*
 * Model 5: upper area u's figures that earlier release q (the qi-th)
 * printed, for the whole-release check (struct since_fig): the reader of
 * both releases holds what the kommuner of q that did not resubmit count
 * of each, whatever this release prints of them, and so the new kommuners'
 * persons as one distribution over every table (release_joint_since.c).
 * A kommune that resubmitted counts its figure then: the check gives its
 * persons then columns of their own where it can (since_own), else takes
 * the figure less its value then where q printed that (less), an upper
 * bound only where q hid it.  Added when it holds of the tallies (a
 * kommune whose hidden figure moved makes the sum differ).  Republish
 * model 7: the figures q hid as well (hidden), which the check lets reach
 * min_cell or refuses this release.  Tables by kommunestorrelse are left
 * out.  0, or -1 (ENOMEM).
 */
static int
since_figures(const struct bp_tables *T, struct rel *R, const struct bp_prev *q, size_t qi,
    size_t u, const unsigned char *moving)
{
	const struct area *U = &T->a[u];
	int ks = bp_breakdown_find("kommunestorrelse");
	char key[256];

	for (size_t g = 0; g < T->nind && g <= UINT8_MAX; g++)
		for (size_t b = 0; b < bp_n_breakdowns() && b <= UINT8_MAX; b++) {
			if (!table_on(T, U->level, g, b) || (int)b == ks)
				continue;
			for (size_t v = 0; v < bp_breakdown_at(b)->nval && v <= UINT8_MAX; v++)
				for (size_t r = 0; r < group_nrow(T, g); r++) {
					size_t row = bp__rel_row_of(T, u, g, b, v, r);
					int64_t then, full, old, sum = 0;
					bool exact = true;
					if (row == SIZE_MAX || R->rowcell[row] == SIZE_MAX)
						continue;
					bp_tb_prev_key(T, U, g, b, v, r, key, sizeof(key));
					if (!bp_prev_get(q, key, &then) || then > UINT32_MAX)
						continue;
					struct since_fig F = { .u = (uint32_t)u, .q = (uint32_t)qi,
					    .g = (uint8_t)g, .b = (uint8_t)b, .v = (uint8_t)v,
					    .r = (uint8_t)r };
					if (then < 0) {
						/* model 7: hidden in q */
						F.hidden = true;
						F.at_least_1 = bp_prev_zeros_shown(q);
						if (T->s.republish_model >= 7 && add_fig(R, F) < 0)
							return -1;
						continue;
					}
					full = then;
					for (size_t k = 0; k < T->na; k++) {
						if (!below(T, k, u) || moving[k] == MOVED_NEW)
							continue;
						if (moving[k] == 0) {
							sum += cell_value(T, &T->a[k], g, b, v, r);
							continue;
						}
						bp_tb_prev_key(T, &T->a[k], g, b, v, r, key, sizeof(key));
						if (bp_prev_get(q, key, &old) && old >= 0)
							then -= old;
						else
							exact = false;
					}
					if (then < 0 || sum > then || (exact && sum != then))
						continue;
					F.then = (uint32_t)full;
					F.less = (uint32_t)then;
					F.exact = exact;
					if (add_fig(R, F) < 0)
						return -1;
				}
		}
	return 0;
}

/* Model 5: q's figures of kommune k, which resubmitted since: printed
 * (exact) or hidden, for the persons of k then (release_joint_since.c).
 * 0, or -1 (ENOMEM). */
static int
since_own(const struct bp_tables *T, struct rel *R, const struct bp_prev *q, size_t qi,
    size_t k)
{
	int ks = bp_breakdown_find("kommunestorrelse");
	char key[256];

	for (size_t g = 0; g < T->nind && g <= UINT8_MAX; g++)
		for (size_t b = 0; b < bp_n_breakdowns() && b <= UINT8_MAX; b++) {
			if (!table_on(T, BP_LEVEL_KOMMUNE, g, b) || (int)b == ks)
				continue;
			for (size_t v = 0; v < bp_breakdown_at(b)->nval && v <= UINT8_MAX; v++)
				for (size_t r = 0; r < group_nrow(T, g); r++) {
					int64_t old;
					bp_tb_prev_key(T, &T->a[k], g, b, v, r, key, sizeof(key));
					if (!bp_prev_get(q, key, &old) || old > UINT32_MAX)
						continue;
					if (add_fig(R, (struct since_fig){ .u = (uint32_t)k,
					    .q = (uint32_t)qi, .then = old < 0 ? 0 : (uint32_t)old,
					    .less = old < 0 ? 0 : (uint32_t)old, .g = (uint8_t)g,
					    .b = (uint8_t)b, .v = (uint8_t)v, .r = (uint8_t)r,
					    .exact = old >= 0, .own = true,
					    .at_least_1 = old < 0 && bp_prev_zeros_shown(q) }) < 0)
						return -1;
				}
		}
	return 0;
}

int
bp__rel_since(const struct bp_tables *T, struct rel *R, const struct bp_prev *prev)
{
	size_t nc = bp_sup_ncells(bp_model_problem(R->m));
	/* m1, m2, then the kommuner's cells and figures (row_since) */
	size_t *mem = malloc((T->na + 1) * (3 * sizeof(*mem) + sizeof(int64_t)));
	unsigned char *done = malloc(nc ? nc : 1), *moving = calloc(T->na ? T->na : 1, 1);
	unsigned char *child = calloc(T->na ? T->na : 1, 1), *done4 = malloc(nc ? nc : 1);
	/* model 4: each row's unknown part of the new kommuners, and room for a
	 * partition (every value of the widest breakdown, a rest, T->na) or a
	 * line of categories */
	size_t *ycell = malloc((T->nrows ? T->nrows : 1) * sizeof(*ycell));
	size_t maxval = 0;
	for (size_t b = 0; b < bp_n_breakdowns(); b++)
		if (bp_breakdown_at(b)->nval > maxval)
			maxval = bp_breakdown_at(b)->nval;
	for (size_t g = 0; g < T->ngroup; g++)
		if (group_nrow(T, g) > maxval)
			maxval = group_nrow(T, g);
	size_t *pm = malloc((T->na + maxval + 2) * sizeof(*pm));
	int ret = -1;

	if (!mem || !done || !moving || !ycell || !pm || !child || !done4) {
		errno = ENOMEM;
		goto out;
	}
	size_t qi = 0;
	for (const struct bp_prev *q = prev; q; q = bp_prev_older(q), qi++) {
		memset(done, 0, nc ? nc : 1);
		memset(done4, 0, nc ? nc : 1);
		for (size_t i = 0; i < T->nrows; i++)
			ycell[i] = SIZE_MAX;
		size_t nmoving = 0;
		for (size_t k = 0; k < T->na; k++) {
			const struct area *K = &T->a[k];
			moving[k] = K->level == BP_LEVEL_KOMMUNE && K->rows ? kommune_moved(T, R, q, k) : 0;
			nmoving += moving[k] != 0;
		}
		children_moved(T, moving, child);
		if (T->s.republish_model >= 5 && nmoving > 0) {
			unsigned char *sm = realloc(R->since_moved, (qi + 1) * (T->na ? T->na : 1));
			if (!sm) {
				errno = ENOMEM;
				goto out;
			}
			R->since_moved = sm;
			/* releases with nothing moved since have no figures */
			memset(sm + R->nsince_q * T->na, 0, (qi - R->nsince_q) * T->na);
			memcpy(sm + qi * T->na, moving, T->na);
			R->nsince_q = qi + 1;
			for (size_t k = 0; k < T->na; k++)
				if (moving[k] == MOVED && since_own(T, R, q, qi, k) < 0) {
					errno = ENOMEM;
					goto out;
				}
		}
		for (size_t u = 0; u < T->na && nmoving > 0; u++) {
			const struct area *a = &T->a[u];
			bool any = false;
			for (size_t k = 0; k < T->na && !any; k++)
				any = moving[k] && below(T, k, u);
			if (!a->rows || a->level == BP_LEVEL_KOMMUNE || !any)
				continue;
			if (T->s.republish_model >= 5 && since_figures(T, R, q, qi, u, moving) < 0) {
				errno = ENOMEM;
				goto out;
			}
			bool fresh = false;
			for (size_t k = 0; k < T->na && !fresh; k++)
				fresh = moving[k] == MOVED_NEW && below(T, k, u);
			for (size_t g = 0; g < T->ngroup; g++)
				for (size_t b = 0; b < bp_n_breakdowns(); b++) {
					if (!table_on(T, a->level, g, b))
						continue;
					if (T->s.republish_model >= 4 && fresh &&
					    !table_on(T, BP_LEVEL_KOMMUNE, g, b) &&
					    new_parts(T, R, moving, u, g, b, ycell, pm) < 0) {
						errno = ENOMEM;
						goto out;
					}
					for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++)
						for (size_t r = 0; r < group_nrow(T, g); r++)
							if (row_since(T, R, q, u, g, b, v, r, mem,
							    mem + T->na + 1, done, moving, ycell) < 0) {
								errno = ENOMEM;
								goto out;
							}
					if (T->s.republish_model < 4)
						continue;
					for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++)
						for (size_t r = 0; r < group_nrow(T, g); r++)
							if (then_by_children(T, R, q, u, g, b, v, r, child,
							    done4, pm) < 0) {
								errno = ENOMEM;
								goto out;
							}
					for (size_t r = 0; r < group_nrow(T, g); r++)
						if (since_partition(T, R, moving, u, g, b, r, ycell,
						    pm) < 0) {
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
	free(ycell);
	free(pm);
	free(child);
	free(done4);
	return ret;
}
