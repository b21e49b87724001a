/*
 * test_tables.h - looking up a published cell in tests of publish/tables.c.
 */
#ifndef TEST_TABLES_H
#define TEST_TABLES_H

#include <criterion/criterion.h>

#include "publish.h"

/* The cell of tables.csv at (level, area, table, category, breakdown
 * value); the test fails when there is no such row. */
static inline struct bp_cell_view
cell(const struct bp_tables *t, const char *lv, const char *area, const char *table,
    const char *cat, const char *bv)
{
	struct bp_cell_view v;
	cr_assert_eq(bp_tables_lookup(t, lv, area, table, cat, bv, &v), 0,
	    "no row %s %s %s %s %s", lv, area, table, cat, bv);
	return v;
}

#endif
