/*
 * store_pq_load.c - libpq, opened when a PostgreSQL store is opened.
 *
 * Linked, libpq brings 25 libraries (Kerberos, LDAP, GnuTLS, ...) into
 * every run of bpagg and bpaggd, and loading them was more than half of a
 * short command's time (18 ms of `bpagg --version`, 10 ms of it libpq's),
 * though most installations keep their store in SQLite.  So the PostgreSQL
 * backend calls libpq through bp_pq (store_postgresql.h renames its PQ*
 * calls), filled here by dlopen the first time a store of that backend is
 * opened.  The library stays loaded for the life of the process.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#define BP_PQ_NO_RENAME
#include "store_postgresql.h"

/* libpq's soname: version 5 since PostgreSQL 8.0. */
#define LIBPQ_SONAME "libpq.so.5"

struct bp_pq_api bp_pq;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_err[256];

static void
load(void)
{
	void *lib = dlopen(LIBPQ_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!lib) {
		snprintf(load_err, sizeof(load_err), "store: backend = postgresql needs "
		    "libpq (%s: %s; apt-get install libpq5)", LIBPQ_SONAME, dlerror());
		return;
	}
#define BP_PQ_SYM(f) \
	if (!(*(void **)&bp_pq.f = dlsym(lib, #f))) { \
		snprintf(load_err, sizeof(load_err), "store: %s lacks %s", LIBPQ_SONAME, #f); \
		return; \
	}
	BP_PQ_FUNCS(BP_PQ_SYM)
#undef BP_PQ_SYM
	bp_pq.loaded = true;
}

int
bp_pq_load(char *err, size_t errlen)
{
	pthread_once(&once, load);
	if (bp_pq.loaded)
		return 0;
	snprintf(err, errlen, "%s", load_err);
	return -1;
}
