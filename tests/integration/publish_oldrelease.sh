#!/usr/bin/env bash
# publish_oldrelease.sh - a release made by the first form of method =
# release (logged without settings.model; tests/fixtures/publish/
# suplog_release1.tar.xz, made by make_suplog_release.sh ... 1 with main at
# eb74ba0) is re-derived by bpagg audit with that model, while a release
# of the same store made today is logged with "model":24, hides more of
# these tables (the relations between rop and rop_skala, alder4 and
# alder7, since model 2, close what the first model left open), and
# re-derives too.
set -euo pipefail

. "$BP_SRCDIR/tests/helpers/fixture_lib.sh"
fixture_unpack suplog_release1
old=$(ls -d "$inst"/releases/*)
grep -q '"method":"release"' "$inst/suppression.log" || fail "fixture: not a release-method log"
if grep -q '"model":' "$inst/suppression.log"; then fail "fixture: logged with a model version"; fi

out=$(bpagg audit -c "$conf") || fail "the first release model's log does not verify: $out"
grep -q 're-derived, suppression matches' <<<"$out" || fail "not re-derived: $out"

bpagg publish -c "$conf" --year 2024 --out "$tmp/rel" >/dev/null
grep '"type":"release"' "$inst/suppression.log" | tail -n 1 | grep -q '"method":"release","model":24,' ||
	fail "today's release is not logged with model 24"
hidden() {
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "count") c = i; next }
		$c == ":" { n++ } END { print c ? n + 0 : -1 }' "$1/tables.csv"
}
h1=$(hidden "$old") h2=$(hidden "$tmp/rel")
[ "$h1" -ge 0 ] || fail "tables.csv has no count column"
[ "$h2" -gt "$h1" ] || fail "model 24 hides $h2 cells, the first model $h1: expected more"
out=$(bpagg audit -c "$conf") || fail "old and new releases do not verify together: $out"
[ "$(grep -c 're-derived, suppression matches' <<<"$out")" -eq 2 ] || fail "two releases: $out"
echo "ok: first model hid $h1 cells, model 24 hides $h2; both re-derived"
