#!/usr/bin/env bash
# release_attack_random.sh - [publish] method = release against the
# whole-release attacker (tests/helpers/release_attack, issue 14): case 10
# of release_attack_release.sh, whose header tells cases 1 to 9:
# 10. a property over random small releases: bpagg sample with several
#     seeds, two or three kommuner in one or two fylker, all three levels,
#     a mixed profile of our own (and rapport for seed 2): the attacker finds
#     no primary cell bounded below min_cell, and its intervals always hold
#     the true value (the same store published with min_cell = 1).
# The attacker runs in the plain build only (the sanitizer build publishes
# the same releases).  RA_SEEDS overrides the seeds (default "1 2 3").
set -euo pipefail

. "${BP_SRCDIR:?}/tests/helpers/attack_lib.sh"
ra_test_init bp-attk-rand

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
		ra_attack_plain "$d" "seed $seed ($koms) $prof" 5
	done
done

[ "$ra_failures" = 0 ] || fail "$ra_failures releases made with method = release leave primary cells bounded below min_cell"
echo "ok"
