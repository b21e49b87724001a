#!/usr/bin/env bash
# publish_oldrepublish5.sh - a year republished under republish model 5
# before release entries recorded their received times
# (tests/fixtures/publish/suplog_republish5.tar.xz, made by
# make_suplog_republish5.sh with main at b7f64e7: release A of 4601 4602
# 4611 4612, then 4613 reports and 4601 sends new rows a second later,
# release B). Model 5 told 4601's resubmission by the store's received
# time against A's logged time; model 6 compares the submission each
# release read, which these entries do not record. bpagg audit re-derives
# B as it was made (taking 4601 as resubmitted: re-derived with 4601 as
# unchanged, B's cells differ), A's store having changed since; a release
# made today after them is logged with republish model 7 and its received
# times, and all three verify together.
set -euo pipefail

. "$BP_SRCDIR/tests/helpers/fixture_lib.sh"
fixture_unpack suplog_republish5

[ "$(grep -c '"type":"release"' "$inst/suppression.log")" -eq 2 ] || fail "fixture: not two releases"
[ "$(grep -c '"republish_model":5' "$inst/suppression.log")" -eq 2 ] || fail "fixture: not republish model 5"
! grep -q '"received"' "$inst/suppression.log" || fail "fixture: its entries record received times"
out=$(bpagg audit -c "$conf") || fail "the model 5 year does not verify: $out"
[ "$(grep -c 're-derived, suppression matches' <<<"$out")" -eq 1 ] || fail "audit: $out"
[ "$(grep -c "the store's 2024 has changed since; not re-derived" <<<"$out")" -eq 1 ] || fail "audit: $out"
out=$(bpagg publish -c "$conf" --year 2024 --out "$tmp/relC" 2>&1) || fail "republish: $out"
grep -q '"republish_model":7' "$tmp/relC/release.json" || fail "today's release is not republish model 7"
[ "$(grep -c '"received":{"4601":[0-9]*,"4602":[0-9]*,"4611":[0-9]*,"4612":[0-9]*,"4613":[0-9]*}' \
	"$inst/suppression.log")" -eq 1 ] || fail "today's entry does not record the five received times"
out=$(bpagg audit -c "$conf") || fail "the year with today's release does not verify: $out"
[ "$(grep -c 're-derived, suppression matches' <<<"$out")" -eq 2 ] || fail "audit: $out"
echo "ok: a year of republish model 5 re-derived, and republished as model 6"
