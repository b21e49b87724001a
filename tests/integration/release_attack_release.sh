#!/usr/bin/env bash
# release_attack_release.sh - [publish] method = release against the
# whole-release attacker (tests/helpers/release_attack, issue 14):
#  1. the fixtures of release_attack_known.sh where per_group leaks (a
#     combination of the alder4, alder7, rop and brukergruppe groups; a
#     singleton and a zero in one line): no primary cell is bounded below
#     min_cell (nor pinned);
#  2. size classes without persons: six kommuner of fylke 11, the rapport
#     profile (its national rop__kommunestorrelse prints zeros for the
#     classes none of them is in); model 5 read those zeros as "nobody at
#     all", lost every relation between indicators in the nation's and
#     fylke's families, and left 24 primary cells bounded (found by a sweep
#     of this attacker over small releases); model 6 none;
#  3. an indicator printed by two breakdowns and not by total: four
#     kommuner of fylke 11, rusmiddelbruk by rop and by brukergruppe only;
#     both breakdowns split the same persons, so a category's count summed
#     over rop is the count summed over brukergruppe (models 1 to 5 knew it
#     only through the total's row, and the attacker pinned a cell of 1);
#  4. the same quantity printed by the nation and by its fylker in other
#     tables: rop_skala by total at fylke level only, alkohol_tung by
#     rop_skala at national level only (its i_alt of rod_gul is everyone
#     rod_gul); the nation is the sum of the fylker, so the two fylker's
#     rod_gul add up to it (before model 6 only a table printed at both
#     levels was linked, and the attacker pinned two cells of 1);
#  5. the joint distribution behind one area's tables: six kommuner of five
#     fylker, 70 persons each, the rapport profile, the national level
#     alone; tables by different breakdowns of several indicators together
#     bound primary cells that no two of them bound (model 6 left 2; model
#     7 checks each area over the classes of persons its tables print);
#  6. the whole release at once: Oslo (a fylke of one kommune) beside three
#     kommuner of fylke 11, 35 persons each, the rapport profile, min_cell
#     3; the nation less fylke 11 is Oslo, and national, fylke and kommune
#     tables of other breakdowns together bound 31 primary cells of model
#     8's release that no area alone bounds (a sweep of this attacker over
#     small releases found it); model 9 checks the whole release over the
#     kommuner's classes of persons and hides complements for them;
#  7. a release above model 9's limit: Oslo beside eleven kommuner of
#     fylke 31, 70 persons each, the rapport profile, min_cell 3; too large
#     for model 9's whole program (12 000 columns), whose release the
#     attacker bounds a cell of (the nation less fylke 31 is Oslo again);
#     model 10 makes the program up to 20 000 columns and hides
#     complements for it;
#  8. a release above model 10's limit for a program by kommune: fifteen
#     kommuner of fylke 11 beside three of fylke 39, 8 persons each, the
#     rapport profile, min_cell 5 (22 410 columns); model 10 checks it by
#     fylke (fylke 11 one column, fylke 39 split into its kommuner), model
#     12 by fylke and size class, and both hide a complement for it; model
#     9, which checks nothing at that size, left 17 primary cells of fylke
#     39 bounded (a sweep of this attacker over releases of 17 to 20
#     kommuner found it).  The attacker looks at the hidden cells of fylke
#     39 and its kommuner only (--cells; the whole release takes minutes),
#     and not in the sanitizer build, where that alone takes minutes (the
#     publish still runs there);
#  9. size classes within one fylke (model 12): the two kommuner of fylke
#     11 beside fifteen of fylke 18, 20 persons each, rapport, min_cell 3;
#     the national rop__kommunestorrelse cells of u2500 and 5000_9999 hold
#     fylke 18's kommuner only, so they give rop sums over parts of fylke
#     18, which the check by fylke (one column for fylke 18) did not know:
#     models 10 and 11 left 7 primary cells bounded (the sweep above found
#     it); model 12 checks it by fylke and size class and hides complements
#     for kommuner of fylke 18, and bpagg audit re-derives it (as it does
#     case 6's).  (Model 11's case, the same kommuner with seed 59 and
#     min_cell 5, needs no complement for a kommune sum under model 12,
#     and the attacker bounds none of its cells.)  The attacker looks at
#     the whole release, not in the sanitizer build;
# 10. a property over random small releases: bpagg sample with several
#     seeds, two or three kommuner in one or two fylker, all three levels,
#     a mixed profile of our own (and rapport for seed 2): the attacker finds
#     no primary cell bounded below min_cell, and its intervals always hold
#     the true value (the same store published with min_cell = 1).
# The method is set explicitly (it is the default, but the test is about it).
# RA_SEEDS overrides the seeds (default "1 2 3").
set -euo pipefail

. "${BP_SRCDIR:?}/tests/helpers/attack_lib.sh"
ra_test_init bp-attk-rel

failures=0
# attack DIR NAME WHAT [MIN_CELL [CELLS]]: the attacker over DIR/NAME (the
# hidden cells listed in the file CELLS, else all) against DIR/truth; a
# wrong interval fails at once (the attacker's model would be false); a
# bounded primary is counted and reported, and fails at the end.
attack() {
	"$RA" --screen ${5:+--cells "$5"} "$1/$2" >"$1/$2.att" 2>"$1/$2.err" ||
		fail "$3: release_attack: $(cat "$1/$2.err")"
	local res
	res=$(ra_check "$1/truth" "$1/$2.att" "${4:-5}" 2>>"$1/$2.err")
	[ "$(ra_field "$res" wrong)" = 0 ] || fail "$3: the attacker's interval misses the truth: $(grep WRONG "$1/$2.err")"
	[ "$(ra_field "$res" missing)" = 0 ] || fail "$3: hidden cells not in the truth: $res"
	echo "$3: $(grep -o '"hidden":{[^}]*}' "$1/$2/release.json") $res"
	if [ "$(ra_field "$res" bounded)" != 0 ]; then
		grep BOUNDED "$1/$2.err" | sed "s|^|  $3: |" >&2
		failures=$((failures + 1))
	fi
}

d=$tmp/groups
ra_fixture_groups "$d"
ra_publish "$d" rel release || fail "bpagg publish with method = release failed (see above)"
attack "$d" rel "groups"

d=$tmp/single
ra_fixture_single "$d"
ra_publish "$d" rel release || fail "bpagg publish with method = release failed (see above)"
attack "$d" rel "singleton and zero"
grep -q '^kommune,1101,bolig__total,gronn,' "$d/rel.att" ||
	echo "note: the singleton's line publishes its large cell"

d=$tmp/sizes
mkdir -p "$d"
ra_install "$d" 2024 "1101 1103 1106 1108 1111 1112" 35 106
ra_truth "$d" 2024 rapport
ra_publish "$d" rel release || fail "bpagg publish with method = release failed (see above)"
grep -q '"model":15' "$d/rel/release.json" || fail "sizes: not a model 15 release"
grep -q '^2024,nasjonal,NO,rop__kommunestorrelse,rop,i_alt,kommunestorrelse,u2500,0,' "$d/rel/tables.csv" ||
	fail "sizes: no size class without persons (the case is gone)"
attack "$d" rel "size classes without persons"

d=$tmp/wholes
mkdir -p "$d"
cat >"$tmp/wholes.profile" <<'P'
nasjonal  rusmiddelbruk__rop rusmiddelbruk__brukergruppe
P
ra_install "$d" 2024 "1101 1103 1106 1108" 70 110
ra_set "$d/inst/bpagg.conf" profile "$tmp/wholes.profile"
ra_truth "$d" 2024 "$tmp/wholes.profile"
ra_publish "$d" rel release || fail "bpagg publish with method = release failed (see above)"
awk -F, '$2 == "nasjonal" && $4 == "rusmiddelbruk__brukergruppe" && $9 + 0 >= 1 && $9 + 0 < 5' \
	"$d/truth/tables.csv" | grep -q . || fail "wholes: no primary cell (the case is gone)"
attack "$d" rel "two breakdowns without the total"

d=$tmp/links
mkdir -p "$d"
cat >"$tmp/links.profile" <<'P'
fylke     rop_skala__total
nasjonal  alkohol_tung__rop_skala
P
ra_install "$d" 2024 "0301 1101 1103 1106" 35 100
ra_set "$d/inst/bpagg.conf" profile "$tmp/links.profile"
ra_set "$d/inst/bpagg.conf" min_cell 3
ra_truth "$d" 2024 "$tmp/links.profile"
ra_publish "$d" rel release || fail "bpagg publish with method = release failed (see above)"
awk -F, '$2 == "fylke" && $9 + 0 >= 1 && $9 + 0 < 3' "$d/truth/tables.csv" | grep -q . ||
	fail "links: no primary cell (the case is gone)"
attack "$d" rel "the same quantity in other tables at two levels" 3

d=$tmp/joint
mkdir -p "$d"
ra_install "$d" 2024 "0301 3101 3103 4601 4602 5001" 70 137
ra_set "$d/inst/bpagg.conf" min_cell 5
ra_copy "$d" inst-truth
ra_set "$d/inst-truth/bpagg.conf" min_cell 1
bpagg publish -c "$d/inst-truth/bpagg.conf" --year 2024 --out "$d/truth" --level nasjonal >/dev/null
ra_copy "$d" inst-rel
ra_set "$d/inst-rel/bpagg.conf" method release
BPAGG_DEBUG_SUPPRESS=1 bpagg publish -c "$d/inst-rel/bpagg.conf" --year 2024 --out "$d/rel" \
	--level nasjonal >/dev/null 2>"$d/rel.debug" ||
	fail "bpagg publish with method = release failed: $(tail -n 3 "$d/rel.debug")"
grep -q '"model":15' "$d/rel/release.json" || fail "joint: not a model 15 release"
# since model 8: once the check has hidden a cell, the model is not repaired
# again from scratch (no further bp_suppress run)
grep -Eq '^  joint check: .* [1-9][0-9]* complements$' "$d/rel.debug" ||
	fail "joint: the check hid no cell (the case is gone)"
awk '/^  joint check: .* [1-9][0-9]* complements$/ { j = 1 } j && /^  bp_suppress:/ { r = 1 }
	END { exit r }' "$d/rel.debug" || fail "joint: the model was repaired again after the check"
attack "$d" rel "the joint distribution of one area"

# whole_case NAME KOMMUNER ROWS SEED [MIN_CELL]: DIR=$tmp/NAME, min_cell 3
# unless given, rapport, published with method = release and its debug
# output in DIR/rel.debug.
whole_case() {
	d=$tmp/$1
	mkdir -p "$d"
	ra_install "$d" 2024 "$2" "$3" "$4"
	ra_set "$d/inst/bpagg.conf" min_cell "${5:-3}"
	ra_truth "$d" 2024 rapport
	ra_copy "$d" inst-rel
	ra_set "$d/inst-rel/bpagg.conf" method release
	BPAGG_DEBUG_SUPPRESS=1 bpagg publish -c "$d/inst-rel/bpagg.conf" --year 2024 \
		--out "$d/rel" >/dev/null 2>"$d/rel.debug" ||
		fail "bpagg publish with method = release failed: $(tail -n 3 "$d/rel.debug")"
}

whole_case whole "0301 1101 1103 1106" 35 100
grep -Eq '^  whole-release check: .* [1-9][0-9]* complements$' "$d/rel.debug" ||
	fail "whole: the whole-release check hid no cell (the case is gone)"
out=$(bpagg audit -c "$d/inst-rel/bpagg.conf") || fail "whole: the release does not verify: $out"
grep -q 're-derived, suppression matches' <<<"$out" || fail "whole: not re-derived: $out"
attack "$d" rel "the whole release" 3

whole_case twelve "0301 3101 3103 3105 3107 3110 3112 3114 3116 3118 3120 3122" 70 401
grep -q '^  whole-release check: 12 kommuner, 14940 columns$' "$d/rel.debug" ||
	fail "12 kommuner: the whole-release program was not made"
grep -Eq '^  whole-release check: .* [1-9][0-9]* complements$' "$d/rel.debug" ||
	fail "12 kommuner: the whole-release check hid no cell (the case is gone)"
attack "$d" rel "the whole release of 12 kommuner" 3

# attack_plain WHAT MIN_CELL [FYLKE]: the attacker over $d/rel (only the
# hidden cells of fylke FYLKE and its kommuner, when given); not in the
# sanitizer build, where it takes minutes (the publish still runs there).
attack_plain() {
	if [[ $(ldd "$RA" 2>/dev/null || true) == *libasan* ]]; then
		echo "$1: the attacker is not run in the sanitizer build"
		return
	fi
	if [ -z "${3:-}" ]; then
		attack "$d" rel "$1" "$2"
		return
	fi
	awk -F, -v f="$3" '$9 == ":" && (($2 == "fylke" && $3 == f) ||
		($2 == "kommune" && substr($3, 1, 2) == f)) { print $2 "," $3 "," $4 "," $6 "," $8 }' \
		"$d/rel/tables.csv" >"$d/cells"
	attack "$d" rel "$1" "$2" "$d/cells"
}

whole_case byfylke "1101 1103 1106 1108 1111 1112 1114 1119 1120 1121 1122 1124 1127 1130 1133
	3901 3903 3905" 8 4 5
grep -q '^  whole-release check: 18 kommuner, 22410 columns: too large, not made$' "$d/rel.debug" ||
	fail "18 kommuner: not too large for a program by kommune (the case is gone)"
grep -q '^  whole-release check by fylke and size class: 8 of 18 kommuner in groups, ' \
	"$d/rel.debug" || fail "18 kommuner: the program by fylke and size class was not made"
grep -Eq '^  whole-release check: .* [1-9][0-9]* complements$' "$d/rel.debug" ||
	fail "18 kommuner: the check by fylke hid no cell (the case is gone)"
attack_plain "the release of 18 kommuner, fylke 39" 5 39

whole_case sizes18 "1101 1103 1804 1806 1811 1812 1813 1815 1816 1818 1820 1822 1824 1825
	1826 1827 1828" 20 69 3
grep -q '^  whole-release check by fylke and size class: 10 of 17 kommuner in groups, ' \
	"$d/rel.debug" || fail "17 kommuner: the program by fylke and size class was not made"
grep -Eq '^  whole-release check: kommune 18[0-9]* .* hides a cell of ' "$d/rel.debug" ||
	fail "17 kommuner: the check hid no cell for a kommune of fylke 18 (the case is gone)"
# bpagg audit re-derives the check by fylke and size class (the tests of
# older releases audit today's no more)
out=$(bpagg audit -c "$d/inst-rel/bpagg.conf") || fail "17 kommuner: the release does not verify: $out"
grep -q 're-derived, suppression matches' <<<"$out" || fail "17 kommuner: not re-derived: $out"
attack_plain "the release of 17 kommuner" 3

cat >"$tmp/mixed.profile" <<'P'
nasjonal  *__total rop_skala__brukergruppe brukergruppe__rop alder4__rop kjonn__rop bolig__rop_skala
nasjonal  alder__rop alder__brukergruppe
fylke     rop__total brukergruppe__total alder4__total bolig__total kjonn__rop
kommune   rop__total brukergruppe__total bolig__total
P
for seed in ${RA_SEEDS:-1 2 3}; do
	case $seed in
	*[02468]) koms="1101 1103" ;;
	*) koms="0301 1101 1103" ;;
	esac
	profs=mixed
	[ "$seed" = 2 ] && profs="rapport mixed"
	for prof in $profs; do
		d=$tmp/s$seed-$prof
		mkdir -p "$d"
		ra_install "$d" 2024 "$koms" 30 "$seed"
		p=$prof
		[ $prof = mixed ] && p=$tmp/mixed.profile
		ra_set "$d/inst/bpagg.conf" profile "$p"
		ra_truth "$d" 2024 "$p"
		ra_publish "$d" rel release || fail "bpagg publish with method = release failed (see above)"
		attack "$d" rel "seed $seed ($koms) $prof"
	done
done
[ "$failures" = 0 ] || fail "$failures releases made with method = release leave primary cells bounded below min_cell"
echo "ok"
