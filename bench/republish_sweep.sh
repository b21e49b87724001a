#!/usr/bin/env bash
# republish_sweep.sh BUILDDIR [FROM [TO]] - the intruder who holds two
# releases of a year (tests/helpers/release_attack --earlier) against many
# small republished years: for each seed FROM..TO (default 500..519) one of
# five sets of kommuner, 12, 35 or 70 persons each (bpagg sample), min_cell
# 3, 5 or 10, the rapport profile (even seeds) or attack_sweep.sh's mixed
# one (odd seeds); release A of all but the set's last kommune, then that
# kommune submits, and on every third seed the first kommune submits new
# data too; release B in the same installation (republish_rule =
# protect_differences).  One line per seed: B's hidden shares, and how many
# primary cells of A or B the two-release attacker bounds below min_cell
# (or pins), against the truth of each release's time; the last line
# counts those years and the ones that could not be published (the new
# submissions wait a second after A, so that republish model 5 tells a
# resubmission by its time).  20 to 70 s a seed
# on two cores.  Never part of make check.  SWEEP_KEEP: a folder to keep
# the seeds with bounded cells in (default: a temporary one, removed).
set -euo pipefail

. "$(dirname "$0")/sweep_lib.sh"
sweep_init republish_sweep "${1:-}"
from=${2:-500}
to=${3:-519}
sets=("0301 1101 1103 1106" "1101 1103 1106 1108 1111 1112" "0301 3101 3103 4601 4602 5001"
	"1101 1103 1106" "4601 4602 4611 4612 4613")
leaky=0 n=0 failed=0
for seed in $(seq "$from" "$to"); do
	all=${sets[$((seed % 5))]}
	first=${all%% *}
	last=${all##* }
	koms=${all% *}
	rows=$(( seed % 3 == 0 ? 12 : seed % 3 == 1 ? 35 : 70 ))
	mc=$(( seed % 4 == 0 ? 3 : seed % 4 == 3 ? 10 : 5 ))
	prof=rapport
	[ $((seed % 2)) = 1 ] && prof=$tmp/mixed.profile
	changed=""
	[ $((seed % 3)) = 0 ] && changed=$first
	d=$tmp/r$seed
	n=$((n + 1))
	# release A, and the truth of its time
	sweep_install "$d" "$koms" $rows "$seed" "$prof" "$mc"
	ra_set "$d/inst/bpagg.conf" method release
	mv "$d/truth" "$d/truthA"
	if ! bpagg publish -c "$d/inst/bpagg.conf" --year 2024 --out "$d/A" >/dev/null 2>"$d/A.err"; then
		echo "seed $seed: release A failed: $(tail -n 1 "$d/A.err")"
		failed=$((failed + 1))
		continue
	fi
	# the last kommune submits; on every third seed the first anew
	sweep_late "$d" "$last" "$rows" "$seed" "$changed"
	sleep 1   # applied a second after A read the store (how model 5 tells a resubmission)
	bpaggd -c "$d/inst/bpagg.conf" --once --foreground 2>/dev/null
	ra_truth "$d" 2024 "$prof"
	mv "$d/truth" "$d/truthB"
	ra_truth_pair "$d/truthB" "$d/truthA" "$changed" "$d/truthAB"
	if ! bpagg publish -c "$d/inst/bpagg.conf" --year 2024 --out "$d/B" >/dev/null 2>"$d/B.err"; then
		echo "seed $seed: release B failed: $(tail -n 1 "$d/B.err")"
		failed=$((failed + 1))
		continue
	fi
	ch=()
	[ -z "$changed" ] || ch=(--changed "$changed")
	if ! "$RA" --screen --earlier "$d/A" "${ch[@]}" "$d/B" >"$d/AB.att" 2>"$d/AB.err"; then
		echo "seed $seed: attacker failed (exit $?): $(tail -n 1 "$d/AB.err")"
		continue
	fi
	res=$(ra_check "$d/truthAB" "$d/AB.att" "$mc" 2>>"$d/AB.err")
	echo "seed $seed [$all${changed:+, $changed anew}] rows $rows min_cell $mc" \
		"$(basename "$prof" .profile): B $(grep -o '"hidden":{[^}]*}' "$d/B/release.json") $res"
	if [ "$(ra_field "$res" bounded)" != 0 ] || [ "$(ra_field "$res" wrong)" != 0 ]; then
		leaky=$((leaky + 1))
	else
		rm -rf "$d"
	fi
done
echo "republish_sweep: $leaky of $n republished years leave primary cells bounded (or an interval wrong); $failed could not be published"
