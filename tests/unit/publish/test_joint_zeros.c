/*
 * test_joint_zeros.c - bp__joint_drop_zeros (publish/release_joint_zeros.c,
 * model 21): a check's program loses exactly the columns that can only be
 * 0 and the rows that leaves empty and nothing changes, its printed rows
 * and the primaries' list follow the new numbering, and the program has
 * the same optimum.
 *
 * The program (every column 0 to 1e6, a fixed-at-0 column x7 besides):
 *   r1  x1 + x2           = 0   printed, published 0 (no check may hide it)
 *   r2  x2 + x3 + x4      = 5   printed, published 5
 *   r3  x1 + x5          >= 1   printed, a primary
 *   r4  x5 + x6           = 3   printed, published 3
 *   r5  x3 - x6          <= 5   not printed (mixed signs)
 *   r6  x4 - x1 + x7     <= 0   not printed: 0 once x1 is (a second pass)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <glpk.h>

#include "release_joint.h"
#include "suppress.h"

enum { NCOL = 7, NROW = 6 };

struct fixture {
	struct bp_tables T;
	struct joint J;
	glp_prob *lp;
	size_t cell[4], list[1];
	int lprow[4];
	uint64_t where[4];
};

/* A row over ind[1..n] (GLPK's arrays from 1). */
static void
row(glp_prob *lp, int n, const int *ind, const double *val, int type, double lb, double ub)
{
	int rw = glp_add_rows(lp, 1);
	glp_set_mat_row(lp, rw, n, ind, val);
	glp_set_row_bnds(lp, rw, type, lb, ub);
}

/* The program above, its four printed rows in J (cells 0..3: published 0,
 * published 5, primary 1, published 3), the primary's row in list. */
static void
make(struct fixture *F, bool suppress_zero)
{
	memset(F, 0, sizeof(*F));
	glp_term_out(GLP_OFF);
	F->T.s.suppress_zero = suppress_zero;
	F->T.s.model_version = 21;
	struct bp_sup_problem *M = bp_sup_new();
	cr_assert_not_null(M);
	static const uint32_t value[4] = { 0, 5, 1, 3 };
	for (int c = 0; c < 4; c++)
		cr_assert_eq(bp_sup_add_cell(M, value[c], 0), c);
	bp_sup_set_state(M, 2, BP_SUP_PRIMARY);
	F->J.T = &F->T;
	F->J.M = M;
	F->lp = glp_create_prob();
	glp_add_cols(F->lp, NCOL);
	for (int j = 1; j <= NCOL; j++)
		glp_set_col_bnds(F->lp, j, j == 7 ? GLP_FX : GLP_DB, 0.0, j == 7 ? 0.0 : 1e6);
	row(F->lp, 2, (int[]){ 0, 1, 2 }, (double[]){ 0, 1, 1 }, GLP_FX, 0, 0);
	row(F->lp, 3, (int[]){ 0, 2, 3, 4 }, (double[]){ 0, 1, 1, 1 }, GLP_FX, 5, 5);
	row(F->lp, 2, (int[]){ 0, 1, 5 }, (double[]){ 0, 1, 1 }, GLP_LO, 1, 0);
	row(F->lp, 2, (int[]){ 0, 5, 6 }, (double[]){ 0, 1, 1 }, GLP_FX, 3, 3);
	row(F->lp, 2, (int[]){ 0, 3, 6 }, (double[]){ 0, 1, -1 }, GLP_UP, 0, 5);
	row(F->lp, 3, (int[]){ 0, 4, 1, 7 }, (double[]){ 0, 1, -1, 1 }, GLP_UP, 0, 0);
	for (int k = 0; k < 4; k++) {
		F->cell[k] = (size_t)k;
		F->lprow[k] = k + 1;
		F->where[k] = (uint64_t)k;
	}
	F->J.cell = F->cell;
	F->J.lprow = F->lprow;
	F->J.where = F->where;
	F->J.nrow = F->J.caprow = 4;
	F->list[0] = 2;
}

static void
done(struct fixture *F)
{
	glp_delete_prob(F->lp);
	bp_sup_free(F->J.M);
}

/* The largest value of the primary's row (x1 + x5, or what is left of it). */
static double
primary_max(glp_prob *lp, int rw)
{
	glp_smcp parm;
	int ind[NCOL + 1];
	double val[NCOL + 1];

	for (int j = 1; j <= glp_get_num_cols(lp); j++)
		glp_set_obj_coef(lp, j, 0.0);
	int n = glp_get_mat_row(lp, rw, ind, val);
	for (int t = 1; t <= n; t++)
		glp_set_obj_coef(lp, ind[t], val[t]);
	glp_set_obj_dir(lp, GLP_MAX);
	glp_init_smcp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	glp_adv_basis(lp, 0);
	cr_assert_eq(glp_simplex(lp, &parm), 0);
	cr_assert_eq(glp_get_status(lp), GLP_OPT);
	return glp_get_obj_val(lp);
}

Test(joint_zeros, a_printed_zero_and_what_it_leaves_go)
{
	struct fixture F;
	make(&F, false);
	double before = primary_max(F.lp, 3);
	cr_assert_float_eq(before, 3.0, 1e-9);
	cr_assert_eq(bp__joint_drop_zeros(&F.J, F.lp, F.list, 1, NULL, 0), 0);
	/* x1, x2 (r1), x4 (r6 once x1 is gone) and x7 (fixed at 0) */
	cr_assert_eq(glp_get_num_cols(F.lp), 3, "columns left: %d", glp_get_num_cols(F.lp));
	/* r1 and r6 are empty and never change: gone; r2..r5 stay */
	cr_assert_eq(glp_get_num_rows(F.lp), 4, "rows left: %d", glp_get_num_rows(F.lp));
	cr_assert_eq(F.J.nrow, 3);
	cr_assert_eq(F.J.cell[0], 1);
	cr_assert_eq(F.J.cell[1], 2);
	cr_assert_eq(F.J.cell[2], 3);
	for (size_t k = 0; k < 3; k++)
		cr_assert_eq(F.J.lprow[k], (int)k + 1, "printed row %zu at LP row %d", k,
		    F.J.lprow[k]);
	cr_assert_eq(F.J.where[1], 2);
	cr_assert_eq(F.list[0], 1, "the primary's row is printed row 1 now");
	/* r2 is x3 = 5 now (x2 and x4 were 0) */
	cr_assert_eq(glp_get_mat_row(F.lp, 1, NULL, NULL), 1);
	cr_assert_float_eq(primary_max(F.lp, F.J.lprow[F.list[0]]), before, 1e-9);
	done(&F);
}

Test(joint_zeros, a_zero_a_check_may_hide_stays)
{
	struct fixture F;
	make(&F, true);
	cr_assert_eq(bp__joint_drop_zeros(&F.J, F.lp, F.list, 1, NULL, 0), 0);
	/* r1 may be hidden (suppress_zero): only x7, fixed at 0, goes */
	cr_assert_eq(glp_get_num_cols(F.lp), 6);
	cr_assert_eq(glp_get_num_rows(F.lp), NROW);
	cr_assert_eq(F.J.nrow, 4);
	cr_assert_eq(F.list[0], 2);
	cr_assert_float_eq(primary_max(F.lp, F.J.lprow[F.list[0]]), 3.0, 1e-9);
	done(&F);
}
