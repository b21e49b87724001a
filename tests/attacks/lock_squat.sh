#!/usr/bin/env bash
# lock_squat.sh - any local user who can read bpaggd.lock (created 0644 in
# the installation's directory) takes flock(LOCK_EX) on a read-only
# descriptor and keeps bpaggd from starting ("another bpaggd runs").
# Exits 1 when the uploader's lock keeps the daemon out.
. "$(dirname "$0")/lib.sh"
setup_install
# The daemon ran once (creating the lock file), as after any restart.
bpaggd -c "$C" --once --foreground 2>>"$log" || true
# The lock's place: queue/.bpaggd.lock since the fix (bpaggd.lock before).
lk="$T/c/queue/.bpaggd.lock"; [ -e "$lk" ] || lk="$T/c/bpaggd.lock"
[ -e "$lk" ] || broken "no lock file at all"
ls -l "$lk"
# The uploader holds the lock (flock(1) opens the file read-only).
as_uploader flock -x -n "$lk" sleep 20 &
sq=$!
sleep 0.5
kill -0 $sq 2>/dev/null || held "the uploader could not take the lock"
rc=0
timeout 10 bpaggd -c "$C" --once --foreground 2>>"$log" || rc=$?
kill $sq 2>/dev/null; wait $sq 2>/dev/null || true
if [ $rc -ne 0 ] && grep -q "another bpaggd" "$log"; then
	broken "user nobody holding bpaggd.lock kept bpaggd from starting (exit $rc)"
fi
held "bpaggd started (exit $rc) although the uploader held its lock"
