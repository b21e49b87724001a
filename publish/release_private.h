/*
 * release_private.h - the release model under construction, shared by
 * release.c (the groups, the relations between indicators, the repair),
 * release_weights.c (the cost of hiding a cell),
 * release_links.c (the relations model version 6 adds), release_sums.c
 * (models 15 and 20), release_agelines.c (model 20's), release_heavy.c
 * (model 17's), release_sumties.c (model 18's) and release_republish.c
 * (republish model 3's).  Private to them.
 */
#ifndef BP_RELEASE_PRIVATE_H
#define BP_RELEASE_PRIVATE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "tables_private.h"

/* What the model needs per row and per model cell besides the problem. */
/* Republish model 5 (release_republish.c): upper area u's figure (g, b,
 * v, r) that earlier release q printed: what the kommuner of q under u
 * that did not resubmit count of it now, plus what those that did counted
 * then; and q's figures of each kommune that resubmitted.  Rows of the
 * whole-release check (release_joint_since.c), not of the model. */
struct since_fig {
	uint32_t u, q;
	uint32_t then;   /* the figure q printed */
	uint32_t less;   /* less the figures then that q printed of the
	                    kommuner under u that resubmitted */
	uint8_t g, b, v, r;
	bool exact;      /* q printed every such figure (less is exact) */
	bool own;        /* u a kommune that resubmitted: q's figure of it
	                    (then; exact false: hidden in q) */
	bool at_least_1; /* hidden: q showed every 0 */
	bool hidden;     /* not own: q hid it (republish model 7) */
};

struct rel {
	struct bp_model *m;
	size_t *rowcell;           /* nrows: model cell of the row */
	size_t *sumcell;           /* nrows: model cell of a sums row's sum
	                              (models 18, 20), else SIZE_MAX */
	unsigned char *forced;     /* per model cell: republishing reason */
	size_t nforced;
	size_t *daux, ndaux, capdaux;
	bool whole_beside;         /* the whole-release check runs on a core of
	                              its own meanwhile (release_areas.c
	                              leaves it that core) */
	/* republish model 5: the figures, and per earlier release q what
	 * moved of each area (since_moved[q * T->na + k]: 0, MOVED, MOVED_NEW) */
	struct since_fig *since;
	size_t nsince, capsince, nsince_q;
	unsigned char *since_moved;
	size_t earlier_bound;      /* the whole check's, kept (above) */
	bool earlier_given;        /* republish model 7: the whole check found a
	                              figure an earlier release hid that this
	                              one would give away (written by the
	                              check's thread, read after it ended) */
};

/* What moved of a kommune since an earlier release (release_republish.c):
 * it resubmitted, or it is new since. */
enum { BP_REL_MOVED = 1, BP_REL_MOVED_NEW = 2 };

/* Row of T for (area i, group g, breakdown b, value v, row r), or SIZE_MAX
 * when the area does not print that table. */
size_t bp__rel_row_of(const struct bp_tables *T, size_t i, size_t g, size_t b, size_t v,
    size_t r);
/* A new model cell the tables never print: an unknown of the LP, and a
 * hidden cell of its lines for the line pass (BP_SUP_SLACK).  Its index,
 * or -1 (ENOMEM). */
long bp__rel_add_unknown(struct rel *R, uint32_t value);

/* Adds sum(m1) = sum(m2) to the model (bp_sup_add_equal; a cell on both
 * sides cancels first, a carrier of the common sum is an unknown).  0, or
 * -1: errno EINVAL when the sums differ (the atoms do not fit the
 * tallies), ENOMEM. */
int bp__rel_add_equal(struct rel *R, size_t *m1, size_t n1, size_t *m2, size_t n2);

/* Model 6 (release_links.c): the rows of a total an area does not print
 * beside two breakdowns, and the same quantity at a parent area and its
 * children in whatever tables.  0, or -1 (errno ENOMEM, EINVAL). */
int bp__rel_wholes(const struct bp_tables *T, struct rel *R);
int bp__rel_links(const struct bp_tables *T, struct rel *R);
/* The level whose areas sum to an area of level lv in this release: the
 * next printed level below it, 0 none (release_links.c). */
unsigned bp__rel_child_level(const struct bp_tables *T, unsigned lv);

/* Model 15 (release_sums.c): a sum measure's count that the atoms do not
 * decide (antall_barn) is at most the persons of its area and value:
 * persons = count + an unknown.  0, or -1 (errno ENOMEM, EINVAL). */
int bp__rel_sum_counts(const struct bp_tables *T, struct rel *R);

/* Model 17 (release_heavy.c): <substance>_tung ja = betydelig +
 * svaert_omfattende, nei = ingen + beskjeden.  0, or -1 (errno ENOMEM,
 * EINVAL). */
int bp__rel_heavy(const struct bp_tables *T, struct rel *R);
/* The indicators and categories of that tie for substance s (codes.h):
 * sub and tung -1 when the catalogue lacks either or a category.  Also
 * for model 18's sums (release_sumties.c) and model 19's checks
 * (release_joint_heavy.c). */
struct bp__heavy {
	int sub, tung;            /* indicators */
	int cat[4];               /* ingen, beskjeden, betydelig, svaert */
	int ja, nei;
};
void bp__rel_heavy_of(struct bp__heavy *h, size_t s);

/* Weighs every model cell that is a row (release_weights.c): the rows
 * printing it, each by the level lv[row] gives it; model 16's exchange of
 * national complements weighs too.  0, or -1 (ENOMEM, EINVAL). */
int bp__rel_weigh(const struct bp_tables *T, struct rel *R, const unsigned char *lv);

/* Model 18 (release_sumties.c): a sum of sums.csv that adds up table
 * cells (antall_rusmidler, antall_illegale, antall_tjenester_X) is a cell
 * of its own, equal to them, R->sumcell of its row.  0, or -1 (errno
 * ENOMEM, EINVAL). */
int bp__rel_sum_ties(const struct bp_tables *T, struct rel *R);
/* Model 20 (release_sums.c): the sum of ages of every alder row a cell of
 * its own, in no line, R->sumcell of its row, for the checks to tie to the
 * age classes (release_joint_ages.c).  0, or -1 (errno ENOMEM, EINVAL). */
int bp__rel_age_sums(const struct bp_tables *T, struct rel *R);
/* Model 20 (release_sums.c): an indicator whose i_alt is every person,
 * the one whose i_alt has the most atoms (the others count rusproblem J
 * only, measures/qatoms.h), or SIZE_MAX; set is scratch of
 * bp_cellkeys_words words. */
size_t bp__rel_everyone(const struct bp_tables *T, uint64_t *set);
/* Model 20 (release_agelines.c), after the checks: no sum of ages hidden
 * alone in a line of them (a parent and its children, a total and the
 * values of a breakdown); another is hidden beside it.  0, or -1 (errno
 * ENOMEM). */
int bp__rel_age_lines(const struct bp_tables *T, struct rel *R);

/* Republish model 3 (release_republish.c): each upper figure an earlier
 * release of the year printed, where the kommuner that reported since
 * account for all it moved by: now = then + their figures.  0, or -1
 * (errno ENOMEM). */
int bp__rel_since(const struct bp_tables *T, struct rel *R, const struct bp_prev *prev);

/* Model 7 (release_joint.c): each area's printed cells as sums over the
 * classes of atoms of the classification (and of the categories of the
 * indicators the atoms do not decide); hides (BP_SUP_KEEP) a complement
 * for every primary cell that this bounds below min_cell; of the areas
 * dirty says (NULL: every one); lines (model 20, NULL none): the pattern
 * whose lines bound a hidden cell by its parent's less its siblings'.  The number hidden (the model needs
 * repairing again when > 0), or -1: errno EDOM (no complement left), EINVAL
 * (internal error), ENOMEM. */
long bp__rel_joint(const struct bp_tables *T, struct rel *R, const unsigned char *dirty,
    const struct bp_sup_problem *lines);
/* Model 20 (release_areas.c): per area, the area whose cells are the sums
 * of its and its siblings' (a kommune's fylke, a fylke's nation: the next
 * printed level up), SIZE_MAX none; the caller's to free.  NULL on
 * ENOMEM. */
size_t *bp__rel_line_parents(const struct bp_tables *T);
/* Model 20 (release_areas.c): into *dirty (allocated on first use, the
 * caller's), per area, whether a cell it prints (a count, or a sum of
 * sums.csv) is hidden in the model and was not in before.  0 or -1
 * (ENOMEM). */
int bp__rel_changed_areas(const struct bp_tables *T, const struct rel *R,
    const struct bp_sup_problem *before, unsigned char **dirty);
/* Model 9 (release_whole.c): the same over the whole release at once, its
 * cells sums over the reporting kommuner's classes (a fylke is the sum of
 * its kommuner, nasjonal of all, a kommunestorrelse cell of those of the
 * class), when that program is small enough; model 10, when it is not,
 * over the fylker's classes instead.  Returns as bp__rel_joint; with
 * *earlier_bound (when not NULL) the hidden cells that the figures of
 * earlier releases bound below min_cell whatever this one hides (republish
 * model 5). */
long bp__rel_joint_whole(const struct bp_tables *T, struct rel *R, struct bp_sup_problem *M,
    const atomic_bool *stop, size_t *earlier_bound);
/* The same check started on another thread, on a view of the model's
 * pattern as it is now (bp__sup_view), while the per-area check runs: NULL
 * when it is not started (one core, or ENOMEM), then run it after. */
struct whole_ahead *bp__rel_whole_ahead(const struct bp_tables *T, struct rel *R);
/* Tells the check started ahead to give up before its next solve. */
void bp__rel_whole_ahead_stop(struct whole_ahead *a);
/* Waits for the check started ahead and frees a.  keep (the per-area
 * check hid nothing, or model 20): the model hides what it hid too, and
 * the result is bp__rel_joint_whole's, errno too.  Else it is told to give
 * up before its next solve, dropped, and 0 returned. */
long bp__rel_whole_ahead_end(struct whole_ahead *a, struct rel *R, bool keep);

#endif
