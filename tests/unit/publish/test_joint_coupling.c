/*
 * test_joint_coupling.c - bp__joint_coupling (publish/release_joint.c):
 * model 24 ties a family's categories to those of the first family before
 * it whose class holds the same persons' classes, model 23 to the persons'
 * classes themselves; the rows differ, the program does not.
 *
 * Six atoms; the persons' classes (family 0) are atoms 0..4, one each
 * (atom 5 in none).  Three families of indicators g[0] < g[1] < g[2]:
 *   A  {0, 1} -> 1, {2, 3, 4} -> 2
 *   B  {2, 3, 4} -> 1, {0, 1} -> 2   (A's classes, numbered the other way)
 *   C  {0} -> 1, {1, 2, 3, 4} -> 2   (other persons)
 * Model 24: B's class 1 row is B(., 1) - A(., 2), class 2 B(., 2) - A(., 1);
 * A's and C's rows sum the persons' classes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <glpk.h>

#include "measures.h"
#include "release_joint.h"

enum { NATOM = 6, NP = 5 };

struct fixture {
	struct bp_tables T;
	struct joint J;
	size_t g[3];               /* the indicators of A, B, C */
	glp_prob *lp;
	int pcol;                  /* column of the persons' class 1 */
};

static const uint32_t part[4][NATOM] = {
	{ 1, 2, 3, 4, 5, 0 },      /* persons */
	{ 1, 1, 2, 2, 2, 0 },      /* A */
	{ 2, 2, 1, 1, 1, 0 },      /* B */
	{ 1, 2, 2, 2, 2, 0 },      /* C */
};

/* Family f's classes from atom classes cls (n of them). */
static void
family(struct fam *F, const uint32_t *cls, size_t n)
{
	F->on = true;
	F->n = n;
	F->cls = calloc(NATOM, sizeof(*F->cls));
	F->rep = calloc(n + 1, sizeof(*F->rep));
	cr_assert(F->cls && F->rep);
	memcpy(F->cls, cls, NATOM * sizeof(*cls));
	for (size_t at = NATOM; at-- > 0; )
		if (cls[at])
			F->rep[cls[at]] = (uint32_t)at;
}

/* Indicators of at least two categories, the first three of them. */
static void
pick(size_t g[3])
{
	size_t k = 0;
	for (size_t i = 0; i < bp_n_indicators() && k < 3; i++)
		if (bp_indicator_at(i)->ncat >= 2)
			g[k++] = i;
	cr_assert_eq(k, 3);
}

/* The program's columns (persons, then A, B, C, each a block of ncat x n)
 * and the coupling rows of model version model, persons fixed at p. */
static void
make(struct fixture *X, unsigned model, const double p[NP])
{
	memset(X, 0, sizeof(*X));
	glp_term_out(GLP_OFF);
	pick(X->g);
	X->T.na = 1;
	X->T.nind = bp_n_indicators();
	X->T.s.model_version = model;
	struct joint *J = &X->J;
	J->T = &X->T;
	J->natom = NATOM;
	J->nfam = 1 + X->T.nind;
	J->nlv = 1;
	J->f = calloc(J->nfam, sizeof(*J->f));
	J->own = calloc(X->T.nind, sizeof(*J->own));
	J->base = malloc(J->nfam * sizeof(*J->base));
	J->ind = malloc(64 * sizeof(*J->ind));
	J->obj = malloc(64 * sizeof(*J->obj));
	cr_assert(J->f && J->own && J->base && J->ind && J->obj);
	for (size_t f = 0; f < J->nfam; f++)
		J->base[f] = -1;
	X->lp = glp_create_prob();
	family(&J->f[0], part[0], NP);
	J->base[0] = glp_add_cols(X->lp, NP) - 1;
	X->pcol = J->base[0] + 1;
	for (int j = 0; j < NP; j++)
		glp_set_col_bnds(X->lp, X->pcol + j, GLP_FX, p[j], p[j]);
	for (int k = 0; k < 3; k++) {
		size_t f = 1 + X->g[k], ncat = bp_indicator_at(X->g[k])->ncat;
		J->own[X->g[k]] = true;
		family(&J->f[f], part[1 + k], 2);
		J->f[f].coupled = true;
		cr_assert_eq(bp__joint_persons_of_classes(&J->f[f], &J->f[0]), 0);
		J->base[f] = glp_add_cols(X->lp, (int)(2 * ncat)) - 1;
		for (int j = 1; j <= (int)(2 * ncat); j++)
			glp_set_col_bnds(X->lp, J->base[f] + j, GLP_DB, 0.0, JOINT_CAP);
	}
	for (size_t g = 0; g < X->T.nind; g++)
		bp__joint_coupling(J, X->lp, 0, 0, g);
}

static void
unmake(struct fixture *X)
{
	for (size_t f = 0; f < X->J.nfam; f++) {
		free(X->J.f[f].cls);
		free(X->J.f[f].rep);
		free(X->J.f[f].phash);
		free(X->J.f[f].pfirst);
		free(X->J.f[f].pcount);
	}
	free(X->J.f);
	free(X->J.own);
	free(X->J.base);
	free(X->J.ind);
	free(X->J.obj);
	glp_delete_prob(X->lp);
}

/* Column of family k's category r, class x. */
static int
col(const struct fixture *X, int k, size_t r, uint32_t x)
{
	size_t f = 1 + X->g[k];
	return X->J.base[f] + (int)(r * X->J.f[f].n + x);
}

/* The row (1-based) with coefficient +1 on family k's column (0, x). */
static int
row_of(const struct fixture *X, int k, uint32_t x)
{
	int m = glp_get_num_rows(X->lp), ind[64];
	double val[64];
	for (int i = 1; i <= m; i++) {
		int len = glp_get_mat_row(X->lp, i, ind, val);
		for (int q = 1; q <= len; q++)
			if (ind[q] == col(X, k, 0, x) && val[q] == 1.0)
				return i;
	}
	return 0;
}

/* Whether row i holds column j with coefficient v. */
static bool
holds(glp_prob *lp, int i, int j, double v)
{
	int ind[64];
	double val[64];
	int len = glp_get_mat_row(lp, i, ind, val);
	for (int q = 1; q <= len; q++)
		if (ind[q] == j)
			return val[q] == v;
	return false;
}

static const double persons[NP] = { 2, 3, 1, 4, 2 };

Test(coupling, model24_ties_b_to_a_and_c_to_the_persons)
{
	struct fixture X;
	make(&X, 24, persons);
	size_t na = bp_indicator_at(X.g[0])->ncat, nb = bp_indicator_at(X.g[1])->ncat,
	    nc = bp_indicator_at(X.g[2])->ncat;
	cr_assert_eq(glp_get_num_rows(X.lp), 6);
	/* A: its categories against persons 1, 2 (class 1) and 3, 4, 5 */
	int a1 = row_of(&X, 0, 1), a2 = row_of(&X, 0, 2);
	cr_assert_eq(glp_get_mat_row(X.lp, a1, NULL, NULL), (int)na + 2);
	cr_assert_eq(glp_get_mat_row(X.lp, a2, NULL, NULL), (int)na + 3);
	cr_assert(holds(X.lp, a1, X.pcol, -1.0) && holds(X.lp, a1, X.pcol + 1, -1.0));
	/* B: its class 1 against A's class 2, its class 2 against A's 1 */
	int b1 = row_of(&X, 1, 1), b2 = row_of(&X, 1, 2);
	cr_assert_eq(glp_get_mat_row(X.lp, b1, NULL, NULL), (int)(nb + na));
	cr_assert_eq(glp_get_mat_row(X.lp, b2, NULL, NULL), (int)(nb + na));
	for (size_t r = 0; r < na; r++) {
		cr_assert(holds(X.lp, b1, col(&X, 0, r, 2), -1.0), "B class 1, A's category %zu", r);
		cr_assert(holds(X.lp, b2, col(&X, 0, r, 1), -1.0), "B class 2, A's category %zu", r);
	}
	cr_assert(!holds(X.lp, b1, X.pcol + 2, -1.0));
	/* C: other persons, so its own sums of them */
	int c1 = row_of(&X, 2, 1), c2 = row_of(&X, 2, 2);
	cr_assert_eq(glp_get_mat_row(X.lp, c1, NULL, NULL), (int)nc + 1);
	cr_assert_eq(glp_get_mat_row(X.lp, c2, NULL, NULL), (int)nc + 4);
	unmake(&X);
}

Test(coupling, model23_sums_the_persons_in_every_row)
{
	struct fixture X;
	make(&X, 23, persons);
	size_t nb = bp_indicator_at(X.g[1])->ncat;
	int b1 = row_of(&X, 1, 1);
	cr_assert_eq(glp_get_mat_row(X.lp, b1, NULL, NULL), (int)nb + 3);
	cr_assert(holds(X.lp, b1, X.pcol + 2, -1.0));
	unmake(&X);
}

/* The optimum of lp for objective column j (direction dir). */
static double
optimum(glp_prob *lp, int j, int dir)
{
	glp_smcp parm;
	for (int c = 1; c <= glp_get_num_cols(lp); c++)
		glp_set_obj_coef(lp, c, c == j);
	glp_set_obj_dir(lp, dir);
	glp_init_smcp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	glp_adv_basis(lp, 0);
	cr_assert_eq(glp_simplex(lp, &parm), 0);
	cr_assert_eq(glp_get_status(lp), GLP_OPT);
	return glp_get_obj_val(lp);
}

Test(coupling, both_models_bound_every_category_alike)
{
	struct fixture X23, X24;
	make(&X23, 23, persons);
	make(&X24, 24, persons);
	cr_assert_eq(glp_get_num_cols(X23.lp), glp_get_num_cols(X24.lp));
	/* one category of each family is also held at 1 (a printed cell):
	 * the others' bounds then depend on the ties */
	for (int k = 0; k < 3; k++) {
		glp_set_col_bnds(X23.lp, col(&X23, k, 0, 1), GLP_FX, 1.0, 1.0);
		glp_set_col_bnds(X24.lp, col(&X24, k, 0, 1), GLP_FX, 1.0, 1.0);
	}
	size_t checked = 0;
	for (int k = 0; k < 3; k++)
		for (size_t r = 0; r < bp_indicator_at(X23.g[k])->ncat; r++)
			for (uint32_t x = 1; x <= 2; x++) {
				int j = col(&X23, k, r, x);
				cr_assert_eq(j, col(&X24, k, r, x));
				double hi23 = optimum(X23.lp, j, GLP_MAX), hi24 = optimum(X24.lp, j, GLP_MAX);
				double lo23 = optimum(X23.lp, j, GLP_MIN), lo24 = optimum(X24.lp, j, GLP_MIN);
				cr_assert_float_eq(hi23, hi24, 1e-9, "family %d cat %zu class %u", k, r, x);
				cr_assert_float_eq(lo23, lo24, 1e-9, "family %d cat %zu class %u", k, r, x);
				checked++;
			}
	/* B's class 1 holds persons' classes 3, 4, 5 (7 persons), one of
	 * them in category 0 */
	double hi = optimum(X24.lp, col(&X24, 1, 1, 1), GLP_MAX);
	cr_assert_float_eq(hi, 6.0, 1e-9);
	cr_assert_geq(checked, 12);
	unmake(&X23);
	unmake(&X24);
}
