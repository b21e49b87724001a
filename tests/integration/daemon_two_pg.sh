#!/usr/bin/env bash
# daemon_two_pg.sh - two bpaggd, on two installations (each its own
# bpagg.conf and process), sharing one PostgreSQL store and one inbox,
# archive, rejected/ and outbox/ on shared storage (here one directory
# tree), with random SIGKILLs of either while BPAGG_TWO_FILES files are
# ingested (120 in make check; the acceptance figure is 500: run with
# BPAGG_TWO_FILES=500). Every file must be merged exactly once: one ledger
# row per submission, every file archived once, none refused, each
# kommune-year's counts equal to its plaintext's.
# Once, halfway, the first daemon is stopped (SIGSTOP) while files
# arrive: the second must go on merging meanwhile.  First, eight daemons
# start together on the new store.
#
# What makes it hold: the advisory lock per kommune-year, taken before the
# judge (bp_store_begin_submission, store_postgresql.c), lets only one
# daemon apply a submission; the other waits for the lock, then judges it
# already applied. The archive's name
# comes from the submission id, so both daemons archive a file to the same
# place and only one rename of it succeeds.
set -euo pipefail
. "$BP_SRCDIR/tests/helpers/daemon_lib.sh"
. "$BP_SRCDIR/tests/helpers/pg_lib.sh"
trap 'pg_stop; cleanup' EXIT
pg_require
pg_start
BP_TEST_STORE_DSN=$(pg_createdb bpagg_two)
N=${BPAGG_TWO_FILES:-120}
KPER=5                          # years per kommune: 2020 .. 2024
NK=$(( (N + KPER - 1) / KPER ))

init_central
mapfile -t kommuner < <(awk -F, 'NR > 1 { print $1 }' "$BPAGG_REGISTRY" | head -n "$NK")
mkdir -p "$T/sealed"
files=()
for k in "${kommuner[@]}"; do
	add_kommune "$k"
	for y in 2020 2021 2022 2023 2024; do
		[ ${#files[@]} -lt "$N" ] || break
		f="$T/sealed/$k-$y.bpx"
		seal_to "$k" $y "$(make_export "$k" $y $((3 + ${#files[@]} % 7)) "$((5000 + ${#files[@]}))")" "$f"
		files+=("$f")
	done
done
ok "sealed ${#files[@]} files for $NK kommuner"

# The second installation: its own configuration, the same keys, store and
# shared directories.
C2="$T/c2/bpagg.conf"
mkdir -p "$T/c2"
sed -E "s#^(inbox|archive|rejected|outbox|keys|registry|suppression_log|path) *= *([^/].*)\$#\1 = $T/c/\2#" "$C" >"$C2"
grep -q "^inbox = $T/c/inbox$" "$C2" || fail "the second installation does not share the inbox"

# Eight installations start together on the store no daemon has opened
# yet: each must open it while one of them makes the schema (the others
# used to wait for that inside a transaction that kept the catalog it had
# seen before, and fail on "relation schema_version already exists").
pids=()
for i in 1 2 3 4 5 6 7 8; do
	mkdir -p "$T/once$i"
	sed -E "s#^(inbox|archive|rejected|outbox|keys|registry|suppression_log|path) *= *([^/].*)\$#\1 = $T/c/\2#" \
		"$C" >"$T/once$i/bpagg.conf"
	bpaggd -c "$T/once$i/bpagg.conf" --once --foreground 2>"$T/once$i.log" & pids+=($!)
done
for i in 1 2 3 4 5 6 7 8; do
	wait "${pids[$((i - 1))]}" || fail "bpaggd $i of 8 starting together failed: $(cat "$T/once$i.log")"
done
ok "eight daemons started together on a new store"

in="$T/c/inbox"
drop() { cp "$1" "$in/.$(basename "$1").part"; mv "$in/.$(basename "$1").part" "$in/$(basename "$1")"; }
log1="$T/bpaggd1.log" log2="$T/bpaggd2.log"
bpaggd -c "$C" --foreground 2>>"$log1" & P1=$!; DPIDS+=("$P1")
bpaggd -c "$C2" --foreground 2>>"$log2" & P2=$!; DPIDS+=("$P2")
# Both daemons watch the inbox before the first file arrives, and files
# keep arriving while they are killed and restarted: had all been dropped
# first, the daemon that started first could merge them all alone.
sleep 1
kills=0 next=0 paused=0
merges2() { grep -c "merged kommune" "$log2" || true; }
merged2_since() { [ "$(merges2)" -gt "$1" ]; }
for _ in $(seq 1 400); do
	if [ "$next" -ge ${#files[@]} ] && inbox_empty; then break; fi
	# Once, halfway: the first daemon is stopped, perhaps inside a
	# transaction, while five files arrive. The second must merge them
	# meanwhile: a stopped daemon holds up only its own kommune-year, not
	# the store (before bp_store_begin_submission it held the whole store,
	# and the second waited for as long as the first was stopped).
	if [ "$paused" = 0 ] && [ "$next" -ge $(( ${#files[@]} / 2 )) ]; then
		paused=1 before=$(merges2)
		kill -STOP "$P1" 2>/dev/null || true
		for _ in 1 2 3 4 5; do
			[ "$next" -lt ${#files[@]} ] || break
			drop "${files[$next]}"; next=$((next + 1))
		done
		if ! wait_until 60 merged2_since "$before"; then
			kill -CONT "$P1" 2>/dev/null || true
			log=$log2 fail "the second daemon merged nothing in 60 s while the first was stopped"
		fi
		kill -CONT "$P1" 2>/dev/null || true
		ok "while the first daemon was stopped, the second merged $(( $(merges2) - before )) file(s)"
	fi
	for _ in 1 2 3 4 5; do
		[ "$next" -lt ${#files[@]} ] || break
		drop "${files[$next]}"; next=$((next + 1))
	done
	sleep "0.$((RANDOM % 4 + 1))"
	if [ $((RANDOM % 3)) -ne 0 ]; then continue; fi
	if [ $((RANDOM % 2)) -eq 0 ]; then
		kill -KILL "$P1" 2>/dev/null || true; wait "$P1" 2>/dev/null || true
		bpaggd -c "$C" --foreground 2>>"$log1" & P1=$!; DPIDS+=("$P1")
	else
		kill -KILL "$P2" 2>/dev/null || true; wait "$P2" 2>/dev/null || true
		bpaggd -c "$C2" --foreground 2>>"$log2" & P2=$!; DPIDS+=("$P2")
	fi
	kills=$((kills + 1))
done
[ "$next" -eq ${#files[@]} ] || fail "only $next of ${#files[@]} files were dropped"
# inbox_empty sees the first daemon's queue only: a file the second has
# claimed (or takes back after a SIGKILL) is still on its way until its
# own queue is empty too (a clean clone once stopped both with one file
# there: 119 archived of 120).
all_taken() { inbox_empty && { [ ! -d "$T/c2/queue" ] || [ "$(files_in "$T/c2/queue")" -eq 0 ]; }; }
wait_until 180 all_taken ||
	fail "$(files_in "$in") files left in the inbox, $(files_in "$T/c2/queue") in the second daemon's queue"
kill -TERM "$P1" "$P2" 2>/dev/null || true
wait "$P1" 2>/dev/null || true; wait "$P2" 2>/dev/null || true
m1=$(grep -c "merged kommune" "$log1" || true) m2=$(grep -c "merged kommune" "$log2" || true)
ok "$kills SIGKILLs; merges logged: $m1 by the first, $m2 by the second"
# How the rest was shared is luck (the pause above proved that the second
# works while the first is stopped); the exactly-once checks below are what
# the run proves.

if [ "$(files_in "$T/c/rejected")" -ne 0 ]; then
	for r in "$T/c/rejected"/*.reason; do
		n=$(sed -n 's/^file: //p' "$r")
		echo "--- $n: $(head -n 1 "$r")" >&2
		grep -h -- "$n" "$log1" "$log2" | sed 's/^/    /' >&2 || true
	done
	fail "files were rejected"
fi
[ "$(files_in "$T/c/archive")" -eq "${#files[@]}" ] ||
	fail "archive holds $(files_in "$T/c/archive") files, expected ${#files[@]}"
led=$(pg_sql "$BP_TEST_STORE_DSN" "SELECT count(*) || '|' || count(DISTINCT (kommune, submission_id)) FROM ledger")
[ "$led" = "${#files[@]}|${#files[@]}" ] || fail "ledger holds $led, expected ${#files[@]} once each"
rows=0
for y in 2020 2021 2022 2023 2024; do
	set -- "$T"/k/*/$y-*.csv
	[ -e "$1" ] || continue
	expected_counts "$@" >"$T/expected"
	store_counts $y >"$T/store"
	diff "$T/expected" "$T/store" >/dev/null || fail "counts of $y differ from the plaintext"
	rows=$((rows + $(awk '{ s += $2 } END { print s }' "$T/expected")))
done
ps=$(pg_sql "$BP_TEST_STORE_DSN" "SELECT count(*) FROM pseudonym")
[ "$ps" = "$rows" ] || fail "store holds $ps pseudonyms, expected $rows (one per row of each file)"
ok "every file merged exactly once: ${#files[@]} ledger rows, archived once, tallies' counts and $rows pseudonyms equal the plaintext's"
