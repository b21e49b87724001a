#!/usr/bin/env bash
# bench/ingest.sh [BUILDDIR] - end-to-end ingest speed of bpaggd.
#
# Seals BENCH_FILES (default 100) sample exports of BENCH_ROWS (default
# 10 000) rows each, one per kommune, then measures in the same run:
#   baseline: bench/ingest_decrypt opening every file (bp_open_* only);
#   bpaggd --once over the same files in the inbox (decrypt, validate,
#   pseudonymise, classify, store, receipt, archive).
#   bpaggd --once over the same files again: each an exact replay of a
#   submission applied already ([ingest] replays_per_day raised so that
#   each gets its receipt), known from its signed head, the store and a
#   comparison with the archived copy, before any decryption.
# Prints rows/s of each and their ratios. Not part of make check: run it
# with `make bench` or by hand.
set -euo pipefail
build=$(cd "${1:-.}" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$build:$PATH"
export BPAGG_REGISTRY=${BPAGG_REGISTRY:-$top/conf/kommuner.csv}
files=${BENCH_FILES:-100}
rows=${BENCH_ROWS:-10000}
year=2024

T=$(mktemp -d /tmp/bpagg-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
bpagg init "$T/c" >/dev/null
C=$T/c/bpagg.conf
mkdir -p "$T/sealed" "$T/k"
mapfile -t kommuner < <(awk -F, 'NR > 1 { print $1 }' "$BPAGG_REGISTRY" | head -n "$files")
echo "sealing $files exports of $rows rows ..." >&2
for i in "${!kommuner[@]}"; do
	k=${kommuner[$i]}
	bpagg keygen kommune "$k" --out "$T/k" >/dev/null
	bpagg register -c "$C" "$k" "$T/k/$k.sign.pk" >/dev/null
	bpagg sample --kommune "$k" --year $year --rows "$rows" --seed "$i" -o "$T/k/e.csv"
	bpagg seal "$T/k/e.csv" --kommune "$k" --year $year --key "$T/k/$k.sign.sk" \
		--to "$T/c/keys/central.box.pk" -o "$T/sealed/$k.bpx" >/dev/null
	rm -f "$T/k/e.csv"
done
total=$((files * rows))
now() { date +%s.%N; }

sync
base=$("$build/bench/ingest_decrypt" "$T/c/keys" "$T/sealed"/*.bpx)
t_dec=$(echo "$base" | awk '{ print $6 }')

cp "$T/sealed"/*.bpx "$T/c/inbox/"
sync
t0=$(now)
TIMEFORMAT='%U %S'
{ time bpaggd -c "$C" --once --foreground 2>"$T/bpaggd.log"; } 2>"$T/cpu"
t1=$(now)
cpu=$(awk '{ print $1 + $2 }' "$T/cpu")
n=$(grep -c ': merged ' "$T/bpaggd.log" || true)
[ "$n" -eq "$files" ] || { echo "bench: only $n of $files files merged" >&2; tail "$T/bpaggd.log" >&2; exit 1; }

# the same files again: exact replays
sed -i 's/^replays_per_day = .*/replays_per_day = 1000000/' "$C"
grep -q '^replays_per_day = 1000000' "$C" || { echo "bench: cannot set replays_per_day" >&2; exit 1; }
cp "$T/sealed"/*.bpx "$T/c/inbox/"
sync
t2=$(now)
{ time bpaggd -c "$C" --once --foreground 2>"$T/replay.log"; } 2>"$T/cpu2"
t3=$(now)
cpu2=$(awk '{ print $1 + $2 }' "$T/cpu2")
n=$(grep -c ': already applied ' "$T/replay.log" || true)
[ "$n" -eq "$files" ] || { echo "bench: only $n of $files replays already applied" >&2; tail "$T/replay.log" >&2; exit 1; }

awk -v rows="$total" -v td="$t_dec" -v t0="$t0" -v t1="$t1" -v files="$files" -v cpu="$cpu" \
    -v t2="$t2" -v t3="$t3" -v cpu2="$cpu2" 'BEGIN {
	te = t1 - t0
	printf "files %d, rows %d\n", files, rows
	printf "decrypt only (bp_open_*):      %8.3f s  %10.0f rows/s\n", td, rows / td
	printf "bpaggd --once end to end:      %8.3f s  %10.0f rows/s\n", te, rows / te
	printf "  of which bpaggd CPU time:    %8.3f s (the rest: fsync, waiting)\n", cpu
	printf "ratio end-to-end / decrypt:    %8.2f\n", te / td
	tr = t3 - t2
	printf "the same files replayed:       %8.3f s  %10.0f rows/s\n", tr, rows / tr
	printf "  of which bpaggd CPU time:    %8.3f s\n", cpu2
	printf "ratio replays / decrypt:       %8.2f\n", tr / td
	printf "ratio replays / first ingest:  %8.2f\n", tr / te
}'
