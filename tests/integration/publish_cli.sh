#!/usr/bin/env bash
# publish_cli.sh - bpagg publish and bpagg audit through the real programs:
# an installation fed by bpaggd --once, a release with every file and the
# exact headers, the audit, --level, --dry-run, usage errors, a tampered log
# named by line, no person_id in any output, and republish_rule = refuse.
set -euo pipefail
. "$BP_SRCDIR/tests/helpers/setup_lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# release_id DIR: the id of the release published into DIR.
release_id() {
	local id
	id=$(sed -n 's/.*"release":"\([^"]*\)".*/\1/p' "$1/release.json")
	[ -n "$id" ] || fail "no release id in $1/release.json"
	echo "$id"
}

bpagg init "$tmp/inst" >/dev/null
conf=$tmp/inst/bpagg.conf
for k in 0301 1101 1103; do
	setup bpagg keygen kommune $k --out "$tmp/k" >/dev/null
	setup bpagg register -c "$conf" $k "$tmp/k/$k.sign.pk" >/dev/null
	setup bpagg sample --kommune $k --year 2024 --rows 40 --seed $k -o "$tmp/$k.csv"
	setup bpagg seal "$tmp/$k.csv" --kommune $k --year 2024 --key "$tmp/k/$k.sign.sk" \
		--to "$tmp/inst/keys/central.box.pk" -o "$tmp/inst/inbox/$k.bpx" >/dev/null
done
bpaggd -c "$conf" --once --foreground 2>/dev/null

# A release.
id=$(bpagg publish -c "$conf" --year 2024 --out "$tmp/rel" --json)
[[ $id =~ ^2024-[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$ ]] || fail "release id: $id"
for f in tables.csv sums.csv coverage.csv tables.json release.json; do
	[ -s "$tmp/rel/$f" ] || fail "missing $f"
	cmp -s "$tmp/rel/$f" "$tmp/inst/releases/$id/$f" || fail "kept $f differs"
done
[ "$(head -1 "$tmp/rel/tables.csv")" = "year,level,area,table,indicator,category,breakdown,breakdown_value,count,percent,rate_per_10k,estimate" ] ||
	fail "tables.csv header"
[ "$(head -1 "$tmp/rel/sums.csv")" = "year,level,area,measure,breakdown,breakdown_value,count,sum,mean" ] ||
	fail "sums.csv header"
[ "$(head -1 "$tmp/rel/coverage.csv")" = "year,level,area,kommuner_reported,kommuner_total,population_18plus_reported,population_18plus_total,coverage_percent" ] ||
	fail "coverage.csv header"
grep -q '^2024,nasjonal,NO,3,357,' "$tmp/rel/coverage.csv" || fail "national coverage"
# 3 x 40 persons: nearly every table cell is small; the national age sum
# (count of persons with an age) is 120, or hidden in every figure (with
# shared_cells = consistent, the default, the count of persons is hidden
# wherever another table hid it).
grep -Eq "^2024,nasjonal,NO,alder,total,alle,(120,[0-9]+,[0-9]+\.[0-9][0-9]|:,:,:)$" "$tmp/rel/sums.csv" ||
	fail "national alder sum"
grep -q '"shared_cells":"consistent"' "$tmp/rel/release.json" || fail "shared_cells not recorded"
grep -q "^2024,nasjonal,NO,bolig__total,bolig,i_alt,total,alle," "$tmp/rel/tables.csv" ||
	fail "national bolig i_alt row"
grep -q ',:,:,:,:$' "$tmp/rel/tables.csv" || fail "no suppressed cell in a small release"
# Every row has 12 fields; the digests in release.json are the files'.
awk -F, 'NF != 12 { exit 1 }' "$tmp/rel/tables.csv" || fail "a row without 12 fields"
if command -v python3 >/dev/null; then
	python3 - "$tmp/rel" <<'PY' || fail "release.json digests"
import hashlib, json, sys, os
d = sys.argv[1]
r = json.load(open(os.path.join(d, "release.json")))
for name, hexd in r["files"].items():
    h = hashlib.blake2b(open(os.path.join(d, name), "rb").read(), digest_size=32).hexdigest()
    assert h == hexd, name
t = json.load(open(os.path.join(d, "tables.json")))
assert len(t["rows"]) == sum(1 for _ in open(os.path.join(d, "tables.csv"))) - 1
# The first release of the year: no previous one; the settings in the
# order of bpagg.conf(5), kommune_breakdowns as configured; hidden shares.
assert list(r) == ["release", "time", "year", "previous", "settings", "input", "hidden",
    "files"], list(r)
assert r["previous"] is None, r["previous"]
assert list(r["settings"]) == ["rop_definition", "lki_cut_gul", "lki_cut_rod",
    "lki_cut_blalys", "min_cell", "suppress_zero", "profile", "profile_digest",
    "kommune_breakdowns", "republish_rule", "republish_model", "shared_cells", "method",
    "model", "levels", "catalogue", "registry", "version"], list(r["settings"])
assert r["settings"]["kommune_breakdowns"] == "total,brukergruppe,rop", r["settings"]
assert sorted(r["hidden"]) == ["fylke", "kommune", "nasjonal"], r["hidden"]
assert all(0 <= float(v) <= 100 for v in r["hidden"].values()), r["hidden"]
PY
fi

out=$(bpagg audit -c "$conf") || fail "audit of a fresh release"
grep -q "re-derived, suppression matches" <<<"$out" || fail "audit output: $out"

# Levels (each republished release within the tables of the one before).
bpagg publish -c "$conf" --year 2024 --out "$tmp/nf" --level nasjonal,fylke >/dev/null
[ "$(cut -d, -f2 "$tmp/nf/tables.csv" | sort -u | tr '\n' ' ')" = "fylke level nasjonal " ] ||
	fail "--level nasjonal,fylke"

# --dry-run: what the release would hide, with nothing written (the log and
# releases/ as they were), and then the real release hides just that.
# It needs no signing key (it seals nothing).
logsum=$(md5sum <"$tmp/inst/suppression.log")
nkept=$(ls "$tmp/inst/releases" | wc -l)
mv "$tmp/inst/keys/daemon.sign.sk" "$tmp/sign.sk"
dry=$(bpagg publish -c "$conf" --year 2024 --level nasjonal --dry-run --quiet) || fail "dry run"
mv "$tmp/sign.sk" "$tmp/inst/keys/daemon.sign.sk"
[ "$(md5sum <"$tmp/inst/suppression.log")" = "$logsum" ] || fail "the dry run changed the log"
[ "$(ls "$tmp/inst/releases" | wc -l)" -eq "$nkept" ] || fail "the dry run kept a release"
grep -q '^dry run: 2024 ' <<<"$dry" && grep -q '^republished after release 2024-' <<<"$dry" ||
	fail "dry run: $dry"
bpagg publish -c "$conf" --year 2024 --out "$tmp/nat" --level nasjonal >/dev/null
[ "$(cut -d, -f2 "$tmp/nat/tables.csv" | sort -u | tr '\n' ' ')" = "level nasjonal " ] ||
	fail "--level nasjonal"
natid=$(release_id "$tmp/nat")
h=$(grep -o '"hidden":{[^}]*}' "$tmp/nat/release.json" | sed -E \
	's/.*"nasjonal":"([0-9.]+)","fylke":"([0-9.]+)","kommune":"([0-9.]+)".*/nasjonal \1 %, fylke \2 %, kommune \3 %/')
grep -qxF "hidden count cells: $h" <<<"$dry" || fail "the dry run said: $dry; the release hid $h"
for why in primary secondary linked difference; do
	n=$(grep -c "\"release\":\"$natid\".*\"reason\":\"$why\"" "$tmp/inst/suppression.log" || true)
	grep -Eq "(: |, )$why $n(,|$)" <<<"$dry" || fail "the dry run's $why count ($dry), the log's $n"
done
bpagg audit -c "$conf" --release "$natid" >/dev/null || fail "audit --release"
rc=0; bpagg audit -c "$conf" --release 2024-nope 2>/dev/null || rc=$?
[ $rc -eq 1 ] || fail "audit of an unknown release: exit $rc"

# A republished year may not add a level (or table) to its previous release:
# the two releases could be combined (found by a hostile review: kommune
# cells recovered exactly from a kommune release and a national one of the
# same data). Refused with 1, nothing written or logged.
cp "$tmp/inst/suppression.log" "$tmp/log.lv"
rc=0; err=$(bpagg publish -c "$conf" --year 2024 --out "$tmp/lv" --level nasjonal,kommune 2>&1) || rc=$?
[ $rc -eq 1 ] && grep -q "2024 was published before (release .*) without the table kommune " <<<"$err" ||
	fail "a level added on republishing: exit $rc: $err"
[ ! -e "$tmp/lv" ] && cmp -s "$tmp/inst/suppression.log" "$tmp/log.lv" || fail "the refused release wrote"

# shared_cells = per_table: recorded, and the audit re-derives with it.
sed -i 's/^shared_cells = .*/shared_cells = per_table/' "$conf"
bpagg publish -c "$conf" --year 2024 --out "$tmp/pt" --level nasjonal >/dev/null
grep -q '"shared_cells":"per_table"' "$tmp/pt/release.json" || fail "per_table not recorded"
sed -i 's/^shared_cells = .*/shared_cells = consistent/' "$conf"
# The four releases together in the plain build; under the sanitizers the
# per_table one alone (the others were audited above, but for the
# nasjonal,fylke one: a third of the test's time there).
if [ -z "${BP_SANITIZED:-}" ]; then
	out=$(bpagg audit -c "$conf") || fail "audit with a per_table release: $out"
	[ "$(grep -c 're-derived, suppression matches' <<<"$out")" -eq 4 ] ||
		fail "audit of four releases: $out"
else
	out=$(bpagg audit -c "$conf" --release "$(release_id "$tmp/pt")") ||
		fail "audit of a per_table release: $out"
	[ "$(grep -c 're-derived, suppression matches' <<<"$out")" -eq 1 ] ||
		fail "audit of the per_table release: $out"
fi

# --published: a release as published anchors the log from outside. It
# verifies against the log, file by file; an altered copy does not; a file
# left out is said; a log cut back before it together with its kept folder
# (which the audit alone cannot tell from a shorter history) fails.
out=$(bpagg audit -c "$conf" --published "$tmp/pt") || fail "audit --published: $out"
ptid=$(release_id "$tmp/pt")
nf=$(ls "$tmp/pt" | wc -l)   # tables.json only with --json
grep -q "^published $tmp/pt: release $ptid, $nf files match its seal$" <<<"$out" &&
	[ "$(grep -c 're-derived, suppression matches' <<<"$out")" -eq 1 ] ||
	fail "audit --published output: $out"
cp -r "$tmp/pt" "$tmp/pt2" && rm "$tmp/pt2/sums.csv"
out=$(bpagg audit -c "$conf" --published "$tmp/pt2") && grep -q "$((nf - 1)) files match its seal (1 not in" <<<"$out" ||
	fail "a published copy without sums.csv: $out"
sed -i '2s/^2024,/2025,/' "$tmp/pt2/tables.csv"
rc=0; err=$(bpagg audit -c "$conf" --published "$tmp/pt2" 2>&1) || rc=$?
[ $rc -eq 1 ] && grep -q "pt2/tables.csv: not the file release $ptid sealed" <<<"$err" ||
	fail "an altered published copy: exit $rc: $err"
log=$tmp/inst/suppression.log
cp "$log" "$tmp/log.keep" && mv "$tmp/inst/releases/$ptid" "$tmp/ptkept"
head -n $(( $(grep -n '"type":"release"' "$log" | tail -n 1 | cut -d: -f1) - 1 )) "$tmp/log.keep" >"$log"
# (the chain, seals and kept files are checked whatever --release names;
# one release re-derived, the national one, keeps the test short under the
# sanitizers)
bpagg audit -c "$conf" --release "$natid" >/dev/null || fail "the log cut back with its folder does not verify alone"
rc=0; err=$(bpagg audit -c "$conf" --published "$tmp/pt" 2>&1) || rc=$?
[ $rc -eq 1 ] && grep -q "release $ptid is not sealed by the log" <<<"$err" ||
	fail "a published release cut from the log: exit $rc: $err"
cp "$tmp/log.keep" "$log" && mv "$tmp/ptkept" "$tmp/inst/releases/$ptid"
rc=0; bpagg audit -c "$conf" --published "$tmp/nosuch" 2>/dev/null || rc=$?
[ $rc -eq 66 ] || fail "--published without release.json: exit $rc"
rc=0; err=$(bpagg audit -c "$conf" --published "$tmp/pt" --release "$ptid" 2>&1) || rc=$?
[ $rc -eq 64 ] && grep -q -- '--release and --published exclude each other' <<<"$err" ||
	fail "--published with --release: exit $rc: $err"
rc=0; sed -i 's/^shared_cells = .*/shared_cells = sometimes/' "$conf"
bpagg publish -c "$conf" --year 2024 --out "$tmp/x" 2>/dev/null || rc=$?
[ $rc -eq 78 ] || fail "bad shared_cells: exit $rc"
sed -i 's/^shared_cells = .*/shared_cells = consistent/' "$conf"

# Usage errors.
rc=0; bpagg publish -c "$conf" --out "$tmp/x" 2>/dev/null || rc=$?
[ $rc -eq 64 ] || fail "no --year: exit $rc"
rc=0; bpagg publish -c "$conf" --year 2024 --out "$tmp/x" --level land 2>/dev/null || rc=$?
[ $rc -eq 64 ] || fail "bad --level: exit $rc"
rc=0; bpagg publish -c "$conf" --year 2023 --out "$tmp/x" 2>/dev/null || rc=$?
[ $rc -eq 66 ] || fail "a year without reports: exit $rc"
rc=0; bpagg publish -c "$conf" --year 2024 --dry-run --out "$tmp/x" 2>/dev/null || rc=$?
[ $rc -eq 64 ] || fail "--dry-run with --out: exit $rc"

# No person_id anywhere in what was written.
cut -d';' -f1 "$tmp"/0301.csv "$tmp"/1101.csv "$tmp"/1103.csv | grep -E '^[0-9]{11}$' >"$tmp/pids" || true
[ -s "$tmp/pids" ] || fail "no person_id found in the samples (the check would be void)"
if grep -rqFf "$tmp/pids" "$tmp/rel" "$tmp/inst/suppression.log" "$tmp/inst/releases"; then
	fail "a person_id in the release or the log"
fi

# A tampered log: the audit names the line.
log=$tmp/inst/suppression.log
cp "$log" "$tmp/log.orig"
sed -i '3s/"reason":"[a-z]*"/"reason":"linked"/; 3s/"reason":"linked"/"reason":"primary"/' "$log"
cmp -s "$log" "$tmp/log.orig" && sed -i '3s/"area":"/"area":"9/' "$log"
rc=0; err=$(bpagg audit -c "$conf" 2>&1) || rc=$?
[ $rc -eq 1 ] || fail "tampered log: exit $rc"
grep -q 'suppression.log:4: hash chain broken' <<<"$err" || fail "tampered log message: $err"
cp "$tmp/log.orig" "$log"
sed -i '5d' "$log"
rc=0; err=$(bpagg audit -c "$conf" 2>&1) || rc=$?
[ $rc -eq 1 ] || fail "deleted line: exit $rc"
grep -q 'suppression.log:5: entry number out of sequence' <<<"$err" || fail "deleted line message: $err"
cp "$tmp/log.orig" "$log"
# The seal cut off (found by a hostile review: taken for an interrupted
# append, exit 0, and the next publish would roll the release back), though
# publish keeps a release's folder only after its seal.
n=$(wc -l <"$tmp/log.orig")
{ head -n $((n - 1)) "$tmp/log.orig"; tail -n 1 "$tmp/log.orig" | head -c 50; } >"$log"
rc=0; err=$(bpagg audit -c "$conf" 2>&1) || rc=$?
[ $rc -eq 1 ] && grep -q 'of the unsealed tail has its folder kept in releases/' <<<"$err" ||
	fail "a cut-off seal: exit $rc: $err"
# ... and publish refuses it too (it rolled the tail back and moved the
# release's folder aside, after which the audit passed: found by another
# hostile review), as it does a log that lost only its last newline
ls "$tmp/inst/releases" >"$tmp/kept.before"
for cut in seal newline; do
	if [ $cut = newline ]; then head -c -1 "$tmp/log.orig" >"$log"; fi
	cp "$log" "$tmp/log.cut"
	rc=0; err=$(bpagg publish -c "$conf" --year 2024 --out "$tmp/cut-out" 2>&1) || rc=$?
	[ $rc -eq 65 ] && grep -q 'of the unsealed tail has its folder kept in releases/.*nothing rolled back' <<<"$err" ||
		fail "publish after a cut $cut: exit $rc: $err"
	cmp -s "$log" "$tmp/log.cut" || fail "publish after a cut $cut changed the log"
	[ "$(ls "$tmp/inst/releases")" = "$(cat "$tmp/kept.before")" ] && [ ! -e "$tmp/inst/releases.orphaned" ] ||
		fail "publish after a cut $cut moved a kept release"
	[ ! -e "$tmp/cut-out" ] || fail "publish after a cut $cut wrote a release"
done
cp "$tmp/log.orig" "$log"
# A FIFO in a kept file's place or the log's is refused, not waited on.
kept=$(ls -d "$tmp/inst/releases"/*/ | head -n 1)
mv "$kept/tables.csv" "$tmp/tables.keep" && mkfifo "$kept/tables.csv"
rc=0; err=$(timeout 60 bpagg audit -c "$conf" 2>&1) || rc=$?
[ $rc -eq 1 ] && grep -q 'kept release file tables.csv not a regular file' <<<"$err" ||
	fail "a FIFO as a kept file: exit $rc: $err"
rm "$kept/tables.csv" && mv "$tmp/tables.keep" "$kept/tables.csv"
# A file the log does not seal, added to a kept folder, is named too (a
# reader would take it for part of the release).
printf 'x\n' >"$kept/extra
.csv"
rc=0; err=$(bpagg audit -c "$conf" 2>&1) || rc=$?
[ $rc -eq 1 ] && grep -q "kept release folder ${kept%/} holds extra?.csv, which the log does not seal" <<<"$err" ||
	fail "an extra file in a kept folder: exit $rc: $err"
rm "$kept/extra
.csv"
mv "$log" "$tmp/log.keep" && mkfifo "$log"
rc=0; err=$(timeout 60 bpagg audit -c "$conf" 2>&1) || rc=$?
[ $rc -eq 66 ] && grep -q 'not a regular file' <<<"$err" || fail "a FIFO as the log: exit $rc: $err"
rm "$log" && mv "$tmp/log.keep" "$log"
# A log emptied (or cut before whole releases) leaves their kept folders
# unsealed: the audit fails instead of verifying what is left.
: >"$log"
rc=0; err=$(bpagg audit -c "$conf" 2>&1) || rc=$?
[ $rc -eq 1 ] && grep -q 'a kept release that .* does not seal' <<<"$err" ||
	fail "an emptied log beside kept releases: exit $rc: $err"
cp "$tmp/log.orig" "$log"
bpagg audit -c "$conf" --release "$natid" >/dev/null 2>&1 || fail "the restored log does not verify"

# republish_rule = refuse.
sed -i 's/^republish_rule = .*/republish_rule = refuse/' "$conf"
rc=0; err=$(bpagg publish -c "$conf" --year 2024 --out "$tmp/again" 2>&1) || rc=$?
[ $rc -eq 1 ] || fail "refuse: exit $rc"
grep -q 'republish_rule is refuse' <<<"$err" || fail "refuse message: $err"
[ ! -e "$tmp/again" ] || fail "refuse wrote files"
cmp -s "$log" "$tmp/log.orig" || fail "refuse changed the log"
echo "ok"
