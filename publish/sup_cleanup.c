/*
 * sup_cleanup.c - after the repair, publishes again each complement the
 * protection turns out not to need (bp_sup_set_cleanup; release model 5).
 *
 * The line pass and the repair only ever add cells, each chosen for the
 * unsafe cells of its round; a cell hidden early (or by the groups' own
 * patterns the release model starts from) may be needed by none of them
 * once the rest is in place.  So the complements are tried in order of
 * what they cost the reader (weight x count, largest first: national and
 * large cells before small kommune cells; then by index), each published
 * on its own and kept published only when the LP audit of its component
 * (every primary cell in it, under the same rule as the repair's audit)
 * still passes.  Publishing a cell only splits components, so the
 * primaries of its component as the repair left it are all it can touch.
 * A component of more hidden cells than BP_SUP_LOCAL_FROM is left as it
 * is (its audit is a run of local programs, seconds each time).  The
 * order and every audit are deterministic: the same problem gives the same
 * pattern.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lpaudit.h"
#include "sup_heur.h"

struct cand {
	size_t cell;
	uint64_t cost;
};

static int
cand_cmp(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;
	if (a->cost != b->cost)
		return a->cost > b->cost ? -1 : 1;
	return a->cell < b->cell ? -1 : a->cell > b->cell;
}

/* Whether cell c is a complement the cleanup may publish again. */
static bool
may_publish(const struct bp_sup_problem *p, size_t c)
{
	return (p->state[c] == BP_SUP_SECONDARY || p->state[c] == BP_SUP_LINKED) &&
	    !(p->flags[c] & (BP_SUP_FIXED | BP_SUP_UNPRINTED | BP_SUP_KEEP));
}

/*
 * The hidden cells of each component of h->comp (the last audit's): those
 * of component id k (its smallest cell index) are at[start[k] ..
 * start[k + 1]).  Both arrays are new; the caller frees them, also after a
 * failure (-1, ENOMEM).
 */
static int
comp_lists(const struct heur *h, size_t **start, size_t **at)
{
	const struct bp_sup_problem *p = h->p;
	size_t n = p->ncell;

	*start = calloc(n + 1, sizeof(**start));
	*at = malloc((n ? n : 1) * sizeof(**at));
	if (!*start || !*at)
		return -1;
	for (size_t c = 0; c < n; c++)
		if (bp__sup_hidden(p, c) && h->comp[c] != SIZE_MAX)
			(*start)[h->comp[c] + 1]++;
	for (size_t k = 0; k < n; k++)
		(*start)[k + 1] += (*start)[k];
	size_t *fill = malloc((n ? n : 1) * sizeof(*fill));
	if (!fill)
		return -1;
	memcpy(fill, *start, n * sizeof(*fill));
	for (size_t c = 0; c < n; c++)
		if (bp__sup_hidden(p, c) && h->comp[c] != SIZE_MAX)
			(*at)[fill[h->comp[c]]++] = c;
	free(fill);
	return 0;
}

/*
 * Whether publishing c (already marked published) gives a primary cell away
 * through one of c's lines alone, so that no LP need be built: the line's
 * one hidden cell is primary, or, its total published, a hidden primary
 * member can reach no more than its own lower bound plus what the other
 * hidden members can give up (each down to its lower bound), and that is
 * below min_cell.  A necessary condition of the audit; the LP judges the
 * rest.
 */
static bool
line_gives_away(const struct heur *h, size_t c, unsigned min_cell)
{
	const struct bp_sup_problem *p = h->p;

	for (size_t i = h->ix.lstart[c]; i < h->ix.lstart[c + 1]; i++) {
		size_t l = h->ix.lines[i], t = p->mem[p->cstart[l]], nh = 0, last = 0;
		double room = 0.0;
		for (size_t k = p->cstart[l]; k < p->cstart[l + 1]; k++) {
			size_t d = p->mem[k];
			if (!bp__sup_hidden(p, d))
				continue;
			nh++;
			last = d;
			if (d != t)
				room += (double)p->value[d] - bp__sup_col_lo(p, d);
		}
		if (nh == 1 && p->state[last] == BP_SUP_PRIMARY)
			return true;
		if (bp__sup_hidden(p, t))
			continue;
		for (size_t k = p->cstart[l] + 1; k < p->cstart[l + 1]; k++) {
			size_t d = p->mem[k];
			if (p->state[d] == BP_SUP_PRIMARY &&
			    bp__sup_col_lo(p, d) + room < (double)min_cell - BP_SUP_EPS)
				return true;
		}
	}
	return false;
}

int
bp__heur_cleanup(struct heur *h, unsigned min_cell, size_t *tried, size_t *freed)
{
	struct bp_sup_problem *p = h->p;
	size_t n = p->ncell, *start = NULL, *at = NULL, *comp2 = NULL, nc = 0, nbad = 0;
	struct cand *cand = NULL;
	unsigned char *todo = NULL;
	struct bp_sup_bad *bad = NULL;
	int ret = -1;

	*tried = *freed = 0;
	/* Bounded by itself (an audit of a small component per complement):
	 * the repair's budget is not spent here. */
	unsigned long budget = p->budget;
	p->budget = 0;
	if (comp_lists(h, &start, &at) < 0 ||
	    !(comp2 = malloc((n ? n : 1) * sizeof(*comp2))) ||
	    !(cand = malloc((n ? n : 1) * sizeof(*cand))) ||
	    !(todo = calloc(n ? n : 1, 1)))
		goto out;
	for (size_t c = 0; c < n; c++) {
		size_t k = h->comp[c];
		if (k != SIZE_MAX && may_publish(p, c) &&
		    start[k + 1] - start[k] <= BP_SUP_LOCAL_FROM)
			cand[nc++] = (struct cand){ c, bp__heur_cost(p, c) };
	}
	qsort(cand, nc, sizeof(*cand), cand_cmp);
	for (size_t i = 0; i < nc; i++) {
		size_t c = cand[i].cell, k = h->comp[c];
		unsigned char was = p->state[c];
		bool any = false;
		p->state[c] = BP_SUP_PUBLISHED;
		if (line_gives_away(h, c, min_cell)) {
			p->state[c] = was;
			continue;
		}
		for (size_t j = start[k]; j < start[k + 1]; j++)
			if (p->state[at[j]] == BP_SUP_PRIMARY)
				todo[at[j]] = 1, any = true;
		int rc = any ? bp__sup_audit_run(p, &h->ix, min_cell, todo, comp2, &bad, &nbad) : 0;
		for (size_t j = start[k]; j < start[k + 1]; j++)
			todo[at[j]] = 0;
		(*tried)++;
		if (rc != 0) {
			p->state[c] = was;
			errno = errno == ENOMEM ? ENOMEM : EINVAL;
			goto out;
		}
		if (nbad > 0)
			p->state[c] = was;
		else
			(*freed)++;
		bp__sup_bad_free(bad, nbad);
		bad = NULL;
		nbad = 0;
	}
	ret = 0;
out:
	p->budget = budget;
	bp__sup_bad_free(bad, nbad);
	free(start);
	free(at);
	free(comp2);
	free(cand);
	free(todo);
	return ret;
}
