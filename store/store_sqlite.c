/*
 * store_sqlite.c - the SQLite backend of the national aggregate store
 * (store.h, store_backend.h).
 *
 * The file is created mode 0600 (its -wal and -shm files inherit the mode),
 * opened without following a symbolic link, and run in WAL mode with
 * synchronous=FULL, foreign keys on and a busy timeout, so that a committed
 * submission survives a crash and bpagg status may read while bpaggd writes.
 *
 * Schema (version 2; migrations[] below: each entry moves the schema one
 * version up inside one transaction, and schema_version records where a file
 * stands):
 *
 *   ledger     every submission applied or dry-run: kommune, year, the
 *              kommune's submission id (unique per kommune), sequence (the
 *              64-bit pattern of the unsigned value), digest, rows, received,
 *              status 'applied' | 'dry_run', archived path.
 *   tally      one row per (year, kommune): the latest applied submission
 *              (ledger_id), rows, catalogue id, the vector sizes and three
 *              dense little-endian BLOBs: counts (ncells x u32), sum_n
 *              (nsum x u32), sums (nsum x u64). Dense because a tally is
 *              read and written whole: one BLOB of ~120 KB per kommune is
 *              written and read back at memory speed, and 357 of them stay
 *              near 50 MB a year.
 *   rejection  refused files: kommune or '', year or 0, file name, reason,
 *              time.
 *   pseudonym  (year, kommune, pseudonym): who reported whom, nothing else;
 *              keyed by kommune first (version 2), so that the pseudonyms of
 *              one submission lie on a few adjacent pages.
 *   sequence_reset  (version 3) the latest applied submission of a
 *              (year, kommune) whose sequence an administrator set aside:
 *              it no longer makes later submissions stale.
 *
 * Prepared statements are cached in the handle; the handle is for one thread
 * at a time.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store_backend.h"

#define BUSY_TIMEOUT_MS 10000

enum stmt {
	ST_BEGIN, ST_COMMIT,
	ST_FIND_ID, ST_LAST_SEQ,
	ST_INS_LEDGER, ST_PUT_TALLY, ST_DEL_PSEUD, ST_INS_PSEUD,
	ST_INS_REJECT,
	ST_TALLIES, ST_LATEST, ST_YEARS, ST_COUNT_REJ, ST_COUNT_MULTI, ST_COUNT_OTHER,
	ST_FIND_RECEIVED, ST_RESET_SEQ,
	NSTMT
};

static const char *const stmt_sql[NSTMT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_FIND_ID] = "SELECT digest FROM ledger WHERE kommune = ?1 AND submission_id = ?2",
	[ST_LAST_SEQ] = "SELECT l.sequence FROM tally t JOIN ledger l ON l.id = t.ledger_id "
	    "WHERE t.year = ?1 AND t.kommune = ?2 AND NOT EXISTS "
	    "(SELECT 1 FROM sequence_reset r WHERE r.ledger_id = t.ledger_id)",
	[ST_RESET_SEQ] = "INSERT INTO sequence_reset (year, kommune, ledger_id, sequence, at) "
	    "SELECT t.year, t.kommune, t.ledger_id, l.sequence, ?3 FROM tally t "
	    "JOIN ledger l ON l.id = t.ledger_id WHERE t.year = ?1 AND t.kommune = ?2 "
	    "AND NOT EXISTS (SELECT 1 FROM sequence_reset r WHERE r.ledger_id = t.ledger_id) "
	    "RETURNING sequence",
	[ST_INS_LEDGER] = "INSERT INTO ledger (kommune, year, submission_id, sequence, digest, "
	    "rows, received, status, archived) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[ST_PUT_TALLY] = "INSERT INTO tally (year, kommune, ledger_id, rows, catalogue_id, "
	    "ncells, nsum, counts, sum_n, sums) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
	    "ON CONFLICT (year, kommune) DO UPDATE SET ledger_id = excluded.ledger_id, "
	    "rows = excluded.rows, catalogue_id = excluded.catalogue_id, "
	    "ncells = excluded.ncells, nsum = excluded.nsum, counts = excluded.counts, "
	    "sum_n = excluded.sum_n, sums = excluded.sums",
	[ST_DEL_PSEUD] = "DELETE FROM pseudonym WHERE year = ?1 AND kommune = ?2",
	[ST_INS_PSEUD] = "INSERT OR IGNORE INTO pseudonym (year, pseudonym, kommune) "
	    "VALUES (?1, ?2, ?3)",
	[ST_INS_REJECT] = "INSERT INTO rejection (kommune, year, file, reason, at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_TALLIES] = "SELECT kommune, rows, catalogue_id, ncells, nsum, counts, sum_n, sums "
	    "FROM tally WHERE year = ?1 ORDER BY kommune",
	[ST_LATEST] = "SELECT l.kommune, l.year, l.submission_id, l.sequence, l.digest, l.rows, "
	    "l.received, l.archived FROM tally t JOIN ledger l ON l.id = t.ledger_id "
	    "WHERE t.year = ?1 ORDER BY t.kommune",
	[ST_YEARS] = "SELECT year FROM ledger UNION SELECT year FROM rejection "
	    "WHERE year <> 0 ORDER BY 1",
	[ST_COUNT_REJ] = "SELECT count(*) FROM rejection WHERE year = ?1",
	[ST_COUNT_MULTI] = "SELECT count(*) FROM (SELECT 1 FROM pseudonym WHERE year = ?1 "
	    "GROUP BY pseudonym HAVING count(*) > 1)",
	[ST_COUNT_OTHER] = "SELECT count(*) FROM tally WHERE year = ?1 AND "
	    "(catalogue_id <> ?2 OR ncells <> ?3 OR nsum <> ?4)",
	[ST_FIND_RECEIVED] = "SELECT received FROM ledger WHERE kommune = ?1 AND "
	    "submission_id = ?2",
};

static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE ledger ("
	"  id INTEGER PRIMARY KEY,"
	"  kommune TEXT NOT NULL CHECK (length(kommune) = 4),"
	"  year INTEGER NOT NULL,"
	"  submission_id BLOB NOT NULL CHECK (length(submission_id) = 16),"
	"  sequence INTEGER NOT NULL,"
	"  digest BLOB NOT NULL CHECK (length(digest) = 32),"
	"  rows INTEGER NOT NULL CHECK (rows >= 0),"
	"  received INTEGER NOT NULL,"
	"  status TEXT NOT NULL CHECK (status IN ('applied', 'dry_run')),"
	"  archived TEXT NOT NULL);"
	"CREATE UNIQUE INDEX ledger_by_id ON ledger (kommune, submission_id);"
	"CREATE INDEX ledger_by_year ON ledger (year, kommune);"
	"CREATE TABLE tally ("
	"  year INTEGER NOT NULL,"
	"  kommune TEXT NOT NULL CHECK (length(kommune) = 4),"
	"  ledger_id INTEGER NOT NULL REFERENCES ledger (id),"
	"  rows INTEGER NOT NULL CHECK (rows >= 0),"
	"  catalogue_id BLOB NOT NULL CHECK (length(catalogue_id) = 32),"
	"  ncells INTEGER NOT NULL,"
	"  nsum INTEGER NOT NULL,"
	"  counts BLOB NOT NULL,"
	"  sum_n BLOB NOT NULL,"
	"  sums BLOB NOT NULL,"
	"  PRIMARY KEY (year, kommune));"
	"CREATE INDEX tally_by_ledger ON tally (ledger_id);"
	"CREATE TABLE rejection ("
	"  id INTEGER PRIMARY KEY,"
	"  kommune TEXT NOT NULL,"
	"  year INTEGER NOT NULL,"
	"  file TEXT NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  at INTEGER NOT NULL);"
	"CREATE INDEX rejection_by_year ON rejection (year);"
	"CREATE TABLE pseudonym ("
	"  year INTEGER NOT NULL,"
	"  pseudonym BLOB NOT NULL CHECK (length(pseudonym) = 16),"
	"  kommune TEXT NOT NULL,"
	"  PRIMARY KEY (year, pseudonym, kommune)) WITHOUT ROWID;"
	"CREATE INDEX pseudonym_by_kommune ON pseudonym (year, kommune);",
	/* 1 -> 2: the pseudonyms of one (year, kommune) side by side, so that
	 * replacing a submission's writes a few contiguous pages instead of
	 * touching every page of a key ordered by pseudonym; the index by
	 * kommune is then the primary key itself. */
	"CREATE TABLE pseudonym2 ("
	"  year INTEGER NOT NULL,"
	"  kommune TEXT NOT NULL,"
	"  pseudonym BLOB NOT NULL CHECK (length(pseudonym) = 16),"
	"  PRIMARY KEY (year, kommune, pseudonym)) WITHOUT ROWID;"
	"INSERT INTO pseudonym2 (year, kommune, pseudonym) "
	"  SELECT year, kommune, pseudonym FROM pseudonym ORDER BY year, kommune, pseudonym;"
	"DROP TABLE pseudonym;"
	"ALTER TABLE pseudonym2 RENAME TO pseudonym;",
	/* 2 -> 3: sequence resets by an administrator (bpagg reset-sequence):
	 * the latest applied submission they name no longer counts for
	 * STALE; the row stays as the record of who was reset and when. */
	"CREATE TABLE sequence_reset ("
	"  id INTEGER PRIMARY KEY,"
	"  year INTEGER NOT NULL,"
	"  kommune TEXT NOT NULL CHECK (length(kommune) = 4),"
	"  ledger_id INTEGER NOT NULL REFERENCES ledger (id),"
	"  sequence INTEGER NOT NULL,"
	"  at INTEGER NOT NULL);"
	"CREATE INDEX sequence_reset_by_ledger ON sequence_reset (ledger_id);",
};
#define SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

struct sq {
	sqlite3 *db;
	sqlite3_stmt *st[NSTMT];
	size_t ncells, nsum;    /* bp_n_cells(), bp_n_sum_cells() */
	uint8_t *buf;           /* encoding buffer: counts | sum_n | sums */
	size_t buflen;
	bool in_tx;             /* inside sq_begin .. sq_commit / sq_rollback */
};

/* Explicit little-endian load/store: never a host-order integer on disk. */
static void
store_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void
store_le64(uint8_t *p, uint64_t v)
{
	store_le32(p, (uint32_t)v);
	store_le32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t
load_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
load_le64(const uint8_t *p)
{
	return (uint64_t)load_le32(p) | (uint64_t)load_le32(p + 4) << 32;
}

static int
seterr(char *err, size_t errlen, const char *what, sqlite3 *db)
{
	if (err && errlen)
		snprintf(err, errlen, "store: %s%s%s", what, db ? ": " : "",
		    db ? sqlite3_errmsg(db) : "");
	return -1;
}

/* The cached statement k, reset and unbound; NULL on error. */
static sqlite3_stmt *
stmt(struct sq *q, enum stmt k)
{
	if (!q->st[k] && sqlite3_prepare_v3(q->db, stmt_sql[k], -1,
	    SQLITE_PREPARE_PERSISTENT, &q->st[k], NULL) != SQLITE_OK)
		return NULL;
	sqlite3_reset(q->st[k]);
	sqlite3_clear_bindings(q->st[k]);
	return q->st[k];
}

/* Steps a statement that returns no row; resets it. SQLITE_DONE on success. */
static int
run(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc;
}

static int
is_kommune(const char *k)
{
	for (int i = 0; i < 4; i++)
		if (k[i] < '0' || k[i] > '9')
			return 0;
	return k[4] == '\0';
}

/*
 * Makes sure path is a regular file we may open (not a symbolic link),
 * creating it 0600 when create is set. Returns 0, 1 when it does not exist
 * and create is 0, or -1 with a message.
 */
static int
prepare_file(const char *path, int create, char *err, size_t errlen)
{
	struct stat st;
	int fd, ret = -1;
	int flags = O_RDWR | O_NOFOLLOW | O_CLOEXEC | (create ? O_CREAT : 0);

	if ((fd = open(path, flags, 0600)) < 0) {
		if (errno == ENOENT && !create)
			return 1;
		snprintf(err, errlen, "store: %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "store: %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "store: %s: not a regular file", path);
		goto out;
	}
	if (st.st_size == 0 && fchmod(fd, 0600) < 0) {
		snprintf(err, errlen, "store: %s: %s", path, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

/* Runs one PRAGMA whose single result must equal want (when want is set). */
static int
pragma(sqlite3 *db, const char *sql, const char *want, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int ret = -1, rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		seterr(err, errlen, "cannot set up the database", db);
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		seterr(err, errlen, "cannot set up the database", db);
		goto out;
	}
	if (want && (rc != SQLITE_ROW || !sqlite3_column_text(st, 0) ||
	    strcmp((const char *)sqlite3_column_text(st, 0), want))) {
		snprintf(err, errlen, "store: %s did not take effect", sql);
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

/* The schema version of the file: 0 for a new file, -1 on error. */
static int
schema_version(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int v = -1, rc;

	if (sqlite3_exec(db, "CREATE TABLE IF NOT EXISTS schema_version "
	    "(version INTEGER NOT NULL)", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT max(version) FROM schema_version", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The schema version without taking the write lock: -1 when the file has
 * no schema_version table yet or cannot be read. */
static int
current_version(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int v = -1;

	if (sqlite3_prepare_v2(db, "SELECT max(version) FROM schema_version", -1, &st,
	    NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Brings the schema up to SCHEMA_VERSION, one transaction per step. A store
 * already at that version is only read (readers never take the write lock). */
static int
migrate(sqlite3 *db, char *err, size_t errlen)
{
	char sql[128];
	int v;

	if (current_version(db) == SCHEMA_VERSION)
		return 0;
	for (;;) {
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
			return seterr(err, errlen, "cannot lock the database", db);
		if ((v = schema_version(db)) < 0) {
			seterr(err, errlen, "cannot read the schema version", db);
			goto fail;
		}
		if (v > SCHEMA_VERSION) {
			snprintf(err, errlen, "store: schema version %d is newer than this "
			    "program's %d", v, SCHEMA_VERSION);
			goto fail;
		}
		if (v == SCHEMA_VERSION)
			break;
		snprintf(sql, sizeof(sql), "DELETE FROM schema_version; "
		    "INSERT INTO schema_version VALUES (%d)", v + 1);
		if (sqlite3_exec(db, migrations[v], NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
			seterr(err, errlen, "cannot create the schema", db);
			goto fail;
		}
		if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
			seterr(err, errlen, "cannot commit the schema", db);
			goto fail;
		}
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		seterr(err, errlen, "cannot commit", db);
		goto fail;
	}
	return 0;
fail:
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static int
configure_db(sqlite3 *db, char *err, size_t errlen)
{
	sqlite3_extended_result_codes(db, 1);
	if (sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS) != SQLITE_OK)
		return seterr(err, errlen, "cannot set the busy timeout", db);
	if (pragma(db, "PRAGMA journal_mode = WAL", "wal", err, errlen) < 0 ||
	    pragma(db, "PRAGMA synchronous = FULL", NULL, err, errlen) < 0 ||
	    pragma(db, "PRAGMA foreign_keys = ON", NULL, err, errlen) < 0 ||
	    /* 64 MiB of page cache (default 2 MiB), so that the pages an
	     * apply or a status query goes through stay in memory. */
	    pragma(db, "PRAGMA cache_size = -65536", NULL, err, errlen) < 0)
		return -1;
	return 0;
}

static void
sq_close(void *h)
{
	struct sq *q = h;

	if (!q)
		return;
	for (int i = 0; i < NSTMT; i++)
		sqlite3_finalize(q->st[i]);
	sqlite3_close(q->db);
	free(q->buf);
	free(q);
}

/* Opens the store file of c; *h is freed by sq_close. */
static int
sq_open(const struct bp_config *c, int create, void **h, char *err, size_t errlen)
{
	struct sq *q = NULL;
	int ret = -1, r;

	*h = NULL;
	if (!c->store_path || !*c->store_path) {
		snprintf(err, errlen, "store: [store] path is not set");
		return -1;
	}
	if ((r = prepare_file(c->store_path, create, err, errlen)) != 0)
		return r;
	if (!(q = calloc(1, sizeof(*q)))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	q->ncells = bp_n_cells();
	q->nsum = bp_n_sum_cells();
	q->buflen = q->ncells * 4 + q->nsum * 12;
	if (!(q->buf = malloc(q->buflen ? q->buflen : 1))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (sqlite3_open_v2(c->store_path, &q->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		seterr(err, errlen, "cannot open", q->db);
		goto out;
	}
	if (configure_db(q->db, err, errlen) < 0 || migrate(q->db, err, errlen) < 0)
		goto out;
	*h = q;
	q = NULL;
	ret = 0;
out:
	sq_close(q);
	return ret;
}

/* Looks up the kommune's submission id: *found 0/1, digest into dig. */
static int
find_id(struct sq *q, const struct bp_submission *sub, int *found, uint8_t dig[32])
{
	sqlite3_stmt *st = stmt(q, ST_FIND_ID);
	int rc, ret = -1;

	*found = 0;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, sub->kommune, 4, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, sub->id, 16, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const void *d = sqlite3_column_blob(st, 0);
		if (d && sqlite3_column_bytes(st, 0) == 32) {
			memcpy(dig, d, 32);
			*found = 1;
			ret = 0;
		}
	} else if (rc == SQLITE_DONE)
		ret = 0;
	sqlite3_reset(st);
	return ret;
}

/* The sequence of the latest applied submission: *found 0/1. */
static int
last_sequence(struct sq *q, int year, const char *kommune, int *found, uint64_t *seq)
{
	sqlite3_stmt *st = stmt(q, ST_LAST_SEQ);
	int rc, ret = -1;

	*found = 0;
	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, year);
	sqlite3_bind_text(st, 2, kommune, 4, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*seq = (uint64_t)sqlite3_column_int64(st, 0);
		*found = 1;
		ret = 0;
	} else if (rc == SQLITE_DONE)
		ret = 0;
	sqlite3_reset(st);
	return ret;
}

static int
sq_judge(void *h, const struct bp_submission *sub, enum bp_store_verdict *v)
{
	struct sq *q = h;
	uint8_t dig[32];
	uint64_t last = 0;
	int found;

	if (!is_kommune(sub->kommune))
		return -1;
	if (find_id(q, sub, &found, dig) < 0)
		return -1;
	if (found) {
		*v = memcmp(dig, sub->digest, 32) ? BP_STORE_ID_REUSED :
		    BP_STORE_ALREADY_APPLIED;
		return 0;
	}
	if (last_sequence(q, sub->year, sub->kommune, &found, &last) < 0)
		return -1;
	*v = (found && sub->sequence <= last) ? BP_STORE_STALE : BP_STORE_NEW;
	return 0;
}

/* Inserts the ledger row; *id is its rowid. */
static int
insert_ledger(struct sq *q, const struct bp_submission *sub, sqlite3_int64 *id)
{
	sqlite3_stmt *st = stmt(q, ST_INS_LEDGER);

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
	if (run(st) != SQLITE_DONE)
		return -1;
	*id = sqlite3_last_insert_rowid(q->db);
	return 0;
}

/* Encodes t into q->buf: counts, then sum_n, then sums, little-endian. */
static void
encode_tally(struct sq *q, const struct bp_tally *t)
{
	uint8_t *p = q->buf;

	for (size_t i = 0; i < q->ncells; i++, p += 4)
		store_le32(p, t->counts[i]);
	for (size_t i = 0; i < q->nsum; i++, p += 4)
		store_le32(p, t->sum_n[i]);
	for (size_t i = 0; i < q->nsum; i++, p += 8)
		store_le64(p, t->sum[i]);
}

static int
put_tally(struct sq *q, const struct bp_submission *sub, sqlite3_int64 ledger_id,
    const struct bp_tally *t, const uint8_t catalogue_id[32])
{
	sqlite3_stmt *st = stmt(q, ST_PUT_TALLY);
	size_t nc = q->ncells * 4, ns = q->nsum * 4;

	if (!st)
		return -1;
	encode_tally(q, t);
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
	return run(st) == SQLITE_DONE ? 0 : -1;
}

/* Replaces the kommune's pseudonyms for the year. */
static int
put_pseudonyms(struct sq *q, const struct bp_submission *sub, const uint8_t *ps, size_t n)
{
	sqlite3_stmt *del = stmt(q, ST_DEL_PSEUD);
	sqlite3_stmt *ins;

	if (!del)
		return -1;
	sqlite3_bind_int(del, 1, sub->year);
	sqlite3_bind_text(del, 2, sub->kommune, 4, SQLITE_STATIC);
	if (run(del) != SQLITE_DONE || !(ins = stmt(q, ST_INS_PSEUD)))
		return -1;
	sqlite3_bind_int(ins, 1, sub->year);
	sqlite3_bind_text(ins, 3, sub->kommune, 4, SQLITE_STATIC);
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_blob(ins, 2, ps + i * 16, 16, SQLITE_STATIC);
		if (run(ins) != SQLITE_DONE)
			return -1;
	}
	return 0;
}

/*
 * Opens a transaction of its own (BEGIN IMMEDIATE), or inside a caller's
 * transaction (sq_begin) the savepoint name; *nested says which. Fails when
 * the caller's transaction has been rolled back by SQLite meanwhile, so that
 * nothing is then committed piecemeal.
 */
static int
tx_open(struct sq *q, const char *name, bool *nested)
{
	char sql[64];
	sqlite3_stmt *st;

	*nested = !sqlite3_get_autocommit(q->db);
	if (q->in_tx && !*nested)
		return -1;
	if (!*nested)
		return (st = stmt(q, ST_BEGIN)) && run(st) == SQLITE_DONE ? 0 : -1;
	snprintf(sql, sizeof(sql), "SAVEPOINT %s", name);
	return sqlite3_exec(q->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* Commits what tx_open opened (or releases its savepoint). */
static int
tx_close(struct sq *q, const char *name, bool nested)
{
	char sql[64];
	sqlite3_stmt *st;

	if (!nested)
		return (st = stmt(q, ST_COMMIT)) && run(st) == SQLITE_DONE ? 0 : -1;
	snprintf(sql, sizeof(sql), "RELEASE %s", name);
	return sqlite3_exec(q->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* Undoes what tx_open opened; the caller's transaction goes on. */
static void
tx_undo(struct sq *q, const char *name, bool nested)
{
	char sql[80];

	if (sqlite3_get_autocommit(q->db))
		return;
	if (!nested) {
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
		return;
	}
	snprintf(sql, sizeof(sql), "ROLLBACK TO %s; RELEASE %s", name, name);
	sqlite3_exec(q->db, sql, NULL, NULL, NULL);
}

static int
check_apply_args(const struct bp_submission *sub, const struct bp_tally *t,
    const uint8_t *ps, size_t npseud, const uint8_t *cat, char *err, size_t errlen)
{
	if (!is_kommune(sub->kommune))
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

static int
sq_apply(void *h, const struct bp_submission *sub, const struct bp_tally *t,
    const uint8_t *ps, size_t npseud, const uint8_t catalogue_id[32],
    char *err, size_t errlen)
{
	struct sq *q = h;
	sqlite3_int64 id;
	bool nested;
	int ret = -1;

	if (check_apply_args(sub, t, ps, npseud, catalogue_id, err, errlen) < 0)
		return -1;
	if (tx_open(q, "bp_apply", &nested) < 0)
		return seterr(err, errlen, "cannot begin a transaction", q->db);
	if (insert_ledger(q, sub, &id) < 0) {
		seterr(err, errlen, "cannot record the submission", q->db);
		goto out;
	}
	if (!sub->dry_run && put_tally(q, sub, id, t, catalogue_id) < 0) {
		seterr(err, errlen, "cannot store the tally", q->db);
		goto out;
	}
	if (!sub->dry_run && put_pseudonyms(q, sub, ps, npseud) < 0) {
		seterr(err, errlen, "cannot store the pseudonyms", q->db);
		goto out;
	}
	if (tx_close(q, "bp_apply", nested) < 0) {
		seterr(err, errlen, "cannot commit", q->db);
		goto out;
	}
	ret = 0;
out:
	if (ret < 0)
		tx_undo(q, "bp_apply", nested);
	return ret;
}

static int
sq_reject(void *h, const char *kommune, int year, const char *file, const char *reason,
    int64_t when)
{
	struct sq *q = h;
	sqlite3_stmt *st = stmt(q, ST_INS_REJECT);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, is_kommune(kommune) ? kommune : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, year);
	sqlite3_bind_text(st, 3, file, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, when);
	return run(st) == SQLITE_DONE ? 0 : -1;
}

/* Decodes the current row of ST_TALLIES into t; -1 when sizes or the
 * catalogue do not match. */
static int
decode_tally(struct sq *q, sqlite3_stmt *st, const uint8_t want[32], struct bp_tally *t)
{
	const uint8_t *cat = sqlite3_column_blob(st, 2);
	const uint8_t *c, *n, *s;

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
	t->rows = (uint32_t)sqlite3_column_int64(st, 1);
	for (size_t i = 0; i < q->ncells; i++)
		t->counts[i] = load_le32(c + 4 * i);
	for (size_t i = 0; i < q->nsum; i++) {
		t->sum_n[i] = load_le32(n + 4 * i);
		t->sum[i] = load_le64(s + 8 * i);
	}
	return 0;
}

static int
sq_foreach_tally(void *h, int year, const uint8_t want[32],
    int (*cb)(const char *kommune, const struct bp_tally *t, void *ud), void *ud)
{
	struct sq *q = h;
	sqlite3_stmt *st = stmt(q, ST_TALLIES);
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

/* Fills sub from the current row of ST_LATEST; -1 when malformed. */
static int
decode_latest(sqlite3_stmt *st, struct bp_submission *sub)
{
	const unsigned char *k = sqlite3_column_text(st, 0);
	const unsigned char *a = sqlite3_column_text(st, 7);
	const void *id = sqlite3_column_blob(st, 2), *dig = sqlite3_column_blob(st, 4);

	memset(sub, 0, sizeof(*sub));
	if (!k || strlen((const char *)k) != 4 || !id || sqlite3_column_bytes(st, 2) != 16 ||
	    !dig || sqlite3_column_bytes(st, 4) != 32)
		return -1;
	memcpy(sub->kommune, k, 5);
	sub->year = sqlite3_column_int(st, 1);
	memcpy(sub->id, id, 16);
	sub->sequence = (uint64_t)sqlite3_column_int64(st, 3);
	memcpy(sub->digest, dig, 32);
	sub->rows = (uint32_t)sqlite3_column_int64(st, 5);
	sub->received = sqlite3_column_int64(st, 6);
	sub->dry_run = false;
	snprintf(sub->archived, sizeof(sub->archived), "%s", a ? (const char *)a : "");
	return 0;
}

static int
sq_foreach_latest(void *h, int year, int (*cb)(const struct bp_submission *sub, void *ud),
    void *ud)
{
	struct sq *q = h;
	sqlite3_stmt *st = stmt(q, ST_LATEST);
	struct bp_submission sub;
	int rc, ret = -1;

	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, year);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (decode_latest(st, &sub) < 0)
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

/* *years is malloc'ed here and freed by the caller. */
static int
sq_years(void *h, int **years, size_t *n)
{
	struct sq *q = h;
	sqlite3_stmt *st = stmt(q, ST_YEARS);
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
count_year(struct sq *q, enum stmt k, int year, uint64_t *n)
{
	sqlite3_stmt *st = stmt(q, k);
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

static int
sq_count_rejected(void *h, int year, uint64_t *n)
{
	return count_year(h, ST_COUNT_REJ, year, n);
}

static int
sq_count_multi_kommune(void *h, int year, uint64_t *n)
{
	return count_year(h, ST_COUNT_MULTI, year, n);
}

static int
sq_count_other_catalogue(void *h, int year, const uint8_t want[32], uint64_t *n)
{
	struct sq *q = h;
	sqlite3_stmt *st = stmt(q, ST_COUNT_OTHER);
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

static int
sq_clear(void *h)
{
	struct sq *q = h;

	if (sqlite3_exec(q->db, "BEGIN IMMEDIATE; DELETE FROM pseudonym; DELETE FROM tally; "
	    "DELETE FROM sequence_reset; DELETE FROM ledger; DELETE FROM rejection; COMMIT",
	    NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	if (!sqlite3_get_autocommit(q->db))
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static int
sq_clear_counts(void *h)
{
	struct sq *q = h;
	bool nested;

	if (tx_open(q, "bp_clear", &nested) < 0)
		return -1;
	/* The resets name ledger rows that are about to go (their ids may be
	 * reused by the rebuilt ledger). */
	if (sqlite3_exec(q->db, "DELETE FROM pseudonym; DELETE FROM tally; "
	    "DELETE FROM sequence_reset; DELETE FROM ledger",
	    NULL, NULL, NULL) != SQLITE_OK || tx_close(q, "bp_clear", nested) < 0) {
		tx_undo(q, "bp_clear", nested);
		return -1;
	}
	return 0;
}

static int
sq_find_received(void *h, const char *kommune, const uint8_t id[16], int64_t *received)
{
	struct sq *q = h;
	sqlite3_stmt *st;
	int rc, ret = -1;

	if (!is_kommune(kommune) || !(st = stmt(q, ST_FIND_RECEIVED)))
		return -1;
	sqlite3_bind_text(st, 1, kommune, 4, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, id, 16, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*received = sqlite3_column_int64(st, 0);
		ret = 1;
	} else if (rc == SQLITE_DONE)
		ret = 0;
	sqlite3_reset(st);
	return ret;
}

static int
sq_reset_sequence(void *h, const char *kommune, int year, int64_t when, uint64_t *old)
{
	struct sq *q = h;
	sqlite3_stmt *st;
	int rc, ret = -1;

	if (!is_kommune(kommune) || !(st = stmt(q, ST_RESET_SEQ)))
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

static int
sq_begin(void *h)
{
	struct sq *q = h;
	sqlite3_stmt *st;

	if (q->in_tx || !sqlite3_get_autocommit(q->db))
		return -1;
	if (!(st = stmt(q, ST_BEGIN)) || run(st) != SQLITE_DONE)
		return -1;
	q->in_tx = true;
	return 0;
}

static int
sq_commit(void *h)
{
	struct sq *q = h;
	sqlite3_stmt *st;
	int ret = -1;

	/* Rolled back by SQLite meanwhile (autocommit again): nothing to commit. */
	if (q->in_tx && !sqlite3_get_autocommit(q->db) && (st = stmt(q, ST_COMMIT)) &&
	    run(st) == SQLITE_DONE)
		ret = 0;
	if (ret < 0 && !sqlite3_get_autocommit(q->db))
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
	q->in_tx = false;
	return ret;
}

static void
sq_rollback(void *h)
{
	struct sq *q = h;

	if (!sqlite3_get_autocommit(q->db))
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
	q->in_tx = false;
}

const struct bp_store_backend bp_store_backend_sqlite = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.judge = sq_judge,
	.apply = sq_apply,
	.reject = sq_reject,
	.foreach_tally = sq_foreach_tally,
	.foreach_latest = sq_foreach_latest,
	.years = sq_years,
	.count_rejected = sq_count_rejected,
	.count_multi_kommune = sq_count_multi_kommune,
	.count_other_catalogue = sq_count_other_catalogue,
	.clear = sq_clear,
	.clear_counts = sq_clear_counts,
	.find_received = sq_find_received,
	.reset_sequence = sq_reset_sequence,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
};
