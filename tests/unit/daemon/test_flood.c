/*
 * test_flood.c - the budget of unverified refusals (daemon/flood.c): each
 * registered kommune's inbox folder has its own (any other shares the
 * inbox's), per UTC day of the claim; beyond it refusals
 * are counted in one file of the folder and day, and that count goes on
 * when the daemon starts again the same day.
 */
#include <criterion/criterion.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "bpaggd.h"

static char dir[256];
static int rej = -1;

static void
setup(void)
{
	bpd_log_open(true);
	snprintf(dir, sizeof(dir), "/tmp/bp-test-flood.XXXXXX");
	cr_assert(mkdtemp(dir));
	rej = open(dir, O_RDONLY | O_DIRECTORY);
	cr_assert_geq(rej, 0);
}

static void
teardown(void)
{
	char cmd[300];
	close(rej);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(flood, .init = setup, .fini = teardown);

/* 2026-12-07T10:00:00Z and the next day */
#define DAY1 1796637600LL
#define DAY2 (DAY1 + 86400)

/* An IN entry claimed at t from folder ("-" for the inbox itself). */
static struct bpd_qname
entry(long long t, const char *folder, const char *r)
{
	struct bpd_qname q;
	memset(&q, 0, sizeof(q));
	q.t = t;
	snprintf(q.r, sizeof(q.r), "%s", r);
	q.stage = BPD_Q_IN;
	snprintf(q.rest, sizeof(q.rest), "%s.j.bpx", folder);
	return q;
}

/* takes: each call is another upload (its own R), unless take_again */
static unsigned uploads;

static int
take_as(struct bpd_flood *f, long long t, const char *folder, const char *reason,
    struct bpd_flood_said *said, unsigned n)
{
	char r[17];
	snprintf(r, sizeof(r), "%016x", n);
	struct bpd_qname q = entry(t, folder, r);
	return bpd_flood_take(f, rej, 2, strcmp(folder, "9999") != 0, &q, reason, LOG_WARNING,
	    said);
}

static int
take(struct bpd_flood *f, long long t, const char *folder, const char *reason,
    struct bpd_flood_said *said)
{
	return take_as(f, t, folder, reason, said, ++uploads);
}

/* The upload of the last take, again (as after a kill). */
static int
take_again(struct bpd_flood *f, long long t, const char *folder, const char *reason,
    struct bpd_flood_said *said)
{
	return take_as(f, t, folder, reason, said, uploads);
}

/* The whole of file name in the test directory, or "" when there is none. */
static const char *
slurp(const char *name)
{
	static char buf[16384];
	char p[PATH_MAX];
	FILE *fp;
	size_t n;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	buf[0] = '\0';
	if ((fp = fopen(p, "r")) == NULL)
		return buf;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

Test(flood, beyond_the_budget_refusals_are_counted_in_one_file)
{
	struct bpd_flood *f = bpd_flood_new("unverified");
	struct bpd_flood_said said;

	cr_assert(f);
	cr_assert_eq(take(f, DAY1, "4201", "junk", &said), 0);
	cr_assert_eq(take(f, DAY1 + 1, "4201", "junk", &said), 0);
	cr_assert_str_eq(slurp("20261207-4201.unverified"), "", "a file within the budget");
	cr_assert_eq(take(f, DAY1 + 2, "4201", "junk", &said), 1);
	cr_assert_str_eq(said.name, "20261207-4201.unverified");
	cr_assert(said.store, "the file's store record is due");
	bpd_flood_stored(f, true, &(struct bpd_qname){ .t = DAY1, .stage = BPD_Q_IN,
	    .rest = "4201.j.bpx" });
	cr_assert_eq(take(f, DAY1 + 3, "4201", "truncated\nenvelope", &said), 1);
	cr_assert_not(said.store, "the store record is made once");
	cr_assert_eq(take(f, DAY1 + 4, "4201", "junk", &said), 1);
	const char *t = slurp("20261207-4201.unverified");
	cr_assert(strstr(t, "unverified: 3\n"), "%s", t);
	cr_assert(strstr(t, "folder: inbox/4201/\n"), "%s", t);
	cr_assert(strstr(t, "first: 2026-12-07T10:00:02Z\n"), "%s", t);
	cr_assert(strstr(t, "last: 2026-12-07T10:00:04Z\n"), "%s", t);
	cr_assert(strstr(t, "reason: 2 junk\n"), "%s", t);
	cr_assert(strstr(t, "reason: 1 truncated envelope\n"), "a reason is one line: %s", t);

	/* another folder, and the inbox itself, have budgets of their own */
	cr_assert_eq(take(f, DAY1 + 5, "0301", "junk", &said), 0);
	cr_assert_eq(take(f, DAY1 + 5, "-", "junk", &said), 0);
	cr_assert_eq(take(f, DAY1 + 5, "-", "junk", &said), 0);
	cr_assert_eq(take(f, DAY1 + 5, "-", "junk", &said), 1);
	cr_assert_str_eq(said.name, "20261207-inbox.unverified");
	cr_assert(strstr(slurp("20261207-inbox.unverified"), "folder: inbox/\n"));
	/* a folder of no registered kommune ("9999" here) shares the inbox's */
	cr_assert_eq(take(f, DAY1 + 6, "9999", "junk", &said), 1);
	cr_assert_str_eq(said.name, "20261207-inbox.unverified");
	cr_assert(strstr(slurp("20261207-inbox.unverified"), "unverified: 2\n"));
	/* the next day, a new budget */
	cr_assert_eq(take(f, DAY2, "4201", "junk", &said), 0);
	bpd_flood_free(f);
}

Test(flood, the_count_goes_on_after_a_restart_the_same_day)
{
	struct bpd_flood *f = bpd_flood_new("unverified");
	struct bpd_flood_said said;

	for (int i = 0; i < 5; i++)
		take(f, DAY1 + i, "4201", i % 2 ? "odd" : "even", &said);
	bpd_flood_free(f);
	cr_assert(strstr(slurp("20261207-4201.unverified"), "unverified: 3\n"));

	/* started again: the folder is over its budget at once, counts go on */
	f = bpd_flood_new("unverified");
	cr_assert_eq(take(f, DAY1 + 10, "4201", "odd", &said), 1, "a fresh budget after a restart");
	cr_assert(said.store, "a new run makes sure of the store record");
	const char *t = slurp("20261207-4201.unverified");
	cr_assert(strstr(t, "unverified: 4\n"), "%s", t);
	cr_assert(strstr(t, "reason: 2 even\n"), "%s", t);
	cr_assert(strstr(t, "reason: 2 odd\n"), "%s", t);
	cr_assert(strstr(t, "first: 2026-12-07T10:00:02Z\n"), "%s", t);
	bpd_flood_free(f);
}

Test(flood, reasons_beyond_sixteen_are_counted_as_other)
{
	struct bpd_flood *f = bpd_flood_new("unverified");
	struct bpd_flood_said said;
	char why[32];

	for (int i = 0; i < 22; i++) {
		snprintf(why, sizeof(why), "reason %d", i);
		take(f, DAY1, "4201", why, &said);
	}
	const char *t = slurp("20261207-4201.unverified");
	cr_assert(strstr(t, "unverified: 20\n"), "%s", t);
	cr_assert(strstr(t, "reason: 1 reason 17\n"), "%s", t);
	cr_assert_null(strstr(t, "reason 18\n"), "%s", t);
	cr_assert(strstr(t, "other: 4\n"), "%s", t);
	bpd_flood_free(f);
}

Test(flood, two_nodes_sharing_rejected_add_to_one_count)
{
	struct bpd_flood *a = bpd_flood_new("unverified"), *b = bpd_flood_new("unverified");
	struct bpd_flood_said said;

	cr_assert_eq(take(a, DAY1, "4201", "junk", &said), 0);
	cr_assert_eq(take(a, DAY1, "4201", "junk", &said), 0);
	cr_assert_eq(take(b, DAY1, "4201", "junk", &said), 0, "b's own budget until the file exists");
	cr_assert_eq(take(a, DAY1, "4201", "junk", &said), 1);
	cr_assert_eq(take(b, DAY1, "4201", "junk", &said), 1, "the file spends b's budget too");
	cr_assert_eq(take(a, DAY1, "4201", "junk", &said), 1);
	cr_assert_eq(take(b, DAY1, "4201", "other junk", &said), 1);
	const char *t = slurp("20261207-4201.unverified");
	cr_assert(strstr(t, "unverified: 4\n"), "one node wrote over the other's count: %s", t);
	cr_assert(strstr(t, "reason: 3 junk\n"), "%s", t);
	cr_assert(strstr(t, "reason: 1 other junk\n"), "%s", t);
	bpd_flood_free(a);
	bpd_flood_free(b);
}

/* The replays' count is a file of its own kind, beside the unverified one
 * of the same folder and day, and read back as its own. */
Test(flood, replays_are_counted_apart)
{
	struct bpd_flood *u = bpd_flood_new("unverified"), *r = bpd_flood_new("replayed");
	struct bpd_flood_said said;

	cr_assert(u && r);
	cr_assert_eq(take(r, DAY1, "4201", "already applied", &said), 0);
	cr_assert_eq(take(r, DAY1, "4201", "already applied", &said), 0);
	/* the second, again after a kill before its receipt: its own unit
	 * still (a hostile review: it spent a second one and was counted) */
	bpd_flood_free(r);
	r = bpd_flood_new("replayed");
	cr_assert_eq(take_again(r, DAY1, "4201", "already applied", &said), 0);
	cr_assert_eq(take(r, DAY1, "4201", "already applied", &said), 1);
	cr_assert_str_eq(said.name, "20261207-4201.replayed");
	cr_assert_eq(take(u, DAY1, "4201", "junk", &said), 0, "the unverified budget is its own");
	bpd_flood_free(r);
	r = bpd_flood_new("replayed");   /* a restart: read back */
	cr_assert_eq(take(r, DAY1, "4201", "already applied", &said), 1);
	const char *t = slurp("20261207-4201.replayed");
	cr_assert(strstr(t, "replayed: 2\n"), "%s", t);
	cr_assert(strstr(t, "reason: 2 already applied\n"), "%s", t);
	cr_assert(strstr(t, "whose exact bytes are kept already"), "%s", t);
	cr_assert_str_eq(slurp(".20261207-4201.replayed"),
	    "recorded: 2\nspent: 1796637600-0000000000000001\nspent: 1796637600-0000000000000002\n");
	cr_assert_str_eq(slurp("20261207-4201.unverified"), "");
	/* what a run spent of the budget stays spent after a restart (bpaggd
	 * --once by a timer gets no fresh budget each run) */
	bpd_flood_free(r);
	r = bpd_flood_new("replayed");
	cr_assert_eq(take(r, DAY1, "0301", "already applied", &said), 0);
	bpd_flood_free(r);
	r = bpd_flood_new("replayed");
	cr_assert_eq(take(r, DAY1, "0301", "already applied", &said), 0);
	bpd_flood_free(r);
	r = bpd_flood_new("replayed");
	cr_assert_eq(take(r, DAY1, "0301", "already applied", &said), 1, "a fresh budget per run");
	cr_assert(strstr(slurp("20261207-0301.replayed"), "replayed: 1\n"));
	const char *spent = "recorded: 2\nspent: ";
	cr_assert(!strncmp(slurp(".20261207-0301.replayed"), spent, strlen(spent)));
	bpd_flood_free(u);
	bpd_flood_free(r);
}

/* The budget's file keeps the last 256 uploads that spent it, whatever the
 * budget: small, and the upload a kill left is among them. */
Test(flood, spent_uploads_kept_are_the_last)
{
	struct bpd_flood *r = bpd_flood_new("replayed");
	struct bpd_flood_said said;
	char tag[17];

	cr_assert(r);
	for (unsigned n = 1; n <= 300; n++) {
		snprintf(tag, sizeof(tag), "%016x", n);
		struct bpd_qname q = entry(DAY1, "4201", tag);
		cr_assert_eq(bpd_flood_take(r, rej, 1000, true, &q, "already applied", LOG_INFO,
		    &said), 0);
	}
	const char *t = slurp(".20261207-4201.replayed");
	cr_assert(!strncmp(t, "recorded: 300\n", 14), "%.40s", t);
	cr_assert_null(strstr(t, "spent: 1796637600-0000000000000001\n"), "the first is dropped");
	cr_assert_not_null(strstr(t, "spent: 1796637600-000000000000002d\n"), "the 45th is kept");
	cr_assert_not_null(strstr(t, "spent: 1796637600-000000000000012c\n"));
	size_t lines = 0;
	for (const char *p = strstr(t, "spent: "); p; p = strstr(p + 1, "spent: "))
		lines++;
	cr_assert_eq(lines, 256);
	/* the last, again (after a kill): not spent again */
	struct bpd_qname q = entry(DAY1, "4201", tag);
	cr_assert_eq(bpd_flood_take(r, rej, 1000, true, &q, "already applied", LOG_INFO, &said), 0);
	cr_assert(!strncmp(slurp(".20261207-4201.replayed"), "recorded: 300\n", 14));
	bpd_flood_free(r);
}
