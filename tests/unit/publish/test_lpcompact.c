/*
 * test_lpcompact.c - bp__sup_lp_compact (publish/lpaudit.c): the program
 * rebuilt with its matrix laid out by column is the same program to the
 * simplex: the same column lists in the same order, bounds, statuses and
 * objective, and from there the same pivots and the same optimum.
 */
#include <stdint.h>
#include <stdlib.h>

#include <criterion/criterion.h>
#include <glpk.h>

#include "lpaudit.h"

enum { M = 70, N = 90 };

/* A small program made row by row as release_joint.c makes its rows: each
 * row over a shuffled set of columns, fixed at the value of a known point
 * (some rows only bounded below), so that it is feasible.  The same seed
 * gives the same program. */
static glp_prob *
program(unsigned seed)
{
	glp_prob *lp = glp_create_prob();
	int ind[N + 1];
	double val[N + 1], x[N + 1];

	glp_term_out(GLP_OFF);
	srand(seed);
	glp_add_cols(lp, N);
	for (int j = 1; j <= N; j++) {
		x[j] = rand() % 7;
		glp_set_col_bnds(lp, j, j % 11 ? GLP_DB : GLP_FX, 0.0, j % 11 ? 1000.0 : 0.0);
		if (j % 11 == 0)
			x[j] = 0.0;
	}
	for (int i = 1; i <= M; i++) {
		int n = 0;
		double sum = 0.0;
		for (int j = 1; j <= N; j++)
			if (rand() % 4 == 0) {
				ind[++n] = j;
				val[n] = rand() % 5 == 0 ? -1.0 : 1.0;
				sum += val[n] * x[j];
			}
		for (int k = n; k > 1; k--) {
			int r = 1 + rand() % k, t = ind[k];
			double tv = val[k];
			ind[k] = ind[r], val[k] = val[r];
			ind[r] = t, val[r] = tv;
		}
		int rw = glp_add_rows(lp, 1);
		glp_set_mat_row(lp, rw, n, ind, val);
		if (i % 9 == 0)
			glp_set_row_bnds(lp, rw, GLP_LO, sum - 3.0, 0.0);
		else
			glp_set_row_bnds(lp, rw, GLP_FX, sum, sum);
	}
	for (int j = 1; j <= N; j += 3)
		glp_set_obj_coef(lp, j, 1.0 + j % 4);
	glp_set_obj_coef(lp, 0, 2.5);
	glp_set_obj_dir(lp, GLP_MAX);
	glp_adv_basis(lp, 0);
	return lp;
}

Test(lpcompact, same_program_same_column_order)
{
	glp_prob *a = program(7), *b = program(7);
	int ia[M + 1], ib[M + 1];
	double va[M + 1], vb[M + 1];

	cr_assert_eq(bp__sup_lp_compact(b), 0);
	cr_assert_eq(glp_get_num_rows(b), M);
	cr_assert_eq(glp_get_num_cols(b), N);
	cr_assert_eq(glp_get_num_nz(b), glp_get_num_nz(a));
	cr_assert_eq(glp_get_obj_dir(b), GLP_MAX);
	cr_assert_eq(glp_get_obj_coef(b, 0), 2.5);
	for (int i = 1; i <= M; i++) {
		cr_assert_eq(glp_get_row_type(b, i), glp_get_row_type(a, i));
		cr_assert_eq(glp_get_row_lb(b, i), glp_get_row_lb(a, i));
		cr_assert_eq(glp_get_row_ub(b, i), glp_get_row_ub(a, i));
		cr_assert_eq(glp_get_row_stat(b, i), glp_get_row_stat(a, i), "row %d", i);
	}
	int basic = 0;
	for (int j = 1; j <= N; j++) {
		cr_assert_eq(glp_get_col_type(b, j), glp_get_col_type(a, j));
		cr_assert_eq(glp_get_col_ub(b, j), glp_get_col_ub(a, j));
		cr_assert_eq(glp_get_obj_coef(b, j), glp_get_obj_coef(a, j));
		cr_assert_eq(glp_get_col_stat(b, j), glp_get_col_stat(a, j), "column %d", j);
		basic += glp_get_col_stat(a, j) == GLP_BS;
		int la = glp_get_mat_col(a, j, ia, va), lb = glp_get_mat_col(b, j, ib, vb);
		cr_assert_eq(lb, la, "column %d", j);
		/* in the same order, not only the same elements */
		for (int k = 1; k <= la; k++) {
			cr_assert_eq(ib[k], ia[k], "column %d element %d", j, k);
			cr_assert_eq(vb[k], va[k]);
		}
	}
	/* the crash basis has structural columns in it: the statuses matter */
	cr_assert_gt(basic, 0);
	glp_delete_prob(a);
	glp_delete_prob(b);
}

Test(lpcompact, same_pivots_same_optimum)
{
	for (unsigned seed = 1; seed <= 5; seed++) {
		glp_prob *a = program(seed), *b = program(seed);
		double za, zb;

		cr_assert_eq(bp__sup_lp_compact(b), 0);
		cr_assert_eq(bp__sup_lp_bound(a, GLP_MAX, &za), 0);
		cr_assert_eq(bp__sup_lp_bound(b, GLP_MAX, &zb), 0);
		cr_assert_gt(glp_get_it_cnt(a), 0, "seed %u: no pivot, nothing compared", seed);
		cr_assert_eq(glp_get_it_cnt(b), glp_get_it_cnt(a), "seed %u", seed);
		cr_assert_eq(zb, za, "seed %u", seed);
		for (int j = 1; j <= N; j++)
			cr_assert_eq(glp_get_col_prim(b, j), glp_get_col_prim(a, j), "seed %u", seed);
		for (int i = 1; i <= M; i++)
			cr_assert_eq(glp_get_row_dual(b, i), glp_get_row_dual(a, i), "seed %u", seed);
		glp_delete_prob(a);
		glp_delete_prob(b);
	}
}
