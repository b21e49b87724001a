#!/usr/bin/env bash
# publish_republish_zero.sh - republish model 7: a year whose later release
# would give away cells the earlier one hid (bench/republish_sweep.sh seed
# 555). Release A: 0301, 1101 and 1103, 12 persons each (bpagg sample),
# min_cell 10, the sweep's mixed profile, method = release. Then 1106
# reports and 0301 sends new rows. A hid national figures of 1 (rop_skala
# rod_rod among them) that are 0 now, and zeros are always printed: 1101
# and 1103, unchanged since A, then count 0 of each, so A's figure was
# 0301's then, which 0301's twelve persons then and the other printed
# figures bound at 9 (below min_cell). Republish model 6 had only A's
# printed figures above the kommuner in its check and published B without
# a word (the two-release attacker bounded nine cells of A); model 7 also
# has A's hidden ones, which must reach min_cell, finds no complement of B
# that lets them, and refuses: exit 1, saying so and naming
# republish_rule = refuse, nothing written or logged.
set -euo pipefail

. "${BP_SRCDIR:?}/tests/helpers/attack_lib.sh"
ra_test_init bp-rpzero
d=$tmp/y
seed=555
mkdir -p "$d"
cat >"$tmp/mixed.profile" <<'P'
nasjonal  *__total rop_skala__brukergruppe brukergruppe__rop alder4__rop kjonn__rop bolig__rop_skala
nasjonal  alder__rop alder__brukergruppe
fylke     rop__total brukergruppe__total alder4__total bolig__total kjonn__rop
kommune   rop__total brukergruppe__total bolig__total
P
ra_install "$d" 2024 "0301 1101 1103" 12 $seed
conf=$d/inst/bpagg.conf
ra_set "$conf" profile "$tmp/mixed.profile"
ra_set "$conf" min_cell 10
ra_set "$conf" method release
bpagg publish -c "$conf" --year 2024 --out "$d/A" >/dev/null 2>"$d/A.err" ||
	fail "release A: $(cat "$d/A.err")"
grep -q '^2024,nasjonal,NO,rop_skala__total,rop_skala,rod_rod,total,alle,:' "$d/A/tables.csv" ||
	fail "A prints the national rop_skala rod_rod (the case needs it hidden)"

# 1106 reports; 0301 sends new rows, a second after A read the store
setup bpagg keygen kommune 1106 --out "$d/k" >/dev/null
setup bpagg register -c "$conf" 1106 "$d/k/1106.sign.pk" >/dev/null
setup bpagg sample --kommune 1106 --year 2024 --rows 12 --seed $((seed * 7919 + 1106)) \
	-o "$d/1106.csv"
ra_seal "$d" 2024 1106
setup bpagg sample --kommune 0301 --year 2024 --rows 12 --seed $((seed * 7919 + 301 + 1)) \
	-o "$d/0301.csv"
sleep 0.01
setup bpagg seal "$d/0301.csv" --kommune 0301 --year 2024 --key "$d/k/0301.sign.sk" \
	--to "$d/inst/keys/central.box.pk" -o "$d/inst/inbox/0301-2.bpx" >/dev/null
sleep 1
bpaggd -c "$conf" --once --foreground 2>/dev/null

rc=0
bpagg publish -c "$conf" --year 2024 --out "$d/B" >/dev/null 2>"$d/B.err" || rc=$?
[ "$rc" = 1 ] || fail "release B: exit $rc, not 1: $(cat "$d/B.err")"
grep -q 'no safe pattern' "$d/B.err" || fail "B's message: $(cat "$d/B.err")"
grep -q 'republish_rule = refuse' "$d/B.err" || fail "B's message names no way out: $(cat "$d/B.err")"
grep -q 'give away a cell that an earlier release hid' "$d/B.err" ||
	fail "B's message does not say why: $(cat "$d/B.err")"
[ ! -e "$d/B" ] || [ -z "$(ls -A "$d/B")" ] || fail "B wrote a release"
[ "$(grep -c '"type":"release"' "$d/inst/suppression.log")" = 1 ] || fail "B was logged"
bpagg audit -c "$conf" --quiet >/dev/null || fail "bpagg audit after the refusal"
echo "ok: a republished year that would give away cells of the earlier release is refused"
