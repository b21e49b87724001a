/*
 * suppress_bench - figures for small-cell suppression (not run by make
 * check):
 *   1. on the random tables of the property test, the mean number of
 *      complementary cells per primary cell of bp_suppress against the plain
 *      "two per line" heuristic, and how often the plain pattern fails the
 *      LP audit;
 *   2. the time bp_suppress (heuristic + LP audit) and a separate
 *      bp_sup_audit take on one linked group of nkom kommuner x ncat
 *      categories x nval values (default 357 x 5 x 10, about 24 000 cells).
 *
 * usage: suppress_bench [ntables [nkom [ncat [nval]]]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "suppress.h"
#include "suppress_gen.h"

#define MIN_CELL 5

/* CPU time of this process: the machine may be shared, wall time is noisy. */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
bench_tables(size_t ntables)
{
	struct bp_sgen_cmp c = { 0 };

	if (bp_sgen_compare(1, ntables, MIN_CELL, &c) != 0) {
		fprintf(stderr, "suppress_bench: comparison failed\n");
		return -1;
	}
	printf("random tables: %zu, primary cells: %zu, min_cell %d\n",
	    c.tables, c.primary, MIN_CELL);
	printf("  bp_suppress:  %.3f complements per primary cell, %zu tables failed\n",
	    c.primary ? (double)c.ours / (double)c.primary : 0.0, c.ours_failed);
	printf("  plain 2/line: %.3f complements per primary cell, "
	    "pattern unsafe (LP audit) in %zu tables (%.1f%%)\n",
	    c.primary ? (double)c.plain / (double)c.primary : 0.0, c.plain_unsafe,
	    c.tables ? 100.0 * (double)c.plain_unsafe / (double)c.tables : 0.0);
	printf("  ratio bp_suppress / plain: %.3f\n",
	    c.plain ? (double)c.ours / (double)c.plain : 0.0);
	printf("  on the %zu tables where the plain pattern is safe: bp_suppress %.3f, "
	    "plain %.3f complements per primary cell\n",
	    c.tables - c.plain_unsafe,
	    c.safe_primary ? (double)c.safe_ours / (double)c.safe_primary : 0.0,
	    c.safe_primary ? (double)c.safe_plain / (double)c.safe_primary : 0.0);
	return 0;
}

static int
bench_group(size_t nkom, size_t ncat, size_t nval)
{
	struct bp_sup_problem *p;
	double t0, t1, t2, t3;
	size_t bad;
	int rc, arc, ret = -1;

	t0 = now();
	if ((p = bp_sgen_group(42, nkom, 11, ncat, nval)) == NULL) {
		fprintf(stderr, "suppress_bench: cannot build the group\n");
		return -1;
	}
	t1 = now();
	rc = bp_suppress(p, MIN_CELL, false);
	t2 = now();
	arc = bp_sup_audit(p, MIN_CELL, &bad);
	t3 = now();
	printf("group: %zu kommuner x %zu categories x %zu values, %zu cells\n",
	    nkom, ncat, nval, bp_sup_ncells(p));
	printf("  primary %zu, secondary %zu, linked %zu\n",
	    bp_sup_count(p, BP_SUP_PRIMARY), bp_sup_count(p, BP_SUP_SECONDARY),
	    bp_sup_count(p, BP_SUP_LINKED));
	printf("  CPU time: build %.3f s, bp_suppress %.3f s (rc %d), bp_sup_audit %.3f s (rc %d)\n",
	    t1 - t0, t2 - t1, rc, t3 - t2, arc);
	if (bp_suppress_plain(p, MIN_CELL, false) == 0)
		printf("  plain 2/line on the group: %zu complements, audit %s\n",
		    bp_sup_count(p, BP_SUP_SECONDARY) + bp_sup_count(p, BP_SUP_LINKED),
		    bp_sup_audit(p, MIN_CELL, &bad) == 0 ? "passes" : "FAILS");
	ret = rc == 0 && arc == 0 ? 0 : -1;
	bp_sup_free(p);
	return ret;
}

int
main(int argc, char **argv)
{
	size_t ntables = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
	size_t nkom = argc > 2 ? strtoul(argv[2], NULL, 10) : 357;
	size_t ncat = argc > 3 ? strtoul(argv[3], NULL, 10) : 5;
	size_t nval = argc > 4 ? strtoul(argv[4], NULL, 10) : 10;
	int ret = 0;

	if (bench_tables(ntables) != 0)
		ret = 1;
	if (nkom > 0 && bench_group(nkom, ncat, nval) != 0)
		ret = 1;
	return ret;
}
