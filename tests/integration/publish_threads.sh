#!/usr/bin/env bash
# publish_threads.sh - release model version 4 and later audit a component of more
# than 1 500 hidden cells in four fixed chunks on threads (bpagg-publish(1),
# "Model version 4").  A year of KOMMUNER kommuner (rapport, every level)
# large enough for such a component is published on one thread and, in a
# copy of the installation, on two: the tables are the same, the
# whole-release check started beside the per-area check is kept and makes
# the same solves, and bpagg audit re-derives each release on the other
# thread count.  Then the check of each area (model 7 on), whose areas run
# on threads: a small release whose check hides cells in several areas is
# the same on one thread and three (two for the areas), and the
# whole-release check started beside it is kept all the same (model 20 on:
# it checks the pattern the per-area check starts from, and the release
# hides what either hid).  Under the sanitizers the large year is published
# on two threads only, and not audited (the plain build's run audits it on
# one thread and on two; this left the sanitizer build's slowest test at
# four minutes).
set -euo pipefail

. "$BP_SRCDIR/tests/helpers/attack_lib.sh"
ra_test_init publish_threads
n=${KOMMUNER:-100}
koms=$(awk -F, -v n="$n" 'NR > 1 && NR <= n + 1 { print $1 }' "$BPAGG_REGISTRY")
ra_install "$tmp" 2024 "$koms" 40 3
cp -r "$tmp/inst" "$tmp/inst2"

# Under the sanitizers a publish of this year costs a minute: there only
# the two-thread publish is made (the chunks on threads under the
# sanitizers); the comparisons are the plain build's.
if [ -z "${BP_SANITIZED:-}" ]; then
	BPAGG_THREADS=1 BPAGG_DEBUG_SUPPRESS=1 bpagg publish -c "$tmp/inst/bpagg.conf" --year 2024 \
		--out "$tmp/r1" >/dev/null 2>"$tmp/debug1" || fail "publish on one thread: $(tail -1 "$tmp/debug1")"
	grep -q 'started beside the per-area check' "$tmp/debug1" &&
		fail "one thread started the whole-release check beside the per-area check"
fi
BPAGG_THREADS=2 BPAGG_DEBUG_SUPPRESS=1 bpagg publish -c "$tmp/inst2/bpagg.conf" --year 2024 \
	--out "$tmp/r2" >/dev/null 2>"$tmp/debug2" || fail "publish on two threads: $(tail -1 "$tmp/debug2")"
# the release model's own line (the groups' lines come first)
chunked=$(grep -o 'chunked [0-9]*' "$tmp/debug2" | tail -n 1 | cut -d' ' -f2)
[ "${chunked:-0}" -gt 0 ] || fail "no component was audited in chunks: the test proves nothing"
# the whole-release check: on two threads it starts beside the per-area
# check (which hides nothing here) and is kept; it makes the same solves
grep -q '^  whole-release check: started beside the per-area check$' "$tmp/debug2" ||
	fail "two threads did not start the whole-release check beside the per-area check"
grep -q '^  whole-release check: kept$' "$tmp/debug2" ||
	fail "the whole-release check started beside was not kept: $(grep 'whole-release' "$tmp/debug2")"
solves=$(grep '^  whole-release check: [0-9]* solves' "$tmp/debug2")
[ -n "$solves" ] || fail "no whole-release check was made: the test proves nothing"
grep -q '"model":24' "$tmp/r2/release.json" || fail "not a model 24 release"
if [ -z "${BP_SANITIZED:-}" ]; then
	[ "$solves" = "$(grep '^  whole-release check: [0-9]* solves' "$tmp/debug1")" ] ||
		fail "the whole-release check differs between one thread and two"
	[ "$(grep -o 'chunked [0-9]*' "$tmp/debug1" | tail -n 1 | cut -d' ' -f2)" = "$chunked" ] ||
		fail "one thread and two audit different numbers of components in chunks"
	cmp -s "$tmp/r1/tables.csv" "$tmp/r2/tables.csv" ||
		fail "one thread and two hide different cells: $(diff "$tmp/r1/tables.csv" "$tmp/r2/tables.csv" | grep -c '^<') rows"
	cmp -s "$tmp/r1/sums.csv" "$tmp/r2/sums.csv" || fail "sums.csv differs between one thread and two"
	out=$(BPAGG_THREADS=2 bpagg audit -c "$tmp/inst/bpagg.conf") ||
		fail "the one-thread release does not verify on two threads: $out"
	grep -q 're-derived, suppression matches' <<<"$out" || fail "not re-derived: $out"
	out=$(BPAGG_THREADS=1 bpagg audit -c "$tmp/inst2/bpagg.conf") ||
		fail "the two-thread release does not verify on one thread: $out"
	grep -q 're-derived, suppression matches' <<<"$out" || fail "not re-derived: $out"
fi

# both DIR NAME [ARGS...]: DIR/inst published on one thread into DIR/r1,
# a copy (DIR/inst2) on three into DIR/r2, with ARGS; debug output in
# DIR/debug1 and DIR/debug2.  Three: the whole-release check runs beside
# the per-area check on one, and the areas get the others (on two cores
# they run in turn beside it, release_areas.c), so two threads check them.
both() {
	local d=$1 name=$2 t in
	shift 2
	cp -r "$d/inst" "$d/inst2"
	for t in 1 2; do
		in=$d/inst
		[ "$t" = 1 ] || in=$d/inst2
		BPAGG_THREADS=$((t == 1 ? 1 : 3)) BPAGG_DEBUG_SUPPRESS=1 bpagg publish \
			-c "$in/bpagg.conf" --year 2024 --out "$d/r$t" "$@" >/dev/null 2>"$d/debug$t" ||
			fail "$name: publish on $((t == 1 ? 1 : 3)) thread(s): $(tail -n 1 "$d/debug$t")"
	done
}

# nasjonal and fylke: three areas; the check hides cells in the nation and
# in fylker 31 and 46 (min_cell 5, 60 persons, seed 137)
j=$tmp/joint
mkdir -p "$j"
ra_install "$j" 2024 "3101 3103 4601 4602" 60 137
ra_set "$j/inst/bpagg.conf" min_cell 5
both "$j" joint --level nasjonal --level fylke
grep -q '^  joint check: 3 areas, in turn$' "$j/debug1" ||
	fail "joint: one thread did not check the three areas in turn"
grep -q '^  joint check: 3 areas, on threads$' "$j/debug2" ||
	fail "joint: three threads did not check the three areas on two"
areas=$(grep -E '^  joint check: (nasjonal|fylke) .* hides a cell of [0-9]+$' "$j/debug2" |
	awk '{ print $3, $4 }' | sort -u | wc -l)
[ "$areas" -ge 2 ] || fail "joint: the check hid cells in $areas area(s): the case is gone"
cmp -s "$j/r1/tables.csv" "$j/r2/tables.csv" ||
	fail "joint: one thread and three hide different cells: $(diff "$j/r1/tables.csv" "$j/r2/tables.csv" | grep -c '^<') rows"
cmp -s "$j/r1/sums.csv" "$j/r2/sums.csv" || fail "joint: sums.csv differs between one thread and three"
# the whole-release check started beside it is kept (model 20 on), though
# the per-area check hid cells
grep -q '^  whole-release check: kept$' "$j/debug2" ||
	fail "joint: the whole-release check started beside was not kept"
# the rounds of the check (what each found and hid) are the same too
[ "$(grep '^  joint check: [0-9]* primary' "$j/debug1")" = \
	"$(grep '^  joint check: [0-9]* primary' "$j/debug2")" ] ||
	fail "joint: the rounds of the check differ between one thread and three"

# a whole-release check started beside the per-area check that hides
# cells itself (Oslo and three kommuner of fylke 11, 35 persons, min_cell 3,
# seed 100): kept, its complements are in the release as on one thread
w=$tmp/whole
mkdir -p "$w"
ra_install "$w" 2024 "0301 1101 1103 1106" 35 100
ra_set "$w/inst/bpagg.conf" min_cell 3
both "$w" whole
grep -Eq '^  whole-release check: [0-9]+ primary cells, [0-9]+ checked one by one, [1-9][0-9]* complements$' \
	"$w/debug2" || fail "whole: the whole-release check hid no cell (the case is gone)"
grep -q '^  whole-release check: kept$' "$w/debug2" ||
	fail "whole: the whole-release check started beside was not kept"
cmp -s "$w/r1/tables.csv" "$w/r2/tables.csv" ||
	fail "whole: one thread and three hide different cells: $(diff "$w/r1/tables.csv" "$w/r2/tables.csv" | grep -c '^<') rows"

same="the same tables on one thread and two"
[ -z "${BP_SANITIZED:-}" ] || same="on two threads (compared by the plain build's run)"
echo "ok: $n kommuner, $chunked component audits in chunks, $same;" \
	"the check of $areas areas that hide cells, the same on one thread and three;" \
	"the whole-release check started beside it kept or dropped as it should"
