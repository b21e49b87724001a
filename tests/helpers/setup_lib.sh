# setup_lib.sh - sourced by the test helpers and by tests that set up kommuner.
#
# setup CMD [ARG...]: runs CMD, a set-up step for another program's test
# (a kommune's keys and registration, a sample export, a seal), without
# LeakSanitizer's scan at its exit.  In the sanitizer build that scan costs
# 25 to 90 ms a program (most of it stopping the process under ptrace, in
# the kernel), and the suite runs such steps thousands of times:
# daemon_ingest.sh took 66 s with the scan, 29 s with set-up steps run
# through this (27 s with the scan off everywhere).  The commands'
# own tests (seal_cli.sh, sample_cli.sh, keys_*.sh, daemon_refuse.sh, ...)
# run them without this wrapper and keep the scan.  In the plain build it
# changes nothing.
setup() {
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 "$@"
}
