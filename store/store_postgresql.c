/*
 * store_postgresql.c - the PostgreSQL backend of the national aggregate
 * store (store.h, store_backend.h): the connection, the schema, integrity,
 * transactions and locks; the statements are in store_postgresql_ops.c.
 *
 * [store] dsn is a libpq connection string (or URI) passed through as it
 * stands, TLS settings (sslmode, sslrootcert, sslcert, sslkey, ...)
 * included. A password in it is refused: it belongs in a passfile (mode
 * 0600, checked here when the dsn names one), ~/.pgpass or a service file.
 *
 * The tables mean what SQLite's mean (store_schema.c, one versioned list;
 * tallies laid out by store_codec.h). Every statement that carries a value
 * is a prepared statement. Writers meet only where they write the same
 * kommune-year, and there they queue on a transaction-scoped advisory lock
 * (see PQ_LOCK_CLASS): an apply takes the store's lock shared and its
 * kommune-year's exclusively, judges the submission again under them and
 * writes ledger, tally and pseudonyms in one transaction. The daemon's
 * judge and apply share one transaction that holds those two locks from
 * its start (bp_store_begin_submission); bp_store_begin (bpagg rebuild,
 * bpagg store copy) takes the store's lock exclusively.
 * Committed means durable: synchronous_commit is on for the session.
 *
 * A connection that is lost is not retried inside a transaction (that
 * transaction is gone: the caller gets an error and nothing was written);
 * between transactions the next call reconnects, with a back-off from
 * 0.25 s doubling to 30 s, and the loss and the recovery are each said
 * once on stderr (the daemon's log).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

#include "store_codec.h"
#include "store_postgresql.h"
#include "store_schema.h"

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
bp_pq_is_kommune(const char *k)
{
	for (int i = 0; i < 4; i++)
		if (k[i] < '0' || k[i] > '9')
			return 0;
	return k[4] == '\0';
}

int64_t
bp_pq_int(const PGresult *r, int row, int col)
{
	const uint8_t *p = (const uint8_t *)PQgetvalue(r, row, col);
	int n = PQgetlength(r, row, col);
	uint64_t v = 0;

	if (n != 2 && n != 4 && n != 8)
		return 0;
	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	if (n == 2)
		return (int16_t)v;
	if (n == 4)
		return (int32_t)v;
	return (int64_t)v;
}

/* NOTICEs (IF NOT EXISTS ...) are not the daemon's business. */
static void
quiet(void *arg, const char *msg)
{
}

static void
set_pq_err(char *err, size_t errlen, const char *what, const char *msg)
{
	size_t n;

	snprintf(err, errlen, "store: %s: %s", what, msg && *msg ? msg : "PostgreSQL error");
	/* One line: libpq's messages may run over several, indented. */
	for (char *c = err; *c; c++)
		if (*c == '\n' || *c == '\t' || *c == '\r')
			*c = ' ';
	n = strlen(err);
	while (n && (err[n - 1] == '\n' || err[n - 1] == ' '))
		err[--n] = '\0';
}

/* What every new session needs: durable commits, no notices, and a limit
 * on waiting for a lock: a writer stopped or hung inside its transaction
 * (a paused node) must not stop another for good; the one that gives up
 * fails its step, which is tried again later. */
static int
session_setup(struct pq *q)
{
	PGresult *r;
	char sql[96];
	int ok;

	PQsetNoticeProcessor(q->conn, quiet, NULL);
	snprintf(sql, sizeof(sql), "SET synchronous_commit = on; SET lock_timeout = %lu",
	    (unsigned long)q->lock_timeout * 1000ul);
	r = PQexec(q->conn, sql);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	memset(q->prepared, 0, sizeof(q->prepared));
	return ok ? 0 : -1;
}

/* Says once that the connection is lost (when a statement fails on it, or
 * the next call finds it down) and starts the back-off. */
static void
note_lost(struct pq *q)
{
	if (q->lost || PQstatus(q->conn) == CONNECTION_OK)
		return;
	q->lost = true;
	q->backoff_ms = 250;
	q->next_try_ms = now_ms();
	fprintf(stderr, "store: the connection to PostgreSQL was lost; reconnecting "
	    "with back-off\n");
}

bool
bp_pq_unreachable(void *h)
{
	struct pq *q = h;
	return q->lost || PQstatus(q->conn) != CONNECTION_OK;
}

/* Reconnects a lost connection, outside a transaction only, no more often
 * than the back-off allows. 0 when connected. */
static int
ensure(struct pq *q, char *err, size_t errlen)
{
	int64_t now;

	if (PQstatus(q->conn) == CONNECTION_OK)
		return 0;
	note_lost(q);
	/* Never inside a transaction: the rest of it would run outside one. */
	if (q->in_tx || q->own_tx) {
		snprintf(err, errlen, "store: the connection to PostgreSQL was lost in a "
		    "transaction; nothing of it was written");
		return -1;
	}
	now = now_ms();
	if (now >= q->next_try_ms) {
		PQreset(q->conn);
		if (PQstatus(q->conn) == CONNECTION_OK && session_setup(q) == 0) {
			q->lost = false;
			fprintf(stderr, "store: reconnected to PostgreSQL\n");
			return 0;
		}
		q->next_try_ms = now + q->backoff_ms;
		q->backoff_ms = q->backoff_ms >= 15000 ? 30000 : q->backoff_ms * 2;
	}
	snprintf(err, errlen, "store: no connection to PostgreSQL (reconnecting)");
	return -1;
}

PGresult *
bp_pq_exec(struct pq *q, enum pq_stmt k, int n, const char *const *vals, const int *lens,
    const int *fmts, char *err, size_t errlen)
{
	char name[16];
	char dummy[8];
	PGresult *r;
	ExecStatusType st;

	if (!err) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	if (ensure(q, err, errlen) < 0)
		return NULL;
	snprintf(name, sizeof(name), "bp%d", (int)k);
	if (!q->prepared[k]) {
		r = PQprepare(q->conn, name, bp_pq_sql[k], 0, NULL);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			set_pq_err(err, errlen, "cannot prepare a statement",
			    PQerrorMessage(q->conn));
			PQclear(r);
			return NULL;
		}
		PQclear(r);
		q->prepared[k] = true;
	}
	r = PQexecPrepared(q->conn, name, n, vals, lens, fmts, 1);
	st = PQresultStatus(r);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return r;
	set_pq_err(err, errlen, "statement failed", PQerrorMessage(q->conn));
	PQclear(r);
	note_lost(q);
	return NULL;
}

int
bp_pq_simple(struct pq *q, const char *sql, char *err, size_t errlen)
{
	PGresult *r = PQexec(q->conn, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;

	if (!ok && err)
		set_pq_err(err, errlen, sql, PQerrorMessage(q->conn));
	PQclear(r);
	if (!ok)
		note_lost(q);
	return ok ? 0 : -1;
}

/* A single integer from a constant query; -1 when it fails or is NULL. */
static long
simple_int(struct pq *q, const char *sql)
{
	PGresult *r = PQexec(q->conn, sql);
	long v = -1;

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
		v = strtol(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

/* migrate's transaction, under its lock: the same returns. */
static int
migrate_locked(struct pq *q, int create, char *err, size_t errlen)
{
	const int want = bp_store_schema_version();
	char sql[128];
	long v;

	if (bp_pq_simple(q, "BEGIN", err, errlen) < 0)
		return -1;
	if (simple_int(q, "SELECT (to_regclass('schema_version') IS NOT NULL)::int") != 1) {
		if (!create) {
			bp_pq_simple(q, "ROLLBACK", NULL, 0);
			return 1;
		}
		if (bp_pq_simple(q, "CREATE TABLE schema_version (version integer NOT NULL)",
		    err, errlen) < 0)
			goto fail;
	}
	v = simple_int(q, "SELECT coalesce(max(version), 0) FROM schema_version");
	if (v < 0) {
		snprintf(err, errlen, "store: cannot read the schema version");
		goto fail;
	}
	if (v > want) {
		snprintf(err, errlen, "store: schema version %ld is newer than this program's %d",
		    v, want);
		goto fail;
	}
	for (; v < want; v++)
		if (bp_store_migrations[v].postgresql &&
		    bp_pq_simple(q, bp_store_migrations[v].postgresql, err, errlen) < 0)
			goto fail;
	snprintf(sql, sizeof(sql), "DELETE FROM schema_version; "
	    "INSERT INTO schema_version VALUES (%d)", want);
	if (bp_pq_simple(q, sql, err, errlen) < 0 || bp_pq_simple(q, "COMMIT", err, errlen) < 0)
		goto fail;
	return 0;
fail:
	bp_pq_simple(q, "ROLLBACK", NULL, 0);
	return -1;
}

/*
 * Brings the schema up to bp_store_schema_version() in one transaction,
 * under an advisory lock so that two processes starting together do not
 * both create it.  The lock is the session's, taken before BEGIN: a
 * transaction that waited for it inside kept the catalog it had looked at
 * before (to_regclass takes no lock, so nothing made it see the other's
 * CREATE TABLE), and a second daemon starting beside the first failed on
 * "relation schema_version already exists".  Returns 0, 1 when there is
 * no store and create is 0, or -1 with err.
 */
static int
migrate(struct pq *q, int create, char *err, size_t errlen)
{
	char sql[128];

	if (simple_int(q, "SELECT (to_regclass('schema_version') IS NOT NULL)::int") == 1 &&
	    simple_int(q, "SELECT max(version) FROM schema_version") == bp_store_schema_version())
		return 0;
	snprintf(sql, sizeof(sql), "SELECT pg_advisory_lock(%d, -1)", PQ_LOCK_CLASS);
	if (bp_pq_simple(q, sql, err, errlen) < 0)
		return -1;
	int r = migrate_locked(q, create, err, errlen);
	snprintf(sql, sizeof(sql), "SELECT pg_advisory_unlock(%d, -1)", PQ_LOCK_CLASS);
	if (bp_pq_simple(q, sql, r < 0 ? NULL : err, errlen) < 0 && r >= 0)
		r = -1;
	return r;
}

/* A password in the dsn would sit in a configuration file and in the
 * process's memory for anyone who can read them: refused. A passfile it
 * names must be private (libpq itself only warns). */
static int
check_dsn(const char *dsn, char *err, size_t errlen)
{
	PQconninfoOption *opts, *o;
	char *msg = NULL;
	struct stat st;
	int ret = 0;

	if (!(opts = PQconninfoParse(dsn, &msg))) {
		set_pq_err(err, errlen, "[store] dsn", msg ? msg : "cannot be parsed");
		PQfreemem(msg);
		return -1;
	}
	for (o = opts; o->keyword; o++) {
		if (!o->val || !*o->val)
			continue;
		if (!strcmp(o->keyword, "password")) {
			snprintf(err, errlen, "store: [store] dsn holds a password; put it in a "
			    "passfile of mode 0600 (passfile=...), ~/.pgpass or a service file");
			ret = -1;
		} else if (!strcmp(o->keyword, "passfile")) {
			if (stat(o->val, &st) < 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077)) {
				snprintf(err, errlen, "store: [store] dsn: passfile %s must be a "
				    "regular file of mode 0600", o->val);
				ret = -1;
			}
		}
	}
	PQconninfoFree(opts);
	return ret;
}

static void
pq_close(void *h)
{
	struct pq *q = h;

	if (!q)
		return;
	PQfinish(q->conn);
	free(q->buf);
	free(q);
}

/* Connects to the store of c; *h is freed by pq_close. */
static int
pq_open(const struct bp_config *c, int create, void **h, char *err, size_t errlen)
{
	static const char *const kw[] = { "connect_timeout", "dbname",
	    "fallback_application_name", NULL };
	const char *vals[] = { "10", c->store_dsn, "bpagg", NULL };
	struct pq *q = NULL;
	int ret = -1, r;

	*h = NULL;
	if (!c->store_dsn || !*c->store_dsn) {
		snprintf(err, errlen, "store: [store] dsn is not set (backend = postgresql)");
		return -1;
	}
	if (sodium_init() < 0) {
		snprintf(err, errlen, "store: libsodium cannot start");
		return -1;
	}
	if (bp_pq_load(err, errlen) < 0)
		return -1;
	if (check_dsn(c->store_dsn, err, errlen) < 0)
		return -1;
	if (!(q = calloc(1, sizeof(*q)))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	q->ncells = bp_n_cells();
	q->nsum = bp_n_sum_cells();
	q->lock_timeout = c->store_lock_timeout;
	q->buflen = bp_codec_tally_bytes(q->ncells, q->nsum);
	if (!(q->buf = malloc(q->buflen ? q->buflen : 1))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	q->conn = PQconnectdbParams(kw, vals, 1);
	if (!q->conn || PQstatus(q->conn) != CONNECTION_OK) {
		set_pq_err(err, errlen, "cannot connect to PostgreSQL",
		    q->conn ? PQerrorMessage(q->conn) : "out of memory");
		goto out;
	}
	if (session_setup(q) < 0) {
		set_pq_err(err, errlen, "cannot set up the session", PQerrorMessage(q->conn));
		goto out;
	}
	if ((r = migrate(q, create, err, errlen)) != 0) {
		ret = r;
		goto out;
	}
	*h = q;
	q = NULL;
	ret = 0;
out:
	pq_close(q);
	return ret;
}

static int
pq_schema_version(void *h)
{
	return (int)simple_int(h, "SELECT max(version) FROM schema_version");
}

/* The quick check is the schema's presence (the server guards its pages,
 * with data checksums where the cluster has them); the thorough one also
 * hashes every tally against its checksum. */
static int
pq_check(void *h, int full, char *err, size_t errlen)
{
	struct pq *q = h;

	if (pq_schema_version(q) != bp_store_schema_version()) {
		snprintf(err, errlen, "store: damaged or unreadable: schema version missing");
		return -1;
	}
	return full ? bp_pq_check_tallies(q, err, errlen) : 0;
}

int
bp_pq_tx_open(struct pq *q, const char *name, bool *nested, char *err, size_t errlen)
{
	char sql[64];

	*nested = q->in_tx;
	if (!*nested) {
		if (ensure(q, err, errlen) < 0 || bp_pq_simple(q, "BEGIN", err, errlen) < 0)
			return -1;
		q->own_tx = true;
		return 0;
	}
	snprintf(sql, sizeof(sql), "SAVEPOINT %s", name);
	return bp_pq_simple(q, sql, err, errlen);
}

int
bp_pq_tx_close(struct pq *q, const char *name, bool nested, char *err, size_t errlen)
{
	char sql[64];

	if (!nested) {
		int r = bp_pq_simple(q, "COMMIT", err, errlen) < 0 ||
		    PQtransactionStatus(q->conn) != PQTRANS_IDLE ? -1 : 0;
		/* After a failed COMMIT the caller's undo rolls back (or the
		 * connection is gone, and the transaction with it). */
		if (r == 0)
			q->own_tx = false;
		return r;
	}
	snprintf(sql, sizeof(sql), "RELEASE SAVEPOINT %s", name);
	return bp_pq_simple(q, sql, err, errlen);
}

void
bp_pq_tx_undo(struct pq *q, const char *name, bool nested)
{
	char sql[80];

	if (!nested)
		q->own_tx = false;
	if (PQstatus(q->conn) != CONNECTION_OK)
		return;
	if (!nested) {
		bp_pq_simple(q, "ROLLBACK", NULL, 0);
		return;
	}
	snprintf(sql, sizeof(sql), "ROLLBACK TO SAVEPOINT %s; RELEASE SAVEPOINT %s", name, name);
	bp_pq_simple(q, sql, NULL, 0);
}

static int
delete_in_tx(struct pq *q, const char *sql)
{
	char err[8];
	bool nested;

	if (bp_pq_tx_open(q, "bp_clear", &nested, err, sizeof(err)) < 0)
		return -1;
	if (bp_pq_simple(q, sql, NULL, 0) < 0 ||
	    bp_pq_tx_close(q, "bp_clear", nested, err, sizeof(err)) < 0) {
		bp_pq_tx_undo(q, "bp_clear", nested);
		return -1;
	}
	return 0;
}

static int
pq_clear(void *h)
{
	return delete_in_tx(h, "DELETE FROM pseudonym; DELETE FROM tally; "
	    "DELETE FROM sequence_reset; DELETE FROM ledger; DELETE FROM rejection");
}

static int
pq_clear_counts(void *h)
{
	/* The resets name ledger rows that are about to go. */
	return delete_in_tx(h, "DELETE FROM pseudonym; DELETE FROM tally; "
	    "DELETE FROM sequence_reset; DELETE FROM ledger");
}

/* A transaction over several calls holding the store's lock exclusively
 * (sub NULL: every apply of another session waits for its end), or only
 * sub's kommune-year (and the store's lock shared: writers of other
 * kommune-years go on, and a writer stopped inside it holds up no one
 * else). */
static int
begin_locked(struct pq *q, const struct bp_submission *sub)
{
	PGresult *r = NULL;
	char err[8];

	if (q->in_tx || ensure(q, err, sizeof(err)) < 0 ||
	    bp_pq_simple(q, "BEGIN", NULL, 0) < 0)
		return -1;
	if (sub ? bp_pq_lock_kommune_year(q, sub, err, sizeof(err)) < 0 :
	    !(r = bp_pq_exec(q, PS_LOCK_ALL, 0, NULL, NULL, NULL, NULL, 0))) {
		bp_pq_simple(q, "ROLLBACK", NULL, 0);
		return -1;
	}
	PQclear(r);
	q->in_tx = true;
	return 0;
}

static int
pq_begin(void *h)
{
	return begin_locked(h, NULL);
}

static int
pq_begin_submission(void *h, const struct bp_submission *sub)
{
	return begin_locked(h, sub);
}

static int
pq_commit(void *h)
{
	struct pq *q = h;
	int ret = -1;

	if (q->in_tx && PQtransactionStatus(q->conn) == PQTRANS_INTRANS &&
	    bp_pq_simple(q, "COMMIT", NULL, 0) == 0 &&
	    PQtransactionStatus(q->conn) == PQTRANS_IDLE)
		ret = 0;
	if (ret < 0 && PQstatus(q->conn) == CONNECTION_OK &&
	    PQtransactionStatus(q->conn) != PQTRANS_IDLE)
		bp_pq_simple(q, "ROLLBACK", NULL, 0);
	q->in_tx = false;
	return ret;
}

static void
pq_rollback(void *h)
{
	struct pq *q = h;

	if (PQstatus(q->conn) == CONNECTION_OK && PQtransactionStatus(q->conn) != PQTRANS_IDLE)
		bp_pq_simple(q, "ROLLBACK", NULL, 0);
	q->in_tx = false;
}

const struct bp_store_backend bp_store_backend_postgresql = {
	.name = "postgresql",
	.open = pq_open,
	.close = pq_close,
	.judge = bp_pq_judge,
	.apply = bp_pq_apply,
	.reject = bp_pq_reject,
	.foreach_tally = bp_pq_foreach_tally,
	.foreach_latest = bp_pq_foreach_latest,
	.years = bp_pq_years,
	.count_rejected = bp_pq_count_rejected,
	.count_multi_kommune = bp_pq_count_multi_kommune,
	.count_other_catalogue = bp_pq_count_other_catalogue,
	.clear = pq_clear,
	.clear_counts = pq_clear_counts,
	.find_received = bp_pq_find_received,
	.reset_sequence = bp_pq_reset_sequence,
	.unreachable = bp_pq_unreachable,
	.begin = pq_begin,
	.begin_submission = pq_begin_submission,
	.commit = pq_commit,
	.rollback = pq_rollback,
	.schema_version = pq_schema_version,
	.check = pq_check,
	.foreach_ledger = bp_pq_foreach_ledger,
	.foreach_rejection = bp_pq_foreach_rejection,
	.get_tally = bp_pq_get_tally,
	.pseudonyms = bp_pq_pseudonyms,
	.put_ledger = bp_pq_put_ledger,
	.foreach_reset = bp_pq_foreach_reset,
	.put_reset = bp_pq_put_reset,
	.fresh_path = NULL,
	.swap_in = NULL,
};
