#!/usr/bin/env bash
# publish_attack.sh BUILDDIR - issue 14's bench on the real programs: a
# year of bpagg sample data for the kommuner of the registry (357, about
# 32 000 persons shared by population 18+), sealed and ingested by bpaggd
# --once; then for each profile (rapport, full) and each method
# (per_group, the baseline, and release) a fresh copy publishes all three
# levels and audits, under /usr/bin/time -v: publish and audit wall
# seconds, peak RSS, hidden share per level, and the ratios of release to
# per_group; then the whole-release attacker (tests/helpers/release_attack
# --screen, only the true primary cells: the truth is the same store
# published with min_cell = 1) counts the primaries it bounds below
# min_cell. Never part of make check.
#
# Environment: BENCH_KOMMUNER (how many kommuner of the registry, default
# all), BENCH_PERSONS (32000), BENCH_PROFILES ("rapport full"),
# BENCH_METHODS ("per_group release"), PUBLISH_BENCH_LIMIT (seconds a
# publish or an audit may take, 900; a publish over it is reported as
# "limit"), ATTACK_BENCH_LIMIT (seconds of the attacker per release, 600),
# BENCH_KEEP (a folder to keep the work in; a store already there is
# reused), ATTACK_BENCH_MODEL (--coarse: the attacker's smaller model;
# default empty, the full one). The attacker runs on slices of each release
# (the national rows; each fylke with its kommuner: a sound but weaker
# intruder than one over the whole release, which is too large for GLPK
# here), so its count is a lower bound of what the whole-release attacker
# finds.
set -euo pipefail

B=$(cd "${1:?usage: publish_attack.sh BUILDDIR}" && pwd)
S=$(cd "$(dirname "$0")/.." && pwd)
export PATH=$B:$PATH
export BPAGG_REGISTRY=${BPAGG_REGISTRY:-$S/conf/kommuner.csv}
RA=$B/tests/helpers/release_attack
ATTACK_AWK=$S/tests/helpers/attack_check.awk
. "$S/tests/helpers/attack_lib.sh"
[ -x "$RA" ] || { echo "publish_attack: build $RA first (make check builds it)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "publish_attack: needs /usr/bin/time (package time)" >&2; exit 1; }
limit=${PUBLISH_BENCH_LIMIT:-900}
model=${ATTACK_BENCH_MODEL-}
alimit=${ATTACK_BENCH_LIMIT:-600}
persons=${BENCH_PERSONS:-32000}

if [ -n "${BENCH_KEEP:-}" ]; then
	w=$BENCH_KEEP
	mkdir -p "$w"
else
	w=$(mktemp -d "${TMPDIR:-/tmp}/bp-bench-attack.XXXXXX")
	trap 'rm -rf "$w"' EXIT
fi

# ---- the year: every kommune's share of the persons by population 18+
awk -F, -v n="${BENCH_KOMMUNER:-0}" 'NR > 1 && (n == 0 || NR <= n + 1) { print $1, $6 }' \
	"$BPAGG_REGISTRY" >"$w/koms"
awk -v p="$persons" '{ k[NR] = $1; pop[NR] = $2; t += $2 }
	END { for (i = 1; i <= NR; i++) { r = int(p * pop[i] / t + 0.5); if (r < 3) r = 3; print k[i], r } }' \
	"$w/koms" >"$w/rows"
echo "publish_attack: $(wc -l <"$w/rows") kommuner, $(awk '{ s += $2 } END { print s }' "$w/rows") persons"
t0=$(date +%s)
# (bpagg init makes an empty store: reused only when it holds tallies)
if [ -f "$w/inst/store.sqlite" ] &&
	[ "$(sqlite3 "$w/inst/store.sqlite" 'SELECT count(*) FROM tally' 2>/dev/null || echo 0)" -gt 0 ]; then
	echo "publish_attack: reusing the store in $w/inst (BENCH_KEEP)"
else
	rm -rf "$w/inst" "$w/k"   # an earlier run cut short
	bpagg init "$w/inst" >/dev/null
	while read -r k r; do
		bpagg keygen kommune "$k" --out "$w/k" >/dev/null
		bpagg register -c "$w/inst/bpagg.conf" "$k" "$w/k/$k.sign.pk" >/dev/null
		bpagg sample --kommune "$k" --year 2024 --rows "$r" --seed "$((10#$k))" -o "$w/$k.csv"
		ra_seal "$w" 2024 "$k"
		rm -f "$w/$k.csv"
	done <"$w/rows"
	bpaggd -c "$w/inst/bpagg.conf" --once --foreground 2>/dev/null
	echo "publish_attack: sealed and ingested in $(($(date +%s) - t0)) s"
fi

# timed OUT CMD...: runs CMD under /usr/bin/time -v and timeout; sets
# $wall (seconds, or "limit") and $rss (MiB).
timed() {
	local out=$1 rc=0
	shift
	/usr/bin/time -v -o "$out.time" timeout "$limit" "$@" >"$out.log" 2>&1 || rc=$?
	wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, a, ":"); s = 0
		for (i = 1; i <= n; i++) s = s * 60 + a[i]; printf "%.1f", s }' "$out.time")
	rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$out.time")
	[ "$rc" = 124 ] && wall=limit
	return "$rc"
}

hidden_of() { grep -o '"hidden":{[^}]*}' "$1/release.json" | sed 's/"hidden"://; s/"//g'; }

printf '\n%-8s %-10s %10s %10s %9s  %-40s %s\n' profile method publish_s audit_s rss_MiB \
	"hidden (nasjonal, fylke, kommune %)" "attacker: primaries bounded below min_cell"
declare -A PUB AUD RSS
for prof in ${BENCH_PROFILES:-rapport full}; do
	ra_truth "$w" 2024 "$prof"
	rm -rf "$w/truth-$prof"
	mv "$w/truth" "$w/truth-$prof"
	for m in ${BENCH_METHODS:-per_group release}; do
		n=$prof-$m
		ra_copy "$w" "inst-$n"
		ra_set "$w/inst-$n/bpagg.conf" method "$m"
		ra_set "$w/inst-$n/bpagg.conf" profile "$prof"
		if ! timed "$w/$n.publish" bpagg publish -c "$w/inst-$n/bpagg.conf" --year 2024 --out "$w/$n"; then
			printf '%-8s %-10s %10s %10s %9s  %s\n' "$prof" "$m" "$wall" - "${rss:--}" \
				"no release: $(tail -1 "$w/$n.publish.log")"
			continue
		fi
		pw=$wall pr=$rss
		timed "$w/$n.audit" bpagg audit -c "$w/inst-$n/bpagg.conf" || true
		aw=$wall
		[ "${rss:-0}" -gt "$pr" ] && pr=$rss
		PUB[$n]=$pw AUD[$n]=$aw RSS[$n]=$pr
		# the attacker, on the cells that are hidden and truly small
		awk -F, 'FNR == 1 { f++; next }
			f == 1 { t[$2 "," $3 "," $4 "," $6 "," $8] = $9; next }
			f == 2 && $9 == ":" { k = $2 "," $3 "," $4 "," $6 "," $8; if (t[k] >= 1 && t[k] < 5) print k }' \
			"$w/truth-$prof/tables.csv" "$w/$n/tables.csv" >"$w/$n.primaries"
		# the attacker on slices of the release (nasjonal; each fylke with
		# its kommuner): sound, weaker than the whole, and small enough
		arc=0
		rm -rf "$w/$n.slices"
		ra_slices "$w/$n" "$w/$n.slices"
		echo "level,area,table,category,breakdown_value,lo,hi" >"$w/$n.att"
		: >"$w/$n.att.err"
		t1=$(date +%s)
		for s in "$w/$n.slices"/nasjonal "$w/$n.slices"/f-*; do
			left=$((alimit - ($(date +%s) - t1)))
			if [ "$left" -le 0 ]; then
				arc=3
				break
			fi
			src=0
			"$RA" $model --screen --time-limit "$left" --cells "$w/$n.primaries" "$s" \
				>"$s.att" 2>>"$w/$n.att.err" || src=$?
			tail -n +2 "$s.att" >>"$w/$n.att"
			[ "$src" = 0 ] || arc=$src
		done
		res=$(ra_check "$w/truth-$prof" "$w/$n.att" 5 2>/dev/null)
		att="$(ra_field "$res" bounded) of $(wc -l <"$w/$n.primaries") hidden primaries"
		att="$att ($(ra_field "$res" hidden) solved"
		[ "$arc" = 3 ] && att="$att, attacker time limit"
		[ "$arc" = 2 ] && att="$att, MODEL CONTRADICTS THE RELEASE"
		[ "$(ra_field "$res" wrong)" != 0 ] && att="$att, $(ra_field "$res" wrong) WRONG intervals"
		att="$att)"
		printf '%-8s %-10s %10s %10s %9s  %-40s %s\n' "$prof" "$m" "$pw" "$aw" "$pr" "$(hidden_of "$w/$n")" "$att"
	done
	b=$prof-per_group r=$prof-release
	if [ -n "${PUB[$b]:-}" ] && [ -n "${PUB[$r]:-}" ]; then
		awk -v p="${PUB[$r]}" -v pb="${PUB[$b]}" -v a="${AUD[$r]}" -v ab="${AUD[$b]}" \
		    -v r="${RSS[$r]}" -v rb="${RSS[$b]}" -v prof="$prof" 'function q(x, y) {
			return (x == "limit" || y == "limit" || y + 0 == 0) ? "-" : sprintf("%.2f", x / y) }
			BEGIN { printf "%-8s %-10s %10s %10s %9s\n", prof, "ratio", q(p, pb), q(a, ab), q(r, rb) }'
	fi
done
