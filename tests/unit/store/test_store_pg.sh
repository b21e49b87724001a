#!/usr/bin/env bash
# test_store_pg.sh - the store's unit tests (test_store.c, test_store_damage.c,
# test_store_reset.c, test_store_session.c) on PostgreSQL: a throw-away server
# (tests/helpers/pg_lib.sh), one database, a schema per test.
set -euo pipefail
: "${BP_BUILDDIR:?}" "${BP_SRCDIR:?}"
. "$BP_SRCDIR/tests/helpers/pg_lib.sh"
trap pg_stop EXIT
pg_require
pg_start
BP_TEST_PG_DSN=$(pg_createdb bpagg_unit)
export BP_TEST_PG_DSN
"$BP_BUILDDIR/tests/unit/store/test_store_pg"
"$BP_BUILDDIR/tests/unit/store/test_store_damage_pg"
"$BP_BUILDDIR/tests/unit/store/test_store_reset_pg"
"$BP_BUILDDIR/tests/unit/store/test_store_session_pg"
