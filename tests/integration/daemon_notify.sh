#!/usr/bin/env bash
# daemon_notify.sh - bpaggd under a service manager: the sd_notify(3)
# messages on a notification socket of our own (READY=1 with a STATUS line,
# a STATUS after each submission with the right counts, RELOADING=1 and
# READY=1 around SIGHUP, STOPPING=1 on SIGTERM), and the journald
# priorities of its log lines when stderr is the stream JOURNAL_STREAM
# names (faked: the dev:ino of the file stderr goes to): "<4>" before a
# refusal, "<1>" before a plaintext deleted unread, "<6>" before a merge;
# no prefix when JOURNAL_STREAM names another file or is unset.
set -euo pipefail
. "$BP_SRCDIR/tests/helpers/daemon_lib.sh"
YEAR=2024
A=4601 B=5001 U=1103   # U is never registered

init_central
add_kommune $A
add_kommune $B
add_kommune $U noregister
in="$T/c/inbox"
log="$T/bpaggd.err"
sock="$T/notify.sock"
msgs="$T/notify.log"

seal_to $A $YEAR "$(make_export $A $YEAR 20 1)" "$in/a.bpx"
seal_to $B $YEAR "$(make_export $B $YEAR 15 2)" "$in/b.bpx"
seal_to $U $YEAR "$(make_export $U $YEAR 10 3)" "$in/u.bpx"
# A plaintext export dropped by mistake: deleted unread, logged at LOG_ALERT.
cp "$(make_export $A $YEAR 5 4)" "$in/plain.bpx"

"$H/notifysock" "$sock" "$msgs" 60 &
NPID=$!
DPIDS+=("$NPID")
wait_until 10 test -S "$sock" || fail "the notification socket was not made"

: >"$log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$log") NOTIFY_SOCKET="$sock" \
	bpaggd -c "$C" --foreground 2>>"$log" &
DPID=$!
DPIDS+=("$DPID")

status_is() { grep -qx "STATUS=$1" "$msgs"; }
final="merged 2, already applied 0, refused 2, waiting 0"
wait_until 30 status_is "$final" || fail "no STATUS=$final; got: $(grep STATUS= "$msgs" | tr '\n' '|')"
ok "STATUS=$final"

# READY=1 comes first, with a status line, before any submission's status.
[ "$(head -n 1 "$msgs")" = "READY=1" ] || fail "the first message is not READY=1: $(head -n 1 "$msgs")"
sed -n 2p "$msgs" | grep -q '^STATUS=merged 0, already applied 0, refused 0, waiting ' ||
	fail "READY=1 without the status line"
# One STATUS per submission (4), each count never going down.
n=$(grep -c '^STATUS=merged' "$msgs")
[ "$n" -ge 5 ] || fail "$n status lines for 4 submissions and READY"
grep '^STATUS=merged' "$msgs" | awk -F'[ ,]+' '{ m = $2 + $5 + $7; if (m < last) bad = 1; last = m }
	END { exit bad }' || fail "the counts went down"
ok "READY=1 first, then a status line after each submission"

# SIGHUP: RELOADING=1 (with MONOTONIC_USEC), then READY=1 once reloaded.
kill -HUP "$DPID"
wait_until 10 grep -q '^RELOADING=1' "$msgs" || fail "no RELOADING=1 after SIGHUP"
grep -A1 '^RELOADING=1' "$msgs" | grep -q '^MONOTONIC_USEC=[0-9][0-9]*$' || fail "RELOADING=1 without MONOTONIC_USEC"
wait_until 10 sh -c "sed -n '/^RELOADING=1/,\$p' '$msgs' | grep -qx READY=1" || fail "no READY=1 after the reload"
ok "RELOADING=1 and READY=1 around SIGHUP"

# SIGTERM: STOPPING=1, and the daemon exits 0.
stop_daemon
grep -qx 'STOPPING=1' "$msgs" || fail "no STOPPING=1 on SIGTERM"
[ "$(grep -cx 'STOPPING=1' "$msgs")" -eq 1 ] || fail "STOPPING=1 sent more than once"
ok "STOPPING=1 on SIGTERM"

# The journal priorities: every line has one; refusals are warnings.
grep -v '^<[0-7]>bpaggd: ' "$log" && fail "a line without a priority prefix"
grep -q '^<4>bpaggd: u\.bpx: refused: ' "$log" || fail "the refusal of u.bpx is not <4> (warning)"
grep -q '^<1>bpaggd: plain\.bpx: not a sealed submission: deleted unread' "$log" ||
	fail "the deleted plaintext is not <1> (alert)"
grep -q '^<6>bpaggd: a\.bpx: merged ' "$log" || fail "the merge of a.bpx is not <6> (info)"
ok "journald priorities: <4> refusal, <1> plaintext deleted, <6> merge"

# Off the journal: JOURNAL_STREAM naming another file, or unset: plain lines.
seal_to $U $YEAR "$(make_export $U $YEAR 10 5)" "$in/v.bpx"
other="$T/other"
: >"$other"
: >"$log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$other") bpaggd -c "$C" --foreground --once 2>>"$log" ||
	fail "bpaggd --once failed"
grep -q '^bpaggd: v\.bpx: refused: ' "$log" || fail "no plain refusal line off the journal"
grep -q '^<' "$log" && fail "a priority prefix off the journal"
seal_to $U $YEAR "$(make_export $U $YEAR 10 6)" "$in/w.bpx"
: >"$log"
env -u JOURNAL_STREAM -u NOTIFY_SOCKET bpaggd -c "$C" --foreground --once 2>>"$log" ||
	fail "bpaggd --once without NOTIFY_SOCKET failed"
grep -q '^bpaggd: w\.bpx: refused: ' "$log" || fail "no plain refusal line without JOURNAL_STREAM"
grep -q '^<' "$log" && fail "a priority prefix without JOURNAL_STREAM"
ok "plain lines off the journal; no NOTIFY_SOCKET is no error"
no_pid_leak "$msgs"
