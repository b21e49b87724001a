#!/usr/bin/env bash
# daemon_junk_budget.sh - what a flood of junk leaves behind is bounded: an
# inbox folder gets unverified_refusals_per_day refusals of files no
# kommune's key vouches for recorded one by one (reason file, store record,
# log line); further ones are deleted unread and counted in one file of the
# folder and day, rejected/YYYYMMDD-NNNN.unverified, with one store record.
# Another kommune's folder keeps its own budget (a folder of no registered
# kommune shares the inbox's); the count goes on when bpaggd starts
# again the same day; a real submission in the flooded folder is merged.
set -euo pipefail
. "$BP_SRCDIR/tests/helpers/daemon_lib.sh"
YEAR=2024
A=4201
B=0301
BUDGET=20

# Not across midnight (UTC): the budget is per day of the claim.
now=$(date -u +%s)
left=$((86400 - now % 86400))
[ $left -gt 90 ] || sleep $((left + 2))

init_central "unverified_refusals_per_day = $BUDGET"
add_kommune $A
add_kommune $B
in="$T/c/inbox"
mkdir -p "$in/$A" "$in/$B"
make_junk "$T/junk"
for ((i = 0; i < 60; i++)); do cp "$T/junk" "$in/$A/a$(printf '%03d' $i).bpx"; done
for ((i = 0; i < 3; i++)); do cp "$T/junk" "$in/$B/b$i.bpx"; done
# and a plaintext export put in the inbox as it is (no envelope)
printf 'person_id;alder\n' >"$in/$A/plain.bpx"
log="$T/bpaggd.log"
rc=0
bpaggd -c "$C" --once --foreground 2>"$log" || rc=$?
[ $rc -eq 0 ] || fail "bpaggd --once exited $rc: $(tail -n 3 "$log")"
inbox_empty || fail "files left in the inbox: $(files_in "$in")"
ok "61 unverified files in inbox/$A and 3 in inbox/$B refused"

day=$(date -u +%Y%m%d)
sum="$T/c/rejected/$day-$A.unverified"
# (a reason file names the file, not its folder: a... in inbox/A, b... in inbox/B)
reasons() { grep -l "^file: $1" "$T/c/rejected"/*.reason 2>/dev/null | wc -l; }
[ "$(reasons a)" -eq $BUDGET ] || fail "inbox/$A: $(reasons a) reason files, not $BUDGET"
[ "$(reasons b)" -eq 3 ] || fail "inbox/$B: $(reasons b) reason files, not 3"
[ -f "$sum" ] || fail "no $day-$A.unverified in rejected/: $(ls "$T/c/rejected" | tail -n 3)"
[ ! -e "$T/c/rejected/$day-$B.unverified" ] || fail "inbox/$B counted within its budget"
grep -qx "unverified: 41" "$sum" || fail "the count is not 41: $(head -n 1 "$sum")"
grep -qx "folder: inbox/$A/" "$sum" || fail "the file names no folder"
[ "$(stat -c %a "$sum")" = 600 ] || fail "the file's mode is $(stat -c %a "$sum")"
why=$(sed -n 's/^reason: [0-9]* //p' "$sum" | sort)
[ "$(printf '%s\n' "$why" | wc -l)" -le 2 ] || fail "reasons: $why"
[ "$(find "$T/c/rejected" -name '*.bpx' | wc -l)" -eq 0 ] || fail "unverified bytes kept"
rows=$(store_sql "SELECT count(*) FROM rejection")
[ "$rows" -eq $((BUDGET + 3 + 1)) ] || fail "$rows store records, not $((BUDGET + 3 + 1))"
store_sql "SELECT file FROM rejection" | grep -qx "$day-$A.unverified" ||
	fail "no store record names the folder's file of the day"
lines=$(grep -c ': refused' "$log" || true)
[ "$lines" -le $((BUDGET + 3 + 2)) ] || fail "$lines log lines of refusals"
[ "$(grep -c "more than $BUDGET unverified files refused today" "$log")" -eq 1 ] ||
	fail "going over the budget was not logged once"
ok "inbox/$A: $BUDGET reasons one by one, 41 counted in one file; inbox/$B its own budget"

# Started again the same day: the folder stays over its budget, the count
# goes on, and a real submission in the flooded folder is merged.
for ((i = 60; i < 70; i++)); do cp "$T/junk" "$in/$A/a$(printf '%03d' $i).bpx"; done
csv=$(make_export $A $YEAR 25 1)
seal_to $A $YEAR "$csv" "$in/$A/real.bpx"
rc=0
bpaggd -c "$C" --once --foreground 2>>"$log" || rc=$?
[ $rc -eq 0 ] || fail "bpaggd --once exited $rc: $(tail -n 3 "$log")"
inbox_empty || fail "files left in the inbox"
[ "$(reasons a)" -eq $BUDGET ] || fail "after a restart: $(reasons a) reason files"
grep -qx "unverified: 51" "$sum" || fail "the count did not go on: $(head -n 1 "$sum")"
rows=$(store_sql "SELECT count(*) FROM rejection")
[ "$rows" -eq $((BUDGET + 3 + 1)) ] || fail "$rows store records after a restart"
expected_counts "$csv" >"$T/expected"
store_counts $YEAR >"$T/store"
diff "$T/expected" "$T/store" >/dev/null || fail "the submission was not merged"
bpagg status -c "$C" --json | grep -q '"unverified_counted": 51' ||
	fail "bpagg status does not show the 51 counted: $(bpagg status -c "$C" --json)"
ok "started again: counted on (51), no new reason file or record; the submission merged"

# A folder of no registered kommune has no budget of its own (else whoever
# may make folders in inbox/ would have 10 000): it shares the inbox's.
mkdir -p "$in/9999"
for ((i = 0; i < 25; i++)); do cp "$T/junk" "$in/9999/c$(printf '%02d' $i).bpx"; done
rc=0
bpaggd -c "$C" --once --foreground 2>>"$log" || rc=$?
[ $rc -eq 0 ] || fail "bpaggd --once exited $rc: $(tail -n 3 "$log")"
[ "$(reasons c)" -eq $BUDGET ] || fail "inbox/9999: $(reasons c) reason files, not $BUDGET"
grep -qx "unverified: 5" "$T/c/rejected/$day-inbox.unverified" ||
	fail "inbox/9999's junk beyond the budget is not counted as the inbox's"
[ ! -e "$T/c/rejected/$day-9999.unverified" ] || fail "inbox/9999 had a budget of its own"
bpagg status -c "$C" | grep -qE '^unverified files counted +56 ' ||
	fail "bpagg status does not show the 56 counted: $(bpagg status -c "$C" | tail -n 4)"
ok "a folder of no registered kommune shares the inbox's budget; bpagg status shows all 56"
