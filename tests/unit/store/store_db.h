/*
 * store_db.h - the backend under test for test_store.c, which is built
 * twice: test_store (SQLite files in a temporary directory) and
 * test_store_pg (-DBP_TEST_PG: a schema of its own per test in the
 * throw-away PostgreSQL that tests/unit/store/test_store_pg.sh starts; its
 * connection string in BP_TEST_PG_DSN). Here: opening the store under test,
 * looking into it behind the store's back (count_sql, exec_sql) and the SQL
 * that differs between the two.
 */
#ifndef BP_TEST_STORE_DB_H
#define BP_TEST_STORE_DB_H

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"

#ifdef BP_TEST_PG
#include <libpq-fe.h>

#define BLOB(hex) "'\\x" hex "'::bytea"
#define BOOM_FN "CREATE OR REPLACE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql " \
	"AS $$BEGIN RAISE EXCEPTION 'forced'; END$$;"
#define BOOM(when_table, cond) BOOM_FN "CREATE TRIGGER boom BEFORE " when_table \
	" FOR EACH ROW " cond " EXECUTE FUNCTION boom()"
#define DROP_BOOM(table) "DROP TRIGGER boom ON " table

static char pg_schema[64];
static char pg_dsn[1024];

static PGconn *
pg_connect(const char *dsn)
{
	PGconn *c = PQconnectdb(dsn);
	cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
	return c;
}

static void
pg_exec_on(const char *dsn, const char *sql)
{
	PGconn *c = pg_connect(dsn);
	PGresult *r = PQexec(c, sql);
	cr_assert(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK,
	    "%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
}

/* A schema of its own for this test (each runs in its own process). */
static void
db_setup(struct bp_config *conf, const char *dir)
{
	const char *base = getenv("BP_TEST_PG_DSN");
	char sql[64 + 2 * sizeof(pg_schema)];

	cr_assert_not_null(base, "BP_TEST_PG_DSN is set by test_store_pg.sh");
	snprintf(pg_schema, sizeof(pg_schema), "t%ld", (long)getpid());
	snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s",
	    pg_schema, pg_schema);
	pg_exec_on(base, sql);
	snprintf(pg_dsn, sizeof(pg_dsn), "%s options='-csearch_path=%s'", base, pg_schema);
	conf->store_backend = "postgresql";
	conf->store_dsn = pg_dsn;
}

static void
db_teardown(void)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %s CASCADE", pg_schema);
	pg_exec_on(getenv("BP_TEST_PG_DSN"), sql);
}

/* A single number from a second connection to the same store. */
static long long
count_sql(const char *sql)
{
	PGconn *c = pg_connect(pg_dsn);
	PGresult *r = PQexec(c, sql);
	long long n = -1;

	cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(c));
	if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
		n = atoll(PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(c);
	return n;
}

static void
exec_sql(const char *sql)
{
	pg_exec_on(pg_dsn, sql);
}

#else /* SQLite */
#include <sqlite3.h>

#define BLOB(hex) "x'" hex "'"
#define BOOM(when_table, cond) "CREATE TRIGGER boom " when_table " " cond \
	" BEGIN SELECT RAISE(ABORT, 'forced'); END"
#define DROP_BOOM(table) "DROP TRIGGER boom"

static char dbpath[300];

static void
db_setup(struct bp_config *conf, const char *dir)
{
	snprintf(dbpath, sizeof(dbpath), "%s/store.sqlite", dir);
	conf->store_backend = "sqlite";
	conf->store_path = dbpath;
}

static void
db_teardown(void)
{
}

/* SELECT count(*) on a second connection to the same file. */
static long long
count_sql(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long n = -1;

	cr_assert_eq(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void
exec_sql(const char *sql)
{
	sqlite3 *db;
	cr_assert_eq(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	sqlite3_close(db);
}
#endif

#endif
