/*
 * test_qatoms.c - the atoms of the person classification (measures/qatoms.c):
 * breakdowns partition the atoms, the atoms of generated rows classify as
 * the rows themselves do, the identities the tables rely on hold as set
 * equalities, and the determined indicators are the documented ones.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "measures.h"
#include "qatoms.h"
#include "sample.h"

static struct bp_qatoms *
build(int rop_definition)
{
	struct bp_measure_settings s;
	struct bp_qatoms *q;

	bp_measure_settings_default(&s);
	s.rop_definition = rop_definition;
	cr_assert_eq(bp_qatoms_build(&s, &q), 0, "build: %s", strerror(errno));
	cr_assert_not_null(q);
	return q;
}

static size_t
bd(const char *name)
{
	int b = bp_breakdown_find(name);
	cr_assert_geq(b, 0, "no breakdown %s", name);
	return (size_t)b;
}

static size_t
ind(const char *name)
{
	int i = bp_indicator_find(name);
	cr_assert_geq(i, 0, "no indicator %s", name);
	return (size_t)i;
}

/* The set of breakdown b = the value called val ("-" = not counted). */
static const uint64_t *
bdset(const struct bp_qatoms *q, const char *b, const char *val)
{
	size_t bi = bd(b);
	int v = strcmp(val, "-") == 0 ? (int)bp_breakdown_at(bi)->nval :
	    bp_breakdown_value_find(bi, val);
	cr_assert_geq(v, 0, "no value %s in %s", val, b);
	const uint64_t *set = bp_qatoms_breakdown(q, bi, (size_t)v);
	cr_assert_not_null(set, "no set for %s=%s", b, val);
	return set;
}

/* The union of the sets of breakdown b named in vals (NULL-terminated);
 * the caller frees it. */
static uint64_t *
bdunion(const struct bp_qatoms *q, const char *b, const char *const *vals)
{
	size_t w = bp_qatoms_words(q);
	uint64_t *u = calloc(w, sizeof(*u));
	cr_assert_not_null(u);
	for (; *vals; vals++) {
		const uint64_t *s = bdset(q, b, *vals);
		for (size_t k = 0; k < w; k++)
			u[k] |= s[k];
	}
	return u;
}

static bool
set_eq(const struct bp_qatoms *q, const uint64_t *a, const uint64_t *b)
{
	return memcmp(a, b, bp_qatoms_words(q) * sizeof(*a)) == 0;
}

static size_t
set_count(const struct bp_qatoms *q, const uint64_t *a)
{
	size_t n = 0;
	for (size_t k = 0; k < bp_qatoms_words(q); k++)
		n += (size_t)__builtin_popcountll(a[k]);
	return n;
}

static bool
set_subset(const struct bp_qatoms *q, const uint64_t *a, const uint64_t *b)
{
	for (size_t k = 0; k < bp_qatoms_words(q); k++)
		if (a[k] & ~b[k])
			return false;
	return true;
}

/* Every breakdown but kommunestorrelse: disjoint value sets covering all atoms. */
static void
check_partitions(const struct bp_qatoms *q)
{
	size_t w = bp_qatoms_words(q), n = bp_qatoms_count(q);
	uint64_t *cover = calloc(w, sizeof(*cover));

	cr_assert_not_null(cover);
	for (size_t b = 0; b < bp_n_breakdowns(); b++) {
		const struct bp_breakdown *B = bp_breakdown_at(b);
		size_t total = 0;
		if (strcmp(B->name, "kommunestorrelse") == 0)
			continue;
		memset(cover, 0, w * sizeof(*cover));
		for (size_t v = 0; v <= B->nval; v++) {
			const uint64_t *s = bp_qatoms_breakdown(q, b, v);
			cr_assert_not_null(s, "%s value %zu has no set", B->name, v);
			for (size_t k = 0; k < w; k++) {
				cr_assert_eq(cover[k] & s[k], 0, "%s: values overlap", B->name);
				cover[k] |= s[k];
			}
			total += set_count(q, s);
		}
		cr_assert_eq(total, n, "%s covers %zu of %zu atoms", B->name, total, n);
		cr_assert_eq(set_count(q, cover), n);
	}
	free(cover);
}

Test(qatoms, breakdowns_partition_the_atoms)
{
	for (int def = 2015; def <= 2016; def++) {
		struct bp_qatoms *q = build(def);
		/* 3 x 3 x 3 x 13 x 8 ages x 2 x 3 x heavy (2 for rus rows, 1 for psyk). */
		cr_assert_eq(bp_qatoms_count(q), (2 * 2 + 1) * 3 * 3 * 13 * 8 * 2 * 3);
		cr_assert_eq(bp_qatoms_words(q), (bp_qatoms_count(q) + 63) / 64);
		check_partitions(q);
		bp_qatoms_free(q);
	}
}

Test(qatoms, out_of_range_is_null)
{
	struct bp_qatoms *q = build(2016);
	size_t kstr = bd("kommunestorrelse"), kjonn = bd("kjonn");

	for (size_t v = 0; v <= bp_breakdown_at(kstr)->nval; v++)
		cr_assert_null(bp_qatoms_breakdown(q, kstr, v));
	cr_assert_null(bp_qatoms_breakdown(q, kjonn, 3));
	cr_assert_not_null(bp_qatoms_breakdown(q, kjonn, 2));
	cr_assert_null(bp_qatoms_breakdown(q, bp_n_breakdowns(), 0));
	cr_assert_null(bp_qatoms_universe(q, bp_n_indicators()));
	cr_assert_null(bp_qatoms_category(q, bp_n_indicators(), 0));
	cr_assert_null(bp_qatoms_category(q, ind("kjonn"), 2));
	bp_qatoms_free(q);
}

/* The documented determined indicators, and no other. */
static const char *const determined[] = {
	"rusmiddelbruk", "psykisk_helse", "levekarsindeks8", "levekarsindeks6",
	"rop_skala", "rop", "brukergruppe", "rusgruppe", "kjonn", "alder7",
	"alder4", "storforbruker", "lar",
};

Test(qatoms, determined_indicators_and_universes)
{
	struct bp_qatoms *q = build(2016);
	size_t ndet = sizeof(determined) / sizeof(determined[0]), found = 0;

	for (size_t i = 0; i < bp_n_indicators(); i++) {
		const struct bp_indicator *I = bp_indicator_at(i);
		bool want = false;
		for (size_t k = 0; k < ndet; k++)
			want |= strcmp(I->name, determined[k]) == 0;
		found += want;
		cr_assert_eq(bp_qatoms_category(q, i, 0) != NULL, want, "%s", I->name);
		cr_assert_not_null(bp_qatoms_universe(q, i), "%s has no universe", I->name);
	}
	cr_assert_eq(found, ndet);

	/* Substances, their heavy use and rusgruppe count the rus rows only. */
	static const char *const rus[] = { "rus", "rus_psyk", NULL };
	uint64_t *rusrows = bdunion(q, "brukergruppe", rus);
	cr_assert(set_eq(q, bp_qatoms_universe(q, ind("alkohol")), rusrows));
	cr_assert(set_eq(q, bp_qatoms_universe(q, ind("heroin_tung")), rusrows));
	cr_assert(set_eq(q, bp_qatoms_universe(q, ind("rusgruppe")), rusrows));
	cr_assert(set_eq(q, bp_qatoms_universe(q, ind("bolig")), bdset(q, "total", "alle")));
	cr_assert(set_eq(q, bp_qatoms_universe(q, ind("nav_sosialhjelp")),
	    bdset(q, "total", "alle")));
	cr_assert_eq(set_count(q, bdset(q, "total", "alle")), bp_qatoms_count(q));
	/* The lar breakdown is the lar indicator. */
	for (size_t v = 0; v < 3; v++)
		cr_assert(set_eq(q, bp_qatoms_breakdown(q, bd("lar"), v),
		    bp_qatoms_category(q, ind("lar"), v)));
	free(rusrows);
	bp_qatoms_free(q);
}

Test(qatoms, identities)
{
	static const char *const rop3[] = { "gul_rod", "rod_gul", "rod_rod", NULL };
	static const char *const rus[] = { "rus", "rus_psyk", NULL };
	static const char *const a60[] = { "60_69", "70p", NULL };
	static const char *const red[] = { "gul_rod", "rod_rod", NULL };
	static const char *const counted[] = {
		"uten_psyk", "mindre_alvorlig_psyk", "alvorlig_psyk", NULL,
	};

	for (int def = 2015; def <= 2016; def++) {
		struct bp_qatoms *q = build(def);
		uint64_t *u;

		u = bdunion(q, "rop_skala", rop3);
		cr_assert(set_eq(q, bdset(q, "rop", "ja"), u), "rop=ja (%d)", def);
		free(u);
		cr_assert(set_eq(q, bdset(q, "rop_skala", "ikke_aktuelt"),
		    bdset(q, "brukergruppe", "psyk")));
		cr_assert(set_eq(q, bdset(q, "alder4", "u24"), bdset(q, "alder7", "u24")));
		u = bdunion(q, "alder7", a60);
		cr_assert(set_eq(q, bdset(q, "alder4", "60p"), u));
		free(u);
		u = bdunion(q, "brukergruppe", rus);
		uint64_t *c = bdunion(q, "rusgruppe", counted);
		cr_assert(set_eq(q, c, u), "rusgruppe counted == rus rows");
		cr_assert(set_eq(q, bdset(q, "rusgruppe", "-"), bdset(q, "brukergruppe", "psyk")));
		free(c);
		free(u);
		/*
		 * rusgruppe alvorlig_psyk is rusproblem J with psykisk_helse rod.
		 * Under 2015 rop_skala gul_rod also holds rusmiddelbruk gronn, so
		 * gul_rod + rod_rod is exactly that; under 2016 the gronn/rod rows
		 * are ikke_rop, and the union is a strict subset.
		 */
		u = bdunion(q, "rop_skala", red);
		const uint64_t *alv = bdset(q, "rusgruppe", "alvorlig_psyk");
		if (def == 2015)
			cr_assert(set_eq(q, alv, u), "2015: alvorlig_psyk == gul_rod+rod_rod");
		else
			cr_assert(set_subset(q, u, alv) && !set_eq(q, u, alv),
			    "2016: gul_rod+rod_rod is a strict subset of alvorlig_psyk");
		free(u);
		/* storforbruker=ja only among rus rows. */
		u = bdunion(q, "brukergruppe", rus);
		cr_assert(set_subset(q, bdset(q, "storforbruker", "ja"), u));
		free(u);
		bp_qatoms_free(q);
	}
}

/* alder4=24_44 is not a union of alder7 values: 40_49 straddles it. */
Test(qatoms, alder4_24_44_is_not_a_union_of_alder7)
{
	struct bp_qatoms *q = build(2016);
	size_t w = bp_qatoms_words(q), a7 = bd("alder7");
	const uint64_t *target = bdset(q, "alder4", "24_44");
	uint64_t *u = calloc(w, sizeof(*u));
	bool straddles = false;

	cr_assert_not_null(u);
	for (size_t v = 0; v < bp_breakdown_at(a7)->nval; v++) {
		const uint64_t *s = bp_qatoms_breakdown(q, a7, v);
		if (set_subset(q, s, target))
			for (size_t k = 0; k < w; k++)
				u[k] |= s[k];
		else
			straddles |= !set_subset(q, s, bdset(q, "alder4", "u24")) &&
			    set_count(q, s) != 0;
	}
	cr_assert(!set_eq(q, u, target));
	cr_assert(straddles);
	cr_assert(set_subset(q, u, target));
	free(u);
	bp_qatoms_free(q);
}

/* Rows outside the grid have no atom; a row inside has one whatever its
 * other columns say. */
Test(qatoms, of_row)
{
	struct bp_qatoms *q = build(2016);
	struct bp_row r;
	long a;

	memset(&r, 0, sizeof(r));
	r.kjonn = 'K';
	r.alder = 44;
	r.rusproblem = true;
	memset(r.substance, BP_AMOUNT_INGEN, sizeof(r.substance));
	memset(r.detail, -1, sizeof(r.detail));
	memset(r.flag, -1, sizeof(r.flag));
	a = bp_qatoms_of_row(q, &r);
	cr_assert_geq(a, 0);
	cr_assert_lt((size_t)a, bp_qatoms_count(q));
	cr_assert(bp_qatoms_has(bdset(q, "alder7", "40_49"), (size_t)a));
	cr_assert(bp_qatoms_has(bdset(q, "alder4", "24_44"), (size_t)a));
	cr_assert(bp_qatoms_has(bdset(q, "brukergruppe", "rus"), (size_t)a));
	cr_assert(bp_qatoms_has(bdset(q, "lar", "ukjent"), (size_t)a));
	cr_assert(bp_qatoms_has(bdset(q, "storforbruker", "nei"), (size_t)a));
	r.flag[BP_FLAG_INJISERER] = 1;
	r.vold = BP_VOLD_UTSATT;
	r.area[BP_AREA_BOLIG] = BP_ROD;
	r.area[BP_AREA_NETTVERK] = BP_GRONN;
	cr_assert_neq(bp_qatoms_of_row(q, &r), a, "bolig moves the six-area sum");
	r.area[BP_AREA_BOLIG] = BP_GRONN;
	r.area[BP_AREA_OKONOMI] = BP_GRONN;
	cr_assert_eq(bp_qatoms_of_row(q, &r), a, "injiserer and vold are not in the grid");
	r.substance[BP_SUB_CANNABIS] = BP_AMOUNT_SVAERT;
	a = bp_qatoms_of_row(q, &r);
	cr_assert(bp_qatoms_has(bdset(q, "storforbruker", "ja"), (size_t)a));
	r.alder = 15;
	cr_assert_eq(bp_qatoms_of_row(q, &r), -1);
	r.alder = 111;
	cr_assert_eq(bp_qatoms_of_row(q, &r), -1);
	r.alder = 110;
	cr_assert(bp_qatoms_has(bdset(q, "alder7", "70p"), (size_t)bp_qatoms_of_row(q, &r)));
	r.rusproblem = false;
	cr_assert_eq(bp_qatoms_of_row(q, &r), -1, "neither problem");
	r.kjonn = 'X';
	r.psykisk_problem = true;
	cr_assert_eq(bp_qatoms_of_row(q, &r), -1);
	r.kjonn = 'M';
	r.area[BP_AREA_RUSMIDDELBRUK] = 3;
	cr_assert_eq(bp_qatoms_of_row(q, &r), -1);
	bp_qatoms_free(q);
}

/* An atom knows the sum of its six other area scores, which psykisk_helse
 * and rusmiddelbruk do not move (publish/release_joint_index.c ties it to
 * the area tables). */
Test(qatoms, six_sum)
{
	struct bp_qatoms *q = build(2016);
	struct bp_row r;

	memset(&r, 0, sizeof(r));
	r.kjonn = 'M';
	r.alder = 30;
	r.psykisk_problem = true;
	memset(r.detail, -1, sizeof(r.detail));
	memset(r.flag, -1, sizeof(r.flag));
	cr_assert_eq(bp_qatoms_six_sum(q, (size_t)bp_qatoms_of_row(q, &r)), 0);
	r.area[BP_AREA_BOLIG] = BP_ROD;
	r.area[BP_AREA_NETTVERK] = BP_GUL;
	r.area[BP_AREA_PSYKISK_HELSE] = BP_ROD;
	r.area[BP_AREA_RUSMIDDELBRUK] = BP_GUL;
	cr_assert_eq(bp_qatoms_six_sum(q, (size_t)bp_qatoms_of_row(q, &r)), 3);
	for (int k = 0; k < BP_NAREA; k++)
		r.area[k] = BP_ROD;
	cr_assert_eq(bp_qatoms_six_sum(q, (size_t)bp_qatoms_of_row(q, &r)), 12);
	cr_assert_eq(bp_qatoms_six_sum(q, bp_qatoms_count(q)), -1, "not an atom");
	bp_qatoms_free(q);
}

/* ---- fidelity against generated rows ---- */

struct fid {
	const struct bp_qatoms *q;
	struct bp_measure_settings set;
	unsigned long rows, outside, bad;
	unsigned char *seen;     /* by atom */
};

static int
on_row(const struct bp_row *r, void *ud)
{
	struct fid *f = ud;
	struct bp_class c;
	long a = bp_qatoms_of_row(f->q, r);

	f->rows++;
	if (a < 0) {
		f->outside++;
		return 0;
	}
	f->seen[a] = 1;
	bp_classify(r, NULL, &f->set, &c);
	for (size_t b = 0; b < bp_n_breakdowns(); b++) {
		size_t nval = bp_breakdown_at(b)->nval;
		const uint64_t *s = bp_qatoms_breakdown(f->q, b,
		    c.val[b] < 0 ? nval : (size_t)c.val[b]);
		f->bad += s && !bp_qatoms_has(s, (size_t)a);
	}
	for (size_t i = 0; i < bp_n_indicators(); i++) {
		const uint64_t *u = bp_qatoms_universe(f->q, i);
		f->bad += u && bp_qatoms_has(u, (size_t)a) != (c.cat[i] >= 0);
		if (c.cat[i] < 0 || !bp_qatoms_category(f->q, i, 0))
			continue;
		f->bad += !bp_qatoms_has(bp_qatoms_category(f->q, i, (size_t)c.cat[i]),
		    (size_t)a);
	}
	return 0;
}

static void
fidelity(const struct bp_measure_settings *set, uint64_t seed)
{
	struct bp_qatoms *q;
	struct fid f = { .set = *set };
	struct bp_sample_opts o = {
		.kommune = "0301", .year = 2016, .rows = 4000, .seed = seed,
		.delimiter = ';', .optional = BP_SAMPLE_OPTIONAL_SEED, .plain = true,
	};
	struct bp_export_opts xo = { .max_rows = 1000000 };
	char *buf = NULL;
	size_t len = 0, seen = 0;
	FILE *mem = open_memstream(&buf, &len);

	cr_assert_not_null(mem);
	cr_assert_eq(bp_sample_write(mem, &o), 0);
	cr_assert_eq(fclose(mem), 0);
	cr_assert_eq(bp_qatoms_build(set, &q), 0);
	f.q = q;
	f.seen = calloc(bp_qatoms_count(q), 1);
	cr_assert_not_null(f.seen);
	bp_export *x = bp_export_new(&xo, on_row, &f);
	cr_assert_not_null(x);
	cr_assert_eq(bp_export_feed(x, buf, len), 0);
	cr_assert_eq(bp_export_finish(x), 0);
	bp_export_free(x);
	for (size_t a = 0; a < bp_qatoms_count(q); a++)
		seen += f.seen[a];
	cr_assert_eq(f.rows, 4000);
	cr_assert_eq(f.outside, 0, "%lu rows had no atom", f.outside);
	cr_assert_eq(f.bad, 0, "%lu disagreements (rop %d)", f.bad, set->rop_definition);
	/* The rows spread over many atoms, so the check is not one atom's. */
	cr_assert_gt(seen, 500, "only %zu atoms seen", seen);
	free(f.seen);
	free(buf);
	bp_qatoms_free(q);
}

Test(qatoms, atoms_classify_as_their_rows)
{
	struct bp_measure_settings s;

	bp_measure_settings_default(&s);
	s.rop_definition = 2016;
	fidelity(&s, 11);
	s.rop_definition = 2015;
	fidelity(&s, 12);
	/* Other cut points: the sets follow the settings. */
	s.lki_cut[0] = 0.3;
	s.lki_cut[1] = 0.9;
	s.lki_cut[2] = 1.2;
	fidelity(&s, 13);
}

/* The sets follow the settings: 2015 moves rusmiddelbruk gronn with
 * psykisk_helse rod from ikke_rop to gul_rod; the cut points move lki8. */
Test(qatoms, settings_change_the_sets)
{
	struct bp_qatoms *a = build(2015), *b = build(2016);
	struct bp_measure_settings s;
	struct bp_qatoms *c;

	cr_assert(!set_eq(a, bdset(a, "rop_skala", "gul_rod"), bdset(b, "rop_skala", "gul_rod")));
	cr_assert_gt(set_count(a, bdset(a, "rop", "ja")), set_count(b, bdset(b, "rop", "ja")));
	cr_assert(set_eq(a, bdset(a, "kjonn", "M"), bdset(b, "kjonn", "M")));
	bp_measure_settings_default(&s);
	s.lki_cut[0] = 0.25;
	cr_assert_eq(bp_qatoms_build(&s, &c), 0);
	cr_assert_lt(set_count(c, bdset(c, "levekarsindeks8", "gronn")),
	    set_count(b, bdset(b, "levekarsindeks8", "gronn")));
	bp_qatoms_free(a);
	bp_qatoms_free(b);
	bp_qatoms_free(c);
}
