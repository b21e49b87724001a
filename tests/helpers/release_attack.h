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
	                             sums.csv (ref the sum) */
	double rhs;
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
