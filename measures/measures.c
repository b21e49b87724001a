/*
 * measures.c - the table catalogue, the classification of a row and the
 * dense tally; see measures.h and doc/measures.md (a row's own derived
 * values: derived.c).
 *
 * The catalogue order is fixed and is part of the on-disk cell layout (and
 * so of bp_catalogue_id). Indicators, in this order:
 *
 *   0..7     the eight areas (codes.h order): gronn gul rod
 *   8..9     psykisk_alvorlighet, psykisk_symptomtrykk: gronn gul rod ukjent
 *   10, 11   levekarsindeks8, levekarsindeks6: gronn gul rod blalys
 *   12       rop_skala: ikke_rop gul_rod rod_gul rod_rod ikke_aktuelt
 *   13       rop: ja nei
 *   14       brukergruppe: rus rus_psyk psyk
 *   15       rusgruppe: uten_psyk mindre_alvorlig_psyk alvorlig_psyk
 *   16       kjonn: M K
 *   17       alder7: u24 24_29 30_39 40_49 50_59 60_69 70p
 *   18       alder4: u24 24_44 45_59 60p
 *   19       utdanning: grunnskole vgs hoyere ukjent
 *   20       vold: ingen utsatt utover begge ukjent
 *   21       fengsel: ingen loslatt i_fengsel ukjent
 *   22..28   each substance: ingen beskjeden betydelig svaert_omfattende
 *   29..35   <substance>_tung: ja nei
 *   36       storforbruker: ja nei
 *   37..53   each flag (codes.h order): ja nei ukjent
 *   54       fodt_i_norge: ja nei ukjent
 *   55..     <prefix>_<code> for each service column and code, in the order
 *            of bp_services (nav, kommune, tsb, phv, somatikk, anbefalt): ja nei
 *
 * Breakdowns: total (alle), rop_skala, rop, brukergruppe, rusgruppe, kjonn,
 * alder7, alder4, kommunestorrelse (u2500 2500_4999 5000_9999 10000_29999
 * 30000p), levekarsindeks8, lar (ja nei ukjent), storforbruker.
 *
 * Sum measures: alder, antall_barn, antall_rusmidler, antall_illegale,
 * antall_tjenester_kommune, _nav, _tsb, _phv, _somatikk.
 *
 * Decisions the spec leaves open (and the tests pin down):
 *  - rop: rows with rusproblem N are "nei" (rop_skala says ikke_aktuelt).
 *  - rop_definition 2015: rusmiddelbruk gronn with psykisk_helse rod is ROP
 *    and falls in rop_skala "gul_rod", which under 2015 reads "rusmiddelbruk
 *    gronn or gul, psykisk helse rod"; the scale keeps its five values so
 *    that the cell layout does not depend on the setting.
 *  - rusgruppe: psykisk_helse rod gives alvorlig_psyk even when
 *    psykisk_problem is N; rows with rusproblem N are not counted.
 *  - substances and <substance>_tung: not counted when rusproblem is N;
 *    storforbruker is "nei" for them, and antall_rusmidler / antall_illegale
 *    are not recorded (has_sum false).
 *  - services: a parsed row cannot tell an absent service column from an
 *    empty one, so both mean "nei" for every code and a count of 0.
 *  - levekarsindeks: the cut points are taken to 1e-6 and compared in
 *    integers (sum of scores * 10^6 < cut * 10^6 * n), so m = 4/8 is gul
 *    exactly at the default cut 0.5.
 */
#include "measures.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "codes.h"
#include "export.h"
#include "registry.h"

/* Indicator indices (see the table above). */
enum {
	IND_AREA = 0,
	IND_DETAIL = IND_AREA + BP_NAREA,
	IND_LKI8 = IND_DETAIL + BP_NDETAIL,
	IND_LKI6,
	IND_ROP_SKALA,
	IND_ROP,
	IND_BRUKERGRUPPE,
	IND_RUSGRUPPE,
	IND_KJONN,
	IND_ALDER7,
	IND_ALDER4,
	IND_UTDANNING,
	IND_VOLD,
	IND_FENGSEL,
	IND_SUBSTANCE,
	IND_TUNG = IND_SUBSTANCE + BP_NSUB,
	IND_STORFORBRUKER = IND_TUNG + BP_NSUB,
	IND_FLAG,
	IND_FODT = IND_FLAG + BP_NFLAG,
	IND_SERVICE
};

/* Service codes over all columns of bp_services (checked at first use). */
#define N_SERVICE_CODES (10 + 23 + 6 + 6 + 3 + 23)
#define N_INDICATORS (IND_SERVICE + N_SERVICE_CODES)

enum {
	BD_TOTAL, BD_ROP_SKALA, BD_ROP, BD_BRUKERGRUPPE, BD_RUSGRUPPE, BD_KJONN,
	BD_ALDER7, BD_ALDER4, BD_KOMMUNESTORRELSE, BD_LKI8, BD_LAR,
	BD_STORFORBRUKER, N_BREAKDOWNS
};

enum {
	SUM_ALDER, SUM_ANTALL_BARN, SUM_RUSMIDLER, SUM_ILLEGALE,
	SUM_TJ_KOMMUNE, SUM_TJ_NAV, SUM_TJ_TSB, SUM_TJ_PHV, SUM_TJ_SOMATIKK,
	N_SUMS
};

_Static_assert(N_INDICATORS <= sizeof(((struct bp_class *)0)->cat) /
    sizeof(((struct bp_class *)0)->cat[0]), "indicators do not fit bp_class.cat");
_Static_assert(N_BREAKDOWNS <= sizeof(((struct bp_class *)0)->val) /
    sizeof(((struct bp_class *)0)->val[0]), "breakdowns do not fit bp_class.val");
_Static_assert(N_SUMS <= sizeof(((struct bp_class *)0)->sum) /
    sizeof(((struct bp_class *)0)->sum[0]), "sums do not fit bp_class.sum");
_Static_assert(N_SUMS <= sizeof(((struct bp_class *)0)->has_sum) /
    sizeof(((struct bp_class *)0)->has_sum[0]), "sums do not fit bp_class.has_sum");

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
/* More categories than any indicator has (checked at first use). */
#define MAX_NCAT 8

/* Category and value lists. */
static const char *const c_level[] = { "gronn", "gul", "rod" };
static const char *const c_level_ukjent[] = { "gronn", "gul", "rod", "ukjent" };
static const char *const c_lki[] = { "gronn", "gul", "rod", "blalys" };
static const char *const c_rop_skala[] = {
	"ikke_rop", "gul_rod", "rod_gul", "rod_rod", "ikke_aktuelt",
};
static const char *const c_janei[] = { "ja", "nei" };
static const char *const c_janei_ukjent[] = { "ja", "nei", "ukjent" };
static const char *const c_brukergruppe[] = { "rus", "rus_psyk", "psyk" };
static const char *const c_rusgruppe[] = {
	"uten_psyk", "mindre_alvorlig_psyk", "alvorlig_psyk",
};
static const char *const c_kjonn[] = { "M", "K" };
static const char *const c_alder7[] = {
	"u24", "24_29", "30_39", "40_49", "50_59", "60_69", "70p",
};
static const char *const c_alder4[] = { "u24", "24_44", "45_59", "60p" };
static const char *const c_utdanning[] = { "grunnskole", "vgs", "hoyere", "ukjent" };
static const char *const c_vold[] = { "ingen", "utsatt", "utover", "begge", "ukjent" };
static const char *const c_fengsel[] = { "ingen", "loslatt", "i_fengsel", "ukjent" };
static const char *const c_amount[] = {
	"ingen", "beskjeden", "betydelig", "svaert_omfattende",
};
static const char *const c_alle[] = { "alle" };
static const char *const c_kstr[] = {
	"u2500", "2500_4999", "5000_9999", "10000_29999", "30000p",
};

/* The ukjent category of the lists that have one. */
#define UKJENT_DETAIL 3
#define UKJENT_UTD 3
#define UKJENT_VOLD 4
#define UKJENT_FENGSEL 3
#define JA 0
#define NEI 1
#define UKJENT 2

_Static_assert(NELEM(c_utdanning) == BP_NUTD, "utdanning codes");
_Static_assert(NELEM(c_vold) == BP_NVOLD + 1, "vold codes");
_Static_assert(NELEM(c_fengsel) == BP_NFENGSEL + 1, "fengsel codes");
_Static_assert(NELEM(c_amount) == BP_NAMOUNT, "amount codes");

static const struct bp_breakdown breakdowns[N_BREAKDOWNS] = {
	[BD_TOTAL] = { "total", NELEM(c_alle), c_alle },
	[BD_ROP_SKALA] = { "rop_skala", NELEM(c_rop_skala), c_rop_skala },
	[BD_ROP] = { "rop", NELEM(c_janei), c_janei },
	[BD_BRUKERGRUPPE] = { "brukergruppe", NELEM(c_brukergruppe), c_brukergruppe },
	[BD_RUSGRUPPE] = { "rusgruppe", NELEM(c_rusgruppe), c_rusgruppe },
	[BD_KJONN] = { "kjonn", NELEM(c_kjonn), c_kjonn },
	[BD_ALDER7] = { "alder7", NELEM(c_alder7), c_alder7 },
	[BD_ALDER4] = { "alder4", NELEM(c_alder4), c_alder4 },
	[BD_KOMMUNESTORRELSE] = { "kommunestorrelse", NELEM(c_kstr), c_kstr },
	[BD_LKI8] = { "levekarsindeks8", NELEM(c_lki), c_lki },
	[BD_LAR] = { "lar", NELEM(c_janei_ukjent), c_janei_ukjent },
	[BD_STORFORBRUKER] = { "storforbruker", NELEM(c_janei), c_janei },
};

static const struct bp_sum_measure sums[N_SUMS] = {
	[SUM_ALDER] = { "alder" },
	[SUM_ANTALL_BARN] = { "antall_barn" },
	[SUM_RUSMIDLER] = { "antall_rusmidler" },
	[SUM_ILLEGALE] = { "antall_illegale" },
	[SUM_TJ_KOMMUNE] = { "antall_tjenester_kommune" },
	[SUM_TJ_NAV] = { "antall_tjenester_nav" },
	[SUM_TJ_TSB] = { "antall_tjenester_tsb" },
	[SUM_TJ_PHV] = { "antall_tjenester_phv" },
	[SUM_TJ_SOMATIKK] = { "antall_tjenester_somatikk" },
};

/* The service column each service-count sum measure counts. */
static const int sum_service[N_SUMS] = {
	[SUM_TJ_KOMMUNE] = BP_SVC_KOMMUNE, [SUM_TJ_NAV] = BP_SVC_NAV,
	[SUM_TJ_TSB] = BP_SVC_TSB, [SUM_TJ_PHV] = BP_SVC_PHV,
	[SUM_TJ_SOMATIKK] = BP_SVC_SOMATIKK,
};

/*
 * Tables built once, at first use, under pthread_once (the daemon classifies
 * on a libuv worker thread). Read-only afterwards.
 */
static struct {
	struct bp_indicator ind[N_INDICATORS];
	char names[4096];           /* the built names: <sub>_tung, <prefix>_<code> */
	size_t catbase[N_INDICATORS]; /* sum of ncat of the indicators before */
	size_t ncat_total;
	size_t valbase[N_BREAKDOWNS];
	size_t nval_total;
	int svc_ind[BP_NSVC];       /* first indicator of each service column */
} cat;
static pthread_once_t cat_once = PTHREAD_ONCE_INIT;

/* Appends a "<a>_<b>" name to the name buffer; returns it. */
static const char *
build_name(size_t *used, const char *a, const char *b)
{
	char *p = cat.names + *used;
	int n = snprintf(p, sizeof(cat.names) - *used, "%s_%s", a, b);
	assert(n > 0 && (size_t)n < sizeof(cat.names) - *used);
	*used += (size_t)n + 1;
	return p;
}

static void
set_ind(size_t i, const char *name, size_t ncat, const char *const *cats)
{
	cat.ind[i].name = name;
	cat.ind[i].ncat = ncat;
	cat.ind[i].cats = cats;
}

#define SET_IND(i, name, list) set_ind((i), (name), NELEM(list), (list))

static void
build_fixed_indicators(void)
{
	for (size_t a = 0; a < BP_NAREA; a++)
		SET_IND(IND_AREA + a, bp_area_names[a], c_level);
	for (size_t d = 0; d < BP_NDETAIL; d++)
		SET_IND(IND_DETAIL + d, bp_detail_names[d], c_level_ukjent);
	SET_IND(IND_LKI8, "levekarsindeks8", c_lki);
	SET_IND(IND_LKI6, "levekarsindeks6", c_lki);
	SET_IND(IND_ROP_SKALA, "rop_skala", c_rop_skala);
	SET_IND(IND_ROP, "rop", c_janei);
	SET_IND(IND_BRUKERGRUPPE, "brukergruppe", c_brukergruppe);
	SET_IND(IND_RUSGRUPPE, "rusgruppe", c_rusgruppe);
	SET_IND(IND_KJONN, "kjonn", c_kjonn);
	SET_IND(IND_ALDER7, "alder7", c_alder7);
	SET_IND(IND_ALDER4, "alder4", c_alder4);
	SET_IND(IND_UTDANNING, "utdanning", c_utdanning);
	SET_IND(IND_VOLD, "vold", c_vold);
	SET_IND(IND_FENGSEL, "fengsel", c_fengsel);
	for (size_t s = 0; s < BP_NSUB; s++)
		SET_IND(IND_SUBSTANCE + s, bp_substance_names[s], c_amount);
	SET_IND(IND_STORFORBRUKER, "storforbruker", c_janei);
	for (size_t f = 0; f < BP_NFLAG; f++)
		SET_IND(IND_FLAG + f, bp_flag_names[f], c_janei_ukjent);
	SET_IND(IND_FODT, "fodt_i_norge", c_janei_ukjent);
}

static void
catalogue_init(void)
{
	size_t used = 0, i = IND_SERVICE;

	build_fixed_indicators();
	for (size_t s = 0; s < BP_NSUB; s++)
		SET_IND(IND_TUNG + s, build_name(&used, bp_substance_names[s], "tung"), c_janei);
	for (size_t c = 0; c < BP_NSVC; c++) {
		cat.svc_ind[c] = (int)i;
		for (size_t k = 0; k < bp_services[c].ncodes; k++, i++) {
			assert(i < N_INDICATORS);
			SET_IND(i, build_name(&used, bp_services[c].prefix,
			    bp_services[c].codes[k]), c_janei);
		}
	}
	assert(i == N_INDICATORS);
	for (i = 0; i < N_INDICATORS; i++) {
		assert(cat.ind[i].ncat < MAX_NCAT);
		cat.catbase[i] = cat.ncat_total;
		cat.ncat_total += cat.ind[i].ncat;
	}
	for (size_t b = 0; b < N_BREAKDOWNS; b++) {
		cat.valbase[b] = cat.nval_total;
		cat.nval_total += breakdowns[b].nval;
	}
}

static inline void
catalogue_ready(void)
{
	(void)pthread_once(&cat_once, catalogue_init);
}

void
bp_measure_settings_default(struct bp_measure_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->rop_definition = 2016;
	s->lki_cut[0] = 0.5;
	s->lki_cut[1] = 1.0;
	s->lki_cut[2] = 1.5;
}

size_t
bp_n_indicators(void)
{
	return N_INDICATORS;
}

const struct bp_indicator *
bp_indicator_at(size_t i)
{
	catalogue_ready();
	return i < N_INDICATORS ? &cat.ind[i] : NULL;
}

int
bp_indicator_find(const char *name)
{
	catalogue_ready();
	for (size_t i = 0; i < N_INDICATORS; i++)
		if (strcmp(cat.ind[i].name, name) == 0)
			return (int)i;
	return -1;
}

size_t
bp_n_breakdowns(void)
{
	return N_BREAKDOWNS;
}

const struct bp_breakdown *
bp_breakdown_at(size_t b)
{
	return b < N_BREAKDOWNS ? &breakdowns[b] : NULL;
}

int
bp_breakdown_find(const char *name)
{
	for (size_t b = 0; b < N_BREAKDOWNS; b++)
		if (strcmp(breakdowns[b].name, name) == 0)
			return (int)b;
	return -1;
}

size_t
bp_n_sum_measures(void)
{
	return N_SUMS;
}

const struct bp_sum_measure *
bp_sum_measure_at(size_t m)
{
	return m < N_SUMS ? &sums[m] : NULL;
}

int
bp_sum_measure_find(const char *name)
{
	for (size_t m = 0; m < N_SUMS; m++)
		if (strcmp(sums[m].name, name) == 0)
			return (int)m;
	return -1;
}

static int
list_find(const char *const *list, size_t n, const char *name)
{
	for (size_t k = 0; k < n; k++)
		if (strcmp(list[k], name) == 0)
			return (int)k;
	return -1;
}

int
bp_category_find(size_t i, const char *name)
{
	catalogue_ready();
	if (i >= N_INDICATORS)
		return -1;
	return list_find(cat.ind[i].cats, cat.ind[i].ncat, name);
}

int
bp_breakdown_value_find(size_t b, const char *name)
{
	if (b >= N_BREAKDOWNS)
		return -1;
	return list_find(breakdowns[b].vals, breakdowns[b].nval, name);
}

/*
 * Cell layout: the blocks of indicator i are contiguous and start at
 * catbase(i) * V (V = all breakdown values); within them, the block of
 * breakdown b starts at ncat(i) * valbase(b) and holds ncat(i) * nval(b)
 * cells, category-major. So bp_n_cells() = (all categories) * V.
 */
size_t
bp_n_cells(void)
{
	catalogue_ready();
	return cat.ncat_total * cat.nval_total;
}

size_t
bp_cell_offset(size_t i, size_t b)
{
	catalogue_ready();
	assert(i < N_INDICATORS && b < N_BREAKDOWNS);
	return cat.catbase[i] * cat.nval_total + cat.ind[i].ncat * cat.valbase[b];
}

size_t
bp_n_sum_cells(void)
{
	catalogue_ready();
	return N_SUMS * cat.nval_total;
}

size_t
bp_sum_cell(size_t m, size_t b, size_t v)
{
	catalogue_ready();
	assert(m < N_SUMS && b < N_BREAKDOWNS && v < breakdowns[b].nval);
	return m * cat.nval_total + cat.valbase[b] + v;
}

/* Appends "name: a,b,c\n" to the text (bounded like snprintf). */
static size_t
text_list(char *buf, size_t len, size_t at, const char *kind, const char *name,
    const char *const *list, size_t n)
{
	int w = snprintf(at < len ? buf + at : NULL, at < len ? len - at : 0,
	    "%s %s:", kind, name);
	at += (size_t)(w > 0 ? w : 0);
	for (size_t k = 0; k < n; k++) {
		w = snprintf(at < len ? buf + at : NULL, at < len ? len - at : 0,
		    "%s%s", k ? "," : "", list[k]);
		at += (size_t)(w > 0 ? w : 0);
	}
	w = snprintf(at < len ? buf + at : NULL, at < len ? len - at : 0, "\n");
	return at + (size_t)(w > 0 ? w : 0);
}

/*
 * The canonical text: a version line, then every indicator with its
 * categories, every breakdown with its values and every sum measure in
 * catalogue order, then the settings (cut points to 1e-6, the precision the
 * classification uses).
 */
size_t
bp_catalogue_text(const struct bp_measure_settings *s, char *buf, size_t len)
{
	size_t at = 0;
	int w;

	catalogue_ready();
	if (len > 0)
		buf[0] = '\0';
	w = snprintf(buf, len, "bpagg catalogue 1\n");
	at = (size_t)w;
	for (size_t i = 0; i < N_INDICATORS; i++)
		at = text_list(buf, len, at, "indicator", cat.ind[i].name,
		    cat.ind[i].cats, cat.ind[i].ncat);
	for (size_t b = 0; b < N_BREAKDOWNS; b++)
		at = text_list(buf, len, at, "breakdown", breakdowns[b].name,
		    breakdowns[b].vals, breakdowns[b].nval);
	for (size_t m = 0; m < N_SUMS; m++)
		at = text_list(buf, len, at, "sum", sums[m].name, NULL, 0);
	w = snprintf(at < len ? buf + at : NULL, at < len ? len - at : 0,
	    "setting rop_definition=%d\nsetting lki_cut=%lld,%lld,%lld\n",
	    s->rop_definition, llround(s->lki_cut[0] * 1e6),
	    llround(s->lki_cut[1] * 1e6), llround(s->lki_cut[2] * 1e6));
	return at + (size_t)(w > 0 ? w : 0);
}

void
bp_catalogue_id(const struct bp_measure_settings *s, uint8_t out[32])
{
	char stackbuf[16384];
	size_t n = bp_catalogue_text(s, stackbuf, sizeof(stackbuf));

	/* The text is about 8 KiB; the buffer is checked, not assumed. */
	assert(n < sizeof(stackbuf));
	crypto_generichash(out, 32, (const unsigned char *)stackbuf, n, NULL, 0);
}

static int
popcount32(uint32_t x)
{
	int n = 0;

	for (; x; x &= x - 1)
		n++;
	return n;
}

/* ---- classification ---- */

/* A flag (-1 unknown, 0 N, 1 J) as ja / nei / ukjent. */
static int16_t
flag_cat(int8_t f)
{
	return f < 0 ? UKJENT : f ? JA : NEI;
}

static void
classify_areas(const struct bp_row *r, const struct bp_measure_settings *s,
    struct bp_class *out)
{
	for (int a = 0; a < BP_NAREA; a++)
		out->cat[IND_AREA + a] = r->area[a];
	for (int d = 0; d < BP_NDETAIL; d++)
		out->cat[IND_DETAIL + d] = r->detail[d] < 0 ? UKJENT_DETAIL : r->detail[d];
	out->cat[IND_LKI8] = (int16_t)bp_lki(r, false, s->lki_cut);
	out->cat[IND_LKI6] = (int16_t)bp_lki(r, true, s->lki_cut);
}

static void
classify_person(const struct bp_row *r, const struct bp_measure_settings *s,
    struct bp_class *out)
{
	enum bp_rop rop = bp_rop_scale(r, s->rop_definition);

	out->cat[IND_ROP_SKALA] = rop == BP_ROP_IKKE_AKTUELT ? 4 : (int16_t)(rop - 1);
	out->cat[IND_ROP] = (rop == BP_ROP_GUL_ROD || rop == BP_ROP_ROD_GUL ||
	    rop == BP_ROP_ROD_ROD) ? JA : NEI;
	out->cat[IND_BRUKERGRUPPE] = (int16_t)bp_brukergruppe(r);
	out->cat[IND_RUSGRUPPE] = (int16_t)bp_rusgruppe(r);
	out->cat[IND_KJONN] = r->kjonn == 'M' ? 0 : r->kjonn == 'K' ? 1 : -1;
	out->cat[IND_ALDER7] = (int16_t)bp_alder7(r->alder);
	out->cat[IND_ALDER4] = (int16_t)bp_alder4(r->alder);
	out->cat[IND_UTDANNING] = r->utdanning < 0 ? UKJENT_UTD : r->utdanning;
	out->cat[IND_VOLD] = r->vold < 0 ? UKJENT_VOLD : r->vold;
	out->cat[IND_FENGSEL] = r->fengsel < 0 ? UKJENT_FENGSEL : r->fengsel;
	out->cat[IND_FODT] = r->fodeland[0] == '\0' ? UKJENT :
	    strcmp(r->fodeland, "NO") == 0 ? JA : NEI;
	for (int f = 0; f < BP_NFLAG; f++)
		out->cat[IND_FLAG + f] = flag_cat(r->flag[f]);
}

static void
classify_substances(const struct bp_row *r, struct bp_class *out)
{
	bool any = false;

	for (int s = 0; s < BP_NSUB; s++) {
		int amt = r->substance[s];
		if (!r->rusproblem || amt < 0 || amt >= BP_NAMOUNT)
			continue;
		out->cat[IND_SUBSTANCE + s] = (int16_t)amt;
		out->cat[IND_TUNG + s] = bp_heavy_amount(amt) ? JA : NEI;
		any |= bp_heavy_amount(amt);
	}
	out->cat[IND_STORFORBRUKER] = any ? JA : NEI;
	if (r->rusproblem) {
		out->sum[SUM_RUSMIDLER] = bp_heavy_count(r, false);
		out->sum[SUM_ILLEGALE] = bp_heavy_count(r, true);
		out->has_sum[SUM_RUSMIDLER] = out->has_sum[SUM_ILLEGALE] = true;
	}
}

static void
classify_services(const struct bp_row *r, struct bp_class *out)
{
	catalogue_ready();
	for (int c = 0; c < BP_NSVC; c++) {
		uint32_t mask = r->services[c];
		for (size_t k = 0; k < bp_services[c].ncodes; k++)
			out->cat[cat.svc_ind[c] + (int)k] = (mask >> k) & 1 ? JA : NEI;
	}
	for (int m = SUM_TJ_KOMMUNE; m <= SUM_TJ_SOMATIKK; m++) {
		int c = sum_service[m];
		uint32_t all = bp_services[c].ncodes >= 32 ? UINT32_MAX :
		    ((uint32_t)1 << bp_services[c].ncodes) - 1;
		out->sum[m] = popcount32(r->services[c] & all);
		out->has_sum[m] = true;
	}
}

static void
classify_breakdowns(const struct bp_row *r, const struct bp_kommune *k,
    struct bp_class *out)
{
	out->val[BD_TOTAL] = 0;
	out->val[BD_ROP_SKALA] = out->cat[IND_ROP_SKALA];
	out->val[BD_ROP] = out->cat[IND_ROP];
	out->val[BD_BRUKERGRUPPE] = out->cat[IND_BRUKERGRUPPE];
	out->val[BD_RUSGRUPPE] = out->cat[IND_RUSGRUPPE];
	out->val[BD_KJONN] = out->cat[IND_KJONN];
	out->val[BD_ALDER7] = out->cat[IND_ALDER7];
	out->val[BD_ALDER4] = out->cat[IND_ALDER4];
	out->val[BD_KOMMUNESTORRELSE] = k ? (int16_t)bp_kommune_size(k->population) : -1;
	out->val[BD_LKI8] = out->cat[IND_LKI8];
	out->val[BD_LAR] = flag_cat(r->flag[BP_FLAG_LAR]);
	out->val[BD_STORFORBRUKER] = out->cat[IND_STORFORBRUKER];
}

void
bp_classify(const struct bp_row *r, const struct bp_kommune *k,
    const struct bp_measure_settings *s, struct bp_class *out)
{
	for (size_t i = 0; i < NELEM(out->cat); i++)
		out->cat[i] = -1;
	for (size_t b = 0; b < NELEM(out->val); b++)
		out->val[b] = -1;
	memset(out->sum, 0, sizeof(out->sum));
	memset(out->has_sum, 0, sizeof(out->has_sum));

	classify_areas(r, s, out);
	classify_person(r, s, out);
	classify_substances(r, out);
	classify_services(r, out);
	classify_breakdowns(r, k, out);
	out->sum[SUM_ALDER] = r->alder;
	out->has_sum[SUM_ALDER] = true;
	if (r->antall_barn >= 0) {
		out->sum[SUM_ANTALL_BARN] = r->antall_barn;
		out->has_sum[SUM_ANTALL_BARN] = true;
	}
}

/* ---- the tally ---- */

/*
 * Allocates the three arrays of t, zeroed. The caller frees them with
 * bp_tally_free (also after a failure, which leaves t safe to free).
 */
int
bp_tally_init(struct bp_tally *t)
{
	size_t nc = bp_n_cells(), ns = bp_n_sum_cells();

	memset(t, 0, sizeof(*t));
	t->counts = calloc(nc, sizeof(*t->counts));
	t->sum_n = calloc(ns, sizeof(*t->sum_n));
	t->sum = calloc(ns, sizeof(*t->sum));
	if (!t->counts || !t->sum_n || !t->sum) {
		bp_tally_free(t);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void
bp_tally_free(struct bp_tally *t)
{
	if (!t)
		return;
	free(t->counts);
	free(t->sum_n);
	free(t->sum);
	memset(t, 0, sizeof(*t));
}

void
bp_tally_clear(struct bp_tally *t)
{
	t->rows = 0;
	memset(t->counts, 0, bp_n_cells() * sizeof(*t->counts));
	memset(t->sum_n, 0, bp_n_sum_cells() * sizeof(*t->sum_n));
	memset(t->sum, 0, bp_n_sum_cells() * sizeof(*t->sum));
}

/*
 * The hot path of ingest. Cell (i, b, c, v) lies at
 *   catbase(i)*V + ncat(i)*valbase(b) + c*nval(b) + v,
 * so for one row the offsets within an indicator's blocks depend only on
 * (ncat(i), c): every indicator with the same number of categories and the
 * same category hits the same relative cells. Those offsets are computed
 * once per row and (ncat, c) pair in use (at most MAX_NCAT^2 / 2 pairs), so
 * that each of the ~1500 increments of a row is a load and an add.
 */
void
bp_tally_add_class(struct bp_tally *t, const struct bp_class *c)
{
	size_t vb[N_BREAKDOWNS], nv[N_BREAKDOWNS], vv[N_BREAKDOWNS], nb = 0, V;
	uint32_t rel[MAX_NCAT][MAX_NCAT][N_BREAKDOWNS];
	bool have[MAX_NCAT][MAX_NCAT];

	catalogue_ready();
	V = cat.nval_total;
	memset(have, 0, sizeof(have));
	for (size_t b = 0; b < N_BREAKDOWNS; b++) {
		int v = c->val[b];
		if (v < 0 || (size_t)v >= breakdowns[b].nval)
			continue;
		vb[nb] = cat.valbase[b];
		nv[nb] = breakdowns[b].nval;
		vv[nb] = (size_t)v;
		nb++;
	}
	for (size_t i = 0; i < N_INDICATORS; i++) {
		int ci = c->cat[i];
		size_t ncat = cat.ind[i].ncat;
		if (ci < 0 || (size_t)ci >= ncat)
			continue;
		uint32_t *r = rel[ncat][ci];
		if (!have[ncat][ci]) {
			for (size_t k = 0; k < nb; k++)
				r[k] = (uint32_t)(ncat * vb[k] + (size_t)ci * nv[k] + vv[k]);
			have[ncat][ci] = true;
		}
		uint32_t *block = t->counts + cat.catbase[i] * V;
		for (size_t k = 0; k < nb; k++)
			block[r[k]]++;
	}
	for (size_t m = 0; m < N_SUMS; m++) {
		if (!c->has_sum[m])
			continue;
		size_t base = m * V;
		for (size_t k = 0; k < nb; k++) {
			t->sum_n[base + vb[k] + vv[k]]++;
			t->sum[base + vb[k] + vv[k]] += (uint64_t)(int64_t)c->sum[m];
		}
	}
	t->rows++;
}

void
bp_tally_add(struct bp_tally *t, const struct bp_tally *u)
{
	size_t nc = bp_n_cells(), ns = bp_n_sum_cells();

	t->rows += u->rows;
	for (size_t k = 0; k < nc; k++)
		t->counts[k] += u->counts[k];
	for (size_t k = 0; k < ns; k++) {
		t->sum_n[k] += u->sum_n[k];
		t->sum[k] += u->sum[k];
	}
}

bool
bp_tally_equal(const struct bp_tally *t, const struct bp_tally *u)
{
	size_t nc = bp_n_cells(), ns = bp_n_sum_cells();

	return t->rows == u->rows &&
	    memcmp(t->counts, u->counts, nc * sizeof(*t->counts)) == 0 &&
	    memcmp(t->sum_n, u->sum_n, ns * sizeof(*t->sum_n)) == 0 &&
	    memcmp(t->sum, u->sum, ns * sizeof(*t->sum)) == 0;
}
