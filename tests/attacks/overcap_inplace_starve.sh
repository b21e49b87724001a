#!/usr/bin/env bash
# overcap_inplace_starve.sh - a folder holds at most BPD_FOLDER_CAP (1000)
# waited-for incomplete files; further incomplete files there are "left
# alone (not looked at again, not aged) until fewer are waited for"
# (daemon/watch.c, wait_new / consider: e->over_cap). An upload written in
# place (sftp put, no .part name: the daemon waits for such uploads) is
# first seen incomplete; in a folder the attacker filled with JUNK tiny
# incomplete files it is marked over_cap and is not looked at again when
# it completes. Room comes only when the 1000 waited-for junk files are
# refused young_seconds (60) after they were first seen, and then goes to
# the over-cap entries in readdir order: the victim waits about
# (its place among JUNK over-cap files / 1000) x 60 s, and for ever if the
# attacker keeps dropping junk. (daemon_dos.sh drops the real submission
# complete, by rename, which is looked at at first sight.)
# FOLDER: "" (inbox/ itself, where every kommune may upload) or the victim's
# own inbox/NNNN (writable by every uploading account in the group).
# Exits 1 when the in-place upload is not merged within LIMIT s (default 45)
# of being complete; without junk it is merged within about 2 s.
. "$(dirname "$0")/lib.sh"
setup_install "young_seconds = 60"
JUNK=${JUNK:-5000} LIMIT=${LIMIT:-45} FOLDER=${FOLDER-}
dir=$in; [ -z "$FOLDER" ] || { as_uploader mkdir "$in/$FOLDER"; dir=$in/$FOLDER; }
csv=$(make_export $A 2024 200 1)
seal_to $A 2024 "$csv" "$T/real.bpx"
chmod 644 "$T/real.bpx"
as_uploader bash -c 'cd "$1" && for ((i = 0; i < $2; i++)); do printf BPAGGSUB >"j$i.bpx"; done' \
	_ "$dir" "$JUNK"
start_daemon "$log"
[ "$JUNK" -lt 1000 ] || wait_until 60 grep -q 'incomplete files already waited for' "$log" ||
	broken "setup: the cap was not reached"
# The victim writes its upload in place: half, a pause (the daemon lists it
# as incomplete), then the rest.
as_uploader perl -e '
	my ($src, $dst) = @ARGV; local $/; open(my $s, "<", $src) or die; my $b = <$s>;
	open(my $d, ">", $dst) or die; binmode $d; select((select($d), $| = 1)[0]);
	my $h = int(length($b) / 2); print $d substr($b, 0, $h); sleep 3;
	print $d substr($b, $h); close $d;' "$T/real.bpx" "$dir/kommune-upload.bpx"
t0=$(date +%s)
merged=0
while [ $(( $(date +%s) - t0 )) -lt "$LIMIT" ]; do
	if archived_as "$T/real.bpx" 2024 $A; then merged=1; break; fi
	sleep 0.5
done
dt=$(( $(date +%s) - t0 ))
echo "JUNK=$JUNK in inbox/${FOLDER}: in-place upload merged=$merged, ${dt} s after it was complete;" \
	"junk left: $(find "$dir" -name 'j*.bpx' | wc -l)"
[ $merged -eq 1 ] || broken "an upload written in place was not merged within ${dt} s of completion (over the folder's cap of waited-for files)"
held "merged ${dt} s after completion"
