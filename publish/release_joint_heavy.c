/*
 * release_joint_heavy.c - release model 19: the checks of each area and of
 * the whole release (release_areas.c, release_whole.c) know what model 17
 * told the repair's model (release_heavy.c): <substance>_tung ja is
 * betydelig + svaert_omfattende of the substance, nei ingen + beskjeden.
 *
 * Their programs had a family of unknowns for a substance and another for
 * its _tung, with no tie between them, while the attacker of the tests
 * states it.  In a release of five kommuner of fylke 46 (35 persons each,
 * min_cell 3) it bounded 21 primary cells through chains that ran across
 * a national lar_legemidler_tung nei and its substance's rows: neither
 * check saw them, and the repair's model holds relations between two
 * indicators at a time only.  Model 19 adds the tie to both programs as a
 * row: the unknowns of the _tung cell less those of the two cells it adds
 * up, = 0, wherever all three are rows of the program.
 */
#include <errno.h>
#include <stdlib.h>

#include "codes.h"
#include "release_joint.h"

int
bp__joint_heavy_partners(struct joint *J)
{
	size_t n = J->T->nind;

	if (!(J->partner = malloc((n ? n : 1) * sizeof(*J->partner))))
		return -1;
	for (size_t g = 0; g < n; g++)
		J->partner[g] = -1;
	for (size_t s = 0; J->T->s.model_version >= 19 && s < BP_NSUB; s++) {
		struct bp__heavy h;
		bp__rel_heavy_of(&h, s);
		if (h.sub >= 0) {
			J->partner[h.sub] = h.tung;
			J->partner[h.tung] = h.sub;
		}
	}
	return 0;
}

struct cell_row {
	size_t cell;
	int row;
};

static int
cell_row_cmp(const void *x, const void *y)
{
	const struct cell_row *a = x, *b = y;
	return a->cell < b->cell ? -1 : a->cell > b->cell;
}

/* The program's row of model cell c (the row of area i, g, b, v, r), or 0. */
static int
row_of(const struct joint *J, const struct cell_row *map, size_t i, size_t g, size_t b,
    size_t v, int r)
{
	size_t row;
	struct cell_row key = { 0, 0 };

	if (r < 0 || (row = bp__rel_row_of(J->T, i, g, b, v, (size_t)r)) == SIZE_MAX ||
	    (key.cell = J->R->rowcell[row]) == SIZE_MAX)
		return 0;
	const struct cell_row *hit = bsearch(&key, map, J->nrow, sizeof(*map), cell_row_cmp);
	return hit ? hit->row : 0;
}

/* The tie row: row t less rows m1 and m2 (their columns are apart: the
 * _tung family's and two categories of the substance's; a column met
 * twice is still folded).  0, or -1 (ENOMEM). */
static int
tie_row(glp_prob *lp, int t, int m1, int m2, int *pos)
{
	int rows[3] = { t, m1, m2 }, n = 0;
	int len = glp_get_mat_row(lp, t, NULL, NULL) + glp_get_mat_row(lp, m1, NULL, NULL) +
	    glp_get_mat_row(lp, m2, NULL, NULL);
	int *ind = malloc((size_t)(len + 1) * sizeof(*ind)), *ri = NULL;
	double *val = malloc((size_t)(len + 1) * sizeof(*val)), *rv = NULL;
	int ret = -1;

	if (!ind || !val || !(ri = malloc((size_t)(len + 1) * sizeof(*ri))) ||
	    !(rv = malloc((size_t)(len + 1) * sizeof(*rv))))
		goto out;
	for (int q = 0; q < 3; q++) {
		int k = glp_get_mat_row(lp, rows[q], ri, rv);
		for (int j = 1; j <= k; j++) {
			double v = q ? -rv[j] : rv[j];
			if (pos[ri[j]]) {
				val[pos[ri[j]]] += v;
			} else {
				ind[++n] = ri[j];
				val[n] = v;
				pos[ri[j]] = n;
			}
		}
	}
	int w = 0;
	for (int j = 1; j <= n; j++) {
		pos[ind[j]] = 0;
		if (val[j] != 0.0) {
			ind[++w] = ind[j];
			val[w] = val[j];
		}
	}
	if (w > 0) {
		int rw = glp_add_rows(lp, 1);
		glp_set_mat_row(lp, rw, w, ind, val);
		glp_set_row_bnds(lp, rw, GLP_FX, 0.0, 0.0);
	}
	ret = 0;
out:
	free(ind);
	free(val);
	free(ri);
	free(rv);
	return ret;
}

int
bp__joint_heavy(struct joint *J, glp_prob *lp, size_t from, size_t to)
{
	const struct bp_tables *T = J->T;
	struct cell_row *map = malloc((J->nrow ? J->nrow : 1) * sizeof(*map));
	int *pos = calloc((size_t)glp_get_num_cols(lp) + 1, sizeof(*pos));
	int ret = -1;

	errno = ENOMEM;
	if (!map || !pos)
		goto out;
	for (size_t k = 0; k < J->nrow; k++)
		map[k] = (struct cell_row){ J->cell[k], J->lprow[k] };
	qsort(map, J->nrow, sizeof(*map), cell_row_cmp);
	for (size_t s = 0; s < BP_NSUB; s++) {
		struct bp__heavy h;
		bp__rel_heavy_of(&h, s);
		if (h.sub < 0)
			continue;
		size_t sub = (size_t)h.sub, tung = (size_t)h.tung;
		for (size_t i = from; i < to; i++) {
			if (!T->a[i].rows)
				continue;
			for (size_t b = 0; b < bp_n_breakdowns(); b++)
				for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++)
					for (int side = 0; side < 2; side++) {
						int t = row_of(J, map, i, tung, b, v, side ? h.nei : h.ja);
						int m1 = row_of(J, map, i, sub, b, v, h.cat[side ? 0 : 2]);
						int m2 = row_of(J, map, i, sub, b, v, h.cat[side ? 1 : 3]);
						if (t && m1 && m2 && tie_row(lp, t, m1, m2, pos) < 0)
							goto out;
					}
		}
	}
	ret = 0;
out:
	free(map);
	free(pos);
	return ret;
}
