#!/usr/bin/env bash
# daemon_ingest_pg.sh - daemon_ingest.sh with its store on PostgreSQL
# (tests/helpers/pg_run.sh). 30 files instead of 100: the same paths, less
# CI time.
BPAGG_TEST_EXPORTS=${BPAGG_TEST_EXPORTS:-30} \
	exec "$BP_SRCDIR/tests/helpers/pg_run.sh" daemon_ingest.sh
