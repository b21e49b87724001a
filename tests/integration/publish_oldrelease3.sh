#!/usr/bin/env bash
# publish_oldrelease3.sh - a release made by model version 3 of method =
# release (tests/fixtures/publish/suplog_release3.tar.xz, made by
# make_suplog_release.sh ... 3 with main at b907bc9: the 50 kommuner of
# fylker 11 and 15, the rapport profile) is re-derived by bpagg audit with
# model 3's repair and one-pass audit, while a release of the same store
# made today is logged with "model":24 and hides other cells (its repair
# prices chains of partners since model 4), and the model 3 release still
# verifies (quick: today's is not audited here).
set -euo pipefail

. "$BP_SRCDIR/tests/helpers/fixture_lib.sh"
fixture_rederive suplog_release3 3 24 quick
