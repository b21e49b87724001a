/*
 * suppress.h - small-cell suppression over a set of cells linked by
 * additive constraints (shared/spec/privacy.md).
 *
 * The caller (publish.c) describes every published count cell of a group of
 * linked tables (one indicator at every level: kommune, fylke, nasjonal)
 * and the additive constraints between them:
 *   - table constraints: a breakdown value's i_alt = sum of its categories;
 *     an indicator__total cell = sum of the breakdown values of that
 *     category (when the breakdown partitions the population);
 *   - link constraints: a fylke cell = sum of its kommuner's cells; a
 *     nasjonal cell = sum of the fylker's cells.
 * Cells marked BP_SUP_FIXED are known to a reader by other means (e.g. the
 * rest of a population outside a breakdown): never suppressed, never chosen
 * as a complement, but used in the constraints.
 *
 * bp_suppress marks primary cells (1 <= n < min_cell, and 0 when
 * suppress_zero), then chooses complementary cells deterministically (the
 * same problem always gives the same pattern: ties broken by cell index)
 * until the LP audit proves every primary cell's feasible interval holds 0
 * and min_cell (the algorithm: suppress.c; the audit: lpaudit.c).
 *
 * Threads: distinct problems may be worked on in distinct threads at once
 * (no global state of ours; GLPK keeps one environment per thread, which a
 * thread that used these functions frees with glp_free_env() before it
 * ends).  One problem is not to be shared between threads.
 */
#ifndef BP_SUPPRESS_H
#define BP_SUPPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum bp_sup_state {
	BP_SUP_PUBLISHED = 0,
	BP_SUP_PRIMARY,    /* small cell */
	BP_SUP_SECONDARY,  /* complement within a table */
	BP_SUP_LINKED,     /* complement across levels (link constraint) */
};

enum bp_sup_cons_kind { BP_CONS_TABLE, BP_CONS_LINK };

#define BP_SUP_FIXED 0x1   /* cell flag: known to the reader, never suppressed */
/* Cell flag: a quantity the tables never print (e.g. the sum of two groups
 * of cells that two breakdowns both make up): always an unknown of the LP,
 * never chosen, never checked. */
#define BP_SUP_UNPRINTED 0x2
/* Cell flag, with BP_SUP_UNPRINTED: an unknown that the line pass counts
 * as a hidden cell of its lines (the rest of a containment: a line holding
 * it and one hidden printed cell gives that cell away only as a bound, which
 * the LP audit judges).  Plain unprinted cells are left out of the counts. */
#define BP_SUP_SLACK 0x8
/* Cell flag: a printed cell whose being hidden tells the reader it is at
 * least 1 (zeros are always shown): under BP_SUP_RULE_UPPER its LP column
 * has lower bound 1 (its own value, when that is 0). */
#define BP_SUP_POSITIVE 0x4
/* Cell flag: hidden by a rule of its own (the republishing rule), never
 * published again by the cleanup (bp_sup_set_cleanup). */
#define BP_SUP_KEEP 0x10

/* What the audit demands of a primary cell.
 *  BP_SUP_RULE_INTERVAL: its interval, hidden cells >= 0, holds 0 and
 *    min_cell (the per-group method, and every release made before the
 *    release method);
 *  BP_SUP_RULE_UPPER: its largest value, hidden cells >= 0 and
 *    BP_SUP_POSITIVE ones >= 1 (what the rule itself tells the reader), is
 *    at least min_cell: the reader cannot tell the cell is below min_cell. */
enum bp_sup_rule { BP_SUP_RULE_INTERVAL = 0, BP_SUP_RULE_UPPER };


struct bp_sup_problem;   /* opaque */

/* A new, empty problem; NULL on ENOMEM. Free with bp_sup_free. */
struct bp_sup_problem *bp_sup_new(void);
void bp_sup_free(struct bp_sup_problem *p);
/* Sets the audit's rule (default BP_SUP_RULE_INTERVAL). */
void bp_sup_set_rule(struct bp_sup_problem *p, enum bp_sup_rule r);
enum bp_sup_rule bp_sup_rule_of(const struct bp_sup_problem *p);
/* How the repair prices complements from the duals of a failing cell.
 * BP_SUP_PRICE_NEED (the default, and how every release before model
 * version 2 was made): a cell that covers the need alone wins, the cheapest
 * such, however costly.  BP_SUP_PRICE_COST (model 2): the most gain per
 * cost, a gain counted up to the need, so that a few small kommune cells go
 * before one large national count.  BP_SUP_PRICE_PAIRS (model 3): as COST,
 * and a cell that would be the only hidden cell of one of its lines is
 * priced together with the cheapest partner that line needs (alone it moves
 * nothing); the blind fallback takes a cell of the nearest lines, not the
 * component's first one found.  BP_SUP_PRICE_PAIRS_BLIND (model 4): as
 * PAIRS, but a line that has no free partner is priced at its cheapest
 * member, which gets partners of its own in turn (a chain), and the blind
 * fallback prices its cells so too (the cheapest cell covering the need,
 * else the most count per cost). */
enum bp_sup_pricing { BP_SUP_PRICE_NEED, BP_SUP_PRICE_COST, BP_SUP_PRICE_PAIRS,
	BP_SUP_PRICE_PAIRS_BLIND };
void bp_sup_set_pricing(struct bp_sup_problem *p, enum bp_sup_pricing how);
/* Limits the LP solves of bp_suppress and bp_sup_repair on p to n (0: no
 * limit, the default).  Counted in the calling thread from the start of the
 * run, so the same problem always stops at the same point: the run fails
 * with errno ERANGE instead of going on for hours. */
void bp_sup_set_budget(struct bp_sup_problem *p, unsigned long n);
/* Audits each large component (BP_SUP_RULE_UPPER, local programs) in k
 * fixed chunks of its cells, each on its own from the same pattern, on up
 * to k threads (BPAGG_THREADS, else the online CPUs): the result depends
 * on k, never on the threads.  0 or 1 (the default): one pass in order. */
void bp_sup_set_chunks(struct bp_sup_problem *p, unsigned k);
/* With chunks and warm starts: the chunks of a component's audit build
 * its kept LP alike (from its first cell) and start it from one shared
 * search for a feasible point, made once a round, instead of a search
 * each (lpaudit_local.c).  A cell passes exactly as before; the duals,
 * and so the complements chosen, may differ.  Off by default. */
void bp_sup_set_search_once(struct bp_sup_problem *p, bool on);
/* Starts each whole-component LP of the local audit (lpaudit_local.c) from
 * the basis that component's LP ended with in the round before, instead
 * of a crash basis (the later rounds of a repair add a few complements to
 * a component of thousands of cells), and sends a cell that a program of
 * 256 cells does not prove to that LP instead of one of 1 024 cells.  A
 * cell passes exactly as before (its component's LP decides); the duals,
 * and so the complements chosen, may differ.  Off by default.  Call it
 * once every cell and line is added: the saved statuses are sized then,
 * and a cell or line added later starts cold.  0 or -1 (ENOMEM). */
int bp_sup_set_warm(struct bp_sup_problem *p, bool on);
/* After bp_sup_repair has found a safe pattern, publishes again each
 * complement its component's LP audit does not need, the costliest first
 * (sup_cleanup.c; components of up to BP_SUP_LOCAL_FROM hidden cells).
 * Off by default. */
void bp_sup_set_cleanup(struct bp_sup_problem *p, bool on);
/* After the cleanup (which must be on), tries to exchange each complement
 * that cells names (nonzero), the costliest first, for cheaper ones:
 * published (and never chosen again in that try), the pattern repaired
 * around it and the complements cells names (and the try's own) cleaned
 * up again, and kept when the complements cost less in all and no more
 * printed cells are hidden (sup_exchange.c).  weights (NULL: those of
 * bp_sup_weigh): the weights the exchange prices with, throughout its
 * tries.  Both one per cell added so far, copied; a cell added later is
 * not tried and weighs 1 there.  cells NULL (the default) off.  0, or -1
 * (ENOMEM). */
int bp_sup_set_exchange(struct bp_sup_problem *p, const unsigned char *cells,
    const uint16_t *weights);
/* Threads for suppression work: BPAGG_THREADS=N (1..64), else the online
 * CPUs, at most 8. */
size_t bp_sup_threads(void);
/* Runs work(arg) on the calling thread and on up to min(bp_sup_threads(),
 * n) - 1 more, and returns when all are done; work takes its jobs from arg
 * itself (under its own lock).  The extra threads free their GLPK
 * environments when done. */
void bp_sup_pool(void (*work)(void *), void *arg, size_t n);
/* Adds a cell with its true count; returns its index (0, 1, ...) or -1. */
long bp_sup_add_cell(struct bp_sup_problem *p, uint32_t value, unsigned flags);
/* Adds the constraint value(total) = sum of value(members[0..n)); 0 or -1.
 * Refused (-1, errno EINVAL) unless every index is a cell already added, the
 * total and members are distinct, and the values really add up: an
 * inconsistent constraint would make every audit fail. */
int bp_sup_add_constraint(struct bp_sup_problem *p, enum bp_sup_cons_kind kind,
    size_t total, const size_t *members, size_t n);
/* Adds sum(m1) = sum(m2): nothing when a side is empty (the other side's
 * cells are zeros); one side a single cell: that cell is the total of the
 * other; else a new cell with flags (e.g. BP_SUP_UNPRINTED) carries the
 * common sum, its index in *carrier (else -1).  The cells of both sides
 * must be distinct.  0, or -1: errno EINVAL when the sums differ, ENOMEM. */
int bp_sup_add_equal(struct bp_sup_problem *p, const size_t *m1, size_t n1,
    const size_t *m2, size_t n2, unsigned flags, long *carrier);
/* Weighs a cell as a complement: hiding it costs (count + 1) * weight
 * instead of its count (weight 0 or 1: the count).  For a quantity other
 * tables print too, which hiding here hides there as well.  0, or -1
 * (EINVAL, ENOMEM). */
int bp_sup_weigh(struct bp_sup_problem *p, size_t cell, uint16_t weight);
/* The largest value a primary cell must be able to take, when not
 * min_cell (0: min_cell): a cell that stands for a figure which must
 * reach need (the republishing rule, relations.c).  A cell with a need is
 * primary whatever its value.  0, or -1 (EINVAL, ENOMEM). */
int bp_sup_set_need(struct bp_sup_problem *p, size_t cell, uint32_t need);
uint32_t bp_sup_need_of(const struct bp_sup_problem *p, size_t cell);
/* Makes every cell of value 0 that is 0 whatever is hidden (the largest
 * value the constraints allow it, every cell not FIXED unknown and >= 0,
 * is 0) FIXED and published: the reader knows it, so hiding it protects
 * nothing, and with suppress_zero no pattern could (sup_zeros.c).  Their
 * number into *nfixed.  0, or -1 (ENOMEM; EINVAL when GLPK fails). */
int bp_sup_fix_known_zeros(struct bp_sup_problem *p, size_t *nfixed);
/* The value of a cell, and whether it is FIXED. */
uint32_t bp_sup_value_of(const struct bp_sup_problem *p, size_t cell);
bool bp_sup_is_fixed(const struct bp_sup_problem *p, size_t cell);
/* The flags of a cell (BP_SUP_*), and setting them after the fact. */
unsigned bp_sup_flags_of(const struct bp_sup_problem *p, size_t cell);
void bp_sup_set_flags(struct bp_sup_problem *p, size_t cell, unsigned flags);
/* Number of constraints, and constraint l: its total and members (owned by p). */
size_t bp_sup_ncons(const struct bp_sup_problem *p);
size_t bp_sup_cons(const struct bp_sup_problem *p, size_t l, size_t *total,
    const size_t **members);
enum bp_sup_cons_kind bp_sup_cons_kind_of(const struct bp_sup_problem *p, size_t l);
/* Number of cells added. */
size_t bp_sup_ncells(const struct bp_sup_problem *p);

/* Runs primary and secondary suppression. Returns 0, or -1 when no safe
 * pattern was found (then the release must fail). On 0 the pattern passes
 * bp_sup_audit, and still does after more cells are suppressed by hand
 * (more suppression only widens intervals), so auditing again right after
 * is redundant. Every earlier state is
 * cleared first, so running it twice gives the same pattern. On -1, errno is
 * EDOM (no further cell may be suppressed and a primary cell is still
 * unsafe), ENOMEM, EINVAL (GLPK failed), or ERANGE (bp_sup_set_budget
 * spent). */
int bp_suppress(struct bp_sup_problem *p, unsigned min_cell, bool suppress_zero);
/* The plain baseline, for comparison only (bench, tests): primary cells,
 * then in each line with exactly one suppressed cell the smallest other
 * cell (not FIXED, not zero unless suppress_zero; ties by index), until
 * stable. No LP audit: its pattern may be unsafe. 0 or -1 (ENOMEM). */
int bp_suppress_plain(struct bp_sup_problem *p, unsigned min_cell, bool suppress_zero);
/* The line pass alone, from the states already set: each line holding
 * exactly one hidden cell (unprinted cells aside) gets another, as
 * bp_suppress would choose it, until none does.  Only adds.  0 or -1
 * (ENOMEM). */
int bp_sup_close_lines(struct bp_sup_problem *p, unsigned min_cell, bool suppress_zero);
/* bp_suppress from the states already set (they are only added to): the
 * small cells are hidden, then lines and the audit loop as in bp_suppress.
 * 0, or -1 (errno as bp_suppress). */
int bp_sup_repair(struct bp_sup_problem *p, unsigned min_cell, bool suppress_zero);
/* The cleanup of bp_sup_set_cleanup on a safe pattern made otherwise: 0,
 * or -1 (EDOM when the pattern is not safe, ENOMEM, EINVAL). */
int bp_sup_cleanup(struct bp_sup_problem *p, unsigned min_cell, bool suppress_zero);
/* Number of cells currently in state s. */
size_t bp_sup_count(const struct bp_sup_problem *p, enum bp_sup_state s);
/* State of a cell after bp_suppress. */
enum bp_sup_state bp_sup_state_of(const struct bp_sup_problem *p, size_t cell);
/* Marks a cell's state by hand (for audit re-derivation and tests). */
void bp_sup_set_state(struct bp_sup_problem *p, size_t cell, enum bp_sup_state s);

/*
 * The LP audit: whether every primary cell's interval (its smallest and
 * largest value consistent with everything published: counts >= 0,
 * constraints exact) contains 0 and min_cell.  A cell is passed as soon as
 * feasible points of the LP show both ends; the exact minimum and maximum are
 * solved for only where needed (lpaudit.c).
 * Returns 0 when every primary interval contains 0 and min_cell; otherwise
 * -1 with the first failing cell in *bad (if bad is not NULL). On an error
 * (ENOMEM, or GLPK failing, e.g. on inconsistent constraints) -1 with *bad =
 * SIZE_MAX. The interval is that of the continuous relaxation (lpaudit.c).
 */
int bp_sup_audit(const struct bp_sup_problem *p, unsigned min_cell, size_t *bad);
/* The LP interval of one cell under the current pattern; 0 or -1. A
 * published cell's interval is its value; *hi is HUGE_VAL when unbounded. */
int bp_sup_interval(const struct bp_sup_problem *p, size_t cell, double *lo, double *hi);

#endif
