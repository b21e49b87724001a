/*
 * test_release_leak.c - a leak across two indicator groups that per-group
 * proofs miss, and the release model (model.c, bp_sup_repair under the
 * upper rule) closing it.
 *
 * Two groups print an indicator (2 categories) by a breakdown of 3 values;
 * both print the breakdown's counts (the column totals) and the grand total,
 * the same quantities (keys 1..4).  Each group's pattern below passes its
 * own audit under the upper rule (hidden printed cells >= 1, a primary is
 * safe when its maximum reaches min_cell = 5), and the quantities one
 * group hides the other hides too (the per-group method's settling).  Yet
 * over both groups, B's cell (1, 0) = 1 can be at most 4: A pins the
 * breakdown count of value 0 (hidden in both) closer than B alone does.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "model.h"
#include "suppress.h"

#define R 2
#define M 3
#define NC (R * M + R + M + 1)

/* A group: cells n[i][j] (0..5), row totals (6, 7), column totals (8..10,
 * keys 1..3), grand total (11, key 4); every line of the table. */
static struct bp_sup_problem *
group(const unsigned v[R][M], uint32_t key[NC])
{
	struct bp_sup_problem *p = bp_sup_new();
	unsigned rt[R] = { 0 }, ct[M] = { 0 }, g = 0;
	size_t mem[M > R ? M : R];

	cr_assert_not_null(p);
	bp_sup_set_rule(p, BP_SUP_RULE_UPPER);
	for (int i = 0; i < R; i++)
		for (int j = 0; j < M; j++) {
			rt[i] += v[i][j], ct[j] += v[i][j], g += v[i][j];
			bp_sup_add_cell(p, v[i][j], BP_SUP_POSITIVE);
			key[i * M + j] = 0;
		}
	for (int i = 0; i < R; i++) {
		bp_sup_add_cell(p, rt[i], BP_SUP_POSITIVE);
		key[R * M + i] = 0;
	}
	for (int j = 0; j < M; j++) {
		bp_sup_add_cell(p, ct[j], BP_SUP_POSITIVE);
		key[R * M + R + j] = 1 + (uint32_t)j;
	}
	bp_sup_add_cell(p, g, BP_SUP_POSITIVE);
	key[NC - 1] = M + 1;
	for (int i = 0; i < R; i++) {
		for (int j = 0; j < M; j++)
			mem[j] = (size_t)(i * M + j);
		cr_assert_eq(bp_sup_add_constraint(p, BP_CONS_TABLE, (size_t)(R * M + i), mem, M), 0);
	}
	for (int j = 0; j < M; j++) {
		for (int i = 0; i < R; i++)
			mem[i] = (size_t)(i * M + j);
		cr_assert_eq(bp_sup_add_constraint(p, BP_CONS_TABLE, (size_t)(R * M + R + j), mem, R), 0);
	}
	for (int i = 0; i < R; i++)
		mem[i] = (size_t)(R * M + i);
	cr_assert_eq(bp_sup_add_constraint(p, BP_CONS_TABLE, NC - 1, mem, R), 0);
	for (int j = 0; j < M; j++)
		mem[j] = (size_t)(R * M + R + j);
	cr_assert_eq(bp_sup_add_constraint(p, BP_CONS_TABLE, NC - 1, mem, M), 0);
	return p;
}

/* States by digit: 0 published, 1 primary, 2 secondary. */
static void
set_states(struct bp_sup_problem *p, const char *s)
{
	for (size_t c = 0; s[c]; c++)
		bp_sup_set_state(p, c, (enum bp_sup_state)(s[c] - '0'));
}

static const unsigned VA[R][M] = { { 4, 6, 3 }, { 0, 2, 13 } };
static const unsigned VB[R][M] = { { 3, 5, 7 }, { 1, 3, 9 } };
/* The per-group patterns (bp_suppress of each group, then settled). */
static const char *const SA = "101012001200";
static const char *const SB = "122112001200";

/* The model of both groups with their states; map[g][c] its cells. */
static struct bp_model *
both(size_t map[2][NC], struct bp_sup_problem *g[2])
{
	uint32_t ka[NC], kb[NC];
	struct bp_model *m = bp_model_new(M + 1);

	cr_assert_not_null(m);
	g[0] = group(VA, ka);
	g[1] = group(VB, kb);
	set_states(g[0], SA);
	set_states(g[1], SB);
	cr_assert_eq(bp_model_add(m, g[0], ka, NC, map[0]), 0);
	cr_assert_eq(bp_model_add(m, g[1], kb, NC, map[1]), 0);
	struct bp_sup_problem *X = bp_model_problem(m);
	bp_sup_set_rule(X, BP_SUP_RULE_UPPER);
	for (int k = 0; k < 2; k++)
		for (size_t c = 0; c < NC; c++) {
			enum bp_sup_state st = bp_sup_state_of(g[k], c);
			if (st != BP_SUP_PUBLISHED && bp_sup_state_of(X, map[k][c]) != BP_SUP_PRIMARY)
				bp_sup_set_state(X, map[k][c], st);
		}
	return m;
}

static void
both_free(struct bp_model *m, struct bp_sup_problem *g[2])
{
	bp_model_free(m);
	bp_sup_free(g[0]);
	bp_sup_free(g[1]);
}

Test(release_leak, per_group_leaks_across_two_groups)
{
	size_t map[2][NC], bad;
	struct bp_sup_problem *g[2];
	struct bp_model *m = both(map, g);
	struct bp_sup_problem *X = bp_model_problem(m);
	double lo, hi;

	/* Each group alone is safe, and they agree on what they share. */
	cr_assert_eq(bp_sup_audit(g[0], 5, &bad), 0);
	cr_assert_eq(bp_sup_audit(g[1], 5, &bad), 0);
	for (size_t c = R * M + R; c < NC; c++)
		cr_assert_eq(bp_sup_state_of(g[0], c) == BP_SUP_PUBLISHED,
		    bp_sup_state_of(g[1], c) == BP_SUP_PUBLISHED, "shared cell %zu", c);
	cr_assert_eq(bp_sup_interval(g[1], 3, &lo, &hi), 0);
	cr_assert_geq(hi, 5.0 - 1e-6, "B alone lets its cell (1,0) reach 5 (%g)", hi);
	/* The shared cells are one model cell each. */
	for (size_t c = R * M + R; c < NC; c++)
		cr_assert_eq(map[0][c], map[1][c]);
	cr_assert_eq(bp_sup_ncells(X), 2 * NC - (M + 1));
	/* Together: at most 4. */
	cr_assert_eq(bp_sup_interval(X, map[1][3], &lo, &hi), 0);
	cr_assert_lt(hi, 5.0 - 1e-6, "the two groups together bound B (1,0) by %g", hi);
	cr_assert_eq(bp_sup_audit(X, 5, &bad), -1);
	both_free(m, g);
}

/* The repair of the model closes the leak, the first model's way and the
 * lean way of model version 2 (bp_sup_set_pricing). */
static void
closes_it(bool lean)
{
	size_t map[2][NC], bad;
	struct bp_sup_problem *g[2];
	struct bp_model *m = both(map, g);
	struct bp_sup_problem *X = bp_model_problem(m);
	size_t n = bp_sup_ncells(X);
	unsigned char before[2 * NC], first[2 * NC];

	bp_sup_set_pricing(X, lean ? BP_SUP_PRICE_COST : BP_SUP_PRICE_NEED);
	cr_assert_leq(n, sizeof(before));
	for (size_t c = 0; c < n; c++)
		before[c] = (unsigned char)bp_sup_state_of(X, c);
	cr_assert_eq(bp_sup_repair(X, 5, false), 0);
	cr_assert_eq(bp_sup_audit(X, 5, &bad), 0);
	for (size_t c = 0; c < n; c++) {
		first[c] = (unsigned char)bp_sup_state_of(X, c);
		if (before[c] != BP_SUP_PUBLISHED)
			cr_assert_neq(first[c], BP_SUP_PUBLISHED, "cell %zu: the repair only adds", c);
		if (bp_sup_state_of(X, c) != BP_SUP_PRIMARY)
			continue;
		double lo, hi;
		cr_assert_eq(bp_sup_interval(X, c, &lo, &hi), 0);
		cr_assert_geq(hi, 5.0 - 1e-6, "primary %zu reaches only %g", c, hi);
	}
	/* Zeros stay shown (the reader's bound >= 1 is what they pay for). */
	cr_assert_eq(bp_sup_state_of(X, map[0][3]), BP_SUP_PUBLISHED);
	/* The same input gives the same pattern. */
	for (size_t c = 0; c < n; c++)
		bp_sup_set_state(X, c, (enum bp_sup_state)before[c]);
	cr_assert_eq(bp_sup_repair(X, 5, false), 0);
	for (size_t c = 0; c < n; c++)
		cr_assert_eq(bp_sup_state_of(X, c), first[c], "cell %zu", c);
	both_free(m, g);
}

Test(release_leak, release_model_closes_it)
{
	closes_it(false);
}

Test(release_leak, lean_release_model_closes_it)
{
	closes_it(true);
}

/* A budget of LP solves turns a repair that would take too long into a
 * failure with ERANGE, the same every time; without one it passes. */
Test(release_leak, budget_spent_fails_with_erange)
{
	size_t map[2][NC], bad;
	struct bp_sup_problem *g[2];
	struct bp_model *m = both(map, g);
	struct bp_sup_problem *X = bp_model_problem(m);

	bp_sup_set_budget(X, 1);
	errno = 0;
	cr_assert_eq(bp_sup_repair(X, 5, false), -1);
	cr_assert_eq(errno, ERANGE, "errno %d", errno);
	bp_sup_set_budget(X, 0);
	cr_assert_eq(bp_sup_repair(X, 5, false), 0);
	cr_assert_eq(bp_sup_audit(X, 5, &bad), 0);
	both_free(m, g);
}
