#!/usr/bin/env bash
# daemon_crash.sh - bpaggd killed with SIGKILL at random moments, at least
# BPAGG_CRASH_KILLS (default 50) times, while 100 files are ingested, and
# restarted each time. Files are dropped a few at a time between restarts
# so that most kills land while work is in flight. The end state must be
# exact: every file archived exactly once, none rejected, the store's counts
# equal to the plaintext's, one ledger entry per submission.
set -euo pipefail
. "$BP_SRCDIR/tests/helpers/daemon_lib.sh"
N=${BPAGG_TEST_EXPORTS:-100}
KILLS=${BPAGG_CRASH_KILLS:-50}
YEAR=2022

init_central
mapfile -t kommuner < <(awk -F, 'NR > 1 { print $1 }' "$BPAGG_REGISTRY" | tail -n "$N")
csvs=()
mkdir -p "$T/sealed"
for i in "${!kommuner[@]}"; do
	k=${kommuner[$i]}
	add_kommune "$k"
	csv=$(make_export "$k" $YEAR $((20 + i % 21)) "$((1000 + i))")
	csvs+=("$csv")
	seal_to "$k" $YEAR "$csv" "$T/sealed/$k.bpx"
done
ok "sealed $N exports"

log="$T/bpaggd.log"
in="$T/c/inbox"
per_round=$(( (N + KILLS - 1) / KILLS ))
next=0 kills=0 rounds=0
while :; do
	# Drop the next few files (written as .part, then renamed).
	for _ in $(seq 1 $per_round); do
		[ $next -lt $N ] || break
		k=${kommuner[$next]}
		cp "$T/sealed/$k.bpx" "$in/$k.bpx.part"
		mv "$in/$k.bpx.part" "$in/$k.bpx"
		next=$((next + 1))
	done
	[ $kills -lt "$KILLS" ] || [ $next -lt $N ] || break
	rounds=$((rounds + 1))
	[ $rounds -le $((KILLS * 10)) ] || fail "too many rounds"
	start_daemon "$log"
	sleep "$(printf '0.%03d' $((RANDOM % 150 + 1)))"
	kill -KILL "$DPID" 2>/dev/null || true
	wait "$DPID" 2>/dev/null || true
	kills=$((kills + 1))
done
ok "$kills SIGKILLs, $(files_in "$in") files left in the inbox, $(grep -c "already applied" "$log" || true) re-judged as already applied"

# A last run without interruption finishes the work.
rc=0
bpaggd -c "$C" --once --foreground 2>>"$log" || rc=$?
[ $rc -eq 0 ] || fail "final bpaggd --once exited $rc"
[ "$(files_in "$in")" -eq 0 ] || fail "files left in the inbox"
[ "$(files_in "$T/c/queue")" -eq 0 ] || fail "entries left in the queue: $(ls "$T/c/queue" | head -3)"
# Exactly one receipt per submission, whatever instant the kills hit.
[ "$(find "$T/c/outbox" -name '*.receipt' | wc -l)" -eq "$N" ] ||
	fail "$(find "$T/c/outbox" -name '*.receipt' | wc -l) receipts for $N submissions"
[ "$(files_in "$T/c/rejected")" -eq 0 ] || fail "files were rejected: $(ls "$T/c/rejected" | head)"
[ "$(files_in "$T/c/archive")" -eq "$N" ] || fail "archive holds $(files_in "$T/c/archive") files, expected $N"
for k in "${kommuner[@]}"; do
	[ "$(files_in "$T/c/archive/$YEAR/$k")" -eq 1 ] || fail "kommune $k not archived exactly once"
	archived_as "$T/sealed/$k.bpx" $YEAR "$k" || fail "archived file of $k differs"
done
ok "every file archived exactly once, unchanged"

expected_counts "${csvs[@]}" >"$T/expected"
store_counts $YEAR >"$T/store"
diff "$T/expected" "$T/store" >/dev/null || fail "store counts differ from the plaintext after crashes"
ok "store counts equal the plaintext's"

if command -v sqlite3 >/dev/null; then
	db="$T/c/store.sqlite"
	led=$(sqlite3 "$db" "SELECT count(*), count(DISTINCT submission_id) FROM ledger WHERE year = $YEAR")
	[ "$led" = "$N|$N" ] || fail "ledger holds $led entries, expected $N|$N"
	rows=$(awk '{ s += $2 } END { print s }' "$T/expected")
	ps=$(sqlite3 "$db" "SELECT count(*) FROM pseudonym WHERE year = $YEAR")
	[ "$ps" = "$rows" ] || fail "store holds $ps pseudonyms, expected $rows"
	ok "one ledger entry per submission, $rows pseudonyms"
else
	echo "note: sqlite3 not installed; ledger not inspected"
fi
cp "$log" "$T/c/"
no_pid_leak
