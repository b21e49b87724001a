#!/usr/bin/env bash
# daemon_nocopy.sh - a file whose envelope head is refused (here a plaintext
# export behind the envelope's magic) is never copied by bpaggd: killed at
# each call that changes a file (tests/helpers/crashshim.so), the daemon's
# own queue entries (the copy being written, "cw", and the copy, "cp") never
# hold a person_id of it; run to the end, the file is refused with the
# envelope's reason and deleted unread, nothing kept.  (The uploader's own
# inode is in the queue while it is handled: that is its file, not a copy.)
set -euo pipefail
. "$BP_SRCDIR/tests/helpers/daemon_lib.sh"
preload_shim crashshim
YEAR=2024
K=0301

init_central
add_kommune $K
csv=$(make_export $K $YEAR 40 1)
log="$T/bpaggd.log"
{ printf 'BPAGGSUB'; cat "$csv"; } >"$T/junk.bpx"
ids="$T/junk_ids.txt"
person_ids "$ids" "$csv"
grep -qaF -f "$ids" "$T/junk.bpx" || fail "the junk file holds no person_id"

bpaggd -c "$C" --once --foreground 2>>"$log"   # the store and the queue
cp -a "$T/c" "$T/c0"

# copies_clean: no "cw" or "cp" entry of the queue holds a person_id.
copies_clean() {
	local f
	for f in "$T"/c/queue/*.cw.* "$T"/c/queue/*.cp.*; do
		[ -e "$f" ] || continue
		! grep -qaF -f "$ids" "$f" || return 1
	done
}

# How many file-changing calls a whole run makes, then a kill at each.
cp "$T/junk.bpx" "$T/c/inbox/junk.bpx"
LD_PRELOAD="$shim" BP_CRASH_COUNT="$T/calls" bpaggd -c "$C" --once --foreground 2>>"$log"
n=$(cat "$T/calls")
[ "$n" -ge 3 ] || fail "only $n calls counted"
for i in $(seq 1 "$n"); do
	rm -rf "$T/c"
	cp -a "$T/c0" "$T/c"
	cp "$T/junk.bpx" "$T/c/inbox/junk.bpx"
	LD_PRELOAD="$shim" BP_CRASH_AT=$i BP_CRASH_SEED=$i \
		bpaggd -c "$C" --once --foreground 2>>"$log" || true
	copies_clean || fail "killed at call $i of $n: a copy in the queue holds a person_id"
	# what the kill left is taken to its end by the next run
	bpaggd -c "$C" --once --foreground 2>>"$log" || fail "recovery after call $i exited $?"
	copies_clean || fail "after recovery from call $i: a copy holds a person_id"
	rejected_deleted junk.bpx || fail "after call $i: junk.bpx not refused and deleted"
done
ok "killed at each of $n calls: no copy of the file in the queue"

reason_of junk.bpx | grep -q '^envelope: ' ||
	fail "the reason is not the envelope's: $(reason_of junk.bpx)"
[ "$(find "$T/c/queue" -type f ! -name '.*' | wc -l)" -eq 0 ] ||
	fail "left in the queue: $(ls "$T/c/queue")"
ok "refused with the envelope's reason, deleted unread"
no_pid_leak "$log"
