/*
 * release_attack [--registry FILE] [--earlier DIR [--changed K1,K2,...]]
 *                [--cells FILE] [--max-only] [--coarse] [--ages]
 *                [--free-index] [--screen] [--explain CELL] [--mip]
 *                [--mip-max-cols N] [--time-limit SEC] RELEASE-DIR
 *
 * An outside intruder of a whole bpagg release (see release_attack.h for
 * the model). Reads tables.csv, sums.csv, coverage.csv and release.json of
 * RELEASE-DIR and the public kommune registry (--registry, else
 * $BPAGG_REGISTRY), states every relation the manual pages give:
 *   - a line's categories sum to its i_alt (an indicator's categories
 *     partition its persons; substances and rusgruppe count rusproblem J);
 *   - a breakdown's values partition the persons (rusgruppe: rusproblem J;
 *     rop_skala, rop, brukergruppe, rusgruppe, kjonn, alder7, alder4 are
 *     functions of the grid, so "rop ja = the three ROP values", "alder4
 *     60p = 60_69 + 70p" and every cross relation hold by construction);
 *   - the same quantity printed in two tables is one unknown (kjonn__rop
 *     and rop__kjonn; an i_alt and the count of persons; sums.csv's count
 *     of alder);
 *   - fylke = sum of its reporting kommuner, nasjonal = sum of fylker (or
 *     of kommuner), atom by atom; a kommunestorrelse cell is the sum of the
 *     kommuner of that size class (registry: innbyggere);
 *   - a hidden printed cell is >= 1 unless suppress_zero, every unknown
 *     >= 0; a sum measure's count is a subset of its domain;
 *   - <substance>_tung ja = betydelig + svaert_omfattende, nei = ingen +
 *     beskjeden (bpagg-measures(7); release_attack_model.c, derived_rows);
 *     storforbruker ja (some substance heavy) is at least each
 *     <substance>_tung ja and, where all seven are printed, at most their
 *     sum (same area and breakdown value). lar is a flag of its own: free.
 *   - a printed sum of sums.csv that counts adds up table cells of its
 *     area and breakdown value: antall_rusmidler the seven <substance>_tung
 *     ja, antall_illegale the six without alkohol, antall_tjenester_X the
 *     ja cells of column X's codes (bpagg-measures(7), bpagg-sample(5));
 *     an equation where every term is printed, else the printed terms are
 *     at most the sum (release_attack_model.c, sum_rows);
 *   - levekarsindeks6 and 8 are the classes of the mean area score
 *     (bpagg-measures(7); release.json's cut points): per class of persons
 *     the combinations of colours of the six areas the grid lacks, tied to
 *     their counts and both indexes (release_attack_index.c); with
 *     --free-index the indexes are variables of their own.
 * With --earlier, an intruder who also holds an earlier release of the year
 * (a republished year, bpagg-publish(1)): one model of both. The earlier
 * release's nation and fylker are areas of their own, coded "E:" + code
 * (in the output too); so are its kommuner that the later release lacks
 * or that --changed names (resubmitted between the two: the intruder is
 * granted that knowledge). Every other kommune is the same area in both,
 * under both nations and both fylker: its cells printed in both are one
 * quantity (unchanged data, same figures).
 * With --coarse each level has only the subsets it and the levels below
 * need (its own atoms; the areas above are sums over them): a smaller,
 * weaker model (a lower level's relations then miss the finest subsets),
 * for large releases.
 * With --ages, also what a printed sum of ages tells by inequality: it
 * lies between the persons of each age class times the class's bounds
 * (alder 16 to 110 in the export format; 70p up to 110).  Not by default:
 * bpagg's model has no such relation (bpagg-publish(1), model 18), and
 * bench/attack_sweep.sh (SWEEP_RA_OPTS=--ages) measures what it adds.
 * Then, for every hidden printed cell, the LP interval [lo, hi] (with
 * --mip, GLPK's integer optimum on components of at most --mip-max-cols
 * columns). Output CSV on standard output:
 *   level,area,table,category,breakdown_value,lo,hi
 * (hi "inf" when unbounded; a sums.csv count as table MEASURE__BREAKDOWN,
 * category "count"). A summary on standard error. Exit 0; 2 when the model
 * contradicts the published cells (a relation stated by the manual pages
 * does not hold: a bug of bpagg, of the manual, or of this model; the
 * failing relation is named; with --earlier, also a kommune whose data
 * changed but --changed does not name, when its printed figures show it);
 * 3 when the time limit stopped it;
 * 1 on errors (also: the two releases differ in min_cell, suppress_zero,
 * rop_definition or the indexes' cut points).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "release_attack.h"

/* ---------------------------------------------------------------- grid */

enum { GV_ROP_SKALA, GV_ROP, GV_BRUKERGRUPPE, GV_RUSGRUPPE, GV_KJONN,
	GV_ALDER7, GV_ALDER4, GV_PSYKISK_HELSE, GV_RUSMIDDELBRUK, GV_N };

static const char *gv_name[GV_N] = { "rop_skala", "rop", "brukergruppe",
	"rusgruppe", "kjonn", "alder7", "alder4", "psykisk_helse",
	"rusmiddelbruk" };
static const char *gv_vals[GV_N][8] = {
	{ "ikke_rop", "gul_rod", "rod_gul", "rod_rod", "ikke_aktuelt" },
	{ "ja", "nei" },
	{ "rus", "rus_psyk", "psyk" },
	{ "uten_psyk", "mindre_alvorlig_psyk", "alvorlig_psyk" },
	{ "M", "K" },
	{ "u24", "24_29", "30_39", "40_49", "50_59", "60_69", "70p" },
	{ "u24", "24_44", "45_59", "60p" },
	{ "gronn", "gul", "rod" },
	{ "gronn", "gul", "rod" },
};

static int rop_def = 2016;

/* g = ((((rp*2+pp)*3+ph)*3+rm)*2+kj)*8+age; rp, pp: 0 J, 1 N; ph, rm:
 * gronn, gul, rod; age classes u24, 24-29, 30-39, 40-44, 45-49, 50-59,
 * 60-69, 70+. */
static void
grid_fields(int g, int *rp, int *pp, int *ph, int *rm, int *kj, int *age)
{
	*age = g % 8; g /= 8;
	*kj = g % 2; g /= 2;
	*rm = g % 3; g /= 3;
	*ph = g % 3; g /= 3;
	*pp = g % 2; g /= 2;
	*rp = g;
}

int
bp_ra_grid_valid(int g)
{
	int rp, pp, ph, rm, kj, age;
	grid_fields(g, &rp, &pp, &ph, &rm, &kj, &age);
	return !(rp == 1 && pp == 1); /* bpagg-export(5): at least one is J */
}

int
bp_ra_grid_score(int g)
{
	int rp, pp, ph, rm, kj, age;
	grid_fields(g, &rp, &pp, &ph, &rm, &kj, &age);
	return ph + rm; /* bpagg-measures(7): gronn 0, gul 1, rod 2 */
}

static int
grid_j(int g)
{
	return g / (8 * 2 * 3 * 3 * 2) == 0;
}

/* The value of grid variable v at point g, -1 when not counted. */
static int
gv_value(int v, int g)
{
	int rp, pp, ph, rm, kj, age, rs;
	static const int a7[8] = { 0, 1, 2, 3, 3, 4, 5, 6 };
	static const int a4[8] = { 0, 1, 1, 1, 2, 2, 3, 3 };
	grid_fields(g, &rp, &pp, &ph, &rm, &kj, &age);
	if (rp == 1)
		rs = 4;
	else if (rm == 2 && ph == 2)
		rs = 3;
	else if (rm == 2 && ph == 1)
		rs = 2;
	else if (rm == 1 && ph == 2)
		rs = 1;
	else if (rop_def == 2015 && rm == 0 && ph == 2)
		rs = 1;
	else
		rs = 0;
	switch (v) {
	case GV_ROP_SKALA: return rs;
	case GV_ROP: return (rs >= 1 && rs <= 3) ? 0 : 1;
	case GV_BRUKERGRUPPE: return rp == 0 ? (pp == 0 ? 1 : 0) : 2;
	case GV_RUSGRUPPE:
		if (rp == 1)
			return -1;
		return ph == 2 ? 2 : (pp == 0 ? 1 : 0);
	case GV_KJONN: return kj;
	case GV_ALDER7: return a7[age];
	case GV_ALDER4: return a4[age];
	case GV_PSYKISK_HELSE: return ph;
	case GV_RUSMIDDELBRUK: return rm;
	}
	return -1;
}

int
bp_ra_set_has(const bp_ra_set *s, int g)
{
	return (s->w[g / 64] >> (g % 64)) & 1;
}

static void
set_add(bp_ra_set *s, int g)
{
	s->w[g / 64] |= (uint64_t)1 << (g % 64);
}

int
bp_ra_set_empty(const bp_ra_set *s)
{
	for (int i = 0; i < BP_RA_WORDS; i++)
		if (s->w[i])
			return 0;
	return 1;
}

void
bp_ra_set_and(bp_ra_set *a, const bp_ra_set *b)
{
	for (int i = 0; i < BP_RA_WORDS; i++)
		a->w[i] &= b->w[i];
}

int
bp_ra_set_eq(const bp_ra_set *a, const bp_ra_set *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static bp_ra_set
set_where(int v, int val)
{
	bp_ra_set s;
	memset(&s, 0, sizeof(s));
	for (int g = 0; g < BP_RA_NGRID; g++)
		if (bp_ra_grid_valid(g) && (v < 0 ? (val == 0 || grid_j(g)) : gv_value(v, g) == val))
			set_add(&s, g);
	return s;
}

static int
gv_find(const char *name)
{
	for (int v = 0; v < GV_N; v++)
		if (strcmp(gv_name[v], name) == 0)
			return v;
	return -1;
}

static int
gv_val(int v, const char *val)
{
	for (int i = 0; i < 8 && gv_vals[v][i]; i++)
		if (strcmp(gv_vals[v][i], val) == 0)
			return i;
	return -1;
}

/* ------------------------------------------------------------- helpers */

void *
bp_ra_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fprintf(stderr, "release_attack: out of memory\n");
		exit(1);
	}
	return q;
}

static char *
xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d) {
		fprintf(stderr, "release_attack: out of memory\n");
		exit(1);
	}
	return d;
}

const char *
bp_ra_level_name(int level)
{
	static const char *n[BP_RA_LEVELS] = { "nasjonal", "fylke", "kommune" };
	return n[level];
}

static int
level_of(const char *s)
{
	for (int l = 0; l < BP_RA_LEVELS; l++)
		if (strcmp(s, bp_ra_level_name(l)) == 0)
			return l;
	return -1;
}

/* Splits a CSV line with no quoted fields in place; returns the count. */
static int
split(char *line, char **f, int max)
{
	int n = 0;
	line[strcspn(line, "\r\n")] = '\0';
	f[n++] = line;
	for (char *p = line; *p && n < max; p++)
		if (*p == ',') {
			*p = '\0';
			f[n++] = p + 1;
		}
	return n;
}

static int
area_index(struct bp_ra_model *m, int level, const char *code, int add)
{
	int rel = m->reading ? m->reading : 1;
	for (int i = 0; i < m->nareas[level]; i++)
		if (strcmp(m->areas[level][i], code) == 0) {
			if (add)
				m->area_rel[level][i] |= rel;
			return i;
		}
	if (!add)
		return -1;
	m->areas[level] = bp_ra_xrealloc(m->areas[level], (m->nareas[level] + 1) * sizeof(char *));
	m->area_rel[level] = bp_ra_xrealloc(m->area_rel[level], (m->nareas[level] + 1) * sizeof(int));
	m->areas[level][m->nareas[level]] = xstrdup(code);
	m->area_rel[level][m->nareas[level]] = rel;
	return m->nareas[level]++;
}

static int
in_list(const char *list, const char *code)
{
	size_t n = strlen(code);
	for (const char *p = list; p && *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] != '\0'))
		if (strcspn(p, ",") == n && strncmp(p, code, n) == 0)
			return 1;
	return 0;
}

/* The model's code of an area of the release being read: the earlier
 * release's nation and fylker are others than the later one's ("E:" code);
 * so is a kommune of it that changed or that the later release lacks. */
static const char *
area_code(struct bp_ra_model *m, int level, const char *code, char *buf, size_t len)
{
	if (m->reading != 2 || (level == 2 && !in_list(m->changed, code) &&
	    area_index(m, 2, code, 0) >= 0))
		return code;
	snprintf(buf, len, "E:%s", code);
	return buf;
}

/* ------------------------------------------------------------ variables */

static int
is_substance_j(const char *name)
{
	static const char *subst[] = { "alkohol", "cannabis", "heroin",
		"sentralstimulerende", "lar_legemidler", "andre_legemidler",
		"annet_rusmiddel", "antall_rusmidler", "antall_illegale", NULL };
	for (int i = 0; subst[i]; i++) {
		size_t n = strlen(subst[i]);
		if (strncmp(name, subst[i], n) == 0 &&
		    (name[n] == '\0' || strcmp(name + n, "_tung") == 0))
			return 1;
	}
	return 0;
}

int
bp_ra_var_find(struct bp_ra_model *m, const char *name, int add)
{
	for (int i = 0; i < m->nvars; i++)
		if (strcmp(m->vars[i].name, name) == 0)
			return i;
	if (!add)
		return -1;
	m->vars = bp_ra_xrealloc(m->vars, (m->nvars + 1) * sizeof(*m->vars));
	struct bp_ra_var *v = &m->vars[m->nvars];
	memset(v, 0, sizeof(*v));
	v->name = xstrdup(name);
	v->dom_j = is_substance_j(name);
	v->ksize = strcmp(name, "kommunestorrelse") == 0;
	return m->nvars++;
}

int
bp_ra_var_value(struct bp_ra_model *m, int var, const char *val)
{
	struct bp_ra_var *v = &m->vars[var];
	for (int i = 0; i < v->nvals; i++)
		if (strcmp(v->vals[i], val) == 0)
			return i;
	v->vals = bp_ra_xrealloc(v->vals, (v->nvals + 1) * sizeof(char *));
	v->vals[v->nvals] = xstrdup(val);
	return v->nvals++;
}

/* ------------------------------------------------------------- families */

static int
fam_find(struct bp_ra_model *m, int nc, const int *cv, const int *cw)
{
	uint64_t hk = (uint64_t)nc;
	for (int i = 0; i < nc; i++)
		hk = (hk << 20) | ((uint64_t)cv[i] << 8) | (uint64_t)cw[i];
	if (!m->fam_hash)
		m->fam_hash = bp_ra_xrealloc(NULL, sizeof(struct bp_ra_hash)),
		memset(m->fam_hash, 0, sizeof(struct bp_ra_hash));
	int f = bp_ra_hash_get(m->fam_hash, hk);
	if (f >= 0)
		return f;
	bp_ra_hash_put(m->fam_hash, hk, m->nfams);
	m->fams = bp_ra_xrealloc(m->fams, (m->nfams + 1) * sizeof(*m->fams));
	struct bp_ra_family *F = &m->fams[m->nfams];
	memset(F, 0, sizeof(*F));
	F->nc = nc;
	memcpy(F->cv, cv, nc * sizeof(int));
	memcpy(F->cw, cw, nc * sizeof(int));
	return m->nfams++;
}

int
bp_ra_fam_gen(struct bp_ra_family *F, int L, const bp_ra_set *s, int *changed)
{
	for (int i = 0; i < F->ngens[L]; i++)
		if (bp_ra_set_eq(&F->gens[L][i], s))
			return i;
	if (F->ngens[L] == F->capgens[L]) {
		F->capgens[L] = F->capgens[L] ? 2 * F->capgens[L] : 8;
		F->gens[L] = bp_ra_xrealloc(F->gens[L], F->capgens[L] * sizeof(bp_ra_set));
	}
	F->gens[L][F->ngens[L]] = *s;
	if (changed)
		*changed = 1;
	return F->ngens[L]++;
}

/* Family of the conditions (unsorted, at most BP_RA_MAXCOND, a variable at
 * most once: two different values of one variable make an empty set,
 * returned as -2). */
static int
fam_of(struct bp_ra_model *m, int nc, int *cv, int *cw)
{
	for (int i = 0; i < nc; i++)
		for (int j = i + 1; j < nc; j++)
			if (cv[j] < cv[i] || (cv[j] == cv[i] && cw[j] < cw[i])) {
				int t = cv[i]; cv[i] = cv[j]; cv[j] = t;
				t = cw[i]; cw[i] = cw[j]; cw[j] = t;
			}
	int k = 0;
	for (int i = 0; i < nc; i++) {
		if (k && cv[k - 1] == cv[i]) {
			if (cw[k - 1] != cw[i])
				return -2;
			continue;
		}
		cv[k] = cv[i];
		cw[k] = cw[i];
		k++;
	}
	return fam_find(m, k, cv, cw);
}

int
bp_ra_fam_single(struct bp_ra_model *m, int var, int val)
{
	return fam_find(m, 1, &var, &val);
}

/* The family without its condition i, or with value w for it. */
int
bp_ra_fam_variant(struct bp_ra_model *m, int f, int i, int w)
{
	int cv[BP_RA_MAXCOND], cw[BP_RA_MAXCOND], n = 0;
	struct bp_ra_family F = m->fams[f];
	for (int j = 0; j < F.nc; j++) {
		if (j == i && w < 0)
			continue;
		cv[n] = F.cv[j];
		cw[n] = j == i ? w : F.cw[j];
		n++;
	}
	return fam_find(m, n, cv, cw);
}

bp_ra_set
bp_ra_dom_of(const struct bp_ra_var *v)
{
	return set_where(-1, v->dom_j ? 1 : 0);
}

/* ---------------------------------------------------------------- input */

/* Keeps a printed sum of sums.csv for the rows it states (sum_rows). */
static void
add_sum(struct bp_ra_model *m, int level, const char *area, const char *measure,
    const char *bd, const char *bval, const char *sum)
{
	m->sums = bp_ra_xrealloc(m->sums, (m->nsums + 1) * sizeof(*m->sums));
	struct bp_ra_sum *S = &m->sums[m->nsums++];
	S->level = level;
	S->area = strdup(area);
	S->measure = strdup(measure);
	S->bd = strdup(bd);
	S->bval = strdup(bval);
	S->value = strcmp(sum, ":") ? atol(sum) : -1;
	if (!S->area || !S->measure || !S->bd || !S->bval) {
		perror("release_attack");
		exit(1);
	}
}

static int
add_cell(struct bp_ra_model *m, int level, const char *area, const char *table,
    const char *ind, const char *cat, const char *bd, const char *bval,
    const char *count, int is_sum)
{
	int cv[BP_RA_MAXCOND], cw[BP_RA_MAXCOND], nc = 0;
	bp_ra_set s = set_where(-1, 0);
	int gi = gv_find(ind);
	if (is_sum && strcmp(ind, "alder") == 0) {
		/* bpagg-publish(1): the count of alder is the count of persons */
	} else if (is_sum) {
		int v = bp_ra_var_find(m, ind, 1);
		bp_ra_var_value(m, v, "norec"); /* persons without it: never printed */
		cv[nc] = v; cw[nc++] = bp_ra_var_value(m, v, "rec");
		bp_ra_set d = bp_ra_dom_of(&m->vars[v]);
		bp_ra_set_and(&s, &d);
	} else if (gi >= 0) {
		if (strcmp(cat, "i_alt") != 0) {
			int val = gv_val(gi, cat);
			if (val < 0)
				goto unknown;
			bp_ra_set w = set_where(gi, val);
			bp_ra_set_and(&s, &w);
		} else if (gi == GV_RUSGRUPPE) {
			bp_ra_set d = set_where(-1, 1);
			bp_ra_set_and(&s, &d);
		}
	} else {
		int v = bp_ra_var_find(m, ind, 1);
		bp_ra_set d = bp_ra_dom_of(&m->vars[v]);
		bp_ra_set_and(&s, &d);
		if (strcmp(cat, "i_alt") != 0) {
			cv[nc] = v;
			cw[nc++] = bp_ra_var_value(m, v, cat);
		}
	}
	int gb = gv_find(bd);
	if (strcmp(bd, "total") == 0) {
		if (strcmp(bval, "alle") != 0)
			goto unknown;
	} else if (gb >= 0) {
		int val = gv_val(gb, bval);
		if (val < 0)
			goto unknown;
		bp_ra_set w = set_where(gb, val);
		bp_ra_set_and(&s, &w);
	} else {
		int v = bp_ra_var_find(m, bd, 1);
		cv[nc] = v;
		cw[nc++] = bp_ra_var_value(m, v, bval);
	}
	m->cells = bp_ra_xrealloc(m->cells, (m->ncells + 1) * sizeof(*m->cells));
	struct bp_ra_cell *c = &m->cells[m->ncells];
	c->level = level;
	c->area = xstrdup(area);
	c->table = xstrdup(table);
	c->cat = xstrdup(cat);
	c->bval = xstrdup(bval);
	c->value = strcmp(count, ":") == 0 ? -1 : atol(count);
	int f = fam_of(m, nc, cv, cw);
	if (f == -2 || bp_ra_set_empty(&s)) {
		/* an empty set: the cell is 0 by definition */
		c->key = -1;
		if (c->value > 0) {
			fprintf(stderr, "release_attack: RELATION FAILS: %s %s %s %s,%s is %ld, "
			    "but it counts no person by definition\n",
			    bp_ra_level_name(level), area, table, cat, bval, c->value);
			m->errors++;
		}
		m->ncells++;
		return 0;
	}
	int a = area_index(m, level, area, 0);
	if (a < 0) {
		fprintf(stderr, "release_attack: %s %s has cells but no reporting kommune in coverage.csv\n",
		    bp_ra_level_name(level), area);
		return -1;
	}
	int gen = bp_ra_fam_gen(&m->fams[f], level, &s, NULL);
	m->fams[f].present[level] = 1;
	uint64_t hk = ((uint64_t)level << 60) | ((uint64_t)a << 40) | ((uint64_t)f << 16) | (uint64_t)gen;
	if (!m->key_hash)
		m->key_hash = bp_ra_xrealloc(NULL, sizeof(struct bp_ra_hash)),
		memset(m->key_hash, 0, sizeof(struct bp_ra_hash));
	int k = bp_ra_hash_get(m->key_hash, hk);
	if (k < 0) {
		k = m->nkeys;
		bp_ra_hash_put(m->key_hash, hk, k);
		m->keys = bp_ra_xrealloc(m->keys, (m->nkeys + 1) * sizeof(*m->keys));
		m->keys[k] = (struct bp_ra_key){ level, a, f, gen, c->value, 0, m->ncells };
		m->nkeys++;
	} else {
		struct bp_ra_key *K = &m->keys[k];
		if (K->value >= 0 && c->value >= 0 && K->value != c->value) {
			struct bp_ra_cell *o = &m->cells[K->first_cell];
			fprintf(stderr, "release_attack: RELATION FAILS: one quantity, two values: "
			    "%s %s %s %s,%s = %ld but %s %s,%s = %ld\n",
			    bp_ra_level_name(level), area, table, cat, bval, c->value,
			    o->table, o->cat, o->bval, K->value);
			m->errors++;
		}
		if ((K->value < 0) != (c->value < 0))
			K->twin = 1;
		if (c->value >= 0)
			K->value = c->value;
	}
	c->key = k;
	m->ncells++;
	return 0;
unknown:
	fprintf(stderr, "release_attack: %s %s %s: unknown category or value %s,%s\n",
	    bp_ra_level_name(level), area, table, cat, bval);
	return -1;
}

static FILE *
open_in(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	if (!f)
		fprintf(stderr, "release_attack: cannot open %s\n", path);
	return f;
}

int
bp_ra_read_tables(struct bp_ra_model *m, const char *dir, const char *name, int is_sum)
{
	FILE *f = open_in(dir, name);
	if (!f)
		return -1;
	char line[1024], *fl[16];
	int ln = 0, rc = 0;
	while (fgets(line, sizeof(line), f)) {
		if (ln++ == 0)
			continue;
		int n = split(line, fl, 16);
		int level = n > 2 ? level_of(fl[1]) : -1;
		if (level < 0 || (is_sum ? n < 9 : n < 12)) {
			fprintf(stderr, "release_attack: %s/%s:%d: not a row of a release\n", dir, name, ln);
			rc = -1;
			break;
		}
		char buf[64];
		const char *area = area_code(m, level, fl[2], buf, sizeof(buf));
		if (is_sum) {
			char table[256];
			snprintf(table, sizeof(table), "%s__%s", fl[3], fl[4]);
			rc = add_cell(m, level, area, table, fl[3], "count", fl[4], fl[5], fl[6], 1);
			if (!rc)
				add_sum(m, level, area, fl[3], fl[4], fl[5], fl[7]);
		} else
			rc = add_cell(m, level, area, fl[3], fl[4], fl[5], fl[6], fl[7], fl[8], 0);
		if (rc)
			break;
	}
	fclose(f);
	return rc;
}

static long
json_num(const char *js, const char *name, long dflt)
{
	char key[64];
	snprintf(key, sizeof(key), "\"%s\":", name);
	const char *p = strstr(js, key);
	if (!p)
		return dflt;
	p += strlen(key);
	if (strncmp(p, "true", 4) == 0)
		return 1;
	if (strncmp(p, "false", 5) == 0)
		return 0;
	return atol(p);
}

int
bp_ra_read_release(struct bp_ra_model *m, const char *dir)
{
	FILE *f = open_in(dir, "release.json");
	if (!f)
		return -1;
	char js[16384];
	size_t n = fread(js, 1, sizeof(js) - 1, f);
	js[n] = '\0';
	fclose(f);
	m->min_cell = (int)json_num(js, "min_cell", -1);
	m->suppress_zero = (int)json_num(js, "suppress_zero", 0);
	m->rop_definition = (int)json_num(js, "rop_definition", 2016);
	rop_def = m->rop_definition;
	bp_ra_index_cuts(m, js);
	if (m->min_cell < 1) {
		fprintf(stderr, "release_attack: %s/release.json: no min_cell\n", dir);
		return -1;
	}
	return 0;
}

/* The areas with reporting kommuner (coverage.csv), and from the registry
 * each kommune's fylke and size class (of the release being read: a
 * kommune shared with the later release gets its E:fylke as kom_fylke_e). */
int
bp_ra_read_areas(struct bp_ra_model *m, const char *dir, const char *registry)
{
	FILE *f = open_in(dir, "coverage.csv");
	if (!f)
		return -1;
	char line[1024], *fl[16], b1[64], b2[64];
	int ln = 0, nk0 = m->nareas[2];
	while (fgets(line, sizeof(line), f)) {
		if (ln++ == 0)
			continue;
		int n = split(line, fl, 16);
		int level = n > 3 ? level_of(fl[1]) : -1;
		if (level >= 0 && atoi(fl[3]) > 0)
			area_index(m, level, area_code(m, level, fl[2], b1, sizeof(b1)), 1);
	}
	fclose(f);
	int nk = m->nareas[2];
	m->kom_fylke = bp_ra_xrealloc(m->kom_fylke, (nk + 1) * sizeof(int));
	m->kom_class = bp_ra_xrealloc(m->kom_class, (nk + 1) * sizeof(int));
	m->kom_fylke_e = bp_ra_xrealloc(m->kom_fylke_e, (nk + 1) * sizeof(int));
	for (int i = nk0; i < nk; i++) {
		m->kom_fylke[i] = m->kom_class[i] = -2;
		m->kom_fylke_e[i] = -1;
	}
	f = fopen(registry, "r");
	if (!f) {
		fprintf(stderr, "release_attack: cannot open the registry %s\n", registry);
		return -1;
	}
	ln = 0;
	while (fgets(line, sizeof(line), f)) {
		if (ln++ == 0)
			continue;
		if (split(line, fl, 16) < 5)
			continue;
		int k = area_index(m, 2, area_code(m, 2, fl[0], b1, sizeof(b1)), 0);
		if (k < 0 || (m->reading == 2 && !(m->area_rel[2][k] & 2)))
			continue;
		long pop = atol(fl[4]);
		int fy = area_index(m, 1, area_code(m, 1, fl[2], b2, sizeof(b2)), 0);
		if (m->area_rel[2][k] == 3) {
			m->kom_fylke_e[k] = fy;
			continue;
		}
		m->kom_fylke[k] = fy;
		m->kom_class[k] = pop < 2500 ? 0 : pop < 5000 ? 1 : pop < 10000 ? 2 : pop < 30000 ? 3 : 4;
	}
	fclose(f);
	for (int i = nk0; i < nk; i++)
		if (m->kom_class[i] == -2) {
			fprintf(stderr, "release_attack: kommune %s is not in %s\n", m->areas[2][i], registry);
			return -1;
		}
	return 0;
}
