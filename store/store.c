/*
 * store.c - the front of the national aggregate store: picks the backend
 * named by [store] backend and forwards every call to it (store_backend.h).
 */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_backend.h"

struct bp_store {
	const struct bp_store_backend *be;
	void *h;
};

/* The backends built in. */
static const struct bp_store_backend *const backends[] = {
	&bp_store_backend_sqlite,
	&bp_store_backend_postgresql,
};

static const struct bp_store_backend *
find_backend(const char *name, char *err, size_t errlen)
{
	const char *n = (name && *name) ? name : "sqlite";

	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (!strcmp(backends[i]->name, n))
			return backends[i];
	snprintf(err, errlen, "[store] backend: unknown backend (use sqlite or postgresql)");
	return NULL;
}

int
bp_store_check_config(const struct bp_config *c, char *err, size_t errlen)
{
	const struct bp_store_backend *be = find_backend(c->store_backend, err, errlen);

	if (be == &bp_store_backend_postgresql && (!c->store_dsn || !*c->store_dsn)) {
		snprintf(err, errlen, "[store] backend postgresql: [store] dsn is not set");
		return -1;
	}
	return be ? 0 : -1;
}

/* Opens the store; *out is freed by bp_store_close. Returns 0, 1 (missing,
 * only when create is 0) or -1 with a message in err. check: 0 none, 1 the
 * quick integrity check, 2 the thorough one. */
static int
store_open(const struct bp_config *c, int create, int check, bp_store **out, char *err,
    size_t errlen)
{
	const struct bp_store_backend *be;
	bp_store *s = NULL;
	int ret = -1, r;

	*out = NULL;
	if (bp_store_check_config(c, err, errlen) < 0 ||
	    !(be = find_backend(c->store_backend, err, errlen)))
		goto out;
	if (!(s = calloc(1, sizeof(*s)))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	s->be = be;
	if ((r = be->open(c, create, &s->h, err, errlen)) != 0) {
		ret = r;
		goto out;
	}
	/* A damaged store is refused before anything reads or merges into it. */
	if (check && be->check(s->h, check > 1, err, errlen) < 0) {
		be->close(s->h);
		goto out;
	}
	*out = s;
	s = NULL;
	ret = 0;
out:
	free(s);
	return ret;
}

int
bp_store_open(const struct bp_config *c, bp_store **out, char *err, size_t errlen)
{
	return store_open(c, 1, 1, out, err, errlen);
}

int
bp_store_open_existing(const struct bp_config *c, bp_store **out, char *err, size_t errlen)
{
	return store_open(c, 0, 1, out, err, errlen);
}

int
bp_store_open_verified(const struct bp_config *c, bp_store **out, char *err, size_t errlen)
{
	return store_open(c, 0, 2, out, err, errlen);
}

int
bp_store_open_salvage(const struct bp_config *c, bp_store **out, char *err, size_t errlen)
{
	return store_open(c, 0, 0, out, err, errlen);
}

void
bp_store_close(bp_store *s)
{
	if (!s)
		return;
	s->be->close(s->h);
	free(s);
}

int
bp_store_judge(bp_store *s, const struct bp_submission *sub, enum bp_store_verdict *v)
{
	return s->be->judge(s->h, sub, v);
}

int
bp_store_apply(bp_store *s, const struct bp_submission *sub, const struct bp_tally *t,
    const uint8_t *pseudonyms, size_t npseud, const uint8_t catalogue_id[32],
    char *err, size_t errlen)
{
	return s->be->apply(s->h, sub, t, pseudonyms, npseud, catalogue_id, err, errlen);
}

int
bp_store_reject(bp_store *s, const char *kommune, int year, const char *file,
    const char *reason)
{
	return s->be->reject(s->h, kommune ? kommune : "", year, file ? file : "",
	    reason ? reason : "", (int64_t)time(NULL));
}

int
bp_store_foreach_tally(bp_store *s, int year, const uint8_t want_catalogue[32],
    int (*cb)(const char *kommune, const struct bp_tally *t, void *ud), void *ud)
{
	return s->be->foreach_tally(s->h, year, want_catalogue, cb, ud);
}

int
bp_store_foreach_latest(bp_store *s, int year,
    int (*cb)(const struct bp_submission *sub, void *ud), void *ud)
{
	return s->be->foreach_latest(s->h, year, cb, ud);
}

int
bp_store_years(bp_store *s, int **years, size_t *n)
{
	return s->be->years(s->h, years, n);
}

int
bp_store_count_rejected(bp_store *s, int year, uint64_t *n)
{
	return s->be->count_rejected(s->h, year, n);
}

int
bp_store_count_multi_kommune(bp_store *s, int year, uint64_t *n)
{
	return s->be->count_multi_kommune(s->h, year, n);
}

int
bp_store_count_other_catalogue(bp_store *s, int year, const uint8_t want[32], uint64_t *n)
{
	return s->be->count_other_catalogue(s->h, year, want, n);
}

int
bp_store_clear(bp_store *s)
{
	return s->be->clear(s->h);
}

int
bp_store_clear_counts(bp_store *s)
{
	return s->be->clear_counts(s->h);
}

int
bp_store_find_received(bp_store *s, const char *kommune, const uint8_t id[16],
    int64_t *received, char upload[BP_UPLOAD_TAG_MAX])
{
	char tag[BP_UPLOAD_TAG_MAX];

	if (!kommune || !id || !received)
		return -1;
	return s->be->find_received(s->h, kommune, id, received, upload ? upload : tag);
}

int
bp_store_reset_sequence(bp_store *s, const char *kommune, int year, int64_t when,
    uint64_t *old)
{
	if (!kommune || !old)
		return -1;
	return s->be->reset_sequence(s->h, kommune, year, when, old);
}

int
bp_store_begin(bp_store *s)
{
	return s->be->begin(s->h);
}

int
bp_store_begin_submission(bp_store *s, const struct bp_submission *sub)
{
	return s->be->begin_submission ? s->be->begin_submission(s->h, sub) : s->be->begin(s->h);
}

int
bp_store_commit(bp_store *s)
{
	return s->be->commit(s->h);
}

void
bp_store_rollback(bp_store *s)
{
	s->be->rollback(s->h);
}

const char *
bp_store_backend_name(bp_store *s)
{
	return s->be->name;
}

int
bp_store_version(bp_store *s)
{
	return s->be->schema_version(s->h);
}

bool
bp_store_unreachable(bp_store *s)
{
	return s && s->be->unreachable && s->be->unreachable(s->h);
}

int
bp_store_check(bp_store *s, int full, char *err, size_t errlen)
{
	return s->be->check(s->h, full, err, errlen);
}

int
bp_store_reject_at(bp_store *s, const char *kommune, int year, const char *file,
    const char *reason, int64_t at)
{
	return s->be->reject(s->h, kommune ? kommune : "", year, file ? file : "",
	    reason ? reason : "", at);
}

int
bp_store_foreach_ledger(bp_store *s,
    int (*cb)(const struct bp_submission *sub, int latest, void *ud), void *ud)
{
	return s->be->foreach_ledger(s->h, cb, ud);
}

int
bp_store_foreach_rejection(bp_store *s,
    int (*cb)(const struct bp_rejection *r, void *ud), void *ud)
{
	return s->be->foreach_rejection(s->h, cb, ud);
}

int
bp_store_get_tally(bp_store *s, int year, const char *kommune, const uint8_t want[32],
    struct bp_tally *t)
{
	return s->be->get_tally(s->h, year, kommune, want, t);
}

int
bp_store_pseudonyms(bp_store *s, int year, const char *kommune, uint8_t **ps, size_t *n)
{
	return s->be->pseudonyms(s->h, year, kommune, ps, n);
}

int
bp_store_put_ledger(bp_store *s, const struct bp_submission *sub, char *err, size_t errlen)
{
	return s->be->put_ledger(s->h, sub, err, errlen);
}

int
bp_store_foreach_reset(bp_store *s,
    int (*cb)(const struct bp_sequence_reset *r, void *ud), void *ud)
{
	return s->be->foreach_reset(s->h, cb, ud);
}

int
bp_store_put_reset(bp_store *s, const struct bp_sequence_reset *r, char *err, size_t errlen)
{
	return s->be->put_reset(s->h, r, err, errlen);
}

/* *path is malloc'ed by the backend (or NULL); the caller frees it. */
int
bp_store_fresh_path(const struct bp_config *c, char **path, char *err, size_t errlen)
{
	const struct bp_store_backend *be = find_backend(c->store_backend, err, errlen);

	*path = NULL;
	if (!be)
		return -1;
	return be->fresh_path ? be->fresh_path(c, path, err, errlen) : 0;
}

int
bp_store_swap_in(const struct bp_config *c, const char *path, char *msg, size_t msglen)
{
	const struct bp_store_backend *be = find_backend(c->store_backend, msg, msglen);

	if (!be)
		return -1;
	if (msglen)
		msg[0] = '\0';
	if (!path)
		return 0;
	return be->swap_in ? be->swap_in(c, path, msg, msglen) : -1;
}
