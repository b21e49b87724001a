/*
 * grid3.h - the hand-made 3x3 table the suppression unit tests share
 * (test_suppress.c, test_cleanup.c): static helpers, included once per
 * test program.
 */
#ifndef BP_TEST_GRID3_H
#define BP_TEST_GRID3_H

#include <criterion/criterion.h>

#include "suppress.h"

#define P BP_SUP_PUBLISHED
#define PR BP_SUP_PRIMARY
#define SE BP_SUP_SECONDARY
#define LI BP_SUP_LINKED

/*
 * A 3x3 table with totals as a 4x4 grid, cell (i, j) = index 4 * i + j:
 * column 3 the row totals, row 3 the column totals, cell 15 the grand total.
 * Lines: 0-2 the rows, 3-5 the columns, 6 grand = sum of row totals,
 * 7 grand = sum of column totals.  fixed: cells to mark FIXED (or NULL).
 */
static struct bp_sup_problem *
grid3(const uint32_t v[3][3], const int *fixed, size_t nfixed)
{
	struct bp_sup_problem *p = bp_sup_new();
	uint32_t val[4][4] = { { 0 } };
	size_t i, j, k, m[3];
	unsigned flags;

	cr_assert_not_null(p);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++) {
			val[i][j] = v[i][j];
			val[i][3] += v[i][j];
			val[3][j] += v[i][j];
			val[3][3] += v[i][j];
		}
	for (i = 0; i < 4; i++)
		for (j = 0; j < 4; j++) {
			flags = 0;
			for (k = 0; k < nfixed; k++)
				if ((size_t)fixed[k] == 4 * i + j)
					flags = BP_SUP_FIXED;
			cr_assert_eq(bp_sup_add_cell(p, val[i][j], flags), (long)(4 * i + j));
		}
	for (i = 0; i < 3; i++) {
		for (j = 0; j < 3; j++)
			m[j] = 4 * i + j;
		cr_assert_eq(bp_sup_add_constraint(p, BP_CONS_TABLE, 4 * i + 3, m, 3), 0);
	}
	for (j = 0; j < 3; j++) {
		for (i = 0; i < 3; i++)
			m[i] = 4 * i + j;
		cr_assert_eq(bp_sup_add_constraint(p, BP_CONS_TABLE, 12 + j, m, 3), 0);
	}
	m[0] = 3, m[1] = 7, m[2] = 11;
	cr_assert_eq(bp_sup_add_constraint(p, BP_CONS_TABLE, 15, m, 3), 0);
	m[0] = 12, m[1] = 13, m[2] = 14;
	cr_assert_eq(bp_sup_add_constraint(p, BP_CONS_TABLE, 15, m, 3), 0);
	return p;
}

static void
assert_pattern(const struct bp_sup_problem *p, const enum bp_sup_state *want,
    size_t n)
{
	size_t c;

	cr_assert_eq(bp_sup_ncells(p), n);
	for (c = 0; c < n; c++)
		cr_expect_eq(bp_sup_state_of(p, c), want[c], "cell %zu: state %d, want %d",
		    c, (int)bp_sup_state_of(p, c), (int)want[c]);
}

#endif
