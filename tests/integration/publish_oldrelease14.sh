#!/usr/bin/env bash
# publish_oldrelease14.sh - a release made by model version 14 of method =
# release (tests/fixtures/publish/suplog_release14.tar.xz, made by
# make_suplog_release.sh ... 14 with main at 87972b8: kommuner 1101 and
# 1103, 30 persons each, and 1111, 6, a profile with antall_barn's counts
# at nasjonal and kommune level, min_cell 5) is re-derived by bpagg audit
# as model 14, while a release of the same store made today is logged with
# "model":24 and hides other cells, and both verify together. The model 14
# release leaked: 1103 prints antall_barn's count of 30 for its 30 persons
# beside a hidden total, and a count is never more than the persons, so
# the whole-release attacker (tests/helpers/release_attack) bounds primary
# cells of 1111 below min_cell; in today's release it bounds none.
set -euo pipefail

. "$BP_SRCDIR/tests/helpers/fixture_lib.sh"
fixture_attack_init
fixture_rederive suplog_release14 14 24

# The truth: the same store with every cell printed.
fixture_truth sums.profile
old=$(ls -d "$inst"/releases/* | head -n 1)
fixture_attack "$old"
n14=$(ra_field "$res" bounded)
[ "$n14" -gt 0 ] || fail "the model 14 release no longer shows the leak the fixture is for"
fixture_attack "$tmp/rel1"
nnow=$(ra_field "$res" bounded)
[ "$nnow" = 0 ] || fail "today's release: the attacker bounds $nnow primary cells"
echo "ok: the attacker bounds $n14 primaries of the model 14 release, none of today's"
