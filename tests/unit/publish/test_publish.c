/*
 * test_publish.c - known-answer tables built from hand-made tallies
 * (publish/tables.c): counts, i_alt, percent, rate per 10 000, estimate,
 * coverage, sums, suppression reasons and the republishing rule.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "measures.h"
#include "publish.h"
#include "registry.h"
#include "test_rows.h"
#include "test_tables.h"

/* Registry: 0301 (fylke 03), 1101 and 1103 (fylke 11). */
static struct bp_kommune reg_k[3] = {
	{ "0301", "Oslo", "03", "Oslo", 1500, 1000 },
	{ "1101", "Eigersund", "11", "Rogaland", 2500, 2000 },
	{ "1103", "Stavanger", "11", "Rogaland", 4000, 3000 },
};
static struct bp_registry reg = { reg_k, 3, 2024 };

static struct bp_tally t0301, t1101;
static int IB, IK, BK, BR, MA;   /* bolig, kjonn, breakdown kjonn/rusgruppe, alder */

/* One person: bolig category, kjonn (0 M, 1 K), age; rusgruppe -1 (not
 * counted: rusproblem N) unless rg >= 0 (see tx_row_rusgruppe). */
static void
person(struct bp_tally *t, int bolig, int kjonn, int alder, int rg)
{
	struct bp_row r = tx_row_base();
	r.area[BP_AREA_BOLIG] = (int8_t)bolig;
	r.kjonn = kjonn ? 'K' : 'M';
	r.alder = alder;
	tx_row_rusgruppe(&r, rg);
	tx_tally_row(t, &r, t == &t0301 ? reg_k[0].population : reg_k[1].population);
}

static void
setup(void)
{
	IB = bp_indicator_find("bolig");
	IK = bp_indicator_find("kjonn");
	BK = bp_breakdown_find("kjonn");
	BR = bp_breakdown_find("rusgruppe");
	MA = bp_sum_measure_find("alder");
	cr_assert(IB >= 0 && IK >= 0 && BK >= 0 && BR >= 0 && MA >= 0);
	cr_assert_eq(bp_tally_init(&t0301), 0);
	cr_assert_eq(bp_tally_init(&t1101), 0);
	/* 0301: 20 persons, bolig 12 gronn / 5 gul / 3 rod; 10 M, 10 K; age 30. */
	for (int i = 0; i < 20; i++)
		person(&t0301, i < 12 ? 0 : i < 17 ? 1 : 2, i % 2, 30, i < 8 ? 0 : -1);
	/* 1101: 30 persons, 10 / 10 / 10; 15 M, 15 K; age 40. */
	for (int i = 0; i < 30; i++)
		person(&t1101, i % 3, i < 15 ? 0 : 1, 40, 1);
}

static void
teardown(void)
{
	bp_tally_free(&t0301);
	bp_tally_free(&t1101);
}

TestSuite(publish, .init = setup, .fini = teardown);

static unsigned min_cell = 5;

static struct bp_tables *
build(const struct bp_tally *a, const struct bp_tally *b, unsigned levels)
{
	struct bp_pub_kommune k[2] = { { "1101", b }, { "0301", a } };
	struct bp_pub_settings s;
	struct bp_tables *t;
	char err[256];
	memset(&s, 0, sizeof(s));
	s.min_cell = min_cell;
	s.levels = levels;
	bp_measure_settings_default(&s.measures);
	cr_assert_eq(bp_pub_parse_breakdowns("total,brukergruppe,rop", &s), 0);
	cr_assert_eq(bp_tables_build(2024, k, 2, &reg, &s, &t, err, sizeof(err)), 0, "%s", err);
	return t;
}

Test(publish, national_counts_percent_rate_estimate)
{
	struct bp_tables *t = build(&t0301, &t1101, BP_LEVEL_ALL);
	char err[256];
	cr_assert_eq(bp_tables_suppress(t, NULL, err, sizeof(err)), 0, "%s", err);

	struct bp_cell_view v = cell(t, "nasjonal", "NO", "bolig__total", "gronn", "alle");
	cr_assert_eq(v.count, 22);
	cr_assert_eq(v.i_alt, 50);
	/* A hidden cell hides every figure of its row. */
	if (v.reason) {
		cr_assert_str_eq(v.count_s, ":");
		cr_assert_str_eq(v.percent, ":");
		cr_assert_str_eq(v.rate, ":");
		cr_assert_str_eq(v.estimate, ":");
	}

	v = cell(t, "nasjonal", "NO", "bolig__total", "i_alt", "alle");
	cr_assert_eq(v.count, 50);
	cr_assert_str_eq(v.percent, "100.0");
	cr_assert_str_eq(v.estimate, "100");

	v = cell(t, "nasjonal", "NO", "bolig__total", "rod", "alle");
	cr_assert_eq(v.count, 13);
	if (v.reason)   /* linked to fylke 03's 3 */
		cr_assert_str_eq(v.percent, ":");
	bp_tables_free(t);

	/* min_cell 1: nothing is suppressed, every figure shows. */
	min_cell = 1;
	t = build(&t0301, &t1101, BP_LEVEL_ALL);
	min_cell = 5;
	cr_assert_eq(bp_tables_suppress(t, NULL, err, sizeof(err)), 0, "%s", err);
	v = cell(t, "nasjonal", "NO", "bolig__total", "gronn", "alle");
	cr_assert_eq(v.reason, BP_REASON_NONE);
	cr_assert_str_eq(v.count_s, "22");
	cr_assert_str_eq(v.percent, "44.0");      /* 22 / 50 */
	cr_assert_str_eq(v.rate, "73.3");         /* 22 * 10000 / 3000 */
	cr_assert_str_eq(v.estimate, "44");       /* 22 / (3000 / 6000) */
	v = cell(t, "nasjonal", "NO", "bolig__total", "rod", "alle");
	cr_assert_eq(v.reason, BP_REASON_NONE);
	cr_assert_str_eq(v.count_s, "13");
	cr_assert_str_eq(v.percent, "26.0");
	cr_assert_str_eq(v.rate, "43.3");         /* 43.33 */
	cr_assert_str_eq(v.estimate, "26");
	v = cell(t, "kommune", "0301", "bolig__total", "rod", "alle");
	cr_assert_str_eq(v.percent, "15.0");      /* 3 / 20 */
	cr_assert_str_eq(v.rate, "30.0");         /* 3 * 10000 / 1000 */
	v = cell(t, "fylke", "03", "bolig__total", "gul", "alle");
	cr_assert_str_eq(v.estimate, "5");
	v = cell(t, "nasjonal", "NO", "bolig__kjonn", "gronn", "M");
	cr_assert_eq(v.count, 11);                /* 6 in 0301, 5 in 1101 */
	cr_assert_str_eq(v.percent, "44.0");      /* 11 / 25 */

	/* A breakdown: kjonn K at national level = 10 + 15. */
	v = cell(t, "nasjonal", "NO", "kjonn__kjonn", "K", "K");
	cr_assert_eq(v.count, 25);
	v = cell(t, "nasjonal", "NO", "bolig__kjonn", "i_alt", "M");
	cr_assert_eq(v.count, 25);
	bp_tables_free(t);
}

Test(publish, fylke_sums_its_kommuner_and_rates_use_reporting_population)
{
	min_cell = 1;   /* the figures, not the suppression */
	struct bp_tables *t = build(&t0301, &t1101, BP_LEVEL_ALL);
	min_cell = 5;
	char err[256];
	cr_assert_eq(bp_tables_suppress(t, NULL, err, sizeof(err)), 0, "%s", err);
	struct bp_cell_view v = cell(t, "fylke", "11", "bolig__total", "gronn", "alle");
	cr_assert_eq(v.count, 10);
	cr_assert_str_eq(v.percent, "33.3");      /* 10 / 30 */
	cr_assert_str_eq(v.rate, "50.0");         /* 10 * 10000 / 2000 */
	cr_assert_str_eq(v.estimate, "25");       /* 10 / (2000 / 5000) */
	v = cell(t, "kommune", "1101", "bolig__total", "gul", "alle");
	cr_assert_eq(v.count, 10);
	cr_assert_str_eq(v.estimate, "10");       /* full coverage of itself */
	/* A kommune without a report has no tables, only coverage. */
	struct bp_cell_view dummy;
	cr_assert_eq(bp_tables_lookup(t, "kommune", "1103", "bolig__total", "gul", "alle",
	    &dummy), -1);
	/* Kommune level carries only the configured breakdowns. */
	cr_assert_eq(bp_tables_lookup(t, "kommune", "1101", "bolig__kjonn", "gul", "M",
	    &dummy), -1);
	cr_assert_eq(bp_tables_lookup(t, "fylke", "11", "bolig__kjonn", "gul", "M",
	    &dummy), 0);
	bp_tables_free(t);
}

Test(publish, coverage)
{
	struct bp_tables *t = build(&t0301, &t1101, BP_LEVEL_ALL);
	struct bp_coverage_view c;
	cr_assert_eq(bp_tables_coverage(t, "nasjonal", "NO", &c), 0);
	cr_assert_eq(c.kommuner_reported, 2);
	cr_assert_eq(c.kommuner_total, 3);
	cr_assert_eq(c.pop18_reported, 3000);
	cr_assert_eq(c.pop18_total, 6000);
	cr_assert_str_eq(c.percent, "50.0");
	cr_assert_eq(bp_tables_coverage(t, "fylke", "11", &c), 0);
	cr_assert_eq(c.kommuner_reported, 1);
	cr_assert_eq(c.kommuner_total, 2);
	cr_assert_str_eq(c.percent, "40.0");
	cr_assert_eq(bp_tables_coverage(t, "kommune", "1103", &c), 0);
	cr_assert_eq(c.kommuner_reported, 0);
	cr_assert_str_eq(c.percent, "0.0");
	bp_tables_free(t);
}

Test(publish, row_count_follows_the_catalogue)
{
	struct bp_tables *t = build(&t0301, &t1101, BP_LEVEL_ALL);
	size_t full = 0, kom = 0, sfull = 0, skom = 0;
	int bt = bp_breakdown_find("total"), bb = bp_breakdown_find("brukergruppe"),
	    br = bp_breakdown_find("rop");
	for (size_t i = 0; i < bp_n_indicators(); i++)
		for (size_t b = 0; b < bp_n_breakdowns(); b++) {
			size_t n = bp_breakdown_at(b)->nval * (bp_indicator_at(i)->ncat + 1);
			full += n;
			if ((int)b == bt || (int)b == bb || (int)b == br)
				kom += n;
		}
	for (size_t m = 0; m < bp_n_sum_measures(); m++)
		for (size_t b = 0; b < bp_n_breakdowns(); b++) {
			sfull += bp_breakdown_at(b)->nval;
			if ((int)b == bt || (int)b == bb || (int)b == br)
				skom += bp_breakdown_at(b)->nval;
		}
	/* NO, fylke 03, fylke 11 in full; kommuner 0301 and 1101. */
	cr_assert_eq(bp_tables_nrows(t), 3 * full + 2 * kom);
	cr_assert_eq(bp_tables_nsum_rows(t), 3 * sfull + 2 * skom);
	bp_tables_free(t);

	t = build(&t0301, &t1101, BP_LEVEL_NASJONAL);
	cr_assert_eq(bp_tables_nrows(t), full);
	bp_tables_free(t);
}

/* Writes a table file into a string (caller frees). */
static char *
dump(struct bp_tables *t, int which)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cr_assert(f);
	int rc = which == 0 ? bp_tables_write_tables(t, f) : which == 1 ?
	    bp_tables_write_sums(t, f) : which == 2 ? bp_tables_write_coverage(t, f) :
	    bp_tables_write_json(t, f);
	cr_assert_eq(rc, 0);
	fclose(f);
	return buf;
}

Test(publish, csv_lines)
{
	struct bp_tables *t = build(&t0301, &t1101, BP_LEVEL_ALL);
	char err[256];
	cr_assert_eq(bp_tables_suppress(t, NULL, err, sizeof(err)), 0, "%s", err);
	char *s = dump(t, 0);
	cr_assert(strstr(s, "\n2024,kommune,0301,bolig__total,bolig,rod,total,alle,:,:,:,:\n"));
	free(s);
	s = dump(t, 3);
	cr_assert(strstr(s, "\"rod\",\"total\",\"alle\",\":\",\":\",\":\",\":\"]"));
	free(s);
	bp_tables_free(t);

	/* The figures themselves, with nothing suppressed. */
	min_cell = 1;
	t = build(&t0301, &t1101, BP_LEVEL_ALL);
	min_cell = 5;
	cr_assert_eq(bp_tables_suppress(t, NULL, err, sizeof(err)), 0, "%s", err);
	s = dump(t, 0);
	cr_assert(!strncmp(s, "year,level,area,table,indicator,category,breakdown,"
	    "breakdown_value,count,percent,rate_per_10k,estimate\n", 95));
	cr_assert(strstr(s, "\n2024,nasjonal,NO,bolig__total,bolig,gronn,total,alle,22,44.0,73.3,44\n"));
	/* The first data row is national, the last a kommune. */
	cr_assert(!strncmp(strchr(s, '\n') + 1, "2024,nasjonal,NO,", 17));
	free(s);

	s = dump(t, 1);
	cr_assert(!strncmp(s, "year,level,area,measure,breakdown,breakdown_value,count,sum,mean\n", 65));
	/* 20 x 30 + 30 x 40 = 1800 over 50 persons. */
	cr_assert(strstr(s, "\n2024,nasjonal,NO,alder,total,alle,50,1800,36.00\n"), "%s", s);
	cr_assert(strstr(s, "\n2024,kommune,1101,alder,total,alle,30,1200,40.00\n"));
	free(s);

	s = dump(t, 2);
	cr_assert(strstr(s, "\n2024,nasjonal,NO,2,3,3000,6000,50.0\n"));
	cr_assert(strstr(s, "\n2024,kommune,1103,0,1,0,3000,0.0\n"));
	free(s);

	s = dump(t, 3);
	cr_assert(strstr(s, "[2024,\"nasjonal\",\"NO\",\"bolig__total\",\"bolig\",\"gronn\","
	    "\"total\",\"alle\",22,44.0,73.3,44]"));
	free(s);
	bp_tables_free(t);
}

struct sup_count {
	size_t n, primary, difference;
	int found_rod_0301;
};

static int
count_cb(const struct bp_sup_cell *c, void *ud)
{
	struct sup_count *x = ud;
	x->n++;
	x->primary += c->reason == BP_REASON_PRIMARY;
	x->difference += c->reason == BP_REASON_DIFFERENCE;
	if (!strcmp(c->table, "bolig__total") && !strcmp(c->area, "0301") &&
	    !strcmp(c->category, "rod"))
		x->found_rod_0301 = c->reason;
	return 0;
}

Test(publish, suppression_primary_and_complements)
{
	struct bp_tables *t = build(&t0301, &t1101, BP_LEVEL_ALL);
	char err[256];
	cr_assert_eq(bp_tables_suppress(t, NULL, err, sizeof(err)), 0, "%s", err);
	/* 0301 bolig rod = 3: primary; its line needs a second hidden cell. */
	struct bp_cell_view v = cell(t, "kommune", "0301", "bolig__total", "rod", "alle");
	cr_assert_eq(v.reason, BP_REASON_PRIMARY);
	cr_assert_str_eq(v.count_s, ":");
	size_t hidden = 0;
	const char *cats[] = { "gronn", "gul", "i_alt" };
	for (int i = 0; i < 3; i++)
		hidden += cell(t, "kommune", "0301", "bolig__total", cats[i], "alle").reason != 0;
	cr_assert_geq(hidden, 1);
	/* Fylke 03 is 0301 alone: its rod cell is as small. */
	cr_assert_neq(cell(t, "fylke", "03", "bolig__total", "rod", "alle").reason, 0);
	/* A percent whose i_alt is hidden is hidden too. */
	v = cell(t, "kommune", "0301", "bolig__total", "gronn", "alle");
	struct bp_cell_view ia = cell(t, "kommune", "0301", "bolig__total", "i_alt", "alle");
	if (ia.reason)
		cr_assert_str_eq(v.percent, ":");
	/* National rod 13 = fylke 03 (3, hidden) + fylke 11 (10): one of the
	 * other two must go too, or 3 = 13 - 10. */
	size_t link = cell(t, "nasjonal", "NO", "bolig__total", "rod", "alle").reason != 0;
	link += cell(t, "fylke", "11", "bolig__total", "rod", "alle").reason != 0;
	cr_assert_geq(link, 1);
	cr_assert_eq(cell(t, "nasjonal", "NO", "bolig__total", "i_alt", "alle").reason, 0);
	struct sup_count sc = { 0 };
	bp_tables_foreach_suppressed(t, count_cb, &sc);
	cr_assert_gt(sc.n, sc.primary);
	cr_assert_eq(sc.found_rod_0301, BP_REASON_PRIMARY);
	cr_assert_eq(sc.difference, 0);
	bp_tables_free(t);
}

Test(publish, suppression_is_deterministic)
{
	struct bp_tables *a = build(&t0301, &t1101, BP_LEVEL_ALL);
	struct bp_tables *b = build(&t0301, &t1101, BP_LEVEL_ALL);
	char err[256];
	cr_assert_eq(bp_tables_suppress(a, NULL, err, sizeof(err)), 0);
	cr_assert_eq(bp_tables_suppress(b, NULL, err, sizeof(err)), 0);
	char *x = dump(a, 0), *y = dump(b, 0);
	cr_assert_str_eq(x, y);
	free(x);
	free(y);
	bp_tables_free(a);
	bp_tables_free(b);
}

/* Writes the tables of t to files and loads them as a previous release. */
static struct bp_prev *
as_prev(struct bp_tables *t, char *dir)
{
	char p1[300], p2[300], err[256];
	struct bp_prev *p;
	snprintf(p1, sizeof(p1), "%s/tables.csv", dir);
	snprintf(p2, sizeof(p2), "%s/sums.csv", dir);
	FILE *f = fopen(p1, "w");
	cr_assert(f);
	cr_assert_eq(bp_tables_write_tables(t, f), 0);
	fclose(f);
	f = fopen(p2, "w");
	cr_assert(f);
	cr_assert_eq(bp_tables_write_sums(t, f), 0);
	fclose(f);
	cr_assert_eq(bp_prev_load(p1, p2, &p, err, sizeof(err)), 0, "%s", err);
	unlink(p1);
	unlink(p2);
	return p;
}

Test(publish, republish_protects_small_differences)
{
	char dir[] = "/tmp/bp_pub_XXXXXX", err[256];
	cr_assert(mkdtemp(dir));
	/* Kommune level alone: 1101 (30 persons, 10 in each bolig category)
	 * then has no small cell and nothing to hide. */
	struct bp_tables *t1 = build(&t0301, &t1101, BP_LEVEL_KOMMUNE);
	cr_assert_eq(bp_tables_suppress(t1, NULL, err, sizeof(err)), 0, "%s", err);
	struct bp_prev *prev = as_prev(t1, dir);
	/* A bolig category of 1101 (10 each) that the first release published. */
	const char *cats[] = { "gronn", "gul", "rod", "i_alt" };
	int pick = -1;
	for (int i = 0; i < 3 && pick < 0; i++)
		if (cell(t1, "kommune", "1101", "bolig__total", cats[i], "alle").reason == 0)
			pick = i;
	cr_assert_geq(pick, 0, "1101 has no published bolig category");
	cr_assert_eq(cell(t1, "kommune", "1101", "bolig__total", cats[pick], "alle").count, 10);

	/* Two more persons in 1101 in that category: 10 -> 12, i_alt 30 -> 32. */
	struct bp_tally t2;
	cr_assert_eq(bp_tally_init(&t2), 0);
	bp_tally_add(&t2, &t1101);
	person(&t2, pick, 0, 40, 1);
	person(&t2, pick, 1, 40, 1);
	struct bp_tables *t = build(&t0301, &t2, BP_LEVEL_KOMMUNE);
	cr_assert_eq(bp_tables_suppress(t, prev, err, sizeof(err)), 0, "%s", err);
	struct bp_cell_view now = cell(t, "kommune", "1101", "bolig__total", cats[pick], "alle");
	cr_assert_eq(now.count, 12);
	cr_assert_eq(now.reason, BP_REASON_DIFFERENCE);
	cr_assert_str_eq(now.count_s, ":");
	/* So did its i_alt (30 -> 32) and its cell by brukergruppe. */
	cr_assert_eq(cell(t, "kommune", "1101", "bolig__total", "i_alt", "alle").reason,
	    BP_REASON_DIFFERENCE);
	cr_assert_eq(cell(t, "kommune", "1101", "bolig__brukergruppe", cats[pick],
	    "rus_psyk").reason, BP_REASON_DIFFERENCE);
	/* What was suppressed stays suppressed. */
	struct sup_count a = { 0 };
	bp_tables_foreach_suppressed(t, count_cb, &a);
	cr_assert_gt(a.difference, 0);
	cr_assert_eq(a.found_rod_0301, BP_REASON_PRIMARY);
	struct bp_cell_view w1, w2;
	for (int i = 0; i < 4; i++) {
		bp_tables_lookup(t1, "kommune", "0301", "bolig__total", cats[i], "alle", &w1);
		bp_tables_lookup(t, "kommune", "0301", "bolig__total", cats[i], "alle", &w2);
		if (w1.reason)
			cr_assert_neq(w2.reason, 0, "%s no longer suppressed", cats[i]);
	}
	/* Without the previous release there is no difference to protect. */
	struct bp_tables *t3 = build(&t0301, &t2, BP_LEVEL_KOMMUNE);
	cr_assert_eq(bp_tables_suppress(t3, NULL, err, sizeof(err)), 0);
	struct sup_count c = { 0 };
	bp_tables_foreach_suppressed(t3, count_cb, &c);
	cr_assert_eq(c.difference, 0);
	bp_tables_free(t3);
	bp_tables_free(t);
	bp_tables_free(t1);
	bp_prev_free(prev);
	bp_tally_free(&t2);
	rmdir(dir);
}

Test(publish, settings_and_names)
{
	struct bp_pub_settings s;
	char buf[256];
	memset(&s, 0, sizeof(s));
	cr_assert_eq(bp_pub_parse_breakdowns("total, rop ,kjonn", &s), 0);
	bp_pub_format_breakdowns(&s, buf, sizeof(buf));
	cr_assert_str_eq(buf, "total,rop,kjonn");
	/* The configured order, not the catalogue's; a repeat counts once. */
	cr_assert_eq(bp_pub_parse_breakdowns("kjonn,total,brukergruppe,total,rop", &s), 0);
	bp_pub_format_breakdowns(&s, buf, sizeof(buf));
	cr_assert_str_eq(buf, "kjonn,total,brukergruppe,rop");
	cr_assert_eq(bp_pub_parse_breakdowns("total,nope", &s), -1);
	cr_assert_eq(bp_level_parse("fylke"), BP_LEVEL_FYLKE);
	cr_assert_eq(bp_level_parse("land"), 0);
	cr_assert_eq(bp_reason_parse("difference"), BP_REASON_DIFFERENCE);
	cr_assert_str_eq(bp_reason_name(BP_REASON_LINKED), "linked");
}

Test(publish, unknown_kommune_is_refused)
{
	struct bp_pub_kommune k[1] = { { "9999", &t0301 } };
	struct bp_pub_settings s;
	struct bp_tables *t;
	char err[256];
	memset(&s, 0, sizeof(s));
	s.min_cell = 5;
	cr_assert_eq(bp_tables_build(2024, k, 1, &reg, &s, &t, err, sizeof(err)), -1);
	cr_assert_null(t);
	cr_assert_null(strstr(err, "9999"));
}
