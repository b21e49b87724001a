/*
 * release_whole.c - model versions 9 to 12 (bpagg-publish(1), "The
 * release model"): the program of release_joint.c over the whole release
 * at once (9), by fylke where that is too large (10, 11), by fylke and
 * size class where that fits (12).
 *
 * An intruder adds up what the nation, the fylker and the kommuner print
 * in different tables: the nation less fylke 11 is Oslo, whose fylke and
 * kommune tables then meet the nation's.  No area's program sees that,
 * and small releases with a fylke of one kommune leaked so.  Here the
 * columns are the classes of each reporting kommune (the classes that the
 * sets printed at every level generate, one set of classes for all), and
 * every printed cell of every level is a sum of them: a fylke's over its
 * kommuner, the nation's over all, a kommunestorrelse cell over the
 * kommuner of its size class.  Every indicator printed anywhere is a
 * family; levekarsindeks8 and 6, lar and storforbruker are families of
 * their own (own_family), as the attacker of the tests takes them, which
 * keeps the program some 1 250 columns a kommune with the rapport profile
 * instead of 9 000.  Its cost grows fast with the kommuner (23 kommuner:
 * 37 s), so only programs of at most WHOLE_MAX_COLS columns are made;
 * above that, model 10 makes the program by fylke (WHOLE_MAX_COLS_10).
 * Left out: the sums of sums.csv but those of ages (model 20).
 */
#include <errno.h>
#include <glpk.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lpaudit.h"
#include "release_joint.h"

/* The largest whole-release program made (columns): nine kommuner of the
 * rapport profile (nine took 9 s longer to publish than without).  Part
 * of model 9: bpagg audit re-derives with it, so another value is another
 * model version. */
#define WHOLE_MAX_COLS 12000
/* Model 10: at most 20 000 columns (16 kommuner of the rapport profile,
 * or its 15 fylker), and a program too large by kommune is made with
 * fylker in place of their kommuner (by_fylke).  A fylke's column is a
 * class's sum over its kommuner: the nation's and the fylker's cells are
 * sums of those, a kommune's only when it is a column itself (its fylke
 * split, or its fylke's one reporting kommune, as Oslo), and the other
 * kommuner's table cells enter only as sums over their fylke
 * (kommune_sums); kommunestorrelse cells are left out.
 * That program knows less than the intruder, so it proves nothing safe,
 * but what it finds bounded is: the nation less the other fylker meets a
 * fylke's tables, which no area's program sees (releases of 10 to 13
 * kommuner with Oslo leaked so under model 9). */
#define WHOLE_MAX_COLS_10 20000

/*
 * Model 11: LP row rw, a kommune sum with a hidden primary cell, must
 * reach need.  A kommune's hidden cell can be no larger than the fylke's
 * sum less what the others are known to hold (their published counts, and
 * the rule's lower bound for the hidden ones), so the primary with the
 * least lower bound lo reaches min_cell only if the sum can reach the
 * sum's lower bound - lo + min_cell.  The program knows less than the
 * intruder, so a sum that cannot is a leak: seven hidden rod_rod cells of
 * fylke 18's kommuner under a fylke total that national tables bound by
 * 10 were each bounded by 4.  0 or -1 (ENOMEM).
 */
int
bp__joint_keep_sum(struct joint *J, int rw, double need)
{
	if (J->nksum == J->capksum) {
		size_t cap = J->capksum ? 2 * J->capksum : 64;
		int *r = realloc(J->ksum, cap * sizeof(*r));
		if (!r)
			return -1;
		J->ksum = r;
		double *d = realloc(J->ksum_need, cap * sizeof(*d));
		if (!d)
			return -1;
		J->ksum_need = d;
		J->capksum = cap;
	}
	J->ksum[J->nksum] = rw;
	J->ksum_need[J->nksum++] = need;
	return 0;
}

bool
bp__joint_merged(const struct joint *J, size_t f)
{
	if (J->gn)
		return J->gn[f] > 1;
	return J->T->a[f].level == BP_LEVEL_FYLKE && bp__joint_block_size(J, f) > 1;
}

bool
bp__joint_member(const struct joint *J, size_t f, size_t k)
{
	const struct area *K = &J->T->a[k];
	if (K->level != BP_LEVEL_KOMMUNE || !K->t)
		return false;
	return J->gn ? J->grp[k] == f : K->parent == f && !(J->alone && J->alone[k]);
}

/*
 * Model 10, by fylke: what the kommuner of fylke f (more than one
 * reporting) print of indicator g adds up, table cell by table cell, to a
 * sum of f's columns: fixed when every kommune's cell is published, at
 * least the published ones and what the rule tells of the hidden ones
 * otherwise.  Not a printed cell of the program (the check hides no
 * kommune cell of such a fylke), only what an intruder knows of f from
 * its kommuner, which the nation less the other fylker may meet.
 * Model 11: a sum that holds a hidden primary cell is kept (keep_sum).
 * Model 12: the same for a group of kommuner (by_group).
 * 0 or -1 (ENOMEM).
 */
static int
kommune_sums(struct joint *J, glp_prob *lp, size_t f, size_t g)
{
	const struct bp_tables *T = J->T;
	size_t fam = J->own[g] ? 1 + g : 0, ncat = bp_indicator_at(g)->ncat;

	if (!bp__joint_merged(J, f) || !(T->s.levels & BP_LEVEL_KOMMUNE))
		return 0;
	for (size_t b = 0; b < bp_n_breakdowns(); b++) {
		if (!table_on(T, BP_LEVEL_KOMMUNE, g, b) || (int)b == J->by_area)
			continue;
		for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++)
			for (size_t r = 0; r <= ncat; r++) {
				size_t ff = r == ncat ? 0 : fam, nk = 0, nh = 0;
				double sum = 0.0, lo = HUGE_VAL;
				bool whole = true;
				const uint32_t *ys = NULL;
				size_t ny = 0;
				int rc;
				if (J->base[f * J->nfam + ff] < 0)
					continue;
				if ((rc = bp__joint_row_classes(J, bp__joint_fam(J, 0, ff), ff, g, b, v,
				    r, &ys, &ny)) < 0)
					return -1;
				if (rc > 0)
					continue;
				for (size_t k = 0; k < T->na && whole; k++) {
					if (!bp__joint_member(J, f, k))
						continue;
					size_t row = bp__rel_row_of(T, k, g, b, v, r), c;
					/* a kommune that does not print it: no sum */
					whole = row != SIZE_MAX && (c = J->R->rowcell[row]) != SIZE_MAX;
					if (!whole)
						break;
					nk++;
					if (bp_sup_state_of(J->M, c) == BP_SUP_PUBLISHED)
						sum += bp_sup_value_of(J->M, c);
					else {
						sum += bp__sup_col_lo(J->M, c);
						nh++;
						if (bp_sup_state_of(J->M, c) == BP_SUP_PRIMARY)
							lo = fmin(lo, bp__sup_col_lo(J->M, c));
					}
				}
				if (!whole || nk == 0)
					continue;
				int n = bp__joint_class_cols(J, ys, ny, f, ff, ff ? r : 0,
				    bp__joint_fam(J, 0, ff)->n, 0);
				int rw = glp_add_rows(lp, 1);
				glp_set_mat_row(lp, rw, n, J->ind, J->val);
				glp_set_row_bnds(lp, rw, nh ? GLP_LO : GLP_FX, sum, sum);
				if (T->s.model_version >= 11 && lo < HUGE_VAL &&
				    bp__joint_keep_sum(J, rw, sum - lo + (double)T->s.min_cell) < 0)
					return -1;
			}
	}
	return 0;
}

/* Model 9: the whole release's columns (its reporting kommuner's) and
 * rows: every area's printed cells, then the kommuner's couplings; base
 * q's columns are [colstart[q], colstart[q + 1]).  0 or -1 (ENOMEM). */
static int
whole_rows(struct joint *J, glp_prob *lp, size_t *seen, int *colstart)
{
	const struct bp_tables *T = J->T;

	for (size_t q = 0; q < J->nbase; q++) {
		colstart[q] = glp_get_num_cols(lp) + 1;
		if (bp__joint_columns(J, lp, J->bases[q], 0) < 0)
			return -1;
	}
	for (size_t t = 0; t < J->nthen; t++) {
		colstart[J->nbase + t] = glp_get_num_cols(lp) + 1;
		if (bp__joint_columns(J, lp, T->na + t, 0) < 0)
			return -1;
	}
	colstart[J->nbase + J->nthen] = glp_get_num_cols(lp) + 1;
	for (size_t g = 0; g < T->nind; g++) {
		for (size_t i = 0; i < T->na; i++)
			if (T->a[i].rows && bp__joint_level(J, T->a[i].level) >= 0 &&
			    bp__joint_printed(J, lp, i, 0, g, seen, 1) < 0)
				return -1;
		if (bp__joint_since(J, lp, g) < 0)
			return -1;
		for (size_t q = 0; q < J->nbase && J->by_fylke; q++)
			if (kommune_sums(J, lp, J->bases[q], g) < 0)
				return -1;
		for (size_t q = 0; q < J->nbase; q++)
			bp__joint_coupling(J, lp, J->bases[q], 0, g);
	}
	if (T->s.model_version >= 19 && bp__joint_heavy(J, lp, 0, T->na) < 0)
		return -1;
	if (bp__joint_ages(J, lp, 0, T->na) < 0)
		return -1;
	return bp__joint_index(J, lp, 0, T->na);
}

/*
 * Model 9: two columns per hideable printed row, fixed at 0 but in the
 * cover LP below, where the row's unknowns may come out below its count
 * (down to what the rule leaves a hidden cell) or above it.  0 or -1
 * (ENOMEM).
 */
static int
add_deviations(struct joint *J, glp_prob *lp)
{
	int ind[2] = { 0, 0 };
	double below[2] = { 0.0, 1.0 }, above[2] = { 0.0, -1.0 };

	if (!(J->dev = calloc(J->nrow ? J->nrow : 1, sizeof(*J->dev))))
		return -1;
	for (size_t k = 0; k < J->nrow; k++) {
		if (!bp__joint_hideable(J, J->cell[k]))
			continue;
		int j = glp_add_cols(lp, 2);
		ind[1] = J->lprow[k];
		glp_set_mat_col(lp, j, 1, ind, below);
		glp_set_mat_col(lp, j + 1, 1, ind, above);
		glp_set_col_bnds(lp, j, GLP_FX, 0.0, 0.0);
		glp_set_col_bnds(lp, j + 1, GLP_FX, 0.0, 0.0);
		J->dev[k] = j;
	}
	return 0;
}

/* What a unit of row k's deviation costs: more for a larger count and a
 * higher level (kommune before fylke before nasjonal).  Model 20: a sum of
 * ages moves by at least 16 a person. */
static double
deviation_cost(const struct joint *J, size_t k)
{
	unsigned level = J->T->a[J->where[k] >> 32].level;
	double lv = level == BP_LEVEL_KOMMUNE ? 1.0 : level == BP_LEVEL_FYLKE ? 2.0 : 4.0;
	double w = lv * (1.0 + log2(1.0 + bp__joint_row_value(J, k)));
	return bp__joint_age_row(J, k) ? w / 16.0 : w;
}

/*
 * Model 9: complements for primary row k at once.  The cheapest deviation
 * of the published rows (deviation_cost per unit) that lets row k reach
 * min_cell is a point of the model once the rows that deviate are hidden,
 * so they are a complement set; hiding the certificate's cells one at a
 * time took some six a primary in the whole release, each lifting the
 * bound a little (the LP is degenerate: another certificate takes over).
 * The same for any LP row rw that must reach need: primary row k's
 * (need min_cell), or, k SIZE_MAX, a kommune sum of model 11; rw's bounds
 * are as before afterwards.  The number hidden (0: none found, the caller
 * goes on one at a time), or -1: errno EDOM (no deviation reaches need),
 * EINVAL.
 */
long
bp__joint_cover_row(struct joint *J, glp_prob *lp, int rw, double need, size_t k, double hi)
{
	int ncol = glp_get_num_cols(lp), type = glp_get_row_type(lp, rw);
	double z, lb = glp_get_row_lb(lp, rw), ub = glp_get_row_ub(lp, rw);
	long n = 0;

	for (int j = 1; j <= ncol; j++)
		glp_set_obj_coef(lp, j, 0.0);
	for (size_t q = 0; q < J->nrow; q++) {
		if (!J->dev[q] || !bp__joint_hideable(J, J->cell[q]))
			continue;
		double room = (double)bp_sup_value_of(J->M, J->cell[q]) -
		    bp__sup_col_lo(J->M, J->cell[q]), w = deviation_cost(J, q);
		glp_set_col_bnds(lp, J->dev[q], room > 0 ? GLP_DB : GLP_FX, 0.0, room > 0 ? room : 0.0);
		glp_set_col_bnds(lp, J->dev[q] + 1, GLP_DB, 0.0, JOINT_CAP);
		glp_set_obj_coef(lp, J->dev[q], w);
		glp_set_obj_coef(lp, J->dev[q] + 1, w);
	}
	glp_set_row_bnds(lp, rw, GLP_LO, need, 0.0);
	int rc = bp__sup_lp_bound(lp, GLP_MIN, &z);
	int status = glp_get_status(lp);
	for (size_t q = 0; rc == 0 && q < J->nrow; q++)
		if (J->dev[q] && bp__joint_hideable(J, J->cell[q]) &&
		    glp_get_col_prim(lp, J->dev[q]) + glp_get_col_prim(lp, J->dev[q] + 1) > BP_SUP_EPS) {
			bp__joint_hide_row(J, lp, q, k, hi);
			n++;
		}
	for (size_t q = 0; q < J->nrow; q++)
		if (J->dev[q]) {
			glp_set_col_bnds(lp, J->dev[q], GLP_FX, 0.0, 0.0);
			glp_set_col_bnds(lp, J->dev[q] + 1, GLP_FX, 0.0, 0.0);
			glp_set_obj_coef(lp, J->dev[q], 0.0);
			glp_set_obj_coef(lp, J->dev[q] + 1, 0.0);
		}
	glp_set_row_bnds(lp, rw, type, lb, ub);
	if (rc < 0 && status == GLP_NOFEAS) {
		errno = EDOM;
		return -1;
	}
	return n;
}

/* Model 9: the whole release's program and its check, when it has at
 * most WHOLE_MAX_COLS columns.  0 or -1 (errno). */
/* The program's columns over J->bases: SIZE_MAX on ENOMEM. */
static size_t
whole_cols(struct joint *J)
{
	size_t cols = 0;

	for (size_t f = 0; f < J->nfam; f++) {
		struct fam *F = bp__joint_fam(J, 0, f);
		if (!F->on)
			continue;
		if (bp__joint_classes(J, 0, f) < 0)
			return SIZE_MAX;
		cols += (f ? bp_indicator_at(f - 1)->ncat : 1) * F->n * J->nbase;
	}
	return cols;
}

/*
 * Model 10: the bases when the kommuner's program is too large.  Every
 * fylke starts as one (its kommuner's sum); then, fewest reporting
 * kommuner first, a fylke is split into its kommuner while the program
 * stays within WHOLE_MAX_COLS_10 (per base the same columns: per of them).
 * Republish model 5: first, while there is room, each kommune that moved
 * since an earlier release is a base of its own (J->alone), its fylke's
 * base the others.  The bases keep the order of their kommuner.  1, 0 when
 * even the fylker are too many, -1 on ENOMEM.
 */
static int
by_fylke(struct joint *J, size_t per)
{
	const struct bp_tables *T = J->T;
	size_t nf = 0, units, most = WHOLE_MAX_COLS_10 / (per ? per : 1);
	size_t *fy = malloc((J->nbase ? J->nbase : 1) * sizeof(*fy));
	bool *split = calloc(T->na ? T->na : 1, sizeof(*split));

	if (!fy || !split) {
		free(fy);
		free(split);
		return -1;
	}
	for (size_t q = 0; q < J->nbase; q++) {
		size_t f = T->a[J->bases[q]].parent, k = 0;
		while (k < nf && fy[k] != f)
			k++;
		if (k == nf)
			fy[nf++] = f;
	}
	units = nf;
	/* republish model 5: a kommune that moved since an earlier release a
	 * block of its own, so that the earlier figures are rows over the
	 * others' blocks (release_joint_since.c); its fylke's block is then
	 * the others, or gone when none is left */
	size_t *left = calloc(T->na ? T->na : 1, sizeof(*left));
	if (!left) {
		free(fy);
		free(split);
		return -1;
	}
	for (size_t q = 0; q < J->nbase; q++)
		left[T->a[J->bases[q]].parent]++;
	for (size_t q = 0; q < J->nbase; q++) {
		size_t k = J->bases[q], f = T->a[k].parent;
		if (T->a[f].nrep <= 1 || !bp__joint_since_moved(J, k) ||
		    units + (left[f] > 1) > most)
			continue;
		if (!J->alone && !(J->alone = calloc(T->na, 1))) {
			free(fy);
			free(split);
			free(left);
			return -1;
		}
		J->alone[k] = 1;
		units += left[f]-- > 1;
	}
	/* the fylker's blocks, fewest kommuner first */
	if (!J->alone)
		for (size_t k = 0; k < nf; k++)
			left[fy[k]] = T->a[fy[k]].nrep;
	for (bool more = units <= most; more; ) {
		size_t best = SIZE_MAX;
		for (size_t k = 0; k < nf; k++)
			if (!split[fy[k]] && left[fy[k]] > 1 &&
			    (best == SIZE_MAX || left[fy[k]] < left[fy[best]]))
				best = k;
		more = best != SIZE_MAX && units + left[fy[best]] - 1 <= most;
		if (more) {
			split[fy[best]] = true;
			units += left[fy[best]] - 1;
		}
	}
	int made = units <= most;
	if (made) {
		size_t n = 0;
		for (size_t q = 0; q < J->nbase; q++) {
			size_t k = J->bases[q], f = T->a[k].parent, j = 0;
			if (split[f] || T->a[f].nrep == 1 || (J->alone && J->alone[k])) {
				J->bases[n++] = k;
				continue;
			}
			while (j < n && J->bases[j] != f)
				j++;
			if (j == n)
				J->bases[n++] = f;
		}
		J->nbase = n;
		J->by_fylke = true;
		/* a kommunestorrelse cell sums kommuner, not fylker */
		J->ksize_known = false;
	}
	if (!made) {
		free(J->alone);
		J->alone = NULL;
	}
	free(fy);
	free(split);
	free(left);
	return made;
}

/*
 * Model 12: the bases by fylke and kommunestorrelse class, when that many
 * fit.  A national cell by size class sums the kommuner of its class, and
 * those may all be some of one fylke's: the check by fylke left that out
 * (it has no size classes), and a release of fylke 18's kommuner beside
 * two of fylke 11 left seven primary cells bounded through the nation's
 * rop__kommunestorrelse.  Here a base is a group, the reporting kommuner
 * of one fylke and one size class (its first kommune stands for it, so a
 * kommunestorrelse cell is a sum of groups); then, fewest kommuner first,
 * a group is split into its kommuner while the program stays within
 * WHOLE_MAX_COLS_10.  Splitting only up to WHOLE_MAX_COLS was twice as fast
 * at fifty kommuner of two fylker, but left two fylke cells of Oslo bounded
 * in a release of 22 kommuner that this check protects.  1, 0 when the
 * groups are too many (the caller goes on by fylke), -1 on ENOMEM.
 */
static int
by_group(struct joint *J, size_t per)
{
	const struct bp_tables *T = J->T;
	size_t units = 0, most = WHOLE_MAX_COLS_10 / (per ? per : 1);

	if (!J->ksize_known)
		return 0;
	if (!(J->grp = malloc(T->na * sizeof(*J->grp))) ||
	    !(J->gn = calloc(T->na, sizeof(*J->gn))))
		return -1;
	for (size_t k = 0; k < T->na; k++)
		J->grp[k] = SIZE_MAX;
	for (size_t q = 0; q < J->nbase; q++) {
		size_t k = J->bases[q], j = 0;
		while (j < q && (T->a[J->bases[j]].parent != T->a[k].parent ||
		    T->a[J->bases[j]].ksize != T->a[k].ksize ||
		    !bp__joint_since_alike(J, J->bases[j], k)))
			j++;
		J->grp[k] = j < q ? J->grp[J->bases[j]] : k;
		units += J->gn[J->grp[k]]++ == 0;
	}
	for (bool more = units <= most; more; ) {
		size_t best = SIZE_MAX;
		for (size_t q = 0; q < J->nbase; q++) {
			size_t k = J->bases[q];
			if (J->gn[k] > 1 && (best == SIZE_MAX || J->gn[k] < J->gn[best]))
				best = k;
		}
		more = best != SIZE_MAX && units + J->gn[best] - 1 <= most;
		if (more) {
			units += J->gn[best] - 1;
			for (size_t q = 0; q < J->nbase; q++)
				if (J->grp[J->bases[q]] == best) {
					J->grp[J->bases[q]] = SIZE_MAX;
					J->gn[J->bases[q]] = 1;
				}
		}
	}
	if (units > most) {
		free(J->grp);
		free(J->gn);
		J->grp = J->gn = NULL;
		return 0;
	}
	size_t n = 0;
	for (size_t q = 0; q < J->nbase; q++) {
		size_t k = J->bases[q];
		if (J->grp[k] == SIZE_MAX || J->grp[k] == k)
			J->bases[n++] = k;
	}
	J->nbase = n;
	J->by_fylke = true;
	return 1;
}

/* The bases that are kommuner (not model 12's groups). */
static size_t
count_kommuner(const struct joint *J)
{
	size_t n = 0;
	for (size_t q = 0; q < J->nbase; q++)
		n += J->T->a[J->bases[q]].level == BP_LEVEL_KOMMUNE &&
		    !bp__joint_merged(J, J->bases[q]);
	return n;
}

/*
 * Model 11: every kommune sum of J->ksum reaches what it must (keep_sum):
 * first all of them at once, while a solution shows some large enough,
 * then one by one (bp__joint_raise_row).  0, or -1: errno EDOM (no
 * complement left), EINVAL.
 */
int
bp__joint_lift_sums(struct joint *J, glp_prob *lp)
{
	size_t n = J->nksum, m;
	double hi;

	for (size_t before = SIZE_MAX; n > 0 && n < before; ) {
		if (bp__joint_stopped(J))
			return -1;
		before = n;
		bp__joint_objective_of(J, lp, J->ksum, NULL, n);
		if (bp__sup_lp_bound(lp, GLP_MAX, &hi) < 0) {
			errno = EINVAL;
			return -1;
		}
		m = 0;
		for (size_t q = 0; q < n; q++)
			if (glp_get_row_prim(lp, J->ksum[q]) < J->ksum_need[q] - BP_SUP_EPS) {
				J->ksum[m] = J->ksum[q];
				J->ksum_need[m++] = J->ksum_need[q];
			}
		n = m;
	}
	while (n > 0) {
		n--;
		J->checked++;
		if (bp__joint_raise_row(J, lp, J->ksum[n], J->ksum_need[n], SIZE_MAX) < 0)
			return -1;
	}
	return 0;
}

int
bp__joint_check_whole(struct joint *J, size_t *seen, size_t *list)
{
	const struct bp_tables *T = J->T;
	size_t cols = whole_cols(J);
	bool debug = getenv("BPAGG_DEBUG_SUPPRESS") != NULL;

	if (cols == SIZE_MAX) {
		errno = ENOMEM;
		return -1;
	}
	size_t most = T->s.model_version >= 10 ? WHOLE_MAX_COLS_10 : WHOLE_MAX_COLS;
	if (debug)
		fprintf(stderr, "  whole-release check: %zu kommuner, %zu columns%s\n", J->nbase,
		    cols, cols > most ? ": too large, not made" : "");
	if (T->s.model_version >= 10 && cols > most && J->nbase > 0) {
		size_t nk = J->nbase;
		int grouped = T->s.model_version >= 12 ? by_group(J, cols / nk) : 0;
		int made = grouped ? grouped : by_fylke(J, cols / nk);
		if (made < 0 || (made && (cols = whole_cols(J)) == SIZE_MAX)) {
			errno = ENOMEM;
			return -1;
		}
		if (debug)
			fprintf(stderr, "  whole-release check by fylke%s: %zu of %zu kommuner "
			    "in %s, %zu columns%s\n", grouped > 0 ? " and size class" : "",
			    made ? nk - count_kommuner(J) : nk, nk, grouped > 0 ? "groups" : "fylker",
			    made ? cols : 0, made ? "" : ": too large, not made");
		if (!made)
			return 0;
	} else if (cols > most || J->nbase == 0)
		return 0;
	J->made = true;
	for (size_t k = 0; k < T->na * J->nfam; k++)
		J->base[k] = -1;
	if (bp__joint_then_setup(J) < 0 || bp__joint_row_room(J, J->nbase + J->nthen) < 0) {
		errno = ENOMEM;
		return -1;
	}
	/* the blocks of columns: the bases', then the persons then (nthen) */
	size_t nblock = J->nbase + J->nthen;
	glp_prob *lp = glp_create_prob();
	int ret = -1, *colstart = malloc((nblock + 1) * sizeof(*colstart));
	errno = ENOMEM;
	J->nrow = 0;
	if (!colstart || whole_rows(J, lp, seen, colstart) < 0)
		goto out;
	size_t np = 0;
	for (size_t k = 0; k < J->nrow; k++)
		if (bp__joint_to_raise(J, lp, k))
			list[np++] = k;
	/* model 21: without what the printed zeros rule out */
	if ((T->s.model_version >= 21 &&
	    bp__joint_drop_zeros(J, lp, list, np, colstart, nblock + 1) < 0) ||
	    add_deviations(J, lp) < 0)
		goto out;
	if (getenv("BPAGG_DEBUG_SUPPRESS"))
		fprintf(stderr, "  whole-release check: %d columns, %d rows, %zu primary cells; "
		    "%zu figures of earlier releases, %zu kommuner's persons then\n",
		    glp_get_num_cols(lp), glp_get_num_rows(lp), np, J->R->nsince, J->nthen);
	ret = 0;
	if ((np > 0 || J->nksum > 0) && glp_get_num_cols(lp) > 0) {
		unsigned long s0 = bp__sup_stats.solves, p0 = bp__sup_stats.pivots;
		size_t h0, nsum = J->nksum;
		J->primaries += np;
		/* Model 14: each base's rows solved alone, a start much nearer
		 * a feasible point than the crash basis (lpblock.c); the crash
		 * basis when GLPK fails on a base. */
		int rc = 1;
		if (T->s.model_version >= 14 && nblock > 1 &&
		    (rc = bp__sup_lp_block_basis(lp, colstart, nblock)) < 0) {
			ret = -1;
			goto out;
		}
		if (rc > 0)
			glp_adv_basis(lp, 0);
		/* the basis from the lists as built, then the matrix by
		 * column: each solve's set-up 4 times faster, the same pivots */
		if (bp__sup_lp_compact(lp) < 0) {
			ret = -1;
			goto out;
		}
		ret = np > 0 ? bp__joint_protect(J, lp, list, np) : 0;
		h0 = J->hidden;
		if (ret == 0 && nsum > 0)
			ret = bp__joint_lift_sums(J, lp);
		int e = errno;
		if (getenv("BPAGG_DEBUG_SUPPRESS") && ret < 0 && e == ECANCELED)
			fprintf(stderr, "  whole-release check: given up after %lu solves (the "
			    "per-area check hid cells)\n", bp__sup_stats.solves - s0);
		else if (getenv("BPAGG_DEBUG_SUPPRESS"))
			fprintf(stderr, "  whole-release check: %lu solves, %lu pivots; "
			    "%zu kommune sums with a hidden primary (or earlier hidden figures), "
			    "%zu complements for them, %zu earlier figures left as they were\n",
			    bp__sup_stats.solves - s0, bp__sup_stats.pivots - p0, nsum,
			    J->hidden - h0, J->then_left);
		errno = e;
	}
out:
	glp_delete_prob(lp);
	free(colstart);
	return ret;
}

/* The reporting kommuner: the areas with columns in the whole release.
 * 0 or -1 (ENOMEM). */
int
bp__joint_whole_setup(struct joint *J)
{
	const struct bp_tables *T = J->T;

	if (!(J->bases = malloc((T->na ? T->na : 1) * sizeof(*J->bases))))
		return -1;
	J->ksize_known = true;
	for (size_t i = 0; i < T->na; i++)
		if (T->a[i].level == BP_LEVEL_KOMMUNE && T->a[i].t) {
			J->bases[J->nbase++] = i;
			/* a kommune whose rows do not share one class (tables.c)
			 * would be missing from its class's sums */
			J->ksize_known &= T->a[i].ksize >= 0;
		}
	return 0;
}

/*
 * The check of the whole release started beside the per-area check.  It
 * reads the pattern that check leaves, and a model cell's state and flags
 * are all that check writes; at 357 kommuner it hides nothing, while the
 * whole check's first solve keeps one core busy for seconds and the
 * per-area check would run alone after it.  So it runs ahead on a view of
 * the pattern (bp__sup_view) and is kept only when the per-area check hid
 * nothing: then its input was the pattern it would have had after it,
 * and the release is the same as run one after the other.  Else it is
 * dropped and run again after (the time it took is lost).  Model 20
 * checks the whole release on the pattern the per-area check starts from,
 * by definition (release.c), and always keeps it: the release hides what
 * either hid.
 */
struct whole_ahead {
	const struct bp_tables *T;
	struct rel *R;
	struct bp_sup_problem *view;
	pthread_t th;
	atomic_bool stop;
	/* its thread's id while it runs, else 0; under mu, so that a stop
	 * never lowers the priority of a later thread given the same id */
	pthread_mutex_t mu;
	int tid;
	long rc;
	int err;
	size_t earlier_bound;
};

static void *
whole_ahead_run(void *arg)
{
	struct whole_ahead *a = arg;

	pthread_mutex_lock(&a->mu);
	a->tid = (int)syscall(SYS_gettid);
	pthread_mutex_unlock(&a->mu);
	a->rc = bp__rel_joint_whole(a->T, a->R, a->view, &a->stop, &a->earlier_bound);
	a->err = errno;
	glp_free_env();
	pthread_mutex_lock(&a->mu);
	a->tid = 0;
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

struct whole_ahead *
bp__rel_whole_ahead(const struct bp_tables *T, struct rel *R)
{
	struct whole_ahead *a;

	if (bp_sup_threads() < 2 || !(a = calloc(1, sizeof(*a))))
		return NULL;
	a->T = T;
	a->R = R;
	atomic_init(&a->stop, false);
	pthread_mutex_init(&a->mu, NULL);
	if (!(a->view = bp__sup_view(bp_model_problem(R->m))) ||
	    pthread_create(&a->th, NULL, whole_ahead_run, a) != 0) {
		bp__sup_view_free(a->view);
		pthread_mutex_destroy(&a->mu);
		free(a);
		return NULL;
	}
	if (getenv("BPAGG_DEBUG_SUPPRESS"))
		fprintf(stderr, "  whole-release check: started beside the per-area check\n");
	return a;
}

/* The solve it is in goes on to its end (GLPK cannot be stopped inside
 * one), up to seconds on a large release; meanwhile the per-area check's
 * next rounds should have the cores, so the thread's priority drops to the
 * lowest (Linux sets it per thread; an error leaves it as it was). */
void
bp__rel_whole_ahead_stop(struct whole_ahead *a)
{
	atomic_store(&a->stop, true);
	pthread_mutex_lock(&a->mu);
	if (a->tid > 0)
		(void)setpriority(PRIO_PROCESS, (id_t)a->tid, 19);
	pthread_mutex_unlock(&a->mu);
}

long
bp__rel_whole_ahead_end(struct whole_ahead *a, struct rel *R, bool keep)
{
	long rc = 0;

	if (!keep)
		bp__rel_whole_ahead_stop(a);
	pthread_join(a->th, NULL);
	if (getenv("BPAGG_DEBUG_SUPPRESS"))
		fprintf(stderr, "  whole-release check: %s\n", keep ? "kept" :
		    "dropped (the per-area check hid cells)");
	if (keep) {
		/* what it hid (the view is the model's pattern as the check
		 * started, so where the per-area check hid nothing this is
		 * the view's pattern) */
		if (a->rc >= 0)
			bp__sup_view_merge(bp_model_problem(R->m), a->view);
		rc = a->rc;
		errno = a->err;
		R->earlier_bound = a->earlier_bound;
	}
	bp__sup_view_free(a->view);
	pthread_mutex_destroy(&a->mu);
	free(a);
	return rc;
}
