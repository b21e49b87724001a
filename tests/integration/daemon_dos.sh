#!/usr/bin/env bash
# daemon_dos.sh - an inbox flooded with junk (issue 10, item 3): 50 000
# tiny truncated files, some with an mtime a year ahead, dropped by user
# nobody (as root; by the test user otherwise). A real submission dropped
# after them is merged within a few seconds (a hang guard of 20 s, far
# below what a linear deferred list needs: 25 s for 20 000 files), bpaggd
# says once that the folder is over its cap, and the junk with a future
# mtime is refused once young_seconds have passed since bpaggd first saw
# it, not held "young" for ever (a few such files in inbox/NNNN/, a folder
# under its cap).
set -euo pipefail
. "$BP_SRCDIR/tests/helpers/daemon_lib.sh"
JUNK=${BPAGG_DOS_FILES:-50000}
YEAR=2024
A=4201

init_central "young_seconds = 60"
add_kommune $A
log="$T/bpaggd.log"
in="$T/c/inbox"
as_uploader() { "$@"; }
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	chmod 755 "$T"
	chmod 777 "$in"
	as_uploader() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
fi
logged() { grep -q "$1" "$log"; }

# 1. The junk: the first bytes of an envelope, nothing more ("incomplete").
as_uploader bash -c 'cd "$1" && for ((i = 0; i < $2; i++)); do printf BPAGGSUB >"j$i.bpx"; done' \
	_ "$in" "$JUNK"
[ "$(find "$in" -name 'j*.bpx' | wc -l)" -eq "$JUNK" ] || fail "junk not made"
ok "$JUNK junk files in the inbox"
csv=$(make_export $A $YEAR 25 1)
seal_to $A $YEAR "$csv" "$T/real.bpx"
chmod 644 "$T/real.bpx"
start_daemon "$log"
wait_until 60 logged 'incomplete files already waited for' || fail "the folder cap was not logged"
as_uploader cp "$T/real.bpx" "$in/.real.tmp"
as_uploader mv "$in/.real.tmp" "$in/real.bpx"
merged() { archived_as "$T/real.bpx" $YEAR $A; }
wait_until 20 merged || fail "a real submission was not merged within 20 s of the junk"
ok "a real submission merged within seconds whatever else lies in the inbox"
[ "$(grep -c 'incomplete files already waited for' "$log")" -eq 1 ] ||
	fail "the cap was logged more than once"
stop_daemon
find "$in" -name 'j*.bpx' -delete

# 2. Junk with an mtime a year ahead is refused young_seconds after bpaggd
# first saw it, not held "young" for ever.
sed -i 's/^young_seconds = 60$/young_seconds = 3/' "$C"
as_uploader mkdir "$in/$A"
as_uploader bash -c 'for i in 1 2 3 4 5; do printf BPAGGSUB >"$1/f$i.bpx"; done' _ "$in/$A"
as_uploader touch -d '+1 year' "$in/$A"/f?.bpx
start_daemon "$log"
future_gone() { ! ls "$in/$A"/f?.bpx >/dev/null 2>&1; }
wait_until 30 future_gone || fail "junk with a future mtime is still waited for"
refused5() { [ "$(cat "$T/c/rejected"/*.reason 2>/dev/null |
	grep -c "still incomplete young_seconds after bpaggd first saw it")" -ge 5 ]; }
wait_until 30 refused5 || fail "the future junk was not refused as incomplete"
stop_daemon
ok "junk with a future mtime refused after young_seconds since first seen"

# 3. Names chosen to collide in the table of waited-for files: its hash was
# FNV-1a, known to anyone, and one removal re-places the rest of a cluster
# (each by a walk along it), so the 6 000 names below, removed by their
# uploader, held the work thread ~55 s (cubic: 20 000 names, half an hour).
# The hash is keyed now (a random key per run): such names cannot be chosen.
if command -v python3 >/dev/null; then
	sed -i 's/^young_seconds = 3$/young_seconds = 600/' "$C"
	rm -f "$T/c/archive/$YEAR/$A"/*.bpx
	# Names whose key "/NAME" has FNV-1a 64 ending (low 14 bits, the
	# table's mask at 6 000 entries) below 512: one long cluster.
	python3 -c '
import sys
n, i, out, M = int(sys.argv[1]), 0, [], (1 << 64) - 1
while len(out) < n:
    name = "c%d.bpx" % i; i += 1; h = 1469598103934665603
    for b in ("/" + name).encode(): h = ((h ^ b) * 1099511628211) & M
    if h & 16383 < 512: out.append(name)
print("\n".join(out))' 6000 >"$T/names"
	as_uploader bash -c 'cd "$1" && while read -r f; do printf BPAGGSUB >"$f"; done' \
		_ "$in" <"$T/names"
	start_daemon "$log"
	listed() { [ "$(grep -c 'incomplete files already waited for' "$log")" -ge 2 ]; }
	wait_until 60 listed || fail "the colliding names were not listed"
	as_uploader find "$in" -maxdepth 1 -name 'c*.bpx' -delete
	as_uploader cp "$T/real.bpx" "$in/.real.tmp"
	as_uploader mv "$in/.real.tmp" "$in/real.bpx"
	wait_until 20 merged || fail "names chosen to collide held bpaggd up (not merged in 20 s)"
	stop_daemon
	ok "names chosen to collide in the table of waited-for files do not hold bpaggd up"
fi
