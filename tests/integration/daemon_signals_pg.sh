#!/usr/bin/env bash
# daemon_signals_pg.sh - daemon_signals.sh with its store on PostgreSQL
# (tests/helpers/pg_run.sh).
exec "$BP_SRCDIR/tests/helpers/pg_run.sh" daemon_signals.sh
