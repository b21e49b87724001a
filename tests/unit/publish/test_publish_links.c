/*
 * test_publish_links.c - suppression across the relations between tables
 * that are not one table's own lines (publish/tables.c): a fylke's
 * kommunestorrelse cells against its kommuner's totals.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "measures.h"
#include "publish.h"
#include "registry.h"
#include "test_rows.h"
#include "test_tables.h"

/* Fylke 11: 1101 and 1103 are small kommuner (size class u2500 in their
 * tallies), 1106 a large one (30000p). */
static struct bp_kommune reg_k[3] = {
	{ "1101", "Eigersund", "11", "Rogaland", 1500, 1000 },
	{ "1103", "Stavanger", "11", "Rogaland", 2000, 1500 },
	{ "1106", "Haugesund", "11", "Rogaland", 40000, 30000 },
};
static struct bp_registry reg = { reg_k, 3, 2024 };

/* n persons with the given bolig score in a kommune of that population. */
static void
persons(struct bp_tally *t, int n, int bolig, uint32_t population)
{
	struct bp_row r = tx_row_base();
	r.area[BP_AREA_BOLIG] = (int8_t)bolig;
	for (int i = 0; i < n; i++)
		tx_tally_row(t, &r, population);
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
	persons(&a, 20, 0, 1500), persons(&a, 2, 2, 1500);
	persons(&b, 20, 0, 2000), persons(&b, 10, 2, 2000);
	persons(&c, 40, 0, 40000), persons(&c, 5, 2, 40000);
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

/*
 * A release of random (valid, classified) rows from the kommuner of two
 * fylker, all levels, kommune tables by total, brukergruppe and rop.
 */
static struct bp_registry reg6;
static struct bp_kommune reg6_k[6] = {
	{ "3101", "Halden", "31", "Østfold", 3100, 2500 },
	{ "3103", "Moss", "31", "Østfold", 4800, 3900 },
	{ "3105", "Sarpsborg", "31", "Østfold", 9000, 7000 },
	{ "4601", "Bergen", "46", "Vestland", 40000, 33000 },
	{ "4602", "Kinn", "46", "Vestland", 1700, 1300 },
	{ "4611", "Etne", "46", "Vestland", 2400, 1900 },
};
static const int reg6_rows[6] = { 40, 60, 110, 260, 25, 30 };

static struct bp_tables *
random_release(struct bp_tally *tal, uint64_t seed, bool per_table)
{
	struct bp_pub_kommune k[6];
	struct bp_pub_settings s;
	struct bp_tables *t;
	char err[256];

	reg6 = (struct bp_registry){ reg6_k, 6, 2024 };
	for (int i = 0; i < 6; i++) {
		cr_assert_eq(bp_tally_init(&tal[i]), 0);
		for (int n = 0; n < reg6_rows[i]; n++) {
			struct bp_row r = tx_row_random(&seed);
			tx_tally_row(&tal[i], &r, reg6_k[i].population);
		}
		memcpy(k[i].nr, reg6_k[i].nr, 5);
		k[i].t = &tal[i];
	}
	memset(&s, 0, sizeof(s));
	s.min_cell = 5;
	s.levels = BP_LEVEL_ALL;
	s.per_table = per_table;
	bp_measure_settings_default(&s.measures);
	cr_assert_eq(bp_pub_parse_breakdowns("total,brukergruppe,rop", &s), 0);
	cr_assert_eq(bp_tables_build(2024, k, 6, &reg6, &s, &t, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(bp_tables_suppress(t, NULL, err, sizeof(err)), 0, "%s", err);
	return t;
}

static bool
hidden(const struct bp_tables *t, const char *lv, const char *area, const char *table,
    const char *cat, const char *bv)
{
	return cell(t, lv, area, table, cat, bv).reason != BP_REASON_NONE;
}

/*
 * The same quantity printed in different tables is hidden in all or in
 * none: every indicator's i_alt by a breakdown value is that value's count
 * of persons (also kjonn__total, alder's count in sums), and a pair of
 * indicators that are also breakdowns prints each cell twice.
 */
Test(links, a_quantity_is_hidden_in_every_table_or_in_none, .timeout = 120)
{
	static const char *const ind[] = { "bolig", "okonomi", "nav_sosialhjelp", "vold", "lar" };
	static const struct { const char *lv, *area; } at[] = {
		{ "nasjonal", "NO" }, { "fylke", "31" }, { "fylke", "46" },
		{ "kommune", "3101" }, { "kommune", "4602" }, { "kommune", "4611" },
	};
	struct bp_tally tal[6];
	struct bp_tables *t = random_release(tal, 0x5eedULL, false);
	char tab[64];
	size_t pairs = 0, hid = 0;

	for (size_t a = 0; a < sizeof(at) / sizeof(at[0]); a++) {
		bool kommune = !strcmp(at[a].lv, "kommune");
		static const char *const bd[] = { "brukergruppe", "rop" };
		static const char *const vals[2][3] = { { "rus", "rus_psyk", "psyk" }, { "ja", "nei", NULL } };
		for (int b = 0; b < 2; b++)
			for (int v = 0; v < 3 && vals[b][v]; v++) {
				snprintf(tab, sizeof(tab), "%s__total", bd[b]);
				bool want = hidden(t, at[a].lv, at[a].area, tab, vals[b][v], "alle");
				hid += want;
				for (size_t i = 0; i < sizeof(ind) / sizeof(ind[0]); i++) {
					snprintf(tab, sizeof(tab), "%s__%s", ind[i], bd[b]);
					cr_expect_eq(hidden(t, at[a].lv, at[a].area, tab, "i_alt", vals[b][v]),
					    want, "%s %s %s i_alt %s", at[a].lv, at[a].area, tab, vals[b][v]);
					pairs++;
				}
			}
		/* kjonn x rop and rop x kjonn: the same cells (not at kommune level). */
		if (kommune)
			continue;
		static const char *const kj[] = { "M", "K" }, *const rop[] = { "ja", "nei" };
		for (int x = 0; x < 2; x++)
			for (int y = 0; y < 2; y++) {
				bool h1 = hidden(t, at[a].lv, at[a].area, "kjonn__rop", kj[x], rop[y]);
				bool h2 = hidden(t, at[a].lv, at[a].area, "rop__kjonn", rop[y], kj[x]);
				cr_expect_eq(h1, h2, "%s %s kjonn %s rop %s", at[a].lv, at[a].area,
				    kj[x], rop[y]);
				hid += h1;
				pairs++;
			}
	}
	cr_assert_gt(pairs, 100);
	cr_assert_gt(hid, 0, "the fixture hides none of the shared cells: it tests nothing");
	bp_tables_free(t);
	for (int i = 0; i < 6; i++)
		bp_tally_free(&tal[i]);
}

/* shared_cells = per_table: each group alone, as before the setting; on
 * the same fixture some shared quantity is then hidden in one table and
 * published in another (which is what the default prevents). */
Test(links, per_table_leaves_shared_cells_inconsistent, .timeout = 120)
{
	static const char *const ind[] = { "bolig", "okonomi", "nav_sosialhjelp", "vold", "lar" };
	static const char *const area[][2] = { { "nasjonal", "NO" }, { "fylke", "31" },
	    { "fylke", "46" }, { "kommune", "3101" }, { "kommune", "4602" }, { "kommune", "4611" } };
	static const char *const vals[] = { "rus", "rus_psyk", "psyk" };
	struct bp_tally tal[6];
	struct bp_tables *t = random_release(tal, 0x5eedULL, true);
	char tab[64];
	size_t differ = 0;

	for (size_t a = 0; a < 6; a++)
		for (size_t v = 0; v < 3; v++) {
			bool want = hidden(t, area[a][0], area[a][1], "brukergruppe__total", vals[v], "alle");
			for (size_t i = 0; i < 5; i++) {
				snprintf(tab, sizeof(tab), "%s__brukergruppe", ind[i]);
				differ += hidden(t, area[a][0], area[a][1], tab, "i_alt", vals[v]) != want;
			}
		}
	cr_assert_gt(differ, 0);
	bp_tables_free(t);
	for (int i = 0; i < 6; i++)
		bp_tally_free(&tal[i]);
}

/* Persons of one kommune with the given bolig score and ROP scale value
 * (0 ikke_rop, 1 gul_rod, 2 rod_gul, 3 rod_rod, 4 ikke_aktuelt). */
static void
rop_persons(struct bp_tally *t, int n, int bolig, int rop)
{
	static const int rm[4] = { BP_GRONN, BP_GUL, BP_ROD, BP_ROD };
	static const int ph[4] = { BP_GRONN, BP_ROD, BP_GUL, BP_ROD };
	struct bp_row r = tx_row_base();
	r.area[BP_AREA_BOLIG] = (int8_t)bolig;
	r.psykisk_problem = true;
	if (rop == 4)
		tx_row_rusgruppe(&r, -1);
	else {
		r.area[BP_AREA_RUSMIDDELBRUK] = (int8_t)rm[rop];
		r.area[BP_AREA_PSYKISK_HELSE] = (int8_t)ph[rop];
	}
	for (int i = 0; i < n; i++)
		tx_tally_row(t, &r, 2000);
}

/*
 * bolig rod by rop_skala: gul_rod 2 (small), rod_gul 10, rod_rod 10,
 * ikke_rop 6, ikke_aktuelt 20. The cheapest complement of the small cell
 * in its row is ikke_rop; but bolig__rop(rod, ja) = 22 is the three ROP
 * values together, so with rod_gul and rod_rod published it gives the 2
 * away. The LP knows the relation and asks for more.
 */
Test(links, a_relation_between_breakdowns_is_in_the_audit)
{
	struct bp_tally a;
	struct bp_pub_kommune k[1] = { { "1101", &a } };
	struct bp_pub_settings s;
	struct bp_tables *t;
	char err[256];
	static const int rod[5] = { 6, 2, 10, 10, 20 };

	cr_assert_eq(bp_tally_init(&a), 0);
	for (int v = 0; v < 5; v++) {
		rop_persons(&a, rod[v], BP_ROD, v);
		rop_persons(&a, 30, BP_GRONN, v);
	}
	memset(&s, 0, sizeof(s));
	s.min_cell = 5;
	s.levels = BP_LEVEL_NASJONAL;
	bp_measure_settings_default(&s.measures);
	cr_assert_eq(bp_pub_parse_breakdowns("total", &s), 0);
	cr_assert_eq(bp_tables_build(2024, k, 1, &reg, &s, &t, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(bp_tables_suppress(t, NULL, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cell(t, "nasjonal", "NO", "bolig__rop_skala", "rod", "gul_rod").reason,
	    BP_REASON_PRIMARY);
	unsigned hid = hidden(t, "nasjonal", "NO", "bolig__rop", "rod", "ja");
	hid += hidden(t, "nasjonal", "NO", "bolig__rop_skala", "rod", "rod_gul");
	hid += hidden(t, "nasjonal", "NO", "bolig__rop_skala", "rod", "rod_rod");
	cr_assert_geq(hid, 1, "rod gul_rod = rop ja - rod_gul - rod_rod, all published");
	bp_tables_free(t);
	bp_tally_free(&a);
}
