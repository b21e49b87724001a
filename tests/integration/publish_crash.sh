#!/usr/bin/env bash
# publish_crash.sh - bpagg publish killed with SIGKILL at many instants, one
# after the other on one installation; each run first recovers from the kill
# before it.
#
# tests/helpers/crashshim.so (LD_PRELOAD) counts the calls that change a file
# or folder (write, fsync, ftruncate, mkdir, rename, unlink, ...) and kills
# the process at the Nth, a write after writing a random part of its buffer.
# The instants are spread over every call of a publish (stratified, random
# within each stratum). After every kill:
#  - the exit status is 137 (killed) or 0 (the instant lay past the end);
#  - releases/ holds no folder that the suppression log does not seal;
#  - --out is missing or one whole release (its files and only those, with
#    the digests its release.json names); no *.tmp file anywhere;
#  - bpagg audit verifies (the chain, the seals and the last release; run
#    after a kill whenever what it reads changed: the log, releases/, a
#    staged folder of a logged release; otherwise all is as the last audit
#    saw it; a run that was not killed is a plain publish, which the final
#    audit of every release covers).
# At the end a publish works, the audit verifies, nothing staged is left, and
# the runs saw both recoveries: a rolled-back append and a finished move.
# Suppression is not what is tested: min_cell = 1 and a profile of three
# tables (a count by total, one by a breakdown, a sum measure: every file a
# release has) keep a run short (0.1 s against 0.25 s with rapport).
# BP_CRASH_RUNS overrides the number of runs (200; 40 in an ASan build,
# where a run costs three times as much).
set -euo pipefail
: "${BP_BUILDDIR:?}"
shim=$BP_BUILDDIR/tests/helpers/crashshim.so
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -f "$shim" ] || fail "$shim not built"
runs=200
if [ -n "${BP_SANITIZED:-}" ]; then
	runs=40
	# the shim comes before the ASan runtime in the library list
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
fi
runs=${BP_CRASH_RUNS:-$runs}
export BPAGG_THREADS=1

tmp=$(mktemp -d /tmp/bp-crash.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
inst=$tmp/inst conf=$tmp/inst/bpagg.conf log=$tmp/inst/suppression.log out=$tmp/out

bpagg init "$inst" >/dev/null
sed -i 's/^min_cell = .*/min_cell = 1/' "$conf"
printf 'nasjonal rop__total alder4__rop antall_barn__total\n' >"$inst/few.profile"
sed -i 's/^profile = .*/profile = few.profile/' "$conf"
grep -q '^profile = few.profile$' "$conf" || fail "could not set the profile"
bpagg keygen kommune 0301 --out "$tmp/k" >/dev/null
bpagg register -c "$conf" 0301 "$tmp/k/0301.sign.pk" >/dev/null
bpagg sample --kommune 0301 --year 2024 --rows 40 --seed 1 -o "$tmp/0301.csv"
bpagg seal "$tmp/0301.csv" --kommune 0301 --year 2024 --key "$tmp/k/0301.sign.sk" \
	--to "$inst/keys/central.box.pk" -o "$inst/inbox/0301.bpx" >/dev/null
rm -f "$tmp/0301.csv"
bpaggd -c "$conf" --once --foreground 2>"$tmp/err" || fail "bpaggd --once: exit $?: $(tail -3 "$tmp/err")"

pub() { bpagg publish -c "$conf" --year 2024 --out "$out" --level nasjonal; }
pub >/dev/null 2>"$tmp/err" || fail "the first publish: $(tail -3 "$tmp/err")"   # every later one republishes the year
# The calls of a run that recovers from a kill (as every run below does):
# one killed in its middle, then the next one counted.
BP_CRASH_COUNT=$tmp/count LD_PRELOAD=$shim pub >/dev/null 2>"$tmp/err" ||
	fail "the counting run: $(tail -3 "$tmp/err")"
total=$(cat "$tmp/count")
[ "$total" -ge 20 ] || fail "only $total calls counted: is the shim loaded?"
rc=0; BP_CRASH_AT=$((total / 2)) LD_PRELOAD=$shim pub >/dev/null 2>&1 || rc=$?
[ $rc -eq 137 ] || fail "a run killed at call $((total / 2)): exit $rc"
BP_CRASH_COUNT=$tmp/count LD_PRELOAD=$shim pub >/dev/null 2>"$tmp/err" ||
	fail "the recovering counting run: $(tail -3 "$tmp/err")"
total=$(cat "$tmp/count")

# Every folder in releases/ is sealed in the log; --out is one whole release;
# no *.tmp anywhere. Parts are checked again only when they changed (the
# shell tools would otherwise cost more than the runs).
last_rel="" last_out=""
check_state() {
	local d name want got rel o
	rel=$(ls "$inst/releases" 2>/dev/null | tr '\n' ' ') ||
		fail "$1: releases/ is missing"
	if [ "$rel" != "$last_rel" ]; then
		for d in $rel; do
			grep -qF "\"type\":\"seal\",\"release\":\"$d\"" "$log" ||
				fail "$1: releases/$d is not sealed in the log"
		done
		last_rel=$rel
	fi
	o=$(stat -c %i "$out" 2>/dev/null) || o=none
	if [ "$o" != "$last_out" ] && [ -e "$out" ]; then
		[ -f "$out/release.json" ] || fail "$1: $out without release.json"
		local names="release.json"
		while IFS=: read -r name want; do
			name=${name//\"/}; want=${want//\"/}
			got=$(b2sum -l 256 "$out/$name" 2>/dev/null | cut -d' ' -f1) || true
			[ "$got" = "$want" ] || fail "$1: $out/$name is not the one release.json names"
			names="$names $name"
		done < <(grep -o '"files":{[^}]*}' "$out/release.json" |
			grep -o '"[a-z_.]*":"[0-9a-f]\{64\}"')
		[ "$(ls -A "$out" | sort | tr '\n' ' ')" = "$(tr ' ' '\n' <<<"$names" | sort | tr '\n' ' ')" ] ||
			fail "$1: $out holds $(ls -A "$out" | tr '\n' ' ')"
	fi
	last_out=$o
	[ -z "$(find "$tmp" -name '*.tmp' -print -quit)" ] || fail "$1: a *.tmp file was left"
}

killed=0 rolled=0 moved=0 audits=0 seen=""
for ((i = 0; i < runs; i++)); do
	k=$(( 1 + (i * total + RANDOM % total) / runs ))
	what="run $i (call $k of $total)"
	rc=0
	BP_CRASH_AT=$k BP_CRASH_SEED=$RANDOM$RANDOM LD_PRELOAD=$shim pub >/dev/null 2>"$tmp/err" || rc=$?
	case $rc in
	0) ;;
	137) killed=$((killed + 1)) ;;
	*) fail "$what: exit $rc: $(head -c 500 "$tmp/err")" ;;
	esac
	grep -q "rolled back an interrupted append" "$tmp/err" && rolled=$((rolled + 1))
	grep -q "finished moving its kept files" "$tmp/err" && moved=$((moved + 1))
	check_state "$what"
	# What the audit reads: the log, releases/, and a staged folder the log
	# seals (a kill between logging a release and moving it in).
	[ -f "$log" ] || fail "$what: the suppression log is gone"
	now="$(stat -c %s "$log") $last_rel"
	for d in "$inst"/releases.staging/*/; do
		[ -d "$d" ] || continue
		d=${d%/}; d=${d##*/}
		! grep -qF "\"type\":\"seal\",\"release\":\"$d\"" "$log" || now="$now $d"
	done
	# (a run that was not killed is a plain publish: the final audit covers it)
	if [ $rc -eq 137 ] && [ "$now" != "$seen" ]; then
		# The whole chain and every seal; the last release's files and its
		# re-derivation (the earlier ones are as the last audit saw them).
		# (a last line without its newline is not committed, seal or not)
		if [ -z "$(tail -c1 "$log")" ]; then sealed=$(cat "$log"); else sealed=$(sed '$d' "$log"); fi
		last=$(grep -o '"type":"seal","release":"[^"]*"' <<<"$sealed" | tail -1 | cut -d'"' -f8) ||
			fail "$what: no sealed release in the log"
		bpagg audit -c "$conf" --release "$last" >"$tmp/audit" 2>&1 ||
			fail "$what: audit: $(tail -3 "$tmp/audit")"
		audits=$((audits + 1))
	fi
	seen=$now
done

# The next publish works and leaves nothing staged; the audit verifies.
pub >/dev/null 2>"$tmp/err" || fail "the publish after the last kill: $(cat "$tmp/err")"
grep -q "rolled back an interrupted append" "$tmp/err" && rolled=$((rolled + 1))
grep -q "finished moving its kept files" "$tmp/err" && moved=$((moved + 1))
check_state "after the last publish"
[ -z "$(ls -A "$inst/releases.staging")" ] || fail "staged folders left"
[ -z "$(find "$tmp" -maxdepth 1 -name '.out.partial-*' -print -quit)" ] || fail "a hidden --out folder left"
bpagg audit -c "$conf" >"$tmp/audit" 2>&1 || fail "final audit: $(tail -3 "$tmp/audit")"
grep -q "interrupted append" "$tmp/audit" && fail "final audit still sees a tail"
if [ "$runs" -ge "$total" ]; then
	[ "$rolled" -ge 1 ] || fail "no run rolled back an interrupted append"
	[ "$moved" -ge 1 ] || fail "no run finished moving a logged release"
fi
echo "ok: $runs runs over $total calls: $killed killed, $rolled appends rolled back," \
	"$moved moves finished, $audits audits"
