#!/usr/bin/env bash
# publish_oldrelease22.sh - a release made by model version 22 of method =
# release (tests/fixtures/publish/suplog_release22.tar.xz, made by
# make_suplog_release.sh ... 22 with main at fbd6513: the 160 kommuner of
# publish_oldrelease7.sh's fixture, the same samples, the rapport profile)
# is re-derived by bpagg audit as model 22 (each chunk of the large
# component's audit searching its kept LP for a feasible point on its own),
# while a release of the same store made today (model 23 and later: one search a
# round, shared by the chunks) starts from other vertices and hides other
# cells.  Quick, as publish_oldrelease7.sh.
set -euo pipefail

. "$BP_SRCDIR/tests/helpers/fixture_lib.sh"
fixture_rederive suplog_release22 22 24 quick
