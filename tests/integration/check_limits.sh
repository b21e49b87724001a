#!/usr/bin/env bash
# bpagg check and seal with a small --max-rows report "more than N rows" at
# the line of row N+1 (not an empty file), a --max-rows above 10000000 is a
# usage error (64), a read stopped by its byte bound names its line, and a
# FIFO given as the export is refused at once as not a regular file (exit
# 66), not read; a FIFO as the registry is refused too (exit 78).
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gen=$BP_SRCDIR/tests/fixtures/export/gen_rows.awk

awk -v n=2000 -v kommune=1103 -v year=2020 -f "$gen" >"$tmp/big.csv"
for n in 1 10 500; do
	rc=0
	bpagg check "$tmp/big.csv" --kommune 1103 --year 2020 --max-rows $n 2>"$tmp/err" || rc=$?
	[ "$rc" -eq 65 ] || { echo "FAIL: --max-rows $n exited $rc"; exit 1; }
	grep -q -F "$tmp/big.csv:$((n + 2)):0: more than $n rows" "$tmp/err" ||
		{ echo "FAIL: --max-rows $n: $(head -n 2 "$tmp/err")"; exit 1; }
	! grep -q 'empty file' "$tmp/err" || { echo "FAIL: --max-rows $n reported an empty file"; exit 1; }
done
echo "ok: --max-rows 1, 10, 500 reported at the right line"
# --max-rows beyond seal's and the daemon's bound is a usage error: a huge
# one wrapped the byte limit of the read, and a valid file was refused with
# a false error (found by a hostile review)
head -n 21 "$tmp/big.csv" >"$tmp/small.csv"
bpagg check "$tmp/small.csv" --kommune 1103 --year 2020 --quiet --max-rows 10000000 ||
	{ echo "FAIL: --max-rows 10000000 refused a valid file"; exit 1; }
for n in 10000001 18446744073709551615 18446744073709551614; do
	rc=0
	bpagg check "$tmp/small.csv" --kommune 1103 --year 2020 --max-rows $n 2>"$tmp/err" || rc=$?
	[ "$rc" -eq 64 ] && grep -q 'expects 1..10000000' "$tmp/err" ||
		{ echo "FAIL: --max-rows $n exited $rc: $(head -n 2 "$tmp/err")"; exit 1; }
done
echo "ok: --max-rows above 10000000 is a usage error"
# Empty lines (allowed only at the end) count toward the bytes the read
# takes: a row followed by 20 000 of them passes --max-rows 1's bound of
# (1 + 2) rows of 4 098 bytes, and the refusal names the line where the
# read stopped (it named the file only).
{ head -n 2 "$tmp/big.csv"; awk 'BEGIN { for (i = 0; i < 20000; i++) print "" }'; } >"$tmp/blank.csv"
stop=$(( $(head -c $((3 * 4098)) "$tmp/blank.csv" | tr -cd '\n' | wc -c) + 1 ))
rc=0
bpagg check "$tmp/blank.csv" --kommune 1103 --year 2020 --max-rows 1 2>"$tmp/err" || rc=$?
[ "$rc" -eq 65 ] && grep -q -F "$tmp/blank.csv:$stop:0: larger than max_rows rows of 4096 bytes (empty lines count too)" "$tmp/err" ||
	{ echo "FAIL: empty lines past --max-rows 1: exit $rc: $(head -n 2 "$tmp/err")"; exit 1; }
bpagg check "$tmp/blank.csv" --kommune 1103 --year 2020 --quiet ||
	{ echo "FAIL: the same file refused with the default --max-rows"; exit 1; }
echo "ok: empty lines past the bound of the read: refused at line $stop"

bpagg keygen kommune 1103 --out "$tmp" >/dev/null
bpagg init "$tmp/c" >/dev/null
rc=0
bpagg seal "$tmp/big.csv" --kommune 1103 --year 2020 --key "$tmp/1103.sign.sk" \
	--to "$tmp/c/keys/central.box.pk" -o "$tmp/out.bpx" --max-rows 3 2>"$tmp/err" || rc=$?
[ "$rc" -eq 65 ] && [ ! -e "$tmp/out.bpx" ] || { echo "FAIL: seal --max-rows 3 exited $rc"; exit 1; }
grep -q -F "$tmp/big.csv:5:0: more than 3 rows" "$tmp/err" || { echo "FAIL: seal: $(head -n 2 "$tmp/err")"; exit 1; }
echo "ok: seal --max-rows 3 refused at line 5"

mkfifo "$tmp/fifo.csv"
rc=0
# The timeout guards against a hang only (a FIFO without a writer).
timeout 30 bpagg check "$tmp/fifo.csv" --kommune 1103 --year 2020 2>"$tmp/err" || rc=$?
[ "$rc" -eq 66 ] || { echo "FAIL: check of a FIFO exited $rc"; exit 1; }
grep -q 'not a regular file' "$tmp/err" || { echo "FAIL: FIFO: $(cat "$tmp/err")"; exit 1; }
echo "ok: a FIFO is refused, not read"

# The same for the registry: refused as a configuration error, not waited on.
rc=0
timeout 30 bpagg check "$tmp/big.csv" --kommune 1103 --year 2020 --registry "$tmp/fifo.csv" \
	2>"$tmp/err" || rc=$?
[ "$rc" -eq 78 ] || { echo "FAIL: check with a FIFO as registry exited $rc"; exit 1; }
grep -q -F "$tmp/fifo.csv:0:0: expected a regular file" "$tmp/err" ||
	{ echo "FAIL: FIFO registry: $(cat "$tmp/err")"; exit 1; }
echo "ok: a FIFO as the registry is refused, not read"
