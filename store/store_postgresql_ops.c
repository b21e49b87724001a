/*
 * store_postgresql_ops.c - the PostgreSQL backend's statements: judging,
 * applying, rejecting and reading the store back (store_postgresql.h).
 * Every value travels as a parameter of a prepared statement: integers as
 * text, byte strings in binary; results come back in binary.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_codec.h"
#include "store_postgresql.h"

#define LOCK_CLASS_S "1651532135" /* PQ_LOCK_CLASS */

const char *const bp_pq_sql[PQ_NSTMT] = {
	/* One statement, one snapshot: read as two, another writer's commit
	 * could fall between them, and its submission look stale instead of
	 * already applied. */
	[PS_JUDGE] = "SELECT (SELECT digest FROM ledger WHERE kommune = $1 AND "
	    "submission_id = $2), (SELECT l.sequence FROM tally t JOIN ledger l ON "
	    "l.id = t.ledger_id WHERE t.year = $3::integer AND t.kommune = $1 AND NOT EXISTS "
	    "(SELECT 1 FROM sequence_reset r WHERE r.ledger_id = t.ledger_id))",
	[PS_RESET_SEQ] = "INSERT INTO sequence_reset (year, kommune, ledger_id, sequence, at) "
	    "SELECT t.year, t.kommune, t.ledger_id, l.sequence, $3::bigint FROM tally t "
	    "JOIN ledger l ON l.id = t.ledger_id WHERE t.year = $1::integer AND t.kommune = $2 "
	    "AND NOT EXISTS (SELECT 1 FROM sequence_reset r WHERE r.ledger_id = t.ledger_id) "
	    "RETURNING sequence",
	[PS_LOCK_KY] = "SELECT pg_advisory_xact_lock_shared(" LOCK_CLASS_S ", 0), "
	    "pg_advisory_xact_lock(" LOCK_CLASS_S ", $1::integer)",
	[PS_LOCK_ALL] = "SELECT pg_advisory_xact_lock(" LOCK_CLASS_S ", 0)",
	[PS_INS_LEDGER] = "INSERT INTO ledger (kommune, year, submission_id, sequence, digest, "
	    "rows, received, status, archived, upload) VALUES ($1, $2::integer, $3, $4::bigint, "
	    "$5, $6::bigint, $7::bigint, $8, $9, $10) RETURNING id",
	[PS_PUT_TALLY] = "INSERT INTO tally (year, kommune, ledger_id, rows, catalogue_id, "
	    "ncells, nsum, counts, sum_n, sums, checksum) VALUES ($1::integer, $2, $3::bigint, "
	    "$4::bigint, $5, $6::bigint, $7::bigint, $8, $9, $10, $11) "
	    "ON CONFLICT (year, kommune) DO UPDATE SET ledger_id = excluded.ledger_id, "
	    "rows = excluded.rows, catalogue_id = excluded.catalogue_id, "
	    "ncells = excluded.ncells, nsum = excluded.nsum, counts = excluded.counts, "
	    "sum_n = excluded.sum_n, sums = excluded.sums, checksum = excluded.checksum",
	[PS_DEL_PSEUD] = "DELETE FROM pseudonym WHERE year = $1::integer AND kommune = $2",
	/* All of a submission's pseudonyms in one round trip: $3 is their
	 * concatenation, 16 bytes each. */
	[PS_INS_PSEUD] = "INSERT INTO pseudonym (year, kommune, pseudonym) "
	    "SELECT $1::integer, $2, substring($3::bytea FROM i * 16 + 1 FOR 16) "
	    "FROM generate_series(0, length($3::bytea) / 16 - 1) AS i "
	    "ON CONFLICT DO NOTHING",
	/* once per file: the daemon records a refusal again after a crash */
	[PS_INS_REJECT] = "INSERT INTO rejection (kommune, year, file, reason, at) "
	    "SELECT $1, $2::integer, $3::text, $4, $5::bigint WHERE NOT EXISTS "
	    "(SELECT 1 FROM rejection WHERE file = $3::text)",
	[PS_TALLIES] = "SELECT kommune, rows, catalogue_id, ncells, nsum, counts, sum_n, sums, "
	    "checksum FROM tally WHERE year = $1::integer ORDER BY kommune",
	[PS_LATEST] = "SELECT l.kommune, l.year, l.submission_id, l.sequence, l.digest, l.rows, "
	    "l.received, l.archived, l.status, l.upload FROM tally t "
	    "JOIN ledger l ON l.id = t.ledger_id WHERE t.year = $1::integer ORDER BY t.kommune",
	[PS_YEARS] = "SELECT year FROM ledger UNION SELECT year FROM rejection "
	    "WHERE year <> 0 ORDER BY 1",
	[PS_COUNT_REJ] = "SELECT count(*) FROM rejection WHERE year = $1::integer",
	[PS_COUNT_MULTI] = "SELECT count(*) FROM (SELECT 1 FROM pseudonym WHERE year = $1::integer "
	    "GROUP BY pseudonym HAVING count(*) > 1) AS m",
	[PS_COUNT_OTHER] = "SELECT count(*) FROM tally WHERE year = $1::integer AND "
	    "(catalogue_id <> $2 OR ncells <> $3::bigint OR nsum <> $4::bigint)",
	[PS_FIND_RECEIVED] = "SELECT received, upload FROM ledger WHERE kommune = $1 AND "
	    "submission_id = $2",
	[PS_LEDGER_ALL] = "SELECT l.kommune, l.year, l.submission_id, l.sequence, l.digest, "
	    "l.rows, l.received, l.archived, l.status, l.upload, "
	    "EXISTS (SELECT 1 FROM tally t WHERE t.ledger_id = l.id) FROM ledger l ORDER BY l.id",
	[PS_REJ_ALL] = "SELECT kommune, year, file, reason, at FROM rejection ORDER BY id",
	[PS_RESETS_ALL] = "SELECT r.kommune, r.year, l.submission_id, r.sequence, r.at "
	    "FROM sequence_reset r JOIN ledger l ON l.id = r.ledger_id ORDER BY r.id",
	[PS_PUT_RESET] = "INSERT INTO sequence_reset (year, kommune, ledger_id, sequence, at) "
	    "SELECT $1::integer, $2, id, $4::bigint, $5::bigint FROM ledger "
	    "WHERE kommune = $2 AND submission_id = $3 RETURNING id",
	[PS_ONE_TALLY] = "SELECT kommune, rows, catalogue_id, ncells, nsum, counts, sum_n, "
	    "sums, checksum FROM tally WHERE year = $1::integer AND kommune = $2",
	[PS_PSEUD_OF] = "SELECT pseudonym FROM pseudonym WHERE year = $1::integer AND "
	    "kommune = $2 ORDER BY pseudonym",
	[PS_ALL_CHECKSUMS] = "SELECT year, kommune, rows, catalogue_id, counts, sum_n, sums, "
	    "checksum FROM tally WHERE checksum IS NOT NULL AND year = $1::integer",
};

/* Parameters of one statement. */
struct par {
	const char *v[12];
	int len[12], fmt[12];
	char num[12][24];
	int n;
};

static void
p_int(struct par *p, int64_t x)
{
	snprintf(p->num[p->n], sizeof(p->num[0]), "%" PRId64, x);
	p->v[p->n] = p->num[p->n];
	p->len[p->n] = 0;
	p->fmt[p->n++] = 0;
}

static void
p_text(struct par *p, const char *s)
{
	p->v[p->n] = s;
	p->len[p->n] = 0;
	p->fmt[p->n++] = 0;
}

static void
p_bin(struct par *p, const void *b, size_t n)
{
	p->v[p->n] = n ? (const char *)b : "";
	p->len[p->n] = (int)n;
	p->fmt[p->n++] = 1;
}

static PGresult *
run(struct pq *q, enum pq_stmt k, const struct par *p, char *err, size_t errlen)
{
	return bp_pq_exec(q, k, p->n, p->v, p->len, p->fmt, err, errlen);
}

/* A byte field of exactly n bytes, or NULL. */
static const uint8_t *
field(const PGresult *r, int row, int col, int n)
{
	if (PQgetisnull(r, row, col) || PQgetlength(r, row, col) != n)
		return NULL;
	return (const uint8_t *)PQgetvalue(r, row, col);
}

/* The kommune-year's lock key: year * 10000 + kommunenummer (never 0). */
static int64_t
ky_key(const struct bp_submission *sub)
{
	return (int64_t)sub->year * 10000 + atoi(sub->kommune);
}

int
bp_pq_judge(void *h, const struct bp_submission *sub, enum bp_store_verdict *v)
{
	struct pq *q = h;
	struct par p = { .n = 0 };
	PGresult *r;
	const uint8_t *d;
	int ret = -1;

	if (!bp_pq_is_kommune(sub->kommune))
		return -1;
	p_text(&p, sub->kommune);
	p_bin(&p, sub->id, 16);
	p_int(&p, sub->year);
	if (!(r = run(q, PS_JUDGE, &p, NULL, 0)))
		return -1;
	if (PQntuples(r) != 1)
		goto out;
	if (!PQgetisnull(r, 0, 0)) {
		if (!(d = field(r, 0, 0, 32)))
			goto out;
		*v = memcmp(d, sub->digest, 32) ? BP_STORE_ID_REUSED : BP_STORE_ALREADY_APPLIED;
	} else if (!PQgetisnull(r, 0, 1) && sub->sequence <= (uint64_t)bp_pq_int(r, 0, 1))
		*v = BP_STORE_STALE;
	else
		*v = BP_STORE_NEW;
	ret = 0;
out:
	PQclear(r);
	return ret;
}

/* Inserts the ledger row; *id is its id. */
static int
insert_ledger(struct pq *q, const struct bp_submission *sub, int64_t *id, char *err,
    size_t errlen)
{
	struct par p = { .n = 0 };
	char archived[sizeof(sub->archived)];
	PGresult *r;

	snprintf(archived, sizeof(archived), "%.*s", (int)sizeof(archived) - 1, sub->archived);
	p_text(&p, sub->kommune);
	p_int(&p, sub->year);
	p_bin(&p, sub->id, 16);
	p_int(&p, (int64_t)sub->sequence);
	p_bin(&p, sub->digest, 32);
	p_int(&p, sub->rows);
	p_int(&p, sub->received);
	p_text(&p, sub->dry_run ? "dry_run" : "applied");
	p_text(&p, archived);
	/* NULL: not known */
	p_text(&p, sub->upload[0] && memchr(sub->upload, 0, sizeof(sub->upload)) ?
	    sub->upload : NULL);
	if (!(r = run(q, PS_INS_LEDGER, &p, err, errlen)))
		return -1;
	*id = PQntuples(r) == 1 ? bp_pq_int(r, 0, 0) : -1;
	PQclear(r);
	return *id < 0 ? -1 : 0;
}

static int
put_tally(struct pq *q, const struct bp_submission *sub, int64_t ledger_id,
    const struct bp_tally *t, const uint8_t cat[32], char *err, size_t errlen)
{
	struct par p = { .n = 0 };
	size_t nc = q->ncells * 4, ns = q->nsum * 4;
	uint8_t sum[32];
	PGresult *r;

	bp_codec_encode(q->buf, q->ncells, q->nsum, t);
	bp_codec_checksum(q->buf, nc, q->buf + nc, ns, q->buf + nc + ns, q->nsum * 8,
	    t->rows, cat, sum);
	p_int(&p, sub->year);
	p_text(&p, sub->kommune);
	p_int(&p, ledger_id);
	p_int(&p, t->rows);
	p_bin(&p, cat, 32);
	p_int(&p, (int64_t)q->ncells);
	p_int(&p, (int64_t)q->nsum);
	p_bin(&p, q->buf, nc);
	p_bin(&p, q->buf + nc, ns);
	p_bin(&p, q->buf + nc + ns, q->nsum * 8);
	p_bin(&p, sum, 32);
	if (!(r = run(q, PS_PUT_TALLY, &p, err, errlen)))
		return -1;
	PQclear(r);
	return 0;
}

static int
put_pseudonyms(struct pq *q, const struct bp_submission *sub, const uint8_t *ps, size_t n,
    char *err, size_t errlen)
{
	struct par p = { .n = 0 };
	PGresult *r;

	p_int(&p, sub->year);
	p_text(&p, sub->kommune);
	if (!(r = run(q, PS_DEL_PSEUD, &p, err, errlen)))
		return -1;
	PQclear(r);
	if (n == 0)
		return 0;
	if (n > (size_t)INT_MAX / 16) {
		snprintf(err, errlen, "store: too many pseudonyms");
		return -1;
	}
	p_bin(&p, ps, n * 16);
	if (!(r = run(q, PS_INS_PSEUD, &p, err, errlen)))
		return -1;
	PQclear(r);
	return 0;
}

static int
check_apply_args(const struct bp_submission *sub, const struct bp_tally *t,
    const uint8_t *ps, size_t npseud, const uint8_t *cat, char *err, size_t errlen)
{
	if (!bp_pq_is_kommune(sub->kommune))
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
bp_pq_lock_kommune_year(struct pq *q, const struct bp_submission *sub, char *err, size_t errlen)
{
	struct par p = { .n = 0 };
	PGresult *r;

	p_int(&p, ky_key(sub));
	if (!(r = run(q, PS_LOCK_KY, &p, err, errlen)))
		return -1;
	PQclear(r);
	return 0;
}

int
bp_pq_apply(void *h, const struct bp_submission *sub, const struct bp_tally *t,
    const uint8_t *ps, size_t npseud, const uint8_t cat[32], char *err, size_t errlen)
{
	struct pq *q = h;
	enum bp_store_verdict v;
	int64_t id;
	bool nested;
	int ret = -1;

	if (check_apply_args(sub, t, ps, npseud, cat, err, errlen) < 0)
		return -1;
	if (bp_pq_tx_open(q, "bp_apply", &nested, err, errlen) < 0)
		return -1;
	if (bp_pq_lock_kommune_year(q, sub, err, errlen) < 0)
		goto out;
	/* Judged again under the lock: another daemon may have applied this
	 * kommune-year since the caller's judge. */
	if (bp_pq_judge(q, sub, &v) < 0 || v != BP_STORE_NEW) {
		snprintf(err, errlen, "store: the submission is no longer new (applied "
		    "meanwhile by another writer); judge it again");
		goto out;
	}
	if (insert_ledger(q, sub, &id, err, errlen) < 0)
		goto out;
	if (!sub->dry_run && (put_tally(q, sub, id, t, cat, err, errlen) < 0 ||
	    put_pseudonyms(q, sub, ps, npseud, err, errlen) < 0))
		goto out;
	if (bp_pq_tx_close(q, "bp_apply", nested, err, errlen) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		bp_pq_tx_undo(q, "bp_apply", nested);
	return ret;
}

int
bp_pq_put_ledger(void *h, const struct bp_submission *sub, char *err, size_t errlen)
{
	int64_t id;

	if (!bp_pq_is_kommune(sub->kommune) || sub->year < 1 || sub->year > 9999) {
		snprintf(err, errlen, "store: ledger row without a valid kommune or year");
		return -1;
	}
	return insert_ledger(h, sub, &id, err, errlen);
}

int
bp_pq_reject(void *h, const char *kommune, int year, const char *file, const char *reason,
    int64_t when)
{
	struct par p = { .n = 0 };
	PGresult *r;

	p_text(&p, bp_pq_is_kommune(kommune) ? kommune : "");
	p_int(&p, year);
	p_text(&p, file);
	p_text(&p, reason);
	p_int(&p, when);
	if (!(r = run(h, PS_INS_REJECT, &p, NULL, 0)))
		return -1;
	PQclear(r);
	return 0;
}

/* Decodes row i of PS_TALLIES / PS_ONE_TALLY into t; -1 when sizes,
 * catalogue or checksum do not match. */
static int
decode_tally(struct pq *q, const PGresult *r, int i, const uint8_t want[32],
    struct bp_tally *t)
{
	const uint8_t *cat = field(r, i, 2, 32), *c, *n, *s, *sum;
	uint8_t got[32];
	uint32_t rows;

	if (!cat || memcmp(cat, want, 32))
		return -1;
	if ((size_t)bp_pq_int(r, i, 3) != q->ncells || (size_t)bp_pq_int(r, i, 4) != q->nsum)
		return -1;
	if (!(c = field(r, i, 5, (int)(q->ncells * 4))) ||
	    !(n = field(r, i, 6, (int)(q->nsum * 4))) ||
	    !(s = field(r, i, 7, (int)(q->nsum * 8))))
		return -1;
	rows = (uint32_t)bp_pq_int(r, i, 1);
	if (!PQgetisnull(r, i, 8)) {
		if (!(sum = field(r, i, 8, 32)))
			return -1;
		bp_codec_checksum(c, q->ncells * 4, n, q->nsum * 4, s, q->nsum * 8, rows, cat, got);
		if (memcmp(got, sum, 32))
			return -1;
	}
	t->rows = rows;
	bp_codec_decode(c, n, s, q->ncells, q->nsum, t);
	return 0;
}

int
bp_pq_foreach_tally(void *h, int year, const uint8_t want[32],
    int (*cb)(const char *kommune, const struct bp_tally *t, void *ud), void *ud)
{
	struct pq *q = h;
	struct par p = { .n = 0 };
	struct bp_tally t;
	PGresult *r;
	char kommune[5];
	int ret = -1, rc;

	p_int(&p, year);
	/* One statement: one snapshot, read whole, so that cb may use the
	 * handle for its counts meanwhile. */
	if (!(r = run(q, PS_TALLIES, &p, NULL, 0)))
		return -1;
	if (bp_tally_init(&t) < 0) {
		PQclear(r);
		return -1;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		const char *k = PQgetvalue(r, i, 0);
		if (PQgetlength(r, i, 0) != 4 || decode_tally(q, r, i, want, &t) < 0)
			goto out;
		memcpy(kommune, k, 4);
		kommune[4] = '\0';
		if ((rc = cb(kommune, &t, ud)) != 0) {
			ret = rc;
			goto out;
		}
	}
	ret = 0;
out:
	PQclear(r);
	bp_tally_free(&t);
	return ret;
}

int
bp_pq_get_tally(void *h, int year, const char *kommune, const uint8_t want[32],
    struct bp_tally *t)
{
	struct par p = { .n = 0 };
	PGresult *r;
	int ret;

	if (!bp_pq_is_kommune(kommune))
		return -1;
	p_int(&p, year);
	p_text(&p, kommune);
	if (!(r = run(h, PS_ONE_TALLY, &p, NULL, 0)))
		return -1;
	ret = PQntuples(r) == 0 ? 0 : decode_tally(h, r, 0, want, t) < 0 ? -1 : 1;
	PQclear(r);
	return ret;
}

/* Fills sub from row i (PS_LATEST, PS_LEDGER_ALL); -1 when malformed. */
static int
decode_sub(const PGresult *r, int i, struct bp_submission *sub)
{
	const uint8_t *id = field(r, i, 2, 16), *dig = field(r, i, 4, 32);

	memset(sub, 0, sizeof(*sub));
	if (PQgetlength(r, i, 0) != 4 || !id || !dig)
		return -1;
	memcpy(sub->kommune, PQgetvalue(r, i, 0), 4);
	if (!bp_pq_is_kommune(sub->kommune))
		return -1;
	sub->year = (int)bp_pq_int(r, i, 1);
	memcpy(sub->id, id, 16);
	sub->sequence = (uint64_t)bp_pq_int(r, i, 3);
	memcpy(sub->digest, dig, 32);
	sub->rows = (uint32_t)bp_pq_int(r, i, 5);
	sub->received = bp_pq_int(r, i, 6);
	snprintf(sub->archived, sizeof(sub->archived), "%s", PQgetvalue(r, i, 7));
	sub->dry_run = !strcmp(PQgetvalue(r, i, 8), "dry_run");
	snprintf(sub->upload, sizeof(sub->upload), "%s", PQgetvalue(r, i, 9));
	return 0;
}

int
bp_pq_foreach_latest(void *h, int year, int (*cb)(const struct bp_submission *sub, void *ud),
    void *ud)
{
	struct par p = { .n = 0 };
	struct bp_submission sub;
	PGresult *r;
	int ret = 0;

	p_int(&p, year);
	if (!(r = run(h, PS_LATEST, &p, NULL, 0)))
		return -1;
	for (int i = 0; i < PQntuples(r) && ret == 0; i++)
		ret = decode_sub(r, i, &sub) < 0 ? -1 : cb(&sub, ud);
	PQclear(r);
	return ret;
}

int
bp_pq_foreach_ledger(void *h, int (*cb)(const struct bp_submission *sub, int latest, void *ud),
    void *ud)
{
	struct bp_submission sub;
	PGresult *r;
	int ret = 0;

	if (!(r = bp_pq_exec(h, PS_LEDGER_ALL, 0, NULL, NULL, NULL, NULL, 0)))
		return -1;
	for (int i = 0; i < PQntuples(r) && ret == 0; i++)
		ret = decode_sub(r, i, &sub) < 0 ? -1 :
		    cb(&sub, PQgetvalue(r, i, 10)[0] != 0, ud);
	PQclear(r);
	return ret;
}

int
bp_pq_foreach_rejection(void *h, int (*cb)(const struct bp_rejection *rej, void *ud), void *ud)
{
	struct bp_rejection rej;
	PGresult *r;
	int ret = 0;

	if (!(r = bp_pq_exec(h, PS_REJ_ALL, 0, NULL, NULL, NULL, NULL, 0)))
		return -1;
	for (int i = 0; i < PQntuples(r) && ret == 0; i++) {
		const char *k = PQgetvalue(r, i, 0);
		memset(&rej, 0, sizeof(rej));
		snprintf(rej.kommune, sizeof(rej.kommune), "%s",
		    strlen(k) == 4 && bp_pq_is_kommune(k) ? k : "");
		rej.year = (int)bp_pq_int(r, i, 1);
		rej.file = PQgetvalue(r, i, 2);
		rej.reason = PQgetvalue(r, i, 3);
		rej.at = bp_pq_int(r, i, 4);
		ret = cb(&rej, ud);
	}
	PQclear(r);
	return ret;
}

/* *ps is malloc'ed here and freed by the caller. */
int
bp_pq_pseudonyms(void *h, int year, const char *kommune, uint8_t **ps, size_t *n)
{
	struct par p = { .n = 0 };
	PGresult *r;
	size_t m;

	*ps = NULL;
	*n = 0;
	if (!bp_pq_is_kommune(kommune))
		return -1;
	p_int(&p, year);
	p_text(&p, kommune);
	if (!(r = run(h, PS_PSEUD_OF, &p, NULL, 0)))
		return -1;
	m = (size_t)PQntuples(r);
	if (m && !(*ps = malloc(m * 16))) {
		PQclear(r);
		return -1;
	}
	for (size_t i = 0; i < m; i++) {
		const uint8_t *v = field(r, (int)i, 0, 16);
		if (!v) {
			free(*ps);
			*ps = NULL;
			PQclear(r);
			return -1;
		}
		memcpy(*ps + 16 * i, v, 16);
	}
	*n = m;
	PQclear(r);
	return 0;
}

/* *years is malloc'ed here and freed by the caller. */
int
bp_pq_years(void *h, int **years, size_t *n)
{
	PGresult *r;
	size_t m;

	*years = NULL;
	*n = 0;
	if (!(r = bp_pq_exec(h, PS_YEARS, 0, NULL, NULL, NULL, NULL, 0)))
		return -1;
	m = (size_t)PQntuples(r);
	if (m && !(*years = malloc(m * sizeof(**years)))) {
		PQclear(r);
		return -1;
	}
	for (size_t i = 0; i < m; i++)
		(*years)[i] = (int)bp_pq_int(r, (int)i, 0);
	*n = m;
	PQclear(r);
	return 0;
}

static int
count_one(struct pq *q, enum pq_stmt k, const struct par *p, uint64_t *n)
{
	PGresult *r = run(q, k, p, NULL, 0);
	int ret = -1;

	if (r && PQntuples(r) == 1) {
		*n = (uint64_t)bp_pq_int(r, 0, 0);
		ret = 0;
	}
	PQclear(r);
	return ret;
}

int
bp_pq_count_rejected(void *h, int year, uint64_t *n)
{
	struct par p = { .n = 0 };

	p_int(&p, year);
	return count_one(h, PS_COUNT_REJ, &p, n);
}

int
bp_pq_count_multi_kommune(void *h, int year, uint64_t *n)
{
	struct par p = { .n = 0 };

	p_int(&p, year);
	return count_one(h, PS_COUNT_MULTI, &p, n);
}

int
bp_pq_count_other_catalogue(void *h, int year, const uint8_t want[32], uint64_t *n)
{
	struct pq *q = h;
	struct par p = { .n = 0 };

	p_int(&p, year);
	p_bin(&p, want, 32);
	p_int(&p, (int64_t)q->ncells);
	p_int(&p, (int64_t)q->nsum);
	return count_one(q, PS_COUNT_OTHER, &p, n);
}

int
bp_pq_find_received(void *h, const char *kommune, const uint8_t id[16], int64_t *received,
    char *upload)
{
	struct par p = { .n = 0 };
	PGresult *r;
	int ret;

	if (!bp_pq_is_kommune(kommune))
		return -1;
	p_text(&p, kommune);
	p_bin(&p, id, 16);
	if (!(r = run(h, PS_FIND_RECEIVED, &p, NULL, 0)))
		return -1;
	ret = PQntuples(r) == 1;
	if (ret) {
		*received = bp_pq_int(r, 0, 0);
		snprintf(upload, BP_UPLOAD_TAG_MAX, "%s", PQgetvalue(r, 0, 1));
	}
	PQclear(r);
	return ret;
}

/* Every tally of every year against its checksum, a year at a time. */
int
bp_pq_check_tallies(struct pq *q, char *err, size_t errlen)
{
	int *years = NULL;
	size_t ny = 0;
	int ret = -1;

	if (bp_pq_years(q, &years, &ny) < 0) {
		snprintf(err, errlen, "store: cannot read the years");
		return -1;
	}
	for (size_t y = 0; y < ny; y++) {
		struct par p = { .n = 0 };
		PGresult *r;
		p_int(&p, years[y]);
		if (!(r = run(q, PS_ALL_CHECKSUMS, &p, err, errlen)))
			goto out;
		for (int i = 0; i < PQntuples(r); i++) {
			const uint8_t *cat = field(r, i, 3, 32), *sum = field(r, i, 7, 32);
			uint8_t got[32];
			if (cat && sum) {
				bp_codec_checksum((const uint8_t *)PQgetvalue(r, i, 4),
				    (size_t)PQgetlength(r, i, 4), (const uint8_t *)PQgetvalue(r, i, 5),
				    (size_t)PQgetlength(r, i, 5), (const uint8_t *)PQgetvalue(r, i, 6),
				    (size_t)PQgetlength(r, i, 6), (uint32_t)bp_pq_int(r, i, 2), cat, got);
				if (!memcmp(got, sum, 32))
					continue;
			}
			snprintf(err, errlen, "store: damaged: the tally of kommune %.4s for %d "
			    "does not match its checksum", PQgetvalue(r, i, 1), years[y]);
			PQclear(r);
			goto out;
		}
		PQclear(r);
	}
	ret = 0;
out:
	free(years);
	return ret;
}

int
bp_pq_reset_sequence(void *h, const char *kommune, int year, int64_t when, uint64_t *old)
{
	struct par p = { .n = 0 };
	PGresult *r;
	int ret;

	if (!bp_pq_is_kommune(kommune))
		return -1;
	p_int(&p, year);
	p_text(&p, kommune);
	p_int(&p, when);
	if (!(r = run(h, PS_RESET_SEQ, &p, NULL, 0)))
		return -1;
	ret = PQntuples(r) == 1;
	if (ret)
		*old = (uint64_t)bp_pq_int(r, 0, 0);
	PQclear(r);
	return ret;
}

int
bp_pq_foreach_reset(void *h, int (*cb)(const struct bp_sequence_reset *rs, void *ud), void *ud)
{
	struct bp_sequence_reset rs;
	PGresult *r;
	int ret = 0;

	if (!(r = bp_pq_exec(h, PS_RESETS_ALL, 0, NULL, NULL, NULL, NULL, 0)))
		return -1;
	for (int i = 0; i < PQntuples(r) && ret == 0; i++) {
		const char *k = PQgetvalue(r, i, 0);
		const uint8_t *id = field(r, i, 2, 16);
		if (strlen(k) != 4 || !bp_pq_is_kommune(k) || !id) {
			ret = -1;
			break;
		}
		memset(&rs, 0, sizeof(rs));
		memcpy(rs.kommune, k, 4);
		rs.year = (int)bp_pq_int(r, i, 1);
		memcpy(rs.id, id, 16);
		rs.sequence = (uint64_t)bp_pq_int(r, i, 3);
		rs.at = bp_pq_int(r, i, 4);
		ret = cb(&rs, ud);
	}
	PQclear(r);
	return ret;
}

int
bp_pq_put_reset(void *h, const struct bp_sequence_reset *rs, char *err, size_t errlen)
{
	struct par p = { .n = 0 };
	PGresult *r;
	int n;

	if (!bp_pq_is_kommune(rs->kommune)) {
		snprintf(err, errlen, "store: cannot record a sequence reset");
		return -1;
	}
	p_int(&p, rs->year);
	p_text(&p, rs->kommune);
	p_bin(&p, rs->id, 16);
	p_int(&p, (int64_t)rs->sequence);
	p_int(&p, rs->at);
	if (!(r = run(h, PS_PUT_RESET, &p, err, errlen)))
		return -1;
	n = PQntuples(r);
	PQclear(r);
	if (n != 1) {
		snprintf(err, errlen, "store: the sequence reset of kommune %s for %d names no "
		    "ledger row", rs->kommune, rs->year);
		return -1;
	}
	return 0;
}
