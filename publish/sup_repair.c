/*
 * sup_repair.c - the complements the secondary-suppression heuristic adds
 * for a primary cell the LP audit finds unsafe: priced from the duals of
 * the failing program (column generation, one cell or, under PAIRS
 * pricing, a cell with the partners its other lines need, under
 * PAIRS_BLIND a chain of them), else deeper programs, else a blind
 * fallback (the nearest cheap cell under PAIRS; the component's first
 * candidate under the older pricings, kept so that old releases
 * re-derive).  The line pass and the audit loop are in
 * suppress.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lpaudit.h"
#include "sup_heur.h"

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
	if (bp__heur_cost(p, a) != bp__heur_cost(p, b))
		return fa ? bp__heur_cost(p, a) < bp__heur_cost(p, b) : bp__heur_cost(p, a) > bp__heur_cost(p, b);
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
		if (!bp__heur_eligible(h, c))
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

/* The cheapest eligible member of line l other than d (lowest index among
 * equals), SIZE_MAX none; with free_only, only one that no other line of
 * its own pins (hidden together with d): the partner line l needs when it
 * would leave d its only hidden cell. */
static size_t
cheapest_on(const struct heur *h, size_t l, size_t d, bool free_only)
{
	const struct bp_sup_problem *p = h->p;
	size_t best = SIZE_MAX;

	for (size_t k = p->cstart[l]; k < p->cstart[l + 1]; k++) {
		size_t e = p->mem[k];
		if (e == d || !bp__heur_eligible(h, e))
			continue;
		if (best != SIZE_MAX && (bp__heur_cost(p, e) > bp__heur_cost(p, best) ||
		    (bp__heur_cost(p, e) == bp__heur_cost(p, best) && e > best)))
			continue;
		if (!free_only || lone_lines(h, e, l, d) == 0)
			best = e;
	}
	return best;
}

static size_t
partner(const struct heur *h, size_t l, size_t d)
{
	return cheapest_on(h, l, d, true);
}

/* What hiding d costs with the partners its lone lines need (PAIRS);
 * UINT64_MAX when a lone line has no partner.  PAIRS_BLIND counts a lone
 * line without a free partner at its cheapest member instead (close_chain
 * gives that one partners of its own). */
static uint64_t
cost_with_partners(const struct heur *h, size_t d)
{
	const struct bp_sup_problem *p = h->p;
	uint64_t c = bp__heur_cost(p, d);
	bool chain = p->by_cost >= BP_SUP_PRICE_PAIRS_BLIND;

	for (size_t i = h->ix.lstart[d]; i < h->ix.lstart[d + 1]; i++) {
		size_t l = h->ix.lines[i], e;
		if (other_hidden(p, l, d, SIZE_MAX))
			continue;
		if ((e = partner(h, l, d)) == SIZE_MAX && (!chain ||
		    (e = cheapest_on(h, l, d, false)) == SIZE_MAX))
			return UINT64_MAX;
		c += bp__heur_cost(p, e);
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
		bp__heur_hide(h, e, bp__heur_reason(p, l));
		h->added[e] = 1;
		n++;
	}
	return n;
}

/*
 * Hides, for each line that cell d (just hidden) would be the only hidden
 * cell of, a partner: the cheapest eligible member that no other line
 * pins, else the cheapest one, which then gets partners of its own, and so
 * on (at most CHAIN_MAX cells).  Every complement of PAIRS_BLIND gets
 * them: a cell left alone on a line moves nothing, and the model-2 line
 * rule leaves a lone hidden cell that is not small to the LP (which then
 * asked for one useless complement per round).  Returns the cells hidden.
 */
#define CHAIN_MAX 64
static size_t
close_chain(struct heur *h, size_t d)
{
	const struct bp_sup_problem *p = h->p;
	size_t stack[CHAIN_MAX], top = 0, n = 0;

	stack[top++] = d;
	while (top > 0) {
		size_t x = stack[--top];
		for (size_t i = h->ix.lstart[x]; i < h->ix.lstart[x + 1]; i++) {
			size_t l = h->ix.lines[i], best;
			if (other_hidden(p, l, x, SIZE_MAX))
				continue;
			bool bfree = (best = partner(h, l, x)) != SIZE_MAX;
			if (!bfree)
				best = cheapest_on(h, l, x, false);
			if (best == SIZE_MAX || n + 1 >= CHAIN_MAX)
				continue;
			bp__heur_hide(h, best, bp__heur_reason(p, l));
			h->added[best] = 1;
			n++;
			if (!bfree)
				stack[top++] = best;
		}
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
		if (bp__heur_cost(p, a) != bp__heur_cost(p, b))
			return bp__heur_cost(p, a) < bp__heur_cost(p, b);
		return a < b;
	}
	x = ga * (double)(bp__heur_cost(p, b) ? bp__heur_cost(p, b) : 1);
	y = gb * (double)(bp__heur_cost(p, a) ? bp__heur_cost(p, a) : 1);
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
				if (!bp__heur_eligible(h, c) || (g = extra_gain(h, b, c)) <= 0.0)
					continue;
				cc = pairs ? cost_with_partners(h, c) : bp__heur_cost(p, c);
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
		bp__heur_hide(h, best, bp__heur_reason(p, bline));
		if (p->by_cost >= BP_SUP_PRICE_PAIRS_BLIND)
			n += close_chain(h, best);
		else if (pairs)
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

/* Whether a (cost with its partners ca) is a better blind complement than
 * b (cb) for a cell missing `need` (PAIRS_BLIND): one that covers the need
 * alone, the cheapest such; else the most count per cost (so a kommune
 * cell before a national one); then the lower index. */
static bool
blind_better(const struct bp_sup_problem *p, size_t a, uint64_t ca, size_t b, uint64_t cb,
    double need)
{
	bool fa = p->value[a] >= need, fb = p->value[b] >= need;

	if (fa != fb)
		return fa;
	if (fa) {
		if (ca != cb)
			return ca < cb;
		return a < b;
	}
	double x = (double)p->value[a] * (double)(cb ? cb : 1);
	double y = (double)p->value[b] * (double)(ca ? ca : 1);
	if (x != y)
		return x > y;
	return a < b;
}

/*
 * The blind fallback of PAIRS: the lines nearest to b first (breadth
 * first through its component's hidden cells), the best cell of the
 * nearest ring that has one.  PAIRS: a cell that no other line pins before
 * one that some line does (extra_better).  PAIRS_BLIND: every cell priced
 * with the partners its lone lines need (cost_with_partners), which are
 * hidden with it, before a cell some line pins without a partner; the
 * model-3 rule could take a national count that no line pins over a fylke
 * cell that one does.  (The older fallback took the
 * lowest-index cell of the component with any candidate, often a national
 * count.)  Hides it and returns it, SIZE_MAX when none or out of memory.
 */
static size_t
extra_near(struct heur *h, const struct bp_sup_bad *b, double need)
{
	const struct bp_sup_problem *p = h->p;
	size_t *q = malloc(p->ncell * sizeof(*q));
	unsigned char *seen = calloc(p->ncell, 1), *lseen = calloc(p->ncons ? p->ncons : 1, 1);
	size_t head = 0, tail = 0, best = SIZE_MAX, loose = SIZE_MAX, line = 0, lline = 0;
	uint64_t bcost = 0;
	bool priced = p->by_cost >= BP_SUP_PRICE_PAIRS_BLIND;

	if (!q || !seen || !lseen) {
		h->oom = true;   /* not "no cell": the caller says ENOMEM */
		goto out;
	}
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
					if (!bp__heur_eligible(h, d))
						continue;
					uint64_t cc = priced ? cost_with_partners(h, d) : UINT64_MAX;
					if (cc != UINT64_MAX) {
						if (best == SIZE_MAX ||
						    blind_better(p, d, cc, best, bcost, need))
							best = d, bcost = cc, line = l;
					} else if (!priced && lone_lines(h, d, l, SIZE_MAX) == 0) {
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
	if (best != SIZE_MAX) {
		bp__heur_hide(h, best, bp__heur_reason(p, line));
		if (priced)
			close_chain(h, best);
	}
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
		bp__heur_hide(h, best, bp__heur_reason(p, line));
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
size_t
bp__heur_repair(struct heur *h, const struct bp_sup_bad *bad, size_t nbad,
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

