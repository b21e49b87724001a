#!/usr/bin/env bash
# replay_budget_once_reset.sh - the replay budget of a folder and day was
# kept in memory and became durable only once it was exceeded (the
# .replayed file exists). A bpaggd run by a timer (--once) or restarted
# started from 0: an attacker who drops 20 replays before each run never
# made the file, and every run left 20 receipts (found by a second hostile
# review). Now what is spent is kept in rejected/.YYYYMMDD-NNNN.replayed
# from the first replay on. Exits 1 when ROUNDS runs of 20 replays each
# leave more than 21 receipts.
. "$(dirname "$0")/lib.sh"
setup_install
ROUNDS=${ROUNDS:-5}
csv=$(make_export $A 2024 20 1); seal_to $A 2024 "$csv" "$T/real.bpx"; chmod 644 "$T/real.bpx"
as_uploader cp "$T/real.bpx" "$in/real.bpx"
bpaggd -c "$C" --once --foreground 2>>"$log" || true
for r in $(seq 1 "$ROUNDS"); do
	for i in $(seq 1 20); do
		as_uploader cp "$T/real.bpx" "$in/.r"; as_uploader mv "$in/.r" "$in/r$r-$i.bpx"
	done
	bpaggd -c "$C" --once --foreground 2>>"$log" || true
done
nr=$(find "$T/c/outbox/$A" -name '*.receipt' | wc -l)
echo "$((ROUNDS * 20)) replays in $ROUNDS --once runs: outbox/$A holds $nr receipts; .replayed files: $(ls "$T/c/rejected" | grep -c replayed || true)"
[ "$nr" -le 21 ] || broken "$nr receipts: the replay budget starts again at every run"
held "$nr receipts"
