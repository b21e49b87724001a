#!/usr/bin/env bash
# publish_threads.sh - release model version 4 and later audit a component of more
# than 1 500 hidden cells in four fixed chunks on threads (bpagg-publish(1),
# "Model version 4").  A year of KOMMUNER kommuner (rapport, every level)
# large enough for such a component is published on one thread and, in a
# copy of the installation, on two: the tables are the same, and bpagg
# audit re-derives each release on the other thread count.  Then the check
# of each area (model 7 on), whose areas run on threads: a small release
# whose check hides cells in several areas is the same on one thread and
# two.
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

# nasjonal and fylke: three areas; the check hides cells in the nation and
# in fylker 31 and 46 (min_cell 5, 60 persons, seed 137)
j=$tmp/joint
mkdir -p "$j"
ra_install "$j" 2024 "3101 3103 4601 4602" 60 137
ra_set "$j/inst/bpagg.conf" min_cell 5
cp -r "$j/inst" "$j/inst2"
for t in 1 2; do
	in=$j/inst
	[ "$t" = 1 ] || in=$j/inst2
	BPAGG_THREADS=$t BPAGG_DEBUG_SUPPRESS=1 bpagg publish -c "$in/bpagg.conf" --year 2024 \
		--out "$j/r$t" --level nasjonal --level fylke >/dev/null 2>"$j/debug$t" ||
		fail "joint: publish on $t thread(s): $(tail -n 1 "$j/debug$t")"
done
grep -q '^  joint check: 3 areas, in turn$' "$j/debug1" ||
	fail "joint: one thread did not check the three areas in turn"
grep -q '^  joint check: 3 areas, on threads$' "$j/debug2" ||
	fail "joint: two threads did not check the three areas on threads"
areas=$(grep -E '^  joint check: (nasjonal|fylke) .* hides a cell of [0-9]+$' "$j/debug2" |
	awk '{ print $3, $4 }' | sort -u | wc -l)
[ "$areas" -ge 2 ] || fail "joint: the check hid cells in $areas area(s): the case is gone"
cmp -s "$j/r1/tables.csv" "$j/r2/tables.csv" ||
	fail "joint: one thread and two hide different cells: $(diff "$j/r1/tables.csv" "$j/r2/tables.csv" | grep -c '^<') rows"
cmp -s "$j/r1/sums.csv" "$j/r2/sums.csv" || fail "joint: sums.csv differs between one thread and two"
# the rounds of the check (what each found and hid) are the same too
[ "$(grep '^  joint check: [0-9]* primary' "$j/debug1")" = \
	"$(grep '^  joint check: [0-9]* primary' "$j/debug2")" ] ||
	fail "joint: the rounds of the check differ between one thread and two"

echo "ok: $n kommuner, $chunked component audits in chunks, the same tables on one thread and two;" \
	"the check of $areas areas that hide cells, the same on one thread and two"
