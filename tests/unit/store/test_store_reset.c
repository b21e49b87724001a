/*
 * test_store_reset.c - sequence resets (bpagg reset-sequence): the judge
 * after one, and reading them back and writing them as another store
 * recorded them (bpagg store copy); on both backends like test_store.c.
 */
#include "store_test_util.h"

TestSuite(store, .init = setup, .fini = teardown);

struct resets {
	struct bp_sequence_reset r[8];
	size_t n;
};

static int
collect_reset(const struct bp_sequence_reset *r, void *ud)
{
	struct resets *rs = ud;
	cr_assert_lt(rs->n, 8);
	rs->r[rs->n++] = *r;
	return 0;
}

Test(store, reset_sets_the_latest_sequence_aside)
{
	bp_store *s = open_store();
	struct bp_submission a, b, c;
	struct bp_tally t;
	uint64_t old = 0;

	make_tally(&t, 30);
	cr_assert_eq(bp_store_reset_sequence(s, "0301", 2024, 1000, &old), 0, "nothing to reset");
	make_sub(&a, "0301", 2024, 100, 30);
	apply_ok(s, &a, &t, NULL, 0);
	make_sub(&b, "0301", 2024, 50, 31);
	cr_assert_eq(judge(s, &b), BP_STORE_STALE);
	cr_assert_eq(bp_store_reset_sequence(s, "0301", 2024, 1000, &old), 1);
	cr_assert_eq(old, 100);
	cr_assert_eq(bp_store_reset_sequence(s, "0301", 2024, 1001, &old), 0, "reset twice");
	cr_assert_eq(judge(s, &b), BP_STORE_NEW);
	cr_assert_eq(judge(s, &a), BP_STORE_ALREADY_APPLIED, "the set-aside row stays");
	apply_ok(s, &b, &t, NULL, 0);
	make_sub(&c, "0301", 2024, 40, 32);
	cr_assert_eq(judge(s, &c), BP_STORE_STALE, "judged against b's sequence now");
	c.sequence = 60;
	cr_assert_eq(judge(s, &c), BP_STORE_NEW);
	bp_tally_free(&t);
	bp_store_close(s);
}

Test(store, resets_read_back_and_written_as_recorded)
{
	bp_store *s = open_store();
	struct bp_submission a, b;
	struct bp_sequence_reset r;
	struct resets got = { .n = 0 };
	struct bp_tally t;
	uint64_t old = 0;
	char err[256];

	make_tally(&t, 40);
	make_sub(&a, "4601", 2024, ((uint64_t)1 << 63) + 5, 40); /* all 64 bits */
	make_sub(&b, "5001", 2023, 77, 41);
	apply_ok(s, &a, &t, NULL, 0);
	apply_ok(s, &b, &t, NULL, 0);
	cr_assert_eq(bp_store_reset_sequence(s, "4601", 2024, 1234, &old), 1);
	cr_assert_eq(old, a.sequence);

	/* b's reset as another store recorded it. */
	memset(&r, 0, sizeof(r));
	memcpy(r.kommune, "5001", 5);
	r.year = 2023;
	memcpy(r.id, b.id, 16);
	r.sequence = 77;
	r.at = 555;
	cr_assert_eq(bp_store_put_reset(s, &r, err, sizeof(err)), 0, "%s", err);
	r.id[3] ^= 1;                  /* names no ledger row */
	cr_assert_eq(bp_store_put_reset(s, &r, err, sizeof(err)), -1);
	cr_assert(strstr(err, "names no ledger row"), "%s", err);

	cr_assert_eq(bp_store_foreach_reset(s, collect_reset, &got), 0);
	cr_assert_eq(got.n, 2);
	cr_assert_str_eq(got.r[0].kommune, "4601");
	cr_assert_eq(got.r[0].year, 2024);
	cr_assert_arr_eq(got.r[0].id, a.id, 16);
	cr_assert_eq(got.r[0].sequence, a.sequence);
	cr_assert_eq(got.r[0].at, 1234);
	cr_assert_str_eq(got.r[1].kommune, "5001");
	cr_assert_arr_eq(got.r[1].id, b.id, 16);
	cr_assert_eq(got.r[1].sequence, 77);
	cr_assert_eq(got.r[1].at, 555);

	make_sub(&b, "5001", 2023, 10, 42);
	cr_assert_eq(judge(s, &b), BP_STORE_NEW, "the written reset counts for the judge");
	cr_assert_eq(bp_store_reset_sequence(s, "5001", 2023, 1, &old), 0);
	cr_assert_eq(count_sql("SELECT count(*) FROM sequence_reset"), 2);
	bp_tally_free(&t);
	bp_store_close(s);
}
