/*
 * sup_heur.h - the working state of the secondary-suppression heuristic,
 * shared by suppress.c (lines, audit loop, public API) and sup_repair.c
 * (the complements added for cells the audit finds unsafe).  Not part of
 * the public API: include suppress.h instead.
 */
#ifndef BP_SUP_HEUR_H
#define BP_SUP_HEUR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lpaudit.h"

/* Working state of one bp_suppress run. */
struct heur {
	struct bp_sup_problem *p;
	struct bp_sup_index ix;
	size_t *nsup;              /* per line: suppressed cells in it */
	size_t *nprim;             /* per line: primary cells among its members */
	uint64_t *ssum;            /* per line: sum of its suppressed members */
	size_t *queue, qhead, qlen; /* ring of lines to look at, ncons long */
	unsigned char *inq;        /* per line: in the queue */
	unsigned min_cell;
	unsigned char *todo;       /* per cell: primary not yet proven safe */
	unsigned char *added;      /* per cell: added by the audit this round */
	size_t *comp;              /* per cell: component id from the audit */
	double *ldual;             /* per line: dual while pricing, else 0 */
	double *lasthi;            /* per cell: maximum of its last local
	                            * failure that got priced complements,
	                            * -1 none (PAIRS) */
	uint64_t cost_cap;         /* the audit loop gives up (ERANGE) when
	                            * the complements cost more, 0 never */
	const unsigned char *only; /* per cell: the cleanup tries it (NULL:
	                            * every complement) */
	bool oom;                  /* the repair ran out of memory */
	bool suppress_zero;
	bool plain;                /* baseline: smallest other cell only */
};

/* Whether cell c may become a complement: published, not fixed, and not
 * a zero unless zeros are hidden anyway. */
static inline bool
bp__heur_eligible(const struct heur *h, size_t c)
{
	const struct bp_sup_problem *p = h->p;

	return p->state[c] == BP_SUP_PUBLISHED && !(p->flags[c] & BP_SUP_FIXED) &&
	    (p->value[c] > 0 || h->suppress_zero);
}

/* Whether cell c is a complement the cleanup (or the exchange) may
 * publish again. */
static inline bool
bp__heur_may_publish(const struct bp_sup_problem *p, size_t c)
{
	return (p->state[c] == BP_SUP_SECONDARY || p->state[c] == BP_SUP_LINKED) &&
	    !(p->flags[c] & (BP_SUP_FIXED | BP_SUP_UNPRINTED | BP_SUP_KEEP));
}

/* What hiding cell c loses: its count, times its weight (bp_sup_weigh)
 * for a cell that other tables print too, so that such a cell is chosen
 * only when cheaper ones would not do. */
static inline uint64_t
bp__heur_cost(const struct bp_sup_problem *p, size_t c)
{
	uint64_t v = p->value[c];
	return p->weight && p->weight[c] > 1 ? (v + 1) * p->weight[c] : v;
}

/* What the printed complements cost the reader, together. */
static inline uint64_t
bp__heur_pattern_cost(const struct bp_sup_problem *p)
{
	uint64_t sum = 0;
	for (size_t c = 0; c < p->ncell; c++)
		if ((p->state[c] == BP_SUP_SECONDARY || p->state[c] == BP_SUP_LINKED) &&
		    !(p->flags[c] & BP_SUP_UNPRINTED))
			sum += bp__heur_cost(p, c);
	return sum;
}

/* The state a complement chosen for line `line` gets. */
static inline enum bp_sup_state
bp__heur_reason(const struct bp_sup_problem *p, size_t line)
{
	return p->kind[line] == BP_CONS_LINK ? BP_SUP_LINKED : BP_SUP_SECONDARY;
}

/* Suppresses cell c for reason s; the lines it leaves open join the queue
 * (suppress.c). */
void bp__heur_hide(struct heur *h, size_t c, enum bp_sup_state s);
/* The cleanup of a safe pattern (sup_cleanup.c): *tried complements tried,
 * *freed of them published again; the repair's budget does not apply.  0,
 * or -1 (errno ENOMEM, or EINVAL when GLPK fails). */
int bp__heur_cleanup(struct heur *h, unsigned min_cell, size_t *tried, size_t *freed);

/* The working state of a run on p (its arrays allocated, no state read):
 * 0, or -1 (ENOMEM).  bp__heur_free frees what it holds, not p. */
int bp__heur_init(struct heur *h, struct bp_sup_problem *p, unsigned min_cell,
    bool suppress_zero, bool plain);
void bp__heur_free(struct heur *h);
/* Loads the line counts of the states already set and queues the open
 * lines (suppress.c). */
void bp__heur_load(struct heur *h);
/* The line pass and the audit, repaired until the audit passes (suppress.c):
 * 0, or -1 (errno EDOM no safe pattern, ERANGE the budget spent, ENOMEM,
 * EINVAL). */
int bp__heur_audit_loop(struct heur *h, unsigned min_cell);
/* The exchange of costly complements after the cleanup (sup_exchange.c;
 * bp_sup_set_exchange): *tried complements tried, *kept of them replaced
 * by cheaper ones.  0, or -1 (ENOMEM, or EINVAL when GLPK fails). */
int bp__heur_exchange(struct heur *h, unsigned min_cell, size_t *tried, size_t *kept);

/*
 * One round of complements for the nbad unsafe cells an audit found
 * (sup_repair.c).  Returns the number of cells added plus the cells to be
 * audited deeper next round; 0 means no progress.  The bad cells stay the
 * caller's.
 */
size_t bp__heur_repair(struct heur *h, const struct bp_sup_bad *bad, size_t nbad,
    unsigned min_cell);

#endif
