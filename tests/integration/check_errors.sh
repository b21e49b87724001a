#!/usr/bin/env bash
# bpagg check on an export with exactly 10 different errors: all 10 are
# printed as FILE:LINE:COL: column: message, no value of the file is, and the
# exit status is 65; a year bpaggd would refuse is invalid too. Then the
# exit statuses of usage and input problems.
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gen=$BP_SRCDIR/tests/fixtures/export/gen_rows.awk
f=$tmp/bad.csv

# row:column=value; each on its own row, each a different rule.
errs="1:person_id=01010112345,2:kommune=0301,3:aar=2015,4:kjonn=X,5:alder=9"
errs="$errs,6:rusproblem=,8:bolig=blue,10:alkohol=,12:lar=ja,14:tjenester_kommune=fastlege|fastlege"
awk -v n=30 -v kommune=4601 -v year=2016 -v errs="$errs" -f "$gen" >"$f"

rc=0
bpagg check "$f" --kommune 4601 --year 2016 2>"$tmp/err" >"$tmp/out" || rc=$?
[ "$rc" -eq 65 ] || { echo "exit $rc, expected 65"; cat "$tmp/err"; exit 1; }
n=$(grep -c "^$f:[0-9]*:[0-9]*: " "$tmp/err" || true)
[ "$n" -eq 10 ] || { echo "$n error lines, expected 10"; cat "$tmp/err"; exit 1; }
expect() {
	grep -q -F -- "$f:$1" "$tmp/err" || { echo "missing: $1"; cat "$tmp/err"; exit 1; }
}
expect "2:1: person_id: not a valid"
expect "3:2: kommune: expected the submission's kommune 4601"
expect "4:3: aar: expected the submission's year 2016"
expect "5:4: kjonn: expected M or K"
expect "6:5: alder: expected a whole number 16-110"
expect "7:6: rusproblem: required"
expect "9:8: bolig: expected gronn, gul or rod"
expect "11:16: alkohol: required when rusproblem is J"
expect "13:23: lar: expected J or N"
expect "15:24: tjenester_kommune: a service code is given twice"
grep -q "invalid: 10 errors in 30 rows" "$tmp/err" || { echo "no summary"; cat "$tmp/err"; exit 1; }
# Nothing of the file is echoed.
if grep -q -e blue -e 01010112345 -e 2015 "$tmp/err" "$tmp/out"; then
	echo "a value of the file was printed"; exit 1
fi

# --quiet drops the summary, keeps the errors.
rc=0
bpagg check "$f" --kommune 4601 --year 2016 --quiet 2>"$tmp/err" >"$tmp/out" || rc=$?
[ "$rc" -eq 65 ] && [ "$(grep -c "^$f:" "$tmp/err")" -eq 10 ] && ! grep -q invalid: "$tmp/err"

status() { # expected-status command...
	local want=$1 got=0; shift
	"$@" >/dev/null 2>&1 || got=$?
	[ "$got" -eq "$want" ] || { echo "exit $got, expected $want: $*"; exit 1; }
}
status 66 bpagg check "$tmp/none.csv" --kommune 4601 --year 2016
ln -s "$f" "$tmp/link.csv"
status 66 bpagg check "$tmp/link.csv" --kommune 4601 --year 2016
status 66 bpagg check "$tmp" --kommune 4601 --year 2016
status 64 bpagg check "$f" --year 2016
status 64 bpagg check "$f" --kommune 46010 --year 2016
status 64 bpagg check "$f" --kommune 4601 --year 2016 --max-rows 0
status 64 bpagg check --kommune 4601 --year 2016
status 64 bpagg check "$f" "$f" --kommune 4601 --year 2016
status 0 bpagg check --help
bpagg check --help | grep -q -- "--registry FILE"
status 66 bpagg check "$f" --kommune 4601 --year 2016 --registry "$tmp/none"
# --max-rows: 30 rows is too many for 20 (a fatal error, reported once).
rc=0
bpagg check "$f" --kommune 4601 --year 2016 --max-rows 20 2>"$tmp/err" || rc=$?
[ "$rc" -eq 65 ] && grep -q -F "$f:22:0: more than 20 rows" "$tmp/err"
# A year outside the registry's span (2000 to its year + 1), which bpaggd
# refuses, is invalid here too: once, before any row; the last year passes.
reg_year=$(awk -F, 'NR == 2 { print $NF }' "$BPAGG_REGISTRY")
for y in 1995 $((reg_year + 2)); do
	awk -v n=5 -v kommune=4601 -v year=$y -v errs= -f "$gen" >"$tmp/y.csv"
	rc=0
	bpagg check "$tmp/y.csv" --kommune 4601 --year $y 2>"$tmp/err" || rc=$?
	[ "$rc" -eq 65 ] || { echo "--year $y: exit $rc, expected 65"; cat "$tmp/err"; exit 1; }
	grep -q -F "bpagg check: --year $y: outside the registry's span (2000 to $((reg_year + 1)))" "$tmp/err" &&
		[ "$(wc -l <"$tmp/err")" -eq 1 ] || { echo "--year $y:"; cat "$tmp/err"; exit 1; }
done
awk -v n=5 -v kommune=4601 -v year=$((reg_year + 1)) -v errs= -f "$gen" >"$tmp/y.csv"
status 0 bpagg check "$tmp/y.csv" --kommune 4601 --year $((reg_year + 1))
# -c given a directory (the installation instead of its bpagg.conf): one
# error naming it and the file to give, exit 78, from bpaggd and bpagg.
mkdir "$tmp/inst"
for prog in "bpaggd --once --foreground" "bpagg status"; do
	rc=0
	$prog -c "$tmp/inst" 2>"$tmp/err" >/dev/null || rc=$?
	[ "$rc" -eq 78 ] || { echo "$prog -c DIR: exit $rc, expected 78"; cat "$tmp/err"; exit 1; }
	grep -q -F "$tmp/inst: is a directory, not a configuration file (give the file, e.g. $tmp/inst/bpagg.conf)" "$tmp/err" ||
		{ echo "$prog -c DIR:"; cat "$tmp/err"; exit 1; }
done
# -c has two long forms, --conf and --config, in every command that reads
# the configuration (bpagg(1)): each reaches the configuration check.
while IFS='|' read -r prog args; do
	for opt in --conf --config; do
		rc=0
		$prog $opt "$tmp/inst" $args 2>"$tmp/err" >/dev/null || rc=$?
		grep -q -F "$tmp/inst: is a directory, not a configuration file" "$tmp/err" ||
			{ echo "$prog $opt DIR: exit $rc:"; cat "$tmp/err"; exit 1; }
	done
done <<EOF
bpaggd --once --foreground|
bpagg status|
bpagg publish|--year 2024 --out $tmp/o
bpagg audit|
bpagg rebuild|
bpagg register|4601 $tmp/none.pk
bpagg reset-sequence|4601 2024
EOF
# bpagg store takes -h like --help (it exited 64)
for h in -h --help; do
	bpagg store $h >"$tmp/out" || { echo "bpagg store $h: exit $?"; exit 1; }
	grep -q "usage: bpagg store copy" "$tmp/out" || { echo "bpagg store $h:"; cat "$tmp/out"; exit 1; }
done
# -c given a FIFO: refused at once as not a regular file, exit 78, never
# waiting for a writer.
mkfifo "$tmp/fifo.conf"
for prog in "bpaggd --once --foreground" "bpagg status"; do
	rc=0
	timeout -k 2 10 $prog -c "$tmp/fifo.conf" 2>"$tmp/err" >/dev/null || rc=$?
	[ "$rc" -eq 78 ] || { echo "$prog -c FIFO: exit $rc, expected 78 (124: it hung)"; cat "$tmp/err"; exit 1; }
	grep -q -F "$tmp/fifo.conf: not a regular file (give bpagg.conf)" "$tmp/err" ||
		{ echo "$prog -c FIFO:"; cat "$tmp/err"; exit 1; }
done
# The file is opened once and its descriptor checked: a FIFO put in place of
# bpagg.conf after the check is not opened (a stat() of the path, then an
# open of it, opened the FIFO and waited for a writer for ever). strace
# holds every stat of the file for 3 s, and the FIFO replaces it after
# 1.5 s (well after the program opened the file, even on a loaded machine
# under ASan); what is read is the file that was checked.
if command -v strace >/dev/null && strace -qq -o /dev/null true 2>/dev/null; then
	printf '[publish]\nmin_cell = 0\n' >"$tmp/race.conf"
	mkfifo "$tmp/race.fifo"
	( sleep 1.5; mv -f "$tmp/race.fifo" "$tmp/race.conf" ) &
	rc=0
	# (LeakSanitizer cannot run under ptrace: off for this run in the
	# sanitizer build)
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		timeout -k 2 10 strace -f -qq -o /dev/null -P "$tmp/race.conf" \
		-e inject=%%stat:delay_exit=3000000 \
		bpagg status -c "$tmp/race.conf" 2>"$tmp/err" >/dev/null || rc=$?
	wait
	[ "$rc" -eq 78 ] && grep -q -F "$tmp/race.conf:2: invalid value for [publish] min_cell" "$tmp/err" ||
		{ echo "FIFO in place of the checked file: exit $rc, expected 78 (124: it hung)"; cat "$tmp/err"; exit 1; }
else
	echo "note: strace missing or not allowed; a FIFO swapped in after the check not tested"
fi
echo "check_errors: ok"
