#!/usr/bin/env bash
# daemon_folders.sh - inbox folders bpaggd does not list are said so, not
# skipped in silence:
#  - inbox/NNNN made unreadable to bpaggd by its uploader (mode 0300, a
#    drop folder): a warning naming it and why, logged when that changes,
#    not at every listing; --once exits 70; once it can be read, its file
#    is merged and that is logged;
#  - a folder not named NNNN: a notice that it is ignored, its file left;
#  - bpagg status names the unreadable folder (a warning, and
#    "inbox_unreadable" in --json) and still gives its figures.
# As root, bpaggd runs as its service user (daemon) and the uploader is
# nobody; otherwise both are the user running the test. Root without those
# users: skipped.
set -euo pipefail
. "$BP_SRCDIR/tests/helpers/daemon_lib.sh"
if [ "$(id -u)" -eq 0 ] && { ! id nobody >/dev/null 2>&1 || ! id daemon >/dev/null 2>&1; }; then
	echo "skip: root without the users nobody and daemon"
	exit 77
fi
YEAR=2024
A=0301

init_central
add_kommune $A
log="$T/bpaggd.log"
in="$T/c/inbox"
csv=$(make_export $A $YEAR 20 1)
seal_to $A $YEAR "$csv" "$T/a.bpx"
seal_to $A $YEAR "$(make_export $A $YEAR 20 2)" "$T/b.bpx"
chmod 755 "$T"
chmod 644 "$T"/*.bpx
if [ "$(id -u)" -eq 0 ]; then
	serve_as daemon
	chmod 1777 "$in"
	up() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
else
	up() { "$@"; }
fi
up mkdir "$in/$A" "$in/oslo"
up cp "$T/a.bpx" "$in/$A/a.bpx"
up cp "$T/b.bpx" "$in/oslo/b.bpx"
up chmod 300 "$in/$A"

rc=0
bpaggd -c "$C" --once --foreground 2>>"$log" || rc=$?
[ $rc -eq 70 ] || fail "bpaggd --once exited $rc with inbox/$A unreadable, not 70"
grep -q "inbox folder cannot be listed: inbox/$A (Permission denied)" "$log" ||
	fail "no warning naming inbox/$A"
grep -q "1 folder in the inbox ignored: only inbox/NNNN/" "$log" ||
	fail "no notice of the folder oslo/"
ok "--once: the unreadable inbox/$A is named, exit 70; oslo/ said to be ignored"

# bpagg status, run as the daemon's user, names that folder and still gives
# its figures (it failed whole with exit 74, naming the inbox).
if [ "$(id -u)" -eq 0 ]; then
	as_daemon() { setpriv --reuid=daemon --regid=daemon --clear-groups \
		env PATH="$PATH" BPAGG_REGISTRY="$BPAGG_REGISTRY" "$@"; }
else
	as_daemon() { "$@"; }
fi
rc=0; out=$(as_daemon bpagg status -c "$C" --json 2>"$T/status.err") || rc=$?
[ $rc -eq 0 ] && grep -q '"inbox_unreadable": \["'$A'"\]' <<<"$out" ||
	fail "status with inbox/$A unreadable: exit $rc: $out $(cat "$T/status.err")"
grep -q "warning: $in/$A: cannot be read: its files are not counted" "$T/status.err" ||
	fail "status warning: $(cat "$T/status.err")"
ok "bpagg status names the unreadable inbox/$A and gives its figures"

# The daemon says it once, not at every listing (every second while inbox/NNNN
# exists), and once more when the folder can be read.
: >"$log"
start_daemon "$log"
wait_until 30 grep -q "cannot be listed" "$log" || fail "the daemon did not say it"
sleep 3
[ "$(grep -c "cannot be listed" "$log")" -eq 1 ] || fail "said at every listing"
[ "$(grep -c "ignored: only inbox/NNNN/" "$log")" -eq 1 ] || fail "notice at every listing"
up chmod 777 "$in/$A"   # the daemon may claim from it
wait_until 30 archived_as "$T/a.bpx" $YEAR $A || fail "inbox/$A/a.bpx not merged once readable"
grep -q "every inbox folder can be listed again" "$log" || fail "not said that it can be read again"
stop_daemon
[ -f "$in/oslo/b.bpx" ] || fail "the file in oslo/ was touched"
[ "$(files_in "$T/c/rejected")" -eq 0 ] || fail "something was refused"
ok "the daemon: said once; merged once readable, and said so"

rc=0
bpaggd -c "$C" --once --foreground 2>>"$log" || rc=$?
[ $rc -eq 0 ] || fail "bpaggd --once exited $rc with every NNNN folder readable"
no_pid_leak "$log"
