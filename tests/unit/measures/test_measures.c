/*
 * test_measures.c - known answers for every derived measure
 * (measures/measures.c, shared/spec/measures.md).  The catalogue and the
 * dense tally: test_catalogue.c.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codes.h"
#include "export.h"
#include "measures.h"
#include "registry.h"
#include "measures_fixture.h"

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
