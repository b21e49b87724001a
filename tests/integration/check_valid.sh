#!/usr/bin/env bash
# bpagg check accepts a large valid export (both delimiters, CRLF, BOM), and
# refuses it for another kommune, another year, or with a repeated row.
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gen=$BP_SRCDIR/tests/fixtures/export/gen_rows.awk

awk -v n=20000 -v kommune=1103 -v year=2020 -f "$gen" >"$tmp/big.csv"
bpagg check "$tmp/big.csv" --kommune 1103 --year 2020 >"$tmp/out" 2>"$tmp/err"
grep -q -F "$tmp/big.csv: valid: 20000 rows" "$tmp/out"
[ ! -s "$tmp/err" ]

# Comma-separated, CRLF, with a byte-order mark.
{ printf '\357\273\277'; awk -v n=500 -v kommune=0301 -v year=2024 -v fs=, -v eol='\r\n' -f "$gen"; } >"$tmp/crlf.csv"
bpagg check "$tmp/crlf.csv" --kommune 0301 --year 2024 --quiet >"$tmp/out"
[ ! -s "$tmp/out" ]

# The same file for another kommune or year: every row is wrong. A wrong
# --kommune is one error (at the first row, with the count), not 500.
rc=0
bpagg check "$tmp/crlf.csv" --kommune 4601 --year 2024 2>"$tmp/err" || rc=$?
[ "$rc" -eq 65 ]
grep -q -F "$tmp/crlf.csv:2:2: kommune: expected the submission's kommune 4601; 500 rows hold another kommune" "$tmp/err"
grep -q "invalid: 1 error in 500 rows" "$tmp/err"
[ "$(wc -l <"$tmp/err")" -eq 2 ]
rc=0
bpagg check "$tmp/crlf.csv" --kommune 0301 --year 2023 2>/dev/null || rc=$?
[ "$rc" -eq 65 ]

# A row given twice: the second is reported by line, the number never.
{ cat "$tmp/big.csv"; sed -n 5000p "$tmp/big.csv"; } >"$tmp/dup.csv"
rc=0
bpagg check "$tmp/dup.csv" --kommune 1103 --year 2020 2>"$tmp/err" || rc=$?
[ "$rc" -eq 65 ]
grep -q -F "$tmp/dup.csv:20002:1: person_id: the same person_id as on line 5000;" "$tmp/err"
[ "$(wc -l <"$tmp/err")" -eq 2 ]

# A kommune missing from the registry is refused even when expected.
printf 'kommunenummer,navn,fylkesnummer,fylke,innbyggere,innbyggere_18plus,aar\n0301,Oslo,03,Oslo,10,5,2024\n' >"$tmp/reg.csv"
rc=0
bpagg check "$tmp/big.csv" --kommune 1103 --year 2020 --registry "$tmp/reg.csv" 2>"$tmp/err" || rc=$?
[ "$rc" -eq 65 ]
grep -q "kommunenummer not in the kommune registry" "$tmp/err"
# ... said once, not once per row of the 20 000.
[ "$(wc -l <"$tmp/err")" -eq 1 ]
# A broken registry is a configuration error.
printf 'kommunenummer,navn\n' >"$tmp/reg.csv"
rc=0
bpagg check "$tmp/big.csv" --kommune 1103 --year 2020 --registry "$tmp/reg.csv" 2>/dev/null || rc=$?
[ "$rc" -eq 78 ]
echo "check_valid: ok"
