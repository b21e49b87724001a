/*
 * sample.c - synthetic kommune exports; see sample.h.
 *
 * One person is drawn at a time: user group, sex and age, a latent severity
 * that the eight areas, the substances, the flags and the services all
 * lean on, then the fields. The file's shape (which optional columns exist,
 * their order, line ends, a byte-order mark) is drawn first from the same
 * stream, so it too follows from the seed.
 */
#include "sample.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codes.h"

/* ---- the PRNG: xoshiro256** seeded through splitmix64 ---- */

struct gen {
	uint64_t s[4];
};

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
next(struct gen *g)
{
	uint64_t *s = g->s, r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

/* Seeds from seed, kommune and year in turn, so that no two of those
 * triples share a stream in practice. */
static void
gen_seed(struct gen *g, uint64_t seed, const char *kommune, int year)
{
	uint64_t x = seed, h;

	h = splitmix64(&x);
	x = h ^ (uint64_t)strtoul(kommune, NULL, 10);
	h = splitmix64(&x);
	x = h ^ (uint64_t)(unsigned)year;
	for (int i = 0; i < 4; i++)
		g->s[i] = splitmix64(&x);
}

static double
unif(struct gen *g)
{
	return (double)(next(g) >> 11) * 0x1.0p-53;
}

/* 0..n-1 (n >= 1). */
static uint32_t
below(struct gen *g, uint32_t n)
{
	return (uint32_t)(((next(g) >> 32) * (uint64_t)n) >> 32);
}

static bool
chance(struct gen *g, double p)
{
	return unif(g) < p;
}

/* About N(0, 1): the sum of four uniforms, scaled (no libm in the stream,
 * so the output depends on nothing but IEEE arithmetic). */
static double
gauss(struct gen *g)
{
	double s = unif(g) + unif(g) + unif(g) + unif(g);
	return (s - 2.0) * 1.7320508075688772;
}

/* An index drawn from n weights that sum to 1 (the last takes the rest). */
static int
pick(struct gen *g, const double *w, int n)
{
	double u = unif(g), acc = 0;

	for (int i = 0; i < n - 1; i++) {
		acc += w[i];
		if (u < acc)
			return i;
	}
	return n - 1;
}

static double
clamp01(double p)
{
	return p < 0 ? 0 : p > 0.97 ? 0.97 : p;
}

/* Inverse of the standard normal distribution (Acklam's approximation),
 * for the area thresholds. */
static double
probit(double p)
{
	static const double a[] = { -3.969683028665376e+01, 2.209460984245205e+02,
	    -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01,
	    2.506628277459239e+00 };
	static const double b[] = { -5.447609879822406e+01, 1.615858368580409e+02,
	    -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01 };
	static const double c[] = { -7.784894002430293e-03, -3.223964580411365e-01,
	    -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00,
	    2.938163982698783e+00 };
	static const double d[] = { 7.784695709041462e-03, 3.224671290700398e-01,
	    2.445134137142996e+00, 3.754408661907416e+00 };
	double q, r;

	if (p <= 0)
		return -1e9;
	if (p >= 1)
		return 1e9;
	if (p < 0.02425 || p > 1 - 0.02425) {
		q = sqrt(-2 * log(p < 0.5 ? p : 1 - p));
		r = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
		return p < 0.5 ? r : -r;
	}
	q = p - 0.5;
	r = q * q;
	return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
	    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/* ---- the columns ---- */

enum kind {
	K_PID, K_KOMMUNE, K_AAR, K_KJONN, K_ALDER, K_RUSPROBLEM, K_PSYKPROBLEM,
	K_AREA, K_SUBSTANCE, K_DETAIL, K_FLAG, K_ANTALL_BARN, K_VOLD, K_FENGSEL,
	K_UTDANNING, K_FODELAND, K_SERVICE
};

struct col {
	const char *name;
	enum kind kind;
	int idx;
	bool optional;
};

#define MAX_COLS (7 + BP_NAREA + BP_NSUB + BP_NDETAIL + BP_NFLAG + 5 + BP_NSVC)

struct layout {
	struct col col[MAX_COLS];
	int ncol;
	bool crlf, bom;
};

static void
add_col(struct layout *l, const char *name, enum kind k, int idx, bool optional)
{
	l->col[l->ncol++] = (struct col){ name, k, idx, optional };
}

/* Every column in the format's order; optional ones only when present. */
static void
layout_columns(struct layout *l, struct gen *g, enum bp_sample_optional opt)
{
	/* Drawn for every optional column whatever the policy, so that the
	 * policy does not shift the rest of the stream. */
	bool keep[MAX_COLS];
	for (int i = 0; i < MAX_COLS; i++) {
		bool drawn = chance(g, 0.8);
		keep[i] = opt == BP_SAMPLE_OPTIONAL_ALL ? true :
		    opt == BP_SAMPLE_OPTIONAL_NONE ? false : drawn;
	}
	int k = 0;
	l->ncol = 0;
	add_col(l, "person_id", K_PID, 0, false);
	add_col(l, "kommune", K_KOMMUNE, 0, false);
	add_col(l, "aar", K_AAR, 0, false);
	add_col(l, "kjonn", K_KJONN, 0, false);
	add_col(l, "alder", K_ALDER, 0, false);
	add_col(l, "rusproblem", K_RUSPROBLEM, 0, false);
	add_col(l, "psykisk_problem", K_PSYKPROBLEM, 0, false);
	for (int i = 0; i < BP_NAREA; i++)
		add_col(l, bp_area_names[i], K_AREA, i, false);
	for (int i = 0; i < BP_NSUB; i++)
		add_col(l, bp_substance_names[i], K_SUBSTANCE, i, false);
	for (int i = 0; i < BP_NDETAIL; i++, k++)
		if (keep[k])
			add_col(l, bp_detail_names[i], K_DETAIL, i, true);
	for (int i = 0; i < BP_NFLAG; i++, k++)
		if (keep[k])
			add_col(l, bp_flag_names[i], K_FLAG, i, true);
	static const struct { const char *name; enum kind kind; } other[] = {
		{ "antall_barn", K_ANTALL_BARN }, { "vold", K_VOLD }, { "fengsel", K_FENGSEL },
		{ "utdanning", K_UTDANNING }, { "fodeland", K_FODELAND },
	};
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++, k++)
		if (keep[k])
			add_col(l, other[i].name, other[i].kind, 0, true);
	for (int i = 0; i < BP_NSVC; i++, k++)
		if (keep[k])
			add_col(l, bp_services[i].column, K_SERVICE, i, true);
}

static void
layout_draw(struct layout *l, struct gen *g, const struct bp_sample_opts *o)
{
	layout_columns(l, g, o->optional);
	bool shuffle = chance(g, 0.25);
	l->crlf = chance(g, 0.2);
	l->bom = chance(g, 0.1);
	if (o->plain) {
		shuffle = l->crlf = l->bom = false;
		return;
	}
	if (!shuffle)
		return;
	for (int i = l->ncol - 1; i > 0; i--) {
		int j = (int)below(g, (uint32_t)i + 1);
		struct col t = l->col[i];
		l->col[i] = l->col[j];
		l->col[j] = t;
	}
}

/* ---- one person ---- */

struct person {
	char pid[12];
	char kjonn;
	int alder;
	bool rus, psyk;
	double sev;
	int area[BP_NAREA];
	int detail[BP_NDETAIL];
	int substance[BP_NSUB];    /* -1 for non-substance users */
	int flag[BP_NFLAG];        /* 0 N, 1 J */
	int antall_barn, vold, fengsel, utdanning;
	const char *fodeland;
	uint32_t svc[BP_NSVC];
};

enum { G_RUS, G_RUS_PSYK, G_PSYK };

/*
 * Cumulative shares (gronn, gronn + gul) of each area; psykisk_helse and
 * rusmiddelbruk depend on the user group (rus, rus_psyk, psyk). Persons
 * with psykisk_problem N are never rod on psykisk_helse.
 */
static const double area_cum[BP_NAREA][2] = {
	[BP_AREA_BOLIG] = { 0.65, 0.91 },
	[BP_AREA_OKONOMI] = { 0.35, 0.83 },
	[BP_AREA_AKTIVITET] = { 0.22, 0.62 },
	[BP_AREA_FYSISK_HELSE] = { 0.46, 0.90 },
	[BP_AREA_SOSIAL_FUNGERING] = { 0.40, 0.88 },
	[BP_AREA_NETTVERK] = { 0.35, 0.87 },
};
static const double psyk_cum[3][2] = { { 0.55, 1.0 }, { 0.10, 0.72 }, { 0.15, 0.72 } };
static const double rus_cum[3][2] = { { 0.30, 0.82 }, { 0.22, 0.72 }, { 0.92, 0.99 } };

/* Shares with betydelig or svaert_omfattende use among substance users
 * (seed 000: alcohol 57, cannabis 38, sentralstimulerende 30, heroin 8,
 * LAR medicines 8, other medicines 27 percent). */
static const double heavy_share[BP_NSUB] = { 0.57, 0.38, 0.08, 0.30, 0.08, 0.27, 0.05 };

/* Flags: share J among substance users and among the others. */
static const double flag_share[BP_NFLAG][2] = {
	[BP_FLAG_INJISERER] = { 0.20, 0.01 },
	[BP_FLAG_LAR] = { 0.22, 0.0 },
	[BP_FLAG_OVERDOSE_TATT] = { 0.05, 0.01 },
	[BP_FLAG_OVERDOSE_FARE] = { 0.10, 0.01 },
	[BP_FLAG_SELVMORD_FORSOK] = { 0.04, 0.05 },
	[BP_FLAG_SELVMORD_FARE] = { 0.07, 0.08 },
	[BP_FLAG_KOGNITIVE_VANSKER] = { 0.15, 0.15 },
	[BP_FLAG_INDIVIDUELL_PLAN] = { 0.14, 0.16 },
	[BP_FLAG_TILTAKSPLAN] = { 0.30, 0.30 },
	[BP_FLAG_ANSVARSGRUPPE] = { 0.20, 0.18 },
	[BP_FLAG_KRISEPLAN] = { 0.10, 0.15 },
	[BP_FLAG_OMSORG_BARN] = { 0.06, 0.12 },
	[BP_FLAG_SAMVAER_BARN] = { 0.14, 0.10 },
	[BP_FLAG_BOR_ALENE] = { 0.71, 0.55 },
	[BP_FLAG_AKTIVITET_EGEN_REGI] = { 0.30, 0.35 },
	[BP_FLAG_AKTIVITET_KOMMUNAL] = { 0.25, 0.30 },
	[BP_FLAG_UTDANNING_PAGAR] = { 0.05, 0.08 },
};

/* Service codes: share of persons receiving each, by column (in the code
 * order of codes.c). tsb leans on substance users, phv on the others. */
static const double svc_nav[] = { 0.30, 0.06, 0.05, 0.08, 0.03, 0.35, 0.25, 0.40, 0.04, 0.08 };
static const double svc_kommune[] = { 0.50, 0.12, 0.08, 0.15, 0.10, 0.70, 0.20, 0.40,
	0.10, 0.03, 0.08, 0.01, 0.02, 0.01, 0.01, 0.02, 0.10, 0.02, 0.01, 0.01, 0.02,
	0.01, 0.01 };
static const double svc_tsb[] = { 0.04, 0.25, 0.05, 0.03, 0.03, 0.10 };
static const double svc_phv[] = { 0.04, 0.06, 0.25, 0.03, 0.04, 0.06 };
static const double svc_somatikk[] = { 0.10, 0.20, 0.08 };

static const double *const svc_share[BP_NSVC] = {
	svc_nav, svc_kommune, svc_tsb, svc_phv, svc_somatikk, svc_kommune,
};

static const char *const fodeland_other[] = {
	"SE", "PL", "SO", "IQ", "LT", "DK", "ER", "AF", "IR", "DE", "SY", "VN",
};

/* The latent cut points of each area for each user group, from the shares
 * above; computed once per file (probit is not cheap). */
struct thresholds {
	double t[BP_NAREA][3][2];
};

static void
thresholds_init(struct thresholds *th)
{
	for (int a = 0; a < BP_NAREA; a++)
		for (int grp = 0; grp < 3; grp++) {
			const double *cum = a == BP_AREA_PSYKISK_HELSE ? psyk_cum[grp] :
			    a == BP_AREA_RUSMIDDELBRUK ? rus_cum[grp] : area_cum[a];
			th->t[a][grp][0] = probit(cum[0]);
			th->t[a][grp][1] = probit(cum[1]);
		}
}

static void
draw_areas(struct gen *g, struct person *p, int grp, const struct thresholds *th)
{
	for (int a = 0; a < BP_NAREA; a++) {
		double u = 0.6 * p->sev + 0.8 * gauss(g);
		p->area[a] = u < th->t[a][grp][0] ? BP_GRONN : u < th->t[a][grp][1] ? BP_GUL : BP_ROD;
	}
	for (int d = 0; d < BP_NDETAIL; d++) {
		int v = p->area[BP_AREA_PSYKISK_HELSE];
		if (chance(g, 0.25))
			v += chance(g, 0.5) ? 1 : -1;
		p->detail[d] = v < BP_GRONN ? BP_GRONN : v > BP_ROD ? BP_ROD : v;
	}
}

static void
draw_substances(struct gen *g, struct person *p)
{
	int rm = p->area[BP_AREA_RUSMIDDELBRUK];
	double lean = rm == BP_ROD ? 1.35 : rm == BP_GUL ? 1.0 : 0.6;

	for (int s = 0; s < BP_NSUB; s++) {
		if (!p->rus) {
			p->substance[s] = -1;
			continue;
		}
		if (chance(g, clamp01(heavy_share[s] * lean)))
			p->substance[s] = chance(g, rm == BP_ROD ? 0.55 : 0.3) ?
			    BP_AMOUNT_SVAERT : BP_AMOUNT_BETYDELIG;
		else
			p->substance[s] = chance(g, 0.4) ? BP_AMOUNT_BESKJEDEN : BP_AMOUNT_INGEN;
	}
}

static void
draw_flags(struct gen *g, struct person *p)
{
	double lean = 1.0 + 0.3 * p->sev;

	for (int f = 0; f < BP_NFLAG; f++) {
		double base = flag_share[f][p->rus ? 0 : 1];
		if (f == BP_FLAG_BOR_ALENE || f == BP_FLAG_AKTIVITET_EGEN_REGI)
			p->flag[f] = chance(g, base);
		else
			p->flag[f] = chance(g, clamp01(base * lean));
	}
	if (p->flag[BP_FLAG_OMSORG_BARN] || p->flag[BP_FLAG_SAMVAER_BARN])
		p->antall_barn = 1 + (int)below(g, 3);
	else
		p->antall_barn = chance(g, 0.12) ? 1 + (int)below(g, 2) : 0;
}

static void
draw_other(struct gen *g, struct person *p)
{
	static const double vold_w[] = { 0.75, 0.12, 0.06, 0.07 };
	static const double fengsel_w[] = { 0.90, 0.08, 0.02 };
	static const double utd_w[] = { 0.45, 0.35, 0.10, 0.10 };
	const size_t nother = sizeof(fodeland_other) / sizeof(fodeland_other[0]);

	p->vold = pick(g, vold_w, BP_NVOLD);
	p->fengsel = pick(g, fengsel_w, BP_NFENGSEL);
	p->utdanning = pick(g, utd_w, BP_NUTD);
	p->fodeland = chance(g, 0.9) ? "NO" : fodeland_other[below(g, (uint32_t)nother)];
	for (int c = 0; c < BP_NSVC; c++) {
		double lean = 1.0 + 0.3 * p->sev;
		if (c == BP_SVC_TSB && !p->rus)
			lean *= 0.2;
		if (c == BP_SVC_PHV && !p->psyk)
			lean *= 0.3;
		if (c == BP_SVC_ANBEFALTE)
			lean *= 0.4;
		p->svc[c] = 0;
		for (size_t k = 0; k < bp_services[c].ncodes; k++)
			if (chance(g, clamp01(svc_share[c][k] * lean)))
				p->svc[c] |= 1u << k;
	}
}

/* Sex and age by group: ~74% men among substance users only, mean age ~42. */
static void
draw_demography(struct gen *g, struct person *p, int grp)
{
	static const double men[3] = { 0.74, 0.66, 0.52 };
	double a;

	p->kjonn = chance(g, men[grp]) ? 'M' : 'K';
	a = (grp == G_PSYK ? 44.0 : 41.0) + 12.5 * gauss(g);
	if (chance(g, 0.004))
		a = 16 + below(g, 2);
	p->alder = a < 18 ? 18 : a > 95 ? 95 : (int)a;
}

/* ---- person_id ---- */

static bool
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in(int y, int m)
{
	static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && leap(y) ? 29 : d[m - 1];
}

/* An individual number that fits the birth year (the century rule). */
static int
individual(struct gen *g, int by)
{
	if (by < 1900)
		return 500 + (int)below(g, 250);
	if (by < 1940)
		return (int)below(g, 500);
	if (by < 2000) {
		int v = (int)below(g, 600);
		return v < 500 ? v : 400 + v;   /* 000-499 or 900-999 */
	}
	return 500 + (int)below(g, 500);
}

/* The two mod-11 control digits of the nine first digits; -1 when none
 * exists for these nine (the number is then never issued). */
static int
control_digits(const int d[11])
{
	static const int w1[9] = { 3, 7, 6, 1, 8, 9, 4, 5, 2 };
	static const int w2[10] = { 5, 4, 3, 2, 7, 6, 5, 4, 3, 2 };
	int s = 0, k1, k2;

	for (int i = 0; i < 9; i++)
		s += w1[i] * d[i];
	k1 = (11 - s % 11) % 11;
	if (k1 == 10)
		return -1;
	s = 0;
	for (int i = 0; i < 9; i++)
		s += w2[i] * d[i];
	s += w2[9] * k1;
	k2 = (11 - s % 11) % 11;
	if (k2 == 10)
		return -1;
	return k1 * 10 + k2;
}

/*
 * A fødselsnummer (3% D-nummer: day + 40; 0.5% H-nummer: month + 40) of a
 * person aged alder at some date of year: born in year - alder (birthday
 * passed) or the year before (not yet).
 */
static void
draw_pid(struct gen *g, int year, int alder, char out[12])
{
	for (;;) {
		int by = year - alder - (int)below(g, 2);
		int m = 1 + (int)below(g, 12);
		int day = 1 + (int)below(g, (uint32_t)days_in(by, m));
		int ind = individual(g, by), d[11], kind = (int)below(g, 1000);
		int dd = day + (kind < 30 ? 40 : 0), mm = m + (kind >= 30 && kind < 35 ? 40 : 0);
		d[0] = dd / 10; d[1] = dd % 10; d[2] = mm / 10; d[3] = mm % 10;
		d[4] = (by % 100) / 10; d[5] = by % 10;
		d[6] = ind / 100; d[7] = (ind / 10) % 10; d[8] = ind % 10;
		int k = control_digits(d);
		if (k < 0)
			continue;
		d[9] = k / 10;
		d[10] = k % 10;
		for (int i = 0; i < 11; i++)
			out[i] = (char)('0' + d[i]);
		out[11] = '\0';
		return;
	}
}

/* ---- the duplicate set (11-digit numbers, never 0) ---- */

struct idset {
	uint64_t *v;
	size_t cap;   /* a power of two */
};

/* Allocates room for n ids at half load. The caller frees s->v. */
static int
idset_init(struct idset *s, unsigned long n)
{
	s->cap = 16;
	while (s->cap < 2 * (size_t)n)
		s->cap <<= 1;
	s->v = calloc(s->cap, sizeof(*s->v));
	return s->v ? 0 : -1;
}

/* Adds id; false when it was there already. */
static bool
idset_add(struct idset *s, uint64_t id)
{
	size_t i = (size_t)((id * 0x9e3779b97f4a7c15ULL) >> 20) & (s->cap - 1);

	while (s->v[i]) {
		if (s->v[i] == id)
			return false;
		i = (i + 1) & (s->cap - 1);
	}
	s->v[i] = id;
	return true;
}

static void
draw_person(struct gen *g, struct person *p, const struct bp_sample_opts *o,
    struct idset *ids, const struct thresholds *th)
{
	static const double grp_w[3] = { 0.40, 0.30, 0.30 };
	int grp = pick(g, grp_w, 3);

	memset(p, 0, sizeof(*p));
	p->rus = grp != G_PSYK;
	p->psyk = grp != G_RUS;
	p->sev = gauss(g);
	draw_demography(g, p, grp);
	draw_areas(g, p, grp, th);
	draw_substances(g, p);
	draw_flags(g, p);
	draw_other(g, p);
	do
		draw_pid(g, o->year, p->alder, p->pid);
	while (!idset_add(ids, strtoull(p->pid, NULL, 10)));
}

/* ---- writing ---- */

struct line {
	char b[8192];
	size_t n;
};

static void
put(struct line *l, const char *s)
{
	size_t k = strlen(s);
	if (l->n + k < sizeof(l->b)) {
		memcpy(l->b + l->n, s, k);
		l->n += k;
	}
}

/* The service codes of mask joined by '|' into buf. */
static void
services_text(int c, uint32_t mask, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t k = 0; k < bp_services[c].ncodes; k++) {
		if (!(mask & (1u << k)))
			continue;
		int w = snprintf(buf + n, len - n, "%s%s", n ? "|" : "", bp_services[c].codes[k]);
		if (w < 0 || (size_t)w >= len - n)
			return;
		n += (size_t)w;
	}
}

/* The text of one cell; "" for an empty one. */
static void
cell_text(struct gen *g, const struct col *c, const struct person *p,
    const struct bp_sample_opts *o, char *buf, size_t len)
{
	buf[0] = '\0';
	/* Optional cells are now and then left empty ("not recorded"). */
	if (c->optional && c->kind != K_SERVICE && chance(g, c->kind == K_DETAIL ? 0.10 : 0.03))
		return;
	switch (c->kind) {
	case K_PID: snprintf(buf, len, "%s", p->pid); break;
	case K_KOMMUNE: snprintf(buf, len, "%s", o->kommune); break;
	case K_AAR: snprintf(buf, len, "%d", o->year); break;
	case K_KJONN: snprintf(buf, len, "%c", p->kjonn); break;
	case K_ALDER: snprintf(buf, len, "%d", p->alder); break;
	case K_RUSPROBLEM: snprintf(buf, len, "%s", p->rus ? "J" : "N"); break;
	case K_PSYKPROBLEM: snprintf(buf, len, "%s", p->psyk ? "J" : "N"); break;
	case K_AREA: snprintf(buf, len, "%s", bp_level_names[p->area[c->idx]]); break;
	case K_DETAIL: snprintf(buf, len, "%s", bp_level_names[p->detail[c->idx]]); break;
	case K_SUBSTANCE:
		if (p->substance[c->idx] >= 0)
			snprintf(buf, len, "%s", bp_amount_names[p->substance[c->idx]]);
		break;
	case K_FLAG: snprintf(buf, len, "%s", p->flag[c->idx] ? "J" : "N"); break;
	case K_ANTALL_BARN: snprintf(buf, len, "%d", p->antall_barn); break;
	case K_VOLD: snprintf(buf, len, "%s", bp_vold_names[p->vold]); break;
	case K_FENGSEL: snprintf(buf, len, "%s", bp_fengsel_names[p->fengsel]); break;
	case K_UTDANNING: snprintf(buf, len, "%s", bp_utdanning_names[p->utdanning]); break;
	case K_FODELAND: snprintf(buf, len, "%s", p->fodeland); break;
	case K_SERVICE: services_text(c->idx, p->svc[c->idx], buf, len); break;
	}
}

/* Appends one field, quoted now and then to exercise RFC 4180 readers
 * (our codes never need quoting). Empty fields are never quoted. */
static void
put_field(struct gen *g, struct line *l, const char *text, bool plain)
{
	bool quote = chance(g, 0.02);
	if (quote && !plain && text[0] != '\0') {
		put(l, "\"");
		put(l, text);
		put(l, "\"");
	} else
		put(l, text);
}

static int
write_line(FILE *out, struct line *l, const struct layout *lay)
{
	put(l, lay->crlf ? "\r\n" : "\n");
	return fwrite(l->b, 1, l->n, out) == l->n ? 0 : -1;
}

static int
write_header(FILE *out, const struct layout *lay, char delim)
{
	struct line l = { .n = 0 };
	char d[2] = { delim, '\0' };

	if (lay->bom)
		put(&l, "\xEF\xBB\xBF");
	for (int i = 0; i < lay->ncol; i++) {
		if (i)
			put(&l, d);
		put(&l, lay->col[i].name);
	}
	return write_line(out, &l, lay);
}

static int
write_row(FILE *out, struct gen *g, const struct layout *lay,
    const struct person *p, const struct bp_sample_opts *o, char delim)
{
	struct line l = { .n = 0 };
	char d[2] = { delim, '\0' }, text[1024];

	for (int i = 0; i < lay->ncol; i++) {
		if (i)
			put(&l, d);
		cell_text(g, &lay->col[i], p, o, text, sizeof(text));
		put_field(g, &l, text, o->plain);
	}
	return write_line(out, &l, lay);
}

static bool
opts_valid(const struct bp_sample_opts *o)
{
	if (!o->kommune || strlen(o->kommune) != 4)
		return false;
	for (int i = 0; i < 4; i++)
		if (o->kommune[i] < '0' || o->kommune[i] > '9')
			return false;
	if (o->year < 1990 || o->year > 2100 || o->rows > BP_SAMPLE_MAX_ROWS)
		return false;
	if (o->delimiter != 0 && o->delimiter != ';' && o->delimiter != ',')
		return false;
	return o->optional == BP_SAMPLE_OPTIONAL_SEED || o->optional == BP_SAMPLE_OPTIONAL_ALL ||
	    o->optional == BP_SAMPLE_OPTIONAL_NONE;
}

int
bp_sample_write(FILE *out, const struct bp_sample_opts *o)
{
	struct gen g;
	struct layout lay;
	struct idset ids = { NULL, 0 };
	struct person p;
	struct thresholds th;
	char delim;
	int ret = -1, err = EIO;

	if (!out || !o || !opts_valid(o)) {
		err = EINVAL;
		goto out;
	}
	delim = o->delimiter ? o->delimiter : ';';
	if (idset_init(&ids, o->rows) < 0) {
		err = ENOMEM;
		goto out;
	}
	thresholds_init(&th);
	gen_seed(&g, o->seed, o->kommune, o->year);
	layout_draw(&lay, &g, o);
	if (write_header(out, &lay, delim) < 0)
		goto out;
	for (unsigned long r = 0; r < o->rows; r++) {
		draw_person(&g, &p, o, &ids, &th);
		if (write_row(out, &g, &lay, &p, o, delim) < 0)
			goto out;
		if ((r + 1) % 4096 == 0 || r + 1 == o->rows)
			bp_progress_report(&o->progress, "generating rows", r + 1, o->rows);
	}
	if (fflush(out) != 0 || ferror(out))
		goto out;
	ret = 0;
out:
	free(ids.v);
	if (ret < 0)
		errno = err;
	return ret;
}
