#!/usr/bin/env bash
# recover_from_uploader_inode.sh - bpaggd merges the daemon's copy X of an
# upload, then dies (SIGKILL, power loss) before it lets go of the claimed
# inode (the IN entry): recovery (daemon/dispose.c, bpd_dispose, COPY with
# an IN sibling) throws the verified copy away and copies the uploader's
# inode again. The uploader, who kept the file open for writing, has
# meanwhile put another sealed submission Y into it: Y is merged too, and
# archived, while X, counted in the store, is in no archive (bpagg rebuild
# would silently drop it) and its receipt never written.
# The same happens when that fsync fails with EIO (FAULT=eio).
# Exits 1 when the store counts a submission the archive does not hold.
. "$(dirname "$0")/lib.sh"
command -v strace >/dev/null || { echo "skip: no strace"; exit 77; }
setup_install
x=$(make_export $A 2024 20 1); seal_to $A 2024 "$x" "$T/x.bpx"
y=$(make_export $A 2024 25 2); seal_to $A 2024 "$y" "$T/y.bpx"
# MODE=junk: the uploader writes junk instead of Y (then X's receipt says
# "refused" while its rows are counted, and a rebuild drops them).
if [ "${MODE:-}" = junk ]; then { printf BPAGGSUB; head -c 3000 /dev/urandom; } >"$T/y.bpx"; fi
chmod 644 "$T"/*.bpx
bpaggd -c "$C" --once --foreground 2>>"$log" || true   # the store exists
as_uploader cp "$T/x.bpx" "$in/.x"
# The uploader keeps x.bpx open for writing; when told, writes Y through it.
as_uploader perl -e '
	my ($f, $y, $go) = @ARGV;
	open(my $fh, "+<", $f) or die "open: $!"; rename($f, $f =~ s/\.x$/x.bpx/r) or die;
	until (-e $go) { select(undef, undef, undef, 0.05) }
	open(my $yh, "<", $y) or die; local $/; my $b = <$yh>;
	seek($fh, 0, 0); print $fh $b; truncate($fh, length $b); close $fh;' \
	"$in/.x" "$T/y.bpx" "$T/go" &
up=$!
sleep 0.5
# bpaggd killed at its first fsync after the merge (the copy's).
# FAULT=eio: that fsync fails with EIO instead (no crash): the same path.
fault=signal=SIGKILL; [ "${FAULT:-}" != eio ] || fault=error=EIO
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -qq -o /dev/null -e trace=fsync -e inject=fsync:$fault:when=${WHEN:-1} \
	bpaggd -c "$C" --once --foreground 2>>"$log" >/dev/null 2>&1 || true
echo "after the kill: queue: $(ls "$T/c/queue" | tr "\n" " ") rows: $(status_rows 2024)"
touch "$T/go"; wait $up
rc=0; timeout 20 bpaggd -c "$C" --once --foreground 2>>"$log" || rc=$?
{ grep -v "started\|exiting" "$log" || true; } | tail -n 4
rows=$(status_rows 2024)
sqlite3 "$T/c/store.sqlite" "SELECT rows, archived FROM ledger" | sed 's/^/ledger: /'
missing=""
while IFS= read -r a; do [ -e "$T/c/archive/$a" ] || missing+=" $a"; done \
	< <(sqlite3 "$T/c/store.sqlite" "SELECT archived FROM ledger")
rrc=0; bpagg rebuild -c "$C" >"$T/rebuild.out" 2>&1 || rrc=$?
echo "bpagg rebuild: exit $rrc: $(tail -n 2 "$T/rebuild.out" | tr '\n' ' ')"
[ -z "$missing" ] || broken "the ledger names archived files that do not exist:$missing (store rows $rows, rebuild exit $rrc)"
held "every ledger entry is archived"
