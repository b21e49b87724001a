#!/usr/bin/env bash
# replay_budget_kill.sh - the replays_per_day budget under a kill. With
# replays_per_day = 2, three exact replays: a (clean), b (bpaggd --once
# killed by strace at the Nth call of renameat2, unlinkat or fsync, then a
# clean run), c (clean). a and b are within the budget: each must end
# answered (one receipt, and for a stale one one reason file); c is
# counted beyond it (neither), and the day's count is 1. Found by hostile
# reviews of b91124b and 50b6f56: b killed after its reason file and store
# record, before its receipt, was counted on recovery instead (a refusal
# without a receipt); killed after its receipt, it was counted too; killed
# after it spent its unit, before its answer, it spent a second one and
# was counted. Now the budget's file names the uploads that spent it, and
# an upload whose receipt or reason file is there is answered again.
# (A replay killed after it was counted beyond the budget is counted
# again, as bpaggd(8) says: not tried here.) MODE=applied, then
# MODE=stale (a replay of a stale submission kept as stale).
. "$(dirname "$0")/lib.sh"
each_mode applied stale
under_strace
POINTS=${POINTS:-"renameat2:5 unlinkat:3 fsync:6"}

# one installation per kill point (the budget is a folder's for the day)
point() {
	local sc=$1 k=$2 f n rec rsn cnt total=0
	fresh_install "replays_per_day = 2"
	once() { timeout 60 bpaggd -c "$C" --once --foreground 2>>"$log" || broken "bpaggd --once failed"; }
	x=$(make_export $A 2024 20 1)
	seal_to $A 2024 "$x" "$T/x.bpx"
	chmod 644 "$T/x.bpx"
	if [ "$MODE" = stale ]; then
		z=$(make_export $A 2024 21 2)
		seal_to $A 2024 "$z" "$T/z.bpx"
		chmod 644 "$T/z.bpx"
		as_uploader cp "$T/z.bpx" "$in/z.bpx"
		once
	fi
	as_uploader cp "$T/x.bpx" "$in/x.bpx"
	once
	as_uploader cp "$T/x.bpx" "$in/replay-a.bpx"
	once
	as_uploader cp "$T/x.bpx" "$in/replay-b.bpx"
	strace -f -qq -o /dev/null -e trace="$sc" -e inject="$sc":signal=SIGKILL:when="$k" \
		bpaggd -c "$C" --once --foreground >/dev/null 2>>"$log" || true
	once
	as_uploader cp "$T/x.bpx" "$in/replay-c.bpx"
	once
	for f in a b c; do
		n=replay-$f.bpx
		rec=$("$H/receiptcheck" "$T/c/keys/daemon.sign.pk" "$T/c/outbox/$A"/*.receipt 2>/dev/null |
			awk -v f="$n" '$2 == f' | wc -l)
		rsn=$(grep -lxF "file: $n" "$T/c/rejected"/*.reason 2>/dev/null | wc -l)
		[ "$rec" -le 1 ] || broken "kill at $sc #$k: $rec receipts for $n"
		if [ "$MODE" = stale ] && [ "$rsn" -ne "$rec" ]; then
			broken "kill at $sc #$k: $n has $rsn reason files and $rec receipts"
		fi
		[ "$MODE" = stale ] || [ "$rsn" -eq 0 ] || broken "kill at $sc #$k: a reason file for $n"
		[ "$rec" -eq "$([ $f = c ] && echo 0 || echo 1)" ] ||
			broken "kill at $sc #$k: $n has $rec receipts"
		total=$((total + rec))
	done
	cnt=$(cat "$T/c/rejected"/[0-9]*-inbox.replayed 2>/dev/null | sed -n 's/^replayed: //p')
	[ "${cnt:-0}" -eq 1 ] || broken "kill at $sc #$k: ${cnt:-0} replays counted, 1 expected"
	[ -z "$(ls -A "$T/c/queue" | grep -vx .bpaggd.lock)" ] ||
		broken "kill at $sc #$k: queue: $(ls "$T/c/queue" | tr '\n' ' ')"
	echo "kill at $sc #$k: $total answered, ${cnt:-0} counted"
}

each_point point
held "$points kill points ($MODE): a and b answered, c counted, once each"
