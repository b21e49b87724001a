/*
 * test_suppress.c - small-cell suppression and its LP audit, on hand-made
 * problems with patterns worked out by hand, and a property test over
 * 1 000 random tables.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "lpaudit.h"
#include "suppress.h"
#include "suppress_gen.h"
#include "grid3.h"


/*
 *   3  8 12 | 23      x00 = 3 is primary.  Row 0 opens: x01 (8) is the
 *   9  7 15 | 31      cheapest; it opens column 1.  Column 0: x10 (9), which
 *  10 20  6 | 36      opens row 1.  Column 1: x11 (7) closes column 1 and
 *  ---------+---      row 1 at once (7 / 2).  The rectangle x00 x01 x10 x11
 *  22 35 33 | 90      lets x00 range over [0, 3 + min(8, 9)] = [0, 11].
 */
Test(suppress, grid3_exact_pattern)
{
	static const uint32_t v[3][3] = { { 3, 8, 12 }, { 9, 7, 15 }, { 10, 20, 6 } };
	static const enum bp_sup_state want[16] = {
		PR, SE, P, P,
		SE, SE, P, P,
		P, P, P, P,
		P, P, P, P,
	};
	struct bp_sup_problem *p = grid3(v, NULL, 0);
	double lo, hi;
	size_t bad = 0;

	cr_assert_eq(bp_suppress(p, 5, false), 0);
	assert_pattern(p, want, 16);
	cr_assert_eq(bp_sup_audit(p, 5, &bad), 0);
	cr_assert_eq(bp_sup_interval(p, 0, &lo, &hi), 0);
	cr_expect_float_eq(lo, 0.0, 1e-6);
	cr_expect_float_eq(hi, 11.0, 1e-6);
	/* A published cell's interval is its value. */
	cr_assert_eq(bp_sup_interval(p, 15, &lo, &hi), 0);
	cr_expect(lo == 90.0 && hi == 90.0);
	bp_sup_free(p);
}

/*
 * The same table with x01 and x10 FIXED: row 0 takes x02 (12), column 0
 * x20 (10); column 2 then takes x22 (6), closing row 2 too.
 */
Test(suppress, fixed_cells_are_never_chosen)
{
	static const uint32_t v[3][3] = { { 3, 8, 12 }, { 9, 7, 15 }, { 10, 20, 6 } };
	static const int fixed[] = { 1, 4 };
	static const enum bp_sup_state want[16] = {
		PR, P, SE, P,
		P, P, P, P,
		SE, P, SE, P,
		P, P, P, P,
	};
	struct bp_sup_problem *p = grid3(v, fixed, 2);

	cr_assert_eq(bp_suppress(p, 5, false), 0);
	assert_pattern(p, want, 16);
	cr_assert_eq(bp_sup_audit(p, 5, NULL), 0);
	bp_sup_free(p);
}

/* A FIXED small cell is not primary either. */
Test(suppress, fixed_small_cell_is_not_primary)
{
	static const uint32_t v[3][3] = { { 3, 8, 12 }, { 9, 7, 15 }, { 10, 20, 6 } };
	static const int fixed[] = { 0 };
	struct bp_sup_problem *p = grid3(v, fixed, 1);
	size_t c;

	cr_assert_eq(bp_suppress(p, 5, false), 0);
	for (c = 0; c < 16; c++)
		cr_expect_eq(bp_sup_state_of(p, c), P);
	bp_sup_free(p);
}

/*
 * Line C: H = G + a, with H FIXED and a = 2 primary: G is the only possible
 * complement.  G is the total of line A: G = R1 + R2, which now holds one
 * suppressed cell, its total, and gets a second: R1 (10 < 30).
 */
Test(suppress, suppressed_total_gets_a_second_cell)
{
	static const enum bp_sup_state want[5] = { P, SE, SE, P, PR };
	struct bp_sup_problem *p = bp_sup_new();
	size_t mA[2] = { 2, 3 }, mC[2] = { 1, 4 };
	double lo, hi;

	cr_assert_eq(bp_sup_add_cell(p, 42, BP_SUP_FIXED), 0); /* H */
	cr_assert_eq(bp_sup_add_cell(p, 40, 0), 1);            /* G */
	cr_assert_eq(bp_sup_add_cell(p, 10, 0), 2);            /* R1 */
	cr_assert_eq(bp_sup_add_cell(p, 30, 0), 3);            /* R2 */
	cr_assert_eq(bp_sup_add_cell(p, 2, 0), 4);             /* a */
	cr_assert_eq(bp_sup_add_constraint(p, BP_CONS_TABLE, 1, mA, 2), 0);
	cr_assert_eq(bp_sup_add_constraint(p, BP_CONS_TABLE, 0, mC, 2), 0);
	cr_assert_eq(bp_suppress(p, 5, false), 0);
	assert_pattern(p, want, 5);
	/* a + R1 = 12: a ranges over [0, 12]. */
	cr_assert_eq(bp_sup_interval(p, 4, &lo, &hi), 0);
	cr_expect_float_eq(lo, 0.0, 1e-6);
	cr_expect_float_eq(hi, 12.0, 1e-6);
	bp_sup_free(p);
}

/*
 * T = a + b + c with a = 3 and b = 1 both primary: the line holds two
 * suppressed cells, yet a + b = T - c = 4 < 5, so a cannot be shown to be
 * possibly 5.  The audit finds it and c joins (SECONDARY).
 */
Test(suppress, audit_adds_a_complement_when_two_per_line_is_not_enough)
{
	static const enum bp_sup_state want[4] = { P, PR, PR, SE };
	struct bp_sup_problem *p = bp_sup_new();
	size_t m[3] = { 1, 2, 3 }, bad = 99;

	cr_assert_eq(bp_sup_add_cell(p, 24, 0), 0);
	cr_assert_eq(bp_sup_add_cell(p, 3, 0), 1);
	cr_assert_eq(bp_sup_add_cell(p, 1, 0), 2);
	cr_assert_eq(bp_sup_add_cell(p, 20, 0), 3);
	cr_assert_eq(bp_sup_add_constraint(p, BP_CONS_TABLE, 0, m, 3), 0);

	/* The plain heuristic stops at two per line: unsafe. */
	cr_assert_eq(bp_suppress_plain(p, 5, false), 0);
	cr_assert_eq(bp_sup_count(p, SE), 0);
	cr_assert_eq(bp_sup_audit(p, 5, &bad), -1);
	cr_assert_eq(bad, 1);

	cr_assert_eq(bp_suppress(p, 5, false), 0);
	assert_pattern(p, want, 4);
	cr_assert_eq(bp_sup_audit(p, 5, &bad), 0);
	bp_sup_free(p);
}

/*
 * Two kommuner and their fylke, each a one-line table (total = a + b):
 *   kommune 1: a 3, b 12, total 15   (cells 0 1 2)
 *   kommune 2: a 20, b 25, total 45  (cells 3 4 5)
 *   fylke:     a 23, b 37, total 60  (cells 6 7 8)
 * links: fylke cell = kommune 1 cell + kommune 2 cell.  k1.a is primary; its
 * table line takes k1.b (12 < 15); the link line F.a = k1.a + k2.a takes
 * k2.a (20 < 23, LINKED), then F.b = k1.b + k2.b takes k2.b (25, closing
 * kommune 2's line too; LINKED).  k1.a = F.a - k2.a is no longer known.
 */
static struct bp_sup_problem *
linked_problem(void)
{
	static const uint32_t v[9] = { 3, 12, 15, 20, 25, 45, 23, 37, 60 };
	struct bp_sup_problem *p = bp_sup_new();
	size_t c, m[2];

	for (c = 0; c < 9; c++)
		cr_assert_eq(bp_sup_add_cell(p, v[c], 0), (long)c);
	for (c = 0; c < 9; c += 3) {
		m[0] = c, m[1] = c + 1;
		cr_assert_eq(bp_sup_add_constraint(p, BP_CONS_TABLE, c + 2, m, 2), 0);
	}
	for (c = 0; c < 3; c++) {
		m[0] = c, m[1] = 3 + c;
		cr_assert_eq(bp_sup_add_constraint(p, BP_CONS_LINK, 6 + c, m, 2), 0);
	}
	return p;
}

Test(suppress, linked_kommune_is_protected_across_levels)
{
	static const enum bp_sup_state want[9] = { PR, SE, P, LI, LI, P, P, P, P };
	struct bp_sup_problem *p = linked_problem();
	double lo, hi;

	cr_assert_eq(bp_suppress(p, 5, false), 0);
	assert_pattern(p, want, 9);
	cr_assert_eq(bp_sup_interval(p, 0, &lo, &hi), 0);
	cr_expect_float_eq(lo, 0.0, 1e-6);
	cr_expect_float_eq(hi, 15.0, 1e-6);
	bp_sup_free(p);
}

/* Protected within its table only, k1.a is F.a - k2.a: the audit says so. */
Test(suppress, audit_catches_recovery_from_the_fylke)
{
	struct bp_sup_problem *p = linked_problem();
	size_t bad = 99;
	double lo, hi;

	bp_sup_set_state(p, 0, PR);
	bp_sup_set_state(p, 1, SE);
	cr_assert_eq(bp_sup_audit(p, 5, &bad), -1);
	cr_assert_eq(bad, 0);
	cr_assert_eq(bp_sup_interval(p, 0, &lo, &hi), 0);
	cr_expect_float_eq(lo, 3.0, 1e-6);
	cr_expect_float_eq(hi, 3.0, 1e-6);
	/* Hiding k2.a and k2.b as well makes it safe. */
	bp_sup_set_state(p, 3, LI);
	bp_sup_set_state(p, 4, LI);
	cr_assert_eq(bp_sup_audit(p, 5, &bad), 0);
	bp_sup_free(p);
}

Test(suppress, zeros_follow_suppress_zero)
{
	static const uint32_t v[3][3] = { { 0, 8, 12 }, { 9, 7, 15 }, { 10, 20, 6 } };
	struct bp_sup_problem *p = grid3(v, NULL, 0);

	cr_assert_eq(bp_suppress(p, 5, false), 0);
	cr_expect_eq(bp_sup_count(p, PR), 0);
	cr_expect_eq(bp_sup_count(p, SE), 0);
	cr_assert_eq(bp_suppress(p, 5, true), 0);
	cr_expect_eq(bp_sup_state_of(p, 0), PR);
	cr_expect_eq(bp_sup_count(p, SE), 3);
	cr_assert_eq(bp_sup_audit(p, 5, NULL), 0);
	bp_sup_free(p);
}

/* Out of range, repeated or not adding up: refused. */
/*
 * A weighed cell (a quantity other tables print too) is passed over while a
 * cheaper one does: with x01 (8) weighing 10, row 0 takes x02 (12).
 */
Test(suppress, weighed_cell_is_passed_over)
{
	static const uint32_t v[3][3] = { { 3, 8, 12 }, { 9, 7, 15 }, { 10, 20, 6 } };
	struct bp_sup_problem *p = grid3(v, NULL, 0);
	size_t bad = 0;

	cr_assert_eq(bp_sup_weigh(p, 1, 10), 0);
	cr_assert_eq(bp_sup_weigh(p, 99, 10), -1);
	cr_assert_eq(bp_suppress(p, 5, false), 0);
	cr_assert_eq(bp_sup_state_of(p, 0), PR);
	cr_assert_eq(bp_sup_state_of(p, 1), P);
	cr_assert_neq(bp_sup_state_of(p, 2), P);
	cr_assert_eq(bp_sup_audit(p, 5, &bad), 0);
	bp_sup_free(p);
}

/*
 * An unprinted cell A ties two groups of cells: A = x1 + x2 = y1 + y2.
 * A is never published, yet y1 + y2 gives it away, so hiding x1 (3, small)
 * alone is not safe; bp_suppress must hide x2 too.
 */
Test(suppress, unprinted_cell_is_an_unknown_that_others_can_give_away)
{
	struct bp_sup_problem *p = bp_sup_new();
	size_t m[2], bad = 0;
	double lo, hi;

	cr_assert_not_null(p);
	cr_assert_eq(bp_sup_add_cell(p, 13, BP_SUP_UNPRINTED), 0);  /* A */
	cr_assert_eq(bp_sup_add_cell(p, 3, 0), 1);    /* x1 */
	cr_assert_eq(bp_sup_add_cell(p, 10, 0), 2);   /* x2 */
	cr_assert_eq(bp_sup_add_cell(p, 6, 0), 3);    /* y1 */
	cr_assert_eq(bp_sup_add_cell(p, 7, 0), 4);    /* y2 */
	m[0] = 1, m[1] = 2;
	cr_assert_eq(bp_sup_add_constraint(p, BP_CONS_TABLE, 0, m, 2), 0);
	m[0] = 3, m[1] = 4;
	cr_assert_eq(bp_sup_add_constraint(p, BP_CONS_TABLE, 0, m, 2), 0);
	bp_sup_set_state(p, 0, SE);
	bp_sup_set_state(p, 1, PR);
	cr_expect_eq(bp_sup_audit(p, 5, &bad), -1);
	cr_expect_eq(bad, 1);
	cr_assert_eq(bp_suppress(p, 5, false), 0);
	cr_assert_eq(bp_sup_state_of(p, 1), PR);
	cr_assert_neq(bp_sup_state_of(p, 2), P);
	cr_assert_eq(bp_sup_audit(p, 5, &bad), 0);
	cr_assert_eq(bp_sup_interval(p, 1, &lo, &hi), 0);
	cr_expect(lo <= 1e-6 && hi >= 5.0 - 1e-6);
	bp_sup_free(p);
}

/* t = a + b + c + d with a = 3 and b = 2 small: hidden, a and b sum to 5,
 * so the plain line rule sees enough room; a reader who knows each hidden
 * cell is at least 1 (zeros shown) finds a <= 4.  The lean rule (by cost)
 * closes the line; without it the line pass leaves it to the LP. */
static struct bp_sup_problem *
singleton_line(bool lean)
{
	struct bp_sup_problem *p = bp_sup_new();
	size_t m[4] = { 1, 2, 3, 4 };
	cr_assert_not_null(p);
	cr_assert_eq(bp_sup_add_cell(p, 45, 0), 0);
	cr_assert_eq(bp_sup_add_cell(p, 3, BP_SUP_POSITIVE), 1);
	cr_assert_eq(bp_sup_add_cell(p, 2, BP_SUP_POSITIVE), 2);
	cr_assert_eq(bp_sup_add_cell(p, 20, BP_SUP_POSITIVE), 3);
	cr_assert_eq(bp_sup_add_cell(p, 20, BP_SUP_POSITIVE), 4);
	cr_assert_eq(bp_sup_add_constraint(p, BP_CONS_TABLE, 0, m, 4), 0);
	bp_sup_set_rule(p, BP_SUP_RULE_UPPER);
	bp_sup_set_pricing(p, lean ? BP_SUP_PRICE_COST : BP_SUP_PRICE_NEED);
	bp_sup_set_state(p, 1, PR);
	bp_sup_set_state(p, 2, PR);
	return p;
}

Test(suppress, lean_line_rule_counts_other_hidden_cells_as_one)
{
	struct bp_sup_problem *p = singleton_line(false);
	size_t bad = 0;

	cr_assert_eq(bp_sup_close_lines(p, 5, false), 0);
	cr_expect_eq(bp_sup_count(p, BP_SUP_PUBLISHED), 3, "plain rule: nothing added");
	cr_expect_eq(bp_sup_audit(p, 5, &bad), -1, "and the reader bounds a by 4");
	bp_sup_free(p);

	p = singleton_line(true);
	cr_assert_eq(bp_sup_close_lines(p, 5, false), 0);
	cr_expect_eq(bp_sup_count(p, BP_SUP_PUBLISHED), 2, "lean rule: one 20 hidden");
	cr_expect_eq(bp_sup_audit(p, 5, &bad), 0);
	bp_sup_free(p);
}

/* A lone hidden cell that is not small: the plain line pass hides another
 * one beside it, the lean one leaves it (it gives nothing small away). */
Test(suppress, lean_line_rule_leaves_a_lone_secondary)
{
	for (int lean = 0; lean < 2; lean++) {
		struct bp_sup_problem *p = singleton_line(lean);
		bp_sup_set_state(p, 1, P);
		bp_sup_set_state(p, 2, P);
		bp_sup_set_state(p, 3, SE);
		cr_assert_eq(bp_sup_close_lines(p, 5, false), 0);
		cr_expect_eq(bp_sup_count(p, BP_SUP_PUBLISHED), lean ? 4u : 3u, "lean %d", lean);
		bp_sup_free(p);
	}
}

/*
 * T = a + b + c with a = 2 small; b's only other line S = b + w and c's
 * only other line U = c + v are published in full.  The line pass hides b
 * beside a, which line S still gives away; the duals then price c (90) as
 * cheaper than T (100) or w (400).  But c alone is given away by line U:
 * priced in pairs, c costs c + v (110) and T wins, one cell; priced by
 * cost alone, c is hidden for nothing first.
 */
static struct bp_sup_problem *
pinned_candidate(enum bp_sup_pricing how)
{
	struct bp_sup_problem *p = bp_sup_new();
	/* 0 T, 1 a, 2 b, 3 c, 4 S, 5 w, 6 U, 7 v */
	const uint32_t v[8] = { 100, 2, 8, 90, 408, 400, 110, 20 };
	size_t mA[3] = { 1, 2, 3 }, mS[2] = { 2, 5 }, mU[2] = { 3, 7 };

	cr_assert_not_null(p);
	for (size_t c = 0; c < 8; c++)
		cr_assert_eq(bp_sup_add_cell(p, v[c], BP_SUP_POSITIVE), (long)c);
	cr_assert_eq(bp_sup_add_constraint(p, BP_CONS_TABLE, 0, mA, 3), 0);
	cr_assert_eq(bp_sup_add_constraint(p, BP_CONS_TABLE, 4, mS, 2), 0);
	cr_assert_eq(bp_sup_add_constraint(p, BP_CONS_TABLE, 6, mU, 2), 0);
	bp_sup_set_rule(p, BP_SUP_RULE_UPPER);
	bp_sup_set_pricing(p, how);
	return p;
}

Test(suppress, pairs_pricing_skips_a_cell_its_other_line_gives_away)
{
	struct bp_sup_problem *p = pinned_candidate(BP_SUP_PRICE_PAIRS);
	size_t bad = 0;

	cr_assert_eq(bp_suppress(p, 5, false), 0);
	cr_expect_eq(bp_sup_audit(p, 5, &bad), 0);
	cr_expect_eq(bp_sup_state_of(p, 1), PR);
	cr_expect_neq(bp_sup_state_of(p, 0), P, "T hidden");
	cr_expect_eq(bp_sup_state_of(p, 3), P, "c published: alone it moves nothing");
	cr_expect_eq(bp_sup_count(p, BP_SUP_PUBLISHED), 5u, "a, b and T hidden");
	bp_sup_free(p);

	p = pinned_candidate(BP_SUP_PRICE_COST);
	cr_assert_eq(bp_suppress(p, 5, false), 0);
	cr_expect_eq(bp_sup_audit(p, 5, &bad), 0);
	cr_expect_neq(bp_sup_state_of(p, 3), P, "by cost alone (model 2) c is hidden too");
	bp_sup_free(p);
}

/*
 * An A x B x C table with every margin (cell (i, j, k), i == A etc. the
 * totals) under the release method's rule (upper; hidden cells >= 1),
 * about `small` percent of the inner cells small (pseudo-random, fixed
 * seed): its primaries make one component of more than BP_SUP_LOCAL_FROM
 * hidden cells, audited by local programs in chunks, with repairs.
 */
#define IX(i, j, k) (((i) * (B + 1) + (j)) * (C + 1) + (k))
static struct bp_sup_problem *
big_cube(size_t A, size_t B, size_t C, unsigned small, unsigned chunks)
{
	struct bp_sup_problem *p = bp_sup_new();
	size_t n = (A + 1) * (B + 1) * (C + 1), m[128];
	uint32_t seed = 12345, *v = calloc(n, sizeof(*v));

	cr_assert(A < 128 && B < 128 && C < 128);
	cr_assert(p && v);
	for (size_t i = 0; i < A; i++)
		for (size_t j = 0; j < B; j++)
			for (size_t k = 0; k < C; k++) {
				seed = seed * 1103515245u + 12345u;
				uint32_t r = (seed >> 16) % 100;
				uint32_t x = r < small ? 1 + r % 4 : 5 + r % 20;
				/* the cell and every margin it is in */
				for (unsigned s3 = 0; s3 < 8; s3++)
					v[IX(s3 & 1 ? A : i, s3 & 2 ? B : j, s3 & 4 ? C : k)] += x;
			}
	for (size_t c = 0; c < n; c++)
		cr_assert_eq(bp_sup_add_cell(p, v[c], BP_SUP_POSITIVE), (long)c);
	for (size_t j = 0; j <= B; j++)
		for (size_t k = 0; k <= C; k++) {
			for (size_t i = 0; i < A; i++)
				m[i] = IX(i, j, k);
			cr_assert_eq(bp_sup_add_constraint(p, BP_CONS_TABLE, IX(A, j, k), m, A), 0);
		}
	for (size_t i = 0; i <= A; i++)
		for (size_t k = 0; k <= C; k++) {
			for (size_t j = 0; j < B; j++)
				m[j] = IX(i, j, k);
			cr_assert_eq(bp_sup_add_constraint(p, BP_CONS_TABLE, IX(i, B, k), m, B), 0);
		}
	for (size_t i = 0; i <= A; i++)
		for (size_t j = 0; j <= B; j++) {
			for (size_t k = 0; k < C; k++)
				m[k] = IX(i, j, k);
			cr_assert_eq(bp_sup_add_constraint(p, BP_CONS_TABLE, IX(i, j, C), m, C), 0);
		}
	free(v);
	bp_sup_set_rule(p, BP_SUP_RULE_UPPER);
	bp_sup_set_pricing(p, BP_SUP_PRICE_PAIRS_BLIND);
	bp_sup_set_chunks(p, chunks);
	return p;
}
#undef IX

#define CUBE 60, 10, 6, 40
/* Model 4's chunked audit: the same pattern on one thread and on two (the
 * chunks, not the threads, decide it), and a safe one. */
Test(suppress, chunked_audit_decides_the_same_on_any_number_of_threads)
{
	struct bp_sup_problem *p1 = big_cube(CUBE, 4), *p2 = big_cube(CUBE, 4);
	size_t bad = 0, diff = 0;

	cr_assert(bp_sup_count(p1, BP_SUP_PUBLISHED) == bp_sup_ncells(p1));
	setenv("BPAGG_THREADS", "1", 1);
	cr_assert_eq(bp_suppress(p1, 5, false), 0);
	setenv("BPAGG_THREADS", "2", 1);
	cr_assert_eq(bp_suppress(p2, 5, false), 0);
	unsetenv("BPAGG_THREADS");
	cr_assert_gt(bp_sup_ncells(p1) - bp_sup_count(p1, BP_SUP_PUBLISHED), BP_SUP_LOCAL_FROM,
	    "one component larger than the local audit's threshold");
	cr_assert_gt(bp_sup_count(p1, BP_SUP_SECONDARY), 0, "repairs were made");
	for (size_t c = 0; c < bp_sup_ncells(p1); c++)
		diff += bp_sup_state_of(p1, c) != bp_sup_state_of(p2, c);
	cr_expect_eq(diff, 0u, "%zu cells differ between one thread and two", diff);
	cr_expect_eq(bp_sup_audit(p2, 5, &bad), 0, "unsafe cell %zu", bad);
	bp_sup_free(p1);
	bp_sup_free(p2);
}

/* Model 8's warm start (bp_sup_set_warm): a component's LP in a later
 * round starts from its basis of the round before.  The pattern is safe,
 * the same on one thread and on two, and found in fewer simplex pivots
 * than from a crash basis in every round (a count, not a time). */
Test(suppress, warm_start_is_safe_deterministic_and_pivots_less)
{
	struct bp_sup_problem *cold = big_cube(CUBE, 4), *w1 = big_cube(CUBE, 4),
	    *w2 = big_cube(CUBE, 4);
	unsigned long pcold, pwarm;
	size_t bad = 0, diff = 0;

	cr_assert_eq(bp_sup_set_warm(w1, true), 0);
	cr_assert_eq(bp_sup_set_warm(w2, true), 0);
	setenv("BPAGG_THREADS", "2", 1);
	cr_assert_eq(bp_suppress(cold, 5, false), 0);
	pcold = bp__sup_stats.pivots;
	cr_assert_eq(bp_suppress(w2, 5, false), 0);
	setenv("BPAGG_THREADS", "1", 1);
	cr_assert_eq(bp_suppress(w1, 5, false), 0);
	pwarm = bp__sup_stats.pivots;
	unsetenv("BPAGG_THREADS");
	cr_expect_lt(pwarm, pcold, "warm %lu pivots, cold %lu", pwarm, pcold);
	for (size_t c = 0; c < bp_sup_ncells(w1); c++)
		diff += bp_sup_state_of(w1, c) != bp_sup_state_of(w2, c);
	cr_expect_eq(diff, 0u, "%zu cells differ between one thread and two", diff);
	cr_expect_eq(bp_sup_audit(w1, 5, &bad), 0, "unsafe cell %zu", bad);
	cr_expect_eq(bp_sup_audit(cold, 5, &bad), 0, "unsafe cell %zu", bad);
	bp_sup_free(cold);
	bp_sup_free(w1);
	bp_sup_free(w2);
}

/* Model 23's shared search (bp_sup_set_search_once): the chunks of the
 * large component start their kept LP from one search for a feasible
 * point a round.  The pattern is safe, the same on one thread, two and
 * four (whichever chunk makes the search), and found in fewer simplex
 * pivots than with a search in each chunk (a count, not a time). */
Test(suppress, shared_search_is_safe_deterministic_and_pivots_less)
{
	struct bp_sup_problem *each = big_cube(CUBE, 4), *s[3];
	static const char *threads[3] = { "1", "2", "4" };
	unsigned long peach, pshared = 0;
	size_t bad = 0;

	cr_assert_eq(bp_sup_set_warm(each, true), 0);
	setenv("BPAGG_THREADS", "2", 1);
	cr_assert_eq(bp_suppress(each, 5, false), 0);
	peach = bp__sup_stats.pivots;
	for (int k = 0; k < 3; k++) {
		s[k] = big_cube(CUBE, 4);
		cr_assert_eq(bp_sup_set_warm(s[k], true), 0);
		bp_sup_set_search_once(s[k], true);
		setenv("BPAGG_THREADS", threads[k], 1);
		cr_assert_eq(bp_suppress(s[k], 5, false), 0);
		if (k == 0)
			pshared = bp__sup_stats.pivots;
	}
	unsetenv("BPAGG_THREADS");
	cr_expect_lt(pshared, peach, "shared %lu pivots, each its own %lu", pshared, peach);
	for (int k = 1; k < 3; k++) {
		size_t diff = 0;
		for (size_t c = 0; c < bp_sup_ncells(s[0]); c++)
			diff += bp_sup_state_of(s[0], c) != bp_sup_state_of(s[k], c);
		cr_expect_eq(diff, 0u, "%zu cells differ between one thread and %s", diff,
		    threads[k]);
	}
	cr_expect_eq(bp_sup_audit(s[0], 5, &bad), 0, "unsafe cell %zu", bad);
	for (int k = 0; k < 3; k++)
		bp_sup_free(s[k]);
	bp_sup_free(each);
}

/* What model 8 relies on when the joint check hides a cell and the model
 * is not repaired again: hiding more published cells (of a count >= 1)
 * never makes a safe pattern unsafe. */
Test(suppress, hiding_more_keeps_a_safe_pattern_safe)
{
	struct bp_sup_problem *p = big_cube(20, 6, 4, 40, 1);
	uint32_t seed = 99;
	size_t bad = 0, more = 0;

	cr_assert_eq(bp_suppress(p, 5, false), 0);
	cr_assert_eq(bp_sup_audit(p, 5, &bad), 0);
	for (size_t tries = 0; more < 40 && tries < 100000; tries++) {
		seed = seed * 1103515245u + 12345u;
		size_t c = (seed >> 8) % bp_sup_ncells(p);
		if (bp_sup_state_of(p, c) != P || bp_sup_value_of(p, c) == 0)
			continue;
		bp_sup_set_state(p, c, SE);
		more++;
		cr_expect_eq(bp_sup_audit(p, 5, &bad), 0, "unsafe cell %zu after %zu more hidden",
		    bad, more);
	}
	cr_expect_eq(more, 40u);
	bp_sup_free(p);
}

Test(suppress, bad_constraints_are_refused)
{
	struct bp_sup_problem *p = bp_sup_new();
	size_t m[2] = { 1, 2 }, dup[2] = { 1, 1 }, out[2] = { 1, 7 }, self[2] = { 0, 1 };

	cr_assert_eq(bp_sup_add_cell(p, 5, 0), 0);
	cr_assert_eq(bp_sup_add_cell(p, 2, 0), 1);
	cr_assert_eq(bp_sup_add_cell(p, 3, 0), 2);
	errno = 0;
	cr_expect_eq(bp_sup_add_constraint(p, BP_CONS_TABLE, 0, dup, 2), -1);
	cr_expect_eq(errno, EINVAL);
	cr_expect_eq(bp_sup_add_constraint(p, BP_CONS_TABLE, 0, out, 2), -1);
	cr_expect_eq(bp_sup_add_constraint(p, BP_CONS_TABLE, 0, self, 2), -1);
	cr_expect_eq(bp_sup_add_constraint(p, BP_CONS_TABLE, 1, m, 2), -1);
	cr_expect_eq(bp_sup_add_constraint(p, BP_CONS_TABLE, 0, m, 2), 0);
	bp_sup_free(p);
}

/* A suppressed cell that no constraint holds can be anything >= 0. */
Test(suppress, lone_cell_is_unbounded)
{
	struct bp_sup_problem *p = bp_sup_new();
	double lo, hi;

	cr_assert_eq(bp_sup_add_cell(p, 2, 0), 0);
	cr_assert_eq(bp_suppress(p, 5, false), 0);
	cr_expect_eq(bp_sup_state_of(p, 0), PR);
	cr_assert_eq(bp_sup_interval(p, 0, &lo, &hi), 0);
	cr_expect(lo == 0.0 && isinf(hi));
	bp_sup_free(p);
}

/*
 * No complement can be found: T = a + b, a = 3 primary, b FIXED.  Nothing
 * may be added, so bp_suppress gives up (EDOM).
 */
Test(suppress, gives_up_when_nothing_can_be_added)
{
	struct bp_sup_problem *p = bp_sup_new();
	size_t m[2] = { 1, 2 };

	cr_assert_eq(bp_sup_add_cell(p, 10, BP_SUP_FIXED), 0);
	cr_assert_eq(bp_sup_add_cell(p, 3, 0), 1);
	cr_assert_eq(bp_sup_add_cell(p, 7, BP_SUP_FIXED), 2);
	cr_assert_eq(bp_sup_add_constraint(p, BP_CONS_TABLE, 0, m, 2), 0);
	errno = 0;
	cr_assert_eq(bp_suppress(p, 5, false), -1);
	cr_expect_eq(errno, EDOM);
	bp_sup_free(p);
}

static void
pattern_of(const struct bp_sup_problem *p, unsigned char *out)
{
	size_t c;

	for (c = 0; c < bp_sup_ncells(p); c++)
		out[c] = (unsigned char)bp_sup_state_of(p, c);
}

/*
 * A group large enough that its hidden cells form a component audited by
 * local programs and the kept LP of the whole component (lpaudit_local.c),
 * priced in pairs (model 3): every primary cell's maximum, solved again on
 * a fresh LP of its whole component (bp_sup_interval), reaches min_cell,
 * and a second run gives the same pattern.
 */
Test(suppress, deterministic)
{
	struct bp_sup_problem *a = bp_sgen_group(7, 40, 4, 4, 6);
	struct bp_sup_problem *b = bp_sgen_group(7, 40, 4, 4, 6);
	unsigned char *pa, *pb, *pc;
	size_t n;

	cr_assert(a != NULL && b != NULL);
	n = bp_sup_ncells(a);
	cr_assert_eq(bp_sup_ncells(b), n);
	pa = malloc(n), pb = malloc(n), pc = malloc(n);
	cr_assert(pa && pb && pc);
	cr_assert_eq(bp_suppress(a, 5, false), 0);
	pattern_of(a, pa);
	/* Run again on the same problem: earlier states are cleared first. */
	cr_assert_eq(bp_suppress(a, 5, false), 0);
	pattern_of(a, pb);
	cr_assert_eq(memcmp(pa, pb, n), 0);
	/* A second problem built in the same order. */
	cr_assert_eq(bp_suppress(b, 5, false), 0);
	pattern_of(b, pc);
	cr_assert_eq(memcmp(pa, pc, n), 0);
	cr_assert(bp_sup_count(a, PR) > 0 && bp_sup_count(a, SE) + bp_sup_count(a, LI) > 0);
	cr_assert_eq(bp_sup_audit(a, 5, NULL), 0);
	free(pa), free(pb), free(pc);
	bp_sup_free(a);
	bp_sup_free(b);
}

/*
 * Checks one random table after bp_suppress: FIXED cells published, primary
 * cells exactly the small ones, every line with a single suppressed cell
 * has nothing left to add, every primary interval holds its true value, 0
 * and min_cell.
 */
static bool
is_small(const struct bp_sup_problem *p, size_t c, unsigned min_cell, bool zero)
{
	return !(p->flags[c] & BP_SUP_FIXED) &&
	    ((p->value[c] >= 1 && p->value[c] < min_cell) || (zero && p->value[c] == 0));
}

static void
check_random(const struct bp_sup_problem *p, unsigned min_cell, bool zero)
{
	size_t c, l, k, nsup, nelig;
	double lo, hi;
	enum bp_sup_state s;

	for (c = 0; c < p->ncell; c++) {
		s = bp_sup_state_of(p, c);
		if (p->flags[c] & BP_SUP_FIXED)
			cr_assert_eq(s, P, "FIXED cell %zu suppressed", c);
		else
			cr_assert_eq(s == PR, is_small(p, c, min_cell, zero),
			    "cell %zu: primary state wrong", c);
		if (s != PR)
			continue;
		cr_assert_eq(bp_sup_interval(p, c, &lo, &hi), 0);
		cr_assert(lo <= 1e-6 && hi >= min_cell - 1e-6,
		    "cell %zu: interval [%g, %g]", c, lo, hi);
		cr_assert(lo <= p->value[c] + 1e-6 && hi >= p->value[c] - 1e-6);
	}
	for (l = 0; l < p->ncons; l++) {
		nsup = nelig = 0;
		for (k = p->cstart[l]; k < p->cstart[l + 1]; k++) {
			c = p->mem[k];
			nsup += p->state[c] != P;
			nelig += p->state[c] == P && !(p->flags[c] & BP_SUP_FIXED) &&
			    (p->value[c] > 0 || zero);
		}
		cr_assert(nsup != 1 || nelig == 0, "line %zu left open", l);
	}
}

/*
 * Hides only the primary cells: when one of them is alone in a line it is
 * the line's total minus published cells, and the audit must say so.
 */
static void
check_audit_catches(struct bp_sup_problem *p, unsigned min_cell, bool zero)
{
	size_t c, l, k, nsup;
	bool alone = false;
	size_t bad;

	for (c = 0; c < p->ncell; c++)
		bp_sup_set_state(p, c, is_small(p, c, min_cell, zero) ? PR : P);
	for (l = 0; l < p->ncons && !alone; l++) {
		nsup = 0;
		for (k = p->cstart[l]; k < p->cstart[l + 1]; k++)
			nsup += p->state[p->mem[k]] == PR;
		alone = nsup == 1;
	}
	if (!alone)
		return;
	cr_assert_eq(bp_sup_audit(p, min_cell, &bad), -1);
	cr_assert_lt(bad, p->ncell);
	cr_assert_eq(bp_sup_state_of(p, bad), PR);
}

/*
 * bp_suppress gave up: then even hiding every cell that may be hidden (all
 * but the FIXED ones, zeros included) must leave a primary cell unsafe.
 */
static void
check_no_pattern(struct bp_sup_problem *p, unsigned min_cell, bool zero)
{
	size_t c;

	for (c = 0; c < p->ncell; c++)
		if (!(p->flags[c] & BP_SUP_FIXED))
			bp_sup_set_state(p, c, is_small(p, c, min_cell, zero) ? PR : SE);
	cr_assert_eq(bp_sup_audit(p, min_cell, NULL), -1,
	    "bp_suppress gave up although hiding everything is safe");
}

Test(suppress, property_random_tables, .timeout = 120)
{
	struct bp_sup_problem *p;
	struct bp_sgen_cmp cmp = { 0 };
	size_t i, n = 1000, failed = 0, caught = 0;
	unsigned min_cell;
	bool zero;

	for (i = 0; i < n; i++) {
		min_cell = i % 4 == 0 ? 3 : 5;
		zero = i % 5 == 0;
		p = bp_sgen_table(1000 + i);
		cr_assert_not_null(p);
		if (bp_suppress(p, min_cell, zero) != 0) {
			/* Only acceptable when no pattern at all is safe. */
			cr_assert_eq(errno, EDOM);
			check_no_pattern(p, min_cell, zero);
			failed++;
		} else
			check_random(p, min_cell, zero);
		check_audit_catches(p, min_cell, zero);
		caught += bp_sup_audit(p, min_cell, NULL) != 0;
		bp_sup_free(p);
	}
	cr_expect_lt(failed, n / 50, "bp_suppress gave up on %zu tables", failed);
	cr_expect_gt(caught, n / 2, "the unsafe primary-only pattern was caught %zu times",
	    caught);

	/* Figures for the report: ours against plain two per line. */
	cr_assert_eq(bp_sgen_compare(1, n, 5, &cmp), 0);
	cr_assert_eq(cmp.tables, n);
	cr_assert_gt(cmp.plain_unsafe, 0, "the audit never caught the plain pattern");
	fprintf(stderr, "suppress: %zu random tables, %zu primary cells: "
	    "bp_suppress %.3f complements per primary (%zu gave up), "
	    "plain 2/line %.3f, plain pattern unsafe in %zu tables\n",
	    cmp.tables, cmp.primary,
	    (double)cmp.ours / (double)cmp.primary, cmp.ours_failed,
	    (double)cmp.plain / (double)cmp.primary, cmp.plain_unsafe);
}
