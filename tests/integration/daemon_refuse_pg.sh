#!/usr/bin/env bash
# daemon_refuse_pg.sh - daemon_refuse.sh with its store on PostgreSQL
# (tests/helpers/pg_run.sh).
exec "$BP_SRCDIR/tests/helpers/pg_run.sh" daemon_refuse.sh
