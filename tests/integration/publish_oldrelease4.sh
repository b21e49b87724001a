#!/usr/bin/env bash
# publish_oldrelease4.sh - a release made by model version 4 of method =
# release (tests/fixtures/publish/suplog_release4.tar.xz, made by
# make_suplog_release.sh ... 4 with main at d2b94c3: the 50 kommuner of
# fylker 11 and 15, the rapport profile) is re-derived by bpagg audit
# without the cleanup, while a release of the same store made today is
# logged with "model":24 and publishes some of its complements again, and
# the model 4 release still verifies (quick: today's is not audited here).
set -euo pipefail

. "$BP_SRCDIR/tests/helpers/fixture_lib.sh"
fixture_rederive suplog_release4 4 24 quick
