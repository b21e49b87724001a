#!/usr/bin/env bash
# daemon_quiet.sh - inbox folders a listing found empty are not listed again
# until they change (bpaggd(8), "Finding files"), and nothing dropped there
# is missed: a running bpaggd, three empty inbox/NNNN folders left alone
# past the settling time, then a submission renamed into one of them, one
# written in place into another, and a folder removed and made again with
# a submission in it: each is merged, byte for byte archived, and the
# queue and inbox end empty.
set -euo pipefail
. "$BP_SRCDIR/tests/helpers/daemon_lib.sh"
YEAR=2024
A=0301 B=1103 D=5001

init_central
add_kommune $A
add_kommune $B
add_kommune $D
log="$T/bpaggd.log"
for k in $A $B $D; do
	mkdir "$T/c/inbox/$k"
	seal_to $k $YEAR "$(make_export $k $YEAR 15 "${k#0}")" "$T/$k.bpx"
done
start_daemon "$log"
sleep 4   # past the settling time, with listings every second since

# renamed in (the way bpagg seal writes), written in place, and a folder
# made anew (removed while empty, then made with the file in it)
cp "$T/$A.bpx" "$T/c/inbox/$A/.a.tmp"
mv "$T/c/inbox/$A/.a.tmp" "$T/c/inbox/$A/a.bpx"
cat "$T/$B.bpx" >"$T/c/inbox/$B/b.bpx"
rmdir "$T/c/inbox/$D"
mkdir "$T/c/inbox/$D.new"
cp "$T/$D.bpx" "$T/c/inbox/$D.new/d.bpx"
mv "$T/c/inbox/$D.new" "$T/c/inbox/$D"
wait_until 60 inbox_empty || fail "not taken: $(find "$T/c/inbox" "$T/c/queue" -type f)"
for k in $A $B $D; do
	archived_as "$T/$k.bpx" $YEAR $k || fail "the submission dropped into inbox/$k was not archived"
done
[ "$(grep -c 'merged kommune' "$log" || true)" -eq 3 ] || fail "not three merges: $(grep -i 'merged' "$log")"
ok "three submissions dropped into quiet folders (renamed in, written in place, a new folder): merged"

# once merged, a folder is quiet again and a second drop is still seen
sleep 4
seal_to $A $YEAR "$(make_export $A $YEAR 12 7)" "$T/a2.bpx"
mv "$T/a2.bpx" "$T/c/inbox/$A/a2.bpx"
wait_until 60 inbox_empty || fail "the second drop into inbox/$A was not taken"
[ "$(grep -c 'merged kommune' "$log" || true)" -eq 4 ] || fail "the second drop was not merged"
stop_daemon
ok "a second drop into a folder quiet again: merged"
no_pid_leak "$log"
