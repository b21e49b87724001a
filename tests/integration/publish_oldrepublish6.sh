#!/usr/bin/env bash
# publish_oldrepublish6.sh - a year republished under republish model 6
# that model 7 would refuse (tests/fixtures/publish/suplog_republish6.tar.xz,
# made by make_suplog_republish6.sh with main at bdf63bc: release A of 0301
# 1101 1103, then 1106 reports and 0301 sends new rows, release B;
# bench/republish_sweep.sh seed 555). B prints as 0 national figures A hid
# as 1 and so leaves nine cells of A bounded below min_cell for the reader
# of both. bpagg audit still re-derives B as model 6 made it (its log entry
# is valid history; A's store has changed since), and a release made today
# of the same store, republish model 7, is refused: exit 1, nothing
# written or logged, and the log still verifies.
set -euo pipefail

. "$BP_SRCDIR/tests/helpers/fixture_lib.sh"
fixture_unpack suplog_republish6

[ "$(grep -c '"type":"release"' "$inst/suppression.log")" -eq 2 ] || fail "fixture: not two releases"
[ "$(grep -c '"republish_model":6' "$inst/suppression.log")" -eq 2 ] || fail "fixture: not republish model 6"
out=$(bpagg audit -c "$conf") || fail "the model 6 year does not verify: $out"
[ "$(grep -c 're-derived, suppression matches' <<<"$out")" -eq 1 ] || fail "audit: $out"
[ "$(grep -c "the store's 2024 has changed since; not re-derived" <<<"$out")" -eq 1 ] || fail "audit: $out"
rc=0
bpagg publish -c "$conf" --year 2024 --out "$tmp/relC" >/dev/null 2>"$tmp/C.err" || rc=$?
[ "$rc" = 1 ] || fail "today's release of the year: exit $rc, not 1: $(cat "$tmp/C.err")"
grep -q 'no safe pattern' "$tmp/C.err" || fail "today's message: $(cat "$tmp/C.err")"
[ ! -e "$tmp/relC" ] || [ -z "$(ls -A "$tmp/relC")" ] || fail "today's release was written"
[ "$(grep -c '"type":"release"' "$inst/suppression.log")" -eq 2 ] || fail "today's release was logged"
out=$(bpagg audit -c "$conf") || fail "the year does not verify after the refusal: $out"
[ "$(grep -c 're-derived, suppression matches' <<<"$out")" -eq 1 ] || fail "audit after: $out"
echo "ok: a model 6 republished year re-derives; model 7 refuses to publish the year again"
