#!/usr/bin/env bash
# crash_counted.sh - bpaggd --once killed (strace: SIGKILL on entry) at the
# Nth call of each syscall that writes, renames, syncs or unlinks while it
# refuses junk beyond its folder's budget of the day (budget 0: every
# unverified refusal is counted in rejected/YYYYMMDD-inbox.unverified);
# after each kill a clean --once must finish: the junk gone from the inbox
# and the queue, the count at least the junk files dropped so far and at
# most that plus the kills (a refusal killed after its count was written is
# counted again, bpaggd(8)), no reason file, one store record for the
# folder's file of the day, no temporary file left. The points are the
# last LAST calls (default 4) of each syscall of SYSCALLS in a run that
# refuses one junk file (counted first by a run under strace), where the
# count is read, written, renamed into place and the queue entry removed.
# Exits 1 at the first crash point that loses a refusal, or leaves a file
# or a wrong count behind.
. "$(dirname "$0")/lib.sh"
# LeakSanitizer cannot run under ptrace (strace): leaks are checked elsewhere.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
command -v strace >/dev/null || { echo "skip: no strace"; exit 77; }
# Not across midnight (UTC): the count is per day of the claim.
now=$(date -u +%s)
[ $((86400 - now % 86400)) -gt 120 ] || sleep $((86400 - now % 86400 + 2))
setup_install "unverified_refusals_per_day = 0"
SYSCALLS=${SYSCALLS:-"openat write fsync renameat unlinkat fcntl"}
LAST=${LAST:-4}
make_junk "$T/junk"
chmod 644 "$T/junk"
day=$(date -u +%Y%m%d)
sum="$T/c/rejected/$day-inbox.unverified"
i=0 points=0 bad="" left=""
check() {
	local n
	n=$(sed -n 's/^unverified: //p' "$sum" 2>/dev/null)
	[ -n "$n" ] || { echo "no count in rejected/$day-inbox.unverified;"; return; }
	[ "$n" -ge "$i" ] || echo "$n counted after $i junk files (one lost);"
	[ "$n" -le $((2 * i)) ] || echo "$n counted after $i junk files and $i kills;"
	[ -z "$(find "$T/c/rejected" -name '*.reason')" ] || echo "a reason file beyond the budget;"
	[ "$(store_sql "SELECT count(*) FROM rejection")" = 1 ] ||
		echo "$(store_sql "SELECT count(*) FROM rejection") store records, not 1;"
	[ -z "$(ls -A "$T/c/queue" | grep -vx .bpaggd.lock)" ] || echo "queue: $(ls "$T/c/queue" | tr '\n' ' ');"
	[ -z "$(find "$in" -type f)" ] || echo "left in the inbox;"
}
drop() { as_uploader cp "$T/junk" "$in/.u"; as_uploader mv "$in/.u" "$in/j$i.bpx"; }
for sc in $SYSCALLS; do
	# how many calls of sc a run that refuses one junk file makes
	i=$((i + 1))
	drop
	strace -f -qq -o "$T/calls" -e trace="$sc" bpaggd -c "$C" --once --foreground 2>>"$log" ||
		broken "bpaggd --once under strace failed"
	total=$(grep -c "$sc(" "$T/calls" || true)
	first=$((total > LAST ? total - LAST + 1 : 1))
	for n in $(seq "$first" "$total"); do
		i=$((i + 1))
		drop
		strace -f -qq -o /dev/null -e trace="$sc" -e inject="$sc":signal=SIGKILL:when="$n" \
			bpaggd -c "$C" --once --foreground 2>>"$log" >/dev/null 2>&1 || true
		rc=0; timeout 20 bpaggd -c "$C" --once --foreground 2>>"$log" || rc=$?
		points=$((points + 1))
		out=$(check)
		[ $rc -eq 0 ] || out+=" recovery --once exited $rc;"
		if [ -n "$out" ]; then bad="kill at $sc #$n: $out"; break 2; fi
		# Temporary files left are noted (and removed), the walk goes on.
		tmp=$(find "$T/c/rejected" -name '.new.*' -print -delete)
		[ -z "$tmp" ] || left+=" $sc #$n: ${tmp##*/c/};"
	done
done
echo "$points crash points tried; $(sed -n 's/^unverified: //p' "$sum") counted for $i junk files"
[ -z "$bad" ] || broken "$bad"
[ -z "$left" ] || broken "temporary files left after kills at:$left"
held "every crash point counted each junk file, at most once more per kill"
