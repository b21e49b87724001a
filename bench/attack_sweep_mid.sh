#!/usr/bin/env bash
# attack_sweep_mid.sh BUILDDIR [FROM [TO]] - the whole-release attacker
# (tests/helpers/release_attack --screen) against mid-sized releases of
# [publish] method = release: 17 to 60 kommuner, where the publisher's own
# whole-release program is too large and it checks by fylke (and size
# class) instead, a check that knows less than an intruder
# (bpagg-publish(1), "The release model").  For each seed FROM..TO
# (default 700..724): seed % 3 = 0 all kommuner of two or three fylker,
# 1 a random spread (with Oslo when seed % 4 = 1), 2 one whole fylke and
# a random spread; 12, 35 or 70 persons a kommune (bpagg sample); min_cell
# 5 (3 when seed % 5 = 3, 10 when 4); the rapport profile (the smaller
# mixed one when seed % 4 = 2); every level.  Only the hidden cells that
# are truly small (1 <= n < min_cell, against the same store published
# with min_cell 1) are asked for, half to each of two attacker processes
# (one a core; each bound is its own program over the whole release).
# One line per release: hidden shares, the checks the publisher ran, and
# how many primaries the attacker bounds below min_cell, pins or gets
# wrong; "partial" when its time ran out.  Minutes a release; never part
# of make check.  SWEEP_MAX_SPREAD: kommuner of a spread release at most
# (default 40: the attacker's time grows fast beyond); SWEEP_TIME: seconds
# the attacker may take a process (400); SWEEP_KEEP, SWEEP_RA_OPTS as in
# attack_sweep.sh.  Releases with a bounded, pinned or wrong cell are kept.
set -uo pipefail

. "$(dirname "$0")/sweep_lib.sh"
sweep_init attack_sweep_mid "${1:-}"
from=${2:-700}
to=${3:-724}
tlimit=${SWEEP_TIME:-400}
reg=$BPAGG_REGISTRY
combos=("39 31" "39 40" "31 33" "11 39" "55 56" "39 31 40" "15 39" "40 33"
	"03 32 31" "11 42" "39 50" "03 40 33" "33 56" "32 55 39" "31 42")

# choose SEED: the kommuner of the seed's release, one a line
choose() {
	local seed=$1
	case $((seed % 3)) in
	0)
		local c=${combos[$(((seed / 3) % ${#combos[@]}))]}
		awk -F, -v fl=" $c " 'NR > 1 && index(fl, " " $3 " ") { print $1 }' "$reg"
		;;
	*)
		awk -F, -v seed="$seed" -v max="${SWEEP_MAX_SPREAD:-40}" \
			'NR > 1 { k[n++] = $1; f[$1] = $3 }
			END {
				srand(seed); N = 17 + int(rand() * 44); if (N > max) N = max
				c = 0; F = ""
				if (seed % 3 == 2) {
					split("39 31 40 33 56 32 55 11 42 15", fl, " ")
					F = fl[1 + int(rand() * 10)]
					for (i = 0; i < n; i++) if (f[k[i]] == F) { print k[i]; c++ }
				} else if (seed % 4 == 1) { print "0301"; c++ }
				for (i = n - 1; i > 0; i--) { j = int(rand() * (i + 1)); t = k[i]; k[i] = k[j]; k[j] = t }
				for (i = 0; i < n && c < N; i++)
					if (f[k[i]] != F && (k[i] != "0301" || seed % 4 == 1 && seed % 3 == 2)) { print k[i]; c++ }
			}' "$reg"
		;;
	esac
}

# small_cells DIR MC FILE: the cells FILE lists (tables.csv and sums.csv keys)
# whose true value, in DIR/truth, is 1 to MC - 1
small_cells() {
	awk -F, -v mc="$2" 'FNR == 1 { f++; if (f < 3) next }
		f == 1 { t[$2 "," $3 "," $4 "," $6 "," $8] = $9; next }
		f == 2 { t[$2 "," $3 "," $4 "__" $5 ",count," $6] = $7; next }
		($0 in t) && t[$0] + 0 >= 1 && t[$0] + 0 < mc' \
		"$1/truth/tables.csv" "$1/truth/sums.csv" "$3"
}

leaky=0 n=0
for seed in $(seq "$from" "$to"); do
	koms=$(choose "$seed" | sort -u | xargs)
	nk=$(wc -w <<<"$koms")
	nf=$(for k in $koms; do echo "${k:0:2}"; done | sort -u | wc -l)
	rows=$((seed % 3 == 0 ? 12 : seed % 3 == 1 ? 35 : 70))
	mc=$((seed % 5 == 3 ? 3 : seed % 5 == 4 ? 10 : 5))
	prof=rapport
	[ $((seed % 4)) = 2 ] && prof=$tmp/mixed.profile
	d=$tmp/s$seed
	sweep_install "$d" "$koms" $rows "$seed" "$prof" "$mc"
	n=$((n + 1))
	head="seed $seed: $nk kommuner of $nf fylker, rows $rows, min_cell $mc, $(basename "$prof" .profile)"
	t0=$SECONDS
	if ! BPAGG_DEBUG_SUPPRESS=1 ra_publish "$d" rel release 2>"$d/publish.err"; then
		echo "$head: publish failed: $(tail -n 1 "$d/publish.err")"
		continue
	fi
	tpub=$((SECONDS - t0))
	# the publisher's check of the whole release, as its debug lines say
	checks="none made"
	if grep -qE '^  whole-release check: [0-9]+ kommuner, [0-9]+ columns$' "$d/publish.err"; then
		checks="whole, by kommune"
	elif grep -E '^  whole-release check by fylke( and size class)?: ' "$d/publish.err" |
		grep -qv 'not made'; then
		checks=$(grep -oE '^  whole-release check by fylke( and size class)?' "$d/publish.err" |
			head -n 1 | sed 's/^  whole-release check //')
	fi
	awk -F, '$9 == ":" { print $2 "," $3 "," $4 "," $6 "," $8 }' "$d/rel/tables.csv" >"$d/hidden"
	awk -F, 'NR > 1 && $7 == ":" { print $2 "," $3 "," $4 "__" $5 ",count," $6 }' \
		"$d/rel/sums.csv" >>"$d/hidden"
	small_cells "$d" "$mc" "$d/hidden" >"$d/small"
	sweep_attack "$d" "$d/rel.att" "$tlimit" ${SWEEP_RA_OPTS:-} "$d/rel"
	rc=$sweep_rc tatt=$sweep_secs
	partial=""
	[ "$rc" = 3 ] && { partial=", partial (attacker time limit)"; rc=0; }
	hid=$(grep -o '"hidden":{[^}]*}' "$d/rel/release.json")
	if [ "$rc" != 0 ]; then
		echo "$head: $hid, checked [$checks], publish ${tpub}s; attacker failed ($rc) after ${tatt}s"
		continue
	fi
	res=$(ra_check "$d/truth" "$d/rel.att" "$mc" 2>/dev/null)
	pinned=$(sweep_pinned "$d/truth" "$d/rel.att" "$mc")
	echo "$head: $hid, checked [$checks], publish ${tpub}s, attack ${tatt}s on" \
		"$(wc -l <"$d/small") small hidden cells: $res pinned $pinned$partial"
	if [ "$(ra_field "$res" bounded)" != 0 ] || [ "$(ra_field "$res" wrong)" != 0 ] ||
		[ "$pinned" != 0 ]; then
		leaky=$((leaky + 1))
	else
		rm -rf "$d"
	fi
done
echo "attack_sweep_mid: $leaky of $n releases leave primary cells bounded, pinned or wrong"
