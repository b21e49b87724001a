#!/usr/bin/env bash
# store_damaged.sh - a damaged store is noticed, never merged into, and
# bpagg rebuild builds it again from the archive (issue 10, item 13): a
# store truncated to 0 bytes, random bit flips over the file, one byte
# changed inside a tally. bpaggd refuses to start (the file it would have
# taken stays in the inbox), bpagg status and bpagg publish refuse, and
# bpagg rebuild swaps in a fresh store with the same tallies, keeping the
# received times and rejections where the old store can still be read.
set -euo pipefail
. "$BP_SRCDIR/tests/helpers/daemon_lib.sh"
YEAR=2024
A=4601 B=5001

init_central
add_kommune $A
add_kommune $B
log="$T/bpaggd.log"
in="$T/c/inbox"
db="$T/c/store.sqlite"

seal_to $A $YEAR "$(make_export $A $YEAR 40 1)" "$in/a1.bpx"
seal_to $B $YEAR "$(make_export $B $YEAR 30 2)" "$in/b1.bpx"
printf 'not a sealed file' >"$in/junk.bpx"
bpaggd -c "$C" --once --foreground 2>>"$log" || fail "first ingest"
history() {
	bpagg status -c "$C" --json | tr -d ' \n' |
		grep -oE '"(year|rejected|rejected_year_unknown|sequence)":[0-9]+|"(kommune|received)":"[^"]*"'
}
"$H/tallydump" "$C" $YEAR --all >"$T/tallies.before"
history >"$T/history.before"
grep -q '"rejected_year_unknown":1' "$T/history.before" || fail "the junk file was not recorded"
cp "$db" "$T/good.sqlite"
sleep 1 # received times of the rebuild must differ from the originals'

# refused DESCRIPTION WORD: bpaggd refuses to start on the store (exit not
# 0, a message with WORD), the waiting file stays; status refuses too.
seal_to $A $YEAR "$(make_export $A $YEAR 35 3)" "$T/a2.bpx"
refused() {
	cp "$T/a2.bpx" "$in/a2.bpx"
	local rc=0
	bpaggd -c "$C" --once --foreground 2>"$T/d.err" || rc=$?
	[ $rc -ne 0 ] || fail "$1: bpaggd started on a damaged store"
	grep -q "$2" "$T/d.err" || fail "$1: no clear refusal: $(cat "$T/d.err")"
	[ -f "$in/a2.bpx" ] || fail "$1: the waiting file left the inbox"
	rc=0; bpagg status -c "$C" >/dev/null 2>"$T/s.err" || rc=$?
	[ $rc -ne 0 ] || fail "$1: bpagg status read a damaged store"
	rm -f "$in/a2.bpx"
	ok "$1: bpaggd and bpagg status refuse ($(head -c 90 "$T/d.err" | tr '\n' ' '))"
}
# rebuilt yes|lost|any: bpagg rebuild gives the same tallies; yes: and the
# same received times and rejections; lost: and says the old store was unreadable.
rebuilt() {
	bpagg rebuild -c "$C" 2>"$T/rebuild.log" || fail "rebuild: $(tail -n 3 "$T/rebuild.log")"
	"$H/tallydump" "$C" $YEAR --all >"$T/tallies.after"
	cmp -s "$T/tallies.before" "$T/tallies.after" || fail "tallies differ after rebuild"
	history >"$T/history.after"
	case $1 in
	yes)	diff "$T/history.before" "$T/history.after" >&2 ||
			fail "rebuild lost a received time or a rejection"
		ok "rebuild: same tallies, received times and rejections";;
	lost)	grep -q "old store cannot be read" "$T/rebuild.log" ||
			fail "rebuild did not say what was lost"
		ok "rebuild of an unreadable store: same tallies (what was lost is said)";;
	*)	ok "rebuild: same tallies";;
	esac
	[ -f "$db.before-rebuild" ] || fail "the old store was not kept"
	[ "$(stat -c %a "$db")" = 600 ] || fail "rebuilt store not mode 0600"
	cp "$T/good.sqlite" "$db"
	rm -f "$db-wal" "$db-shm"
}

# 1. Truncated to 0 bytes: not an empty new store.
: >"$db"; rm -f "$db-wal" "$db-shm"
refused "a store truncated to 0 bytes" "empty"
[ ! -s "$db" ] || fail "something was written into the truncated store"
rebuilt lost

# 2. Random bit flips over the whole file (after the header page): each of
# three seeds, then a rebuild from the last (whether the old store's ledger
# is still readable depends on where the flips fell: tallies compared only).
size=$(stat -c %s "$db")
for seed in 11 12 13; do
	cp "$T/good.sqlite" "$db"
	RANDOM=$seed
	for _ in $(seq 40); do
		off=$(( (RANDOM * 32768 + RANDOM) % (size - 4096) + 4096 ))
		printf "\\x$(printf %02x $((RANDOM % 255 + 1)))" |
			dd of="$db" bs=1 seek=$off conv=notrunc status=none
	done
	refused "40 random bytes changed (seed $seed)" "damaged"
done
rebuilt any

# 3. One byte inside a tally, every page intact: the tally's checksum.
if command -v sqlite3 >/dev/null; then
	sqlite3 "$db" "UPDATE tally SET counts = substr(counts, 1, 8) || x'7f' || substr(counts, 10) WHERE kommune = '$A'"
	refused "one byte changed inside a tally" "damaged"
	rc=0; bpagg publish -c "$C" --year $YEAR --out "$T/rel" >/dev/null 2>"$T/p.err" || rc=$?
	[ $rc -ne 0 ] && grep -q damaged "$T/p.err" || fail "bpagg publish used a damaged store"
	[ ! -e "$T/rel" ] || [ -z "$(ls -A "$T/rel")" ] || fail "publish wrote a release"
	ok "bpagg publish refuses a damaged store"
	rebuilt yes
else
	echo "note: sqlite3 not installed; tally damage not tested"
fi

# 4. After all that, the daemon merges again into the rebuilt store.
cp "$T/a2.bpx" "$in/a2.bpx"
bpaggd -c "$C" --once --foreground 2>>"$log" || fail "bpaggd after rebuild"
[ "$(files_in "$in")" -eq 0 ] || fail "file not taken after rebuild"
ok "bpaggd merges again after the rebuild"

# 5. The swap (SQLite). The old store's -wal holds frames (as after a kill
# of bpaggd): they must reach the backup and never the new store. A kill at
# any link or rename of the rebuild leaves a store in place with the same
# tallies; a backup is never deleted: an earlier one is kept as
# .before-rebuild.N, and a rebuild with no store says so and leaves it.
"$H/tallydump" "$C" $YEAR --all >"$T/tallies.before"
with_wal() {
	command -v sqlite3 >/dev/null || return 0
	sqlite3 "$db" "CREATE TABLE wal_probe(x); DROP TABLE wal_probe" ".shell cp '$db-wal' '$T/wal'"
	cp "$T/wal" "$db-wal"
	[ -s "$db-wal" ] || fail "no -wal to test with"
}
# same_store WHAT [new]: the same tallies; new: no -wal beside the new store.
same_store() {
	[ -f "$db" ] || fail "$1: no store left"
	[ "${2:-}" != new ] || [ ! -s "$db-wal" ] || fail "$1: a -wal is left beside the store"
	"$H/tallydump" "$C" $YEAR --all >"$T/tallies.after"
	cmp -s "$T/tallies.before" "$T/tallies.after" || fail "$1: tallies differ"
}
if command -v strace >/dev/null; then
	for sc in link rename; do
		for n in 1 2 3 4; do
			with_wal
			ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
				strace -f -qq -o /dev/null -e trace=$sc \
				-e inject=$sc:signal=KILL:when=$n bpagg rebuild -c "$C" >/dev/null 2>&1 || true
			same_store "a kill at $sc #$n of the rebuild"
		done
	done
	ok "a kill at any link or rename of the rebuild leaves the store in place"
	# The last kill came before the new store's rename: .before-rebuild is
	# a second name of the store, not a copy, and is not kept aside.
	bpagg rebuild -c "$C" 2>"$T/rebuild.log" || fail "rebuild: $(tail -n 3 "$T/rebuild.log")"
	! grep -q "kept by the rebuild before" "$T/rebuild.log" ||
		fail "a link to the store was kept as a backup: $(tail -n 1 "$T/rebuild.log")"
else
	echo "note: strace not installed; kills during the swap not tested"
fi
with_wal
cp "$db.before-rebuild" "$T/b.copy"
bpagg rebuild -c "$C" 2>"$T/rebuild.log" || fail "rebuild: $(tail -n 3 "$T/rebuild.log")"
same_store "a rebuild with a -wal beside the old store" new
n=$(sed -n 's/.*kept by the rebuild before as .*before-rebuild\.\([0-9]*\)$/\1/p' "$T/rebuild.log")
[ -n "$n" ] && cmp -s "$db.before-rebuild.$n" "$T/b.copy" ||
	fail "the earlier backup was not kept: $(tail -n 1 "$T/rebuild.log")"
ok "a rebuild keeps the earlier backup as .before-rebuild.$n; no -wal reaches the new store"
mv "$db" "$T/lost.sqlite"; rm -f "$db-wal" "$db-shm"
cp "$db.before-rebuild" "$T/b.copy"
bpagg rebuild -c "$C" 2>"$T/rebuild.log" || fail "rebuild: $(tail -n 3 "$T/rebuild.log")"
grep -q "there was no old store; .*before-rebuild, kept by an earlier rebuild, is left" \
	"$T/rebuild.log" || fail "rebuild with no store: $(tail -n 1 "$T/rebuild.log")"
cmp -s "$db.before-rebuild" "$T/b.copy" || fail "a rebuild with no store changed the backup"
same_store "a rebuild with no store" new
ok "a rebuild with no store says so and leaves the backup as it was"
