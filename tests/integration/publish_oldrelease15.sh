#!/usr/bin/env bash
# publish_oldrelease15.sh - a release made by model version 15 of method =
# release (tests/fixtures/publish/suplog_release15.tar.xz, made by
# make_suplog_release.sh ... 15 with main at deeee54: the 23 kommuner of
# fylke 11, 40 persons each, the national tables of rapport, min_cell 5)
# is re-derived by bpagg audit as model 15, while a release of the same
# store made today is logged with "model":24 and hides other cells, and
# both verify together. Model 15 hid the gul row of
# levekarsindeks8__rop_skala and __brukergruppe (228, 134, 123 and 134
# persons) where the rod row (105, 63, 83, 63) protects as well: model
# 16's exchange of national complements (kept by model 21) hides no more
# cells and fewer persons, and the whole-release attacker
# (tests/helpers/release_attack, LP) bounds none of its primary cells.
set -euo pipefail

. "$BP_SRCDIR/tests/helpers/fixture_lib.sh"
fixture_attack_init
fixture_rederive suplog_release15 15 24

# The truth: the same store with every cell printed.
fixture_truth nasjonal.profile
# loss DIR: "hidden cells, persons in them" of DIR's tables.csv
loss() {
	awk -F, 'FNR == 1 { f++; next }
		f == 1 { t[$1 "," $2 "," $3 "," $4 "," $6 "," $8] = $9; next }
		$9 == ":" { n++; s += t[$1 "," $2 "," $3 "," $4 "," $6 "," $8] }
		END { print n + 0, s + 0 }' "$tmp/truth/tables.csv" "$1/tables.csv"
}
old=$(ls -d "$inst"/releases/* | head -n 1)
read -r n15 p15 <<<"$(loss "$old")"
read -r nnow pnow <<<"$(loss "$tmp/rel1")"
[ "$nnow" -le "$n15" ] || fail "today's model hides $nnow cells, model 15 $n15"
[ "$pnow" -lt "$p15" ] || fail "today's model hides $pnow persons, model 15 $p15: no cheaper pattern"
# the rows the fixture is for
grep -q '^2024,nasjonal,NO,levekarsindeks8__rop_skala,levekarsindeks8,gul,rop_skala,ikke_rop,:' \
	"$old/tables.csv" || fail "fixture: model 15 no longer hides the gul row"
grep -q '^2024,nasjonal,NO,levekarsindeks8__rop_skala,levekarsindeks8,gul,rop_skala,ikke_rop,228,' \
	"$tmp/rel1/tables.csv" || fail "today's model still hides gul x ikke_rop (228)"
fixture_attack "$tmp/rel1"
[ "$(ra_field "$res" bounded)" = 0 ] || fail "today's release: the attacker bounds: $res"
echo "ok: model 15 hid $n15 cells ($p15 persons), today's model $nnow ($pnow); attacker: $res"
