#!/usr/bin/env bash
# release_attack_wide.sh - [publish] method = release against the
# whole-release attacker (tests/helpers/release_attack, issue 14) on
# releases above the limit of the whole-release program by kommune (cases 8
# and 9 of release_attack_release.sh, whose header tells cases 1 to 7):
#  8. a release above model 10's limit for a program by kommune: fifteen
#     kommuner of fylke 11 beside three of fylke 39, 8 persons each, the
#     rapport profile, min_cell 5 (22 410 columns); model 10 checks it by
#     fylke (fylke 11 one column, fylke 39 split into its kommuner), model
#     12 by fylke and size class, and both hide a complement for it; model
#     9, which checks nothing at that size, left 17 primary cells of fylke
#     39 bounded (a sweep of this attacker over releases of 17 to 20
#     kommuner found it).  Model 17's repair leaves the check no cell to
#     hide here: the case shows now only that the attacker bounds nothing
#     (case 9's check still hides cells).
#     The attacker looks at the hidden cells of fylke 39 and its kommuner
#     only (--cells; the whole release takes minutes), with the indexes'
#     definitions left free (--free-index: 32 s against 67 s with them;
#     case 9 states them), and not in the sanitizer build, where that
#     alone takes minutes; nor is
#     the release made there (half a minute of GLPK, the same in both
#     builds; case 9 runs the same program by fylke and size class);
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
#     the whole release, not in the sanitizer build.
# The method is set explicitly (it is the default, but the test is about it).
set -euo pipefail

. "${BP_SRCDIR:?}/tests/helpers/attack_lib.sh"
ra_test_init bp-attk-wide

if [ -z "${BP_SANITIZED:-}" ]; then
	d=$tmp/byfylke
	ra_whole_case "$d" "1101 1103 1106 1108 1111 1112 1114 1119 1120 1121 1122 1124 1127 1130 1133
		3901 3903 3905" 8 4 5
	grep -q '^  whole-release check: 18 kommuner, 22410 columns: too large, not made$' "$d/rel.debug" ||
		fail "18 kommuner: not too large for a program by kommune (the case is gone)"
	grep -q '^  whole-release check by fylke and size class: 8 of 18 kommuner in groups, ' \
		"$d/rel.debug" || fail "18 kommuner: the program by fylke and size class was not made"
	# models 10 to 16 hid a complement here in the check by fylke; model
	# 17's repair (heavy use tied to its substance) leaves it none (the
	# check's lines are shown)
	grep -E '^  whole-release check: .* complements$' "$d/rel.debug" | sed 's/^ */  18 kommuner: /' || true
	ra_flags=--free-index ra_attack_plain "$d" "the release of 18 kommuner, fylke 39" 5 39
fi

d=$tmp/sizes18
ra_whole_case "$d" "1101 1103 1804 1806 1811 1812 1813 1815 1816 1818 1820 1822 1824 1825
	1826 1827 1828" 20 69 3
grep -q '^  whole-release check by fylke and size class: 10 of 17 kommuner in groups, ' \
	"$d/rel.debug" || fail "17 kommuner: the program by fylke and size class was not made"
grep -Eq '^  whole-release check: kommune 18[0-9]* .* hides a cell of ' "$d/rel.debug" ||
	fail "17 kommuner: the check hid no cell for a kommune of fylke 18 (the case is gone)"
# bpagg audit re-derives the check by fylke and size class (the tests of
# older releases audit today's no more)
out=$(bpagg audit -c "$d/inst-rel/bpagg.conf") || fail "17 kommuner: the release does not verify: $out"
grep -q 're-derived, suppression matches' <<<"$out" || fail "17 kommuner: not re-derived: $out"
ra_attack_plain "$d" "the release of 17 kommuner" 3

[ "$ra_failures" = 0 ] || fail "$ra_failures releases made with method = release leave primary cells bounded below min_cell"
echo "ok"
