#!/usr/bin/env bash
# daemon_sweep.sh - issue 10, item 11 (leftovers): a receipt or reason file
# half written when bpaggd was killed stays as ".new.<hex>.tmp" in outbox/,
# outbox/NNNN/ or rejected/; the next start removes those (and only
# those: a look-alike name or a symbolic link is left alone).
set -euo pipefail
. "$BP_SRCDIR/tests/helpers/daemon_lib.sh"
init_central
A=3401
add_kommune $A
log="$T/bpaggd.log"
csv=$(make_export $A 2024 20 1)
seal_to $A 2024 "$csv" "$T/c/inbox/a.bpx"
bpaggd -c "$C" --once --foreground 2>>"$log" || fail "first run"
[ -d "$T/c/outbox/$A" ] || fail "no receipt folder"
tmpname=.new.0123456789abcdef.tmp
echo half >"$T/c/outbox/$A/$tmpname"
echo half >"$T/c/outbox/$tmpname"
echo half >"$T/c/rejected/$tmpname"
echo keep >"$T/c/outbox/$A/.new.notours.tmp"
echo outside >"$T/outside"
ln -s "$T/outside" "$T/c/rejected/.new.fedcba9876543210.tmp"
bpaggd -c "$C" --once --foreground 2>>"$log" || fail "second run"
for f in "outbox/$A/$tmpname" "outbox/$tmpname" "rejected/$tmpname"; do
	[ ! -e "$T/c/$f" ] || fail "$f left behind"
done
[ -e "$T/c/outbox/$A/.new.notours.tmp" ] || fail "a name not of the daemon's making was removed"
[ -e "$T/outside" ] && [ -L "$T/c/rejected/.new.fedcba9876543210.tmp" ] ||
	fail "a symbolic link was followed or removed"
grep -q "removed 3 temporary files left by an interrupted write" "$log" || fail "not logged"
ok "temporary files of an interrupted write removed at start, nothing else"
