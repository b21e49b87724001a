/*
 * store.h - the national aggregate store, behind a small backend interface
 * (SQLite now, PostgreSQL later: see store_backend.h).
 *
 * Per kommune and year it keeps the tally (struct bp_tally, measures.h) of
 * the latest applied submission, the ledger of submissions, rejections, and
 * the pseudonyms of that year with the kommuner that reported them (never
 * any attribute). Applying a submission is one transaction: the kommune's
 * year is replaced whole, or nothing changes.
 *
 * A bp_store handle may be used from one thread at a time (it caches its
 * prepared statements and an encoding buffer); several processes may open
 * the same store (SQLite WAL, busy timeout): writers take turns.
 *
 * Layout (both backends, store_schema.h and store_codec.h): the tally of a
 * kommune and year is one row holding three dense little-endian vectors:
 * counts (bp_n_cells() x u32), sum_n (bp_n_sum_cells() x u32) and sum
 * (bp_n_sum_cells() x u64), with the cell counts and the catalogue id beside
 * them so that a tally of another catalogue is refused, never misread, and a
 * checksum so that a damaged one is refused too.
 *
 * Every open runs the quick integrity check (bp_store_check): a damaged
 * store is refused with a message that says so, never merged into.
 */
#ifndef BP_STORE_H
#define BP_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "measures.h"

typedef struct bp_store bp_store;

/* Room for an upload tag: "<claim time>-<16 hex>" and its NUL. */
#define BP_UPLOAD_TAG_MAX 40

struct bp_submission {
	char kommune[5];
	int year;
	uint8_t id[16];          /* the kommune's random submission id */
	uint64_t sequence;       /* signed, monotonic per kommune */
	uint8_t digest[32];      /* BLAKE2b-256 of the plaintext */
	uint32_t rows;
	int64_t received;        /* unix time the daemon applied it */
	char upload[BP_UPLOAD_TAG_MAX]; /* the daemon's name of the upload that
	                          * carried it ("T-R"), "" when not known */
	bool dry_run;
	char archived[512];      /* path of the archived file, relative to archive dir */
};

/* A refused file as recorded (bp_store_foreach_rejection). */
struct bp_rejection {
	char kommune[5];         /* "" when unknown */
	int year;                /* 0 when unknown */
	const char *file, *reason;
	int64_t at;
};

/* A sequence reset as recorded (bpagg reset-sequence): the ledger row it
 * set aside, named by its kommune and submission id, that row's sequence
 * and when it was set aside. */
struct bp_sequence_reset {
	char kommune[5];
	int year;
	uint8_t id[16];
	uint64_t sequence;
	int64_t at;
};

enum bp_store_verdict {
	BP_STORE_NEW,             /* newer than anything applied: apply it */
	BP_STORE_ALREADY_APPLIED, /* same id and digest applied before: archive, count nothing */
	BP_STORE_STALE,           /* sequence not newer than the last applied: refuse */
	BP_STORE_ID_REUSED,       /* same id, other digest: refuse */
};

/* Opens (creating the schema if needed) the store configured in c. Returns 0
 * or -1 with a message in err. Close with bp_store_close. */
int bp_store_open(const struct bp_config *c, bp_store **out, char *err, size_t errlen);
/* Like bp_store_open, but returns 1 (and *out = NULL) when the store does not
 * exist yet instead of creating it (for readers such as bpagg status). */
int bp_store_open_existing(const struct bp_config *c, bp_store **out, char *err,
    size_t errlen);
/* Like bp_store_open_existing, with the thorough integrity check (every
 * page, then each tally's checksum) in place of the quick one: before a
 * release is made from the store, so that it is not checked twice. */
int bp_store_open_verified(const struct bp_config *c, bp_store **out, char *err,
    size_t errlen);
/* Like bp_store_open_existing, without the integrity check: for bpagg
 * rebuild, to save what can still be read (received times, rejections)
 * from a damaged store. Nothing else may use such a handle. */
int bp_store_open_salvage(const struct bp_config *c, bp_store **out, char *err,
    size_t errlen);
/* Closes the handle and frees it; NULL is allowed. */
void bp_store_close(bp_store *s);
/* Checks [store] backend of c: 0, or -1 with a message in err when the
 * backend is unknown or not built in this version (a configuration error,
 * EX_CONFIG; bp_store_open refuses it the same way). */
int bp_store_check_config(const struct bp_config *c, char *err, size_t errlen);

/* Decides what to do with a submission (see enum). Returns 0 or -1 (I/O). */
int bp_store_judge(bp_store *s, const struct bp_submission *sub, enum bp_store_verdict *v);

/*
 * Applies a submission in one transaction: replaces the kommune's tally for
 * the year, records it in the ledger and replaces its pseudonyms
 * (npseud x 16 bytes). catalogue_id (measures.h) is recorded with the tally.
 * Returns 0, or -1 with nothing changed.
 *
 * A dry run (sub->dry_run) records its ledger row only, with status dry_run:
 * no tally, no pseudonyms, and it is never the kommune's latest applied
 * submission nor counts for STALE (t, pseudonyms and catalogue_id are not
 * read and may be NULL). The judge still finds its id (ALREADY_APPLIED or
 * ID_REUSED). The sequence is stored as the 64-bit pattern and compared
 * unsigned. Pseudonyms repeated within one call are stored once.
 */
int bp_store_apply(bp_store *s, const struct bp_submission *sub, const struct bp_tally *t,
    const uint8_t *pseudonyms, size_t npseud, const uint8_t catalogue_id[32],
    char *err, size_t errlen);

/* Records a refused file (kommune "" and year 0 when unknown) at the
 * current time. file should be a base name; reason must hold no value read
 * from the file. */
int bp_store_reject(bp_store *s, const char *kommune, int year, const char *file,
    const char *reason);

/* Calls cb for every kommune with a tally for year, in kommunenummer order.
 * The tally is valid only during the call. A non-zero cb return stops and is
 * returned. Returns -1 on error, including a tally whose catalogue id is not
 * want_catalogue (the store must be rebuilt: bpagg rebuild). The whole walk
 * reads one snapshot. cb may call the bp_store_count_* functions but must not
 * write through the same handle nor start the same foreach on it (another
 * handle may write meanwhile). */
int bp_store_foreach_tally(bp_store *s, int year, const uint8_t want_catalogue[32],
    int (*cb)(const char *kommune, const struct bp_tally *t, void *ud), void *ud);

/* The latest applied submission per kommune for a year, in kommune order.
 * sub is valid only during the call; a non-zero cb return stops and is
 * returned; -1 on error. */
int bp_store_foreach_latest(bp_store *s, int year,
    int (*cb)(const struct bp_submission *sub, void *ud), void *ud);

/* The years with anything applied or rejected, ascending; *years is
 * malloc'ed, the caller frees it (NULL when *n is 0). Dry runs count as
 * something; the year 0 of rejections whose year is unknown does not. */
int bp_store_years(bp_store *s, int **years, size_t *n);

/* Rejections recorded for a year (0: those whose year was unknown). */
int bp_store_count_rejected(bp_store *s, int year, uint64_t *n);

/* Persons (pseudonyms) reported by more than one kommune in a year. */
int bp_store_count_multi_kommune(bp_store *s, int year, uint64_t *n);

/* Tallies of a year whose catalogue id (or vector sizes) is not want: they
 * must be rebuilt (bpagg rebuild) before bp_store_foreach_tally accepts the
 * year. */
int bp_store_count_other_catalogue(bp_store *s, int year, const uint8_t want[32],
    uint64_t *n);

/* Deletes everything: tallies, ledger, rejections, pseudonyms. Inside a
 * bp_store_begin transaction it is part of it; otherwise it is one
 * transaction of its own. The schema stays. */
int bp_store_clear(bp_store *s);

/* Deletes the tallies, the ledger and the pseudonyms but keeps the
 * rejections (bpagg rebuild: the refused files stay in rejected/). Inside a
 * bp_store_begin transaction it is part of it; otherwise it is one
 * transaction of its own. Returns 0, or -1 with nothing changed. */
int bp_store_clear_counts(bp_store *s);

/* The received time of the kommune's submission id in the ledger (applied
 * or dry run) and, when upload is not NULL, the tag of the upload that
 * carried it ("" when not known): returns 1 with *received (and upload)
 * set, 0 when there is none, -1 on error. */
int bp_store_find_received(bp_store *s, const char *kommune, const uint8_t id[16],
    int64_t *received, char upload[BP_UPLOAD_TAG_MAX]);

/*
 * Sets aside the sequence of the kommune's latest applied submission for
 * year (bpagg reset-sequence), so that a submission sealed with a clock
 * running ahead no longer makes the kommune's later ones stale; the tally
 * stays until the next submission replaces it. Recorded in the store with
 * the time when. Returns 1 with *old the sequence set aside, 0 when there
 * was none to set aside, -1 on error.
 */
int bp_store_reset_sequence(bp_store *s, const char *kommune, int year, int64_t when,
    uint64_t *old);

/*
 * One write transaction over several calls (bpagg rebuild): bp_store_begin
 * takes the write lock (other writers wait, then fail with their busy
 * timeout); bp_store_apply and bp_store_clear_counts inside it are
 * savepoints of it (a failed apply still changes nothing, and the
 * transaction goes on); bp_store_commit makes it all durable at once,
 * bp_store_rollback undoes it all. Each returns 0 or -1; after a failed
 * commit the transaction is rolled back.
 */
int bp_store_begin(bp_store *s);
/*
 * The same for the judge and apply of one submission (the ingest): on
 * SQLite it is bp_store_begin (one writer at a time); on PostgreSQL it
 * holds only sub's kommune-year, so that writers of other kommune-years
 * (a second bpaggd) go on meanwhile, and one stopped inside it holds up
 * only that kommune-year. Ended by bp_store_commit or bp_store_rollback.
 */
int bp_store_begin_submission(bp_store *s, const struct bp_submission *sub);
int bp_store_commit(bp_store *s);
void bp_store_rollback(bp_store *s);

/* The backend's name ("sqlite", "postgresql") and the store's schema
 * version (store_schema.h: the version this program writes is
 * bp_store_schema_version()). */
const char *bp_store_backend_name(bp_store *s);
int bp_store_version(bp_store *s);

/* Whether the store is known to be out of reach (PostgreSQL: the connection
 * was lost and not yet made again; the store has said so once on stderr,
 * and each call tries again on its back-off). Always false for SQLite. */
bool bp_store_unreachable(bp_store *s);

/*
 * Checks the store's integrity: full = 0 the quick check that every open
 * runs (the database's structure and every tally's checksum), 1 the
 * thorough one (before a release is published). Returns 0, or -1 with a
 * message in err saying what is damaged.
 */
int bp_store_check(bp_store *s, int full, char *err, size_t errlen);

/* Records a refused file with the time it was refused (a copy or rebuild
 * keeps the times recorded). */
int bp_store_reject_at(bp_store *s, const char *kommune, int year, const char *file,
    const char *reason, int64_t at);

/* Every ledger row, in the order recorded; latest is 1 when the row is the
 * tally that stands for its kommune and year. sub is valid only during the
 * call; a non-zero cb return stops and is returned; -1 on error. */
int bp_store_foreach_ledger(bp_store *s,
    int (*cb)(const struct bp_submission *sub, int latest, void *ud), void *ud);

/* Every rejection, in the order recorded; r valid only during the call. */
int bp_store_foreach_rejection(bp_store *s,
    int (*cb)(const struct bp_rejection *r, void *ud), void *ud);

/* Every sequence reset, in the order recorded; r valid only during the
 * call; a non-zero cb return stops and is returned; -1 on error. */
int bp_store_foreach_reset(bp_store *s,
    int (*cb)(const struct bp_sequence_reset *r, void *ud), void *ud);

/* Records a sequence reset as another store recorded it (bpagg store
 * copy): the ledger row of r->kommune and r->id must be there already.
 * 0, or -1 with a message in err. */
int bp_store_put_reset(bp_store *s, const struct bp_sequence_reset *r, char *err,
    size_t errlen);

/* The tally of one kommune and year into t (bp_tally_init'ed by the
 * caller): 1 found, 0 none, -1 on error (another catalogue, damaged). */
int bp_store_get_tally(bp_store *s, int year, const char *kommune, const uint8_t want[32],
    struct bp_tally *t);

/* The pseudonyms of a kommune and year, sorted (*ps malloc'ed, npseud x 16
 * bytes; the caller frees it, NULL when *n is 0). */
int bp_store_pseudonyms(bp_store *s, int year, const char *kommune, uint8_t **ps,
    size_t *n);

/* Records a ledger row alone (a submission superseded since, or a dry run):
 * no tally, no pseudonyms. For copying a store. */
int bp_store_put_ledger(bp_store *s, const struct bp_submission *sub, char *err,
    size_t errlen);

/*
 * bpagg rebuild: a fresh store is built beside the configured one and then
 * swapped in. bp_store_fresh_path sets *path (malloc'ed, the caller frees
 * it) to a new, not yet existing store beside c's (SQLite: a file next to
 * [store] path), or to NULL when the backend rebuilds in place inside one
 * transaction (PostgreSQL: readers see the old store until the commit).
 * bp_store_swap_in checks the fresh store and puts it in the place of c's
 * (SQLite: the old file is kept as <path>.before-rebuild, an earlier one
 * as <path>.before-rebuild.N; a kill leaves a store in place). 0 with what
 * was kept said in msg ("" when nothing was swapped), or -1 with msg.
 */
int bp_store_fresh_path(const struct bp_config *c, char **path, char *err, size_t errlen);
int bp_store_swap_in(const struct bp_config *c, const char *path, char *msg, size_t msglen);

#endif
