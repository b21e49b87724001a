/*
 * release_joint_zeros.c - model 21: a check's program without what can
 * only be 0 in it, before its first solve.
 *
 * A row that can only be 0 (its upper bound 0, every coefficient positive,
 * every column at least 0: a printed zero) makes each of its columns 0 in
 * every solution; so does a column fixed at 0 (the years of a group's other
 * classes, release_joint_ages.c).  Those columns go, then the rows left
 * empty.  What is left has the same solutions on the columns it keeps, so
 * every bound the check proves is the same.  Which optimal vertex the
 * solver stops at may differ (and with it which complement a bound's
 * certificate names first), hence a model version of its own.  In the
 * 357-kommune year an area's program keeps 870 of its 1 850 columns on
 * average.
 *
 * Only rows whose bounds stay as they are for the program's life count:
 * a printed row whose cell is published and no check may hide (a zero of
 * suppress_zero = no), and the rows that are not printed cells but for
 * model 11's kommune sums (whose bounds the whole check moves).
 */
#include <errno.h>
#include <glpk.h>
#include <stdlib.h>

#include "release_joint.h"
#include "suppress.h"

/* Whether LP row rw keeps its bounds while the check runs. */
static bool
fixed_row(const struct joint *J, const unsigned char *printed_row, size_t *kof, int rw)
{
	if (!printed_row[rw])
		return true;
	if (printed_row[rw] == 2)
		return false;
	size_t c = J->cell[kof[rw]];
	return bp_sup_state_of(J->M, c) == BP_SUP_PUBLISHED && !bp__joint_hideable(J, c);
}

/* Whether 0 is within LP row rw's bounds. */
static bool
holds_zero(glp_prob *lp, int rw)
{
	int type = glp_get_row_type(lp, rw);
	return (type == GLP_FR || type == GLP_UP || glp_get_row_lb(lp, rw) <= 0.0) &&
	    (type == GLP_FR || type == GLP_LO || glp_get_row_ub(lp, rw) >= 0.0);
}

/* Marks in zero[] the columns of the rows that can only be 0; how many
 * it marked this pass. */
static int
mark_zeros(const struct joint *J, glp_prob *lp, const unsigned char *printed_row, size_t *kof,
    unsigned char *zero, int *ind, double *val)
{
	int m = glp_get_num_rows(lp), marked = 0;

	for (int rw = 1; rw <= m; rw++) {
		int type = glp_get_row_type(lp, rw);
		if ((type != GLP_FX && type != GLP_UP && type != GLP_DB) ||
		    glp_get_row_ub(lp, rw) != 0.0 || !fixed_row(J, printed_row, kof, rw))
			continue;
		int len = glp_get_mat_row(lp, rw, ind, val), left = 0;
		bool positive = true;
		for (int t = 1; t <= len && positive; t++) {
			int j = ind[t], ct = glp_get_col_type(lp, j);
			if (zero[j])
				continue;
			positive = val[t] > 0.0 && ct != GLP_FR && ct != GLP_UP &&
			    glp_get_col_lb(lp, j) >= 0.0;
			left++;
		}
		if (!positive || left == 0)
			continue;
		for (int t = 1; t <= len; t++)
			if (!zero[ind[t]]) {
				zero[ind[t]] = 1;
				marked++;
			}
	}
	return marked;
}

int
bp__joint_drop_zeros(struct joint *J, glp_prob *lp, size_t *list, size_t n, int *colstart,
    size_t ncs)
{
	int m = glp_get_num_rows(lp), nc = glp_get_num_cols(lp), big = (m > nc ? m : nc) + 1;
	unsigned char *zero = calloc((size_t)nc + 1, 1), *printed_row = calloc((size_t)m + 1, 1);
	size_t *kof = malloc(((size_t)m + 1) * sizeof(*kof));
	size_t *newk = malloc((J->nrow ? J->nrow : 1) * sizeof(*newk));
	int *ind = malloc((size_t)big * sizeof(*ind)), *del = malloc((size_t)big * sizeof(*del));
	int *renum = malloc(((size_t)m + 1) * sizeof(*renum));
	double *val = malloc((size_t)big * sizeof(*val));
	int ret = -1, nz = 0;

	if (!zero || !printed_row || !kof || !newk || !ind || !del || !renum || !val) {
		errno = ENOMEM;
		goto out;
	}
	for (size_t k = 0; k < J->nrow; k++) {
		printed_row[J->lprow[k]] = 1;
		kof[J->lprow[k]] = k;
	}
	/* (model 11's kommune sums stay, renumbered) */
	for (size_t q = 0; q < J->nksum; q++)
		printed_row[J->ksum[q]] = 2;
	/* the columns fixed at 0 (model 21's years of a group's other classes) */
	for (int j = 1; j <= nc; j++)
		if (glp_get_col_type(lp, j) == GLP_FX && glp_get_col_lb(lp, j) == 0.0) {
			zero[j] = 1;
			nz++;
		}
	/* a column dropped may leave a row with positive coefficients only */
	for (int got; (got = mark_zeros(J, lp, printed_row, kof, zero, ind, val)) > 0; )
		nz += got;
	ret = 0;
	if (nz == 0)
		goto out;
	int nd = 0;
	for (int j = 1; j <= nc; j++)
		if (zero[j])
			del[++nd] = j;
	glp_del_cols(lp, nd, del);
	/* colstart[q]: the first column of base q, renumbered */
	for (size_t q = 0, gone = 0; q < ncs; q++) {
		while ((int)gone < nd && del[gone + 1] < colstart[q])
			gone++;
		colstart[q] -= (int)gone;
	}
	/* the rows left empty that never change (0 = 0) */
	nd = 0;
	for (int rw = 1, kept = 0; rw <= m; rw++) {
		bool gone = glp_get_mat_row(lp, rw, NULL, NULL) == 0 &&
		    fixed_row(J, printed_row, kof, rw) && holds_zero(lp, rw);
		if (gone)
			del[++nd] = rw;
		renum[rw] = gone ? 0 : ++kept;
	}
	if (nd > 0)
		glp_del_rows(lp, nd, del);
	/* J's printed rows: those left, renumbered, in their order */
	size_t w = 0;
	for (size_t k = 0; k < J->nrow; k++) {
		int rw = renum[J->lprow[k]];
		newk[k] = rw ? w : SIZE_MAX;
		if (!rw)
			continue;
		J->cell[w] = J->cell[k];
		J->where[w] = J->where[k];
		J->lprow[w++] = rw;
	}
	J->nrow = w;
	for (size_t q = 0; q < n; q++)
		list[q] = newk[list[q]];
	for (size_t q = 0; q < J->nksum; q++)
		J->ksum[q] = renum[J->ksum[q]];
	/* republish model 5's rows of earlier figures: those left */
	w = 0;
	for (size_t q = 0; q < J->nsince_row; q++)
		if (renum[J->since_row[q]])
			J->since_row[w++] = renum[J->since_row[q]];
	J->nsince_row = w;
	w = 0;
	for (size_t q = 0; q < J->nhid_row; q++)
		if (renum[J->hid_row[q]])
			J->hid_row[w++] = renum[J->hid_row[q]];
	J->nhid_row = w;
out:
	free(zero);
	free(printed_row);
	free(kof);
	free(newk);
	free(ind);
	free(del);
	free(renum);
	free(val);
	return ret;
}
