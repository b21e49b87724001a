/* ingest.c - one sealed submission from file to store; see ingest.h. */
#include "ingest.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "export.h"
#include "io.h"
#include "keys.h"
#include "measures.h"
#include "pseudonym.h"
#include "registry.h"

#include "ingest_private.h"

/* What the row callback works with. */
struct row_ctx {
	bp_ingest *g;
	const struct bp_kommune *kommune;
	enum bp_pseudonym_scope scope;
	int year;
	uint8_t *ps;      /* pseudonyms, BP_PSEUDONYM_BYTES each (malloc) */
	size_t nps, cap;
	int nomem;        /* the row callback ran out of memory */
	bool streamed;    /* the body was read (the envelope opened to its end) */
	struct bp_class cls;
};

const char *
bp_ingest_status_name(enum bp_ingest_status s)
{
	switch (s) {
	case BP_INGEST_MERGED: return "merged";
	case BP_INGEST_ALREADY: return "already_applied";
	case BP_INGEST_REFUSED: return "refused";
	case BP_INGEST_INCOMPLETE: return "incomplete";
	case BP_INGEST_GONE: return "gone";
	case BP_INGEST_ERROR: return "error";
	}
	return "unknown";
}

void
bp_ingest_result_init(struct bp_ingest_result *r)
{
	memset(r, 0, sizeof(*r));
	bp_diags_init(&r->diags);
}

void
bp_ingest_result_free(struct bp_ingest_result *r)
{
	bp_diags_free(&r->diags);
}

static void
keypath(const struct bp_config *c, const char *name, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/%s", c->keys, name);
}

static int
load_keyring_and_registry(const struct bp_config *c, struct bp_keyring **kr,
    struct bp_registry *reg, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	struct bp_diags d;
	int ret = -1;

	bp_diags_init(&d);
	keypath(c, "kommuner", dir, sizeof(dir));
	if (bp_keyring_load(dir, kr, err, errlen) < 0)
		goto out;
	if (bp_registry_load(c->registry, reg, &d) < 0) {
		if (d.n > 0)
			snprintf(err, errlen, "%s:%lu:%u: %s", c->registry, d.v[0].line,
			    d.v[0].col, d.v[0].msg);
		else
			snprintf(err, errlen, "%s: cannot load the kommune registry", c->registry);
		bp_keyring_free(*kr);
		*kr = NULL;
		goto out;
	}
	ret = 0;
out:
	bp_diags_free(&d);
	return ret;
}

static int
load_secrets(bp_ingest *g, char *err, size_t errlen)
{
	char p[PATH_MAX];

	keypath(g->conf, "central.box.pk", p, sizeof(p));
	if (bp_key_load(p, BP_KEY_BOX_PK, &g->central_pk, err, errlen) < 0)
		return -1;
	keypath(g->conf, "central.box.sk", p, sizeof(p));
	if (bp_key_load(p, BP_KEY_BOX_SK, &g->central_sk, err, errlen) < 0)
		return -1;
	keypath(g->conf, "pseudonym.key", p, sizeof(p));
	if (bp_key_load(p, BP_KEY_PSEUDONYM, &g->pseudonym_key, err, errlen) < 0)
		return -1;
	if (g->pseudonym_key.len != 32) {
		snprintf(err, errlen, "%s: pseudonym key has the wrong length", p);
		return -1;
	}
	return 0;
}

int
bp_ingest_new(const struct bp_config *c, bp_ingest **out, char *err, size_t errlen)
{
	bp_ingest *g;
	int ret = -1;

	*out = NULL;
	if (!(g = calloc(1, sizeof(*g)))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	g->conf = c;
	if (load_secrets(g, err, errlen) < 0)
		goto out;
	if (load_keyring_and_registry(c, &g->keyring, &g->registry, err, errlen) < 0)
		goto out;
	g->have_registry = true;
	if (bp_tally_init(&g->tally) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	g->have_tally = true;
	bp_catalogue_id(&c->measures, g->catalogue_id);
	if (bp_store_open(c, &g->store, err, errlen) < 0)
		goto out;
	*out = g;
	ret = 0;
out:
	if (ret < 0)
		bp_ingest_free(g);
	return ret;
}

int
bp_ingest_reload(bp_ingest *g, const struct bp_config *c, char *err, size_t errlen)
{
	struct bp_keyring *kr = NULL;
	struct bp_registry reg;

	memset(&reg, 0, sizeof(reg));
	if (load_keyring_and_registry(c, &kr, &reg, err, errlen) < 0)
		return -1;
	bp_keyring_free(g->keyring);
	if (g->have_registry)
		bp_registry_free(&g->registry);
	g->keyring = kr;
	g->registry = reg;
	g->have_registry = true;
	g->conf = c;
	bp_catalogue_id(&c->measures, g->catalogue_id);
	return 0;
}

void
bp_ingest_free(bp_ingest *g)
{
	if (!g)
		return;
	if (g->store)
		bp_store_close(g->store);
	if (g->have_tally)
		bp_tally_free(&g->tally);
	if (g->have_registry)
		bp_registry_free(&g->registry);
	if (g->keyring)
		bp_keyring_free(g->keyring);
	bp_retired_free(g->retired);
	if (g->central_pk.bytes)
		bp_key_free(&g->central_pk);
	if (g->central_sk.bytes)
		bp_key_free(&g->central_sk);
	if (g->pseudonym_key.bytes)
		bp_key_free(&g->pseudonym_key);
	free(g);
}

bp_store *
bp_ingest_store(bp_ingest *g)
{
	return g->store;
}

size_t
bp_ingest_nkeys(const bp_ingest *g)
{
	return g->keyring ? bp_keyring_count(g->keyring) : 0;
}

bool
bp_ingest_knows_kommune(const bp_ingest *g, const char *kommune)
{
	return g->keyring && bp_keyring_find(g->keyring, kommune) != NULL;
}

int
bp_ingest_use_retired(bp_ingest *g, char *err, size_t errlen)
{
	char dir[PATH_MAX];

	keypath(g->conf, "retired", dir, sizeof(dir));
	bp_retired_free(g->retired);
	g->retired = NULL;
	return bp_retired_load(dir, &g->retired, err, errlen);
}

/* Doubles the pseudonym array; the old one is wiped before it is freed. */
static int
grow_pseudonyms(struct row_ctx *x)
{
	size_t cap = x->cap ? x->cap * 2 : 256;
	uint8_t *p = malloc(cap * BP_PSEUDONYM_BYTES);

	if (!p)
		return -1;
	if (x->ps) {
		memcpy(p, x->ps, x->nps * BP_PSEUDONYM_BYTES);
		sodium_memzero(x->ps, x->cap * BP_PSEUDONYM_BYTES);
		free(x->ps);
	}
	x->ps = p;
	x->cap = cap;
	return 0;
}

/* The row callback: the person_id is used here only, to make the pseudonym. */
static int
on_row(const struct bp_row *row, void *ud)
{
	struct row_ctx *x = ud;
	bp_ingest *g = x->g;

	if (x->nps == x->cap && grow_pseudonyms(x) < 0) {
		x->nomem = 1;
		return 1;
	}
	bp_pseudonym(g->pseudonym_key.bytes, x->scope, x->year, row->person_id,
	    x->ps + x->nps * BP_PSEUDONYM_BYTES);
	x->nps++;
	bp_classify(row, x->kommune, &g->conf->measures, &x->cls);
	bp_tally_add_class(&g->tally, &x->cls);
	return 0;
}

static int
cmp_pseudonym(const void *a, const void *b)
{
	return memcmp(a, b, BP_PSEUDONYM_BYTES);
}

/* Sorts the pseudonyms; returns how many are given more than once. */
static size_t
sort_count_dups(uint8_t *ps, size_t n)
{
	size_t dups = 0;
	if (n > 1)
		qsort(ps, n, BP_PSEUDONYM_BYTES, cmp_pseudonym);
	for (size_t i = 1; i < n; i++)
		if (!memcmp(ps + (i - 1) * BP_PSEUDONYM_BYTES, ps + i * BP_PSEUDONYM_BYTES,
		    BP_PSEUDONYM_BYTES))
			dups++;
	return dups;
}

/*
 * Streams the decrypted plaintext through the validator. Returns 0 when the
 * envelope and the export are both complete and valid; otherwise sets r.
 */
static int
stream_export(bp_ingest *g, bp_open *o, struct row_ctx *x, struct bp_ingest_result *r)
{
	struct bp_export_opts opts = {
		.expect_kommune = r->meta.kommune,
		.expect_year = r->meta.year,
		.registry = &g->registry,
		.max_rows = g->conf->max_rows,
	};
	bp_export *xp = bp_export_new(&opts, on_row, x);
	enum bp_env_error e;
	int ret = -1, bad_export = 0;

	if (!xp) {
		r->status = BP_INGEST_ERROR;
		snprintf(r->reason, sizeof(r->reason), "out of memory");
		return -1;
	}
	for (;;) {
		const uint8_t *buf;
		size_t len;
		if ((e = bp_open_next(o, &buf, &len)) != BP_ENV_OK) {
			bp__ingest_env_failed(r, e);
			goto out;
		}
		if (len == 0)
			break;
		if (!bad_export && bp_export_feed(xp, buf, len) < 0)
			bad_export = 1; /* keep reading: an envelope defect is the better reason */
	}
	if ((e = bp_open_end(o)) != BP_ENV_OK) {
		bp__ingest_env_failed(r, e);
		goto out;
	}
	r->authentic = true;
	if (!bad_export && bp_export_finish(xp) < 0)
		bad_export = 1;
	const struct bp_diags *d = bp_export_diags(xp);
	if (x->nomem) {
		r->status = BP_INGEST_ERROR;
		snprintf(r->reason, sizeof(r->reason), "out of memory");
		goto out;
	}
	if (bad_export || d->total > 0) {
		r->status = BP_INGEST_REFUSED;
		snprintf(r->reason, sizeof(r->reason), "invalid export: %zu error%s",
		    d->total, d->total == 1 ? "" : "s");
		for (size_t i = 0; i < d->n; i++)
			bp_diags_add(&r->diags, d->v[i].line, d->v[i].col, d->v[i].column,
			    "%s", d->v[i].msg);
		r->diags.total = d->total;
		goto out;
	}
	if (bp_export_rows(xp) != r->meta.rows || x->nps != r->meta.rows) {
		r->status = BP_INGEST_REFUSED;
		snprintf(r->reason, sizeof(r->reason),
		    "row count differs from the signed metadata");
		goto out;
	}
	ret = 0;
out:
	bp_export_free(xp);
	return ret;
}

static bool
exists_in(const char *dir, const char *rel)
{
	char p[PATH_MAX];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	return lstat(p, &st) == 0;
}

/*
 * Chooses "YYYY/NNNN/<submission id hex>.bpx" under the archive dir; when
 * that name is taken (the same submission again), "<id hex>.<16 random
 * hex>.bpx". The name the file had in the inbox is never used: it may be
 * anything, a person_id included.
 */
static void
choose_archive_name(const bp_ingest *g, const struct bp_env_meta *m, char *out,
    size_t outlen)
{
	char id[2 * sizeof(m->submission_id) + 1];

	sodium_bin2hex(id, sizeof(id), m->submission_id, sizeof(m->submission_id));
	snprintf(out, outlen, "%04u/%s/%s.bpx", (unsigned)m->year, m->kommune, id);
	while (exists_in(g->conf->archive, out)) {
		uint8_t rnd[8];
		char hex[17];
		randombytes_buf(rnd, sizeof(rnd));
		sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
		snprintf(out, outlen, "%04u/%s/%s.%s.bpx", (unsigned)m->year, m->kommune, id, hex);
	}
}

static void
fill_submission(const struct bp_ingest_result *r, int64_t now, const char *upload,
    struct bp_submission *s)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->kommune, r->meta.kommune, sizeof(s->kommune));
	s->year = r->meta.year;
	memcpy(s->id, r->meta.submission_id, sizeof(s->id));
	s->sequence = r->meta.sequence;
	memcpy(s->digest, r->meta.digest, sizeof(s->digest));
	s->rows = r->rows;
	s->received = now;
	snprintf(s->upload, sizeof(s->upload), "%s", upload ? upload : "");
	s->dry_run = r->meta.dry_run;
	snprintf(s->archived, sizeof(s->archived), "%s", r->archived);
}

#define STALE_REASON "stale: sequence not newer than the last applied submission"

/* Judges and (for a new submission) applies sub; sets r->status. */
static void
judge_apply_in(bp_ingest *g, const struct row_ctx *x, const struct bp_submission *subp,
    struct bp_ingest_result *r)
{
	struct bp_submission sub = *subp;
	enum bp_store_verdict v;
	char err[200];

	if (bp_store_judge(g->store, &sub, &v) < 0) {
		r->status = BP_INGEST_ERROR;
		snprintf(r->reason, sizeof(r->reason), "store: cannot judge the submission");
		return;
	}
	switch (v) {
	case BP_STORE_ALREADY_APPLIED:
		r->status = BP_INGEST_ALREADY;
		snprintf(r->reason, sizeof(r->reason), "already applied");
		return;
	case BP_STORE_STALE:
		r->status = BP_INGEST_REFUSED;
		snprintf(r->reason, sizeof(r->reason), STALE_REASON);
		return;
	case BP_STORE_ID_REUSED:
		r->status = BP_INGEST_REFUSED;
		snprintf(r->reason, sizeof(r->reason),
		    "submission id reused with different content");
		return;
	case BP_STORE_NEW:
		break;
	}
	if (bp_store_apply(g->store, &sub, &g->tally, x->ps, x->nps, g->catalogue_id,
	    err, sizeof(err)) < 0) {
		r->status = BP_INGEST_ERROR;
		/* The store's messages begin with "store: " already. */
		snprintf(r->reason, sizeof(r->reason), "%s%s",
		    strncmp(err, "store: ", 7) ? "store: " : "", err);
		return;
	}
	r->status = BP_INGEST_MERGED;
	snprintf(r->reason, sizeof(r->reason), "%s", sub.dry_run ? "dry run: validated" : "merged");
}

/*
 * Judge and apply in one write transaction (own_tx), so that no other
 * writer can apply the same submission between the two (it holds the
 * submission's kommune-year, not the whole store); inside a caller's
 * transaction (bpagg rebuild) as they are.
 */
static void
judge_apply(bp_ingest *g, const struct row_ctx *x, int64_t now, const char *upload,
    bool own_tx, struct bp_ingest_result *r)
{
	struct bp_submission sub;

	fill_submission(r, now, upload, &sub);
	if (own_tx && bp_store_begin_submission(g->store, &sub) < 0) {
		r->status = BP_INGEST_ERROR;
		/* PostgreSQL: another writer holds the kommune-year past
		 * [store] lock_timeout, or the store is out of reach. */
		snprintf(r->reason, sizeof(r->reason), "store: cannot begin the transaction of "
		    "kommune %s year %u (its lock is held by another writer, or the store is "
		    "out of reach); tried again later", sub.kommune, (unsigned)sub.year);
		return;
	}
	judge_apply_in(g, x, &sub, r);
	if (!own_tx)
		return;
	if (r->status == BP_INGEST_ERROR) {
		bp_store_rollback(g->store);
	} else if (bp_store_commit(g->store) < 0) {
		r->status = BP_INGEST_ERROR;
		snprintf(r->reason, sizeof(r->reason), "store: cannot commit");
	}
}

/* A refusal decided before the body was read: the rest of the envelope
 * is still opened (and dropped) so that the caller knows whether every
 * byte is authentic; the status and reason stay as they are. */
static void
authenticate_rest(bp_open *o, struct bp_ingest_result *r)
{
	const uint8_t *buf;
	size_t len;

	for (;;) {
		if (bp_open_next(o, &buf, &len) != BP_ENV_OK)
			return;
		if (len == 0)
			break;
	}
	r->authentic = bp_open_end(o) == BP_ENV_OK;
}

/* Everything after a successful bp_open_begin. */
static void
ingest_body(bp_ingest *g, bp_open *o, const char *archived,
    int64_t now, const char *upload, struct bp_ingest_result *r)
{
	struct row_ctx *x = calloc(1, sizeof(*x));

	if (!x) {
		r->status = BP_INGEST_ERROR;
		snprintf(r->reason, sizeof(r->reason), "out of memory");
		return;
	}
	x->g = g;
	x->year = r->meta.year;
	x->scope = strcmp(g->conf->pseudonym_scope, "year") ? BP_SCOPE_GLOBAL : BP_SCOPE_YEAR;
	if (!(x->kommune = bp_registry_find(&g->registry, r->meta.kommune))) {
		r->status = BP_INGEST_REFUSED;
		snprintf(r->reason, sizeof(r->reason), "kommune not in the kommune registry");
		goto out;
	}
	/* Before the export is read: year 0 would turn its year check off. */
	if (!bp_registry_year_ok(&g->registry, r->meta.year)) {
		r->status = BP_INGEST_REFUSED;
		snprintf(r->reason, sizeof(r->reason), "signed year outside the registry's span "
		    "(%d to %d)", BP_REGISTRY_YEAR_MIN, bp_registry_year_max(&g->registry));
		goto out;
	}
	if (r->meta.sequence / 1000000000u > (uint64_t)(now > 0 ? now : 0) +
	    BP_INGEST_FUTURE_SLACK) {
		r->status = BP_INGEST_REFUSED;
		snprintf(r->reason, sizeof(r->reason), "sequence from the future: sealed more "
		    "than %d seconds after it was received (check the kommune's clock)",
		    BP_INGEST_FUTURE_SLACK);
		goto out;
	}
	bp_tally_clear(&g->tally);
	x->streamed = true;
	if (stream_export(g, o, x, r) < 0)
		goto out;
	if (sort_count_dups(x->ps, x->nps) > 0) {
		r->status = BP_INGEST_REFUSED;
		snprintf(r->reason, sizeof(r->reason), "a person is given more than once");
		goto out;
	}
	r->rows = (uint32_t)x->nps;
	if (archived)
		snprintf(r->archived, sizeof(r->archived), "%s", archived);
	else
		choose_archive_name(g, &r->meta, r->archived, sizeof(r->archived));
	judge_apply(g, x, now, upload, archived == NULL, r);
	goto done;
out:
	if (r->status == BP_INGEST_REFUSED && !r->authentic && !x->streamed)
		authenticate_rest(o, r);
done:
	if (x->ps) {
		sodium_memzero(x->ps, x->cap * BP_PSEUDONYM_BYTES);
		free(x->ps);
	}
	sodium_memzero(x, sizeof(*x));
	free(x);
	bp_tally_clear(&g->tally);
}

int
bp_ingest_fd(bp_ingest *g, int fd, const char *archived, int64_t now,
    const char *upload, struct bp_ingest_result *r)
{
	bp_open *o = NULL;
	enum bp_env_error e;
	int64_t late;

	if (!g || fd < 0 || !r)
		return -1;
	r->status = BP_INGEST_ERROR;
	r->have_meta = false;
	r->authentic = false;
	e = bp__ingest_open_envelope(g, fd, &r->meta, &o, &r->retired_key, &late);
	if (e != BP_ENV_OK) {
		bp__ingest_env_failed(r, e);
		if (late >= 0)
			bp__ingest_late_reason(r->reason, sizeof(r->reason), g->claimed, late);
		goto out;
	}
	r->have_meta = true;
	ingest_body(g, o, archived, now, upload, r);
out:
	if (o)
		bp_open_free(o);
	return 0;
}

int
bp_ingest_head_judged(bp_ingest *g, int fd, int64_t now, struct bp_ingest_result *r)
{
	struct bp_submission sub;
	enum bp_store_verdict v;
	const struct bp_env_meta *m = &r->meta;

	if (!g || fd < 0 || !r)
		return 0;
	if (lseek(fd, 0, SEEK_SET) != 0 || bp_ingest_peek_fd(g, fd, &r->meta) != 0)
		goto no;
	/* what ingest_body refuses before the judge keeps its own reason */
	if (!bp_registry_find(&g->registry, m->kommune) ||
	    !bp_registry_year_ok(&g->registry, m->year) ||
	    m->sequence / 1000000000u > (uint64_t)(now > 0 ? now : 0) + BP_INGEST_FUTURE_SLACK)
		goto no;
	r->rows = m->rows;
	fill_submission(r, now, NULL, &sub);
	if (bp_store_judge(g->store, &sub, &v) < 0)
		goto no;
	if (v == BP_STORE_ALREADY_APPLIED) {
		r->status = BP_INGEST_ALREADY;
		snprintf(r->reason, sizeof(r->reason), "already applied");
	} else if (v == BP_STORE_STALE) {
		r->status = BP_INGEST_REFUSED;
		snprintf(r->reason, sizeof(r->reason), STALE_REASON);
	} else {
		goto no;
	}
	r->have_meta = true;
	return 1;
no:
	sodium_memzero(&r->meta, sizeof(r->meta));
	r->rows = 0;
	return 0;
}

int
bp_ingest_file(bp_ingest *g, const char *path, const char *archived, int64_t now,
    const char *upload, struct bp_ingest_result *r)
{
	int fd;

	if (!g || !path || !r)
		return -1;
	r->status = BP_INGEST_ERROR;
	r->have_meta = false;
	if ((fd = bp__ingest_open_capped(path, g->conf->max_file_bytes, r)) < 0)
		return 0;
	bp_ingest_fd(g, fd, archived, now, upload, r);
	close(fd);
	return 0;
}
