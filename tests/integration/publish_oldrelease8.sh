#!/usr/bin/env bash
# publish_oldrelease8.sh - a release made by model version 8 of method =
# release (tests/fixtures/publish/suplog_release8.tar.xz, made by
# make_suplog_release.sh ... 8 with main at aa082c5: kommuner 0301, 1101,
# 1103 and 1106, the rapport profile, min_cell 3) is re-derived by bpagg
# audit as model 8 (without the whole-release check), while a release of
# the same store made today is logged with "model":24 and hides other cells
# (the whole-release check adds complements: the nation less fylke 11 is
# Oslo, and the attacker bounded three of model 8's primary cells through
# that), and the model 8 release still verifies (quick: today's is not
# audited here; release_attack_release.sh and progress_cli.sh audit
# releases of today's whole-release check).
set -euo pipefail

. "$BP_SRCDIR/tests/helpers/fixture_lib.sh"
fixture_rederive suplog_release8 8 24 quick
