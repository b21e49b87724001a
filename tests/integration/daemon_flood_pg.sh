#!/usr/bin/env bash
# daemon_flood_pg.sh - daemon_flood.sh with its store on PostgreSQL.
BPAGG_FLOOD_FILES=${BPAGG_FLOOD_FILES:-300} \
	exec "$BP_SRCDIR/tests/helpers/pg_run.sh" daemon_flood.sh
