#!/usr/bin/env bash
# daemon_pgkill_pg.sh - the PostgreSQL server killed (SIGKILL) in the middle
# of an ingest, three times, and started again: bpaggd keeps each file it
# could not merge (in its queue), reconnects with back-off, says the loss and
# the recovery once each and nothing for each file tried meanwhile, and in
# the end every file is merged exactly once (archive, ledger, pseudonyms and
# tallies checked). Then the server is killed while bpaggd idles and files
# arrive: all but the one whose store call found the server gone stay in the
# inbox until the server is back.
set -euo pipefail
. "$BP_SRCDIR/tests/helpers/daemon_lib.sh"
. "$BP_SRCDIR/tests/helpers/pg_lib.sh"
trap 'pg_stop; cleanup' EXIT
pg_require
pg_start
BP_TEST_STORE_DSN=$(pg_createdb bpagg_kill)
N=${BPAGG_TEST_EXPORTS:-24}
IDLE=6                          # files that arrive while the server is down
YEAR=2023

init_central
mapfile -t kommuner < <(awk -F, 'NR > 1 { print $1 }' "$BPAGG_REGISTRY" | head -n "$((N + IDLE))")
csvs=()
mkdir -p "$T/sealed"
for i in "${!kommuner[@]}"; do
	k=${kommuner[$i]}
	add_kommune "$k"
	csv=$(make_export "$k" $YEAR $((120 + 23 * i)) "$((3000 + i))")
	csvs+=("$csv")
	seal_to "$k" $YEAR "$csv" "$T/sealed/$k.bpx"
done
log="$T/bpaggd.log"
in="$T/c/inbox"
drop() { # drop FROM TO
	for k in "${kommuner[@]:$1:$(($2 - $1))}"; do
		cp "$T/sealed/$k.bpx" "$in/$k.bpx.part"
		mv "$in/$k.bpx.part" "$in/$k.bpx"
	done
}

start_daemon "$log"
third=$((N / 3))
for round in 0 1 2; do
	drop $((round * third)) $(( round == 2 ? N : (round + 1) * third ))
	sleep "0.$((RANDOM % 5 + 2))"
	pg_kill
	sleep 2
	pg_restart_after_kill || fail "PostgreSQL did not start again"
done
wait_until 90 inbox_empty || fail "$(files_in "$in") files left in the inbox after the restarts"
kill -0 "$DPID" 2>/dev/null || fail "bpaggd died with its store"
ok "3 server kills during ingest; bpaggd stayed up and emptied the inbox"

lost=$(grep -c "connection to PostgreSQL was lost" "$log" || true)
back=$(grep -c "reconnected to PostgreSQL" "$log" || true)
[ "$lost" -ge 1 ] && [ "$lost" -le 3 ] || fail "the loss was said $lost times (3 outages)"
[ "$back" -eq "$lost" ] || fail "$lost losses but $back recoveries said"
ok "each outage said once ($lost lost, $back reconnected)"

# The server down while bpaggd idles; IDLE files arrive. The first store
# call finds it gone (one file waits in the queue); the rest stay in the
# inbox, and no line is logged per file or per try.
pg_kill
lines=$(wc -l <"$log")
drop "$N" $((N + IDLE))
said_lost() { [ "$(grep -c "connection to PostgreSQL was lost" "$log")" -gt "$lost" ]; }
wait_until 30 said_lost || fail "the loss of the idle server was not said"
sleep 3
left=$(files_in "$in")
[ "$left" -ge $((IDLE - 1)) ] || fail "only $left of $IDLE files stayed in the inbox while the server was down"
new=$(tail -n +"$((lines + 1))" "$log")
[ "$(grep -c "connection to PostgreSQL was lost" <<<"$new")" -eq 1 ] || fail "the loss was not said once: $new"
! grep -q "not ingested" <<<"$new" || fail "a line per file while the server was down: $new"
pg_restart_after_kill || fail "PostgreSQL did not start again"
wait_until 90 inbox_empty || fail "$(files_in "$in") files left in the inbox after the restart"
[ "$(grep -c "reconnected to PostgreSQL" "$log")" -eq $((back + 1)) ] || fail "the recovery was not said once"
stop_daemon
ok "server down while idle: $left of $IDLE files stayed in the inbox, one line for the loss and one for the recovery"
N=$((N + IDLE))

[ "$(files_in "$T/c/rejected")" -eq 0 ] || fail "files were rejected"
for k in "${kommuner[@]}"; do
	[ "$(files_in "$T/c/archive/$YEAR/$k")" -eq 1 ] || fail "kommune $k not archived exactly once"
done
led=$(pg_sql "$BP_TEST_STORE_DSN" "SELECT count(*) || '|' || count(DISTINCT submission_id) FROM ledger WHERE year = $YEAR")
[ "$led" = "$N|$N" ] || fail "ledger holds $led, expected $N|$N"
expected_counts "${csvs[@]}" >"$T/expected"
store_counts $YEAR >"$T/store"
diff "$T/expected" "$T/store" >/dev/null || fail "store counts differ from the plaintext"
rows=$(awk '{ s += $2 } END { print s }' "$T/expected")
ps=$(pg_sql "$BP_TEST_STORE_DSN" "SELECT count(*) FROM pseudonym WHERE year = $YEAR")
[ "$ps" = "$rows" ] || fail "store holds $ps pseudonyms, expected $rows"
ok "every file merged exactly once: $N ledger rows, $rows pseudonyms, counts equal the plaintext's"
cp "$log" "$T/c/"
no_pid_leak
