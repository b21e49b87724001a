# sweep_lib.sh - sourced by bench/attack_sweep*.sh and bench/republish_sweep*.sh:
# sweep_init NAME BUILDDIR sets B and S (build and source folders), the
# programs' environment, the attacker ($RA, $ATTACK_AWK, attack_lib.sh's
# helpers), $tmp (SWEEP_KEEP, else a temporary folder removed at exit) and
# $tmp/mixed.profile, the smaller profile of the odd seeds.
# sweep_install DIR KOMMUNER ROWS SEED PROFILE MIN_CELL: DIR made afresh
# with an installation of the kommuner's samples (ra_install) set to
# PROFILE and MIN_CELL, and DIR/truth, its year published with every cell.
sweep_init() {
	B=$(cd "${2:?usage: $1.sh BUILDDIR [FROM [TO]]}" && pwd)
	S=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	export PATH=$B:$PATH BPAGG_REGISTRY=$S/conf/kommuner.csv BPAGG_PROFILE_DIR=$S/conf/profiles
	BP_BUILDDIR=$B BP_SRCDIR=$S
	. "$S/tests/helpers/attack_lib.sh"
	RA=$B/tests/helpers/release_attack
	ATTACK_AWK=$S/tests/helpers/attack_check.awk
	[ -x "$RA" ] || { echo "$1: no $RA (make check builds it)" >&2; exit 1; }
	if [ -n "${SWEEP_KEEP:-}" ]; then
		tmp=$SWEEP_KEEP
		mkdir -p "$tmp"
	else
		tmp=$(mktemp -d "${TMPDIR:-/tmp}/bp-$1.XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
	fi
	cat >"$tmp/mixed.profile" <<'P'
nasjonal  *__total rop_skala__brukergruppe brukergruppe__rop alder4__rop kjonn__rop bolig__rop_skala
nasjonal  alder__rop alder__brukergruppe
fylke     rop__total brukergruppe__total alder4__total bolig__total kjonn__rop
kommune   rop__total brukergruppe__total bolig__total
P
}

sweep_install() {
	rm -rf "$1"
	mkdir -p "$1"
	ra_install "$1" 2024 "$2" "$3" "$4"
	ra_set "$1/inst/bpagg.conf" profile "$5"
	ra_set "$1/inst/bpagg.conf" min_cell "$6"
	ra_truth "$1" 2024 "$5"
}

# sweep_late DIR KOMMUNE ROWS SEED [FIRST]: KOMMUNE registers and seals its
# sample into DIR's inbox; with FIRST, FIRST seals new data of its own too.
sweep_late() {
	local d=$1 last=$2 rows=$3 seed=$4 first=${5:-}
	setup bpagg keygen kommune "$last" --out "$d/k" >/dev/null
	setup bpagg register -c "$d/inst/bpagg.conf" "$last" "$d/k/$last.sign.pk" >/dev/null
	setup bpagg sample --kommune "$last" --year 2024 --rows "$rows" \
		--seed "$((seed * 7919 + 10#$last))" -o "$d/$last.csv"
	ra_seal "$d" 2024 "$last"
	[ -n "$first" ] || return 0
	setup bpagg sample --kommune "$first" --year 2024 --rows "$rows" \
		--seed "$((seed * 7919 + 10#$first + 1))" -o "$d/$first.csv"
	sleep 0.01   # a later sequence than its first seal
	setup bpagg seal "$d/$first.csv" --kommune "$first" --year 2024 \
		--key "$d/k/$first.sign.sk" --to "$d/inst/keys/central.box.pk" \
		-o "$d/inst/inbox/$first-2.bpx" >/dev/null
}

# sweep_attack DIR OUT SECONDS ARGS...: the attacker (--screen, SECONDS a
# process) on the cells listed in DIR/small, half to each of two processes
# (one a core), with ARGS (the release folder last); their answers in OUT.
# Sets sweep_rc (0, or the worst exit: 3 when a time limit stopped one) and
# sweep_secs.
sweep_attack() {
	local d=$1 out=$2 tl=$3 h r t0=$SECONDS
	shift 3
	awk -v d="$d" '{ print > (d "/small." (NR % 2)) }' "$d/small"
	touch "$d/small.0" "$d/small.1"
	for h in 0 1; do
		"$RA" --screen --time-limit "$tl" --cells "$d/small.$h" "$@" \
			>"$d/att.$h" 2>"$d/att.$h.err" &
	done
	sweep_rc=0
	for h in 0 1; do wait -n || { r=$?; [ $r -gt $sweep_rc ] && sweep_rc=$r; }; done
	sweep_secs=$((SECONDS - t0))
	{ cat "$d/att.0"; tail -n +2 "$d/att.1"; } >"$out"
}

# sweep_pinned TRUTH-DIR ATTACK-CSV MIN_CELL: how many truly small cells
# (1 to MIN_CELL - 1) the attacker's intervals pin to one value.
sweep_pinned() {
	awk -F, -v mc="$3" 'FNR == 1 { f++; next }
		f == 1 { t[$2 "," $3 "," $4 "," $6 "," $8] = $9; next }
		f == 2 { t[$2 "," $3 "," $4 "__" $5 ",count," $6] = $7; next }
		{ v = t[$1 "," $2 "," $3 "," $4 "," $5] + 0
		  if (v >= 1 && v < mc && $6 != "" && $6 == $7) p++ }
		END { print p + 0 }' "$1/tables.csv" "$1/sums.csv" "$2"
}
