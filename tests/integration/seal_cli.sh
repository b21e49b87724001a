#!/usr/bin/env bash
# bpagg seal: a valid export is sealed atomically (OUT only, no OUT.tmp;
# a stale OUT.tmp is refused, and removed with --force), an
# invalid one is refused with 65 and errors by line and column and leaves
# no file; refused keys exit 77 (wrong kommune, wrong kind, mode 0644);
# the envelope has the documented size; and the peak RSS of sealing a
# 200 000-row export stays under 16 MiB (skipped under AddressSanitizer).
set -euo pipefail
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
expect() {
	local want=$1 rc=0; shift
	"$@" >"$t/out" 2>"$t/err" || rc=$?
	[ "$rc" -eq "$want" ] || { grep -v '[0-9]\{11\}' "$t/err" || true; fail "exit $rc, want $want: $*"; }
}

expect 0 bpagg init "$t/inst"
expect 0 bpagg keygen kommune 0301 --out "$t/k"
expect 0 bpagg keygen kommune 1103 --out "$t/k"
to=$t/inst/keys/central.box.pk
expect 0 bpagg sample --kommune 0301 --year 2024 --rows 300 --seed 7 -o "$t/e.csv"

seal() { bpagg seal "$t/e.csv" --kommune 0301 --year 2024 --key "$t/k/0301.sign.sk" --to "$to" "$@"; }

expect 0 seal -o "$t/a.bpx"
[ -f "$t/a.bpx" ] && [ ! -e "$t/a.bpx.tmp" ] || fail "OUT not written atomically"
[ "$(head -c 8 "$t/a.bpx")" = BPAGGSUB ] || fail "bad magic"
# header 132 + meta chunk 4+166 + body chunks: 4+17 each per 64 KiB
size=$(stat -c %s "$t/e.csv")
chunks=$(( size / 65536 + (size % 65536 > 0 || size == 0) ))
want=$(( 132 + 170 + size + 21 * chunks ))
[ "$(stat -c %s "$t/a.bpx")" -eq "$want" ] || fail "envelope size $(stat -c %s "$t/a.bpx") != $want"
grep -q "sealed 300 rows of kommune 0301, 2024" "$t/out" || fail "no summary line"
# Sealing again gives another file (random key, id, later sequence).
expect 0 seal -o "$t/b.bpx" --dry-run
grep -q "(dry run)" "$t/out" || fail "dry run not reported"
cmp -s "$t/a.bpx" "$t/b.bpx" && fail "two seals are identical"

# An invalid export: rows of another kommune. 65, errors by line:column.
expect 65 bpagg seal "$t/e.csv" --kommune 1103 --year 2024 --key "$t/k/1103.sign.sk" \
	--to "$to" -o "$t/bad.bpx"
grep -q "e.csv:2:[0-9]*: kommune:" "$t/err" || fail "no line:column errors"
[ ! -e "$t/bad.bpx" ] && [ ! -e "$t/bad.bpx.tmp" ] || fail "an invalid export left a file"
expect 65 seal --year 2025 -o "$t/bad.bpx"
[ ! -e "$t/bad.bpx" ] || fail "wrong year sealed"

# Refused keys: another kommune's key, a public key, mode 0644.
expect 77 bpagg seal "$t/e.csv" --kommune 0301 --year 2024 --key "$t/k/1103.sign.sk" \
	--to "$to" -o "$t/bad.bpx"
grep -q "not the signing key of kommune 0301" "$t/err" || fail "wrong-kommune message"
expect 77 bpagg seal "$t/e.csv" --kommune 0301 --year 2024 --key "$t/k/0301.sign.pk" \
	--to "$to" -o "$t/bad.bpx"
expect 77 seal --to "$t/k/0301.sign.pk" -o "$t/bad.bpx"
chmod 644 "$t/k/0301.sign.sk"
expect 77 seal -o "$t/bad.bpx"
grep -q "0301.sign.sk: secret key file has mode 0644" "$t/err" || fail "mode message"
chmod 600 "$t/k/0301.sign.sk"
[ ! -e "$t/bad.bpx" ] && [ ! -e "$t/bad.bpx.tmp" ] || fail "a refused key left a file"
expect 66 seal --to "$t/none.pk" -o "$t/bad.bpx"
expect 66 bpagg seal "$t/none.csv" --kommune 0301 --year 2024 --key "$t/k/0301.sign.sk" \
	--to "$to" -o "$t/bad.bpx"
expect 64 bpagg seal "$t/e.csv" --kommune 0301 --year 2024
# A leftover OUT.tmp (another seal running) is not overwritten.
: >"$t/c.bpx.tmp"
expect 73 seal -o "$t/c.bpx"
[ ! -e "$t/c.bpx" ] || fail "sealed past an existing OUT.tmp"
grep -q "c.bpx.tmp exists: left from an interrupted seal.*--force replaces it" "$t/err" ||
	fail "stale OUT.tmp message: $(cat "$t/err")"
[ -e "$t/c.bpx.tmp" ] || fail "a refused seal removed another's OUT.tmp"
# --force removes a stale OUT.tmp (as a killed seal leaves) and seals; a
# symlink there is removed, never followed.
expect 0 seal -o "$t/c.bpx" --force
[ -s "$t/c.bpx" ] && [ ! -e "$t/c.bpx.tmp" ] || fail "--force did not replace a stale OUT.tmp"
ln -s "$t/victim" "$t/d.bpx.tmp"
expect 0 seal -o "$t/d.bpx" --force
[ ! -e "$t/victim" ] && [ ! -L "$t/d.bpx.tmp" ] || fail "--force followed a symlink at OUT.tmp"
bpagg seal --help | grep -q -- "--dry-run" || fail "seal --help"
# A year bpaggd refuses (outside 2000 to the registry's year + 1) is not sealed.
expect 0 bpagg sample --kommune 0301 --year 1995 --rows 5 --seed 7 -o "$t/y.csv"
expect 65 bpagg seal "$t/y.csv" --kommune 0301 --year 1995 --key "$t/k/0301.sign.sk" \
	--to "$to" -o "$t/y.bpx"
grep -q "bpagg seal: --year 1995: outside the registry's span (2000 to " "$t/err" ||
	fail "year span message: $(cat "$t/err")"
[ ! -e "$t/y.bpx" ] && [ ! -e "$t/y.bpx.tmp" ] || fail "a year outside the span was sealed"
# A header-only export replaces the kommune's year with nothing: only with --empty.
head -n 1 "$t/e.csv" >"$t/empty.csv"
expect 65 bpagg seal "$t/empty.csv" --kommune 0301 --year 2024 --key "$t/k/0301.sign.sk" \
	--to "$to" -o "$t/empty.bpx"
grep -q "no rows: .*use --empty" "$t/err" || fail "no-rows message"
[ ! -e "$t/empty.bpx" ] || fail "a header-only export was sealed without --empty"
expect 0 bpagg seal "$t/empty.csv" --kommune 0301 --year 2024 --key "$t/k/0301.sign.sk" \
	--to "$to" -o "$t/empty.bpx" --empty
grep -q "sealed 0 rows of kommune 0301" "$t/out" || fail "--empty not sealed"

# An existing OUT is kept unless --force: a seal waiting in the inbox is
# never replaced by accident.
cp "$t/empty.bpx" "$t/empty.keep"
expect 73 bpagg seal "$t/empty.csv" --kommune 0301 --year 2024 --key "$t/k/0301.sign.sk" \
	--to "$to" -o "$t/empty.bpx" --empty
grep -q "empty.bpx exists; --force replaces it" "$t/err" || fail "overwrite message: $(cat "$t/err")"
cmp -s "$t/empty.bpx" "$t/empty.keep" || fail "an existing OUT was replaced without --force"
[ ! -e "$t/empty.bpx.tmp" ] || fail "a refused seal left OUT.tmp"
expect 0 bpagg seal "$t/empty.csv" --kommune 0301 --year 2024 --key "$t/k/0301.sign.sk" \
	--to "$to" -o "$t/empty.bpx" --empty --force
cmp -s "$t/empty.bpx" "$t/empty.keep" && fail "--force did not replace OUT"

# --version on every command; the dispatcher answers for each.
for c in init keygen register check sample seal status publish audit rebuild; do
	[ "$(bpagg $c --version)" = "bpagg $c $(bpagg --version | cut -d' ' -f2)" ] ||
		fail "bpagg $c --version"
done
[ "$(bpaggd --version)" = "bpaggd $(bpagg --version | cut -d' ' -f2)" ] || fail "bpaggd --version"

# Run from the build directory without BPAGG_REGISTRY: the source tree's
# bundled registry is found (nothing installed needed).
expect 0 env -u BPAGG_REGISTRY bpagg init "$t/uninstalled"
cmp -s "$t/uninstalled/kommuner.csv" "$BP_SRCDIR/conf/kommuner.csv" ||
	fail "uninstalled init did not copy the bundled registry"
expect 66 env BPAGG_REGISTRY="$t/nope.csv" bpagg check "$t/e.csv" --kommune 0301 --year 2024
grep -q "nope.csv: kommune registry not readable (.*); give one with --registry FILE or BPAGG_REGISTRY=FILE" "$t/err" ||
	fail "registry message: $(cat "$t/err")"

# Peak memory of sealing a 200 000-row export.
if [ -n "${BP_SANITIZED:-}" ]; then
	echo "skip: peak RSS under AddressSanitizer"
elif [ -x /usr/bin/time ]; then
	expect 0 bpagg sample --kommune 0301 --year 2024 --rows 200000 --seed 3 -o "$t/big.csv"
	/usr/bin/time -f %M -o "$t/rss" bpagg seal "$t/big.csv" --kommune 0301 --year 2024 \
		--key "$t/k/0301.sign.sk" --to "$to" -o "$t/big.bpx" >/dev/null
	rss=$(tail -n 1 "$t/rss")
	echo "peak RSS of bpagg seal, 200000 rows ($(stat -c %s "$t/big.csv") bytes): $rss KiB"
	[ "$rss" -lt 16384 ] || fail "peak RSS $rss KiB >= 16 MiB"
else
	echo "skip: no /usr/bin/time"
fi
echo "ok: seal"
