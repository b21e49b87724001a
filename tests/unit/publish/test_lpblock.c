/*
 * test_lpblock.c - bp__sup_lp_block_basis (publish/lpblock.c): on a
 * program whose columns fall into blocks joined by a few rows, the start
 * it makes is a basis (it factorizes), every row of one block is met by its
 * basic solution, only joining rows may not be, and the simplex from it
 * reaches the optimum it reaches from the crash basis.
 */
#include <math.h>
#include <stdlib.h>

#include <criterion/criterion.h>
#include <glpk.h>

#include "lpaudit.h"

enum { NB = 4, PER = 12, ROWS = 9, JOIN = 5, EXTRA = 3 };

/* NB blocks of PER columns, ROWS rows each over the block's columns (and
 * EXTRA columns outside every block, the first at its lower bound 2), JOIN
 * rows over columns drawn from all blocks; every row fixed at (or bounded
 * below by) its value at a known point.  *rowblk: each row's block, -1 a
 * row that joins blocks. */
static glp_prob *
program(unsigned seed, int *rowblk, int *start)
{
	glp_prob *lp = glp_create_prob();
	int n = NB * PER + EXTRA, ind[NB * PER + EXTRA + 1];
	double val[NB * PER + EXTRA + 1], x[NB * PER + EXTRA + 1];

	glp_term_out(GLP_OFF);
	srand(seed);
	glp_add_cols(lp, n);
	for (int j = 1; j <= NB * PER; j++) {
		x[j] = rand() % 6;
		glp_set_col_bnds(lp, j, GLP_DB, 0.0, 1000.0);
	}
	glp_set_col_bnds(lp, NB * PER + 1, GLP_DB, 2.0, 9.0);
	x[NB * PER + 1] = 2.0;
	glp_set_col_bnds(lp, NB * PER + 2, GLP_FX, 0.0, 0.0);
	x[NB * PER + 2] = 0.0;
	glp_set_col_bnds(lp, NB * PER + 3, GLP_FX, 0.0, 0.0);
	x[NB * PER + 3] = 0.0;
	for (int b = 0; b <= NB; b++)
		start[b] = 1 + b * PER;
	int r = 0;
	for (int b = 0; b < NB + 1; b++) {
		int nrows = b < NB ? ROWS : JOIN;
		for (int i = 0; i < nrows; i++) {
			int k = 0;
			double sum = 0.0;
			for (int j = 1; j <= NB * PER; j++) {
				bool mine = b < NB ? (j - 1) / PER == b : rand() % 6 == 0;
				if (mine && rand() % 3 == 0) {
					ind[++k] = j;
					val[k] = 1.0;
					sum += x[j];
				}
			}
			if (i == 0 && b < NB) {
				/* an outside column at its lower bound 2 */
				ind[++k] = NB * PER + 1;
				val[k] = 1.0;
				sum += x[NB * PER + 1];
			}
			if (k == 0)
				continue;
			r = glp_add_rows(lp, 1);
			/* a row of several blocks' columns joins them */
			rowblk[r] = -2;
			for (int q = 1; q <= k; q++)
				if (ind[q] <= NB * PER) {
					int bq = (ind[q] - 1) / PER;
					rowblk[r] = rowblk[r] == -2 || rowblk[r] == bq ? bq : -1;
				}
			if (rowblk[r] == -2)
				rowblk[r] = -1;
			glp_set_mat_row(lp, r, k, ind, val);
			if (i % 4 == 3)
				glp_set_row_bnds(lp, r, GLP_LO, sum - 2.0, 0.0);
			else
				glp_set_row_bnds(lp, r, GLP_FX, sum, sum);
		}
	}
	for (int j = 1; j <= NB * PER; j += 2)
		glp_set_obj_coef(lp, j, 1.0 + j % 3);
	glp_set_obj_dir(lp, GLP_MAX);
	return lp;
}

static void
check_seed(unsigned seed)
{
	int rowblk[NB * ROWS + JOIN + 1], start[NB + 1];
	glp_prob *lp = program(seed, rowblk, start), *twin = glp_create_prob();
	glp_smcp parm;
	const double eps = 1e-7;

	glp_copy_prob(twin, lp, GLP_OFF);
	cr_assert_eq(bp__sup_lp_block_basis(lp, start, NB), 0, "seed %u", seed);
	cr_assert_eq(glp_warm_up(lp), 0, "seed %u: the start is not a basis", seed);
	int nbasic = 0;
	for (int i = 1; i <= glp_get_num_rows(lp); i++) {
		nbasic += glp_get_row_stat(lp, i) == GLP_BS;
		if (rowblk[i] < 0) {
			cr_expect_eq(glp_get_row_stat(lp, i), GLP_BS, "seed %u: joining row %d", seed, i);
			continue;
		}
		double v = glp_get_row_prim(lp, i);
		cr_expect(v >= glp_get_row_lb(lp, i) - eps, "seed %u: row %d of block %d at %g < %g",
		    seed, i, rowblk[i], v, glp_get_row_lb(lp, i));
		if (glp_get_row_type(lp, i) == GLP_FX)
			cr_expect(fabs(v - glp_get_row_ub(lp, i)) < eps,
			    "seed %u: row %d of block %d at %g, fixed at %g", seed, i, rowblk[i], v,
			    glp_get_row_ub(lp, i));
	}
	for (int j = 1; j <= glp_get_num_cols(lp); j++) {
		nbasic += glp_get_col_stat(lp, j) == GLP_BS;
		double v = glp_get_col_prim(lp, j);
		cr_expect(v >= glp_get_col_lb(lp, j) - eps && v <= glp_get_col_ub(lp, j) + eps,
		    "seed %u: column %d at %g", seed, j, v);
		if (j > NB * PER)
			cr_expect_neq(glp_get_col_stat(lp, j), GLP_BS, "seed %u: outside column %d", seed, j);
	}
	cr_expect_eq(nbasic, glp_get_num_rows(lp));
	glp_init_smcp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	cr_assert_eq(glp_simplex(lp, &parm), 0);
	glp_adv_basis(twin, 0);
	cr_assert_eq(glp_simplex(twin, &parm), 0);
	cr_assert_eq(glp_get_status(lp), GLP_OPT, "seed %u", seed);
	cr_assert_eq(glp_get_status(twin), GLP_OPT, "seed %u", seed);
	cr_expect(fabs(glp_get_obj_val(lp) - glp_get_obj_val(twin)) < 1e-6, "seed %u: %g against %g",
	    seed, glp_get_obj_val(lp), glp_get_obj_val(twin));
	glp_delete_prob(lp);
	glp_delete_prob(twin);
}

Test(lpblock, start_is_a_basis_feasible_in_every_block_row)
{
	for (unsigned seed = 1; seed <= 8; seed++)
		check_seed(seed);
}
