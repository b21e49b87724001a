#!/usr/bin/env bash
# bench/ingest_pg.sh [BUILDDIR] - bpaggd's ingest with the store on
# PostgreSQL against the same on SQLite, in the same run.
#
# Seals BENCH_FILES (default 50) sample exports of BENCH_ROWS (default
# 10 000) rows each, one per kommune, starts a throw-away PostgreSQL from
# Debian's packages (tests/helpers/pg_lib.sh, on a Unix socket, with fsync
# on like SQLite's synchronous=FULL), and times bpaggd --once over the same
# files into a SQLite store and into the PostgreSQL store. Prints rows/s of
# each and their ratio. Not part of make check: `make bench` runs it.
set -euo pipefail
build=$(cd "${1:-.}" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$build:$PATH"
export BPAGG_REGISTRY=${BPAGG_REGISTRY:-$top/conf/kommuner.csv}
files=${BENCH_FILES:-50}
rows=${BENCH_ROWS:-10000}
year=2024

. "$top/tests/helpers/pg_lib.sh"
T=$(mktemp -d /tmp/bpagg-bench-pg.XXXXXX)
trap 'pg_stop; rm -rf "$T"' EXIT
PG_FSYNC=on pg_start
dsn=$(pg_createdb bpagg_bench)
bpagg init "$T/c" >/dev/null
C=$T/c/bpagg.conf
# The PostgreSQL installation: the same keys, its own inbox and archive; the
# other settings are the defaults, as bpagg init wrote them into $C (a copy of
# $C with these appended would give them twice, an error).
mkdir -p "$T/p"
for d in inbox archive rejected outbox; do mkdir -m 0700 "$T/p/$d"; done
P=$T/p/bpagg.conf
printf '[paths]\ninbox = %s\narchive = %s\nrejected = %s\noutbox = %s\nkeys = %s\nregistry = %s\nsuppression_log = %s\n[store]\nbackend = postgresql\ndsn = %s\n' \
	"$T/p/inbox" "$T/p/archive" "$T/p/rejected" "$T/p/outbox" "$T/c/keys" "$T/c/kommuner.csv" \
	"$T/p/suppression.log" "$dsn" >"$P"
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

# run CONF INBOX: seconds of bpaggd --once over the sealed files.
run() {
	cp "$T/sealed"/*.bpx "$2/"
	sync
	local t0 t1 n
	t0=$(now)
	bpaggd -c "$1" --once --foreground 2>"$T/bpaggd.log"
	t1=$(now)
	n=$(grep -c ': merged ' "$T/bpaggd.log" || true)
	[ "$n" -eq "$files" ] || { echo "bench: only $n of $files files merged" >&2; tail "$T/bpaggd.log" >&2; exit 1; }
	echo "$t0 $t1" | awk '{ print $2 - $1 }'
}
# The store is created by a first open (not timed): both start empty.
bpagg status -c "$P" >/dev/null
t_sq=$(run "$C" "$T/c/inbox")
t_pg=$(run "$P" "$T/p/inbox")
awk -v rows="$total" -v files="$files" -v sq="$t_sq" -v pg="$t_pg" 'BEGIN {
	printf "files %d, rows %d\n", files, rows
	printf "bpaggd --once, SQLite store:      %8.3f s  %10.0f rows/s\n", sq, rows / sq
	printf "bpaggd --once, PostgreSQL store:  %8.3f s  %10.0f rows/s\n", pg, rows / pg
	printf "ratio PostgreSQL / SQLite (time): %8.2f\n", pg / sq
}'
