/*
 * lpaudit.h - internals shared by suppress.c (the heuristic) and lpaudit.c
 * (the GLPK interval audit).  Not part of the public API: include
 * suppress.h instead.
 */
#ifndef BP_LPAUDIT_H
#define BP_LPAUDIT_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <math.h>
#include <stdint.h>

#include "suppress.h"

/*
 * The problem.  Cells are columns of parallel arrays; a constraint ("line")
 * is a run of cell indices in mem[cstart[l] .. cstart[l + 1]): the total
 * first, then its members.  Its equation is
 *     value(total) - sum value(members) = 0.
 */
struct bp_sup_problem {
	size_t ncell, capcell;
	uint32_t *value;
	unsigned char *flags;      /* BP_SUP_FIXED, BP_SUP_UNPRINTED, ... */
	uint16_t *weight;          /* per cell: bp_sup_weigh, NULL until set */
	uint32_t *need;            /* per cell: bp_sup_set_need (0: min_cell),
	                              NULL until set */
	unsigned char *state;      /* enum bp_sup_state */
	unsigned char rule;        /* enum bp_sup_rule */
	unsigned char by_cost;     /* enum bp_sup_pricing (bp_sup_set_pricing) */
	unsigned long budget;      /* LP solves a repair may spend, 0 no limit */
	unsigned chunks;           /* bp_sup_set_chunks: 0 or 1 sequential */
	bool cleanup;              /* bp_sup_set_cleanup */
	unsigned char *xtry;       /* bp_sup_set_exchange: per cell, a
	                              complement it may try; NULL off */
	uint16_t *xweight;         /* its weights, NULL: weight (both grow
	                              with the cells, 0 for a cell added) */
	struct bp_sup_basis *warm; /* bp_sup_set_warm: NULL when off */
	bool search_once;          /* bp_sup_set_search_once (model 23) */

	size_t ncons, capcons;
	unsigned char *kind;       /* enum bp_sup_cons_kind */
	size_t *cstart;            /* ncons + 1 offsets into mem */

	size_t nmem, capmem;
	size_t *mem;
};

/* Cell -> lines incidence, built from a problem (CSR). */
struct bp_sup_index {
	size_t *lstart;            /* ncell + 1 offsets into lines */
	size_t *lines;             /* line ids, ascending per cell */
};

/*
 * A primary cell that the audit found unsafe.  For one failing end (dir:
 * +1 its maximum is below min_cell, -1 its minimum is above 0) the row duals
 * of that optimum: the lines whose published cells bound it (line[k] with
 * dual[k], nonzero ones only), so that the repair can price a published
 * cell as a new LP column (lpaudit.c, suppress.c).  line and dual are
 * malloc'ed; bp__sup_bad_free frees them.
 */
struct bp_sup_bad {
	size_t cell;
	size_t comp;               /* its component id (smallest cell index) */
	double lo, hi;             /* its LP interval (hi may be HUGE_VAL) */
	int dir;                   /* +1 hi too small, -1 lo too large, 0 no duals */
	int local;                 /* 1: only a local program failed (hi is its
	                            * maximum, a lower bound of the reader's):
	                            * not proven unsafe (lpaudit_local.c) */
	size_t nline;
	size_t *line;
	double *dual;
};

#define BP_SUP_EPS 1e-5

/* Work counters of the calling thread (printed by bp_suppress under
 * BPAGG_DEBUG_SUPPRESS; no effect on any result). */
struct bp_sup_stats {
	unsigned long solves;      /* glp_simplex calls */
	unsigned long many;        /* ... of them in certify_many */
	unsigned long pivots;      /* simplex iterations */
	unsigned long comps;       /* component LPs built */
	unsigned long compcells;   /* columns over those LPs */
	unsigned long chunked;     /* components audited in chunks */
};
extern _Thread_local struct bp_sup_stats bp__sup_stats;

/* Whether p's budget of LP solves (bp_sup_set_budget) is spent: then
 * errno is ERANGE. */
static inline int
bp__sup_spent(const struct bp_sup_problem *p)
{
	if (p->budget == 0 || bp__sup_stats.solves <= p->budget)
		return 0;
	errno = ERANGE;
	return 1;
}

/* Whether the audit must check cell c (a primary cell), and the range its
 * interval must contain: [0, min_cell]. */
static inline int
bp__sup_needs(const struct bp_sup_problem *p, size_t c)
{
	return p->state[c] == BP_SUP_PRIMARY;
}

/* The lower end demanded: 0 (BP_SUP_RULE_INTERVAL), or none (UPPER, and
 * a cell with a need of its own: only how high it may be matters). */
static inline double
bp__sup_need_lo(const struct bp_sup_problem *p, size_t c)
{
	return p->rule == BP_SUP_RULE_UPPER || (p->need && p->need[c]) ? HUGE_VAL : 0.0;
}

/* The lower bound of a hidden cell's LP column: what the reader knows. */
static inline double
bp__sup_col_lo(const struct bp_sup_problem *p, size_t c)
{
	if (p->rule == BP_SUP_RULE_UPPER && (p->flags[c] & BP_SUP_POSITIVE) && p->value[c] >= 1)
		return 1.0;
	return 0.0;
}

/* Appends line l of p as LP row row: an entry (ia, ja, ar from index
 * *ne + 1) for each cell with a column colof[d] (total +1, members -1);
 * returns the right-hand side, the cells without a column (colof[d] 0)
 * moved over as constants. */
static inline double
bp__sup_line_row(const struct bp_sup_problem *p, size_t l, const int *colof, int row,
    int *ia, int *ja, double *ar, size_t *ne)
{
	double rhs = 0.0;
	for (size_t k = p->cstart[l]; k < p->cstart[l + 1]; k++) {
		size_t d = p->mem[k];
		double coef = k == p->cstart[l] ? 1.0 : -1.0;
		if (colof[d]) {
			++*ne;
			ia[*ne] = row;
			ja[*ne] = colof[d];
			ar[*ne] = coef;
		} else
			rhs -= coef * (double)p->value[d];
	}
	return rhs;
}

static inline double
bp__sup_need_hi(const struct bp_sup_problem *p, size_t c, unsigned min_cell)
{
	return p->need && p->need[c] ? (double)p->need[c] : (double)min_cell;
}

static inline int
bp__sup_hidden(const struct bp_sup_problem *p, size_t c)
{
	return p->state[c] != BP_SUP_PUBLISHED;
}

/*
 * Builds the incidence of p into ix.  0, or -1 on ENOMEM.  The arrays are
 * owned by ix and freed by bp__sup_index_free.
 */
int bp__sup_index_build(const struct bp_sup_problem *p, struct bp_sup_index *ix);
void bp__sup_index_free(struct bp_sup_index *ix);

/*
 * Audits the primary cells c with todo[c] != 0 (every primary cell when todo
 * is NULL), one connected component of suppressed cells at a time, and
 * clears todo[c] for each cell found safe.  Suppressing more cells only
 * widens intervals, so a cell found safe stays safe.
 * comp (ncell entries, the caller's) receives each suppressed cell's
 * component id, SIZE_MAX for published cells.  Unsafe primary cells are
 * returned in *bad, ascending by cell, *nbad of them; *bad is malloc'ed and
 * the caller frees it (NULL when none).  0, or -1 on ENOMEM or when GLPK
 * fails (e.g. inconsistent constraints).
 */
int bp__sup_audit_run(const struct bp_sup_problem *p, const struct bp_sup_index *ix,
    unsigned min_cell, unsigned char *todo, size_t *comp,
    struct bp_sup_bad **bad, size_t *nbad);

/*
 * The audit of one component under BP_SUP_RULE_UPPER (lpaudit_local.c):
 * cells[0..ncells) are its hidden cells, comp their component ids.  Each
 * primary cell c with todo[c] (every one when todo is NULL) is proven safe
 * by a feasible point of a local LP, or reported in *bad (appended; *cap
 * its capacity) with the duals of its failing maximum.  todo[c] also says
 * how far the local programs may grow before c is reported (BP_SUP_DEPTH_*:
 * a cell reported by a local program is marked local, not proven unsafe;
 * the repair prices complements from it, or lets it grow); without todo
 * they grow to the whole component, exactly the reader's LP.  0, or -1
 * (ENOMEM, GLPK failing).
 */
#define BP_SUP_DEPTH_FIRST 1     /* todo[c] of a new primary: up to 256 cells */
#define BP_SUP_DEPTH_WHOLE 3     /* ... up to its whole component */
/* Components of more hidden cells than this are audited by local LPs
 * (BP_SUP_RULE_UPPER only); smaller ones by one LP each. */
#define BP_SUP_LOCAL_FROM 1500

/*
 * The simplex statuses (GLP_BS, GLP_NL, ...; 0 none) of each cell's column
 * and each line's row in the last whole-component LP that had them
 * (bp_sup_set_warm): the next round's LP of a component starts from them.
 * Components share no cell and no line, so one array of each holds every
 * component's basis.
 */
struct bp_sup_basis {
	size_t ncell, ncons;
	unsigned char *col, *row;
};
/* The statuses of one whole-component LP, taken when it is freed, written
 * to the problem's bp_sup_basis by the caller in a fixed order. */
struct bp_sup_snap {
	size_t *cells, ncells, *lines, nlines;
	unsigned char *cst, *rst;
};
void bp__sup_snap_free(struct bp_sup_snap *S);

/* The LP of a whole component kept across its cells (lpaudit_local.c). */
struct bp_sup_whole {
	struct glp_prob *lp;       /* NULL until a cell needs it */
	int *col;                  /* per cell of the problem: its column */
	size_t *cells, ncells;     /* the component's hidden cells, by column */
	size_t *lines, nlines;     /* its lines, by row */
};
void bp__sup_whole_free(struct bp_sup_whole *W);

struct bp_sup_local {
	int *lcol;                 /* per cell: local LP column, 0 none */
	size_t *lmark, stamp;      /* per line: stamp of the last visit */
	size_t *cells, ncells;     /* the local cells (columns) */
	size_t *lines, nlines;     /* the lines touching them */
	unsigned char *safe;       /* per cell: proven safe in this run */
	struct bp_sup_whole whole; /* PAIRS: the component's LP, kept */
	struct bp_sup_snap snap;   /* warm: its statuses when last freed */
	/* a chunk's, under search_once: the component's first cell, from
	 * which every chunk builds its kept LP, and the feasible start the
	 * chunks share (NULL: not chunked, each LP its own start) */
	size_t seed;
	struct bp_sup_search *search;
};
/* Scratch for problem p (the caller's; bp__sup_local_free frees it). 0 or -1. */
int bp__sup_local_init(struct bp_sup_local *L, const struct bp_sup_problem *p);
void bp__sup_local_free(struct bp_sup_local *L);
int bp__sup_audit_local(const struct bp_sup_problem *p, const struct bp_sup_index *ix,
    struct bp_sup_local *L, const size_t *cells, size_t ncells, const size_t *comp,
    unsigned min_cell, unsigned char *todo, struct bp_sup_bad **bad, size_t *nbad,
    size_t *cap);
/*
 * The cleanup of one component (lpaudit_cleanup.c, for sup_cleanup.c) of at most
 * BP_SUP_LOCAL_FROM hidden cells, found from its hidden cell seed: its LP
 * is built once; each complement of cand[0..ncand) in turn gets its column
 * fixed at its true value (as if published), and is published (its state
 * set) when every primary cell of the component still reaches what the
 * rule demands, solved from the basis before (a warm start; each answer is
 * the LP's optimum whatever the start), else gets its column back.
 * reject(ud, c), asked first with c marked published, skips c without a
 * solve.  *freed counts the cells published.  0, or -1 (ENOMEM, EINVAL
 * when GLPK fails).
 */
int bp__sup_cleanup_comp(struct bp_sup_problem *p, const struct bp_sup_index *ix,
    size_t seed, const size_t *cand, size_t ncand, unsigned min_cell,
    bool (*reject)(void *, size_t), void *ud, size_t *freed);
/* Appends *b to the array *bad (*nbad of *cap used); 0 or -1 (ENOMEM). */
int bp__sup_bad_push(struct bp_sup_bad **bad, size_t *nbad, size_t *cap,
    const struct bp_sup_bad *b);
/* Optimises lp's objective in direction dir (GLP_MIN, GLP_MAX) from its
 * basis into *out (+-HUGE_VAL when unbounded); 0 or -1. */
struct glp_prob;
int bp__sup_lp_bound(struct glp_prob *lp, int dir, double *out);
/* Rebuilds lp in place with its matrix laid out column by column: the same
 * program, basis statuses and objective.  0, or -1 (ENOMEM, lp as it was). */
int bp__sup_lp_compact(struct glp_prob *lp);
/* Model 14 (lpblock.c): a starting basis for lp whose columns
 * [start[b], start[b + 1]) form block b (b < nblock): each block's own
 * rows solved alone for a feasible point, the rows joining blocks with
 * their slacks basic, every other column nonbasic at a bound.  0, 1 when
 * GLPK failed on a block (the caller takes another start), or -1 (ENOMEM). */
int bp__sup_lp_block_basis(struct glp_prob *lp, const int *start, size_t nblock);

/* A view of p: its states and flags copied and its own, all else shared
 * with p and only read through the view (not grown, no warm bases).  For
 * a check on another thread beside one that may hide cells of p.  NULL on
 * ENOMEM; the caller frees it with bp__sup_view_free, which leaves what
 * it shares. */
struct bp_sup_problem *bp__sup_view(const struct bp_sup_problem *p);
/* What the view hides and p publishes, p hides as the view does. */
void bp__sup_view_merge(struct bp_sup_problem *p, const struct bp_sup_problem *v);
void bp__sup_view_free(struct bp_sup_problem *v);

/* Frees an array of n bad cells from bp__sup_audit_run and its duals. */
void bp__sup_bad_free(struct bp_sup_bad *bad, size_t n);
/* The rows of lp's optimum with a nonzero dual into b->line (their line
 * ids, lines[row - 1]) and b->dual, b->nline of them: malloc'ed to that
 * size (the caller frees them; NULL when none), so that thousands of bad
 * cells of a large component do not each hold room for all its lines.
 * 0, or -1 (ENOMEM; both NULL). */
int bp__sup_bad_duals(struct glp_prob *lp, const size_t *lines, size_t nlines,
    struct bp_sup_bad *b);

/*
 * The LP interval of suppressed cell `cell` (its component alone).
 * 0, or -1 on error.
 */
int bp__sup_interval_run(const struct bp_sup_problem *p, const struct bp_sup_index *ix,
    size_t cell, double *lo, double *hi);

#endif
