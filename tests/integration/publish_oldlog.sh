#!/usr/bin/env bash
# publish_oldlog.sh - a suppression log and releases written before bpagg
# wrote its JSON with jansson (tests/fixtures/publish/suplog_v0.tar.xz, made
# by make_suplog_v0.sh with main at 3d258d8) still verify: bpagg audit
# checks their chain and seals and re-derives both releases; a release
# published on top chains to the old lines (which stay byte for byte) and
# names the last old release as "previous"; the whole log then verifies,
# and a line broken in it is named by line and column.
set -euo pipefail

. "$BP_SRCDIR/tests/helpers/fixture_lib.sh"
fixture_unpack suplog_v0
cp "$inst/suppression.log" "$tmp/old.log"
mapfile -t ids < <(ls "$inst/releases")
[ "${#ids[@]}" -eq 2 ] || fail "fixture: ${#ids[@]} releases"

out=$(bpagg audit -c "$conf") || fail "old log does not verify: $out"
[ "$(grep -c 're-derived, suppression matches' <<<"$out")" -eq 2 ] || fail "old releases: $out"
grep -q 'suppression.log: 16 entries, chain and seals verified' <<<"$out" || fail "old log: $out"

# A new release after the old ones.
id=$(bpagg publish -c "$conf" --year 2024 --out "$tmp/rel" --level nasjonal --level fylke)
cmp -n "$(stat -c %s "$tmp/old.log")" "$tmp/old.log" "$inst/suppression.log" ||
	fail "the old lines changed"
last=$(grep '"type":"seal"' "$tmp/old.log" | tail -1 | sed 's/.*"release":"\([^"]*\)".*/\1/')
grep -q "\"previous\":\"$last\"" "$tmp/rel/release.json" || fail "previous: $(cat "$tmp/rel/release.json")"
grep -q "^{\"n\":17,\"prev\":\"[0-9a-f]*\",\"type\":\"release\",\"release\":\"$id\",.*\"previous\":\"$last\"" \
	"$inst/suppression.log" || fail "new release entry"
out=$(bpagg audit -c "$conf") || fail "old and new lines do not verify together: $out"
[ "$(grep -c 're-derived, suppression matches' <<<"$out")" -eq 3 ] || fail "three releases: $out"

# A malformed line (its closing brace cut) is named, with its column.
sed -i '5s/}$//' "$inst/suppression.log"
rc=0
out=$(bpagg audit -c "$conf" 2>&1) || rc=$?
[ "$rc" -eq 1 ] || fail "broken line: exit $rc: $out"
grep -q 'suppression.log:5: not a JSON object: column [0-9]*: ' <<<"$out" || fail "broken line: $out"
echo ok
