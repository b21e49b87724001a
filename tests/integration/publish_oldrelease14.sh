#!/usr/bin/env bash
# publish_oldrelease14.sh - a release made by model version 14 of method =
# release (tests/fixtures/publish/suplog_release14.tar.xz, made by
# make_suplog_release.sh ... 14 with main at 87972b8: kommuner 1101 and
# 1103, 30 persons each, and 1111, 6, a profile with antall_barn's counts
# at nasjonal and kommune level, min_cell 5) is re-derived by bpagg audit
# as model 14, while a release of the same store made today is logged with
# "model":17 and hides other cells, and both verify together. The model 14
# release leaked: 1103 prints antall_barn's count of 30 for its 30 persons
# beside a hidden total, and a count is never more than the persons, so
# the whole-release attacker (tests/helpers/release_attack) bounds primary
# cells of 1111 below min_cell; in today's release it bounds none.
set -euo pipefail

. "$BP_SRCDIR/tests/helpers/fixture_lib.sh"
. "$BP_SRCDIR/tests/helpers/attack_lib.sh"
RA=${BP_BUILDDIR:?}/tests/helpers/release_attack
ATTACK_AWK=$BP_SRCDIR/tests/helpers/attack_check.awk
[ -x "$RA" ] || fail "no $RA"
fixture_rederive suplog_release14 14 17

# The truth: the same store with every cell printed.
fixture_truth sums.profile
# bounded DIR: how many primaries the attacker bounds below min_cell
bounded() {
	"$RA" "$1" >"$1.att" 2>"$1.err" || fail "release_attack on $1: $(cat "$1.err")"
	local res
	res=$(ra_check "$tmp/truth" "$1.att" 5 2>/dev/null)
	[ "$(ra_field "$res" wrong)" = 0 ] || fail "$1: the attacker is wrong: $res"
	ra_field "$res" bounded
}
old=$(ls -d "$inst"/releases/* | head -n 1)
n14=$(bounded "$old")
[ "$n14" -gt 0 ] || fail "the model 14 release no longer shows the leak the fixture is for"
nnow=$(bounded "$tmp/rel1")
[ "$nnow" = 0 ] || fail "today's release: the attacker bounds $nnow primary cells"
echo "ok: the attacker bounds $n14 primaries of the model 14 release, none of today's"
