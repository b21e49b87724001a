/*
 * suppress.c - primary and secondary (complementary, linked) small-cell
 * suppression over cells tied by additive constraints
 * (shared/spec/privacy.md).  The LP audit is in lpaudit.c, the
 * complements added for cells it finds unsafe in sup_repair.c.
 *
 * The secondary heuristic works on "lines": a constraint's total and its
 * members.  A line is "open" when it holds exactly one suppressed cell (that
 * cell is the line's total minus the rest), or when its total is published
 * and the suppressed members, a primary among them, add up to less than
 * min_cell (a primary member can grow only as far as the other suppressed
 * members can shrink: a necessary condition of the audit, cheap to check).
 * An open line is closed by suppressing one more of its cells, the one that
 * loses least: the smallest count per open line it closes (a cell that
 * closes a row and a column at once counts half), then the one opening
 * fewest new lines, then the lowest index.  FIXED cells are never chosen,
 * nor zero cells (a complement of 0 cannot hide that a cell is small: the
 * cell cannot grow while its complement cannot shrink) unless zeros are
 * suppressed anyway.  Lines are closed in first-opened, first-closed order
 * until none is open.
 *
 * That is not enough in general, so the LP audit then checks every primary
 * cell; for each unsafe one, one more complement is taken from its own
 * lines (or, failing that, from any line of its component), preferring the
 * smallest cell large enough to give the room missing (else the largest);
 * the line pass and the audit repeat until the audit passes, or no cell is
 * left to add.  Each audit checks only the cells not yet proven safe: more
 * suppression only widens intervals, so a safe cell stays safe.  Everything
 * is in index order: the same problem gives the same pattern.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <time.h>

#include "lpaudit.h"
#include "sup_heur.h"
#include "suppress.h"



void
bp__heur_free(struct heur *h)
{
	bp__sup_index_free(&h->ix);
	free(h->nsup);
	free(h->nprim);
	free(h->ssum);
	free(h->inq);
	free(h->queue);
	free(h->todo);
	free(h->added);
	free(h->comp);
	free(h->ldual);
	free(h->lasthi);
}

int
bp__heur_init(struct heur *h, struct bp_sup_problem *p, unsigned min_cell,
    bool suppress_zero, bool plain)
{
	size_t nl = p->ncons ? p->ncons : 1, nc = p->ncell ? p->ncell : 1;

	memset(h, 0, sizeof(*h));
	h->p = p;
	h->min_cell = min_cell;
	h->suppress_zero = suppress_zero;
	h->plain = plain;
	h->nsup = calloc(nl, sizeof(*h->nsup));
	h->nprim = calloc(nl, sizeof(*h->nprim));
	h->ssum = calloc(nl, sizeof(*h->ssum));
	h->inq = calloc(nl, 1);
	h->queue = malloc(nl * sizeof(*h->queue));
	h->todo = calloc(nc, 1);
	h->added = calloc(nc, 1);
	h->comp = malloc(nc * sizeof(*h->comp));
	h->ldual = calloc(nl, sizeof(*h->ldual));
	if ((h->lasthi = malloc(nc * sizeof(*h->lasthi))) != NULL)
		for (size_t c = 0; c < nc; c++)
			h->lasthi[c] = -1.0;
	if (h->ldual == NULL || h->lasthi == NULL ||h->nsup == NULL || h->nprim == NULL || h->ssum == NULL ||
	    h->inq == NULL || h->queue == NULL || h->todo == NULL ||
	    h->added == NULL || h->comp == NULL ||
	    bp__sup_index_build(p, &h->ix) != 0) {
		bp__heur_free(h);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/*
 * Whether line l still needs a complement.  Two per line: a line holding
 * one suppressed cell gives it away.  Room: when the total is published, a
 * primary member can only grow as much as the other suppressed members can
 * shrink, down to 0; so their sum must reach min_cell (a necessary
 * condition of the LP audit, checked here cheaply).  The plain baseline
 * knows only the first rule.
 */
static bool
line_open(const struct heur *h, size_t l)
{
	const struct bp_sup_problem *p = h->p;

	if (h->nsup[l] == 1) {
		/* lean: a lone hidden cell that is not small is left for the LP
		 * (derivable, it gives nothing small away) */
		size_t t = p->mem[p->cstart[l]];
		return !p->by_cost || h->nprim[l] > 0 ||
		    (bp__sup_hidden(p, t) && p->state[t] == BP_SUP_PRIMARY);
	}
	if (h->plain || h->nprim[l] == 0 || bp__sup_hidden(p, p->mem[p->cstart[l]]))
		return false;
	/* lean, zeros shown: each other hidden member is at least 1, so a
	 * small one can reach no more than the hidden sum less the others */
	if (p->by_cost && !h->suppress_zero)
		return h->ssum[l] < h->min_cell + h->nsup[l] - 1;
	return h->ssum[l] < h->min_cell;
}

static void
queue_push(struct heur *h, size_t l)
{
	if (h->inq[l])
		return;
	h->inq[l] = 1;
	h->queue[(h->qhead + h->qlen++) % h->p->ncons] = l;
}

static size_t
queue_pop(struct heur *h)
{
	size_t l = h->queue[h->qhead];

	h->qhead = (h->qhead + 1) % h->p->ncons;
	h->qlen--;
	h->inq[l] = 0;
	return l;
}

/* Suppresses cell c for reason s; the lines it leaves open join the queue. */
void
bp__heur_hide(struct heur *h, size_t c, enum bp_sup_state s)
{
	const struct bp_sup_problem *p = h->p;
	size_t i, l;

	h->p->state[c] = (unsigned char)s;
	h->todo[c] = (unsigned char)bp__sup_needs(p, c);
	for (i = h->ix.lstart[c]; i < h->ix.lstart[c + 1]; i++) {
		l = h->ix.lines[i];
		h->nsup[l]++;
		if (p->mem[p->cstart[l]] != c) {
			h->ssum[l] += p->value[c];
			h->nprim[l] += s == BP_SUP_PRIMARY;
		}
		if (line_open(h, l))
			queue_push(h, l);
	}
}

/*
 * Clears every state and marks the primary cells.  Unprinted cells are
 * hidden too, but left out of the line counts: a line whose total is
 * unprinted is treated as if that total were known, and the LP audit,
 * which knows better, settles the rest.
 */
static void
mark_primary(struct heur *h, unsigned min_cell)
{
	struct bp_sup_problem *p = h->p;
	size_t c;

	if (p->ncell)   /* an empty problem has no arrays (NULL) */
		memset(p->state, BP_SUP_PUBLISHED, p->ncell);
	for (c = 0; c < p->ncell; c++) {
		if (p->flags[c] & BP_SUP_SLACK) {
			bp__heur_hide(h, c, BP_SUP_SECONDARY);
			continue;
		}
		if (p->flags[c] & BP_SUP_UNPRINTED) {
			p->state[c] = BP_SUP_SECONDARY;
			continue;
		}
		if (p->flags[c] & BP_SUP_FIXED)
			continue;
		if ((p->value[c] >= 1 && p->value[c] < min_cell) ||
		    (p->value[c] == 0 && h->suppress_zero) || (p->need && p->need[c]))
			bp__heur_hide(h, c, BP_SUP_PRIMARY);
	}
}



int
bp_sup_weigh(struct bp_sup_problem *p, size_t cell, uint16_t weight)
{
	if (cell >= p->ncell) {
		errno = EINVAL;
		return -1;
	}
	if (p->weight == NULL) {
		if (weight <= 1)
			return 0;
		if ((p->weight = calloc(p->capcell ? p->capcell : 1, sizeof(*p->weight))) == NULL)
			return -1;
	}
	p->weight[cell] = weight;
	return 0;
}

int
bp_sup_set_need(struct bp_sup_problem *p, size_t cell, uint32_t need)
{
	if (cell >= p->ncell) {
		errno = EINVAL;
		return -1;
	}
	if (p->need == NULL) {
		if (need == 0)
			return 0;
		if ((p->need = calloc(p->capcell ? p->capcell : 1, sizeof(*p->need))) == NULL)
			return -1;
	}
	p->need[cell] = need;
	return 0;
}

uint32_t
bp_sup_need_of(const struct bp_sup_problem *p, size_t cell)
{
	return p->need && cell < p->ncell ? p->need[cell] : 0;
}

/* A candidate complement and what choosing it would do. */
struct cand {
	size_t cell;
	uint64_t value;
	uint64_t closes;           /* open lines it closes (>= 1) */
	size_t opens;              /* empty lines it opens */
};

static void
cand_eval(const struct heur *h, size_t c, struct cand *k)
{
	size_t i, n;

	k->cell = c;
	k->value = bp__heur_cost(h->p, c);
	k->closes = 0;
	k->opens = 0;
	for (i = h->ix.lstart[c]; i < h->ix.lstart[c + 1]; i++) {
		n = h->nsup[h->ix.lines[i]];
		k->closes += line_open(h, h->ix.lines[i]);
		k->opens += n == 0;
	}
	if (k->closes == 0)
		k->closes = 1;
}

/*
 * Whether a is a better complement than b: less value per closed line, then
 * fewer opened lines, then the lower index.  The plain baseline only looks
 * at the value (then the index).
 */
static bool
cand_better(const struct heur *h, const struct cand *a, const struct cand *b)
{
	uint64_t x, y;

	if (h->plain) {
		if (a->value != b->value)
			return a->value < b->value;
		return a->cell < b->cell;
	}
	x = a->value * b->closes;
	y = b->value * a->closes;
	if (x != y)
		return x < y;
	if (a->opens != b->opens)
		return a->opens < b->opens;
	return a->cell < b->cell;
}


/* Closes open line l with its best complement, if it has any. */
static void
close_line(struct heur *h, size_t l)
{
	const struct bp_sup_problem *p = h->p;
	struct cand best = { 0 }, k;
	size_t i, c;
	bool found = false;

	for (i = p->cstart[l]; i < p->cstart[l + 1]; i++) {
		c = p->mem[i];
		if (!bp__heur_eligible(h, c))
			continue;
		cand_eval(h, c, &k);
		if (!found || cand_better(h, &k, &best)) {
			best = k;
			found = true;
		}
	}
	if (found)
		bp__heur_hide(h, best.cell, bp__heur_reason(p, l));
}

/* The line pass: closes open lines until none is left (or can be). */
static void
run_lines(struct heur *h)
{
	size_t l;

	while (h->qlen > 0) {
		l = queue_pop(h);
		if (line_open(h, l))
			close_line(h, l);
	}
}

/* Seconds on the monotonic clock (BPAGG_DEBUG_ROUNDS timings). */
static double
wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Audits the components changed since the last audit, then repairs. */
int
bp__heur_audit_loop(struct heur *h, unsigned min_cell)
{
	struct bp_sup_bad *bad = NULL;
	size_t nbad = 0, nround = 0;
	int ret = -1;
	const struct bp_sup_stats *st = &bp__sup_stats;
	bool debug = getenv("BPAGG_DEBUG_SUPPRESS") != NULL;

	memset(&bp__sup_stats, 0, sizeof(bp__sup_stats));
	double t0 = wall_now();

	for (;;) {
		nround++;
		run_lines(h);
		if (bp__sup_audit_run(h->p, &h->ix, min_cell, h->todo, h->comp,
		    &bad, &nbad) != 0) {
			/* out of memory stays so, though the budget be spent */
			if (errno != ENOMEM && !bp__sup_spent(h->p))
				errno = EINVAL;
			goto out;
		}
		if (debug && getenv("BPAGG_DEBUG_ROUNDS"))
			fprintf(stderr, "  round %zu %.2fs bad %zu solves %lu many %lu pivots %lu "
			    "compcells %lu hidden %zu\n", nround, wall_now() - t0, nbad, st->solves, st->many,
			    st->pivots, st->compcells,
			    h->p->ncell - bp_sup_count(h->p, BP_SUP_PUBLISHED));
		if (nbad == 0)
			break;
		size_t added = bp__heur_repair(h, bad, nbad, min_cell);
		/* a complement not found for want of memory: the pattern would
		 * not be the one an audit re-derives */
		if (h->oom) {
			errno = ENOMEM;
			goto out;
		}
		if (added == 0) {
			if (debug)
				for (size_t i = 0; i < nbad && i < 5; i++)
					fprintf(stderr, "  unsafe cell %zu (value %u): [%g, %g]\n",
					    bad[i].cell, h->p->value[bad[i].cell], bad[i].lo, bad[i].hi);
			errno = EDOM;
			goto out;
		}
		bp__sup_bad_free(bad, nbad);
		bad = NULL;
		if (h->cost_cap && bp__heur_pattern_cost(h->p) > h->cost_cap) {
			errno = ERANGE;
			goto out;
		}
	}
	ret = 0;
out:
	if (debug)
		fprintf(stderr, "  bp_suppress: cells %zu primary %zu rounds %zu solves %lu "
		    "many %lu pivots %lu comps %lu compcells %lu chunked %lu hidden %zu\n",
		    h->p->ncell, bp_sup_count(h->p, BP_SUP_PRIMARY), nround, st->solves,
		    st->many, st->pivots, st->comps, st->compcells, st->chunked,
		    h->p->ncell - bp_sup_count(h->p, BP_SUP_PUBLISHED));
	bp__sup_bad_free(bad, nbad);
	return ret;
}

int
bp_suppress(struct bp_sup_problem *p, unsigned min_cell, bool suppress_zero)
{
	struct heur h;
	int ret;

	if (bp__heur_init(&h, p, min_cell, suppress_zero, false) != 0)
		return -1;
	mark_primary(&h, min_cell);
	ret = bp__heur_audit_loop(&h, min_cell);
	bp__heur_free(&h);
	return ret;
}

int
bp_suppress_plain(struct bp_sup_problem *p, unsigned min_cell, bool suppress_zero)
{
	struct heur h;

	if (bp__heur_init(&h, p, min_cell, suppress_zero, true) != 0)
		return -1;
	mark_primary(&h, min_cell);
	run_lines(&h);
	bp__heur_free(&h);
	return 0;
}

/* Loads the line counts of the states already set (unprinted cells do not
 * count, as in bp_suppress) and queues the open lines. */
void
bp__heur_load(struct heur *h)
{
	struct bp_sup_problem *p = h->p;
	size_t c, l;

	for (c = 0; c < p->ncell; c++) {
		if (p->state[c] == BP_SUP_PUBLISHED ||
		    (p->flags[c] & (BP_SUP_UNPRINTED | BP_SUP_SLACK)) == BP_SUP_UNPRINTED)
			continue;
		h->todo[c] = (unsigned char)bp__sup_needs(p, c);
		for (size_t i = h->ix.lstart[c]; i < h->ix.lstart[c + 1]; i++) {
			l = h->ix.lines[i];
			h->nsup[l]++;
			if (p->mem[p->cstart[l]] != c) {
				h->ssum[l] += p->value[c];
				h->nprim[l] += p->state[c] == BP_SUP_PRIMARY;
			}
		}
	}
	for (l = 0; l < p->ncons; l++)
		if (line_open(h, l))
			queue_push(h, l);
}

/*
 * The line pass from the states already set (by hand, or by an earlier
 * run): every line holding exactly one hidden cell gets another, chosen as
 * bp_suppress chooses, until none is left.  States are kept; cells are only
 * added.
 */
int
bp_sup_close_lines(struct bp_sup_problem *p, unsigned min_cell, bool suppress_zero)
{
	struct heur h;

	if (bp__heur_init(&h, p, min_cell, suppress_zero, false) != 0)
		return -1;
	bp__heur_load(&h);
	run_lines(&h);
	bp__heur_free(&h);
	return 0;
}

/*
 * bp_suppress from the states already set: the small cells not yet hidden
 * are hidden, then lines and audit as in bp_suppress.  For
 * a pattern that is nearly safe (e.g. put together from smaller problems),
 * far cheaper than starting over.  States are only added to.
 */
int
bp_sup_repair(struct bp_sup_problem *p, unsigned min_cell, bool suppress_zero)
{
	struct heur h;
	size_t c;
	int ret;

	if (bp__heur_init(&h, p, min_cell, suppress_zero, false) != 0)
		return -1;
	for (c = 0; c < p->ncell; c++)
		if (p->flags[c] & BP_SUP_UNPRINTED)
			p->state[c] = BP_SUP_SECONDARY;
	bp__heur_load(&h);
	for (c = 0; c < p->ncell; c++) {
		if (p->state[c] != BP_SUP_PUBLISHED || (p->flags[c] & BP_SUP_FIXED))
			continue;
		if ((p->value[c] >= 1 && p->value[c] < min_cell) ||
		    (p->value[c] == 0 && suppress_zero) || (p->need && p->need[c]))
			bp__heur_hide(&h, c, BP_SUP_PRIMARY);
	}
	ret = bp__heur_audit_loop(&h, min_cell);
	if (ret == 0 && p->cleanup) {
		size_t tried, freed;
		double t0 = wall_now();
		unsigned long s0 = bp__sup_stats.solves;
		ret = bp__heur_cleanup(&h, min_cell, &tried, &freed);
		if (getenv("BPAGG_DEBUG_SUPPRESS"))
			fprintf(stderr, "  cleanup: %zu complements tried, %zu published again, "
			    "%lu solves, %.2fs\n", tried, freed, bp__sup_stats.solves - s0,
			    wall_now() - t0);
	}
	/* Release model 16: costly complements exchanged for cheaper ones. */
	if (ret == 0 && p->cleanup && p->xtry) {
		size_t tried, kept;
		double t0 = wall_now();
		ret = bp__heur_exchange(&h, min_cell, &tried, &kept);
		if (getenv("BPAGG_DEBUG_SUPPRESS"))
			fprintf(stderr, "  exchange: %zu complements tried, %zu exchanged, %.2fs\n",
			    tried, kept, wall_now() - t0);
	}
	bp__heur_free(&h);
	return ret;
}

int
bp_sup_cleanup(struct bp_sup_problem *p, unsigned min_cell, bool suppress_zero)
{
	struct heur h;
	struct bp_sup_bad *bad = NULL;
	size_t nbad = 0, tried, freed;
	int ret = -1;

	if (bp__heur_init(&h, p, min_cell, suppress_zero, false) != 0)
		return -1;
	/* the components, from an audit that must pass */
	if (bp__sup_audit_run(p, &h.ix, min_cell, NULL, h.comp, &bad, &nbad) != 0)
		goto out;
	if (nbad > 0) {
		errno = EDOM;
		goto out;
	}
	ret = bp__heur_cleanup(&h, min_cell, &tried, &freed);
out:
	bp__sup_bad_free(bad, nbad);
	bp__heur_free(&h);
	return ret;
}

int
bp_sup_audit(const struct bp_sup_problem *p, unsigned min_cell, size_t *bad)
{
	struct bp_sup_index ix;
	struct bp_sup_bad *v = NULL;
	size_t *comp = NULL, nbad = 0;
	int ret = -1;

	if (bad != NULL)
		*bad = SIZE_MAX;
	if (bp__sup_index_build(p, &ix) != 0)
		return -1;
	if ((comp = malloc((p->ncell ? p->ncell : 1) * sizeof(*comp))) == NULL)
		goto out;
	if (bp__sup_audit_run(p, &ix, min_cell, NULL, comp, &v, &nbad) != 0)
		goto out;
	if (nbad > 0) {
		if (bad != NULL)
			*bad = v[0].cell;
		goto out;
	}
	ret = 0;
out:
	bp__sup_bad_free(v, nbad);
	free(comp);
	bp__sup_index_free(&ix);
	return ret;
}

int
bp_sup_interval(const struct bp_sup_problem *p, size_t cell, double *lo, double *hi)
{
	struct bp_sup_index ix;
	int ret;

	if (cell >= p->ncell)
		return -1;
	if (!bp__sup_hidden(p, cell)) {
		*lo = *hi = (double)p->value[cell];
		return 0;
	}
	if (bp__sup_index_build(p, &ix) != 0)
		return -1;
	ret = bp__sup_interval_run(p, &ix, cell, lo, hi);
	bp__sup_index_free(&ix);
	return ret;
}
