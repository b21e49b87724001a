#!/usr/bin/env bash
# publish_fuzz_suplog.sh - replays the suppression log fuzz target
# (fuzz/fuzz_suplog.c) over its seed corpus: every seed is read, verified
# and cut back as bpagg audit and bpagg publish would; a failed invariant or
# (in the sanitizer build) a bad memory access aborts.
set -euo pipefail
corpus=$BP_SRCDIR/fuzz/corpus/suplog
want=$(find "$corpus" -maxdepth 1 -type f ! -name '.*' | wc -l)
[ "$want" -ge 10 ] || { echo "FAIL: only $want seeds in $corpus" >&2; exit 1; }
out=$("$BP_BUILDDIR/fuzz/replay_suplog" "$corpus")
[ "$out" = "replay: $want inputs" ] || { echo "FAIL: $out (want $want inputs)" >&2; exit 1; }
echo "ok: $out"
