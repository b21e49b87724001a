#!/usr/bin/env bash
# status_inbox.sh - bpagg status without a store: "no submissions yet", the
# files waiting in the inbox (and inbox/NNNN/), JSON shape, exit codes for
# bad configurations and a store that is not a regular SQLite file.
set -euo pipefail

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

cat >"$tmp/bpagg.conf" <<CONF
[paths]
inbox = inbox
registry = $BPAGG_REGISTRY
[store]
path = store.sqlite
CONF

# No inbox: an error naming it (bpaggd takes nothing), not "0 waiting".
rc=0; err=$(bpagg status -c "$tmp/bpagg.conf" 2>&1 >/dev/null) || rc=$?
[ $rc -eq 66 ] || fail "missing inbox: exit $rc"
grep -q "$tmp/inbox: cannot read the inbox: .*bpaggd takes no file" <<<"$err" ||
	fail "missing inbox message: $err"
mkdir "$tmp/inbox"

# No store.
out=$(bpagg status -c "$tmp/bpagg.conf")
grep -q '^no submissions yet$' <<<"$out" || fail "no store: $out"
grep -q '^files waiting in the inbox   0$' <<<"$out" || fail "waiting 0: $out"
[ ! -e "$tmp/store.sqlite" ] || fail "status created the store"

# Files waiting: *.bpx at the top and in NNNN/, not hidden, not partial.
mkdir -p "$tmp/inbox/0301" "$tmp/inbox/4601" "$tmp/inbox/notakommune" "$tmp/inbox/0301/9999"
touch "$tmp/inbox/a.bpx" "$tmp/inbox/b.bpx" "$tmp/inbox/.c.bpx" "$tmp/inbox/d.bpx.part" \
	"$tmp/inbox/e.bpx.tmp" "$tmp/inbox/f.csv" "$tmp/inbox/0301/g.bpx" "$tmp/inbox/4601/h.bpx" \
	"$tmp/inbox/4601/.i.bpx" "$tmp/inbox/notakommune/j.bpx" "$tmp/inbox/0301/9999/k.bpx"
# bpaggd takes (and refuses) a link or a FIFO with a submission's name: it is
# waiting as much as a file is; a folder is not.
ln -s "$tmp/inbox/a.bpx" "$tmp/inbox/link.bpx"
mkfifo "$tmp/inbox/fifo.bpx"
mkdir "$tmp/inbox/dir.bpx"
out=$(bpagg status -c "$tmp/bpagg.conf")
grep -q '^files waiting in the inbox   6$' <<<"$out" || fail "waiting 6: $out"
rm "$tmp/inbox/link.bpx" "$tmp/inbox/fifo.bpx"

json=$(bpagg status -c "$tmp/bpagg.conf" --json --year 2024)
want='{"years": [{"year": 2024, "kommuner_reported": 0, "kommuner_total": 357, "rows": 0, "rejected": 0, "waiting": 4, "multi_kommune_persons": 0, "other_catalogue": 0, "kommuner": []}], "waiting": 4, "inbox_unreadable": [], "rejected_year_unknown": 0, "unverified_counted": 0, "replays_counted": 0, "store": false, "backend": "sqlite", "schema_version": null}'
[ "$json" = "$want" ] || fail "json: $json"
if command -v python3 >/dev/null; then
	python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["years"][0]["waiting"] == 4' <<<"$json" ||
		fail "json does not parse"
fi

# A configuration reached through a symbolic link is read (the file is
# opened without following links, by its resolved path); relative paths are
# of the directory of the file.
mkdir "$tmp/etc"
ln -s ../bpagg.conf "$tmp/etc/link.conf"
out=$(bpagg status -c "$tmp/etc/link.conf") || fail "symlinked configuration refused"
grep -q '^files waiting in the inbox   4$' <<<"$out" || fail "symlinked configuration: $out"

# Usage and configuration errors.
rc=0; bpagg status -c "$tmp/bpagg.conf" --year 12 2>/dev/null || rc=$?
[ $rc -eq 64 ] || fail "bad year: exit $rc"
rc=0; bpagg status -c "$tmp/bpagg.conf" extra 2>/dev/null || rc=$?
[ $rc -eq 64 ] || fail "extra argument: exit $rc"
printf '[store]\nbackend = postgresql\n' >"$tmp/pg.conf"
rc=0; err=$(bpagg status -c "$tmp/pg.conf" 2>&1) || rc=$?
[ $rc -eq 78 ] || fail "postgresql: exit $rc"
grep -q 'dsn is not set' <<<"$err" || fail "postgresql without dsn: $err"
printf '[store]\nbakcend = sqlite\n' >"$tmp/typo.conf"
rc=0; err=$(bpagg status -c "$tmp/typo.conf" 2>&1) || rc=$?
[ $rc -eq 78 ] || fail "unknown key: exit $rc"
grep -q 'typo.conf:2:' <<<"$err" || fail "unknown key names no line: $err"
# With more than one error the first is reported, its message with its own
# line (the line of the first and the message of the last were mixed).
printf '[publish]\nnope = 1\nmin_cell = 0\n' >"$tmp/two.conf"
rc=0; err=$(bpagg status -c "$tmp/two.conf" 2>&1) || rc=$?
[ $rc -eq 78 ] && grep -q 'two.conf:2: unknown setting \[publish\] nope$' <<<"$err" ||
	fail "two errors: exit $rc: $err"
printf '[publish]\nnope\nmin_cell = 0\n' >"$tmp/two.conf"
rc=0; err=$(bpagg status -c "$tmp/two.conf" 2>&1) || rc=$?
[ $rc -eq 78 ] && grep -q 'two.conf:2: syntax error$' <<<"$err" ||
	fail "syntax error, then an invalid value: exit $rc: $err"
# A setting given twice in a section is refused at the second, naming the
# first (the last one silently won), also across two headers of the same
# section; other settings under a repeated header are taken.
printf '[publish]\nmin_cell = 5\nsuppress_zero = no\nmin_cell = 5\n' >"$tmp/dup.conf"
rc=0; err=$(bpagg status -c "$tmp/dup.conf" 2>&1) || rc=$?
[ $rc -eq 78 ] && grep -q 'dup.conf:4: \[publish\] min_cell set twice (first on line 2)$' <<<"$err" ||
	fail "min_cell twice: exit $rc: $err"
printf '[paths]\ninbox = inbox\nregistry = %s\n[publish]\nmin_cell = 5\n[paths]\ninbox = elsewhere\n' \
	"$BPAGG_REGISTRY" >"$tmp/dup.conf"
rc=0; err=$(bpagg status -c "$tmp/dup.conf" 2>&1) || rc=$?
[ $rc -eq 78 ] && grep -q 'dup.conf:7: \[paths\] inbox set twice (first on line 2)$' <<<"$err" ||
	fail "inbox twice under two [paths]: exit $rc: $err"
printf '[paths]\ninbox = inbox\n[publish]\nmin_cell = 5\n[paths]\nregistry = %s\n' \
	"$BPAGG_REGISTRY" >"$tmp/dup.conf"
bpagg status -c "$tmp/dup.conf" >/dev/null || fail "[paths] twice, other keys: refused"
# An indented line continues the value before it in inih (the last line was
# taken as the value): refused, as what it is rather than as a repeat.
printf '[store]\ndsn = host=db\n  dbname=bpagg\n' >"$tmp/dup.conf"
rc=0; err=$(bpagg status -c "$tmp/dup.conf" 2>&1) || rc=$?
[ $rc -eq 78 ] && grep -q 'dup.conf:3: indented line would continue \[store\] dsn: a value is one line$' <<<"$err" ||
	fail "continuation line: exit $rc: $err"
# An empty section header is refused as such (alone it was taken, and the
# settings under it were "unknown setting [] inbox"), and so is a setting
# before any header.
for v in '[paths]\ninbox = inbox\n[]\n|3: empty section header \[\]' \
	'[paths]\ninbox = inbox\n[ ]\ninbox = inbox\n|3: empty section header \[\]' \
	'inbox = inbox\n[paths]\n|1: setting inbox before any \[section\]'; do
	printf "${v%%|*}" >"$tmp/empty.conf"
	rc=0; err=$(bpagg status -c "$tmp/empty.conf" 2>&1) || rc=$?
	[ $rc -eq 78 ] && grep -q "empty.conf:${v#*|}\$" <<<"$err" ||
		fail "${v%%|*}: exit $rc: $err"
done
# Spaces or tabs inside the brackets are not part of the name: "[ publish ]"
# is [publish] (it was an unknown section), as in git config; a header of
# only white space is empty.
printf '[ paths ]\ninbox = inbox\n[paths\t]\nregistry = %s\n[\tpublish ]\nmin_cell = 5\n' \
	"$BPAGG_REGISTRY" >"$tmp/sp.conf"
err=$(bpagg status -c "$tmp/sp.conf" 2>&1 >/dev/null) || fail "[ paths ] and [ publish ]: $err"
printf '[ publish ]\nmin_cell = 0\n' >"$tmp/sp.conf"
rc=0; err=$(bpagg status -c "$tmp/sp.conf" 2>&1) || rc=$?
[ $rc -eq 78 ] && grep -q 'sp.conf:2: invalid value for \[publish\] min_cell$' <<<"$err" ||
	fail "[ publish ] min_cell = 0: exit $rc: $err"
printf '[publish]\nmin_cell = 5\n[publish ]\nmin_cell = 5\n' >"$tmp/sp.conf"
rc=0; err=$(bpagg status -c "$tmp/sp.conf" 2>&1) || rc=$?
[ $rc -eq 78 ] && grep -q 'sp.conf:4: \[publish\] min_cell set twice (first on line 2)$' <<<"$err" ||
	fail "min_cell under [publish] and [publish ]: exit $rc: $err"
printf '[paths]\ninbox = inbox\n[ \t ]\ninbox = inbox\n' >"$tmp/sp.conf"
rc=0; err=$(bpagg status -c "$tmp/sp.conf" 2>&1) || rc=$?
[ $rc -eq 78 ] && grep -q 'sp.conf:3: empty section header \[\]$' <<<"$err" ||
	fail "[ \t ]: exit $rc: $err"
# An unknown section is refused at its header, also when no setting follows
# it (alone, or with only comments under it, it was taken silently).
for v in '[paths]\ninbox = inbox\n[pubish]\n# min_cell = 5\n|3: unknown section \[pubish\]' \
	'[paths]\ninbox = inbox\n[ bogus ]\n|3: unknown section \[bogus\]' \
	'[pub lish]\nmin_cell = 5\n|1: unknown section \[pub lish\]'; do
	printf "${v%%|*}" >"$tmp/sect.conf"
	rc=0; err=$(bpagg status -c "$tmp/sect.conf" 2>&1) || rc=$?
	[ $rc -eq 78 ] && grep -q "sect.conf:${v#*|}\$" <<<"$err" ||
		fail "${v%%|*}: exit $rc: $err"
done
# "key: value" (which inih takes too) is refused: bpagg.conf(5) writes
# key = value; a ':' inside a value (a dsn) still reads.
printf '[paths]\ninbox = inbox\n[publish]\nmin_cell: 5\n' >"$tmp/colon.conf"
rc=0; err=$(bpagg status -c "$tmp/colon.conf" 2>&1) || rc=$?
[ $rc -eq 78 ] && grep -q 'colon.conf:4: "min_cell:": a setting is written key = value$' <<<"$err" ||
	fail "min_cell: 5: exit $rc: $err"
printf '[store]\nbackend = sqlite\ndsn = postgresql://db:5432/bpagg\n' >"$tmp/colon.conf"
rc=0; err=$(bpagg status -c "$tmp/colon.conf" 2>&1) || rc=$?
! grep -q 'a setting is written' <<<"$err" || fail "a dsn with ':': $err"
# A line longer than inih reads at once is refused: its tail was read as a
# line of its own (here a dsn whose tail set [store] backend).
{ printf '[store]\ndsn = host=db dbname=bpagg application_name=%0180d' 0
  printf 'backend = postgresql\n'; } >"$tmp/long.conf"
rc=0; err=$(bpagg status -c "$tmp/long.conf" 2>&1) || rc=$?
[ $rc -eq 78 ] && grep -q 'long.conf:2: line longer than 198 characters$' <<<"$err" ||
	fail "long line: exit $rc: $err"
# [publish] kommune_breakdowns is checked where it is read, naming its line
# and the bad name (it was only found at publish, without either).
for v in 'total,nope|unknown breakdown "nope"' 'total,,rop|an empty breakdown' '|empty'; do
	printf '[publish]\nmin_cell = 5\nkommune_breakdowns = %s\n' "${v%%|*}" >"$tmp/kb.conf"
	rc=0; err=$(bpagg status -c "$tmp/kb.conf" 2>&1) || rc=$?
	[ $rc -eq 78 ] && grep -q "kb.conf:3: invalid value for \[publish\] kommune_breakdowns: ${v#*|}" <<<"$err" ||
		fail "kommune_breakdowns = ${v%%|*}: exit $rc: $err"
done

# A store that is a symbolic link, or not an SQLite file: an I/O error, no crash.
ln -s "$tmp/elsewhere" "$tmp/store.sqlite"
rc=0; bpagg status -c "$tmp/bpagg.conf" 2>/dev/null || rc=$?
[ $rc -eq 74 ] || fail "symlinked store: exit $rc"
[ ! -e "$tmp/elsewhere" ] || fail "followed the link"
rm "$tmp/store.sqlite"
head -c 8192 /dev/urandom >"$tmp/store.sqlite"
rc=0; bpagg status -c "$tmp/bpagg.conf" 2>/dev/null || rc=$?
[ $rc -eq 74 ] || fail "garbage store: exit $rc"
echo "ok"
