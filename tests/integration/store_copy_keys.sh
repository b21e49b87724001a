#!/usr/bin/env bash
# store_copy_keys.sh - bpagg store copy between two SQLite installations
# refuses (exit 78) when they hash person identifiers differently: another
# keys/pseudonym.key (found by a hostile review: the copy succeeded, and a
# person reported later by a second kommune was no longer recognised as the
# same, 10 such persons counted as 0), or another [ingest] pseudonym_scope.
# The destination stays empty; with the source's key the copy goes through,
# but not from a source whose tally is damaged (exit 74, as bpagg(1) says).
set -euo pipefail
. "$BP_SRCDIR/tests/helpers/daemon_lib.sh"
YEAR=2024 A=0301
init_central
add_kommune $A
log="$T/bpaggd.log"
seal_to $A $YEAR "$(make_export $A $YEAR 30 1)" "$T/c/inbox/a.bpx"
bpaggd -c "$C" --once --foreground 2>>"$log" || fail "ingest"

bpagg init "$T/d" >/dev/null
D=$T/d/bpagg.conf
rc=0; err=$(bpagg store copy --from "$C" --to "$D" 2>&1) || rc=$?
[ $rc -eq 78 ] && grep -q "pseudonym.key differ: the copied persons would not be recognised" <<<"$err" ||
	fail "another pseudonym key: exit $rc: $err"
[ "$(sqlite3 "$T/d/store.sqlite" 'SELECT count(*) FROM ledger')" = 0 ] || fail "the refused copy wrote rows"
ok "a copy to an installation with another pseudonym key is refused"

install -m 0600 "$T/c/keys/pseudonym.key" "$T/d/keys/pseudonym.key"
conf_set "$D" pseudonym_scope year
rc=0; err=$(bpagg store copy --from "$C" --to "$D" 2>&1) || rc=$?
[ $rc -eq 78 ] && grep -q "differ in \[ingest\] pseudonym_scope (global, year)" <<<"$err" ||
	fail "another pseudonym_scope: exit $rc: $err"
conf_set "$D" pseudonym_scope global
# a source with one byte changed inside a tally (every page intact: only
# the thorough check finds it) is refused with exit 74, nothing copied
cp "$T/c/store.sqlite" "$T/good.sqlite"
sqlite3 "$T/c/store.sqlite" "UPDATE tally SET counts = substr(counts, 1, 8) || x'7f' || substr(counts, 10) WHERE kommune = '$A'"
rc=0; err=$(bpagg store copy --from "$C" --to "$D" 2>&1) || rc=$?
[ $rc -eq 74 ] && grep -q "source: .*damaged" <<<"$err" || fail "a damaged source: exit $rc: $err"
[ "$(sqlite3 "$T/d/store.sqlite" 'SELECT count(*) FROM ledger')" = 0 ] || fail "a damaged source was copied"
ok "a source whose tally is damaged is refused (exit 74), nothing copied"
cp "$T/good.sqlite" "$T/c/store.sqlite"
out=$(bpagg store copy --from "$C" --to "$D" 2>&1) || fail "copy with the same key: $out"
[ "$(sqlite3 "$T/d/store.sqlite" 'SELECT count(*) FROM ledger')" = 1 ] || fail "the copy has no ledger row"
ok "with the same key and scope the copy goes through"
