/*
 * store_sqlite.c - the SQLite backend of the national aggregate store
 * (store.h, store_backend.h): the file, its schema, its integrity and its
 * transactions; the statements are in store_sqlite_ops.c, the swap of
 * bpagg rebuild in store_sqlite_swap.c.
 *
 * The file is created whole or not at all: a new store is built in a
 * temporary file beside the path (mode 0600, schema included) and linked
 * into place, so that a store file of 0 bytes is never a new store but a
 * truncated one, and refused. It is opened without following a symbolic
 * link and run in WAL mode with synchronous=FULL, foreign keys on and a busy
 * timeout, so that a committed submission survives a crash and bpagg status
 * may read while bpaggd writes.
 *
 * Schema (store_schema.c, one versioned list with PostgreSQL; the version is
 * recorded in schema_version):
 *
 *   ledger     every submission applied or dry-run: kommune, year, the
 *              kommune's submission id (unique per kommune), sequence (the
 *              64-bit pattern of the unsigned value), digest, rows, received,
 *              status 'applied' | 'dry_run', archived path, and the upload
 *              that carried it (bpaggd's "T-R", NULL when not known).
 *   tally      one row per (year, kommune): the latest applied submission
 *              (ledger_id), rows, catalogue id, the vector sizes, three
 *              dense little-endian BLOBs (store_codec.h): counts (ncells x
 *              u32), sum_n (nsum x u32), sums (nsum x u64), and their
 *              checksum. Dense because a tally is read and written whole:
 *              one BLOB of ~120 KB per kommune is written and read back at
 *              memory speed, and 357 of them stay near 50 MB a year.
 *   rejection  refused files: kommune or '', year or 0, file name, reason,
 *              time.
 *   pseudonym  (year, kommune, pseudonym): who reported whom, nothing else;
 *              keyed by kommune first, so that the pseudonyms of one
 *              submission lie on a few adjacent pages.
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

#include <sodium.h>

#include "store_codec.h"
#include "store_schema.h"
#include "store_sqlite.h"

#define BUSY_TIMEOUT_MS 10000

int
bp_sq_run(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc;
}

int
bp_sq_seterr(char *err, size_t errlen, const char *what, sqlite3 *db)
{
	if (err && errlen)
		snprintf(err, errlen, "store: %s%s%s", what, db ? ": " : "",
		    db ? sqlite3_errmsg(db) : "");
	return -1;
}

int
bp_sq_is_kommune(const char *k)
{
	for (int i = 0; i < 4; i++)
		if (k[i] < '0' || k[i] > '9')
			return 0;
	return k[4] == '\0';
}

/* Runs one PRAGMA whose single result must equal want (when want is set). */
static int
pragma(sqlite3 *db, const char *sql, const char *want, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int ret = -1, rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		bp_sq_seterr(err, errlen, "cannot set up the database", db);
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		bp_sq_seterr(err, errlen, "cannot set up the database", db);
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
	int v = -1;

	if (sqlite3_exec(db, "CREATE TABLE IF NOT EXISTS schema_version "
	    "(version INTEGER NOT NULL)", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT max(version) FROM schema_version", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
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

/* Brings the schema up to bp_store_schema_version(), one transaction per
 * step. A store already at that version is only read (readers never take
 * the write lock). */
static int
migrate(sqlite3 *db, char *err, size_t errlen)
{
	const int want = bp_store_schema_version();
	char sql[128];
	int v;

	if (current_version(db) == want)
		return 0;
	for (;;) {
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
			return bp_sq_seterr(err, errlen, "cannot lock the database", db);
		if ((v = schema_version(db)) < 0) {
			bp_sq_seterr(err, errlen, "cannot read the schema version", db);
			goto fail;
		}
		if (v > want) {
			snprintf(err, errlen, "store: schema version %d is newer than this "
			    "program's %d", v, want);
			goto fail;
		}
		if (v == want)
			break;
		snprintf(sql, sizeof(sql), "DELETE FROM schema_version; "
		    "INSERT INTO schema_version VALUES (%d)", v + 1);
		if ((bp_store_migrations[v].sqlite && sqlite3_exec(db,
		    bp_store_migrations[v].sqlite, NULL, NULL, NULL) != SQLITE_OK) ||
		    sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
			bp_sq_seterr(err, errlen, "cannot create the schema", db);
			goto fail;
		}
		if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
			bp_sq_seterr(err, errlen, "cannot commit the schema", db);
			goto fail;
		}
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		bp_sq_seterr(err, errlen, "cannot commit", db);
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
		return bp_sq_seterr(err, errlen, "cannot set the busy timeout", db);
	if (pragma(db, "PRAGMA journal_mode = WAL", "wal", err, errlen) < 0 ||
	    pragma(db, "PRAGMA synchronous = FULL", NULL, err, errlen) < 0 ||
	    pragma(db, "PRAGMA foreign_keys = ON", NULL, err, errlen) < 0 ||
	    /* 64 MiB of page cache (default 2 MiB), so that the pages an
	     * apply or a status query goes through stay in memory. */
	    pragma(db, "PRAGMA cache_size = -65536", NULL, err, errlen) < 0)
		return -1;
	return 0;
}

/* Builds a new store (schema included) in a temporary file beside path
 * and links it into place; a store made meanwhile by another process wins.
 * Returns 0 or -1 with err. */
static int
create_store(const char *path, char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	sqlite3 *db = NULL;
	int fd, ret = -1;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.new-XXXXXX", path) >= sizeof(tmp)) {
		snprintf(err, errlen, "store: %s: path too long", path);
		return -1;
	}
	if ((fd = mkstemp(tmp)) < 0) {
		snprintf(err, errlen, "store: %s: %s", path, strerror(errno));
		return -1;
	}
	close(fd);
	if (sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		bp_sq_seterr(err, errlen, "cannot create", db);
		goto out;
	}
	if (configure_db(db, err, errlen) < 0 || migrate(db, err, errlen) < 0)
		goto out;
	if (sqlite3_close(db) != SQLITE_OK) {
		bp_sq_seterr(err, errlen, "cannot close the new store", db);
		goto out;
	}
	db = NULL;
	if (link(tmp, path) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "store: %s: %s", path, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	sqlite3_close(db);
	unlink(tmp);
	return ret;
}

/*
 * Makes sure path is a regular file we may open (not a symbolic link) and
 * not empty, creating a new store there when create is set. Returns 0, 1
 * when it does not exist and create is 0, or -1 with a message.
 */
static int
prepare_file(const char *path, int create, char *err, size_t errlen)
{
	struct stat st;
	int fd, ret = -1;

	if ((fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC)) < 0 && errno == ENOENT) {
		if (!create)
			return 1;
		if (create_store(path, err, errlen) < 0)
			return -1;
		fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0) {
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
	if (st.st_size == 0) {
		snprintf(err, errlen, "store: %s is empty (0 bytes): the store was truncated "
		    "or lost, not created; bpagg rebuild builds it again from the archive",
		    path);
		goto out;
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

static void
sq_close(void *h)
{
	struct sq *q = h;

	if (!q)
		return;
	for (int i = 0; i < SQ_NSTMT; i++)
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
	if (sodium_init() < 0) {
		snprintf(err, errlen, "store: libsodium cannot start");
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
	q->buflen = bp_codec_tally_bytes(q->ncells, q->nsum);
	if (!(q->buf = malloc(q->buflen ? q->buflen : 1))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (sqlite3_open_v2(c->store_path, &q->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		bp_sq_seterr(err, errlen, "cannot open", q->db);
		goto out;
	}
	if (configure_db(q->db, err, errlen) < 0 || migrate(q->db, err, errlen) < 0) {
		int ec = sqlite3_errcode(q->db) & 0xff;
		if (ec == SQLITE_CORRUPT || ec == SQLITE_NOTADB)
			snprintf(err, errlen, "store: %s is damaged (%s); bpagg rebuild builds "
			    "it again from the archive", c->store_path, sqlite3_errmsg(q->db));
		goto out;
	}
	*h = q;
	q = NULL;
	ret = 0;
out:
	sq_close(q);
	return ret;
}

/* Hashes every tally's vectors against its checksum (rows without one,
 * written before schema 3, are not checked). */
static int
check_tallies(struct sq *q, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc, ret = -1;

	if (sqlite3_prepare_v2(q->db, "SELECT year, kommune, rows, catalogue_id, counts, "
	    "sum_n, sums, checksum FROM tally WHERE checksum IS NOT NULL", -1, &st,
	    NULL) != SQLITE_OK)
		return bp_sq_seterr(err, errlen, "damaged", q->db);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const uint8_t *cat = sqlite3_column_blob(st, 3);
		const uint8_t *sum = sqlite3_column_blob(st, 7);
		uint8_t got[32];
		const char *k = (const char *)sqlite3_column_text(st, 1);
		if (cat && sqlite3_column_bytes(st, 3) == 32 && sum &&
		    sqlite3_column_bytes(st, 7) == 32) {
			bp_codec_checksum(sqlite3_column_blob(st, 4),
			    (size_t)sqlite3_column_bytes(st, 4), sqlite3_column_blob(st, 5),
			    (size_t)sqlite3_column_bytes(st, 5), sqlite3_column_blob(st, 6),
			    (size_t)sqlite3_column_bytes(st, 6),
			    (uint32_t)sqlite3_column_int64(st, 2), cat, got);
			if (!memcmp(got, sum, 32))
				continue;
		}
		snprintf(err, errlen, "store: damaged: the tally of kommune %.4s for %d does "
		    "not match its checksum", k && bp_sq_is_kommune(k) ? k : "????",
		    sqlite3_column_int(st, 0));
		goto out;
	}
	if (rc != SQLITE_DONE) {
		bp_sq_seterr(err, errlen, "damaged", q->db);
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

static int
sq_check(void *h, int full, char *err, size_t errlen)
{
	struct sq *q = h;
	sqlite3_stmt *st = NULL;
	const char *res;
	int ret = -1;

	if (sqlite3_prepare_v2(q->db, full ? "PRAGMA integrity_check(1)" :
	    "PRAGMA quick_check(1)", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		bp_sq_seterr(err, errlen, "damaged (integrity check failed)", q->db);
		goto out;
	}
	res = (const char *)sqlite3_column_text(st, 0);
	if (!res || strcmp(res, "ok")) {
		snprintf(err, errlen, "store: damaged: %.200s; bpagg rebuild builds it again "
		    "from the archive", res ? res : "integrity check failed");
		goto out;
	}
	ret = check_tallies(q, err, errlen);
out:
	sqlite3_finalize(st);
	return ret;
}

static int
sq_schema_version(void *h)
{
	return current_version(((struct sq *)h)->db);
}

/*
 * Opens a transaction of its own (BEGIN IMMEDIATE), or inside a caller's
 * transaction (sq_begin) the savepoint name; *nested says which. Fails when
 * the caller's transaction has been rolled back by SQLite meanwhile, so that
 * nothing is then committed piecemeal.
 */
int
bp_sq_tx_open(struct sq *q, const char *name, bool *nested)
{
	char sql[64];
	sqlite3_stmt *st;

	*nested = !sqlite3_get_autocommit(q->db);
	if (q->in_tx && !*nested)
		return -1;
	if (!*nested)
		return (st = bp_sq_stmt(q, ST_BEGIN)) && bp_sq_run(st) == SQLITE_DONE ? 0 : -1;
	snprintf(sql, sizeof(sql), "SAVEPOINT %s", name);
	return sqlite3_exec(q->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* Commits what bp_sq_tx_open opened (or releases its savepoint). */
int
bp_sq_tx_close(struct sq *q, const char *name, bool nested)
{
	char sql[64];
	sqlite3_stmt *st;

	if (!nested)
		return (st = bp_sq_stmt(q, ST_COMMIT)) && bp_sq_run(st) == SQLITE_DONE ? 0 : -1;
	snprintf(sql, sizeof(sql), "RELEASE %s", name);
	return sqlite3_exec(q->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* Undoes what bp_sq_tx_open opened; the caller's transaction goes on. */
void
bp_sq_tx_undo(struct sq *q, const char *name, bool nested)
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

/* Deletes what sql names, in a transaction of its own or inside sq_begin's. */
static int
delete_in_tx(struct sq *q, const char *sql)
{
	bool nested;

	if (bp_sq_tx_open(q, "bp_clear", &nested) < 0)
		return -1;
	if (sqlite3_exec(q->db, sql, NULL, NULL, NULL) != SQLITE_OK ||
	    bp_sq_tx_close(q, "bp_clear", nested) < 0) {
		bp_sq_tx_undo(q, "bp_clear", nested);
		return -1;
	}
	return 0;
}

static int
sq_clear(void *h)
{
	return delete_in_tx(h, "DELETE FROM pseudonym; DELETE FROM tally; "
	    "DELETE FROM sequence_reset; DELETE FROM ledger; DELETE FROM rejection");
}

static int
sq_clear_counts(void *h)
{
	/* The resets name ledger rows that are about to go. */
	return delete_in_tx(h, "DELETE FROM pseudonym; DELETE FROM tally; "
	    "DELETE FROM sequence_reset; DELETE FROM ledger");
}

static int
sq_begin(void *h)
{
	struct sq *q = h;
	sqlite3_stmt *st;

	if (q->in_tx || !sqlite3_get_autocommit(q->db))
		return -1;
	if (!(st = bp_sq_stmt(q, ST_BEGIN)) || bp_sq_run(st) != SQLITE_DONE)
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
	if (q->in_tx && !sqlite3_get_autocommit(q->db) && (st = bp_sq_stmt(q, ST_COMMIT)) &&
	    bp_sq_run(st) == SQLITE_DONE)
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

/* Checks the fresh store at path, then puts it in place
 * (store_sqlite_swap.c); on success msg says what was kept. */
static int
sq_swap_in(const struct bp_config *c, const char *path, char *msg, size_t msglen)
{
	struct bp_config fc = *c;
	struct stat st;
	void *h = NULL;

	fc.store_path = (char *)path;
	if (sq_open(&fc, 0, &h, msg, msglen) != 0 || sq_check(h, 1, msg, msglen) < 0) {
		sq_close(h);
		return -1;
	}
	sq_close(h);
	/* The rebuilt store belongs to whoever owned the old one (the daemon's
	 * user), not to the one who ran the rebuild. */
	if (stat(c->store_path, &st) == 0 && chown(path, st.st_uid, st.st_gid) < 0) {
		snprintf(msg, msglen, "store: %s: %s", path, strerror(errno));
		return -1;
	}
	return bp_sq_put_in_place(c, path, msg, msglen);
}

const struct bp_store_backend bp_store_backend_sqlite = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.judge = bp_sq_judge,
	.apply = bp_sq_apply,
	.reject = bp_sq_reject,
	.foreach_tally = bp_sq_foreach_tally,
	.foreach_latest = bp_sq_foreach_latest,
	.years = bp_sq_years,
	.count_rejected = bp_sq_count_rejected,
	.count_multi_kommune = bp_sq_count_multi_kommune,
	.count_other_catalogue = bp_sq_count_other_catalogue,
	.clear = sq_clear,
	.clear_counts = sq_clear_counts,
	.find_received = bp_sq_find_received,
	.reset_sequence = bp_sq_reset_sequence,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.schema_version = sq_schema_version,
	.check = sq_check,
	.foreach_ledger = bp_sq_foreach_ledger,
	.foreach_rejection = bp_sq_foreach_rejection,
	.get_tally = bp_sq_get_tally,
	.pseudonyms = bp_sq_pseudonyms,
	.put_ledger = bp_sq_put_ledger,
	.foreach_reset = bp_sq_foreach_reset,
	.put_reset = bp_sq_put_reset,
	.fresh_path = bp_sq_fresh_path,
	.swap_in = sq_swap_in,
};
