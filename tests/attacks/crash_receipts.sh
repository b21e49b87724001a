#!/usr/bin/env bash
# crash_receipts.sh - bpaggd (as its service user) SIGKILLed at random
# instants while files dropped by the uploader are taken in, restarted each
# time; then one --once run. Checked: every upload archived once, one
# receipt per upload, each saying "merged", nothing left in the queue, no
# temporary file left in archive/, rejected/ or outbox/.
# Exits 1 when a submission or receipt is lost or doubled.
. "$(dirname "$0")/lib.sh"
init_central
log="$T/bpaggd.log" in="$T/c/inbox"
N=${N:-30} KILLS=${KILLS:-40} YEAR=2022
mapfile -t kommuner < <(awk -F, 'NR > 1 { print $1 }' "$BPAGG_REGISTRY" | tail -n "$N")
mkdir -p "$T/sealed"
for i in "${!kommuner[@]}"; do
	k=${kommuner[$i]}
	add_kommune "$k"
	csv=$(make_export "$k" $YEAR $((20 + i % 7)) "$((1000 + i))")
	seal_to "$k" $YEAR "$csv" "$T/sealed/$k.bpx"
done
chmod -R a+rX "$T/sealed"; chmod 755 "$T" "$T/k"; chmod 777 "$in"
serve_as daemon
next=0 kills=0
while [ $kills -lt "$KILLS" ] || [ $next -lt $N ]; do
	for _ in 1 2; do
		[ $next -lt $N ] || break
		k=${kommuner[$next]}
		if [ $((next % 2)) -eq 0 ]; then
			as_uploader cp "$T/sealed/$k.bpx" "$in/$k.bpx.part"
			as_uploader mv "$in/$k.bpx.part" "$in/$k.bpx"
		else
			as_uploader mkdir -p "$in/$k"; as_uploader chmod 777 "$in/$k"
			as_uploader cp "$T/sealed/$k.bpx" "$in/$k/.up"
			as_uploader mv "$in/$k/.up" "$in/$k/up.bpx"
		fi
		next=$((next + 1))
	done
	start_daemon "$log"
	sleep "$(printf '0.%03d' $((RANDOM % 300 + 1)))"
	kill -KILL "$DPID" 2>/dev/null || true
	wait "$DPID" 2>/dev/null || true
	kills=$((kills + 1))
done
rc=0
timeout 40 bpaggd -c "$C" --once --foreground 2>>"$log" || rc=$?
[ $rc -eq 0 ] || broken "final --once exited $rc"
bad=""
[ "$(find "$in" -type f | wc -l)" -eq 0 ] || bad+=" files left in the inbox;"
[ -z "$(ls -A "$T/c/queue" | grep -vx .bpaggd.lock)" ] || bad+=" queue not empty: $(ls "$T/c/queue" | head -3 | tr "\n" " ");"
tmp=$(find "$T/c/archive" "$T/c/rejected" "$T/c/outbox" -name '.*' | head -3)
[ -z "$tmp" ] || bad+=" temporary files left: $tmp;"
for k in "${kommuner[@]}"; do
	na=$(find "$T/c/archive/$YEAR/$k" -type f 2>/dev/null | wc -l)
	nr=$(find "$T/c/outbox/$k" -name '*.receipt' 2>/dev/null | wc -l)
	nm=$(grep -l '"status":"merged"' "$T/c/outbox/$k"/*.receipt 2>/dev/null | wc -l)
	[ "$na" -eq 1 ] && [ "$nr" -eq 1 ] && [ "$nm" -eq 1 ] || bad+=" $k: archived $na, receipts $nr ($nm merged);"
done
nrej=$(find "$T/c/rejected" -type f | wc -l)
[ "$nrej" -eq 0 ] || bad+=" $nrej files in rejected/;"
echo "$kills kills"
[ -z "$bad" ] || broken "$bad"
held "after $kills SIGKILLs: every upload archived once with one merged receipt"
