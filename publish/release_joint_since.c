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
 */
#include <glpk.h>
#include <stdlib.h>

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

int
bp__joint_since(struct joint *J, glp_prob *lp, size_t g)
{
	const struct bp_tables *T = J->T;
	const struct rel *R = J->R;
	size_t f = J->own[g] ? 1 + g : 0, ncat = bp_indicator_at(g)->ncat;

	if (T->s.republish_model < 5 || J->nbase == 0)
		return 0;
	for (size_t s = 0; s < R->nsince; s++) {
		const struct since_fig *F = &R->since[s];
		const unsigned char *moved = R->since_moved + (size_t)F->q * T->na;
		size_t ff = F->r == ncat ? 0 : f;
		const uint32_t *ys = NULL;
		size_t ny = 0;
		int n = 0, rc;
		bool split = true;

		if (F->g != g || !bp__joint_breakdown_counts(J, F->b) ||
		    J->base[J->bases[0] * J->nfam + ff] < 0)
			continue;
		struct fam *G = bp__joint_fam(J, 0, ff);
		if ((rc = bp__joint_row_classes(J, G, ff, g, F->b, F->v, F->r, &ys, &ny)) < 0)
			return -1;
		if (rc > 0)
			continue;
		for (size_t q = 0; q < J->nbase && split; q++) {
			size_t k = J->bases[q];
			if (!bp__joint_under(J, k, F->u, F->b, F->v))
				continue;
			int kind = base_kind(J, moved, k);
			split = kind != BASE_MIXED;
			if (kind == BASE_KEPT)
				n = bp__joint_class_cols(J, ys, ny, k, ff, ff ? F->r : 0, G->n, n);
		}
		if (!split || n == 0)
			continue;
		int rw = glp_add_rows(lp, 1);
		glp_set_mat_row(lp, rw, n, J->ind, J->val);
		glp_set_row_bnds(lp, rw, F->exact ? GLP_FX : GLP_UP, F->exact ? F->then : 0.0,
		    F->then);
	}
	return 0;
}
