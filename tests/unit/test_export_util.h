/*
 * test_export_util.h - builders of export CSVs and a runner of the reader,
 * shared by the test_export*.c suites. Every person_id made here is valid
 * and synthetic; no helper prints one.
 */
#ifndef BP_TEST_EXPORT_UTIL_H
#define BP_TEST_EXPORT_UTIL_H

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "registry.h"

/* The id for dd.mm.yy and individual number indiv, or false when a control
 * digit would be 10. */
static inline bool
tx_make_id(int dd, int mm, int yy, int indiv, char out[12])
{
	static const int w1[9] = { 3, 7, 6, 1, 8, 9, 4, 5, 2 };
	static const int w2[10] = { 5, 4, 3, 2, 7, 6, 5, 4, 3, 2 };
	int d[10], s = 0;
	char tmp[48];
	snprintf(tmp, sizeof(tmp), "%02d%02d%02d%03d", dd, mm, yy, indiv);
	memcpy(out, tmp, 9);
	for (int i = 0; i < 9; i++)
		s += (d[i] = out[i] - '0') * w1[i];
	int k1 = (11 - s % 11) % 11;
	if (k1 == 10)
		return false;
	d[9] = k1;
	s = 0;
	for (int i = 0; i < 10; i++)
		s += d[i] * w2[i];
	int k2 = (11 - s % 11) % 11;
	if (k2 == 10)
		return false;
	out[9] = (char)('0' + k1);
	out[10] = (char)('0' + k2);
	out[11] = '\0';
	return true;
}

/* The n-th of a sequence of distinct valid fødselsnumre (n < 1 000 000). */
static inline void
tx_pid(unsigned n, char out[12])
{
	int dd = 1 + (int)(n % 28), mm = 1 + (int)(n / 28 % 12);
	int yy = 50 + (int)(n / 336 % 40);
	int base = 100 + 12 * (int)(n / 13440 % 32);
	for (int i = base; i < base + 12; i++)
		if (tx_make_id(dd, mm, yy, i, out))
			return;
	cr_assert_fail("no valid id in a block of 12");
}

struct tx_kv {
	const char *col;
	const char *val; /* NULL: leave the column out of the header */
};

/* A complete valid row (rusproblem J, all areas, all substances). */
static const struct tx_kv tx_base[] = {
	{ "person_id", NULL /* filled with tx_pid */ }, { "kommune", "4601" },
	{ "aar", "2016" }, { "kjonn", "M" }, { "alder", "42" },
	{ "rusproblem", "J" }, { "psykisk_problem", "J" },
	{ "bolig", "gul" }, { "okonomi", "rod" }, { "aktivitet", "rod" },
	{ "fysisk_helse", "gul" }, { "psykisk_helse", "rod" },
	{ "rusmiddelbruk", "rod" }, { "sosial_fungering", "gul" },
	{ "nettverk", "gronn" },
	{ "alkohol", "betydelig" }, { "cannabis", "beskjeden" }, { "heroin", "ingen" },
	{ "sentralstimulerende", "svaert_omfattende" }, { "lar_legemidler", "ingen" },
	{ "andre_legemidler", "ingen" }, { "annet_rusmiddel", "ingen" },
	{ "lar", "N" }, { "injiserer", "J" }, { "antall_barn", "2" },
	{ "vold", "utsatt" }, { "fengsel", "loslatt" }, { "utdanning", "vgs" },
	{ "fodeland", "NO" }, { "psykisk_alvorlighet", "gul" },
	{ "tjenester_kommune", "fastlege|medisinutdeling" },
	{ "tjenester_nav", "sosialhjelp" }, { "tjenester_tsb", "" },
};
#define TX_NBASE (sizeof(tx_base) / sizeof(tx_base[0]))

#define TX_MAXOVER 24
struct tx_case {
	const char *name;
	struct tx_kv over[TX_MAXOVER]; /* col = NULL ends the list */
};

/* The value of col in over, or NULL with *found false. */
static inline const char *
tx_over(const struct tx_kv *over, const char *col, bool *found)
{
	*found = false;
	for (int i = 0; over && i < TX_MAXOVER && over[i].col; i++)
		if (strcmp(over[i].col, col) == 0) {
			*found = true;
			return over[i].val;
		}
	return NULL;
}

/* The columns of a file with overrides: the base ones (less those set to
 * NULL) then the overrides naming other columns. Returns the count. */
static inline size_t
tx_columns(const struct tx_kv *over, const char **cols, size_t max)
{
	size_t n = 0;
	bool f;
	for (size_t i = 0; i < TX_NBASE && n < max; i++) {
		const char *v = tx_over(over, tx_base[i].col, &f);
		if (f && !v)
			continue;
		cols[n++] = tx_base[i].col;
	}
	for (int i = 0; over && i < TX_MAXOVER && over[i].col && n < max; i++) {
		bool in_base = false;
		for (size_t k = 0; k < TX_NBASE; k++)
			in_base |= strcmp(tx_base[k].col, over[i].col) == 0;
		if (!in_base && over[i].val)
			cols[n++] = over[i].col;
	}
	return n;
}

/* 1-based position of col in the file built with over; 0 when absent. */
static inline unsigned
tx_pos(const struct tx_kv *over, const char *col)
{
	const char *cols[64];
	size_t n = tx_columns(over, cols, 64);
	for (size_t i = 0; i < n; i++)
		if (strcmp(cols[i], col) == 0)
			return (unsigned)i + 1;
	return 0;
}

/* Appends to a growing string. */
struct tx_buf {
	char *p;
	size_t n, cap;
};

static inline void
tx_put(struct tx_buf *b, const char *s, size_t len)
{
	if (b->n + len + 1 > b->cap) {
		b->cap = (b->n + len + 1) * 2;
		b->p = realloc(b->p, b->cap);
		cr_assert_not_null(b->p);
	}
	memcpy(b->p + b->n, s, len);
	b->n += len;
	b->p[b->n] = '\0';
}

static inline void
tx_puts(struct tx_buf *b, const char *s)
{
	tx_put(b, s, strlen(s));
}

/* Appends a data row with the columns of the file built with shape: the
 * values of over, else the base values (person number pidn). */
static inline void
tx_row2(struct tx_buf *b, const struct tx_kv *shape, const struct tx_kv *over,
    unsigned pidn, char delim, const char *eol)
{
	const char *cols[64];
	size_t n = tx_columns(shape, cols, 64);
	char pid[12];
	tx_pid(pidn, pid);
	for (size_t i = 0; i < n; i++) {
		bool f;
		const char *v = tx_over(over, cols[i], &f);
		if (!f) {
			for (size_t k = 0; k < TX_NBASE; k++)
				if (strcmp(tx_base[k].col, cols[i]) == 0)
					v = tx_base[k].val;
			if (strcmp(cols[i], "person_id") == 0)
				v = pid;
		}
		if (i)
			tx_put(b, &delim, 1);
		tx_puts(b, v ? v : "");
	}
	tx_puts(b, eol);
}

/* Appends a data row: the base values, person number pidn, overrides. */
static inline void
tx_row(struct tx_buf *b, const struct tx_kv *over, unsigned pidn, char delim,
    const char *eol)
{
	tx_row2(b, over, over, pidn, delim, eol);
}

static inline void
tx_header(struct tx_buf *b, const struct tx_kv *over, char delim, const char *eol)
{
	const char *cols[64];
	size_t n = tx_columns(over, cols, 64);
	for (size_t i = 0; i < n; i++) {
		if (i)
			tx_put(b, &delim, 1);
		tx_puts(b, cols[i]);
	}
	tx_puts(b, eol);
}

/* A file of a header and nrows rows with the same overrides. The caller
 * frees the result. */
static inline char *
tx_file(const struct tx_kv *over, unsigned nrows, char delim)
{
	struct tx_buf b = { 0 };
	tx_header(&b, over, delim, "\n");
	for (unsigned i = 0; i < nrows; i++)
		tx_row(&b, over, i, delim, "\n");
	if (!b.p)
		tx_puts(&b, "");
	return b.p;
}

/* What a run of the reader gave. */
struct tx_result {
	int finish;               /* bp_export_finish */
	int feed;                 /* the first non-zero bp_export_feed, or 0 */
	unsigned long rows;       /* bp_export_rows */
	unsigned long delivered;  /* row callbacks */
	struct bp_diags d;        /* a copy; free with tx_result_free */
	struct bp_row last;       /* the last row delivered */
	int stop_after;           /* the callback stops after this many; 0 = never */
};

static inline int
tx_cb(const struct bp_row *row, void *ud)
{
	struct tx_result *r = ud;
	r->delivered++;
	r->last = *row;
	return r->stop_after && r->delivered >= (unsigned long)r->stop_after;
}

/* Runs the reader over len bytes of data in chunks of chunk bytes. */
static inline void
tx_run_opts(const void *data, size_t len, size_t chunk,
    const struct bp_export_opts *o, struct tx_result *r)
{
	int stop = r->stop_after;
	memset(r, 0, sizeof(*r));
	r->stop_after = stop;
	bp_export *x = bp_export_new(o, tx_cb, r);
	cr_assert_not_null(x);
	const char *p = data;
	for (size_t off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;
		int rc = bp_export_feed(x, p + off, n);
		if (rc && !r->feed)
			r->feed = rc;
	}
	r->finish = bp_export_finish(x);
	r->rows = bp_export_rows(x);
	const struct bp_diags *d = bp_export_diags(x);
	bp_diags_init(&r->d);
	for (size_t i = 0; i < d->n; i++)
		bp_diags_add(&r->d, d->v[i].line, d->v[i].col, d->v[i].column, "%s", d->v[i].msg);
	r->d.total = d->total;
	bp_export_free(x);
	/* No message may ever hold an 11-digit run (a person_id). */
	for (size_t i = 0; i < r->d.n; i++) {
		size_t run = 0;
		for (const char *m = r->d.v[i].msg; *m; m++) {
			run = (*m >= '0' && *m <= '9') ? run + 1 : 0;
			cr_assert_lt(run, 11, "a message holds a long digit run");
		}
	}
}

static inline void
tx_run(const char *data, size_t chunk, struct tx_result *r)
{
	struct bp_export_opts o = { .expect_kommune = "4601", .expect_year = 2016 };
	tx_run_opts(data, strlen(data), chunk, &o, r);
}

static inline void
tx_result_free(struct tx_result *r)
{
	bp_diags_free(&r->d);
	memset(&r->last, 0, sizeof(r->last));
}

/* Asserts that diagnostic i is at line/col in column and holds msg. */
static inline void
tx_expect(const struct tx_result *r, size_t i, unsigned long line, unsigned col,
    const char *column, const char *msg)
{
	cr_assert_lt(i, r->d.n, "expected at least %zu diagnostics, got %zu", i + 1, r->d.n);
	const struct bp_diag *e = &r->d.v[i];
	cr_expect_eq(e->line, line, "diag %zu: line %lu, expected %lu (%s)", i, e->line, line, e->msg);
	cr_expect_eq(e->col, col, "diag %zu: col %u, expected %u (%s)", i, e->col, col, e->msg);
	cr_expect_str_eq(e->column, column, "diag %zu: column '%s', expected '%s'", i, e->column, column);
	cr_expect(strstr(e->msg, msg) != NULL, "diag %zu: message '%s' lacks '%s'", i, e->msg, msg);
}

#endif
