/*
 * test_measures.c - known answers for every derived measure, the catalogue
 * and the dense tally (measures/measures.c, shared/spec/measures.md).
 */
#include <criterion/criterion.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codes.h"
#include "export.h"
#include "measures.h"
#include "registry.h"
#include "test_rows.h"

/* A plain valid row: rus user without psychiatric problem, all areas gronn
 * (tests/unit/test_rows.h), of kommune 4601 in 2016. */
static struct bp_row
row_base(void)
{
	struct bp_row r = tx_row_base();
	memcpy(r.kommune, "4601", 5);
	r.aar = 2016;
	return r;
}

static struct bp_measure_settings
settings(void)
{
	struct bp_measure_settings s;
	bp_measure_settings_default(&s);
	return s;
}

static int
ind(const char *name)
{
	int i = bp_indicator_find(name);
	cr_assert_geq(i, 0, "indicator %s missing", name);
	return i;
}

static int
bd(const char *name)
{
	int b = bp_breakdown_find(name);
	cr_assert_geq(b, 0, "breakdown %s missing", name);
	return b;
}

static int
sm(const char *name)
{
	int m = bp_sum_measure_find(name);
	cr_assert_geq(m, 0, "sum measure %s missing", name);
	return m;
}

/* The category name of indicator `name` for row r, or NULL when not counted. */
static const char *
cat_of(const struct bp_row *r, const struct bp_measure_settings *s, const char *name)
{
	static struct bp_class c;
	int i = ind(name);
	bp_classify(r, NULL, s, &c);
	if (c.cat[i] < 0)
		return NULL;
	cr_assert_lt((size_t)c.cat[i], bp_indicator_at((size_t)i)->ncat);
	return bp_indicator_at((size_t)i)->cats[c.cat[i]];
}

static const char *
val_of(const struct bp_row *r, const struct bp_kommune *k, const char *name)
{
	static struct bp_class c;
	struct bp_measure_settings s = settings();
	int b = bd(name);
	bp_classify(r, k, &s, &c);
	if (c.val[b] < 0)
		return NULL;
	return bp_breakdown_at((size_t)b)->vals[c.val[b]];
}

#define assert_cat(r, s, name, want) do { \
	const char *got_ = cat_of((r), (s), (name)); \
	if ((want) == NULL) \
		cr_assert_null(got_, "%s: expected not counted, got %s", (name), got_); \
	else { \
		cr_assert_not_null(got_, "%s: expected %s, got not counted", (name), (const char *)(want)); \
		cr_assert_str_eq(got_, (want), "%s", (name)); \
	} \
} while (0)

/* ---- ROP ---- */

struct rop_case {
	int rus, psyk;
	const char *skala2016, *skala2015;
};

static const struct rop_case rop_cases[9] = {
	{ BP_GRONN, BP_GRONN, "ikke_rop", "ikke_rop" },
	{ BP_GRONN, BP_GUL, "ikke_rop", "ikke_rop" },
	{ BP_GRONN, BP_ROD, "ikke_rop", "gul_rod" },
	{ BP_GUL, BP_GRONN, "ikke_rop", "ikke_rop" },
	{ BP_GUL, BP_GUL, "ikke_rop", "ikke_rop" },
	{ BP_GUL, BP_ROD, "gul_rod", "gul_rod" },
	{ BP_ROD, BP_GRONN, "ikke_rop", "ikke_rop" },
	{ BP_ROD, BP_GUL, "rod_gul", "rod_gul" },
	{ BP_ROD, BP_ROD, "rod_rod", "rod_rod" },
};

Test(rop, both_definitions_all_nine_combinations)
{
	struct bp_measure_settings s16 = settings(), s15 = settings();
	s15.rop_definition = 2015;
	for (int k = 0; k < 9; k++) {
		struct bp_row r = row_base();
		r.area[BP_AREA_RUSMIDDELBRUK] = (int8_t)rop_cases[k].rus;
		r.area[BP_AREA_PSYKISK_HELSE] = (int8_t)rop_cases[k].psyk;
		assert_cat(&r, &s16, "rop_skala", rop_cases[k].skala2016);
		assert_cat(&r, &s15, "rop_skala", rop_cases[k].skala2015);
		assert_cat(&r, &s16, "rop",
		    strcmp(rop_cases[k].skala2016, "ikke_rop") ? "ja" : "nei");
		assert_cat(&r, &s15, "rop",
		    strcmp(rop_cases[k].skala2015, "ikke_rop") ? "ja" : "nei");
	}
}

Test(rop, enum_values)
{
	struct bp_row r = row_base();
	r.area[BP_AREA_RUSMIDDELBRUK] = BP_GRONN;
	r.area[BP_AREA_PSYKISK_HELSE] = BP_ROD;
	cr_assert_eq(bp_rop_scale(&r, 2016), BP_ROP_IKKE_ROP);
	cr_assert_eq(bp_rop_scale(&r, 2015), BP_ROP_GUL_ROD);
	r.area[BP_AREA_RUSMIDDELBRUK] = BP_ROD;
	cr_assert_eq(bp_rop_scale(&r, 2016), BP_ROP_ROD_ROD);
	r.area[BP_AREA_PSYKISK_HELSE] = BP_GUL;
	cr_assert_eq(bp_rop_scale(&r, 2016), BP_ROP_ROD_GUL);
	r.area[BP_AREA_RUSMIDDELBRUK] = BP_GUL;
	r.area[BP_AREA_PSYKISK_HELSE] = BP_ROD;
	cr_assert_eq(bp_rop_scale(&r, 2016), BP_ROP_GUL_ROD);
}

Test(rop, rusproblem_n_is_ikke_aktuelt_and_nei)
{
	struct bp_measure_settings s16 = settings(), s15 = settings();
	s15.rop_definition = 2015;
	for (int k = 0; k < 9; k++) {
		struct bp_row r = row_base();
		r.rusproblem = false;
		r.psykisk_problem = true;
		for (int s = 0; s < BP_NSUB; s++)
			r.substance[s] = -1;
		r.area[BP_AREA_RUSMIDDELBRUK] = (int8_t)rop_cases[k].rus;
		r.area[BP_AREA_PSYKISK_HELSE] = (int8_t)rop_cases[k].psyk;
		cr_assert_eq(bp_rop_scale(&r, 2016), BP_ROP_IKKE_AKTUELT);
		assert_cat(&r, &s16, "rop_skala", "ikke_aktuelt");
		assert_cat(&r, &s15, "rop_skala", "ikke_aktuelt");
		assert_cat(&r, &s16, "rop", "nei");
		assert_cat(&r, &s15, "rop", "nei");
		cr_assert_str_eq(val_of(&r, NULL, "rop_skala"), "ikke_aktuelt");
		cr_assert_str_eq(val_of(&r, NULL, "rop"), "nei");
	}
}

/* ---- living-conditions index ---- */

/* A row whose eight areas sum to total, filling from the first area. When
 * six is set, psykisk_helse and rusmiddelbruk are rod and not counted. */
static struct bp_row
row_scores(int total, bool six)
{
	struct bp_row r = row_base();
	for (int a = 0; a < BP_NAREA; a++) {
		if (six && (a == BP_AREA_PSYKISK_HELSE || a == BP_AREA_RUSMIDDELBRUK)) {
			r.area[a] = BP_ROD;
			continue;
		}
		int v = total > 2 ? 2 : total;
		r.area[a] = (int8_t)v;
		total -= v;
	}
	cr_assert_eq(total, 0);
	return r;
}

Test(lki, eight_area_boundaries)
{
	struct bp_measure_settings s = settings();
	/* sum/8: 3 -> .375, 4 -> .5, 7 -> .875, 8 -> 1.0, 11 -> 1.375, 12 -> 1.5 */
	static const struct { int sum; int want; } c[] = {
		{ 0, 0 }, { 3, 0 }, { 4, 1 }, { 7, 1 }, { 8, 2 }, { 11, 2 }, { 12, 3 }, { 16, 3 },
	};
	for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
		struct bp_row r = row_scores(c[k].sum, false);
		cr_assert_eq(bp_lki(&r, false, s.lki_cut), c[k].want, "sum %d", c[k].sum);
		assert_cat(&r, &s, "levekarsindeks8",
		    bp_indicator_at((size_t)ind("levekarsindeks8"))->cats[c[k].want]);
	}
	struct bp_row half = row_scores(4, false);
	assert_cat(&half, &s, "levekarsindeks8", "gul");
	struct bp_row top = row_scores(12, false);
	assert_cat(&top, &s, "levekarsindeks8", "blalys");
	cr_assert_str_eq(val_of(&top, NULL, "levekarsindeks8"), "blalys");
}

Test(lki, six_area_boundaries_ignore_psyk_and_rus)
{
	struct bp_measure_settings s = settings();
	/* sum/6: 2 -> .333, 3 -> .5, 5 -> .833, 6 -> 1.0, 8 -> 1.333, 9 -> 1.5 */
	static const struct { int sum; const char *want; } c[] = {
		{ 0, "gronn" }, { 2, "gronn" }, { 3, "gul" }, { 5, "gul" }, { 6, "rod" },
		{ 8, "rod" }, { 9, "blalys" }, { 12, "blalys" },
	};
	for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
		struct bp_row r = row_scores(c[k].sum, true);
		assert_cat(&r, &s, "levekarsindeks6", c[k].want);
	}
	/* The eight-area index of the same row does count the two red areas. */
	struct bp_row r = row_scores(0, true);
	assert_cat(&r, &s, "levekarsindeks8", "gul"); /* 4/8 = 0.5 */
}

Test(lki, custom_cut_points)
{
	struct bp_measure_settings s = settings();
	s.lki_cut[0] = 0.25;
	s.lki_cut[1] = 0.75;
	s.lki_cut[2] = 1.25;
	/* eight areas: 1 -> .125, 2 -> .25, 5 -> .625, 6 -> .75, 9 -> 1.125, 10 -> 1.25 */
	static const struct { int sum; const char *want; } c[] = {
		{ 1, "gronn" }, { 2, "gul" }, { 5, "gul" }, { 6, "rod" }, { 9, "rod" }, { 10, "blalys" },
	};
	for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
		struct bp_row r = row_scores(c[k].sum, false);
		assert_cat(&r, &s, "levekarsindeks8", c[k].want);
	}
	/* A cut of exactly one third: 2/6 equals it, so it is not below it. */
	s.lki_cut[0] = 1.0 / 3.0;
	struct bp_row r = row_scores(2, true);
	cr_assert_eq(bp_lki(&r, true, s.lki_cut), 1);
	r = row_scores(1, true);
	cr_assert_eq(bp_lki(&r, true, s.lki_cut), 0);
}

/* ---- user groups ---- */

Test(groups, brukergruppe)
{
	struct bp_measure_settings s = settings();
	struct bp_row r = row_base();
	r.rusproblem = true; r.psykisk_problem = false;
	assert_cat(&r, &s, "brukergruppe", "rus");
	r.psykisk_problem = true;
	assert_cat(&r, &s, "brukergruppe", "rus_psyk");
	r.rusproblem = false;
	assert_cat(&r, &s, "brukergruppe", "psyk");
	cr_assert_str_eq(val_of(&r, NULL, "brukergruppe"), "psyk");
	r.psykisk_problem = false; /* not a valid row; not counted */
	cr_assert_eq(bp_brukergruppe(&r), -1);
	assert_cat(&r, &s, "brukergruppe", NULL);
}

Test(groups, rusgruppe)
{
	struct bp_measure_settings s = settings();
	struct bp_row r = row_base();
	r.psykisk_problem = false;
	r.area[BP_AREA_PSYKISK_HELSE] = BP_GUL;
	assert_cat(&r, &s, "rusgruppe", "uten_psyk");
	r.psykisk_problem = true;
	assert_cat(&r, &s, "rusgruppe", "mindre_alvorlig_psyk");
	r.area[BP_AREA_PSYKISK_HELSE] = BP_GRONN;
	assert_cat(&r, &s, "rusgruppe", "mindre_alvorlig_psyk");
	r.area[BP_AREA_PSYKISK_HELSE] = BP_ROD;
	assert_cat(&r, &s, "rusgruppe", "alvorlig_psyk");
	cr_assert_str_eq(val_of(&r, NULL, "rusgruppe"), "alvorlig_psyk");
	/* Decision: a red psykisk_helse wins over psykisk_problem N. */
	r.psykisk_problem = false;
	assert_cat(&r, &s, "rusgruppe", "alvorlig_psyk");
	/* Not counted for rows without a substance problem. */
	r.rusproblem = false;
	r.psykisk_problem = true;
	assert_cat(&r, &s, "rusgruppe", NULL);
	cr_assert_null(val_of(&r, NULL, "rusgruppe"));
}

Test(groups, kjonn)
{
	struct bp_measure_settings s = settings();
	struct bp_row r = row_base();
	assert_cat(&r, &s, "kjonn", "M");
	r.kjonn = 'K';
	assert_cat(&r, &s, "kjonn", "K");
	cr_assert_str_eq(val_of(&r, NULL, "kjonn"), "K");
}

/* ---- substances ---- */

Test(substances, heavy_use_and_counts)
{
	struct bp_measure_settings s = settings();
	struct bp_class c;
	struct bp_row r = row_base();
	r.substance[BP_SUB_ALKOHOL] = BP_AMOUNT_SVAERT;
	r.substance[BP_SUB_CANNABIS] = BP_AMOUNT_BETYDELIG;
	r.substance[BP_SUB_HEROIN] = BP_AMOUNT_BESKJEDEN;
	r.substance[BP_SUB_SENTRALSTIMULERENDE] = BP_AMOUNT_BETYDELIG;
	assert_cat(&r, &s, "alkohol", "svaert_omfattende");
	assert_cat(&r, &s, "cannabis", "betydelig");
	assert_cat(&r, &s, "heroin", "beskjeden");
	assert_cat(&r, &s, "lar_legemidler", "ingen");
	assert_cat(&r, &s, "alkohol_tung", "ja");
	assert_cat(&r, &s, "cannabis_tung", "ja");
	assert_cat(&r, &s, "heroin_tung", "nei");
	assert_cat(&r, &s, "annet_rusmiddel_tung", "nei");
	assert_cat(&r, &s, "storforbruker", "ja");
	cr_assert_eq(bp_heavy_count(&r, false), 3);
	cr_assert_eq(bp_heavy_count(&r, true), 2);
	bp_classify(&r, NULL, &s, &c);
	cr_assert(c.has_sum[sm("antall_rusmidler")]);
	cr_assert_eq(c.sum[sm("antall_rusmidler")], 3);
	cr_assert_eq(c.sum[sm("antall_illegale")], 2);
	cr_assert_str_eq(val_of(&r, NULL, "storforbruker"), "ja");

	/* Only alcohol heavy: one substance, no illegal one. */
	r = row_base();
	r.substance[BP_SUB_ALKOHOL] = BP_AMOUNT_BETYDELIG;
	bp_classify(&r, NULL, &s, &c);
	cr_assert_eq(c.sum[sm("antall_rusmidler")], 1);
	cr_assert_eq(c.sum[sm("antall_illegale")], 0);

	/* Nothing heavy. */
	r = row_base();
	r.substance[BP_SUB_HEROIN] = BP_AMOUNT_BESKJEDEN;
	assert_cat(&r, &s, "storforbruker", "nei");
	bp_classify(&r, NULL, &s, &c);
	cr_assert(c.has_sum[sm("antall_rusmidler")]);
	cr_assert_eq(c.sum[sm("antall_rusmidler")], 0);
}

Test(substances, rusproblem_n_not_counted)
{
	struct bp_measure_settings s = settings();
	struct bp_class c;
	struct bp_row r = row_base();
	r.rusproblem = false;
	r.psykisk_problem = true;
	for (int k = 0; k < BP_NSUB; k++)
		r.substance[k] = -1;
	for (int k = 0; k < BP_NSUB; k++) {
		assert_cat(&r, &s, bp_substance_names[k], NULL);
		char name[64];
		snprintf(name, sizeof(name), "%s_tung", bp_substance_names[k]);
		assert_cat(&r, &s, name, NULL);
	}
	assert_cat(&r, &s, "storforbruker", "nei");
	cr_assert_eq(bp_heavy_count(&r, false), -1);
	bp_classify(&r, NULL, &s, &c);
	cr_assert_not(c.has_sum[sm("antall_rusmidler")]);
	cr_assert_not(c.has_sum[sm("antall_illegale")]);
}

/* ---- age, kommune size ---- */

Test(age, alder7_boundaries)
{
	static const struct { int age; const char *want; } c[] = {
		{ 16, "u24" }, { 23, "u24" }, { 24, "24_29" }, { 29, "24_29" }, { 30, "30_39" },
		{ 39, "30_39" }, { 40, "40_49" }, { 49, "40_49" }, { 50, "50_59" },
		{ 59, "50_59" }, { 60, "60_69" }, { 69, "60_69" }, { 70, "70p" }, { 110, "70p" },
	};
	struct bp_measure_settings s = settings();
	for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
		struct bp_row r = row_base();
		r.alder = c[k].age;
		assert_cat(&r, &s, "alder7", c[k].want);
		cr_assert_str_eq(val_of(&r, NULL, "alder7"), c[k].want, "age %d", c[k].age);
	}
}

Test(age, alder4_boundaries)
{
	static const struct { int age; const char *want; } c[] = {
		{ 16, "u24" }, { 23, "u24" }, { 24, "24_44" }, { 44, "24_44" }, { 45, "45_59" },
		{ 59, "45_59" }, { 60, "60p" }, { 110, "60p" },
	};
	struct bp_measure_settings s = settings();
	for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
		struct bp_row r = row_base();
		r.alder = c[k].age;
		assert_cat(&r, &s, "alder4", c[k].want);
		cr_assert_str_eq(val_of(&r, NULL, "alder4"), c[k].want, "age %d", c[k].age);
	}
}

Test(age, alder_sum)
{
	struct bp_measure_settings s = settings();
	struct bp_class c;
	struct bp_row r = row_base();
	r.alder = 57;
	bp_classify(&r, NULL, &s, &c);
	cr_assert(c.has_sum[sm("alder")]);
	cr_assert_eq(c.sum[sm("alder")], 57);
	cr_assert_not(c.has_sum[sm("antall_barn")]);
	r.antall_barn = 0;
	bp_classify(&r, NULL, &s, &c);
	cr_assert(c.has_sum[sm("antall_barn")]);
	cr_assert_eq(c.sum[sm("antall_barn")], 0);
	r.antall_barn = 3;
	bp_classify(&r, NULL, &s, &c);
	cr_assert_eq(c.sum[sm("antall_barn")], 3);
}

Test(kommune, size_boundaries)
{
	static const struct { uint32_t pop; const char *want; } c[] = {
		{ 0, "u2500" }, { 2499, "u2500" }, { 2500, "2500_4999" }, { 4999, "2500_4999" },
		{ 5000, "5000_9999" }, { 9999, "5000_9999" }, { 10000, "10000_29999" },
		{ 29999, "10000_29999" }, { 30000, "30000p" }, { 700000, "30000p" },
	};
	struct bp_row r = row_base();
	struct bp_kommune k;
	memset(&k, 0, sizeof(k));
	memcpy(k.nr, "4601", 5);
	for (size_t n = 0; n < sizeof(c) / sizeof(c[0]); n++) {
		k.population = c[n].pop;
		cr_assert_str_eq(val_of(&r, &k, "kommunestorrelse"), c[n].want, "pop %u", c[n].pop);
		cr_assert_str_eq(bp_breakdown_at((size_t)bd("kommunestorrelse"))->vals[bp_kommune_size(c[n].pop)],
		    c[n].want);
	}
	cr_assert_null(val_of(&r, NULL, "kommunestorrelse"));
	cr_assert_str_eq(val_of(&r, NULL, "total"), "alle");
}

/* ---- services, flags and the other coded columns ---- */

Test(services, codes_and_counts)
{
	struct bp_measure_settings s = settings();
	struct bp_class c;
	struct bp_row r = row_base();
	/* nav: sosialhjelp (bit 5) and varig_trygd (bit 7); kommune: fastlege (5),
	 * medisinutdeling (6), act (9); tsb: dogn (5); somatikk none; anbefalt: act. */
	r.services[BP_SVC_NAV] = (1u << 5) | (1u << 7);
	r.services[BP_SVC_KOMMUNE] = (1u << 5) | (1u << 6) | (1u << 9);
	r.services[BP_SVC_TSB] = 1u << 5;
	r.services[BP_SVC_PHV] = (1u << 0) | (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5);
	r.services[BP_SVC_ANBEFALTE] = 1u << 9;
	assert_cat(&r, &s, "nav_sosialhjelp", "ja");
	assert_cat(&r, &s, "nav_varig_trygd", "ja");
	assert_cat(&r, &s, "nav_rad_veiledning", "nei");
	assert_cat(&r, &s, "kommune_fastlege", "ja");
	assert_cat(&r, &s, "kommune_act", "ja");
	assert_cat(&r, &s, "kommune_saksbehandler", "nei");
	assert_cat(&r, &s, "tsb_dogn", "ja");
	assert_cat(&r, &s, "tsb_akutt", "nei");
	assert_cat(&r, &s, "phv_dag", "ja");
	assert_cat(&r, &s, "somatikk_dogn", "nei");
	assert_cat(&r, &s, "anbefalt_act", "ja");
	assert_cat(&r, &s, "anbefalt_fastlege", "nei");
	bp_classify(&r, NULL, &s, &c);
	cr_assert_eq(c.sum[sm("antall_tjenester_nav")], 2);
	cr_assert_eq(c.sum[sm("antall_tjenester_kommune")], 3);
	cr_assert_eq(c.sum[sm("antall_tjenester_tsb")], 1);
	cr_assert_eq(c.sum[sm("antall_tjenester_phv")], 6);
	cr_assert_eq(c.sum[sm("antall_tjenester_somatikk")], 0);
	cr_assert(c.has_sum[sm("antall_tjenester_somatikk")]);
	/* Every code of every column has its indicator, named <prefix>_<code>. */
	for (int col = 0; col < BP_NSVC; col++)
		for (size_t k = 0; k < bp_services[col].ncodes; k++) {
			char name[80];
			snprintf(name, sizeof(name), "%s_%s", bp_services[col].prefix,
			    bp_services[col].codes[k]);
			int i = ind(name);
			cr_assert_eq(c.cat[i], (r.services[col] >> k) & 1 ? 0 : 1, "%s", name);
		}
}

Test(flags, ja_nei_ukjent)
{
	struct bp_measure_settings s = settings();
	struct bp_row r = row_base();
	r.flag[BP_FLAG_INJISERER] = 1;
	r.flag[BP_FLAG_LAR] = 0;
	assert_cat(&r, &s, "injiserer", "ja");
	assert_cat(&r, &s, "lar", "nei");
	assert_cat(&r, &s, "bor_alene", "ukjent");
	cr_assert_str_eq(val_of(&r, NULL, "lar"), "nei");
	r.flag[BP_FLAG_LAR] = 1;
	cr_assert_str_eq(val_of(&r, NULL, "lar"), "ja");
	r.flag[BP_FLAG_LAR] = -1;
	cr_assert_str_eq(val_of(&r, NULL, "lar"), "ukjent");
	for (int f = 0; f < BP_NFLAG; f++)
		ind(bp_flag_names[f]);
}

Test(other, fodt_i_norge)
{
	struct bp_measure_settings s = settings();
	struct bp_row r = row_base();
	assert_cat(&r, &s, "fodt_i_norge", "ukjent");
	memcpy(r.fodeland, "NO", 3);
	assert_cat(&r, &s, "fodt_i_norge", "ja");
	memcpy(r.fodeland, "SE", 3);
	assert_cat(&r, &s, "fodt_i_norge", "nei");
	memcpy(r.fodeland, "NL", 3);
	assert_cat(&r, &s, "fodt_i_norge", "nei");
}

Test(other, coded_columns_and_ukjent)
{
	struct bp_measure_settings s = settings();
	struct bp_row r = row_base();
	assert_cat(&r, &s, "utdanning", "ukjent");
	assert_cat(&r, &s, "vold", "ukjent");
	assert_cat(&r, &s, "fengsel", "ukjent");
	assert_cat(&r, &s, "psykisk_alvorlighet", "ukjent");
	assert_cat(&r, &s, "psykisk_symptomtrykk", "ukjent");
	r.utdanning = BP_UTD_UKJENT;
	assert_cat(&r, &s, "utdanning", "ukjent");
	r.utdanning = BP_UTD_VGS;
	assert_cat(&r, &s, "utdanning", "vgs");
	r.vold = BP_VOLD_BEGGE;
	assert_cat(&r, &s, "vold", "begge");
	r.fengsel = BP_FENGSEL_LOSLATT;
	assert_cat(&r, &s, "fengsel", "loslatt");
	r.detail[BP_DETAIL_ALVORLIGHET] = BP_ROD;
	r.detail[BP_DETAIL_SYMPTOMTRYKK] = BP_GRONN;
	assert_cat(&r, &s, "psykisk_alvorlighet", "rod");
	assert_cat(&r, &s, "psykisk_symptomtrykk", "gronn");
	r.area[BP_AREA_BOLIG] = BP_ROD;
	r.area[BP_AREA_NETTVERK] = BP_GUL;
	assert_cat(&r, &s, "bolig", "rod");
	assert_cat(&r, &s, "nettverk", "gul");
	assert_cat(&r, &s, "okonomi", "gronn");
}

/* ---- catalogue ---- */

Test(catalogue, shape_and_unique_names)
{
	size_t ni = bp_n_indicators(), nb = bp_n_breakdowns(), nm = bp_n_sum_measures();
	cr_assert_eq(ni, 126);
	cr_assert_eq(nb, 12);
	cr_assert_eq(nm, 9);
	cr_assert_leq(ni, sizeof(((struct bp_class *)0)->cat) / sizeof(int16_t));
	for (size_t i = 0; i < ni; i++) {
		const struct bp_indicator *a = bp_indicator_at(i);
		cr_assert_gt(a->ncat, 1);
		cr_assert_eq(bp_indicator_find(a->name), (int)i, "%s", a->name);
		for (size_t c = 0; c < a->ncat; c++)
			cr_assert_eq(bp_category_find(i, a->cats[c]), (int)c);
		for (size_t j = i + 1; j < ni; j++)
			cr_assert_str_neq(a->name, bp_indicator_at(j)->name);
	}
	cr_assert_null(bp_indicator_at(ni));
	cr_assert_eq(bp_indicator_find("no_such"), -1);
	cr_assert_str_eq(bp_indicator_at(0)->name, "bolig");
	cr_assert_str_eq(bp_breakdown_at(0)->name, "total");
	cr_assert_eq(bp_breakdown_at(0)->nval, 1);
	cr_assert_eq(bp_breakdown_value_find((size_t)bd("rop_skala"), "rod_rod"), 3);
	cr_assert_eq(bp_breakdown_value_find((size_t)bd("rop_skala"), "x"), -1);
	cr_assert_eq(bp_category_find((size_t)ind("rop"), "ja"), 0);
	cr_assert_str_eq(bp_sum_measure_at(0)->name, "alder");
	cr_assert_null(bp_sum_measure_at(nm));
	cr_assert_eq(bp_breakdown_find("lar"), 10);
}

Test(catalogue, id_depends_on_settings)
{
	struct bp_measure_settings a = settings(), b = settings();
	uint8_t ia[32], ib[32];
	bp_catalogue_id(&a, ia);
	bp_catalogue_id(&b, ib);
	cr_assert_arr_eq(ia, ib, 32);
	b.rop_definition = 2015;
	bp_catalogue_id(&b, ib);
	cr_assert_arr_neq(ia, ib, 32);
	for (int k = 0; k < 3; k++) {
		b = settings();
		b.lki_cut[k] += 0.125;
		bp_catalogue_id(&b, ib);
		cr_assert_arr_neq(ia, ib, 32, "cut %d", k);
	}
	/* The text names every indicator and the settings. */
	size_t n = bp_catalogue_text(&a, NULL, 0);
	char *t = malloc(n + 1);
	cr_assert_not_null(t);
	cr_assert_eq(bp_catalogue_text(&a, t, n + 1), n);
	cr_assert_eq(strlen(t), n);
	cr_assert_not_null(strstr(t, "indicator rop_skala:ikke_rop,gul_rod,rod_gul,rod_rod,ikke_aktuelt\n"));
	cr_assert_not_null(strstr(t, "indicator nav_sosialhjelp:ja,nei\n"));
	cr_assert_not_null(strstr(t, "breakdown kommunestorrelse:u2500,2500_4999,5000_9999,10000_29999,30000p\n"));
	cr_assert_not_null(strstr(t, "sum antall_tjenester_somatikk:\n"));
	cr_assert_not_null(strstr(t, "setting rop_definition=2016\nsetting lki_cut=500000,1000000,1500000\n"));
	/* A short buffer gets a truncated, terminated prefix and the full length. */
	char small[16];
	cr_assert_eq(bp_catalogue_text(&a, small, sizeof(small)), n);
	cr_assert_eq(strlen(small), sizeof(small) - 1);
	cr_assert_eq(strncmp(small, t, sizeof(small) - 1), 0);
	free(t);
}

/* ---- layout and tally ---- */

Test(layout, cells_are_a_bijection)
{
	size_t n = bp_n_cells(), ns = bp_n_sum_cells(), used = 0;
	unsigned char *seen = calloc(n, 1), *sseen = calloc(ns, 1);
	cr_assert(seen && sseen);
	for (size_t i = 0; i < bp_n_indicators(); i++)
		for (size_t b = 0; b < bp_n_breakdowns(); b++) {
			size_t off = bp_cell_offset(i, b), nv = bp_breakdown_at(b)->nval;
			for (size_t c = 0; c < bp_indicator_at(i)->ncat; c++)
				for (size_t v = 0; v < nv; v++) {
					size_t k = off + c * nv + v;
					cr_assert_lt(k, n);
					cr_assert_eq(seen[k], 0, "cell %zu used twice", k);
					seen[k] = 1;
					used++;
				}
		}
	cr_assert_eq(used, n);
	used = 0;
	for (size_t m = 0; m < bp_n_sum_measures(); m++)
		for (size_t b = 0; b < bp_n_breakdowns(); b++)
			for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++) {
				size_t k = bp_sum_cell(m, b, v);
				cr_assert_lt(k, ns);
				cr_assert_eq(sseen[k], 0);
				sseen[k] = 1;
				used++;
			}
	cr_assert_eq(used, ns);
	free(seen);
	free(sseen);
}

/* Count cell of indicator name, category cat, breakdown bname, value vname. */
static uint32_t
cell(const struct bp_tally *t, const char *name, const char *catname,
    const char *bname, const char *vname)
{
	int i = ind(name), b = bd(bname);
	int c = bp_category_find((size_t)i, catname);
	int v = bp_breakdown_value_find((size_t)b, vname);
	cr_assert(c >= 0 && v >= 0);
	size_t nv = bp_breakdown_at((size_t)b)->nval;
	return t->counts[bp_cell_offset((size_t)i, (size_t)b) + (size_t)c * nv + (size_t)v];
}

Test(tally, add_class_hits_the_right_cells)
{
	struct bp_measure_settings s = settings();
	struct bp_tally t;
	struct bp_class c;
	struct bp_kommune k;
	memset(&k, 0, sizeof(k));
	k.population = 12000;
	cr_assert_eq(bp_tally_init(&t), 0);
	struct bp_row r = row_base();
	r.kjonn = 'K';
	r.alder = 30;
	r.psykisk_problem = true;
	r.area[BP_AREA_RUSMIDDELBRUK] = BP_ROD;
	r.area[BP_AREA_PSYKISK_HELSE] = BP_ROD;
	r.area[BP_AREA_BOLIG] = BP_GUL;
	r.substance[BP_SUB_HEROIN] = BP_AMOUNT_SVAERT;
	bp_classify(&r, &k, &s, &c);
	bp_tally_add_class(&t, &c);
	cr_assert_eq(t.rows, 1);
	cr_assert_eq(cell(&t, "bolig", "gul", "total", "alle"), 1);
	cr_assert_eq(cell(&t, "bolig", "gronn", "total", "alle"), 0);
	cr_assert_eq(cell(&t, "bolig", "gul", "rop_skala", "rod_rod"), 1);
	cr_assert_eq(cell(&t, "bolig", "gul", "rop_skala", "ikke_rop"), 0);
	cr_assert_eq(cell(&t, "kjonn", "K", "kommunestorrelse", "10000_29999"), 1);
	cr_assert_eq(cell(&t, "heroin", "svaert_omfattende", "alder7", "30_39"), 1);
	cr_assert_eq(cell(&t, "rop", "ja", "storforbruker", "ja"), 1);
	cr_assert_eq(cell(&t, "rusgruppe", "alvorlig_psyk", "lar", "ukjent"), 1);
	/* Exactly (applicable indicators) x (applicable breakdowns) cells are 1. */
	size_t ni = 0, nb = 0, total = 0;
	for (size_t i = 0; i < bp_n_indicators(); i++)
		ni += c.cat[i] >= 0;
	for (size_t b = 0; b < bp_n_breakdowns(); b++)
		nb += c.val[b] >= 0;
	for (size_t x = 0; x < bp_n_cells(); x++)
		total += t.counts[x];
	cr_assert_eq(total, ni * nb);
	cr_assert_eq(nb, 12);
	/* Sums: alder 30 in every breakdown value the row has. */
	size_t m = (size_t)sm("alder"), b = (size_t)bd("kjonn");
	cr_assert_eq(t.sum_n[bp_sum_cell(m, b, 1)], 1);
	cr_assert_eq(t.sum[bp_sum_cell(m, b, 1)], 30);
	cr_assert_eq(t.sum_n[bp_sum_cell(m, b, 0)], 0);
	m = (size_t)sm("antall_barn");
	cr_assert_eq(t.sum_n[bp_sum_cell(m, 0, 0)], 0);
	m = (size_t)sm("antall_illegale");
	cr_assert_eq(t.sum[bp_sum_cell(m, 0, 0)], 1);
	bp_tally_free(&t);
}

Test(tally, add_equal_clear)
{
	struct bp_measure_settings s = settings();
	struct bp_tally a, b, all;
	struct bp_class c;
	cr_assert_eq(bp_tally_init(&a), 0);
	cr_assert_eq(bp_tally_init(&b), 0);
	cr_assert_eq(bp_tally_init(&all), 0);
	cr_assert(bp_tally_equal(&a, &b));
	for (int n = 0; n < 40; n++) {
		struct bp_row r = row_base();
		r.alder = 18 + n;
		r.kjonn = n % 3 ? 'M' : 'K';
		r.psykisk_problem = n % 2;
		r.area[n % BP_NAREA] = (int8_t)(n % 3);
		r.substance[n % BP_NSUB] = (int8_t)(n % BP_NAMOUNT);
		r.antall_barn = n % 5 ? n % 4 : -1;
		r.services[BP_SVC_NAV] = (uint32_t)n;
		bp_classify(&r, NULL, &s, &c);
		bp_tally_add_class(n < 15 ? &a : &b, &c);
		bp_tally_add_class(&all, &c);
	}
	cr_assert_not(bp_tally_equal(&a, &all));
	bp_tally_add(&a, &b);
	cr_assert(bp_tally_equal(&a, &all));
	cr_assert_eq(a.rows, 40);
	a.sum[3]++;
	cr_assert_not(bp_tally_equal(&a, &all));
	a.sum[3]--;
	a.counts[bp_n_cells() - 1]++;
	cr_assert_not(bp_tally_equal(&a, &all));
	bp_tally_clear(&a);
	bp_tally_clear(&b);
	cr_assert(bp_tally_equal(&a, &b));
	cr_assert_eq(a.rows, 0);
	bp_tally_free(&a);
	bp_tally_free(&b);
	bp_tally_free(&all);
}

/* The optimised tally against a reference built from the public layout only,
 * over rows that vary every field. */
Test(tally, matches_reference_layout)
{
	struct bp_measure_settings s = settings();
	struct bp_tally t;
	struct bp_class c;
	struct bp_kommune k;
	size_t nc = bp_n_cells(), ns = bp_n_sum_cells();
	uint32_t *ref = calloc(nc, sizeof(*ref)), *refn = calloc(ns, sizeof(*refn));
	uint64_t *refs = calloc(ns, sizeof(*refs)), x = 88172645463325252ULL;
	cr_assert(ref && refn && refs);
	cr_assert_eq(bp_tally_init(&t), 0);
	memset(&k, 0, sizeof(k));
	for (int n = 0; n < 300; n++) {
		struct bp_row r = row_base();
		/* xorshift64: a fixed stream of small choices */
#define NEXT(m) (x ^= x << 13, x ^= x >> 7, x ^= x << 17, (int)(x % (m)))
		r.rusproblem = NEXT(3) != 0;
		r.psykisk_problem = !r.rusproblem || NEXT(2);
		r.kjonn = NEXT(2) ? 'M' : 'K';
		r.alder = 16 + NEXT(95);
		for (int a = 0; a < BP_NAREA; a++)
			r.area[a] = (int8_t)NEXT(3);
		for (int d = 0; d < BP_NDETAIL; d++)
			r.detail[d] = (int8_t)(NEXT(4) - 1);
		for (int q = 0; q < BP_NSUB; q++)
			r.substance[q] = r.rusproblem ? (int8_t)NEXT(4) : -1;
		for (int f = 0; f < BP_NFLAG; f++)
			r.flag[f] = (int8_t)(NEXT(3) - 1);
		r.vold = (int8_t)(NEXT(5) - 1);
		r.fengsel = (int8_t)(NEXT(4) - 1);
		r.utdanning = (int8_t)(NEXT(5) - 1);
		r.antall_barn = NEXT(4) - 1;
		snprintf(r.fodeland, sizeof(r.fodeland), "%s", NEXT(3) == 0 ? "" : NEXT(2) ? "NO" : "SE");
		for (int v = 0; v < BP_NSVC; v++) {
			(void)NEXT(2);
			r.services[v] = (uint32_t)x & ((1u << bp_services[v].ncodes) - 1);
		}
		k.population = (uint32_t)NEXT(40000);
#undef NEXT
		bp_classify(&r, n % 7 ? &k : NULL, &s, &c);
		bp_tally_add_class(&t, &c);
		for (size_t i = 0; i < bp_n_indicators(); i++)
			for (size_t b = 0; b < bp_n_breakdowns(); b++)
				if (c.cat[i] >= 0 && c.val[b] >= 0)
					ref[bp_cell_offset(i, b) + (size_t)c.cat[i] * bp_breakdown_at(b)->nval +
					    (size_t)c.val[b]]++;
		for (size_t m = 0; m < bp_n_sum_measures(); m++)
			for (size_t b = 0; b < bp_n_breakdowns(); b++)
				if (c.has_sum[m] && c.val[b] >= 0) {
					refn[bp_sum_cell(m, b, (size_t)c.val[b])]++;
					refs[bp_sum_cell(m, b, (size_t)c.val[b])] += (uint64_t)c.sum[m];
				}
	}
	cr_assert_eq(t.rows, 300);
	cr_assert_eq(memcmp(t.counts, ref, nc * sizeof(*ref)), 0);
	cr_assert_eq(memcmp(t.sum_n, refn, ns * sizeof(*refn)), 0);
	cr_assert_eq(memcmp(t.sum, refs, ns * sizeof(*refs)), 0);
	bp_tally_free(&t);
	free(ref);
	free(refn);
	free(refs);
}

/* First use from several threads at once (the daemon classifies on a libuv
 * worker thread): every thread sees the same, complete catalogue. Criterion
 * runs each test in a fresh process, so this is the first use here. */
static void *
first_use(void *arg)
{
	size_t *out = arg;
	struct bp_measure_settings s = settings();
	struct bp_class c;
	struct bp_tally t;
	struct bp_row r = row_base();
	if (bp_tally_init(&t) < 0)
		return NULL;
	bp_classify(&r, NULL, &s, &c);
	bp_tally_add_class(&t, &c);
	out[0] = bp_n_cells();
	out[1] = (size_t)bp_indicator_find("anbefalt_bv_melding_selv");
	out[2] = 0;
	for (size_t k = 0; k < bp_n_cells(); k++)
		out[2] += t.counts[k];
	bp_tally_free(&t);
	return NULL;
}

Test(catalogue, first_use_from_threads)
{
	enum { N = 8 };
	pthread_t th[N];
	size_t out[N][3];
	memset(out, 0, sizeof(out));
	for (int i = 0; i < N; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, first_use, out[i]), 0);
	for (int i = 0; i < N; i++)
		cr_assert_eq(pthread_join(th[i], NULL), 0);
	for (int i = 0; i < N; i++) {
		cr_assert_eq(out[i][0], 319 * 41);
		cr_assert_eq(out[i][1], bp_n_indicators() - 1);
		cr_assert_eq(out[i][2], out[0][2]);
		cr_assert_gt(out[i][2], 0);
	}
}
