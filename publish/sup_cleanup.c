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
 * on its own and kept published only when every primary cell of its
 * component still reaches min_cell in the component's LP (the reader's,
 * as in the audit), else hidden again.  Publishing a cell only splits
 * components, so the primaries of its component as the repair left it are
 * all it can touch, and the components are cleaned one at a time, each on
 * one LP kept across its complements (lpaudit.c).  A complement whose
 * publication gives a primary away through one of its lines alone is
 * skipped without a solve.  A component of more hidden cells than
 * BP_SUP_LOCAL_FROM is left as it is (its audit is a run of local
 * programs, seconds each time).  The order and every LP answer are
 * deterministic: the same problem gives the same pattern.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lpaudit.h"
#include "sup_heur.h"

struct cand {
	size_t comp;
	uint64_t cost;
	size_t cell;
};

/* By component, then costliest first, then by index. */
static int
cand_cmp(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;
	if (a->comp != b->comp)
		return a->comp < b->comp ? -1 : 1;
	if (a->cost != b->cost)
		return a->cost > b->cost ? -1 : 1;
	return a->cell < b->cell ? -1 : a->cell > b->cell;
}

struct reject_ctx {
	const struct heur *h;
	unsigned min_cell;
};

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
line_gives_away(void *ud, size_t c)
{
	const struct reject_ctx *x = ud;
	const struct heur *h = x->h;
	const struct bp_sup_problem *p = h->p;
	unsigned min_cell = x->min_cell;

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
			    bp__sup_col_lo(p, d) + room < bp__sup_need_hi(p, d, min_cell) - BP_SUP_EPS)
				return true;
		}
	}
	return false;
}

int
bp__heur_cleanup(struct heur *h, unsigned min_cell, size_t *tried, size_t *freed)
{
	struct bp_sup_problem *p = h->p;
	size_t n = p->ncell, nc = 0, *size = NULL, *list = NULL;
	struct cand *cand = NULL;
	struct reject_ctx rx = { h, min_cell };
	int ret = -1;

	*tried = *freed = 0;
	/* Bounded by itself (one LP per component, a few solves per
	 * complement): the repair's budget is not spent here. */
	unsigned long budget = p->budget;
	p->budget = 0;
	if (!(size = calloc(n ? n : 1, sizeof(*size))) ||
	    !(cand = malloc((n ? n : 1) * sizeof(*cand))) ||
	    !(list = malloc((n ? n : 1) * sizeof(*list)))) {
		errno = ENOMEM;
		goto out;
	}
	/* h->comp: the components of the repair's last audit */
	for (size_t c = 0; c < n; c++)
		if (bp__sup_hidden(p, c) && h->comp[c] != SIZE_MAX)
			size[h->comp[c]]++;
	for (size_t c = 0; c < n; c++) {
		size_t k = h->comp[c];
		if (k != SIZE_MAX && bp__heur_may_publish(p, c) && size[k] <= BP_SUP_LOCAL_FROM &&
		    (!h->only || h->only[c]))
			cand[nc++] = (struct cand){ k, bp__heur_cost(p, c), c };
	}
	qsort(cand, nc, sizeof(*cand), cand_cmp);
	for (size_t i = 0, j; i < nc; i = j) {
		for (j = i; j < nc && cand[j].comp == cand[i].comp; j++)
			list[j - i] = cand[j].cell;
		if (bp__sup_cleanup_comp(p, &h->ix, cand[i].comp, list, j - i, min_cell,
		    line_gives_away, &rx, freed) != 0)
			goto out;
		*tried += j - i;
	}
	ret = 0;
out:
	p->budget = budget;
	free(size);
	free(cand);
	free(list);
	return ret;
}
