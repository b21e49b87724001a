/*
 * suppress.c - primary and secondary (complementary, linked) small-cell
 * suppression over cells tied by additive constraints
 * (shared/spec/privacy.md).  The LP audit is in lpaudit.c.
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
#include "suppress.h"

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
	bool suppress_zero;
	bool plain;                /* baseline: smallest other cell only */
};


static void
heur_free(struct heur *h)
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

static int
heur_init(struct heur *h, struct bp_sup_problem *p, unsigned min_cell,
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
		heur_free(h);
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
static void
hide(struct heur *h, size_t c, enum bp_sup_state s)
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
			hide(h, c, BP_SUP_SECONDARY);
			continue;
		}
		if (p->flags[c] & BP_SUP_UNPRINTED) {
			p->state[c] = BP_SUP_SECONDARY;
			continue;
		}
		if (p->flags[c] & BP_SUP_FIXED)
			continue;
		if ((p->value[c] >= 1 && p->value[c] < min_cell) ||
		    (p->value[c] == 0 && h->suppress_zero))
			hide(h, c, BP_SUP_PRIMARY);
	}
}

static bool
eligible(const struct heur *h, size_t c)
{
	const struct bp_sup_problem *p = h->p;

	return p->state[c] == BP_SUP_PUBLISHED && !(p->flags[c] & BP_SUP_FIXED) &&
	    (p->value[c] > 0 || h->suppress_zero);
}

/* What hiding cell c loses: its count, times its weight (bp_sup_weigh)
 * for a cell that other tables print too, so that such a cell is chosen
 * only when cheaper ones would not do. */
static uint64_t
cost(const struct bp_sup_problem *p, size_t c)
{
	uint64_t v = p->value[c];
	return p->weight && p->weight[c] > 1 ? (v + 1) * p->weight[c] : v;
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
	k->value = cost(h->p, c);
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

static enum bp_sup_state
reason_of(const struct bp_sup_problem *p, size_t line)
{
	return p->kind[line] == BP_CONS_LINK ? BP_SUP_LINKED : BP_SUP_SECONDARY;
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
		if (!eligible(h, c))
			continue;
		cand_eval(h, c, &k);
		if (!found || cand_better(h, &k, &best)) {
			best = k;
			found = true;
		}
	}
	if (found)
		hide(h, best.cell, reason_of(p, l));
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

/*
 * Whether a is a better extra complement than b for a cell missing `need`
 * of room: the smallest cell at least that large, else the largest one.
 */
static bool
extra_better(const struct bp_sup_problem *p, size_t a, size_t b, double need)
{
	bool fa = p->value[a] >= need, fb = p->value[b] >= need;

	if (fa != fb)
		return fa;
	if (cost(p, a) != cost(p, b))
		return fa ? cost(p, a) < cost(p, b) : cost(p, a) > cost(p, b);
	return a < b;
}

/* The best eligible cell on line l, compared with *best; updates it. */
static void
extra_scan_line(const struct heur *h, size_t l, double need, size_t *best,
    size_t *bestline)
{
	const struct bp_sup_problem *p = h->p;
	size_t i, c;

	for (i = p->cstart[l]; i < p->cstart[l + 1]; i++) {
		c = p->mem[i];
		if (!eligible(h, c))
			continue;
		if (*best == SIZE_MAX || extra_better(p, c, *best, need)) {
			*best = c;
			*bestline = l;
		}
	}
}

/*
 * Pricing a published cell d as a new column of the LP that failed bad cell
 * b (the column-generation view): its reduced cost is
 *     r = -sum over d's lines l among b's bounding lines of coef(l, d) * dual(l)
 * (coef +1 for the line's total, -1 for a member).  Once d is a variable,
 * it may rise without limit or fall to 0 from its value; the optimum moves
 * the way b needs when r > 0 for a maximum (d rising; r < 0: d falling),
 * and the other way round for a minimum.  The gain is the first-order
 * estimate of how far b's end moves: unbounded when d may rise that way,
 * |r| * value(d) when it must fall.  Lines of d outside the LP are ignored
 * (optimistic; the line pass and the next audit settle them).
 */
#define GAIN_INF HUGE_VAL

/* Whether line l has a hidden cell other than d and e (SIZE_MAX: none). */
static bool
other_hidden(const struct bp_sup_problem *p, size_t l, size_t d, size_t e)
{
	for (size_t k = p->cstart[l]; k < p->cstart[l + 1]; k++) {
		size_t c = p->mem[k];
		if (c != d && c != e && bp__sup_hidden(p, c))
			return true;
	}
	return false;
}

/* How many lines of cell d, other than line `skip`, would leave d their
 * only hidden cell besides `with` (a cell hidden together with d;
 * SIZE_MAX none): each such line gives d's value away, so hiding d moves
 * nothing until the line gets another hidden cell. */
static size_t
lone_lines(const struct heur *h, size_t d, size_t skip, size_t with)
{
	size_t n = 0;

	for (size_t i = h->ix.lstart[d]; i < h->ix.lstart[d + 1]; i++) {
		size_t l = h->ix.lines[i];
		if (l != skip && !other_hidden(h->p, l, d, with))
			n++;
	}
	return n;
}

/* The cheapest partner for line l, which would leave d its only hidden
 * cell: an eligible member that no other line of its own pins (hidden
 * together with d).  SIZE_MAX when the line has none. */
static size_t
partner(const struct heur *h, size_t l, size_t d)
{
	const struct bp_sup_problem *p = h->p;
	size_t best = SIZE_MAX;

	for (size_t k = p->cstart[l]; k < p->cstart[l + 1]; k++) {
		size_t e = p->mem[k];
		if (e == d || !eligible(h, e))
			continue;
		if (best != SIZE_MAX && (cost(p, e) > cost(p, best) ||
		    (cost(p, e) == cost(p, best) && e > best)))
			continue;
		if (lone_lines(h, e, l, d) == 0)
			best = e;
	}
	return best;
}

/* What hiding d costs with the partners its lone lines need (PAIRS);
 * UINT64_MAX when a lone line has no partner. */
static uint64_t
cost_with_partners(const struct heur *h, size_t d)
{
	const struct bp_sup_problem *p = h->p;
	uint64_t c = cost(p, d);

	for (size_t i = h->ix.lstart[d]; i < h->ix.lstart[d + 1]; i++) {
		size_t l = h->ix.lines[i], e;
		if (other_hidden(p, l, d, SIZE_MAX))
			continue;
		if ((e = partner(h, l, d)) == SIZE_MAX)
			return UINT64_MAX;
		c += cost(p, e);
	}
	return c;
}

/* Hides the partners of the lone lines of d, just hidden (PAIRS); how many. */
static size_t
hide_partners(struct heur *h, size_t d)
{
	const struct bp_sup_problem *p = h->p;
	size_t n = 0;

	for (size_t i = h->ix.lstart[d]; i < h->ix.lstart[d + 1]; i++) {
		size_t l = h->ix.lines[i], e;
		if (other_hidden(p, l, d, SIZE_MAX) || (e = partner(h, l, d)) == SIZE_MAX)
			continue;
		hide(h, e, reason_of(p, l));
		h->added[e] = 1;
		n++;
	}
	return n;
}

static double
extra_gain(const struct heur *h, const struct bp_sup_bad *b, size_t d)
{
	const struct bp_sup_problem *p = h->p;
	double r = 0.0;
	size_t i, l;

	for (i = h->ix.lstart[d]; i < h->ix.lstart[d + 1]; i++) {
		l = h->ix.lines[i];
		if (h->ldual[l] == 0.0)
			continue;
		r -= (p->mem[p->cstart[l]] == d ? 1.0 : -1.0) * h->ldual[l];
	}
	if (fabs(r) < 1e-9)
		return 0.0;
	if ((b->dir > 0) == (r > 0))
		return GAIN_INF;
	return fabs(r) * (double)p->value[d];
}

/* Whether candidate a (gain ga) is better than b (gain gb) for `need`:
 * one that covers the need alone, the smallest such; else the largest gain
 * per unit of value lost; then the lower index. */
static bool
extra_pref(const struct bp_sup_problem *p, size_t a, double ga, uint64_t ca, size_t b,
    double gb, uint64_t cb, double need)
{
	bool fa = ga >= need, fb = gb >= need;
	double x, y;

	if (p->by_cost) {
		/* gain per cost, a gain beyond the need being worth no more */
		x = (fa ? need : ga) * (double)(cb ? cb : 1);
		y = (fb ? need : gb) * (double)(ca ? ca : 1);
		if (x != y)
			return x > y;
		return a < b;
	}
	if (fa != fb)
		return fa;
	if (fa) {
		if (cost(p, a) != cost(p, b))
			return cost(p, a) < cost(p, b);
		return a < b;
	}
	x = ga * (double)(cost(p, b) ? cost(p, b) : 1);
	y = gb * (double)(cost(p, a) ? cost(p, a) : 1);
	if (x != y)
		return x > y;
	return a < b;
}

/*
 * Complements for unsafe primary cell b priced by the duals of its failing
 * end: the cheapest published cells whose estimated gains cover the room b
 * lacks (several at once when none covers it alone).  Skipped when a cell
 * added this round already covers it.  Returns the number of cells hidden.
 */
static size_t
extra_priced(struct heur *h, const struct bp_sup_bad *b, unsigned min_cell)
{
	const struct bp_sup_problem *p = h->p;
	double need, got = 0.0, g, bg;
	size_t i, k, l, c, best, bline = 0, n = 0;
	uint64_t cc, bc = 0;
	bool pairs = p->by_cost >= BP_SUP_PRICE_PAIRS;

	need = b->dir > 0 ? bp__sup_need_hi(p, b->cell, min_cell) - b->hi :
	    b->lo - bp__sup_need_lo(p, b->cell);
	for (k = 0; k < b->nline; k++)
		h->ldual[b->line[k]] = b->dual[k];
	/* A complement added this round for another cell may serve b too. */
	for (k = 0; k < b->nline && got < need; k++) {
		l = b->line[k];
		for (i = p->cstart[l]; i < p->cstart[l + 1]; i++)
			if (h->added[p->mem[i]])
				got += extra_gain(h, b, p->mem[i]);
	}
	if (got > 0.0)
		goto out;
	while (got < need) {
		best = SIZE_MAX;
		bg = 0.0;
		for (k = 0; k < b->nline; k++) {
			l = b->line[k];
			for (i = p->cstart[l]; i < p->cstart[l + 1]; i++) {
				c = p->mem[i];
				if (!eligible(h, c) || (g = extra_gain(h, b, c)) <= 0.0)
					continue;
				cc = pairs ? cost_with_partners(h, c) : cost(p, c);
				if (cc == UINT64_MAX)
					continue;
				if (best == SIZE_MAX || extra_pref(p, c, g, cc, best, bg, bc,
				    need - got)) {
					best = c;
					bg = g;
					bc = cc;
					bline = l;
				}
			}
		}
		if (best == SIZE_MAX)
			break;
		hide(h, best, reason_of(p, bline));
		if (pairs)
			n += hide_partners(h, best);
		h->added[best] = 1;
		got += bg;
		n++;
	}
out:
	for (k = 0; k < b->nline; k++)
		h->ldual[b->line[k]] = 0.0;
	return n;
}

/* Whether a line of cell b already got an extra complement this round. */
static bool
touched_this_round(const struct heur *h, size_t b)
{
	const struct bp_sup_problem *p = h->p;
	size_t i, k, l;

	for (i = h->ix.lstart[b]; i < h->ix.lstart[b + 1]; i++) {
		l = h->ix.lines[i];
		for (k = p->cstart[l]; k < p->cstart[l + 1]; k++)
			if (h->added[p->mem[k]])
				return true;
	}
	return false;
}

/*
 * The blind fallback of PAIRS: the lines nearest to b first (breadth
 * first through its component's hidden cells), the best cell of the
 * nearest ring that has one, a cell that no other line pins before one
 * that some line does.  (The older fallback took the lowest-index cell of
 * the component with any candidate, often a national count.)  Hides it
 * and returns it, SIZE_MAX when none or out of memory.
 */
static size_t
extra_near(struct heur *h, const struct bp_sup_bad *b, double need)
{
	const struct bp_sup_problem *p = h->p;
	size_t *q = malloc(p->ncell * sizeof(*q));
	unsigned char *seen = calloc(p->ncell, 1), *lseen = calloc(p->ncons ? p->ncons : 1, 1);
	size_t head = 0, tail = 0, best = SIZE_MAX, loose = SIZE_MAX, line = 0, lline = 0;

	if (!q || !seen || !lseen)
		goto out;
	q[tail++] = b->cell;
	seen[b->cell] = 1;
	while (head < tail && best == SIZE_MAX) {
		size_t ring = tail;   /* one ring of cells at a time */
		for (; head < ring; head++) {
			size_t c = q[head];
			for (size_t i = h->ix.lstart[c]; i < h->ix.lstart[c + 1]; i++) {
				size_t l = h->ix.lines[i];
				if (lseen[l])
					continue;
				lseen[l] = 1;
				for (size_t k = p->cstart[l]; k < p->cstart[l + 1]; k++) {
					size_t d = p->mem[k];
					if (bp__sup_hidden(p, d)) {
						if (!seen[d])
							seen[d] = 1, q[tail++] = d;
						continue;
					}
					if (!eligible(h, d))
						continue;
					if (lone_lines(h, d, l, SIZE_MAX) == 0) {
						if (best == SIZE_MAX || extra_better(p, d, best, need))
							best = d, line = l;
					} else if (loose == SIZE_MAX || extra_better(p, d, loose, need))
						loose = d, lline = l;
				}
			}
		}
		if (best == SIZE_MAX && loose != SIZE_MAX)
			best = loose, line = lline;
	}
	if (best != SIZE_MAX)
		hide(h, best, reason_of(p, line));
out:
	free(q);
	free(seen);
	free(lseen);
	return best;
}

/*
 * One more complement for unsafe primary cell b (when pricing found none):
 * from b's own lines, else from any line of b's component.  Returns the
 * cell, or SIZE_MAX when no cell may be added.
 */
static size_t
extra_for(struct heur *h, const struct bp_sup_bad *b, unsigned min_cell)
{
	const struct bp_sup_problem *p = h->p;
	double need = fmax(bp__sup_need_hi(p, b->cell, min_cell) - b->hi,
	    b->lo - bp__sup_need_lo(p, b->cell));
	size_t best = SIZE_MAX, line = 0, i, c;

	if (p->by_cost >= BP_SUP_PRICE_PAIRS)
		return extra_near(h, b, need);
	for (i = h->ix.lstart[b->cell]; i < h->ix.lstart[b->cell + 1]; i++)
		extra_scan_line(h, h->ix.lines[i], need, &best, &line);
	for (c = 0; best == SIZE_MAX && c < p->ncell; c++) {
		if (h->comp[c] != b->comp)
			continue;
		for (i = h->ix.lstart[c]; i < h->ix.lstart[c + 1]; i++)
			extra_scan_line(h, h->ix.lines[i], need, &best, &line);
	}
	if (best != SIZE_MAX)
		hide(h, best, reason_of(p, line));
	return best;
}

/*
 * One round of repairs after an audit that found bad cells: for each, the
 * complements its duals price best (extra_priced); when they offer none and
 * only a local program failed it, deeper programs next round; else one
 * complement the old way, unless a line of the cell got one already this
 * round.  Returns the number of cells added and of cells to look at deeper
 * (0: no progress).
 */
static size_t
repair(struct heur *h, const struct bp_sup_bad *bad, size_t nbad,
    unsigned min_cell)
{
	size_t i, c, k, n = 0;

	if (h->p->ncell)
		memset(h->added, 0, h->p->ncell);
	for (i = 0; i < nbad; i++) {
		size_t cell = bad[i].cell;
		/* PAIRS: a local program that failed again as badly after
		 * complements priced from its duals grows instead: cells
		 * fixed at the edge of a neighbourhood can make any new
		 * complement look useful to it and be no use at all. */
		if (h->p->by_cost >= BP_SUP_PRICE_PAIRS && bad[i].local && h->todo[cell] &&
		    h->todo[cell] < BP_SUP_DEPTH_WHOLE && h->lasthi[cell] >= 0.0 &&
		    bad[i].hi <= h->lasthi[cell] + BP_SUP_EPS) {
			h->todo[cell]++;
			h->lasthi[cell] = -1.0;
			n++;
			continue;
		}
		if (bad[i].dir != 0 && (k = extra_priced(h, &bad[i], min_cell)) > 0) {
			n += k;
			if (bad[i].local)
				h->lasthi[cell] = bad[i].hi;
			continue;
		}
		if (touched_this_round(h, bad[i].cell))
			continue;
		/* Only a local program failed, and its duals price nothing:
		 * let the programs of this cell grow (towards its whole
		 * component, exactly the reader's) before adding blindly. */
		if (bad[i].local && h->todo[bad[i].cell] &&
		    h->todo[bad[i].cell] < BP_SUP_DEPTH_WHOLE) {
			h->todo[bad[i].cell]++;
			n++;
			continue;
		}
		if ((c = extra_for(h, &bad[i], min_cell)) == SIZE_MAX)
			continue;
		h->added[c] = 1;
		n++;
	}
	return n;
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
static int
audit_loop(struct heur *h, unsigned min_cell)
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
			if (!bp__sup_spent(h->p))
				errno = errno == ENOMEM ? ENOMEM : EINVAL;
			goto out;
		}
		if (debug && getenv("BPAGG_DEBUG_ROUNDS"))
			fprintf(stderr, "  round %zu %.2fs bad %zu solves %lu many %lu pivots %lu "
			    "compcells %lu hidden %zu\n", nround, wall_now() - t0, nbad, st->solves, st->many,
			    st->pivots, st->compcells,
			    h->p->ncell - bp_sup_count(h->p, BP_SUP_PUBLISHED));
		if (nbad == 0)
			break;
		if (repair(h, bad, nbad, min_cell) == 0) {
			if (debug)
				for (size_t i = 0; i < nbad && i < 5; i++)
					fprintf(stderr, "  unsafe cell %zu (value %u): [%g, %g]\n",
					    bad[i].cell, h->p->value[bad[i].cell], bad[i].lo, bad[i].hi);
			errno = EDOM;
			goto out;
		}
		bp__sup_bad_free(bad, nbad);
		bad = NULL;
	}
	ret = 0;
out:
	if (debug)
		fprintf(stderr, "  bp_suppress: cells %zu primary %zu rounds %zu solves %lu "
		    "many %lu pivots %lu comps %lu compcells %lu hidden %zu\n",
		    h->p->ncell, bp_sup_count(h->p, BP_SUP_PRIMARY), nround, st->solves,
		    st->many, st->pivots, st->comps, st->compcells,
		    h->p->ncell - bp_sup_count(h->p, BP_SUP_PUBLISHED));
	bp__sup_bad_free(bad, nbad);
	return ret;
}

int
bp_suppress(struct bp_sup_problem *p, unsigned min_cell, bool suppress_zero)
{
	struct heur h;
	int ret;

	if (heur_init(&h, p, min_cell, suppress_zero, false) != 0)
		return -1;
	mark_primary(&h, min_cell);
	ret = audit_loop(&h, min_cell);
	heur_free(&h);
	return ret;
}

int
bp_suppress_plain(struct bp_sup_problem *p, unsigned min_cell, bool suppress_zero)
{
	struct heur h;

	if (heur_init(&h, p, min_cell, suppress_zero, true) != 0)
		return -1;
	mark_primary(&h, min_cell);
	run_lines(&h);
	heur_free(&h);
	return 0;
}

/* Loads the line counts of the states already set (unprinted cells do not
 * count, as in bp_suppress) and queues the open lines. */
static void
heur_load(struct heur *h)
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

	if (heur_init(&h, p, min_cell, suppress_zero, false) != 0)
		return -1;
	heur_load(&h);
	run_lines(&h);
	heur_free(&h);
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

	if (heur_init(&h, p, min_cell, suppress_zero, false) != 0)
		return -1;
	for (c = 0; c < p->ncell; c++)
		if (p->flags[c] & BP_SUP_UNPRINTED)
			p->state[c] = BP_SUP_SECONDARY;
	heur_load(&h);
	for (c = 0; c < p->ncell; c++) {
		if (p->state[c] != BP_SUP_PUBLISHED || (p->flags[c] & BP_SUP_FIXED))
			continue;
		if ((p->value[c] >= 1 && p->value[c] < min_cell) ||
		    (p->value[c] == 0 && suppress_zero))
			hide(&h, c, BP_SUP_PRIMARY);
	}
	ret = audit_loop(&h, min_cell);
	heur_free(&h);
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
