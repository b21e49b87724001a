#!/usr/bin/env bash
# daemon_refuse.sh - what bpaggd refuses or skips, with bpaggd --once after
# each drop: a resubmission replaces the kommune's year; the same file
# twice and the same file renamed are counted as already applied, with a
# receipt each and no second copy (the archive holds the bytes, and
# the replay is known by comparing with them, before any decryption); an
# older sequence after a newer one, an unregistered kommune, a tampered
# file (also one whose head is that of an applied submission) and an
# invalid row are refused, each with a reason file (and a
# receipt when the sender is verified), the store unchanged.
set -euo pipefail
. "$BP_SRCDIR/tests/helpers/daemon_lib.sh"
YEAR=2023
A=4601 B=5001 U=1103   # U is never registered

init_central
add_kommune $A
add_kommune $B
add_kommune $U noregister
log="$T/bpaggd.log"
in="$T/c/inbox"

once() {
	local rc=0
	bpaggd -c "$C" --once --foreground 2>>"$log" || rc=$?
	[ $rc -eq 0 ] || fail "bpaggd --once exited $rc"
	[ "$(files_in "$in")" -eq 0 ] || fail "files left in the inbox"
}
# counts_are CSV...: the store's counts of the year equal the plaintext's.
counts_are() {
	expected_counts "$@" >"$T/expected"
	store_counts $YEAR >"$T/store"
	diff "$T/expected" "$T/store" >/dev/null || fail "store counts differ from the plaintext ($*)"
}
# receipt_status NNNN FILE: the status of the newest receipt naming FILE.
receipt_statuses() {
	"$H/receiptcheck" "$T/c/keys/daemon.sign.pk" "$T/c/outbox/$1"/*.receipt |
		awk -v f="$2" '$2 == f { print $1 }' | sort | tr '\n' ' '
}

# 1. A first submission of A, and one of B.
aa=$(make_export $A $YEAR 30 1)
ba=$(make_export $B $YEAR 25 2)
seal_to $A $YEAR "$aa" "$T/aa.bpx"
seal_to $B $YEAR "$ba" "$T/ba.bpx"
cp "$T/aa.bpx" "$in/aa.bpx"
cp "$T/ba.bpx" "$in/ba.bpx"
once
counts_are "$aa" "$ba"
[ "$(receipt_statuses $A aa.bpx)" = "merged " ] || fail "no merged receipt for aa"
ok "first submissions merged"

# 2. The same file again, and renamed: archived, counted once.
cp "$T/aa.bpx" "$in/aa.bpx"
once
cp "$T/aa.bpx" "$in/aa-copy.bpx"
once
counts_are "$aa" "$ba"
[ "$(files_in "$T/c/archive/$YEAR/$A")" -eq 1 ] || fail "a replay was archived again: $(ls "$T/c/archive/$YEAR/$A")"
archived_as "$T/aa.bpx" $YEAR $A || fail "aa's archived copy differs"
[ "$(files_in "$T/c/rejected")" -eq 0 ] || fail "a duplicate was rejected"
[ "$(receipt_statuses $A aa.bpx)" = "already_applied merged " ] || fail "receipts for aa: $(receipt_statuses $A aa.bpx)"
[ "$(receipt_statuses $A aa-copy.bpx)" = "already_applied " ] || fail "no receipt for the renamed copy"
grep -q "aa-copy.bpx: already applied (kommune $A year $YEAR); not kept, archive/$YEAR/$A/[0-9a-f]*.bpx holds the same bytes" "$log" ||
	fail "not logged as already applied and not kept"
# (found by the signed head, the store and a byte comparison with the
# archived copy, before anything was copied or decrypted)
[ "$(grep -c 'aa\(-copy\)\?\.bpx: already applied .* holds the same bytes (compared before any decryption)$' "$log")" -eq 2 ] ||
	fail "the replays were not known before decryption: $(grep 'already applied' "$log")"
ok "same file twice and renamed: already applied, counted once, one copy archived"

# 3. A resubmission with other rows replaces A's year.
ab=$(make_export $A $YEAR 22 3)
seal_to $A $YEAR "$ab" "$in/ab.bpx"
once
counts_are "$ab" "$ba"
ok "resubmission replaced the kommune's year"

# 4. An older sequence after a newer one.
ac=$(make_export $A $YEAR 18 4)
ad=$(make_export $A $YEAR 27 5)
seal_to $A $YEAR "$ac" "$T/ac.bpx"
seal_to $A $YEAR "$ad" "$T/ad.bpx"
cp "$T/ad.bpx" "$in/"
once
cp "$T/ac.bpx" "$in/"
once
counts_are "$ad" "$ba"
rejected_kept ac.bpx || fail "stale file not in rejected/"
reason_of ac.bpx | grep -q stale || fail "stale reason: $(reason_of ac.bpx)"
[ "$(receipt_statuses $A ac.bpx)" = "refused " ] || fail "no refused receipt for ac"
ok "older sequence after a newer one refused as stale"

# 5. An unregistered kommune: rejected/, no receipt.
ua=$(make_export $U $YEAR 20 6)
seal_to $U $YEAR "$ua" "$in/ua.bpx"
once
counts_are "$ad" "$ba"
# No key vouches for its bytes: refused and deleted unread (never kept).
rejected_deleted ua.bpx || fail "unregistered kommune's file not refused and deleted"
reason_of ua.bpx | grep -qi 'kommune' || fail "unregistered reason: $(reason_of ua.bpx)"
[ ! -e "$T/c/outbox/$U" ] || fail "a receipt was written for an unverified sender"
ok "unregistered kommune refused, no receipt"

# 6. A tampered file: one byte flipped in the body.
ae=$(make_export $A $YEAR 40 7)
seal_to $A $YEAR "$ae" "$T/ae.bpx"
size=$(stat -c %s "$T/ae.bpx")
pos=$((size - 100))
byte=$(od -An -tu1 -j $pos -N1 "$T/ae.bpx" | tr -d ' ')
printf "$(printf '\\%03o' $(( (byte + 1) % 256 )))" |
	dd of="$T/ae.bpx" bs=1 seek=$pos conv=notrunc status=none
cp "$T/ae.bpx" "$in/ae.bpx"
once
counts_are "$ad" "$ba"
# Bytes that do not authenticate may be anything: deleted, not kept.
rejected_deleted ae.bpx || fail "tampered file not refused and deleted"
reason_of ae.bpx | grep -q envelope || fail "tamper reason: $(reason_of ae.bpx)"
[ "$(receipt_statuses $A ae.bpx)" = "refused " ] || fail "no refused receipt for the tampered file"
ok "tampered file refused"

# 7. An invalid row (sealed without checking): refused whole, the error by
# line and column in the reason file and the receipt.
af=$(make_export $A $YEAR 30 8)
bad="$T/k/$A/bad.csv"
awk 'NR == 1 { FS = index($0, ";") ? ";" : ","; OFS = FS; $0 = $0
		for (i = 1; i <= NF; i++) { h = $i; gsub(/[^a-z_]/, "", h); if (h == "alder") col = i } }
	NR == 5 { $col = "999" } { print }' "$af" >"$bad"
col=$(head -n 1 "$bad" | tr ';,' '\n\n' | tr -d '"\r' | grep -n '^alder$' | cut -d: -f1)
"$H/rawseal" $A $YEAR 30 "$T/k/$A/$A.sign.sk" "$T/c/keys/central.box.pk" "$bad" "$in/af.bpx"
once
counts_are "$ad" "$ba"
rejected_kept af.bpx || fail "invalid export not rejected"
grep -q "^5:$col: alder: " "$(reason_file af.bpx)" || fail "reason file lacks 5:$col: alder"
[ "$(receipt_statuses $A af.bpx)" = "refused " ] || fail "no refused receipt for the invalid export"
grep -l '"af.bpx"' "$T/c/outbox/$A"/*.receipt | xargs grep -q "\"line\":5,\"col\":$col,\"column\":\"alder\"" ||
	fail "receipt lacks the error by line and column"
ok "invalid row refused with line 5, column $col (alder)"

# Rejections are counted by bpagg status (and kept by bpagg rebuild below:
# rejected/ keeps the files).
bpagg status -c "$C" --json | tr -d ' ' | grep -q "\"year\":$YEAR,.*\"rejected\":[1-9]" || fail "status shows no rejections"
# history: each year's rejected count and each kommune's sequence and
# received time, per bpagg status --json.
history() {
	bpagg status -c "$C" --json | tr -d ' \n' |
		grep -oE '"(year|rejected|rejected_year_unknown|sequence)":[0-9]+|"(kommune|received)":"[^"]*"'
}
history >"$T/history.before"
[ "$(awk -F: '/^"rejected/ { n += $2 } END { print n + 0 }' "$T/history.before")" -eq 4 ] ||
	fail "expected 4 rejections before rebuild: $(tr '\n' ' ' <"$T/history.before")"
[ "$(grep -c '"received":"' "$T/history.before")" -eq 2 ] || fail "expected 2 kommuner in status"

# 8. bpagg rebuild replays A's history (aa, ab, ad; aa's copies were not
# kept) in sequence
# order and ends where the daemon did; an unreadable archived file makes
# it refuse before it changes anything.
"$H/tallydump" "$C" $YEAR --all >"$T/before"
head -c 500 /dev/urandom >"$T/c/archive/$YEAR/$A/junk.bpx"
rc=0; bpagg rebuild -c "$C" 2>"$T/rebuild.log" || rc=$?
[ $rc -eq 65 ] || fail "rebuild with an unreadable archived file exited $rc, expected 65"
"$H/tallydump" "$C" $YEAR --all >"$T/after"
cmp -s "$T/before" "$T/after" || fail "a refused rebuild changed the store"
rm "$T/c/archive/$YEAR/$A/junk.bpx"
# A file bpaggd merged that no longer merges (one byte changed past its
# metadata; its kommune gone from the registry) stops the rebuild too,
# exit 65, before the swap: its kommune's data would be lost.
refused_replay() {
	rc=0; bpagg rebuild -c "$C" 2>"$T/rebuild.log" || rc=$?
	[ $rc -eq 65 ] || fail "rebuild with $1 exited $rc, expected 65"
	grep -q "$2: refused: $3" "$T/rebuild.log" || fail "rebuild: $(cat "$T/rebuild.log")"
	"$H/tallydump" "$C" $YEAR --all >"$T/after"
	cmp -s "$T/before" "$T/after" || fail "rebuild with $1 changed the store"
	ok "rebuild with $1 stops, names it, changes nothing"
}
bf=$(cd "$T/c/archive" && ls $YEAR/$B/*.bpx | head -n 1)
cp "$T/c/archive/$bf" "$T/keep.bpx"
# one byte changed (not overwritten with a fixed one: it may be that byte
# already, one time in 256)
pos=$(( $(stat -c %s "$T/keep.bpx") - 40 ))
byte=$(od -An -tu1 -j $pos -N1 "$T/keep.bpx" | tr -d ' ')
printf "$(printf '\\%03o' $(( (byte + 1) % 256 )))" |
	dd of="$T/c/archive/$bf" bs=1 seek=$pos conv=notrunc status=none
! cmp -s "$T/keep.bpx" "$T/c/archive/$bf" || fail "the archived file was not changed"
refused_replay "a damaged archived file" "$bf" "envelope"
cp "$T/keep.bpx" "$T/c/archive/$bf"
cp "$T/c/kommuner.csv" "$T/registry.csv"
grep -v "^$B," "$T/registry.csv" >"$T/c/kommuner.csv"
refused_replay "a kommune gone from the registry" "$bf" "kommune not in"
cp "$T/registry.csv" "$T/c/kommuner.csv"
# After register --replace B's old key is kept in keys/retired/, and the
# rebuild verifies the files it signed with it: the same tallies. Without
# that key (replaced before keys were kept) the rebuild stops, says why and
# what to read, and changes nothing.
cp "$T/c/keys/kommuner/$B.sign.pk" "$T/old.pk"
mkdir -p "$T/k2" && bpagg keygen kommune $B --out "$T/k2" >/dev/null
bpagg register -c "$C" $B "$T/k2/$B.sign.pk" --replace >"$T/register.out"
grep -q "previous key is kept as .*/keys/retired/$B\.[0-9]*\.sign\.pk" "$T/register.out" ||
	fail "register --replace: $(cat "$T/register.out")"
rc=0; bpagg rebuild -c "$C" 2>"$T/rebuild.log" || rc=$?
[ $rc -eq 0 ] || fail "rebuild after a key rotation exited $rc: $(cat "$T/rebuild.log")"
grep -q "1 file verified with a key since replaced" "$T/rebuild.log" ||
	fail "rebuild after a key rotation: $(cat "$T/rebuild.log")"
"$H/tallydump" "$C" $YEAR --all >"$T/after"
cmp -s "$T/before" "$T/after" || fail "rebuild after a key rotation changed the tallies"
ok "rebuild after a key rotation verifies the old files with the retired key"
mv "$T/c/keys/retired" "$T/retired.kept"
rc=0; bpagg rebuild -c "$C" 2>"$T/rebuild.log" || rc=$?
[ $rc -eq 65 ] || fail "rebuild without the retired key exited $rc, expected 65"
grep -q "keys/retired/.*see bpagg(1), rebuild" "$T/rebuild.log" ||
	fail "rebuild without the retired key: $(cat "$T/rebuild.log")"
"$H/tallydump" "$C" $YEAR --all >"$T/after"
cmp -s "$T/before" "$T/after" || fail "rebuild without the retired key changed the store"
mv "$T/retired.kept" "$T/c/keys/retired"
bpagg register -c "$C" $B "$T/old.pk" --replace >/dev/null
ok "rebuild without the retired key stops and says why, changes nothing"
sleep 1.1   # so that a received time set by the rebuild itself would differ
bpagg rebuild -c "$C" 2>"$T/rebuild.log" || fail "rebuild failed"
grep -q "4/4 files, 4 merged, 0 already applied, 0 refused" "$T/rebuild.log" ||
	fail "rebuild: $(tail -n 1 "$T/rebuild.log")"
"$H/tallydump" "$C" $YEAR --all >"$T/after"
cmp -s "$T/before" "$T/after" || fail "tallies differ after bpagg rebuild"
counts_are "$ad" "$ba"
history >"$T/history.after"
diff "$T/history.before" "$T/history.after" >&2 ||
	fail "rebuild changed the rejected count or a kommune's received time"
ok "bpagg rebuild replays the archive in sequence order to the same tallies"
ok "bpagg rebuild keeps the rejections and every received time"
# A rebuild that fails leaves the store as it was. On SQLite it builds its
# new store beside the old one (here a directory blocks that place) and
# swaps it in only when complete; on PostgreSQL it rebuilds in place in one
# transaction (here a trigger fails the merge of kommune B's file, after
# A's were merged in it). (A failure half-way inside the one transaction is
# also tested in tests/unit/store: transaction_over_several_applies.)
if on_pg; then
	store_sql "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS \$\$BEGIN
		RAISE EXCEPTION 'forced'; END\$\$; CREATE TRIGGER boom BEFORE INSERT ON tally
		FOR EACH ROW WHEN (NEW.kommune = '$B') EXECUTE FUNCTION boom()"
else
	mkdir "$T/c/store.sqlite.rebuild"; : >"$T/c/store.sqlite.rebuild/x"
fi
rc=0; bpagg rebuild -c "$C" 2>"$T/rebuild.log" || rc=$?
[ $rc -ne 0 ] || fail "a rebuild that could not complete exited 0"
if on_pg; then
	store_sql "DROP TRIGGER boom ON tally; DROP FUNCTION boom()"
else
	rm -rf "$T/c/store.sqlite.rebuild"
fi
"$H/tallydump" "$C" $YEAR --all >"$T/after"
cmp -s "$T/before" "$T/after" || fail "a failed rebuild changed the tallies"
history >"$T/history.after"
cmp -s "$T/history.before" "$T/history.after" || fail "a failed rebuild changed the ledger"
ok "a rebuild that fails leaves the store as it was"

# 9. Four reasons in rejected/, and the two files whose every byte
# authenticated (stale, invalid row); no person_id leaked.
[ "$(find "$T/c/rejected" -name '*.reason' | wc -l)" -eq 4 ] || fail "expected 4 reasons"
[ "$(files_in "$T/c/rejected")" -eq 6 ] || fail "expected 2 kept rejected files and 4 reasons"

# 9b. A metadata chunk whose length is not the metadata's (the largest a
# chunk may have, past the end of the file): a framing the format does not
# allow, refused at once as malformed. It was read as far as its length
# said, taken for an upload still being written and put back, so --once
# left it in the inbox, and the service refused it young_seconds later as
# "still incomplete".
cp "$T/aa.bpx" "$T/am.bpx"
printf '\x91\xff\x00\x00' | dd of="$T/am.bpx" bs=1 seek=132 conv=notrunc status=none
cp "$T/am.bpx" "$in/am.bpx"
once
[ ! -e "$in/am.bpx" ] || fail "a malformed metadata length was put back as incomplete"
rejected_deleted am.bpx || fail "malformed metadata length not refused and deleted"
reason_of am.bpx | grep -q 'malformed metadata' || fail "metadata length reason: $(reason_of am.bpx)"
ok "a metadata chunk of another length refused at once"
cp "$log" "$T/c/"
no_pid_leak

# 10. An internal error under --once exits 70 (EX_SOFTWARE): the file is
# merged but cannot be moved (archive/YYYY is a plain file), so it stays in
# the daemon's queue; once the way is clear the next start archives it,
# with one receipt (issue 10, item 11).
Y2=2022
bb=$(make_export $B $Y2 12 9)
seal_to $B $Y2 "$bb" "$in/bb.bpx"
: >"$T/c/archive/$Y2"
rc=0; bpaggd -c "$C" --once --foreground 2>>"$log" || rc=$?
[ $rc -eq 70 ] || fail "bpaggd --once with a file it cannot move exited $rc, expected 70"
[ "$(find "$T/c/queue" -name '*.ra.*' | wc -l)" -eq 1 ] ||
	fail "the file that could not be moved is not waiting in the queue"
rm "$T/c/archive/$Y2"
once
[ "$(files_in "$T/c/archive/$Y2/$B")" -eq 1 ] || fail "bb not archived after the retry"
[ "$(files_in "$T/c/queue")" -eq 0 ] || fail "the queue is not empty after the retry"
[ "$(grep -l '"bb.bpx"' "$T/c/outbox/$B"/*.receipt | wc -l)" -eq 1 ] ||
	fail "not exactly one receipt for bb"
ok "internal error under --once exits 70; the retry archives the file"

# 11. Start-up errors reach stderr without --foreground too (exit 78).
rc=0; bpaggd -c "$T/no-such.conf" --once 2>"$T/start.err" || rc=$?
[ $rc -eq 78 ] || fail "bpaggd with a missing configuration exited $rc, expected 78"
grep -q 'no-such.conf' "$T/start.err" || fail "start-up error not on stderr: $(cat "$T/start.err")"
ok "start-up error printed to stderr without --foreground"

# 12. Replays: aa (applied, then superseded by ab and ad) and ad (the
# one applied now) are already applied and leave no copy; ac (never
# applied) is refused as stale again, and not kept again: rejected/ holds
# its bytes since section 4.
cp "$T/aa.bpx" "$in/aa-again.bpx"
cp "$T/ad.bpx" "$in/ad-again.bpx"
cp "$T/ac.bpx" "$in/ac-again.bpx"
narch=$(files_in "$T/c/archive/$YEAR/$A")
once
counts_are "$ad" "$ba"
[ "$(files_in "$T/c/archive/$YEAR/$A")" -eq "$narch" ] || fail "a replay was archived again"
for f in aa ad; do
	grep -q "$f-again.bpx: already applied (kommune $A year $YEAR); not kept, archive/$YEAR/$A/[0-9a-f]*.bpx holds the same bytes (compared before any decryption)" "$log" ||
		fail "$f-again: not logged as already applied and not kept"
	[ "$(receipt_statuses $A $f-again.bpx)" = "already_applied " ] || fail "no receipt for $f-again"
	archived_as "$T/$f.bpx" $YEAR $A || fail "$f's archived copy went"
done
rejected_kept ac.bpx || fail "ac's kept copy went"
! rejected_kept ac-again.bpx || fail "a stale replay was kept again"
reason_of ac-again.bpx | grep -q "^stale: .*; the file was not kept: rejected/[0-9TZ]*-[0-9a-f]*\.bpx holds the same bytes$" ||
	fail "ac-again: $(reason_of ac-again.bpx)"
grep -q "ac-again.bpx: refused: stale: .*; not kept, rejected/[0-9TZ]*-[0-9a-f]*\.bpx holds the same bytes (compared before any decryption)$" "$log" ||
	fail "ac-again: not known as a replay before decryption: $(grep ac-again "$log")"
[ "$(receipt_statuses $A ac-again.bpx)" = "refused " ] || fail "no refused receipt for ac-again"
ok "replays leave a receipt (and a reason when refused) but no second copy"
# Something else where the archived copy was (a symbolic link, put there
# by whoever may write to the archive): no twin, so the replay is archived
# under a name of its own as before, not retried for ever.
for f in "$T/c/archive/$YEAR/$A"/*.bpx; do cmp -s "$f" "$T/aa.bpx" && tw=$f; done
mv "$tw" "$T/aa-moved.bpx"
ln -s "$T/aa-moved.bpx" "$tw"
narch=$(files_in "$T/c/archive/$YEAR/$A")
cp "$T/aa.bpx" "$in/aa-third.bpx"
once
[ "$(files_in "$T/c/queue")" -eq 0 ] || fail "the replay was left in the queue"
grep -q "aa-third.bpx: already applied, archived" "$log" || fail "aa-third: not archived"
[ "$(files_in "$T/c/archive/$YEAR/$A")" -eq $((narch + 1)) ] || fail "aa-third: not archived beside the link"
ok "a replay whose archived copy is not a regular file is archived as before"

# 13. ad's head and size (ad is applied, its archived copy a regular
# file), one byte of the body changed: not the archived bytes, so not a
# replay; ingested in full, and refused.
cp "$T/ad.bpx" "$T/ad-flip.bpx"
n=$(stat -c %s "$T/ad-flip.bpx")
printf '\x5a' | dd of="$T/ad-flip.bpx" bs=1 seek=$((n - 40)) conv=notrunc status=none
cmp -s "$T/ad.bpx" "$T/ad-flip.bpx" && fail "fixture: the byte did not change"
cp "$T/ad-flip.bpx" "$in/ad-flip.bpx"
once
counts_are "$ad" "$ba"
! grep -q 'ad-flip.bpx: already applied' "$log" || fail "a changed body was taken for a replay"
grep -q 'ad-flip.bpx: refused' "$log" || fail "ad-flip not refused: $(grep ad-flip "$log")"
[ ! -e "$in/ad-flip.bpx" ] || fail "ad-flip is still in the inbox"
ok "the same head with another body is not a replay: refused"

# 14. af (kept in rejected/ as an invalid export) replayed once a newer
# submission is applied: its head alone says stale, but its copy was kept
# for another reason, so it is ingested in full and refused as an invalid
# export again, with the validator's error; not kept again.
ag=$(make_export $A $YEAR 24 9)
seal_to $A $YEAR "$ag" "$in/ag.bpx"
once
counts_are "$ag" "$ba"
afk=$(reason_file af.bpx)
cp "${afk%.reason}" "$in/af-again.bpx"
once
counts_are "$ag" "$ba"
reason_of af-again.bpx | grep -q "^invalid export: 1 error; the file was not kept: rejected/[0-9TZ]*-[0-9a-f]*\.bpx holds the same bytes$" ||
	fail "af-again: $(reason_of af-again.bpx)"
grep -q "^5:$col: alder: " "$(reason_file af-again.bpx)" || fail "af-again: the validator's error is missing"
! grep -q 'af-again.bpx: .*compared before any decryption' "$log" ||
	fail "af-again was taken as a stale replay from its head"
ok "a replay kept as an invalid export, stale by now, is refused for what it is"
