/*
 * lpaudit_local.c - the audit under BP_SUP_RULE_UPPER by local LPs, each
 * solution a certificate (bpagg-publish(1), "The release model").
 *
 * A primary cell p is safe when some table consistent with everything
 * published (and with the rule: hidden printed cells >= 1 when zeros are
 * shown, every cell >= 0) has p >= min_cell.  Such a table is found by an
 * LP over a neighbourhood N of p: the hidden cells reached from p through
 * the lines, breadth first in index order, at most `limit` of them; every
 * hidden cell outside N keeps its true value (a constant, like a
 * published cell).  Fixing cells only shrinks the feasible set, so a
 * solution of the local LP, with the true values outside N, satisfies
 * every line of the whole model: it is a certificate that p can be
 * min_cell or more, and every other primary cell at min_cell or more in
 * it is proven by the same point.  The neighbourhood grows (LIMITS) until
 * p is proven, or N is p's whole component, whose LP is exactly the
 * reader's: then p is unsafe, and the duals of that maximum price the
 * complements (suppress.c).  So a cell passes exactly when the component's
 * LP lets it reach min_cell, whichever neighbourhood proves it: the audit
 * of a final pattern agrees with the loop that made it.  Only components larger than
 * BP_SUP_LOCAL_FROM come here.
 *
 * Most cells are proven by a few dozen columns, so the audit of a whole
 * release costs many small LPs instead of one LP over every hidden cell.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glpk.h>
#include <pthread.h>
#include <stdbool.h>

#include "lpaudit.h"

/* Neighbourhood sizes tried in turn; the last is the whole component.
 * Warm (model 8): a cell that 256 cells do not prove goes to its
 * component's kept LP, which answers it exactly and in fewer pivots than
 * a fresh program of 1 024 cells from a crash basis. */
static const size_t LIMITS[] = { 32, 256, 1024, SIZE_MAX };
static const size_t LIMITS_WARM[] = { 32, 256, SIZE_MAX, SIZE_MAX };

int
bp__sup_local_init(struct bp_sup_local *L, const struct bp_sup_problem *p)
{
	size_t nc = p->ncell ? p->ncell : 1, nl = p->ncons ? p->ncons : 1;

	memset(L, 0, sizeof(*L));
	L->lcol = calloc(nc, sizeof(*L->lcol));
	L->lmark = calloc(nl, sizeof(*L->lmark));
	L->cells = malloc(nc * sizeof(*L->cells));
	L->lines = malloc(nl * sizeof(*L->lines));
	L->safe = calloc(nc, 1);
	if (!L->lcol || !L->lmark || !L->cells || !L->lines || !L->safe) {
		bp__sup_local_free(L);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void
bp__sup_local_free(struct bp_sup_local *L)
{
	free(L->lcol);
	free(L->lmark);
	free(L->cells);
	free(L->lines);
	free(L->safe);
	bp__sup_whole_free(&L->whole);
	bp__sup_snap_free(&L->snap);
	memset(L, 0, sizeof(*L));
}

/* Collects up to limit hidden cells around seed (breadth first through
 * the lines) as columns, and every line touching them. */
static void
collect(const struct bp_sup_problem *p, const struct bp_sup_index *ix,
    struct bp_sup_local *L, size_t seed, size_t limit)
{
	size_t head = 0;

	L->stamp++;
	L->ncells = L->nlines = 0;
	L->cells[L->ncells++] = seed;
	L->lcol[seed] = 1;
	while (head < L->ncells) {
		size_t c = L->cells[head++];
		for (size_t i = ix->lstart[c]; i < ix->lstart[c + 1]; i++) {
			size_t l = ix->lines[i];
			if (L->lmark[l] == L->stamp)
				continue;
			L->lmark[l] = L->stamp;
			L->lines[L->nlines++] = l;
			for (size_t k = p->cstart[l]; k < p->cstart[l + 1]; k++) {
				size_t d = p->mem[k];
				if (L->ncells >= limit || !bp__sup_hidden(p, d) || L->lcol[d])
					continue;
				L->lcol[d] = (int)++L->ncells;
				L->cells[L->ncells - 1] = d;
			}
		}
	}
}

/* Clears the column marks of the current neighbourhood. */
static void
release(struct bp_sup_local *L)
{
	for (size_t i = 0; i < L->ncells; i++)
		L->lcol[L->cells[i]] = 0;
}

/* The LP of the neighbourhood: a column per local cell (lower bound what
 * the reader knows), a fixed row per line, every other cell a constant.
 * NULL on failure; the caller deletes it. */
static glp_prob *
local_lp(const struct bp_sup_problem *p, const struct bp_sup_local *L)
{
	size_t ne = 0;
	int *ia = NULL, *ja = NULL;
	double *ar = NULL;
	glp_prob *lp = NULL;

	if (L->ncells > INT_MAX - 1 || L->nlines > INT_MAX - 1)
		return NULL;
	for (size_t i = 0; i < L->nlines; i++)
		ne += p->cstart[L->lines[i] + 1] - p->cstart[L->lines[i]];
	if (ne > INT_MAX - 1 || !(ia = malloc((ne + 1) * sizeof(*ia))) ||
	    !(ja = malloc((ne + 1) * sizeof(*ja))) || !(ar = malloc((ne + 1) * sizeof(*ar))))
		goto out;
	lp = glp_create_prob();
	glp_add_cols(lp, (int)L->ncells);
	for (size_t i = 0; i < L->ncells; i++)
		glp_set_col_bnds(lp, (int)i + 1, GLP_LO, bp__sup_col_lo(p, L->cells[i]), 0.0);
	glp_add_rows(lp, (int)L->nlines);
	ne = 0;
	for (size_t i = 0; i < L->nlines; i++) {
		double rhs = bp__sup_line_row(p, L->lines[i], L->lcol, (int)i + 1, ia, ja, ar, &ne);
		glp_set_row_bnds(lp, (int)i + 1, GLP_FX, rhs, rhs);
	}
	glp_load_matrix(lp, (int)ne, ia, ja, ar);
	glp_adv_basis(lp, 0);   /* a crash basis: far fewer pivots than all-slack */
out:
	free(ia);
	free(ja);
	free(ar);
	return lp;
}

/* Marks every primary cell at min_cell or more in lp's solution safe. */
static void
certify(const struct bp_sup_problem *p, struct bp_sup_local *L, glp_prob *lp,
    unsigned min_cell)
{
	if (glp_get_prim_stat(lp) != GLP_FEAS)
		return;
	for (size_t i = 0; i < L->ncells; i++) {
		size_t c = L->cells[i];
		if (bp__sup_needs(p, c) &&
		    glp_get_col_prim(lp, (int)i + 1) >= bp__sup_need_hi(p, c, min_cell) - BP_SUP_EPS)
			L->safe[c] = 1;
	}
}

/* One solve for many: maximises the sum of the primary cells of the
 * neighbourhood not yet proven, and certifies what the optimum shows.
 * Leaves the objective 0.  0 or -1. */
static int
aggregate(const struct bp_sup_problem *p, struct bp_sup_local *L, glp_prob *lp,
    unsigned min_cell)
{
	double val;
	size_t n = 0;
	int rc;

	for (size_t i = 0; i < L->ncells; i++) {
		size_t c = L->cells[i];
		int want = bp__sup_needs(p, c) && !L->safe[c];
		glp_set_obj_coef(lp, (int)i + 1, want ? 1.0 : 0.0);
		n += (size_t)want;
	}
	if (n < 2)
		rc = 0;
	else {
		bp__sup_stats.solves++;
		bp__sup_stats.many++;
		rc = bp__sup_lp_bound(lp, GLP_MAX, &val);
		if (rc == 0)
			certify(p, L, lp, min_cell);
	}
	for (size_t i = 0; i < L->ncells; i++)
		glp_set_obj_coef(lp, (int)i + 1, 0.0);
	return rc;
}

/* The row duals of lp's optimum into b (its failing maximum). 0 or -1. */
static int
duals(const struct bp_sup_local *L, glp_prob *lp, struct bp_sup_bad *b)
{
	b->dir = 1;
	return bp__sup_bad_duals(lp, L->lines, L->nlines, b);
}

/*
 * Warm (model 8): the statuses the component's cells and lines had in
 * their last LP, a new line's row basic and a new cell's column at its
 * lower bound, so that the basis keeps one basic variable per row and its
 * matrix stays nonsingular (block triangular: the old basis, and the new
 * rows' own slacks).  When the count does not add up (a cell published
 * again by the cleanup), the crash basis stays; a singular start falls
 * back to it in bp__sup_lp_bound.
 */
static void
warm_start(const struct bp_sup_problem *p, const struct bp_sup_whole *W)
{
	const struct bp_sup_basis *B = p->warm;
	size_t known = 0, nbasic = 0;

	for (size_t i = 0; i < W->nlines; i++) {
		unsigned char st = W->lines[i] < B->ncons ? B->row[W->lines[i]] : 0;
		known += st != 0;
		nbasic += st == 0 || st == GLP_BS;
	}
	for (size_t i = 0; i < W->ncells; i++) {
		unsigned char st = W->cells[i] < B->ncell ? B->col[W->cells[i]] : 0;
		known += st != 0;
		nbasic += st == GLP_BS;
	}
	if (known == 0 || nbasic != W->nlines)
		return;
	for (size_t i = 0; i < W->nlines; i++) {
		unsigned char st = W->lines[i] < B->ncons ? B->row[W->lines[i]] : 0;
		glp_set_row_stat(W->lp, (int)i + 1, st ? st : GLP_BS);
	}
	for (size_t i = 0; i < W->ncells; i++) {
		unsigned char st = W->cells[i] < B->ncell ? B->col[W->cells[i]] : 0;
		glp_set_col_stat(W->lp, (int)i + 1, st ? st : GLP_NL);
	}
}

void
bp__sup_snap_free(struct bp_sup_snap *S)
{
	free(S->cells);
	free(S->lines);
	free(S->cst);
	free(S->rst);
	memset(S, 0, sizeof(*S));
}

/* The statuses of L's whole LP into L->snap (replacing it).  0 or -1. */
static int
snap_take(struct bp_sup_local *L)
{
	const struct bp_sup_whole *W = &L->whole;
	struct bp_sup_snap *S = &L->snap;

	bp__sup_snap_free(S);
	if (!(S->cells = malloc((W->ncells ? W->ncells : 1) * sizeof(*S->cells))) ||
	    !(S->lines = malloc((W->nlines ? W->nlines : 1) * sizeof(*S->lines))) ||
	    !(S->cst = malloc(W->ncells ? W->ncells : 1)) ||
	    !(S->rst = malloc(W->nlines ? W->nlines : 1))) {
		bp__sup_snap_free(S);
		errno = ENOMEM;
		return -1;
	}
	memcpy(S->cells, W->cells, W->ncells * sizeof(*S->cells));
	memcpy(S->lines, W->lines, W->nlines * sizeof(*S->lines));
	for (size_t i = 0; i < W->ncells; i++)
		S->cst[i] = (unsigned char)glp_get_col_stat(W->lp, (int)i + 1);
	for (size_t i = 0; i < W->nlines; i++)
		S->rst[i] = (unsigned char)glp_get_row_stat(W->lp, (int)i + 1);
	S->ncells = W->ncells;
	S->nlines = W->nlines;
	return 0;
}

/* Writes snapshot S into p's saved statuses and frees it. */
static void
snap_commit(const struct bp_sup_problem *p, struct bp_sup_snap *S)
{
	struct bp_sup_basis *B = p->warm;

	for (size_t i = 0; B && i < S->ncells; i++)
		if (S->cells[i] < B->ncell)
			B->col[S->cells[i]] = S->cst[i];
	for (size_t i = 0; B && i < S->nlines; i++)
		if (S->lines[i] < B->ncons)
			B->row[S->lines[i]] = S->rst[i];
	bp__sup_snap_free(S);
}

/*
 * Model 23: the chunks of a component's audit share one search for a
 * feasible point of its kept LP.  Each chunk builds that LP from the
 * component's first cell (so every chunk's has the same columns and rows
 * in the same order) and starts it from the round before's statuses,
 * which the new complements (columns at their lower bound where their
 * true value stood as a constant) leave infeasible; each chunk's first
 * solve was then mostly the same search (357 kommuner: four chunks, each
 * 600 to 1 800 pivots a round).  Now the first chunk to need the LP makes
 * the search on a copy of its own, under the lock, and every chunk (that
 * one too) starts from the statuses found.  Those are a function of the
 * pattern and the round before's statuses, whichever thread makes the
 * search, so the release does not depend on the threads.
 */
struct bp_sup_search {
	pthread_mutex_t mu;
	int state;                 /* 0 not made, 1 made, -1 failed */
	struct bp_sup_snap snap;   /* the feasible start, by column and row */
	unsigned long solves, pivots;  /* its work, counted by the caller */
};

/* The statuses of lp into S (cells and lines of W).  0 or -1. */
static int
snap_of(const struct bp_sup_whole *W, glp_prob *lp, struct bp_sup_snap *S)
{
	if (!(S->cst = malloc(W->ncells ? W->ncells : 1)) ||
	    !(S->rst = malloc(W->nlines ? W->nlines : 1)))
		return -1;
	for (size_t i = 0; i < W->ncells; i++)
		S->cst[i] = (unsigned char)glp_get_col_stat(lp, (int)i + 1);
	for (size_t i = 0; i < W->nlines; i++)
		S->rst[i] = (unsigned char)glp_get_row_stat(lp, (int)i + 1);
	S->ncells = W->ncells;
	S->nlines = W->nlines;
	return 0;
}

/* W's LP (just built and started as the round before ended) from the
 * shared feasible start, searched for first if no chunk has yet.  A
 * search GLPK fails leaves each chunk its own start.  0 or -1 (ENOMEM). */
static int
shared_start(struct bp_sup_search *S, const struct bp_sup_whole *W)
{
	int ret = 0;

	pthread_mutex_lock(&S->mu);
	if (S->state == 0) {
		glp_prob *t = glp_create_prob();
		double val;
		/* not the chunk's work: its budget must not depend on
		 * which chunk made the search */
		struct bp_sup_stats mine = bp__sup_stats;
		S->state = -1;
		glp_copy_prob(t, W->lp, GLP_OFF);
		/* the objective is 0 as built: the first feasible point ends it */
		int rc = bp__sup_lp_bound(t, GLP_MAX, &val);
		S->solves = bp__sup_stats.solves - mine.solves;
		S->pivots = bp__sup_stats.pivots - mine.pivots;
		bp__sup_stats = mine;
		if (rc == 0 && glp_get_prim_stat(t) == GLP_FEAS) {
			if (snap_of(W, t, &S->snap) == 0)
				S->state = 1;
			else {
				bp__sup_snap_free(&S->snap);
				errno = ENOMEM;
				ret = -1;
			}
		}
		glp_delete_prob(t);
	}
	if (S->state == 1 && S->snap.ncells == W->ncells && S->snap.nlines == W->nlines) {
		for (size_t i = 0; i < W->ncells; i++)
			glp_set_col_stat(W->lp, (int)i + 1, S->snap.cst[i]);
		for (size_t i = 0; i < W->nlines; i++)
			glp_set_row_stat(W->lp, (int)i + 1, S->snap.rst[i]);
	}
	pthread_mutex_unlock(&S->mu);
	return ret;
}

/*
 * The LP of the whole component, kept across its cells (PAIRS, model 3):
 * built once when the first cell needs it, then each cell's maximum is
 * solved from the basis of the one before, like the one LP of a small
 * component (lpaudit.c).  Its optimum is the reader's, whatever the start,
 * so a cell passes or fails as it would from a fresh LP; only the point and
 * the duals may differ.  Returns the LP; NULL on failure.
 */
static glp_prob *
whole_lp(const struct bp_sup_problem *p, const struct bp_sup_index *ix,
    struct bp_sup_local *L, size_t c)
{
	struct bp_sup_whole *W = &L->whole;

	if (W->lp)
		return W->lp;
	collect(p, ix, L, L->search ? L->seed : c, SIZE_MAX);
	W->lp = local_lp(p, L);
	if (W->lp && (W->col = malloc(p->ncell * sizeof(*W->col))) != NULL &&
	    (W->cells = malloc(L->ncells * sizeof(*W->cells))) != NULL &&
	    (W->lines = malloc((L->nlines ? L->nlines : 1) * sizeof(*W->lines))) != NULL) {
		memcpy(W->cells, L->cells, L->ncells * sizeof(*W->cells));
		memcpy(W->lines, L->lines, L->nlines * sizeof(*W->lines));
		W->ncells = L->ncells;
		W->nlines = L->nlines;
		for (size_t i = 0; i < L->ncells; i++)
			W->col[L->cells[i]] = L->lcol[L->cells[i]];
		if (p->warm)
			warm_start(p, W);
		if (L->search && shared_start(L->search, W) != 0)
			bp__sup_whole_free(W);
	} else {
		bp__sup_whole_free(W);
	}
	release(L);
	return W->lp;
}

void
bp__sup_whole_free(struct bp_sup_whole *W)
{
	if (W->lp)
		glp_delete_prob(W->lp);
	free(W->col);
	free(W->cells);
	free(W->lines);
	memset(W, 0, sizeof(*W));
}

/* Cell c's maximum on the kept LP of its component: proven, or reported
 * with its duals.  0 or -1. */
static int
prove_whole(const struct bp_sup_problem *p, const struct bp_sup_index *ix,
    struct bp_sup_local *L, size_t c, const size_t *comp, unsigned min_cell,
    struct bp_sup_bad **bad, size_t *nbad, size_t *cap)
{
	glp_prob *lp = whole_lp(p, ix, L, c);
	struct bp_sup_whole *W = &L->whole;
	double val;
	int col, rc = -1;

	if (!lp)
		return -1;
	/* certify and duals read the columns and lines of L: lend them W's */
	struct bp_sup_local V = *L;
	V.cells = W->cells;
	V.ncells = W->ncells;
	V.lines = W->lines;
	V.nlines = W->nlines;
	col = W->col[c];
	glp_set_obj_coef(lp, col, 1.0);
	bp__sup_stats.solves++;
	bp__sup_stats.compcells += W->ncells;
	if (bp__sup_lp_bound(lp, GLP_MAX, &val) != 0)
		goto out;
	certify(p, &V, lp, min_cell);
	if (val >= bp__sup_need_hi(p, c, min_cell) - BP_SUP_EPS || isinf(val)) {
		L->safe[c] = 1;
		rc = 0;
		goto out;
	}
	struct bp_sup_bad b = { .cell = c, .comp = comp[c], .lo = 0.0, .hi = val };
	if (duals(&V, lp, &b) != 0 || bp__sup_bad_push(bad, nbad, cap, &b) != 0) {
		free(b.line);
		free(b.dual);
		goto out;
	}
	rc = 0;
out:
	glp_set_obj_coef(lp, col, 0.0);
	return rc;
}

/* Proves cell c safe or reports it; 0 or -1. */
static int
prove(const struct bp_sup_problem *p, const struct bp_sup_index *ix, struct bp_sup_local *L,
    size_t c, size_t ncomp, const size_t *comp, unsigned min_cell, size_t depth,
    struct bp_sup_bad **bad, size_t *nbad, size_t *cap)
{
	const size_t *lim = p->warm ? LIMITS_WARM : LIMITS;
	size_t nk = sizeof(LIMITS) / sizeof(LIMITS[0]);
	if (depth + 1 < nk)
		nk = depth + 1;
	/* PAIRS: a cell sent to its whole component failed the local
	 * programs before; the kept LP answers it in a few pivots. */
	if (p->by_cost >= BP_SUP_PRICE_PAIRS && depth >= BP_SUP_DEPTH_WHOLE)
		return prove_whole(p, ix, L, c, comp, min_cell, bad, nbad, cap);
	for (size_t k = 0; k < nk; k++) {
		double val;
		glp_prob *lp;
		int rc = -1;

		if (p->by_cost >= BP_SUP_PRICE_PAIRS && lim[k] >= ncomp)
			return prove_whole(p, ix, L, c, comp, min_cell, bad, nbad, cap);
		collect(p, ix, L, c, lim[k]);
		if (!(lp = local_lp(p, L))) {
			release(L);
			return -1;
		}
		if (k == 0 && aggregate(p, L, lp, min_cell) != 0)
			goto done;
		if (L->safe[c]) {
			rc = 1;
			goto done;
		}
		glp_set_obj_coef(lp, L->lcol[c], 1.0);
		bp__sup_stats.solves++;
		bp__sup_stats.compcells += L->ncells;
		if (bp__sup_lp_bound(lp, GLP_MAX, &val) != 0)
			goto done;
		certify(p, L, lp, min_cell);
		if (val >= bp__sup_need_hi(p, c, min_cell) - BP_SUP_EPS || isinf(val)) {
			L->safe[c] = 1;
			rc = 1;
			goto done;
		}
		if (L->ncells >= ncomp || k + 1 == nk) {
			/* The whole component: the reader's own LP says no.  Or
			 * the deepest program allowed: not proven either way,
			 * reported as local (its duals price complements all the
			 * same). */
			struct bp_sup_bad b = { .cell = c, .comp = comp[c], .lo = 0.0, .hi = val,
			    .local = L->ncells < ncomp };
			if (duals(L, lp, &b) != 0 || bp__sup_bad_push(bad, nbad, cap, &b) != 0) {
				free(b.line);
				free(b.dual);
				goto done;
			}
			rc = 1;
			goto done;
		}
		rc = 0;
done:
		glp_delete_prob(lp);
		release(L);
		if (rc < 0)
			return -1;
		if (rc > 0)
			return 0;
	}
	return 0;
}

/* Proves, in order, each cell of cells[0..ncells) that the audit must (a
 * primary not proven yet and, with todo, still to do), with L's
 * certificates shared along the pass; comp_cells[0..ncomp) is the whole
 * component.  0 or -1. */
static int
audit_pass(const struct bp_sup_problem *p, const struct bp_sup_index *ix,
    struct bp_sup_local *L, const size_t *comp_cells, size_t ncomp, const size_t *cells,
    size_t ncells, const size_t *comp, unsigned min_cell, const unsigned char *todo,
    struct bp_sup_bad **bad, size_t *nbad, size_t *cap)
{
	int rc = 0;

	for (size_t i = 0; i < ncomp; i++)
		L->safe[comp_cells[i]] = 0;
	for (size_t i = 0; i < ncells && rc == 0; i++) {
		size_t c = cells[i];
		if (!bp__sup_needs(p, c) || (todo && !todo[c]) || L->safe[c])
			continue;
		if (bp__sup_spent(p)) {
			rc = -1;
			break;
		}
		size_t depth = todo ? (todo[c] < BP_SUP_DEPTH_WHOLE ? todo[c] : BP_SUP_DEPTH_WHOLE) :
		    BP_SUP_DEPTH_WHOLE;
		rc = prove(p, ix, L, c, ncomp, comp, min_cell, depth, bad, nbad, cap);
	}
	if (rc == 0 && p->warm && L->whole.lp && snap_take(L) != 0)
		rc = -1;
	bp__sup_whole_free(&L->whole);
	return rc;
}

/* One chunk of a component's cells, audited on its own (bp_sup_set_chunks). */
struct chunk {
	const size_t *cells;
	size_t ncells;
	struct bp_sup_bad *bad;
	size_t nbad, cap;
	unsigned char *safe;       /* per cell of the component: proven by
	                            * this chunk's certificates */
	struct bp_sup_stats stats; /* its work, added to the caller's after */
	struct bp_sup_snap snap;   /* warm: its whole LP's statuses */
	int rc, err;
};

struct chunk_run {
	const struct bp_sup_problem *p;
	const struct bp_sup_index *ix;
	const size_t *comp_cells, *comp;
	size_t ncomp;
	unsigned min_cell;
	const unsigned char *todo;
	struct chunk *ch;
	size_t nch, next;
	struct bp_sup_stats start;
	pthread_mutex_t mu;
	struct bp_sup_search *search;  /* model 23, else NULL */
};

static void
chunk_worker(void *arg)
{
	struct chunk_run *R = arg;
	struct bp_sup_local L;
	int term = glp_term_out(GLP_OFF);
	bool ok = bp__sup_local_init(&L, R->p) == 0;

	if (ok) {
		L.seed = R->comp_cells[0];
		L.search = R->search;
	}

	for (;;) {
		pthread_mutex_lock(&R->mu);
		size_t k = R->next++;
		pthread_mutex_unlock(&R->mu);
		if (k >= R->nch)
			break;
		struct chunk *C = &R->ch[k];
		if (!ok) {
			C->rc = -1, C->err = ENOMEM;
			continue;
		}
		/* each chunk counts from the caller's figures: the budget
		 * stops it at the same point whichever thread runs it */
		bp__sup_stats = R->start;
		C->rc = audit_pass(R->p, R->ix, &L, R->comp_cells, R->ncomp, C->cells, C->ncells,
		    R->comp, R->min_cell, R->todo, &C->bad, &C->nbad, &C->cap);
		C->err = errno;
		C->stats = bp__sup_stats;
		C->snap = L.snap;
		memset(&L.snap, 0, sizeof(L.snap));
		/* its certificates may prove cells of other chunks too */
		for (size_t i = 0; i < R->ncomp; i++)
			C->safe[i] = L.safe[R->comp_cells[i]];
	}
	if (ok)
		bp__sup_local_free(&L);
	glp_term_out(term);
}

/*
 * The chunked audit of one component: its wanted cells split into p->chunks
 * contiguous runs of nearly equal length, each proved by audit_pass on its
 * own (fresh certificates, its own kept LP) on a pool of threads; then, in
 * chunk order, the bad cells that no chunk's certificate proved are
 * appended.  Each chunk is a function of the pattern alone, so the result
 * does not depend on the threads.  0 or -1.
 */
static int
audit_chunked(const struct bp_sup_problem *p, const struct bp_sup_index *ix,
    struct bp_sup_local *L, const size_t *cells, size_t ncells, const size_t *comp,
    unsigned min_cell, unsigned char *todo, struct bp_sup_bad **bad, size_t *nbad,
    size_t *cap)
{
	struct chunk_run R = { .p = p, .ix = ix, .comp_cells = cells, .comp = comp,
	    .ncomp = ncells, .min_cell = min_cell, .todo = todo, .start = bp__sup_stats };
	size_t *want = malloc((ncells ? ncells : 1) * sizeof(*want)), nwant = 0, k;
	int ret = -1;

	R.nch = p->chunks;
	if (!want || !(R.ch = calloc(R.nch, sizeof(*R.ch))))
		goto out;
	for (size_t i = 0; i < ncells; i++)
		if (bp__sup_needs(p, cells[i]) && (!todo || todo[cells[i]]))
			want[nwant++] = cells[i];
	for (k = 0; k < R.nch; k++) {
		R.ch[k].cells = want + k * nwant / R.nch;
		R.ch[k].ncells = (k + 1) * nwant / R.nch - k * nwant / R.nch;
		if (!(R.ch[k].safe = calloc(ncells ? ncells : 1, 1)))
			goto out;
	}
	struct bp_sup_search search = { .state = 0 };
	if (p->search_once && p->warm && ncells > 0) {
		pthread_mutex_init(&search.mu, NULL);
		R.search = &search;
	}
	pthread_mutex_init(&R.mu, NULL);
	bp_sup_pool(chunk_worker, &R, R.nch);
	pthread_mutex_destroy(&R.mu);
	if (R.search) {
		pthread_mutex_destroy(&search.mu);
		bp__sup_snap_free(&search.snap);
	}
	bp__sup_stats = R.start;
	bp__sup_stats.chunked++;
	for (k = 0; k < R.nch; k++) {
		struct bp_sup_stats *s = &R.ch[k].stats;
		bp__sup_stats.solves += s->solves - R.start.solves;
		bp__sup_stats.many += s->many - R.start.many;
		bp__sup_stats.pivots += s->pivots - R.start.pivots;
		bp__sup_stats.comps += s->comps - R.start.comps;
		bp__sup_stats.compcells += s->compcells - R.start.compcells;
	}
	bp__sup_stats.solves += search.solves;
	bp__sup_stats.pivots += search.pivots;
	for (k = 0; k < R.nch; k++)
		if (R.ch[k].rc != 0) {
			errno = R.ch[k].err;
			goto out;
		}
	/* warm: in chunk order, so the last chunk's basis is kept whichever
	 * thread ran it */
	for (k = 0; k < R.nch; k++)
		snap_commit(p, &R.ch[k].snap);
	/* L->safe: proven by any chunk */
	for (size_t i = 0; i < ncells; i++) {
		L->safe[cells[i]] = 0;
		for (k = 0; k < R.nch && !L->safe[cells[i]]; k++)
			L->safe[cells[i]] = R.ch[k].safe[i];
	}
	for (k = 0; k < R.nch; k++)
		for (size_t j = 0; j < R.ch[k].nbad; j++) {
			struct bp_sup_bad *b = &R.ch[k].bad[j];
			if (L->safe[b->cell])
				continue;
			if (bp__sup_bad_push(bad, nbad, cap, b) != 0)
				goto out;
			b->line = NULL, b->dual = NULL;   /* moved */
		}
	ret = 0;
out:
	for (k = 0; R.ch && k < R.nch; k++) {
		bp__sup_bad_free(R.ch[k].bad, R.ch[k].nbad);
		bp__sup_snap_free(&R.ch[k].snap);
		free(R.ch[k].safe);
	}
	free(R.ch);
	free(want);
	return ret;
}

int
bp__sup_audit_local(const struct bp_sup_problem *p, const struct bp_sup_index *ix,
    struct bp_sup_local *L, const size_t *cells, size_t ncells, const size_t *comp,
    unsigned min_cell, unsigned char *todo, struct bp_sup_bad **bad, size_t *nbad,
    size_t *cap)
{
	int rc;

	bp__sup_stats.comps++;
	if (p->chunks > 1)
		rc = audit_chunked(p, ix, L, cells, ncells, comp, min_cell, todo, bad, nbad, cap);
	else {
		rc = audit_pass(p, ix, L, cells, ncells, cells, ncells, comp, min_cell, todo,
		    bad, nbad, cap);
		snap_commit(p, &L->snap);
	}
	if (rc != 0)
		return -1;
	for (size_t i = 0; todo && i < ncells; i++)
		if (L->safe[cells[i]])
			todo[cells[i]] = 0;
	return 0;
}
