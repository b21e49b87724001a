/*
 * test_store.c - the national aggregate store on real SQLite files in a
 * temporary directory, and `bpagg status` run on a store filled here.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "conf.h"
#include "measures.h"
#include "store.h"

static char dir[256];
static char dbpath[300];
static struct bp_config conf;
static uint8_t cat_id[32];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "%s/bpstore.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(dbpath, sizeof(dbpath), "%s/store.sqlite", dir);
	memset(&conf, 0, sizeof(conf));
	conf.store_backend = "sqlite";
	conf.store_path = dbpath;
	struct bp_measure_settings ms;
	bp_measure_settings_default(&ms);
	bp_catalogue_id(&ms, cat_id);
}

static int
rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(p);
}

static void
teardown(void)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A deterministic pseudo-random generator (xorshift64*). */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

/* A tally with varied counts; the caller frees it with bp_tally_free. */
static void
make_tally(struct bp_tally *t, uint64_t seed)
{
	uint64_t s = seed * 7919 + 1;

	cr_assert_eq(bp_tally_init(t), 0);
	t->rows = (uint32_t)(rnd(&s) % 5000) + 1;
	for (size_t i = 0; i < bp_n_cells(); i++)
		t->counts[i] = (rnd(&s) % 3) ? 0 : (uint32_t)(rnd(&s) % 70000);
	for (size_t i = 0; i < bp_n_sum_cells(); i++) {
		t->sum_n[i] = (uint32_t)(rnd(&s) % 5000);
		t->sum[i] = rnd(&s) % (1ull << 40); /* above 32 bits on purpose */
	}
	t->counts[bp_n_cells() - 1] = 0xfffffffful;
}

static void
make_sub(struct bp_submission *sub, const char *kommune, int year, uint64_t seq, uint8_t tag)
{
	memset(sub, 0, sizeof(*sub));
	memcpy(sub->kommune, kommune, 5);
	sub->year = year;
	memset(sub->id, tag, sizeof(sub->id));
	sub->id[0] = (uint8_t)seq;
	sub->sequence = seq;
	memset(sub->digest, tag ^ 0x5a, sizeof(sub->digest));
	sub->rows = 100 + tag;
	sub->received = 1700000000 + (int64_t)seq;
	snprintf(sub->archived, sizeof(sub->archived), "%d/%s/sub-%u.bpx", year, kommune, tag);
}

/* npseud pseudonyms numbered from first (16 bytes each); caller frees. */
static uint8_t *
make_pseud(unsigned first, size_t n)
{
	uint8_t *p = calloc(n ? n : 1, 16);
	cr_assert_not_null(p);
	for (size_t i = 0; i < n; i++) {
		unsigned v = first + (unsigned)i;
		memset(p + 16 * i, 0xa5, 16);
		memcpy(p + 16 * i, &v, sizeof(v));
	}
	return p;
}

static bp_store *
open_store(void)
{
	bp_store *s = NULL;
	char err[256];
	int r = bp_store_open(&conf, &s, err, sizeof(err));
	cr_assert_eq(r, 0, "open: %s", err);
	cr_assert_not_null(s);
	return s;
}

static void
apply_ok(bp_store *s, const struct bp_submission *sub, const struct bp_tally *t,
    const uint8_t *ps, size_t n)
{
	char err[256] = "";
	int r = bp_store_apply(s, sub, t, ps, n, cat_id, err, sizeof(err));
	cr_assert_eq(r, 0, "apply: %s", err);
}

/* SELECT count(*) on a second connection to the same file. */
static long long
count_sql(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long n = -1;

	cr_assert_eq(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void
exec_sql(const char *sql)
{
	sqlite3 *db;
	cr_assert_eq(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	sqlite3_close(db);
}

/* foreach_tally collector: keeps copies of up to 8 tallies. */
struct got {
	char kommune[8][5];
	struct bp_tally t[8];
	size_t n;
};

static int
collect(const char *kommune, const struct bp_tally *t, void *ud)
{
	struct got *g = ud;
	cr_assert_lt(g->n, 8);
	memcpy(g->kommune[g->n], kommune, 5);
	cr_assert_eq(bp_tally_init(&g->t[g->n]), 0);
	bp_tally_add(&g->t[g->n], t);
	g->t[g->n].rows = t->rows;
	g->n++;
	return 0;
}

static void
got_free(struct got *g)
{
	for (size_t i = 0; i < g->n; i++)
		bp_tally_free(&g->t[i]);
}

struct latest {
	struct bp_submission sub[8];
	size_t n;
};

static int
collect_latest(const struct bp_submission *sub, void *ud)
{
	struct latest *l = ud;
	cr_assert_lt(l->n, 8);
	l->sub[l->n++] = *sub;
	return 0;
}

TestSuite(store, .init = setup, .fini = teardown);

Test(store, schema_created_0600_wal)
{
	umask(022);
	bp_store *s = open_store();
	struct stat st;

	cr_assert_eq(lstat(dbpath, &st), 0);
	cr_assert(S_ISREG(st.st_mode));
	cr_assert_eq(st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);
	cr_assert_eq(count_sql("SELECT max(version) FROM schema_version"), 3);
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
	bp_store_close(s);
}

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

Test(store, open_existing_does_not_create)
{
	bp_store *s = NULL;
	char err[256] = "";
	cr_assert_eq(bp_store_open_existing(&conf, &s, err, sizeof(err)), 1);
	cr_assert_null(s);
	cr_assert_eq(access(dbpath, F_OK), -1);
	bp_store_close(open_store());
	cr_assert_eq(bp_store_open_existing(&conf, &s, err, sizeof(err)), 0, "%s", err);
	cr_assert_not_null(s);
	bp_store_close(s);
}

Test(store, postgresql_not_built)
{
	struct bp_config c = conf;
	char err[256] = "";
	bp_store *s = NULL;
	c.store_backend = "postgresql";
	cr_assert_eq(bp_store_check_config(&c, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "not built in this version"), "%s", err);
	cr_assert_eq(bp_store_open(&c, &s, err, sizeof(err)), -1);
	cr_assert_null(s);
	cr_assert_eq(access(dbpath, F_OK), -1);
	c.store_backend = "sqlite";
	cr_assert_eq(bp_store_check_config(&c, err, sizeof(err)), 0);
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

static enum bp_store_verdict
judge(bp_store *s, const struct bp_submission *sub)
{
	enum bp_store_verdict v = (enum bp_store_verdict)-1;
	cr_assert_eq(bp_store_judge(s, sub, &v), 0);
	return v;
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
failing_apply(const char *trigger)
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
	    "x'f4010000a5a5a5a5a5a5a5a5a5a5a5a5'"), 0);
	cr_assert_eq(judge(s, &a2), BP_STORE_NEW, "the failed submission left no trace");

	/* The handle is usable afterwards. */
	exec_sql("DROP TRIGGER boom");
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
	failing_apply("CREATE TRIGGER boom BEFORE INSERT ON pseudonym "
	    "WHEN substr(NEW.pseudonym, 1, 1) = x'fc' "
	    "AND (SELECT count(*) FROM pseudonym WHERE kommune = NEW.kommune) = 8 "
	    "BEGIN SELECT RAISE(ABORT, 'forced'); END");
}

Test(store, failure_at_tally_changes_nothing)
{
	failing_apply("CREATE TRIGGER boom BEFORE UPDATE ON tally "
	    "BEGIN SELECT RAISE(ABORT, 'forced'); END");
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

Test(store, find_received)
{
	bp_store *s = open_store();
	struct bp_submission a, d, u;
	struct bp_tally t;
	int64_t when = 0;

	make_tally(&t, 82);
	make_sub(&a, "0301", 2024, 1, 82);
	a.received = 1650000001;
	make_sub(&d, "0301", 2024, 2, 83);
	d.dry_run = true;
	d.received = 1650000002;
	make_sub(&u, "0301", 2024, 3, 84);
	apply_ok(s, &a, &t, NULL, 0);
	apply_ok(s, &d, NULL, NULL, 0);
	cr_assert_eq(bp_store_find_received(s, "0301", a.id, &when), 1);
	cr_assert_eq(when, 1650000001);
	cr_assert_eq(bp_store_find_received(s, "0301", d.id, &when), 1);
	cr_assert_eq(when, 1650000002);
	cr_assert_eq(bp_store_find_received(s, "0301", u.id, &when), 0);
	cr_assert_eq(bp_store_find_received(s, "0302", a.id, &when), 0);
	cr_assert_eq(bp_store_find_received(s, "x", a.id, &when), -1);
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
	exec_sql("CREATE TRIGGER boom BEFORE INSERT ON tally WHEN NEW.kommune = '0302' "
	    "BEGIN SELECT RAISE(ABORT, 'forced'); END");

	cr_assert_eq(bp_store_commit(s), -1, "commit without begin");
	cr_assert_eq(bp_store_begin(s), 0);
	cr_assert_eq(bp_store_begin(s), -1, "no nested begin");
	cr_assert_eq(bp_store_clear_counts(s), 0);
	cr_assert_eq(bp_store_find_received(s, "0301", a1.id, &when), 0);
	apply_ok(s, &a2, &t2, p, 2);
	cr_assert_eq(count_sql("SELECT count(*) FROM ledger WHERE sequence = 1"), 1,
	    "not visible before the commit");
	bp_store_rollback(s);
	cr_assert_eq(bp_store_find_received(s, "0301", a1.id, &when), 1);
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
	exec_sql("DROP TRIGGER boom");
	apply_ok(s, &b1, &tb, p, 1);
	cr_assert_eq(count_sql("SELECT count(*) FROM ledger"), 2);
	got_free(&g);
	bp_tally_free(&t1);
	bp_tally_free(&t2);
	bp_tally_free(&tb);
	free(p);
	bp_store_close(s);
}

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
	cr_assert_eq(count_sql("SELECT count(*) FROM tally WHERE substr(counts, 1, 4) = x'04030201' "
	    "AND substr(sums, 1, 8) = x'0807060504030201'"), 1);
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
	cr_assert_eq(mkdir(p, 0700), 0);
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
	    "\"sequence\": 1, "), "%s", out);
	cr_assert_not_null(strstr(out,
	    "{\"year\": 2024, \"kommuner_reported\": 2, \"kommuner_total\": 357, \"rows\": 1234, "
	    "\"rejected\": 1, \"waiting\": 2, \"multi_kommune_persons\": 2, \"other_catalogue\": 0, \"kommuner\": ["
	    "{\"kommune\": \"0301\", \"name\": \"Oslo\", \"rows\": 34, \"sequence\": 3, "
	    "\"received\": \"2025-01-01T00:00:00Z\"}, "
	    "{\"kommune\": \"4601\", \"name\": \"Bergen\", \"rows\": 1200, \"sequence\": 7, "
	    "\"received\": \"2025-01-01T12:00:00Z\"}]}"), "%s", out);
	cr_assert_not_null(strstr(out, "\"waiting\": 2, \"rejected_year_unknown\": 1, "
	    "\"store\": true}\n"), "%s", out);
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
	    "\"waiting\": 0, "
	    "\"rejected_year_unknown\": 0, \"store\": false}"), "%s", out);
	free(out);
}

Test(status, postgresql_is_a_configuration_error)
{
	char cmd[512];
	int st;

	write_conf("backend = postgresql\n");
	snprintf(cmd, sizeof(cmd), "bpagg status -c '%s/bpagg.conf' 2>&1", dir);
	char *out = run_cmd(cmd, &st);
	cr_assert(WIFEXITED(st));
	cr_assert_eq(WEXITSTATUS(st), 78, "%s", out);
	cr_assert_not_null(strstr(out, "not built in this version"), "%s", out);
	free(out);
}

Test(status, usage_errors)
{
	int st;
	char *out = run_cmd("bpagg status 2>&1", &st);
	cr_assert_eq(WEXITSTATUS(st), 64, "%s", out);
	free(out);
	out = run_cmd("bpagg status -c /nonexistent/bpagg.conf --year 1800 2>&1", &st);
	cr_assert_eq(WEXITSTATUS(st), 64, "%s", out);
	free(out);
	out = run_cmd("bpagg status -c /nonexistent/bpagg.conf 2>&1", &st);
	cr_assert_eq(WEXITSTATUS(st), 78, "%s", out);
	free(out);
}
