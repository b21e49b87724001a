#!/usr/bin/env bash
# daemon_hostile.sh - an uploader who attacks (issue 10, items 1 and 2),
# acting as user nobody against a bpaggd running as root, then as its
# service user (daemon):
#  1. a file hard-linked under a dot-name before it is taken: refused, and
#     nothing outside is changed (no chmod of the other link);
#  2. a file whose uploader keeps it open for writing and writes person_ids
#     into it after it was merged: the archive holds the verified bytes;
#  3. (root only) inbox/NNNN swapped for a symbolic link to a directory
#     outside, over and over while bpaggd works: nothing outside is
#     chmodded, moved or deleted;
#  4. a file the daemon may not read: waited for, then refused with its
#     reason (--once leaves it, saying so; its line names its folder);
#  5. a file chmodded readable a little after it was created: merged.
# Needs root (to act as two users); skipped otherwise.
set -euo pipefail
. "$BP_SRCDIR/tests/helpers/daemon_lib.sh"
if [ "$(id -u)" -ne 0 ] || ! id nobody >/dev/null 2>&1 || ! id daemon >/dev/null 2>&1; then
	echo "skip: needs root and the users nobody and daemon"
	exit 77
fi
YEAR=2024
A=3901 U=4001   # U is never registered

init_central
add_kommune $A
add_kommune $U noregister
log="$T/bpaggd.log"
in="$T/c/inbox"
chmod 755 "$T" "$T/k" "$T/k"/*
chmod 777 "$in"
as_uploader() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

# once_as USER: bpaggd --once, as root or dropping to USER.
once_as() {
	local rc=0
	bpaggd -c "$C" --once --foreground 2>>"$log" || rc=$?
	[ $rc -eq 0 ] || fail "bpaggd --once ($1) exited $rc"
}

n=0
for who in root daemon; do
	serve_as $who
	# 1. Hard-linked under a dot-name: refused, the other link untouched.
	n=$((n + 1))
	csv=$(make_export $A $YEAR 20 $n)
	seal_to $A $YEAR "$csv" "$T/s$n.bpx"
	chmod 644 "$T/s$n.bpx"
	as_uploader cp "$T/s$n.bpx" "$in/link.bpx"
	as_uploader ln "$in/link.bpx" "$in/.keep$n"
	once_as $who
	[ ! -e "$in/link.bpx" ] || fail "($who) the hard-linked file was left in the inbox"
	[ "$(stat -c %a "$in/.keep$n")" = 644 ] || fail "($who) the other link's mode was changed"
	[ "$(stat -c %h "$in/.keep$n")" -eq 1 ] || fail "($who) the uploader's inode is still linked in"
	! archived_as "$T/s$n.bpx" $YEAR $A || fail "($who) a hard-linked file was archived"
	reason_of link.bpx | grep -q 'hard link' || fail "($who) reason: $(reason_of link.bpx)"
	# The same with a file that is refused (unregistered kommune).
	csv=$(make_export $U $YEAR 20 $((n + 50)))
	seal_to $U $YEAR "$csv" "$T/u$n.bpx"
	chmod 644 "$T/u$n.bpx"
	as_uploader cp "$T/u$n.bpx" "$in/ulink.bpx"
	as_uploader ln "$in/ulink.bpx" "$in/.ukeep$n"
	once_as $who
	[ "$(stat -c %a "$in/.ukeep$n")" = 644 ] || fail "($who) a refused file's other link was chmodded"
	[ "$(stat -c %h "$in/.ukeep$n")" -eq 1 ] || fail "($who) the refused inode is still linked in"
	ok "($who) hard-linked files refused, the other link untouched"

	# 2. Kept open for writing: what is archived is what was verified.
	n=$((n + 1))
	csv=$(make_export $A $YEAR 22 $n)
	seal_to $A $YEAR "$csv" "$T/s$n.bpx"
	chmod 644 "$T/s$n.bpx"
	flag="$T/flag$n"
	as_uploader bash -c 'cp "$1" "$2.part" && exec 3<>"$2.part" && mv "$2.part" "$2" &&
		while [ ! -e "$3" ]; do sleep 0.1; done &&
		printf "person_id;kommune\n08127648019;%s\n" "$4" >&3' _ \
		"$T/s$n.bpx" "$in/open.bpx" "$flag" $A &
	writer=$!
	wait_until 20 test -e "$in/open.bpx" || fail "($who) the uploader did not start"
	once_as $who
	archived_as "$T/s$n.bpx" $YEAR $A || fail "($who) the open file was not archived"
	: >"$flag"
	wait "$writer" || fail "($who) the uploader could not write"
	archived_as "$T/s$n.bpx" $YEAR $A ||
		fail "($who) the archive changed after the uploader wrote into its file"
	! grep -rqa 08127648019 "$T/c/archive" || fail "($who) the uploader wrote into the archive"
	ok "($who) the archive holds the verified bytes, not the uploader's inode"
done

# 4. An upload the daemon's user may not read (an uploader's umask 077): it
# was left in the inbox for ever without a word (its look failed as if it
# had vanished). It is waited for as an incomplete file is (its uploader
# may chmod it yet, case 5): --once leaves it, saying so, and the service
# refuses it young_seconds after it first saw it, with a reason that says
# why.
n=$((n + 1))
csv=$(make_export $A $YEAR 21 $n)
seal_to $A $YEAR "$csv" "$T/s$n.bpx"
chmod 644 "$T/s$n.bpx"
as_uploader sh -c 'umask 077 && cat "$1" >"$2"' _ "$T/s$n.bpx" "$in/private.bpx"
# the same name in the kommune's folder: its line names the folder (both
# lines were "private.bpx: ...")
as_uploader sh -c 'mkdir -m 755 "$2" && umask 077 && cat "$1" >"$2/private.bpx"' _ \
	"$T/s$n.bpx" "$in/$A"
once_as daemon
[ -e "$in/private.bpx" ] || fail "--once refused an unreadable file at first sight"
grep -q ': private.bpx: bpaggd may not read it' "$log" || fail "the unreadable file was not logged"
grep -q ": $A/private.bpx: bpaggd may not read it" "$log" ||
	fail "the unreadable file in inbox/$A was not logged with its folder: $(grep 'may not read' "$log")"
rm -r "${in:?}/$A"

# 5. A file unreadable only for a moment: created under umask 077 and
# chmodded 644 by its uploader a little later (WinSCP's "set permissions",
# sftp put -p, rsync --inplace, install(1) do so after writing). bpaggd
# sees it as soon as it is created; it must wait for it as for an upload
# still being written, not refuse it at first sight.
n=$((n + 1))
csv=$(make_export $A $YEAR 23 $n)
seal_to $A $YEAR "$csv" "$T/s$n.bpx"
chmod 644 "$T/s$n.bpx"
conf_set "$C" young_seconds 6
starts=$(grep -c 'started: inbox' "$log" || true)
start_daemon "$log"
started() { [ "$(grep -c 'started: inbox' "$log")" -gt "$starts" ]; }
wait_until 20 started || fail "bpaggd did not start"
as_uploader sh -c 'umask 077 && cat "$1" >"$2" && sleep 2 && chmod 644 "$2"' _ \
	"$T/s$n.bpx" "$in/later.bpx" || true
wait_until 20 archived_as "$T/s$n.bpx" $YEAR $A ||
	fail "a file made readable 2 s after its creation was not merged" \
	"(reason: $(reason_of later.bpx))"
ok "a file made readable shortly after its creation is waited for and merged"
wait_until 20 test ! -e "$in/private.bpx" || fail "the unreadable file was never refused"
# (it leaves the inbox when claimed; its reason is written after that)
refused_unreadable() { reason_of private.bpx | grep -q 'cannot read it'; }
wait_until 10 refused_unreadable || fail "unreadable file, reason: $(reason_of private.bpx)"
grep -q 'private.bpx: refused: .*cannot read it' "$log" || fail "the refusal was not logged"
stop_daemon
conf_set "$C" young_seconds 60
ok "a file the daemon may not read is refused after young_seconds with its reason"

# 3. Root only: inbox/NNNN swapped for a link to a directory outside.
outside="$T/outside"
mkdir "$outside"
csv=$(make_export $U $YEAR 20 99)
seal_to $U $YEAR "$csv" "$T/victim.bpx"
cp "$T/victim.bpx" "$outside/x.bpx"
chmod 644 "$T/victim.bpx" "$outside/x.bpx"
chmod 755 "$outside"
sed -i '/^\[daemon\]$/,$d' "$C"   # root again
chown -R root "$T/c"
# A slow machine, simulated: every call that acts on a path waits 0.2 s
# before it runs (strace syscall fault injection), so the uploader's swap
# lands between a check and the act that follows it.
slow=()
if command -v strace >/dev/null; then
	slow=(strace -f -qq -o /dev/null
		-e trace=chmod,fchmodat,unlink,unlinkat,rename,renameat,renameat2,linkat
		-e inject=chmod,fchmodat,unlink,unlinkat,rename,renameat,renameat2,linkat:delay_enter=200000)
fi
# (LeakSanitizer cannot run under ptrace: leaks are left to the other tests.)
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	"${slow[@]}" bpaggd -c "$C" --foreground 2>>"$log" &
tracer=$!
DPIDS+=("$tracer")
as_uploader bash -c '
	cd "$1"; end=$((SECONDS + 8))
	while [ $SECONDS -lt $end ]; do
		mkdir -p real && cp "$2" real/x.bpx 2>/dev/null
		rm -f 4001 2>/dev/null; mv -T real 4001 2>/dev/null
		sleep 0.02
		mv -T 4001 real 2>/dev/null; ln -sfn "$3" 4001 2>/dev/null
		sleep 0.02
	done' _ "$in" "$T/victim.bpx" "$outside" &
attacker=$!
wait "$attacker" || true
if [ ${#slow[@]} -gt 0 ]; then
	DPID=$(pgrep -P "$tracer" bpaggd || true)
	[ -n "$DPID" ] || fail "bpaggd under strace not found"
	kill -TERM "$DPID"
	wait "$tracer" || fail "bpaggd exited non-zero after SIGTERM"
else
	DPID=$tracer
	stop_daemon
fi
grep -q 'refused\|moved to\|cannot claim' "$log" || fail "nothing was taken from the swapped folder"
[ -f "$outside/x.bpx" ] || fail "a file outside the installation was moved or deleted"
[ "$(stat -c %a "$outside/x.bpx")" = 644 ] || fail "a file outside was chmodded"
[ "$(stat -c %a "$outside")" = 755 ] || fail "the directory outside was chmodded"
[ "$(stat -c %U "$outside/x.bpx")" = root ] || fail "a file outside changed owner"
[ "$(ls "$outside" | wc -l)" -eq 1 ] || fail "the directory outside changed"
ok "a folder swapped for a link: nothing outside touched"
cp "$log" "$T/c/"
no_pid_leak
