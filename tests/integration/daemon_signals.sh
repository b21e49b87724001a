#!/usr/bin/env bash
# daemon_signals.sh - a running bpaggd: a file still being written (a
# truncated envelope) is left alone while young and ingested once complete,
# and refused once it has stayed incomplete longer than young_seconds;
# SIGHUP reloads the kommune keyring (a kommune registered after the start
# is refused before the reload and accepted after it); SIGINT and SIGTERM
# end it with status 0. As root, [daemon] user makes it drop privileges:
# what it writes after the start belongs to that user.
set -euo pipefail
. "$BP_SRCDIR/tests/helpers/daemon_lib.sh"
YEAR=2020
A=3201 N=3203

init_central "young_seconds = 8"
add_kommune $A
log="$T/bpaggd.log"
in="$T/c/inbox"
logged() { grep -q "$1" "$log"; }

start_daemon "$log"
# 1. A truncated file is left in the inbox while young, then completed.
aa=$(make_export $A $YEAR 30 1)
seal_to $A $YEAR "$aa" "$T/aa.bpx"
head -c 300 "$T/aa.bpx" >"$in/aa.bpx"
wait_until 30 logged 'aa.bpx: incomplete' || fail "truncated file not seen"
sleep 2.5
[ -f "$in/aa.bpx" ] || fail "a young incomplete file was moved"
[ "$(grep -c 'aa.bpx: incomplete' "$log")" -eq 1 ] ||
	fail "a young incomplete file logged $(grep -c 'aa.bpx: incomplete' "$log") times, not once"
[ "$(files_in "$T/c/rejected")" -eq 0 ] || fail "a young incomplete file was rejected"
cp "$T/aa.bpx" "$in/.aa.tmp" && mv "$in/.aa.tmp" "$in/aa.bpx"
wait_until 30 inbox_empty || fail "completed file not ingested"
archived_as "$T/aa.bpx" $YEAR $A || fail "completed file not archived"
ok "young incomplete file left alone (logged once), ingested once complete"

# 2. A file that stays incomplete beyond young_seconds is refused.
head -c 300 "$T/aa.bpx" >"$in/stuck.bpx"
wait_until 30 inbox_empty || fail "stuck incomplete file never refused"
# Its bytes never authenticated: refused and deleted, not kept.
rejected_deleted stuck.bpx && reason_of stuck.bpx | grep -q incomplete ||
	fail "stuck file not refused (and deleted) with an 'incomplete' reason"
ok "incomplete file refused after young_seconds"

# 3. SIGHUP: a kommune registered after the start is known only after it.
add_kommune $N
na=$(make_export $N $YEAR 20 2)
nb=$(make_export $N $YEAR 21 3)
seal_to $N $YEAR "$na" "$T/na.bpx"
seal_to $N $YEAR "$nb" "$T/nb.bpx"
cp "$T/na.bpx" "$in/"
wait_until 30 inbox_empty || fail "na not processed"
rejected_deleted na.bpx || fail "a kommune unknown to the running daemon was accepted"
kill -HUP "$DPID"
wait_until 30 logged 'reloaded' || fail "no reload logged after SIGHUP"
cp "$T/nb.bpx" "$in/"
wait_until 30 inbox_empty || fail "nb not processed"
archived_as "$T/nb.bpx" $YEAR $N || fail "kommune registered before SIGHUP still refused"
expected_counts "$aa" "$nb" >"$T/expected"
store_counts $YEAR >"$T/store"
diff "$T/expected" "$T/store" >/dev/null || fail "store counts differ"
ok "SIGHUP reloaded the keyring"

# 4. SIGINT ends it with status 0 (stop_daemon checks SIGTERM below).
kill -INT "$DPID"
rc=0; wait "$DPID" || rc=$?
[ $rc -eq 0 ] || fail "bpaggd exited $rc after SIGINT"
start_daemon "$log"
started_twice() { [ "$(grep -c ': started:' "$log")" -ge 2 ]; }
wait_until 30 started_twice || fail "restart not logged"
stop_daemon
ok "SIGINT and SIGTERM: exit 0"

# 5. Dropping privileges (only when run as root and 'nobody' exists).
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	chmod 755 "$T"
	for d in inbox archive rejected outbox; do chown -R nobody "$T/c/$d"; done
	chown nobody "$T/c"
	on_pg || chown nobody "$T/c"/store.sqlite*
	chmod 755 "$T/c/keys"; chmod 755 "$T/c/keys/kommuner"
	conf_set "$C" user nobody
	ab=$(make_export $A $YEAR 24 4)
	seal_to $A $YEAR "$ab" "$in/ab.bpx"
	rc=0
	bpaggd -c "$C" --once --foreground 2>>"$log" || rc=$?
	[ $rc -eq 0 ] || fail "bpaggd --once as nobody exited $rc"
	logged 'running as user nobody' || fail "no privilege drop logged"
	[ "$(files_in "$T/c/archive/$YEAR/$A")" -ge 2 ] || fail "not ingested after dropping privileges"
	r=$(grep -l '"ab.bpx"' "$T/c/outbox/$A"/*.receipt)
	[ "$(stat -c %U "$r")" = nobody ] || fail "receipt not written as nobody"
	[ "$(stat -c %U "$T/c/keys/central.box.sk")" = root ] || fail "keys changed owner"
	ok "dropped privileges to nobody after loading the keys"
else
	echo "skip: privilege drop (not root, or no user nobody)"
fi
cp "$log" "$T/c/"
no_pid_leak
