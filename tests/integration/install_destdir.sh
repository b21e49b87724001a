#!/usr/bin/env bash
# install_destdir.sh - `make install DESTDIR=R` from the build directory,
# then the installed programs, run from R with the installed registry and
# the installed unit's command line (its paths rewritten under R): bpagg
# init in the service layout (configuration in sysconfdir/bpagg, state
# beside it as /var/lib/bpagg is), keygen, register, seal, and bpaggd
# --once as ExecStart= says. Also: the unit (Type=notify, StateDirectory=
# bpagg, the exposure of systemd-analyze security at most 1.0 when it is
# installed), the sysusers.d and tmpfiles.d files applied to R (as root,
# with systemd-sysusers/-tmpfiles --root), and make uninstall.
set -euo pipefail
: "${BP_BUILDDIR:?}" "${BP_INST_BINDIR:?}" "${BP_INST_UNITDIR:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/bp-install.XXXXXX")
trap 'rm -rf "$T"' EXIT
R=$T/root
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
# The registry the test environment points at is not used: the installed one is.
unset BPAGG_REGISTRY

${MAKE:-make} -s -C "$BP_BUILDDIR" install DESTDIR="$R" >"$T/install.log" 2>&1 ||
	{ tail -n 20 "$T/install.log" >&2; fail "make install DESTDIR failed"; }
BPAGG=$R$BP_INST_BINDIR/bpagg
UNIT=$R$BP_INST_UNITDIR/bpaggd.service
for f in "$BPAGG" "$R$BP_INST_SBINDIR/bpaggd" "$R$BP_INST_PKGDATADIR/kommuner.csv" \
	"$R$BP_INST_PKGDATADIR/bpagg.conf.example" "$UNIT" \
	"$R$BP_INST_SYSUSERSDIR/bpagg.conf" "$R$BP_INST_TMPFILESDIR/bpagg.conf" \
	"$R$BP_INST_MANDIR/man8/bpaggd.8" "$R$BP_INST_MANDIR/man5/bpagg.conf.5"; do
	[ -f "$f" ] || fail "not installed: ${f#"$R"}"
done
ok "programs, registry, man pages, unit, sysusers.d and tmpfiles.d files installed"
# libpq is opened with a PostgreSQL store (store/store_pq_load.c), not
# linked: a run on SQLite loads none of its libraries.
# (ldd's output read whole: under pipefail `! ldd | grep -q` passes when
# grep's early exit kills ldd with SIGPIPE, the very case it looks for)
for f in "$BPAGG" "$R$BP_INST_SBINDIR/bpaggd"; do
	libs=$(ldd "$f") || fail "ldd ${f#"$R"} failed"
	[[ $libs != *libpq.so* ]] || fail "${f#"$R"} links libpq"
done
ok "the programs do not link libpq"

# The unit: the installed daemon and the configuration in sysconfdir/bpagg.
grep -qx 'Type=notify' "$UNIT" || fail "the unit is not Type=notify"
grep -qx 'StateDirectory=bpagg' "$UNIT" || fail "the unit has no StateDirectory=bpagg"
exec_start=$(sed -n 's/^ExecStart=//p' "$UNIT")
read -r daemon copt conf rest <<<"$exec_start"
[ "$daemon" = "$BP_INST_SBINDIR/bpaggd" ] || fail "ExecStart runs $daemon"
[ "$copt" = -c ] && [ "$conf" = "$BP_INST_SYSCONFDIR/bpagg/bpagg.conf" ] ||
	fail "ExecStart's configuration is not sysconfdir/bpagg/bpagg.conf: $exec_start"
[ -x "$R$daemon" ] || fail "ExecStart's program is not installed"
# The tmpfiles.d file makes the folders of that StateDirectory, inbox for
# the uploaders (sticky, group bpagg-upload) and the queue private.
tmp=$R$BP_INST_TMPFILESDIR/bpagg.conf
grep -qE '^d /var/lib/bpagg/inbox 1730 bpagg bpagg-upload' "$tmp" || fail "no inbox line in tmpfiles.d"
grep -qE '^d /var/lib/bpagg/queue 0700 bpagg bpagg' "$tmp" || fail "no queue line in tmpfiles.d"
grep -qE "^d $BP_INST_SYSCONFDIR/bpagg " "$tmp" || fail "tmpfiles.d does not make sysconfdir/bpagg"
grep -qE '^u bpagg ' "$R$BP_INST_SYSUSERSDIR/bpagg.conf" || fail "sysusers.d makes no user bpagg"
ok "the unit runs the installed bpaggd on sysconfdir/bpagg/bpagg.conf; tmpfiles.d matches StateDirectory"

if command -v systemd-analyze >/dev/null 2>&1; then
	score=$(systemd-analyze security --offline=true "$UNIT" 2>&1 |
		sed -n 's/.*Overall exposure level for bpaggd.service: \([0-9.]*\).*/\1/p')
	[ -n "$score" ] || fail "systemd-analyze security gave no exposure level"
	awk -v s="$score" 'BEGIN { exit !(s <= 1.0) }' || fail "exposure $score is above 1.0"
	ok "systemd-analyze security: exposure $score"
else
	echo "note: systemd-analyze not installed: the exposure of the unit is not checked"
fi

# sysusers.d and tmpfiles.d applied to R (its own /etc/passwd and group).
if [ "$(id -u)" = 0 ] && command -v systemd-sysusers >/dev/null && command -v systemd-tmpfiles >/dev/null; then
	mkdir -p "$R/etc"
	systemd-sysusers --root="$R" "$R$BP_INST_SYSUSERSDIR/bpagg.conf" >/dev/null 2>&1 ||
		fail "systemd-sysusers --root failed"
	systemd-tmpfiles --root="$R" --create "$tmp" >/dev/null 2>&1 || fail "systemd-tmpfiles --root failed"
	uid=$(awk -F: '$1 == "bpagg" { print $3 }' "$R/etc/passwd")
	gid=$(awk -F: '$1 == "bpagg-upload" { print $3 }' "$R/etc/group")
	[ -n "$uid" ] && [ -n "$gid" ] || fail "sysusers made no user bpagg or group bpagg-upload"
	[ "$(stat -c '%a %u %g' "$R/var/lib/bpagg/inbox")" = "1730 $uid $gid" ] ||
		fail "inbox is $(stat -c '%a %u %g' "$R/var/lib/bpagg/inbox")"
	[ "$(stat -c '%a %u' "$R/var/lib/bpagg/queue")" = "700 $uid" ] || fail "the queue is not private"
	[ "$(stat -c '%a' "$R/var/lib/bpagg")" = 711 ] || fail "/var/lib/bpagg is not 0711"
	ok "sysusers.d and tmpfiles.d: user bpagg, inbox 1730 bpagg:bpagg-upload, queue 0700"
else
	echo "note: not root or no systemd-sysusers/-tmpfiles: sysusers.d and tmpfiles.d not applied"
fi

# The installed programs in the service layout, beneath R/run (fresh
# folders, owned by whoever runs the test).
CONFDIR=$T/run$BP_INST_SYSCONFDIR/bpagg
STATE=$T/run/var/lib/bpagg
mkdir -p "${CONFDIR%/*}" "${STATE%/*}" "$T/u"
"$BPAGG" init "$CONFDIR" --state "$STATE" --registry "$R$BP_INST_PKGDATADIR/kommuner.csv" \
	>"$T/init.out" || fail "installed bpagg init failed"
grep -q '^kommune registry: 357 kommuner' "$T/init.out" || fail "init did not read the installed registry"
C=$CONFDIR/bpagg.conf
grep -qx "inbox = $STATE/inbox" "$C" || fail "bpagg.conf does not put the inbox in the state"
grep -qx "state = $STATE" "$C" || fail "bpagg.conf has no state = $STATE"
grep -qx "path = $STATE/store.sqlite" "$C" || fail "bpagg.conf does not put the store in the state"
[ -d "$CONFDIR/keys/kommuner" ] && [ -f "$CONFDIR/kommuner.csv" ] || fail "keys or registry not in $CONFDIR"
for d in inbox archive rejected outbox; do [ -d "$STATE/$d" ] || fail "no $d in the state"; done
# the store (schema, no data) and an empty suppression log, as interfaces.md has init make them
[ "$(stat -c %a "$STATE/store.sqlite")" = 600 ] || fail "no store (mode 0600) in the state"
[ -f "$STATE/suppression.log" ] && [ ! -s "$STATE/suppression.log" ] || fail "no empty suppression log in the state"
[ ! -e "$CONFDIR/inbox" ] || fail "an inbox in the configuration directory"

# A relative state, or one that would break the written file, is refused.
for bad in relative/state "$T/a;b"; do
	rc=0
	"$BPAGG" init "$T/bad" --state "$bad" >/dev/null 2>&1 || rc=$?
	[ $rc -eq 64 ] && [ ! -e "$T/bad" ] || fail "init --state '$bad' exited $rc"
done
mkdir "$T/k"
"$BPAGG" keygen kommune 4601 --out "$T/k" >/dev/null || fail "installed keygen failed"
"$BPAGG" register -c "$C" 4601 "$T/k/4601.sign.pk" >/dev/null || fail "installed register failed"
"$BPAGG" sample --kommune 4601 --year 2024 --rows 25 --seed 7 -o "$T/k/x.csv" >/dev/null
"$BPAGG" seal "$T/k/x.csv" --kommune 4601 --year 2024 --key "$T/k/4601.sign.sk" \
	--to "$CONFDIR/keys/central.box.pk" -o "$STATE/inbox/x.bpx" >/dev/null || fail "installed seal failed"
# ExecStart= with its paths beneath the test's root, and --once.
conf_here=$T/run$conf
[ "$conf_here" = "$C" ] || fail "the layout differs from the unit's configuration path"
rc=0
env -u NOTIFY_SOCKET "$R$daemon" -c "$conf_here" $rest --once 2>"$T/bpaggd.log" || rc=$?
[ $rc -eq 0 ] || { cat "$T/bpaggd.log" >&2; fail "installed bpaggd --once exited $rc"; }
grep -q 'x.bpx: merged kommune 4601 year 2024 rows 25' "$T/bpaggd.log" || fail "not merged"
[ "$(find "$STATE/archive/2024/4601" -name '*.bpx' | wc -l)" -eq 1 ] || fail "not archived"
[ -d "$STATE/queue" ] && [ ! -e "$CONFDIR/queue" ] || fail "the queue is not in the state directory"
"$BPAGG" status -c "$C" >"$T/status" || fail "installed bpagg status failed"
grep -qE '^ +rows +25$' "$T/status" || fail "status does not show the 25 rows"
ok "installed init, keygen, register, seal, and bpaggd as ExecStart= says (--once): merged"

# As root, --user gives the keys to the user bpaggd runs as. Under umask
# 027 what that user must read keeps its mode (root:root 0640 was unreadable).
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	(umask 027; "$BPAGG" init "$T/u/etc" --state "$T/u/state" --user nobody \
		--registry "$R$BP_INST_PKGDATADIR/kommuner.csv" >/dev/null) || fail "init --user failed"
	for f in etc:755 etc/bpagg.conf:644 etc/kommuner.csv:644 etc/keys:700 \
		etc/keys/central.box.pk:644 etc/keys/central.box.sk:600 etc/keys/pseudonym.key:600 \
		state:755 state/inbox:750 state/suppression.log:644; do
		[ "$(stat -c %a "$T/u/${f%:*}")" = "${f#*:}" ] ||
			fail "init under umask 027: ${f%:*} is $(stat -c %a "$T/u/${f%:*}"), want ${f#*:}"
	done
	for f in keys keys/kommuner keys/central.box.sk keys/daemon.sign.sk keys/pseudonym.key; do
		[ "$(stat -c %U "$T/u/etc/$f")" = nobody ] || fail "$f not given to nobody"
	done
	for f in inbox store.sqlite suppression.log; do
		[ "$(stat -c %U "$T/u/state/$f")" = nobody ] || fail "$f made by init not given to nobody"
	done
	[ "$(stat -c %U "$T/u/etc/bpagg.conf")" = root ] || fail "bpagg.conf given away"
	ok "init --user nobody: keys, the folders, the store and the log it made belong to nobody"
fi

${MAKE:-make} -s -C "$BP_BUILDDIR" uninstall DESTDIR="$R" >"$T/uninstall.log" 2>&1 ||
	fail "make uninstall failed"
left=$(find "$R" -type f ! -path "$R/etc/*" ! -path "$R/var/*" | head -n 5)
[ -z "$left" ] || fail "left after make uninstall: $left"
ok "make uninstall removes every installed file"
