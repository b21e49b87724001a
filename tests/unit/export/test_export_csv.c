/*
 * test_export_csv.c - the encoding layer: the RFC 4180 tokenizer (csv.h) on
 * its own, then BOM, CRLF, quoting, both delimiters, chunking, over-long
 * rows, empty lines, the error cap and max_rows through the export reader.
 */
#include "test_export_util.h"

#include "csv.h"

/* ---- the tokenizer ---- */

#define MAXR 16
struct got {
	size_t nrows;
	unsigned long line[MAXR];
	size_t n[MAXR];
	char field[MAXR][8][32];
	enum bp_csv_err err[MAXR];
	unsigned err_field[MAXR];
	bool blank[MAXR];
};

static int
collect(const struct bp_csv_row *r, void *ud)
{
	struct got *g = ud;
	size_t i = g->nrows++;
	cr_assert_lt(i, MAXR);
	g->line[i] = r->line;
	g->n[i] = r->n;
	g->err[i] = r->err;
	g->err_field[i] = r->err_field;
	g->blank[i] = r->blank;
	for (size_t k = 0; k < r->n && k < 8; k++) {
		cr_assert_lt(r->len[k], 32);
		memcpy(g->field[i][k], r->field[k], r->len[k] + 1);
		cr_assert_eq(r->field[k][r->len[k]], '\0');
	}
	return 0;
}

/* Tokenizes s fed in chunks of chunk bytes. */
static void
tokenize(const char *s, char delim, size_t max_row, size_t chunk, struct got *g)
{
	memset(g, 0, sizeof(*g));
	bp_csv *c = bp_csv_new(delim, max_row, collect, g);
	cr_assert_not_null(c);
	size_t len = strlen(s);
	for (size_t off = 0; off < len; off += chunk)
		cr_assert_eq(bp_csv_feed(c, s + off, len - off < chunk ? len - off : chunk), 0);
	cr_assert_eq(bp_csv_finish(c), 0);
	bp_csv_free(c);
}

Test(csv, quoting_and_physical_lines)
{
	const char *s = "a;\"b;c\";\"d\"\"e\";\"f\ng\"\nx;y\r\n\"\";z";
	for (size_t chunk = 1; chunk <= 5; chunk += 4) {
		struct got g;
		tokenize(s, ';', 100, chunk, &g);
		cr_assert_eq(g.nrows, 3);
		cr_expect_eq(g.line[0], 1);
		cr_assert_eq(g.n[0], 4);
		cr_expect_str_eq(g.field[0][0], "a");
		cr_expect_str_eq(g.field[0][1], "b;c");
		cr_expect_str_eq(g.field[0][2], "d\"e");
		cr_expect_str_eq(g.field[0][3], "f\ng");
		cr_expect_eq(g.line[1], 3, "the row after a quoted line break starts on line 3");
		cr_assert_eq(g.n[1], 2);
		cr_expect_str_eq(g.field[1][1], "y", "CRLF is not part of the field");
		cr_expect_eq(g.line[2], 4);
		cr_expect_str_eq(g.field[2][0], "");
		cr_expect_str_eq(g.field[2][1], "z", "the last row needs no line end");
		for (size_t i = 0; i < 3; i++)
			cr_expect_eq(g.err[i], BP_CSV_OK);
	}
}

Test(csv, delimiter_from_the_header)
{
	struct got g;
	tokenize("a,b;c\nd,e;f\n", 0, 100, 3, &g);
	cr_assert_eq(g.nrows, 2);
	cr_expect_eq(g.n[0], 2, "',' came first: ';' is data");
	cr_expect_str_eq(g.field[1][1], "e;f");
	tokenize("a;b,c\n", 0, 100, 100, &g);
	cr_expect_eq(g.n[0], 2);
	cr_expect_str_eq(g.field[0][1], "b,c");
}

Test(csv, bom_is_skipped_and_partial_bom_is_data)
{
	struct got g;
	tokenize("\xef\xbb\xbf" "a;b\n", ';', 100, 1, &g);
	cr_assert_eq(g.nrows, 1);
	cr_expect_str_eq(g.field[0][0], "a");
	tokenize("\xef\xbb" "a;b\n", ';', 100, 1, &g);
	cr_expect_str_eq(g.field[0][0], "\xef\xbb" "a");
}

Test(csv, malformed_quotes_and_carriage_returns)
{
	struct got g;
	tokenize("ab\"c;d\n\"ab\"c;d\nx;\"open\n", ';', 100, 2, &g);
	cr_assert_eq(g.nrows, 3);
	cr_expect_eq(g.err[0], BP_CSV_BAD_QUOTE);
	cr_expect_eq(g.err_field[0], 1);
	cr_expect_eq(g.err[1], BP_CSV_AFTER_QUOTE);
	cr_expect_eq(g.err_field[1], 1);
	cr_expect_eq(g.line[2], 3);
	cr_expect_eq(g.err[2], BP_CSV_UNTERMINATED);
	cr_expect_eq(g.err_field[2], 2);
	tokenize("a;b\rc\nd\n", ';', 100, 1, &g);
	cr_assert_eq(g.nrows, 2);
	cr_expect_eq(g.err[0], BP_CSV_BAD_CR);
	cr_expect_eq(g.err_field[0], 2);
	cr_expect_eq(g.err[1], BP_CSV_OK);
}

Test(csv, too_long_row_skips_to_the_next_line)
{
	struct got g;
	/* 10 bytes allowed. Row 2 overflows inside a quoted field, before its
	 * line break: the skip ends at that physical line, and line 3 is read
	 * as a row of its own (with a stray quote). Passing the cap inside
	 * quotes is a quote not closed (OPEN_QUOTE), not merely a long row. */
	tokenize("abc;defghi\n\"abcdefghijkl\nmn\";x\nok;1\n", ';', 10, 1, &g);
	cr_assert_eq(g.nrows, 4);
	cr_expect_eq(g.err[0], BP_CSV_OK, "exactly max_row bytes are fine");
	cr_expect_eq(g.err[1], BP_CSV_OPEN_QUOTE);
	cr_expect_eq(g.line[1], 2);
	cr_expect_eq(g.n[1], 0);
	cr_expect_eq(g.line[2], 3);
	cr_expect_eq(g.err[2], BP_CSV_BAD_QUOTE);
	cr_expect_eq(g.line[3], 4);
	cr_expect_eq(g.err[3], BP_CSV_OK);
	cr_expect_str_eq(g.field[3][0], "ok");
	/* The quoted line break is itself the byte past the cap. */
	tokenize("\"abcd\nx\"\nok\n", ';', 5, 1, &g);
	cr_assert_eq(g.nrows, 3);
	cr_expect_eq(g.err[0], BP_CSV_OPEN_QUOTE);
	cr_expect_eq(g.line[1], 2);
	cr_expect_eq(g.err[1], BP_CSV_BAD_QUOTE);
	cr_expect_eq(g.line[2], 3);
	cr_expect_str_eq(g.field[2][0], "ok");
	/* Overflow outside quotes: the rest of the line is skipped. */
	tokenize("a\n0123456789ABC;x\nb\n", ';', 10, 4, &g);
	cr_assert_eq(g.nrows, 3);
	cr_expect_eq(g.err[1], BP_CSV_TOO_LONG);
	cr_expect_eq(g.line[2], 3);
	cr_expect_str_eq(g.field[2][0], "b");
}

Test(csv, blank_lines)
{
	struct got g;
	tokenize("a\n\n\r\nb\n", ';', 10, 1, &g);
	cr_assert_eq(g.nrows, 4);
	cr_expect(!g.blank[0] && g.blank[1] && g.blank[2] && !g.blank[3]);
	cr_expect_eq(g.line[3], 4);
}

static int
stop_second(const struct bp_csv_row *r, void *ud)
{
	int *n = ud;
	return ++*n == 2 ? 7 : 0;
}

Test(csv, callback_stops)
{
	int n = 0;
	bp_csv *c = bp_csv_new(';', 10, stop_second, &n);
	cr_assert_eq(bp_csv_feed(c, "a\nb\nc\n", 6), 7);
	cr_expect_eq(bp_csv_feed(c, "d\n", 2), 7);
	cr_expect_eq(n, 2);
	bp_csv_free(c);
	cr_expect_null(bp_csv_new('\t', 10, stop_second, &n), "only ; and , delimit");
}

/* ---- the encoding through the reader ---- */

static char *
with_eol(const char *eol, char delim, bool bom, unsigned nrows)
{
	struct tx_buf b = { 0 };
	if (bom)
		tx_puts(&b, "\xef\xbb\xbf");
	tx_header(&b, NULL, delim, eol);
	for (unsigned i = 0; i < nrows; i++)
		tx_row(&b, NULL, i, delim, eol);
	return b.p;
}

Test(export_encoding, bom_crlf_and_both_delimiters)
{
	static const char *eols[] = { "\n", "\r\n" };
	static const char delims[] = { ';', ',' };
	for (int e = 0; e < 2; e++)
		for (int d = 0; d < 2; d++)
			for (int bom = 0; bom < 2; bom++) {
				char *csv = with_eol(eols[e], delims[d], bom, 20);
				struct tx_result r = { 0 };
				tx_run(csv, 13, &r);
				cr_expect_eq(r.d.total, 0, "eol %d delim %c bom %d: %s", e,
				    delims[d], bom, r.d.n ? r.d.v[0].msg : "");
				cr_expect_eq(r.delivered, 20);
				tx_result_free(&r);
				free(csv);
			}
}

/* Any chunking gives the same diagnostics. */
Test(export_encoding, chunk_size_does_not_matter)
{
	struct tx_buf b = { 0 };
	tx_header(&b, NULL, ';', "\r\n");
	for (unsigned i = 0; i < 30; i++)
		tx_row(&b, i % 7 == 3 ? (struct tx_kv[TX_MAXOVER]){ { "alder", "7" } } : NULL,
		    i, ';', "\r\n");
	struct tx_result whole = { 0 };
	tx_run(b.p, b.n, &whole);
	cr_assert_eq(whole.d.total, 4);
	static const size_t chunks[] = { 1, 2, 3, 64, 4095 };
	for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		struct tx_result r = { 0 };
		tx_run(b.p, chunks[c], &r);
		cr_assert_eq(r.d.total, whole.d.total);
		for (size_t i = 0; i < r.d.n; i++) {
			cr_expect_eq(r.d.v[i].line, whole.d.v[i].line);
			cr_expect_eq(r.d.v[i].col, whole.d.v[i].col);
		}
		cr_expect_eq(r.delivered, 26);
		tx_result_free(&r);
	}
	tx_result_free(&whole);
	free(b.p);
}

Test(export_encoding, quoted_values_and_line_numbers_after_a_quoted_break)
{
	struct tx_buf b = { 0 };
	tx_header(&b, NULL, ';', "\n");
	/* Line 2: quoted valid values, one holding the delimiter-free code. */
	tx_row(&b, (struct tx_kv[TX_MAXOVER]){ { "bolig", "\"gul\"" },
	    { "tjenester_kommune", "\"fastlege|act\"" } }, 0, ';', "\n");
	/* Line 3-4: a quoted line break inside a code (invalid). */
	tx_row(&b, (struct tx_kv[TX_MAXOVER]){ { "tjenester_kommune", "\"fast\nlege\"" } },
	    1, ';', "\n");
	/* Line 5: a bad age. */
	tx_row(&b, (struct tx_kv[TX_MAXOVER]){ { "alder", "9" } }, 2, ';', "\n");
	/* Line 6: a bare quote; line 7: text after a closing quote. */
	tx_row(&b, (struct tx_kv[TX_MAXOVER]){ { "bolig", "g\"ul" } }, 3, ';', "\n");
	tx_row(&b, (struct tx_kv[TX_MAXOVER]){ { "bolig", "\"gul\"x" } }, 4, ';', "\n");
	struct tx_result r = { 0 };
	tx_run(b.p, 5, &r);
	unsigned tk = tx_pos(NULL, "tjenester_kommune"), bo = tx_pos(NULL, "bolig");
	cr_expect_eq(r.d.total, 4);
	tx_expect(&r, 0, 3, tk, "tjenester_kommune", "expected codes of tjenester_kommune");
	tx_expect(&r, 1, 5, tx_pos(NULL, "alder"), "alder", "16-110");
	tx_expect(&r, 2, 6, bo, "bolig", "a quote inside an unquoted field");
	tx_expect(&r, 3, 7, bo, "bolig", "characters after a closing quote");
	cr_expect_eq(r.delivered, 1);
	cr_expect_eq(r.rows, 5);
	tx_result_free(&r);
	free(b.p);
}

Test(export_encoding, unterminated_quote_at_the_end)
{
	struct tx_buf b = { 0 };
	tx_header(&b, NULL, ';', "\n");
	tx_row(&b, NULL, 0, ';', "\n");
	tx_puts(&b, "\"");
	tx_row(&b, NULL, 1, ';', "\n");
	struct tx_result r = { 0 };
	tx_run(b.p, 4096, &r);
	cr_expect_eq(r.d.total, 1);
	tx_expect(&r, 0, 3, 1, "person_id", "not closed before the end of the file");
	tx_result_free(&r);
	free(b.p);
}

Test(export_encoding, over_long_row_is_reported_and_reading_goes_on)
{
	struct tx_buf b = { 0 };
	tx_header(&b, NULL, ';', "\n");
	tx_row(&b, NULL, 0, ';', "\n");
	char *pad = malloc(5000);
	memset(pad, 'x', 4999);
	pad[4999] = '\0';
	tx_row(&b, (struct tx_kv[TX_MAXOVER]){ { "tjenester_kommune", pad } }, 1, ';', "\n");
	tx_row(&b, (struct tx_kv[TX_MAXOVER]){ { "kjonn", "Q" } }, 2, ';', "\n");
	tx_row(&b, NULL, 3, ';', "\n");
	free(pad);
	struct tx_result r = { 0 };
	tx_run(b.p, 1000, &r);
	cr_expect_eq(r.d.total, 2);
	tx_expect(&r, 0, 3, 0, "", "row longer than 4096 bytes");
	tx_expect(&r, 1, 4, tx_pos(NULL, "kjonn"), "kjonn", "expected M or K");
	cr_expect_eq(r.delivered, 2);
	cr_expect_eq(r.rows, 4);
	tx_result_free(&r);
	free(b.p);
}

Test(export_encoding, empty_lines_only_at_the_end)
{
	char *csv = with_eol("\n", ';', false, 2);
	size_t len = strlen(csv);
	/* Empty lines at the end are fine. */
	char *tail = malloc(len + 4);
	memcpy(tail, csv, len);
	memcpy(tail + len, "\n\r\n", 4);
	struct tx_result r = { 0 };
	tx_run(tail, 4096, &r);
	cr_expect_eq(r.d.total, 0);
	tx_result_free(&r);
	free(tail);
	/* Empty lines 3 and 4 in the middle are one error at line 3. */
	struct tx_buf b = { 0 };
	tx_header(&b, NULL, ';', "\n");
	tx_row(&b, NULL, 0, ';', "\n\n\n");
	tx_row(&b, NULL, 1, ';', "\n");
	tx_run(b.p, 4096, &r);
	cr_expect_eq(r.d.total, 1);
	tx_expect(&r, 0, 3, 0, "", "empty lines");
	cr_expect_eq(r.delivered, 2);
	tx_result_free(&r);
	free(b.p);
	free(csv);
}

Test(export_encoding, error_cap)
{
	struct tx_buf b = { 0 };
	tx_header(&b, NULL, ';', "\n");
	for (unsigned i = 0; i < 1500; i++)
		tx_row(&b, (struct tx_kv[TX_MAXOVER]){ { "kjonn", "" } }, i, ';', "\n");
	struct tx_result r = { 0 };
	tx_run(b.p, 65536, &r);
	cr_expect_eq(r.d.n, BP_DIAG_CAP);
	cr_expect_eq(r.d.total, 1500, "errors past the cap are counted");
	tx_expect(&r, 0, 2, 4, "kjonn", "required");
	tx_expect(&r, BP_DIAG_CAP - 1, BP_DIAG_CAP + 1, 4, "kjonn", "required");
	cr_expect_eq(r.delivered, 0);
	tx_result_free(&r);
	free(b.p);
}

Test(export_encoding, max_rows_is_fatal)
{
	char *csv = with_eol("\n", ';', false, 5);
	struct bp_export_opts o = { .expect_kommune = "4601", .expect_year = 2016, .max_rows = 3 };
	struct tx_result r = { 0 };
	tx_run_opts(csv, strlen(csv), 4096, &o, &r);
	cr_expect_eq(r.feed, -1);
	cr_expect_eq(r.finish, -1);
	cr_expect_eq(r.d.total, 1);
	tx_expect(&r, 0, 5, 0, "", "more than 3 rows");
	cr_expect_eq(r.delivered, 3);
	tx_result_free(&r);
	free(csv);
}

Test(export_encoding, callback_can_stop_the_reader)
{
	char *csv = with_eol("\n", ';', false, 5);
	struct tx_result r = { .stop_after = 2 };
	tx_run(csv, 4096, &r);
	cr_expect_eq(r.feed, -1);
	cr_expect_eq(r.finish, -1);
	cr_expect_eq(r.delivered, 2);
	tx_expect(&r, 0, 3, 0, "", "stopped by the receiver");
	tx_result_free(&r);
	free(csv);
}

Test(export_encoding, header_with_bad_csv_is_fatal)
{
	struct tx_result r = { 0 };
	tx_run("person_id;\"kommune\nx\n", 4096, &r);
	cr_expect_eq(r.finish, -1);
	cr_expect_eq(r.d.total, 1);
	tx_expect(&r, 0, 1, 2, "", "header line: a quoted field opens here and is not closed");
	tx_result_free(&r);
}
