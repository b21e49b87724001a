#!/usr/bin/env bash
# publish_oldrelease3.sh - a release made by model version 3 of method =
# release (tests/fixtures/publish/suplog_release3.tar.xz, made by
# make_suplog_release.sh ... 3 with main at b907bc9: the 50 kommuner of
# fylker 11 and 15, the rapport profile) is re-derived by bpagg audit with
# model 3's repair and one-pass audit, while a release of the same store
# made today is logged with "model":4 and hides other cells (its repair
# prices chains of partners), and both verify together.
set -euo pipefail

. "$BP_SRCDIR/tests/helpers/fixture_lib.sh"
fixture_unpack suplog_release3
old=$(ls -d "$inst"/releases/*)
grep -q '"method":"release","model":3,' "$inst/suppression.log" ||
	fail "fixture: not a model 3 release"

out=$(bpagg audit -c "$conf") || fail "model 3's log does not verify: $out"
grep -q 're-derived, suppression matches' <<<"$out" || fail "not re-derived: $out"

bpagg publish -c "$conf" --year 2024 --out "$tmp/rel" >/dev/null
grep '"type":"release"' "$inst/suppression.log" | tail -n 1 | grep -q '"method":"release","model":4,' ||
	fail "today's release is not logged with model 4"
# The same cells in the same order, other ones hidden: had the audit above
# used today's repair, it could not have matched model 2's pattern.
cut -d, -f1-8 "$old/tables.csv" | cmp -s - <(cut -d, -f1-8 "$tmp/rel/tables.csv") ||
	fail "the two releases do not print the same cells"
ndiff=$(diff "$old/tables.csv" "$tmp/rel/tables.csv" | grep -c '^<' || true)
[ "$ndiff" -gt 0 ] || fail "model 4 hides exactly what model 3 hid: the fixture tells them apart no more"
out=$(bpagg audit -c "$conf") || fail "old and new releases do not verify together: $out"
[ "$(grep -c 're-derived, suppression matches' <<<"$out")" -eq 2 ] || fail "two releases: $out"
echo "ok: $ndiff rows differ between models 3 and 4; both re-derived"
