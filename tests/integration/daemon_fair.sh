#!/usr/bin/env bash
# daemon_fair.sh - one inbox folder flooded with junk that is complete by its
# framing (each refused only once claimed, some milliseconds each) does not
# hold up another folder's submission: bpaggd takes a file of every folder
# in turn.  BPAGG_FAIR_FILES junk files (default 300) in inbox/4201/, made
# before a real submission in inbox/0301/; one bpaggd --once: the
# submission is merged among the first files it takes, not after the junk,
# and every junk file is refused.
set -euo pipefail
. "$BP_SRCDIR/tests/helpers/daemon_lib.sh"
JUNK=${BPAGG_FAIR_FILES:-300}
YEAR=2024
A=4201
B=0301

init_central
add_kommune $A
add_kommune $B
in="$T/c/inbox"
mkdir -p "$in/$A" "$in/$B"
make_junk "$T/junk"
for ((i = 0; i < JUNK; i++)); do cp "$T/junk" "$in/$A/j$(printf '%05d' $i).bpx"; done
sleep 0.1
csv=$(make_export $B $YEAR 25 1)
seal_to $B $YEAR "$csv" "$in/$B/real.bpx"
ok "$JUNK junk files in inbox/$A, then a submission in inbox/$B"

log="$T/bpaggd.log"
rc=0
bpaggd -c "$C" --once --foreground 2>"$log" || rc=$?
[ $rc -eq 0 ] || fail "bpaggd --once exited $rc (0 also when files are refused): $(tail -n 3 "$log")"
inbox_empty || fail "files left in the inbox: $(files_in "$in")"
# each junk file has a reason file, or beyond the folder's budget of the
# day (100) is counted in the folder's file of the day
counted=$(cat "$T/c/rejected"/*-$A.unverified 2>/dev/null | sed -n 's/^unverified: //p')
reasons=$(find "$T/c/rejected" -name '*.reason' | wc -l)
[ $((reasons + ${counted:-0})) -eq "$JUNK" ] ||
	fail "junk refused: $reasons reason files and ${counted:-0} counted, of $JUNK"
# the files taken, in the order of their log lines (names are logged with
# their digits masked: j#.bpx)
order=$(grep -E '^bpaggd: [^ ]+\.bpx: (refused|merged)' "$log" | grep -n 'real\.bpx: merged' |
	cut -d: -f1)
[ -n "$order" ] || fail "the submission was not logged: $(tail -n 3 "$log")"
[ "$order" -le 3 ] || fail "the submission was file $order taken, after the junk"
expected_counts "$csv" >"$T/expected"
store_counts $YEAR >"$T/store"
diff "$T/expected" "$T/store" >/dev/null || fail "store counts differ from the submission"
ok "the submission was file $order taken of $((JUNK + 1)), and merged; the junk refused"
