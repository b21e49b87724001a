# daemon_lib.sh - shared by tests/integration/daemon_*.sh (sourced).
#
# A throw-away installation in $T/c (bpagg init), kommune keys in $T/k/NNNN,
# plaintext exports kept beside them (the tests compute expected counts from
# them, and finally check that no person_id of theirs reached the
# installation). Nothing here prints a person_id or a file's content.
set -euo pipefail
: "${BP_BUILDDIR:?}" "${BP_SRCDIR:?}" "${BPAGG_REGISTRY:?}"
. "$(dirname "${BASH_SOURCE[0]}")/setup_lib.sh"
H=$BP_BUILDDIR/tests/helpers
T=$(mktemp -d /tmp/bp-daemon-test.XXXXXX)
C=$T/c/bpagg.conf
DPIDS=()

cleanup() {
	local p
	for p in "${DPIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	# A kill is not a death: wait for ours, and retry once when something
	# still running (a daemon's last rename, an uploader's touch) put a
	# file back while rm walked the tree.
	for p in "${DPIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$T" 2>/dev/null || { sleep 1; rm -rf "$T"; }
}
trap cleanup EXIT

# On failure the end of the daemon's log is shown (it names files and
# counts, never a value from a file).
fail() {
	echo "FAIL: $*" >&2
	[ -z "${log:-}" ] || [ ! -f "$log" ] || { echo "--- end of $log" >&2; tail -n 30 "$log" >&2; }
	exit 1
}
ok() { echo "ok: $*"; }

# conf_set CONF KEY VALUE: KEY set where bpagg init wrote it (init writes
# every setting, and each key name is in one section only). Appending a
# section instead would give the key twice, an error (bpagg.conf(5)).
conf_set() {
	grep -q "^$2 =" "$1" || { echo "conf_set: no $2 in $1" >&2; return 1; }
	k=$2 v=$3 awk '$1 == ENVIRON["k"] && $2 == "=" { $0 = ENVIRON["k"] " = " ENVIRON["v"] } 1' \
		"$1" >"$1.new"
	cat "$1.new" >"$1" && rm -f "$1.new"
}

# init_central ["KEY = VALUE"...]: bpagg init, then settings changed in the conf.
init_central() {
	bpagg init "$T/c" >/dev/null
	mkdir -p "$T/k"
	conf_set "$C" scan_seconds 1
	for l in "$@"; do conf_set "$C" "${l%% =*}" "${l#*= }"; done
	# The *_pg.sh variants (tests/helpers/pg_run.sh) run on PostgreSQL.
	if [ -n "${BP_TEST_STORE_DSN:-}" ]; then
		conf_set "$C" backend postgresql
		conf_set "$C" dsn "$BP_TEST_STORE_DSN"
	fi
}

# preload_shim NAME: sets shim to tests/helpers/NAME.so, an LD_PRELOAD shim
# built without sanitizers (it fails when it is not built); under ASan it
# comes before the runtime in the library list, which ASan is told to allow.
preload_shim() {
	shim=$BP_BUILDDIR/tests/helpers/$1.so
	[ -f "$shim" ] || fail "$shim not built"
	if [ -n "${BP_SANITIZED:-}" ]; then
		export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
	fi
}

# add_kommune NNNN [noregister]: a signing key pair, registered unless told.
add_kommune() {
	mkdir -p "$T/k/$1"
	setup bpagg keygen kommune "$1" --out "$T/k/$1" >/dev/null
	[ "${2:-}" = noregister ] || setup bpagg register -c "$C" "$1" "$T/k/$1/$1.sign.pk" >/dev/null
}

# make_export NNNN YEAR ROWS SEED: prints the path of a new sample export.
make_export() {
	local f="$T/k/$1/$2-$4.csv"
	setup bpagg sample --kommune "$1" --year "$2" --rows "$3" --seed "$4" -o "$f" >/dev/null
	echo "$f"
}

# seal_to NNNN YEAR CSV OUT
seal_to() {
	setup bpagg seal "$3" --kommune "$1" --year "$2" --key "$T/k/$1/$1.sign.sk" \
		--to "$T/c/keys/central.box.pk" -o "$4" >/dev/null
}

# expected_counts CSV...: "NNNN rows bolig=rod kjonn=K psykisk_helse=gul" per
# kommune, computed with awk from the plaintext (header-driven, ; or ,).
expected_counts() {
	# Quotes are dropped (the samples quote some fields; no field holds a
	# delimiter), so are CRs and a byte-order mark in the header names.
	awk 'FNR == 1 {
		FS = index($0, ";") ? ";" : ","; gsub(/"/, ""); $0 = $0
		delete c; for (i = 1; i <= NF; i++) { h = $i; gsub(/[^a-z_]/, "", h); c[h] = i }
		next
	}
	{
		gsub(/"/, ""); sub(/\r$/, ""); k = $c["kommune"]; n[k]++
		if ($c["bolig"] == "rod") r[k]++
		if ($c["kjonn"] == "K") f[k]++
		if ($c["psykisk_helse"] == "gul") g[k]++
	}
	END { for (k in n) printf "%s %d %d %d %d\n", k, n[k], r[k] + 0, f[k] + 0, g[k] + 0 }' "$@" | sort
}

# The store behind the daemon's back: the SQLite file $T/c/store.sqlite, or
# on PostgreSQL (the *_pg.sh variants, tests/helpers/pg_run.sh) the database
# of BP_TEST_STORE_DSN. on_pg: whether it is the latter; store_sql SQL: the
# result, one row a line, fields separated by |; store_lose: the store is
# gone (its file deleted, or every table of its database dropped).
on_pg() { [ -n "${BP_TEST_STORE_DSN:-}" ]; }
store_sql() {
	if on_pg; then
		"$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$BP_TEST_STORE_DSN" \
			-c "SET client_min_messages = warning" -c "$1"
	else
		sqlite3 "$T/c/store.sqlite" "$1"
	fi
}
store_lose() {
	if on_pg; then
		store_sql "DROP SCHEMA public CASCADE; CREATE SCHEMA public"
	else
		rm -f "$T/c"/store.sqlite*
	fi
}

# store_counts YEAR: the same columns, read from the store.
store_counts() {
	"$H/tallydump" "$C" "$1" bolig=rod kjonn=K psykisk_helse=gul | sort
}

# status_rows YEAR: total rows of the year per `bpagg status --json`.
status_rows() {
	bpagg status -c "$C" --json | tr -d ' \n' |
		sed -n "s/.*{\"year\":$1,\"kommuner_reported\":[0-9]*,\"kommuner_total\":[0-9]*,\"rows\":\([0-9]*\).*/\1/p"
}

# make_junk FILE: junk complete by its framing (the magic, a header of
# zeros, then a chunk length the format does not allow), refused once
# claimed, unread.
make_junk() {
	head -c 132 /dev/zero | { printf BPAGGSUB; tail -c +9; } >"$1"
	printf '\001\000\000\000x' >>"$1"
	[ "$(stat -c %s "$1")" -eq 137 ] || fail "junk file not made"
}

# files_in DIR: regular files below DIR, not temporary ones.
files_in() { find "$1" -type f ! -name '.*' | wc -l; }

# wait_until SECONDS CMD...: polls CMD until it succeeds (a hang guard only;
# nothing is asserted about speed).
wait_until() {
	local limit=$1 i=0; shift
	until "$@"; do
		i=$((i + 1))
		[ $i -lt $((limit * 10)) ] || return 1
		sleep 0.1
	done
}

# Nothing waits in the inbox, and nothing is still in bpaggd's queue (a
# claimed file stays there until it is archived or rejected).
inbox_empty() {
	[ "$(files_in "$T/c/inbox")" -eq 0 ] &&
		{ [ ! -d "$T/c/queue" ] || [ "$(files_in "$T/c/queue")" -eq 0 ]; }
}

# start_daemon LOG: a background bpaggd --foreground; its pid in DPID.
start_daemon() {
	bpaggd -c "$C" --foreground 2>>"$1" &
	DPID=$!
	DPIDS+=("$DPID")
}

# stop_daemon: SIGTERM, and its exit status must be 0.
stop_daemon() {
	kill -TERM "$DPID"
	local rc=0
	wait "$DPID" || rc=$?
	[ $rc -eq 0 ] || fail "bpaggd exited $rc after SIGTERM"
}

# person_ids OUT CSV...: the person_ids of the plaintext exports, one a
# line, into OUT (it fails when there are none).
person_ids() {
	local out=$1; shift
	awk 'FNR == 1 { FS = index($0, ";") ? ";" : ","; gsub(/"/, ""); $0 = $0
		for (i = 1; i <= NF; i++) if ($i ~ /person_id/) p = i; next }
		{ gsub(/"/, ""); print $p }' "$@" | grep -E '^[0-9]{11}$' | sort -u >"$out" || true
	[ -s "$out" ] || fail "no person_ids extracted from $*"
}

# no_pid_leak: no person_id of any plaintext export appears anywhere in the
# installation (store, archive, rejected, outbox, logs kept there).
no_pid_leak() {
	local ids="$T/ids.txt"
	person_ids "$ids" "$T"/k/*/*.csv
	if grep -rlaF -f "$ids" "$T/c" "$@" >/dev/null; then
		fail "a person_id was found in the installation"
	fi
	ok "none of $(wc -l <"$ids") person_ids found in the installation"
}

# Archived and rejected files are named by the daemon, never after the
# inbox name: archive/YYYY/NNNN/<submission id>.bpx,
# rejected/<UTC time>-<hex>.bpx with .reason ("file: <safe name>" on line 2).

# archived_as FILE YEAR NNNN: a byte-identical copy of FILE is archived there.
archived_as() {
	local f
	for f in "$T/c/archive/$2/$3"/*.bpx; do
		[ -f "$f" ] && cmp -s "$1" "$f" && return 0
	done
	return 1
}

# reason_file NAME: the newest reason file naming NAME (empty if none).
reason_file() {
	grep -lxF "file: $1" "$T/c/rejected"/*.reason 2>/dev/null | tail -n 1 || true
}

# reason_of NAME: the first line (the reason) of NAME's newest reason file.
reason_of() {
	local r; r=$(reason_file "$1")
	[ -n "$r" ] && head -n 1 "$r"
}

# rejected_kept NAME: NAME was refused and kept (sealed) beside its reason.
rejected_kept() {
	local r; r=$(reason_file "$1")
	[ -n "$r" ] && [ -f "${r%.reason}" ]
}
# rejected_deleted NAME: NAME was refused, its reason written, and the file
# deleted (not every byte of it authenticated: it may be plaintext).
rejected_deleted() {
	local r; r=$(reason_file "$1")
	[ -n "$r" ] && [ ! -e "${r%.reason}" ] && grep -q "deleted unread" "$r"
}

# serve_as USER: the installation made ready for bpaggd running as USER
# (root: nothing to do). Shared by daemon_hostile.sh and tests/attacks/.
serve_as() {
	if [ "$1" = root ]; then return 0; fi
	for d in inbox archive rejected outbox queue; do
		[ ! -e "$T/c/$d" ] || chown -R "$1" "$T/c/$d"
	done
	chown "$1" "$T/c"
	[ ! -e "$T/c/store.sqlite" ] || chown "$1" "$T/c"/store.sqlite*
	chmod 755 "$T/c/keys" "$T/c/keys/kommuner"
	conf_set "$C" user "$1"
}
