/*
 * test_store_session.c - what a session on the store brings: the schema
 * brought up to date when a store left at an earlier version (here 4,
 * before rejections were indexed by file and the ledger named the upload
 * of each submission) is opened, its rows kept; and the
 * locks a writer holds and how long it waits for another's ([store]
 * lock_timeout); on both backends like test_store.c.
 */
#include "store_test_util.h"

TestSuite(store, .init = setup, .fini = teardown);

#ifdef BP_TEST_PG
#define HAS_FILE_INDEX "SELECT count(*) FROM pg_indexes WHERE " \
	"schemaname = current_schema() AND indexname = 'rejection_by_file'"
#else
#define HAS_FILE_INDEX "SELECT count(*) FROM sqlite_master WHERE " \
	"type = 'index' AND name = 'rejection_by_file'"
#endif

Test(store, version_4_store_gets_the_rejection_index_and_upload_column)
{
	bp_store *s = open_store();
	struct bp_submission a;
	struct bp_tally t;
	char tag[BP_UPLOAD_TAG_MAX] = "junk";
	int64_t when = 0;

	cr_assert_eq(bp_store_schema_version(), 6);
	cr_assert_eq(count_sql(HAS_FILE_INDEX), 1, "a new store has it");
	make_tally(&t, 40);
	make_sub(&a, "0301", 2024, 1, 40);
	apply_ok(s, &a, &t, NULL, 0);
	cr_assert_eq(bp_store_reject(s, "0301", 2024, "x.bpx", "refused: test"), 0);
	bp_store_close(s);

	/* Back to version 4, as an older bpagg left it. */
	exec_sql("DROP INDEX rejection_by_file");
	exec_sql("ALTER TABLE ledger DROP COLUMN upload");
	exec_sql("UPDATE schema_version SET version = 4");
	cr_assert_eq(count_sql(HAS_FILE_INDEX), 0);

	s = open_store();
	cr_assert_eq(bp_store_version(s), 6, "migrated on open");
	cr_assert_eq(count_sql("SELECT max(version) FROM schema_version"), 6);
	cr_assert_eq(count_sql(HAS_FILE_INDEX), 1);
	/* the row from before names no upload */
	cr_assert_eq(bp_store_find_received(s, "0301", a.id, &when, tag), 1);
	cr_assert_eq(when, a.received);
	cr_assert_str_eq(tag, "");
	cr_assert_eq(count_sql("SELECT count(*) FROM rejection"), 1, "its rows kept");
	cr_assert_eq(judge(s, &a), BP_STORE_ALREADY_APPLIED);
	/* Still recorded once per file. */
	cr_assert_eq(bp_store_reject(s, "0301", 2024, "x.bpx", "refused: again"), 0);
	cr_assert_eq(count_sql("SELECT count(*) FROM rejection"), 1);
	bp_tally_free(&t);
	bp_store_close(s);
}

/* Loads a bpagg.conf of dir holding lines; lock_timeout is what it says. */
static unsigned
lock_timeout_of(const char *lines)
{
	struct bp_config c;
	char p[320], err[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/lock.conf", dir);
	cr_assert_not_null(f = fopen(p, "w"));
	fputs(lines, f);
	fclose(f);
	cr_assert_eq(bp_config_load(p, &c, err, sizeof(err)), 0, "%s", err);
	unsigned v = c.store_lock_timeout;
	bp_config_free(&c);
	return v;
}

/* bp_store_begin_submission: a write transaction for one submission's
 * judge and apply. On PostgreSQL it holds only that kommune-year: a second
 * bpaggd applies another kommune-year meanwhile, and gives up on the same
 * one after [store] lock_timeout (here 1 s) instead of waiting for good. */
Test(store, submission_transaction_holds_its_kommune_year, .timeout = 60)
{
	bp_store *s = open_store();
	struct bp_submission a, b, c;
	struct bp_tally t;
	uint8_t *p = make_pseud(0, 2);

	cr_assert_eq(lock_timeout_of("[store]\n"), 60, "the default");
	cr_assert_eq(lock_timeout_of("[store]\nlock_timeout = 0\n"), 0, "no limit");
	make_tally(&t, 93);
	make_sub(&a, "0301", 2024, 1, 93);
	make_sub(&b, "1103", 2024, 1, 94);
	make_sub(&c, "0301", 2024, 2, 95);
	cr_assert_eq(bp_store_begin_submission(s, &a), 0);
	cr_assert_eq(bp_store_begin_submission(s, &a), -1, "no nested begin");
	cr_assert_eq(judge(s, &a), BP_STORE_NEW);
	apply_ok(s, &a, &t, p, 2);
	/* Asserted once the first transaction has ended: a failed assertion
	 * inside it would leave the test's schema locked. */
	int other = 0, same = -1;
#ifdef BP_TEST_PG
	struct bp_config c2 = conf;
	char err[256] = "";
	c2.store_lock_timeout = lock_timeout_of("[store]\nlock_timeout = 1\n");
	bp_store *s2 = NULL;
	cr_assert_eq(bp_store_open(&c2, &s2, err, sizeof(err)), 0, "open: %s", err);
	other = bp_store_apply(s2, &b, &t, NULL, 0, cat_id, err, sizeof(err));
	same = bp_store_apply(s2, &c, &t, NULL, 0, cat_id, err, sizeof(err));
	bp_store_close(s2);
#endif
	cr_assert_eq(bp_store_commit(s), 0);
	cr_assert_eq(other, 0, "another kommune-year is applied meanwhile");
	cr_assert_eq(same, -1, "the same kommune-year waits for the first transaction");
	cr_assert_eq(judge(s, &c), BP_STORE_NEW, "and left no trace");
	cr_assert_eq(judge(s, &a), BP_STORE_ALREADY_APPLIED);
	apply_ok(s, &c, &t, NULL, 0);
	cr_assert_eq(count_sql("SELECT count(*) FROM ledger WHERE kommune = '0301'"), 2);
	bp_tally_free(&t);
	free(p);
	bp_store_close(s);
}
