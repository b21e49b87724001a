#!/usr/bin/env bash
# crash_points.sh - bpaggd --once killed (strace: SIGKILL on entry) at the
# Nth call of each syscall that moves, links, unlinks, syncs or writes, for
# every N of one upload's life; after each kill a clean --once must finish
# it: the upload archived exactly once, exactly one receipt for it saying
# "merged", the queue empty, no temporary file left anywhere.
# SYSCALLS and MAXN choose the points (default: 4 x 5, under a minute;
# a full sweep: MAXN=12 K=100 SYSCALLS="renameat2 linkat unlinkat fsync
# fdatasync openat pwrite64 write"). Exits 1 at the first crash point that loses,
# doubles or leaves something behind.
. "$(dirname "$0")/lib.sh"
# LeakSanitizer cannot run under ptrace (strace): leaks are checked elsewhere.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
command -v strace >/dev/null || { echo "skip: no strace"; exit 77; }
setup_install
SYSCALLS=${SYSCALLS:-"renameat2 linkat unlinkat fsync"}
MAXN=${MAXN:-5}
K=${K:-60}
for i in $(seq 1 $K); do
	csv=$(make_export $A 2024 20 $i)
	seal_to $A 2024 "$csv" "$T/s$i.bpx"
done
chmod 644 "$T"/s*.bpx
i=0 points=0 bad="" left=""
check() {
	local f=$1 id na nr nm
	na=$(for g in "$T/c/archive/2024/$A"/*.bpx; do cmp -s "$f" "$g" && echo x; done | wc -l)
	nr=$(find "$T/c/outbox/$A" -name '*.receipt' | wc -l)
	nm=$(grep -l '"status":"merged"' "$T/c/outbox/$A"/*.receipt 2>/dev/null | wc -l || true)
	[ "$na" -eq 1 ] || echo "archived $na times;"
	[ "$nr" -eq "$i" ] || echo "$nr receipts after $i uploads;"
	[ "$nm" -eq "$i" ] || echo "$nm merged receipts after $i uploads;"
	[ -z "$(ls -A "$T/c/queue" | grep -vx .bpaggd.lock)" ] || echo "queue: $(ls "$T/c/queue" | tr '\n' ' ');"
	[ -z "$(find "$in" -type f)" ] || echo "left in the inbox;"
}
for sc in $SYSCALLS; do
	for n in $(seq 1 "$MAXN"); do
		i=$((i + 1)); [ $i -le $K ] || break 2
		as_uploader cp "$T/s$i.bpx" "$in/.u"; as_uploader mv "$in/.u" "$in/u$i.bpx"
		strace -f -qq -o /dev/null -e trace="$sc" -e inject="$sc":signal=SIGKILL:when="$n" \
			bpaggd -c "$C" --once --foreground 2>>"$log" >/dev/null 2>&1 || true
		rc=0; timeout 20 bpaggd -c "$C" --once --foreground 2>>"$log" || rc=$?
		points=$((points + 1))
		out=$(check "$T/s$i.bpx")
		[ $rc -eq 0 ] || out+=" recovery --once exited $rc;"
		if [ -n "$out" ]; then bad="kill at $sc #$n: $out"; break 2; fi
		# Temporary files left are noted (and removed), the walk goes on.
		tmp=$(find "$T/c/archive" "$T/c/rejected" "$T/c/outbox" -name '.*' -print -delete)
		[ -z "$tmp" ] || left+=" $sc #$n: ${tmp##*/c/};"
	done
done
echo "$points crash points tried"
[ -z "$bad" ] || broken "$bad"
[ -z "$left" ] || broken "temporary files left after kills at:$left"
held "every crash point recovered exactly once"
