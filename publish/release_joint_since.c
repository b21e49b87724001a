/*
 * release_joint_since.c - republish model 5: the figures that earlier
 * releases of the year printed, in the whole-release check.
 *
 * A reader who holds release A and this release B knows, of every upper
 * figure A printed, what the kommuner of A that did not resubmit count of
 * it (struct since_fig, release_republish.c); with B's figure of the same
 * cell, the difference is the new kommuners'.  Republish model 4 put those
 * differences into the release model table by table, and a reader who
 * takes the new kommuners' persons as one distribution over every table
 * still bounded primary cells of B (bench/republish_sweep.sh: 0301 and 4601
 * in A, 5001 in B, 64 cells, by tables that A and B print at the nation
 * alone).  Here each such figure is a row of the whole release's program,
 * over the columns of the kommuner it counts, fixed at its value: the
 * program then holds the new kommuners' classes exactly as that reader
 * does, and the check hides what the two releases would give away.
 * A base that holds kommuner of both kinds (model 10's fylke, model 12's
 * group) cannot be split: such a figure is left out, and that program
 * knows less than the reader; so model 12 groups only kommuner that moved
 * alike, and model 10 makes each kommune that moved a block of its own
 * (where the program has room), its fylke's block the others.
 *
 * Republish model 7: a figure above the kommuner that the earlier release
 * hid is a row too, free but for the rule's 1, that must still be able to
 * reach min_cell (bench/republish_sweep.sh seed 555: this release printed
 * as 0, as every zero, national figures that one hid as 1, so they were
 * the resubmitted kommune's then, bounded at 9 by its twelve persons; the
 * reader of both releases had nine of the earlier release's cells).  A
 * complement widens it where one can; where none can, this release would
 * give the cell away, and is refused (left_as_is does not keep it).
 */
#include <glpk.h>
#include <stdlib.h>

#include "lpaudit.h"
#include "release_joint.h"

enum { BASE_KEPT, BASE_MOVED, BASE_MIXED };

bool
bp__joint_since_alike(const struct joint *J, size_t k, size_t j)
{
	const struct rel *R = J->R;
	if (J->T->s.republish_model < 5 || R->nsince == 0)
		return true;
	for (size_t q = 0; q < R->nsince_q; q++) {
		const unsigned char *moved = R->since_moved + q * J->T->na;
		if (!moved[k] != !moved[j])
			return false;
	}
	return true;
}

/* Whether the kommuner of base k are all in the figure (BASE_KEPT: none
 * moved since the earlier release), all out of it (BASE_MOVED: each new or
 * resubmitted, the figure counts them so), or some of each. */
static int
base_kind(const struct joint *J, const unsigned char *moved, size_t k)
{
	const struct bp_tables *T = J->T;
	const struct area *K = &T->a[k];
	size_t kept = 0, out = 0;

	if (K->level == BP_LEVEL_KOMMUNE && !(J->gn && J->gn[k] > 1))
		return moved[k] ? BASE_MOVED : BASE_KEPT;
	for (size_t i = 0; i < T->na; i++) {
		if (!bp__joint_member(J, k, i))
			continue;
		if (moved[i])
			out++;
		else
			kept++;
	}
	return out == 0 ? BASE_KEPT : kept == 0 ? BASE_MOVED : BASE_MIXED;
}

bool
bp__joint_since_moved(const struct joint *J, size_t k)
{
	const struct rel *R = J->R;
	if (J->T->s.republish_model < 5 || R->nsince == 0)
		return false;
	for (size_t q = 0; q < R->nsince_q; q++)
		if (R->since_moved[q * J->T->na + k])
			return true;
	return false;
}

size_t
bp__joint_block_size(const struct joint *J, size_t f)
{
	const struct bp_tables *T = J->T;
	size_t n = 0;
	if (!J->alone)
		return T->a[f].nrep;
	for (size_t k = 0; k < T->na; k++)
		n += T->a[k].level == BP_LEVEL_KOMMUNE && T->a[k].t && T->a[k].parent == f &&
		    !J->alone[k];
	return n;
}

int
bp__joint_then_setup(struct joint *J)
{
	const struct bp_tables *T = J->T;
	const struct rel *R = J->R;

	J->nthen = 0;
	if (T->s.republish_model < 5 || R->nsince == 0 || J->nbase == 0)
		return 0;
	free(J->then_q);
	free(J->then_k);
	J->then_k = NULL;
	if (!(J->then_q = malloc(R->nsince_q * J->nbase * sizeof(*J->then_q))) ||
	    !(J->then_k = malloc(R->nsince_q * J->nbase * sizeof(*J->then_k))))
		return -1;
	for (size_t q = 0; q < R->nsince_q; q++)
		for (size_t b = 0; b < J->nbase; b++) {
			size_t k = J->bases[b];
			if (T->a[k].level == BP_LEVEL_KOMMUNE && !(J->gn && J->gn[k] > 1) &&
			    R->since_moved[q * T->na + k] == BP_REL_MOVED) {
				J->then_q[J->nthen] = q;
				J->then_k[J->nthen++] = k;
			}
		}
	if (J->nthen == 0)
		return 0;
	int *base = realloc(J->base, (T->na + J->nthen) * J->nfam * sizeof(*base));
	if (!base)
		return -1;
	J->base = base;
	for (size_t x = T->na * J->nfam; x < (T->na + J->nthen) * J->nfam; x++)
		J->base[x] = -1;
	return 0;
}

/* Appends LP row rw to the list *v (*n of *cap): 0 or -1 (ENOMEM). */
static int
push_row(int **v, size_t *n, size_t *cap, int rw)
{
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 256;
		int *r = realloc(*v, c * sizeof(*r));
		if (!r)
			return -1;
		*v = r;
		*cap = c;
	}
	(*v)[(*n)++] = rw;
	return 0;
}

/* Appends LP row rw to J->since_row: 0 or -1 (ENOMEM). */
static int
keep_row(struct joint *J, int rw)
{
	return push_row(&J->since_row, &J->nsince_row, &J->capsince_row, rw);
}

bool
bp__joint_since_hidden_row(const struct joint *J, int rw)
{
	for (size_t q = 0; q < J->nhid_row; q++)
		if (J->hid_row[q] == rw)
			return true;
	return false;
}

bool
bp__joint_since_bound(struct joint *J, glp_prob *lp, int rw, double need)
{
	size_t n = J->nsince_row;
	int *type = malloc((n ? n : 1) * sizeof(*type));
	double *lb = malloc((n ? n : 1) * sizeof(*lb)), *ub = malloc((n ? n : 1) * sizeof(*ub));
	double hi = 0.0;
	bool reach = false;

	if (n == 0 || !type || !lb || !ub)
		goto out;
	for (size_t q = 0; q < n; q++) {
		int r = J->since_row[q];
		type[q] = glp_get_row_type(lp, r);
		lb[q] = glp_get_row_lb(lp, r);
		ub[q] = glp_get_row_ub(lp, r);
		glp_set_row_bnds(lp, r, GLP_FR, 0.0, 0.0);
	}
	bp__joint_objective_of(J, lp, &rw, NULL, 1);
	reach = bp__sup_lp_bound(lp, GLP_MAX, &hi) == 0 && hi >= need - BP_SUP_EPS;
	for (size_t q = 0; q < n; q++)
		glp_set_row_bnds(lp, J->since_row[q], type[q], lb[q], ub[q]);
out:
	free(type);
	free(lb);
	free(ub);
	return reach;
}

/* The area of J->base that holds kommune k's persons then, for earlier
 * release q; SIZE_MAX none. */
static size_t
then_area(const struct joint *J, size_t q, size_t k)
{
	for (size_t t = 0; t < J->nthen; t++)
		if (J->then_q[t] == q && J->then_k[t] == k)
			return J->T->na + t;
	return SIZE_MAX;
}

/*
 * Figure F's row: over the persons then of the kommune that resubmitted
 * (F->own: q's figure of it, fixed where printed; where hidden at least
 * what q's rule tells, and it must be able to reach min_cell, as the
 * earlier release's check made it), or over the bases under its upper area
 * (the kommuner that did not move now, and those that resubmitted then;
 * without columns for the latter, the figure less their printed figures
 * then, at most that where one was hidden).  0 or -1 (ENOMEM).
 */
static int
fig_row(struct joint *J, glp_prob *lp, const struct since_fig *F, size_t ff, const uint32_t *ys,
    size_t ny)
{
	const struct bp_tables *T = J->T;
	const unsigned char *moved = J->R->since_moved + (size_t)F->q * T->na;
	struct fam *G = bp__joint_fam(J, 0, ff);
	size_t r = ff ? F->r : 0;
	int n = 0;

	if (F->own) {
		size_t a = then_area(J, F->q, F->u);
		if (a == SIZE_MAX || J->base[a * J->nfam + ff] < 0)
			return 0;
		n = bp__joint_class_cols(J, ys, ny, a, ff, r, G->n, 0);
		if (n == 0)
			return 0;   /* no class of persons can be in it */
		int rw = glp_add_rows(lp, 1);
		glp_set_mat_row(lp, rw, n, J->ind, J->val);
		if (keep_row(J, rw) < 0)
			return -1;
		if (F->exact) {
			glp_set_row_bnds(lp, rw, GLP_FX, F->then, F->then);
			return 0;
		}
		glp_set_row_bnds(lp, rw, GLP_LO, F->at_least_1 ? 1.0 : 0.0, 0.0);
		return bp__joint_keep_sum(J, rw, (double)T->s.min_cell);
	}
	/* with the persons then of every kommune under it that resubmitted:
	 * each a base of its own with columns then (not in a block) */
	bool then = true;
	for (size_t q = 0; q < J->nbase && then; q++) {
		size_t k = J->bases[q];
		if (!bp__joint_under(J, k, F->u, F->b, F->v) || base_kind(J, moved, k) != BASE_MOVED)
			continue;
		if (T->a[k].level != BP_LEVEL_KOMMUNE || (J->gn && J->gn[k] > 1))
			then = false;
		else if (moved[k] == BP_REL_MOVED) {
			size_t a = then_area(J, F->q, k);
			then = a != SIZE_MAX && J->base[a * J->nfam + ff] >= 0;
		}
	}
	for (size_t q = 0; q < J->nbase; q++) {
		size_t k = J->bases[q];
		if (!bp__joint_under(J, k, F->u, F->b, F->v))
			continue;
		int kind = base_kind(J, moved, k);
		if (kind == BASE_MIXED)
			return 0;
		if (kind == BASE_KEPT)
			n = bp__joint_class_cols(J, ys, ny, k, ff, r, G->n, n);
		else if (then && moved[k] == BP_REL_MOVED)
			n = bp__joint_class_cols(J, ys, ny, then_area(J, F->q, k), ff, r, G->n, n);
	}
	if (n == 0 || (F->hidden && !then))
		return 0;
	int rw = glp_add_rows(lp, 1);
	glp_set_mat_row(lp, rw, n, J->ind, J->val);
	if (keep_row(J, rw) < 0)
		return -1;
	if (F->hidden) {
		/* republish model 7: hidden then, and it must still be able to
		 * reach min_cell; a complement of this release may widen it,
		 * and where none can, this release gives it away (a 0 printed
		 * now where it hid a 1): not left as it is (left_as_is) */
		if (push_row(&J->hid_row, &J->nhid_row, &J->caphid_row, rw) < 0)
			return -1;
		glp_set_row_bnds(lp, rw, GLP_LO, F->at_least_1 ? 1.0 : 0.0, 0.0);
		return bp__joint_keep_sum(J, rw, (double)T->s.min_cell);
	}
	if (then)
		glp_set_row_bnds(lp, rw, GLP_FX, F->then, F->then);
	else
		glp_set_row_bnds(lp, rw, F->exact ? GLP_FX : GLP_UP, F->exact ? F->less : 0.0,
		    F->less);
	return 0;
}

int
bp__joint_since(struct joint *J, glp_prob *lp, size_t g)
{
	const struct bp_tables *T = J->T;
	const struct rel *R = J->R;
	size_t f = J->own[g] ? 1 + g : 0, ncat = bp_indicator_at(g)->ncat;

	if (T->s.republish_model < 5 || J->nbase == 0)
		return 0;
	/* the persons then: their categories of g add up to them */
	for (size_t t = 0; t < J->nthen; t++)
		bp__joint_coupling(J, lp, T->na + t, 0, g);
	for (size_t s = 0; s < R->nsince; s++) {
		const struct since_fig *F = &R->since[s];
		size_t ff = F->r == ncat ? 0 : f;
		const uint32_t *ys = NULL;
		size_t ny = 0;
		int rc;

		if (F->g != g || !bp__joint_breakdown_counts(J, F->b) ||
		    J->base[J->bases[0] * J->nfam + ff] < 0)
			continue;
		struct fam *G = bp__joint_fam(J, 0, ff);
		if ((rc = bp__joint_row_classes(J, G, ff, g, F->b, F->v, F->r, &ys, &ny)) < 0)
			return -1;
		if (rc == 0 && fig_row(J, lp, F, ff, ys, ny) < 0)
			return -1;
	}
	return 0;
}
