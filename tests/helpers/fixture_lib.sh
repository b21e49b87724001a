# fixture_lib.sh - sourced by the tests that run today's bpagg on an
# installation written by an older one (tests/fixtures/publish/*.tar.xz).
#
# fixture_unpack NAME: tests/fixtures/publish/NAME.tar.xz unpacked into a
# temporary folder removed at exit ($tmp); $inst its installation, $conf
# its bpagg.conf, the folders the fixture leaves out made.  Skips (77)
# without xz.  Also defines fail.
fail() { echo "FAIL: $*" >&2; exit 1; }
fixture_unpack() {
	command -v xz >/dev/null || { echo "SKIP: xz is missing (tar -J)"; exit 77; }
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	tar -C "$tmp" -xJf "${BP_SRCDIR:?}/tests/fixtures/publish/$1.tar.xz"
	inst=$tmp/$1
	conf=$inst/bpagg.conf
	mkdir -p "$inst"/{inbox,archive,rejected,outbox}
}
