/*
 * sup_exchange.c - after the cleanup, exchanges costly complements for
 * cheaper ones (bp_sup_set_exchange; release model 16).
 *
 * The line pass closes each open line with the cell that is cheapest for
 * that line alone, and that choice decides the lines it opens next: in a
 * 72-kommune year it hid a national 235 instead of a 236 beside it, and
 * then three large cells of the 235's row (2 498, 1 649 and 10 persons)
 * and a row of another table, where the 236's row needed two cells.  The
 * cleanup only publishes cells one at a time, so it cannot leave one
 * complement for another.  Here each complement bp_sup_set_exchange names
 * (the release model's national cells), the costliest first, is tried:
 * published and barred as a complement, the
 * primaries of its component audited and repaired as the repair does,
 * in the components touched the heavy complements and the try's own
 * cleaned up again; the pattern is kept when its
 * complements cost less in all (bp__heur_cost, with the weights of
 * bp_sup_set_exchange) and it hides no more printed cells, else the old
 * one is put back.  A try's repair may spend EXCHANGE_BUDGET LP solves
 * (its cleanup, of the named complements only, is not counted there), and
 * is given up when the complements come to cost more than twice what they
 * did; one that runs out, or finds no safe pattern, is undone; no try
 * starts once the tries have spent EXCHANGE_SOLVES in all (cleanups
 * counted).  The order, the budgets and every LP answer are deterministic:
 * the same problem gives the same pattern.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sup_heur.h"

/* LP solves one try's repair may spend, and all tries together before no
 * more start (the costliest complements come first; a try in a small
 * component takes tens of solves, one in a component of every level some
 * hundreds). */
#define EXCHANGE_BUDGET 1000UL
#define EXCHANGE_SOLVES 1500UL
/* Tries at most. */
#define EXCHANGE_MAX_TRIES 64

struct cand {
	uint64_t cost;
	size_t cell;
};

/* Costliest first, then by index. */
static int
cand_cmp(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;
	if (a->cost != b->cost)
		return a->cost > b->cost ? -1 : 1;
	return a->cell < b->cell ? -1 : a->cell > b->cell;
}

/* Whether cell c is of the complements the exchange tries. */
static bool
heavy(const struct bp_sup_problem *p, size_t c)
{
	return p->xtry[c] != 0;
}

/* Printed cells hidden. */
static size_t
hidden_printed(const struct bp_sup_problem *p)
{
	size_t n = 0;
	for (size_t c = 0; c < p->ncell; c++)
		n += p->state[c] != BP_SUP_PUBLISHED && !(p->flags[c] & BP_SUP_UNPRINTED);
	return n;
}

/*
 * One try: cell c published and barred, its component (h->comp) audited
 * and repaired, what that touched cleaned up.  1 when the pattern is kept
 * (h->comp then the try's components), 0 when the old one is back, -1 on
 * ENOMEM or a GLPK failure.  saved, touched and only: ncell bytes of
 * scratch.
 */
static int
try_one(struct heur *h, size_t c, unsigned min_cell, unsigned char *saved,
    unsigned char *touched, unsigned char *only)
{
	struct bp_sup_problem *p = h->p;
	struct heur t;
	size_t n = p->ncell, comp0 = h->comp[c], tried, freed;
	unsigned char flags = p->flags[c];
	uint64_t before = bp__heur_pattern_cost(p);
	size_t hidden = hidden_printed(p);
	unsigned long budget = p->budget;
	bool have = false;
	int ret = -1;

	memcpy(saved, p->state, n);
	p->state[c] = BP_SUP_PUBLISHED;
	p->flags[c] |= BP_SUP_FIXED;
	if (bp__heur_init(&t, p, min_cell, h->suppress_zero, false) != 0)
		goto undo;
	have = true;
	bp__heur_load(&t);
	/* Publishing c only splits its component: the others stay safe. */
	for (size_t d = 0; d < n; d++)
		if (t.todo[d] && h->comp[d] != comp0)
			t.todo[d] = 0;
	p->budget = EXCHANGE_BUDGET;
	/* A try whose complements come to cost more than twice what they did
	 * is given up (barring c can leave a primary that every cell added in
	 * turn fails to protect, until the component is hidden whole). */
	t.cost_cap = 2 * before;
	if (bp__heur_audit_loop(&t, min_cell) != 0) {
		if (errno != EDOM && errno != ERANGE)
			goto undo;   /* ENOMEM (also from the repair: h->oom), EINVAL */
		ret = 0;
		goto undo;
	}
	/* The cleanup where the try changed something: c's old component
	 * and whatever the new complements joined it to. */
	memset(touched, 0, n);
	for (size_t d = 0; d < n; d++)
		if (bp__sup_hidden(p, d) && t.comp[d] != SIZE_MAX &&
		    (h->comp[d] == comp0 || saved[d] == BP_SUP_PUBLISHED))
			touched[t.comp[d]] = 1;
	for (size_t d = 0; d < n; d++)
		if (t.comp[d] != SIZE_MAX && !touched[t.comp[d]])
			t.comp[d] = SIZE_MAX;
	/* Of those, the complements of the kind tried, and the try's own: in
	 * a release of every level a component holds a thousand
	 * kommune and fylke complements, which the cleanup before has tried
	 * already (a solve or more each), and the national ones are what the
	 * exchange is for. */
	for (size_t d = 0; d < n; d++)
		only[d] = saved[d] == BP_SUP_PUBLISHED || heavy(p, d);
	t.only = only;
	if (bp__heur_cleanup(&t, min_cell, &tried, &freed) != 0)
		goto undo;
	if (bp__heur_pattern_cost(p) >= before || hidden_printed(p) > hidden) {
		ret = 0;
		goto undo;
	}
	/* Kept: the components are the try's (those it did not touch, as the
	 * last audit left them: ids are cells, so they do not clash). */
	for (size_t d = 0; d < n; d++)
		if (t.comp[d] != SIZE_MAX)
			h->comp[d] = t.comp[d];
	p->flags[c] = flags;
	p->budget = budget;
	bp__heur_free(&t);
	return 1;
undo:
	memcpy(p->state, saved, n);
	p->flags[c] = flags;
	p->budget = budget;
	if (have)
		bp__heur_free(&t);
	return ret;
}

int
bp__heur_exchange(struct heur *h, unsigned min_cell, size_t *tried, size_t *kept)
{
	struct bp_sup_problem *p = h->p;
	size_t n = p->ncell, nc = 0, *size = NULL;
	struct cand *cand = NULL;
	unsigned char *saved = NULL, *touched = NULL, *only = NULL;
	int ret = -1;

	*tried = *kept = 0;
	/* its own weights, while it runs (no cell is added meanwhile: the
	 * repair and the cleanup only change states) */
	uint16_t *weight = p->weight;
	if (p->xweight)
		p->weight = p->xweight;
	if (!(size = calloc(n ? n : 1, sizeof(*size))) ||
	    !(cand = malloc((n ? n : 1) * sizeof(*cand))) ||
	    !(saved = malloc(n ? n : 1)) || !(touched = malloc(n ? n : 1)) ||
	    !(only = malloc(n ? n : 1))) {
		errno = ENOMEM;
		goto out;
	}
	for (size_t c = 0; c < n; c++)
		if (bp__sup_hidden(p, c) && h->comp[c] != SIZE_MAX)
			size[h->comp[c]]++;
	/* A component audited by local programs is left as it is, as the
	 * cleanup leaves it (seconds a try); sizes as the repair's last audit
	 * found them (the cleanup may have split some since). */
	for (size_t c = 0; c < n; c++)
		if (bp__heur_may_publish(p, c) && heavy(p, c) &&
		    h->comp[c] != SIZE_MAX && size[h->comp[c]] <= BP_SUP_LOCAL_FROM)
			cand[nc++] = (struct cand){ bp__heur_cost(p, c), c };
	qsort(cand, nc, sizeof(*cand), cand_cmp);
	unsigned long spent = 0;
	bool debug = getenv("BPAGG_DEBUG_SUPPRESS") != NULL;
	for (size_t i = 0; i < nc && *tried < EXCHANGE_MAX_TRIES && spent < EXCHANGE_SOLVES; i++) {
		size_t c = cand[i].cell;
		/* freed by an earlier exchange */
		if (!bp__heur_may_publish(p, c))
			continue;
		int r = try_one(h, c, min_cell, saved, touched, only);
		if (r < 0)
			goto out;
		++*tried;
		*kept += (size_t)r;
		/* the try's audit loop counted from 0, its cleanup on top */
		spent += bp__sup_stats.solves;
		if (debug)
			fprintf(stderr, "  exchange: cell %zu (count %u, cost %llu): %s, %lu solves\n",
			    c, p->value[c], (unsigned long long)cand[i].cost, r ? "kept" : "undone",
			    bp__sup_stats.solves);
	}
	ret = 0;
out:
	p->weight = weight;
	free(size);
	free(cand);
	free(saved);
	free(touched);
	free(only);
	return ret;
}
