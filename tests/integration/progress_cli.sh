#!/usr/bin/env bash
# progress_cli.sh - long work shows progress on a terminal and nothing
# extra elsewhere (issue 11, item 8): check, seal, sample, publish and
# audit draw "stage: done/total (pct%), N s" on stderr, redrawn with a
# carriage return and cleared at the end, when stderr is a terminal (a pty
# here); on a pipe, and on a terminal with --quiet, stderr has none of it.
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v python3 >/dev/null || { echo "SKIP: python3 (its pty module) is missing"; exit 77; }
pty() { python3 "$BP_SRCDIR/tests/helpers/on_pty.py" "$tmp/out" "$tmp/err" "$@"; }
pipe() { "$@" >"$tmp/out" 2>"$tmp/err"; }
# shown STAGE: the stage was drawn with done/total, and the line cleared.
shown() {
	grep -aq $'\r'"$1: [0-9]*/[0-9]* ([0-9]*%), [0-9]* s" "$tmp/err" ||
		fail "no '$1' progress on the terminal: $(tr '\r' '|' <"$tmp/err" | head -c 400)"
	# Cleared: the last thing on the terminal is a carriage return.
	[ "$(tail -c 1 "$tmp/err" | od -An -c | tr -d ' ')" = '\r' ] || fail "'$1': the line is not cleared"
}
# none: stderr holds no progress at all (no carriage return, no stage).
none() { ! grep -aq -e $'\r' -e ' s$' "$tmp/err" || fail "$1: progress off the terminal: $(tr '\r' '|' <"$tmp/err")"; }

# sample and check of a file of 20 000 rows (several reads of 64 KiB).
pty bpagg sample --kommune 0301 --year 2024 --rows 20000 --seed 1 -o "$tmp/big.csv"
shown "generating rows"
grep -aq "generating rows: 20000/20000 (100%)" "$tmp/err" || fail "sample: no final count"
pipe bpagg sample --kommune 0301 --year 2024 --rows 20000 --seed 1 -o "$tmp/big2.csv"
none "sample on a pipe"; [ ! -s "$tmp/err" ] || fail "sample on a pipe wrote to stderr"
cmp -s "$tmp/big.csv" "$tmp/big2.csv" || fail "progress changed the sample"
pty bpagg sample --kommune 0301 --year 2024 --rows 20000 --seed 1 -o "$tmp/big3.csv" --quiet
none "sample --quiet"

pty bpagg check "$tmp/big.csv" --kommune 0301 --year 2024
shown "checking, KiB"
grep -q "valid: 20000 rows" "$tmp/out" || fail "check: $(cat "$tmp/out")"
pipe bpagg check "$tmp/big.csv" --kommune 0301 --year 2024
[ ! -s "$tmp/err" ] || fail "check on a pipe wrote to stderr: $(tr '\r' '|' <"$tmp/err")"
pty bpagg check "$tmp/big.csv" --kommune 0301 --year 2024 --quiet
none "check --quiet"
# An invalid file: the errors start on a line of their own (cleared first).
pty bpagg check "$tmp/big.csv" --kommune 0301 --year 2023 || true
grep -aq $'\r'"$tmp/big.csv:2:" "$tmp/err" || grep -aq "^$tmp/big.csv:2:" "$tmp/err" ||
	fail "check: the first error does not start its own line: $(tr '\r' '|' <"$tmp/err" | head -c 300)"
grep -aq "KiB: [0-9/ ()%,s]*$tmp/big.csv:" "$tmp/err" && fail "an error shares the progress line"

# An installation with three kommuner, for seal, publish and audit; a
# profile of a few tables, so that the three releases and their audits
# (nine re-derivations) take seconds, not minutes.
bpagg init "$tmp/inst" >/dev/null
conf=$tmp/inst/bpagg.conf
printf 'nasjonal rop__total brukergruppe__total rop__brukergruppe\nfylke rop__total\nkommune rop__total\n' \
	>"$tmp/inst/few.profile"
sed -i 's/^profile = .*/profile = few.profile/' "$conf"
grep -q '^profile = few.profile$' "$conf" || fail "bpagg init wrote no profile line"
for k in 0301 1101 1103; do
	bpagg keygen kommune $k --out "$tmp/k" >/dev/null
	bpagg register -c "$conf" $k "$tmp/k/$k.sign.pk" >/dev/null
	bpagg sample --kommune $k --year 2024 --rows 60 --seed $k -o "$tmp/$k.csv"
done
pty bpagg seal "$tmp/0301.csv" --kommune 0301 --year 2024 --key "$tmp/k/0301.sign.sk" \
	--to "$tmp/inst/keys/central.box.pk" -o "$tmp/inst/inbox/0301.bpx"
shown "checking, KiB"
for k in 1101 1103; do
	pipe bpagg seal "$tmp/$k.csv" --kommune $k --year 2024 --key "$tmp/k/$k.sign.sk" \
		--to "$tmp/inst/keys/central.box.pk" -o "$tmp/inst/inbox/$k.bpx"
	[ ! -s "$tmp/err" ] || fail "seal on a pipe wrote to stderr"
done
bpaggd -c "$conf" --once --foreground 2>/dev/null

pty bpagg publish -c "$conf" --year 2024 --out "$tmp/rel"
shown "suppressing and auditing"
grep -aq "published: 6/6 (100%)" "$tmp/err" || fail "publish: no last step"
[[ $(cat "$tmp/out") =~ ^2024- ]] || fail "publish: no release id on stdout"
pipe bpagg publish -c "$conf" --year 2024 --out "$tmp/rel2"
[ ! -s "$tmp/err" ] || fail "publish on a pipe wrote to stderr: $(cat "$tmp/err")"
pty bpagg publish -c "$conf" --year 2024 --out "$tmp/rel3" --quiet
none "publish --quiet"

pty bpagg audit -c "$conf"
shown "re-deriving releases"
grep -aq "re-deriving releases: 3/3 (100%)" "$tmp/err" || fail "audit: not 3 of 3 releases"
grep -q "chain and seals verified" "$tmp/out" || fail "audit: $(cat "$tmp/out")"
pipe bpagg audit -c "$conf"
[ ! -s "$tmp/err" ] || fail "audit on a pipe wrote to stderr: $(cat "$tmp/err")"
pty bpagg audit -c "$conf" --quiet
none "audit --quiet"
echo "progress_cli: ok"
