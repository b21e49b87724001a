#!/usr/bin/env bash
# daemon_flood.sh - files present before the start; BPAGG_FLOOD_FILES files
# (default 1000 in make check; the acceptance figure is 20000, run with
# BPAGG_FLOOD_FILES=20000) dropped at once while the daemon is busy; then
# the inbox directory removed and recreated while it runs, and more files
# dropped into the new one. The periodic scan is set to an hour, so only
# the fs-event watcher (and its re-arming) can find the later files. All
# must be processed: the flood's copies counted as already applied, and not
# kept again (the archive holds each submission's bytes once).
set -euo pipefail
. "$BP_SRCDIR/tests/helpers/daemon_lib.sh"
FLOOD=${BPAGG_FLOOD_FILES:-1000}
M=20
YEAR=2021

# every copy recorded one by one (replays_per_day: replay_receipt_flood.sh)
init_central "scan_seconds = 3600" "replays_per_day = 100000"
mapfile -t kommuner < <(awk -F, 'NR > 1 { print $1 }' "$BPAGG_REGISTRY" | sed -n "100,$((99 + M))p")
mkdir -p "$T/sealed" "$T/stage"
csvs=()
for i in "${!kommuner[@]}"; do
	k=${kommuner[$i]}
	add_kommune "$k"
	csv=$(make_export "$k" $YEAR 20 "$((2000 + i))")
	csvs+=("$csv")
	seal_to "$k" $YEAR "$csv" "$T/sealed/$k.bpx"
done
# The flood: copies of the sealed files under FLOOD distinct names, made by
# tee in a staging directory (few processes), moved into the inbox at once.
per=$(( (FLOOD + M - 1) / M ))
made=0
for k in "${kommuner[@]}"; do
	names=()
	for _ in $(seq 1 $per); do
		[ $made -lt "$FLOOD" ] || break
		names+=("$T/stage/flood-$(printf '%06d' $made).bpx")
		made=$((made + 1))
	done
	[ ${#names[@]} -eq 0 ] || printf '%s\0' "${names[@]}" |
		xargs -0 -n 2000 sh -c 'tee "$@" <"$0" >/dev/null' "$T/sealed/$k.bpx"
done
[ "$(files_in "$T/stage")" -eq "$FLOOD" ] || fail "staged $(files_in "$T/stage") files"
ok "sealed $M exports, staged $FLOOD copies"

# Present before the start.
cp "$T/sealed"/*.bpx "$T/c/inbox/"
log="$T/bpaggd.log"
start_daemon "$log"
# Dropped at once while the daemon works on the first ones.
find "$T/stage" -type f -name '*.bpx' -print0 | xargs -0 mv -t "$T/c/inbox/"
wait_until 600 inbox_empty || fail "flood not processed: $(files_in "$T/c/inbox") files left"
[ "$(files_in "$T/c/archive")" -eq $M ] || fail "archive holds $(files_in "$T/c/archive"), expected $M"
for k in "${kommuner[@]}"; do
	archived_as "$T/sealed/$k.bpx" $YEAR "$k" || fail "kommune $k's submission is not archived"
done
[ "$(files_in "$T/c/rejected")" -eq 0 ] || fail "files were rejected"
[ "$(grep -c 'already applied' "$log")" -eq "$FLOOD" ] || fail "$(grep -c 'already applied' "$log") already applied, expected $FLOOD"
[ "$(grep -c 'already applied (kommune [0-9]* year [0-9]*); not kept, archive/' "$log")" -eq "$FLOOD" ] ||
	fail "$(grep -c 'not kept, archive/' "$log") replays not kept, expected $FLOOD"
expected_counts "${csvs[@]}" >"$T/expected"
store_counts $YEAR >"$T/store"
diff "$T/expected" "$T/store" >/dev/null || fail "store counts differ after the flood"
ok "$((M + FLOOD)) files processed: $M merged and archived, $FLOOD already applied and not kept again"

# Remove and recreate the inbox while the daemon runs, then drop files into
# the new one (as .part, then renamed, one flat and one in inbox/NNNN/).
rmdir "$T/c/inbox"
sleep 0.3
mkdir "$T/c/inbox"
sleep 1.5   # let the watcher be re-armed on the new directory (1 s tick)
k1=${kommuner[0]} k2=${kommuner[1]}
n1=$(make_export "$k1" $YEAR 25 9001)
n2=$(make_export "$k2" $YEAR 26 9002)
seal_to "$k1" $YEAR "$n1" "$T/n1.bpx"
seal_to "$k2" $YEAR "$n2" "$T/n2.bpx"
cp "$T/n1.bpx" "$T/c/inbox/n1.bpx.part" && mv "$T/c/inbox/n1.bpx.part" "$T/c/inbox/n1.bpx"
mkdir "$T/c/inbox/$k2"
cp "$T/n2.bpx" "$T/c/inbox/$k2/n2.bpx.part" && mv "$T/c/inbox/$k2/n2.bpx.part" "$T/c/inbox/$k2/n2.bpx"
wait_until 60 inbox_empty || fail "files in the recreated inbox not processed"
archived_as "$T/n1.bpx" $YEAR "$k1" && archived_as "$T/n2.bpx" $YEAR "$k2" || fail "new files not archived"
stop_daemon
csvs[0]=$n1
csvs[1]=$n2
expected_counts "${csvs[@]}" >"$T/expected"
store_counts $YEAR >"$T/store"
diff "$T/expected" "$T/store" >/dev/null || fail "store counts differ after the inbox was recreated"
ok "inbox removed and recreated: new files processed"
cp "$log" "$T/c/"
no_pid_leak
