#!/usr/bin/env bash
# replay_receipt_flood.sh - a copy of ONE sealed file of kommune A (its own,
# or one read from the inbox: uploads must be 0644 for bpaggd to read them)
# dropped again and again. Each drop is a verified sender, so the budget of
# unverified refusals does not apply; each replay left a new signed receipt
# file in outbox/A/ ("<id>.<R>.receipt") and a log line, while the
# attacker's own footprint stays one file (found by a hostile review: 400
# replays, 401 receipts). Now a folder's exact replays beyond
# [ingest] replays_per_day (20) a day are counted in
# rejected/YYYYMMDD-NNNN.replayed instead (flood.c).
# Exits 1 when the outbox holds more receipts than the first upload's and
# the day's budget of replays, or the count file does not account for the
# rest, after ROUNDS x PER replays.
. "$(dirname "$0")/lib.sh"
setup_install
ROUNDS=${ROUNDS:-4} PER=${PER:-100} ROWS=${ROWS:-20}
csv=$(make_export $A 2024 "$ROWS" 1)
seal_to $A 2024 "$csv" "$T/real.bpx"
chmod 644 "$T/real.bpx"
# The kommune's upload, merged.
as_uploader cp "$T/real.bpx" "$in/real.bpx"
bpaggd -c "$C" --once --foreground 2>>"$log" || true
archived_as "$T/real.bpx" 2024 $A || broken "setup: the first upload was not merged"
# The attacker: a copy of it, dropped PER at a time, ROUNDS times.
t0=$(date +%s.%N)
for r in $(seq 1 "$ROUNDS"); do
	for i in $(seq 1 "$PER"); do
		as_uploader cp "$T/real.bpx" "$in/.r"; as_uploader mv "$in/.r" "$in/r$r-$i.bpx"
	done
	bpaggd -c "$C" --once --foreground 2>>"$log" || true
done
t1=$(date +%s.%N)
n=$((ROUNDS * PER))
nr=$(find "$T/c/outbox/$A" -name '*.receipt' | wc -l)
na=$(grep -l '"status":"already_applied"' "$T/c/outbox/$A"/*.receipt 2>/dev/null | wc -l)
nl=$(grep 'already applied' "$log" | grep -vc ': exiting: ' || true)
du=$(du -sk "$T/c/outbox" | cut -f1)
left=$(find "$in" -type f | wc -l)
echo "$n replays in $(echo "$t1 - $t0" | bc) s: outbox/$A holds $nr receipts ($na already_applied), ${du} KiB; $nl log lines; inbox now $left files"
echo "rejected/: $(ls "$T/c/rejected" | wc -l) files; archive: $(find "$T/c/archive" -type f | wc -l) files"
[ "$nr" -le 21 ] || broken "one sealed file replayed $n times left $nr receipt files in outbox/$A (no budget for verified replays)"
cnt=$(sed -n 's/^replayed: //p' "$T/c/rejected/"*-inbox.replayed 2>/dev/null)
[ "$cnt" = $((n - 20)) ] || broken "the replays beyond the budget are not counted: '$cnt', want $((n - 20))"
[ "$nl" -le 25 ] || broken "$nl log lines for $n replays"
bpagg status -c "$C" --json | grep -q "\"replays_counted\": $cnt," ||
	broken "bpagg status does not show the $cnt replays counted"
[ "$left" -eq 0 ] || broken "$left files left in the inbox"
held "receipts bounded ($nr), $cnt replays counted in rejected/"
