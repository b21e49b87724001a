#!/usr/bin/env bash
# publish_republish_wide.sh - a republished year that stopped model 12's
# staged solve: tests/fixtures/publish/suplog_republish_wide.tar.xz is an
# installation (kommuner 0301 1101 1103 1106, 40 persons each, min_cell 5,
# the rapport profile, method = release) whose 2024 was published twice by
# model 12, after which 1103 sent a replacement. Republishing it exited 1
# with "out of memory": the group rop's narrow stages were not safe
# together, and its wide stage 2 (the nation as context) stated the nation
# as the sum of one fylke's kommuner, which their counts did not add up to.
# Model 13 states that sum only with every kommune: the year publishes
# (logged with today's model, 13 or later, the rule's difference cells
# among its entries)
# and the audit re-derives it; since republish model 5 it notes the cell
# the earlier releases leave bounded. Found by a hostile reviewer's attack on
# republishing (the installation is theirs, with the inbox, archive and
# outbox emptied).
set -euo pipefail

. "$BP_SRCDIR/tests/helpers/fixture_lib.sh"
fixture_unpack suplog_republish_wide

[ "$(grep -c '"type":"release"' "$inst/suppression.log")" -eq 2 ] || fail "fixture: not two releases"
grep -q '"method":"release","model":12,' "$inst/suppression.log" || fail "fixture: not model 12"
out=$(bpagg publish -c "$conf" --year 2024 --out "$tmp/rel" 2>&1) || fail "republish: $out"
# republish model 5 reads the earlier releases with this one: with their
# figures in the check, fylke 03's heroin svaert_omfattende (1 person) can
# be no more than 3.5, and no pattern of a later release changes that; the
# publish says so and goes on
grep -q '^note: 1 hidden cell stays bounded below min_cell by what earlier releases of 2024 printed' <<<"$out" ||
	fail "republish: no note of the earlier releases' own bound: $out"
grep -Eq '"model":(1[3-9]|[2-9][0-9]),' "$tmp/rel/release.json" || fail "not a model 13 or later release"
grep -q '"reason":"difference"' "$inst/suppression.log" || fail "no difference cell in the republished year"
out=$(bpagg audit -c "$conf") || fail "audit: $out"
[ "$(grep -c 're-derived, suppression matches' <<<"$out")" -eq 1 ] || fail "audit: $out"
echo "ok: republished as model 13 or later and re-derived"
