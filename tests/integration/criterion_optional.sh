#!/usr/bin/env bash
# criterion_optional.sh - configure goes on without Criterion, so every
# Criterion unit test (a program under tests/unit/) must be listed in
# check_PROGRAMS and TESTS only inside `if HAVE_CRITERION` ... `endif` of
# its tests/<area>.mk; one listed outside would break `make check` where
# libcriterion-dev is missing. Fails naming each such line.
set -euo pipefail
: "${BP_SRCDIR:?}"
bad=$(awk '
	FNR == 1 { c = 0 }
	/^if HAVE_CRITERION/ { c = 1 }
	/^endif/ { c = 0 }
	# a continued line: join it with the next
	{ line = (cont ? line " " : "") $0; cont = sub(/\\$/, "", line); if (cont) next }
	line ~ /^(check_PROGRAMS|TESTS) \+=/ && line ~ /tests\/unit\/[^ ]*\/test_[^ .]*( |$)/ && !c {
		print FILENAME ": " line
	}
	{ line = "" }' "$BP_SRCDIR"/tests/*.mk)
if [ -n "$bad" ]; then
	echo "FAIL: unit tests listed outside 'if HAVE_CRITERION' (configure allows no Criterion):" >&2
	echo "$bad" >&2
	exit 1
fi
echo "ok: every unit test in tests/*.mk is inside if HAVE_CRITERION"
