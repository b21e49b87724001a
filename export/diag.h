/*
 * diag.h - diagnostics: errors that name a line and a column.
 *
 * A message never holds a value read from a file (a person_id above all): it
 * says what was expected, not what was found.
 */
#ifndef BP_DIAG_H
#define BP_DIAG_H

#include <stddef.h>

#define BP_DIAG_CAP 1000 /* errors kept; further ones are only counted */

struct bp_diag {
	unsigned long line;  /* 1-based line of the file; 0 = the file as a whole */
	unsigned col;        /* 1-based column position in the header; 0 = none */
	char column[32];     /* column name, "" when none */
	char msg[160];       /* what was expected; never a value from the file */
};

struct bp_diags {
	struct bp_diag *v;   /* owned; freed by bp_diags_free */
	size_t n, cap;       /* kept */
	size_t total;        /* all errors seen, including those past the cap */
};

void bp_diags_init(struct bp_diags *d);
void bp_diags_free(struct bp_diags *d);
/* Records an error (printf-style message). Keeps at most BP_DIAG_CAP. */
void bp_diags_add(struct bp_diags *d, unsigned long line, unsigned col,
    const char *column, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/*
 * Writes every kept error as "NAME:LINE:COL: column: message" lines, then a
 * count of those beyond the cap. NAME is the file name given by the caller.
 */
void bp_diags_print(const struct bp_diags *d, const char *name, void *stream);

#endif
