#!/usr/bin/env bash
# demo.sh BUILDDIR - the whole pipeline on a throw-away installation:
# init, kommune keys, sample exports for many kommuner, seal, drop into the
# inbox, ingest with bpaggd, status, publish, audit, and two national tables
# printed in the layout of the reports. Called by `./quickstart demo`.
set -euo pipefail
build=$(cd "${1:?usage: demo.sh BUILDDIR}" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$build:$PATH"
export BPAGG_REGISTRY="$top/conf/kommuner.csv"
year=${BPAGG_DEMO_YEAR:-2025}
every=${BPAGG_DEMO_EVERY:-5}   # take every 5th kommune of the registry: 72 kommuner

demo=$(mktemp -d "${TMPDIR:-/tmp}/bpagg-demo.XXXXXX")
# A failed demo leaves nothing behind; a finished one keeps its folder to
# look at (it says where).
trap 'rc=$?; [ $rc -eq 0 ] || rm -rf "$demo"' EXIT
echo "==> a throw-away installation in $demo"
bpagg init "$demo/central" >/dev/null
conf="$demo/central/bpagg.conf"
mkdir -p "$demo/kommuner"

# Kommuner register about 0.4 % of their adults (seed 000: 18 913 users in
# kommuner covering 68 % of 4.4 million adults); at least 3 rows each.
mapfile -t picks < <(awk -F, -v every="$every" 'NR > 1 && (NR - 2) % every == 0 {
	n = int($6 * 0.004); if (n < 3) n = 3; print $1, n }' "$BPAGG_REGISTRY")
echo "==> sealing sample exports for ${#picks[@]} kommuner"
rows=0
for p in "${picks[@]}"; do
	read -r k n <<<"$p"
	kd="$demo/kommuner/$k"
	mkdir -p "$kd"
	bpagg keygen kommune "$k" --out "$kd" >/dev/null
	bpagg register -c "$conf" "$k" "$kd/$k.sign.pk" >/dev/null
	bpagg sample --kommune "$k" --year "$year" --rows "$n" --seed "$k" -o "$kd/export.csv"
	bpagg seal "$kd/export.csv" --kommune "$k" --year "$year" --key "$kd/$k.sign.sk" \
		--to "$demo/central/keys/central.box.pk" -o "$demo/central/inbox/$k-$year.bpx" >/dev/null
	rm -f "$kd/export.csv"   # the plaintext never leaves the kommune
	rows=$((rows + n))
done
echo "    $rows rows sealed"

echo "==> bpaggd --once"
bpaggd -c "$conf" --once --foreground 2>"$demo/bpaggd.log" || { tail "$demo/bpaggd.log"; exit 1; }
echo "==> bpagg status"
bpagg status -c "$conf" --year "$year"

# The national level by default: fylke and kommune levels need the
# LP-audited suppression linked across levels, some 10-30 s on two cores
# (see the README); BPAGG_DEMO_LEVELS="nasjonal fylke kommune" adds them.
levels=()
for l in ${BPAGG_DEMO_LEVELS:-nasjonal}; do levels+=(--level "$l"); done
echo "==> bpagg publish ${levels[*]}"
bpagg publish -c "$conf" --year "$year" --out "$demo/release" "${levels[@]}"
# The share of count cells suppressed per level (release.json, "hidden").
tr -d ' \n' <"$demo/release/release.json" | sed -n 's/.*"hidden":{"nasjonal":"\{0,1\}\([0-9.]*\)"\{0,1\},"fylke":"\{0,1\}\([0-9.]*\)"\{0,1\},"kommune":"\{0,1\}\([0-9.]*\)"\{0,1\}}.*/    hidden count cells: nasjonal \1 %, fylke \2 %, kommune \3 %/p'
echo   # (tr took the file's last newline, so sed's line has none)
echo "==> bpagg audit"
bpagg audit -c "$conf"

# table ID: the national table as the reports print it: categories down,
# breakdown values across, percent in each column.
show() {
	local id=$1 title=$2
	echo
	echo "$title (national, $year; percent; ':' = suppressed)"
	# The first column, "I alt", is the indicator's __total table.
	awk -F, -v id="$id" -v tot="${id%%__*}__total" '
	$2 == "nasjonal" && ($4 == tot || $4 == id) {
		if ($4 == tot) $8 = "I alt"
		if (!($8 in seen)) { seen[$8] = 1; cols[++nc] = $8 }
		if (!($6 in seenr)) { seenr[$6] = 1; rowsv[++nr] = $6 }
		v[$6, $8] = ($6 == "i_alt") ? $9 : $10
	}
	END {
		printf "%-14s", ""; for (c = 1; c <= nc; c++) printf "%13s", cols[c]; print ""
		for (r = 1; r <= nr; r++) {
			printf "%-14s", (rowsv[r] == "i_alt" ? "I alt (antall)" : rowsv[r])
			for (c = 1; c <= nc; c++) printf "%13s", v[rowsv[r], cols[c]]
			print ""
		}
	}' "$demo/release/tables.csv"
}
show bolig__rop_skala "Bosituasjon etter ROP-skala (seed 004, Tabell 8)"
show levekarsindeks8__rop_skala "Levekårsindeks, 8 områder, etter ROP-skala (seed 004, Tabell 6)"
echo
# The yearly report from the release alone (bpagg-report(1)); with
# BPAGG_DEMO_LEVELS holding fylke and kommune, --area FF or KKKK works too.
echo "==> bpagg report"
report=$(bpagg report "$demo/release" --out "$demo/rapport")
echo
echo "Everything is in $demo (remove it when done)."
echo "The national report: $report"
