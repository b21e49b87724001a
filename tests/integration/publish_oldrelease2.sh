#!/usr/bin/env bash
# publish_oldrelease2.sh - a release made by model version 2 of method =
# release (tests/fixtures/publish/suplog_release2.tar.xz, made by
# make_suplog_release.sh ... 2 with main at 8e92d5f: twelve kommuner, the
# rapport profile) is re-derived by bpagg audit with model 2's repair, while
# a release of the same store made today is logged with "model":24 and
# hides other cells (its repair prices complements in pairs, since model 3);
# quick: today's is not audited (twelve kommuner make model 12's
# whole-release program, which release_attack_release.sh re-derives).
set -euo pipefail

. "$BP_SRCDIR/tests/helpers/fixture_lib.sh"
fixture_rederive suplog_release2 2 24 quick
