/*
 * sup_zeros.c - cells that the problem itself says are 0 (see suppress.h,
 * bp_sup_fix_known_zeros).
 *
 * With suppress_zero every 0 is primary; but a cell that is 0 by the
 * definitions (psykisk_helse gronn by rop_skala: a person without a
 * yellow or red mental-health score has no ROP score) is 0 to every reader
 * whatever is hidden, so no pattern protects it and publishing failed.
 * Such a cell is found by one LP over the whole problem with every cell not
 * FIXED unknown (>= 0, what the reader knows of a hidden cell when zeros
 * may be hidden): it is 0 exactly when its largest value there is 0.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <glpk.h>

#include "lpaudit.h"

/* Above every true value: bounding the unknowns keeps the LP finite and
 * changes no answer (a point where a cell is above 0 gives one inside the
 * bound, between it and the true values). */
static double
upper_bound(const struct bp_sup_problem *p)
{
	uint32_t most = 0;
	for (size_t c = 0; c < p->ncell; c++)
		if (p->value[c] > most)
			most = p->value[c];
	return 2.0 * (double)most + 2.0;
}

/* The LP of p with a column for every cell not FIXED (col[c], 0 for FIXED
 * ones) and a row for every constraint; NULL on ENOMEM or when too large. */
static glp_prob *
all_hidden_lp(const struct bp_sup_problem *p, int *col)
{
	size_t ne = 0;
	int ncol = 0, *ia = NULL, *ja = NULL;
	double *ar = NULL, ub = upper_bound(p);
	glp_prob *lp = NULL;

	if (p->ncell > INT_MAX - 1 || p->ncons > INT_MAX - 1 || p->nmem > INT_MAX - 1)
		return NULL;
	for (size_t c = 0; c < p->ncell; c++)
		col[c] = (p->flags[c] & BP_SUP_FIXED) ? 0 : ++ncol;
	if (!(ia = malloc((p->nmem + 1) * sizeof(*ia))) ||
	    !(ja = malloc((p->nmem + 1) * sizeof(*ja))) ||
	    !(ar = malloc((p->nmem + 1) * sizeof(*ar))))
		goto out;
	lp = glp_create_prob();
	if (ncol)
		glp_add_cols(lp, ncol);
	for (int j = 1; j <= ncol; j++)
		glp_set_col_bnds(lp, j, GLP_DB, 0.0, ub);
	if (p->ncons)
		glp_add_rows(lp, (int)p->ncons);
	for (size_t l = 0; l < p->ncons; l++) {
		double rhs = bp__sup_line_row(p, l, col, (int)l + 1, ia, ja, ar, &ne);
		glp_set_row_bnds(lp, (int)l + 1, GLP_FX, rhs, rhs);
	}
	glp_load_matrix(lp, (int)ne, ia, ja, ar);
	glp_adv_basis(lp, 0);
out:
	free(ia);
	free(ja);
	free(ar);
	return lp;
}

int
bp_sup_fix_known_zeros(struct bp_sup_problem *p, size_t *nfixed)
{
	int *col = NULL, ret = -1;
	unsigned char *open = NULL;
	glp_prob *lp = NULL;
	size_t nopen = 0;

	*nfixed = 0;
	for (size_t c = 0; c < p->ncell; c++)
		nopen += p->value[c] == 0 && !(p->flags[c] & BP_SUP_FIXED);
	if (nopen == 0)
		return 0;
	int term = glp_term_out(GLP_OFF);   /* GLPK's basis messages */
	if (!(col = malloc(p->ncell * sizeof(*col))) || !(open = calloc(p->ncell, 1)) ||
	    !(lp = all_hidden_lp(p, col))) {
		glp_term_out(term);
		if (getenv("BPAGG_DEBUG_SUPPRESS"))
			fprintf(stderr, "known zeros: no LP\n");
		errno = ENOMEM;
		goto out;
	}
	for (size_t c = 0; c < p->ncell; c++)
		open[c] = p->value[c] == 0 && col[c];
	/* The largest sum of the cells still open: each that is above 0 in
	 * the optimum can be above 0; when the sum cannot, none can. */
	for (;;) {
		double val;
		for (size_t c = 0; c < p->ncell; c++)
			if (col[c])
				glp_set_obj_coef(lp, col[c], open[c] ? 1.0 : 0.0);
		if (bp__sup_lp_bound(lp, GLP_MAX, &val) != 0) {
			if (getenv("BPAGG_DEBUG_SUPPRESS"))
				fprintf(stderr, "known zeros: LP status %d, %zu cells, %zu lines\n",
				    glp_get_status(lp), p->ncell, p->ncons);
			errno = EINVAL;
			goto out;
		}
		if (val <= BP_SUP_EPS)
			break;
		size_t closed = 0, best = SIZE_MAX;
		double most = 0.0;
		for (size_t c = 0; c < p->ncell; c++) {
			if (!open[c])
				continue;
			double x = glp_get_col_prim(lp, col[c]);
			if (x > BP_SUP_EPS) {
				open[c] = 0;
				closed++;
			} else if (x > most) {
				most = x;
				best = c;
			}
		}
		if (closed == 0) {
			/* a sum above 0 spread too thin to read: the largest part */
			if (best == SIZE_MAX) {
				if (getenv("BPAGG_DEBUG_SUPPRESS"))
					fprintf(stderr, "known zeros: sum %g unread\n", val);
				errno = EINVAL;
				goto out;
			}
			open[best] = 0;
		}
	}
	for (size_t c = 0; c < p->ncell; c++)
		if (open[c]) {
			p->flags[c] |= BP_SUP_FIXED;
			p->state[c] = BP_SUP_PUBLISHED;
			(*nfixed)++;
		}
	ret = 0;
out:
	if (lp) {
		glp_delete_prob(lp);
		glp_term_out(term);
	}
	free(col);
	free(open);
	return ret;
}
