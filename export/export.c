/*
 * export.c - the streaming reader and validator of kommune exports; see
 * export.h and doc/export-format.md.
 *
 * Bytes go through the CSV tokenizer (csv.h); each row is checked field by
 * field against the column table below, then across fields. Every error is
 * recorded with its line, its column position and name, and what was
 * expected: never the value that was found.
 */
#include "export.h"
#include "export_private.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "registry.h"


static void
add_col(bp_export *x, size_t *n, const char *name, enum kind k, int idx, bool req)
{
	struct coldef *c = &x->cols[(*n)++];
	c->name = name;
	c->kind = k;
	c->idx = idx;
	c->required = req;
}

/* Fills the column table from the code lists of codes.h. */
static void
build_cols(bp_export *x)
{
	size_t n = 0;
	add_col(x, &n, "person_id", K_PID, 0, true);
	add_col(x, &n, "kommune", K_KOMMUNE, 0, true);
	add_col(x, &n, "aar", K_AAR, 0, true);
	add_col(x, &n, "kjonn", K_KJONN, 0, true);
	add_col(x, &n, "alder", K_ALDER, 0, true);
	add_col(x, &n, "rusproblem", K_RUS, 0, true);
	add_col(x, &n, "psykisk_problem", K_PSYK, 0, true);
	for (int i = 0; i < BP_NAREA; i++)
		add_col(x, &n, bp_area_names[i], K_AREA, i, true);
	for (int i = 0; i < BP_NDETAIL; i++)
		add_col(x, &n, bp_detail_names[i], K_DETAIL, i, false);
	for (int i = 0; i < BP_NSUB; i++)
		add_col(x, &n, bp_substance_names[i], K_SUB, i, false);
	for (int i = 0; i < BP_NFLAG; i++)
		add_col(x, &n, bp_flag_names[i], K_FLAG, i, false);
	add_col(x, &n, "antall_barn", K_BARN, 0, false);
	add_col(x, &n, "vold", K_VOLD, 0, false);
	add_col(x, &n, "fengsel", K_FENGSEL, 0, false);
	add_col(x, &n, "utdanning", K_UTD, 0, false);
	add_col(x, &n, "fodeland", K_FODELAND, 0, false);
	for (int i = 0; i < BP_NSVC; i++)
		add_col(x, &n, bp_services[i].column, K_SVC, i, false);
	for (size_t i = 0; i < NCOLS; i++)
		x->pos[i] = -1;
}

static int on_row(const struct bp_csv_row *r, void *ud);

/*
 * The reader and its buffers are in sodium_malloc memory (they hold a row of
 * plaintext and the hashing key); bp_export_free wipes and frees them.
 */
bp_export *
bp_export_new(const struct bp_export_opts *opts, bp_row_cb cb, void *ud)
{
	if (sodium_init() < 0)
		return NULL;
	bp_export *x = sodium_malloc(sizeof(*x));
	if (!x)
		return NULL;
	memset(x, 0, sizeof(*x));
	if (opts)
		x->opts = *opts;
	if (x->opts.expect_kommune) {
		snprintf(x->kommune, sizeof(x->kommune), "%s", x->opts.expect_kommune);
		x->opts.expect_kommune = x->kommune;
	}
	if (x->opts.max_rows == 0)
		x->opts.max_rows = BP_DEFAULT_MAX_ROWS;
	x->cb = cb;
	x->ud = ud;
	bp_diags_init(&x->diags);
	build_cols(x);
	crypto_shorthash_keygen(x->key);
	x->csv = bp_csv_new(0, BP_MAX_ROW_BYTES, on_row, x);
	if (!x->csv) {
		bp_export_free(x);
		return NULL;
	}
	return x;
}

void
bp_export_free(bp_export *x)
{
	if (!x)
		return;
	bp_csv_free(x->csv);
	bp_diags_free(&x->diags);
	free(x->col_at);
	bp_pidset_free(&x->set);
	sodium_free(x); /* wipes the row in hand and the key */
}

const struct bp_diags *
bp_export_diags(const bp_export *x)
{
	return &x->diags;
}

unsigned long
bp_export_rows(const bp_export *x)
{
	return x->rows;
}

void
bp_export_cut(bp_export *x)
{
	bp_diags_add(&x->diags, bp_csv_line(x->csv), 0, "", "larger than max_rows rows of "
	    "4096 bytes (empty lines count too); read no further");
}

/* ---- errors ---- */

static void
fail(bp_export *x, unsigned long line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Records an error at header position col (-1: the row as a whole) or, for
 * a column absent from the header, by name with col_name. */
static void
fail(bp_export *x, unsigned long line, int col, const char *fmt, ...)
{
	char msg[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	const char *name = "";
	if (col >= 0 && (size_t)col < x->nhdr && x->col_at && x->col_at[col] >= 0)
		name = x->cols[x->col_at[col]].name;
	bp_diags_add(&x->diags, line, col >= 0 ? (unsigned)col + 1 : 0, name, "%s", msg);
}

/* Records an error about column c of the table (present or not). */
void
bp_export_fail_col(bp_export *x, unsigned long line, int c, const char *fmt, ...)
{
	char msg[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	unsigned col = x->pos[c] >= 0 ? (unsigned)x->pos[c] + 1 : 0;
	bp_diags_add(&x->diags, line, col, x->cols[c].name, "%s", msg);
}

static const char *
csv_err_text(enum bp_csv_err e)
{
	switch (e) {
	case BP_CSV_TOO_LONG:
		return "row longer than 4096 bytes; skipped to the next line";
	case BP_CSV_BAD_QUOTE:
		return "a quote inside an unquoted field; expected the whole field "
		    "quoted, with quotes doubled";
	case BP_CSV_AFTER_QUOTE:
		return "characters after a closing quote; expected a delimiter or "
		    "the end of the line";
	case BP_CSV_UNTERMINATED:
		return "a quoted field opens here and is not closed before the end of "
		    "the file; expected a closing quote";
	case BP_CSV_BAD_CR:
		return "a carriage return not followed by a line feed";
	case BP_CSV_OPEN_QUOTE:
		return "a quoted field opens here and is not closed within 4096 bytes; "
		    "expected a closing quote (quotes inside a field doubled)";
	case BP_CSV_OK:
		break;
	}
	return "malformed CSV";
}

/* ---- the header ---- */

static int
find_col(const bp_export *x, const char *name, size_t len)
{
	for (int i = 0; i < NCOLS; i++)
		if (strlen(x->cols[i].name) == len && memcmp(x->cols[i].name, name, len) == 0)
			return i;
	return -1;
}

/*
 * True when a first line has no column name at all and a field of digits
 * only (a person_id, a kommunenummer, a year): a file without its header.
 * One error then says so, instead of one per unknown name and missing column.
 */
static bool
looks_like_data(const bp_export *x, const struct bp_csv_row *r)
{
	bool digits = false;
	for (size_t i = 0; i < r->n; i++) {
		if (find_col(x, r->field[i], r->len[i]) >= 0)
			return false;
		size_t j = 0;
		while (j < r->len[i] && r->field[i][j] >= '0' && r->field[i][j] <= '9')
			j++;
		if (j > 0 && j == r->len[i])
			digits = true;
	}
	return digits;
}

static int
header(bp_export *x, const struct bp_csv_row *r)
{
	if (r->blank || r->err != BP_CSV_OK) {
		if (r->blank)
			bp_diags_add(&x->diags, r->line, 0, "",
			    "expected a header line of column names");
		else
			bp_diags_add(&x->diags, r->err_line, r->err_field, "", "header line: %s; "
			    "nothing can be read", csv_err_text(r->err));
		x->fatal = true;
		return -1;
	}
	if (looks_like_data(x, r)) {
		bp_diags_add(&x->diags, r->line, 0, "", "the first line looks like data, not "
		    "a header: expected a header line of column names first (see "
		    "bpagg-export(5))");
		x->fatal = true;
		return -1;
	}
	x->col_at = calloc(r->n, sizeof(*x->col_at));
	if (!x->col_at) {
		bp_diags_add(&x->diags, r->line, 0, "", "out of memory");
		x->fatal = true;
		return -1;
	}
	x->nhdr = r->n;
	for (size_t i = 0; i < r->n; i++) {
		int c = find_col(x, r->field[i], r->len[i]);
		x->col_at[i] = -1;
		if (c < 0) {
			/* A name holding the other delimiter: the header mixes
			 * ';' and ','. Say which one the file was read with. */
			char d = bp_csv_delim(x->csv), other = d == ';' ? ',' : ';';
			bool mixed = memchr(r->field[i], other, r->len[i]) != NULL;
			x->header_bad = true;
			if (mixed)
				bp_diags_add(&x->diags, r->line, (unsigned)i + 1, "",
				    "unknown column name; the header is read with delimiter "
				    "'%c' and this name holds '%c' (one delimiter per file)",
				    d, other);
			else
				bp_diags_add(&x->diags, r->line, (unsigned)i + 1, "",
				    "unknown column name (see bpagg-export(5) for the names)");
		} else if (x->pos[c] >= 0) {
			x->header_bad = true;
			bp_diags_add(&x->diags, r->line, (unsigned)i + 1, x->cols[c].name,
			    "column given twice (first at column %d)", x->pos[c] + 1);
		} else {
			x->pos[c] = (int)i;
			x->col_at[i] = c;
		}
	}
	for (int c = 0; c < NCOLS; c++)
		if (x->cols[c].required && x->pos[c] < 0) {
			x->header_bad = true;
			bp_diags_add(&x->diags, r->line, 0, x->cols[c].name,
			    "required column missing from the header");
		}
	x->have_header = true;
	return 0;
}

/* ---- rows ---- */

static void
row_defaults(struct bp_row *row, unsigned long line)
{
	memset(row, 0, sizeof(*row));
	row->line = line;
	memset(row->detail, -1, sizeof(row->detail));
	memset(row->substance, -1, sizeof(row->substance));
	memset(row->flag, -1, sizeof(row->flag));
	row->vold = row->fengsel = row->utdanning = -1;
	row->antall_barn = -1;
}

static bool
has_outer_space(const char *v, size_t len)
{
	return len > 0 && (v[0] == ' ' || v[0] == '\t' || v[len - 1] == ' ' ||
	    v[len - 1] == '\t');
}

/* The value of column c on this row ("" when the column is absent). */
static const char *
value(const bp_export *x, const struct bp_csv_row *r, int c, size_t *len)
{
	if (x->pos[c] < 0) {
		*len = 0;
		return "";
	}
	*len = r->len[x->pos[c]];
	return r->field[x->pos[c]];
}

/* Checks every column on its own; returns the outcome of rusproblem:
 * 1 (J), 0 (N), -1 (missing or invalid). */
static int
check_fields(bp_export *x, const struct bp_csv_row *r)
{
	int rus = -1, psyk = -1;
	for (int c = 0; c < NCOLS; c++) {
		const struct coldef *d = &x->cols[c];
		size_t len;
		const char *v = value(x, r, c, &len);
		if (x->pos[c] < 0)
			continue; /* a missing required column is reported once */
		if (d->kind == K_SUB)
			continue; /* checked with rusproblem, below */
		if (len == 0) {
			if (d->required)
				bp_export_fail_col(x, r->line, c, "required; expected %s", bp_export_expected(d));
			continue;
		}
		if (has_outer_space(v, len)) {
			bp_export_fail_col(x, r->line, c, "surrounding spaces are not allowed");
			continue;
		}
		if (bp_export_check_value(x, r->line, c, v, len) == 0) {
			if (d->kind == K_RUS)
				rus = x->row.rusproblem;
			if (d->kind == K_PSYK)
				psyk = x->row.psykisk_problem;
		}
	}
	if (rus == 0 && psyk == 0) {
		int c = find_col(x, "psykisk_problem", strlen("psykisk_problem"));
		bp_export_fail_col(x, r->line, c, "at least one of rusproblem and psykisk_problem "
		    "must be J");
	}
	return rus;
}

/* The substance columns: required when rusproblem is J, empty when N. */
static void
check_substances(bp_export *x, const struct bp_csv_row *r, int rus)
{
	for (int c = 0; c < NCOLS; c++) {
		if (x->cols[c].kind != K_SUB)
			continue;
		size_t len;
		const char *v = value(x, r, c, &len);
		if (len == 0) {
			if (rus == 1)
				bp_export_fail_col(x, r->line, c, x->pos[c] < 0 ?
				    "required when rusproblem is J; the column is missing "
				    "from the header" :
				    "required when rusproblem is J; expected ingen, "
				    "beskjeden, betydelig or svaert_omfattende");
			continue;
		}
		if (rus == 0) {
			bp_export_fail_col(x, r->line, c, "must be empty when rusproblem is N");
			continue;
		}
		if (has_outer_space(v, len)) {
			bp_export_fail_col(x, r->line, c, "surrounding spaces are not allowed");
			continue;
		}
		bp_export_check_value(x, r->line, c, v, len);
	}
}

static void
report_blanks(bp_export *x)
{
	if (x->blank_count == 0)
		return;
	bp_diags_add(&x->diags, x->blank_line, 0, "", x->blank_count == 1 ?
	    "empty line; expected a row (empty lines are allowed only at the end)" :
	    "empty lines; expected rows (empty lines are allowed only at the end)");
	x->blank_count = 0;
}

static int
data_row(bp_export *x, const struct bp_csv_row *r)
{
	size_t before = x->diags.total;
	int rc = 0;

	if (r->err != BP_CSV_OK) {
		fail(x, r->err_line, (int)r->err_field - 1, "%s", csv_err_text(r->err));
		return 0;
	}
	if (r->n != x->nhdr) {
		bp_diags_add(&x->diags, r->line, 0, "", "row has %zu fields; "
		    "expected %zu as in the header", r->n, x->nhdr);
		return 0;
	}
	row_defaults(&x->row, r->line);
	x->row_bad = false;
	int rus = check_fields(x, r);
	check_substances(x, r, rus);
	/* After a bad header the rows are still checked, never delivered. */
	if (x->diags.total == before && !x->row_bad && !x->header_bad && x->cb &&
	    x->cb(&x->row, x->ud) != 0) {
		bp_diags_add(&x->diags, r->line, 0, "", "reading stopped by the receiver");
		x->fatal = true;
		rc = -1;
	}
	sodium_memzero(&x->row, sizeof(x->row));
	return rc;
}

static int
on_row(const struct bp_csv_row *r, void *ud)
{
	bp_export *x = ud;

	if (!x->have_header)
		return header(x, r);
	if (r->blank) {
		if (x->blank_count++ == 0)
			x->blank_line = r->line;
		return 0;
	}
	report_blanks(x);
	if (++x->rows > x->opts.max_rows) {
		bp_diags_add(&x->diags, r->line, 0, "", "more than %lu rows; "
		    "expected at most max_rows", x->opts.max_rows);
		x->fatal = true;
		return -1;
	}
	return data_row(x, r);
}

int
bp_export_feed(bp_export *x, const void *buf, size_t len)
{
	if (x->fatal || x->finished)
		return -1;
	if (bp_csv_feed(x->csv, buf, len) != 0)
		return -1;
	return x->fatal ? -1 : 0;
}

/* Adds to the one error said for rows of another kommune how many there
 * were (when it is among the errors kept). */
static void
other_kommune_count(bp_export *x)
{
	if (x->other_kommune < 2 || x->other_kommune_diag >= x->diags.n)
		return;
	struct bp_diag *d = &x->diags.v[x->other_kommune_diag];
	snprintf(d->msg, sizeof(d->msg), "expected the submission's kommune %s; %lu rows "
	    "hold another kommune (this is the first; a wrong --kommune?)",
	    x->opts.expect_kommune, x->other_kommune);
}

int
bp_export_finish(bp_export *x)
{
	if (!x->fatal && !x->finished) {
		x->finished = true;
		bp_csv_finish(x->csv);
		if (!x->fatal && !x->have_header) {
			bp_diags_add(&x->diags, 1, 0, "", "empty file; expected a header "
			    "line of column names");
			x->fatal = true;
		}
		x->blank_count = 0; /* empty lines at the end are allowed */
		other_kommune_count(x);
	}
	return x->fatal || x->diags.total > 0 ? -1 : 0;
}
