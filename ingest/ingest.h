/*
 * ingest.h - one sealed submission from file to store, shared by bpaggd(8)
 * and `bpagg rebuild`.
 *
 * An ingest context holds what every submission needs: the central key
 * pair, the pseudonym key, the kommune keyring, the kommune registry, the
 * store handle and a reusable tally. bp_ingest_file opens a file
 * (O_NOFOLLOW, regular, size-capped), opens the envelope, streams the
 * decrypted export through the validator (kommune and year pinned to the
 * signed metadata), pseudonymises and classifies each valid row, checks the
 * envelope's end, and then judges and applies the submission in one store
 * transaction. Plaintext lives only in the envelope's and the reader's
 * buffers (wiped) and in the row callback; nothing of it is written.
 *
 * A context is used from one thread at a time.
 */
#ifndef BP_INGEST_H
#define BP_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "diag.h"
#include "envelope.h"
#include "store.h"

typedef struct bp_ingest bp_ingest;

enum bp_ingest_status {
	BP_INGEST_MERGED,     /* applied (a dry run: recorded in the ledger only) */
	BP_INGEST_ALREADY,    /* the same submission was applied before: count nothing */
	BP_INGEST_REFUSED,    /* refused: reason, and the validator's diagnostics */
	BP_INGEST_INCOMPLETE, /* truncated envelope: maybe still being written */
	BP_INGEST_GONE,       /* the file vanished before it could be opened */
	BP_INGEST_ERROR,      /* internal error (store, memory): nothing changed */
};

/* A fixed name for a status: "merged", "already_applied", "refused", ... */
const char *bp_ingest_status_name(enum bp_ingest_status s);

struct bp_ingest_result {
	enum bp_ingest_status status;
	bool have_meta;          /* meta is the kommune's verified signed metadata */
	bool authentic;          /* every byte of the file authenticated (the whole
	                          * envelope opened), so keeping it keeps nothing
	                          * an uploader could add behind a valid seal */
	struct bp_env_meta meta;
	uint32_t rows;           /* rows merged (valid rows of the export) */
	char reason[256];        /* why refused or failed; never a value from the file */
	struct bp_diags diags;   /* the validator's errors by line and column */
	char archived[512];      /* MERGED/ALREADY: where the file belongs, relative
	                          * to the archive dir ("YYYY/NNNN/<id hex>.bpx") */
	bool retired_key;        /* verified with a retired key (bpagg rebuild) */
};

void bp_ingest_result_init(struct bp_ingest_result *r);
/* Frees the diagnostics; r can be reused after bp_ingest_result_init. */
void bp_ingest_result_free(struct bp_ingest_result *r);

/*
 * Creates a context from the configuration c (which must outlive it): loads
 * keys/central.box.{pk,sk}, keys/pseudonym.key, the keyring keys/kommuner/,
 * the registry, and opens the store. Returns 0, or -1 with a message in
 * err. The caller frees the context with bp_ingest_free.
 */
int bp_ingest_new(const struct bp_config *c, bp_ingest **out, char *err, size_t errlen);
/*
 * Reloads the kommune keyring and the registry from c (which replaces the
 * configuration the context uses and must outlive it). The secret keys and
 * the store stay as they are (after a privilege drop they may no longer be
 * readable). On error returns -1 and keeps the old keyring and registry.
 */
int bp_ingest_reload(bp_ingest *g, const struct bp_config *c, char *err, size_t errlen);
void bp_ingest_free(bp_ingest *g);
/*
 * bpagg rebuild only: loads the kommune keys that `bpagg register --replace`
 * retired (KEYS/retired/, none when it does not exist), so that a file the
 * registered key does not verify is tried with each key its kommune had
 * before; one signed (by its signed sequence) more than
 * BP_INGEST_FUTURE_SLACK after that key was replaced is refused. bpaggd
 * never calls it. 0, or -1 with err.
 */
int bp_ingest_use_retired(bp_ingest *g, char *err, size_t errlen);

/* The store the context opened; valid until bp_ingest_free. */
bp_store *bp_ingest_store(bp_ingest *g);
/* The number of kommune keys in the keyring. */
size_t bp_ingest_nkeys(const bp_ingest *g);
/* Whether kommune ("NNNN") has a registered signing key. */
bool bp_ingest_knows_kommune(const bp_ingest *g, const char *kommune);

/*
 * Ingests the file at path. r must have been initialised. If archived is
 * NULL, the archive name "YYYY/NNNN/<submission id hex>.bpx" is chosen
 * here ("<id hex>.<16 random hex>.bpx" when that name is taken; never the
 * file's own name) and returned in r->archived; otherwise archived is
 * recorded as is (bpagg rebuild). now is the time recorded as received,
 * upload the daemon's name of the upload ("T-R"; NULL or "": not known),
 * kept in the ledger to tell this upload's merge from a replay's. Returns
 * 0 when r->status says what happened (the file is left where it is in
 * every case: moving it is the caller's job), -1 only on bad arguments.
 */
int bp_ingest_file(bp_ingest *g, const char *path, const char *archived, int64_t now,
    const char *upload, struct bp_ingest_result *r);
/*
 * The same from fd (a regular file the caller opened and checked, read
 * from its current offset; not closed here). With archived NULL (bpaggd)
 * the judgement and the apply are one write transaction of their own; with
 * archived given (bpagg rebuild) they run inside the caller's
 * (bp_store_begin).
 */
int bp_ingest_fd(bp_ingest *g, int fd, const char *archived, int64_t now,
    const char *upload, struct bp_ingest_result *r);

/* Signed years accepted: bp_registry_year_ok, from BP_INGEST_YEAR_MIN to
 * the registry's year plus one (bpaggd(8)); others are refused before the
 * export is read. */
#define BP_INGEST_YEAR_MIN BP_REGISTRY_YEAR_MIN
/* A signed sequence (creation time in ns) more than this many seconds
 * after the time the file was received is refused: a kommune whose clock
 * runs ahead would otherwise make its own later submissions stale. */
#define BP_INGEST_FUTURE_SLACK 900

/*
 * Reads only the verified metadata of the sealed file at path (header and
 * signed metadata chunk). Returns 0, or -1 with a reason in err.
 */
int bp_ingest_peek(bp_ingest *g, const char *path, struct bp_env_meta *meta,
    char *err, size_t errlen);
/* The same from fd (read from its current offset; not closed here):
 * 0, or -1 when it is not a sealed submission of a known kommune. */
int bp_ingest_peek_fd(bp_ingest *g, int fd, struct bp_env_meta *meta);
/*
 * The envelope's head of fd (read from its current offset; not closed
 * here): its cleartext header and signed metadata, not the body.  1 when
 * the head refuses the file (r->status BP_INGEST_REFUSED, r->reason what
 * ingest would say), else 0 (a good head, one still being written, or a
 * read error: the full ingest decides).
 */
int bp_ingest_check_head(bp_ingest *g, int fd, struct bp_ingest_result *r);
/*
 * Whether the head of fd (from its start; not closed here) alone gives the
 * verdict that ingest gives any file with that head that passes the
 * checks before the store's judgement: a submission the store has applied,
 * with the same digest ("already applied"), or a stale one (a sequence not
 * newer than the one applied).  Then 1, and r (initialised by the caller)
 * holds its verified signed metadata, rows as signed, and the status and
 * reason the full ingest gives (r->authentic is left false).  The body is
 * not read, so this says nothing of the rest of the file: bpaggd asks it
 * only to skip the copy and decryption of an upload whose bytes it then
 * finds equal to the copy it kept of that submission, which opened in
 * full when it was ingested (replay.c).  Else 0 (a head that does not
 * open, a kommune or year the registry refuses, a sequence from the
 * future, another verdict, or a store that cannot be read: the full
 * ingest decides).  now: as for bp_ingest_fd.
 */
int bp_ingest_head_judged(bp_ingest *g, int fd, int64_t now, struct bp_ingest_result *r);
/*
 * Copies the sealed file of fd (from its start; not closed here) to out_fd
 * as far as it authenticates (bp_open_copy): never a byte that its
 * kommune's key does not vouch for.  A head that does not open (changed
 * since bp_ingest_check_head, or still being written) leaves out_fd
 * empty, which the full ingest takes as a file still being written.
 * 1 when the file ends before its final chunk (maybe still being written:
 * the copy would open as incomplete), else 0; -1 (errno) when fd could not
 * be read or out_fd written.
 */
int bp_ingest_copy_sealed(bp_ingest *g, int fd, int out_fd);

#endif
