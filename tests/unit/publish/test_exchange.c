/*
 * test_exchange.c - the exchange of complements of release model 16
 * (publish/sup_exchange.c): a costly complement that the line rule chose
 * by one person is traded for a cheaper rectangle, only when the pattern
 * gets cheaper and hides no more cells.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "suppress.h"
#include "grid3.h"

/* Repairs p from the gul rectangle hidden (x01, x10, x11 complements),
 * with the cleanup and the exchange of cells (NULL: off) at weights w. */
static void
repair_from_gul(struct bp_sup_problem *p, const unsigned char *cells, const uint16_t *w)
{
	static const size_t hide[3] = { 1, 4, 5 };

	bp_sup_set_rule(p, BP_SUP_RULE_UPPER);
	bp_sup_set_pricing(p, BP_SUP_PRICE_PAIRS_BLIND);
	bp_sup_set_cleanup(p, true);
	cr_assert_eq(bp_sup_set_exchange(p, cells, w), 0);
	for (size_t k = 0; k < 3; k++)
		bp_sup_set_state(p, hide[k], SE);
	cr_assert_eq(bp_sup_repair(p, 5, false), 0);
}

/*
 * x00 = 3 is small.  Rows gronn, gul, blalys; columns ja, nei, the rest.
 * The pattern an earlier stage left: the rectangle through the gul row
 * and the nei column (x01 = 1 421, x10 = 235, x11 = 2 498: 4 154), one of
 * four that protect x00 (through x01 and the blalys row, 1 778; x02 and
 * the gul row, 1 635; x02 and the blalys row, x02 = 500, x20 = 236, x22 =
 * 800: 1 536).  Each is safe and the cleanup frees no cell of it; the
 * exchange (every cell named, each weighing its count) ends at the
 * cheapest, and the cell it tried is left as it was (not FIXED).
 */
enum tried { NONE_SET, EVERY_CELL, NO_CELL };

static struct bp_sup_problem *
gul_rectangle(enum tried tried)
{
	unsigned char cells[16];
	static const uint32_t v[3][3] = { { 3, 1421, 500 }, { 235, 2498, 900 }, { 236, 121, 800 } };
	struct bp_sup_problem *p = grid3(v, NULL, 0);

	memset(cells, tried == EVERY_CELL, sizeof(cells));
	repair_from_gul(p, tried == NONE_SET ? NULL : cells, NULL);
	return p;
}

static uint64_t
hidden_cost(const struct bp_sup_problem *p, size_t *n)
{
	uint64_t s = 0;
	*n = 0;
	for (size_t c = 0; c < bp_sup_ncells(p); c++)
		if (bp_sup_state_of(p, c) != P) {
			s += bp_sup_value_of(p, c);
			++*n;
		}
	return s;
}

Test(suppress, exchange_trades_a_costly_rectangle_for_a_cheaper_one)
{
	static const enum bp_sup_state want[16] = {
		PR, P, SE, P,
		P, P, P, P,
		SE, P, SE, P,
		P, P, P, P,
	};
	struct bp_sup_problem *p = gul_rectangle(EVERY_CELL);
	size_t bad = 0, n;

	assert_pattern(p, want, 16);
	for (size_t c = 0; c < 16; c++)
		cr_expect_eq(bp_sup_flags_of(p, c), 0u, "cell %zu: flags %u", c, bp_sup_flags_of(p, c));
	cr_expect_eq(bp_sup_audit(p, 5, &bad), 0, "unsafe cell %zu", bad);
	cr_expect_eq(hidden_cost(p, &n), 3u + 500 + 236 + 800);
	cr_expect_eq(n, 4u);
	bp_sup_free(p);

	/* off, or no complement named: the gul rectangle stays */
	for (enum tried t = NONE_SET; t <= NO_CELL; t += 2) {
		p = gul_rectangle(t);
		cr_expect_eq(bp_sup_state_of(p, 5), SE, "%d: x11 stays hidden", (int)t);
		cr_expect_eq(bp_sup_state_of(p, 9), P);
		cr_expect_eq(hidden_cost(p, &n), 3u + 1421 + 235 + 2498);
		bp_sup_free(p);
	}
}

/*
 * Weighed for the exchange, the blalys row is dear (its cells weigh 20
 * each there, as a cell of many tables would): the exchange ends at the
 * cheapest rectangle through the gul row (x02 = 500, x10 = 235, x12 =
 * 900), though by count alone the blalys one is cheaper.
 */
Test(suppress, exchange_prices_with_its_own_weights)
{
	static const uint32_t v[3][3] = { { 3, 1421, 500 }, { 235, 2498, 900 }, { 236, 121, 800 } };
	static const enum bp_sup_state want[16] = {
		PR, P, SE, P,
		SE, P, SE, P,
		P, P, P, P,
		P, P, P, P,
	};
	struct bp_sup_problem *p = grid3(v, NULL, 0);
	uint16_t w[16];
	unsigned char cells[16];
	size_t bad = 0;

	for (size_t c = 0; c < 16; c++)
		w[c] = c >= 8 && c <= 11 ? 20 : 1, cells[c] = 1;
	repair_from_gul(p, cells, w);
	assert_pattern(p, want, 16);
	cr_expect_eq(bp_sup_audit(p, 5, &bad), 0, "unsafe cell %zu", bad);
	bp_sup_free(p);
}

/*
 * A cheaper pattern that hides more cells is not taken.  Only the gul
 * rectangle (x01 = 1 421, x10 = 235, x11 = 2 498) protects x00 among the
 * rectangles, the row and column totals and x02, x20 being known (FIXED);
 * barred x11, the repair finds the six-cell cycle through x12, x22 and x21
 * (10 each: 1 686 against 4 154), safe as well, and the exchange keeps the
 * rectangle.
 */
Test(suppress, exchange_keeps_no_pattern_that_hides_more_cells)
{
	static const uint32_t v[3][3] = { { 3, 1421, 500 }, { 235, 2498, 10 }, { 236, 10, 10 } };
	static const int fixed[9] = { 2, 8, 3, 7, 11, 12, 13, 14, 15 };
	struct bp_sup_problem *p = grid3(v, fixed, 9);
	unsigned char cells[16];
	size_t bad = 0, n;

	memset(cells, 1, sizeof(cells));
	repair_from_gul(p, cells, NULL);
	cr_expect_eq(hidden_cost(p, &n), 3u + 1421 + 235 + 2498);
	cr_expect_eq(n, 4u);
	cr_expect_eq(bp_sup_state_of(p, 5), SE, "x11 stays hidden");
	cr_expect_eq(bp_sup_flags_of(p, 5), 0u, "x11 is not left FIXED");
	cr_expect_eq(bp_sup_audit(p, 5, &bad), 0, "unsafe cell %zu", bad);
	bp_sup_free(p);

	/* the cycle is safe: hidden by hand, the audit passes */
	p = grid3(v, fixed, 9);
	bp_sup_set_rule(p, BP_SUP_RULE_UPPER);
	static const size_t cycle[6] = { 0, 1, 9, 10, 6, 4 };
	for (size_t k = 0; k < 6; k++)
		bp_sup_set_state(p, cycle[k], k ? SE : PR);
	cr_expect_eq(bp_sup_audit(p, 5, &bad), 0, "the cycle: unsafe cell %zu", bad);
	bp_sup_free(p);
}
