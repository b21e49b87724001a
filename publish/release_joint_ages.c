/*
 * release_joint_ages.c - release model 20: the checks of each area and of
 * the whole release (release_areas.c, release_whole.c) know what a printed
 * sum of ages tells of the persons' age classes.
 *
 * sums.csv prints the sum of the ages of an area's persons by breakdown
 * value (and their mean).  Every person is 16 to 110 years old
 * (shared/spec/export-format.md) and, in an age class, within its bounds,
 * so a printed sum lies between the persons of each class times its least
 * and its greatest age: an inequality that bounds hidden age cells from
 * both sides.  The attacker of the tests (release_attack --ages) bounded
 * kommune alder4__total cells of a 32 000-person year so (60p at most 3
 * beside a printed mean age), and national age cells of small releases.
 *
 * So the persons of each class x get a second column beside theirs, the
 * years their ages lie above the class's least age (0 up to the class's
 * span times its persons), and each printed sum of ages is a row: the sum,
 * over the classes of its persons, of least age times persons plus those
 * years.  In the whole release a fylke's sum is then the sum of its
 * kommuner's, and a hidden sum of ages is no more than what the others
 * tell of it.  A sum of ages is a cell of the model (release_sums.c), in
 * no line: a check may hide it as a complement, before any count
 * (bp__joint_row_value), and sums.csv prints ":" for the sum and the mean
 * then.
 */
#include <errno.h>
#include <glpk.h>
#include <math.h>
#include <stdlib.h>

#include "export.h"
#include "release_joint.h"

/* The least and the greatest age of each atom, from the age classes that
 * hold it (bp_alder7, bp_alder4 over the export's ages). */
static void
atom_ages(struct joint *J)
{
	static const char *const classes[] = { "alder7", "alder4" };

	for (size_t a = 0; a < J->natom; a++) {
		J->age_lo[a] = BP_ALDER_MIN;
		J->age_hi[a] = BP_ALDER_MAX;
	}
	for (size_t k = 0; k < 2; k++) {
		int b = bp_breakdown_find(classes[k]);
		if (b < 0)
			continue;
		for (size_t v = 0; v < bp_breakdown_at((size_t)b)->nval; v++) {
			double lo = HUGE_VAL, hi = -HUGE_VAL;
			for (int age = BP_ALDER_MIN; age <= BP_ALDER_MAX; age++)
				if ((k ? bp_alder4(age) : bp_alder7(age)) == (int)v) {
					lo = fmin(lo, age);
					hi = fmax(hi, age);
				}
			if (lo > hi || bp_cellkeys_cell_atoms(J->T->ck, J->everyone,
			    bp_indicator_at(J->everyone)->ncat, (size_t)b, v, J->set) != 0)
				continue;
			for (size_t w = 0; w < J->words; w++)
				for (uint64_t x = J->set[w]; x; x &= x - 1) {
					size_t a = w * 64 + (size_t)__builtin_ctzll(x);
					J->age_lo[a] = fmax(J->age_lo[a], lo);
					J->age_hi[a] = fmin(J->age_hi[a], hi);
				}
		}
	}
}

int
bp__joint_ages_setup(struct joint *J)
{
	const struct bp_tables *T = J->T;
	int s = bp_sum_measure_find("alder"), tot = bp_breakdown_find("total");

	J->ages = false;
	if (T->s.model_version < 20 || s < 0 || tot < 0)
		return 0;
	J->age_g = T->nind + (size_t)s;
	if ((J->everyone = bp__rel_everyone(T, J->set)) == SIZE_MAX)
		return 0;
	for (int l = 0; l < J->nlv && !J->ages; l++)
		for (size_t b = 0; b < bp_n_breakdowns() && !J->ages; b++)
			J->ages = bp__joint_age_on(J, J->lvbit[l], b);
	if (!J->ages)
		return 0;
	if (!(J->age_lo = malloc(J->natom * sizeof(*J->age_lo))) ||
	    !(J->age_hi = malloc(J->natom * sizeof(*J->age_hi))))
		return -1;
	atom_ages(J);
	return 0;
}

bool
bp__joint_age_on(const struct joint *J, unsigned level, size_t b)
{
	return J->T->s.model_version >= 20 && table_on(J->T, level, J->age_g, b) &&
	    bp__joint_breakdown_counts(J, b);
}

int
bp__joint_age_set(struct joint *J, size_t b, size_t v)
{
	return bp_cellkeys_cell_atoms(J->T->ck, J->everyone, bp_indicator_at(J->everyone)->ncat,
	    b, v, J->set);
}

/*
 * Whether area i's sum of ages by (b, v) tells its program nothing: in an
 * area's program (whose classes are those of its level's tables), when
 * every age table that cuts the classes is printed by b there with each
 * cell of v published, the persons of each class in (b, v) are known, and
 * so are both sides of the row.  Such rows cost the LP (a row over every
 * class, with ages for coefficients) and are left out; hiding a cell of
 * those tables makes them count again, which the next round of the check
 * (release.c repeats it until it hides nothing) sees.
 */
static bool
idle(const struct joint *J, size_t i, size_t b, size_t v)
{
	static const char *const classes[] = { "alder7", "alder4" };
	const struct bp_tables *T = J->T;
	unsigned level = T->a[i].level;

	if (J->whole)
		return false;
	for (size_t k = 0; k < 2; k++) {
		int g = bp_indicator_find(classes[k]);
		bool cuts = false;
		if (g < 0)
			return false;
		for (size_t d = 0; d < bp_n_breakdowns() && !cuts; d++)
			cuts = table_on(T, level, (size_t)g, d) && bp__joint_breakdown_counts(J, d);
		if (!cuts)
			continue;
		for (size_t r = 0; r < bp_indicator_at((size_t)g)->ncat; r++) {
			size_t row = bp__rel_row_of(T, i, (size_t)g, b, v, r), c;
			if (row == SIZE_MAX || (c = J->R->rowcell[row]) == SIZE_MAX ||
			    bp_sup_state_of(J->M, c) != BP_SUP_PUBLISHED)
				return false;
		}
	}
	return true;
}

/* Area i's sum of ages by (b, v), when it is a row of the program: its
 * model cell, else SIZE_MAX. */
static size_t
age_cell(struct joint *J, size_t i, size_t b, size_t v)
{
	size_t row = bp__rel_row_of(J->T, i, J->age_g, b, v, 0), c;
	if (row == SIZE_MAX || (c = J->R->sumcell[row]) == SIZE_MAX ||
	    J->R->rowcell[row] == SIZE_MAX || idle(J, i, b, v) || bp__joint_age_set(J, b, v) != 0)
		return SIZE_MAX;
	return c;
}

bool
bp__joint_age_cols(struct joint *J, size_t i)
{
	if (!J->ages)
		return false;
	if (J->whole)
		return true;
	for (size_t b = 0; b < bp_n_breakdowns(); b++)
		for (size_t v = 0; bp__joint_age_on(J, J->T->a[i].level, b) &&
		    v < bp_breakdown_at(b)->nval; v++)
			if (age_cell(J, i, b, v) != SIZE_MAX)
				return true;
	return false;
}

bool
bp__joint_age_row(const struct joint *J, size_t k)
{
	return J->ages && (J->where[k] >> 24 & 255) == J->age_g;
}

/* The count beside age row k: its model cell. */
static size_t
count_of(const struct joint *J, size_t k)
{
	uint64_t w = J->where[k];
	size_t row = bp__rel_row_of(J->T, (size_t)(w >> 32), J->age_g, w >> 16 & 255,
	    w >> 8 & 255, 0);
	return row == SIZE_MAX ? SIZE_MAX : J->R->rowcell[row];
}

bool
bp__joint_age_printed(const struct joint *J, size_t k)
{
	size_t cnt = count_of(J, k);
	return bp_sup_state_of(J->M, J->cell[k]) == BP_SUP_PUBLISHED && cnt != SIZE_MAX &&
	    bp_sup_state_of(J->M, cnt) == BP_SUP_PUBLISHED;
}

/*
 * A sum of ages costs nothing beside a count: hiding it takes back what
 * the ages told and nothing of the tables, where the cheapest count of the
 * certificate was often the area's persons (a kommune of 368 hid its
 * total, an i_alt of every table, for a 60p of 2 beside its mean age).
 */
double
bp__joint_row_value(const struct joint *J, size_t k)
{
	return bp__joint_age_row(J, k) ? 0.0 : (double)bp_sup_value_of(J->M, J->cell[k]);
}

/* Each class's least age and the years above it its persons may have
 * (level l's classes) into lo[1..n], span[1..n]. */
static void
class_ages(const struct joint *J, const struct fam *P, double *lo, double *span)
{
	for (size_t x = 1; x <= P->n; x++) {
		lo[x] = HUGE_VAL;
		span[x] = -HUGE_VAL;
	}
	for (size_t a = 0; a < J->natom; a++) {
		uint32_t x = P->cls[a];
		if (x) {
			lo[x] = fmin(lo[x], J->age_lo[a]);
			span[x] = fmax(span[x], J->age_hi[a]);
		}
	}
	for (size_t x = 1; x <= P->n; x++)
		span[x] -= lo[x];
}

/* Appends to ind/val[n + 1..] base k's terms of the persons of the first
 * ny classes of J->ys: least age times persons, plus the years above (of
 * the class's group, once: rep). */
static int
age_terms(const struct joint *J, const struct fam *P, size_t k, size_t ny, const double *lo,
    const uint32_t *rep, int *ind, double *val, int n)
{
	for (size_t y = 0; y < ny; y++) {
		uint32_t x = J->ys[y];
		ind[++n] = bp__joint_col(J, k, 0, 0, P->n, x);
		val[n] = lo[x];
		if (rep[x] != x)
			continue;
		ind[++n] = bp__joint_col(J, k, 0, 1, P->n, x);
		val[n] = 1.0;
	}
	return n;
}

/*
 * Model 21: the classes whose persons are in the same sums of ages (the
 * same value of each breakdown that sums them, at every level) share one
 * column of years, their first class's: rep[x] for each class x of P.
 * The sums see only the years of a group, and a group's years lie within
 * the sum of its classes' spans times their persons exactly when they can
 * be shared out within each class's.  So the program's solutions are the
 * same; it has a row and a column for each group instead of each class
 * (some 840 of each in a kommune's program made its solves ten times as
 * long).
 * Before model 21, and for a class in two values of a breakdown (the
 * classes are cut by these sums, so none is), each class is its own.
 * 0 or -1 (ENOMEM).
 */
static int
age_groups(struct joint *J, const struct fam *P, uint32_t *rep)
{
	size_t n = P->n, most = 2;
	for (size_t b = 0; b < bp_n_breakdowns(); b++)
		if (bp_breakdown_at(b)->nval + 2 > most)
			most = bp_breakdown_at(b)->nval + 2;
	uint32_t *grp = calloc(n + 1, sizeof(*grp)), *code = malloc((n + 1) * sizeof(*code));
	uint32_t *id = malloc((n + 1) * most * sizeof(*id));
	int ret = -1;

	for (uint32_t x = 0; x <= n; x++)
		rep[x] = x;
	if (!grp || !code || !id)
		goto out;
	ret = 0;
	if (J->T->s.model_version < 21)
		goto out;
	uint32_t ng = 1;
	for (size_t b = 0; b < bp_n_breakdowns(); b++) {
		bool on = false;
		for (int l = 0; l < J->nlv; l++)
			on |= bp__joint_age_on(J, J->lvbit[l], b);
		if (!on)
			continue;
		size_t nv = bp_breakdown_at(b)->nval;
		for (uint32_t x = 1; x <= n; x++)
			code[x] = 0;
		for (size_t v = 0; v < nv; v++) {
			if (bp__joint_age_set(J, b, v) != 0)
				continue;
			size_t ny = bp__joint_class_list(J, P);
			for (size_t y = 0; y < ny; y++) {
				uint32_t x = J->ys[y];
				code[x] = code[x] ? (uint32_t)nv + 1 : (uint32_t)v + 1;
			}
		}
		/* refine: (group, value) pairs numbered anew */
		for (size_t q = 0; q < (size_t)ng * most; q++)
			id[q] = 0;
		uint32_t nn = 0;
		for (uint32_t x = 1; x <= n; x++) {
			size_t key = (size_t)grp[x] * most + code[x];
			if (code[x] == nv + 1 || grp[x] == UINT32_MAX) {
				grp[x] = UINT32_MAX;   /* alone */
				continue;
			}
			if (!id[key])
				id[key] = ++nn;
			grp[x] = id[key] - 1;
		}
		ng = nn ? nn : 1;
	}
	for (size_t q = 0; q < ng; q++)
		id[q] = 0;
	for (uint32_t x = 1; x <= n; x++) {
		if (grp[x] == UINT32_MAX)
			continue;
		if (!id[grp[x]])
			id[grp[x]] = x;
		rep[x] = id[grp[x]];
	}
out:
	free(grp);
	free(code);
	free(id);
	return ret;
}

/* Level l's groups (model 21, age_groups), made on first use: NULL on
 * ENOMEM.  J frees them. */
static const uint32_t *
age_reps(struct joint *J, int l)
{
	if (!J->age_rep[l]) {
		struct fam *P = bp__joint_fam(J, l, 0);
		uint32_t *rep = malloc((P->n + 1) * sizeof(*rep));
		if (!rep || age_groups(J, P, rep) < 0) {
			free(rep);
			return NULL;
		}
		J->age_rep[l] = rep;
	}
	return J->age_rep[l];
}

int
bp__joint_age_groups_setup(struct joint *J)
{
	for (int l = 0; J->ages && l < J->nlv; l++)
		if (bp__joint_classes(J, l, 0) < 0 || !age_reps(J, l))
			return -1;
	return 0;
}

/* The age columns of base k: at most span times the persons, group by
 * group (a class's own before model 21); the columns of the other classes
 * of a group are 0. */
static int
age_bounds(const struct joint *J, glp_prob *lp, size_t k, const struct fam *P,
    const double *span, const uint32_t *rep)
{
	if (J->base[k * J->nfam] < 0)
		return 0;
	size_t n = P->n;
	int *ind = malloc((n + 2) * sizeof(*ind));
	double *val = malloc((n + 2) * sizeof(*val));
	uint32_t *next = calloc(n + 1, sizeof(*next)), *last = calloc(n + 1, sizeof(*last));
	int ret = -1;

	if (!ind || !val || !next || !last)
		goto out;
	/* each group's classes in order: x, next[x], ... */
	for (uint32_t x = 1; x <= n; x++) {
		uint32_t r = rep[x];
		if (r != x)
			next[last[r]] = x;
		last[r] = x;
	}
	for (uint32_t x = 1; x <= n; x++) {
		if (rep[x] != x) {
			int j = bp__joint_col(J, k, 0, 1, n, x);
			glp_set_col_bnds(lp, j, GLP_FX, 0.0, 0.0);
			continue;
		}
		int m = 1;
		ind[1] = bp__joint_col(J, k, 0, 1, n, x);
		val[1] = 1.0;
		for (uint32_t y = x; y; y = next[y]) {
			ind[++m] = bp__joint_col(J, k, 0, 0, n, y);
			val[m] = -span[y];
		}
		int rw = glp_add_rows(lp, 1);
		glp_set_mat_row(lp, rw, m, ind, val);
		glp_set_row_bnds(lp, rw, GLP_UP, 0.0, 0.0);
	}
	ret = 0;
out:
	free(ind);
	free(val);
	free(next);
	free(last);
	return ret;
}

/*
 * By fylke (model 10) or group (12): the kommuner of merged base f print
 * sums of ages that add up to a sum over f's columns: fixed when each is
 * printed, at least the printed ones otherwise (what an intruder knows of
 * f from its kommuner).  Not printed rows: the check hides none of them.
 */
static int
kommune_age_sums(struct joint *J, glp_prob *lp, size_t f, const double *lo,
    const uint32_t *rep, int *ind, double *val)
{
	const struct bp_tables *T = J->T;
	struct fam *P = bp__joint_fam(J, 0, 0);

	if (!bp__joint_merged(J, f) || J->base[f * J->nfam] < 0)
		return 0;
	for (size_t b = 0; b < bp_n_breakdowns(); b++) {
		if (!bp__joint_age_on(J, BP_LEVEL_KOMMUNE, b) || (int)b == J->by_area)
			continue;
		for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++) {
			double sum = 0.0;
			bool all = true, any = false;
			for (size_t k = 0; k < T->na; k++) {
				if (!bp__joint_member(J, f, k))
					continue;
				size_t row = bp__rel_row_of(T, k, J->age_g, b, v, 0), s, c;
				if (row == SIZE_MAX || (s = J->R->sumcell[row]) == SIZE_MAX ||
				    (c = J->R->rowcell[row]) == SIZE_MAX)
					return 0; /* a kommune that does not print it */
				if (bp_sup_state_of(J->M, s) == BP_SUP_PUBLISHED &&
				    bp_sup_state_of(J->M, c) == BP_SUP_PUBLISHED) {
					sum += bp_sup_value_of(J->M, s);
					any = true;
				} else {
					all = false;
				}
			}
			if (!any || bp__joint_age_set(J, b, v) != 0)
				continue;
			int n = age_terms(J, P, f, bp__joint_class_list(J, P), lo, rep, ind, val, 0);
			int rw = glp_add_rows(lp, 1);
			glp_set_mat_row(lp, rw, n, ind, val);
			glp_set_row_bnds(lp, rw, all ? GLP_FX : GLP_LO, sum, sum);
		}
	}
	return 0;
}

/* Area i's printed sums of ages (level l's classes), one row each. */
static int
area_age_rows(struct joint *J, glp_prob *lp, size_t i, int l, const double *lo,
    const uint32_t *rep, int *ind, double *val)
{
	const struct bp_tables *T = J->T;
	struct fam *P = bp__joint_fam(J, l, 0);
	size_t nb = J->whole ? J->nbase : 1;

	for (size_t b = 0; b < bp_n_breakdowns(); b++) {
		if (!bp__joint_age_on(J, T->a[i].level, b))
			continue;
		for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++) {
			size_t c = age_cell(J, i, b, v);
			if (c == SIZE_MAX)
				continue;
			size_t ny = bp__joint_class_list(J, P);
			int n = 0;
			for (size_t q = 0; q < nb; q++) {
				size_t k = J->whole ? J->bases[q] : i;
				if (J->base[k * J->nfam] < 0 ||
				    (J->whole && !bp__joint_under(J, k, i, b, v)))
					continue;
				n = age_terms(J, P, k, ny, lo, rep, ind, val, n);
			}
			if (n == 0)
				continue;
			int rw = glp_add_rows(lp, 1);
			glp_set_mat_row(lp, rw, n, ind, val);
			if (bp__joint_add_printed(J, c, rw, (uint64_t)i << 32 | J->age_g << 24 |
			    b << 16 | v << 8) < 0)
				return -1;
			bp__joint_bound_row(J, lp, J->nrow - 1);
		}
	}
	return 0;
}

int
bp__joint_ages(struct joint *J, glp_prob *lp, size_t from, size_t to)
{
	const struct bp_tables *T = J->T;

	if (!J->ages)
		return 0;
	size_t nb = J->whole ? J->nbase : 1, most = 0;
	for (int l = 0; l < J->nlv; l++)
		if (bp__joint_fam(J, l, 0)->n > most)
			most = bp__joint_fam(J, l, 0)->n;
	double *lo = malloc((most + 1) * sizeof(*lo)), *span = malloc((most + 1) * sizeof(*span));
	int *ind = malloc((2 * most * nb + 1) * sizeof(*ind));
	double *val = malloc((2 * most * nb + 1) * sizeof(*val));
	const uint32_t *rep;
	int ret = -1;

	errno = ENOMEM;
	if (!lo || !span || !ind || !val)
		goto out;
	if (J->whole) {
		struct fam *P = bp__joint_fam(J, 0, 0);
		class_ages(J, P, lo, span);
		if (!(rep = age_reps(J, 0)))
			goto out;
		for (size_t q = 0; q < J->nbase; q++)
			if (age_bounds(J, lp, J->bases[q], P, span, rep) < 0 ||
			    kommune_age_sums(J, lp, J->bases[q], lo, rep, ind, val) < 0)
				goto out;
		for (size_t i = from; i < to; i++)
			if (T->a[i].rows && bp__joint_level(J, T->a[i].level) >= 0 &&
			    area_age_rows(J, lp, i, 0, lo, rep, ind, val) < 0)
				goto out;
	} else {
		for (size_t i = from; i < to; i++) {
			int l = bp__joint_level(J, T->a[i].level);
			/* (no age columns: no row the program needs) */
			if (!T->a[i].rows || l < 0 || J->base[i * J->nfam] < 0 ||
			    !bp__joint_age_cols(J, i))
				continue;
			struct fam *P = bp__joint_fam(J, l, 0);
			class_ages(J, P, lo, span);
			if (!(rep = age_reps(J, l)) || age_bounds(J, lp, i, P, span, rep) < 0 ||
			    area_age_rows(J, lp, i, l, lo, rep, ind, val) < 0)
				goto out;
		}
	}
	ret = 0;
out:
	free(lo);
	free(span);
	free(ind);
	free(val);
	return ret;
}
