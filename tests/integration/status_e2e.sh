#!/usr/bin/env bash
# status_e2e.sh - bpagg status after real submissions: bpagg init, keygen,
# register, sample, seal, bpaggd --once; then text and --json show the
# kommuner, rows, sequences, the rejected file and the waiting files, and a
# resubmission replaces the kommune's rows. The sequence (nanoseconds,
# above 2^53) is the same string in seal's output, the receipt and --json.
# Without -c the commands read $BPAGG_CONF, else the installed configuration
# (a missing one is named, exit 78).
set -euo pipefail

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

inst=$tmp/inst
bpagg init "$inst" >/dev/null
conf=$inst/bpagg.conf

out=$(bpagg status -c "$conf")
grep -q 'no submissions yet' <<<"$out" || fail "fresh installation: $out"
out=$(BPAGG_CONF=$conf bpagg status)
grep -q 'no submissions yet' <<<"$out" || fail "status with BPAGG_CONF: $out"
# the installed configuration, when the build's sysconfdir has none
def=$(bpagg status --help | sed -n 's/.*else \(.*\/bpagg\/bpagg.conf\)).*/\1/p')
[ -n "$def" ] || fail "status --help names no default configuration"
if [ ! -e "$def" ]; then
	rc=0
	out=$(env -u BPAGG_CONF bpagg status 2>&1) || rc=$?
	[ "$rc" = 78 ] && grep -qF "$def: No such file" <<<"$out" || fail "no configuration (rc $rc): $out"
	rc=0
	out=$(env -u BPAGG_CONF bpaggd --once --foreground 2>&1) || rc=$?
	[ "$rc" = 78 ] && grep -qF "$def" <<<"$out" || fail "bpaggd without configuration (rc $rc): $out"
fi

seal() { # kommune rows seed name
	bpagg sample --kommune "$1" --year 2024 --rows "$2" --seed "$3" --delimiter ';' -o "$tmp/$4.csv" >/dev/null
	bpagg seal "$tmp/$4.csv" --kommune "$1" --year 2024 --key "$tmp/k/$1.sign.sk" \
		--to "$inst/keys/central.box.pk" -o "$tmp/$4.bpx" >"$tmp/$4.seal"
}

mkdir -p "$tmp/k"
for k in 0301 4601; do
	bpagg keygen kommune "$k" --out "$tmp/k" >/dev/null
	bpagg register -c "$conf" "$k" "$tmp/k/$k.sign.pk" >/dev/null
done
seal 0301 40 1 oslo1
# Bergen reports 10 persons, all of them reported by Oslo too: the first 10
# rows of Oslo's export with the kommune column changed.
awk -F';' -v OFS=';' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^"?kommune"?\r?$/) k = i; print; next }
	NR <= 11 { sub(/0301/, "4601", $k); print }' "$tmp/oslo1.csv" >"$tmp/bergen1.csv"
bpagg check "$tmp/bergen1.csv" --kommune 4601 --year 2024 >/dev/null || fail "bergen1.csv invalid"
bpagg seal "$tmp/bergen1.csv" --kommune 4601 --year 2024 --key "$tmp/k/4601.sign.sk" \
	--to "$inst/keys/central.box.pk" -o "$tmp/bergen1.bpx" >/dev/null
cp "$tmp/oslo1.bpx" "$inst/inbox/"
mkdir -p "$inst/inbox/4601"
cp "$tmp/bergen1.bpx" "$inst/inbox/4601/"
head -c 300 /dev/urandom >"$inst/inbox/junk.bpx"

out=$(bpagg status -c "$conf")
grep -q '^files waiting in the inbox   3$' <<<"$out" || fail "3 waiting: $out"

BPAGG_CONF=$conf bpaggd --once --foreground 2>/dev/null || fail "bpaggd --once (BPAGG_CONF) failed"

json=$(bpagg status -c "$conf" --json)
grep -q '"year": 2024, "kommuner_reported": 2, "kommuner_total": 357, "rows": 50, "rejected": 0, "waiting": 0, "multi_kommune_persons": 10' <<<"$json" ||
	fail "after ingest: $json"
seq=$(sed -n 's/.*: sequence \([0-9]*\), .*/\1/p' "$tmp/oslo1.seal")
[ "${#seq}" -ge 17 ] || fail "seal printed no nanosecond sequence: $(cat "$tmp/oslo1.seal")"
grep -q "{\"kommune\": \"0301\", \"name\": \"Oslo\", \"rows\": 40, \"sequence\": \"$seq\", \"received\": \"20[0-9-]*T[0-9:]*Z\"}" <<<"$json" ||
	fail "oslo (sequence $seq): $json"
grep -q "\"sequence\":\"$seq\"" "$inst"/outbox/0301/*.receipt || fail "receipt without sequence $seq"
if command -v python3 >/dev/null; then
	# Through a JSON library: the status and the receipt give the same number.
	printf '%s\n' "$json" >"$tmp/status.json"
	python3 - "$seq" "$inst"/outbox/0301/*.receipt "$tmp/status.json" <<'PY' || fail "sequence through JSON"
import json, sys
st = json.load(open(sys.argv[3]))
k = [k for y in st["years"] for k in y["kommuner"] if k["kommune"] == "0301"][0]
rc = json.loads(open(sys.argv[2]).readline())
assert int(k["sequence"]) == int(rc["sequence"]) == int(sys.argv[1]) > 2**53, (k, rc)
PY
fi
grep -q '{"kommune": "4601", "name": "Bergen", "rows": 10, ' <<<"$json" || fail "bergen: $json"
grep -q '"rejected_year_unknown": 1' <<<"$json" || fail "junk not counted as rejected: $json"

# A resubmission replaces the kommune's rows.
seal 0301 10 3 oslo2
cp "$tmp/oslo2.bpx" "$inst/inbox/"
bpaggd -c "$conf" --once --foreground 2>/dev/null || fail "bpaggd --once failed"
out=$(bpagg status -c "$conf" --year 2024)
grep -q '^  rows                       20$' <<<"$out" || fail "after resubmission: $out"
grep -q '^  persons in >1 kommune      0$' <<<"$out" || fail "Oslo's new persons are others: $out"
grep -q '^  0301     Oslo  *10 ' <<<"$out" || fail "oslo row: $out"
echo ok
