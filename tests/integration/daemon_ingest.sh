#!/usr/bin/env bash
# daemon_ingest.sh - 100 sealed exports through the real bpaggd: half in the
# inbox (and inbox/NNNN/) before it starts, half dropped while it runs. All
# must be archived, with a verified receipt each; the store's counts must
# equal counts computed here from the plaintext with awk; bpagg status must
# agree; bpagg rebuild must give back the same counts; and no person_id may
# be found anywhere in the installation.
set -euo pipefail
. "$BP_SRCDIR/tests/helpers/daemon_lib.sh"
N=${BPAGG_TEST_EXPORTS:-100}
YEAR=2024

init_central
mapfile -t kommuner < <(awk -F, 'NR > 1 { print $1 }' "$BPAGG_REGISTRY" | head -n "$N")
[ ${#kommuner[@]} -eq "$N" ] || fail "registry has fewer than $N kommuner"
sealed="$T/sealed"
mkdir -p "$sealed"
csvs=()
for i in "${!kommuner[@]}"; do
	k=${kommuner[$i]}
	add_kommune "$k"
	csv=$(make_export "$k" $YEAR $((20 + i % 31)) "$i")
	csvs+=("$csv")
	seal_to "$k" $YEAR "$csv" "$sealed/$k.bpx"
done
ok "sealed $N exports"

# Half before the start: every 4th into inbox/NNNN/, the rest flat.
half=$((N / 2))
for i in $(seq 0 $((half - 1))); do
	k=${kommuner[$i]}
	if [ $((i % 4)) -eq 0 ]; then
		mkdir -p "$T/c/inbox/$k"; mv "$sealed/$k.bpx" "$T/c/inbox/$k/"
	else
		mv "$sealed/$k.bpx" "$T/c/inbox/"
	fi
done
# A file still being written and a hidden file must be left alone.
head -c 100 /dev/urandom >"$T/c/inbox/partial.bpx.part"
head -c 100 /dev/urandom >"$T/c/inbox/.hidden.bpx"

log="$T/bpaggd.log"
start_daemon "$log"
for i in $(seq $half $((N - 1))); do
	k=${kommuner[$i]}
	# The way a kommune should drop a file: a .part name, then rename.
	cp "$sealed/$k.bpx" "$T/c/inbox/$k.bpx.part"
	mv "$T/c/inbox/$k.bpx.part" "$T/c/inbox/$k.bpx"
done
inbox_done() { [ "$(find "$T/c/inbox" -type f -name '*.bpx' ! -name '.*' | wc -l)" -eq 0 ] &&
	{ [ ! -d "$T/c/queue" ] || [ "$(files_in "$T/c/queue")" -eq 0 ]; }; }
wait_until 120 inbox_done || fail "inbox not emptied: $(find "$T/c/inbox" -type f | wc -l) files left"
stop_daemon

[ -f "$T/c/inbox/partial.bpx.part" ] || fail "a .part file was touched"
[ -f "$T/c/inbox/.hidden.bpx" ] || fail "a hidden file was touched"
[ "$(files_in "$T/c/archive")" -eq "$N" ] || fail "archive holds $(files_in "$T/c/archive") files, expected $N"
[ "$(files_in "$T/c/rejected")" -eq 0 ] || fail "files were rejected: $(ls "$T/c/rejected")"
for k in "${kommuner[@]}"; do
	[ "$(files_in "$T/c/archive/$YEAR/$k")" -eq 1 ] || fail "kommune $k not archived under archive/$YEAR/$k"
done
ok "all $N files archived under archive/YYYY/NNNN"

mapfile -t receipts < <(find "$T/c/outbox" -name '*.receipt')
[ ${#receipts[@]} -eq "$N" ] || fail "${#receipts[@]} receipts, expected $N"
merged=$("$H/receiptcheck" "$T/c/keys/daemon.sign.pk" "${receipts[@]}" | grep -c '^merged ')
[ "$merged" -eq "$N" ] || fail "$merged merged receipts verify, expected $N"
ok "$N signed receipts verify"

expected_counts "${csvs[@]}" >"$T/expected"
store_counts $YEAR >"$T/store"
[ "$(wc -l <"$T/expected")" -eq "$N" ] || fail "expected counts for $(wc -l <"$T/expected") kommuner"
diff "$T/expected" "$T/store" >/dev/null || fail "store counts differ from the plaintext"
ok "store counts (rows, bolig=rod, kjonn=K, psykisk_helse=gul) equal awk's for $N kommuner"

want_rows=$(awk '{ s += $2 } END { print s }' "$T/expected")
[ "$(status_rows $YEAR)" = "$want_rows" ] || fail "bpagg status rows $(status_rows $YEAR), expected $want_rows"
ok "bpagg status agrees: $want_rows rows"

"$H/tallydump" "$C" $YEAR --all >"$T/before"
[ "$(wc -l <"$T/before")" -eq "$N" ] || fail "tallydump --all gave $(wc -l <"$T/before") kommuner"
# A lost store: the rebuild must bring back every count from archive/.
store_lose
[ -z "$("$H/tallydump" "$C" $YEAR --all)" ] || fail "store not empty after removal"
bpagg rebuild -c "$C" 2>"$T/rebuild.log" || { cat "$T/rebuild.log"; fail "bpagg rebuild failed"; }
grep -q "$N/$N files, $N merged" "$T/rebuild.log" || fail "no rebuild progress line"
"$H/tallydump" "$C" $YEAR --all >"$T/after"
cmp -s "$T/before" "$T/after" || fail "tallies differ after bpagg rebuild"
[ "$(files_in "$T/c/archive")" -eq "$N" ] || fail "rebuild moved archived files"
ok "bpagg rebuild gives the same counts"

grep -q 'merged kommune' "$log" || fail "bpaggd logged no merge"
cp "$log" "$T/c/"   # the log is part of what must hold no person_id
no_pid_leak
