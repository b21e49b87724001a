#!/usr/bin/env bash
# replay_recovery_verdict.sh - a replay known unread whose verdict changes
# before recovery. z (newer) is applied, x (older) refused as stale and
# kept in rejected/; a replay of x is known unread, and its COPY entry is a
# link to that kept copy. bpaggd is killed after the link is made (at each
# sync and unlink point below); before the restart the administrator runs
# `bpagg reset-sequence` (allowed while bpaggd runs), so recovery ingests
# the COPY entry in full and merges x. A merged submission must reach
# archive/ (bpagg rebuild replays archive/), with one receipt, and the kept
# copy stay. Found by a hostile review of 1100271: link_out took the COPY
# entry's second link (the kept copy) for "linked out before a crash" and
# unlinked it without linking it into archive/.
. "$(dirname "$0")/lib.sh"
under_strace
POINTS=${POINTS:-"fsync:2 unlinkat:2"}

point() {
	local sc=$1 k=$2 xid kept
	fresh_install
	once() { timeout 60 bpaggd -c "$C" --once --foreground 2>>"$log" || broken "bpaggd --once failed"; }
	x=$(make_export $A 2024 20 1)
	seal_to $A 2024 "$x" "$T/x.bpx"
	z=$(make_export $A 2024 21 2)
	seal_to $A 2024 "$z" "$T/z.bpx"
	chmod 644 "$T/x.bpx" "$T/z.bpx"
	as_uploader cp "$T/z.bpx" "$in/z.bpx"
	once
	as_uploader cp "$T/x.bpx" "$in/x.bpx"
	once
	kept=$(find "$T/c/rejected" -name '[0-9]*.bpx')
	as_uploader cp "$T/x.bpx" "$in/replay.bpx"
	strace -f -qq -o /dev/null -e trace="$sc" -e inject="$sc":signal=SIGKILL:when="$k" \
		bpaggd -c "$C" --once --foreground >/dev/null 2>>"$log" || true
	bpagg reset-sequence -c "$C" $A 2024 >/dev/null 2>&1 || broken "bpagg reset-sequence failed"
	once
	local n
	n=$("$H/receiptcheck" "$T/c/keys/daemon.sign.pk" "$T/c/outbox/$A"/*.receipt 2>/dev/null |
		awk '$2 == "replay.bpx"' | wc -l)
	[ "$n" -eq 1 ] || broken "kill at $sc #$k: $n receipts for replay.bpx"
	[ -z "$(ls -A "$T/c/queue" | grep -vx -e .bpaggd.lock -e .rebuild.lock)" ] ||
		broken "kill at $sc #$k: queue: $(ls -A "$T/c/queue" | tr "\n" " ")"
	cmp -s "$kept" "$T/x.bpx" || broken "kill at $sc #$k: the kept copy of x went or changed"
	xid=$(grep -h '"status":"merged"' "$T/c/outbox/$A"/*.receipt | grep -F '"file":"replay.bpx"' |
		sed 's/.*"submission_id":"\([0-9a-f]*\)".*/\1/')
	if [ -n "$xid" ]; then
		[ -n "$(find "$T/c/archive" -name "$xid*.bpx")" ] ||
			broken "kill at $sc #$k: x merged from the replay but not in archive/"
		echo "kill at $sc #$k: merged on recovery, archived"
	else
		echo "kill at $sc #$k: $(grep -F 'replay.bpx: ' "$log" | tail -n 1 | cut -c 1-100)"
	fi
}

each_point point
held "$points kill points: a replay merged on recovery is archived"
