/*
 * release_joint.c - model version 7 (bpagg-publish(1), "The release
 * model"): the persons behind an area's tables, atom by atom.
 *
 * The release model states relations between two indicators by the same
 * breakdown and between the breakdowns of one group by equalities.  An
 * intruder knows more: every cell whose set of persons the classification
 * decides (cellkeys.h: an i_alt, a category of rop_skala, brukergruppe,
 * rusmiddelbruk, ...) is a sum over the atoms of the classification, in
 * every table of the area at once: a joint distribution that no printed
 * table holds.  National rusgruppe by rop, rusmiddelbruk by rop and by
 * brukergruppe bound rusmiddelbruk rod among brukergruppe psyk so.
 *
 * So, once the model's repair has passed, per area one linear program,
 * built like the intruder's (tests/helpers/release_attack):
 *  - the classes of atoms that the sets printed in the area generate (two
 *    atoms in the same sets are one unknown), one unknown per class (the
 *    "persons"), from the indicators that are breakdowns and the two
 *    scores the ROP scale is made of;
 *  - for every other indicator with a hidden cell there, a family: one
 *    unknown per category and class of its breakdown values, its
 *    categories adding up, class by class, to the persons' classes in it;
 *  - every printed cell as a sum of its unknowns: fixed at its count when
 *    published, >= 1 when hidden and the rule says so.
 * Every hidden primary cell's largest value must reach min_cell.  A
 * primary below it gets a complement from the certificate of its bound (a
 * published cell with a dual, the smallest), kept hidden (BP_SUP_KEEP: the
 * model's cleanup does not publish it again); the caller repairs the model
 * again and calls this again, until it hides nothing.
 *
 * This is a check of each area alone, not a proof over the release: the
 * same program over every area, linked parent = sum of children class by
 * class, is what the intruder solves, and bounds cells that neither this
 * check nor the model's audit sees (bpagg-publish(1)).  Model 9 makes it
 * for small releases (release_whole.c, J->whole here).  Left out too:
 * kommunestorrelse (the kommune's class, not a set of atoms) and the sums
 * of sums.csv but those of ages (model 20, release_joint_ages.c).
 */
#include <errno.h>
#include <glpk.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellkeys.h"
#include "lpaudit.h"
#include "release_joint.h"

/* The classes of family f at level l (the whole release has one set of
 * classes for every level: a parent's are then sums of its kommuner's). */
struct fam *
bp__joint_fam(struct joint *J, int l, size_t f)
{
	return &J->f[(size_t)(J->whole ? 0 : l) * J->nfam + f];
}

/* Whether level l's tables count in the classes of level at. */
static bool
level_counts(const struct joint *J, int l, int at)
{
	return J->whole || l == at;
}

int
bp__joint_level(const struct joint *J, unsigned level)
{
	for (int l = 0; l < J->nlv; l++)
		if (J->lvbit[l] == level)
			return l;
	return -1;
}

/*
 * Whether indicator g is a family of its own: its i_alt is decided and its
 * categories are not, or they are but the indicator is neither a breakdown
 * (levekarsindeks8, lar and storforbruker are) nor one of the two scores
 * the ROP scale is made of (levekarsindeks6 is such a family: as one it
 * only forgets that its categories are decided, which an intruder can
 * only better, and keeps the persons' classes fewer).  With levekarsindeks8,
 * lar and storforbruker among the persons, the classes are finer than the
 * attacker's grid (tests/helpers/release_attack.h), which takes them as
 * free: this check knows what their definitions imply.
 */
static bool
coarse_family(const char *name)
{
	static const char *const derived[] = { "levekarsindeks8", "levekarsindeks6", "lar",
		"storforbruker" };
	for (size_t k = 0; k < sizeof(derived) / sizeof(*derived); k++)
		if (!strcmp(name, derived[k]))
			return true;
	return false;
}

static bool
own_family(struct joint *J, size_t g)
{
	const struct bp_indicator *ind = bp_indicator_at(g);
	int tot = bp_breakdown_find("total");
	if (ind->ncat == 0 || tot < 0 ||
	    bp_cellkeys_cell_atoms(J->T->ck, g, ind->ncat, (size_t)tot, 0, J->set) != 0)
		return false;
	if (bp_cellkeys_cell_atoms(J->T->ck, g, 0, (size_t)tot, 0, J->set) != 0)
		return true;
	if (J->whole && coarse_family(ind->name))
		return true;
	return bp_breakdown_find(ind->name) < 0 && strcmp(ind->name, "psykisk_helse") != 0 &&
	    strcmp(ind->name, "rusmiddelbruk") != 0;
}

/* Splits every class of F that J->set cuts (the part inside gets a new id;
 * ids are renumbered once past natom, so 2 natom + 2 of room suffice). */
static void
refine(struct joint *J, struct fam *F, size_t *ncls)
{
	uint32_t t = ++J->tick;
	for (size_t w = 0; w < J->words; w++)
		for (uint64_t x = J->set[w]; x; x &= x - 1) {
			size_t at = w * 64 + (size_t)__builtin_ctzll(x);
			uint32_t old = F->cls[at];
			if (J->stamp[old] != t) {
				J->stamp[old] = t;
				J->newid[old] = (uint32_t)(*ncls)++;
			}
			F->cls[at] = J->newid[old];
		}
	if (*ncls <= J->natom)
		return;
	*ncls = 1;
	t = ++J->tick;
	for (size_t at = 0; at < J->natom; at++)
		if (F->cls[at]) {
			if (J->stamp[F->cls[at]] != t) {
				J->stamp[F->cls[at]] = t;
				J->newid[F->cls[at]] = (uint32_t)(*ncls)++;
			}
			F->cls[at] = J->newid[F->cls[at]];
		}
}

/* Whether tables by breakdown b are in the program.  Kommunestorrelse is
 * the kommune's class, not the person's: only the whole release has the
 * kommuner to sum (cellkeys.h gives such a cell every atom of its row). */
bool
bp__joint_breakdown_counts(const struct joint *J, size_t b)
{
	return (int)b != J->by_area || (J->whole && J->ksize_known);
}

/* The set of printed row (g, b, v, r) in family f into J->set: 0, or -1
 * when the atoms do not decide it there. */
int
bp__joint_row_set(struct joint *J, size_t f, size_t g, size_t b, size_t v, size_t r)
{
	if (f == 0)
		return bp_cellkeys_cell_atoms(J->T->ck, g, r, b, v, J->set);
	return bp_cellkeys_cell_atoms(J->T->ck, g, bp_indicator_at(g)->ncat, b, v, J->set);
}

int
bp__joint_persons_of_classes(struct fam *F, const struct fam *P)
{
	if (!(F->phash = calloc(F->n + 1, sizeof(*F->phash))) ||
	    !(F->pfirst = calloc(F->n + 1, sizeof(*F->pfirst))) ||
	    !(F->pcount = calloc(F->n + 1, sizeof(*F->pcount))))
		return -1;
	for (uint32_t d = 1; d <= P->n; d++) {
		uint32_t x = F->cls[P->rep[d]];
		if (!F->pcount[x]++)
			F->pfirst[x] = d;
		F->phash[x] = (F->phash[x] ^ d) * 0x100000001b3ull;
	}
	return 0;
}

/*
 * The classes of family f at level l (every area of a level prints the
 * same tables), made on first use: generated by the sets of the tables
 * printed there (persons: every decided cell of theirs and every family's
 * i_alt; family g: g's i_alt by its breakdown values); a family is coupled
 * to the persons where their classes refine its.  0 or -1 (ENOMEM).
 */
int
bp__joint_classes(struct joint *J, int l, size_t f)
{
	const struct bp_tables *T = J->T;
	struct fam *F = bp__joint_fam(J, l, f);

	if (F->cls || !F->on)
		return 0;
	if (!(F->cls = calloc(J->natom, sizeof(*F->cls))))
		return -1;
	size_t ncls = 1;
	for (int lt = 0; lt < J->nlv; lt++) {
		if (!level_counts(J, lt, l))
			continue;
		for (size_t g = 0; g < T->nind; g++) {
			if (f > 0 && g != f - 1)
				continue;
			bool fam_g = f > 0 || J->own[g];
			for (size_t b = 0; b < bp_n_breakdowns(); b++) {
				if (!table_on(T, J->lvbit[lt], g, b) || !bp__joint_breakdown_counts(J, b))
					continue;
				size_t ncat = bp_indicator_at(g)->ncat;
				for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++)
					for (size_t r = fam_g ? ncat : 0; r <= ncat; r++)
						if (bp__joint_row_set(J, 0, g, b, v, r) == 0)
							refine(J, F, &ncls);
			}
		}
		/* model 20: the persons of each printed sum of ages */
		for (size_t b = 0; f == 0 && J->ages && b < bp_n_breakdowns(); b++)
			for (size_t v = 0; bp__joint_age_on(J, J->lvbit[lt], b) &&
			    v < bp_breakdown_at(b)->nval; v++)
				if (bp__joint_age_set(J, b, v) == 0)
					refine(J, F, &ncls);
	}
	/* compact to 1..n in the order of their first atom */
	uint32_t t = ++J->tick;
	size_t n = 0;
	for (size_t at = 0; at < J->natom; at++)
		if (F->cls[at]) {
			if (J->stamp[F->cls[at]] != t) {
				J->stamp[F->cls[at]] = t;
				J->newid[F->cls[at]] = (uint32_t)++n;
			}
			F->cls[at] = J->newid[F->cls[at]];
		}
	F->n = n;
	if (!(F->rep = malloc((n + 1) * sizeof(*F->rep))))
		return -1;
	for (size_t at = J->natom; at-- > 0; )
		if (F->cls[at])
			F->rep[F->cls[at]] = (uint32_t)at;
	if (f == 0)
		return 0;
	struct fam *P = bp__joint_fam(J, l, 0);
	F->coupled = true;
	for (size_t at = 0; at < J->natom && F->coupled; at++) {
		uint32_t d = P->cls[at];
		F->coupled = d ? F->cls[at] == F->cls[P->rep[d]] : F->cls[at] == 0;
	}
	return F->coupled ? bp__joint_persons_of_classes(F, P) : 0;
}

/* Which families are on at each level (printed there), and the persons'
 * classes.  0 or -1 (ENOMEM). */
static int
make_classes(struct joint *J)
{
	for (int l = 0; l < J->nlv; l++)
		for (size_t f = 0; f < J->nfam; f++) {
			bool printed = false;
			for (int lt = 0; lt < J->nlv; lt++)
				for (size_t b = 0; b < bp_n_breakdowns() && f > 0 && level_counts(J, lt, l); b++)
					printed |= table_on(J->T, J->lvbit[lt], f - 1, b) &&
					    bp__joint_breakdown_counts(J, b);
			bp__joint_fam(J, l, f)->on = f == 0 || (printed && J->own[f - 1]);
			if (f == 0 && bp__joint_classes(J, l, 0) < 0)
				return -1;
		}
	return 0;
}

/* Columns of family f (category r) of area i: first + class - 1. */
int
bp__joint_col(const struct joint *J, size_t i, size_t f, size_t r, size_t n, uint32_t x)
{
	return J->base[i * J->nfam + f] + (int)(r * n + x);
}

int
bp__joint_add_printed(struct joint *J, size_t c, int lprow, uint64_t where)
{
	if (J->nrow == J->caprow) {
		size_t cap = J->caprow ? 2 * J->caprow : 1024;
		size_t *a = realloc(J->cell, cap * sizeof(*a));
		if (!a)
			return -1;
		J->cell = a;
		int *b = realloc(J->lprow, cap * sizeof(*b));
		if (!b)
			return -1;
		J->lprow = b;
		uint64_t *w = realloc(J->where, cap * sizeof(*w));
		if (!w)
			return -1;
		J->where = w;
		J->caprow = cap;
	}
	J->where[J->nrow] = where;
	J->cell[J->nrow] = c;
	J->lprow[J->nrow++] = lprow;
	return 0;
}

/* Row k of the LP: fixed at its count when published, >= what the rule
 * tells of a hidden cell otherwise. */
void
bp__joint_bound_row(struct joint *J, glp_prob *lp, size_t k)
{
	size_t c = J->cell[k];
	if (bp__joint_age_row(J, k)) {
		/* a sum of ages: known or not, never a count */
		double v = bp_sup_value_of(J->M, c);
		if (bp__joint_age_printed(J, k))
			glp_set_row_bnds(lp, J->lprow[k], GLP_FX, v, v);
		else
			glp_set_row_bnds(lp, J->lprow[k], GLP_FR, 0.0, 0.0);
	} else if (bp_sup_state_of(J->M, c) == BP_SUP_PUBLISHED) {
		double v = bp_sup_value_of(J->M, c);
		glp_set_row_bnds(lp, J->lprow[k], GLP_FX, v, v);
	} else {
		/* model 20: within what its parent's line tells */
		double lo = bp__sup_col_lo(J->M, c), hi = HUGE_VAL;
		bp__joint_line_bounds(J, k, &lo, &hi);
		if (hi < HUGE_VAL)
			glp_set_row_bnds(lp, J->lprow[k], hi > lo ? GLP_DB : GLP_FX, lo,
			    hi > lo ? hi : lo);
		else
			glp_set_row_bnds(lp, J->lprow[k], GLP_LO, lo, 0.0);
	}
}

static void
add_row(glp_prob *lp, int n, const int *ind, const double *val, double fix)
{
	int rw = glp_add_rows(lp, 1);
	glp_set_mat_row(lp, rw, n, ind, val);
	glp_set_row_bnds(lp, rw, GLP_FX, fix, fix);
}

/* Whether area i hides a cell of indicator g's own categories. */
static bool
family_hidden_own(struct joint *J, size_t i, size_t g)
{
	const struct bp_tables *T = J->T;
	for (size_t b = 0; b < bp_n_breakdowns(); b++) {
		if (!table_on(T, T->a[i].level, g, b) || !bp__joint_breakdown_counts(J, b))
			continue;
		for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++)
			for (size_t r = 0; r < bp_indicator_at(g)->ncat; r++) {
				size_t row = bp__rel_row_of(T, i, g, b, v, r), c;
				if (row != SIZE_MAX && (c = J->R->rowcell[row]) != SIZE_MAX &&
				    bp_sup_state_of(J->M, c) != BP_SUP_PUBLISHED)
					return true;
			}
	}
	return false;
}

/* Whether area i hides a cell of indicator g's categories.  A family
 * without one is left out: its cells add up to the persons' (an i_alt), and
 * what else they say of the persons' classes is little and costs columns
 * (a fylke of the rapport profile: 8 726 with every family, 4 s of the
 * 357-kommune release). */
static bool
family_hidden(struct joint *J, size_t i, size_t g)
{
	/* model 19: a substance and its _tung are tied (release_joint_heavy.c),
	 * so each is in where the other hides a cell */
	int partner = J->partner[g];
	if (partner >= 0 && J->own[partner] && family_hidden_own(J, i, (size_t)partner))
		return true;
	return family_hidden_own(J, i, g);
}

/* Adds the columns of area i's families (level l) that are on and hide
 * a cell.  0 or -1 (ENOMEM). */
int
bp__joint_columns(struct joint *J, glp_prob *lp, size_t i, int l)
{
	for (size_t f = 0; f < J->nfam; f++) {
		struct fam *F = bp__joint_fam(J, l, f);
		if (!F->on || (f > 0 && !J->whole && !family_hidden(J, i, f - 1) &&
		    !bp__joint_index_family(J, l, f)))
			continue;
		if (bp__joint_classes(J, l, f) < 0)
			return -1;
		/* model 20: the persons' classes, then their ages above
		 * the least (release_joint_ages.c) */
		size_t ages = f == 0 && bp__joint_age_cols(J, i) ? F->n : 0;
		size_t ncol = f ? bp_indicator_at(f - 1)->ncat * F->n : F->n + ages;
		if (ncol == 0)
			continue;
		J->base[i * J->nfam + f] = glp_get_num_cols(lp);
		int first = glp_add_cols(lp, (int)ncol);
		for (int j = first; j < first + (int)ncol; j++)
			glp_set_col_bnds(lp, j, GLP_DB, 0.0,
			    j < first + (int)(ncol - ages) ? JOINT_CAP : JOINT_CAP * AGE_SPAN);
	}
	return 0;
}

/* The classes of G that J->set meets, in the order of their first atom,
 * into J->ys; how many. */
size_t
bp__joint_class_list(struct joint *J, const struct fam *G)
{
	uint32_t t = ++J->tick;
	size_t n = 0;
	for (size_t w = 0; w < J->words; w++)
		for (uint64_t x = J->set[w]; x; x &= x - 1) {
			uint32_t y = G->cls[w * 64 + (size_t)__builtin_ctzll(x)];
			if (y && J->stamp[y] != t) {
				J->stamp[y] = t;
				J->ys[n++] = y;
			}
		}
	return n;
}

int
bp__joint_class_cols(struct joint *J, const uint32_t *ys, size_t ny, size_t k, size_t f,
    size_t r, size_t ncls, int n)
{
	for (size_t y = 0; y < ny; y++)
		J->ind[++n] = bp__joint_col(J, k, f, r, ncls, ys[y]);
	return n;
}

/* Whether reporting kommune k (an area of J->bases) counts in area i's
 * cells by breakdown b's value v.  Model 10's fylke k: in the nation's
 * cells, its own, and those of its kommune when it has one reporting.
 * Model 12's group, kommuner of one fylke and size class merged into k. */
bool
bp__joint_under(const struct joint *J, size_t k, size_t i, size_t b, size_t v)
{
	const struct area *a = &J->T->a[i], *K = &J->T->a[k];
	if (J->by_fylke && K->level == BP_LEVEL_FYLKE)
		return a->level == BP_LEVEL_NASJONAL || k == i ||
		    (a->parent == k && bp__joint_block_size(J, k) == 1 &&
		    !(J->alone && J->alone[i]));
	if ((int)b == J->by_area && K->ksize != (int)v)
		return false;
	/* model 12's group of kommuner: in no kommune's cells */
	if (J->gn && J->gn[k] > 1)
		return a->level == BP_LEVEL_NASJONAL || K->parent == i;
	return k == i || a->level == BP_LEVEL_NASJONAL || K->parent == i;
}

/* The printed rows of indicator g in area i (level l); a model cell once
 * (seen[c] == stamp: already a row).  0 or -1 (ENOMEM). */
int
bp__joint_printed(struct joint *J, glp_prob *lp, size_t i, int l, size_t g, size_t *seen,
    size_t stamp)
{
	const struct bp_tables *T = J->T;
	size_t f = J->own[g] ? 1 + g : 0, ncat = bp_indicator_at(g)->ncat;
	/* whose columns: area i's own, or the reporting kommuner's */
	size_t nb = J->whole ? J->nbase : 1, probe = J->whole ? J->bases[0] : i;

	if (J->base[probe * J->nfam + f] < 0)
		return 0;
	for (size_t b = 0; b < bp_n_breakdowns(); b++) {
		if (!table_on(T, T->a[i].level, g, b) || !bp__joint_breakdown_counts(J, b))
			continue;
		for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++)
			for (size_t r = 0; r <= ncat; r++) {
				size_t row = bp__rel_row_of(T, i, g, b, v, r), c;
				if (row == SIZE_MAX || (c = J->R->rowcell[row]) == SIZE_MAX ||
				    seen[c] == stamp)
					continue;
				/* a family's i_alt is a cell of the persons */
				size_t ff = r == ncat ? 0 : f;
				struct fam *G = bp__joint_fam(J, l, ff);
				const uint32_t *ys = NULL;
				size_t ny = 0;
				int rc;
				if (J->base[probe * J->nfam + ff] < 0)
					continue;
				if ((rc = bp__joint_row_classes(J, G, ff, g, b, v, r, &ys, &ny)) < 0)
					return -1;
				if (rc > 0)
					continue;
				/* the same classes for every base */
				int n = 0;
				for (size_t q = 0; q < nb; q++) {
					size_t k = J->whole ? J->bases[q] : i;
					if (J->whole && !bp__joint_under(J, k, i, b, v))
						continue;
					n = bp__joint_class_cols(J, ys, ny, k, ff, ff ? r : 0, G->n, n);
				}
				/* by fylke: a kommune's cell among others of its fylke */
				if (n == 0 && J->by_fylke)
					continue;
				seen[c] = stamp;
				int rw = glp_add_rows(lp, 1);
				glp_set_mat_row(lp, rw, n, J->ind, J->val);
				if (bp__joint_add_printed(J, c, rw, (uint64_t)i << 32 | g << 24 | b << 16 |
				    v << 8 | r) < 0)
					return -1;
				bp__joint_bound_row(J, lp, J->nrow - 1);
			}
	}
	return 0;
}

/* Whether family f has coupling rows in area i (level l). */
static bool
has_coupling(struct joint *J, size_t i, int l, size_t f)
{
	return f > 0 && J->base[i * J->nfam + f] >= 0 && bp__joint_fam(J, l, f)->coupled &&
	    J->base[i * J->nfam] >= 0;
}

/*
 * Model 24: the family before f (and its class, *x0) whose class holds
 * the same persons' classes as f's class x, and so has the same persons'
 * side in its coupling row in area i; 0 when none.  Among a release's
 * 120 families of two classes, each family's coupling row summed the same
 * few hundred persons' classes again: two thirds of the 1.2 million
 * elements of the 357-kommune program by fylke.
 */
static size_t
same_persons(struct joint *J, size_t i, int l, size_t f, uint32_t x, uint32_t *x0)
{
	const struct fam *F = bp__joint_fam(J, l, f), *P = bp__joint_fam(J, l, 0);

	for (size_t e = 1; e < f && F->pcount[x] > 0; e++) {
		if (!J->own[e - 1] || !has_coupling(J, i, l, e))
			continue;
		const struct fam *E = bp__joint_fam(J, l, e);
		uint32_t y = E->cls[P->rep[F->pfirst[x]]];
		if (y == 0 || E->pfirst[y] != F->pfirst[x] || E->pcount[y] != F->pcount[x] ||
		    E->phash[y] != F->phash[x])
			continue;
		uint32_t d = 1;
		while (d <= P->n && (F->cls[P->rep[d]] == x) == (E->cls[P->rep[d]] == y))
			d++;
		if (d > P->n) {
			*x0 = y;
			return e;
		}
	}
	return 0;
}

/* Family g's categories add up, class by class, to the persons of area i
 * (level l) in it, where the persons' classes refine the family's.  Model
 * 24: to the same categories of the first family before it whose class
 * holds the same persons (same_persons), which add up to them; the same
 * program, a row of 2 ncat elements in place of hundreds. */
void
bp__joint_coupling(struct joint *J, glp_prob *lp, size_t i, int l, size_t g)
{
	size_t f = J->own[g] ? 1 + g : 0, ncat = bp_indicator_at(g)->ncat;
	struct fam *F = bp__joint_fam(J, l, f);

	if (!has_coupling(J, i, l, f))
		return;
	struct fam *P = bp__joint_fam(J, l, 0);
	for (uint32_t x = 1; x <= F->n; x++) {
		int n = 0;
		uint32_t x0 = 0;
		size_t e = J->T->s.model_version >= 24 ? same_persons(J, i, l, f, x, &x0) : 0;
		for (size_t r = 0; r < ncat; r++) {
			J->ind[++n] = bp__joint_col(J, i, f, r, F->n, x);
			J->obj[n] = 1.0;
		}
		for (size_t r = 0; e && r < bp_indicator_at(e - 1)->ncat; r++) {
			J->ind[++n] = bp__joint_col(J, i, e, r, bp__joint_fam(J, l, e)->n, x0);
			J->obj[n] = -1.0;
		}
		for (uint32_t d = 1; !e && d <= P->n; d++)
			if (F->cls[P->rep[d]] == x) {
				J->ind[++n] = bp__joint_col(J, i, 0, 0, P->n, d);
				J->obj[n] = -1.0;
			}
		add_row(lp, n, J->ind, J->obj, 0.0);
	}
}

/* Whether model cell c may become a complement: published, not fixed
 * by the republishing rule, not a zero the rule shows. */
bool
bp__joint_hideable(const struct joint *J, size_t c)
{
	return bp_sup_state_of(J->M, c) == BP_SUP_PUBLISHED &&
	    !(bp_sup_flags_of(J->M, c) & BP_SUP_FIXED) &&
	    (bp_sup_value_of(J->M, c) != 0 || J->T->s.suppress_zero);
}

bool
bp__joint_to_raise(const struct joint *J, glp_prob *lp, size_t k)
{
	size_t c = J->cell[k];
	if (bp_sup_state_of(J->M, c) != BP_SUP_PRIMARY)
		return false;
	return !(J->T->s.model_version >= 13 && J->T->s.suppress_zero &&
	    bp_sup_value_of(J->M, c) == 0 &&
	    glp_get_mat_row(lp, J->lprow[k], NULL, NULL) == 0);
}

/* Room for a row (1-based) over nk areas' columns: a printed cell's
 * classes (at most one per atom and area), or a class's categories and the
 * persons' classes in it.  0 or -1 (ENOMEM). */
int
bp__joint_row_room(struct joint *J, size_t nk)
{
	size_t big = J->natom * nk + 2, most = big + 2 * 64;
	if (!(J->val = malloc(big * sizeof(*J->val))) ||
	    !(J->ind = malloc(most * sizeof(*J->ind))) ||
	    !(J->obj = malloc(most * sizeof(*J->obj))))
		return -1;
	for (size_t j = 0; j < big; j++)
		J->val[j] = 1.0;
	return 0;
}

/* Every area's check (or the whole release's).  0 or -1 (errno). */
static int
run(struct joint *J)
{
	const struct bp_tables *T = J->T;
	size_t n = bp_sup_ncells(J->M), *seen = calloc(n ? n : 1, sizeof(*seen)), *list = NULL;
	int ret = -1;

	errno = ENOMEM;
	/* an area prints each model cell once: at most n rows */
	if (!seen || !(list = malloc((n ? n : 1) * sizeof(*list))) ||
	    !(J->base = malloc(T->na * J->nfam * sizeof(*J->base))))
		goto out;
	if (J->whole) {
		ret = bp__joint_check_whole(J, seen, list);
		goto out;
	}
	ret = bp__joint_check_areas(J, seen, list);
out:
	free(seen);
	free(list);
	return ret;
}

static long
joint(const struct bp_tables *T, struct rel *R, bool whole, struct bp_sup_problem *M,
    const atomic_bool *stop, const unsigned char *dirty, const struct bp_sup_problem *lines,
    size_t *earlier_bound)
{
	static const unsigned lv[NLV] = { BP_LEVEL_NASJONAL, BP_LEVEL_FYLKE, BP_LEVEL_KOMMUNE };
	struct joint J = { .T = T, .R = R, .M = M, .whole = whole, .stop = stop,
		.dirty = dirty, .lines = lines };
	long ret = -1;
	/* GLPK would print its basis messages to standard output, which
	 * carries the release id */
	int term = glp_term_out(GLP_OFF);

	J.words = bp_cellkeys_words(T->ck);
	J.natom = J.words * 64;
	J.nfam = 1 + T->nind;
	J.by_area = bp_breakdown_find("kommunestorrelse");
	for (int k = 0; k < NLV; k++)
		if (T->s.levels & lv[k])
			J.lvbit[J.nlv++] = lv[k];
	size_t room = 2 * J.natom + 2;
	if (!(J.f = calloc((size_t)J.nlv * J.nfam, sizeof(*J.f))) ||
	    !(J.stamp = calloc(room, sizeof(*J.stamp))) ||
	    !(J.newid = malloc(room * sizeof(*J.newid))) ||
	    !(J.ys = malloc((J.natom + 1) * sizeof(*J.ys))) ||
	    !(J.set = malloc(J.words * sizeof(*J.set))) ||
	    (!whole && bp__joint_row_room(&J, 1) < 0)) {
		errno = ENOMEM;
		goto out;
	}
	if (!(J.own = malloc((T->nind ? T->nind : 1) * sizeof(*J.own)))) {
		errno = ENOMEM;
		goto out;
	}
	for (size_t g = 0; g < T->nind; g++)
		J.own[g] = own_family(&J, g);
	if (bp__joint_heavy_partners(&J) < 0 || bp__joint_ages_setup(&J) < 0 ||
	    (lines && !(J.lparent = bp__rel_line_parents(T))) ||
	    (whole && bp__joint_whole_setup(&J) < 0) || make_classes(&J) < 0 ||
	    bp__joint_index_setup(&J) < 0) {
		errno = ENOMEM;
		goto out;
	}
	if (run(&J) < 0)
		goto out;
	/* (a whole program too large to be made has said so already) */
	if (getenv("BPAGG_DEBUG_SUPPRESS") && (!whole || J.made))
		fprintf(stderr, "  %s check: %zu primary cells, %zu checked one by one, "
		    "%zu complements\n", whole ? "whole-release" : "joint", J.primaries, J.checked,
		    J.hidden);
	ret = (long)J.hidden;
	if (earlier_bound)
		*earlier_bound = J.then_left;
out:
	for (size_t k = 0; J.f && k < (size_t)J.nlv * J.nfam; k++) {
		free(J.f[k].cls);
		free(J.f[k].rep);
		free(J.f[k].phash);
		free(J.f[k].pfirst);
		free(J.f[k].pcount);
	}
	free(J.f);
	free(J.stamp);
	free(J.newid);
	free(J.ys);
	free(J.set);
	free(J.own);
	free(J.partner);
	free(J.age_lo);
	free(J.age_hi);
	for (int l = 0; l < NLV; l++)
		free(J.age_rep[l]);
	free(J.lparent);
	free(J.base);
	free(J.cell);
	free(J.lprow);
	free(J.where);
	free(J.ind);
	free(J.val);
	free(J.obj);
	free(J.bases);
	free(J.dev);
	free(J.ksum);
	free(J.ksum_need);
	free(J.since_row);
	free(J.hid_row);
	free(J.grp);
	free(J.gn);
	free(J.alone);
	free(J.then_q);
	free(J.then_k);
	bp__joint_index_free(&J);
	bp__joint_memo_free(&J);
	glp_term_out(term);
	return ret;
}

long
bp__rel_joint(const struct bp_tables *T, struct rel *R, const unsigned char *dirty,
    const struct bp_sup_problem *lines)
{
	return joint(T, R, false, bp_model_problem(R->m), NULL, dirty, lines, NULL);
}

long
bp__rel_joint_whole(const struct bp_tables *T, struct rel *R, struct bp_sup_problem *M,
    const atomic_bool *stop, size_t *earlier_bound)
{
	return joint(T, R, true, M ? M : bp_model_problem(R->m), stop, NULL, NULL,
	    earlier_bound);
}
