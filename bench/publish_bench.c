/*
 * publish_bench - the time to build, suppress and write the tables of a
 * year from synthetic tallies (not run by make check).
 *
 * usage: publish_bench [nkommuner [rows [min_cell [levels]]]]
 * (default 300 30000 5 7; levels is a bit mask: 1 nasjonal, 2 fylke, 4 kommune)
 *
 * The first nkommuner kommuner of the bundled registry (BPAGG_REGISTRY or
 * conf/kommuner.csv) report rows persons between them, shared in
 * proportion to population 18+. Each person gets a category in every
 * indicator and a value in every breakdown from a fixed skewed distribution
 * (a PRNG of our own, so every run is the same problem); rusgruppe leaves
 * 40% of persons out, as the real measure does. Prints the wall seconds of
 * each phase (and the CPU seconds of suppression, all threads) and the rows
 * written.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "measures.h"
#include "publish.h"
#include "registry.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
next(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)((rng >> 11) % n);
}

/* A skewed pick of 0..n-1: 0 most likely. */
static int16_t
pick(size_t n)
{
	uint32_t r = next(1000);
	size_t k = 0;
	while (k + 1 < n && r < 1000 - 1000 / (k + 2))
		r = next(1000), k++;
	return (int16_t)k;
}

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of the process, all threads (the machine may be shared). */
static double
cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
person(struct bp_tally *t, int rusgruppe_bd)
{
	struct bp_class c;
	memset(&c, 0, sizeof(c));
	for (size_t i = 0; i < bp_n_indicators(); i++)
		c.cat[i] = pick(bp_indicator_at(i)->ncat);
	for (size_t b = 0; b < bp_n_breakdowns(); b++)
		c.val[b] = b == 0 ? 0 : pick(bp_breakdown_at(b)->nval);
	if ((int)next(10) < 4)
		c.val[rusgruppe_bd] = -1;
	for (size_t m = 0; m < bp_n_sum_measures(); m++) {
		c.sum[m] = (int32_t)next(60);
		c.has_sum[m] = true;
	}
	bp_tally_add_class(t, &c);
}

int
main(int argc, char **argv)
{
	size_t nk = argc > 1 ? strtoul(argv[1], NULL, 10) : 300;
	unsigned long rows = argc > 2 ? strtoul(argv[2], NULL, 10) : 30000;
	unsigned min_cell = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 5;
	unsigned levels = argc > 4 ? (unsigned)strtoul(argv[4], NULL, 10) & BP_LEVEL_ALL : BP_LEVEL_ALL;
	const char *path = getenv("BPAGG_REGISTRY") ? getenv("BPAGG_REGISTRY") : "conf/kommuner.csv";
	struct bp_registry reg;
	struct bp_diags d;
	struct bp_pub_settings s;
	struct bp_tables *t = NULL;
	char err[256];
	int ret = 1;

	bp_diags_init(&d);
	if (bp_registry_load(path, &reg, &d) < 0) {
		fprintf(stderr, "publish_bench: %s: cannot load the registry\n", path);
		return 1;
	}
	bp_diags_free(&d);
	if (nk > reg.n)
		nk = reg.n;
	uint64_t pop = 0;
	for (size_t i = 0; i < nk; i++)
		pop += reg.k[i].population18;
	struct bp_tally *tal = calloc(nk, sizeof(*tal));
	struct bp_pub_kommune *k = calloc(nk, sizeof(*k));
	int rg = bp_breakdown_find("rusgruppe");
	double t0 = now();
	for (size_t i = 0; i < nk; i++) {
		if (bp_tally_init(&tal[i]) < 0)
			return 1;
		unsigned long n = (unsigned long)((double)rows * reg.k[i].population18 / (double)pop);
		for (unsigned long j = 0; j < n + 1; j++)
			person(&tal[i], rg);
		memcpy(k[i].nr, reg.k[i].nr, 5);
		k[i].t = &tal[i];
	}
	double t1 = now();
	memset(&s, 0, sizeof(s));
	s.min_cell = min_cell;
	s.levels = levels ? levels : BP_LEVEL_ALL;
	bp_measure_settings_default(&s.measures);
	bp_pub_parse_breakdowns("total,brukergruppe,rop", &s);
	if (bp_tables_build(2024, k, nk, &reg, &s, &t, err, sizeof(err)) < 0) {
		fprintf(stderr, "publish_bench: %s\n", err);
		goto out;
	}
	double t2 = now(), c2 = cpu();
	if (bp_tables_suppress(t, NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "publish_bench: %s\n", err);
		goto out;
	}
	double t3 = now(), c3 = cpu();
	FILE *f = fopen("/dev/null", "w");
	bp_tables_write_tables(t, f);
	bp_tables_write_sums(t, f);
	bp_tables_write_coverage(t, f);
	fclose(f);
	double t4 = now();
	printf("kommuner %zu rows %lu: tally %.2fs build %.2fs suppress %.2fs (cpu %.2fs) "
	    "write %.2fs; %zu table rows, %zu sum rows\n", nk, rows, t1 - t0, t2 - t1,
	    t3 - t2, c3 - c2, t4 - t3, bp_tables_nrows(t), bp_tables_nsum_rows(t));
	ret = 0;
out:
	bp_tables_free(t);
	for (size_t i = 0; i < nk; i++)
		bp_tally_free(&tal[i]);
	free(tal);
	free(k);
	bp_registry_free(&reg);
	return ret;
}
