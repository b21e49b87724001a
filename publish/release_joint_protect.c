/*
 * release_joint_protect.c - what the checks of release_joint.c do with a
 * primary cell that their program bounds below min_cell: the complements
 * from the certificate of its bound, one at a time (or a cover at once in
 * the whole release, release_whole.c), until each reaches min_cell.
 */
#include <errno.h>
#include <glpk.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "lpaudit.h"
#include "release_joint.h"
/* The published cell of the bound's certificate to hide (the smallest
 * count, then the first row; a sum of ages first), or SIZE_MAX when none
 * can be. */
static size_t
complement(struct joint *J, glp_prob *lp)
{
	size_t best = SIZE_MAX;
	for (size_t k = 0; k < J->nrow; k++) {
		size_t c = J->cell[k];
		if (!bp__joint_hideable(J, c) || fabs(glp_get_row_dual(lp, J->lprow[k])) <= 1e-9)
			continue;
		if (best == SIZE_MAX || bp__joint_row_value(J, k) < bp__joint_row_value(J, best))
			best = k;
	}
	return best;
}

/* Hides the cell of row x (kept hidden: BP_SUP_KEEP) and loosens its
 * rows; k the primary's row (SIZE_MAX: a sum of kommune cells), hi its
 * bound (for the debug output). */
void
bp__joint_hide_row(struct joint *J, glp_prob *lp, size_t x, size_t k, double hi)
{
	size_t c = J->cell[x];
	bp_sup_set_state(J->M, c, BP_SUP_SECONDARY);
	bp_sup_set_flags(J->M, c, bp_sup_flags_of(J->M, c) | BP_SUP_KEEP);
	for (size_t q = 0; q < J->nrow; q++)
		if (J->cell[q] == c)
			bp__joint_bound_row(J, lp, q);
	J->hidden++;
	if (getenv("BPAGG_DEBUG_SUPPRESS") && k == SIZE_MAX)
		fprintf(stderr, "  whole-release check: a kommune sum bounded by %.2f; "
		    "hides a cell of %u\n", hi, bp_sup_value_of(J->M, c));
	else if (getenv("BPAGG_DEBUG_SUPPRESS")) {
		uint64_t w = J->where[k];
		const struct bp_indicator *ind = bp_indicator_at(w >> 24 & 255);
		fprintf(stderr, "  %s check: %s %s %s__%s %s %s (%u) bounded by %.2f; "
		    "hides a cell of %u\n", J->whole ? "whole-release" : "joint",
		    bp_level_name(J->T->a[w >> 32].level),
		    J->T->a[w >> 32].code, ind->name, bp_breakdown_at(w >> 16 & 255)->name,
		    (w & 255) < ind->ncat ? ind->cats[w & 255] : "i_alt",
		    bp_breakdown_at(w >> 16 & 255)->vals[w >> 8 & 255],
		    bp_sup_value_of(J->M, J->cell[k]), hi, bp_sup_value_of(J->M, c));
	}
}

void
bp__joint_objective_of(struct joint *J, glp_prob *lp, const int *rows, const size_t *list,
    size_t n)
{
	for (int j = 1; j <= glp_get_num_cols(lp); j++)
		glp_set_obj_coef(lp, j, 0.0);
	for (size_t q = 0; q < n; q++) {
		int m = glp_get_mat_row(lp, list ? rows[list[q]] : rows[q], J->ind, J->obj);
		for (int j = 1; j <= m; j++)
			glp_set_obj_coef(lp, J->ind[j], glp_get_obj_coef(lp, J->ind[j]) + 1.0);
	}
}

/* Sets the objective to the sum of the printed rows in list[0..n). */
static void
objective(struct joint *J, glp_prob *lp, const size_t *list, size_t n)
{
	bp__joint_objective_of(J, lp, J->lprow, list, n);
}

/* Drops from list[0..*n) the rows whose activity in the LP's solution
 * reaches min_cell (a point where they are large enough). */
static void
verified(struct joint *J, glp_prob *lp, size_t *list, size_t *n)
{
	size_t m = 0;
	for (size_t q = 0; q < *n; q++)
		if (glp_get_row_prim(lp, J->lprow[list[q]]) < (double)J->T->s.min_cell - BP_SUP_EPS)
			list[m++] = list[q];
	*n = m;
}

bool
bp__joint_stopped(const struct joint *J)
{
	if (!J->stop || !atomic_load_explicit(J->stop, memory_order_relaxed))
		return false;
	errno = ECANCELED;
	return true;
}

/* Sets every printed row's bounds, with the lines of its parent or (off)
 * without them (model 20, bp__joint_line_bounds). */
static void
bound_rows(struct joint *J, glp_prob *lp, bool off)
{
	J->lines_off = off;
	for (size_t q = 0; q < J->nrow; q++)
		bp__joint_bound_row(J, lp, q);
}

/* Whether printed row k is a 0 that suppress_zero made primary.  Such a
 * cell that no complement can raise is 0 by the definitions (model 22's
 * ties know more of them than model 13's, bp_sup_fix_known_zeros): it is
 * 0 to every reader whatever is hidden, and stays hidden, as the rule
 * says. */
static bool
zero_by_definition(const struct joint *J, size_t k)
{
	return k != SIZE_MAX && J->T->s.suppress_zero && J->T->s.model_version >= 22 &&
	    bp_sup_state_of(J->M, J->cell[k]) == BP_SUP_PRIMARY &&
	    bp_sup_value_of(J->M, J->cell[k]) == 0;
}

/* Whether row rw (printed row k), which no complement can raise to need,
 * stays as it is: a 0 by the definitions, or (republish model 5) bounded
 * by what the earlier releases printed, which no pattern of this one
 * changes (counted in J->then_left). */
static bool
left_as_is(struct joint *J, glp_prob *lp, int rw, double need, size_t k)
{
	if (zero_by_definition(J, k))
		return true;
	if (J->nsince_row > 0 && bp__joint_since_hidden_row(J, rw)) {
		/* republish model 7: this release would give it away */
		J->R->earlier_given = true;
		return false;
	}
	if (J->nsince_row == 0 || !bp__joint_since_bound(J, lp, rw, need))
		return false;
	J->then_left++;
	return true;
}

/*
 * LP row rw (printed row k, or SIZE_MAX: a kommune sum of model 11)
 * reaches need, with complements: in the whole release a cover at once
 * (release_whole.c), else, or when it hid nothing, one cell of the bound's
 * certificate at a time.  0, or -1: errno EDOM (no complement left),
 * EINVAL.
 *
 * Model 20: where no cell of the area is left to hide, what bounds the row
 * may be what the lines of its parent tell (bp__joint_line_bounds), whose
 * complements are cells of other areas, which this check does not hide:
 * the whole release's check does, where it is made.  Then the row goes on
 * without them, as before model 20.  (A release of Oslo and eleven
 * kommuner of fylke 31: the nation less fylke 31 bounded fylke 03's
 * rop_skala rod_rod, and the whole check hid kommune cells for it.)
 */
static int
raise_row(struct joint *J, glp_prob *lp, int rw, double need, size_t k)
{
	double hi;

	for (;;) {
		if (bp__joint_stopped(J))
			return -1;
		bp__joint_objective_of(J, lp, &rw, NULL, 1);
		if (bp__sup_lp_bound(lp, GLP_MAX, &hi) < 0) {
			errno = EINVAL;
			return -1;
		}
		if (hi >= need - BP_SUP_EPS)
			return 0;
		if (J->whole) {
			/* the cover's program has its own objective: back to
			 * rw's bound (and its certificate) when it hid nothing */
			long got = bp__joint_cover_row(J, lp, rw, need, k, hi);
			if (got < 0 && errno == EDOM && left_as_is(J, lp, rw, need, k))
				return 0;
			if (got < 0 && getenv("BPAGG_DEBUG_SUPPRESS") && k != SIZE_MAX) {
				uint64_t w = J->where[k];
				fprintf(stderr, "  no cover for %s g%u b%u v%u r%u (value %u): at most %g\n",
				    J->T->a[w >> 32].code, (unsigned)(w >> 24 & 255),
				    (unsigned)(w >> 16 & 255), (unsigned)(w >> 8 & 255),
				    (unsigned)(w & 255), (unsigned)bp_sup_value_of(J->M, J->cell[k]), hi);
			}
			if (got < 0)
				return -1;
			if (got > 0)
				continue;
			bp__joint_objective_of(J, lp, &rw, NULL, 1);
			if (bp__sup_lp_bound(lp, GLP_MAX, &hi) < 0) {
				errno = EINVAL;
				return -1;
			}
		}
		size_t x = complement(J, lp);
		if (x == SIZE_MAX && J->lines && !J->lines_off && !J->whole) {
			bound_rows(J, lp, true);
			continue;
		}
		if (x == SIZE_MAX && left_as_is(J, lp, rw, need, k))
			return 0;
		if (x == SIZE_MAX) {
			errno = EDOM;
			return -1;
		}
		bp__joint_hide_row(J, lp, x, k, hi);
	}
}

/* raise_row, and the lines of the parents back in the rows after it. */
int
bp__joint_raise_row(struct joint *J, glp_prob *lp, int rw, double need, size_t k)
{
	int rc = raise_row(J, lp, rw, need, k);
	if (J->lines_off) {
		int e = errno;
		bound_rows(J, lp, false);
		errno = e;
	}
	return rc;
}

/*
 * Every primary row's largest value: first the sum of those not yet seen
 * large enough (a solution shows many at once), then one by one, with
 * complements until each reaches min_cell (bp__joint_raise_row).  0, or
 * -1: errno EDOM (no complement left), EINVAL.
 */
int
bp__joint_protect(struct joint *J, glp_prob *lp, size_t *list, size_t n)
{
	double hi;

	glp_set_obj_dir(lp, GLP_MAX);
	for (size_t before = SIZE_MAX; n > 0 && n < before; ) {
		if (bp__joint_stopped(J))
			return -1;
		before = n;
		objective(J, lp, list, n);
		if (bp__sup_lp_bound(lp, GLP_MAX, &hi) < 0) {
			errno = EINVAL;
			return -1;
		}
		verified(J, lp, list, &n);
	}
	while (n > 0) {
		size_t k = list[--n];
		J->checked++;
		if (bp__joint_raise_row(J, lp, J->lprow[k], (double)J->T->s.min_cell, k) < 0)
			return -1;
		verified(J, lp, list, &n);
	}
	return 0;
}
