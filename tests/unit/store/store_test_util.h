/*
 * store_test_util.h - what the store's tests share (test_store.c,
 * test_store_damage.c, test_status.c): a store under test (store_db.h) in a
 * temporary directory, deterministic tallies, submissions and pseudonyms,
 * and collectors for the foreach calls. Included by one file per program.
 */
#ifndef BP_TEST_STORE_UTIL_H
#define BP_TEST_STORE_UTIL_H
#include <criterion/criterion.h>

/* Each test file uses some of the helpers below. */
#pragma GCC diagnostic ignored "-Wunused-function"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf.h"
#include "measures.h"
#include "store.h"
#include "store_db.h"
#include "store_schema.h"

static char dir[256];
static struct bp_config conf;
static uint8_t cat_id[32];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "%s/bpstore.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	cr_assert_not_null(mkdtemp(dir));
	memset(&conf, 0, sizeof(conf));
	db_setup(&conf, dir);
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
	db_teardown();
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

/* The store's verdict on sub (asserting the call works). */
static enum bp_store_verdict
judge(bp_store *s, const struct bp_submission *sub)
{
	enum bp_store_verdict v = (enum bp_store_verdict)-1;
	cr_assert_eq(bp_store_judge(s, sub, &v), 0);
	return v;
}

#endif
