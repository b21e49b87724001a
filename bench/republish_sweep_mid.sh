#!/usr/bin/env bash
# republish_sweep_mid.sh BUILDDIR [FROM [TO]] - republish_sweep.sh's
# intruder, who holds two releases of a year (tests/helpers/release_attack
# --earlier --screen), against mid-sized republished years: 18 to 31
# kommuner of two or three fylker, where the publisher checks the whole
# release by fylke, not by kommune (bpagg-publish(1), "The release model"
# and "Republishing a year").  For each seed FROM..TO (default 800..811):
# release A of all the set's kommuner but one (chosen by the seed), then
# that kommune submits, and on every third seed the set's first kommune
# submits new data too; release B in the same installation
# (republish_rule = protect_differences).  12, 35 or 70 persons a kommune,
# min_cell 5 (3 when seed % 5 = 3, 10 when 4), the rapport profile (the
# mixed one of sweep_lib.sh on odd seeds).  Only the cells hidden in A or B
# whose true value is 1 to min_cell - 1 are asked for, half to each of two
# attacker processes.  Also counted: a cell of an unchanged kommune that A
# hid and B prints ("given away").  One line a seed; minutes each; never
# part of make check.  Seeds 800-829 (2026-12-07, release model 24,
# republish model 7): none bounded, pinned, wrong or given away over the
# 25 years published (10 634 small cells answered; 2 years in part), 5
# refused.  SWEEP_TIME: seconds an attacker process may take
# (600); SWEEP_KEEP as in republish_sweep.sh.  Years with a bounded,
# pinned, wrong or given-away cell are kept.
set -uo pipefail

. "$(dirname "$0")/sweep_lib.sh"
sweep_init republish_sweep_mid "${1:-}"
from=${2:-800}
to=${3:-811}
tlimit=${SWEEP_TIME:-600}
reg=$BPAGG_REGISTRY
combos=("39 31" "03 33" "39 40" "03 31 39" "39 33" "03 40" "39 56" "03 11" "31 33" "39 11")

# hidden_keys DIR EARLIER CHANGED LATE: the cells of DIR's tables.csv and
# sums.csv printed as ":", one attacker key a line; with EARLIER set, named
# as cells of the earlier release (the nation, fylker, and the kommuner
# CHANGED or LATE as E:CODE)
hidden_keys() {
	awk -F, -v ch=",$3," -v late="$4" -v earlier="$2" '
		function area(lv, a) {
			if (!earlier) return a
			if (lv != "kommune" || index(ch, "," a ",") || a == late) return "E:" a
			return a
		}
		FNR == 1 { f++; next }
		f == 1 && $9 == ":" { print $2 "," area($2, $3) "," $4 "," $6 "," $8 }
		f == 2 && $7 == ":" { print $2 "," area($2, $3) "," $4 "__" $5 ",count," $6 }' \
		"$1/tables.csv" "$1/sums.csv"
}

# the keys of FILE whose true value in TRUTH-DIR is 1 to MC - 1
small_of() {
	awk -F, -v mc="$2" 'FNR == 1 { f++; if (f < 3) next }
		f == 1 { t[$2 "," $3 "," $4 "," $6 "," $8] = $9; next }
		f == 2 { t[$2 "," $3 "," $4 "__" $5 ",count," $6] = $7; next }
		($0 in t) && t[$0] + 0 >= 1 && t[$0] + 0 < mc' \
		"$1/tables.csv" "$1/sums.csv" "$3"
}

leaky=0 n=0 failed=0
for seed in $(seq "$from" "$to"); do
	c=${combos[$(((seed / 2) % ${#combos[@]}))]}
	all=$(awk -F, -v fl=" $c " 'NR > 1 && index(fl, " " $3 " ") { print $1 }' "$reg" | sort | xargs)
	nk=$(wc -w <<<"$all")
	last=$(tr ' ' '\n' <<<"$all" | sed -n "$((seed % nk + 1))p")
	first=${all%% *}
	[ "$first" = "$last" ] && first=$(cut -d' ' -f2 <<<"$all")
	koms=$(tr ' ' '\n' <<<"$all" | grep -vx "$last" | xargs)
	rows=$((seed % 3 == 0 ? 12 : seed % 3 == 1 ? 35 : 70))
	mc=$((seed % 5 == 3 ? 3 : seed % 5 == 4 ? 10 : 5))
	prof=rapport
	[ $((seed % 2)) = 1 ] && prof=$tmp/mixed.profile
	changed=""
	[ $((seed % 3)) = 0 ] && changed=$first
	d=$tmp/r$seed
	n=$((n + 1))
	head="seed $seed: $nk kommuner of fylker $c, $last late${changed:+, $changed anew}, rows $rows, min_cell $mc, $(basename "$prof" .profile)"
	sweep_install "$d" "$koms" $rows "$seed" "$prof" "$mc"
	ra_set "$d/inst/bpagg.conf" method release
	mv "$d/truth" "$d/truthA"
	t0=$SECONDS
	if ! bpagg publish -c "$d/inst/bpagg.conf" --year 2024 --out "$d/A" >/dev/null 2>"$d/A.err"; then
		echo "$head: release A failed: $(tail -n 1 "$d/A.err")"
		failed=$((failed + 1))
		continue
	fi
	tA=$((SECONDS - t0))
	sweep_late "$d" "$last" "$rows" "$seed" "$changed"
	bpaggd -c "$d/inst/bpagg.conf" --once --foreground 2>/dev/null
	ra_truth "$d" 2024 "$prof"
	mv "$d/truth" "$d/truthB"
	ra_truth_pair "$d/truthB" "$d/truthA" "$changed" "$d/truthAB"
	t0=$SECONDS
	if ! bpagg publish -c "$d/inst/bpagg.conf" --year 2024 --out "$d/B" >/dev/null 2>"$d/B.err"; then
		echo "$head: release B failed (A ${tA}s): $(tail -n 1 "$d/B.err")"
		failed=$((failed + 1))
		continue
	fi
	tB=$((SECONDS - t0))
	# A's hidden cells of unchanged kommuner that B prints: given away
	hidden_keys "$d/A" "" "" "" | awk -F, -v ch=",$changed," '$1 == "kommune" && !index(ch, "," $2 ",")' |
		sort >"$d/A.hidden.k"
	hidden_keys "$d/B" "" "" "" | sort >"$d/B.hidden"
	awk -F, 'FNR == 1 { f++; next }
		f == 1 && $2 == "kommune" && $9 != ":" { print $2 "," $3 "," $4 "," $6 "," $8 }
		f == 2 && $2 == "kommune" && $7 != ":" { print $2 "," $3 "," $4 "__" $5 ",count," $6 }' \
		"$d/B/tables.csv" "$d/B/sums.csv" | sort >"$d/B.printed.k"
	given=$(comm -12 "$d/A.hidden.k" "$d/B.printed.k" | wc -l)
	{ cat "$d/B.hidden"; hidden_keys "$d/A" 1 "$changed" "$last"; } | sort -u >"$d/hidden"
	small_of "$d/truthAB" "$mc" "$d/hidden" >"$d/small"
	ch=()
	[ -z "$changed" ] || ch=(--changed "$changed")
	sweep_attack "$d" "$d/AB.att" "$tlimit" --earlier "$d/A" "${ch[@]}" "$d/B"
	rc=$sweep_rc tatt=$sweep_secs
	partial=""
	[ "$rc" = 3 ] && { partial=", partial (attacker time limit)"; rc=0; }
	hid=$(grep -o '"hidden":{[^}]*}' "$d/B/release.json")
	if [ "$rc" != 0 ]; then
		echo "$head: B $hid, A ${tA}s B ${tB}s; attacker failed ($rc) after ${tatt}s: $(tail -n 1 "$d/att.0.err")"
		continue
	fi
	res=$(ra_check "$d/truthAB" "$d/AB.att" "$mc" 2>>"$d/AB.err")
	pinned=$(sweep_pinned "$d/truthAB" "$d/AB.att" "$mc")
	echo "$head: B $hid, A ${tA}s B ${tB}s, attack ${tatt}s on $(wc -l <"$d/small") small" \
		"hidden cells: $res pinned $pinned given_away $given$partial"
	if [ "$(ra_field "$res" bounded)" != 0 ] || [ "$(ra_field "$res" wrong)" != 0 ] ||
		[ "$pinned" != 0 ] || [ "$given" != 0 ]; then
		leaky=$((leaky + 1))
	else
		rm -rf "$d"
	fi
done
echo "republish_sweep_mid: $leaky of $n republished years leave primary cells bounded, pinned, wrong or given away; $failed could not be published"
