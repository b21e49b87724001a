/* csv.c - an RFC 4180 push tokenizer; see csv.h. */
#include "csv.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

enum state {
	S_START, /* at the start of a field */
	S_UNQ,   /* inside an unquoted field */
	S_Q,     /* inside a quoted field */
	S_QQ,    /* a quote inside a quoted field: its end, or the first of "" */
};

static const unsigned char bom[3] = { 0xef, 0xbb, 0xbf };

struct bp_csv {
	char delim;             /* 0 until decided */
	size_t max_row;
	bp_csv_cb cb;
	void *ud;
	char *buf;              /* decoded fields, NUL-separated; max_row + 1 */
	size_t cap, pos;
	size_t raw;             /* raw bytes of the current row, line end excluded */
	size_t *off, *len;      /* per field; max_row + 1 entries */
	const char **ptr;
	size_t n, fstart;
	unsigned long line;     /* physical line of the next byte */
	unsigned long row_line;
	unsigned long quote_line;  /* where the quoted field in hand opened */
	unsigned quote_field;      /* and its 1-based field */
	bool long_in_quote;        /* the row passed max_row inside quotes */
	enum state state;
	enum bp_csv_err err;
	unsigned err_field;
	unsigned bom_seen;      /* BOM bytes matched so far */
	bool bom_done, in_row, pending_cr, skipping;
	int stopped;            /* a callback's non-zero return */
};

bp_csv *
bp_csv_new(char delim, size_t max_row, bp_csv_cb cb, void *ud)
{
	if ((delim != 0 && delim != ';' && delim != ',') || max_row == 0 || !cb)
		return NULL;
	if (sodium_init() < 0)
		return NULL;
	bp_csv *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->delim = delim;
	c->max_row = max_row;
	c->cb = cb;
	c->ud = ud;
	c->cap = max_row + 1;
	c->buf = sodium_malloc(c->cap);
	c->off = calloc(c->cap, sizeof(*c->off));
	c->len = calloc(c->cap, sizeof(*c->len));
	c->ptr = calloc(c->cap, sizeof(*c->ptr));
	if (!c->buf || !c->off || !c->len || !c->ptr) {
		bp_csv_free(c);
		return NULL;
	}
	c->line = 1;
	return c;
}

void
bp_csv_free(bp_csv *c)
{
	if (!c)
		return;
	if (c->buf)
		sodium_free(c->buf); /* sodium_free wipes before unmapping */
	free(c->off);
	free(c->len);
	free(c->ptr);
	free(c);
}

char
bp_csv_delim(const bp_csv *c)
{
	return c->delim;
}

unsigned long
bp_csv_line(const bp_csv *c)
{
	return c->line;
}

static void
set_err(bp_csv *c, enum bp_csv_err e)
{
	if (c->err == BP_CSV_OK) {
		c->err = e;
		c->err_field = (unsigned)(c->n + 1);
	}
}

static void
reset_row(bp_csv *c)
{
	sodium_memzero(c->buf, c->pos);
	c->pos = c->raw = c->n = c->fstart = 0;
	c->state = S_START;
	c->err = BP_CSV_OK;
	c->err_field = 0;
	c->in_row = c->pending_cr = c->skipping = c->long_in_quote = false;
	if (c->delim == 0)
		c->delim = ';';
}

static void
end_field(bp_csv *c)
{
	if (c->pos >= c->cap || c->n >= c->cap)
		return; /* cannot happen: every field and byte costs a raw byte */
	c->off[c->n] = c->fstart;
	c->len[c->n] = c->pos - c->fstart;
	c->buf[c->pos++] = '\0';
	c->n++;
	c->fstart = c->pos;
}

static int
call(bp_csv *c, struct bp_csv_row *r)
{
	int rc = c->cb(r, c->ud);
	reset_row(c);
	if (rc)
		c->stopped = rc;
	return rc;
}

/* Emits the row in hand; the line end (if any) has been consumed. */
static int
emit(bp_csv *c)
{
	struct bp_csv_row r;
	memset(&r, 0, sizeof(r));
	r.line = c->row_line;
	r.blank = c->raw == 0 && c->n == 0 && c->state == S_START &&
	    c->err == BP_CSV_OK;
	end_field(c);
	for (size_t i = 0; i < c->n; i++)
		c->ptr[i] = c->buf + c->off[i];
	r.n = c->n;
	r.field = c->ptr;
	r.len = c->len;
	r.err = c->err;
	r.err_field = c->err_field;
	r.err_line = c->err == BP_CSV_UNTERMINATED ? c->quote_line : c->row_line;
	return call(c, &r);
}

static int
emit_long(bp_csv *c)
{
	struct bp_csv_row r;
	memset(&r, 0, sizeof(r));
	r.line = c->row_line;
	r.field = c->ptr;
	r.len = c->len;
	r.err = BP_CSV_TOO_LONG;
	r.err_line = c->row_line;
	if (c->long_in_quote) {
		/* Most likely a quote that is never closed: say so where it is. */
		r.err = BP_CSV_OPEN_QUOTE;
		r.err_field = c->quote_field;
		r.err_line = c->quote_line;
	}
	return call(c, &r);
}

static bool
is_delim(bp_csv *c, unsigned char ch)
{
	if (c->delim == 0 && (ch == ';' || ch == ','))
		c->delim = (char)ch;
	return ch == (unsigned char)c->delim;
}

static void
append(bp_csv *c, unsigned char ch)
{
	if (c->pos + 1 < c->cap)
		c->buf[c->pos++] = (char)ch;
}

/* One byte of a field (or a delimiter, or a line break inside quotes). */
static int
data(bp_csv *c, unsigned char ch)
{
	if (++c->raw > c->max_row) {
		if (!c->skipping)
			c->long_in_quote = c->state == S_Q;
		c->skipping = true;
		if (ch == '\n') {
			c->line++;
			return emit_long(c);
		}
		return 0;
	}
	if (ch == '\n')
		c->line++;
	switch (c->state) {
	case S_START:
		if (ch == '"') {
			c->state = S_Q;
			c->quote_line = c->line;
			c->quote_field = (unsigned)(c->n + 1);
		} else if (is_delim(c, ch)) {
			end_field(c);
		} else {
			c->state = S_UNQ;
			append(c, ch);
		}
		break;
	case S_UNQ:
		if (is_delim(c, ch)) {
			end_field(c);
			c->state = S_START;
			break;
		}
		if (ch == '"')
			set_err(c, BP_CSV_BAD_QUOTE);
		append(c, ch);
		break;
	case S_Q:
		if (ch == '"')
			c->state = S_QQ;
		else
			append(c, ch);
		break;
	case S_QQ:
		if (ch == '"') {
			append(c, ch);
			c->state = S_Q;
		} else if (is_delim(c, ch)) {
			end_field(c);
			c->state = S_START;
		} else {
			set_err(c, BP_CSV_AFTER_QUOTE);
			c->state = S_UNQ;
			append(c, ch);
		}
		break;
	}
	return 0;
}

static int
byte(bp_csv *c, unsigned char ch)
{
	int rc;

	if (c->skipping) {
		if (ch != '\n')
			return 0;
		c->line++;
		return emit_long(c);
	}
	if (!c->in_row) {
		c->in_row = true;
		c->row_line = c->line;
	}
	if (c->pending_cr) {
		c->pending_cr = false;
		if (ch == '\n') {
			c->line++;
			return emit(c);
		}
		set_err(c, BP_CSV_BAD_CR);
		if ((rc = data(c, '\r')) != 0)
			return rc;
		if (c->skipping || !c->in_row)
			return byte(c, ch);
	}
	if (c->state != S_Q) {
		if (ch == '\n') {
			c->line++;
			return emit(c);
		}
		if (ch == '\r') {
			c->pending_cr = true;
			return 0;
		}
	}
	return data(c, ch);
}

/* Skips a leading byte-order mark, replaying a partial match as data. */
static int
bom_byte(bp_csv *c, unsigned char ch)
{
	int rc;

	if (ch == bom[c->bom_seen]) {
		if (++c->bom_seen == sizeof(bom))
			c->bom_done = true;
		return 0;
	}
	c->bom_done = true;
	for (unsigned i = 0; i < c->bom_seen; i++)
		if ((rc = byte(c, bom[i])) != 0)
			return rc;
	return byte(c, ch);
}

/*
 * The fast path of bp_csv_feed: inside a row whose delimiter is decided,
 * outside quotes, takes the bytes byte() would only append to an unquoted
 * field and the delimiters that would only end one, without the per-byte
 * state machine; it stops before a quote or a line end (byte() decides
 * those). It stops before the row would pass max_row too, so the length
 * check in data() still sees the byte that crosses it. Each byte taken costs
 * one raw byte and at most one buffer byte, so pos <= raw <= max_row < cap
 * and every write fits, as in append() and end_field().
 * Returns how many bytes of p it took (0: let byte() decide).
 */
static size_t
plain_run(bp_csv *c, const unsigned char *p, size_t len)
{
	const unsigned char d = (unsigned char)c->delim;
	size_t i = 0;

	if (!c->bom_done || c->skipping || c->pending_cr || !c->in_row || d == 0 ||
	    (c->state != S_START && c->state != S_UNQ) || c->raw >= c->max_row)
		return 0;
	if (len > c->max_row - c->raw)
		len = c->max_row - c->raw;
	for (; i < len; i++) {
		unsigned char ch = p[i];
		if (ch == d) {
			end_field(c);
			c->state = S_START;
		} else if (ch == '"' || ch == '\n' || ch == '\r') {
			break;
		} else {
			c->buf[c->pos++] = (char)ch;
			c->state = S_UNQ;
		}
	}
	c->raw += i;
	return i;
}

int
bp_csv_feed(bp_csv *c, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i = 0, n;
	int rc;

	if (c->stopped)
		return c->stopped;
	while (i < len) {
		if ((n = plain_run(c, p + i, len - i)) > 0) {
			i += n;
			continue;
		}
		rc = c->bom_done ? byte(c, p[i]) : bom_byte(c, p[i]);
		if (rc)
			return rc;
		i++;
	}
	return 0;
}

int
bp_csv_finish(bp_csv *c)
{
	int rc;

	if (c->stopped)
		return c->stopped;
	if (!c->bom_done) {
		c->bom_done = true;
		for (unsigned i = 0; i < c->bom_seen; i++)
			if ((rc = byte(c, bom[i])) != 0)
				return rc;
	}
	if (c->skipping)
		return emit_long(c);
	if (c->pending_cr) {
		set_err(c, BP_CSV_BAD_CR);
		return emit(c);
	}
	if (!c->in_row)
		return 0;
	if (c->state == S_Q)
		set_err(c, BP_CSV_UNTERMINATED);
	return emit(c);
}
