#!/usr/bin/env bash
# chunk_walk_dos.sh - bpd_look_at() (daemon/watch.c, walk_chunks) reads the
# framing of an inbox file 4 bytes per chunk, and accepts chunks of 17
# bytes: a file of minimal chunks, one short of complete, costs one pread
# per 21 bytes at every look (12.8 million for the default 256 MiB). The
# uploader hard-links it under a few *.bpx names and touches it every second
# (an incomplete file that changed is looked at again at the next listing),
# and the whole inbox listing, which comes before any claim, takes minutes:
# a real submission dropped meanwhile waits.
# Exits 1 when a real submission is not merged within 20 s.
. "$(dirname "$0")/lib.sh"
setup_install
SIZE_MB=${SIZE_MB:-64} LINKS=${LINKS:-6}
csv=$(make_export $A 2024 20 1)
seal_to $A 2024 "$csv" "$T/real.bpx"
chmod 644 "$T/real.bpx"
# Junk: magic + 124 header bytes, then chunks of length 17, the last cut short.
as_uploader perl -e '
	my ($out, $size) = @ARGV;
	open(my $f, ">", $out) or die;
	print $f "BPAGGSUB" . ("\0" x 124);
	my $chunk = pack("V", 17) . ("x" x 17);
	my $blk = $chunk x 50000;
	my $n = 132;
	while ($n + length($blk) < $size) { print $f $blk; $n += length($blk) }
	print $f pack("V", 17) . "xx";   # one short chunk: incomplete
	close $f;' "$in/.junk" $((SIZE_MB << 20))
for i in $(seq 1 "$LINKS"); do as_uploader ln "$in/.junk" "$in/j$i.bpx"; done
start_daemon "$log"
# The uploader changes the inode every second.
( for _ in $(seq 1 50); do as_uploader touch "$in/.junk" 2>/dev/null || true; sleep 1; done ) &
toucher=$!
DPIDS+=("$toucher")
sleep 3
as_uploader cp "$T/real.bpx" "$in/real.bpx"
t0=$(date +%s)
merged=0
for _ in $(seq 1 200); do
	if archived_as "$T/real.bpx" 2024 $A; then merged=1; break; fi
	[ $(( $(date +%s) - t0 )) -lt 20 ] || break
	sleep 0.1
done
dt=$(( $(date +%s) - t0 ))
kill "$toucher" 2>/dev/null || true
[ $merged -eq 1 ] || broken "a real submission was not merged within ${dt} s while $LINKS links to one ${SIZE_MB} MiB file of 17-byte chunks lay in the inbox"
held "a real submission was merged after ${dt} s"
