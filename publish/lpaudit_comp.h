/*
 * lpaudit_comp.h - one component's LP, shared by the audit (lpaudit.c) and
 * the cleanup's check of a component (lpaudit_cleanup.c).  Private to
 * those two files.
 */
#ifndef BP_LPAUDIT_COMP_H
#define BP_LPAUDIT_COMP_H

#include <glpk.h>

#include "lpaudit.h"

/* Scratch space for finding and solving one component at a time. */
struct comp_ws {
	const struct bp_sup_problem *p;
	const struct bp_sup_index *ix;
	size_t *comp;              /* per cell: component id or SIZE_MAX */
	size_t *cells, ncells;     /* the current component's cells */
	size_t *lines, nlines;     /* the lines touching it */
	size_t *lmark;             /* per line: stamp of the last visit */
	int *colof;                /* per cell: 1-based LP column */
	unsigned char *ok;         /* per local column: OK_LO | OK_HI */
	struct bp_sup_local loc;   /* BP_SUP_RULE_UPPER: local LPs */
};

#define OK_LO 1              /* a feasible point with the cell at 0 was seen */
#define OK_HI 2              /* ... with the cell at min_cell or more */

/*
 * Feasible points of a component's LP kept by the cleanup: each proves the
 * primary cells at min_cell or more in it (at 0 or less for the lower end)
 * for as long as it satisfies every cell published since.  A ring of at
 * most BP_PTS_MAX points of ncol values each; x is the caller's (malloc'ed
 * BP_PTS_MAX * ncol doubles, freed by the caller).
 */
#define BP_PTS_MAX 64
struct bp_pts {
	double *x;
	size_t ncol, n, next;
};
/* Keeps lp's current basic solution in P when it is primal feasible. */
void bp__pts_add(struct bp_pts *P, glp_prob *lp);

/* Workspace for p's components; comp (ncell entries) is the caller's and
 * gets SIZE_MAX everywhere.  The arrays are w's: bp__comp_ws_free frees
 * them.  0, or -1 (ENOMEM). */
int bp__comp_ws_init(struct comp_ws *w, const struct bp_sup_problem *p,
    const struct bp_sup_index *ix, size_t *comp);
void bp__comp_ws_free(struct comp_ws *w);
/* Collects the component of hidden cell seed into w->cells, its lines
 * into w->lines; its id is seed. */
void bp__comp_collect(struct comp_ws *w, size_t seed);
/* The LP of the collected component (a column per hidden cell, a fixed row
 * per line).  A new glp_prob the caller deletes, or NULL. */
glp_prob *bp__comp_lp(struct comp_ws *w);
/* Sets w->ok of each cell of the component: 0 for a primary cell to check
 * (todo[c] set, or todo NULL), settled otherwise; no lower end under the
 * upper rule. */
void bp__comp_open(struct comp_ws *w, const unsigned char *todo);
/* Aggregated solves over the primary cells still open, each solution kept
 * in P (when not NULL) and read off into w->ok.  Leaves the objective 0.
 * 0, or -1 (solver failure). */
int bp__comp_certify_many(struct comp_ws *w, glp_prob *lp, unsigned min_cell,
    struct bp_pts *P);
/* Solves end dir (GLP_MAX or GLP_MIN) of the cell of local column i; the
 * solution is kept in P (when not NULL) and read off into w->ok.  *prev is
 * the column of the objective before (0 none), cleared first.  1 the end
 * reaches what the rule demands, 0 it does not (*val its optimum), -1
 * solver failure. */
int bp__comp_end(struct comp_ws *w, glp_prob *lp, size_t i, int *prev, int dir,
    unsigned min_cell, struct bp_pts *P, double *val);

#endif
