#!/usr/bin/env bash
# presized_inplace_refused.sh - a kommune's upload written in place by a
# client that sets the file's size first (Windows CopyFile over SMB sets
# the end of file before writing; rsync --preallocate, segmented sftp/
# rclone/lftp uploads): while it is written, the unwritten rest reads as
# zeros. The framing walk met a chunk length 0 there and called the file
# complete; it was claimed mid-write, refused and deleted unread, and the
# rest of the upload went into a deleted inode (found by a hostile review).
# Now a file that starts or ends with zeros, or whose walk meets a length
# 0, is still being written (watch.c), and a copy that reaches reserved
# space stops there as a file still being written (bp_open_copy).
# ZERO_PAUSE: seconds the file stays all zeros first. Exits 1 when the
# finished upload is not merged.
. "$(dirname "$0")/lib.sh"
setup_install
csv=$(make_export $A 2024 3000 1); seal_to $A 2024 "$csv" "$T/s.bpx"; chmod 644 "$T/s.bpx"
sz=$(stat -c %s "$T/s.bpx"); half=$((sz / 2))
start_daemon "$log"
sleep 2
# the client: size first, then the bytes, in two halves a few seconds apart
# (one descriptor, held open throughout, as an SMB or sftp server holds it)
as_uploader bash -c 'exec 3<>"$1" && truncate -s "$3" /dev/fd/3 && sleep "$5" &&
	dd if="$2" of=/dev/fd/3 bs="$4" count=1 conv=notrunc status=none && sleep 4 &&
	dd if="$2" of=/dev/fd/3 bs="$4" skip=1 seek=1 conv=notrunc status=none' \
	_ "$in/up.bpx" "$T/s.bpx" "$sz" "$half" "${ZERO_PAUSE:-0}" || true
sleep 4
stop_daemon
echo "sealed $sz bytes; inbox: $(files_in "$in") files; reason: $(reason_of up.bpx || echo none)"
archived_as "$T/s.bpx" 2024 $A || broken "kommune $A's pre-sized upload, written in place, was not merged: $(reason_of up.bpx || echo 'no reason')"
held "merged"
