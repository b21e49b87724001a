#!/usr/bin/env bash
# daemon_names_pg.sh - daemon_names.sh with its store on PostgreSQL
# (tests/helpers/pg_run.sh).
exec "$BP_SRCDIR/tests/helpers/pg_run.sh" daemon_names.sh
