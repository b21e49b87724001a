#!/usr/bin/env bash
# release_attack_index.sh - method = release against an intruder who states
# the definitions of levekarsindeks6 and levekarsindeks8
# (bpagg-measures(7); tests/helpers/release_attack states them unless
# --free-index, release_attack_index.c). An independent attacker that
# stated them bounded 13 of the 313 primary cells of this release
# (bpagg-publish(1)): kommuner 1101 and 1103, 35 persons each (bpagg sample
# --seed 3*131+K: 1494 and 1496), min_cell 3, rapport, suppress_zero no,
# every level; the truth is the same store published with min_cell 1.
# Asserts: the attacker is never wrong, with the definitions or without;
# with them it bounds no primary cell below min_cell, so it pins none
# either (--screen computes the upper bounds only: a pinned primary, lo =
# hi around its true value, would have hi below min_cell). Prints the
# count of bounded primaries. Model 21's release fails here: with the
# definitions the attacker bounds the same 13 (each kommune's
# rop_skala__total rod_rod and 11 national cells of rod_rod and rop ja),
# with --free-index none.
set -euo pipefail

. "${BP_SRCDIR:?}/tests/helpers/attack_lib.sh"
ra_test_init bp-attk-idx

d=$tmp/idx
mkdir -p "$d"
bpagg init "$d/inst" >/dev/null
# ra_install's seeds are others (seed * 7919 + K)
for k in 1101 1103; do
	setup bpagg keygen kommune $k --out "$d/k" >/dev/null
	setup bpagg register -c "$d/inst/bpagg.conf" $k "$d/k/$k.sign.pk" >/dev/null
	setup bpagg sample --kommune $k --year 2024 --rows 35 --seed $((3 * 131 + 10#$k)) -o "$d/$k.csv"
	ra_seal "$d" 2024 $k
done
bpaggd -c "$d/inst/bpagg.conf" --once --foreground 2>/dev/null
ra_set "$d/inst/bpagg.conf" profile rapport
ra_set "$d/inst/bpagg.conf" min_cell 3
ra_set "$d/inst/bpagg.conf" suppress_zero no
ra_truth "$d" 2024 rapport
ra_publish "$d" rel release || fail "bpagg publish with method = release failed"

# attack NAME [OPTION]: the attacker (hi only) over $d/rel against the
# truth; sets $res. Fails when it errs or misses the truth.
attack() {
	"$RA" --screen ${2:-} "$d/rel" >"$d/$1.att" 2>"$d/$1.err" ||
		fail "release_attack ${2:-}: $(cat "$d/$1.err")"
	res=$(ra_check "$d/truth" "$d/$1.att" 3 2>>"$d/$1.err")
	[ "$(ra_field "$res" wrong)" = 0 ] ||
		fail "${2:-definitions}: the attacker's interval misses the truth: $(grep WRONG "$d/$1.err")"
	[ "$(ra_field "$res" missing)" = 0 ] || fail "${2:-definitions}: hidden cells not in the truth: $res"
	[ "$(ra_field "$res" primaries)" -gt 0 ] || fail "${2:-definitions}: no primary cell: $res"
}

attack free --free-index
echo "--free-index: $res"
attack defs
echo "the indexes' definitions: $res"
grep -q "the indexes' definitions (levekarsindeks6, levekarsindeks8).*classes" "$d/defs.err" ||
	fail "the attacker does not state the definitions: $(grep indexes "$d/defs.err")"
n=$(ra_field "$res" bounded)
echo "the attacker bounds $n of $(ra_field "$res" primaries) primary cells below min_cell 3"
if [ "$n" != 0 ]; then
	awk -F, 'FNR == 1 { f++; next } f == 1 { t[$2 "," $3 "," $4 "," $6 "," $8] = $9; next }
		{ v = t[$1 "," $2 "," $3 "," $4 "," $5] }
		v >= 1 && v < 3 && $7 != "inf" && $7 < 3 { print "  bounded: " $1 " " $2 " " $3 " " $4 "," $5 " <= " $7 " (true " v ")" }' \
		"$d/truth/tables.csv" "$d/defs.att" >&2
	fail "$(grep -o '"model":[0-9]*' "$d/rel/release.json"): the indexes' definitions bound $n primary cells"
fi
echo "ok"
