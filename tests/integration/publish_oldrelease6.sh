#!/usr/bin/env bash
# publish_oldrelease6.sh - a release made by model version 6 of method =
# release (tests/fixtures/publish/suplog_release6.tar.xz, made by
# make_suplog_release.sh ... 6 with main at f454e50: three kommuner of two
# fylker, the rapport profile) is re-derived by bpagg audit as model 6
# (without the check of each area's joint distribution), while a release of
# the same store made today is logged with "model":24 and hides other cells
# (the check adds a complement), and the model 6 release still verifies
# (quick: today's is not audited here).
set -euo pipefail

. "$BP_SRCDIR/tests/helpers/fixture_lib.sh"
fixture_rederive suplog_release6 6 24 quick
