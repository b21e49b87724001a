/*
 * measures_fixture.h - what the measure tests share (test_measures.c,
 * test_catalogue.c): a plain valid row, the default settings, and the
 * index of a named indicator, breakdown or sum measure (asserted to
 * exist).  Included by one test file each.
 */
#ifndef BP_MEASURES_FIXTURE_H
#define BP_MEASURES_FIXTURE_H

#include <criterion/criterion.h>
#include <string.h>

#include "measures.h"
#include "test_rows.h"

/* A plain valid row: rus user without psychiatric problem, all areas gronn
 * (tests/unit/test_rows.h), of kommune 4601 in 2016. */
static inline struct bp_row
row_base(void)
{
	struct bp_row r = tx_row_base();
	memcpy(r.kommune, "4601", 5);
	r.aar = 2016;
	return r;
}

static inline struct bp_measure_settings
settings(void)
{
	struct bp_measure_settings s;
	bp_measure_settings_default(&s);
	return s;
}

static inline int
ind(const char *name)
{
	int i = bp_indicator_find(name);
	cr_assert_geq(i, 0, "indicator %s missing", name);
	return i;
}

static inline int
bd(const char *name)
{
	int b = bp_breakdown_find(name);
	cr_assert_geq(b, 0, "breakdown %s missing", name);
	return b;
}

static inline int
sm(const char *name)
{
	int m = bp_sum_measure_find(name);
	cr_assert_geq(m, 0, "sum measure %s missing", name);
	return m;
}

#endif
