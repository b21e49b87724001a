#!/usr/bin/env bash
# pg_run.sh TEST.sh - runs tests/integration/TEST.sh with its store on a
# throw-away PostgreSQL (pg_lib.sh): a new database, its dsn in
# BP_TEST_STORE_DSN (daemon_lib.sh's init_central writes it into the
# installation's bpagg.conf), and `sqlite3 STORE SQL` answered by psql on
# that database, so that a test's own look into the ledger works unchanged.
set -euo pipefail
: "${BP_BUILDDIR:?}" "${BP_SRCDIR:?}"
. "$BP_SRCDIR/tests/helpers/pg_lib.sh"
trap pg_stop EXIT
pg_require
pg_start
BP_TEST_STORE_DSN=$(pg_createdb bpagg_it)
export BP_TEST_STORE_DSN
shim="$PG_DIR/bin"
mkdir -p "$shim"
cat >"$shim/sqlite3" <<SHIM
#!/bin/sh
# sqlite3 STORE SQL -> the same SQL on the PostgreSQL store
exec "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 "\$BP_TEST_STORE_DSN" -c "\$2"
SHIM
chmod +x "$shim/sqlite3"
export PG_BIN
PATH="$shim:$PATH" bash "$BP_SRCDIR/tests/integration/$1"
