/*
 * release_areas.c - the per-area check of release_joint.c (model 7 on):
 * each area's program and its check, the areas on the cores.
 *
 * Each area's program holds only that area's printed cells (a model cell
 * is one area's quantity), and an area's check reads and hides only those.
 * So the areas are independent: each runs on its own copy of the scratch
 * of struct joint, in any thread, and the release is the same as when
 * they run one after the other in area order.  That is checked, not
 * assumed: when some model cell is printed by two areas, the areas run one
 * after the other.  The classes of every family are made first (they are
 * made on first use, into the shared struct joint), the work counters are
 * summed in area order, and the error is that of the lowest failing area.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lpaudit.h"
#include "release_joint.h"
#include "suppress.h"

/* The columns and printed rows of area i (and the coupling of its
 * families).  0 or -1 (ENOMEM). */
static int
area_rows(struct joint *J, glp_prob *lp, size_t i, size_t *seen)
{
	int l = bp__joint_level(J, J->T->a[i].level);

	if (bp__joint_columns(J, lp, i, l) < 0)
		return -1;
	for (size_t g = 0; g < J->T->nind; g++) {
		if (bp__joint_printed(J, lp, i, l, g, seen, i + 1) < 0)
			return -1;
		bp__joint_coupling(J, lp, i, l, g);
	}
	if (J->T->s.model_version >= 19 && bp__joint_heavy(J, lp, i, i + 1) < 0)
		return -1;
	if (bp__joint_ages(J, lp, i, i + 1) < 0)
		return -1;
	return bp__joint_index(J, lp, i, i + 1);
}

/* Area i's program and its check.  0 or -1 (errno). */
static int
check_area(struct joint *J, size_t i, size_t *seen, size_t *list)
{
	glp_prob *lp = glp_create_prob();
	int ret = -1;

	errno = ENOMEM;
	for (size_t f = 0; f < J->nfam; f++)
		J->base[i * J->nfam + f] = -1;
	J->nrow = 0;
	if (area_rows(J, lp, i, seen) < 0)
		goto out;
	size_t np = 0;
	for (size_t k = 0; k < J->nrow; k++)
		if (bp__joint_to_raise(J, lp, k))
			list[np++] = k;
	ret = 0;
	if (np > 0 && glp_get_num_cols(lp) > 0) {
		J->primaries += np;
		/* model 21: without what the printed zeros rule out */
		if (J->T->s.model_version >= 21 && bp__joint_drop_zeros(J, lp, list, np, NULL, 0) < 0) {
			ret = -1;
			goto out;
		}
		glp_adv_basis(lp, 0);
		/* the matrix by column (after the crash basis, which reads
		 * the rows): the same pivots, each solve's set-up faster */
		ret = bp__sup_lp_compact(lp);
		if (ret == 0)
			ret = bp__joint_protect(J, lp, list, np);
	}
out:
	glp_delete_prob(lp);
	return ret;
}

struct area_job {
	int rc, err;
	size_t hidden, primaries, checked;
	struct bp_sup_stats stats;  /* what its check did, from zero */
};

struct area_run {
	const struct joint *J;
	const size_t *todo;         /* the areas to check, in area order */
	size_t ntodo, next;
	struct area_job *job;
	size_t ncell;
	pthread_mutex_t mu;
};

/* Frees what worker_init gave W (not the shared parts of J). */
static void
worker_free(struct joint *W, size_t *seen, size_t *list)
{
	free(W->stamp);
	free(W->newid);
	free(W->ys);
	free(W->set);
	free(W->base);
	free(W->cell);
	free(W->lprow);
	free(W->where);
	free(W->ind);
	free(W->val);
	free(W->obj);
	bp__joint_memo_free(W);
	free(seen);
	free(list);
}

/* W: J's tables, model and classes, with scratch of its own (freed by
 * worker_free, also when this fails); *seen and *list: room for ncell
 * rows.  0 or -1 (ENOMEM). */
static int
worker_init(struct joint *W, const struct joint *J, size_t ncell, size_t **seen,
    size_t **list)
{
	size_t room = 2 * J->natom + 2, n = ncell ? ncell : 1;

	*W = *J;
	W->stamp = calloc(room, sizeof(*W->stamp));
	W->newid = malloc(room * sizeof(*W->newid));
	W->ys = malloc((J->natom + 1) * sizeof(*W->ys));
	W->set = malloc(J->words * sizeof(*W->set));
	W->base = malloc(J->T->na * J->nfam * sizeof(*W->base));
	W->cell = NULL;
	W->lprow = NULL;
	W->where = NULL;
	W->ind = NULL;
	W->val = W->obj = NULL;
	W->memo = NULL;
	W->nrow = W->caprow = 0;
	W->tick = 0;
	W->primaries = W->checked = W->hidden = 0;
	*seen = calloc(n, sizeof(**seen));
	*list = malloc(n * sizeof(**list));
	if (!W->stamp || !W->newid || !W->ys || !W->set || !W->base || !*seen || !*list ||
	    bp__joint_row_room(W, 1) < 0)
		return -1;
	return 0;
}

static void
area_worker(void *arg)
{
	struct area_run *R = arg;
	struct joint W;
	size_t *seen, *list;
	int term = glp_term_out(GLP_OFF);
	bool ok = worker_init(&W, R->J, R->ncell, &seen, &list) == 0;

	for (;;) {
		pthread_mutex_lock(&R->mu);
		size_t k = R->next++;
		pthread_mutex_unlock(&R->mu);
		if (k >= R->ntodo)
			break;
		struct area_job *a = &R->job[k];
		if (!ok) {
			a->rc = -1, a->err = ENOMEM;
			continue;
		}
		memset(&bp__sup_stats, 0, sizeof(bp__sup_stats));
		W.primaries = W.checked = W.hidden = 0;
		a->rc = check_area(&W, R->todo[k], seen, list);
		a->err = errno;
		a->stats = bp__sup_stats;
		a->hidden = W.hidden;
		a->primaries = W.primaries;
		a->checked = W.checked;
	}
	worker_free(&W, seen, list);
	glp_term_out(term);
}

/* Whether no model cell is printed by two of the areas todo[0..n). */
static bool
areas_apart(const struct joint *J, const size_t *todo, size_t n)
{
	const struct bp_tables *T = J->T;
	size_t ncell = bp_sup_ncells(J->M), *owner = malloc((ncell ? ncell : 1) * sizeof(*owner));
	bool apart = owner != NULL;

	for (size_t c = 0; apart && c < ncell; c++)
		owner[c] = SIZE_MAX;
	for (size_t q = 0; apart && q < n; q++) {
		size_t i = todo[q];
		for (size_t g = 0; apart && g < T->nind; g++)
			for (size_t b = 0; apart && b < bp_n_breakdowns(); b++) {
				if (!table_on(T, T->a[i].level, g, b))
					continue;
				for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++)
					for (size_t r = 0; r <= bp_indicator_at(g)->ncat; r++) {
						size_t row = bp__rel_row_of(T, i, g, b, v, r), c;
						if (row == SIZE_MAX || (c = J->R->rowcell[row]) >= ncell)
							continue;
						if (owner[c] != SIZE_MAX && owner[c] != i)
							apart = false;
						owner[c] = i;
					}
			}
	}
	free(owner);
	return apart;
}

/* The classes of every family that is on, at every level: made here, so
 * that the threads only read them.  0 or -1 (ENOMEM). */
static int
all_classes(struct joint *J)
{
	for (int l = 0; l < J->nlv; l++)
		for (size_t f = 0; f < J->nfam; f++)
			if (bp__joint_classes(J, l, f) < 0)
				return -1;
	return 0;
}

int
bp__joint_check_areas(struct joint *J, size_t *seen, size_t *list)
{
	const struct bp_tables *T = J->T;
	size_t *todo = malloc((T->na ? T->na : 1) * sizeof(*todo)), n = 0;
	int ret = -1;

	if (!todo) {
		errno = ENOMEM;
		return -1;
	}
	for (size_t i = 0; i < T->na; i++)
		if (T->a[i].rows && bp__joint_level(J, T->a[i].level) >= 0 &&
		    (!J->dirty || J->dirty[i]))
			todo[n++] = i;
	if (bp__joint_age_groups_setup(J) < 0) {
		errno = ENOMEM;
		goto out;
	}
	/* the cores but the whole-release check's, when it runs beside: the
	 * release waits for that check, the longer of the two (the areas
	 * are the same in turn as on threads, below) */
	size_t cores = bp_sup_threads() - (J->R->whole_beside && bp_sup_threads() > 1);
	bool threads = cores >= 2 && n >= 2 && areas_apart(J, todo, n);
	if (getenv("BPAGG_DEBUG_SUPPRESS"))
		fprintf(stderr, "  joint check: %zu areas, %s\n", n, threads ? "on threads" : "in turn");
	if (!threads) {
		for (size_t q = 0; q < n; q++)
			if (check_area(J, todo[q], seen, list) < 0)
				goto out;
		ret = 0;
		goto out;
	}
	struct area_run R = { .J = J, .todo = todo, .ntodo = n, .ncell = bp_sup_ncells(J->M) };
	struct bp_sup_stats start = bp__sup_stats;
	if (all_classes(J) < 0 || !(R.job = calloc(n, sizeof(*R.job)))) {
		errno = ENOMEM;
		goto out;
	}
	pthread_mutex_init(&R.mu, NULL);
	bp_sup_pool(area_worker, &R, n < cores ? n : cores);
	pthread_mutex_destroy(&R.mu);
	bp__sup_stats = start;
	ret = 0;
	for (size_t q = 0; q < n; q++) {
		const struct area_job *a = &R.job[q];
		bp__sup_stats.solves += a->stats.solves;
		bp__sup_stats.many += a->stats.many;
		bp__sup_stats.pivots += a->stats.pivots;
		bp__sup_stats.comps += a->stats.comps;
		bp__sup_stats.compcells += a->stats.compcells;
		bp__sup_stats.chunked += a->stats.chunked;
		J->hidden += a->hidden;
		J->primaries += a->primaries;
		J->checked += a->checked;
		if (a->rc < 0 && ret == 0) {
			errno = a->err;
			ret = -1;
		}
	}
	free(R.job);
out:
	free(todo);
	return ret;
}

/* Whether model cell c (SIZE_MAX: none) is hidden now and was not before. */
static bool
newly_hidden(const struct bp_sup_problem *M, const struct bp_sup_problem *before, size_t c)
{
	return c != SIZE_MAX && c < bp_sup_ncells(before) &&
	    bp_sup_state_of(before, c) == BP_SUP_PUBLISHED &&
	    bp_sup_state_of(M, c) != BP_SUP_PUBLISHED;
}

size_t *
bp__rel_line_parents(const struct bp_tables *T)
{
	size_t *up = malloc((T->na ? T->na : 1) * sizeof(*up)), nation = SIZE_MAX;

	if (!up)
		return NULL;
	for (size_t i = 0; i < T->na; i++)
		if (T->a[i].level == BP_LEVEL_NASJONAL && T->a[i].rows)
			nation = i;
	for (size_t i = 0; i < T->na; i++) {
		const struct area *a = &T->a[i];
		size_t p = a->level == BP_LEVEL_KOMMUNE && a->parent != SIZE_MAX &&
		    T->a[a->parent].rows ? a->parent : nation;
		up[i] = a->rows && a->level != BP_LEVEL_NASJONAL && p != SIZE_MAX &&
		    bp__rel_child_level(T, T->a[p].level) == a->level ? p : SIZE_MAX;
	}
	return up;
}

/* The model cell of area j's row (g, b, v, r), or SIZE_MAX. */
static size_t
cell_at(const struct joint *J, size_t j, size_t g, size_t b, size_t v, size_t r)
{
	size_t row = bp__rel_row_of(J->T, j, g, b, v, r);
	return row == SIZE_MAX ? SIZE_MAX : J->R->rowcell[row];
}

/* In pattern S, the least and the most cell c holds: its count when
 * printed, else the rule's least, and the most its table row leaves it
 * (area j's i_alt of (g, b, v) less its other categories, r a category),
 * HUGE_VAL when that is not printed. */
static void
known(const struct joint *J, const struct bp_sup_problem *S, size_t c, size_t j, size_t g,
    size_t b, size_t v, size_t r, double *lo, double *hi)
{
	size_t ncat = bp_indicator_at(g)->ncat, t;

	if (bp_sup_state_of(S, c) == BP_SUP_PUBLISHED) {
		*lo = *hi = bp_sup_value_of(S, c);
		return;
	}
	*lo = bp__sup_col_lo(S, c);
	*hi = HUGE_VAL;
	if (r >= ncat || (t = cell_at(J, j, g, b, v, ncat)) == SIZE_MAX ||
	    bp_sup_state_of(S, t) != BP_SUP_PUBLISHED)
		return;
	double rest = 0.0;
	for (size_t q = 0; q < ncat; q++) {
		size_t o = cell_at(J, j, g, b, v, q);
		if (q == r)
			continue;
		if (o == SIZE_MAX)
			return;
		rest += bp_sup_state_of(S, o) == BP_SUP_PUBLISHED ? bp_sup_value_of(S, o) :
		    bp__sup_col_lo(S, o);
	}
	*hi = bp_sup_value_of(S, t) - rest;
}

/*
 * Model 20: a hidden cell of area i lies within its parent's printed cell
 * less what the parent's other children are known to hold at most, and at
 * least (their printed counts; for a hidden one, the rule's least, and
 * what its own table row leaves it).  The repair's model has those lines,
 * an area's program did not.  From J->lines, the pattern at the round's
 * start (other areas hide cells meanwhile, on other threads), so that the
 * areas whose lines moved are checked again in the next round
 * (bp__rel_changed_areas).
 */
void
bp__joint_line_bounds(const struct joint *J, size_t k, double *lo, double *hi)
{
	const struct bp_tables *T = J->T;
	const struct bp_sup_problem *S = J->lines;
	uint64_t w = J->where[k];
	size_t i = (size_t)(w >> 32), g = w >> 24 & 255, b = w >> 16 & 255, v = w >> 8 & 255;
	size_t r = w & 255, p, c;

	if (!S || J->lines_off || J->whole || g >= T->nind || (int)b == J->by_area ||
	    (p = J->lparent[i]) == SIZE_MAX || (c = cell_at(J, p, g, b, v, r)) == SIZE_MAX ||
	    bp_sup_state_of(S, c) != BP_SUP_PUBLISHED)
		return;
	double top = bp_sup_value_of(S, c), least = 0.0, most = 0.0, l, h;
	for (size_t j = 0; j < T->na; j++) {
		if (j == i || J->lparent[j] != p || T->a[j].level != T->a[i].level)
			continue;
		if ((c = cell_at(J, j, g, b, v, r)) == SIZE_MAX)
			return; /* a sibling that does not print it: no line */
		known(J, S, c, j, g, b, v, r, &l, &h);
		least += l;
		most += h;
	}
	*hi = fmin(*hi, top - least);
	if (most < HUGE_VAL)
		*lo = fmax(*lo, top - most);
}

/* Whether area i's cells hide one that before did not: its counts
 * (counts), or its sums of sums.csv (sums). */
static void
area_changed(const struct bp_tables *T, const struct rel *R, const struct bp_sup_problem *M,
    const struct bp_sup_problem *before, size_t i, bool *counts, bool *sums)
{
	*counts = *sums = false;
	for (size_t g = 0; g < T->ngroup; g++) {
		size_t blk = T->blk[i * T->ngroup + g];
		if (blk == SIZE_MAX)
			continue;
		size_t n = block_rows(T, T->a[i].level, g);
		for (size_t row = blk; row < blk + n; row++) {
			*counts |= newly_hidden(M, before, R->rowcell[row]);
			*sums |= newly_hidden(M, before, R->sumcell[row]);
		}
	}
}

/* An area whose counts changed moves the lines of its siblings and of its
 * children (bp__joint_line_bounds): they are checked again too. */
int
bp__rel_changed_areas(const struct bp_tables *T, const struct rel *R,
    const struct bp_sup_problem *before, unsigned char **dirty)
{
	const struct bp_sup_problem *M = bp_model_problem(R->m);
	size_t *up = bp__rel_line_parents(T);
	unsigned char *moved = malloc(T->na ? T->na : 1);
	int ret = -1;

	if (!up || !moved || (!*dirty && !(*dirty = malloc(T->na ? T->na : 1))))
		goto out;
	for (size_t i = 0; i < T->na; i++) {
		bool counts, sums;
		area_changed(T, R, M, before, i, &counts, &sums);
		moved[i] = counts;
		(*dirty)[i] = counts || sums;
	}
	for (size_t i = 0; i < T->na; i++)
		for (size_t j = 0; moved[i] && j < T->na; j++)
			if (up[j] == i || (up[j] != SIZE_MAX && up[j] == up[i] &&
			    T->a[j].level == T->a[i].level))
				(*dirty)[j] = 1;
	ret = 0;
out:
	free(up);
	free(moved);
	return ret;
}
