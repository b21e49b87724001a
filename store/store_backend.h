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
 * Adding a backend (PostgreSQL, say) is one new file, store/store_postgresql.c,
 * that defines
 *
 *	const struct bp_store_backend bp_store_backend_postgresql = { ... };
 *
 * plus its line in store.mk and in the backends[] table of store.c, guarded
 * by the configure switch that finds its client library. Until then the name
 * is known to the configuration but refused by bp_store_open with "not built
 * in this version".
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
	    int64_t *received);
	int (*reset_sequence)(void *h, const char *kommune, int year, int64_t when,
	    uint64_t *old);
	int (*begin)(void *h);
	int (*commit)(void *h);
	void (*rollback)(void *h);
};

extern const struct bp_store_backend bp_store_backend_sqlite;

#endif
