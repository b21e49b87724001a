#!/usr/bin/env bash
# receipt_twice_merged.sh - a kommune uploads the same sealed file twice
# (a retried upload); both copies are claimed within the same second T.
# When a step after the verdict fails once (here: outbox/ not writable by
# the service user, so the receipt cannot be written; a crash does the
# same), the retry takes "already applied, ledger received == T" for the
# upload's own merge (daemon/dispose.c, finish): the second upload, which
# was "already applied", is then reported "merged" too: two "merged"
# receipts, and the log counts two merges, for one submission.
# Exits 1 when two receipts say "merged" for one submission.
. "$(dirname "$0")/lib.sh"
setup_install
serve_as daemon
csv=$(make_export $A 2024 20 1)
seal_to $A 2024 "$csv" "$T/real.bpx"
chmod 644 "$T/real.bpx"
# outbox/ not writable by the daemon for now (disk full, a mistake...).
chown root "$T/c/outbox"; chmod 755 "$T/c/outbox"
as_uploader cp "$T/real.bpx" "$in/.a"; as_uploader cp "$T/real.bpx" "$in/.b"
# Both dropped right after a second begins, so both are claimed within it.
for _ in $(seq 1 50); do [ "$(date +%N | cut -c1)" -lt 2 ] && break; sleep 0.02; done
as_uploader mv "$in/.a" "$in/first.bpx"; as_uploader mv "$in/.b" "$in/second.bpx"
bpaggd -c "$C" --once --foreground 2>>"$log" || true
ls "$T/c/queue" 2>/dev/null | sed 's/^/queue: /'
# The outbox is fixed; the queue is taken to its end.
chown daemon "$T/c/outbox"
bpaggd -c "$C" --once --foreground 2>>"$log" || true
n=$(grep -l '"status":"merged"' "$T/c/outbox/$A"/*.receipt 2>/dev/null | wc -l)
nr=$(ls "$T/c/outbox/$A"/*.receipt 2>/dev/null | wc -l)
grep -c ': merged kommune' "$log" | sed 's/^/log lines "merged": /'
echo "receipts: $nr, of which merged: $n"
[ "$n" -le 1 ] || broken "$n receipts say merged for one submission (two uploads of one file)"
held "one merged receipt ($nr receipts)"
