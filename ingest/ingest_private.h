/*
 * ingest_private.h - what ingest.c and envelope_open.c share: the
 * context, and opening a submission's envelope (envelope_open.c).
 */
#ifndef BP_INGEST_PRIVATE_H
#define BP_INGEST_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "envelope.h"
#include "ingest.h"
#include "keys.h"
#include "registry.h"

struct bp_ingest {
	const struct bp_config *conf;
	struct bp_key central_pk, central_sk, pseudonym_key;
	struct bp_keyring *keyring;
	struct bp_retired *retired; /* bpagg rebuild only (bp_ingest_use_retired) */
	char claimed[5];            /* the kommune the file being opened names */
	struct bp_registry registry;
	bool have_registry;
	bp_store *store;
	struct bp_tally tally;
	bool have_tally;
	uint8_t catalogue_id[32];
};

/*
 * bp_open_begin on fd; with retired keys loaded (bpagg rebuild), a file
 * whose signature the registered key refuses is tried again from its start
 * with each key the kommune had before, the latest retired first. A file
 * signed more than BP_INGEST_FUTURE_SLACK after its key was retired (by the
 * signed sequence, the kommune's clock) is refused: *late is then the time
 * the key was retired, else -1. *retired tells a file verified so. On
 * success *o is a reader the caller frees (bp_open_free).
 */
enum bp_env_error bp__ingest_open_envelope(bp_ingest *g, int fd, struct bp_env_meta *meta,
    bp_open **o, bool *retired, int64_t *late);
/* The reason for a file signed after its key was retired at t. */
void bp__ingest_late_reason(char *out, size_t outlen, const char *kommune, int64_t t);
/* Opens path for reading: no symlinks, a regular file, at most max bytes.
 * Returns the fd, or -1 with r->status and r->reason set. */
int bp__ingest_open_capped(const char *path, unsigned long max, struct bp_ingest_result *r);
/* Maps an envelope error to a status and reason. */
void bp__ingest_env_failed(struct bp_ingest_result *r, enum bp_env_error e);

#endif
