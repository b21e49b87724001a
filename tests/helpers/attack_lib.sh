# attack_lib.sh - sourced by tests/integration/release_attack*.sh and
# bench/publish_attack.sh: small installations from bpagg sample, the truth
# of a year (the same store published with min_cell = 1, nothing hidden),
# and tests/helpers/release_attack checked against that truth.
#
# Needs: bpagg, bpaggd on PATH, BPAGG_REGISTRY, $RA (the attacker) and
# $ATTACK_AWK (tests/helpers/attack_check.awk).
. "$(dirname "${BASH_SOURCE[0]}")/setup_lib.sh"

# ra_test_init NAME: for a test script: $tmp (removed at exit), fail,
# $RA and $ATTACK_AWK from BP_BUILDDIR and BP_SRCDIR.
ra_test_init() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	RA=${BP_BUILDDIR:?}/tests/helpers/release_attack
	ATTACK_AWK=${BP_SRCDIR:?}/tests/helpers/attack_check.awk
	[ -x "$RA" ] || fail "no $RA"
}
fail() { echo "FAIL: $*" >&2; exit 1; }

# ra_install DIR YEAR "KOMMUNE..." ROWS SEED: an installation with the
# sealed sample exports of the kommuner ingested; prints nothing.
ra_install() {
	local dir=$1 year=$2 koms=$3 rows=$4 seed=$5 k
	bpagg init "$dir/inst" >/dev/null
	for k in $koms; do
		setup bpagg keygen kommune "$k" --out "$dir/k" >/dev/null
		setup bpagg register -c "$dir/inst/bpagg.conf" "$k" "$dir/k/$k.sign.pk" >/dev/null
		setup bpagg sample --kommune "$k" --year "$year" --rows "$rows" --seed "$((seed * 7919 + 10#$k))" \
			-o "$dir/$k.csv"
		ra_seal "$dir" "$year" "$k"
	done
	bpaggd -c "$dir/inst/bpagg.conf" --once --foreground 2>/dev/null
}

# ra_seal DIR YEAR KOMMUNE: seals DIR/KOMMUNE.csv into the inbox.
ra_seal() {
	setup bpagg seal "$1/$3.csv" --kommune "$3" --year "$2" --key "$1/k/$3.sign.sk" \
		--to "$1/inst/keys/central.box.pk" -o "$1/inst/inbox/$3.bpx" >/dev/null
}

# ra_set CONF KEY VALUE: sets KEY in [publish] (the line bpagg init wrote).
ra_set() {
	if grep -q "^$2 = " "$1"; then
		sed -i "s|^$2 = .*|$2 = $3|" "$1"
	else
		sed -i "/^\[publish\]/a $2 = $3" "$1"
	fi
}

# ra_copy DIR NAME: a copy of DIR/inst as DIR/NAME with nothing published
# yet (so that no earlier release of the year constrains it).
ra_copy() {
	rm -rf "${1:?}/$2"
	cp -r "$1/inst" "$1/$2"
	rm -rf "$1/$2/suppression.log" "$1/$2/releases" "$1/$2/releases.staging"
}

# ra_truth DIR YEAR PROFILE: DIR/truth, every cell of the year unsuppressed.
ra_truth() {
	ra_copy "$1" inst-truth
	ra_set "$1/inst-truth/bpagg.conf" min_cell 1
	ra_set "$1/inst-truth/bpagg.conf" profile "$3"
	bpagg publish -c "$1/inst-truth/bpagg.conf" --year "$2" --out "$1/truth" >/dev/null
}

# ra_truth_pair LATER EARLIER CHANGED OUT: OUT/tables.csv and sums.csv, the
# truth of two releases of a year as release_attack --earlier names their
# cells: LATER's rows, then EARLIER's with the area coded E:CODE for its
# nation and fylker and for its kommuner that LATER lacks or that CHANGED
# (K1,K2,...) names (its other kommuner are LATER's own rows).
ra_truth_pair() {
	local t
	mkdir -p "$4"
	for t in tables.csv sums.csv; do
		awk -F, -v OFS=, -v ch=",$3," '
			FNR == 1 { f++ }
			f == 1 && $2 == "kommune" && $4 > 0 { later[$3] = 1 }
			f == 1 { next }
			f == 2 { print; next }
			FNR > 1 && ($2 != "kommune" || !($3 in later) || index(ch, "," $3 ",")) { $3 = "E:" $3; print }' \
			"$1/coverage.csv" "$1/$t" "$2/$t" >"$4/$t"
	done
}

# ra_check TRUTH-DIR ATTACK-CSV MIN_CELL: one line "hidden H primaries P
# bounded B wrong W missing M"; the first bounded and wrong cells are on
# standard error. wrong: a true value outside the attacker's interval (the
# attacker's model would be false). RA_ZEROS=1: hidden zeros are primary
# too (suppress_zero = yes).
ra_check() {
	awk -v mc="$3" -v zeros="${RA_ZEROS:-0}" -f "$ATTACK_AWK" "$1/tables.csv" "$1/sums.csv" "$2"
}

# ra_field LINE NAME: the number after NAME in a ra_check line.
ra_field() {
	awk -v n="$2" '{ for (i = 1; i < NF; i++) if ($i == n) print $(i + 1) }' <<<"$1"
}

# ra_fixture_groups DIR: three kommuner (two fylker), 40 persons each, a
# profile of alder4 and alder7 by rop and brukergruppe (the chains of issue
# 14 cross these groups); DIR/truth.
ra_fixture_groups() {
	mkdir -p "$1"
	ra_install "$1" 2024 "0301 1101 1103" 40 1
	cat >"$1/inst/ages.profile" <<'P'
nasjonal alder4__rop alder7__rop alder7__brukergruppe rop__total brukergruppe__total alder4__total alder7__total
fylke alder4__total alder7__total
kommune alder4__total
P
	ra_set "$1/inst/bpagg.conf" profile ages.profile
	ra_truth "$1" 2024 "$1/inst/ages.profile"
}

# ra_fixture_single DIR: two kommuner of one fylke, 20 persons each; in
# 1101 bolig is gronn for 19, gul for 1, rod for none (a singleton and a
# zero in one line); a profile of bolig__total, nasjonal and kommune;
# DIR/truth.
ra_fixture_single() {
	local d=$1 k
	mkdir -p "$d"
	bpagg init "$d/inst" >/dev/null
	for k in 1101 1103; do
		setup bpagg keygen kommune $k --out "$d/k" >/dev/null
		setup bpagg register -c "$d/inst/bpagg.conf" $k "$d/k/$k.sign.pk" >/dev/null
		setup bpagg sample --kommune $k --year 2024 --rows 20 --seed 3$k -o "$d/$k.raw"
	done
	awk -F';' -v OFS=';' 'NR == 1 { print; next } { $8 = (NR == 2 ? "gul" : "gronn"); print }' \
		"$d/1101.raw" >"$d/1101.csv"
	cp "$d/1103.raw" "$d/1103.csv"
	for k in 1101 1103; do ra_seal "$d" 2024 $k; done
	bpaggd -c "$d/inst/bpagg.conf" --once --foreground 2>/dev/null
	printf 'nasjonal bolig__total\nkommune bolig__total\n' >"$d/inst/bolig.profile"
	ra_set "$d/inst/bpagg.conf" profile bolig.profile
	ra_truth "$d" 2024 "$d/inst/bolig.profile"
}

# ra_publish DIR NAME METHOD [KEY VALUE]...: DIR/NAME, a release of the
# fixture's year made from a fresh copy with [publish] method and the
# further settings given.
ra_publish() {
	local d=$1 n=$2 m=$3
	shift 3
	ra_copy "$d" "inst-$n"
	ra_set "$d/inst-$n/bpagg.conf" method "$m"
	while [ $# -ge 2 ]; do
		ra_set "$d/inst-$n/bpagg.conf" "$1" "$2"
		shift 2
	done
	bpagg publish -c "$d/inst-$n/bpagg.conf" --year 2024 --out "$d/$n" >/dev/null
}

# ra_slices REL OUT: the release REL cut into slices an intruder may also
# state alone (fewer relations, so whatever a slice proves holds for the
# whole release): OUT/nasjonal (the national rows) and OUT/f-NN (fylke NN
# with its kommuner). For releases too large to attack whole.
ra_slices() {
	local rel=$1 out=$2 f
	mkdir -p "$out"
	awk -F, 'NR > 1 { print $1 "," $3 }' "$BPAGG_REGISTRY" >"$out/kf"
	for f in nasjonal $(awk -F, '$2 == "fylke" && $4 > 0 { print $3 }' "$rel/coverage.csv"); do
		local s=$out/$f
		[ "$f" = nasjonal ] || s=$out/f-$f
		mkdir -p "$s"
		cp "$rel/release.json" "$s/"
		for t in coverage.csv tables.csv sums.csv; do
			awk -F, -v f="$f" 'FNR == NR { kf[$1] = $2; next }
				FNR == 1 || (f == "nasjonal" && $2 == "nasjonal") ||
				(f != "nasjonal" && (($2 == "fylke" && $3 == f) || ($2 == "kommune" && kf[$3] == f)))' \
				"$out/kf" "$rel/$t" >"$s/$t"
		done
	done
}

# The checks of releases made with method = release against the attacker
# (tests/integration/release_attack_{release,wide,random}.sh).  ra_failures
# counts the releases with a bounded primary; the caller fails at the end.
ra_failures=0

# ra_attack DIR NAME WHAT [MIN_CELL [CELLS]]: the attacker over DIR/NAME
# (the hidden cells listed in the file CELLS, else all) against DIR/truth;
# a wrong interval fails at once (the attacker's model would be false); a
# bounded primary is counted and reported.  $ra_flags, when set, are more
# options of the attacker (e.g. --free-index).
ra_attack() {
	"$RA" --screen ${ra_flags:-} ${5:+--cells "$5"} "$1/$2" >"$1/$2.att" 2>"$1/$2.err" ||
		fail "$3: release_attack: $(cat "$1/$2.err")"
	local res
	res=$(ra_check "$1/truth" "$1/$2.att" "${4:-5}" 2>>"$1/$2.err")
	[ "$(ra_field "$res" wrong)" = 0 ] || fail "$3: the attacker's interval misses the truth: $(grep WRONG "$1/$2.err")"
	[ "$(ra_field "$res" missing)" = 0 ] || fail "$3: hidden cells not in the truth: $res"
	echo "$3: $(grep -o '"hidden":{[^}]*}' "$1/$2/release.json") $res"
	if [ "$(ra_field "$res" bounded)" != 0 ]; then
		grep BOUNDED "$1/$2.err" | sed "s|^|  $3: |" >&2
		ra_failures=$((ra_failures + 1))
	fi
}

# ra_sanitized: whether the programs are the sanitizer build's (the
# attacker too: it is built with them).
ra_sanitized() {
	[ -n "${BP_SANITIZED:-}" ]
}

# ra_attack_plain DIR WHAT MIN_CELL [FYLKE]: ra_attack over DIR/rel (only
# the hidden cells of fylke FYLKE and its kommuner, when given), but not in
# the sanitizer build: there the attacker takes minutes, and its verdict is
# the plain build's (the same release: publishing is deterministic); the
# publish itself still runs there, under the sanitizers.
ra_attack_plain() {
	if ra_sanitized; then
		echo "$2: the attacker is not run in the sanitizer build"
		return
	fi
	if [ -z "${4:-}" ]; then
		ra_attack "$1" rel "$2" "$3"
		return
	fi
	awk -F, -v f="$4" '$9 == ":" && (($2 == "fylke" && $3 == f) ||
		($2 == "kommune" && substr($3, 1, 2) == f)) { print $2 "," $3 "," $4 "," $6 "," $8 }' \
		"$1/rel/tables.csv" >"$1/cells"
	ra_attack "$1" rel "$2" "$3" "$1/cells"
}

# ra_whole_case DIR KOMMUNER ROWS SEED [MIN_CELL]: an installation in DIR
# (min_cell 3 unless given, rapport), its truth, and DIR/rel published
# with method = release, its debug output in DIR/rel.debug.
ra_whole_case() {
	local d=$1
	mkdir -p "$d"
	ra_install "$d" 2024 "$2" "$3" "$4"
	ra_set "$d/inst/bpagg.conf" min_cell "${5:-3}"
	ra_truth "$d" 2024 rapport
	ra_copy "$d" inst-rel
	ra_set "$d/inst-rel/bpagg.conf" method release
	BPAGG_DEBUG_SUPPRESS=1 bpagg publish -c "$d/inst-rel/bpagg.conf" --year 2024 \
		--out "$d/rel" >/dev/null 2>"$d/rel.debug" ||
		fail "bpagg publish with method = release failed: $(tail -n 3 "$d/rel.debug")"
}
