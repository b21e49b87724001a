# lib.sh - shared by attacks/*.sh (sourced): a throw-away installation via
# tests/helpers/daemon_lib.sh, the uploader as user nobody.
# Each attack exits 1 when the attack succeeds, 0 when the daemon holds,
# 77 when it cannot run here (needs root, users nobody and daemon).
ATK_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${BP_SRCDIR:=$(cd "$ATK_DIR/../.." && pwd)}"
: "${BP_BUILDDIR:=$BP_SRCDIR/build}"
: "${BPAGG_REGISTRY:=$BP_SRCDIR/conf/kommuner.csv}"
export BP_SRCDIR BP_BUILDDIR BPAGG_REGISTRY
export PATH="$BP_BUILDDIR:$PATH"
if [ "$(id -u)" -ne 0 ] || ! id nobody >/dev/null 2>&1 || ! id daemon >/dev/null 2>&1; then
	echo "skip: needs root and the users nobody and daemon"
	exit 77
fi
. "$BP_SRCDIR/tests/helpers/daemon_lib.sh"
as_uploader() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
# attack_ok MSG / attack_works MSG: the verdict.
held() { echo "HELD: $*"; exit 0; }
broken() { echo "ATTACK SUCCEEDED: $*" >&2; [ -z "${log:-}" ] || [ ! -f "$log" ] || tail -n 15 "$log" >&2; exit 1; }
# setup_install: an installation with kommune A registered, the inbox 0777
# as for uploaders, the installation world-searchable.
setup_install() {
	init_central "$@"
	A=3901
	add_kommune $A
	log="$T/bpaggd.log"
	in="$T/c/inbox"
	chmod 755 "$T" "$T/k" "$T/k"/*
	chmod 777 "$in"
}

# each_mode M...: unless MODE is set, runs this script once per mode (MODE=M)
# in turn, and exits as the first that fails does, or 0.
each_mode() {
	[ -z "${MODE:-}" ] || return 0
	local m
	for m in "$@"; do MODE=$m "$0" || exit; done
	exit 0
}
# under_strace: for the tests that kill bpaggd through strace: no strace is
# a skip, and LeakSanitizer cannot run under ptrace (leaks are checked
# elsewhere).
under_strace() {
	command -v strace >/dev/null || { echo "skip: no strace"; exit 77; }
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
}
# fresh_install [SETTING...]: in a subshell, another throw-away installation
# (setup_install), removed when the subshell ends.
fresh_install() {
	T=$(mktemp -d /tmp/bp-daemon-test.XXXXXX)
	C=$T/c/bpagg.conf
	trap cleanup EXIT
	setup_install "$@"
}
# each_point FN: runs FN SYSCALL N in a subshell for each "syscall:most" of
# $POINTS and each N from 1 to most, and exits 1 at the first that fails;
# $points is how many ran.
each_point() {
	local p k
	points=0
	for p in $POINTS; do
		for k in $(seq 1 "${p#*:}"); do
			( "$1" "${p%:*}" "$k" ) || exit 1
			points=$((points + 1))
		done
	done
}
