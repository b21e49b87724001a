/*
 * publish_bench - the time to build, suppress and write the tables of a
 * year from synthetic tallies (not run by make check).
 *
 * usage: publish_bench [nkommuner [rows [min_cell [levels [mode]]]]]
 * (default 300 30000 5 7 both; levels is a bit mask: 1 nasjonal, 2
 * fylke, 4 kommune; mode is the [publish] method, release or per_group,
 * or both: then the ratios of the two, per_group the baseline; each method
 * runs in a child process, killed after PUBLISH_BENCH_LIMIT seconds, 900
 * by default; the audit time is a second build and suppression, which is
 * what bpagg audit re-derives; the tables are those of the release
 * profile BENCH_PROFILE, rapport by default: full, the whole catalogue,
 * is beyond method = release and runs into the limit)
 *
 * The first nkommuner kommuner of the bundled registry (BPAGG_REGISTRY or
 * conf/kommuner.csv) report rows persons between them, shared in
 * proportion to population 18+. Each person is a valid export row whose
 * fields come from fixed skewed distributions (a PRNG of our own, so every
 * run is the same problem), classified like a real one. Prints, per
 * method, the publish and audit wall seconds, the CPU seconds of
 * suppression (all threads), the peak RSS and the hidden share per level.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "codes.h"
#include "export.h"
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

/* One synthetic person: a valid export row with skewed random fields,
 * classified by bp_classify (so the tallies keep every definition that ties
 * the breakdowns together, as real ones do). */
static void
person(struct bp_tally *t, const struct bp_kommune *k, const struct bp_measure_settings *ms)
{
	struct bp_row r;
	struct bp_class c;
	static const char *const land[] = { "NO", "NO", "NO", "SE", "PL", "SO", "" };

	memset(&r, 0, sizeof(r));
	memcpy(r.kommune, k->nr, 5);
	r.aar = 2024;
	r.kjonn = next(100) < 65 ? 'M' : 'K';
	r.alder = 18 + (int)next(30) + (int)next(40);
	int ug = (int)next(10);   /* 40 % rus, 30 % rus_psyk, 30 % psyk */
	r.rusproblem = ug < 7;
	r.psykisk_problem = ug >= 4;
	for (int a = 0; a < BP_NAREA; a++)
		r.area[a] = (int8_t)pick(BP_NLEVEL);
	for (int d = 0; d < BP_NDETAIL; d++)
		r.detail[d] = next(3) ? (int8_t)pick(BP_NLEVEL) : -1;
	for (int s = 0; s < BP_NSUB; s++)
		r.substance[s] = r.rusproblem ? (int8_t)pick(BP_NAMOUNT) : -1;
	for (int f = 0; f < BP_NFLAG; f++)
		r.flag[f] = (int8_t)(next(5) ? pick(2) : -1);
	r.vold = (int8_t)(next(4) ? pick(4) : -1);
	r.fengsel = (int8_t)(next(4) ? pick(3) : -1);
	r.utdanning = (int8_t)(next(4) ? pick(3) : -1);
	r.antall_barn = next(3) ? pick(4) : -1;
	memcpy(r.fodeland, land[next(7)], 3);
	for (int sv = 0; sv < BP_NSVC; sv++)
		for (size_t b = 0; b < bp_services[sv].ncodes && b < 32; b++)
			if (next(100) < 20)
				r.services[sv] |= (uint32_t)1 << b;
	bp_classify(&r, k, ms, &c);
	bp_tally_add_class(t, &c);
}

/* What one method measured. */
struct result {
	double publish, cpu, audit, rss_mib, share[3];
};

/* Build, suppress, write (publish), then build and suppress again (what
 * bpagg audit re-derives), in a child process so that its peak RSS is its
 * own; killed after limit seconds.  true when it finished. */
static bool
run_method(const struct bp_pub_kommune *k, size_t nk, const struct bp_registry *reg,
    const struct bp_pub_settings *s, unsigned limit, struct result *out)
{
	int fd[2];
	if (pipe(fd) < 0)
		return false;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		struct result r = { 0 };
		struct bp_tables *t = NULL;
		char err[256];
		close(fd[0]);
		alarm(limit);
		double t0 = now(), c0 = cpu();
		if (bp_tables_build(2024, k, nk, reg, s, &t, err, sizeof(err)) < 0 ||
		    bp_tables_suppress(t, NULL, err, sizeof(err)) < 0) {
			fprintf(stderr, "publish_bench: %s\n", err);
			_exit(1);
		}
		r.cpu = cpu() - c0;
		FILE *f = fopen("/dev/null", "w");
		bp_tables_write_tables(t, f);
		bp_tables_write_sums(t, f);
		bp_tables_write_coverage(t, f);
		fclose(f);
		r.publish = now() - t0;
		bp_tables_hidden_shares(t, r.share);
		bp_tables_free(t);
		t0 = now();
		if (bp_tables_build(2024, k, nk, reg, s, &t, err, sizeof(err)) < 0 ||
		    bp_tables_suppress(t, NULL, err, sizeof(err)) < 0)
			_exit(1);
		r.audit = now() - t0;
		bp_tables_free(t);
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		r.rss_mib = (double)ru.ru_maxrss / 1024.0;
		if (write(fd[1], &r, sizeof(r)) != (ssize_t)sizeof(r))
			_exit(1);
		_exit(0);
	}
	close(fd[1]);
	bool ok = pid > 0 && read(fd[0], out, sizeof(*out)) == (ssize_t)sizeof(*out);
	close(fd[0]);
	if (pid > 0) {
		int st;
		waitpid(pid, &st, 0);
	}
	return ok;
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
	struct bp_measure_settings ms;
	bp_measure_settings_default(&ms);
	double t0 = now();
	for (size_t i = 0; i < nk; i++) {
		if (bp_tally_init(&tal[i]) < 0)
			return 1;
		unsigned long n = (unsigned long)((double)rows * reg.k[i].population18 / (double)pop);
		for (unsigned long j = 0; j < n + 1; j++)
			person(&tal[i], &reg.k[i], &ms);
		memcpy(k[i].nr, reg.k[i].nr, 5);
		k[i].t = &tal[i];
	}
	double t1 = now();
	const char *mode = argc > 5 ? argv[5] : "both";
	unsigned limit = getenv("PUBLISH_BENCH_LIMIT") ? (unsigned)atoi(getenv("PUBLISH_BENCH_LIMIT")) : 900;
	struct result r[2];
	bool done[2] = { false, false };
	const char *profile = getenv("BENCH_PROFILE") && *getenv("BENCH_PROFILE") ?
	    getenv("BENCH_PROFILE") : "rapport";
	printf("publish_bench: %zu kommuner, %lu persons, min_cell %u, levels %u, profile %s "
	    "(tally %.2fs)\n", nk, rows, min_cell, levels, profile, t1 - t0);
	for (int pass = 0; pass < 2; pass++) {
		bool release = pass == 0;
		if (strcmp(mode, "both") && strcmp(mode, release ? "release" : "per_group"))
			continue;
		memset(&s, 0, sizeof(s));
		s.min_cell = min_cell;
		s.levels = levels ? levels : BP_LEVEL_ALL;
		s.release_model = release;
		bp_measure_settings_default(&s.measures);
		bp_pub_parse_breakdowns("total,brukergruppe,rop", &s);
		char ppath[4096], err[256];
		if (bp_profile_path(profile, NULL, ppath, sizeof(ppath), err, sizeof(err)) < 0 ||
		    bp_profile_load(ppath, profile, &s.profile, err, sizeof(err)) < 0) {
			fprintf(stderr, "publish_bench: profile %s: %s\n", profile, err);
			return 1;
		}
		done[pass] = run_method(k, nk, &reg, &s, limit, &r[pass]);
		bp_profile_free(s.profile);
		s.profile = NULL;
		if (!done[pass]) {
			printf("%-9s: did not finish in %u s (PUBLISH_BENCH_LIMIT)\n",
			    release ? "release" : "per_group", limit);
			continue;
		}
		printf("%-9s: publish %.2fs (suppress cpu %.2fs), audit %.2fs, peak RSS %.0f MiB, "
		    "hidden nasjonal %.1f%% fylke %.1f%% kommune %.1f%%\n",
		    release ? "release" : "per_group", r[pass].publish, r[pass].cpu, r[pass].audit,
		    r[pass].rss_mib, r[pass].share[0], r[pass].share[1], r[pass].share[2]);
	}
	if (done[0] && done[1])
		printf("release / per_group: publish %.2f, audit %.2f, RSS %.2f; hidden %+.1f / %+.1f / "
		    "%+.1f points\n", r[0].publish / r[1].publish, r[0].audit / r[1].audit,
		    r[0].rss_mib / r[1].rss_mib, r[0].share[0] - r[1].share[0],
		    r[0].share[1] - r[1].share[1], r[0].share[2] - r[1].share[2]);
	ret = 0;
	for (size_t i = 0; i < nk; i++)
		bp_tally_free(&tal[i]);
	free(tal);
	free(k);
	bp_registry_free(&reg);
	return ret;
}
