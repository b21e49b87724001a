#!/usr/bin/env bash
# publish_oldrelease11.sh - a release made by model version 11 of method =
# release (tests/fixtures/publish/suplog_release11.tar.xz, made by
# make_suplog_release.sh ... 11 with main at e2eaa51: two kommuner of
# fylke 11 beside fifteen of fylke 18, 20 persons each, the rapport
# profile, min_cell 3) is re-derived by bpagg audit as model 11 (checked
# by fylke, fylke 18 one column), while a release of the same store made
# today is logged with "model":24 and hides other cells (checked by fylke
# and size class: the national rop__kommunestorrelse cells of some size
# classes hold fylke 18's kommuner only), and the model 11 release still
# verifies (quick: today's is not audited).
set -euo pipefail

. "$BP_SRCDIR/tests/helpers/fixture_lib.sh"
fixture_rederive suplog_release11 11 24 quick
