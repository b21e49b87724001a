/*
 * release_joint.h - the programs of model versions 7 and 9 (each area's
 * joint distribution, release_joint.c; the whole release's,
 * release_whole.c), shared by those two files only.
 */
#ifndef BP_RELEASE_JOINT_H
#define BP_RELEASE_JOINT_H

#include <glpk.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "release_private.h"

#define NLV 3                  /* nasjonal, fylke, kommune */
/* An upper bound for every unknown (more persons than any release has):
 * keeps the sums of many primaries bounded, and changes no answer. */
#define JOINT_CAP 1e6
/* Model 20: the most years a person is older than the least age of a
 * class (the export's ages are 16 to 110), for the bound of an age column. */
#define AGE_SPAN 100.0

/* Model 22 (release_joint_index.c): the six areas the levekårsindeks
 * sums beside psykisk_helse and rusmiddelbruk. */
#define NSIX 6

/* A kind of person: the sum of the six, and the categories of
 * levekarsindeks6 and 8 (255: not decided by the atoms). */
struct lki_kind {
	unsigned char s, c6, c8;
};

/* A list per key: the entries of key k are at[start[k]..start[k + 1]). */
struct lki_csr {
	uint32_t *start, *at;
};

/* Model 22's ties at one level (the whole release: one). */
struct lki_level {
	size_t nblock, ngroup;
	struct lki_csr area[NSIX];  /* per block: each area's classes in it */
	struct lki_csr groups;      /* per block: its groups */
	struct lki_csr by_li[2];    /* per class of an index that is a family
	                               of its own: its groups */
	struct lki_csr classes;     /* per group: its persons' classes */
	uint32_t *kstart;           /* per group: its kinds, */
	struct lki_kind *kind;      /* kind[kstart[g]..kstart[g + 1]) */
};

/* Model 22's ties, NULL when off. */
struct lki {
	int area[NSIX];            /* the six areas' indicators */
	int li[2];                 /* levekarsindeks6, levekarsindeks8 */
	int gul, rod;              /* their categories in an area */
	bool on[NLV];              /* per level (whole release: [0]) */
	unsigned char *six, *cat[2]; /* per atom: its sum, its indexes */
	struct lki_level lv[NLV];
};

/* The classes of a family at a level. */
struct fam {
	bool on;
	size_t n;                  /* classes 1..n */
	uint32_t *cls;             /* per atom: its class, 0 none */
	uint32_t *rep;             /* 1..n: an atom of the class */
	bool coupled;              /* persons' classes refine it (families) */
	/* coupled: per class 1..n, its persons' classes (model 24): a hash
	 * of them, the first, how many */
	uint64_t *phash;
	uint32_t *pfirst, *pcount;
};

struct joint {
	const struct bp_tables *T;
	struct rel *R;
	struct bp_sup_problem *M;
	size_t words, natom, nfam; /* families: 0 persons, 1 + g indicator g */
	int by_area;
	unsigned lvbit[NLV];
	int nlv;                   /* levels of the release, top first */
	struct fam *f;             /* nlv x nfam */
	uint32_t *stamp, *newid;   /* per class id (2 natom + 2) */
	uint32_t *ys;              /* natom + 1: a row's classes (class_list) */
	uint32_t tick;
	uint64_t *set;             /* words */
	bool *own;                 /* per indicator: own_family, asked once */
	int *partner;              /* per indicator: model 19's heavy partner
	                              (a substance's _tung, a _tung's
	                              substance), else -1 */
	/* model 20 (release_joint_ages.c): whether sums of ages are rows,
	 * the alder group, an indicator that counts every person, and each
	 * atom's least and greatest age */
	bool ages;
	size_t age_g, everyone;
	double *age_lo, *age_hi;
	uint32_t *age_rep[NLV];    /* model 21: per level, each class's group */
	const unsigned char *dirty; /* model 20: the areas to check, NULL all */
	/* model 20, per area: the pattern at the round's start, whose lines
	 * bound a hidden cell (bp__joint_line_bounds), and each area's parent
	 * in them (bp__rel_line_parents); NULL none */
	const struct bp_sup_problem *lines;
	size_t *lparent;
	bool lines_off;            /* for the moment, the rows without them */
	int *base;                 /* na x nfam: first column - 1, -1 none */
	/* the rows that are printed cells: model cell, row of the LP */
	size_t *cell, nrow, caprow;
	int *lprow;
	uint64_t *where;           /* area, g, b, v, r: for the debug output */
	int *ind;
	double *val, *obj;
	size_t primaries, checked, hidden;
	/* model 9, the whole release: one program, columns for the reporting
	 * kommuner only (every printed cell a sum over those under its area);
	 * model 10, by fylke: for their fylker (release_whole.c) */
	bool whole;
	size_t *bases, nbase;
	bool ksize_known;          /* every one has its kommunestorrelse class */
	bool made;                 /* the program was small enough to be made */
	const atomic_bool *stop;   /* set: give up (ECANCELED) before the next solve */
	bool by_fylke;             /* model 10: its columns the fylker's */
	int *dev;                  /* per printed row: its deviation columns, 0 none */
	/* model 11, by fylke: the LP rows of the kommune sums that hold a
	 * hidden primary cell, and the value each must be able to reach */
	int *ksum;
	double *ksum_need;
	/* republish model 5: the rows of the earlier releases' figures, and
	 * the cells they bound that no complement of this release can raise
	 * (the earlier releases' own bounds, left as they are) */
	int *since_row;
	size_t nsince_row, capsince_row, then_left;
	/* republish model 7: those of them that the earlier release hid */
	int *hid_row;
	size_t nhid_row, caphid_row;
	size_t nksum, capksum;
	/* model 12, by fylke and size class: per area, the base of the group
	 * that a kommune is merged into (SIZE_MAX: none); per base, its
	 * kommuner (more than one: a group) */
	size_t *grp, *gn;
	/* republish model 5, by fylke: per area, a kommune that moved since an
	 * earlier release, a block of its own beside its fylke's (NULL none) */
	unsigned char *alone;
	/* republish model 5: the persons then of each kommune that
	 * resubmitted since earlier release then_q[t], then_k[t]: columns of
	 * their own, as area T->na + t of J->base */
	size_t *then_q, *then_k, nthen;
	struct lki *lki;           /* model 22 (release_joint_index.c) */
	struct row_memo *memo;     /* release_joint_memo.c; a worker's own */
};

/* Model 24: which persons' classes (family P's) each class of coupled
 * family F holds, into F->phash, pfirst and pcount (allocated here, freed
 * with F's classes).  0 or -1 (ENOMEM). */
int bp__joint_persons_of_classes(struct fam *F, const struct fam *P);
/* release_joint_heavy.c (model 19): J->partner, for model 19 and later
 * (else every entry -1).  0 or -1 (ENOMEM). */
int bp__joint_heavy_partners(struct joint *J);
/* Adds to lp, for areas from..to-1, a row per tie of <substance>_tung ja
 * and nei to the substance's categories (release_heavy.c) whose three
 * cells are rows of lp.  0, or -1 (ENOMEM). */
int bp__joint_heavy(struct joint *J, glp_prob *lp, size_t from, size_t to);

/* release_joint_ages.c (model 20) */
/* J->ages and what goes with it (all off before model 20).  0 or -1
 * (ENOMEM). */
int bp__joint_ages_setup(struct joint *J);
/* Every level's groups of classes that share their years (model 21),
 * made before the areas' threads read them.  0 or -1 (ENOMEM). */
int bp__joint_age_groups_setup(struct joint *J);
/* Whether level prints sums of ages by breakdown b, in the program. */
bool bp__joint_age_on(const struct joint *J, unsigned level, size_t b);
/* The persons of sums of ages by (b, v) into J->set: 0, or -1. */
int bp__joint_age_set(struct joint *J, size_t b, size_t v);
/* Whether area i's persons have age columns (after their classes). */
bool bp__joint_age_cols(struct joint *J, size_t i);
/* Whether printed row k is a sum of ages, and whether it is printed (its
 * sum and its count published). */
bool bp__joint_age_row(const struct joint *J, size_t k);
bool bp__joint_age_printed(const struct joint *J, size_t k);
/* What hiding row k's cell costs beside others: its count (a sum of ages:
 * nothing). */
double bp__joint_row_value(const struct joint *J, size_t k);
/* Adds to lp, for areas from..to-1, each age column's bound by its class
 * and a row per printed sum of ages; in the whole release by fylke, the
 * sums of the kommuner of a merged base.  0, or -1 (ENOMEM). */
int bp__joint_ages(struct joint *J, glp_prob *lp, size_t from, size_t to);

/* release_joint_index.c (model 22) */
/* J->lki, after the persons' classes, when a level of the release prints
 * a levekårsindeks (else NULL), its families on.  0 or -1 (ENOMEM). */
int bp__joint_index_setup(struct joint *J);
void bp__joint_index_free(struct joint *J);
/* Whether family f at level l is one the ties need (in every program of
 * the level, hidden cell or not). */
bool bp__joint_index_family(const struct joint *J, int l, size_t f);
/* Adds to lp, for areas from..to-1, the ties of the indexes' definitions:
 * per group of the persons' classes a column per kind, per block of the
 * six areas' classes their colours against the kinds' sums (none in the
 * program by fylke).  0, or -1 (ENOMEM). */
int bp__joint_index(struct joint *J, glp_prob *lp, size_t from, size_t to);

/* release_joint_since.c (republish model 5): rows of the whole
 * release's program for the figures of group g that earlier releases
 * printed (R->since).  0 or -1 (ENOMEM). */
int bp__joint_since(struct joint *J, glp_prob *lp, size_t g);
/* The kommuner that resubmitted since an earlier release and are bases
 * of their own: J->then_q, then_k, and room for them in J->base (after
 * J->base's first T->na areas are set).  0 or -1 (ENOMEM). */
int bp__joint_then_setup(struct joint *J);
/* Whether LP row rw can reach need once the earlier releases' figures are
 * let go (their rows free): the bound it has is theirs.  The rows' bounds
 * are as before afterwards. */
bool bp__joint_since_bound(struct joint *J, glp_prob *lp, int rw, double need);
/* Whether LP row rw is a figure above the kommuner that an earlier release
 * hid (republish model 7). */
bool bp__joint_since_hidden_row(const struct joint *J, int rw);
/* An LP row rw that must reach need, not a printed cell (release_whole.c:
 * model 11's kommune sums, republish model 5's hidden figures then).  0 or
 * -1 (ENOMEM). */
int bp__joint_keep_sum(struct joint *J, int rw, double need);
/* Whether kommuner k and j moved alike since every earlier release (true
 * before republish model 5): model 12 groups only those, model 10 splits
 * a fylke of both kinds first. */
bool bp__joint_since_alike(const struct joint *J, size_t k, size_t j);
/* Whether kommune k moved since some earlier release (false before
 * republish model 5). */
bool bp__joint_since_moved(const struct joint *J, size_t k);
/* The kommuner in fylke f's block of model 10 (its reporting ones but
 * those of a block of their own). */
size_t bp__joint_block_size(const struct joint *J, size_t f);

/* release_joint_zeros.c (model 21) */
/* Drops from lp the columns that rows which can only be 0 rule out, and
 * the rows that leaves empty and no check changes; J's printed rows and
 * kommune sums, list[0..n) (indices of printed rows) and colstart[0..ncs)
 * (first columns) follow.  0 or -1 (ENOMEM). */
int bp__joint_drop_zeros(struct joint *J, glp_prob *lp, size_t *list, size_t n, int *colstart,
    size_t ncs);

/* release_joint.c */
/* Whether tables by breakdown b are in the program. */
bool bp__joint_breakdown_counts(const struct joint *J, size_t b);
/* Appends printed row (model cell c, LP row lprow, where: area, g, b, v,
 * r) to J's list: 0 or -1 (ENOMEM). */
int bp__joint_add_printed(struct joint *J, size_t c, int lprow, uint64_t where);
/* The classes of G that J->set meets, in the order of their first atom,
 * into J->ys; how many. */
size_t bp__joint_class_list(struct joint *J, const struct fam *G);
/* Whether base k counts in area i's cells by breakdown b's value v. */
bool bp__joint_under(const struct joint *J, size_t k, size_t i, size_t b, size_t v);
/* The classes of family f at level l (level 0 in the whole release). */
struct fam *bp__joint_fam(struct joint *J, int l, size_t f);
/* Makes them on first use: 0 or -1 (ENOMEM). */
int bp__joint_classes(struct joint *J, int l, size_t f);
/* The atoms of printed row (g, b, v, r) in family f into J->set: 0, or -1
 * when they do not decide it there. */
int bp__joint_row_set(struct joint *J, size_t f, size_t g, size_t b, size_t v, size_t r);
/* The column of class x (of n) of family f, category r, of area i. */
int bp__joint_col(const struct joint *J, size_t i, size_t f, size_t r, size_t n, uint32_t x);
/* Appends to J->ind[n + 1..] the columns of area k (family f, category r)
 * of the first ny classes of ys; the new n. */
int bp__joint_class_cols(struct joint *J, const uint32_t *ys, size_t ny, size_t k, size_t f,
    size_t r, size_t ncls, int n);
/* The index of a level bit among the release's levels, or -1. */
int bp__joint_level(const struct joint *J, unsigned level);
/* Area i's columns of the families on at level l: 0 or -1 (ENOMEM). */
int bp__joint_columns(struct joint *J, glp_prob *lp, size_t i, int l);
/* Area i's printed rows of indicator g (a model cell once per stamp): 0 or
 * -1 (ENOMEM). */
int bp__joint_printed(struct joint *J, glp_prob *lp, size_t i, int l, size_t g, size_t *seen,
    size_t stamp);
/* Family g's categories against area i's persons, class by class (model
 * 24: against the same categories of the first family before it with the
 * same persons). */
void bp__joint_coupling(struct joint *J, glp_prob *lp, size_t i, int l, size_t g);
/* Printed row k's bounds: its count when published, the rule's when not. */
void bp__joint_bound_row(struct joint *J, glp_prob *lp, size_t k);
/* Whether model cell c may become a complement. */
bool bp__joint_hideable(const struct joint *J, size_t c);
/* Whether row k is a primary the check must raise: not a 0 of a cell that
 * no class of the persons can be in (model 13, suppress_zero), which every
 * reader knows is 0 and no complement could raise. */
bool bp__joint_to_raise(const struct joint *J, glp_prob *lp, size_t k);
/* Hides printed row x's cell (BP_SUP_KEEP) for primary row k, bound hi. */
void bp__joint_hide_row(struct joint *J, glp_prob *lp, size_t x, size_t k, double hi);
/* J->ind, J->val and J->obj for rows over nk areas' columns: 0 or -1. */
int bp__joint_row_room(struct joint *J, size_t nk);
/* Whether the check was told to give up (J->stop); errno ECANCELED then. */
bool bp__joint_stopped(const struct joint *J);
/* Every row of list[0..n) reaches min_cell, with complements: 0 or -1
 * (errno EDOM: none left; EINVAL; ECANCELED). */
int bp__joint_protect(struct joint *J, glp_prob *lp, size_t *list, size_t n);
/* Sets the objective to the sum of LP rows rows[0..n) (each of
 * rows[list[q]] if list, else rows[q]). */
void bp__joint_objective_of(struct joint *J, glp_prob *lp, const int *rows, const size_t *list,
    size_t n);
/* LP row rw (printed row k, SIZE_MAX: a kommune sum) reaches need, with
 * complements: 0 or -1 (errno EDOM: none left; EINVAL). */
int bp__joint_raise_row(struct joint *J, glp_prob *lp, int rw, double need, size_t k);

/* release_joint_memo.c */
/* The classes of G (family ff's) that printed row (g, b, v, r) meets, in
 * the order of bp__joint_class_list: 0 with *ys (J's: valid until the next
 * call) and *ny; 1 when the row's set is not decided there
 * (bp__joint_row_set); -1 (ENOMEM).  Kept in J for the next area. */
int bp__joint_row_classes(struct joint *J, const struct fam *G, size_t ff, size_t g, size_t b,
    size_t v, size_t r, const uint32_t **ys, size_t *ny);
/* Frees what J kept. */
void bp__joint_memo_free(struct joint *J);

/* release_areas.c: every area's check, the areas on the cores: 0 or -1
 * (errno). */
int bp__joint_check_areas(struct joint *J, size_t *seen, size_t *list);
/* Model 20: narrows *lo and *hi of hidden row k to what its parent's line
 * in J->lines tells (the parent's printed cell less what its siblings are
 * known to hold at least, or at most). */
void bp__joint_line_bounds(const struct joint *J, size_t k, double *lo, double *hi);

/* release_whole.c */
/* Whether base f stands for several kommuner: model 10's fylke of more
 * than one reporting, model 12's group. */
bool bp__joint_merged(const struct joint *J, size_t f);
/* Whether reporting kommune k is one of merged base f's. */
bool bp__joint_member(const struct joint *J, size_t f, size_t k);
/* J->bases, the reporting kommuner: 0 or -1 (ENOMEM). */
int bp__joint_whole_setup(struct joint *J);
/* The whole release's program and its check when small enough: 0 or -1
 * (errno). */
int bp__joint_check_whole(struct joint *J, size_t *seen, size_t *list);
/* Model 11: every kommune sum of J->ksum reaches its need, with
 * complements; J->ksum is reordered.  0 or -1 (errno EDOM, EINVAL). */
int bp__joint_lift_sums(struct joint *J, glp_prob *lp);
/* Complements at once for LP row rw, which must reach need (its bound hi;
 * k the primary's printed row for the debug output, SIZE_MAX for a
 * kommune sum): the number hidden, 0 when none found, or -1 (errno EDOM). */
long bp__joint_cover_row(struct joint *J, glp_prob *lp, int rw, double need, size_t k,
    double hi);

#endif
