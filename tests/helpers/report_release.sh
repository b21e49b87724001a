#!/usr/bin/env bash
# report_release.sh DIR YEAR ROPDEF "LEVELS" ROWS KOMMUNE... - a release for
# the report's tests, made by the real pipeline: a throw-away installation
# with rop_definition = ROPDEF, sample exports of ROWS rows for each
# kommune (ROWS=auto: 0.4 % of its adults, at least 3, as tests/demo.sh;
# auto:SHARE another share, so fewer kommuner give as many persons),
# sealed, ingested by bpaggd --once, published at LEVELS into DIR/rel.
# The installation (with the store) is removed afterwards: the report must
# do with the release alone. Prints the release directory.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/setup_lib.sh"
dir=${1:?usage: report_release.sh DIR YEAR ROPDEF LEVELS ROWS KOMMUNE...}
year=$2 ropdef=$3 levels=$4 rows=$5
shift 5
inst=$dir/inst
mkdir -p "$dir"
bpagg init "$inst" >/dev/null
conf=$inst/bpagg.conf
sed -i "s/^rop_definition = .*/rop_definition = $ropdef/" "$conf"
for k in "$@"; do
	n=$rows
	if [[ $n == auto* ]]; then # auto or auto:SHARE (of the adults; 0.004 by default)
		share=0.004
		[[ $n == auto:* ]] && share=${n#auto:}
		n=$(awk -F, -v k="$k" -v s="$share" '$1 == k { n = int($6 * s); if (n < 3) n = 3; print n }' "$BPAGG_REGISTRY")
	fi
	setup bpagg keygen kommune "$k" --out "$dir/keys" >/dev/null
	setup bpagg register -c "$conf" "$k" "$dir/keys/$k.sign.pk" >/dev/null
	setup bpagg sample --kommune "$k" --year "$year" --rows "$n" --seed "$k$year" -o "$dir/$k.csv"
	setup bpagg seal "$dir/$k.csv" --kommune "$k" --year "$year" --key "$dir/keys/$k.sign.sk" \
		--to "$inst/keys/central.box.pk" -o "$inst/inbox/$k.bpx" >/dev/null
	rm -f "$dir/$k.csv"
done
bpaggd -c "$conf" --once --foreground 2>/dev/null
args=()
for l in $levels; do args+=(--level "$l"); done
bpagg publish -c "$conf" --year "$year" --out "$dir/rel" "${args[@]}" >/dev/null
rm -rf "$inst" "$dir/keys"
echo "$dir/rel"
