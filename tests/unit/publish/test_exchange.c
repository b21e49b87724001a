/*
 * test_exchange.c - the exchange of complements of release model 16
 * (publish/sup_exchange.c): a costly complement that the line rule chose
 * by one person is traded for a cheaper rectangle, only when the pattern
 * gets cheaper and hides no more cells.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include <criterion/criterion.h>

#include "suppress.h"
#include "grid3.h"

/*
 * x00 = 3 is small.  Rows gronn, gul, blalys; columns ja, nei, the rest.
 * The pattern an earlier stage left: the rectangle through the gul row
 * and the nei column (x01 = 1 421, x10 = 235, x11 = 2 498: 4 154), one of
 * four that protect x00 (through x01 and the blalys row, 1 778; x02 and
 * the gul row, 1 635; x02 and the blalys row, x02 = 500, x20 = 236, x22 =
 * 800: 1 536).  Each is safe and the cleanup frees no cell of it; the
 * exchange (every cell weighs 1, so every complement is tried) ends at the
 * cheapest.
 */
static struct bp_sup_problem *
gul_rectangle(uint32_t min_weight)
{
	static const uint32_t v[3][3] = { { 3, 1421, 500 }, { 235, 2498, 900 }, { 236, 121, 800 } };
	static const size_t hide[3] = { 1, 4, 5 };
	struct bp_sup_problem *p = grid3(v, NULL, 0);

	bp_sup_set_rule(p, BP_SUP_RULE_UPPER);
	bp_sup_set_pricing(p, BP_SUP_PRICE_PAIRS_BLIND);
	bp_sup_set_cleanup(p, true);
	cr_assert_eq(bp_sup_set_exchange(p, min_weight, NULL), 0);
	for (size_t k = 0; k < 3; k++)
		bp_sup_set_state(p, hide[k], SE);
	cr_assert_eq(bp_sup_repair(p, 5, false), 0);
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
	struct bp_sup_problem *p = gul_rectangle(1);
	size_t bad = 0, n;

	assert_pattern(p, want, 16);
	cr_expect_eq(bp_sup_audit(p, 5, &bad), 0, "unsafe cell %zu", bad);
	cr_expect_eq(hidden_cost(p, &n), 3u + 500 + 236 + 800);
	cr_expect_eq(n, 4u);
	bp_sup_free(p);

	/* off (0), or no complement heavy enough: the gul rectangle stays */
	for (uint32_t w = 0; w <= 2; w += 2) {
		p = gul_rectangle(w);
		cr_expect_eq(bp_sup_state_of(p, 5), SE, "min_weight %u: x11 stays hidden", w);
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
	size_t bad = 0;

	for (size_t c = 0; c < 16; c++)
		w[c] = c >= 8 && c <= 11 ? 20 : 1;
	bp_sup_set_rule(p, BP_SUP_RULE_UPPER);
	bp_sup_set_pricing(p, BP_SUP_PRICE_PAIRS_BLIND);
	bp_sup_set_cleanup(p, true);
	cr_assert_eq(bp_sup_set_exchange(p, 1, w), 0);
	bp_sup_set_state(p, 1, SE);
	bp_sup_set_state(p, 4, SE);
	bp_sup_set_state(p, 5, SE);
	cr_assert_eq(bp_sup_repair(p, 5, false), 0);
	assert_pattern(p, want, 16);
	cr_expect_eq(bp_sup_audit(p, 5, &bad), 0, "unsafe cell %zu", bad);
	bp_sup_free(p);
}
