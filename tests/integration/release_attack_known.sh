#!/usr/bin/env bash
# release_attack_known.sh - known answers of the whole-release attacker
# (tests/helpers/release_attack, issue 14), checked against the truth of the
# same store (published with min_cell = 1):
#  1. per_group leaks through a combination of indicator groups: on three
#     kommuner with a profile of alder4, alder7 by rop and brukergruppe,
#     some primary cell is bounded below min_cell by the attacker over the
#     whole release but not by the same attacker over its own group's
#     tables alone (the attacker finds what per-group proofs miss). The
#     attacker is never wrong: every true value lies in its interval, LP
#     or integer (--mip), and the integer interval lies in the LP one.
#     (That method = release protects this fixture is
#     release_attack_release.sh.)
#  2. a singleton and a zero in one line (bolig: 19 gronn, 1 gul, 0 rod in
#     a kommune), per_group: every hidden cell's lower bound is at least 1
#     when zeros are never hidden (the rule itself says so); with
#     suppress_zero = yes the zero is hidden and its lower bound is 0.
#     (That method = release keeps the singleton above min_cell is
#     release_attack_release.sh.)
#  3. cells equal across tables are one unknown: with shared_cells =
#     per_table a quantity hidden in one table and printed in another is
#     reported pinned at its printed value; with consistent none is.
#  4. storforbruker ja is the persons with some <substance>_tung ja
#     (bpagg-measures(7)): in a national release of the seven _tung tables
#     and storforbruker, with storforbruker's ja and nei taken out by hand,
#     its ja is at least the largest printed _tung ja (without the
#     definition only the rule's 1).
set -euo pipefail

. "${BP_SRCDIR:?}/tests/helpers/attack_lib.sh"
ra_test_init bp-attk

# attack DIR NAME: the attacker over DIR/NAME, checked against DIR/truth;
# sets $res. Fails when the attacker errs or any interval is wrong.
attack() {
	"$RA" --screen "$1/$2" >"$1/$2.att" 2>"$1/$2.err" || fail "release_attack on $2: $(cat "$1/$2.err")"
	res=$(ra_check "$1/truth" "$1/$2.att" 5 2>>"$1/$2.err")
	[ "$(ra_field "$res" wrong)" = 0 ] || fail "$2: the attacker's interval misses the truth: $res $(grep WRONG "$1/$2.err")"
	[ "$(ra_field "$res" missing)" = 0 ] || fail "$2: hidden cells not in the truth: $res"
}

# ---- 1. per_group leaks across groups
d=$tmp/groups
ra_fixture_groups "$d"
ra_publish "$d" pg per_group
attack "$d" pg
[ "$(ra_field "$res" primaries)" -gt 0 ] || fail "the fixture has no primary cell: $res"
grep BOUNDED "$d/pg.err" >/dev/null || fail "per_group: the attacker bounds no primary: $res"
# each bounded primary, attacked with its own group's tables only
cross=0
awk -F, 'NR > 1' "$d/pg.att" >"$d/pg.rows"
while IFS=, read -r lvl area table cat val lo hi; do
	true_v=$(awk -F, -v l="$lvl" -v a="$area" -v t="$table" -v c="$cat" -v b="$val" \
		'$2 == l && $3 == a && $4 == t && $6 == c && $8 == b { print $9 }' "$d/truth/tables.csv")
	[ -n "$true_v" ] && [ "$true_v" -ge 1 ] && [ "$true_v" -lt 5 ] && [ "$hi" != inf ] && [ "$hi" -lt 5 ] || continue
	g=${table%%__*}
	o=$d/only-$g
	if [ ! -d "$o" ]; then
		mkdir "$o"
		cp "$d/pg/release.json" "$d/pg/coverage.csv" "$o/"
		head -1 "$d/pg/sums.csv" >"$o/sums.csv"
		awk -F, -v g="$g" 'NR == 1 || $5 == g' "$d/pg/tables.csv" >"$o/tables.csv"
		"$RA" --screen "$o" >"$o.att" 2>/dev/null || fail "release_attack on the $g group alone"
	fi
	alone=$(awk -F, -v l="$lvl" -v a="$area" -v t="$table" -v c="$cat" -v b="$val" \
		'$1 == l && $2 == a && $3 == t && $4 == c && $5 == b { print $7 }' "$o.att")
	[ -n "$alone" ] || fail "$lvl $area $table $cat,$val not attacked in its group alone"
	if [ "$alone" = inf ] || [ "$alone" -ge 5 ]; then
		cross=$((cross + 1))
		echo "per_group leak across groups: $lvl $area $table $cat,$val <= $hi (true $true_v; its group alone allows $alone)"
	fi
done <"$d/pg.rows"
[ "$cross" -gt 0 ] || fail "per_group: no primary bounded only by a combination of groups"
# the integer attacker (GLPK's MIP) on the same release: never wrong, and
# each integer interval inside the LP one
"$RA" "$d/pg" >"$d/lp.att" 2>/dev/null || fail "release_attack (LP)"
"$RA" --mip "$d/pg" >"$d/mip.att" 2>"$d/mip.err" || fail "release_attack --mip: $(cat "$d/mip.err")"
res=$(ra_check "$d/truth" "$d/mip.att" 5 2>/dev/null)
[ "$(ra_field "$res" wrong)" = 0 ] || fail "MIP: an interval misses the truth: $res"
paste -d, "$d/lp.att" "$d/mip.att" | awk -F, 'NR > 1 && ($1 != $8 || $13 < $6 || ($7 != "inf" && $14 > $7)) { bad = 1 }
	END { exit bad }' || fail "MIP intervals outside the LP intervals"

# ---- 2. a singleton and a zero in one line
d=$tmp/single
ra_fixture_single "$d"
line=$(awk -F, '$2 == "kommune" && $3 == "1101" && $4 == "bolig__total" { printf "%s=%s ", $6, $9 }' "$d/truth/tables.csv")
[ "$line" = "gronn=19 gul=1 rod=0 i_alt=20 " ] || fail "fixture line: $line"
ra_publish "$d" pg per_group
"$RA" "$d/pg" >"$d/pg.att" 2>"$d/pg.err" || fail "release_attack: $(cat "$d/pg.err")"
res=$(ra_check "$d/truth" "$d/pg.att" 5 2>>"$d/pg.err")
[ "$(ra_field "$res" wrong)" = 0 ] || fail "singleton: wrong interval: $(grep WRONG "$d/pg.err")"
grep -q '^kommune,1101,bolig__total,gul,alle,' "$d/pg.att" || fail "the singleton is published"
awk -F, 'NR > 1 && $6 < 1 { exit 1 }' "$d/pg.att" ||
	fail "a hidden cell with lower bound 0 although zeros are never hidden"
# per_group today: the national gronn minus 1103's gronn gives 1101's, and
# the published zero leaves the singleton exactly 1
grep -q '^kommune,1101,bolig__total,gul,alle,1,1$' "$d/pg.att" ||
	echo "note: per_group no longer pins the singleton: $(grep '^kommune,1101,bolig__total,gul' "$d/pg.att")"
ra_publish "$d" sz per_group suppress_zero yes
"$RA" "$d/sz" >"$d/sz.att" 2>"$d/sz.err" || fail "release_attack with suppress_zero: $(cat "$d/sz.err")"
grep -q '^kommune,1101,bolig__total,rod,alle,0,' "$d/sz.att" ||
	fail "suppress_zero = yes: the hidden zero's lower bound is not 0: $(grep '^kommune,1101,bolig__total,rod' "$d/sz.att")"

# ---- 3. one quantity printed in two tables
d=$tmp/twins
mkdir -p "$d"
ra_install "$d" 2024 "1101 1103" 30 5
printf 'nasjonal kjonn__rop rop__kjonn kjonn__alder4 alder4__kjonn rop__alder4 alder4__rop\n' >"$d/inst/twins.profile"
ra_set "$d/inst/bpagg.conf" profile twins.profile
ra_truth "$d" 2024 "$d/inst/twins.profile"
for sc in per_table consistent; do
	ra_publish "$d" $sc per_group shared_cells $sc
	attack "$d" $sc
done
n=$(grep -o '[0-9]* also published elsewhere' "$d/per_table.err" | cut -d' ' -f1)
[ "${n:-0}" -gt 0 ] || fail "per_table: no quantity both hidden and printed: $(cat "$d/per_table.err")"
# each such cell is reported pinned at the value the other table prints
awk -F, 'NR > 1 && $6 != "" && $6 == $7' "$d/per_table.att" | grep -q . ||
	fail "per_table: the twins are not pinned"
grep -q '(0 also published elsewhere)' "$d/consistent.err" ||
	fail "consistent: a quantity both hidden and printed: $(cat "$d/consistent.err")"

# ---- 4. storforbruker's definition
d=$tmp/heavy
mkdir -p "$d"
ra_install "$d" 2024 "1101 1103" 30 7
printf 'nasjonal storforbruker__total' >"$d/inst/heavy.profile"
for s in alkohol cannabis heroin sentralstimulerende lar_legemidler andre_legemidler annet_rusmiddel; do
	printf ' %s_tung__total' $s >>"$d/inst/heavy.profile"
done
echo >>"$d/inst/heavy.profile"
ra_set "$d/inst/bpagg.conf" profile heavy.profile
ra_truth "$d" 2024 "$d/inst/heavy.profile"
cp -r "$d/truth" "$d/hid"
awk -F, -v OFS=, '$4 == "storforbruker__total" && ($6 == "ja" || $6 == "nei") { $9 = $10 = $11 = $12 = ":" } 1' \
	"$d/truth/tables.csv" >"$d/hid/tables.csv"
[ "$(grep -c ',storforbruker__total,.*,:,:,:,:$' "$d/hid/tables.csv")" = 2 ] || fail "heavy: cells not taken out"
most=$(awk -F, '$4 ~ /_tung__total$/ && $6 == "ja" && $9 > m { m = $9 } END { print m + 0 }' "$d/truth/tables.csv")
[ "$most" -gt 1 ] || fail "heavy: no _tung ja above 1 in the fixture"
# (not --screen: the release says min_cell 1, at which screening reports
# the first solution's value as hi)
"$RA" "$d/hid" >"$d/hid.att" 2>"$d/hid.err" || fail "release_attack on hid: $(cat "$d/hid.err")"
res=$(ra_check "$d/truth" "$d/hid.att" 5 2>>"$d/hid.err")
[ "$(ra_field "$res" wrong)" = 0 ] || fail "heavy: the attacker's interval misses the truth: $(grep WRONG "$d/hid.err")"
lo=$(awk -F, '$1 == "nasjonal" && $3 == "storforbruker__total" && $4 == "ja" { print $6 }' "$d/hid.att")
[ -n "$lo" ] && [ "$lo" -ge "$most" ] ||
	fail "heavy: storforbruker ja's lower bound ${lo:-none}, below the largest _tung ja ($most)"
echo "ok: $cross cross-group leaks under per_group; singleton and zero; $n twins under per_table;" \
	"storforbruker ja at least $most"
