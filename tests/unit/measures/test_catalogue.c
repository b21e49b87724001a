/*
 * test_catalogue.c - the catalogue of indicators, breakdowns and sum
 * measures, the layout of the dense tally and its additions
 * (measures/measures.c, shared/spec/measures.md).  The derived measures
 * row by row: test_measures.c.
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
#include "measures_fixture.h"

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
