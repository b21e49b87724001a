#!/usr/bin/env bash
# store_copy_pg.sh - bpagg store copy between SQLite and PostgreSQL and back
# (a throw-away server, tests/helpers/pg_lib.sh), bpagg rebuild and bpaggd on
# PostgreSQL, bpagg status naming backend and schema version. The copy keeps
# every tally cell, received time, upload tag, sequence, superseded and
# dry-run ledger row, rejection and sequence reset (bpagg reset-sequence);
# it refuses a destination that is not empty.
set -euo pipefail
. "$BP_SRCDIR/tests/helpers/daemon_lib.sh"
. "$BP_SRCDIR/tests/helpers/pg_lib.sh"
trap 'pg_stop; cleanup' EXIT
pg_require
pg_start
dsn=$(pg_createdb bpagg_copy)
YEAR=2024
A=0301 B=4601 K=5001

init_central
for k in $A $B $K; do add_kommune $k; done
log="$T/bpaggd.log"
in="$T/c/inbox"
seal_to $A $YEAR "$(make_export $A $YEAR 30 1)" "$in/a1.bpx"
seal_to $B $YEAR "$(make_export $B $YEAR 20 2)" "$in/b1.bpx"
bpaggd -c "$C" --once --foreground 2>>"$log" || fail "ingest 1"
sleep 1
seal_to $A $YEAR "$(make_export $A $YEAR 25 3)" "$in/a2.bpx"   # supersedes a1
bpagg seal "$(make_export $K $YEAR 10 4)" --kommune $K --year $YEAR --key "$T/k/$K/$K.sign.sk" \
	--to "$T/c/keys/central.box.pk" -o "$in/k1.bpx" --dry-run >/dev/null
printf 'junk' >"$in/junk.bpx"
bpaggd -c "$C" --once --foreground 2>>"$log" || fail "ingest 2"

# A's latest sequence set aside (schema 4's sequence_reset table).
bpagg reset-sequence -c "$C" $A $YEAR >/dev/null || fail "reset-sequence"
# resets_sqlite FILE / resets_pg DSN: every sequence reset, with the
# submission id of the ledger row it names.
RESETS="SELECT r.kommune, r.year, %s, r.sequence, r.at FROM sequence_reset r
	JOIN ledger l ON l.id = r.ledger_id ORDER BY r.id"
resets_sqlite() { sqlite3 "$1" "$(printf "$RESETS" "lower(hex(l.submission_id))")"; }
resets_pg() { pg_sql "$1" "$(printf "$RESETS" "encode(l.submission_id, 'hex')")"; }
resets_sqlite "$T/c/store.sqlite" >"$T/r.sqlite"
[ "$(wc -l <"$T/r.sqlite")" -eq 1 ] || fail "no sequence reset in the SQLite store"
# uploads_sqlite FILE / uploads_pg DSN: each ledger row's submission id and
# the upload that carried it (schema 6).
UPLOADS="SELECT %s, coalesce(upload, '-') FROM ledger ORDER BY %s"
uploads_sqlite() { sqlite3 "$1" "$(printf "$UPLOADS" "lower(hex(submission_id))" "1")"; }
uploads_pg() { pg_sql "$1" "$(printf "$UPLOADS" "encode(submission_id, 'hex')" "1")"; }
uploads_sqlite "$T/c/store.sqlite" >"$T/u.sqlite"
[ "$(grep -cE '\|[0-9]+-[0-9a-f]{16}$' "$T/u.sqlite")" -eq 4 ] ||
	fail "bpaggd did not record the upload of each ledger row: $(cat "$T/u.sqlite")"

pgc="$T/c/pg.conf"
cp "$C" "$pgc"
conf_set "$pgc" backend postgresql
conf_set "$pgc" dsn "$dsn"
history() {
	bpagg status -c "$1" --json | tr -d ' \n' |
		grep -oE '"(year|rows|rejected|rejected_year_unknown|sequence)":[0-9]+|"(kommune|received)":"[^"]*"'
}
history "$C" >"$T/h.sqlite"
"$H/tallydump" "$C" $YEAR --all >"$T/t.sqlite"
[ -s "$T/t.sqlite" ] || fail "nothing in the SQLite store"

# 1. SQLite -> PostgreSQL.
bpagg store copy --from "$C" --to "$pgc" >"$T/copy.out" 2>&1 || fail "copy: $(cat "$T/copy.out")"
grep -q "all equal" "$T/copy.out" || fail "copy did not verify: $(cat "$T/copy.out")"
history "$pgc" >"$T/h.pg"
diff "$T/h.sqlite" "$T/h.pg" >&2 || fail "status differs after the copy"
"$H/tallydump" "$pgc" $YEAR --all >"$T/t.pg"
cmp -s "$T/t.sqlite" "$T/t.pg" || fail "tallies differ after the copy"
[ "$(pg_sql "$dsn" "SELECT count(*) FROM ledger")" = 4 ] || fail "ledger rows (3 applied, 1 superseded of them, 1 dry run) not all copied"
[ "$(pg_sql "$dsn" "SELECT count(*) FROM ledger WHERE status = 'dry_run'")" = 1 ] || fail "dry run not copied"
grep -q ", 1 sequence resets from" "$T/copy.out" || fail "copy: $(cat "$T/copy.out")"
resets_pg "$dsn" >"$T/r.pg"
diff "$T/r.sqlite" "$T/r.pg" >&2 || fail "sequence resets differ after the copy"
uploads_pg "$dsn" >"$T/u.pg"
diff "$T/u.sqlite" "$T/u.pg" >&2 || fail "upload tags differ after the copy"
rc=0; bpagg reset-sequence -c "$pgc" $A $YEAR >/dev/null 2>&1 || rc=$?
[ $rc -eq 65 ] || fail "A's sequence was not set aside in the copy (a reset there exited $rc)"
ok "SQLite -> PostgreSQL: $(cat "$T/copy.out")"
rc=0; bpagg store copy --from "$C" --to "$pgc" >/dev/null 2>&1 || rc=$?
[ $rc -eq 73 ] || fail "a copy into a store that is not empty exited $rc"
ok "a copy into a store that is not empty is refused"

# 2. bpagg status names backend and schema version.
bpagg status -c "$pgc" | grep -q "^store  *postgresql, schema version 6$" || fail "status text"
bpagg status -c "$pgc" --json | grep -q '"backend": "postgresql", "schema_version": 6' || fail "status json"
bpagg status -c "$C" | grep -q "^store  *sqlite, schema version 6$" || fail "status text (sqlite)"
ok "bpagg status names the backend and schema version"

# 3. PostgreSQL -> a new SQLite store.
back="$T/c/back.conf"
cp "$C" "$back"
conf_set "$back" path back.sqlite
bpagg store copy --from "$pgc" --to "$back" >"$T/copy2.out" 2>&1 || fail "copy back: $(cat "$T/copy2.out")"
"$H/tallydump" "$back" $YEAR --all >"$T/t.back"
cmp -s "$T/t.sqlite" "$T/t.back" || fail "tallies differ after the copy back"
history "$back" >"$T/h.back"
diff "$T/h.sqlite" "$T/h.back" >&2 || fail "status differs after the copy back"
resets_sqlite "$T/c/back.sqlite" >"$T/r.back"
diff "$T/r.sqlite" "$T/r.back" >&2 || fail "sequence resets differ after the copy back"
uploads_sqlite "$T/c/back.sqlite" >"$T/u.back"
diff "$T/u.sqlite" "$T/u.back" >&2 || fail "upload tags differ after the copy back"
ok "PostgreSQL -> SQLite: $(cat "$T/copy2.out")"

# 4. bpagg rebuild on PostgreSQL: same tallies, received times, rejections.
bpagg rebuild -c "$pgc" 2>"$T/rebuild.log" || fail "rebuild: $(tail -n 3 "$T/rebuild.log")"
# the dry run is validated again, not counted as merged or in the rows
grep -q "4/4 files, 3 merged, 0 already applied, 0 refused, 75 rows merged, 1 dry run$" \
	"$T/rebuild.log" || fail "rebuild's summary: $(tail -n 1 "$T/rebuild.log")"
"$H/tallydump" "$pgc" $YEAR --all >"$T/t.pg2"
cmp -s "$T/t.sqlite" "$T/t.pg2" || fail "tallies differ after rebuild on PostgreSQL"
history "$pgc" >"$T/h.pg2"
diff "$T/h.sqlite" "$T/h.pg2" >&2 || fail "rebuild on PostgreSQL changed status"
resets_pg "$dsn" >"$T/r.pg2"
diff "$T/r.sqlite" "$T/r.pg2" >&2 || fail "rebuild on PostgreSQL changed the sequence resets"
uploads_pg "$dsn" >"$T/u.pg2"
diff "$T/u.sqlite" "$T/u.pg2" >&2 || fail "rebuild on PostgreSQL changed the upload tags"
ok "bpagg rebuild on PostgreSQL keeps tallies, received times, upload tags, rejections and sequence resets"

# 5. bpaggd on PostgreSQL merges and judges as on SQLite.
cp "$in/../archive/$YEAR/$B"/*.bpx "$in/b1again.bpx"
seal_to $B $YEAR "$(make_export $B $YEAR 22 5)" "$in/b2.bpx"
bpaggd -c "$pgc" --once --foreground 2>>"$log" || fail "bpaggd on PostgreSQL"
grep -q "b#again.bpx: already applied" "$log" || fail "the copy of b1 was not judged already applied"
[ "$(pg_sql "$dsn" "SELECT rows FROM tally WHERE kommune = '$B'")" = 22 ] || fail "b2 not merged on PostgreSQL"
ok "bpaggd on PostgreSQL: a resubmission replaces, a copy is already applied"
no_pid_leak
