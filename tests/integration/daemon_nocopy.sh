#!/usr/bin/env bash
# daemon_nocopy.sh - a file whose envelope head is refused (here a plaintext
# export behind the envelope's magic) is never copied by bpaggd: killed at
# each call that changes a file (tests/helpers/crashshim.so), the daemon's
# own queue entries (the copy being written, "cw", and the copy, "cp") never
# hold a person_id of it; run to the end, the file is refused with the
# envelope's reason and deleted unread, nothing kept.  (The uploader's own
# inode is in the queue while it is handled: that is its file, not a copy.)
# The same for a valid seal with the plaintext export appended after its
# final chunk (its head is good): bpaggd copies only the envelope's bytes
# (the size its signed metadata gives), and the file is refused for bytes
# after the final chunk, with a receipt to the kommune that sealed it.
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

# kill_each FILE: how many file-changing calls a whole run over FILE makes,
# then a kill at each; no copy holds a person_id, during or after.
kill_each() {
	local name i n
	name=$(basename "$1")
	cp "$1" "$T/c/inbox/$name"
	LD_PRELOAD="$shim" BP_CRASH_COUNT="$T/calls" bpaggd -c "$C" --once --foreground 2>>"$log"
	n=$(cat "$T/calls")
	[ "$n" -ge 3 ] || fail "$name: only $n calls counted"
	for i in $(seq 1 "$n"); do
		rm -rf "$T/c"
		cp -a "$T/c0" "$T/c"
		cp "$1" "$T/c/inbox/$name"
		LD_PRELOAD="$shim" BP_CRASH_AT=$i BP_CRASH_SEED=$i \
			bpaggd -c "$C" --once --foreground 2>>"$log" || true
		copies_clean || fail "$name: killed at call $i of $n: a copy in the queue holds a person_id"
		# what the kill left is taken to its end by the next run
		bpaggd -c "$C" --once --foreground 2>>"$log" || fail "$name: recovery after call $i exited $?"
		copies_clean || fail "$name: after recovery from call $i: a copy holds a person_id"
		rejected_deleted "$name" || fail "after call $i: $name not refused and deleted"
	done
	ok "$name: killed at each of $n calls: no copy of the file in the queue"
}

kill_each "$T/junk.bpx"

reason_of junk.bpx | grep -q '^envelope: ' ||
	fail "the reason is not the envelope's: $(reason_of junk.bpx)"
[ "$(find "$T/c/queue" -type f ! -name '.*' | wc -l)" -eq 0 ] ||
	fail "left in the queue: $(ls "$T/c/queue")"
ok "refused with the envelope's reason, deleted unread"

# A valid seal (another export of the kommune) with the plaintext appended.
other=$(make_export $K $YEAR 12 2)
seal_to $K $YEAR "$other" "$T/sealed.bpx"
cat "$T/sealed.bpx" "$csv" >"$T/appended.bpx"
grep -qaF -f "$ids" "$T/appended.bpx" || fail "the appended file holds no person_id"
rm -rf "$T/c"
cp -a "$T/c0" "$T/c"
kill_each "$T/appended.bpx"
reason_of appended.bpx | grep -q '^envelope: bytes after the final chunk' ||
	fail "not refused for bytes after the final chunk: $(reason_of appended.bpx)"
[ "$("$H/receiptcheck" "$T/c/keys/daemon.sign.pk" "$T/c/outbox/$K"/*.receipt |
	awk '$2 == "appended.bpx" { print $1 }')" = refused ] ||
	fail "the kommune got no receipt saying appended.bpx was refused"
[ "$(find "$T/c/queue" -type f ! -name '.*' | wc -l)" -eq 0 ] ||
	fail "left in the queue: $(ls "$T/c/queue")"
ok "a valid seal with the plaintext appended: refused for bytes after the final chunk, with a receipt"
no_pid_leak "$log"
