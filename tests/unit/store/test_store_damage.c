/*
 * test_store_damage.c - a damaged store is refused (a changed tally, a
 * truncated file, random bit flips, a broken index) and a connection lost in
 * the middle of an apply writes nothing; on both backends like test_store.c.
 */
#include "store_test_util.h"

TestSuite(store, .init = setup, .fini = teardown);

static void
fill_some(bp_store *s)
{
	struct bp_submission a;
	struct bp_tally t;
	uint8_t *p = make_pseud(0, 200);
	static const char *const k[] = { "0301", "1103", "4601", "5001" };

	for (int i = 0; i < 4; i++) {
		make_tally(&t, 200 + (uint64_t)i);
		make_sub(&a, k[i], 2024, 1, (uint8_t)(200 + i));
		apply_ok(s, &a, &t, p, 200);
		bp_tally_free(&t);
	}
	cr_assert_eq(bp_store_reject(s, "", 0, "x.bpx", "test"), 0);
	free(p);
}

/* A value changed behind the store's back (a flipped bit inside a tally)
 * passes the database's own checks; the tally's checksum catches it. */
Test(store, tampered_tally_refused)
{
	bp_store *s = open_store();
	char err[256] = "";

	fill_some(s);
	cr_assert_eq(bp_store_check(s, 1, err, sizeof(err)), 0, "%s", err);
	bp_store_close(s);
#ifdef BP_TEST_PG
	exec_sql("UPDATE tally SET counts = set_byte(counts, 100, get_byte(counts, 100) # 4) "
	    "WHERE kommune = '1103'");
	s = open_store();
	cr_assert_eq(bp_store_check(s, 1, err, sizeof(err)), -1);
#else
	s = open_store(); /* opened before the damage */
	exec_sql("UPDATE tally SET counts = substr(counts, 1, 100) || x'ee' || "
	    "substr(counts, 102) WHERE kommune = '1103'");
	cr_assert_eq(bp_store_check(s, 0, err, sizeof(err)), -1, "even the quick check");
	bp_store *s2 = NULL;
	char e2[256] = "";
	cr_assert_eq(bp_store_open(&conf, &s2, e2, sizeof(e2)), -1, "every open checks");
	cr_assert_null(s2);
	cr_assert_not_null(strstr(e2, "damaged"), "%s", e2);
#endif
	cr_assert_not_null(strstr(err, "damaged"), "%s", err);
	cr_assert_not_null(strstr(err, "1103"), "%s", err);
	struct got g = { 0 };
	cr_assert_eq(bp_store_foreach_tally(s, 2024, cat_id, collect, &g), -1,
	    "a damaged tally is never read as counts");
	got_free(&g);
	bp_store_close(s);
}

#ifndef BP_TEST_PG
/* A store truncated to nothing is not a new store. */
Test(store, truncated_store_refused)
{
	bp_store *s = open_store();
	char err[256] = "";

	fill_some(s);
	bp_store_close(s);
	cr_assert_eq(truncate(dbpath, 0), 0);
	s = NULL;
	cr_assert_eq(bp_store_open(&conf, &s, err, sizeof(err)), -1);
	cr_assert_null(s);
	cr_assert_not_null(strstr(err, "empty"), "%s", err);
	cr_assert_not_null(strstr(err, "bpagg rebuild"), "%s", err);
	cr_assert_eq(bp_store_open_existing(&conf, &s, err, sizeof(err)), -1);
	struct stat st;
	cr_assert_eq(stat(dbpath, &st), 0);
	cr_assert_eq(st.st_size, 0, "nothing was created in its place");
}

/* Flips n bits at offsets drawn from seed in the file at path. */
static void
flip_bits(const char *path, uint64_t seed, int n)
{
	struct stat st;
	int fd = open(path, O_RDWR);
	uint64_t r = seed;

	cr_assert_geq(fd, 0);
	cr_assert_eq(fstat(fd, &st), 0);
	for (int i = 0; i < n; i++) {
		off_t off = (off_t)(rnd(&r) % (uint64_t)st.st_size);
		uint8_t b;
		cr_assert_eq(pread(fd, &b, 1, off), 1);
		b ^= (uint8_t)(1u << (rnd(&r) % 8));
		cr_assert_eq(pwrite(fd, &b, 1, off), 1);
	}
	close(fd);
}

/* Random bit flips over the whole file (a failing disk): every open that
 * follows refuses the store (quick check: structure and tally checksums),
 * for each of several seeds. */
Test(store, bit_flips_refused)
{
	char err[256], saved[320], cmd[700];

	bp_store *s = open_store();
	fill_some(s);
	bp_store_close(s);
	snprintf(saved, sizeof(saved), "%s/saved.sqlite", dir);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", dbpath, saved);
	cr_assert_eq(system(cmd), 0);
	for (uint64_t seed = 1; seed <= 8; seed++) {
		snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", saved, dbpath);
		cr_assert_eq(system(cmd), 0);
		flip_bits(dbpath, seed * 977, 40);
		s = NULL;
		err[0] = '\0';
		cr_assert_eq(bp_store_open(&conf, &s, err, sizeof(err)), -1, "seed %d",
		    (int)seed);
		cr_assert_null(s);
		cr_assert_neq(err[0], '\0');
	}
}

/* The thorough check finds what the quick one may not: an index that no
 * longer matches its table. */
Test(store, full_check_finds_a_broken_index)
{
	bp_store *s = open_store();
	char err[256] = "";

	fill_some(s);
	cr_assert_eq(bp_store_check(s, 1, err, sizeof(err)), 0, "%s", err);
	bp_store_close(s);
	/* writable_schema: break the index behind SQLite's back */
	exec_sql("PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = "
	    "'CREATE INDEX ledger_by_year ON ledger (kommune, year)' WHERE name = 'ledger_by_year'");
	s = open_store();
	cr_assert_eq(bp_store_check(s, 1, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "damaged"), "%s", err);
	bp_store_close(s);
	/* what publish and audit open the store with */
	s = NULL;
	err[0] = '\0';
	cr_assert_eq(bp_store_open_verified(&conf, &s, err, sizeof(err)), -1);
	cr_assert_null(s);
	cr_assert_not_null(strstr(err, "damaged"), "%s", err);
}
#endif

#ifdef BP_TEST_PG
/* The server ends the session in the middle of an apply (a trigger that
 * terminates its own backend): nothing of it is written, and the next
 * apply reconnects (after the back-off) and works. */
Test(store, connection_lost_mid_apply)
{
	bp_store *s = open_store();
	struct bp_submission a1, a2;
	struct bp_tally t;
	uint8_t *p = make_pseud(0, 5);
	char err[256] = "";

	make_tally(&t, 300);
	make_sub(&a1, "0301", 2024, 1, 30);
	make_sub(&a2, "0301", 2024, 2, 31);
	apply_ok(s, &a1, &t, p, 5);
	exec_sql("CREATE FUNCTION die() RETURNS trigger LANGUAGE plpgsql AS "
	    "$$BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END$$; "
	    "CREATE TRIGGER die BEFORE UPDATE ON tally FOR EACH ROW EXECUTE FUNCTION die()");
	cr_assert_eq(bp_store_apply(s, &a2, &t, p, 3, cat_id, err, sizeof(err)), -1);
	cr_assert_eq(count_sql("SELECT count(*) FROM ledger"), 1, "nothing of it written");
	cr_assert_eq(count_sql("SELECT count(*) FROM pseudonym"), 5);
	exec_sql("DROP TRIGGER die ON tally");
	/* Right after the loss the back-off may refuse; then it reconnects. */
	int r = -1;
	for (int i = 0; i < 40 && r < 0; i++) {
		r = bp_store_apply(s, &a2, &t, p, 3, cat_id, err, sizeof(err));
		if (r < 0)
			usleep(100000);
	}
	cr_assert_eq(r, 0, "apply after reconnecting: %s", err);
	cr_assert_eq(count_sql("SELECT count(*) FROM ledger"), 2);
	cr_assert_eq(count_sql("SELECT count(*) FROM pseudonym"), 3);
	bp_tally_free(&t);
	free(p);
	bp_store_close(s);
}
#endif
