/*
 * test_store.c - the national aggregate store, on both backends (store_db.h:
 * built as test_store on SQLite files in a temporary directory and as
 * test_store_pg on a throw-away PostgreSQL).
 */
#include "store_test_util.h"
TestSuite(store, .init = setup, .fini = teardown);

#ifndef BP_TEST_PG
Test(store, schema_created_0600_wal)
{
	umask(022);
	bp_store *s = open_store();
	struct stat st;

	cr_assert_eq(lstat(dbpath, &st), 0);
	cr_assert(S_ISREG(st.st_mode));
	cr_assert_eq(st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);
	cr_assert_eq(count_sql("SELECT max(version) FROM schema_version"), bp_store_schema_version());
	cr_assert_eq(count_sql("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
	    "name IN ('ledger', 'tally', 'rejection', 'pseudonym', 'schema_version')"), 5);
	cr_assert_eq(count_sql("SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), 1);
	/* The WAL beside it is as private as the store (umask 022 or not). */
	cr_assert_eq(bp_store_reject(s, "", 0, "x.bpx", "test"), 0);
	char wal[320];
	snprintf(wal, sizeof(wal), "%s-wal", dbpath);
	cr_assert_eq(lstat(wal, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600, "wal mode %o", st.st_mode & 0777);
	bp_store_close(s);
	/* Reopening keeps the version and does not run the migration again. */
	s = open_store();
	cr_assert_eq(count_sql("SELECT count(*) FROM schema_version"), 1);
	cr_assert_str_eq(bp_store_backend_name(s), "sqlite");
	cr_assert_eq(bp_store_version(s), bp_store_schema_version());
	bp_store_close(s);
}
#endif

Test(store, newer_schema_refused)
{
	bp_store_close(open_store());
	exec_sql("UPDATE schema_version SET version = 99");
	bp_store *s = NULL;
	char err[256] = "";
	cr_assert_eq(bp_store_open(&conf, &s, err, sizeof(err)), -1);
	cr_assert_null(s);
	cr_assert_not_null(strstr(err, "newer"), "%s", err);
}

#ifndef BP_TEST_PG
Test(store, symlink_refused)
{
	char target[320];
	snprintf(target, sizeof(target), "%s/elsewhere", dir);
	cr_assert_eq(symlink(target, dbpath), 0);
	bp_store *s = NULL;
	char err[256] = "";
	cr_assert_eq(bp_store_open(&conf, &s, err, sizeof(err)), -1);
	cr_assert_eq(access(target, F_OK), -1, "the link's target must not be created");
}
#endif

Test(store, open_existing_does_not_create)
{
	bp_store *s = NULL;
	char err[256] = "";
	cr_assert_eq(bp_store_open_existing(&conf, &s, err, sizeof(err)), 1);
	cr_assert_null(s);
#ifdef BP_TEST_PG
	cr_assert_eq(count_sql("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"), 0);
#else
	cr_assert_eq(access(dbpath, F_OK), -1);
#endif
	bp_store_close(open_store());
	cr_assert_eq(bp_store_open_existing(&conf, &s, err, sizeof(err)), 0, "%s", err);
	cr_assert_not_null(s);
	bp_store_close(s);
}

Test(store, unknown_backend_and_postgresql_without_dsn_refused)
{
	struct bp_config c = conf;
	char err[256] = "";
	bp_store *s = NULL;
	c.store_backend = "mysql";
	cr_assert_eq(bp_store_check_config(&c, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "unknown backend"), "%s", err);
	cr_assert_eq(bp_store_open(&c, &s, err, sizeof(err)), -1);
	cr_assert_null(s);
	c.store_backend = "postgresql";
	c.store_dsn = NULL;
	cr_assert_eq(bp_store_check_config(&c, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "dsn"), "%s", err);
	cr_assert_eq(bp_store_open(&c, &s, err, sizeof(err)), -1);
	cr_assert_null(s);
	c.store_backend = "sqlite";
	cr_assert_eq(bp_store_check_config(&c, err, sizeof(err)), 0);
}

/* A password belongs in a private file, never in bpagg.conf. */
Test(store, password_in_dsn_refused)
{
	struct bp_config c = conf;
	char err[256] = "", pf[320];
	bp_store *s = NULL;
	c.store_backend = "postgresql";
	c.store_dsn = "host=/nonexistent dbname=x password=secret";
	cr_assert_eq(bp_store_open(&c, &s, err, sizeof(err)), -1);
	cr_assert_null(s);
	cr_assert_not_null(strstr(err, "password"), "%s", err);
	cr_assert_null(strstr(err, "secret"), "%s", err);
	snprintf(pf, sizeof(pf), "%s/pgpass", dir);
	FILE *f = fopen(pf, "w");
	cr_assert_not_null(f);
	fclose(f);
	cr_assert_eq(chmod(pf, 0644), 0);
	char dsn[512];
	snprintf(dsn, sizeof(dsn), "host=/nonexistent dbname=x passfile=%s", pf);
	c.store_dsn = dsn;
	cr_assert_eq(bp_store_open(&c, &s, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "0600"), "%s", err);
}

Test(store, apply_then_foreach_equal)
{
	bp_store *s = open_store();
	struct bp_submission a, b;
	struct bp_tally ta, tb;
	struct got g = { 0 };
	uint8_t *pa = make_pseud(0, 10), *pb = make_pseud(100, 20);

	make_tally(&ta, 1);
	make_tally(&tb, 2);
	make_sub(&a, "4601", 2024, 1, 1);
	make_sub(&b, "0301", 2024, 1, 2);
	apply_ok(s, &a, &ta, pa, 10);
	apply_ok(s, &b, &tb, pb, 20);
	bp_store_close(s);

	s = open_store(); /* read back from the file, not from a cache */
	cr_assert_eq(bp_store_foreach_tally(s, 2024, cat_id, collect, &g), 0);
	cr_assert_eq(g.n, 2);
	cr_assert_str_eq(g.kommune[0], "0301"); /* kommunenummer order */
	cr_assert_str_eq(g.kommune[1], "4601");
	cr_assert(bp_tally_equal(&g.t[0], &tb));
	cr_assert(bp_tally_equal(&g.t[1], &ta));
	cr_assert(!bp_tally_equal(&g.t[0], &ta));
	cr_assert_eq(g.t[1].rows, ta.rows);

	struct latest l = { 0 };
	cr_assert_eq(bp_store_foreach_latest(s, 2024, collect_latest, &l), 0);
	cr_assert_eq(l.n, 2);
	cr_assert_str_eq(l.sub[0].kommune, "0301");
	cr_assert_eq(memcmp(l.sub[1].id, a.id, 16), 0);
	cr_assert_eq(memcmp(l.sub[1].digest, a.digest, 32), 0);
	cr_assert_eq(l.sub[1].rows, a.rows);
	cr_assert_eq(l.sub[1].received, a.received);
	cr_assert_str_eq(l.sub[1].archived, a.archived);
	cr_assert_eq(count_sql("SELECT count(*) FROM pseudonym WHERE year = 2024"), 30);

	got_free(&g);
	bp_tally_free(&ta);
	bp_tally_free(&tb);
	free(pa);
	free(pb);
	bp_store_close(s);
}

Test(store, foreach_stops_on_callback_and_checks_catalogue)
{
	bp_store *s = open_store();
	struct bp_submission a;
	struct bp_tally t;
	uint8_t other[32];

	make_tally(&t, 3);
	make_sub(&a, "1103", 2023, 5, 3);
	apply_ok(s, &a, &t, NULL, 0);
	memcpy(other, cat_id, 32);
	other[31] ^= 1;
	struct got g = { 0 };
	cr_assert_eq(bp_store_foreach_tally(s, 2023, other, collect, &g), -1);
	cr_assert_eq(g.n, 0);
	cr_assert_eq(bp_store_foreach_tally(s, 2022, cat_id, collect, &g), 0);
	cr_assert_eq(g.n, 0);
	uint64_t n = 99;
	cr_assert_eq(bp_store_count_other_catalogue(s, 2023, cat_id, &n), 0);
	cr_assert_eq(n, 0);
	cr_assert_eq(bp_store_count_other_catalogue(s, 2023, other, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(bp_store_count_other_catalogue(s, 2022, other, &n), 0);
	cr_assert_eq(n, 0);
	bp_tally_free(&t);
	bp_store_close(s);
}

static int
stop7(const char *kommune, const struct bp_tally *t, void *ud)
{
	(*(int *)ud)++;
	return 7;
}

Test(store, foreach_callback_return_is_returned)
{
	bp_store *s = open_store();
	struct bp_submission a, b;
	struct bp_tally t;
	int calls = 0;

	make_tally(&t, 4);
	make_sub(&a, "1103", 2023, 1, 4);
	make_sub(&b, "1101", 2023, 1, 5);
	apply_ok(s, &a, &t, NULL, 0);
	apply_ok(s, &b, &t, NULL, 0);
	cr_assert_eq(bp_store_foreach_tally(s, 2023, cat_id, stop7, &calls), 7);
	cr_assert_eq(calls, 1);
	bp_tally_free(&t);
	bp_store_close(s);
}

Test(store, resubmission_replaces)
{
	bp_store *s = open_store();
	struct bp_submission a1, a2;
	struct bp_tally t1, t2;
	struct got g = { 0 };
	uint8_t *p1 = make_pseud(0, 50), *p2 = make_pseud(1000, 5);

	make_tally(&t1, 10);
	make_tally(&t2, 11);
	make_sub(&a1, "0301", 2024, 3, 10);
	make_sub(&a2, "0301", 2024, 4, 11);
	apply_ok(s, &a1, &t1, p1, 50);
	apply_ok(s, &a2, &t2, p2, 5);
	cr_assert_eq(bp_store_foreach_tally(s, 2024, cat_id, collect, &g), 0);
	cr_assert_eq(g.n, 1);
	cr_assert(bp_tally_equal(&g.t[0], &t2));
	cr_assert(!bp_tally_equal(&g.t[0], &t1), "old counts must be gone");
	cr_assert_eq(count_sql("SELECT count(*) FROM pseudonym WHERE kommune = '0301'"), 5);
	cr_assert_eq(count_sql("SELECT count(*) FROM ledger"), 2);
	cr_assert_eq(count_sql("SELECT count(*) FROM tally"), 1);

	struct latest l = { 0 };
	cr_assert_eq(bp_store_foreach_latest(s, 2024, collect_latest, &l), 0);
	cr_assert_eq(l.n, 1);
	cr_assert_eq(l.sub[0].sequence, 4);
	got_free(&g);
	bp_tally_free(&t1);
	bp_tally_free(&t2);
	free(p1);
	free(p2);
	bp_store_close(s);
}

Test(store, judge_verdicts)
{
	bp_store *s = open_store();
	struct bp_submission a, b;
	struct bp_tally t;

	make_tally(&t, 20);
	make_sub(&a, "4601", 2024, 10, 20);
	cr_assert_eq(judge(s, &a), BP_STORE_NEW);
	apply_ok(s, &a, &t, NULL, 0);
	cr_assert_eq(judge(s, &a), BP_STORE_ALREADY_APPLIED);

	b = a;                        /* same id, other digest */
	b.digest[0] ^= 1;
	b.sequence = 11;
	cr_assert_eq(judge(s, &b), BP_STORE_ID_REUSED);

	make_sub(&b, "4601", 2024, 10, 21); /* new id, same sequence */
	cr_assert_eq(judge(s, &b), BP_STORE_STALE);
	b.sequence = 9;
	cr_assert_eq(judge(s, &b), BP_STORE_STALE);
	b.sequence = 11;
	cr_assert_eq(judge(s, &b), BP_STORE_NEW);
	b.sequence = 10;
	b.year = 2023;                 /* other year of the kommune: its own sequence */
	cr_assert_eq(judge(s, &b), BP_STORE_NEW);
	b.year = 2024;
	memcpy(b.kommune, "0301", 5);  /* other kommune */
	cr_assert_eq(judge(s, &b), BP_STORE_NEW);

	/* Sequences compare unsigned over all 64 bits. */
	make_sub(&b, "4601", 2024, UINT64_MAX, 22);
	cr_assert_eq(judge(s, &b), BP_STORE_NEW);
	apply_ok(s, &b, &t, NULL, 0);
	make_sub(&b, "4601", 2024, (uint64_t)1 << 63, 23);
	cr_assert_eq(judge(s, &b), BP_STORE_STALE);
	bp_tally_free(&t);
	bp_store_close(s);
}

Test(store, dry_run_records_ledger_only)
{
	bp_store *s = open_store();
	struct bp_submission a, d;
	struct bp_tally t;
	struct got g = { 0 };
	uint8_t *p = make_pseud(0, 4);

	make_tally(&t, 30);
	make_sub(&a, "1106", 2024, 5, 30);
	apply_ok(s, &a, &t, p, 4);

	make_sub(&d, "1106", 2024, 50, 31);
	d.dry_run = true;
	cr_assert_eq(judge(s, &d), BP_STORE_NEW);
	apply_ok(s, &d, NULL, NULL, 0); /* no tally, no pseudonyms needed */
	cr_assert_eq(count_sql("SELECT count(*) FROM ledger WHERE status = 'dry_run'"), 1);
	cr_assert_eq(count_sql("SELECT count(*) FROM pseudonym"), 4);
	cr_assert_eq(bp_store_foreach_tally(s, 2024, cat_id, collect, &g), 0);
	cr_assert_eq(g.n, 1);
	cr_assert(bp_tally_equal(&g.t[0], &t), "a dry run leaves the tally alone");
	struct latest l = { 0 };
	cr_assert_eq(bp_store_foreach_latest(s, 2024, collect_latest, &l), 0);
	cr_assert_eq(l.n, 1);
	cr_assert_eq(l.sub[0].sequence, 5, "a dry run is never the latest applied");

	/* The dry run did not raise the sequence: 6 is still new. */
	struct bp_submission n;
	make_sub(&n, "1106", 2024, 6, 32);
	cr_assert_eq(judge(s, &n), BP_STORE_NEW);
	cr_assert_eq(judge(s, &d), BP_STORE_ALREADY_APPLIED);

	/* A dry run of a kommune-year with nothing applied makes no tally. */
	make_sub(&d, "1101", 2025, 1, 33);
	d.dry_run = true;
	apply_ok(s, &d, NULL, NULL, 0);
	cr_assert_eq(count_sql("SELECT count(*) FROM tally WHERE year = 2025"), 0);
	make_sub(&n, "1101", 2025, 1, 34);
	cr_assert_eq(judge(s, &n), BP_STORE_NEW);

	got_free(&g);
	bp_tally_free(&t);
	free(p);
	bp_store_close(s);
}

/* A forced failure inside the transaction (a trigger that aborts) must leave
 * everything as it was: tally, ledger, pseudonyms. */
static void
failing_apply(const char *trigger, const char *table)
{
	bp_store *s = open_store();
	struct bp_submission a1, a2;
	struct bp_tally t1, t2;
	uint8_t *p1 = make_pseud(0, 8), *p2 = make_pseud(500, 9);
	char err[256] = "";

	make_tally(&t1, 40);
	make_tally(&t2, 41);
	make_sub(&a1, "0301", 2024, 1, 40);
	make_sub(&a2, "0301", 2024, 2, 41);
	apply_ok(s, &a1, &t1, p1, 8);
	exec_sql(trigger);

	cr_assert_eq(bp_store_apply(s, &a2, &t2, p2, 9, cat_id, err, sizeof(err)), -1);
	cr_assert_neq(err[0], '\0');
	cr_assert_null(strstr(err, "0301"), "no input values in messages: %s", err);

	struct got g = { 0 };
	cr_assert_eq(bp_store_foreach_tally(s, 2024, cat_id, collect, &g), 0);
	cr_assert_eq(g.n, 1);
	cr_assert(bp_tally_equal(&g.t[0], &t1));
	cr_assert_eq(count_sql("SELECT count(*) FROM ledger"), 1);
	cr_assert_eq(count_sql("SELECT count(*) FROM pseudonym"), 8);
	cr_assert_eq(count_sql("SELECT count(*) FROM pseudonym WHERE pseudonym = "
	    BLOB("f4010000a5a5a5a5a5a5a5a5a5a5a5a5")), 0);
	cr_assert_eq(judge(s, &a2), BP_STORE_NEW, "the failed submission left no trace");

	/* The handle is usable afterwards. */
	char drop[64];
	snprintf(drop, sizeof(drop), "DROP TRIGGER boom%s%s", table ? " ON " : "", table);
#ifndef BP_TEST_PG
	snprintf(drop, sizeof(drop), "DROP TRIGGER boom");
#endif
	exec_sql(drop);
	apply_ok(s, &a2, &t2, p2, 9);
	cr_assert_eq(count_sql("SELECT count(*) FROM pseudonym"), 9);
	got_free(&g);
	bp_tally_free(&t1);
	bp_tally_free(&t2);
	free(p1);
	free(p2);
	bp_store_close(s);
}

Test(store, failure_at_last_pseudonym_changes_nothing)
{
	/* fails on the last pseudonym, after tally and ledger were written */
#ifdef BP_TEST_PG
	failing_apply(BOOM("INSERT ON pseudonym", "WHEN (substr(NEW.pseudonym, 1, 1) = "
	    BLOB("fc") ")"), "pseudonym");
#else
	failing_apply(BOOM("BEFORE INSERT ON pseudonym",
	    "WHEN substr(NEW.pseudonym, 1, 1) = x'fc' "
	    "AND (SELECT count(*) FROM pseudonym WHERE kommune = NEW.kommune) = 8"), "pseudonym");
#endif
}

Test(store, failure_at_tally_changes_nothing)
{
#ifdef BP_TEST_PG
	failing_apply(BOOM("UPDATE ON tally", ""), "tally");
#else
	failing_apply(BOOM("BEFORE UPDATE ON tally", ""), "tally");
#endif
}

Test(store, duplicate_id_refused_by_apply)
{
	bp_store *s = open_store();
	struct bp_submission a;
	struct bp_tally t;
	char err[256];

	make_tally(&t, 50);
	make_sub(&a, "0301", 2024, 1, 50);
	apply_ok(s, &a, &t, NULL, 0);
	a.sequence = 2;
	cr_assert_eq(bp_store_apply(s, &a, &t, NULL, 0, cat_id, err, sizeof(err)), -1);
	cr_assert_eq(count_sql("SELECT count(*) FROM ledger"), 1);
	bp_tally_free(&t);
	bp_store_close(s);
}

Test(store, invalid_submission_refused)
{
	bp_store *s = open_store();
	struct bp_submission a;
	struct bp_tally t;
	char err[256];

	make_tally(&t, 51);
	make_sub(&a, "03x1", 2024, 1, 51);
	cr_assert_eq(bp_store_apply(s, &a, &t, NULL, 0, cat_id, err, sizeof(err)), -1);
	make_sub(&a, "0301", 2024, 1, 51);
	cr_assert_eq(bp_store_apply(s, &a, NULL, NULL, 0, cat_id, err, sizeof(err)), -1);
	cr_assert_eq(bp_store_apply(s, &a, &t, NULL, 3, cat_id, err, sizeof(err)), -1);
	cr_assert_eq(count_sql("SELECT count(*) FROM ledger"), 0);
	bp_tally_free(&t);
	bp_store_close(s);
}

Test(store, multi_kommune_persons)
{
	bp_store *s = open_store();
	struct bp_submission a;
	struct bp_tally t;
	uint64_t n = 99;
	uint8_t *p1 = make_pseud(0, 10);   /* 0..9 */
	uint8_t *p2 = make_pseud(5, 10);   /* 5..14: 5..9 shared with 0301 */
	uint8_t *p3 = make_pseud(8, 10);   /* 8..17: 8, 9 in three, 10..14 in two */
	uint8_t *p4 = make_pseud(100, 3);

	make_tally(&t, 60);
	cr_assert_eq(bp_store_count_multi_kommune(s, 2024, &n), 0);
	cr_assert_eq(n, 0);
	make_sub(&a, "0301", 2024, 1, 60);
	apply_ok(s, &a, &t, p1, 10);
	make_sub(&a, "1103", 2024, 1, 61);
	apply_ok(s, &a, &t, p2, 10);
	cr_assert_eq(bp_store_count_multi_kommune(s, 2024, &n), 0);
	cr_assert_eq(n, 5);
	make_sub(&a, "4601", 2024, 1, 62);
	apply_ok(s, &a, &t, p3, 10);
	cr_assert_eq(bp_store_count_multi_kommune(s, 2024, &n), 0);
	cr_assert_eq(n, 10, "5..14 each counted once"); /* 5,6,7,8,9,10..14 */
	/* Other years are their own. */
	make_sub(&a, "0301", 2023, 1, 63);
	apply_ok(s, &a, &t, p2, 10);
	cr_assert_eq(bp_store_count_multi_kommune(s, 2023, &n), 0);
	cr_assert_eq(n, 0);
	/* Resubmitting 1103 with other persons drops its old ones. */
	make_sub(&a, "1103", 2024, 2, 64);
	apply_ok(s, &a, &t, p4, 3);
	cr_assert_eq(bp_store_count_multi_kommune(s, 2024, &n), 0);
	cr_assert_eq(n, 2, "only 8 and 9 remain shared (0301 and 4601)");
	/* A pseudonym given twice in one call is stored once. */
	uint8_t twice[32];
	memcpy(twice, p4, 16);
	memcpy(twice + 16, p4, 16);
	make_sub(&a, "1101", 2024, 1, 65);
	apply_ok(s, &a, &t, twice, 2);
	cr_assert_eq(bp_store_count_multi_kommune(s, 2024, &n), 0);
	cr_assert_eq(n, 3);
	bp_tally_free(&t);
	free(p1);
	free(p2);
	free(p3);
	free(p4);
	bp_store_close(s);
}

Test(store, years_and_rejections)
{
	bp_store *s = open_store();
	struct bp_submission a;
	struct bp_tally t;
	int *years = NULL;
	size_t n = 9;
	uint64_t c = 9;

	cr_assert_eq(bp_store_years(s, &years, &n), 0);
	cr_assert_eq(n, 0);
	free(years);
	make_tally(&t, 70);
	make_sub(&a, "0301", 2024, 1, 70);
	apply_ok(s, &a, &t, NULL, 0);
	make_sub(&a, "0301", 2021, 1, 71);
	a.dry_run = true;
	apply_ok(s, &a, NULL, NULL, 0);
	cr_assert_eq(bp_store_reject(s, "1103", 2022, "x.bpx", "bad signature"), 0);
	cr_assert_eq(bp_store_reject(s, "1103", 2022, "y.bpx", "stale"), 0);
	cr_assert_eq(bp_store_reject(s, "", 0, "z.bpx", "cannot open"), 0);
	cr_assert_eq(bp_store_reject(s, "1103", 2024, "w.bpx", "invalid export"), 0);
	/* recorded again after a crash of the daemon: still one record */
	cr_assert_eq(bp_store_reject(s, "1103", 2022, "y.bpx", "stale"), 0);

	cr_assert_eq(bp_store_years(s, &years, &n), 0);
	cr_assert_eq(n, 3);
	cr_assert_eq(years[0], 2021);
	cr_assert_eq(years[1], 2022);
	cr_assert_eq(years[2], 2024);
	free(years);
	cr_assert_eq(bp_store_count_rejected(s, 2022, &c), 0);
	cr_assert_eq(c, 2);
	cr_assert_eq(bp_store_count_rejected(s, 0, &c), 0);
	cr_assert_eq(c, 1);
	cr_assert_eq(bp_store_count_rejected(s, 2024, &c), 0);
	cr_assert_eq(c, 1);
	cr_assert_eq(bp_store_count_rejected(s, 2023, &c), 0);
	cr_assert_eq(c, 0);
	cr_assert_eq(count_sql("SELECT count(*) FROM rejection WHERE kommune = '' AND year = 0 "
	    "AND file = 'z.bpx' AND reason = 'cannot open' AND at > 1600000000"), 1);
	bp_tally_free(&t);
	bp_store_close(s);
}

Test(store, clear_empties_everything)
{
	bp_store *s = open_store();
	struct bp_submission a;
	struct bp_tally t;
	uint8_t *p = make_pseud(0, 3);
	int *years = NULL;
	size_t n = 9;

	make_tally(&t, 80);
	make_sub(&a, "0301", 2024, 1, 80);
	apply_ok(s, &a, &t, p, 3);
	cr_assert_eq(bp_store_reject(s, "", 0, "z.bpx", "cannot open"), 0);
	cr_assert_eq(bp_store_clear(s), 0);
	cr_assert_eq(count_sql("SELECT (SELECT count(*) FROM ledger) + (SELECT count(*) FROM tally)"
	    " + (SELECT count(*) FROM pseudonym) + (SELECT count(*) FROM rejection)"), 0);
	cr_assert_eq(bp_store_years(s, &years, &n), 0);
	cr_assert_eq(n, 0);
	free(years);
	cr_assert_eq(judge(s, &a), BP_STORE_NEW);
	apply_ok(s, &a, &t, p, 3); /* the schema stays usable */
	bp_tally_free(&t);
	free(p);
	bp_store_close(s);
}

Test(store, clear_counts_keeps_rejections)
{
	bp_store *s = open_store();
	struct bp_submission a;
	struct bp_tally t;
	uint8_t *p = make_pseud(0, 3);
	uint64_t c = 9;

	make_tally(&t, 81);
	make_sub(&a, "0301", 2024, 1, 81);
	apply_ok(s, &a, &t, p, 3);
	cr_assert_eq(bp_store_reject(s, "0301", 2024, "y.bpx", "stale"), 0);
	cr_assert_eq(bp_store_reject(s, "", 0, "z.bpx", "cannot open"), 0);
	cr_assert_eq(bp_store_clear_counts(s), 0);
	cr_assert_eq(count_sql("SELECT (SELECT count(*) FROM ledger) + (SELECT count(*) FROM tally)"
	    " + (SELECT count(*) FROM pseudonym)"), 0);
	cr_assert_eq(count_sql("SELECT count(*) FROM rejection"), 2);
	cr_assert_eq(bp_store_count_rejected(s, 2024, &c), 0);
	cr_assert_eq(c, 1);
	cr_assert_eq(judge(s, &a), BP_STORE_NEW);
	apply_ok(s, &a, &t, p, 3);
	bp_tally_free(&t);
	free(p);
	bp_store_close(s);
}

static int
ledger_uploads(const struct bp_submission *sub, int latest, void *ud)
{
	char *out = ud;
	size_t l = strlen(out);

	snprintf(out + l, 256 - l, "%s%s:%d;", sub->upload[0] ? sub->upload : "-",
	    sub->dry_run ? "/dry" : "", latest);
	return 0;
}

static int
latest_upload(const struct bp_submission *sub, void *ud)
{
	snprintf(ud, BP_UPLOAD_TAG_MAX, "%s", sub->upload);
	return 0;
}

/* The received time and the upload that carried a submission come back
 * as recorded; an upload not known is "" (NULL in the ledger). */
Test(store, find_received)
{
	bp_store *s = open_store();
	struct bp_submission a, d, u;
	struct bp_tally t;
	int64_t when = 0;
	char tag[BP_UPLOAD_TAG_MAX] = "junk", all[256] = "";

	make_tally(&t, 82);
	make_sub(&a, "0301", 2024, 1, 82);
	a.received = 1650000001;
	snprintf(a.upload, sizeof(a.upload), "1650000001-0123456789abcdef");
	make_sub(&d, "0301", 2024, 2, 83);
	d.dry_run = true;
	d.received = 1650000002;
	make_sub(&u, "0301", 2024, 3, 84);
	apply_ok(s, &a, &t, NULL, 0);
	apply_ok(s, &d, NULL, NULL, 0);
	cr_assert_eq(bp_store_find_received(s, "0301", a.id, &when, tag), 1);
	cr_assert_eq(when, 1650000001);
	cr_assert_str_eq(tag, "1650000001-0123456789abcdef");
	cr_assert_eq(bp_store_find_received(s, "0301", d.id, &when, tag), 1);
	cr_assert_eq(when, 1650000002);
	cr_assert_str_eq(tag, "");
	cr_assert_eq(count_sql("SELECT count(*) FROM ledger WHERE upload IS NULL"), 1);
	cr_assert_eq(bp_store_find_received(s, "0301", a.id, &when, NULL), 1);
	cr_assert_eq(bp_store_find_received(s, "0301", u.id, &when, tag), 0);
	cr_assert_eq(bp_store_find_received(s, "0302", a.id, &when, tag), 0);
	cr_assert_eq(bp_store_find_received(s, "x", a.id, &when, tag), -1);
	/* the ledger's listings (bpagg store copy, rebuild) carry it too */
	cr_assert_eq(bp_store_foreach_ledger(s, ledger_uploads, all), 0);
	cr_assert_str_eq(all, "1650000001-0123456789abcdef:1;-/dry:0;");
	tag[0] = '\0';
	cr_assert_eq(bp_store_foreach_latest(s, 2024, latest_upload, tag), 0);
	cr_assert_str_eq(tag, "1650000001-0123456789abcdef");
	bp_tally_free(&t);
	bp_store_close(s);
}

/* bp_store_begin .. commit/rollback: nothing is visible to another
 * connection before the commit, a rollback undoes a clear and applies, and
 * a failed apply inside it undoes only itself. */
Test(store, transaction_over_several_applies)
{
	bp_store *s = open_store();
	struct bp_submission a1, a2, b1;
	struct bp_tally t1, t2, tb;
	uint8_t *p = make_pseud(0, 4);
	char err[256] = "";
	int64_t when = 0;

	make_tally(&t1, 90);
	make_tally(&t2, 91);
	make_tally(&tb, 92);
	make_sub(&a1, "0301", 2024, 1, 90);
	make_sub(&a2, "0301", 2024, 2, 91);
	make_sub(&b1, "0302", 2024, 1, 92);
	apply_ok(s, &a1, &t1, p, 4);
#ifdef BP_TEST_PG
	exec_sql(BOOM("INSERT ON tally", "WHEN (NEW.kommune = '0302')"));
#else
	exec_sql(BOOM("BEFORE INSERT ON tally", "WHEN NEW.kommune = '0302'"));
#endif

	cr_assert_eq(bp_store_commit(s), -1, "commit without begin");
	cr_assert_eq(bp_store_begin(s), 0);
	cr_assert_eq(bp_store_begin(s), -1, "no nested begin");
	cr_assert_eq(bp_store_clear_counts(s), 0);
	cr_assert_eq(bp_store_find_received(s, "0301", a1.id, &when, NULL), 0);
	apply_ok(s, &a2, &t2, p, 2);
	cr_assert_eq(count_sql("SELECT count(*) FROM ledger WHERE sequence = 1"), 1,
	    "not visible before the commit");
	bp_store_rollback(s);
	cr_assert_eq(bp_store_find_received(s, "0301", a1.id, &when, NULL), 1);
	cr_assert_eq(judge(s, &a2), BP_STORE_NEW, "rolled back");
	cr_assert_eq(count_sql("SELECT count(*) FROM pseudonym"), 4);

	cr_assert_eq(bp_store_begin(s), 0);
	cr_assert_eq(bp_store_clear_counts(s), 0);
	apply_ok(s, &a2, &t2, p, 2);
	cr_assert_eq(bp_store_apply(s, &b1, &tb, p, 1, cat_id, err, sizeof(err)), -1);
	cr_assert_eq(judge(s, &b1), BP_STORE_NEW, "the failed apply left no trace");
	cr_assert_eq(judge(s, &a2), BP_STORE_ALREADY_APPLIED, "the one before it stays");
	cr_assert_eq(bp_store_commit(s), 0);
	cr_assert_eq(count_sql("SELECT count(*) FROM ledger"), 1);
	cr_assert_eq(count_sql("SELECT count(*) FROM ledger WHERE sequence = 2"), 1);
	cr_assert_eq(count_sql("SELECT count(*) FROM pseudonym"), 2);
	struct got g = { 0 };
	cr_assert_eq(bp_store_foreach_tally(s, 2024, cat_id, collect, &g), 0);
	cr_assert_eq(g.n, 1);
	cr_assert(bp_tally_equal(&g.t[0], &t2));
	/* Outside a transaction apply commits on its own again. */
	exec_sql(DROP_BOOM("tally"));
	apply_ok(s, &b1, &tb, p, 1);
	cr_assert_eq(count_sql("SELECT count(*) FROM ledger"), 2);
	got_free(&g);
	bp_tally_free(&t1);
	bp_tally_free(&t2);
	bp_tally_free(&tb);
	free(p);
	bp_store_close(s);
}

/* Fills a store with a few tallies, pseudonyms and a rejection. */
Test(store, tally_blob_is_little_endian)
{
	bp_store *s = open_store();
	struct bp_submission a;
	struct bp_tally t;

	cr_assert_eq(bp_tally_init(&t), 0);
	t.rows = 1;
	t.counts[0] = 0x01020304;
	t.sum[0] = 0x0102030405060708ull;
	make_sub(&a, "0301", 2024, 1, 90);
	apply_ok(s, &a, &t, NULL, 0);
	cr_assert_eq(count_sql("SELECT count(*) FROM tally WHERE substr(counts, 1, 4) = " BLOB("04030201")
	    " AND substr(sums, 1, 8) = " BLOB("0807060504030201")), 1);
	char sql[256];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM tally WHERE length(counts) = %zu AND "
	    "length(sum_n) = %zu AND ncells = %zu", 4 * bp_n_cells(), 4 * bp_n_sum_cells(),
	    bp_n_cells());
	cr_assert_eq(count_sql(sql), 1);
	bp_tally_free(&t);
	bp_store_close(s);
}

struct writer {
	bp_store *other;
	const struct bp_tally *t;
	int applied;
};

/* Writes through a second handle while the first is reading (WAL). */
static int
write_meanwhile(const char *kommune, const struct bp_tally *t, void *ud)
{
	struct writer *w = ud;
	struct bp_submission b;

	if (w->applied++)
		return 0;
	make_sub(&b, "1101", 2024, 1, 96);
	apply_ok(w->other, &b, w->t, NULL, 0);
	return 0;
}

Test(store, reader_does_not_block_writer)
{
	bp_store *s = open_store(), *s2 = open_store();
	struct bp_submission a;
	struct bp_tally t;
	struct writer w = { .other = s2 };

	make_tally(&t, 95);
	w.t = &t;
	make_sub(&a, "0301", 2024, 1, 95);
	apply_ok(s, &a, &t, NULL, 0);
	make_sub(&a, "4601", 2024, 1, 97);
	apply_ok(s, &a, &t, NULL, 0);
	cr_assert_eq(bp_store_foreach_tally(s, 2024, cat_id, write_meanwhile, &w), 0);
	cr_assert_eq(w.applied, 2, "the reader saw its own snapshot: two tallies");
	cr_assert_eq(count_sql("SELECT count(*) FROM tally"), 3);
	struct latest l = { 0 };
	cr_assert_eq(bp_store_foreach_latest(s, 2024, collect_latest, &l), 0);
	cr_assert_eq(l.n, 3, "and sees the new one afterwards");
	bp_tally_free(&t);
	bp_store_close(s2);
	bp_store_close(s);
}
