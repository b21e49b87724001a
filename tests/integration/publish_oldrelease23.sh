#!/usr/bin/env bash
# publish_oldrelease23.sh - a release made by model version 23 of method =
# release (tests/fixtures/publish/suplog_release23.tar.xz, made by
# make_suplog_release.sh ... 23 with main at 59a3fc2: kommuner 1101 and
# 1103 with 35 persons each, the samples of variant 21, the rapport
# profile, min_cell 3) is re-derived by bpagg audit as model 23, while a
# release of the same store made today is logged with "model":24 and hides
# other cells, and both verify together.  Model 24's checks tie each
# family's categories to those of the first family before it that holds
# the same persons, not to the persons' classes again: the same programs
# with a third of the elements, whose solves reach other vertices and so
# other certificates.  Under the sanitizers only the re-derivation
# (fixture_rederive quick).
set -euo pipefail

. "$BP_SRCDIR/tests/helpers/fixture_lib.sh"
fixture_rederive suplog_release23 23 24 ${BP_SANITIZED:+quick}
