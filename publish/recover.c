/*
 * recover.c - what bpagg publish does first: check the suppression log and
 * clear up after an interrupted publish; see recover.h.
 */
#include "recover.h"

#include <limits.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "keys.h"
#include "release_dir.h"

/* The committed release ids of the log in order, for bp_release_recover:
 * *ids points into *store; the caller frees both. Returns the count, or
 * (size_t)-1 (ENOMEM). */
static size_t
logged_ids(const struct bp_suplog *l, const char ***ids, char **store)
{
	char type[16];
	size_t n = 0;
	*ids = NULL;
	*store = NULL;
	if (l->ncommitted == 0)
		return 0;
	if (!(*ids = calloc(l->ncommitted, sizeof(**ids))) ||
	    !(*store = calloc(l->ncommitted, BP_SUPLOG_ID_MAX)))
		return (size_t)-1;
	for (size_t i = 0; i < l->ncommitted; i++) {
		char *id = *store + n * BP_SUPLOG_ID_MAX;
		if (bp_suplog_get(l, i, "type", type, sizeof(type)) == 0 &&
		    !strcmp(type, "release") &&
		    bp_suplog_get(l, i, "release", id, BP_SUPLOG_ID_MAX) == 0)
			(*ids)[n++] = id;
	}
	return n;
}

int
bp_log_tail_cut(const struct bp_config *c, const struct bp_suplog *l, char *err, size_t errlen)
{
	char type[16], id[128], path[PATH_MAX];

	for (size_t i = l->ncommitted; i < l->nline; i++) {
		if (bp_suplog_get(l, i, "type", type, sizeof(type)) != 0 || strcmp(type, "release") ||
		    bp_suplog_get(l, i, "release", id, sizeof(id)) != 0)
			continue;
		bool sealed = bp_suplog_sealed_entry(l, id) != SIZE_MAX;
		if (sealed || bp_release_kept_dir(c, id, false, path, sizeof(path)) == 0) {
			snprintf(err, errlen, "%s:%zu: release %s of the unsealed tail %s; an append "
			    "publish never finished has neither, so its seal was cut off or removed",
			    c->suppression_log, i + 1, id, sealed ? "was sealed before" :
			    "has its folder kept in releases/");
			return 1;
		}
	}
	return 0;
}

int
bp_publish_recover(const struct bp_config *c, struct bp_suplog *l, const struct bp_key *sk,
    FILE *notes, char *err, size_t errlen)
{
	struct bp_key pk;
	char why[600], note[512], *store;
	const char **ids;
	size_t bad;

	memset(&pk, 0, sizeof(pk));
	pk.alg = BP_KEY_SIGN_PK;
	memcpy(pk.id, sk->id, sizeof(pk.id));
	pk.bytes = sk->bytes + crypto_sign_SEEDBYTES;   /* libsodium: seed, then pk */
	pk.len = crypto_sign_PUBLICKEYBYTES;
	if (bp_suplog_verify(l, &pk, &bad, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s:%zu: %s; nothing is appended to a broken log "
		    "(see bpagg audit)", c->suppression_log, bad, why);
		return EX_DATAERR;
	}
	/* a cut seal is not an interrupted append: rolling it back would
	 * drop a published release (found by a hostile review) */
	if (l->ncommitted < l->nline && bp_log_tail_cut(c, l, why, sizeof(why))) {
		snprintf(err, errlen, "%s; nothing is appended, and nothing rolled back, until the "
		    "log is restored (see bpagg audit)", why);
		return EX_DATAERR;
	}
	int rc = bp_suplog_rollback(l, note, sizeof(note), err, errlen);
	if (rc < 0)
		return EX_IOERR;
	if (rc > 0 && notes)
		fprintf(notes, "note: %s: %s\n", c->suppression_log, note);
	size_t n = logged_ids(l, &ids, &store);
	rc = n == (size_t)-1 ? -1 : bp_release_recover(c, ids, n, notes, err, errlen);
	if (n == (size_t)-1)
		snprintf(err, errlen, "out of memory");
	free(ids);
	free(store);
	return rc < 0 ? EX_IOERR : 0;
}

