#!/usr/bin/env bash
# completion.sh - the bash completion of bpagg (conf/completion/bpagg) run
# the way bash runs it: commands, a command's options from its --help,
# kommune numbers from the registry, levels, the keygen and register words.
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
# shellcheck source=/dev/null
source "$BP_SRCDIR/conf/completion/bpagg"

# comp WORD...: completes the last word as bash would; prints the candidates.
comp() {
	COMP_WORDS=(bpagg "$@")
	COMP_CWORD=$(($# ))
	_bpagg
	printf '%s\n' "${COMPREPLY[@]}" | sort
}
has() { grep -qx -- "$2" <<<"$1" || fail "completing '$3': no $2 in: $(tr '\n' ' ' <<<"$1")"; }
hasnt() { grep -qx -- "$2" <<<"$1" && fail "completing '$3': $2 offered"; return 0; }

out=$(comp ""); has "$out" publish "bpagg"; has "$out" seal "bpagg"; has "$out" --version "bpagg"
out=$(comp pu); [ "$out" = "publish" ] || fail "bpagg pu: $out"
out=$(comp seal --); has "$out" --force "seal --"; has "$out" --kommune "seal --"; hasnt "$out" --json "seal --"
out=$(comp publish --le); [ "$out" = "--level" ] || fail "publish --le: $out"
out=$(comp publish --level ""); [ "$(tr '\n' ' ' <<<"$out")" = "fylke kommune nasjonal " ] || fail "levels: $out"
out=$(comp check x.csv --kommune 030); has "$out" 0301 "--kommune 030"; hasnt "$out" 1103 "--kommune 030"
out=$(comp keygen ""); [ "$out" = "kommune" ] || fail "keygen: $out"
out=$(comp receipt ""); [ "$out" = "verify" ] || fail "receipt: $out"
out=$(comp receipt verify x.receipt --k); [ "$out" = "--key" ] || fail "receipt verify --k: $out"
out=$(comp keygen kommune 110); has "$out" 1103 "keygen kommune 110"
out=$(comp register -c x.conf 46); has "$out" 4601 "register -c x.conf 46"
n=$(comp check x.csv --kommune "" | wc -l)
want=$(awk -F, 'NR > 1' "$BPAGG_REGISTRY" | wc -l)
[ "$n" -eq "$want" ] || fail "all kommuner: $n of $want"
echo "ok: completion"
