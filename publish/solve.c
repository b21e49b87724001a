/*
 * solve.c - solving the groups' problems on a pool of threads, in stages,
 * and settling across groups so that a quantity is hidden everywhere or
 * nowhere (shared_cells = consistent); see the comment atop tables.c.
 */
#include "tables_private.h"

#include <errno.h>
#include <glpk.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cellkeys.h"

/* CPU seconds of the calling thread (BPAGG_DEBUG_SUPPRESS timings). */
static double
cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
bp__debug_phase(const char *what)
{
	static double last;
	struct timespec ts;

	if (!getenv("BPAGG_DEBUG_SUPPRESS"))
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	double now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	if (what)
		fprintf(stderr, "time: %s %.2fs\n", what, last > 0 ? now - last : 0.0);
	last = now;
}

/*
 * The two-stage solution, when both fylke and kommune are published (one
 * problem over every level grows too large for the heuristic and its
 * repeated LP audits): stage 1 suppresses nasjonal and the fylker; stage 2,
 * per fylke, its kommuner, with the fylke (wide: nasjonal and every fylke)
 * as context as stage 1 left it (published cells FIXED; hidden ones
 * ordinary cells, so that a small one is primary again and is protected
 * against the kommuner too, and the complements stage 1 chose may be
 * chosen again). The narrow context is cheap; the wide one also protects
 * what stage 1 hid elsewhere, when the narrow pattern fails. The combined
 * pattern is copied into the whole problem G, which the caller then audits
 * as one; if that audit fails, the caller solves G as one problem instead.
 * Returns 0 (pattern set in G), 1 (a stage failed: solve G whole) or -1
 * (ENOMEM; EINVAL: a stage's tables do not add up).
 */
static int
solve_staged(const struct bp_tables *T, struct group *G, size_t g, const struct bp_prev *prev,
    bool wide)
{
	struct group S1 = { 0 }, S2 = { 0 };
	unsigned char *u1 = calloc(T->na, 1), *u2 = calloc(T->na, 1);
	int ret = -1;

	if (!u1 || !u2)
		goto out;
	for (size_t i = 0; i < T->na; i++)
		u1[i] = T->a[i].level != BP_LEVEL_KOMMUNE;
	S1.use = u1;
	S1.strict = S2.strict = G->strict;
	if (bp_tb_group_build(T, &S1, g, prev) < 0)
		goto out;
	if (bp_suppress(S1.p, T->s.min_cell, T->s.suppress_zero) < 0) {
		if (getenv("BPAGG_DEBUG_SUPPRESS")) {
			size_t bad1 = SIZE_MAX;
			bp_sup_audit(S1.p, T->s.min_cell, &bad1);
			fprintf(stderr, "suppress %s: stage 1 failed at %s\n", bp_tb_group_name(T, g),
			    bp_tb_cell_name(T, &S1, g, bad1));
		}
		ret = 1;
		goto out;
	}
	bp_tb_keep_previous(&S1);
	for (size_t i = 0; i < T->na; i++)
		if (u1[i] && T->a[i].rows)
			bp_tb_copy_area(T, G, &S1, i, g);
	for (size_t f = 0; f < T->na; f++) {
		if (T->a[f].level != BP_LEVEL_FYLKE || !T->a[f].rows)
			continue;
		for (size_t i = 0; i < T->na; i++)
			u2[i] = wide ? (u1[i] ? 2 : 0) : i == f ? 2 : 0;
		bool any = false;
		for (size_t k = 0; k < T->na; k++)
			if (T->a[k].level == BP_LEVEL_KOMMUNE && T->a[k].rows && T->a[k].parent == f)
				u2[k] = 1, any = true;
		if (!any)
			continue;
		S2.use = u2;
		S2.ctx = &S1;
		if (bp_tb_group_build(T, &S2, g, prev) < 0)
			goto out;
		if (bp_suppress(S2.p, T->s.min_cell, T->s.suppress_zero) < 0) {
			if (getenv("BPAGG_DEBUG_SUPPRESS"))
				fprintf(stderr, "suppress %s: stage 2 failed (fylke %s)\n",
				    bp_tb_group_name(T, g), T->a[f].code);
			ret = 1;
			goto out;
		}
		bp_tb_keep_previous(&S2);
		for (size_t k = 0; k < T->na; k++)
			if (u2[k] == 1)
				bp_tb_copy_area(T, G, &S2, k, g);
		bp_tb_group_free(&S2);
	}
	for (size_t k = 0; k < G->ndaux; k++)
		bp_sup_set_state(G->p, G->daux[k], BP_SUP_PRIMARY);
	ret = 0;
out:
	bp_tb_group_free(&S1);
	bp_tb_group_free(&S2);
	free(u1);
	free(u2);
	return ret;
}


/* Builds, solves and audits the problem of group g. With
 * BPAGG_DEBUG_SUPPRESS set, prints its size and CPU times to stderr (names
 * and counts of the catalogue only, never a cell value). */
static int solve_one(struct bp_tables *T, size_t g, const struct bp_prev *prev,
    unsigned strict, char *err, size_t errlen);

/* Solves group g, each try with less FIXED (STRICT_*) while none finds a
 * safe pattern; per_table starts without the shared quantities. */
static int
suppress_group(struct bp_tables *T, size_t g, const struct bp_prev *prev,
    char *err, size_t errlen)
{
	unsigned k = T->s.per_table ? STRICT_HEADLINE : STRICT_ALL;
	int ret;
	while ((ret = solve_one(T, g, prev, k, err, errlen)) == 1 && k > STRICT_NONE) {
		k--;
		if (getenv("BPAGG_DEBUG_SUPPRESS"))
			fprintf(stderr, "suppress %s: again, %s free\n", bp_tb_group_name(T, g),
			    k == STRICT_HEADLINE ? "shared quantities" : "national count");
	}
	return ret;
}

static int
solve_one(struct bp_tables *T, size_t g, const struct bp_prev *prev, unsigned strict,
    char *err, size_t errlen)
{
	struct group G = { .strict = strict };
	int ret = -1, staged = 1;
	size_t bad;

	if (bp_tb_group_build(T, &G, g, prev) < 0) {
		snprintf(err, errlen, errno == EINVAL ? "the tables of %s do not add up "
		    "(internal error)" : "out of memory", bp_tb_group_name(T, g));
		goto out;
	}
	snprintf(err, errlen, "out of memory");
	if (G.ncells == 0) {
		ret = 0;
		goto out;
	}
	double t0 = cpu_now(), t1 = t0, t2 = t0;
	for (int wide = 0; wide < 2 && staged != 0; wide++) {
		if (!(T->s.levels & BP_LEVEL_FYLKE) || !(T->s.levels & BP_LEVEL_KOMMUNE))
			break;
		if ((staged = solve_staged(T, &G, g, prev, wide)) < 0) {
			/* not always memory: a stage's tables that do not add up */
			if (errno == EINVAL)
				snprintf(err, errlen, "the tables of %s do not add up in a stage "
				    "of the suppression (internal error)", bp_tb_group_name(T, g));
			goto out;
		}
		t1 = cpu_now();
		/* A stage without a safe pattern fails wide as well: stage 1 is
		 * the same, and the wide context only adds constraints to the
		 * kommuner's cells (narrower intervals, the same cells to choose
		 * from).  Only a narrow pattern unsafe together goes wide. */
		if (staged == 1) {
			t2 = t1;
			if (strict >= STRICT_ALL) {
				/* Freeing the shared cells is cheaper than the whole
				 * problem, and usually what it takes. */
				ret = 1;
				goto out;
			}
			break;
		}
		if (staged == 0) {
			bp_tb_keep_previous(&G);
			if (bp_sup_audit(G.p, T->s.min_cell, &bad) < 0) {
				/* The stages together are not safe: mend the pattern
				 * they made (far cheaper than starting over). */
				if (getenv("BPAGG_DEBUG_SUPPRESS"))
					fprintf(stderr, "suppress %s: stages (%s) not safe together "
					    "(%.2fs, %.2fs) at %s\n", bp_tb_group_name(T, g), wide ? "wide" : "narrow",
					    t1 - t0, cpu_now() - t1, bp_tb_cell_name(T, &G, g, bad));
				for (size_t k = 0; k < G.ndaux; k++)
					bp_sup_set_state(G.p, G.daux[k], BP_SUP_PRIMARY);
				staged = bp_sup_repair(G.p, T->s.min_cell, T->s.suppress_zero) < 0 ? 1 : 0;
				if (staged == 0)
					bp_tb_keep_previous(&G);
			}
		}
		t2 = cpu_now();
	}
	if (staged != 0) {
		if (bp_suppress(G.p, T->s.min_cell, T->s.suppress_zero) < 0) {
			snprintf(err, errlen, "suppression found no safe pattern for %s",
			    bp_tb_group_name(T, g));
			if (strict > STRICT_NONE && errno == EDOM)
				ret = 1;
			goto out;
		}
		bp_tb_keep_previous(&G);
		if (bp_sup_audit(G.p, T->s.min_cell, &bad) < 0) {
			snprintf(err, errlen, "suppression audit failed for %s", bp_tb_group_name(T, g));
			goto out;
		}
	}
	/* Release model 5: the group's own pattern, where the release model
	 * starts, without the complements it does not need (sup_cleanup.c). */
	if (T->s.release_model && T->s.model_version >= 5) {
		for (size_t c = 0; G.forced && c < G.ncells; c++)
			if (G.forced[c])
				bp_sup_set_flags(G.p, c, bp_sup_flags_of(G.p, c) | BP_SUP_KEEP);
		if (bp_sup_cleanup(G.p, T->s.min_cell, T->s.suppress_zero) < 0) {
			snprintf(err, errlen, errno == ENOMEM ? "out of memory" :
			    "the cleanup of %s failed (internal error)", bp_tb_group_name(T, g));
			goto out;
		}
	}
	for (size_t c = 0; G.forced && c < G.ncells; c++) {
		if (G.forced[c] && bp_sup_state_of(G.p, c) == BP_SUP_PUBLISHED) {
			snprintf(err, errlen, "suppression left a cell the republishing rule "
			    "protects published (%s)", bp_tb_group_name(T, g));
			goto out;
		}
	}
	bp_tb_take_pattern(T, &G, g);
	if (getenv("BPAGG_DEBUG_SUPPRESS"))
		fprintf(stderr, "suppress %-26s cells %6zu stages %7.2fs audit %7.2fs %s %7.2fs\n",
		    bp_tb_group_name(T, g), G.ncells, t1 - t0, t2 - t1, staged ? "whole" : "staged",
		    cpu_now() - t2);
	err[0] = '\0';
	ret = 0;
out:
	bp_tb_group_free(&G);
	return ret;
}

/* The work of one group in a round (suppress_group or settle_group). */
typedef int (*group_fn)(struct bp_tables *T, size_t g, const struct bp_prev *prev,
    char *err, size_t errlen);

/* Work shared by the suppression threads: the groups of one round, taken
 * in order; the error of the lowest failing group is kept, so the message
 * does not depend on scheduling. Groups write disjoint rows of T->reason
 * and only read the key states, which change between rounds. */
struct pool {
	struct bp_tables *T;
	const struct bp_prev *prev;
	group_fn fn;
	pthread_mutex_t mu;
	const size_t *list;
	size_t nlist;
	size_t next;
	size_t failed;          /* lowest failing position, SIZE_MAX none */
	char err[256];
};

static void
pool_worker(void *arg)
{
	struct pool *P = arg;
	char err[256];
	for (;;) {
		pthread_mutex_lock(&P->mu);
		size_t k = P->next++;
		bool stop = k >= P->nlist || P->failed < k;
		pthread_mutex_unlock(&P->mu);
		if (stop)
			break;
		if (P->fn(P->T, P->list[k], P->prev, err, sizeof(err)) != 0) {
			pthread_mutex_lock(&P->mu);
			if (k < P->failed) {
				P->failed = k;
				snprintf(P->err, sizeof(P->err), "%s", err);
			}
			pthread_mutex_unlock(&P->mu);
		}
	}
}

/* Runs fn on the groups of list[0..n) in parallel; 0 or -1 with err set. */
static int
run_round(struct bp_tables *T, const struct bp_prev *prev, group_fn fn, const size_t *list,
    size_t n, char *err, size_t errlen)
{
	struct pool P = { .T = T, .prev = prev, .fn = fn, .list = list, .nlist = n,
	    .failed = SIZE_MAX };

	pthread_mutex_init(&P.mu, NULL);
	bp_sup_pool(pool_worker, &P, n);
	pthread_mutex_destroy(&P.mu);
	glp_free_env();   /* GLPK keeps one environment per thread */
	if (P.failed != SIZE_MAX) {
		snprintf(err, errlen, "%s", P.err);
		return -1;
	}
	return 0;
}

/* Marks every shared quantity that some table hides (T->khidden). */
static void
note_hidden(struct bp_tables *T)
{
	memset(T->khidden, 0, T->nkey + 1);
	for (size_t row = 0; row < T->nrows; row++)
		if (T->rowkey[row] && T->reason[row] != BP_REASON_NONE)
			T->khidden[T->rowkey[row]] = 1;
}

/* Groups that publish a quantity another group hides: written to list;
 * returns how many. */
static size_t
dirty_groups(const struct bp_tables *T, size_t *list)
{
	size_t n = 0;
	for (size_t g = 0; g < T->ngroup; g++) {
		bool dirty = false;
		for (size_t i = 0; !dirty && i < T->na; i++) {
			if (!T->a[i].rows)
				continue;
			size_t row = T->blk[i * T->ngroup + g], nb = block_rows(T, T->a[i].level, g);
			for (size_t j = 0; j < nb && !dirty; j++) {
				uint32_t key = T->rowkey[row + j];
				dirty = key && T->khidden[key] && T->reason[row + j] == BP_REASON_NONE;
			}
		}
		if (dirty)
			list[n++] = g;
	}
	return n;
}

static enum bp_sup_state
reason_state(enum bp_reason r)
{
	switch (r) {
	case BP_REASON_NONE: return BP_SUP_PUBLISHED;
	case BP_REASON_PRIMARY: return BP_SUP_PRIMARY;
	case BP_REASON_LINKED: return BP_SUP_LINKED;
	default: return BP_SUP_SECONDARY;
	}
}

/*
 * Group g again, from its pattern: every quantity another group hides is
 * hidden here too, and every line this leaves with a single hidden cell
 * gets another (bp_sup_close_lines), so that this group's figures do not
 * give the quantity away by subtraction.  Hiding more never narrows the
 * interval of a primary cell, so the group's audit still holds.
 */
static int
settle_group(struct bp_tables *T, size_t g, const struct bp_prev *prev, char *err,
    size_t errlen)
{
	/* The national count stays out of the lines closed here too. */
	struct group G = { .strict = STRICT_HEADLINE };
	int ret = -1;

	snprintf(err, errlen, "out of memory");
	if (bp_tb_group_build(T, &G, g, prev) < 0)
		goto out;
	for (size_t i = 0; i < T->na; i++) {
		if (!T->a[i].rows)
			continue;
		size_t row = T->blk[i * T->ngroup + g], nb = block_rows(T, T->a[i].level, g);
		for (size_t j = 0; j < nb; j++) {
			uint32_t key = T->rowkey[row + j];
			enum bp_sup_state st = reason_state((enum bp_reason)T->reason[row + j]);
			if (st == BP_SUP_PUBLISHED && key && T->khidden[key])
				st = BP_SUP_SECONDARY;
			bp_sup_set_state(G.p, G.base[i] + j, st);
		}
	}
	for (size_t k = 0; k < G.ndaux; k++)
		bp_sup_set_state(G.p, G.daux[k], BP_SUP_PRIMARY);
	if (bp_sup_close_lines(G.p, T->s.min_cell, T->s.suppress_zero) < 0)
		goto out;
	bp_tb_take_pattern(T, &G, g);
	err[0] = '\0';
	ret = 0;
out:
	bp_tb_group_free(&G);
	return ret;
}

#define MAX_ROUNDS 64

/*
 * Suppression of the whole release.  Each group (one indicator, or one
 * sum measure, at every level) is one problem, solved in parallel.  A
 * quantity printed in several groups (cellkeys.h: the population counts
 * that are every table's i_alt, the cells of a pair of indicators that are
 * also breakdowns, ...) must then be hidden in all of them or in none: each
 * group that publishes one that another hides hides it too and closes the
 * lines that opens (settle_group); the new hidden cells may be shared in
 * turn, so this repeats until no group publishes what another hides.
 * Hiding only grows, so it ends; every round sees the pattern of the one
 * before, so the result does not depend on threads or timing.
 */
size_t
bp_tables_earlier_bound(const struct bp_tables *T)
{
	return T->earlier_bound;
}

int
bp_tables_suppress(struct bp_tables *T, const struct bp_prev *prev, char *err, size_t errlen)
{
	size_t *list = malloc(T->ngroup * sizeof(*list)), n, round = 0;
	int ret = -1;

	snprintf(err, errlen, "out of memory");
	if (!list)
		goto out;
	memset(T->reason, 0, T->nrows);
	for (size_t g = 0; g < T->ngroup; g++)
		list[g] = g;
	bp__debug_phase(NULL);
	if (run_round(T, prev, suppress_group, list, T->ngroup, err, errlen) < 0)
		goto out;
	bp__debug_phase("groups");
	if (T->s.release_model) {
		ret = bp__release_solve(T, prev, err, errlen);
		goto out;
	}
	for (; !T->s.per_table;) {
		note_hidden(T);
		if ((n = dirty_groups(T, list)) == 0)
			break;
		if (++round > MAX_ROUNDS) {
			snprintf(err, errlen, "suppression across tables did not settle in %d rounds",
			    MAX_ROUNDS);
			goto out;
		}
		if (getenv("BPAGG_DEBUG_SUPPRESS"))
			fprintf(stderr, "suppress: shared cells, round %zu: %zu groups\n", round, n);
		if (run_round(T, prev, settle_group, list, n, err, errlen) < 0)
			goto out;
	}
	err[0] = '\0';
	ret = 0;
out:
	free(list);
	return ret;
}

