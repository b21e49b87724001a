#!/usr/bin/env bash
# keys_retired.sh - a kommune's key replaced twice (bpagg register
# --replace): each replaced key is kept in keys/retired/ with the time of
# its replacement; bpaggd refuses a new file signed with one; bpagg rebuild
# verifies the archived files each signed and ends with the same tallies,
# naming one the old ledger does not name; a file signed after its key was
# replaced, and a stray file in keys/retired/, stop the rebuild with the
# store unchanged.
set -euo pipefail
. "$BP_SRCDIR/tests/helpers/daemon_lib.sh"
YEAR=2023
K=4601
log="$T/bpaggd.log"
in="$T/c/inbox"

init_central
add_kommune $K
once() {
	local rc=0
	bpaggd -c "$C" --once --foreground 2>>"$log" || rc=$?
	[ $rc -eq 0 ] || fail "bpaggd --once exited $rc"
}
# seal_with KEYDIR EXPORT OUT: sealed with the secret key in KEYDIR.
seal_with() {
	bpagg seal "$2" --kommune $K --year $YEAR --key "$1/$K.sign.sk" \
		--to "$T/c/keys/central.box.pk" -o "$3" >/dev/null
}
rebuild() {
	rc=0; bpagg rebuild -c "$C" 2>"$T/rebuild.log" || rc=$?
}

# 1. A file under the first key; the key replaced; one under the second;
# the second replaced by a third; one under the third.
seal_with "$T/k/$K" "$(make_export $K $YEAR 20 1)" "$in/a.bpx"
once
# (one more under the first key, kept out of the inbox for part 3)
seal_with "$T/k/$K" "$(make_export $K $YEAR 19 6)" "$T/x.bpx"
cp "$T/c/keys/kommuner/$K.sign.pk" "$T/first.pk"
for n in 2 3; do
	mkdir -p "$T/k$n" && bpagg keygen kommune $K --out "$T/k$n" >/dev/null
	bpagg register -c "$C" $K "$T/k$n/$K.sign.pk" --replace >"$T/register.out"
	grep -q "previous key is kept as $T/c/keys/retired/$K\.[0-9]*\.sign\.pk" \
		"$T/register.out" || fail "register --replace: $(cat "$T/register.out")"
	[ $n -eq 3 ] || seal_with "$T/k$n" "$(make_export $K $YEAR 21 $n)" "$in/b.bpx"
	once
done
seal_with "$T/k3" "$(make_export $K $YEAR 22 4)" "$in/c.bpx"
once
[ "$(files_in "$T/c/archive/$YEAR/$K")" -eq 3 ] || fail "expected 3 archived files"
set -- "$T/c/keys/retired/$K".*.sign.pk
[ $# -eq 2 ] || fail "expected 2 retired keys, found $#"
# the first replaced key is the first name (names by time of replacement)
cmp -s "$1" "$T/first.pk" || fail "the first retired key is not the first key"
[ "$(stat -c %a "$T/c/keys/retired")" = 700 ] || fail "keys/retired is not mode 0700"
ok "register --replace keeps each replaced key in keys/retired/"

# 2. bpaggd no longer accepts a retired key.
seal_with "$T/k/$K" "$(make_export $K $YEAR 23 5)" "$in/late.bpx"
once
grep -q "late.bpx: refused: envelope: .*sign" "$log" || fail "late.bpx not refused: $(tail -n 3 "$log")"
"$H/tallydump" "$C" $YEAR --all >"$T/before"
ok "bpaggd refuses a new file signed with a retired key"

# 3. The rebuild verifies a.bpx and b.bpx with the retired keys.
rebuild
[ $rc -eq 0 ] || fail "rebuild exited $rc: $(cat "$T/rebuild.log")"
grep -q "3/3 files, 3 merged" "$T/rebuild.log" || fail "rebuild: $(cat "$T/rebuild.log")"
grep -q "2 files verified with a key since replaced" "$T/rebuild.log" ||
	fail "rebuild: $(cat "$T/rebuild.log")"
"$H/tallydump" "$C" $YEAR --all >"$T/after"
cmp -s "$T/before" "$T/after" || fail "the rebuild changed the tallies"
ok "rebuild verifies the files of both replaced keys, same tallies"
# A file a retired key verifies that the old ledger does not name (put
# into the archive by hand: not one bpaggd merged) is named.
cp "$T/x.bpx" "$T/c/archive/$YEAR/$K/x.bpx"
rebuild
[ $rc -eq 0 ] || fail "rebuild exited $rc: $(cat "$T/rebuild.log")"
grep -q "$YEAR/$K/x.bpx: verified with a key of kommune $K since replaced, and the old ledger does not name it" \
	"$T/rebuild.log" || fail "rebuild did not name x.bpx: $(cat "$T/rebuild.log")"
grep -c "the old ledger does not name it" "$T/rebuild.log" | grep -qx 1 ||
	fail "rebuild named other files: $(cat "$T/rebuild.log")"
rm "$T/c/archive/$YEAR/$K/x.bpx"
ok "rebuild names a file of a retired key that the old ledger does not name"

# 4. A file signed more than 15 minutes after its key was replaced (here:
# the first key's replacement moved an hour back) stops the rebuild.
first=$1
t=${first##*/$K.}; t=${t%.sign.pk}
back="$T/c/keys/retired/$K.$((t - 3600)).sign.pk"
mv "$first" "$back"
rebuild
[ $rc -eq 65 ] || fail "rebuild with a file signed after its key was replaced exited $rc"
grep -q "signed with a key of kommune $K after it was replaced" "$T/rebuild.log" ||
	fail "rebuild: $(cat "$T/rebuild.log")"
"$H/tallydump" "$C" $YEAR --all >"$T/after"
cmp -s "$T/before" "$T/after" || fail "a refused rebuild changed the store"
mv "$back" "$first"
ok "a file signed after its key was replaced stops the rebuild, store unchanged"

# 5. A stray file in keys/retired/ stops the rebuild before anything (78).
: >"$T/c/keys/retired/notes.txt"
rebuild
[ $rc -eq 78 ] || fail "rebuild with a stray file in keys/retired exited $rc, expected 78"
grep -q "notes.txt: not a retired key name" "$T/rebuild.log" || fail "rebuild: $(cat "$T/rebuild.log")"
rm "$T/c/keys/retired/notes.txt"
rebuild
[ $rc -eq 0 ] || fail "rebuild exited $rc: $(cat "$T/rebuild.log")"
ok "a stray file in keys/retired/ is named and stops the rebuild"
