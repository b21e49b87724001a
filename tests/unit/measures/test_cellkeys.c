/*
 * test_cellkeys.c - equal quantities across tables and the relations
 * between breakdowns (measures/cellkeys.c).
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "cellkeys.h"
#include "measures.h"

static struct bp_cellkeys *K;
static struct bp_measure_settings S;

static void
setup(void)
{
	bp_measure_settings_default(&S);
	cr_assert_eq(bp_cellkeys_build(&S, &K), 0);
}

static void
teardown(void)
{
	bp_cellkeys_free(K);
}

TestSuite(cellkeys, .init = setup, .fini = teardown);

static size_t
ind(const char *n)
{
	int i = bp_indicator_find(n);
	cr_assert(i >= 0, "%s", n);
	return (size_t)i;
}

static size_t
bd(const char *n)
{
	int b = bp_breakdown_find(n);
	cr_assert(b >= 0, "%s", n);
	return (size_t)b;
}

static size_t
val(const char *b, const char *v)
{
	int i = bp_breakdown_value_find(bd(b), v);
	cr_assert(i >= 0, "%s=%s", b, v);
	return (size_t)i;
}

static size_t
cat(const char *i, const char *c)
{
	int k = bp_category_find(ind(i), c);
	cr_assert(k >= 0, "%s=%s", i, c);
	return (size_t)k;
}

/* Position of indicator cell (category, or NULL for i_alt) by (b, v). */
static uint32_t
P(const char *i, const char *c, const char *b, const char *v)
{
	size_t g = ind(i);
	return bp_cellkeys_pos(K, g, bd(b), val(b, v),
	    c ? cat(i, c) : bp_indicator_at(g)->ncat);
}

Test(cellkeys, same_quantity_in_different_tables)
{
	/* i_alt of any indicator counting everyone, by kjonn K = kjonn's own K. */
	cr_assert_neq(P("bolig", NULL, "kjonn", "K"), 0);
	cr_assert_eq(P("bolig", NULL, "kjonn", "K"), P("kjonn", "K", "total", "alle"));
	cr_assert_eq(P("bolig", NULL, "kjonn", "K"), P("nav_sosialhjelp", NULL, "kjonn", "K"));
	/* A pair table and its transpose. */
	cr_assert_eq(P("kjonn", "M", "rop", "ja"), P("rop", "ja", "kjonn", "M"));
	/* A category inside a breakdown value is the category. */
	cr_assert_eq(P("rop_skala", "rod_rod", "rop", "ja"), P("rop_skala", "rod_rod", "total", "alle"));
	/* rop_skala ikke_aktuelt is brukergruppe psyk. */
	cr_assert_eq(P("bolig", NULL, "rop_skala", "ikke_aktuelt"),
	    P("bolig", NULL, "brukergruppe", "psyk"));
	/* The sum measure alder counts everyone: its counts are the margins. */
	int m = bp_sum_measure_find("alder");
	cr_assert(m >= 0);
	cr_assert_eq(bp_cellkeys_pos(K, bp_n_indicators() + (size_t)m, bd("alder7"),
	    val("alder7", "u24"), 0), P("bolig", NULL, "alder4", "u24"));
	/* Different sets differ; an opaque category has none. */
	cr_assert_neq(P("bolig", NULL, "kjonn", "K"), P("bolig", NULL, "kjonn", "M"));
	cr_assert_neq(P("bolig", NULL, "alder4", "24_44"), P("bolig", NULL, "alder7", "24_29"));
	cr_assert_eq(P("bolig", "rod", "kjonn", "K"), 0);
	/* Substances count rusproblem J rows: their i_alt by brukergruppe rus
	 * is brukergruppe rus itself; by psyk it is always empty. */
	cr_assert_eq(P("alkohol", NULL, "brukergruppe", "rus"), P("bolig", NULL, "brukergruppe", "rus"));
	cr_assert_eq(P("alkohol", NULL, "brukergruppe", "psyk"), 0);
	cr_assert_neq(P("alkohol", NULL, "kjonn", "K"), P("bolig", NULL, "kjonn", "K"));
	/* kommunestorrelse keeps its value. */
	cr_assert_neq(P("bolig", NULL, "kommunestorrelse", "u2500"),
	    P("bolig", NULL, "kommunestorrelse", "30000p"));
	cr_assert_eq(P("bolig", NULL, "kommunestorrelse", "u2500"),
	    P("kjonn", NULL, "kommunestorrelse", "u2500"));
}

/* Whether group g has the relation b1 in set1 == b2 in set2 (either way). */
static bool
has_rel(size_t g, const char *b1, uint64_t s1, const char *b2, uint64_t s2)
{
	const struct bp_bd_relation *r;
	size_t n = bp_cellkeys_relations(K, g, &r);
	for (size_t i = 0; i < n; i++) {
		if (r[i].b1 == bd(b1) && r[i].b2 == bd(b2) && r[i].set1 == s1 && r[i].set2 == s2)
			return true;
		if (r[i].b1 == bd(b2) && r[i].b2 == bd(b1) && r[i].set1 == s2 && r[i].set2 == s1)
			return true;
	}
	return false;
}

#define BIT(b, v) ((uint64_t)1 << val(b, v))

Test(cellkeys, relations_between_breakdowns)
{
	size_t g = ind("bolig");
	cr_assert(has_rel(g, "rop_skala", BIT("rop_skala", "gul_rod") | BIT("rop_skala", "rod_gul") |
	    BIT("rop_skala", "rod_rod"), "rop", BIT("rop", "ja")));
	cr_assert(has_rel(g, "alder7", BIT("alder7", "u24"), "alder4", BIT("alder4", "u24")));
	cr_assert(has_rel(g, "alder7", BIT("alder7", "60_69") | BIT("alder7", "70p"),
	    "alder4", BIT("alder4", "60p")));
	/* rusgruppe does not count rusproblem N rows: that rest is psyk. */
	size_t out = bp_breakdown_at(bd("rusgruppe"))->nval;
	cr_assert(has_rel(g, "rop_skala", BIT("rop_skala", "ikke_aktuelt"),
	    "rusgruppe", (uint64_t)1 << out));
	cr_assert(has_rel(g, "brukergruppe", BIT("brukergruppe", "psyk"),
	    "rusgruppe", (uint64_t)1 << out));
	/* alder4 24_44 splits alder7 40_49: it is tied to alder7 only
	 * together with 45_59. */
	cr_assert(has_rel(g, "alder7", BIT("alder7", "24_29") | BIT("alder7", "30_39") |
	    BIT("alder7", "40_49") | BIT("alder7", "50_59"), "alder4",
	    BIT("alder4", "24_44") | BIT("alder4", "45_59")));
	const struct bp_bd_relation *r;
	size_t n = bp_cellkeys_relations(K, g, &r);
	for (size_t i = 0; i < n; i++)
		if (r[i].b1 == bd("alder7") && r[i].b2 == bd("alder4") &&
		    (r[i].set2 & BIT("alder4", "24_44")))
			cr_assert_neq(r[i].set2 & BIT("alder4", "45_59"), 0);
	/* Within the substances' universe there is no psyk. */
	cr_assert_not(has_rel(ind("alkohol"), "rop_skala", BIT("rop_skala", "ikke_aktuelt"),
	    "rusgruppe", (uint64_t)1 << out));
	cr_assert(has_rel(ind("alkohol"), "rop_skala", BIT("rop_skala", "gul_rod") |
	    BIT("rop_skala", "rod_gul") | BIT("rop_skala", "rod_rod"), "rop", BIT("rop", "ja")));
}

/* rop_definition 2015 puts gronn/rod in gul_rod: then alvorlig_psyk (rus
 * users with psykisk_helse rod) is exactly gul_rod + rod_rod. */
Test(cellkeys, relations_follow_the_settings)
{
	struct bp_measure_settings s15 = S;
	struct bp_cellkeys *k15;
	s15.rop_definition = 2015;
	cr_assert_eq(bp_cellkeys_build(&s15, &k15), 0);
	struct bp_cellkeys *k16 = K;
	uint64_t rs = BIT("rop_skala", "gul_rod") | BIT("rop_skala", "rod_rod");
	uint64_t ap = BIT("rusgruppe", "alvorlig_psyk");
	K = k15;
	bool in15 = has_rel(ind("bolig"), "rop_skala", rs, "rusgruppe", ap);
	K = k16;
	bool in16 = has_rel(ind("bolig"), "rop_skala", rs, "rusgruppe", ap);
	bp_cellkeys_free(k15);
	cr_assert(in15);
	cr_assert_not(in16);
}

/* The relation of rel[0..n) with set1 = s1 and set2 = s2, or NULL. */
static const struct bp_cat_relation *
find_rel(const struct bp_cat_relation *rel, long n, uint64_t s1, uint64_t s2)
{
	for (long i = 0; i < n; i++)
		if (rel[i].set1 == s1 && rel[i].set2 == s2)
			return &rel[i];
	return NULL;
}

#define CBIT(c) ((uint64_t)1 << (c))

Test(cellkeys, relations_between_indicators)
{
	struct bp_cat_relation rel[70];
	size_t tot = bd("total"), a7 = bd("alder7");
	const struct bp_cat_relation *r;

	/* rop ja = the three ROP values of rop_skala, in every table. */
	long n = bp_cellkeys_cross(K, ind("rop"), ind("rop_skala"), tot, 0, rel, 70);
	cr_assert_gt(n, 0);
	r = find_rel(rel, n, CBIT(cat("rop", "ja")), CBIT(cat("rop_skala", "gul_rod")) |
	    CBIT(cat("rop_skala", "rod_gul")) | CBIT(cat("rop_skala", "rod_rod")));
	cr_assert(r && r->contains == 0, "rop ja = rop_skala's ROP values");

	/* alder4 60p = alder7 60_69 + 70p, by total; by alder7 = 30_39 both
	 * indicators hold one category each: nothing to relate. */
	n = bp_cellkeys_cross(K, ind("alder4"), ind("alder7"), tot, 0, rel, 70);
	r = find_rel(rel, n, CBIT(cat("alder4", "60p")),
	    CBIT(cat("alder7", "60_69")) | CBIT(cat("alder7", "70p")));
	cr_assert(r && r->contains == 0);
	r = find_rel(rel, n, CBIT(cat("alder4", "24_44")) | CBIT(cat("alder4", "45_59")),
	    CBIT(cat("alder7", "24_29")) | CBIT(cat("alder7", "30_39")) |
	    CBIT(cat("alder7", "40_49")) | CBIT(cat("alder7", "50_59")));
	cr_assert(r && r->contains == 0, "24_44 + 45_59 = 24_29 .. 50_59");
	cr_assert_eq(bp_cellkeys_cross(K, ind("alder4"), ind("alder7"), a7,
	    val("alder7", "30_39"), rel, 70), 0);

	/* rusgruppe counts rusproblem J only: rop_skala cannot be g1, and the
	 * ROP persons with psykisk_helse rod are within alvorlig_psyk. */
	cr_assert_eq(bp_cellkeys_cross(K, ind("rop_skala"), ind("rusgruppe"), tot, 0, rel, 70), -1);
	n = bp_cellkeys_cross(K, ind("rusgruppe"), ind("rop_skala"), tot, 0, rel, 70);
	cr_assert_gt(n, 0);
	bool found = false;
	for (long i = 0; i < n; i++)
		if (rel[i].contains == 1 && rel[i].set1 == CBIT(cat("rusgruppe", "alvorlig_psyk")) &&
		    (rel[i].set2 & CBIT(cat("rop_skala", "gul_rod"))) &&
		    (rel[i].set2 & CBIT(cat("rop_skala", "rod_rod"))))
			found = true;
	cr_assert(found, "alvorlig_psyk contains rop_skala gul_rod and rod_rod");

	/* An indicator the atoms do not decide has no relations. */
	cr_assert_eq(bp_cellkeys_cross(K, ind("bolig"), ind("rop"), tot, 0, rel, 70), -1);
}

/* Model 4: where a printed zero says nobody is rod on psykisk_helse among
 * the rus users (brukergruppe rus), rop_skala's gul_rod and rod_rod (rod
 * on psykisk_helse, rusproblem J) are all in brukergruppe rus_psyk; with
 * every atom alive they are not. */
Test(cellkeys, a_printed_zero_adds_the_relations_of_the_atoms_left)
{
	struct bp_cat_relation rel[70];
	size_t tot = bd("total"), words = bp_cellkeys_words(K);
	uint64_t *dead = calloc(words, sizeof(*dead)), *ph = calloc(words, sizeof(*ph));
	uint64_t *rus = calloc(words, sizeof(*rus));
	uint64_t want = CBIT(cat("rop_skala", "gul_rod")) | CBIT(cat("rop_skala", "rod_rod"));

	cr_assert(dead && ph && rus);
	cr_assert_eq(bp_cellkeys_cell_atoms(K, ind("psykisk_helse"), cat("psykisk_helse", "rod"),
	    tot, 0, ph), 0);
	cr_assert_eq(bp_cellkeys_cell_atoms(K, ind("brukergruppe"), cat("brukergruppe", "rus"),
	    tot, 0, rus), 0);
	for (size_t w = 0; w < words; w++)
		dead[w] = ph[w] & rus[w];

	bool alive = false, zero = false;
	long n = bp_cellkeys_cross(K, ind("brukergruppe"), ind("rop_skala"), tot, 0, rel, 70);
	if (n == -1)
		n = bp_cellkeys_cross(K, ind("rop_skala"), ind("brukergruppe"), tot, 0, rel, 70);
	for (long i = 0; i < n; i++)
		alive |= rel[i].contains && (rel[i].set1 == CBIT(cat("brukergruppe", "rus_psyk")) ||
		    rel[i].set2 == CBIT(cat("brukergruppe", "rus_psyk")));
	n = bp_cellkeys_cross_live(K, ind("brukergruppe"), ind("rop_skala"), tot, 0, dead, rel, 70);
	cr_assert_gt(n, 0, "brukergruppe and rop_skala count the same persons");
	for (long i = 0; i < n; i++)
		zero |= rel[i].contains == 1 && rel[i].set1 == CBIT(cat("brukergruppe", "rus_psyk")) &&
		    (rel[i].set2 & want) == want;
	cr_assert_not(alive, "without the zero, rus_psyk holds no rop_skala value alone");
	cr_assert(zero, "with it, rus_psyk contains gul_rod and rod_rod");
	free(dead);
	free(ph);
	free(rus);
}
