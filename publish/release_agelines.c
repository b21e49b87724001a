/*
 * release_agelines.c - release model 20: a hidden sum of ages is not told
 * by the sums of ages beside it.
 *
 * The checks of model 20 (release_joint_ages.c) hide a sum of ages where
 * it bounds a primary cell, and a sum is hidden with its count.  But sums
 * of ages add up like their counts: a fylke's is the sum of its kommuner's,
 * the nation's of its fylker', an area's total of the values of a
 * breakdown that counts every person.  A kommune's hidden mean age would
 * be its fylke's sum less the other kommuner' printed sums, exactly, and
 * with it what the checks hid it for.  The checks see those lines only in
 * the whole release's program, which large releases make by fylke
 * (release_whole.c), where a kommune of a merged fylke is no column.
 *
 * So, after the checks, each such line holds no sum of ages hidden alone:
 * where one is, the printed sum of the line with the fewest persons is
 * hidden beside it (a ":" in sums.csv, category sum in the log), until no
 * line has one.  Hiding a sum of ages only takes back what an intruder is
 * told, so no check needs to run again.  Two hidden in every line rule
 * out the one-line subtraction; they do not prove every combination of
 * lines open (a cell whose lines all pass through one other hidden cell
 * still is), which the whole release's program does where it is made.
 */
#include <errno.h>
#include <stdlib.h>

#include "cellkeys.h"
#include "release_private.h"

struct lines {
	size_t *row;               /* the rows of every line, one after another */
	size_t n, cap;
	size_t *start, nline, capline;   /* line k: row[start[k] .. start[k + 1]) */
};

static int
push_row(struct lines *L, size_t row)
{
	if (L->n == L->cap) {
		size_t cap = L->cap ? 2 * L->cap : 256, *r = realloc(L->row, cap * sizeof(*r));
		if (!r)
			return -1;
		L->row = r;
		L->cap = cap;
	}
	L->row[L->n++] = row;
	return 0;
}

/* Closes the line begun at row index from (a line of one row is none). */
static int
end_line(struct lines *L, size_t from)
{
	if (L->n - from < 2) {
		L->n = from;
		return 0;
	}
	if (L->nline + 2 > L->capline) {
		size_t cap = L->capline ? 2 * L->capline : 64, *s = realloc(L->start, cap * sizeof(*s));
		if (!s)
			return -1;
		L->start = s;
		L->capline = cap;
	}
	L->start[L->nline++] = from;
	L->start[L->nline] = L->n;
	return 0;
}

/* The row of area i's sum of ages by (b, v), when it is a model cell:
 * else SIZE_MAX. */
static size_t
age_row(const struct bp_tables *T, const struct rel *R, size_t g, size_t i, size_t b, size_t v)
{
	size_t row = bp__rel_row_of(T, i, g, b, v, 0);
	if (row == SIZE_MAX || R->sumcell[row] == SIZE_MAX || R->rowcell[row] == SIZE_MAX)
		return SIZE_MAX;
	return row;
}

/* Parent = sum of children: for each area with children and each (b, v)
 * that it and every child print. */
static int
area_lines(const struct bp_tables *T, const struct rel *R, size_t g, struct lines *L)
{
	for (size_t p = 0; p < T->na; p++) {
		unsigned cl = T->a[p].rows ? bp__rel_child_level(T, T->a[p].level) : 0;
		if (!cl)
			continue;
		for (size_t b = 0; b < bp_n_breakdowns(); b++)
			for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++) {
				size_t from = L->n, top = age_row(T, R, g, p, b, v);
				bool whole = top != SIZE_MAX;
				if (whole && push_row(L, top) < 0)
					return -1;
				for (size_t j = 0; j < T->na && whole; j++) {
					const struct area *a = &T->a[j];
					if (!a->rows || a->level != cl ||
					    (T->a[p].level != BP_LEVEL_NASJONAL && a->parent != p))
						continue;
					size_t row = age_row(T, R, g, j, b, v);
					whole = row != SIZE_MAX;
					if (whole && push_row(L, row) < 0)
						return -1;
				}
				if (!whole)
					L->n = from;
				else if (end_line(L, from) < 0)
					return -1;
			}
	}
	return 0;
}

/* Whether the values of breakdown b count every person (the persons of
 * total's one value, in the atoms of indicator every, which counts them). */
static int
partitions(const struct bp_tables *T, size_t every, size_t b, size_t tot, uint64_t *all,
    uint64_t *set)
{
	size_t words = bp_cellkeys_words(T->ck);

	if (every == SIZE_MAX ||
	    bp_cellkeys_cell_atoms(T->ck, every, bp_indicator_at(every)->ncat, tot, 0, all) != 0)
		return 0;
	for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++) {
		if (bp_cellkeys_cell_atoms(T->ck, every, bp_indicator_at(every)->ncat, b, v, set) != 0)
			return 0;
		for (size_t w = 0; w < words; w++)
			all[w] &= ~set[w];
	}
	for (size_t w = 0; w < words; w++)
		if (all[w])
			return 0;
	return 1;
}

/* Total = sum of the values: for each area and breakdown that counts every
 * person, where the area prints the total and every value. */
static int
breakdown_lines(const struct bp_tables *T, const struct rel *R, size_t g, struct lines *L)
{
	int tot = bp_breakdown_find("total");
	size_t words = bp_cellkeys_words(T->ck);
	uint64_t *all = malloc(words * sizeof(*all)), *set = malloc(words * sizeof(*set));
	int ret = -1;

	if (!all || !set)
		goto out;
	ret = 0;
	size_t every = bp__rel_everyone(T, set);
	for (size_t b = 0; tot >= 0 && b < bp_n_breakdowns(); b++) {
		if ((int)b == tot || !partitions(T, every, b, (size_t)tot, all, set))
			continue;
		for (size_t i = 0; i < T->na; i++) {
			size_t from = L->n, top = T->a[i].rows ? age_row(T, R, g, i, (size_t)tot, 0) :
			    SIZE_MAX;
			bool whole = top != SIZE_MAX;
			if (whole && push_row(L, top) < 0)
				goto fail;
			for (size_t v = 0; v < bp_breakdown_at(b)->nval && whole; v++) {
				size_t row = age_row(T, R, g, i, b, v);
				whole = row != SIZE_MAX;
				if (whole && push_row(L, row) < 0)
					goto fail;
			}
			if (!whole)
				L->n = from;
			else if (end_line(L, from) < 0)
				goto fail;
		}
	}
	goto out;
fail:
	ret = -1;
out:
	free(all);
	free(set);
	return ret;
}

/* Whether the sum of ages of row `row` is hidden: its own cell or its
 * count (take() in release.c hides the sum with its row). */
static bool
hidden(const struct bp_sup_problem *M, const struct rel *R, size_t row)
{
	return bp_sup_state_of(M, R->sumcell[row]) != BP_SUP_PUBLISHED ||
	    bp_sup_state_of(M, R->rowcell[row]) != BP_SUP_PUBLISHED;
}

int
bp__rel_age_lines(const struct bp_tables *T, struct rel *R)
{
	struct bp_sup_problem *M = bp_model_problem(R->m);
	struct lines L = { 0 };
	int s = bp_sum_measure_find("alder"), ret = -1;

	errno = ENOMEM;
	if (s < 0)
		return 0;
	size_t g = T->nind + (size_t)s;
	if (area_lines(T, R, g, &L) < 0 || breakdown_lines(T, R, g, &L) < 0)
		goto out;
	for (bool changed = true; changed; ) {
		changed = false;
		for (size_t k = 0; k < L.nline; k++) {
			size_t nh = 0, best = SIZE_MAX;
			for (size_t q = L.start[k]; q < L.start[k + 1]; q++) {
				size_t row = L.row[q];
				if (hidden(M, R, row))
					nh++;
				else if (best == SIZE_MAX || bp_sup_value_of(M, R->rowcell[row]) <
				    bp_sup_value_of(M, R->rowcell[best]))
					best = row;
			}
			if (nh != 1 || best == SIZE_MAX)
				continue;
			size_t c = R->sumcell[best];
			bp_sup_set_state(M, c, BP_SUP_SECONDARY);
			bp_sup_set_flags(M, c, bp_sup_flags_of(M, c) | BP_SUP_KEEP);
			changed = true;
		}
	}
	ret = 0;
out:
	free(L.row);
	free(L.start);
	return ret;
}
