#!/usr/bin/env bash
# bpagg check's messages for the mistakes a kommune makes with a whole file
# (issue 11, item 9): a file without its header line says the first line
# looks like data (one error, not one per column); a quote never closed is
# named at the line where it opens, both when the rest of the file is long
# (instead of "row longer than 4096 bytes") and when the file ends inside
# it. No value of the file is printed.
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; [ ! -f "$tmp/err" ] || grep -v '[0-9]\{11\}' "$tmp/err" | head -5; exit 1; }
gen=$BP_SRCDIR/tests/fixtures/export/gen_rows.awk
awk -v n=200 -v kommune=0301 -v year=2024 -f "$gen" >"$tmp/good.csv"
bpagg check "$tmp/good.csv" --kommune 0301 --year 2024 --quiet >/dev/null || fail "the fixture is not valid"
check() { local rc=0; bpagg check "$1" --kommune 0301 --year 2024 >"$tmp/out" 2>"$tmp/err" || rc=$?; echo $rc; }

# 1. No header line: one error at line 1.
sed 1d "$tmp/good.csv" >"$tmp/nohdr.csv"
[ "$(check "$tmp/nohdr.csv")" -eq 65 ] || fail "no header: exit"
grep -q -F "$tmp/nohdr.csv:1:0: the first line looks like data, not a header" "$tmp/err" || fail "no header"
[ "$(grep -c "^$tmp/nohdr.csv:[0-9]" "$tmp/err")" -eq 1 ] || fail "no header: more than one error"

# 2. An opening quote on line 50 that is never closed, 150 rows (far more
# than 4096 bytes) after it: said at line 50, column of the field.
awk -F';' -v OFS=';' 'NR == 50 { $5 = "\"" $5 } { print }' "$tmp/good.csv" >"$tmp/open.csv"
[ "$(stat -c %s "$tmp/open.csv")" -gt 8192 ] || fail "the fixture is too short"
[ "$(check "$tmp/open.csv")" -eq 65 ] || fail "open quote: exit"
grep -q -F "$tmp/open.csv:50:5: alder: a quoted field opens here and is not closed within 4096 bytes" "$tmp/err" ||
	fail "open quote not named at line 50"
grep -q "longer than 4096" "$tmp/err" && fail "open quote reported as a long row"

# 3. The same quote on the second-to-last line: the file ends inside it.
awk -F';' -v OFS=';' 'NR == 200 { $5 = "\"" $5 } { print }' "$tmp/good.csv" >"$tmp/end.csv"
[ "$(check "$tmp/end.csv")" -eq 65 ] || fail "quote at the end: exit"
grep -q -F "$tmp/end.csv:200:5: alder: a quoted field opens here and is not closed before the end of the file" \
	"$tmp/err" || fail "quote to the end not named at line 200"

# 4. A real long row is still one.
awk -F';' -v OFS=';' 'NR == 20 { s = sprintf("%5000s", ""); gsub(/ /, "x", s); $5 = s } { print }' \
	"$tmp/good.csv" >"$tmp/long.csv"
[ "$(check "$tmp/long.csv")" -eq 65 ] || fail "long row: exit"
grep -q -F "$tmp/long.csv:20:0: row longer than 4096 bytes" "$tmp/err" || fail "long row"

# Nothing of the files is echoed: no field of the good file.
awk -F';' 'NR > 1 { print $1 }' "$tmp/good.csv" | sort -u >"$tmp/ids"
for f in nohdr open end long; do
	check "$tmp/$f.csv" >/dev/null
	! grep -q -F -f "$tmp/ids" "$tmp/err" "$tmp/out" || fail "$f: a person_id was printed"
done
echo "check_messages: ok"
