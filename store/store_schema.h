/*
 * store_schema.h - the schema of the national store, one versioned list for
 * every backend: entry v moves a store from version v to v + 1, with the
 * statements of each backend side by side, so that both backends always
 * mean the same tables (store_sqlite.c and store_postgresql.c run them, one
 * transaction per step, and record the version in schema_version).
 */
#ifndef BP_STORE_SCHEMA_H
#define BP_STORE_SCHEMA_H

struct bp_store_migration {
	const char *what;        /* one line: why this step */
	const char *sqlite;      /* statements for SQLite, NULL: nothing to do */
	const char *postgresql;  /* statements for PostgreSQL, NULL: nothing to do */
};

extern const struct bp_store_migration bp_store_migrations[];

/* The version this program writes (the number of entries above). */
int bp_store_schema_version(void);

#endif
