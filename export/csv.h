/*
 * csv.h - an RFC 4180 push tokenizer, shared by the export reader and the
 * kommune registry loader.
 *
 * The caller feeds bytes in chunks of any size and gets one callback per row
 * (a physical line, or several when a quoted field holds line breaks). A
 * leading UTF-8 byte-order mark is skipped. Lines end in LF or CRLF. Memory
 * is fixed at creation: one row of at most max_row bytes is buffered, and
 * the buffer is wiped after every row and on free, since it holds plaintext.
 */
#ifndef BP_CSV_H
#define BP_CSV_H

#include <stdbool.h>
#include <stddef.h>

enum bp_csv_err {
	BP_CSV_OK = 0,
	BP_CSV_TOO_LONG,     /* the row exceeds max_row bytes; the rest of its
	                        physical line was skipped; n is 0 */
	BP_CSV_BAD_QUOTE,    /* a quote inside an unquoted field */
	BP_CSV_AFTER_QUOTE,  /* a byte other than a delimiter or line end after
	                        a closing quote */
	BP_CSV_UNTERMINATED, /* the input ended inside a quoted field */
	BP_CSV_BAD_CR,       /* a carriage return not followed by a line feed */
	BP_CSV_OPEN_QUOTE,   /* the row exceeds max_row inside a quoted field:
	                        a quote never closed; skipped as TOO_LONG */
};

/* One row, valid only during the callback (its bytes are wiped after it). */
struct bp_csv_row {
	unsigned long line;        /* physical line (1-based) where the row starts */
	size_t n;                  /* number of fields */
	const char *const *field;  /* field[i] is NUL-terminated, len[i] bytes
	                              (a field may itself hold a NUL byte) */
	const size_t *len;
	enum bp_csv_err err;       /* the first error of the row, or BP_CSV_OK */
	unsigned err_field;        /* 1-based field of err; 0 = the row as a whole */
	unsigned long err_line;    /* physical line of err: where the quote opened
	                              for OPEN_QUOTE and UNTERMINATED, else line */
	bool blank;                /* an empty line (n is 1, the field empty) */
};

/* Returns 0 to go on, non-zero to stop: feed then returns that value. */
typedef int (*bp_csv_cb)(const struct bp_csv_row *row, void *ud);

typedef struct bp_csv bp_csv;

/*
 * Creates a tokenizer. delim is ';' or ',' (fixed) or 0: decided by the first
 * row, whichever of ';' and ',' appears first outside quotes (';' when
 * neither does). max_row caps the bytes of a row, without its line end.
 * The caller frees it with bp_csv_free. NULL on ENOMEM or a bad argument.
 */
bp_csv *bp_csv_new(char delim, size_t max_row, bp_csv_cb cb, void *ud);
/* Feeds len bytes. Returns 0, or the non-zero value a callback returned
 * (every later call then returns it again without reading). */
int bp_csv_feed(bp_csv *c, const void *buf, size_t len);
/* Ends the input: emits the last row when it has no line end. Returns as
 * bp_csv_feed. */
int bp_csv_finish(bp_csv *c);
/* The delimiter in use (0 while the first row has not decided it). */
char bp_csv_delim(const bp_csv *c);
/* The physical line (1-based) that the next byte fed belongs to. */
unsigned long bp_csv_line(const bp_csv *c);
/* Frees the tokenizer, wiping its row buffer. NULL is allowed. */
void bp_csv_free(bp_csv *c);

#endif
