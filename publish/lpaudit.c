/*
 * lpaudit.c - the interval audit of a suppression pattern, by linear
 * programming with GLPK (shared/spec/privacy.md, "Proof").
 *
 * For a primary cell, the unknowns are the suppressed cells (x >= 0);
 * published and FIXED cells are constants; every constraint becomes an
 * equality over the unknowns.  The cell's smallest and largest feasible
 * values are found by minimising and maximising it.  We solve the continuous
 * relaxation, the standard practice for interval audits of additive tables
 * (tau-ARGUS and the SDC literature do the same): the real interval contains
 * the integer one, and for sums of this kind their end points are in
 * practice the same; strictly, an integer end point could lie inside a
 * fractional real one, which this audit does not try to detect.  A cell is
 * safe when lo <= BP_SUP_EPS and hi >= min_cell - BP_SUP_EPS; an unbounded
 * maximum is safe for the upper end.
 *
 * Only constraints holding a suppressed cell matter, and suppressed cells
 * that share no constraint are independent, so the problem is split into
 * connected components of suppressed cells; one glp_prob per component
 * serves the min and max of every primary cell in it (the objective changes,
 * the basis is kept: a warm start).
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glpk.h>

#include "lpaudit_comp.h"

int
bp__sup_index_build(const struct bp_sup_problem *p, struct bp_sup_index *ix)
{
	size_t *fill = NULL;
	size_t c, l, k;
	int ret = -1;

	ix->lstart = calloc(p->ncell + 1, sizeof(*ix->lstart));
	ix->lines = malloc((p->nmem ? p->nmem : 1) * sizeof(*ix->lines));
	fill = calloc(p->ncell + 1, sizeof(*fill));
	if (ix->lstart == NULL || ix->lines == NULL || fill == NULL)
		goto out;
	for (k = 0; k < p->nmem; k++)
		ix->lstart[p->mem[k] + 1]++;
	for (c = 0; c < p->ncell; c++)
		ix->lstart[c + 1] += ix->lstart[c];
	/* Lines in ascending order, so each cell's list is sorted. */
	for (l = 0; l < p->ncons; l++)
		for (k = p->cstart[l]; k < p->cstart[l + 1]; k++) {
			c = p->mem[k];
			ix->lines[ix->lstart[c] + fill[c]++] = l;
		}
	ret = 0;
out:
	free(fill);
	if (ret != 0)
		bp__sup_index_free(ix);
	return ret;
}

void
bp__sup_index_free(struct bp_sup_index *ix)
{
	free(ix->lstart);
	free(ix->lines);
	ix->lstart = NULL;
	ix->lines = NULL;
}

void
bp__comp_ws_free(struct comp_ws *w)
{
	free(w->cells);
	free(w->lines);
	free(w->lmark);
	free(w->colof);
	free(w->ok);
	bp__sup_local_free(&w->loc);
	memset(w, 0, sizeof(*w));
}

int
bp__comp_ws_init(struct comp_ws *w, const struct bp_sup_problem *p,
    const struct bp_sup_index *ix, size_t *comp)
{
	size_t c;

	memset(w, 0, sizeof(*w));
	w->p = p;
	w->ix = ix;
	w->comp = comp;
	w->cells = malloc((p->ncell ? p->ncell : 1) * sizeof(*w->cells));
	w->lines = malloc((p->ncons ? p->ncons : 1) * sizeof(*w->lines));
	w->lmark = calloc(p->ncons ? p->ncons : 1, sizeof(*w->lmark));
	w->colof = calloc(p->ncell ? p->ncell : 1, sizeof(*w->colof));
	w->ok = calloc(p->ncell ? p->ncell : 1, 1);
	if (w->cells == NULL || w->lines == NULL || w->lmark == NULL ||
	    w->colof == NULL || w->ok == NULL ||
	    (p->rule == BP_SUP_RULE_UPPER && bp__sup_local_init(&w->loc, p) != 0)) {
		bp__comp_ws_free(w);
		errno = ENOMEM;
		return -1;
	}
	for (c = 0; c < p->ncell; c++)
		comp[c] = SIZE_MAX;
	return 0;
}

/*
 * Collects the component of suppressed cell `seed` (breadth first through
 * the lines) into w->cells, and every line touching it into w->lines.  Its
 * id is seed, which is its smallest cell when seeds are tried in order.
 */
void
bp__comp_collect(struct comp_ws *w, size_t seed)
{
	const struct bp_sup_problem *p = w->p;
	size_t head = 0, stamp = seed + 1, c, d, l, i, k;

	w->ncells = w->nlines = 0;
	w->comp[seed] = seed;
	w->cells[w->ncells++] = seed;
	while (head < w->ncells) {
		c = w->cells[head++];
		for (i = w->ix->lstart[c]; i < w->ix->lstart[c + 1]; i++) {
			l = w->ix->lines[i];
			if (w->lmark[l] == stamp)
				continue;
			w->lmark[l] = stamp;
			w->lines[w->nlines++] = l;
			for (k = p->cstart[l]; k < p->cstart[l + 1]; k++) {
				d = p->mem[k];
				if (bp__sup_hidden(p, d) && w->comp[d] == SIZE_MAX) {
					w->comp[d] = seed;
					w->cells[w->ncells++] = d;
				}
			}
		}
	}
}

/*
 * The LP of the current component: one column per suppressed cell (>= 0),
 * one fixed row per line, the published cells moved to the right-hand side.
 * Returns a new glp_prob the caller deletes (glp_delete_prob), or NULL.
 */
glp_prob *
bp__comp_lp(struct comp_ws *w)
{
	const struct bp_sup_problem *p = w->p;
	glp_prob *lp = NULL;
	int *ia = NULL, *ja = NULL;
	double *ar = NULL, rhs, coef;
	size_t ne = 0, i, k, l, d;
	int row;

	if (w->ncells > INT_MAX - 1 || w->nlines > INT_MAX - 1)
		return NULL;
	for (i = 0; i < w->nlines; i++) {
		l = w->lines[i];
		for (k = p->cstart[l]; k < p->cstart[l + 1]; k++)
			ne += bp__sup_hidden(p, p->mem[k]);
	}
	if (ne > INT_MAX - 1)
		return NULL;
	ia = malloc((ne + 1) * sizeof(*ia));
	ja = malloc((ne + 1) * sizeof(*ja));
	ar = malloc((ne + 1) * sizeof(*ar));
	if (ia == NULL || ja == NULL || ar == NULL)
		goto out;
	lp = glp_create_prob();
	glp_add_cols(lp, (int)w->ncells);
	for (i = 0; i < w->ncells; i++) {
		w->colof[w->cells[i]] = (int)i + 1;
		glp_set_col_bnds(lp, (int)i + 1, GLP_LO, bp__sup_col_lo(p, w->cells[i]), 0.0);
	}
	if (w->nlines > 0)
		glp_add_rows(lp, (int)w->nlines);
	ne = 0;
	for (i = 0; i < w->nlines; i++) {
		l = w->lines[i];
		row = (int)i + 1;
		rhs = 0.0;
		for (k = p->cstart[l]; k < p->cstart[l + 1]; k++) {
			d = p->mem[k];
			coef = k == p->cstart[l] ? 1.0 : -1.0;
			if (bp__sup_hidden(p, d)) {
				ne++;
				ia[ne] = row;
				ja[ne] = w->colof[d];
				ar[ne] = coef;
			} else
				rhs -= coef * (double)p->value[d];
		}
		glp_set_row_bnds(lp, row, GLP_FX, rhs, rhs);
	}
	glp_load_matrix(lp, (int)ne, ia, ja, ar);
	/* A crash basis (Bixby) halves the pivots of the first solve. */
	glp_adv_basis(lp, 0);
out:
	free(ia);
	free(ja);
	free(ar);
	return lp;
}

/*
 * Optimises the objective of lp in direction dir (GLP_MIN or GLP_MAX) from the
 * current basis; on a solver failure retries once from an advanced basis.
 * An unbounded direction gives +-HUGE_VAL.  0, or -1 (no optimum found).
 */
_Thread_local struct bp_sup_stats bp__sup_stats;

int
bp__sup_lp_bound(glp_prob *lp, int dir, double *out)
{
	glp_smcp parm;
	int rc, it0;

	bp__sup_stats.solves++;
	glp_init_smcp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	parm.presolve = GLP_OFF;
	glp_set_obj_dir(lp, dir);
	it0 = glp_get_it_cnt(lp);
	rc = glp_simplex(lp, &parm);
	bp__sup_stats.pivots += (unsigned long)(glp_get_it_cnt(lp) - it0);
	if (rc != 0) {
		glp_adv_basis(lp, 0);
		rc = glp_simplex(lp, &parm);
	}
	if (rc != 0)
		return -1;
	switch (glp_get_status(lp)) {
	case GLP_OPT:
		*out = glp_get_obj_val(lp);
		return 0;
	case GLP_UNBND:
		*out = dir == GLP_MAX ? HUGE_VAL : -HUGE_VAL;
		return 0;
	default:
		return -1;
	}
}

/*
 * GLPK keeps the matrix as linked lists of elements allocated in the order
 * they were made, and every glp_simplex call walks it column by column to
 * build its working copy.  Made row by row, a column's elements lie far
 * apart: on the 357-kommune program by fylke (1.1 million elements) a
 * re-solve without a pivot took 0.13 s, against 0.03 s laid out by column.
 * Each column gets its elements in the same order as before (GLPK puts a
 * new element first), so the simplex sees the same matrix and makes the
 * same pivots; only a row's list comes out in another order, which the
 * simplex does not read (glp_adv_basis does: call it before; after, only
 * bp__sup_lp_bound's retry when GLPK fails runs it again).  The
 * program is read out into arrays and lp rebuilt in place, so that the
 * old lists are freed before the new ones are made.
 */
int
bp__sup_lp_compact(glp_prob *lp)
{
	int m = glp_get_num_rows(lp), n = glp_get_num_cols(lp), nz = glp_get_num_nz(lp);
	int dir = glp_get_obj_dir(lp), *rst = malloc(((size_t)m + 1) * sizeof(*rst)),
	    *rtype = malloc(((size_t)m + 1) * sizeof(*rtype)),
	    *ctype = malloc(((size_t)n + 1) * sizeof(*ctype)),
	    *cst = malloc(((size_t)n + 1) * sizeof(*cst)),
	    *start = malloc(((size_t)n + 2) * sizeof(*start)),
	    *ind = malloc(((size_t)nz + 1) * sizeof(*ind));
	double c0 = glp_get_obj_coef(lp, 0), *rb = malloc(2 * ((size_t)m + 1) * sizeof(*rb)),
	    *cb = malloc(3 * ((size_t)n + 1) * sizeof(*cb)),
	    *val = malloc(((size_t)nz + 1) * sizeof(*val));
	int ret = -1;

	if (!rst || !rtype || !ctype || !cst || !start || !ind || !rb || !cb || !val) {
		errno = ENOMEM;
		goto out;
	}
	for (int i = 1; i <= m; i++) {
		rtype[i] = glp_get_row_type(lp, i);
		rb[2 * i] = glp_get_row_lb(lp, i);
		rb[2 * i + 1] = glp_get_row_ub(lp, i);
		rst[i] = glp_get_row_stat(lp, i);
	}
	start[1] = 1;
	for (int j = 1; j <= n; j++) {
		ctype[j] = glp_get_col_type(lp, j);
		cb[3 * j] = glp_get_col_lb(lp, j);
		cb[3 * j + 1] = glp_get_col_ub(lp, j);
		cb[3 * j + 2] = glp_get_obj_coef(lp, j);
		cst[j] = glp_get_col_stat(lp, j);
		/* glp_get_mat_col writes from ind[start + 1]: one before */
		int len = glp_get_mat_col(lp, j, ind + start[j] - 1, val + start[j] - 1);
		start[j + 1] = start[j] + len;
		for (int a = start[j], b = start[j + 1] - 1; a < b; a++, b--) {
			int ti = ind[a];
			double tv = val[a];
			ind[a] = ind[b], val[a] = val[b];
			ind[b] = ti, val[b] = tv;
		}
	}
	glp_erase_prob(lp);
	glp_set_obj_dir(lp, dir);
	glp_set_obj_coef(lp, 0, c0);
	if (m > 0)
		glp_add_rows(lp, m);
	if (n > 0)
		glp_add_cols(lp, n);
	for (int i = 1; i <= m; i++) {
		glp_set_row_bnds(lp, i, rtype[i], rb[2 * i], rb[2 * i + 1]);
		glp_set_row_stat(lp, i, rst[i]);
	}
	for (int j = 1; j <= n; j++) {
		glp_set_col_bnds(lp, j, ctype[j], cb[3 * j], cb[3 * j + 1]);
		glp_set_obj_coef(lp, j, cb[3 * j + 2]);
		glp_set_mat_col(lp, j, start[j + 1] - start[j], ind + start[j] - 1,
		    val + start[j] - 1);
		glp_set_col_stat(lp, j, cst[j]);
	}
	ret = 0;
out:
	free(rst);
	free(rtype);
	free(ctype);
	free(cst);
	free(start);
	free(ind);
	free(rb);
	free(cb);
	free(val);
	return ret;
}

/* The interval of column col: the objective becomes that column alone. */
static int
lp_interval(glp_prob *lp, int col, int *prev, double *lo, double *hi)
{
	if (*prev > 0)
		glp_set_obj_coef(lp, *prev, 0.0);
	glp_set_obj_coef(lp, col, 1.0);
	*prev = col;
	if (glp_get_num_rows(lp) == 0) {
		/* No constraint holds the cell: anything >= 0 fits. */
		*lo = 0.0;
		*hi = HUGE_VAL;
		return 0;
	}
	if (bp__sup_lp_bound(lp, GLP_MIN, lo) != 0 ||
	    bp__sup_lp_bound(lp, GLP_MAX, hi) != 0)
		return -1;
	return 0;
}

/* One end of column col's interval (dir GLP_MIN or GLP_MAX). */
static int
lp_one(glp_prob *lp, int col, int *prev, int dir, double *out)
{
	if (*prev > 0)
		glp_set_obj_coef(lp, *prev, 0.0);
	glp_set_obj_coef(lp, col, 1.0);
	*prev = col;
	if (glp_get_num_rows(lp) == 0) {
		*out = dir == GLP_MAX ? HUGE_VAL : 0.0;
		return 0;
	}
	return bp__sup_lp_bound(lp, dir, out);
}

static int
comp_wanted(const struct comp_ws *w, const unsigned char *todo)
{
	size_t i, c;

	for (i = 0; i < w->ncells; i++) {
		c = w->cells[i];
		if (bp__sup_needs(w->p, c) && (todo == NULL || todo[c]))
			return 1;
	}
	return 0;
}

int
bp__sup_bad_push(struct bp_sup_bad **bad, size_t *nbad, size_t *cap,
    const struct bp_sup_bad *b)
{
	struct bp_sup_bad *nv;
	size_t ncap;

	if (*nbad == *cap) {
		ncap = *cap ? *cap * 2 : 16;
		nv = realloc(*bad, ncap * sizeof(*nv));
		if (nv == NULL)
			return -1;
		*bad = nv;
		*cap = ncap;
	}
	(*bad)[(*nbad)++] = *b;
	return 0;
}

#define AGG_ROUNDS 16        /* aggregated solves per direction, at most */

/*
 * Every feasible point proves something: a primary cell at <= 0 in it can be
 * 0, at >= min_cell can be min_cell.  Marks what the current basic solution
 * of lp shows (when it is primal feasible) in w->ok, by local column, and
 * returns how many cells got `bit` newly.
 */
static size_t
certify(struct comp_ws *w, glp_prob *lp, unsigned min_cell, unsigned char bit)
{
	size_t i, c, n = 0;
	unsigned char got;
	double x;

	if (glp_get_prim_stat(lp) != GLP_FEAS)
		return 0;
	for (i = 0; i < w->ncells; i++) {
		c = w->cells[i];
		if (!bp__sup_needs(w->p, c))
			continue;
		x = glp_get_col_prim(lp, (int)i + 1);
		got = 0;
		if (x <= bp__sup_need_lo(w->p, c) + BP_SUP_EPS)
			got |= OK_LO;
		if (x >= bp__sup_need_hi(w->p, c, min_cell) - BP_SUP_EPS)
			got |= OK_HI;
		got &= (unsigned char)~w->ok[i];
		w->ok[i] |= got;
		n += (got & bit) != 0;
	}
	return n;
}

/*
 * The objective: the sum of the primary cells still lacking `bit`.  (Capping
 * them at min_cell, to spread the optimum over more of them, was tried: it
 * costs more pivots than it saves.)
 */
static size_t
objective_rest(struct comp_ws *w, glp_prob *lp, unsigned char bit)
{
	size_t i, n = 0;
	int want;

	for (i = 0; i < w->ncells; i++) {
		want = bp__sup_needs(w->p, w->cells[i]) && !(w->ok[i] & bit);
		glp_set_obj_coef(lp, (int)i + 1, want ? 1.0 : 0.0);
		n += (size_t)want;
	}
	return n;
}

/*
 * Cheap first pass: maximise (minimise) the sum of the primary cells not yet
 * shown to reach min_cell (0), and read off every cell the optimum moved far
 * enough; repeat while that helps.  One solve often settles most cells of a
 * large component, so few single-cell solves are left (lpaudit_comp.h).
 */
int
bp__comp_certify_many(struct comp_ws *w, glp_prob *lp, unsigned min_cell, struct bp_pts *P)
{
	static const struct { int dir; unsigned char bit; } pass[2] = {
		{ GLP_MAX, OK_HI }, { GLP_MIN, OK_LO },
	};
	double val;
	int k, round, ret = -1;

	if (glp_get_num_rows(lp) == 0 || min_cell == 0)
		return 0;
	for (k = 0; k < 2; k++)
		for (round = 0; round < AGG_ROUNDS; round++) {
			if (objective_rest(w, lp, pass[k].bit) == 0)
				break;
			if (bp__sup_lp_bound(lp, pass[k].dir, &val) != 0)
				goto out;
			if (P != NULL)
				bp__pts_add(P, lp);
			if (certify(w, lp, min_cell, pass[k].bit) == 0 || isinf(val))
				break;
		}
	ret = 0;
out:
	for (k = 0; k < (int)w->ncells; k++)
		glp_set_obj_coef(lp, k + 1, 0.0);
	return ret;
}

void
bp__comp_open(struct comp_ws *w, const unsigned char *todo)
{
	for (size_t i = 0; i < w->ncells; i++) {
		size_t c = w->cells[i];
		w->ok[i] = bp__sup_needs(w->p, c) &&
		    (todo == NULL || todo[c]) ? 0 : OK_LO | OK_HI;
		/* The upper rule demands no lower end. */
		if (w->p->rule == BP_SUP_RULE_UPPER)
			w->ok[i] |= OK_LO;
	}
}

int
bp__comp_end(struct comp_ws *w, glp_prob *lp, size_t i, int *prev, int dir,
    unsigned min_cell, struct bp_pts *P, double *val)
{
	size_t c = w->cells[i];
	bool hi = dir == GLP_MAX, reached;

	if (lp_one(lp, w->colof[c], prev, dir, val) != 0)
		return -1;
	if (P != NULL)
		bp__pts_add(P, lp);
	certify(w, lp, min_cell, hi ? OK_HI : OK_LO);
	reached = hi ? *val >= bp__sup_need_hi(w->p, c, min_cell) - BP_SUP_EPS :
	    *val <= bp__sup_need_lo(w->p, c) + BP_SUP_EPS;
	if (reached)
		w->ok[i] |= hi ? OK_HI : OK_LO;
	return reached;
}

int
bp__sup_bad_duals(glp_prob *lp, const size_t *lines, size_t nlines, struct bp_sup_bad *b)
{
	size_t n = 0, k = 0;

	b->nline = 0;
	b->line = NULL;
	b->dual = NULL;
	for (size_t i = 0; i < nlines; i++)
		n += fabs(glp_get_row_dual(lp, (int)i + 1)) > 1e-9;
	if (n == 0)
		return 0;
	b->line = malloc(n * sizeof(*b->line));
	b->dual = malloc(n * sizeof(*b->dual));
	if (b->line == NULL || b->dual == NULL) {
		free(b->line);
		free(b->dual);
		b->line = NULL;
		b->dual = NULL;
		return -1;
	}
	for (size_t i = 0; i < nlines && k < n; i++) {
		double y = glp_get_row_dual(lp, (int)i + 1);
		if (fabs(y) > 1e-9) {
			b->line[k] = lines[i];
			b->dual[k++] = y;
		}
	}
	b->nline = k;
	return 0;
}

/*
 * Records in b the row duals of lp's current optimum (that of b's failing
 * end, direction dir): line ids and duals of the rows with a nonzero dual.
 * 0, or -1 on ENOMEM.
 */
static int
bad_duals(const struct comp_ws *w, glp_prob *lp, int dir, struct bp_sup_bad *b)
{
	b->dir = dir;
	return bp__sup_bad_duals(lp, w->lines, w->nlines, b);
}

/*
 * Audits every primary cell of the current component: certify_many, then
 * one solve per cell and direction still open (each solution certifying
 * others as well).  A cell that fails is reported with the ends solved for
 * (an end a feasible point settled stays 0 or HUGE_VAL) and the duals of
 * its first failing end.
 */
static int
comp_audit(struct comp_ws *w, unsigned min_cell, unsigned char *todo,
    struct bp_sup_bad **bad, size_t *nbad, size_t *cap)
{
	glp_prob *lp;
	struct bp_sup_bad b;
	double val;
	size_t i, c;
	unsigned long s0;
	int prev = 0, rc, ret = -1;

	if (w->p->rule == BP_SUP_RULE_UPPER && w->ncells > BP_SUP_LOCAL_FROM)
		return bp__sup_audit_local(w->p, w->ix, &w->loc, w->cells, w->ncells, w->comp,
		    min_cell, todo, bad, nbad, cap);
	if ((lp = bp__comp_lp(w)) == NULL)
		return -1;
	bp__sup_stats.comps++;
	bp__sup_stats.compcells += w->ncells;
	bp__comp_open(w, todo);
	s0 = bp__sup_stats.solves;
	if (bp__comp_certify_many(w, lp, min_cell, NULL) != 0)
		goto out;
	bp__sup_stats.many += bp__sup_stats.solves - s0;
	for (i = 0; i < w->ncells; i++) {
		c = w->cells[i];
		if (!bp__sup_needs(w->p, c))
			continue;
		if (bp__sup_spent(w->p))
			goto out;
		memset(&b, 0, sizeof(b));
		b.hi = HUGE_VAL;       /* an end not solved for is a safe one */
		if (!(w->ok[i] & OK_HI)) {
			if ((rc = bp__comp_end(w, lp, i, &prev, GLP_MAX, min_cell, NULL, &val)) < 0)
				goto out;
			if (rc == 0) {
				/* Unsafe: the duals of this optimum, at hand now. */
				b.hi = val;
				if (bad_duals(w, lp, 1, &b) != 0)
					goto out;
			}
		}
		if (!(w->ok[i] & OK_LO)) {
			if ((rc = bp__comp_end(w, lp, i, &prev, GLP_MIN, min_cell, NULL, &val)) < 0)
				goto fail;
			if (rc == 0) {
				b.lo = val;
				if (b.dir == 0 && bad_duals(w, lp, -1, &b) != 0)
					goto out;
			}
		}
		if (w->ok[i] == (OK_LO | OK_HI)) {
			if (todo != NULL)
				todo[c] = 0;
			continue;
		}
		b.cell = c;
		b.comp = w->comp[c];
		if (bp__sup_bad_push(bad, nbad, cap, &b) != 0)
			goto fail;
	}
	ret = 0;
	goto out;
fail:
	free(b.line);
	free(b.dual);
out:
	glp_delete_prob(lp);
	return ret;
}

void
bp__sup_bad_free(struct bp_sup_bad *bad, size_t n)
{
	size_t i;

	for (i = 0; bad != NULL && i < n; i++) {
		free(bad[i].line);
		free(bad[i].dual);
	}
	free(bad);
}

static int
bad_cmp(const void *a, const void *b)
{
	const struct bp_sup_bad *x = a, *y = b;

	return (x->cell > y->cell) - (x->cell < y->cell);
}

int
bp__sup_audit_run(const struct bp_sup_problem *p, const struct bp_sup_index *ix,
    unsigned min_cell, unsigned char *todo, size_t *comp,
    struct bp_sup_bad **bad, size_t *nbad)
{
	struct comp_ws w;
	size_t s, cap = 0;
	int ret = -1, term;

	*bad = NULL;
	*nbad = 0;
	if (bp__comp_ws_init(&w, p, ix, comp) != 0)
		return -1;
	term = glp_term_out(GLP_OFF);
	for (s = 0; s < p->ncell; s++) {
		if (!bp__sup_hidden(p, s) || comp[s] != SIZE_MAX)
			continue;
		bp__comp_collect(&w, s);
		if (comp_wanted(&w, todo) &&
		    comp_audit(&w, min_cell, todo, bad, nbad, &cap) != 0)
			goto out;
	}
	if (*nbad > 1)
		qsort(*bad, *nbad, sizeof(**bad), bad_cmp);
	ret = 0;
out:
	glp_term_out(term);
	bp__comp_ws_free(&w);
	if (ret != 0) {
		bp__sup_bad_free(*bad, *nbad);
		*bad = NULL;
		*nbad = 0;
	}
	return ret;
}

int
bp__sup_interval_run(const struct bp_sup_problem *p, const struct bp_sup_index *ix,
    size_t cell, double *lo, double *hi)
{
	struct comp_ws w;
	glp_prob *lp = NULL;
	size_t *comp = NULL;
	int ret = -1, term, prev = 0;

	if ((comp = malloc((p->ncell ? p->ncell : 1) * sizeof(*comp))) == NULL)
		return -1;
	if (bp__comp_ws_init(&w, p, ix, comp) != 0) {
		free(comp);
		return -1;
	}
	term = glp_term_out(GLP_OFF);
	bp__comp_collect(&w, cell);
	if ((lp = bp__comp_lp(&w)) == NULL)
		goto out;
	if (lp_interval(lp, w.colof[cell], &prev, lo, hi) != 0)
		goto out;
	ret = 0;
out:
	if (lp != NULL)
		glp_delete_prob(lp);
	glp_term_out(term);
	bp__comp_ws_free(&w);
	free(comp);
	return ret;
}
