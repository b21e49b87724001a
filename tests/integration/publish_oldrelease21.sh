#!/usr/bin/env bash
# publish_oldrelease21.sh - a release made by model version 21 of method =
# release (tests/fixtures/publish/suplog_release21.tar.xz, made by
# make_suplog_release.sh ... 21 with main at 22f3fcc: kommuner 1101 and
# 1103 with 35 persons each, bpagg sample seeds 1494 and 1496, the rapport
# profile, min_cell 3) is re-derived by bpagg audit as model 21, while a
# release of the same store made today is logged with "model":24 and hides
# other cells, and both verify together.  Model 21's checks took the
# living-conditions indexes as unrelated to the area scores: the
# whole-release attacker, which states their definitions
# (tests/helpers/release_attack, release_attack_index.c), bounds primary
# cells of its release below min_cell (each kommune's rop_skala rod_rod,
# true 1), and none of today's.  Its intervals are checked against the
# truth.  Under the sanitizers only the re-derivation (fixture_rederive
# quick).
set -euo pipefail

. "$BP_SRCDIR/tests/helpers/fixture_lib.sh"
fixture_attack_init
fixture_rederive suplog_release21 21 24 ${BP_SANITIZED:+quick}
[ -n "${BP_SANITIZED:-}" ] && exit 0

fixture_attack_models 21 22
