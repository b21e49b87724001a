/*
 * test_cleanup.c - the cleanup of release model 5 (publish/sup_cleanup.c):
 * complements that no primary cell needs are published again, the others
 * and those the republishing rule keeps stay hidden.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include <criterion/criterion.h>

#include "suppress.h"
#include "grid3.h"

/*
 * The cleanup (model 5).  The grid of grid3_exact_pattern with x00 = 3
 * small and, as an earlier stage may leave them, x01 x10 x11 (the
 * rectangle that protects x00) and x21 (20), x22 (6) hidden.  Tried
 * costliest first: x21 goes (x00 still reaches 11 through the rectangle),
 * x10, x01 and x11 stay (without any one of them x00 is given away), x22
 * goes (it was derivable anyway).  A KEEP cell stays hidden; without the
 * cleanup both stay.
 */
static struct bp_sup_problem *
grid3_overhidden(bool cleanup, size_t keep)
{
	static const uint32_t v[3][3] = { { 3, 8, 12 }, { 9, 7, 15 }, { 10, 20, 6 } };
	static const size_t hide[5] = { 1, 4, 5, 9, 10 };
	struct bp_sup_problem *p = grid3(v, NULL, 0);

	bp_sup_set_rule(p, BP_SUP_RULE_UPPER);
	bp_sup_set_pricing(p, BP_SUP_PRICE_PAIRS_BLIND);
	bp_sup_set_cleanup(p, cleanup);
	for (size_t k = 0; k < 5; k++)
		bp_sup_set_state(p, hide[k], SE);
	if (keep != SIZE_MAX)
		bp_sup_set_flags(p, keep, BP_SUP_KEEP);
	cr_assert_eq(bp_sup_repair(p, 5, false), 0);
	return p;
}

Test(suppress, cleanup_publishes_again_the_complements_no_primary_needs)
{
	static const enum bp_sup_state want[16] = {
		PR, SE, P, P,
		SE, SE, P, P,
		P, P, P, P,
		P, P, P, P,
	};
	struct bp_sup_problem *p = grid3_overhidden(true, SIZE_MAX);
	size_t bad = 0;
	double lo, hi;

	assert_pattern(p, want, 16);
	cr_expect_eq(bp_sup_audit(p, 5, &bad), 0);
	cr_assert_eq(bp_sup_interval(p, 0, &lo, &hi), 0);
	cr_expect_float_eq(hi, 11.0, 1e-6);
	bp_sup_free(p);

	p = grid3_overhidden(true, 9);
	cr_expect_eq(bp_sup_state_of(p, 9), SE, "a KEEP cell stays hidden");
	cr_expect_eq(bp_sup_state_of(p, 10), P);
	bp_sup_free(p);

	p = grid3_overhidden(false, SIZE_MAX);
	cr_expect_eq(bp_sup_state_of(p, 9), SE, "no cleanup: x21 stays hidden");
	cr_expect_eq(bp_sup_state_of(p, 10), SE);
	/* bp_sup_cleanup on that safe pattern, made without it */
	cr_assert_eq(bp_sup_cleanup(p, 5, false), 0);
	assert_pattern(p, want, 16);
	bp_sup_free(p);

	/* ... and on an unsafe one: refused, nothing published */
	static const uint32_t v[3][3] = { { 3, 8, 12 }, { 9, 7, 15 }, { 10, 20, 6 } };
	p = grid3(v, NULL, 0);
	bp_sup_set_rule(p, BP_SUP_RULE_UPPER);
	bp_sup_set_state(p, 0, PR);
	bp_sup_set_state(p, 1, SE);
	errno = 0;
	cr_expect_eq(bp_sup_cleanup(p, 5, false), -1);
	cr_expect_eq(errno, EDOM);
	cr_expect_eq(bp_sup_state_of(p, 1), SE);
	bp_sup_free(p);
}
