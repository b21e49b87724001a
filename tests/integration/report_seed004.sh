#!/usr/bin/env bash
# report_seed004.sh - on a year generated like seed 004's (sample exports
# as tests/demo.sh makes them, of 0.8 % of the adults of every 24th
# kommune: 15 kommuner, some 5 900 persons; the national level), the figures the national report prints in the places of seed
# 004's ROP scale (Tabell 2), Tabell 8-13 (each living-condition area by
# ROP scale) and the levekårsindeks (Tabell 6 and 7) are the release's:
# each table is there under its number, has every cell of the release's
# table (every category by "I alt" and every ROP-scale value, and the
# "I alt (antall)" row), and each cell is the release's figure.
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
src=${BP_SRCDIR:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mapfile -t ks < <(awk -F, 'NR > 1 && (NR - 2) % 24 == 0 { print $1 }' "$BPAGG_REGISTRY")
rel=$("$src/tests/helpers/report_release.sh" "$tmp/y" 2024 2016 nasjonal auto:0.008 "${ks[@]}")
html=$(bpagg report "$rel" --out "$tmp/no") || fail "bpagg report"

# table N TABLE_ID: the cells of "Tabell N." in the report are the release's
# cells of TABLE_ID (and of its __total table for the "I alt" column).
table() {
	local n=$1 id=$2 ind=${2%%__*} bd=${2#*__}
	awk -v n="$n" 'index($0, "<caption>Tabell " n ". ") { on = 1 } on { print } on && /<\/table>/ { exit }' \
		"$html" >"$tmp/t$n.html"
	[ -s "$tmp/t$n.html" ] || fail "no Tabell $n"
	"$src/tests/helpers/report_check.sh" "$tmp/t$n.html" "$rel" >/dev/null || fail "Tabell $n"
	# The cells the release has for it: categories (with i_alt) by every
	# breakdown value and the total; the report shows percents, and counts
	# for i_alt.
	local want got
	want=$(awk -F, -v id="$id" -v tot="${ind}__total" -v bd="$bd" '
		$2 == "nasjonal" && ($4 == id || ($4 == tot && bd != "total")) {
			f = ($6 == "i_alt") ? "count" : "percent"
			print $1 "|" $2 "|" $3 "|" $4 "|" $6 "|" $8 "|" f }' "$rel/tables.csv" | sort)
	got=$(grep -o 'data-c="[^"]*"' "$tmp/t$n.html" | sed 's/data-c="\(.*\)"/\1/' | sort)
	[ "$want" = "$got" ] || fail "Tabell $n: cells differ from $id: $(diff <(echo "$want") <(echo "$got") | head -5)"
	# Most of a national table is published on a year of this size.
	local hidden
	hidden=$(grep -c 'class="sup"' "$tmp/t$n.html" || true)
	[ "$hidden" -le $(($(wc -l <<<"$got") / 4)) ] || fail "Tabell $n: $hidden cells hidden"
}
table 6 levekarsindeks8__rop_skala
table 7 levekarsindeks6__rop_skala
table 8 bolig__rop_skala
table 9 aktivitet__rop_skala
table 10 sosial_fungering__rop_skala
table 11 nettverk__rop_skala
table 12 fysisk_helse__rop_skala
table 13 okonomi__rop_skala

# Tabell 2: the ROP scale, count and percent of each value.
awk 'index($0, "<caption>Tabell 2. ") { on = 1 } on { print } on && /<\/table>/ { exit }' "$html" >"$tmp/t2.html"
"$src/tests/helpers/report_check.sh" "$tmp/t2.html" "$rel" >/dev/null || fail "Tabell 2"
for v in ikke_rop gul_rod rod_gul rod_rod; do
	for f in count percent; do
		line=$(awk -F, -v v="$v" -v f="$f" '$2 == "nasjonal" && $4 == "rop_skala__total" && $6 == v {
			print (f == "count") ? $9 : $10 }' "$rel/tables.csv")
		[ "$line" != ":" ] || fail "Tabell 2: $v hidden on a year of this size"
		shown=$(grep -o "data-c=\"2024|nasjonal|NO|rop_skala__total|$v|alle|$f\">[^<]*" "$tmp/t2.html" |
			sed -e 's/.*>//' -e 's/\xc2\xa0//g' -e 's/,/./')
		[ "$shown" = "$line" ] || fail "Tabell 2 $v $f: report $shown, release $line"
	done
done
# The whole report too.
"$src/tests/helpers/report_check.sh" "$html" "$rel"
