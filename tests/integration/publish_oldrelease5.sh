#!/usr/bin/env bash
# publish_oldrelease5.sh - a release made by model version 5 of method =
# release (tests/fixtures/publish/suplog_release5.tar.xz, made by
# make_suplog_release.sh ... 5 with main at 099a189: six kommuner of
# fylke 11, the rapport profile, size classes without persons) is
# re-derived by bpagg audit as model 5 (the zeros by kommunestorrelse rule
# out atoms), while a release of the same store made today is logged with
# "model":24 and hides other cells, and both verify together.  Under the
# sanitizers quick (the re-derivation alone; publish_oldrelease14.sh and
# 15.sh republish over an old release there).
set -euo pipefail

. "$BP_SRCDIR/tests/helpers/fixture_lib.sh"
fixture_rederive suplog_release5 5 24 ${BP_SANITIZED:+quick}
