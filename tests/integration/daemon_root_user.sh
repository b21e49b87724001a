#!/usr/bin/env bash
# daemon_root_user.sh - the service layout of bpagg(1) (bpagg init DIR
# --state STATE --user nobody) used by root, as bpaggd(8) and bpagg(1) say
# it may be: bpagg rebuild as root takes the keys that init gave the daemon's
# user, and the queue it makes is that user's, so bpaggd running as the user
# afterwards still starts; bpaggd started as root with [daemon] user = nobody
# loads its keys and drops to that user. Before, root refused any secret key
# owned by another user (exit 78), and a rebuild run as root left a queue
# only root could enter; a key replaced by root leaves keys/retired to the
# daemon user too. Needs root, the user nobody and setpriv.
set -euo pipefail
. "$BP_SRCDIR/tests/helpers/daemon_lib.sh"
if [ "$(id -u)" -ne 0 ] || ! id nobody >/dev/null 2>&1 || ! command -v setpriv >/dev/null; then
	echo "skip: needs root, the user nobody and setpriv"
	exit 77
fi
chmod 755 "$T"
E=$T/etc S=$T/state
bpagg init "$E" --state "$S" --user nobody >/dev/null
mkdir -p "$T/k"
bpagg keygen kommune 0301 --out "$T/k" >/dev/null
bpagg register -c "$E/bpagg.conf" 0301 "$T/k/0301.sign.pk" >/dev/null
csv=$T/k/0301.csv
bpagg sample --kommune 0301 --year 2024 --rows 20 --seed 5 -o "$csv" --quiet
bpagg seal "$csv" --kommune 0301 --year 2024 --key "$T/k/0301.sign.sk" \
	--to "$E/keys/central.box.pk" -o "$T/a.bpx" --quiet >/dev/null
[ "$(stat -c %U "$E/keys/central.box.sk")" = nobody ] || fail "init did not give the key to nobody"

# bpagg rebuild as root, before the daemon ever ran (no queue yet).
rc=0; err=$(bpagg rebuild -c "$E/bpagg.conf" 2>&1) || rc=$?
[ $rc -eq 0 ] || fail "rebuild as root: exit $rc: $err"
[ "$(stat -c '%U %a' "$S/queue")" = "nobody 700" ] ||
	fail "the queue rebuild made as root: $(stat -c '%U %a' "$S/queue")"
ok "bpagg rebuild as root uses the daemon user's keys; the queue it makes is that user's"

# bpaggd as nobody merges a submission after that.
install -m 0644 "$T/a.bpx" "$S/inbox/a.bpx"
rc=0; out=$(setpriv --reuid=nobody --regid="$(id -gn nobody)" --clear-groups \
	env PATH="$PATH" BPAGG_REGISTRY="$BPAGG_REGISTRY" \
	bpaggd -c "$E/bpagg.conf" --once --foreground 2>&1) || rc=$?
[ $rc -eq 0 ] && grep -q 'exiting: 1 merged' <<<"$out" || fail "bpaggd as nobody: exit $rc: $out"
ok "bpaggd as the daemon's user runs after a rebuild by root"

# bpaggd started as root, dropping to [daemon] user = nobody.
sed -i 's/^user =.*/user = nobody/' "$E/bpagg.conf"
grep -q '^user = nobody$' "$E/bpagg.conf" || fail "could not set [daemon] user"
rc=0; out=$(bpaggd -c "$E/bpagg.conf" --once --foreground 2>&1) || rc=$?
[ $rc -eq 0 ] && grep -q 'exiting: 0 merged' <<<"$out" || fail "bpaggd root -> nobody: exit $rc: $out"
[ "$(stat -c %U "$S/store.sqlite")" = nobody ] || fail "the store is not nobody's"
ok "bpaggd started as root loads the daemon user's keys and drops to it"

# root replaces the kommune's key: keys/retired, made then, is the daemon
# user's like keys/, so bpagg rebuild as that user still reads the retired
# key (it was root's 0700, and the rebuild stopped with exit 78).
mkdir -p "$T/k2"
bpagg keygen kommune 0301 --out "$T/k2" >/dev/null
bpagg register -c "$E/bpagg.conf" 0301 "$T/k2/0301.sign.pk" --replace >/dev/null
[ "$(stat -c '%U %a' "$E/keys/retired")" = "nobody 700" ] ||
	fail "keys/retired made by root: $(stat -c '%U %a' "$E/keys/retired")"
rc=0; out=$(cd / && setpriv --reuid=nobody --regid="$(id -gn nobody)" --clear-groups \
	env PATH="$PATH" BPAGG_REGISTRY="$BPAGG_REGISTRY" \
	bpagg rebuild -c "$E/bpagg.conf" 2>&1) || rc=$?
[ $rc -eq 0 ] || fail "rebuild as nobody after root replaced a key: exit $rc: $out"
grep -q 're-ingesting 1 archived file' <<<"$out" || fail "rebuild as nobody: $out"
ok "keys/retired made by root's register --replace is the daemon user's; rebuild as that user reads it"
