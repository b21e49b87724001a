#!/usr/bin/env bash
# plaintext_kept.sh - a file that starts with the 8 bytes "BPAGGSUB" is
# taken as sealed (daemon/dispose.c, looks_sealed; daemon/watch.c,
# bpd_look_at): whatever follows is copied into the queue, refused by
# ingest ("envelope: ...") and KEPT in rejected/ byte for byte. So a
# plaintext export behind the magic (or a sealed file with an export
# appended, e.g. `cat sealed.bpx export.csv`) leaves person_ids in
# rejected/, which the guide says never happens.
# Exits 1 when a person_id of the export is found in rejected/.
. "$(dirname "$0")/lib.sh"
setup_install
csv=$(make_export $A 2024 20 1)
seal_to $A 2024 "$csv" "$T/real.bpx"
chmod 644 "$T/real.bpx" "$csv"
# 1. the magic, then the plaintext export; 2. a sealed file + the export.
as_uploader sh -c "{ printf BPAGGSUB; cat '$csv'; } >'$in/magic.bpx'"
as_uploader sh -c "cat '$T/real.bpx' '$csv' >'$in/appended.bpx'"
bpaggd -c "$C" --once --foreground 2>>"$log" || true
ids="$T/ids.txt"
awk 'FNR == 1 { FS = index($0, ";") ? ";" : ","; gsub(/"/, ""); $0 = $0
	for (i = 1; i <= NF; i++) if ($i ~ /person_id/) p = i; next }
	{ gsub(/"/, ""); print $p }' "$csv" | grep -E '^[0-9]{11}$' | sort -u >"$ids"
[ -s "$ids" ] || { echo "no person_ids extracted"; exit 2; }
grep -o 'refused: [^;]*' "$log" | sort | uniq -c
found=$(grep -rlaF -f "$ids" "$T/c" 2>/dev/null || true)
[ -z "$found" ] || broken "person_ids of the export found in: $(echo "$found" | sed "s|$T/c/||" | tr '\n' ' ')"
held "no person_id kept"
