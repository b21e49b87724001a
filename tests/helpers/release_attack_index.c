/*
 * release_attack_index.c - the definitions of levekarsindeks6 and
 * levekarsindeks8 in the intruder's model (bpagg-measures(7): the class of
 * the mean area score over the six areas without psykisk_helse and
 * rusmiddelbruk, or over all eight; release_attack.h says what is stated
 * and what is left out).
 *
 * The classes: the families of the six areas' colours and of the printed
 * indexes share their subsets (bp_ra_index_gens), so at each level their
 * atoms are one partition of the grid. Per area and class, unknowns z[t]
 * [s]: its persons with score t of psykisk_helse + rusmiddelbruk (one t
 * when levekarsindeks8 is not printed) and s = n_gul + 2 n_rod over the
 * other six areas. A lower level's classes are as fine as an upper one's
 * unless --coarse, so the definitions are stated at the lowest level (an
 * upper area's atoms are sums of its kommuner's) and at an upper level
 * only when its classes are finer; above BP_RA_INDEX_FEW kommuner at the
 * top level only.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "release_attack.h"

static const char *const areas6[6] = { "bolig", "okonomi", "aktivitet", "fysisk_helse",
	"sosial_fungering", "nettverk" };
static const char *const colours[3] = { "gronn", "gul", "rod" };
static const char *const classes[4] = { "gronn", "gul", "rod", "blalys" };
static const char *const indexes[2] = { "levekarsindeks6", "levekarsindeks8" };

/* A cut point in millionths (bpagg-measures(7): taken to six decimals),
 * dflt when release.json does not state it. */
static long
json_cut(const char *js, const char *name, long dflt, int *stated)
{
	char key[64];
	snprintf(key, sizeof(key), "\"%s\":", name);
	const char *p = strstr(js, key);
	if (!p)
		return dflt;
	*stated = 1;
	return lround(strtod(p + strlen(key), NULL) * 1e6);
}

void
bp_ra_index_cuts(struct bp_ra_model *m, const char *js)
{
	/* bpagg.conf(5): among the settings in force; defaults 0.5, 1.0, 1.5 */
	m->idx.cut[0] = json_cut(js, "lki_cut_gul", 500000, &m->idx.cuts_stated);
	m->idx.cut[1] = json_cut(js, "lki_cut_rod", 1000000, &m->idx.cuts_stated);
	m->idx.cut[2] = json_cut(js, "lki_cut_blalys", 1500000, &m->idx.cuts_stated);
}

/* The class of a sum of scores over n areas: compared in integers with
 * the cut points in millionths; a mean equal to a cut point is above it. */
static int
index_class(const struct bp_ra_model *m, long sum, long n)
{
	for (int c = 0; c < 3; c++)
		if (sum * 1000000L < m->idx.cut[c] * n)
			return c;
	return 3;
}

/* Whether a variable has only the values of names (the release prints no
 * other category of it). */
static int
values_known(const struct bp_ra_model *m, int v, const char *const *names, int n)
{
	for (int i = 0; i < m->vars[v].nvals; i++) {
		int ok = 0;
		for (int j = 0; j < n && !ok; j++)
			ok = strcmp(m->vars[v].vals[i], names[j]) == 0;
		if (!ok) {
			fprintf(stderr, "release_attack: %s has a category %s that bpagg-measures(7) "
			    "does not name: the indexes are left free\n", m->vars[v].name,
			    m->vars[v].vals[i]);
			return 0;
		}
	}
	return 1;
}

void
bp_ra_index_prepare(struct bp_ra_model *m)
{
	struct bp_ra_index *X = &m->idx;
	int vi[2];
	memset(X->fam, -1, sizeof(X->fam));
	if (m->free_index)
		return;
	for (int i = 0; i < 2; i++)
		vi[i] = bp_ra_var_find(m, indexes[i], 0);
	if (vi[0] < 0 && vi[1] < 0)
		return; /* no index printed: the areas alone tie nothing new */
	for (int i = 0; i < 2; i++)
		if (vi[i] >= 0 && !values_known(m, vi[i], classes, 4))
			return;
	for (int a = 0; a < 6; a++) {
		int v = bp_ra_var_find(m, areas6[a], 0);
		if (v >= 0 && !values_known(m, v, colours, 3))
			return;
	}
	/* an area the release does not print is a family all the same: its
	 * colours are unknowns tied to the persons */
	for (int a = 0; a < 6; a++) {
		int v = bp_ra_var_find(m, areas6[a], 1);
		for (int c = 0; c < 3; c++)
			X->fam[a][c] = bp_ra_fam_single(m, v, bp_ra_var_value(m, v, colours[c]));
	}
	for (int i = 0; i < 2; i++)
		if (vi[i] >= 0)
			for (int c = 0; c < 4; c++)
				X->fam[6 + i][c] = bp_ra_fam_single(m, vi[i], bp_ra_var_value(m, vi[i], classes[c]));
	/* every family of the definitions wherever one of them is modelled */
	for (int L = 0; L < BP_RA_LEVELS; L++) {
		X->levels[L] = 0;
		for (int f = 0; f < 8; f++)
			for (int c = 0; c < 4; c++)
				if (X->fam[f][c] >= 0 && m->fams[X->fam[f][c]].present[L])
					X->levels[L] = m->nareas[L] > 0;
		for (int f = 0; f < 8 && X->levels[L]; f++)
			for (int c = 0; c < 4; c++)
				if (X->fam[f][c] >= 0)
					m->fams[X->fam[f][c]].present[L] = 1;
	}
	X->on = 1;
}

int
bp_ra_index_gens(struct bp_ra_model *m)
{
	struct bp_ra_index *X = &m->idx;
	int changed = 0;
	if (!X->on)
		return 0;
	for (int L = 0; L < BP_RA_LEVELS; L++) {
		if (!X->levels[L])
			continue;
		/* the union of their subsets, collected in a family of no
		 * variable of the model (its gens are freed here) */
		struct bp_ra_family U;
		memset(&U, 0, sizeof(U));
		for (int f = 0; f < 8; f++)
			for (int c = 0; c < 4; c++) {
				if (X->fam[f][c] < 0)
					continue;
				const struct bp_ra_family *F = &m->fams[X->fam[f][c]];
				for (int g = 0; g < F->ngens[L]; g++)
					bp_ra_fam_gen(&U, L, &F->gens[L][g], NULL);
			}
		for (int f = 0; f < 8; f++)
			for (int c = 0; c < 4; c++)
				if (X->fam[f][c] >= 0)
					for (int g = 0; g < U.ngens[L]; g++)
						bp_ra_fam_gen(&m->fams[X->fam[f][c]], L, &U.gens[L][g], &changed);
		free(U.gens[L]);
	}
	return changed;
}

static int
nparts(int mask)
{
	int n = 0;
	for (; mask; mask >>= 1)
		n += mask & 1;
	return n;
}

/* For each of family F's atoms at level L, the value in[] has on all its
 * points (-2 when they differ) in a2v; 0 when a point with a value >= 0
 * is in no atom. */
static int
atom_values(const struct bp_ra_family *F, int L, const int *in, int *a2v)
{
	for (int b = 0; b < F->natoms[L]; b++)
		a2v[b] = -3;
	for (int g = 0; g < BP_RA_NGRID; g++) {
		int b = F->atom_of[L][g];
		if (b < 0) {
			if (in[g] >= 0)
				return 0;
			continue;
		}
		a2v[b] = a2v[b] == -3 || a2v[b] == in[g] ? in[g] : -2;
	}
	return 1;
}

/* Whether the points where in[] is v are a union of F's atoms. */
static int
is_union(const struct bp_ra_family *F, int L, const int *in, const int *a2v, int v)
{
	for (int g = 0; g < BP_RA_NGRID; g++)
		if (in[g] == v && a2v[F->atom_of[L][g]] != v)
			return 0;
	return 1;
}

/* The classes at level L: the atoms of the first family of the
 * definitions, each of which must be a union of every other one's atoms
 * and of the persons'. Then each class's scores of psykisk_helse +
 * rusmiddelbruk, whether the persons of each are a union of the persons'
 * atoms, and its columns. 0 when so. */
static int
make_classes(struct bp_ra_model *m, int L)
{
	struct bp_ra_index *X = &m->idx;
	int persons = bp_ra_fam_variant(m, X->fam[0][0], 0, -1);
	const struct bp_ra_family *P = &m->fams[persons];
	int n = m->fams[X->fam[0][0]].natoms[L], bad = 0, cols = 0;
	X->nclass[L] = n;
	X->cls[L] = bp_ra_xrealloc(NULL, BP_RA_NGRID * sizeof(int));
	X->set[L] = bp_ra_xrealloc(NULL, (n + 1) * sizeof(bp_ra_set));
	X->parts[L] = bp_ra_xrealloc(NULL, (n + 1) * sizeof(int));
	X->split[L] = bp_ra_xrealloc(NULL, (n + 1) * sizeof(int));
	X->off[L] = bp_ra_xrealloc(NULL, (n + 1) * sizeof(int));
	memset(X->set[L], 0, (n + 1) * sizeof(bp_ra_set));
	memset(X->parts[L], 0, (n + 1) * sizeof(int));
	for (int g = 0; g < BP_RA_NGRID; g++) {
		int k = X->cls[L][g] = m->fams[X->fam[0][0]].atom_of[L][g];
		if (k < 0)
			continue;
		X->set[L][k].w[g / 64] |= (uint64_t)1 << (g % 64);
		X->parts[L][k] |= X->fam[7][0] >= 0 ? 1 << bp_ra_grid_score(g) : 1;
	}
	int *in = bp_ra_xrealloc(NULL, BP_RA_NGRID * sizeof(int));
	int *a2v = bp_ra_xrealloc(NULL, (BP_RA_NGRID + 1) * sizeof(int));
	for (int f = 0; f < 9 && !bad; f++)
		for (int c = 0; c < 4 && !bad; c++) {
			int fi = f == 8 ? (c ? -1 : persons) : X->fam[f][c];
			if (fi < 0)
				continue;
			bad = !atom_values(&m->fams[fi], L, X->cls[L], a2v);
			for (int k = 0; k < n && !bad; k++)
				bad = !is_union(&m->fams[fi], L, X->cls[L], a2v, k);
		}
	for (int g = 0; g < BP_RA_NGRID; g++)
		in[g] = X->cls[L][g] < 0 ? -1 : X->cls[L][g] * 5 + bp_ra_grid_score(g);
	bad = bad || !atom_values(P, L, in, a2v);
	for (int k = 0; k < n && !bad; k++) {
		X->split[L][k] = X->parts[L][k] != 1;
		for (int t = 0; t <= 4 && X->split[L][k]; t++)
			if (X->parts[L][k] >> t & 1)
				X->split[L][k] = is_union(P, L, in, a2v, k * 5 + t);
		X->off[L][k] = cols;
		cols += BP_RA_NSCORE * nparts(X->parts[L][k]);
	}
	X->per_area[L] = cols;
	free(in);
	free(a2v);
	if (bad)
		fprintf(stderr, "release_attack: the families of the indexes' definitions do not "
		    "share their atoms at the %s level: not stated there\n", bp_ra_level_name(L));
	return bad;
}

void
bp_ra_index_cols(struct bp_ra_model *m)
{
	struct bp_ra_index *X = &m->idx;
	if (!X->on)
		return;
	/* per kommune in a release of a few kommuner; in a larger one, where
	 * that made GLPK 5 to 11 times as slow (17 and 18 kommuner of
	 * release_attack_wide.sh), at the top level only */
	int few = m->nareas[2] <= BP_RA_INDEX_FEW, top = -1, lower = -1, nstated = 0;
	for (int L = 0; L < BP_RA_LEVELS && top < 0; L++)
		if (X->levels[L])
			top = L;
	for (int L = BP_RA_LEVELS - 1; L >= 0; L--) {
		X->stated[L] = 0;
		if (!X->levels[L] || (!few && L != top) || make_classes(m, L))
			continue;
		/* an upper level's classes refine a lower one's */
		if (lower >= 0 && X->nclass[L] == X->nclass[lower])
			continue;
		X->stated[L] = 1;
		X->base[L] = m->ncols;
		m->ncols += m->nareas[L] * X->per_area[L];
		lower = L;
		nstated++;
	}
	fprintf(stderr, "release_attack: the indexes' definitions (%s%s%s), cut points %g %g %g%s:",
	    X->fam[6][0] >= 0 ? indexes[0] : "", X->fam[6][0] >= 0 && X->fam[7][0] >= 0 ? ", " : "",
	    X->fam[7][0] >= 0 ? indexes[1] : "", X->cut[0] / 1e6, X->cut[1] / 1e6, X->cut[2] / 1e6,
	    X->cuts_stated ? "" : " (the defaults: release.json states none)");
	for (int L = 0; L < BP_RA_LEVELS; L++)
		if (X->stated[L])
			fprintf(stderr, " %d classes (%d unknowns an area) at the %s level", X->nclass[L],
			    X->per_area[L], bp_ra_level_name(L));
	fprintf(stderr, "%s%s\n", nstated ? "" : " not stated",
	    few ? "" : " only (more than a few kommuner)");
}

/* Adds v times family f's count of class k at (L, area). */
static void
add_class(struct bp_ra_model *m, struct bp_ra_row *r, int f, int L, int area, int k, double v)
{
	bp_ra_add_set(r, &m->fams[f], L, area, &m->idx.set[L][k], v);
}

static struct bp_ra_row *
def_row(struct bp_ra_model *m, int eq, int L, int area, int k)
{
	struct bp_ra_row *r = bp_ra_row_new(m, eq, 0.0);
	r->kind = 5;
	r->ref = k;
	r->lvl = L;
	r->area = area;
	return r;
}

/* Adds v times the persons of class k at (L, area) with score t (all of
 * them when t < 0). */
static void
add_persons(struct bp_ra_model *m, struct bp_ra_row *r, int L, int area, int k, int t, double v)
{
	const struct bp_ra_index *X = &m->idx;
	int persons = bp_ra_fam_variant(m, X->fam[0][0], 0, -1);
	bp_ra_set s;
	memset(&s, 0, sizeof(s));
	for (int g = 0; g < BP_RA_NGRID; g++)
		if (X->cls[L][g] == k && (t < 0 || bp_ra_grid_score(g) == t))
			s.w[g / 64] |= (uint64_t)1 << (g % 64);
	bp_ra_add_set(r, &m->fams[persons], L, area, &s, v);
}

/* The relations of class k at (L, area). Its unknowns z[t][s]: its persons
 * with score t of psykisk_helse + rusmiddelbruk (one t without
 * levekarsindeks8) and s = n_gul + 2 n_rod over the six areas; from its
 * first column z on, t by t. */
static void
class_rows(struct bp_ra_model *m, int L, int area, int k, int z)
{
	const struct bp_ra_index *X = &m->idx;
	int parts = X->parts[L][k];
	struct bp_ra_row *r = NULL;
	/* the class's persons: each score's when they are a union of atoms */
	if (!X->split[L][k]) {
		r = def_row(m, 1, L, area, k);
		add_persons(m, r, L, area, k, -1, -1.0);
	}
	for (int t = 0, p = 0; t <= 4; t++) {
		if (!(parts >> t & 1))
			continue;
		if (X->split[L][k]) {
			r = def_row(m, 1, L, area, k);
			add_persons(m, r, L, area, k, t, -1.0);
		}
		for (int s = 0; s < BP_RA_NSCORE; s++)
			bp_ra_row_add(r, z + p * BP_RA_NSCORE + s, 1.0);
		p++;
	}
	/* each area's colours partition the class */
	for (int a = 0; a < 6; a++) {
		r = def_row(m, 1, L, area, k);
		add_persons(m, r, L, area, k, -1, -1.0);
		for (int c = 0; c < 3; c++)
			add_class(m, r, X->fam[a][c], L, area, k, 1.0);
	}
	/* the score counted by area = by s; the rod counted by area: between
	 * s - 6 (gul at most 6 - rod) and s / 2 a person */
	int i_sum = m->nrows, i_lo = i_sum + 1, i_hi = i_sum + 2;
	def_row(m, 1, L, area, k);
	def_row(m, 0, L, area, k);
	def_row(m, 0, L, area, k);
	for (int a = 0; a < 6; a++) {
		add_class(m, &m->rows[i_sum], X->fam[a][1], L, area, k, 1.0);
		add_class(m, &m->rows[i_sum], X->fam[a][2], L, area, k, 2.0);
		add_class(m, &m->rows[i_lo], X->fam[a][2], L, area, k, 1.0);
		add_class(m, &m->rows[i_hi], X->fam[a][2], L, area, k, -1.0);
	}
	for (int p = 0; p < nparts(parts); p++)
		for (int s = 0; s < BP_RA_NSCORE; s++) {
			int col = z + p * BP_RA_NSCORE + s;
			bp_ra_row_add(&m->rows[i_sum], col, -s);
			bp_ra_row_add(&m->rows[i_lo], col, -(s > 6 ? s - 6 : 0));
			bp_ra_row_add(&m->rows[i_hi], col, s / 2);
		}
	/* each index's class is that of s (levekarsindeks8's of s + t) */
	for (int x = 0; x < 2; x++) {
		if (X->fam[6 + x][0] < 0)
			continue;
		for (int c = 0; c < 4; c++) {
			r = def_row(m, 1, L, area, k);
			add_class(m, r, X->fam[6 + x][c], L, area, k, 1.0);
			for (int t = 0, p = 0; t <= 4; t++) {
				if (!(parts >> t & 1))
					continue;
				for (int s = 0; s < BP_RA_NSCORE; s++)
					if (index_class(m, s + (x ? t : 0), x ? 8 : 6) == c)
						bp_ra_row_add(r, z + p * BP_RA_NSCORE + s, -1.0);
				p++;
			}
		}
	}
}

void
bp_ra_index_rows(struct bp_ra_model *m)
{
	const struct bp_ra_index *X = &m->idx;
	if (!X->on)
		return;
	for (int L = 0; L < BP_RA_LEVELS; L++)
		for (int a = 0; X->stated[L] && a < m->nareas[L]; a++)
			for (int k = 0; k < X->nclass[L]; k++)
				class_rows(m, L, a, k, X->base[L] + a * X->per_area[L] + X->off[L][k]);
}

void
bp_ra_index_free(struct bp_ra_model *m)
{
	struct bp_ra_index *X = &m->idx;
	for (int L = 0; L < BP_RA_LEVELS; L++) {
		free(X->cls[L]);
		free(X->set[L]);
		free(X->parts[L]);
		free(X->split[L]);
		free(X->off[L]);
		X->cls[L] = X->parts[L] = X->split[L] = X->off[L] = NULL;
		X->set[L] = NULL;
	}
}
