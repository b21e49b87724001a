/*
 * test_store_schema.c - moving a store to the schema this program writes:
 * a store left at an earlier version (here version 4, before rejections
 * were indexed by file) is brought up to date when opened, its rows kept;
 * on both backends like test_store.c.
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

Test(store, version_4_store_gets_the_rejection_index)
{
	bp_store *s = open_store();
	struct bp_submission a;
	struct bp_tally t;

	cr_assert_eq(bp_store_schema_version(), 5);
	cr_assert_eq(count_sql(HAS_FILE_INDEX), 1, "a new store has it");
	make_tally(&t, 40);
	make_sub(&a, "0301", 2024, 1, 40);
	apply_ok(s, &a, &t, NULL, 0);
	cr_assert_eq(bp_store_reject(s, "0301", 2024, "x.bpx", "refused: test"), 0);
	bp_store_close(s);

	/* Back to version 4, as an older bpagg left it. */
	exec_sql("DROP INDEX rejection_by_file");
	exec_sql("UPDATE schema_version SET version = 4");
	cr_assert_eq(count_sql(HAS_FILE_INDEX), 0);

	s = open_store();
	cr_assert_eq(bp_store_version(s), 5, "migrated on open");
	cr_assert_eq(count_sql("SELECT max(version) FROM schema_version"), 5);
	cr_assert_eq(count_sql(HAS_FILE_INDEX), 1);
	cr_assert_eq(count_sql("SELECT count(*) FROM rejection"), 1, "its rows kept");
	cr_assert_eq(judge(s, &a), BP_STORE_ALREADY_APPLIED);
	/* Still recorded once per file. */
	cr_assert_eq(bp_store_reject(s, "0301", 2024, "x.bpx", "refused: again"), 0);
	cr_assert_eq(count_sql("SELECT count(*) FROM rejection"), 1);
	bp_tally_free(&t);
	bp_store_close(s);
}
