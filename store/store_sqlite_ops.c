/*
 * store_sqlite_ops.c - the SQLite backend's statements: judging, applying,
 * rejecting, and reading the store back (store_sqlite.h). Prepared
 * statements are cached in the handle; the handle is for one thread at a
 * time.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_codec.h"
#include "store_sqlite.h"

static const char *const stmt_sql[SQ_NSTMT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	/* One statement, one snapshot: read as two, another process's commit
	 * could fall between them, and its submission look stale instead of
	 * already applied. */
	[ST_JUDGE] = "SELECT (SELECT digest FROM ledger WHERE kommune = ?1 AND "
	    "submission_id = ?2), (SELECT l.sequence FROM tally t JOIN ledger l ON "
	    "l.id = t.ledger_id WHERE t.year = ?3 AND t.kommune = ?1 AND NOT EXISTS "
	    "(SELECT 1 FROM sequence_reset r WHERE r.ledger_id = t.ledger_id))",
	[ST_RESET_SEQ] = "INSERT INTO sequence_reset (year, kommune, ledger_id, sequence, at) "
	    "SELECT t.year, t.kommune, t.ledger_id, l.sequence, ?3 FROM tally t "
	    "JOIN ledger l ON l.id = t.ledger_id WHERE t.year = ?1 AND t.kommune = ?2 "
	    "AND NOT EXISTS (SELECT 1 FROM sequence_reset r WHERE r.ledger_id = t.ledger_id) "
	    "RETURNING sequence",
	[ST_INS_LEDGER] = "INSERT INTO ledger (kommune, year, submission_id, sequence, digest, "
	    "rows, received, status, archived, upload) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULLIF(?10, ''))",
	[ST_PUT_TALLY] = "INSERT INTO tally (year, kommune, ledger_id, rows, catalogue_id, "
	    "ncells, nsum, counts, sum_n, sums, checksum) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
	    "ON CONFLICT (year, kommune) DO UPDATE SET ledger_id = excluded.ledger_id, "
	    "rows = excluded.rows, catalogue_id = excluded.catalogue_id, "
	    "ncells = excluded.ncells, nsum = excluded.nsum, counts = excluded.counts, "
	    "sum_n = excluded.sum_n, sums = excluded.sums, checksum = excluded.checksum",
	[ST_DEL_PSEUD] = "DELETE FROM pseudonym WHERE year = ?1 AND kommune = ?2",
	[ST_INS_PSEUD] = "INSERT OR IGNORE INTO pseudonym (year, pseudonym, kommune) "
	    "VALUES (?1, ?2, ?3)",
	/* once per file: the daemon records a refusal again after a crash */
	[ST_INS_REJECT] = "INSERT INTO rejection (kommune, year, file, reason, at) "
	    "SELECT ?1, ?2, ?3, ?4, ?5 WHERE NOT EXISTS "
	    "(SELECT 1 FROM rejection WHERE file = ?3)",
	[ST_TALLIES] = "SELECT kommune, rows, catalogue_id, ncells, nsum, counts, sum_n, sums, "
	    "checksum FROM tally WHERE year = ?1 ORDER BY kommune",
	[ST_LATEST] = "SELECT l.kommune, l.year, l.submission_id, l.sequence, l.digest, l.rows, "
	    "l.received, l.archived, l.status, l.upload FROM tally t "
	    "JOIN ledger l ON l.id = t.ledger_id WHERE t.year = ?1 ORDER BY t.kommune",
	[ST_YEARS] = "SELECT year FROM ledger UNION SELECT year FROM rejection "
	    "WHERE year <> 0 ORDER BY 1",
	[ST_COUNT_REJ] = "SELECT count(*) FROM rejection WHERE year = ?1",
	[ST_COUNT_MULTI] = "SELECT count(*) FROM (SELECT 1 FROM pseudonym WHERE year = ?1 "
	    "GROUP BY pseudonym HAVING count(*) > 1)",
	[ST_COUNT_OTHER] = "SELECT count(*) FROM tally WHERE year = ?1 AND "
	    "(catalogue_id <> ?2 OR ncells <> ?3 OR nsum <> ?4)",
	[ST_FIND_RECEIVED] = "SELECT received, upload FROM ledger WHERE kommune = ?1 AND "
	    "submission_id = ?2",
	[ST_LEDGER_ALL] = "SELECT l.kommune, l.year, l.submission_id, l.sequence, l.digest, "
	    "l.rows, l.received, l.archived, l.status, l.upload, "
	    "EXISTS (SELECT 1 FROM tally t WHERE t.ledger_id = l.id) FROM ledger l ORDER BY l.id",
	[ST_REJ_ALL] = "SELECT kommune, year, file, reason, at FROM rejection ORDER BY id",
	[ST_RESETS_ALL] = "SELECT r.kommune, r.year, l.submission_id, r.sequence, r.at "
	    "FROM sequence_reset r JOIN ledger l ON l.id = r.ledger_id ORDER BY r.id",
	[ST_PUT_RESET] = "INSERT INTO sequence_reset (year, kommune, ledger_id, sequence, at) "
	    "SELECT ?1, ?2, id, ?4, ?5 FROM ledger WHERE kommune = ?2 AND submission_id = ?3",
	[ST_ONE_TALLY] = "SELECT kommune, rows, catalogue_id, ncells, nsum, counts, sum_n, "
	    "sums, checksum FROM tally WHERE year = ?1 AND kommune = ?2",
	[ST_PSEUD_OF] = "SELECT pseudonym FROM pseudonym WHERE year = ?1 AND kommune = ?2 "
	    "ORDER BY pseudonym",
};

sqlite3_stmt *
bp_sq_stmt(struct sq *q, enum sq_stmt k)
{
	if (!q->st[k] && sqlite3_prepare_v3(q->db, stmt_sql[k], -1,
	    SQLITE_PREPARE_PERSISTENT, &q->st[k], NULL) != SQLITE_OK)
		return NULL;
	sqlite3_reset(q->st[k]);
	sqlite3_clear_bindings(q->st[k]);
	return q->st[k];
}

int
bp_sq_judge(void *h, const struct bp_submission *sub, enum bp_store_verdict *v)
{
	struct sq *q = h;
	sqlite3_stmt *st;
	int ret = -1;

	if (!bp_sq_is_kommune(sub->kommune) || !(st = bp_sq_stmt(q, ST_JUDGE)))
		return -1;
	sqlite3_bind_text(st, 1, sub->kommune, 4, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, sub->id, 16, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, sub->year);
	if (sqlite3_step(st) != SQLITE_ROW)
		goto out;
	if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
		const void *d = sqlite3_column_blob(st, 0);
		if (!d || sqlite3_column_bytes(st, 0) != 32)
			goto out;
		*v = memcmp(d, sub->digest, 32) ? BP_STORE_ID_REUSED : BP_STORE_ALREADY_APPLIED;
	} else if (sqlite3_column_type(st, 1) != SQLITE_NULL &&
	    sub->sequence <= (uint64_t)sqlite3_column_int64(st, 1))
		*v = BP_STORE_STALE;
	else
		*v = BP_STORE_NEW;
	ret = 0;
out:
	sqlite3_reset(st);
	return ret;
}

/* Inserts the ledger row; *id is its rowid. */
static int
insert_ledger(struct sq *q, const struct bp_submission *sub, sqlite3_int64 *id)
{
	sqlite3_stmt *st = bp_sq_stmt(q, ST_INS_LEDGER);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, sub->kommune, 4, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, sub->year);
	sqlite3_bind_blob(st, 3, sub->id, 16, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)sub->sequence);
	sqlite3_bind_blob(st, 5, sub->digest, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, sub->rows);
	sqlite3_bind_int64(st, 7, sub->received);
	sqlite3_bind_text(st, 8, sub->dry_run ? "dry_run" : "applied", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, sub->archived, (int)strnlen(sub->archived,
	    sizeof(sub->archived)), SQLITE_STATIC);
	sqlite3_bind_text(st, 10, sub->upload, (int)strnlen(sub->upload,
	    sizeof(sub->upload)), SQLITE_STATIC);
	if (bp_sq_run(st) != SQLITE_DONE)
		return -1;
	*id = sqlite3_last_insert_rowid(q->db);
	return 0;
}

static int
put_tally(struct sq *q, const struct bp_submission *sub, sqlite3_int64 ledger_id,
    const struct bp_tally *t, const uint8_t catalogue_id[32])
{
	sqlite3_stmt *st = bp_sq_stmt(q, ST_PUT_TALLY);
	size_t nc = q->ncells * 4, ns = q->nsum * 4;
	uint8_t sum[32];

	if (!st)
		return -1;
	bp_codec_encode(q->buf, q->ncells, q->nsum, t);
	bp_codec_checksum(q->buf, nc, q->buf + nc, ns, q->buf + nc + ns, q->nsum * 8,
	    t->rows, catalogue_id, sum);
	sqlite3_bind_int(st, 1, sub->year);
	sqlite3_bind_text(st, 2, sub->kommune, 4, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, ledger_id);
	sqlite3_bind_int64(st, 4, t->rows);
	sqlite3_bind_blob(st, 5, catalogue_id, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)q->ncells);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)q->nsum);
	sqlite3_bind_blob64(st, 8, q->buf, nc, SQLITE_STATIC);
	sqlite3_bind_blob64(st, 9, q->buf + nc, ns, SQLITE_STATIC);
	sqlite3_bind_blob64(st, 10, q->buf + nc + ns, q->nsum * 8, SQLITE_STATIC);
	sqlite3_bind_blob(st, 11, sum, 32, SQLITE_TRANSIENT);
	return bp_sq_run(st) == SQLITE_DONE ? 0 : -1;
}

/* Replaces the kommune's pseudonyms for the year. */
static int
put_pseudonyms(struct sq *q, const struct bp_submission *sub, const uint8_t *ps, size_t n)
{
	sqlite3_stmt *del = bp_sq_stmt(q, ST_DEL_PSEUD);
	sqlite3_stmt *ins;

	if (!del)
		return -1;
	sqlite3_bind_int(del, 1, sub->year);
	sqlite3_bind_text(del, 2, sub->kommune, 4, SQLITE_STATIC);
	if (bp_sq_run(del) != SQLITE_DONE || !(ins = bp_sq_stmt(q, ST_INS_PSEUD)))
		return -1;
	sqlite3_bind_int(ins, 1, sub->year);
	sqlite3_bind_text(ins, 3, sub->kommune, 4, SQLITE_STATIC);
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_blob(ins, 2, ps + i * 16, 16, SQLITE_STATIC);
		if (bp_sq_run(ins) != SQLITE_DONE)
			return -1;
	}
	return 0;
}

static int
check_apply_args(const struct bp_submission *sub, const struct bp_tally *t,
    const uint8_t *ps, size_t npseud, const uint8_t *cat, char *err, size_t errlen)
{
	if (!bp_sq_is_kommune(sub->kommune))
		snprintf(err, errlen, "store: submission has no valid kommunenummer");
	else if (sub->year < 1 || sub->year > 9999)
		snprintf(err, errlen, "store: submission has no valid year");
	else if (!sub->dry_run && (!t || !t->counts || !t->sum_n || !t->sum || !cat))
		snprintf(err, errlen, "store: submission without a tally");
	else if (!sub->dry_run && npseud && !ps)
		snprintf(err, errlen, "store: pseudonyms missing");
	else if (!sub->dry_run && npseud > (size_t)INT_MAX)
		snprintf(err, errlen, "store: too many pseudonyms");
	else
		return 0;
	return -1;
}

int
bp_sq_apply(void *h, const struct bp_submission *sub, const struct bp_tally *t,
    const uint8_t *ps, size_t npseud, const uint8_t catalogue_id[32],
    char *err, size_t errlen)
{
	struct sq *q = h;
	enum bp_store_verdict v;
	sqlite3_int64 id;
	bool nested;
	int ret = -1;

	if (check_apply_args(sub, t, ps, npseud, catalogue_id, err, errlen) < 0)
		return -1;
	if (bp_sq_tx_open(q, "bp_apply", &nested) < 0)
		return bp_sq_seterr(err, errlen, "cannot begin a transaction", q->db);
	/* Judged again under the write lock: another writer may have applied
	 * this kommune-year since the caller's judge. */
	if (bp_sq_judge(q, sub, &v) < 0 || v != BP_STORE_NEW) {
		snprintf(err, errlen, "store: the submission is no longer new (applied "
		    "meanwhile by another writer); judge it again");
		goto out;
	}
	if (insert_ledger(q, sub, &id) < 0) {
		bp_sq_seterr(err, errlen, "cannot record the submission", q->db);
		goto out;
	}
	if (!sub->dry_run && put_tally(q, sub, id, t, catalogue_id) < 0) {
		bp_sq_seterr(err, errlen, "cannot store the tally", q->db);
		goto out;
	}
	if (!sub->dry_run && put_pseudonyms(q, sub, ps, npseud) < 0) {
		bp_sq_seterr(err, errlen, "cannot store the pseudonyms", q->db);
		goto out;
	}
	if (bp_sq_tx_close(q, "bp_apply", nested) < 0) {
		bp_sq_seterr(err, errlen, "cannot commit", q->db);
		goto out;
	}
	ret = 0;
out:
	if (ret < 0)
		bp_sq_tx_undo(q, "bp_apply", nested);
	return ret;
}

int
bp_sq_put_ledger(void *h, const struct bp_submission *sub, char *err, size_t errlen)
{
	struct sq *q = h;
	sqlite3_int64 id;

	if (!bp_sq_is_kommune(sub->kommune) || sub->year < 1 || sub->year > 9999) {
		snprintf(err, errlen, "store: ledger row without a valid kommune or year");
		return -1;
	}
	if (insert_ledger(q, sub, &id) < 0)
		return bp_sq_seterr(err, errlen, "cannot record the submission", q->db);
	return 0;
}

int
bp_sq_reject(void *h, const char *kommune, int year, const char *file, const char *reason,
    int64_t when)
{
	struct sq *q = h;
	sqlite3_stmt *st = bp_sq_stmt(q, ST_INS_REJECT);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, bp_sq_is_kommune(kommune) ? kommune : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, year);
	sqlite3_bind_text(st, 3, file, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, when);
	return bp_sq_run(st) == SQLITE_DONE ? 0 : -1;
}

/* Decodes the current row of ST_TALLIES / ST_ONE_TALLY into t; -1 when
 * sizes, catalogue or checksum do not match. */
static int
decode_tally(struct sq *q, sqlite3_stmt *st, const uint8_t want[32], struct bp_tally *t)
{
	const uint8_t *cat = sqlite3_column_blob(st, 2);
	const uint8_t *c, *n, *s, *sum;
	uint8_t got[32];
	uint32_t rows;

	if (!cat || sqlite3_column_bytes(st, 2) != 32 || memcmp(cat, want, 32))
		return -1;
	if ((size_t)sqlite3_column_int64(st, 3) != q->ncells ||
	    (size_t)sqlite3_column_int64(st, 4) != q->nsum)
		return -1;
	c = sqlite3_column_blob(st, 5);
	if ((size_t)sqlite3_column_bytes(st, 5) != q->ncells * 4)
		return -1;
	n = sqlite3_column_blob(st, 6);
	if ((size_t)sqlite3_column_bytes(st, 6) != q->nsum * 4)
		return -1;
	s = sqlite3_column_blob(st, 7);
	if ((size_t)sqlite3_column_bytes(st, 7) != q->nsum * 8)
		return -1;
	rows = (uint32_t)sqlite3_column_int64(st, 1);
	if ((sum = sqlite3_column_blob(st, 8)) != NULL) {
		if (sqlite3_column_bytes(st, 8) != 32)
			return -1;
		bp_codec_checksum(c, q->ncells * 4, n, q->nsum * 4, s, q->nsum * 8, rows, cat,
		    got);
		if (memcmp(got, sum, 32))
			return -1;
	}
	t->rows = rows;
	bp_codec_decode(c, n, s, q->ncells, q->nsum, t);
	return 0;
}

int
bp_sq_foreach_tally(void *h, int year, const uint8_t want[32],
    int (*cb)(const char *kommune, const struct bp_tally *t, void *ud), void *ud)
{
	struct sq *q = h;
	sqlite3_stmt *st = bp_sq_stmt(q, ST_TALLIES);
	struct bp_tally t;
	char kommune[5];
	int rc, ret = -1;

	if (!st || bp_tally_init(&t) < 0)
		return -1;
	sqlite3_bind_int(st, 1, year);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *k = sqlite3_column_text(st, 0);
		if (!k || strlen((const char *)k) != 4 || decode_tally(q, st, want, &t) < 0)
			goto out;
		memcpy(kommune, k, 5);
		if ((rc = cb(kommune, &t, ud)) != 0) {
			ret = rc;
			goto out;
		}
	}
	if (rc == SQLITE_DONE)
		ret = 0;
out:
	sqlite3_reset(st);
	bp_tally_free(&t);
	return ret;
}

int
bp_sq_get_tally(void *h, int year, const char *kommune, const uint8_t want[32],
    struct bp_tally *t)
{
	struct sq *q = h;
	sqlite3_stmt *st;
	int rc, ret = -1;

	if (!bp_sq_is_kommune(kommune) || !(st = bp_sq_stmt(q, ST_ONE_TALLY)))
		return -1;
	sqlite3_bind_int(st, 1, year);
	sqlite3_bind_text(st, 2, kommune, 4, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		ret = decode_tally(q, st, want, t) < 0 ? -1 : 1;
	else if (rc == SQLITE_DONE)
		ret = 0;
	sqlite3_reset(st);
	return ret;
}

/* Fills sub from the current row (ST_LATEST, ST_LEDGER_ALL); -1 when
 * malformed. */
static int
decode_sub(sqlite3_stmt *st, struct bp_submission *sub)
{
	const unsigned char *k = sqlite3_column_text(st, 0);
	const unsigned char *a = sqlite3_column_text(st, 7);
	const unsigned char *status = sqlite3_column_text(st, 8);
	const void *id = sqlite3_column_blob(st, 2), *dig = sqlite3_column_blob(st, 4);

	memset(sub, 0, sizeof(*sub));
	if (!k || strlen((const char *)k) != 4 || !id || sqlite3_column_bytes(st, 2) != 16 ||
	    !dig || sqlite3_column_bytes(st, 4) != 32 || !status)
		return -1;
	memcpy(sub->kommune, k, 5);
	sub->year = sqlite3_column_int(st, 1);
	memcpy(sub->id, id, 16);
	sub->sequence = (uint64_t)sqlite3_column_int64(st, 3);
	memcpy(sub->digest, dig, 32);
	sub->rows = (uint32_t)sqlite3_column_int64(st, 5);
	sub->received = sqlite3_column_int64(st, 6);
	sub->dry_run = !strcmp((const char *)status, "dry_run");
	snprintf(sub->archived, sizeof(sub->archived), "%s", a ? (const char *)a : "");
	const unsigned char *u = sqlite3_column_text(st, 9);
	snprintf(sub->upload, sizeof(sub->upload), "%s", u ? (const char *)u : "");
	return 0;
}

int
bp_sq_foreach_latest(void *h, int year, int (*cb)(const struct bp_submission *sub, void *ud),
    void *ud)
{
	struct sq *q = h;
	sqlite3_stmt *st = bp_sq_stmt(q, ST_LATEST);
	struct bp_submission sub;
	int rc, ret = -1;

	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, year);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (decode_sub(st, &sub) < 0)
			goto out;
		if ((rc = cb(&sub, ud)) != 0) {
			ret = rc;
			goto out;
		}
	}
	if (rc == SQLITE_DONE)
		ret = 0;
out:
	sqlite3_reset(st);
	return ret;
}

int
bp_sq_foreach_ledger(void *h, int (*cb)(const struct bp_submission *sub, int latest, void *ud),
    void *ud)
{
	struct sq *q = h;
	sqlite3_stmt *st = bp_sq_stmt(q, ST_LEDGER_ALL);
	struct bp_submission sub;
	int rc, ret = -1;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (decode_sub(st, &sub) < 0)
			goto out;
		if ((rc = cb(&sub, sqlite3_column_int(st, 10) != 0, ud)) != 0) {
			ret = rc;
			goto out;
		}
	}
	if (rc == SQLITE_DONE)
		ret = 0;
out:
	sqlite3_reset(st);
	return ret;
}

int
bp_sq_foreach_rejection(void *h, int (*cb)(const struct bp_rejection *r, void *ud), void *ud)
{
	struct sq *q = h;
	sqlite3_stmt *st = bp_sq_stmt(q, ST_REJ_ALL);
	struct bp_rejection r;
	int rc, ret = -1;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		memset(&r, 0, sizeof(r));
		snprintf(r.kommune, sizeof(r.kommune), "%s", k && bp_sq_is_kommune(k) ? k : "");
		r.year = sqlite3_column_int(st, 1);
		r.file = (const char *)sqlite3_column_text(st, 2);
		r.reason = (const char *)sqlite3_column_text(st, 3);
		r.at = sqlite3_column_int64(st, 4);
		if (!r.file || !r.reason)
			goto out;
		if ((rc = cb(&r, ud)) != 0) {
			ret = rc;
			goto out;
		}
	}
	if (rc == SQLITE_DONE)
		ret = 0;
out:
	sqlite3_reset(st);
	return ret;
}

/* *ps is malloc'ed here and freed by the caller. */
int
bp_sq_pseudonyms(void *h, int year, const char *kommune, uint8_t **ps, size_t *n)
{
	struct sq *q = h;
	sqlite3_stmt *st;
	uint8_t *v = NULL, *nv;
	size_t len = 0, cap = 0;
	int rc, ret = -1;

	*ps = NULL;
	*n = 0;
	if (!bp_sq_is_kommune(kommune) || !(st = bp_sq_stmt(q, ST_PSEUD_OF)))
		return -1;
	sqlite3_bind_int(st, 1, year);
	sqlite3_bind_text(st, 2, kommune, 4, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) != 16)
			goto out;
		if (len == cap) {
			cap = cap ? cap * 2 : 1024;
			if (!(nv = realloc(v, cap * 16)))
				goto out;
			v = nv;
		}
		memcpy(v + 16 * len++, sqlite3_column_blob(st, 0), 16);
	}
	if (rc != SQLITE_DONE)
		goto out;
	*ps = v;
	*n = len;
	v = NULL;
	ret = 0;
out:
	sqlite3_reset(st);
	free(v);
	return ret;
}

/* *years is malloc'ed here and freed by the caller. */
int
bp_sq_years(void *h, int **years, size_t *n)
{
	struct sq *q = h;
	sqlite3_stmt *st = bp_sq_stmt(q, ST_YEARS);
	int *v = NULL, *nv, rc, ret = -1;
	size_t len = 0, cap = 0;

	*years = NULL;
	*n = 0;
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 16;
			if (!(nv = realloc(v, cap * sizeof(*v))))
				goto out;
			v = nv;
		}
		v[len++] = sqlite3_column_int(st, 0);
	}
	if (rc != SQLITE_DONE)
		goto out;
	*years = v;
	*n = len;
	v = NULL;
	ret = 0;
out:
	sqlite3_reset(st);
	free(v);
	return ret;
}

static int
count_year(struct sq *q, enum sq_stmt k, int year, uint64_t *n)
{
	sqlite3_stmt *st = bp_sq_stmt(q, k);
	int ret = -1;

	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, year);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*n = (uint64_t)sqlite3_column_int64(st, 0);
		ret = 0;
	}
	sqlite3_reset(st);
	return ret;
}

int
bp_sq_count_rejected(void *h, int year, uint64_t *n)
{
	return count_year(h, ST_COUNT_REJ, year, n);
}

int
bp_sq_count_multi_kommune(void *h, int year, uint64_t *n)
{
	return count_year(h, ST_COUNT_MULTI, year, n);
}

int
bp_sq_count_other_catalogue(void *h, int year, const uint8_t want[32], uint64_t *n)
{
	struct sq *q = h;
	sqlite3_stmt *st = bp_sq_stmt(q, ST_COUNT_OTHER);
	int ret = -1;

	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, year);
	sqlite3_bind_blob(st, 2, want, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)q->ncells);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)q->nsum);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*n = (uint64_t)sqlite3_column_int64(st, 0);
		ret = 0;
	}
	sqlite3_reset(st);
	return ret;
}

int
bp_sq_find_received(void *h, const char *kommune, const uint8_t id[16], int64_t *received,
    char *upload)
{
	struct sq *q = h;
	sqlite3_stmt *st;
	int rc, ret = -1;

	if (!bp_sq_is_kommune(kommune) || !(st = bp_sq_stmt(q, ST_FIND_RECEIVED)))
		return -1;
	sqlite3_bind_text(st, 1, kommune, 4, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, id, 16, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *u = sqlite3_column_text(st, 1);
		*received = sqlite3_column_int64(st, 0);
		snprintf(upload, BP_UPLOAD_TAG_MAX, "%s", u ? (const char *)u : "");
		ret = 1;
	} else if (rc == SQLITE_DONE)
		ret = 0;
	sqlite3_reset(st);
	return ret;
}

int
bp_sq_reset_sequence(void *h, const char *kommune, int year, int64_t when, uint64_t *old)
{
	struct sq *q = h;
	sqlite3_stmt *st;
	int rc, ret = -1;

	if (!bp_sq_is_kommune(kommune) || !(st = bp_sq_stmt(q, ST_RESET_SEQ)))
		return -1;
	sqlite3_bind_int(st, 1, year);
	sqlite3_bind_text(st, 2, kommune, 4, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, when);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*old = (uint64_t)sqlite3_column_int64(st, 0);
		ret = sqlite3_step(st) == SQLITE_DONE ? 1 : -1;
	} else if (rc == SQLITE_DONE) {
		ret = 0;
	}
	sqlite3_reset(st);
	return ret;
}

int
bp_sq_foreach_reset(void *h, int (*cb)(const struct bp_sequence_reset *r, void *ud), void *ud)
{
	struct sq *q = h;
	sqlite3_stmt *st = bp_sq_stmt(q, ST_RESETS_ALL);
	struct bp_sequence_reset r;
	int rc, ret = -1;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		const void *id = sqlite3_column_blob(st, 2);
		if (!k || !bp_sq_is_kommune(k) || !id || sqlite3_column_bytes(st, 2) != 16)
			goto out;
		memset(&r, 0, sizeof(r));
		memcpy(r.kommune, k, 4);
		r.year = sqlite3_column_int(st, 1);
		memcpy(r.id, id, 16);
		r.sequence = (uint64_t)sqlite3_column_int64(st, 3);
		r.at = sqlite3_column_int64(st, 4);
		if ((rc = cb(&r, ud)) != 0) {
			ret = rc;
			goto out;
		}
	}
	if (rc == SQLITE_DONE)
		ret = 0;
out:
	sqlite3_reset(st);
	return ret;
}

int
bp_sq_put_reset(void *h, const struct bp_sequence_reset *r, char *err, size_t errlen)
{
	struct sq *q = h;
	sqlite3_stmt *st;

	if (!bp_sq_is_kommune(r->kommune) || !(st = bp_sq_stmt(q, ST_PUT_RESET))) {
		snprintf(err, errlen, "store: cannot record a sequence reset");
		return -1;
	}
	sqlite3_bind_int(st, 1, r->year);
	sqlite3_bind_text(st, 2, r->kommune, 4, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, r->id, 16, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)r->sequence);
	sqlite3_bind_int64(st, 5, r->at);
	if (bp_sq_run(st) != SQLITE_DONE)
		return bp_sq_seterr(err, errlen, "cannot record a sequence reset", q->db);
	if (sqlite3_changes(q->db) != 1) {
		snprintf(err, errlen, "store: the sequence reset of kommune %s for %d names no "
		    "ledger row", r->kommune, r->year);
		return -1;
	}
	return 0;
}
