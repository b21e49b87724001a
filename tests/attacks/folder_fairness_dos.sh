#!/usr/bin/env bash
# folder_fairness_dos.sh - bpaggd takes "a file of every folder in turn"
# (daemon/watch.c, order/cand_cmp), so that junk in one folder delays
# another folder's submission by one file a turn. Any uploader may make
# inbox/NNNN for any NNNN (bpaggd(8)), so F folders of no registered
# kommune gave the attacker F turns for each one of the victim (found by a
# hostile review). And what filled each turn was not cheap junk: a copy of
# any sealed file of a registered kommune (uploads are 0644) with its final
# chunk cut off is complete by its framing and its head verifies, so it was
# copied, decrypted and parsed in full, handed back to the inbox and
# claimed again on every back-off (1, 2, 4, ... 30 s) until young_seconds.
# Now folders of no registered kommune share the inbox's turn, a file
# handed back is claimed again only once it changed, and a copy that ends
# before its final chunk is not decrypted a second time. Measured on two
# cores, F=500 SETTLE=1: the victim waited 53 s before, 0 s after.
# MODE=trunc (default), replay (whole copies: "already applied", each
# decrypted in full, each leaves a receipt), or junk.
# Exits 1 when the victim's submission (its own folder inbox/B) is not
# merged within LIMIT s (default 20; alone it takes about a second).
# Heavy (F copies of a 5 MB file): not in make check; the turns are
# tested by tests/unit/daemon (scan_gives_unregistered_folders_one_turn,
# returned_file_is_claimed_again_only_when_changed).
. "$(dirname "$0")/lib.sh"
setup_install
B=0301
add_kommune $B
F=${F:-150} ROWS=${ROWS:-20000} MODE=${MODE:-trunc} LIMIT=${LIMIT:-20}
src=$(make_export $A 2024 "$ROWS" 1)
seal_to $A 2024 "$src" "$T/a.bpx"
vcsv=$(make_export $B 2024 20 2)
seal_to $B 2024 "$vcsv" "$T/victim.bpx"
# The attacker's file: kommune A's seal without its final chunk.
perl -e '
	my ($in, $out) = @ARGV; local $/; open(my $f, "<", $in) or die; my $b = <$f>;
	my $off = 132 + 4 + unpack("V", substr($b, 132, 4)); my $last;
	while ($off < length $b) { $last = $off; $off += 4 + unpack("V", substr($b, $off, 4)) }
	open(my $o, ">", $out) or die; print $o substr($b, 0, $last);' "$T/a.bpx" "$T/trunc.bpx"
make_junk "$T/junk.bpx"
case $MODE in trunc) atk=$T/trunc.bpx ;; replay) atk=$T/a.bpx ;; junk) atk=$T/junk.bpx ;; esac
chmod 644 "$T"/*.bpx
if [ "$MODE" = replay ]; then   # A's own upload, merged: the attacker replays it
	cp "$T/a.bpx" "$in/a.bpx"; bpaggd -c "$C" --once --foreground 2>>"$log" || true
fi
as_uploader mkdir "$in/$B"
for i in $(seq 1 "$F"); do
	d=$((5000 + i))
	as_uploader mkdir "$in/$d"
	as_uploader cp "$atk" "$in/$d/.x"; as_uploader mv "$in/$d/.x" "$in/$d/x.bpx"
done
echo "MODE=$MODE: $F folders inbox/5001.. each with one $(stat -c %s "$atk")-byte file"
start_daemon "$log"
sleep "${SETTLE:-8}"
cpu0=$(awk '{print $14 + $15}' /proc/$DPID/stat)
as_uploader cp "$T/victim.bpx" "$in/$B/.v"; as_uploader mv "$in/$B/.v" "$in/$B/v.bpx"
t0=$(date +%s)
merged=0
while [ $(( $(date +%s) - t0 )) -lt "$LIMIT" ]; do
	if archived_as "$T/victim.bpx" 2024 $B; then merged=1; break; fi
	sleep 0.2
done
dt=$(( $(date +%s) - t0 ))
cpu1=$(awk '{print $14 + $15}' /proc/$DPID/stat)
ret=$(grep -c 'put back into the inbox' "$log" || true)
echo "victim merged=$merged after ${dt} s; bpaggd CPU over that time: $(( (cpu1 - cpu0) / $(getconf CLK_TCK) )) s;" \
	"'put back' lines: $ret; receipts in outbox/$A: $(find "$T/c/outbox/$A" -name '*.receipt' 2>/dev/null | wc -l)"
[ $merged -eq 1 ] || broken "kommune $B's submission in its own folder not merged within ${dt} s: $F folders anyone may make, each with one $MODE file, come first"
held "the victim's submission was merged after ${dt} s"
