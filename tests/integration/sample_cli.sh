#!/usr/bin/env bash
# sample_cli.sh - `bpagg sample`: usage errors exit 64, stdout and -o give
# the same bytes for the same options, -o leaves no temporary file behind
# and replaces only regular files,
# different seeds differ, and `bpagg check` accepts what it writes.
# Sample rows hold valid fødselsnumre: they only ever go to files in $tmp,
# never to this test's output.
set -euo pipefail

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

expect_rc() {
	local want=$1; shift
	local rc=0
	"$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	[ "$rc" -eq "$want" ] || fail "$* exited $rc, expected $want"
}

# Usage errors: 64, nothing on stdout.
expect_rc 64 bpagg sample
expect_rc 64 bpagg sample --kommune 4601 --year 2016 --rows 10
expect_rc 64 bpagg sample --kommune 460 --year 2016 --rows 10 --seed 1
expect_rc 64 bpagg sample --kommune 4601 --year 1800 --rows 10 --seed 1
expect_rc 64 bpagg sample --kommune 4601 --year 2016 --rows -5 --seed 1
expect_rc 64 bpagg sample --kommune 4601 --year 2016 --rows 10 --seed x
expect_rc 64 bpagg sample --kommune 4601 --year 2016 --rows 10 --seed 1 --delimiter '|'
expect_rc 64 bpagg sample --kommune 4601 --year 2016 --rows 10 --seed 1 --optional some
expect_rc 64 bpagg sample --kommune 4601 --year 2016 --rows 10 --seed 1 --bogus 1
expect_rc 64 bpagg sample --kommune 4601 --year 2016 --rows 10 --seed 1 -o
[ ! -s "$tmp/out" ] || fail "a usage error wrote to stdout"
expect_rc 0 bpagg sample --help
grep -q -- '--kommune' "$tmp/out" || fail "--help does not describe --kommune"
expect_rc 0 bpagg sample --kommune 4601 --help
grep -q -- '--kommune' "$tmp/out" || fail "--help after an option does not print the usage"

# stdout and -o: the same bytes; no .tmp left; a second run replaces the file.
bpagg sample --kommune 4601 --year 2016 --rows 300 --seed 7 >"$tmp/a.csv"
bpagg sample --kommune 4601 --year 2016 --rows 300 --seed 7 -o "$tmp/b.csv"
cmp -s "$tmp/a.csv" "$tmp/b.csv" || fail "stdout and -o differ"
[ ! -e "$tmp/b.csv.tmp" ] || fail "-o left its temporary file"
[ "$(wc -l <"$tmp/a.csv")" -eq 301 ] || fail "expected a header and 300 rows"
bpagg sample --kommune 4601 --year 2016 --rows 300 --seed 8 -o "$tmp/b.csv"
! cmp -s "$tmp/a.csv" "$tmp/b.csv" || fail "seeds 7 and 8 gave the same file"

# -o refuses to write through a symlink at the temporary name.
ln -s "$tmp/target" "$tmp/c.csv.tmp"
expect_rc 74 bpagg sample --kommune 4601 --year 2016 --rows 5 --seed 1 -o "$tmp/c.csv"
[ ! -e "$tmp/target" ] || fail "-o followed a symlink"
[ ! -e "$tmp/c.csv" ] || fail "-o created the file after a failure"

# -o refuses to replace what is not a regular file (a FIFO, a symlink, a
# directory): rename() would put a plain file in its place.
mkfifo "$tmp/fifo"
ln -s "$tmp/a.csv" "$tmp/link.csv"
mkdir "$tmp/dir.csv"
for o in fifo link.csv dir.csv; do
	expect_rc 74 bpagg sample --kommune 4601 --year 2016 --rows 5 --seed 1 -o "$tmp/$o"
	grep -q 'not a regular file' "$tmp/err" || fail "-o $o: no clear message"
	[ ! -e "$tmp/$o.tmp" ] || fail "-o $o left its temporary file"
done
[ -p "$tmp/fifo" ] || fail "-o replaced a FIFO"
[ -L "$tmp/link.csv" ] || fail "-o replaced a symlink"
[ -d "$tmp/dir.csv" ] || fail "-o replaced a directory"

# The plain comma variant: no quotes, no CR, the format's column order.
bpagg sample --kommune 0301 --year 2017 --rows 50 --seed 3 --delimiter , --plain \
	--optional all -o "$tmp/p.csv"
head -c 34 "$tmp/p.csv" | grep -q '^person_id,kommune,aar,kjonn,alder,' || fail "plain header"
! grep -q '"' "$tmp/p.csv" || fail "--plain file has quotes"
! grep -q $'\r' "$tmp/p.csv" || fail "--plain file has CR"

# bpagg check accepts every generated file.
for k in 0301 4601 1103; do
	for s in 1 2 3; do
		d=';'; [ $((s % 2)) -eq 0 ] && d=','
		bpagg sample --kommune $k --year 2016 --rows 200 --seed $s --delimiter "$d" \
			-o "$tmp/s.csv"
		bpagg check "$tmp/s.csv" --kommune $k --year 2016 --registry "$BPAGG_REGISTRY" \
			>"$tmp/check.out" 2>&1 || fail "bpagg check rejected kommune $k seed $s"
	done
done
echo "ok"
