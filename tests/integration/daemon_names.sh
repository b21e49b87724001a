#!/usr/bin/env bash
# daemon_names.sh - what bpaggd does with what is not a well-named sealed
# file, and that no inbox name reaches a log, receipt or the store as is:
# a plaintext export dropped into the inbox is deleted unread (only a
# reason file is kept); a sealed file named like a person_id is merged and
# archived under its submission id, the id never written; a newline in a
# name cannot forge a log line; a name near NAME_MAX is refused like any
# other; a FIFO is removed, never moved; names not ending in .bpx are left
# alone (and not counted as waiting by bpagg status); everything in
# rejected/ is mode 0600 even with umask 022.
set -euo pipefail
. "$BP_SRCDIR/tests/helpers/daemon_lib.sh"
YEAR=2022
A=1804 U=1806   # U is never registered

init_central
add_kommune $A
add_kommune $U noregister
log="$T/bpaggd.log"
in="$T/c/inbox"
umask 022

# once: bpaggd --once (a hang is a failure: the timeout is a guard only).
once() {
	local rc=0
	timeout 120 bpaggd -c "$C" --once --foreground 2>>"$log" || rc=$?
	[ $rc -eq 0 ] || fail "bpaggd --once exited $rc"
}
first_pid() {
	awk 'FNR == 1 { FS = index($0, ";") ? ";" : ","; gsub(/"/, ""); $0 = $0
		for (i = 1; i <= NF; i++) if ($i ~ /person_id/) p = i; next }
		{ gsub(/"/, ""); print $p; exit }' "$1"
}

# 1. A plaintext export named after a person_id: deleted, reason kept.
a1=$(make_export $A $YEAR 30 1)
pid=$(first_pid "$a1")
[[ $pid =~ ^[0-9]{11}$ ]] || fail "no person_id in the sample"
cp "$a1" "$in/$pid.bpx"
chmod 644 "$in/$pid.bpx"
once
[ ! -e "$in/$pid.bpx" ] || fail "the plaintext was left in the inbox"
[ "$(find "$T/c/rejected" -name '*.bpx' | wc -l)" -eq 0 ] || fail "the plaintext was kept in rejected/"
reason_of '#.bpx' | grep -q '^not a sealed submission (no bpagg envelope): the file was deleted unread' ||
	fail "reason: $(reason_of '#.bpx')"
grep -q '#.bpx: not a sealed submission: deleted unread' "$log" || fail "deletion not logged"
ok "plaintext export deleted unread, reason kept under the safe name"

# 2. A sealed file named after a person_id: merged, archived under its
# submission id, the receipt names it "#.bpx".
a2=$(make_export $A $YEAR 25 2)
pid2=$(first_pid "$a2")
seal_to $A $YEAR "$a2" "$T/a2.bpx"
cp "$T/a2.bpx" "$in/$pid2.bpx"
once
archived_as "$T/a2.bpx" $YEAR $A || fail "not archived"
[ ! -e "$T/c/archive/$YEAR/$A/$pid2.bpx" ] || fail "archived under the inbox name"
"$H/receiptcheck" "$T/c/keys/daemon.sign.pk" "$T/c/outbox/$A"/*.receipt | grep -q '^merged #.bpx$' ||
	fail "no merged receipt for #.bpx"
ok "a person_id in a name is neither archived nor written"

# 3. A newline in a name forges no log line; the name is logged with '?'.
u1=$(make_export $U $YEAR 20 3)
seal_to $U $YEAR "$u1" "$T/u1.bpx"
cp "$T/u1.bpx" "$in/evil"$'\n'"bpaggd: forged.bpx"
once
! grep -q '^bpaggd: forged' "$log" || fail "a name forged a log line"
grep -q '^bpaggd: evil?bpaggd: forged.bpx: refused' "$log" || fail "refusal not logged with the safe name"
# From an unregistered kommune: no key vouches for it, deleted unread.
rejected_deleted 'evil?bpaggd: forged.bpx' || fail "file with a newline in its name: no reason file"
ok "a newline in a name is logged as '?'"

# 4. A name near NAME_MAX (suffixes would not fit) is refused like any other.
long=$(printf 'x%.0s' $(seq 1 250)).bpx
cp "$T/u1.bpx" "$in/$long"
once
[ ! -e "$in/$long" ] || fail "a long name was left in the inbox"
# The safe name kept with the claimed file is cut to 150 bytes.
rejected_deleted "${long:0:150}" || fail "a long name was not refused (reason in rejected/)"
ok "a ${#long}-byte name refused"

# 5. A FIFO is removed, never moved into rejected/.
mkfifo "$in/f.bpx"
once
[ ! -e "$in/f.bpx" ] || fail "the FIFO was left in the inbox"
[ -n "$(reason_file f.bpx)" ] || fail "no reason for the FIFO"
[ "$(find "$T/c/rejected" ! -type f ! -type d | wc -l)" -eq 0 ] || fail "a special file is in rejected/"
ok "FIFO removed, reason kept"

# 6. Only *.bpx is taken: a README and an upload in progress are left
# alone, logged once as ignored; bpagg status counts only the .bpx.
echo "not ours" >"$in/README"
cp "$T/a2.bpx" "$in/x.bpx.filepart"
bpagg status -c "$C" --json | tr -d ' \n' | grep -q '"waiting":0' || fail "status counts non-.bpx files as waiting"
cp "$T/u1.bpx" "$in/w.bpx"
bpagg status -c "$C" --json | tr -d ' \n' | grep -q '"waiting":1,' || fail "status: waiting is not 1"
once
[ -f "$in/README" ] && [ -f "$in/x.bpx.filepart" ] || fail "a file not named *.bpx was taken"
[ ! -e "$in/w.bpx" ] || fail "w.bpx not taken"
grep -q '2 files in the inbox ignored: not named \*.bpx' "$log" || fail "ignored files not logged"
ok "names not ending in .bpx left alone"

# 6b. A person_id split by dots and spaces (issue 10, item 6): no digit
# of an inbox name reaches the log or the reason file.
pid3=$(first_pid "$a1")
split="${pid3:0:2}.${pid3:2:2}.${pid3:4:2} ${pid3:6:3} ${pid3:9:2}.bpx"
cp "$a1" "$in/$split"
once
[ ! -e "$in/$split" ] || fail "the split-name plaintext was left in the inbox"
[ -n "$(reason_file '#.#.# # #.bpx')" ] || fail "no reason file under the digit-free name"
for part in "${pid3:0:2}.${pid3:2:2}." "${pid3:4:2} ${pid3:6:3} "; do
	! grep -qF "$part" "$log" || fail "digits of the inbox name reached the log"
	! grep -rqF "$part" "$T/c/rejected" || fail "digits of the inbox name reached rejected/"
done
ok "a person_id split by dots and spaces is not echoed"

# 7. Everything in rejected/ is 0600 (umask 022 here); nothing replaced:
# 6 reasons for 6 refusals, none kept: the sealed ones come from an
# unregistered kommune, so no key vouches for their bytes.
bad=$(find "$T/c/rejected" -type f ! -name '.*' ! -perm 0600 | wc -l)
[ "$bad" -eq 0 ] || fail "$bad files in rejected/ are not mode 0600"
[ "$(find "$T/c/rejected" -name '*.reason' | wc -l)" -eq 6 ] || fail "expected 6 reason files"
[ "$(find "$T/c/rejected" -name '*.bpx' | wc -l)" -eq 0 ] || fail "expected no kept files"
cp "$log" "$T/c/"
no_pid_leak
