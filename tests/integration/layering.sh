#!/usr/bin/env bash
# layering.sh - the stages include only earlier stages (tests/helpers/
# layering_check.sh on the source tree), and the check does fail when a lower
# stage includes a header of a higher one.
set -euo pipefail
src=${BP_SRCDIR:?}
# A check of the sources, the same in both builds: the plain build's run
# makes it, the sanitizer build's need not (half a minute of CI).
if [ -n "${BP_SANITIZED:-}" ]; then
	echo "SKIP: the sanitizer build: the sources are checked by the plain build's run"
	exit 77
fi
check=$src/tests/helpers/layering_check.sh

"$check" "$src" || { echo "FAIL: the source tree breaks the layering"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bp-layering.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for d in crypto export measures conf store ingest publish cli daemon; do
	mkdir -p "$tmp/$d"; cp "$src/$d"/*.[ch] "$tmp/$d/"
done
# export/ (stage 1) reaching into publish/ (stage 6) must be refused.
printf '#include "publish.h"\n' >>"$tmp/export/csv.c"
if out=$("$check" "$tmp" 2>&1); then
	echo "FAIL: an export/ file including publish.h passed the check"; exit 1
fi
grep -q 'export/csv.c:.*publish.h' <<<"$out" || { echo "FAIL: the refusal does not name the file: $out"; exit 1; }
# ... and crypto/ (stage 0) reaching into a program.
cp "$src/export/csv.c" "$tmp/export/csv.c"
printf '#include "bpaggd.h"\n' >>"$tmp/crypto/io.c"
if "$check" "$tmp" 2>/dev/null; then
	echo "FAIL: a crypto/ file including daemon/bpaggd.h passed the check"; exit 1
fi
echo "ok: layering holds and the check refuses a backward include"
