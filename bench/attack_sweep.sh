#!/usr/bin/env bash
# attack_sweep.sh BUILDDIR [FROM [TO]] - the whole-release attacker
# (tests/helpers/release_attack, its full model over the whole release)
# against many small releases of [publish] method = release: for each seed
# FROM..TO (default 100..125) one of five sets of two to six kommuner,
# 12, 35 or 70 persons each (bpagg sample), min_cell 3, 5 or 10, and the
# rapport profile (even seeds) or a smaller mixed one (odd seeds); every
# level.  One line per release: the hidden shares, and how many primary
# cells the attacker bounds below min_cell (or pins), against the truth
# (the same store published with min_cell = 1).  Small releases are where
# the release model, coarser than the attacker, shows its gaps
# (bpagg-publish(1), "The release model").  About 25 s a seed on two
# cores.  Never part of make check.  SWEEP_KEEP: a folder to keep the
# releases of the seeds with bounded cells in (default: a temporary one,
# removed).  SWEEP_RA_OPTS: more options of the attacker (e.g. --ages).
# SWEEP_SET: more settings of bpagg.conf, "key=value" separated by spaces
# (e.g. "suppress_zero=yes republish_rule=refuse"); with suppress_zero=yes
# hidden zeros count as primary cells too.
set -euo pipefail

. "$(dirname "$0")/sweep_lib.sh"
sweep_init attack_sweep "${1:-}"
from=${2:-100}
to=${3:-125}
sets=("0301 1101 1103 1106" "1101 1103 1106 1108 1111 1112" "0301 3101 3103 4601 4602 5001"
	"1101 1103" "4601 4602 4611 4612 4613")
leaky=0 n=0
for seed in $(seq "$from" "$to"); do
	koms=${sets[$((seed % 5))]}
	rows=$(( seed % 3 == 0 ? 12 : seed % 3 == 1 ? 35 : 70 ))
	mc=$(( seed % 4 == 0 ? 3 : seed % 4 == 3 ? 10 : 5 ))
	prof=rapport
	[ $((seed % 2)) = 1 ] && prof=$tmp/mixed.profile
	d=$tmp/s$seed
	sweep_install "$d" "$koms" $rows "$seed" "$prof" "$mc"
	# after the truth, which shows every cell (zeros too)
	for kv in ${SWEEP_SET:-}; do ra_set "$d/inst/bpagg.conf" "${kv%%=*}" "${kv#*=}"; done
	n=$((n + 1))
	if ! ra_publish "$d" rel release 2>"$d/publish.err"; then
		echo "seed $seed: publish failed: $(tail -n 1 "$d/publish.err")"
		continue
	fi
	"$RA" --screen ${SWEEP_RA_OPTS:-} "$d/rel" >"$d/rel.att" 2>"$d/rel.err" || { echo "seed $seed: attacker failed"; continue; }
	zeros=0
	case " ${SWEEP_SET:-} " in *" suppress_zero=yes "*) zeros=1 ;; esac
	res=$(RA_ZEROS=$zeros ra_check "$d/truth" "$d/rel.att" "$mc" 2>>"$d/rel.err")
	echo "seed $seed [$koms] rows $rows min_cell $mc $(basename "$prof" .profile)${SWEEP_SET:+ $SWEEP_SET}:" \
		"$(grep -o '"hidden":{[^}]*}' "$d/rel/release.json") $res"
	if [ "$(ra_field "$res" bounded)" != 0 ]; then
		leaky=$((leaky + 1))
	else
		rm -rf "$d"
	fi
done
echo "attack_sweep: $leaky of $n releases leave primary cells bounded"
