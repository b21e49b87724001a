# pg_lib.sh - a throw-away PostgreSQL server for the tests (sourced).
#
# pg_start starts one from Debian's packages (postgresql-NN) in a temporary
# directory of its own: its data folder there, a Unix socket there, no TCP
# port, trust authentication on that socket only. The server refuses to run
# as root, so under root it runs as the `postgres` user the package creates
# (or `nobody`), owning only that directory. pg_stop stops it and removes
# the directory; pg_createdb NAME makes a database and prints its dsn.
# fsync is off (a killed server loses nothing the OS has; tests need no
# more) unless PG_FSYNC=on (bench/ingest_pg.sh, for a fair comparison).
# After pg_start: PG_DIR (socket directory), PG_BASE_DSN (without dbname).

pg_bin() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[ -n "$d" ] && [ -x "$d/pg_ctl" ] || { echo "pg_lib: no PostgreSQL server installed (postgresql)" >&2; return 1; }
	echo "$d"
}

# pg_require: a test that needs the server is skipped (77) without it.
pg_require() {
	pg_bin >/dev/null || { echo "skip: PostgreSQL (Debian's postgresql) is not installed"; exit 77; }
}

# Runs a command as the server's user.
pg_as() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$PG_USER" -- "$@"
	else
		"$@"
	fi
}

pg_start() {
	PG_BIN=$(pg_bin) || return 1
	PG_DIR=$(mktemp -d /tmp/bp-pg.XXXXXX)
	PG_USER=$(id -un)
	if [ "$(id -u)" -eq 0 ]; then
		if id postgres >/dev/null 2>&1; then PG_USER=postgres; else PG_USER=nobody; fi
		chown "$PG_USER" "$PG_DIR"
	fi
	chmod 0755 "$PG_DIR"
	pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 \
		--locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 ||
		{ cat "$PG_DIR/initdb.log" >&2; return 1; }
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
		-o "-k $PG_DIR -c listen_addresses= -c unix_socket_permissions=0777 -c fsync=${PG_FSYNC:-off} -c max_connections=60" \
		start >/dev/null || { cat "$PG_DIR/server.log" >&2; return 1; }
	PG_BASE_DSN="host=$PG_DIR user=postgres"
	export PG_DIR PG_BASE_DSN
}

# pg_kill: the server dies at once (SIGKILL to the postmaster and its children).
pg_kill() {
	local pid
	pid=$(head -n 1 "$PG_DIR/data/postmaster.pid" 2>/dev/null) || return 0
	kill -9 "$pid" 2>/dev/null || true
	pkill -9 -P "$pid" 2>/dev/null || true
	while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

# pg_restart_after_kill: starts the server again on the same data folder.
pg_restart_after_kill() {
	rm -f "$PG_DIR/data/postmaster.pid"
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
		-o "-k $PG_DIR -c listen_addresses= -c unix_socket_permissions=0777 -c fsync=${PG_FSYNC:-off} -c max_connections=60" \
		start >/dev/null
}

pg_stop() {
	[ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR" ] || return 0
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || pg_kill
	rm -rf "$PG_DIR"
	PG_DIR=
}

# pg_createdb NAME: prints the dsn of a new, empty database.
pg_createdb() {
	"$PG_BIN/createdb" -h "$PG_DIR" -U postgres "$1" >&2
	echo "$PG_BASE_DSN dbname=$1"
}

# pg_sql DSN SQL: the result, unaligned, fields separated by |.
pg_sql() {
	"$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$1" -c "$2"
}
