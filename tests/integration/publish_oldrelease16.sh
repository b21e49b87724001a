#!/usr/bin/env bash
# publish_oldrelease16.sh - a release made by model version 16 of method =
# release (tests/fixtures/publish/suplog_release16.tar.xz, made by
# make_suplog_release.sh ... 16 with main at e1776fc: six kommuner of
# fylker 46 and 55, 40 persons each, the rapport profile) is re-derived by
# bpagg audit as model 16, while a release of the same store made today is
# logged with "model":17 and hides other cells, and both verify together.
# Model 16 knew no tie between a substance and its _tung (bpagg-
# measures(7): ja is betydelig + svaert_omfattende): the whole-release
# attacker (tests/helpers/release_attack, which states it) bounds primary
# cells of its release below min_cell (5 of them), and none of today's.  Its intervals are checked against the truth (the
# store with every cell printed), so a tie stated wrongly fails here.
# Under the sanitizers only the re-derivation (fixture_rederive quick).
set -euo pipefail

. "$BP_SRCDIR/tests/helpers/fixture_lib.sh"
. "$BP_SRCDIR/tests/helpers/attack_lib.sh"
RA=${BP_BUILDDIR:?}/tests/helpers/release_attack
ATTACK_AWK=$BP_SRCDIR/tests/helpers/attack_check.awk
[ -x "$RA" ] || fail "no $RA"
fixture_rederive suplog_release16 16 17 ${BP_SANITIZED:+quick}
[ -n "${BP_SANITIZED:-}" ] && exit 0

fixture_truth
old=$(ls -d "$inst"/releases/* | head -n 1)
# attack DIR: the attacker's check of DIR against the truth
attack() {
	"$RA" --screen "$1" >"$tmp/att" 2>"$tmp/att.err" || fail "release_attack: $(cat "$tmp/att.err")"
	res=$(ra_check "$tmp/truth" "$tmp/att" 5 2>/dev/null)
	[ "$(ra_field "$res" wrong)" = 0 ] || fail "the attacker's interval misses the truth: $res"
	[ "$(ra_field "$res" primaries)" -gt 0 ] || fail "no primary cells attacked: $res"
}
attack "$old"
[ "$(ra_field "$res" bounded)" -gt 0 ] ||
	fail "model 16's release: the attacker bounds nothing (the fixture shows no more what model 17 is for): $res"
echo "ok: model 16's release: $res"
attack "$tmp/rel1"
[ "$(ra_field "$res" bounded)" = 0 ] || fail "today's release: the attacker bounds: $res"
echo "ok: today's release: $res"
