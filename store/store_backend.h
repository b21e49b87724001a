/*
 * store_backend.h - the operations a store backend implements (the shape of
 * OpenSMTPD's <module>_backend: one table of functions per backend, one file
 * per backend).
 *
 * store.c keeps a bp_store that holds the chosen backend's table and its
 * opaque handle, and forwards each bp_store_* call to the function of the
 * same name here, with the same contract as in store.h. A backend never
 * sees another backend's handle.
 *
 * A backend is one file (store_sqlite*.c, store_postgresql*.c) that defines
 * its table, listed in the backends[] table of store.c. Both run the same
 * versioned schema (store_schema.h) and lay tallies out the same way
 * (store_codec.h).
 */
#ifndef BP_STORE_BACKEND_H
#define BP_STORE_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct bp_store_backend {
	const char *name; /* the [store] backend value that selects it */

	/*
	 * Opens the store of c; when create is false and the store does not
	 * exist, returns 1 without creating anything. Returns 0 with *h set,
	 * or -1 with a message in err. *h is released with close.
	 */
	int (*open)(const struct bp_config *c, int create, void **h, char *err, size_t errlen);
	void (*close)(void *h);

	int (*judge)(void *h, const struct bp_submission *sub, enum bp_store_verdict *v);
	int (*apply)(void *h, const struct bp_submission *sub, const struct bp_tally *t,
	    const uint8_t *pseudonyms, size_t npseud, const uint8_t catalogue_id[32],
	    char *err, size_t errlen);
	int (*reject)(void *h, const char *kommune, int year, const char *file,
	    const char *reason, int64_t when);
	int (*foreach_tally)(void *h, int year, const uint8_t want_catalogue[32],
	    int (*cb)(const char *kommune, const struct bp_tally *t, void *ud), void *ud);
	int (*foreach_latest)(void *h, int year,
	    int (*cb)(const struct bp_submission *sub, void *ud), void *ud);
	int (*years)(void *h, int **years, size_t *n);
	int (*count_rejected)(void *h, int year, uint64_t *n);
	int (*count_multi_kommune)(void *h, int year, uint64_t *n);
	int (*count_other_catalogue)(void *h, int year, const uint8_t want[32], uint64_t *n);
	int (*clear)(void *h);
	int (*clear_counts)(void *h);
	int (*find_received)(void *h, const char *kommune, const uint8_t id[16],
	    int64_t *received, char *upload);
	int (*reset_sequence)(void *h, const char *kommune, int year, int64_t when,
	    uint64_t *old);
	int (*begin)(void *h);
	/* bp_store_begin_submission; NULL: begin, the whole store's lock. */
	int (*begin_submission)(void *h, const struct bp_submission *sub);
	int (*commit)(void *h);
	void (*rollback)(void *h);

	/* The schema version of the open store (store_schema.h). */
	int (*schema_version)(void *h);
	/* bp_store_unreachable; NULL when the store is never out of reach. */
	bool (*unreachable)(void *h);
	/* Integrity: full = 0 the quick check (the database's structure and
	 * every tally's checksum), 1 the thorough one. 0, or -1 with err. */
	int (*check)(void *h, int full, char *err, size_t errlen);

	/* For copying a store (bpagg store copy) and rebuilding it: every
	 * ledger row in the order recorded (latest: the row stands as its
	 * kommune-year's tally), every rejection, one tally, one kommune-year's
	 * pseudonyms (*ps malloc'ed, the caller frees it), and a ledger row
	 * written alone (a superseded or dry-run submission). */
	int (*foreach_ledger)(void *h,
	    int (*cb)(const struct bp_submission *sub, int latest, void *ud), void *ud);
	int (*foreach_rejection)(void *h, int (*cb)(const struct bp_rejection *r, void *ud),
	    void *ud);
	int (*get_tally)(void *h, int year, const char *kommune, const uint8_t want[32],
	    struct bp_tally *t);
	int (*pseudonyms)(void *h, int year, const char *kommune, uint8_t **ps, size_t *n);
	int (*put_ledger)(void *h, const struct bp_submission *sub, char *err, size_t errlen);
	/* Every sequence reset in the order recorded, and one written as
	 * another store recorded it (its ledger row found by kommune and id). */
	int (*foreach_reset)(void *h,
	    int (*cb)(const struct bp_sequence_reset *r, void *ud), void *ud);
	int (*put_reset)(void *h, const struct bp_sequence_reset *r, char *err, size_t errlen);

	/* bpagg rebuild: where a fresh store is built beside c's (*path
	 * malloc'ed, the caller frees it; NULL when the backend rebuilds in
	 * place, inside one transaction), and swapping it in. NULL when not
	 * needed. */
	int (*fresh_path)(const struct bp_config *c, char **path, char *err, size_t errlen);
	int (*swap_in)(const struct bp_config *c, const char *path, char *err, size_t errlen);
};

extern const struct bp_store_backend bp_store_backend_sqlite;
extern const struct bp_store_backend bp_store_backend_postgresql;

#endif
