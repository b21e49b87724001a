/*
 * qatoms.c - atoms of the person classification as bitsets; see qatoms.h.
 *
 * The grid's cells are numbered in mixed radix over (user group,
 * rusmiddelbruk, psykisk_helse, six-area sum, age class, kjonn, lar, heavy);
 * the cells that no valid row falls in (rusproblem N with heavy use) have
 * no atom, the others are numbered in order. Each atom is classified with
 * bp_classify as N_VARIANT different rows of its class: variant 0 gives the
 * sets, the others only check that the sets stand for the whole class.
 */
#include "qatoms.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codes.h"
#include "export.h"
#include "measures.h"

#define MIN_AGE 16
#define MAX_AGE 110
#define N_AGES (MAX_AGE - MIN_AGE + 1)
#define N_UG 3       /* (rusproblem, psykisk_problem): JN, JJ, NJ */
#define UG_PSYK 2    /* the one with rusproblem N */
#define N_SIX 13     /* sum of the six other area scores, 0..12 */
#define N_KJONN 2
#define N_LAR 3      /* J, N, empty: the order of the lar categories */
#define N_HEAVY 2
#define N_VARIANT 3

/* Indicators whose category is a function of the grid's fields (qatoms.h). */
static const char *const determined_names[] = {
	"rusmiddelbruk", "psykisk_helse", "levekarsindeks8", "levekarsindeks6",
	"rop_skala", "rop", "brukergruppe", "rusgruppe", "kjonn", "alder7",
	"alder4", "storforbruker", "lar",
};

/* The six areas the grid knows only by their sum. */
static const int six_areas[6] = {
	BP_AREA_BOLIG, BP_AREA_OKONOMI, BP_AREA_AKTIVITET, BP_AREA_FYSISK_HELSE,
	BP_AREA_SOSIAL_FUNGERING, BP_AREA_NETTVERK,
};

/* One cell of the grid. */
struct cell {
	int ug, rm, ph, six, age, kjonn, lar, heavy;
};

struct bp_qatoms {
	size_t natoms, words, nind, nbd, ncells;
	int nage;
	int age_class[MAX_AGE + 1];   /* -1 below MIN_AGE */
	int age_rep[N_AGES][N_VARIANT]; /* lowest, highest, a middle member */
	long *cell_atom;              /* by cell number; -1 = no atom */
	unsigned char *atom_six;      /* by atom: its six-area sum */
	uint64_t *pool;               /* every set, zeroed */
	uint64_t **bd;                /* by breakdown: nval + 1 sets, or NULL */
	uint64_t **cat;               /* by indicator: ncat sets, or NULL */
	uint64_t **uni;               /* by indicator: one set, or NULL */
};

/* The age classes: one per distinct (alder7, alder4) pair over the valid ages. */
static void
age_classes(struct bp_qatoms *q)
{
	int key[N_AGES], n = 0;

	for (int a = 0; a < MIN_AGE; a++)
		q->age_class[a] = -1;
	for (int a = MIN_AGE; a <= MAX_AGE; a++) {
		int k = bp_alder7(a) * 64 + bp_alder4(a), c;
		for (c = 0; c < n && key[c] != k; c++)
			;
		if (c == n) {
			key[n++] = k;
			q->age_rep[c][0] = a;
		}
		q->age_rep[c][1] = a;
		q->age_class[a] = c;
	}
	for (int c = 0; c < n; c++) {
		int members = 0, k = 0;
		for (int a = MIN_AGE; a <= MAX_AGE; a++)
			members += q->age_class[a] == c;
		for (int a = MIN_AGE; a <= MAX_AGE; a++)
			if (q->age_class[a] == c && k++ == members / 2)
				q->age_rep[c][2] = a;
	}
	q->nage = n;
}

static size_t
cell_number(const struct bp_qatoms *q, const struct cell *c)
{
	size_t x = (size_t)c->ug;

	x = x * BP_NLEVEL + (size_t)c->rm;
	x = x * BP_NLEVEL + (size_t)c->ph;
	x = x * N_SIX + (size_t)c->six;
	x = x * (size_t)q->nage + (size_t)c->age;
	x = x * N_KJONN + (size_t)c->kjonn;
	x = x * N_LAR + (size_t)c->lar;
	return x * N_HEAVY + (size_t)c->heavy;
}

static void
cell_of_number(const struct bp_qatoms *q, size_t x, struct cell *c)
{
	c->heavy = (int)(x % N_HEAVY); x /= N_HEAVY;
	c->lar = (int)(x % N_LAR); x /= N_LAR;
	c->kjonn = (int)(x % N_KJONN); x /= N_KJONN;
	c->age = (int)(x % (size_t)q->nage); x /= (size_t)q->nage;
	c->six = (int)(x % N_SIX); x /= N_SIX;
	c->ph = (int)(x % BP_NLEVEL); x /= BP_NLEVEL;
	c->rm = (int)(x % BP_NLEVEL); x /= BP_NLEVEL;
	c->ug = (int)x;
}

/* Spreads sum over the six areas: from the first, from the last, or evenly. */
static void
fill_six(struct bp_row *r, int sum, int variant)
{
	for (int k = 0; k < 6; k++)
		r->area[six_areas[k]] = BP_GRONN;
	for (int k = 0; sum > 0; k = (k + 1) % 6) {
		int a = six_areas[variant == 1 ? 5 - k : k];
		int add = variant == 2 ? 1 : (sum < BP_ROD ? sum : BP_ROD);
		if (r->area[a] + add > BP_ROD)
			continue;
		r->area[a] = (int8_t)(r->area[a] + add);
		sum -= add;
	}
}

/* Substance amounts for a rusproblem J row, heavy or not, by variant. */
static void
fill_substances(struct bp_row *r, int heavy, int variant)
{
	for (int s = 0; s < BP_NSUB; s++) {
		int amt;
		if (heavy)
			amt = variant == 0 ? (s == BP_SUB_ALKOHOL ? BP_AMOUNT_BETYDELIG : BP_AMOUNT_INGEN) :
			    variant == 1 ? (s == BP_SUB_HEROIN ? BP_AMOUNT_SVAERT : BP_AMOUNT_BESKJEDEN) :
			    BP_AMOUNT_SVAERT;
		else
			amt = variant == 0 ? BP_AMOUNT_INGEN : variant == 1 ? BP_AMOUNT_BESKJEDEN :
			    (s % 2 ? BP_AMOUNT_BESKJEDEN : BP_AMOUNT_INGEN);
		r->substance[s] = (int8_t)amt;
	}
}

/* The columns no breakdown reads: empty (variant 0), low (1) or high (2). */
static void
fill_optional(struct bp_row *r, int variant)
{
	int8_t v = (int8_t)(variant - 1);   /* -1 empty, 0 low, 1 high */

	for (int d = 0; d < BP_NDETAIL; d++)
		r->detail[d] = variant ? (variant == 1 ? BP_GRONN : BP_ROD) : -1;
	for (int f = 0; f < BP_NFLAG; f++)
		if (f != BP_FLAG_LAR)
			r->flag[f] = v;
	r->vold = variant ? (variant == 1 ? BP_VOLD_INGEN : BP_VOLD_BEGGE) : -1;
	r->fengsel = variant ? (variant == 1 ? BP_FENGSEL_INGEN : BP_FENGSEL_I_FENGSEL) : -1;
	r->utdanning = variant ? (variant == 1 ? BP_UTD_GRUNNSKOLE : BP_UTD_HOYERE) : -1;
	r->antall_barn = variant ? (variant == 1 ? 0 : 3) : -1;
	strcpy(r->fodeland, variant ? (variant == 1 ? "NO" : "SE") : "");
	for (int c = 0; c < BP_NSVC; c++)
		r->services[c] = variant == 2 ? (uint32_t)((1ull << bp_services[c].ncodes) - 1) : 0;
}

/* Writes the variant-th representative row of cell c into r. */
static void
cell_row(const struct bp_qatoms *q, const struct cell *c, int variant, struct bp_row *r)
{
	static const char *const kommune[N_VARIANT] = { "0301", "4601", "5001" };
	static const int aar[N_VARIANT] = { 2016, 2015, 2024 };

	memset(r, 0, sizeof(*r));
	memcpy(r->kommune, kommune[variant], 5);
	r->aar = aar[variant];
	r->kjonn = c->kjonn ? 'K' : 'M';
	r->alder = q->age_rep[c->age][variant];
	r->rusproblem = c->ug != UG_PSYK;
	r->psykisk_problem = c->ug != 0;
	r->area[BP_AREA_RUSMIDDELBRUK] = (int8_t)c->rm;
	r->area[BP_AREA_PSYKISK_HELSE] = (int8_t)c->ph;
	fill_six(r, c->six, variant);
	if (r->rusproblem)
		fill_substances(r, c->heavy, variant);
	else
		memset(r->substance, -1, sizeof(r->substance));
	fill_optional(r, variant);
	r->flag[BP_FLAG_LAR] = (int8_t)(c->lar == 0 ? 1 : c->lar == 1 ? 0 : -1);
}

static bool
is_determined(size_t i)
{
	const struct bp_indicator *ind = bp_indicator_at(i);

	for (size_t k = 0; k < sizeof(determined_names) / sizeof(determined_names[0]); k++)
		if (strcmp(ind->name, determined_names[k]) == 0)
			return true;
	return false;
}

/*
 * Allocates the pointer arrays and the pool and points each set block into
 * it (kommunestorrelse and the indicators not determined get no category
 * block). Freed by bp_qatoms_free. 0 or -1.
 */
static int
alloc_sets(struct bp_qatoms *q)
{
	int kstr = bp_breakdown_find("kommunestorrelse");
	size_t nsets = q->nind, at = 0;

	for (size_t b = 0; b < q->nbd; b++)
		nsets += (int)b == kstr ? 0 : bp_breakdown_at(b)->nval + 1;
	for (size_t i = 0; i < q->nind; i++)
		nsets += is_determined(i) ? bp_indicator_at(i)->ncat : 0;
	q->bd = calloc(q->nbd, sizeof(*q->bd));
	q->cat = calloc(q->nind, sizeof(*q->cat));
	q->uni = calloc(q->nind, sizeof(*q->uni));
	q->pool = calloc(nsets * q->words, sizeof(*q->pool));
	if (!q->bd || !q->cat || !q->uni || !q->pool)
		return -1;
	for (size_t b = 0; b < q->nbd; b++) {
		if ((int)b == kstr)
			continue;
		q->bd[b] = q->pool + at;
		at += (bp_breakdown_at(b)->nval + 1) * q->words;
	}
	for (size_t i = 0; i < q->nind; i++) {
		q->uni[i] = q->pool + at;
		at += q->words;
		if (is_determined(i)) {
			q->cat[i] = q->pool + at;
			at += bp_indicator_at(i)->ncat * q->words;
		}
	}
	return 0;
}

static void
set_bit(uint64_t *set, size_t a)
{
	set[a / 64] |= (uint64_t)1 << (a % 64);
}

/* Adds atom a, classified as c, to its sets; drops the blocks c cannot fit. */
static void
add_atom(struct bp_qatoms *q, size_t a, const struct bp_class *c)
{
	for (size_t b = 0; b < q->nbd; b++) {
		size_t nval = bp_breakdown_at(b)->nval;
		int v = c->val[b];
		if (!q->bd[b])
			continue;
		if (v >= (int)nval)
			q->bd[b] = NULL;
		else
			set_bit(q->bd[b] + (v < 0 ? nval : (size_t)v) * q->words, a);
	}
	for (size_t i = 0; i < q->nind; i++) {
		int k = c->cat[i];
		if (k >= (int)bp_indicator_at(i)->ncat) {
			q->cat[i] = q->uni[i] = NULL;
			continue;
		}
		if (q->uni[i] && k >= 0)
			set_bit(q->uni[i], a);
		if (q->cat[i] && k >= 0)
			set_bit(q->cat[i] + (size_t)k * q->words, a);
	}
}

/* Drops the sets on which another row of the same class disagrees with c0. */
static void
check_variant(struct bp_qatoms *q, const struct bp_class *c0, const struct bp_class *cv)
{
	for (size_t b = 0; b < q->nbd; b++)
		if (cv->val[b] != c0->val[b])
			q->bd[b] = NULL;
	for (size_t i = 0; i < q->nind; i++) {
		if (cv->cat[i] != c0->cat[i])
			q->cat[i] = NULL;
		if ((cv->cat[i] >= 0) != (c0->cat[i] >= 0))
			q->uni[i] = NULL;
	}
}

/* Classifies every atom's rows. 0, or -1 (EINVAL) when a representative
 * row does not fall in its own cell (the grid no longer fits measures.c). */
static int
classify_atoms(struct bp_qatoms *q, const struct bp_measure_settings *s)
{
	struct bp_row r;
	struct bp_class c0, cv;
	struct cell c;

	for (size_t x = 0; x < q->ncells; x++) {
		long a = q->cell_atom[x];
		if (a < 0)
			continue;
		cell_of_number(q, x, &c);
		for (int v = 0; v < N_VARIANT; v++) {
			cell_row(q, &c, v, &r);
			if (bp_qatoms_of_row(q, &r) != a) {
				errno = EINVAL;
				return -1;
			}
			bp_classify(&r, NULL, s, v ? &cv : &c0);
			if (v == 0)
				add_atom(q, (size_t)a, &c0);
			else
				check_variant(q, &c0, &cv);
		}
	}
	return 0;
}

/*
 * Builds the grid and its sets for settings s. On success *out is the
 * caller's, freed with bp_qatoms_free; on failure *out is NULL and errno is
 * ENOMEM, or EINVAL when the grid no longer fits measures.c (a bug).
 */
int
bp_qatoms_build(const struct bp_measure_settings *s, struct bp_qatoms **out)
{
	struct bp_qatoms *q;
	struct cell c;
	int ret = -1;

	*out = NULL;
	if (!(q = calloc(1, sizeof(*q))))
		goto out;
	age_classes(q);
	q->nind = bp_n_indicators();
	q->nbd = bp_n_breakdowns();
	q->ncells = (size_t)N_UG * BP_NLEVEL * BP_NLEVEL * N_SIX * (size_t)q->nage *
	    N_KJONN * N_LAR * N_HEAVY;
	if (!(q->cell_atom = calloc(q->ncells, sizeof(*q->cell_atom))) ||
	    !(q->atom_six = malloc(q->ncells)))
		goto out;
	for (size_t x = 0; x < q->ncells; x++) {
		cell_of_number(q, x, &c);
		if (c.ug == UG_PSYK && c.heavy) {
			q->cell_atom[x] = -1;
			continue;
		}
		q->atom_six[q->natoms] = (unsigned char)c.six;
		q->cell_atom[x] = (long)q->natoms++;
	}
	q->words = (q->natoms + 63) / 64;
	if (alloc_sets(q) == -1 || classify_atoms(q, s) == -1)
		goto out;
	*out = q;
	q = NULL;
	ret = 0;
out:
	bp_qatoms_free(q);
	return ret;
}

void
bp_qatoms_free(struct bp_qatoms *q)
{
	if (!q)
		return;
	free(q->cell_atom);
	free(q->atom_six);
	free(q->pool);
	free(q->bd);
	free(q->cat);
	free(q->uni);
	free(q);
}

size_t
bp_qatoms_count(const struct bp_qatoms *q)
{
	return q->natoms;
}

size_t
bp_qatoms_words(const struct bp_qatoms *q)
{
	return q->words;
}

int
bp_qatoms_six_sum(const struct bp_qatoms *q, size_t a)
{
	return a < q->natoms ? q->atom_six[a] : -1;
}

const uint64_t *
bp_qatoms_breakdown(const struct bp_qatoms *q, size_t b, size_t v)
{
	if (b >= q->nbd || !q->bd[b] || v > bp_breakdown_at(b)->nval)
		return NULL;
	return q->bd[b] + v * q->words;
}

const uint64_t *
bp_qatoms_universe(const struct bp_qatoms *q, size_t i)
{
	return i < q->nind ? q->uni[i] : NULL;
}

const uint64_t *
bp_qatoms_category(const struct bp_qatoms *q, size_t i, size_t c)
{
	if (i >= q->nind || !q->cat[i] || c >= bp_indicator_at(i)->ncat)
		return NULL;
	return q->cat[i] + c * q->words;
}

/* A score 0..2, or -1. */
static int
level(int8_t v)
{
	return v >= BP_GRONN && v <= BP_ROD ? v : -1;
}

long
bp_qatoms_of_row(const struct bp_qatoms *q, const struct bp_row *r)
{
	struct cell c;
	int f = r->flag[BP_FLAG_LAR];

	if (!r->rusproblem && !r->psykisk_problem)
		return -1;
	if (r->alder < MIN_AGE || r->alder > MAX_AGE || (r->kjonn != 'M' && r->kjonn != 'K'))
		return -1;
	c.ug = !r->rusproblem ? UG_PSYK : r->psykisk_problem ? 1 : 0;
	c.rm = level(r->area[BP_AREA_RUSMIDDELBRUK]);
	c.ph = level(r->area[BP_AREA_PSYKISK_HELSE]);
	if (c.rm < 0 || c.ph < 0)
		return -1;
	c.six = 0;
	for (int k = 0; k < 6; k++) {
		int l = level(r->area[six_areas[k]]);
		if (l < 0)
			return -1;
		c.six += l;
	}
	c.age = q->age_class[r->alder];
	c.kjonn = r->kjonn == 'K';
	c.lar = f < 0 ? 2 : f ? 0 : 1;
	c.heavy = r->rusproblem && bp_heavy_count(r, false) > 0;
	return q->cell_atom[cell_number(q, &c)];
}
