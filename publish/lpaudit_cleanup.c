/*
 * lpaudit_cleanup.c - the cleanup's check of one component (model 5,
 * sup_cleanup.c): its LP built once and kept while each complement in turn
 * is fixed at its true value, as if published, and its primary cells are
 * proven again; feasible points kept from earlier solves spare most of
 * those solves (lpaudit.h, bp__sup_cleanup_comp).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glpk.h>

#include "lpaudit_comp.h"

void
bp__pts_add(struct bp_pts *P, glp_prob *lp)
{
	if (glp_get_prim_stat(lp) != GLP_FEAS)
		return;
	double *x = P->x + P->next * P->ncol;
	for (size_t j = 0; j < P->ncol; j++)
		x[j] = glp_get_col_prim(lp, (int)j + 1);
	P->next = (P->next + 1) % BP_PTS_MAX;
	if (P->n < BP_PTS_MAX)
		P->n++;
}

/* Drops the points in which column col (0-based) is not v. */
static void
pts_keep(struct bp_pts *P, size_t col, double v)
{
	size_t k = 0;
	for (size_t i = 0; i < P->n; i++) {
		const double *x = P->x + i * P->ncol;
		if (fabs(x[col] - v) > BP_SUP_EPS)
			continue;
		if (k != i)
			memcpy(P->x + k * P->ncol, x, P->ncol * sizeof(*x));
		k++;
	}
	P->n = k;
	P->next = k % BP_PTS_MAX;
}

/* Marks in w->ok what the kept points with column col at v prove. */
static void
pts_certify(struct comp_ws *w, const struct bp_pts *P, size_t col, double v, unsigned min_cell)
{
	for (size_t k = 0; k < P->n; k++) {
		const double *x = P->x + k * P->ncol;
		if (fabs(x[col] - v) > BP_SUP_EPS)
			continue;
		for (size_t i = 0; i < w->ncells; i++) {
			size_t c = w->cells[i];
			if (w->ok[i] == (OK_LO | OK_HI))
				continue;
			if (x[i] >= bp__sup_need_hi(w->p, c, min_cell) - BP_SUP_EPS)
				w->ok[i] |= OK_HI;
			if (x[i] <= bp__sup_need_lo(w->p, c) + BP_SUP_EPS)
				w->ok[i] |= OK_LO;
		}
	}
}

/*
 * Whether every primary cell of the current component still reaches what
 * the rule demands on lp as it stands, column col (0-based) fixed at v:
 * first what the kept points with col at v prove, then aggregated solves
 * over the rest, then one solve per cell and end still open, stopping at
 * the first that fails; every solution is kept as a point.  1 all do, 0
 * one does not, -1 on a solver failure.  Leaves the objective 0.
 */
static int
comp_all_safe(struct comp_ws *w, glp_prob *lp, unsigned min_cell, struct bp_pts *P,
    size_t col, double v)
{
	int prev = 0, ret = 1;
	double val;

	bp__comp_open(w, NULL);
	pts_certify(w, P, col, v, min_cell);
	if (bp__comp_certify_many(w, lp, min_cell, P) != 0)
		return -1;
	for (size_t i = 0; i < w->ncells && ret == 1; i++) {
		if (!(w->ok[i] & OK_HI))
			ret = bp__comp_end(w, lp, i, &prev, GLP_MAX, min_cell, P, &val);
		if (ret == 1 && !(w->ok[i] & OK_LO))
			ret = bp__comp_end(w, lp, i, &prev, GLP_MIN, min_cell, P, &val);
	}
	if (prev > 0)
		glp_set_obj_coef(lp, prev, 0.0);
	return ret;
}

int
bp__sup_cleanup_comp(struct bp_sup_problem *p, const struct bp_sup_index *ix,
    size_t seed, const size_t *cand, size_t ncand, unsigned min_cell,
    bool (*reject)(void *, size_t), void *ud, size_t *freed)
{
	struct comp_ws w;
	struct bp_pts P = { 0 };
	size_t *comp = malloc((p->ncell ? p->ncell : 1) * sizeof(*comp));
	glp_prob *lp = NULL;
	int ret = -1, term;

	if (!comp)
		return -1;
	if (bp__comp_ws_init(&w, p, ix, comp) != 0) {
		free(comp);
		return -1;
	}
	term = glp_term_out(GLP_OFF);
	bp__comp_collect(&w, seed);
	P.ncol = w.ncells;
	if (!(P.x = malloc(BP_PTS_MAX * (P.ncol ? P.ncol : 1) * sizeof(*P.x)))) {
		errno = ENOMEM;
		goto out;
	}
	if ((lp = bp__comp_lp(&w)) == NULL)
		goto out;
	bp__sup_stats.comps++;
	bp__sup_stats.compcells += w.ncells;
	for (size_t k = 0; k < ncand; k++) {
		size_t c = cand[k];
		unsigned char was = p->state[c];
		int col = w.colof[c];
		double v = (double)p->value[c];
		p->state[c] = BP_SUP_PUBLISHED;
		if (reject && reject(ud, c)) {
			p->state[c] = was;
			continue;
		}
		glp_set_col_bnds(lp, col, GLP_FX, v, v);
		int rc = comp_all_safe(&w, lp, min_cell, &P, (size_t)col - 1, v);
		if (rc < 0) {
			p->state[c] = was;
			goto out;
		}
		if (rc == 1) {
			/* published for good: only points that agree stay */
			pts_keep(&P, (size_t)col - 1, v);
			(*freed)++;
			continue;
		}
		/* points found with c fixed hold without it too */
		glp_set_col_bnds(lp, col, GLP_LO, bp__sup_col_lo(p, c), 0.0);
		p->state[c] = was;
	}
	ret = 0;
out:
	if (lp)
		glp_delete_prob(lp);
	glp_term_out(term);
	bp__comp_ws_free(&w);
	free(P.x);
	free(comp);
	if (ret != 0 && errno != ENOMEM)
		errno = EINVAL;
	return ret;
}
