/*
 * test_publish_links.c - suppression across the relations between tables
 * that are not one table's own lines (lib/tables.c): a fylke's
 * kommunestorrelse cells against its kommuner's totals.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "measures.h"
#include "publish.h"
#include "registry.h"

/* Fylke 11: 1101 and 1103 are small kommuner (size class u2500 in their
 * tallies), 1106 a large one (30000p). */
static struct bp_kommune reg_k[3] = {
	{ "1101", "Eigersund", "11", "Rogaland", 1500, 1000 },
	{ "1103", "Stavanger", "11", "Rogaland", 2000, 1500 },
	{ "1106", "Haugesund", "11", "Rogaland", 40000, 30000 },
};
static struct bp_registry reg = { reg_k, 3, 2024 };

static void
persons(struct bp_tally *t, int n, int bolig, int ksize)
{
	int IB = bp_indicator_find("bolig"), KS = bp_breakdown_find("kommunestorrelse");
	int MA = bp_sum_measure_find("alder");
	struct bp_class c;

	cr_assert(IB >= 0 && KS >= 0 && MA >= 0);
	for (int i = 0; i < n; i++) {
		memset(&c, 0, sizeof(c));
		c.cat[IB] = (int16_t)bolig;
		c.val[KS] = (int16_t)ksize;
		c.sum[MA] = 40;
		c.has_sum[MA] = true;
		bp_tally_add_class(t, &c);
	}
}

static struct bp_cell_view
cell(const struct bp_tables *t, const char *lv, const char *area, const char *table,
    const char *cat, const char *bv)
{
	struct bp_cell_view v;
	cr_assert_eq(bp_tables_lookup(t, lv, area, table, cat, bv, &v), 0,
	    "no row %s %s %s %s %s", lv, area, table, cat, bv);
	return v;
}

/*
 * bolig rod: 1101 has 2 (primary), 1103 has 10, 1106 has 5.  The fylke's
 * rod total (17) links all three, and its cheapest complement is 1106's 5;
 * but the fylke's kommunestorrelse u2500 rod cell is 1101 + 1103 = 12, so
 * with 1103's 10 published it gives 1101's 2 away unless one of the two is
 * hidden too.
 */
Test(links, kommunestorrelse_cells_protect_the_kommuner_of_their_class)
{
	struct bp_tally a, b, c;
	struct bp_pub_kommune k[3] = { { "1101", &a }, { "1103", &b }, { "1106", &c } };
	struct bp_pub_settings s;
	struct bp_tables *t;
	char err[256];

	cr_assert_eq(bp_tally_init(&a), 0);
	cr_assert_eq(bp_tally_init(&b), 0);
	cr_assert_eq(bp_tally_init(&c), 0);
	persons(&a, 20, 0, 0), persons(&a, 2, 2, 0);
	persons(&b, 20, 0, 0), persons(&b, 10, 2, 0);
	persons(&c, 40, 0, 4), persons(&c, 5, 2, 4);
	memset(&s, 0, sizeof(s));
	s.min_cell = 5;
	s.levels = BP_LEVEL_ALL;
	bp_measure_settings_default(&s.measures);
	cr_assert_eq(bp_pub_parse_breakdowns("total,brukergruppe,rop", &s), 0);
	cr_assert_eq(bp_tables_build(2024, k, 3, &reg, &s, &t, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(bp_tables_suppress(t, NULL, err, sizeof(err)), 0, "%s", err);

	cr_assert_eq(cell(t, "kommune", "1101", "bolig__total", "rod", "alle").reason,
	    BP_REASON_PRIMARY);
	unsigned hidden = cell(t, "kommune", "1103", "bolig__total", "rod", "alle").reason != 0;
	hidden += cell(t, "fylke", "11", "bolig__kommunestorrelse", "rod", "u2500").reason != 0;
	cr_assert_geq(hidden, 1, "1101's rod = fylke u2500 rod - 1103 rod, both published");
	/* The class's total is the sum of its two kommuner. */
	cr_assert_eq(cell(t, "fylke", "11", "bolig__kommunestorrelse", "i_alt", "u2500").count,
	    52);
	bp_tables_free(t);
	bp_tally_free(&a);
	bp_tally_free(&b);
	bp_tally_free(&c);
}
