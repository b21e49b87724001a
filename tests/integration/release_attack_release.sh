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
#     complements for it.
# Cases 8 and 9 are release_attack_wide.sh, case 10 release_attack_random.sh
# (three scripts, so that make -j runs them side by side).  The attacker
# runs on cases 1, 3 and 4 in both builds; on the larger ones only in
# the plain build (the release is the same: the sanitizer build publishes
# it and checks what the publish says, the plain build attacks it).  Cases
# 2 and 5 are not made under the sanitizers (half a minute each, mostly
# GLPK; publish_threads.sh's joint and whole cases run the per-area and
# whole-release checks there).
# The method is set explicitly (it is the default, but the test is about it).
set -euo pipefail

. "${BP_SRCDIR:?}/tests/helpers/attack_lib.sh"
ra_test_init bp-attk-rel

d=$tmp/groups
ra_fixture_groups "$d"
ra_publish "$d" rel release || fail "bpagg publish with method = release failed (see above)"
ra_attack "$d" rel "groups"

d=$tmp/single
ra_fixture_single "$d"
ra_publish "$d" rel release || fail "bpagg publish with method = release failed (see above)"
ra_attack "$d" rel "singleton and zero"
grep -q '^kommune,1101,bolig__total,gronn,' "$d/rel.att" ||
	echo "note: the singleton's line publishes its large cell"

if ! ra_sanitized; then
	d=$tmp/sizes
	mkdir -p "$d"
	ra_install "$d" 2024 "1101 1103 1106 1108 1111 1112" 35 106
	ra_truth "$d" 2024 rapport
	ra_publish "$d" rel release || fail "bpagg publish with method = release failed (see above)"
	grep -q '"model":24' "$d/rel/release.json" || fail "sizes: not a model 24 release"
	grep -q '^2024,nasjonal,NO,rop__kommunestorrelse,rop,i_alt,kommunestorrelse,u2500,0,' "$d/rel/tables.csv" ||
		fail "sizes: no size class without persons (the case is gone)"
	ra_attack_plain "$d" "size classes without persons" 5
fi

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
ra_attack "$d" rel "two breakdowns without the total"

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
ra_attack "$d" rel "the same quantity in other tables at two levels" 3

if ! ra_sanitized; then
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
	grep -q '"model":24' "$d/rel/release.json" || fail "joint: not a model 24 release"
	# since model 8: once the check has hidden a cell, the model is not repaired
	# again from scratch (no further bp_suppress run)
	grep -Eq '^  joint check: .* [1-9][0-9]* complements$' "$d/rel.debug" ||
		fail "joint: the check hid no cell (the case is gone)"
	awk '/^  joint check: .* [1-9][0-9]* complements$/ { j = 1 } j && /^  bp_suppress:/ { r = 1 }
		END { exit r }' "$d/rel.debug" || fail "joint: the model was repaired again after the check"
	ra_attack_plain "$d" "the joint distribution of one area" 5
fi

d=$tmp/whole
ra_whole_case "$d" "0301 1101 1103 1106" 35 100
grep -Eq '^  whole-release check: .* [1-9][0-9]* complements$' "$d/rel.debug" ||
	fail "whole: the whole-release check hid no cell (the case is gone)"
out=$(bpagg audit -c "$d/inst-rel/bpagg.conf") || fail "whole: the release does not verify: $out"
grep -q 're-derived, suppression matches' <<<"$out" || fail "whole: not re-derived: $out"
ra_attack_plain "$d" "the whole release" 3

d=$tmp/twelve
ra_whole_case "$d" "0301 3101 3103 3105 3107 3110 3112 3114 3116 3118 3120 3122" 70 401
grep -q '^  whole-release check: 12 kommuner, 14940 columns$' "$d/rel.debug" ||
	fail "12 kommuner: the whole-release program was not made"
grep -Eq '^  whole-release check: .* [1-9][0-9]* complements$' "$d/rel.debug" ||
	fail "12 kommuner: the whole-release check hid no cell (the case is gone)"
ra_attack_plain "$d" "the whole release of 12 kommuner" 3

[ "$ra_failures" = 0 ] || fail "$ra_failures releases made with method = release leave primary cells bounded below min_cell"
echo "ok"
