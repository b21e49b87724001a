# sweep_lib.sh - sourced by bench/attack_sweep.sh and bench/republish_sweep.sh:
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
