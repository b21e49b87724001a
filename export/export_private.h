/*
 * export_private.h - the reader's state, shared by export.c (the rows and
 * the header) and fields.c (the checks of one field). Private to export/.
 */
#ifndef BPAGG_EXPORT_PRIVATE_H
#define BPAGG_EXPORT_PRIVATE_H

#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>

#include "codes.h"
#include "csv.h"
#include "diag.h"
#include "export.h"
#include "pidset.h"

enum kind {
	K_PID, K_KOMMUNE, K_AAR, K_KJONN, K_ALDER, K_RUS, K_PSYK,
	K_AREA, K_DETAIL, K_SUB, K_FLAG, K_BARN, K_VOLD, K_FENGSEL, K_UTD,
	K_FODELAND, K_SVC,
};

struct coldef {
	const char *name;
	enum kind kind;
	int idx;        /* index in the code-list family (area, flag, ...) */
	bool required;  /* present and non-empty on every row */
};

#define NCOLS (7 + BP_NAREA + BP_NDETAIL + BP_NSUB + BP_NFLAG + 5 + BP_NSVC)

struct bp_export {
	struct bp_export_opts opts;
	char kommune[5];                /* copy of opts.expect_kommune */
	bp_row_cb cb;
	void *ud;
	bp_csv *csv;
	struct bp_diags diags;
	struct coldef cols[NCOLS];
	int pos[NCOLS];                 /* header position of each column, -1 absent */
	int *col_at;                    /* per header position: column or -1 */
	size_t nhdr;
	bool have_header, fatal, finished;
	bool header_bad;                /* rows are checked but not delivered */
	unsigned long rows;
	unsigned long blank_line, blank_count; /* empty lines not yet reported */
	struct bp_row row;              /* the row in hand; wiped after each */
	unsigned char key[crypto_shorthash_KEYBYTES];
	struct bp_pidset set;           /* the duplicate check (pidset.h) */
	unsigned long other_kommune;    /* rows of another kommune than expected */
	size_t other_kommune_diag;      /* the index of the one error said for them */
	bool row_bad;                   /* the row in hand is invalid without an error
	                                   of its own (one said for many rows) */
};

/* Records an error about column c of the table (present or not). */
void bp_export_fail_col(bp_export *x, unsigned long line, int c, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Checks one non-empty value of column c and stores it in x->row; 0, or -1
 * with the error recorded. */
int bp_export_check_value(bp_export *x, unsigned long line, int c, const char *v,
    size_t len);

/* What column d expects, for the error of a missing required value. */
const char *bp_export_expected(const struct coldef *d);

#endif
