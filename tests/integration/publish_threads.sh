#!/usr/bin/env bash
# publish_threads.sh - release model version 4 and later audit a component of more
# than 1 500 hidden cells in four fixed chunks on threads (bpagg-publish(1),
# "Model version 4").  A year of KOMMUNER kommuner (rapport, every level)
# large enough for such a component is published on one thread and, in a
# copy of the installation, on two: the tables are the same, and bpagg
# audit re-derives each release on the other thread count.
set -euo pipefail

. "$BP_SRCDIR/tests/helpers/attack_lib.sh"
ra_test_init publish_threads
n=${KOMMUNER:-100}
koms=$(awk -F, -v n="$n" 'NR > 1 && NR <= n + 1 { print $1 }' "$BPAGG_REGISTRY")
ra_install "$tmp" 2024 "$koms" 40 3
cp -r "$tmp/inst" "$tmp/inst2"

BPAGG_THREADS=1 BPAGG_DEBUG_SUPPRESS=1 bpagg publish -c "$tmp/inst/bpagg.conf" --year 2024 \
	--out "$tmp/r1" >/dev/null 2>"$tmp/debug1" || fail "publish on one thread: $(tail -1 "$tmp/debug1")"
# the release model's own line (the groups' lines come first)
chunked=$(grep -o 'chunked [0-9]*' "$tmp/debug1" | tail -n 1 | cut -d' ' -f2)
[ "${chunked:-0}" -gt 0 ] || fail "no component was audited in chunks: the test proves nothing"
BPAGG_THREADS=2 bpagg publish -c "$tmp/inst2/bpagg.conf" --year 2024 --out "$tmp/r2" >/dev/null ||
	fail "publish on two threads"
grep -q '"model":12' "$tmp/r1/release.json" || fail "not a model 12 release"
cmp -s "$tmp/r1/tables.csv" "$tmp/r2/tables.csv" ||
	fail "one thread and two hide different cells: $(diff "$tmp/r1/tables.csv" "$tmp/r2/tables.csv" | grep -c '^<') rows"
cmp -s "$tmp/r1/sums.csv" "$tmp/r2/sums.csv" || fail "sums.csv differs between one thread and two"

out=$(BPAGG_THREADS=2 bpagg audit -c "$tmp/inst/bpagg.conf") ||
	fail "the one-thread release does not verify on two threads: $out"
grep -q 're-derived, suppression matches' <<<"$out" || fail "not re-derived: $out"
out=$(BPAGG_THREADS=1 bpagg audit -c "$tmp/inst2/bpagg.conf") ||
	fail "the two-thread release does not verify on one thread: $out"
grep -q 're-derived, suppression matches' <<<"$out" || fail "not re-derived: $out"
echo "ok: $n kommuner, $chunked component audits in chunks, the same tables on one thread and two"
