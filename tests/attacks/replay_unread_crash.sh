#!/usr/bin/env bash
# replay_unread_crash.sh - an exact replay is known unread (its signed head
# and a byte comparison with the copy kept, before any copy or decryption:
# bpd_replay_unread) while the uploader holds the file open for writing.
# bpaggd --once is killed (strace: SIGKILL on entry) at the Nth call of
# each syscall that links, unlinks or syncs, for every N of the replay's
# life; then the uploader writes a new sealed submission through its
# descriptor, and a clean --once finishes. Each upload must end with one
# verdict: exactly one receipt naming it, as many "merged" receipts as the
# ledger has rows, and the queue empty. Found by a hostile review of
# 451b736: killed after the replay's receipt and before the claimed file
# was let go, the daemon read the uploader's inode again, merged the new
# submission under the same upload, and its only receipt said "already
# applied". Now the claimed file is first replaced by a COPY entry that is
# a link to the kept copy. Runs MODE=applied (a replay of the applied
# submission), then MODE=stale (of a stale one kept as stale: its receipt
# "refused"); 16 kill points each.
. "$(dirname "$0")/lib.sh"
each_mode applied stale
under_strace
command -v perl >/dev/null || { echo "skip: no perl"; exit 77; }
setup_install
# syscall:most - killed at its 1st to most-th call (the unread path's
# receipt comes after the 6th sync)
POINTS=${POINTS:-"linkat:2 renameat2:3 unlinkat:3 fsync:8"}
once() { timeout 60 bpaggd -c "$C" --once --foreground 2>>"$log" || broken "bpaggd --once failed"; }
receipts() {
	"$H/receiptcheck" "$T/c/keys/daemon.sign.pk" "$T/c/outbox/$A"/*.receipt 2>/dev/null
}

x=$(make_export $A 2024 20 1)
seal_to $A 2024 "$x" "$T/x.bpx"
if [ "$MODE" = stale ]; then
	# z, sealed after x, is applied first: x is then refused as stale, and kept
	z=$(make_export $A 2024 21 2)
	seal_to $A 2024 "$z" "$T/z.bpx"
	chmod 644 "$T/z.bpx"
	as_uploader cp "$T/z.bpx" "$in/z.bpx"
	once
fi
chmod 644 "$T/x.bpx"
as_uploader cp "$T/x.bpx" "$in/x.bpx"
once
# the submissions the uploader writes into its replays after the kills,
# sealed in turn (each newer than the one before)
n=0
for p in $POINTS; do for k in $(seq 1 "${p#*:}"); do
	n=$((n + 1))
	y=$(make_export $A 2024 $((22 + n)) $((10 + n)))
	seal_to $A 2024 "$y" "$T/y$n.bpx"
	chmod 644 "$T/y$n.bpx"
done; done

# (names without digits: the log and receipts mask digits in file names)
letters=abcdefghijklmnopqrstuvwxyz
i=0 points=0 unread=0
for p in $POINTS; do
	sc=${p%:*}
	for k in $(seq 1 "${p#*:}"); do
		i=$((i + 1))
		name=replay-${letters:$(( (i - 1) / 26 )):1}${letters:$(( (i - 1) % 26 )):1}.bpx
		rm -f "$T/go"
		as_uploader cp "$T/x.bpx" "$in/.r$i"
		# the uploader opens its replay, names it, and holds it open;
		# when told, it writes y$i through that descriptor
		as_uploader perl -e '
			my ($f, $to, $y, $go) = @ARGV;
			open(my $fh, "+<", $f) or die "open: $!"; rename($f, $to) or die "rename: $!";
			until (-e $go) { select(undef, undef, undef, 0.05) }
			open(my $yh, "<", $y) or die "open: $!"; local $/; my $b = <$yh>;
			seek($fh, 0, 0); print $fh $b; truncate($fh, length $b); close $fh;' \
			"$in/.r$i" "$in/$name" "$T/y$i.bpx" "$T/go" &
		up=$!
		for _ in $(seq 1 50); do [ -e "$in/$name" ] && break; sleep 0.1; done
		[ -e "$in/$name" ] || broken "setup: the uploader did not name its replay"
		strace -f -qq -o /dev/null -e trace="$sc" -e inject="$sc":signal=SIGKILL:when="$k" \
			bpaggd -c "$C" --once --foreground >/dev/null 2>>"$log" || true
		touch "$T/go"
		wait "$up" || broken "the uploader could not write through its descriptor"
		once
		points=$((points + 1))
		echo "kill at $sc #$k: $(grep -F "$name: " "$log" | tail -n 1 | cut -c 1-150)"
		grep -qF "$name: " "$log" && grep "$name: " "$log" | grep -q "(compared before any decryption)" && unread=$((unread + 1))
		mine=$(receipts | awk -v f="$name" '$2 == f' | wc -l)
		merged=$(receipts | awk '$1 == "merged"' | wc -l)
		ledger=$(sqlite3 "$T/c/store.sqlite" 'SELECT count(*) FROM ledger')
		[ "$mine" -eq 1 ] || broken "kill at $sc #$k: $mine receipts name $name: $(receipts | tr '\n' ';')"
		[ "$merged" -eq "$ledger" ] ||
			broken "kill at $sc #$k: $merged merged receipts, $ledger submissions applied: $(receipts | tr '\n' ';')"
		[ -z "$(ls -A "$T/c/queue" | grep -vx .bpaggd.lock)" ] ||
			broken "kill at $sc #$k: queue: $(ls "$T/c/queue" | tr '\n' ' ')"
		[ -z "$(find "$in" -type f)" ] || broken "kill at $sc #$k: left in the inbox"
	done
done
# the walk must have met the new path: some kills came after it began
[ "$unread" -gt 0 ] || broken "no replay was known unread: the walk missed the path"
held "$points kill points ($MODE): one verdict per upload; $unread known unread"
