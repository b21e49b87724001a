/*
 * release_attack.h - the shared state of tests/helpers/release_attack, an
 * outside intruder's linear model of a whole published release, written
 * from bpagg-publish(1) and bpagg-measures(7) and the release files only
 * (no code of bpagg's suppression or audit).
 *
 * The unknowns: a finite grid of the person fields that the classification
 * breakdowns are functions of (rusproblem, psykisk_problem, psykisk_helse,
 * rusmiddelbruk, kjonn, an age class fine enough for alder7 and alder4);
 * every printed cell is (area, a list of conditions on the other variables,
 * a subset S of the grid); for each list of conditions (a "family") the
 * grid is cut into the atoms that the subsets it needs generate, and there
 * is one non-negative unknown per area and atom. Same quantity = same
 * (area, family, S), so two tables that print it share the unknowns.
 *
 * The living-conditions indexes (release_attack_index.c; --free-index
 * leaves them families of their own, tied to nothing but their sums):
 * bpagg-measures(7) defines them from the eight area scores, of which the
 * grid has psykisk_helse and rusmiddelbruk (t, their score's sum). The
 * families of the other six areas' colours (made when the release prints
 * no table of one) and of the printed indexes get every subset any of
 * them needs, so their atoms are one partition: the classes. Per area and
 * class, the persons by t (levekarsindeks8 only; each t's persons tied to
 * the grid's when the persons' atoms part them) and by s = n_gul + 2 n_rod
 * over the six areas. This is the exact projection of the persons by
 * their 28 combinations (n_gul, n_rod): levekarsindeks6 is the class of
 * s / 6, levekarsindeks8 of (s + t) / 8 (release.json's cut points in
 * integers, the defaults when it states none), and the six areas' gul and
 * rod counts, n_gul and n_rod times the persons, become: gul + 2 rod = the
 * sum of s, rod between the sums of max(0, s - 6) and of s / 2 (rounded
 * down). Each area's colours partition the class's persons.
 * Where: at the lowest level with the families (an upper area's atoms are
 * sums of its kommuner's), at an upper one only when its classes are
 * finer (--coarse). That is each kommune's classes in a release of at
 * most BP_RA_INDEX_FEW kommuner, exact for every set of persons the model
 * expresses (a class finer than those families' subsets, by kjonn say,
 * adds nothing to the LP: a solution split in proportion to the persons
 * satisfies it). In a larger release only the top level's: per kommune,
 * release_attack_wide.sh's 17 and 18 kommuner took GLPK 6 and 11 times as
 * long as without the definitions, the nation alone 1.1 and 2.5 times;
 * on release_attack_index.sh's release and the fixtures of
 * publish_oldrelease16.sh to 20 both bound as many cells.
 * Left out: which of the six areas holds a person's colours (the LP may
 * give one area the gul of persons who have a single gul; stated, 504
 * unknowns more a class, it changed no primary cell's maximum on
 * release_attack_index.sh's release, in 4 times the time); each area's
 * colours by t; the definitions within a further condition (an area or
 * index by lar, storforbruker or levekarsindeks8 as breakdown: those
 * families keep only their sums; kommunestorrelse is a kommune's own, so
 * its cells are sums of kommune classes).
 */
#ifndef BP_RELEASE_ATTACK_H
#define BP_RELEASE_ATTACK_H

#include <stddef.h>
#include <stdint.h>

#define BP_RA_NGRID 576 /* rp 2 x pp 2 x ph 3 x rm 3 x kjonn 2 x age 8 */
#define BP_RA_WORDS 9
#define BP_RA_MAXCOND 3
#define BP_RA_LEVELS 3 /* nasjonal, fylke, kommune */

typedef struct { uint64_t w[BP_RA_WORDS]; } bp_ra_set;

struct bp_ra_var {           /* a variable that is not a function of the grid */
	char *name;
	char **vals;
	int nvals;
	int dom_j;        /* counted only for rusproblem J */
	int ksize;        /* kommunestorrelse: fixed by the area */
};

struct bp_ra_family {
	int nc;
	int cv[BP_RA_MAXCOND], cw[BP_RA_MAXCOND];     /* (var, value), var ascending */
	/* per level: the subsets the level needs (an upper level's include
	 * every lower level's, so its atoms nest in theirs) and their atoms */
	bp_ra_set *gens[BP_RA_LEVELS];
	int ngens[BP_RA_LEVELS], capgens[BP_RA_LEVELS];
	int natoms[BP_RA_LEVELS];
	int atom_of[BP_RA_LEVELS][BP_RA_NGRID];    /* -1: in no generator */
	int present[BP_RA_LEVELS];
	int base[BP_RA_LEVELS];                    /* first column at each level */
};

struct bp_ra_key {           /* one quantity of the release */
	int level, area, fam, gen;
	long value;       /* published value; -1 hidden */
	int twin;         /* printed hidden somewhere and published elsewhere */
	int first_cell;   /* a printed cell of it (for messages) */
};

struct bp_ra_cell {          /* one printed count */
	int level;
	char *area, *table, *cat, *bval;
	int key;
	long value;       /* -1 when ':' */
};

struct bp_ra_sum {           /* one printed sum of sums.csv */
	int level;
	char *area, *measure, *bd, *bval;
	long value;       /* -1 when ':' */
};
struct bp_ra_row {
	int n, cap;
	int *idx;
	double *val;
	int eq;           /* 1: = rhs, 0: >= rhs */
	int kind, ref, lvl, area; /* for --explain: 0 a quantity (ref key), 1 a
	                             sum over a variable's values, 2 an area sum
	                             (ref family, var or level), 3 heavy use
	                             (ref the _tung cell), 4 a sum of
	                             sums.csv (ref the sum), 5 the indexes'
	                             definitions (ref the class) */
	double rhs;
};

/* The indexes' definitions in the model (release_attack_index.c). */
#define BP_RA_NSCORE 13 /* n_gul + 2 n_rod over six areas: 0 to 12 */
#define BP_RA_INDEX_FEW 8 /* kommuner: up to this many, stated per kommune */
struct bp_ra_index {
	int on;                     /* stated (some index printed, no --free-index) */
	long cut[3];                /* cut points in millionths */
	int cuts_stated;            /* by release.json (else the defaults) */
	int fam[8][4];              /* the six areas' gronn, gul, rod; then
	                               levekarsindeks6 and 8's classes; -1 */
	int levels[BP_RA_LEVELS];   /* the families are modelled there */
	int stated[BP_RA_LEVELS];   /* the definitions are stated there */
	int nclass[BP_RA_LEVELS];
	/* owned, per level: grid point -> class (-1); per class its grid
	 * points, its scores of psykisk_helse + rusmiddelbruk (a bit each;
	 * bit 0 alone without levekarsindeks8), whether the persons of each
	 * are a union of the persons' atoms, its first column within an area */
	int *cls[BP_RA_LEVELS], *parts[BP_RA_LEVELS];
	bp_ra_set *set[BP_RA_LEVELS];
	int *split[BP_RA_LEVELS], *off[BP_RA_LEVELS];
	int per_area[BP_RA_LEVELS];  /* columns of an area */
	int base[BP_RA_LEVELS];     /* first column of the level */
};

struct bp_ra_model {
	int min_cell, suppress_zero, rop_definition;
	/* areas per level: codes; kommune -> fylke area index, size class */
	char **areas[BP_RA_LEVELS];
	int nareas[BP_RA_LEVELS];
	int *kom_fylke, *kom_class;
	/* two releases of a year (--earlier): the earlier one's areas are
	 * prefixed "E:", but a kommune that reported in both and did not
	 * change is one area of both (release mask 3): it is under its fylke
	 * and E:fylke (kom_fylke_e, else -1) and under both nations */
	int *area_rel[BP_RA_LEVELS]; /* 1 the later release, 2 the earlier, 3 both */
	int *kom_fylke_e;
	int reading;                 /* the release being read: 1 or 2 */
	const char *changed;         /* kommuner changed between them: "K1,K2" */
	struct bp_ra_var *vars;
	int nvars;
	struct bp_ra_family *fams;
	int nfams;
	struct bp_ra_key *keys;
	int nkeys;
	struct bp_ra_cell *cells;
	int ncells;
	struct bp_ra_sum *sums;
	int nsums;
	struct bp_ra_row *rows;
	int nrows;
	int ncols;
	double *col_lo, *col_hi;   /* hi < 0: no upper bound */
	int errors;                /* relations that failed on published cells */
	int coarse;                /* atoms per level (weaker, smaller) */
	int ages;                  /* --ages: the sums of ages bound the age classes */
	int free_index;            /* --free-index: no definitions of the indexes */
	struct bp_ra_index idx;
	struct bp_ra_hash *fam_hash, *key_hash;
};

/* An open-addressing map of 64-bit keys to indexes (release_attack.c). */
struct bp_ra_hash {
	uint64_t *k;
	int *v;
	size_t cap, n;
};
/* The index stored for key, or -1. */
int bp_ra_hash_get(const struct bp_ra_hash *h, uint64_t key);
/* Stores key -> v; grows the table (freed by bp_ra_hash_free). */
void bp_ra_hash_put(struct bp_ra_hash *h, uint64_t key, int v);
void bp_ra_hash_free(struct bp_ra_hash *h);
uint64_t bp_ra_hash_str(const char *s);

/* release_attack.c: the grid, the variables and families, the input */
int bp_ra_grid_valid(int g);
/* The score of psykisk_helse plus that of rusmiddelbruk at grid point g. */
int bp_ra_grid_score(int g);
int bp_ra_set_has(const bp_ra_set *s, int g);
int bp_ra_set_empty(const bp_ra_set *s);
void bp_ra_set_and(bp_ra_set *a, const bp_ra_set *b);
int bp_ra_set_eq(const bp_ra_set *a, const bp_ra_set *b);
bp_ra_set bp_ra_dom_of(const struct bp_ra_var *v);
/* Exits on failure; the caller frees (realloc). */
void *bp_ra_xrealloc(void *p, size_t n);
/* Appends s to F's generators at level unless there; sets *changed when added. */
int bp_ra_fam_gen(struct bp_ra_family *F, int level, const bp_ra_set *s, int *changed);
/* The family of m->fams[f] without condition i (w < 0), or with value w
 * for it; created when missing (m->fams may move). */
int bp_ra_fam_variant(struct bp_ra_model *m, int f, int i, int w);
/* The index of value val of variable var, added when missing. */
int bp_ra_var_value(struct bp_ra_model *m, int var, const char *val);
/* The variable named name, added when missing and add; else -1. */
int bp_ra_var_find(struct bp_ra_model *m, const char *name, int add);
/* The family of the one condition var = val, created when missing. */
int bp_ra_fam_single(struct bp_ra_model *m, int var, int val);
int bp_ra_read_release(struct bp_ra_model *m, const char *dir);
int bp_ra_read_areas(struct bp_ra_model *m, const char *dir, const char *registry);
int bp_ra_read_tables(struct bp_ra_model *m, const char *dir, const char *name, int is_sum);

/* release_attack_model.c: the closure of the families, atoms, columns and
 * rows. */
void bp_ra_build(struct bp_ra_model *m);
/* release_attack_model.c: the columns of key k: the atoms of its subset at its area; returns the
 * count and writes at most max column indexes. */
int bp_ra_key_cols(const struct bp_ra_model *m, int k, int *out, int max);
const char *bp_ra_level_name(int level);
/* A new row of m (m->rows may move); its terms are added by row_add. */
struct bp_ra_row *bp_ra_row_new(struct bp_ra_model *m, int eq, double rhs);
void bp_ra_row_add(struct bp_ra_row *r, int col, double v);
/* Adds v times the columns of family F's atoms in s at (L, area). */
void bp_ra_add_set(struct bp_ra_row *r, const struct bp_ra_family *F, int L, int area,
    const bp_ra_set *s, double v);

/* release_attack_index.c: the indexes' definitions. The cut points of
 * release.json's text js. */
void bp_ra_index_cuts(struct bp_ra_model *m, const char *js);
/* Before the closure of
 * the families: their families and levels. */
void bp_ra_index_prepare(struct bp_ra_model *m);
/* After each propagation of the subsets: gives every family of the
 * definitions every subset of the others; 1 when it added one. */
int bp_ra_index_gens(struct bp_ra_model *m);
/* After the atoms: the classes and the combinations' columns. */
void bp_ra_index_cols(struct bp_ra_model *m);
void bp_ra_index_rows(struct bp_ra_model *m);
void bp_ra_index_free(struct bp_ra_model *m);

/* release_attack_lp.c: solves the model; prints one line per hidden cell. */
struct bp_ra_opts {
	const char *cells_file;   /* only these cells (NULL: every hidden one) */
	int max_only, mip;
	int screen;
	const char *explain;      /* a cell: print the relations bounding its max */               /* hi only, exact only below min_cell */
	int mip_max_cols;
	double time_limit;        /* seconds, 0: none */
};
int bp_ra_solve(struct bp_ra_model *m, const struct bp_ra_opts *o);

#endif
