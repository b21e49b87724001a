#!/usr/bin/env bash
# publish_oldrelease17.sh - a release made by model version 17 of method =
# release (tests/fixtures/publish/suplog_release17.tar.xz, made by
# make_suplog_release.sh ... 17 with main at 237f099: six kommuner of fylke
# 15 and two of fylke 39, 40 persons each, the rapport profile) is
# re-derived by bpagg audit as model 17, while a release of the same store
# made today is logged with "model":24 and hides other cells (re-derived
# quick: that an old and a new release verify together is
# publish_oldrelease5, 14, 15 and 21's part).  Model 17 printed a sum of
# sums.csv or hid it with its count, and knew no tie between the sum and the
# cells it adds up (bpagg-measures(7): antall_rusmidler is the sum of the
# _tung ja cells): the whole-release attacker (tests/helpers/release_attack,
# which states it) bounds primary cells of its release below min_cell, and
# none of today's, which prints counts with their sums hidden.  Its
# intervals are checked against the truth (the store with every cell
# printed), so a tie stated wrongly fails here.  Under the sanitizers only
# the re-derivation.
set -euo pipefail

. "$BP_SRCDIR/tests/helpers/fixture_lib.sh"
fixture_attack_init
fixture_rederive suplog_release17 17 24 quick
[ -n "${BP_SANITIZED:-}" ] && exit 0

# today's release prints counts whose sums it hides, and logs those sums
hidden=$(awk -F, 'NR > 1 && $7 != ":" && $8 == ":"' "$tmp/rel1/sums.csv" | wc -l)
[ "$hidden" -gt 0 ] || fail "today's release hides no sum beside its printed count"
awk -F, 'NR > 1 && $7 != ":" && ($8 != ":" || $9 != ":") && ($8 == ":" || $9 == ":")' \
	"$tmp/rel1/sums.csv" | grep -q . && fail "a sum printed without its mean, or the reverse"
logged=$(grep -c '"category":"sum"' "$tmp/first/suppression.log" || true)
[ "$logged" = "$hidden" ] || fail "$hidden sums hidden beside their counts, $logged logged"
echo "ok: today's release hides $hidden sums beside their printed counts, each logged"

# (the indexes' definitions left free: this fixture is for model 18's gap;
# release_attack_index.sh and publish_oldrelease21.sh state them, which
# took this test more than twice as long)
fixture_attack_models 17 18 --free-index
