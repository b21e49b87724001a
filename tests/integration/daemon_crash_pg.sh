#!/usr/bin/env bash
# daemon_crash_pg.sh - daemon_crash.sh with its store on PostgreSQL.
# Fewer files and kills than the SQLite run: the same paths, less CI time.
BPAGG_TEST_EXPORTS=${BPAGG_TEST_EXPORTS:-30} BPAGG_CRASH_KILLS=${BPAGG_CRASH_KILLS:-20} \
	exec "$BP_SRCDIR/tests/helpers/pg_run.sh" daemon_crash.sh
