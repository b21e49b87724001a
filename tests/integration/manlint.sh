#!/usr/bin/env bash
# manlint.sh - every man page passes mandoc -T lint -W warning without a
# message: the pages of man/ as shipped, and each page made from a .in
# template as it is installed (built, its placeholders filled in).
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v mandoc >/dev/null ||
	{ echo "SKIP: mandoc is missing (apt-get install mandoc)"; exit 77; }

pages=()
for p in "$BP_SRCDIR"/man/*.[0-9]; do
	pages+=("$p")
done
for t in "$BP_SRCDIR"/man/*.[0-9].in; do
	[ -e "$t" ] || continue
	b=$(basename "$t" .in)
	built=$BP_BUILDDIR/man/$b
	[ -f "$built" ] || fail "$b is not built from its template (run make)"
	if grep -n '@[a-zA-Z_]*@' "$built"; then
		fail "$b: a placeholder is left"
	fi
	pages+=("$built")
done
[ "${#pages[@]}" -ge 10 ] || fail "only ${#pages[@]} man pages found"
rc=0
out=$(mandoc -T lint -W warning "${pages[@]}" 2>&1) || rc=$?
[ "$rc" -eq 0 ] && [ -z "$out" ] || fail "mandoc -T lint (exit $rc):
$out"
echo "ok: ${#pages[@]} pages"
