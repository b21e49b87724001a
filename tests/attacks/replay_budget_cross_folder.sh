#!/usr/bin/env bash
# replay_budget_cross_folder.sh - the replay budget ([ingest]
# replays_per_day) was kept per inbox folder, and a folder counted as "own"
# when its name is a registered kommune, whatever kommune the replayed file
# is of. Any account of the upload group may drop files into every
# inbox/NNNN (bpaggd(8): folders mode 1730). Kommune B replays its OWN
# merged seal 20 times into inbox/A/; then kommune A's legitimate re-upload
# of its own file (a client retry after a lost or late receipt) got no
# receipt (found by a second hostile review). Now a folder's own budget is
# for replays of its own kommune's submissions; other replays share the
# inbox's. Exits 1 when A's re-upload is left without a receipt.
. "$(dirname "$0")/lib.sh"
setup_install
B=0301
add_kommune $B
chmod 755 "$T/k"/*
mkdir -p "$in/$A"; chmod 1777 "$in/$A"
xa=$(make_export $A 2024 20 1); seal_to $A 2024 "$xa" "$T/a.bpx"
xb=$(make_export $B 2024 20 2); seal_to $B 2024 "$xb" "$T/b.bpx"
chmod 644 "$T/a.bpx" "$T/b.bpx"
# Both kommuner's uploads, merged (A in its own folder, B in the inbox).
as_uploader cp "$T/a.bpx" "$in/$A/a.bpx"
as_uploader cp "$T/b.bpx" "$in/b.bpx"
bpaggd -c "$C" --once --foreground 2>>"$log" || true
archived_as "$T/a.bpx" 2024 $A || broken "setup: A not merged"
archived_as "$T/b.bpx" 2024 $B || broken "setup: B not merged"
ra0=$(find "$T/c/outbox/$A" -name '*.receipt' | wc -l)
# Kommune B (attacker) drops its own seal 20 times into inbox/A/.
# The running daemon (a long-lived bpaggd, as in production).
start_daemon "$log"
for i in $(seq 1 20); do
	as_uploader cp "$T/b.bpx" "$in/$A/.r"; as_uploader mv "$in/$A/.r" "$in/$A/b$i.bpx"
done
wait_until 60 inbox_empty || broken "setup: B's replays not taken"
# Kommune A's client uploads its file again (say it missed the receipt).
as_uploader cp "$T/a.bpx" "$in/$A/.a"; as_uploader mv "$in/$A/.a" "$in/$A/a-retry.bpx"
wait_until 60 inbox_empty || broken "A's retry not taken"
sleep 1
stop_daemon
ra1=$(find "$T/c/outbox/$A" -name '*.receipt' | wc -l)
rb=$(find "$T/c/outbox/$B" -name '*.receipt' | wc -l)
echo "outbox/$A receipts: before $ra0, after A's retry $ra1; outbox/$B receipts: $rb"
ls "$T/c/rejected" | { grep replayed || true; } | sed 's/^/rejected: /'
for f in "$T/c/rejected/"*.replayed; do [ -f "$f" ] && sed 's/^/  /' "$f"; done
left=$(files_in "$in")
echo "inbox now $left files"
[ "$ra1" -gt "$ra0" ] || broken "kommune $A's re-upload got no receipt: kommune $B's 20 replays of its own seal in inbox/$A/ spent $A's replay budget"
held "A's re-upload got its receipt"
