/*
 * release_attack_model.c - the closure of the families (every family a
 * relation needs), their atoms, the columns and rows of the intruder's
 * model, and main(). See release_attack.c for what the model states.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "release_attack.h"

static const char *ksize_names[5] = { "u2500", "2500_4999", "5000_9999",
	"10000_29999", "30000p" };
static int ksize_val[5];

static int
fam_has_ksize(const struct bp_ra_model *m, const struct bp_ra_family *F, int *w)
{
	for (int i = 0; i < F->nc; i++)
		if (m->vars[F->cv[i]].ksize) {
			*w = F->cw[i];
			return 1;
		}
	return 0;
}

/* Every family a marginal relation needs: the parent without each
 * condition and the siblings with every other value of it. */
static void
close_families(struct bp_ra_model *m)
{
	for (int f = 0; f < m->nfams; f++)
		for (int i = 0; i < m->fams[f].nc; i++) {
			int var = m->fams[f].cv[i];
			bp_ra_fam_variant(m, f, i, -1);
			for (int w = 0; w < m->vars[var].nvals; w++)
				bp_ra_fam_variant(m, f, i, w);
		}
}

/* A family is modelled at a level when a printed cell needs it there, or a
 * relation of a family modelled there does; kommunestorrelse families are
 * modelled at the kommune level (a kommune's size class is public). */
static void
propagate_presence(struct bp_ra_model *m)
{
	int changed = 1;
	while (changed) {
		changed = 0;
		for (int f = 0; f < m->nfams; f++) {
			struct bp_ra_family *F = &m->fams[f];
			int w;
			if (m->nareas[2] && !F->present[2] && fam_has_ksize(m, F, &w) &&
			    (F->present[0] || F->present[1]))
				F->present[2] = changed = 1;
			for (int L = 0; L < BP_RA_LEVELS; L++) {
				if (!m->fams[f].present[L])
					continue;
				for (int i = 0; i < m->fams[f].nc; i++) {
					int var = m->fams[f].cv[i];
					int p = bp_ra_fam_variant(m, f, i, -1);
					if (!m->fams[p].present[L])
						m->fams[p].present[L] = changed = 1;
					for (int v = 0; v < m->vars[var].nvals; v++) {
						int s = bp_ra_fam_variant(m, f, i, v);
						if (!m->fams[s].present[L])
							m->fams[s].present[L] = changed = 1;
					}
				}
			}
		}
	}
}

/* Every subset a marginal relation states goes to the generators of the
 * siblings and (cut to the variable's domain) of the parent. */
static void
propagate_gens(struct bp_ra_model *m)
{
	int changed = 1;
	while (changed) {
		changed = 0;
		for (int f = 0; f < m->nfams; f++)
			for (int L = 0; L < BP_RA_LEVELS; L++) {
				if (!m->fams[f].present[L])
					continue;
				for (int i = 0; i < m->fams[f].nc; i++) {
					int var = m->fams[f].cv[i];
					bp_ra_set dom = bp_ra_dom_of(&m->vars[var]);
					int p = bp_ra_fam_variant(m, f, i, -1);
					for (int g = 0; g < m->fams[f].ngens[L]; g++) {
						bp_ra_set s = m->fams[f].gens[L][g];
						for (int v = 0; v < m->vars[var].nvals; v++) {
							int sb = bp_ra_fam_variant(m, f, i, v);
							bp_ra_fam_gen(&m->fams[sb], L, &s, &changed);
						}
						bp_ra_set_and(&s, &dom);
						if (!bp_ra_set_empty(&s))
							bp_ra_fam_gen(&m->fams[p], L, &s, &changed);
					}
				}
				/* an upper level refines every lower one; without
				 * coarse, every level has every level's subsets (the
				 * inner cells: a lower level's relations then hold for
				 * the finest subsets too) */
				for (int U = 0; U < BP_RA_LEVELS; U++) {
					if (U == L || !m->fams[f].present[U] || (U > L && m->coarse))
						continue;
					for (int g = 0; g < m->fams[f].ngens[L]; g++) {
						bp_ra_set s = m->fams[f].gens[L][g];
						bp_ra_fam_gen(&m->fams[f], U, &s, &changed);
					}
				}
			}
	}
}

/* The atoms of a family: the valid grid points by membership in each
 * generator; points in no generator are in no atom. */
static void
make_atoms(struct bp_ra_family *F, int L)
{
	int rep[BP_RA_NGRID];
	F->natoms[L] = 0;
	for (int g = 0; g < BP_RA_NGRID; g++) {
		F->atom_of[L][g] = -1;
		if (!bp_ra_grid_valid(g))
			continue;
		int any = 0;
		for (int j = 0; j < F->ngens[L] && !any; j++)
			any = bp_ra_set_has(&F->gens[L][j], g);
		if (!any)
			continue;
		int a;
		for (a = 0; a < F->natoms[L]; a++) {
			int same = 1;
			for (int j = 0; j < F->ngens[L] && same; j++)
				same = bp_ra_set_has(&F->gens[L][j], g) == bp_ra_set_has(&F->gens[L][j], rep[a]);
			if (same)
				break;
		}
		if (a == F->natoms[L])
			rep[F->natoms[L]++] = g;
		F->atom_of[L][g] = a;
	}
}

/* The columns of the atoms in s at (level, area) of family F. */
static int
set_cols(const struct bp_ra_family *F, int level, int area, const bp_ra_set *s, int *out, int max)
{
	char seen[BP_RA_NGRID];
	int n = 0;
	memset(seen, 0, sizeof(seen));
	for (int g = 0; g < BP_RA_NGRID; g++) {
		int a = F->atom_of[level][g];
		if (a < 0 || seen[a] || !bp_ra_set_has(s, g))
			continue;
		seen[a] = 1;
		if (n < max)
			out[n] = F->base[level] + area * F->natoms[level] + a;
		n++;
	}
	return n;
}

int
bp_ra_key_cols(const struct bp_ra_model *m, int k, int *out, int max)
{
	const struct bp_ra_key *K = &m->keys[k];
	const struct bp_ra_family *F = &m->fams[K->fam];
	return set_cols(F, K->level, K->area, &F->gens[K->level][K->gen], out, max);
}

struct bp_ra_row *
bp_ra_row_new(struct bp_ra_model *m, int eq, double rhs)
{
	m->rows = bp_ra_xrealloc(m->rows, (m->nrows + 1) * sizeof(*m->rows));
	struct bp_ra_row *r = &m->rows[m->nrows++];
	memset(r, 0, sizeof(*r));
	r->eq = eq;
	r->rhs = rhs;
	return r;
}

void
bp_ra_row_add(struct bp_ra_row *r, int col, double v)
{
	for (int i = 0; i < r->n; i++)
		if (r->idx[i] == col) {
			r->val[i] += v;
			return;
		}
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 8;
		r->idx = bp_ra_xrealloc(r->idx, r->cap * sizeof(int));
		r->val = bp_ra_xrealloc(r->val, r->cap * sizeof(double));
	}
	r->idx[r->n] = col;
	r->val[r->n++] = v;
}

void
bp_ra_add_set(struct bp_ra_row *r, const struct bp_ra_family *F, int L, int area, const bp_ra_set *s,
    double v)
{
	int cols[BP_RA_NGRID];
	int n = set_cols(F, L, area, s, cols, BP_RA_NGRID);
	for (int i = 0; i < n; i++)
		bp_ra_row_add(r, cols[i], v);
}

static void
key_rows(struct bp_ra_model *m)
{
	int cols[BP_RA_NGRID];
	for (int k = 0; k < m->nkeys; k++) {
		struct bp_ra_key *K = &m->keys[k];
		int n = bp_ra_key_cols(m, k, cols, BP_RA_NGRID);
		struct bp_ra_row *r = K->value >= 0 ? bp_ra_row_new(m, 1, (double)K->value)
		    : bp_ra_row_new(m, 0, m->suppress_zero ? 0.0 : 1.0);
		r->kind = 0;
		r->ref = k;
		for (int i = 0; i < n; i++)
			bp_ra_row_add(r, cols[i], 1.0);
	}
}

/* The cell printed at (level, area, table, cat, bval), or -1. */
static int
cell_find(const struct bp_ra_model *m, const struct bp_ra_hash *h, int level, const char *area,
    const char *table, const char *cat, const char *bval)
{
	char k[512];
	snprintf(k, sizeof(k), "%d|%s|%s|%s|%s", level, area, table, cat, bval);
	int c = bp_ra_hash_get(h, bp_ra_hash_str(k));
	if (c < 0)
		return -1;
	const struct bp_ra_cell *C = &m->cells[c];
	return C->level == level && !strcmp(C->area, area) && !strcmp(C->table, table) &&
	    !strcmp(C->cat, cat) && !strcmp(C->bval, bval) ? c : -1;
}

/* Adds cell c's quantity times v to r (a cell empty by definition is 0). */
static void
add_cell_term(const struct bp_ra_model *m, struct bp_ra_row *r, int c, double v)
{
	int cols[BP_RA_NGRID];
	if (m->cells[c].key < 0)
		return;
	int n = bp_ra_key_cols(m, m->cells[c].key, cols, BP_RA_NGRID);
	for (int i = 0; i < n; i++)
		bp_ra_row_add(r, cols[i], v);
}

/* The substances of bpagg-export(5), in its order. */
static const char *const substances[] = { "alkohol", "cannabis", "heroin",
	"sentralstimulerende", "lar_legemidler", "andre_legemidler", "annet_rusmiddel", NULL };
static void sum_rows(struct bp_ra_model *m, const struct bp_ra_hash *h);
static void age_rows(struct bp_ra_model *m, const struct bp_ra_hash *h);

/* bpagg-measures(7): a substance is heavy at betydelig or
 * svaert_omfattende, so <substance>_tung ja is their sum and nei that of
 * ingen and beskjeden, by any breakdown; storforbruker is ja when some
 * substance is heavy. */
static void
derived_rows(struct bp_ra_model *m)
{
	struct bp_ra_hash h = { 0 };
	char k[512], t[256];

	for (int c = 0; c < m->ncells; c++) {
		const struct bp_ra_cell *C = &m->cells[c];
		snprintf(k, sizeof(k), "%d|%s|%s|%s|%s", C->level, C->area, C->table, C->cat, C->bval);
		bp_ra_hash_put(&h, bp_ra_hash_str(k), c);
	}
	for (int c = 0; c < m->ncells; c++) {
		const struct bp_ra_cell *C = &m->cells[c];
		const char *u = strstr(C->table, "_tung__");
		int ja = !strcmp(C->cat, "ja");
		if (u && (ja || !strcmp(C->cat, "nei"))) {
			snprintf(t, sizeof(t), "%.*s__%s", (int)(u - C->table), C->table, u + 7);
			int a = cell_find(m, &h, C->level, C->area, t, ja ? "betydelig" : "ingen", C->bval);
			int b = cell_find(m, &h, C->level, C->area, t, ja ? "svaert_omfattende" :
			    "beskjeden", C->bval);
			if (a < 0 || b < 0)
				continue;
			struct bp_ra_row *r = bp_ra_row_new(m, 1, 0.0);
			r->kind = 3;
			r->ref = c;
			add_cell_term(m, r, c, 1.0);
			add_cell_term(m, r, a, -1.0);
			add_cell_term(m, r, b, -1.0);
		}
	}
	/* storforbruker ja: the persons with some <substance>_tung ja (a row
	 * with rusproblem N has no substances and is nei): at least each
	 * substance's, at most their sum where all seven are printed */
	for (int c = 0; c < m->ncells; c++) {
		const struct bp_ra_cell *C = &m->cells[c];
		if (strncmp(C->table, "storforbruker__", 15) || strcmp(C->cat, "ja"))
			continue;
		int tc[7], nt = 0;
		for (int s = 0; substances[s]; s++) {
			snprintf(t, sizeof(t), "%s_tung__%s", substances[s], C->table + 15);
			int x = cell_find(m, &h, C->level, C->area, t, "ja", C->bval);
			if (x < 0)
				continue;
			tc[nt++] = x;
			struct bp_ra_row *r = bp_ra_row_new(m, 0, 0.0);
			r->kind = 3;
			r->ref = c;
			add_cell_term(m, r, c, 1.0);
			add_cell_term(m, r, x, -1.0);
		}
		if (nt == 7) {
			struct bp_ra_row *r = bp_ra_row_new(m, 0, 0.0);
			r->kind = 3;
			r->ref = c;
			for (int i = 0; i < nt; i++)
				add_cell_term(m, r, tc[i], 1.0);
			add_cell_term(m, r, c, -1.0);
		}
	}
	sum_rows(m, &h);
	if (m->ages)
		age_rows(m, &h);
	bp_ra_hash_free(&h);
}

/* The terms of a sum of sums.csv that counts: the names of the tables
 * (without __breakdown) whose ja cells it adds up (shared/spec/
 * export-format.md and bpagg-measures(7)); NULL for the other measures. */
static const char *const svc_kommune[] = { "saksbehandler", "bolig_uten_personale",
	"bolig_med_personale", "praktisk_bistand", "stottekontakt", "fastlege",
	"medisinutdeling", "psykisk_helsearbeid", "hjemmesykepleie", "act",
	"psykologtjeneste", "sykehjem", "privat_institusjon", "svangerskap", "skolehelse",
	"helsetjeneste_ungdom", "lavterskel", "bv_hjelpetiltak_barn", "bv_omsorgstiltak_barn",
	"bv_melding_barn", "bv_hjelpetiltak_selv", "bv_omsorgstiltak_selv", "bv_melding_selv",
	NULL };
static const char *const svc_nav[] = { "rad_veiledning", "midlertidig_bolig",
	"kvalifiseringsprogram", "arbeidsrettet_tiltak", "varig_arbeid", "sosialhjelp",
	"midlertidig_trygd", "varig_trygd", "barn_familie", "okonomiforvaltning", NULL };
static const char *const svc_tsb[] = { "akutt", "poliklinikk", "ambulant", "act", "dag",
	"dogn", NULL };
static const char *const svc_phv[] = { "akutt", "ambulant", "poliklinikk", "act", "dag",
	"dogn", NULL };
static const char *const svc_somatikk[] = { "akutt", "poliklinikk", "dogn", NULL };

/* The table names of measure's terms into out (at most max); their number,
 * 0 when the measure adds up no table cells. */
static int
sum_terms(const char *measure, char out[][128], int max)
{
	static const struct { const char *measure, *prefix, *suffix; const char *const *names;
	    int from; } T[] = {
		{ "antall_rusmidler", "", "_tung", substances, 0 },
		{ "antall_illegale", "", "_tung", substances, 1 },
		{ "antall_tjenester_kommune", "kommune_", "", svc_kommune, 0 },
		{ "antall_tjenester_nav", "nav_", "", svc_nav, 0 },
		{ "antall_tjenester_tsb", "tsb_", "", svc_tsb, 0 },
		{ "antall_tjenester_phv", "phv_", "", svc_phv, 0 },
		{ "antall_tjenester_somatikk", "somatikk_", "", svc_somatikk, 0 },
	};
	for (size_t t = 0; t < sizeof(T) / sizeof(T[0]); t++) {
		if (strcmp(measure, T[t].measure))
			continue;
		int n = 0;
		for (int i = T[t].from; T[t].names[i] && n < max; i++)
			snprintf(out[n++], 128, "%s%s%s", T[t].prefix, T[t].names[i], T[t].suffix);
		return n;
	}
	return 0;
}

/* Each printed sum of sums.csv that counts is the sum of its terms' ja
 * cells at its area and breakdown value: an equation when the release
 * prints every term's table there, else the printed ones are at most the
 * sum. */
static void
sum_rows(struct bp_ra_model *m, const struct bp_ra_hash *h)
{
	char terms[32][128], t[256];

	for (int k = 0; k < m->nsums; k++) {
		const struct bp_ra_sum *S = &m->sums[k];
		int n = S->value < 0 ? 0 : sum_terms(S->measure, terms, 32);
		int cells[32], found = 0;
		for (int i = 0; i < n; i++) {
			snprintf(t, sizeof(t), "%.120s__%.120s", terms[i], S->bd);
			int c = cell_find(m, h, S->level, S->area, t, "ja", S->bval);
			if (c >= 0)
				cells[found++] = c;
		}
		if (!found)
			continue;
		int all = found == n;
		struct bp_ra_row *r = bp_ra_row_new(m, all, all ? (double)S->value : -(double)S->value);
		r->kind = 4;
		r->ref = k;
		for (int i = 0; i < found; i++)
			add_cell_term(m, r, cells[i], all ? 1.0 : -1.0);
	}
}

/* --ages: a printed sum of ages lies between the persons of each age class
 * times its bounds (shared/spec/export-format.md: alder 16 to 110; the
 * grid's age class is g % 8, release_attack.c). */
static void
age_rows(struct bp_ra_model *m, const struct bp_ra_hash *h)
{
	static const double lo[8] = { 16, 24, 30, 40, 45, 50, 60, 70 };
	static const double hi[8] = { 23, 29, 39, 44, 49, 59, 69, 110 };
	char t[256];

	for (int k = 0; k < m->nsums; k++) {
		const struct bp_ra_sum *S = &m->sums[k];
		if (S->value < 0 || strcmp(S->measure, "alder"))
			continue;
		snprintf(t, sizeof(t), "alder__%s", S->bd);
		int c = cell_find(m, h, S->level, S->area, t, "count", S->bval);
		if (c < 0 || m->cells[c].key < 0)
			continue;
		const struct bp_ra_key *K = &m->keys[m->cells[c].key];
		const struct bp_ra_family *F = &m->fams[K->fam];
		const bp_ra_set *in = &F->gens[K->level][K->gen];
		/* (a new row may move the rows: below is found again after) */
		int ib = (int)(bp_ra_row_new(m, 0, -(double)S->value) - m->rows);
		struct bp_ra_row *above = bp_ra_row_new(m, 0, (double)S->value);
		struct bp_ra_row *below = &m->rows[ib];
		below->kind = above->kind = 4;
		below->ref = above->ref = k;
		for (int a = 0; a < F->natoms[K->level]; a++) {
			double amin = 1e9, amax = -1;
			for (int g = 0; g < BP_RA_NGRID; g++)
				if (F->atom_of[K->level][g] == a && bp_ra_set_has(in, g)) {
					amin = lo[g % 8] < amin ? lo[g % 8] : amin;
					amax = hi[g % 8] > amax ? hi[g % 8] : amax;
				}
			if (amax < 0)
				continue;
			int col = F->base[K->level] + K->area * F->natoms[K->level] + a;
			bp_ra_row_add(below, col, -amin);
			bp_ra_row_add(above, col, amax);
		}
	}
}

/* Sum over the values of a variable = the parent, at every area. */
static void
marginal_rows(struct bp_ra_model *m)
{
	for (int f = 0; f < m->nfams; f++)
		for (int i = 0; i < m->fams[f].nc; i++) {
			if (m->fams[f].cw[i] != 0)
				continue; /* each (parent, variable) once */
			int var = m->fams[f].cv[i];
			int p = bp_ra_fam_variant(m, f, i, -1);
			bp_ra_set dom = bp_ra_dom_of(&m->vars[var]);
			for (int L = 0; L < BP_RA_LEVELS; L++) {
				int ok = m->fams[p].present[L];
				for (int v = 0; v < m->vars[var].nvals && ok; v++)
					ok = m->fams[bp_ra_fam_variant(m, f, i, v)].present[L];
				if (!ok)
					continue;
				for (int g = 0; g < m->fams[f].ngens[L]; g++)
					for (int a = 0; a < m->nareas[L]; a++) {
						bp_ra_set s = m->fams[f].gens[L][g];
						struct bp_ra_row *r = bp_ra_row_new(m, 1, 0.0);
						r->kind = 1;
						r->ref = f;
						r->lvl = L;
						r->area = a;
						for (int v = 0; v < m->vars[var].nvals; v++)
							bp_ra_add_set(r, &m->fams[bp_ra_fam_variant(m, f, i, v)], L, a, &s, 1.0);
						bp_ra_set_and(&s, &dom);
						bp_ra_add_set(r, &m->fams[p], L, a, &s, -1.0);
					}
			}
		}
}

/* An upper area = the sum of its areas one modelled level down (of its
 * own release: a nation holds the areas of its release, a kommune of both
 * is under both nations and both its fylker). */
static int
under(const struct bp_ra_model *m, int U, int u, int D, int d)
{
	if (U == 0)
		return (m->area_rel[0][u] & m->area_rel[D][d]) != 0;
	return D == 2 && (m->kom_fylke[d] == u || m->kom_fylke_e[d] == u);
}

static void
geo_rows(struct bp_ra_model *m)
{
	for (int f = 0; f < m->nfams; f++) {
		struct bp_ra_family *F = &m->fams[f];
		for (int U = 0; U < BP_RA_LEVELS; U++) {
			if (!F->present[U] || !m->nareas[U])
				continue;
			int D = U + 1;
			while (D < BP_RA_LEVELS && !(F->present[D] && m->nareas[D]))
				D++;
			if (D == BP_RA_LEVELS)
				break;
			/* each lower atom B: the upper atoms inside it = the sum of
			 * B over the areas below (the split of B among the finer
			 * upper atoms is free for each area below, so nothing of
			 * the finer model is lost) */
			for (int u = 0; u < m->nareas[U]; u++)
				for (int b = 0; b < F->natoms[D]; b++) {
					struct bp_ra_row *r = bp_ra_row_new(m, 1, 0.0);
					r->kind = 2;
					r->ref = f;
					r->lvl = U;
					r->area = u;
					char seen[BP_RA_NGRID];
					memset(seen, 0, sizeof(seen));
					for (int g = 0; g < BP_RA_NGRID; g++) {
						int a = F->atom_of[U][g];
						if (a < 0 || seen[a] || F->atom_of[D][g] != b)
							continue;
						seen[a] = 1;
						bp_ra_row_add(r, F->base[U] + u * F->natoms[U] + a, 1.0);
					}
					for (int d = 0; d < m->nareas[D]; d++)
						if (under(m, U, u, D, d))
							bp_ra_row_add(r, F->base[D] + d * F->natoms[D] + b, -1.0);
				}
		}
	}
}

void
bp_ra_build(struct bp_ra_model *m)
{
	int kv = -1;
	for (int v = 0; v < m->nvars; v++)
		if (m->vars[v].ksize)
			kv = v;
	if (kv >= 0)
		for (int c = 0; c < 5; c++)
			ksize_val[c] = bp_ra_var_value(m, kv, ksize_names[c]);
	close_families(m);
	propagate_presence(m);
	/* the indexes' definitions may add families and presence: closed
	 * again; then their families share every subset */
	bp_ra_index_prepare(m);
	if (m->idx.on) {
		close_families(m);
		propagate_presence(m);
	}
	propagate_gens(m);
	while (bp_ra_index_gens(m))
		propagate_gens(m);
	m->ncols = 0;
	for (int f = 0; f < m->nfams; f++) {
		struct bp_ra_family *F = &m->fams[f];
		for (int L = 0; L < BP_RA_LEVELS; L++) {
			make_atoms(F, L);
			F->base[L] = m->ncols;
			if (F->present[L])
				m->ncols += m->nareas[L] * F->natoms[L];
		}
	}
	bp_ra_index_cols(m);
	m->col_lo = bp_ra_xrealloc(NULL, m->ncols * sizeof(double));
	m->col_hi = bp_ra_xrealloc(NULL, m->ncols * sizeof(double));
	for (int c = 0; c < m->ncols; c++) {
		m->col_lo[c] = 0.0;
		m->col_hi[c] = -1.0;
	}
	/* a kommune's cells of another size class are 0 */
	for (int f = 0; f < m->nfams; f++) {
		struct bp_ra_family *F = &m->fams[f];
		int w;
		if (!F->present[2] || !fam_has_ksize(m, F, &w))
			continue;
		for (int k = 0; k < m->nareas[2]; k++)
			if (ksize_val[m->kom_class[k]] != w)
				for (int a = 0; a < F->natoms[2]; a++)
					m->col_hi[F->base[2] + k * F->natoms[2] + a] = 0.0;
	}
	key_rows(m);
	derived_rows(m);
	marginal_rows(m);
	geo_rows(m);
	bp_ra_index_rows(m);
}

/* Frees everything the model holds (the model itself is the caller's). */
static void
model_free(struct bp_ra_model *m)
{
	for (int l = 0; l < BP_RA_LEVELS; l++) {
		for (int i = 0; i < m->nareas[l]; i++)
			free(m->areas[l][i]);
		free(m->areas[l]);
		free(m->area_rel[l]);
	}
	free(m->kom_fylke);
	free(m->kom_fylke_e);
	free(m->kom_class);
	for (int v = 0; v < m->nvars; v++) {
		for (int i = 0; i < m->vars[v].nvals; i++)
			free(m->vars[v].vals[i]);
		free(m->vars[v].vals);
		free(m->vars[v].name);
	}
	free(m->vars);
	for (int f = 0; f < m->nfams; f++)
		for (int l = 0; l < BP_RA_LEVELS; l++)
			free(m->fams[f].gens[l]);
	free(m->fams);
	free(m->keys);
	for (int c = 0; c < m->ncells; c++) {
		free(m->cells[c].area);
		free(m->cells[c].table);
		free(m->cells[c].cat);
		free(m->cells[c].bval);
	}
	free(m->cells);
	for (int k = 0; k < m->nsums; k++) {
		free(m->sums[k].area);
		free(m->sums[k].measure);
		free(m->sums[k].bd);
		free(m->sums[k].bval);
	}
	free(m->sums);
	for (int r = 0; r < m->nrows; r++) {
		free(m->rows[r].idx);
		free(m->rows[r].val);
	}
	free(m->rows);
	free(m->col_lo);
	free(m->col_hi);
	bp_ra_index_free(m);
	if (m->fam_hash)
		bp_ra_hash_free(m->fam_hash);
	if (m->key_hash)
		bp_ra_hash_free(m->key_hash);
	free(m->fam_hash);
	free(m->key_hash);
}

/* The earlier release's settings must be the later one's (the relations
 * the model states depend on them); then its areas. */
static int
read_earlier_areas(struct bp_ra_model *m, const char *earlier, const char *registry)
{
	struct bp_ra_model e;
	memset(&e, 0, sizeof(e));
	if (bp_ra_read_release(&e, earlier))
		return -1;
	if (e.min_cell != m->min_cell || e.suppress_zero != m->suppress_zero ||
	    e.rop_definition != m->rop_definition || memcmp(e.idx.cut, m->idx.cut, sizeof(e.idx.cut))) {
		fprintf(stderr, "release_attack: %s and the later release differ in min_cell, "
		    "suppress_zero, rop_definition or the indexes' cut points\n", earlier);
		return -1;
	}
	m->reading = 2;
	int rc = bp_ra_read_areas(m, earlier, registry);
	m->reading = 0;
	int shared = 0;
	for (int k = 0; k < m->nareas[2]; k++)
		shared += m->area_rel[2][k] == 3;
	fprintf(stderr, "release_attack: earlier release %s: %d kommuner the same in both\n",
	    earlier, shared);
	return rc;
}

static int
read_earlier_tables(struct bp_ra_model *m, const char *earlier)
{
	m->reading = 2;
	int rc = bp_ra_read_tables(m, earlier, "tables.csv", 0) ||
	    bp_ra_read_tables(m, earlier, "sums.csv", 1);
	m->reading = 0;
	return rc ? -1 : 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: release_attack [--registry FILE] [--earlier DIR [--changed K1,K2,...]] "
	    "[--cells FILE] [--max-only] [--coarse] [--ages] [--free-index] [--screen] "
	    "[--explain CELL] [--mip] "
	    "[--mip-max-cols N] [--time-limit SEC] RELEASE-DIR\n");
	exit(1);
}

int
main(int argc, char **argv)
{
	struct bp_ra_model m;
	memset(&m, 0, sizeof(m));
	struct bp_ra_opts o = { NULL, 0, 0, 0, NULL, 2000, 0.0 };
	const char *registry = getenv("BPAGG_REGISTRY"), *dir = NULL, *earlier = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--registry") == 0 && i + 1 < argc)
			registry = argv[++i];
		else if (strcmp(argv[i], "--earlier") == 0 && i + 1 < argc)
			earlier = argv[++i];
		else if (strcmp(argv[i], "--changed") == 0 && i + 1 < argc)
			m.changed = argv[++i];
		else if (strcmp(argv[i], "--cells") == 0 && i + 1 < argc)
			o.cells_file = argv[++i];
		else if (strcmp(argv[i], "--max-only") == 0)
			o.max_only = 1;
		else if (strcmp(argv[i], "--explain") == 0 && i + 1 < argc)
			o.explain = argv[++i];
		else if (strcmp(argv[i], "--coarse") == 0)
			m.coarse = 1;
		else if (strcmp(argv[i], "--ages") == 0)
			m.ages = 1;
		else if (strcmp(argv[i], "--free-index") == 0)
			m.free_index = 1;
		else if (strcmp(argv[i], "--screen") == 0)
			o.screen = 1;
		else if (strcmp(argv[i], "--mip") == 0)
			o.mip = 1;
		else if (strcmp(argv[i], "--mip-max-cols") == 0 && i + 1 < argc)
			o.mip_max_cols = atoi(argv[++i]);
		else if (strcmp(argv[i], "--time-limit") == 0 && i + 1 < argc)
			o.time_limit = atof(argv[++i]);
		else if (argv[i][0] == '-' || dir)
			usage();
		else
			dir = argv[i];
	}
	if (!dir || !registry || (m.changed && !earlier))
		usage();
	if (bp_ra_read_release(&m, dir) || bp_ra_read_areas(&m, dir, registry) ||
	    (earlier && read_earlier_areas(&m, earlier, registry)) ||
	    bp_ra_read_tables(&m, dir, "tables.csv", 0) || bp_ra_read_tables(&m, dir, "sums.csv", 1) ||
	    (earlier && read_earlier_tables(&m, earlier))) {
		model_free(&m);
		return 1;
	}
	bp_ra_build(&m);
	fprintf(stderr, "release_attack: %d printed cells, %d quantities, %d families, "
	    "%d unknowns, %d relations\n", m.ncells, m.nkeys, m.nfams, m.ncols, m.nrows);
	int rc = bp_ra_solve(&m, &o);
	if (m.errors)
		rc = 2;
	model_free(&m);
	return rc;
}
