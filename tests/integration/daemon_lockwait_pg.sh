#!/usr/bin/env bash
# daemon_lockwait_pg.sh - a writer that holds a kommune-year's lock on the
# PostgreSQL store (as a node paused inside its transaction would) stops
# bpaggd only for [store] lock_timeout, and only for that kommune-year:
# the daemon says why the held file waits, keeps it in its queue, merges
# another kommune's file meanwhile, and merges the held one once the lock
# is let go.
set -euo pipefail
. "$BP_SRCDIR/tests/helpers/daemon_lib.sh"
. "$BP_SRCDIR/tests/helpers/pg_lib.sh"
trap 'pg_stop; cleanup' EXIT
pg_require
pg_start
BP_TEST_STORE_DSN=$(pg_createdb bpagg_lockwait)
init_central
conf_set "$C" lock_timeout 1
for k in 0301 1103; do
	add_kommune "$k"
	seal_to "$k" 2024 "$(make_export "$k" 2024 6 "$((10#$k))")" "$T/$k.bpx"
done
log="$T/bpaggd.log"
# The store's tables exist before the lock is taken (the daemon makes them).
bpaggd -c "$C" --once --foreground 2>>"$log" || fail "bpaggd --once on an empty inbox"

# Kommune 0301's lock for 2024 (the key of store_postgresql_ops.c: year *
# 10000 + kommune), held by another session until this script commits it.
mkfifo "$T/holder.in"
"$PG_BIN/psql" -X -q -At "$BP_TEST_STORE_DSN" <"$T/holder.in" >/dev/null 2>&1 &
HOLDER=$!
exec 7>"$T/holder.in"
echo "BEGIN; SELECT pg_advisory_xact_lock(1651532135, 20240301);" >&7
held() {
	[ "$(pg_sql "$BP_TEST_STORE_DSN" "SELECT count(*) FROM pg_locks WHERE \
		locktype = 'advisory' AND granted AND objid = 20240301")" = 1 ]
}
wait_until 10 held || fail "the holder did not take the lock"

# (Not holding the session's input open: psql must see its end.)
bpaggd -c "$C" --foreground 2>>"$log" 7>&- & P=$!; DPIDS+=("$P")
merged() { grep -q "merged kommune $1 year 2024" "$log"; }
cp "$T/0301.bpx" "$T/c/inbox/0301-2024.bpx"
wait_until 20 grep -q "cannot begin the transaction of kommune 0301 year 2024" "$log" ||
	fail "no word of why kommune 0301 waits (did the daemon wait for the lock without limit?)"
# Only then another kommune's file: merged while 0301 still waits.
cp "$T/1103.bpx" "$T/c/inbox/1103-2024.bpx"
wait_until 20 merged 1103 || fail "kommune 1103 was not merged while 0301's lock was held"
held || fail "the other session let the lock go"
! merged 0301 || fail "kommune 0301 was merged while its lock was held"
[ "$(files_in "$T/c/rejected")" -eq 0 ] || fail "a file waiting for a lock was rejected"
ok "with kommune 0301's lock held, the log says why it waits, and 1103 was merged meanwhile"

echo "COMMIT;" >&7
exec 7>&-
wait "$HOLDER" || true
wait_until 30 merged 0301 || fail "kommune 0301 was not merged after its lock was let go"
wait_until 30 inbox_empty || fail "files left in the inbox or the queue"
[ "$(pg_sql "$BP_TEST_STORE_DSN" "SELECT count(*) FROM ledger")" = 2 ] || fail "ledger rows"
ok "once the lock was let go, kommune 0301 was merged"
