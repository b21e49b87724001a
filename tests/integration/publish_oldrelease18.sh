#!/usr/bin/env bash
# publish_oldrelease18.sh - a release made by model version 18 of method =
# release (tests/fixtures/publish/suplog_release18.tar.xz, made by
# make_suplog_release.sh ... 18 with main at 4f34010: the samples of
# bench/attack_sweep.sh's seed 124, five kommuner of fylke 46 with 35
# persons each, the rapport profile, min_cell 3) is re-derived by bpagg
# audit as model 18, while a release of the same store made today is logged
# with "model":24 and hides other cells (re-derived quick: that an old and a
# new release verify together is publish_oldrelease5, 14, 15 and 21's part).
# Model 18's checks of each area and of the whole release knew no tie
# between a substance and its _tung (the repair's model did, since model
# 17): the whole-release attacker (tests/helpers/release_attack, which
# states it) bounds primary cells of its release below min_cell through
# chains that run across both, and none of today's.  Its intervals are
# checked against the truth.  Under the sanitizers only the re-derivation.
set -euo pipefail

. "$BP_SRCDIR/tests/helpers/fixture_lib.sh"
fixture_attack_init
fixture_rederive suplog_release18 18 24 quick
[ -n "${BP_SANITIZED:-}" ] && exit 0

# (the indexes' definitions left free: this fixture is for model 19's gap;
# release_attack_index.sh and publish_oldrelease21.sh state them)
fixture_attack_models 18 19 --free-index
