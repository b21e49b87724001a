#!/usr/bin/env bash
# publish_oldrelease9.sh - a release made by model version 9 of method =
# release (tests/fixtures/publish/suplog_release9.tar.xz, made by
# make_suplog_release.sh ... 9 with main at 10f0b5b: Oslo and eleven
# kommuner of fylke 31, the rapport profile, min_cell 3) is re-derived by
# bpagg audit as model 9 (its whole-release program too large to be made),
# while a release of the same store made today is logged with "model":24
# and hides other cells (its whole-release program, made up to 20 000
# columns now, adds complements: the nation less fylke 31 is Oslo), and
# the model 9 release still verifies (quick: today's is not audited; the
# whole-release check is re-derived in release_attack_release.sh).
set -euo pipefail

. "$BP_SRCDIR/tests/helpers/fixture_lib.sh"
fixture_rederive suplog_release9 9 24 quick
