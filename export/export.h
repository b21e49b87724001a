/*
 * export.h - the streaming reader and validator of kommune exports
 * (doc/export-format.md).
 *
 * Push interface: the caller feeds bytes in chunks of any size (from a file,
 * or from the envelope's decrypted stream) and gets one callback per valid
 * row. Memory does not grow with the file, except the duplicate-person_id set
 * (a hash and a line number: at most 16 bytes per row, bounded by max_rows). No I/O
 * policy lives here.
 *
 * A file with any error is invalid as a whole: the caller must not commit
 * anything from the row callbacks unless bp_export_finish returns 0 and the
 * diagnostics are empty. Rows with errors are not passed to the callback.
 */
#ifndef BP_EXPORT_H
#define BP_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codes.h"
#include "diag.h"

struct bp_registry;

#define BP_DEFAULT_MAX_ROWS 200000u
#define BP_MAX_ROW_BYTES 4096u

/* The ages an export may give (shared/spec/export-format.md). */
#define BP_ALDER_MIN 16
#define BP_ALDER_MAX 110

/* One valid row, typed. -1 in an optional field means "not recorded". */
struct bp_row {
	unsigned long line;        /* line number in the file */
	char person_id[12];        /* 11 digits + NUL: pseudonymise, never store */
	char kommune[5];
	int aar;
	char kjonn;                /* 'M' or 'K' */
	int alder;                 /* BP_ALDER_MIN..BP_ALDER_MAX */
	bool rusproblem, psykisk_problem;
	int8_t area[BP_NAREA];     /* BP_GRONN..BP_ROD */
	int8_t detail[BP_NDETAIL]; /* -1 or BP_GRONN..BP_ROD */
	int8_t substance[BP_NSUB]; /* -1 (rusproblem N) or BP_AMOUNT_* */
	int8_t flag[BP_NFLAG];     /* -1 unknown, 0 = N, 1 = J */
	int8_t vold, fengsel, utdanning; /* -1 or index into the code list */
	int antall_barn;           /* -1 or 0..20 */
	char fodeland[3];          /* "" or ISO 3166-1 alpha-2 */
	uint32_t services[BP_NSVC];/* bit mask per service column, see codes.h */
};

struct bp_export_opts {
	const char *expect_kommune;          /* "NNNN"; rows must match; NULL = any */
	int expect_year;                     /* rows must match; 0 = any */
	const struct bp_registry *registry;  /* kommune must be in it; NULL = skip */
	unsigned long max_rows;              /* 0 = BP_DEFAULT_MAX_ROWS */
};

/* Returns non-zero to stop reading (the reader then reports an error). */
typedef int (*bp_row_cb)(const struct bp_row *row, void *ud);

typedef struct bp_export bp_export;

/* Creates a reader. The caller frees it with bp_export_free. NULL on ENOMEM. */
bp_export *bp_export_new(const struct bp_export_opts *opts, bp_row_cb cb, void *ud);
/*
 * Feeds len bytes. Complete rows are validated and passed to the callback
 * (the row is valid only during the call and is wiped after it). Returns 0,
 * or -1 when reading cannot go on (a fatal error is in the diagnostics).
 */
int bp_export_feed(bp_export *x, const void *buf, size_t len);
/* Ends the input. Returns 0 when the file was valid, -1 otherwise. */
int bp_export_finish(bp_export *x);
/* The diagnostics so far; valid until bp_export_free. */
const struct bp_diags *bp_export_diags(const bp_export *x);
/* Rows read (valid or not), excluding the header. */
unsigned long bp_export_rows(const bp_export *x);
/* Records, at the line where feeding stopped, that the caller read no
 * further: the input is larger than the bound of max_rows rows of
 * BP_MAX_ROW_BYTES (empty lines count toward it). */
void bp_export_cut(bp_export *x);
/* Frees the reader, wiping the buffers that held plaintext. */
void bp_export_free(bp_export *x);

/* Checks an 11-digit person_id: fødselsnummer, D-nummer or H-nummer with both
 * mod-11 control digits. Returns true when valid. */
bool bp_person_id_valid(const char *id11);

#endif
