#!/usr/bin/env bash
# keys_receipt.sh - keys a person can handle and receipts a kommune can
# check (issue 11, items 6 and 7): public keys are two lines of text with a
# fingerprint shown by keygen, register and status (the same one); the
# binary public keys of earlier versions are still read; keygen refuses a
# kommune not in the registry, naming it; seal --key given a public key
# says so; seal prints the submission id that names the receipt; `bpagg
# receipt verify` accepts the daemon's receipt (0) and refuses a tampered
# one and one checked with another key (1).
set -euo pipefail
. "$BP_SRCDIR/tests/helpers/daemon_lib.sh"
A=0301 YEAR=2024
log="$T/bpaggd.log"
expect() {
	local want=$1 rc=0; shift
	"$@" >"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" -eq "$want" ] || fail "exit $rc, want $want: $* : $(cat "$T/err")"
}

init_central

# 1. A public key is a comment line and one base64 line; the secret is not text.
mkdir -p "$T/k/$A"
expect 0 bpagg keygen kommune $A --out "$T/k/$A"
pk=$T/k/$A/$A.sign.pk
[ "$(wc -l <"$pk")" -eq 2 ] || fail "the public key is not two lines"
[ "$(sed -n 1p "$pk")" = "untrusted comment: bpagg kommune $A signing public key" ] ||
	fail "comment line: $(sed -n 1p "$pk")"
sed -n 2p "$pk" | grep -Eq '^[A-Za-z0-9+/]{67}=$' || fail "key line is not 50 bytes in base64"
[ "$(sed -n 2p "$pk" | base64 -d | head -c 4)" = BPK1 ] || fail "the base64 is not the key image"
head -c 4 "$T/k/$A/$A.sign.sk" | grep -q BPK1 || fail "the secret key is not the binary file"
[ "$(stat -c %a "$T/k/$A/$A.sign.sk")" = 600 ] || fail "secret key mode"
fpr_keygen=$(sed -n 's/^fingerprint \([0-9a-f ]*\)$/\1/p' "$T/out")
[[ $fpr_keygen =~ ^([0-9a-f]{4} ){7}[0-9a-f]{4}$ ]] || fail "keygen fingerprint: $(cat "$T/out")"
ok "keygen writes a text public key and shows its fingerprint"

# 2. register shows the same fingerprint; a key mailed with CR LF is the same key.
sed 's/$/\r/' "$pk" >"$T/crlf.pk"
expect 0 bpagg register -c "$C" $A "$T/crlf.pk"
grep -q "fingerprint $fpr_keygen" "$T/out" || fail "register fingerprint: $(cat "$T/out")"
[ "$(sed -n 1p "$T/c/keys/kommuner/$A.sign.pk")" = "untrusted comment: bpagg kommune $A signing public key" ] ||
	fail "the registered key is not text"
ok "register shows the kommune's fingerprint"

# 3. A binary public key of an earlier version is read: the same key.
sed -n 2p "$pk" | base64 -d >"$T/old.pk"
expect 0 bpagg register -c "$C" $A "$T/old.pk"
grep -q "already registered" "$T/out" || fail "the binary key is not the same key: $(cat "$T/out")"
# A damaged key line is refused by line.
sed '2s/^./#/' "$pk" >"$T/bad.pk"
expect 65 bpagg register -c "$C" $A "$T/bad.pk"
grep -q "bad.pk: line 2:" "$T/err" || fail "damaged key: $(cat "$T/err")"
ok "binary public keys are still read; a damaged text key is refused at line 2"

# 4. keygen of a kommune not in the registry names the registry.
expect 65 bpagg keygen kommune 9999 --out "$T/k/9999"
grep -qF "kommune 9999 is not in the kommune registry $BPAGG_REGISTRY" "$T/err" ||
	fail "keygen 9999: $(cat "$T/err")"
[ ! -e "$T/k/9999" ] || fail "keygen 9999 made its directory"
ok "keygen refuses a kommune not in the registry"

# 5. seal --key with the public key says it is one (no chmod advice).
csv=$(make_export $A $YEAR 40 1)
expect 77 bpagg seal "$csv" --kommune $A --year $YEAR --key "$pk" \
	--to "$T/c/keys/central.box.pk" -o "$T/x.bpx"
grep -q "this is a public key" "$T/err" || fail "seal --key PK: $(cat "$T/err")"
grep -q chmod "$T/err" && fail "seal --key PK advises chmod: $(cat "$T/err")"
ok "seal --key given a public key says so"

# 6. status shows the installation's fingerprints: the daemon key's is the
# one receipt verify prints.
expect 0 bpagg status -c "$C"
fpr_daemon=$(sed -n 's/^receipts signed by key *\([0-9a-f ]*[0-9a-f]\) (daemon.sign.pk)$/\1/p' "$T/out")
[[ $fpr_daemon =~ ^([0-9a-f]{4} ){7}[0-9a-f]{4}$ ]] || fail "status: $(cat "$T/out")"
grep -q "^exports sealed to key .* (central.box.pk)$" "$T/out" || fail "status: no central key"
ok "status shows the daemon's and the central key's fingerprints"

# 7. seal names the receipt; the daemon writes it there; verify says good.
expect 0 bpagg seal "$csv" --kommune $A --year $YEAR --key "$T/k/$A/$A.sign.sk" \
	--to "$T/c/keys/central.box.pk" -o "$T/c/inbox/a.bpx"
id=$(sed -n 's/^submission id \([0-9a-f]\{32\}\): its receipt will be outbox\/'$A'\/\1.receipt$/\1/p' "$T/out")
[ -n "$id" ] || fail "seal: no submission id: $(cat "$T/out")"
rc=0; timeout 120 bpaggd -c "$C" --once --foreground 2>>"$log" || rc=$?
[ $rc -eq 0 ] || fail "bpaggd --once exited $rc"
r=$T/c/outbox/$A/$id.receipt
[ -f "$r" ] || fail "no receipt $id.receipt: $(ls "$T/c/outbox/$A")"
cp "$T/c/keys/daemon.sign.pk" "$T/daemon.sign.pk"   # as mailed to the kommune
expect 0 bpagg receipt verify "$r" --key "$T/daemon.sign.pk"
grep -q "good signature by the daemon key $fpr_daemon" "$T/out" || fail "verify: $(cat "$T/out")"
grep -q "status merged, kommune $A, year $YEAR, submission id $id, .* rows 40" "$T/out" ||
	fail "verify: $(cat "$T/out")"
ok "seal's submission id names the receipt, and it verifies"

# 8. Tampered: one digit of the rows changed; verify fails with 1.
sed '1s/"rows":\(["]*\)40/"rows":\14000/' "$r" >"$T/tampered.receipt"
cmp -s "$r" "$T/tampered.receipt" && fail "the tampering did not change the receipt"
expect 1 bpagg receipt verify "$T/tampered.receipt" --key "$T/daemon.sign.pk"
grep -q "DOES NOT VERIFY: the signature does not match" "$T/err" || fail "tampered: $(cat "$T/err")"
grep -q "good signature" "$T/out" && fail "tampered receipt printed as good"
ok "a tampered receipt does not verify"

# 9. Wrong key: another installation's daemon key; a kommune's key is refused.
bpagg init "$T/other" >/dev/null
expect 1 bpagg receipt verify "$r" --key "$T/other/keys/daemon.sign.pk"
grep -q "DOES NOT VERIFY: signed by key id" "$T/err" || fail "wrong key: $(cat "$T/err")"
expect 77 bpagg receipt verify "$r" --key "$pk"
grep -q "kommune $A's signing key, not the daemon's" "$T/err" || fail "kommune key: $(cat "$T/err")"
# With the signature line's key id rewritten to the other key's, still no.
oid=$(sed -n 2p "$T/other/keys/daemon.sign.pk" | base64 -d | od -An -tx1 -j6 -N8 | tr -d ' \n')
sed "2s/^ed25519 [0-9a-f]\{16\} /ed25519 $oid /" "$r" >"$T/reid.receipt"
expect 1 bpagg receipt verify "$T/reid.receipt" --key "$T/other/keys/daemon.sign.pk"
grep -q "DOES NOT VERIFY: the signature does not match" "$T/err" || fail "re-id: $(cat "$T/err")"
# Not a receipt at all.
expect 65 bpagg receipt verify "$csv" --key "$T/daemon.sign.pk"
grep -q "not a bpagg receipt" "$T/err" || fail "not a receipt: $(cat "$T/err")"
# A FIFO as the receipt or as the key is refused at once, not waited on (the
# timeout only stops a hang: it would exit 124).
mkfifo "$T/fifo"
expect 65 timeout 30 bpagg receipt verify "$T/fifo" --key "$T/daemon.sign.pk"
grep -q "not a receipt (not a regular file" "$T/err" || fail "FIFO receipt: $(cat "$T/err")"
expect 77 timeout 30 bpagg receipt verify "$r" --key "$T/fifo"
grep -q "fifo: not a regular file" "$T/err" || fail "FIFO key: $(cat "$T/err")"
ok "a receipt checked with another key does not verify"
