#!/usr/bin/env bash
# head_then_plaintext.sh - daemon_nocopy.sh checks that a plaintext behind
# the magic (head refused) and a plaintext appended after a valid seal's
# final chunk are never copied into the queue. This is the case between
# them: the authentic head (header + signed metadata chunk) of any sealed
# file of a registered kommune (uploads are 0644), followed by a plaintext
# export in place of the body. bp_ingest_check_head verifies the head only;
# the copy used to run to the size the signed metadata gives, so the
# plaintext was written into queue/<T>-<R>.cw.* and synced before ingest
# refused it (found by a hostile review). The copy is now made chunk by
# chunk as each authenticates (bp_open_copy): the head and a 4-byte frame
# that fails. Here bpaggd is killed at the copy's fsync (strace), as a
# crash or power loss would. Exits 1 when a queue entry made by bpaggd
# (cw/cp) holds a person_id.
. "$(dirname "$0")/lib.sh"
command -v strace >/dev/null || { echo "skip: no strace"; exit 77; }
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
setup_install
big=$(make_export $A 2024 400 1)          # a kommune's upload: its head is taken
seal_to $A 2024 "$big" "$T/big.bpx"
pt=$(make_export $A 2024 40 2)            # the plaintext export
person_ids "$T/ids" "$pt"
# head = 132-byte header + 4-byte length + the metadata chunk
mlen=$(od -An -tu4 -j132 -N4 "$T/big.bpx" | tr -d ' ')
head -c $((136 + mlen)) "$T/big.bpx" >"$T/head"
cat "$T/head" "$pt" >"$T/evil.bpx"
chmod 644 "$T/evil.bpx" "$T/head"
echo "head $((136 + mlen)) bytes + plaintext $(stat -c %s "$pt") bytes; sealed size of the head's file $(stat -c %s "$T/big.bpx")"
bpaggd -c "$C" --once --foreground 2>>"$log" || true   # the store and queue exist
as_uploader cp "$T/evil.bpx" "$in/.e"; as_uploader mv "$in/.e" "$in/evil.bpx"
strace -f -qq -o /dev/null -e trace=fsync -e inject=fsync:signal=SIGKILL:when=1 \
	bpaggd -c "$C" --once --foreground 2>>"$log" >/dev/null 2>&1 || true
ls -l "$T/c/queue" | sed 's/^/queue: /'
hit=$(for f in "$T/c/queue"/*.cw.* "$T/c/queue"/*.cp.*; do
	[ -f "$f" ] && grep -qaF -f "$T/ids" "$f" && echo "${f##*/}"; done || true)
# Run to the end: refused, nothing kept (as the daemon promises).
bpaggd -c "$C" --once --foreground 2>>"$log" || true
grep -o 'refused: [^;]*' "$log" | sort | uniq -c
[ -z "$hit" ] || broken "bpaggd's own copy in the queue held person_ids of a plaintext export: $hit"
held "no copy held a person_id"
