/*
 * test_status.c - `bpagg status` run on a SQLite store filled here (bpagg is
 * on PATH in tests).
 */
#include "store_test_util.h"

/* ---- bpagg status on a store filled here (bpagg is on PATH in tests) ---- */

static char *
run_cmd(const char *cmd, int *status)
{
	FILE *f = popen(cmd, "r");
	char *buf = calloc(1, 1 << 20);
	size_t n = 0, r;

	cr_assert_not_null(f);
	cr_assert_not_null(buf);
	while ((r = fread(buf + n, 1, (1 << 20) - 1 - n, f)) > 0)
		n += r;
	*status = pclose(f);
	return buf;
}

static void
write_conf(const char *extra)
{
	char p[320];
	const char *reg = getenv("BPAGG_REGISTRY");
	FILE *f;

	cr_assert_not_null(reg, "BPAGG_REGISTRY is set by the test harness");
	snprintf(p, sizeof(p), "%s/bpagg.conf", dir);
	cr_assert_not_null(f = fopen(p, "w"));
	fprintf(f, "[paths]\ninbox = inbox\nregistry = %s\n[store]\npath = store.sqlite\n%s",
	    reg, extra);
	fclose(f);
	/* status refuses a missing inbox (bpaggd would take nothing). */
	snprintf(p, sizeof(p), "%s/inbox", dir);
	cr_assert(mkdir(p, 0700) == 0 || errno == EEXIST, "%s", p);
}

static void
touch(const char *rel)
{
	char p[400];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_geq(fd, 0, "%s", p);
	close(fd);
}

static void
fill_for_status(void)
{
	struct bp_config c;
	char p[320], err[256];
	bp_store *s = NULL;
	struct bp_submission a;
	struct bp_tally t;
	uint8_t *p1 = make_pseud(0, 6), *p2 = make_pseud(4, 6);

	snprintf(p, sizeof(p), "%s/bpagg.conf", dir);
	cr_assert_eq(bp_config_load(p, &c, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(bp_store_open(&c, &s, err, sizeof(err)), 0, "%s", err);
	make_tally(&t, 99);
	make_sub(&a, "4601", 2024, 7, 1);
	a.rows = 1200;
	a.received = 1735732800; /* 2025-01-01T12:00:00Z */
	apply_ok(s, &a, &t, p1, 6);
	make_sub(&a, "0301", 2024, 3, 2);
	a.rows = 34;
	a.received = 1735689600; /* 2025-01-01T00:00:00Z */
	apply_ok(s, &a, &t, p2, 6);
	make_sub(&a, "1103", 2023, 1, 3);
	a.rows = 5;
	apply_ok(s, &a, &t, NULL, 0);
	cr_assert_eq(bp_store_reject(s, "1103", 2024, "bad.bpx", "signature"), 0);
	cr_assert_eq(bp_store_reject(s, "", 0, "junk.bpx", "cannot open"), 0);
	bp_store_close(s);
	bp_config_free(&c);
	bp_tally_free(&t);
	free(p1);
	free(p2);

	snprintf(p, sizeof(p), "%s/inbox", dir);
	cr_assert(mkdir(p, 0700) == 0 || errno == EEXIST);
	snprintf(p, sizeof(p), "%s/inbox/0301", dir);
	cr_assert_eq(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/inbox/other", dir);
	cr_assert_eq(mkdir(p, 0700), 0);
	touch("inbox/a.bpx");
	touch("inbox/.b.bpx");
	touch("inbox/c.bpx.part");
	touch("inbox/c.bpx.tmp");
	touch("inbox/readme.txt");
	touch("inbox/0301/d.bpx");
	touch("inbox/0301/.e.bpx");
	touch("inbox/other/f.bpx");  /* not a kommune folder */
}

TestSuite(status, .init = setup, .fini = teardown);

Test(status, json_of_filled_store)
{
	char cmd[512];
	int st;

	write_conf("");
	fill_for_status();
	snprintf(cmd, sizeof(cmd), "bpagg status -c '%s/bpagg.conf' --json", dir);
	char *out = run_cmd(cmd, &st);
	cr_assert_eq(st, 0, "exit %d: %s", st, out);
	cr_assert_not_null(strstr(out,
	    "{\"years\": [{\"year\": 2023, \"kommuner_reported\": 1, \"kommuner_total\": 357, "
	    "\"rows\": 5, \"rejected\": 0, \"waiting\": 2, \"multi_kommune_persons\": 0, "
	    "\"other_catalogue\": 0, \"kommuner\": [{\"kommune\": \"1103\", \"name\": \"Stavanger\", \"rows\": 5, "
	    "\"sequence\": \"1\", "), "%s", out);
	cr_assert_not_null(strstr(out,
	    "{\"year\": 2024, \"kommuner_reported\": 2, \"kommuner_total\": 357, \"rows\": 1234, "
	    "\"rejected\": 1, \"waiting\": 2, \"multi_kommune_persons\": 2, \"other_catalogue\": 0, \"kommuner\": ["
	    "{\"kommune\": \"0301\", \"name\": \"Oslo\", \"rows\": 34, \"sequence\": \"3\", "
	    "\"received\": \"2025-01-01T00:00:00Z\"}, "
	    "{\"kommune\": \"4601\", \"name\": \"Bergen\", \"rows\": 1200, \"sequence\": \"7\", "
	    "\"received\": \"2025-01-01T12:00:00Z\"}]}"), "%s", out);
	cr_assert_not_null(strstr(out, "\"waiting\": 2, \"inbox_unreadable\": [], "
	    "\"rejected_year_unknown\": 1, \"unverified_counted\": 0, \"replays_counted\": 0, "
	    "\"store\": true, \"backend\": \"sqlite\", \"schema_version\": 6}\n"), "%s", out);
	free(out);

	snprintf(cmd, sizeof(cmd), "bpagg status -c '%s/bpagg.conf' --json --year 2023", dir);
	out = run_cmd(cmd, &st);
	cr_assert_eq(st, 0);
	cr_assert_not_null(strstr(out, "\"year\": 2023"));
	cr_assert_null(strstr(out, "\"year\": 2024"), "%s", out);
	free(out);
}

Test(status, text_of_filled_store)
{
	char cmd[512];
	int st;

	write_conf("");
	fill_for_status();
	snprintf(cmd, sizeof(cmd), "bpagg status -c '%s/bpagg.conf' --year 2024", dir);
	char *out = run_cmd(cmd, &st);
	cr_assert_eq(st, 0, "exit %d: %s", st, out);
	cr_assert_not_null(strstr(out, "year 2024\n"), "%s", out);
	cr_assert_not_null(strstr(out, "kommuner reported          2 of 357\n"), "%s", out);
	cr_assert_not_null(strstr(out, "rows                       1234\n"), "%s", out);
	cr_assert_not_null(strstr(out, "files rejected             1\n"), "%s", out);
	cr_assert_not_null(strstr(out, "persons in >1 kommune      2\n"), "%s", out);
	cr_assert_not_null(strstr(out, "files waiting in the inbox   2\n"), "%s", out);
	cr_assert_not_null(strstr(out, "store                        sqlite, schema version 6\n"),
	    "%s", out);
	char *oslo = strstr(out, "  0301     Oslo"), *bergen = strstr(out, "  4601     Bergen");
	cr_assert(oslo && bergen && oslo < bergen, "%s", out);
	char line[160];
	snprintf(line, sizeof(line), "  %-7s  %-24s  %8d  %20d  %s\n", "0301", "Oslo", 34, 3,
	    "2025-01-01T00:00:00Z");
	cr_assert_eq(strncmp(oslo, line, strlen(line)), 0, "%s", out);
	cr_assert_null(strstr(out, "year 2023"));
	free(out);
}

Test(status, tallies_of_another_catalogue)
{
	char cmd[512];
	int st;

	write_conf("");
	fill_for_status();
	write_conf("[measures]\nrop_definition = 2015\n");
	snprintf(cmd, sizeof(cmd), "bpagg status -c '%s/bpagg.conf' --year 2024", dir);
	char *out = run_cmd(cmd, &st);
	cr_assert_eq(st, 0, "exit %d: %s", st, out);
	cr_assert_not_null(strstr(out, "  tallies to rebuild         2 (counted with other "
	    "[measures] settings: run bpagg rebuild)\n"), "%s", out);
	free(out);
	snprintf(cmd, sizeof(cmd), "bpagg status -c '%s/bpagg.conf' --json", dir);
	out = run_cmd(cmd, &st);
	cr_assert_not_null(strstr(out, "\"multi_kommune_persons\": 2, \"other_catalogue\": 2, "),
	    "%s", out);
	free(out);
	write_conf("");
	snprintf(cmd, sizeof(cmd), "bpagg status -c '%s/bpagg.conf'", dir);
	out = run_cmd(cmd, &st);
	cr_assert_null(strstr(out, "tallies to rebuild"), "%s", out);
	free(out);
}

Test(status, no_store_yet)
{
	char cmd[512], p[320];
	int st;

	write_conf("");
	snprintf(cmd, sizeof(cmd), "bpagg status -c '%s/bpagg.conf'", dir);
	char *out = run_cmd(cmd, &st);
	cr_assert_eq(st, 0, "exit %d: %s", st, out);
	cr_assert_not_null(strstr(out, "no submissions yet"), "%s", out);
	free(out);
	snprintf(p, sizeof(p), "%s/store.sqlite", dir);
	cr_assert_eq(access(p, F_OK), -1, "status must not create the store");

	snprintf(cmd, sizeof(cmd), "bpagg status -c '%s/bpagg.conf' --json --year 2024", dir);
	out = run_cmd(cmd, &st);
	cr_assert_eq(st, 0);
	cr_assert_not_null(strstr(out, "{\"years\": [{\"year\": 2024, \"kommuner_reported\": 0, "
	    "\"kommuner_total\": 357, \"rows\": 0, \"rejected\": 0, \"waiting\": 0, "
	    "\"multi_kommune_persons\": 0, \"other_catalogue\": 0, \"kommuner\": []}], "
	    "\"waiting\": 0, \"inbox_unreadable\": [], "
	    "\"rejected_year_unknown\": 0, \"unverified_counted\": 0, \"replays_counted\": 0, "
	    "\"store\": false, \"backend\": \"sqlite\", \"schema_version\": null}"), "%s", out);
	free(out);
}

Test(status, postgresql_without_dsn_is_a_configuration_error)
{
	char cmd[512];
	int st;

	write_conf("backend = postgresql\n");
	snprintf(cmd, sizeof(cmd), "bpagg status -c '%s/bpagg.conf' 2>&1", dir);
	char *out = run_cmd(cmd, &st);
	cr_assert(WIFEXITED(st));
	cr_assert_eq(WEXITSTATUS(st), 78, "%s", out);
	cr_assert_not_null(strstr(out, "dsn is not set"), "%s", out);
	free(out);
}

Test(status, usage_errors)
{
	int st;
	char *out = run_cmd("bpagg status -c /nonexistent/bpagg.conf extra 2>&1", &st);
	cr_assert_eq(WEXITSTATUS(st), 64, "%s", out);
	free(out);
	/* without -c: $BPAGG_CONF, named when missing */
	out = run_cmd("BPAGG_CONF=/nonexistent/env.conf bpagg status 2>&1", &st);
	cr_assert_eq(WEXITSTATUS(st), 78, "%s", out);
	cr_assert(strstr(out, "/nonexistent/env.conf") != NULL, "%s", out);
	free(out);
	out = run_cmd("bpagg status -c /nonexistent/bpagg.conf --year 1800 2>&1", &st);
	cr_assert_eq(WEXITSTATUS(st), 64, "%s", out);
	free(out);
	out = run_cmd("bpagg status -c /nonexistent/bpagg.conf 2>&1", &st);
	cr_assert_eq(WEXITSTATUS(st), 78, "%s", out);
	free(out);
}
