#!/usr/bin/env bash
# Runs last (see tests/local.mk): no output of any other test - the test logs
# of this build - holds a valid person_id. The fixtures and sample exports
# are full of valid fødselsnumre; none may reach a message, log or receipt.
set -euo pipefail
cd "$BP_BUILDDIR"
mapfile -t logs < <(find tests -name '*.log' ! -name 'zz_no_pid_leak.sh.log' ! -name 'test-suite.log' -type f | sort)
[ ${#logs[@]} -gt 0 ] || { echo "no test logs found"; exit 1; }
"$BP_BUILDDIR/tests/helpers/pidscan" "${logs[@]}"
