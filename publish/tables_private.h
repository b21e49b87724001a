/*
 * tables_private.h - what the modules of the tables share and nothing else
 * includes: the areas and row geometry of a release (tables.c), one
 * group's suppression problem (relations.c), solved and settled by solve.c,
 * read back and written by write.c; the kept release's counts (previous.c).
 */
#ifndef BP_TABLES_PRIVATE_H
#define BP_TABLES_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cellkeys.h"
#include "publish.h"
#include "suppress.h"

struct area {
	unsigned level;
	char code[5];
	const struct bp_tally *t;   /* NULL: no reporting kommune */
	struct bp_tally own;        /* the sum, for nasjonal and fylke */
	bool owned;
	unsigned nrep, ntotal;
	uint64_t pop18rep, pop18tot;
	bool rows;                  /* carries rows in this release */
	size_t parent;              /* index of the fylke area, or SIZE_MAX */
	int ksize;                  /* kommune: its kommunestorrelse value, or -1 */
	int64_t received;           /* kommune: when its latest submission was
	                               applied (unix), 0 unknown */
};

struct bp_tables {
	int year;
	size_t earlier_bound;       /* republish model 5: hidden cells that
	                               earlier releases' figures bound below
	                               min_cell, whatever this one hides */
	struct bp_pub_settings s;
	struct area *a;
	size_t na;
	size_t ngroup;              /* indicators + sum measures */
	size_t nind;
	size_t *blk;                /* na x ngroup row offsets (SIZE_MAX: none) */
	size_t nrows;               /* all rows (tables and sums) */
	size_t ntab, nsum;          /* rows of tables.csv / sums.csv */
	unsigned char *reason;      /* nrows, enum bp_reason */
	unsigned char *sumhide;     /* nrows: a sums row's sum hidden beside its
	                               printed count (model 18), enum bp_reason */
	const struct bp_pub_kommune **kom;  /* input, sorted by number */
	size_t nk;
	/* Quantities printed in more than one place (cellkeys.h): */
	uint32_t *rowkey;           /* nrows: key id (1..nkey), 0 none */
	size_t nkey;
	unsigned char *khidden;     /* nkey + 1: hidden in some table */
	uint16_t *kshared;          /* nkey + 1: number of groups printing it */
	struct bp_cellkeys *ck;
};

/* ---- row geometry ------------------------------------------------------ */

/* Whether the release has the table of group g by breakdown b at level:
 * the profile lists it, and at kommune level kommune_breakdowns has b. */
static inline bool
table_on(const struct bp_tables *T, unsigned level, size_t g, size_t b)
{
	return (level != BP_LEVEL_KOMMUNE || T->s.kommune_bd[b]) &&
	    bp_profile_has(T->s.profile, level, g, b);
}

static inline size_t
group_nrow(const struct bp_tables *T, size_t g)
{
	return g < T->nind ? bp_indicator_at(g)->ncat + 1 : 1;
}

/* Rows of group g for an area of the given level. */
static inline size_t
block_rows(const struct bp_tables *T, unsigned level, size_t g)
{
	size_t n = 0, nr = group_nrow(T, g);
	for (size_t b = 0; b < bp_n_breakdowns(); b++)
		if (table_on(T, level, g, b))
			n += bp_breakdown_at(b)->nval * nr;
	return n;
}

/* Position of breakdown b's first row inside a block, or SIZE_MAX. */
static inline size_t
bd_offset(const struct bp_tables *T, unsigned level, size_t g, size_t b)
{
	size_t n = 0, nr = group_nrow(T, g);
	if (!table_on(T, level, g, b))
		return SIZE_MAX;
	for (size_t i = 0; i < b; i++)
		if (table_on(T, level, g, i))
			n += bp_breakdown_at(i)->nval * nr;
	return n;
}

/* The count of row r (category, or ncat = i_alt) of value v. */
static inline uint32_t
cell_value(const struct bp_tables *T, const struct area *a, size_t g, size_t b,
    size_t v, size_t r)
{
	if (g >= T->nind)
		return a->t->sum_n[bp_sum_cell(g - T->nind, b, v)];
	const struct bp_indicator *ind = bp_indicator_at(g);
	size_t nval = bp_breakdown_at(b)->nval, off = bp_cell_offset(g, b);
	if (r < ind->ncat)
		return a->t->counts[off + r * nval + v];
	uint32_t sum = 0;
	for (size_t c = 0; c < ind->ncat; c++)
		sum += a->t->counts[off + c * nval + v];
	return sum;
}


/* The position (cellkeys.h) of row r of value v of breakdown b of group g
 * in area a, 0 when not determined; ks and tot are the breakdowns
 * kommunestorrelse and total (bp_breakdown_find).  A kommune's own
 * kommunestorrelse class is its total; its other classes are empty. */
static inline uint32_t
row_pos(const struct bp_tables *T, const struct area *a, size_t g, size_t b, size_t v,
    size_t r, int ks, int tot)
{
	if ((int)b == ks && a->level == BP_LEVEL_KOMMUNE)
		return a->ksize == (int)v && tot >= 0 ?
		    bp_cellkeys_pos(T->ck, g, (size_t)tot, 0, r) : 0;
	return bp_cellkeys_pos(T->ck, g, b, v, r);
}

/* ---- one group's suppression problem (relations.c, solve.c) ------------ */


/*
 * One suppression problem of a group: the whole group (use NULL), or one
 * stage of the two-stage solution (use marks the areas: 1 decided here,
 * 2 context: a fylke whose pattern stage 1 decided, see solve_staged).
 */
struct group {
	struct bp_sup_problem *p;
	const unsigned char *use;   /* na entries, or NULL: every area, own */
	const struct group *ctx;    /* the stage that decided the context areas */
	size_t *base;     /* na: index of the area's first cell, SIZE_MAX none */
	size_t *rest;     /* na x breakdowns x rows: rest cell, SIZE_MAX none */
	size_t *daux;     /* difference cells of the republishing rule */
	size_t ndaux;
	size_t ncells;    /* row cells: indices 0 .. ncells-1 */
	size_t *mem;      /* scratch for constraint members */
	size_t memcap;
	unsigned char *forced; /* per row cell: reason forced by the republish rule */
	unsigned strict;  /* what is FIXED on this try: STRICT_* */
};

/* Quantities printed by this many groups or more (the population counts
 * that are every table's i_alt) are FIXED on a group's first try. */
#define STRICT_SHARED 3

/* A group's tries, from most FIXED to none (suppress_group). */
enum {
	STRICT_NONE,      /* nothing more than what the reader has */
	STRICT_HEADLINE,  /* + the national count of the group */
	STRICT_ALL,       /* + the quantities STRICT_SHARED groups print */
};


/* The count the kept release printed for key k (-1: suppressed); false when
 * it did not print k (previous.c). */
bool bp_prev_get(const struct bp_prev *p, const char *k, int64_t *v);
/* The release made before p, NULL when p holds no older one; how many
 * releases p holds (itself included; 0 for NULL). */
const struct bp_prev *bp_prev_older(const struct bp_prev *p);
size_t bp_prev_depth(const struct bp_prev *p);
/* The time (unix) of release p, 0 when not known. */
int64_t bp_prev_time(const struct bp_prev *p);
/* Whether release p showed every 0 (suppress_zero = no in its log). */
bool bp_prev_zeros_shown(const struct bp_prev *p);
/* When the submission of kommune that release p read was applied (0: it
 * read none): 1, or 0 when p's log entry records no received times. */
int bp_prev_received(const struct bp_prev *p, const char *kommune, int64_t *received);

/* relations.c */
bool bp_tb_is_small(const struct bp_tables *T, uint32_t v);
/* The key of row (g, b, v, r) of area a in a kept release's map
 * (previous.c reads the files into it) into key. */
void bp_tb_prev_key(const struct bp_tables *T, const struct area *a, size_t g, size_t b,
    size_t v, size_t r, char *key, size_t len);
int bp_tb_group_build(const struct bp_tables *T, struct group *G, size_t g,
    const struct bp_prev *prev);
void bp_tb_group_free(struct group *G);
const char *bp_tb_group_name(const struct bp_tables *T, size_t g);
void bp_tb_take_pattern(struct bp_tables *T, const struct group *G, size_t g);
void bp_tb_keep_previous(struct group *G);
void bp_tb_copy_area(const struct bp_tables *T, struct group *G, const struct group *S,
    size_t i, size_t g);
const char *bp_tb_cell_name(const struct bp_tables *T, const struct group *G, size_t g,
    size_t c);

/*
 * One part of the release model: the suppression problem of group g over
 * every published area, as the per-group method builds it.  Cell c <
 * nrow is the row row[c] of T (tables.csv or sums.csv order); the cells
 * after are rest, unprinted and republishing cells.  forced[c] (c < nrow,
 * NULL without a previous release) is the reason the republishing rule
 * hides row cell c with (BP_REASON_SECONDARY: hidden before;
 * BP_REASON_DIFFERENCE: moved by less than min_cell), 0 none; daux[0..ndaux)
 * are the difference cells, primary by that rule.
 */
struct bp_tables_part {
	struct bp_sup_problem *p;
	size_t nrow;
	size_t *row;
	unsigned char *forced;
	size_t *daux, ndaux;
};
/* Fills *out (the caller frees it with bp__tables_part_free); 0 or -1
 * (errno ENOMEM, or EINVAL when the tables do not add up). */
int bp__tables_part(const struct bp_tables *T, size_t g, const struct bp_prev *prev,
    struct bp_tables_part *out);
void bp__tables_part_free(struct bp_tables_part *x);

/* The release method after the per-group round (release.c): every group's
 * part in one model, its pattern repaired until the audit of the whole
 * model passes, and the pattern written into T->reason.  0 or -1 with err. */
int bp__release_solve(struct bp_tables *T, const struct bp_prev *prev, char *err,
    size_t errlen);

/* With BPAGG_DEBUG_SUPPRESS set: "time: <what> <s>" on stderr, the wall
 * seconds since the call before (solve.c; where publishing spends them). */
void bp__debug_phase(const char *what);

#endif
