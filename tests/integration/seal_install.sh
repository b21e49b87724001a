#!/usr/bin/env bash
# bpagg init, keygen and register: the installation layout and modes, the
# written bpagg.conf (identical to conf/bpagg.conf.example and loadable),
# refusals to overwrite, and key registration rules. Command output goes to
# files in the temporary directory (key ids are not shown in the log).
set -euo pipefail
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
mode() { stat -c %a "$1"; }

# expect CODE CMD...: runs CMD, which must exit with CODE.
expect() {
	local want=$1 rc=0; shift
	"$@" >"$t/out" 2>"$t/err" || rc=$?
	[ "$rc" -eq "$want" ] || { cat "$t/err"; fail "exit $rc, want $want: $*"; }
}

inst=$t/inst
expect 0 bpagg init "$inst"
for d in inbox archive rejected outbox keys keys/kommuner; do
	[ -d "$inst/$d" ] || fail "missing $d/"
done
[ "$(mode "$inst/keys")" = 700 ] || fail "keys/ is not 0700"
for f in central.box.sk daemon.sign.sk pseudonym.key; do
	[ "$(mode "$inst/keys/$f")" = 600 ] || fail "$f is not 0600"
done
for f in central.box.pk daemon.sign.pk; do
	[ "$(mode "$inst/keys/$f")" = 644 ] || fail "$f is not 0644"
done
cmp -s "$inst/kommuner.csv" "$BPAGG_REGISTRY" || fail "registry not copied"
cmp -s "$inst/bpagg.conf" "$BP_SRCDIR/conf/bpagg.conf.example" ||
	fail "bpagg.conf differs from conf/bpagg.conf.example"
# Every setting conf.c reads is in the file.
for key in inbox archive rejected outbox keys registry suppression_log backend path dsn \
	max_rows max_file_bytes young_seconds scan_seconds pseudonym_scope rop_definition \
	lki_cut_gul lki_cut_rod lki_cut_blalys min_cell suppress_zero profile kommune_breakdowns \
	republish_rule method user; do
	grep -q "^$key =" "$inst/bpagg.conf" || fail "bpagg.conf lacks $key"
	grep -q "\"$key\")" "$BP_SRCDIR/conf/conf.c" || fail "conf.c does not read $key"
done
n_read=$(grep -o 'IS("[a-z]*", "[a-z_]*")' "$BP_SRCDIR/conf/conf.c" | wc -l)
n_conf=$(grep -c '^[a-z_]* =' "$inst/bpagg.conf")
[ "$n_read" -eq "$n_conf" ] || fail "conf.c reads $n_read settings, bpagg.conf has $n_conf"

# The store (schema, no data, 0600) and an empty suppression log, as
# interfaces.md has init make them: audit verifies the empty log.
[ "$(mode "$inst/store.sqlite")" = 600 ] || fail "no store.sqlite (0600)"
[ -f "$inst/suppression.log" ] && [ ! -s "$inst/suppression.log" ] || fail "no empty suppression.log"
bpagg status -c "$inst/bpagg.conf" | grep -q '^store  *sqlite, schema version [0-9]' ||
	fail "status does not see the store init made"
expect 0 bpagg audit -c "$inst/bpagg.conf"
grep -q '0 entries, chain and seals verified' "$t/out" || fail "audit of the empty log: $(cat "$t/out")"
# A state folder kept from an earlier installation: its store and log stay as they were.
mkdir "$t/kept" && printf 'old\n' >"$t/kept/store.sqlite" && printf 'log\n' >"$t/kept/suppression.log"
expect 0 bpagg init "$t/again" --state "$t/kept"
[ "$(cat "$t/kept/store.sqlite")" = old ] && [ "$(cat "$t/kept/suppression.log")" = log ] ||
	fail "init touched a store or log already in the state folder"
grep -q 'kept the store already at' "$t/out" || fail "init does not say it kept the store"

# A second init, or one into a directory holding keys/, is refused.
expect 73 bpagg init "$inst"
mkdir -p "$t/other/keys"
expect 73 bpagg init "$t/other"
[ ! -e "$t/other/bpagg.conf" ] || fail "init wrote into an existing installation"
# keys/ without bpagg.conf (an interrupted init) is named as such, with what
# to do; the keys are kept, and init runs again once DIR is moved aside.
: >"$t/other/keys/central.box.pk"
expect 73 bpagg init "$t/other"
grep -q "other/keys exists but .*other/bpagg.conf does not: left by an interrupted init.*move .*other aside and run init again" "$t/err" ||
	fail "interrupted init message: $(cat "$t/err")"
[ -e "$t/other/keys/central.box.pk" ] || fail "init removed keys of an interrupted init"
mv "$t/other" "$t/other.aside"
expect 0 bpagg init "$t/other"
# A registry that does not exist.
expect 66 bpagg init "$t/x" --registry "$t/none.csv"
expect 64 bpagg init
bpagg init --help | grep -q -- "--registry" || fail "init --help"

# keygen: 0600 secret, refuses to overwrite, checks the kommune number.
expect 0 bpagg keygen kommune 0301 --out "$t/k"
[ "$(mode "$t/k/0301.sign.sk")" = 600 ] || fail "NNNN.sign.sk is not 0600"
[ -f "$t/k/0301.sign.pk" ] || fail "no NNNN.sign.pk"
cp "$t/k/0301.sign.sk" "$t/sk.before"
expect 73 bpagg keygen kommune 0301 --out "$t/k"
cmp -s "$t/k/0301.sign.sk" "$t/sk.before" || fail "keygen overwrote a key"
# NNNN.sign.sk alone (a keygen killed between its files): kept, and the same
# NNNN.sign.pk written from it; NNNN.sign.pk alone is refused.
mv "$t/k/0301.sign.pk" "$t/pk.before"
expect 0 bpagg keygen kommune 0301 --out "$t/k"
grep -q "0301.sign.sk was there without its public key (an interrupted keygen)" "$t/out" ||
	fail "keygen resume message: $(cat "$t/out")"
cmp -s "$t/k/0301.sign.sk" "$t/sk.before" || fail "keygen replaced a lone secret key"
cmp -s "$t/k/0301.sign.pk" "$t/pk.before" || fail "keygen wrote another public key"
mv "$t/k/0301.sign.sk" "$t/sk.aside"
expect 73 bpagg keygen kommune 0301 --out "$t/k"
grep -q "holds .*0301.sign.pk but not its secret key" "$t/err" || fail "lone .pk message: $(cat "$t/err")"
mv "$t/sk.aside" "$t/k/0301.sign.sk"
expect 64 bpagg keygen kommune 301 --out "$t/k"
expect 64 bpagg keygen 0301 --out "$t/k"
expect 0 bpagg keygen kommune 1103 --out "$t/k"
expect 0 bpagg keygen kommune 0301 --out "$t/k2"

# register: installs, is idempotent, refuses another kommune's key, a
# secret key, an unknown kommune, and a different key without --replace.
conf=$inst/bpagg.conf
expect 0 bpagg register -c "$conf" 0301 "$t/k/0301.sign.pk"
cmp -s "$inst/keys/kommuner/0301.sign.pk" "$t/k/0301.sign.pk" || fail "key not installed"
expect 0 bpagg register -c "$conf" 0301 "$t/k/0301.sign.pk"
expect 77 bpagg register -c "$conf" 1103 "$t/k/0301.sign.pk"
[ ! -e "$inst/keys/kommuner/1103.sign.pk" ] || fail "installed under another kommune"
expect 65 bpagg register -c "$conf" 0301 "$t/k/0301.sign.sk"
expect 65 bpagg register -c "$conf" 0301 "$inst/keys/central.box.pk"
expect 66 bpagg register -c "$conf" 0301 "$t/k/none.pk"
expect 65 bpagg register -c "$conf" 9999 "$t/k/0301.sign.pk"
expect 77 bpagg register -c "$conf" 0301 "$t/k2/0301.sign.pk"
grep -q -- "--replace" "$t/err" || fail "refusal does not mention --replace"
cmp -s "$inst/keys/kommuner/0301.sign.pk" "$t/k/0301.sign.pk" || fail "key replaced without --replace"
expect 0 bpagg register -c "$conf" --replace 0301 "$t/k2/0301.sign.pk"
cmp -s "$inst/keys/kommuner/0301.sign.pk" "$t/k2/0301.sign.pk" || fail "--replace did not replace"
expect 0 bpagg register -c "$conf" 1103 "$t/k/1103.sign.pk"
ls -A "$inst/keys/kommuner" >"$t/ls"
[ "$(cat "$t/ls" | tr '\n' ' ')" = "0301.sign.pk 1103.sign.pk " ] || fail "stray files in keys/kommuner"
expect 78 bpagg register -c "$t/none.conf" 0301 "$t/k/0301.sign.pk"
expect 64 bpagg register -c "$conf" 0301
# without -c: $BPAGG_CONF
BPAGG_CONF=$t/none.conf expect 78 bpagg register 0301 "$t/k/0301.sign.pk"
grep -qF "$t/none.conf" "$t/err" || fail "the missing BPAGG_CONF is not named"
echo "ok: init, keygen, register"
