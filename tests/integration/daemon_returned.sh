#!/usr/bin/env bash
# daemon_returned.sh - an upload still being written (complete by its chunk
# lengths, not by its final tag: it paused at a chunk boundary) goes back to
# the inbox however bpaggd meets it, and is merged once its uploader has
# written the rest through the descriptor it kept open. Not refused for it
# (the listing refuses a file incomplete for young_seconds), unless it
# cannot go back: then young_seconds after its claim (D).
#  A. claimed, and its inbox name taken by another file meanwhile
#     (tests/helpers/takeshim.so): put back as bpaggd-returned-T-R.bpx;
#  B. found in the queue after a kill (the entries are made by hand): an
#     "in" entry goes back under its own name; when that is taken, or not
#     known (its safe form has a '#'), under a fresh one; an "in" entry
#     beside its incomplete "cp" copy goes back and the copy is deleted;
#  C. the uploaders finish: every upload merged once, nothing refused;
#  D. an "in" entry whose inbox folder is gone (its uploader removed it once
#     bpaggd had taken the file): left in the queue while young, refused
#     unkept once young_seconds have passed since its claim, not kept in
#     the queue for good.
set -euo pipefail
. "$BP_SRCDIR/tests/helpers/daemon_lib.sh"
preload_shim takeshim
YEAR=2024
A=0301   # the folder of B
# Header, metadata chunk, one full body chunk (bpagg-submission(5)).
CUT=$((132 + 4 + 166 + 4 + 65536 + 17))

init_central
# Upload i is of kommune K[i]: each merges whatever the order.
mapfile -t K < <(awk -F, 'NR > 1 { print $1 }' "$BPAGG_REGISTRY" | head -n 8)
for k in "${K[@]:1}"; do add_kommune "$k"; done
log="$T/bpaggd.log"
in="$T/c/inbox"
q="$T/c/queue"
csvs=()
for i in 1 2 3 4 5 6 7; do
	csvs+=("$(make_export "${K[i]}" $YEAR 400 $i)")
	seal_to "${K[i]}" $YEAR "${csvs[-1]}" "$T/s$i.bpx"
	[ "$(stat -c %s "$T/s$i.bpx")" -gt $CUT ] || fail "s$i.bpx is too short to cut"
done
once() {
	local rc=0
	"$@" bpaggd -c "$C" --once --foreground 2>>"$log" || rc=$?
	[ $rc -eq 0 ] || fail "bpaggd --once exited $rc"
}
nothing_refused() {
	[ "$(files_in "$T/c/rejected")" -eq 0 ] ||
		fail "$1: refused: $(head -n 1 "$T"/c/rejected/*.reason | head -n 3)"
	[ "$(files_in "$q")" -eq 0 ] || fail "$1: left in the queue: $(ls "$q")"
}
# returned_in DIR: the one bpaggd-returned-*.bpx of DIR
returned_in() {
	local f=("$1"/bpaggd-returned-*.bpx)
	[ ${#f[@]} -eq 1 ] && [ -f "${f[0]}" ] && echo "${f[0]}"
}
# same_inode FILE INODE: FILE is the uploader's inode, still partial.
same_inode() {
	[ -f "$1" ] && [ "$(stat -c %i "$1")" = "$2" ] && [ "$(stat -c %s "$1")" -eq $CUT ]
}
once   # the store and the queue

# A. The uploader (fd 3) pauses at a chunk boundary; while bpaggd holds the
# file, the same upload starts again under its name (s2, complete).
head -c $CUT "$T/s1.bpx" >"$in/delta.bpx"
ino1=$(stat -c %i "$in/delta.bpx")
exec 3>>"$in/delta.bpx"
once env LD_PRELOAD="$shim" BP_TAKE_FROM="$T/s2.bpx"
nothing_refused A
r1=$(returned_in "$in") || fail "A: not put back under a fresh name: $(ls "$in")"
same_inode "$r1" "$ino1" || fail "A: $r1 is not the paused upload"
[ ! -e "$in/delta.bpx" ] && archived_as "$T/s2.bpx" $YEAR "${K[2]}" ||
	fail "A: the file that took the name was not merged"
grep -q "put back into the inbox as bpaggd-returned-" "$log" || fail "A: not logged"
ok "A: claimed, its name taken meanwhile: put back under a fresh name"
mv "$r1" "$T/r1.bpx"   # out of the way of B (the uploader's fd stays valid)

# B. Entries a kill left in the queue.
now=$(date +%s)
mkdir -p "$in/$A"
head -c $CUT "$T/s3.bpx" >"$q/$now-00000000000000a1.in.-.alpha.bpx"
head -c $CUT "$T/s4.bpx" >"$q/$now-00000000000000b2.in.$A.beta.bpx"
cp "$T/s5.bpx" "$in/$A/beta.bpx"   # its name taken meanwhile
head -c $CUT "$T/s6.bpx" >"$q/$now-00000000000000c3.in.-.up#.bpx"
head -c $CUT "$T/s7.bpx" >"$q/$now-00000000000000d4.in.-.gamma.bpx"
head -c $CUT "$T/s7.bpx" >"$q/$now-00000000000000d4.cp.-.gamma.bpx"
ino3=$(stat -c %i "$q/$now-00000000000000a1.in.-.alpha.bpx")
ino4=$(stat -c %i "$q/$now-00000000000000b2.in.$A.beta.bpx")
ino6=$(stat -c %i "$q/$now-00000000000000c3.in.-.up#.bpx")
ino7=$(stat -c %i "$q/$now-00000000000000d4.in.-.gamma.bpx")
exec 4>>"$q/$now-00000000000000a1.in.-.alpha.bpx"
exec 5>>"$q/$now-00000000000000b2.in.$A.beta.bpx"
exec 6>>"$q/$now-00000000000000c3.in.-.up#.bpx"
exec 7>>"$q/$now-00000000000000d4.in.-.gamma.bpx"
once
nothing_refused B
same_inode "$in/alpha.bpx" "$ino3" || fail "B: alpha.bpx not put back under its name"
r4=$(returned_in "$in/$A") || fail "B: beta.bpx not put back beside the file with its name"
same_inode "$r4" "$ino4" || fail "B: $r4 is not beta.bpx"
archived_as "$T/s5.bpx" $YEAR "${K[5]}" || fail "B: the file with beta.bpx's name was not merged"
r6=$(returned_in "$in") || fail "B: up#.bpx not put back under a fresh name: $(ls "$in")"
same_inode "$r6" "$ino6" || fail "B: $r6 is not up#.bpx"
same_inode "$in/gamma.bpx" "$ino7" || fail "B: gamma.bpx (beside its copy) not put back"
ok "B: found in the queue after a kill: put back into the inbox, not refused"

# C. The uploaders write the rest through their descriptors: all merged.
rest() { tail -c +$((CUT + 1)) "$T/s$1.bpx"; }
rest 1 >&3; rest 3 >&4; rest 4 >&5; rest 6 >&6; rest 7 >&7
exec 3>&- 4>&- 5>&- 6>&- 7>&-
mv "$T/r1.bpx" "$in/delta.bpx"
once
nothing_refused C
inbox_empty || fail "C: files left in the inbox: $(find "$in" -type f)"
for i in 1 2 3 4 5 6 7; do
	archived_as "$T/s$i.bpx" $YEAR "${K[i]}" || fail "C: s$i.bpx not archived"
done
[ "$(find "$T/c/outbox" -name '*.receipt' | wc -l)" -eq 7 ] ||
	fail "$(find "$T/c/outbox" -name '*.receipt' | wc -l) receipts for 7 uploads"
[ "$(expected_counts "${csvs[@]}")" = "$(store_counts $YEAR)" ] ||
	fail "store counts differ from the plaintext"
ok "C: every upload merged once, nothing refused"

# D. Folders 5001 and 5401 are not in the inbox: the entries cannot go back.
[ ! -e "$in/5001" ] && [ ! -e "$in/5401" ] || fail "D: the folders exist"
now=$(date +%s)
old=$((now - 600))   # past young_seconds (60), within the clock tolerance (900)
head -c $CUT "$T/s1.bpx" >"$q/$old-00000000000000e5.in.5001.eps.bpx"
head -c $CUT "$T/s2.bpx" >"$q/$now-00000000000000f6.in.5401.zeta.bpx"
rc=0
bpaggd -c "$C" --once --foreground 2>>"$log" || rc=$?
[ $rc -eq 70 ] || fail "D: bpaggd --once exited $rc, not 70 (a file left in the queue)"
[ ! -e "$q/$old-00000000000000e5.in.5001.eps.bpx" ] ||
	fail "D: the entry taken ten minutes ago is still in the queue"
grep -q "could not be put back into the inbox folder" "$T"/c/rejected/*e5*.reason ||
	fail "D: no reason file for it: $(ls "$T/c/rejected")"
[ "$(find "$T/c/rejected" -name '*e5*' ! -name '*.reason' | wc -l)" -eq 0 ] ||
	fail "D: the incomplete upload was kept"
grep -q "refused: envelope: still incomplete young_seconds after bpaggd took it" "$log" ||
	fail "D: the refusal is not logged"
[ -f "$q/$now-00000000000000f6.in.5401.zeta.bpx" ] ||
	fail "D: the entry taken just now was not left in the queue"
grep -q "left in the queue, refused if still so young_seconds after it was taken" "$log" ||
	fail "D: not logged as left in the queue"
rm "$q/$now-00000000000000f6.in.5401.zeta.bpx"
ok "D: cannot go back: refused unkept young_seconds after its claim, left while young"
no_pid_leak "$log"
