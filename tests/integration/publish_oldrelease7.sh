#!/usr/bin/env bash
# publish_oldrelease7.sh - a release made by model version 7 of method =
# release (tests/fixtures/publish/suplog_release7.tar.xz, made by
# make_suplog_release.sh ... 7 with main at 3d7ca30: 160 kommuner of six
# fylker, each with its population share of a 32 000-person year, the
# rapport profile) is re-derived by bpagg audit as model 7 (each round's
# LP of a large component from a crash basis), while a release of the same
# store made today (model 24) hides other cells (its LPs start from the
# basis of the round before, whose duals price other complements).  Quick:
# each derivation of this store takes seconds, and verifying two releases
# together is the smaller fixtures' test.
set -euo pipefail

. "$BP_SRCDIR/tests/helpers/fixture_lib.sh"
fixture_rederive suplog_release7 7 24 quick
