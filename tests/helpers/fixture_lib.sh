# fixture_lib.sh - sourced by the tests that run today's bpagg on an
# installation written by an older one (tests/fixtures/publish/*.tar.xz).
#
# fixture_unpack NAME: tests/fixtures/publish/NAME.tar.xz unpacked into a
# temporary folder removed at exit ($tmp); $inst its installation, $conf
# its bpagg.conf, the folders the fixture leaves out made.  Skips (77)
# without xz.  Also defines fail, and fixture_rederive (below).
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

# fixture_rederive NAME OLD NEW [quick]: fixture NAME holds one release of
# method = release logged with model version OLD; bpagg audit re-derives it.
# Made today as the first release of the year (in a copy without the log),
# the release of the same store prints the same cells and hides other ones
# (had the audit re-derived the old release with today's model, it could
# not have matched); made again in the fixture (the republishing rule keeps
# what the old one hid), it is logged with model NEW, and both verify
# together.  With quick (a large fixture), the first release made today is
# logged with model NEW and not audited, and the fixture gets no second
# release: two derivations instead of six.  With quick in the sanitizer
# build, only the re-derivation of the old release (the code that only
# these tests run); today's release of the fixture is made by the plain
# build's run (today's publish runs under the sanitizers in the other
# publishing tests).
fixture_rederive() {
	fixture_unpack "$1"
	local old out ndiff
	old=$(ls -d "$inst"/releases/*)
	grep -q "\"method\":\"release\",\"model\":$2," "$inst/suppression.log" ||
		fail "fixture: not a model $2 release"
	out=$(bpagg audit -c "$conf") || fail "model $2's log does not verify: $out"
	grep -q 're-derived, suppression matches' <<<"$out" || fail "not re-derived: $out"
	if [ "${4:-}" = quick ] && [ -n "${BP_SANITIZED:-}" ]; then
		echo "ok: model $2 re-derived (today's release of it is made by the plain build's run)"
		return
	fi
	mkdir "$tmp/first"
	cp -r "$inst"/{bpagg.conf,kommuner.csv,store.sqlite,keys} "$tmp/first/"
	cp "$inst"/*.profile "$tmp/first/" 2>/dev/null || true
	mkdir -p "$tmp/first"/{inbox,archive,rejected,outbox}
	bpagg publish -c "$tmp/first/bpagg.conf" --year 2024 --out "$tmp/rel1" >/dev/null
	cut -d, -f1-8 "$old/tables.csv" | cmp -s - <(cut -d, -f1-8 "$tmp/rel1/tables.csv") ||
		fail "the two releases do not print the same cells"
	# rows of tables.csv and sums.csv (model 18 hides sums on their own)
	ndiff=$(cat <(diff "$old/tables.csv" "$tmp/rel1/tables.csv") \
		<(diff "$old/sums.csv" "$tmp/rel1/sums.csv") | grep -c '^<' || true)
	if [ "${4:-}" = quick ]; then
		grep -q "\"model\":$3" "$tmp/rel1/release.json" || fail "today's release is not model $3"
		[ "$ndiff" -gt 0 ] ||
			fail "model $3 hides exactly what model $2 hid: the fixture tells them apart no more"
		echo "ok: $ndiff rows differ between models $2 and $3; model $2 re-derived"
		return
	fi
	out=$(bpagg audit -c "$tmp/first/bpagg.conf") || fail "today's first release does not verify: $out"
	bpagg publish -c "$conf" --year 2024 --out "$tmp/rel" >/dev/null
	grep '"type":"release"' "$inst/suppression.log" | tail -n 1 |
		grep -q "\"method\":\"release\",\"model\":$3," ||
		fail "today's release is not logged with model $3"
	[ "$ndiff" -gt 0 ] ||
		fail "model $3 hides exactly what model $2 hid: the fixture tells them apart no more"
	out=$(bpagg audit -c "$conf") || fail "old and new releases do not verify together: $out"
	[ "$(grep -c 're-derived, suppression matches' <<<"$out")" -eq 2 ] || fail "two releases: $out"
	echo "ok: $ndiff rows differ between models $2 and $3; both re-derived"
}

# fixture_truth FILE...: $tmp/truth, the fixture's store published with
# every cell printed (min_cell 1), FILE... (its profiles) copied beside
# its configuration; for the whole-release attacker's check.
fixture_truth() {
	local f
	mkdir "$tmp/truth-inst"
	cp -r "$inst"/{bpagg.conf,kommuner.csv,store.sqlite,keys} "$tmp/truth-inst/"
	for f in "$@"; do cp "$inst/$f" "$tmp/truth-inst/"; done
	mkdir -p "$tmp/truth-inst"/{inbox,archive,rejected,outbox}
	sed -i 's/^min_cell = .*/min_cell = 1/' "$tmp/truth-inst/bpagg.conf"
	grep -q '^min_cell = 1$' "$tmp/truth-inst/bpagg.conf" || fail "fixture_truth: no min_cell line"
	bpagg publish -c "$tmp/truth-inst/bpagg.conf" --year 2024 --out "$tmp/truth" >/dev/null
}

# fixture_attack_init: the whole-release attacker of fixture_attack
# (tests/helpers/attack_lib.sh; $RA, $ATTACK_AWK).
fixture_attack_init() {
	. "$BP_SRCDIR/tests/helpers/attack_lib.sh"
	RA=${BP_BUILDDIR:?}/tests/helpers/release_attack
	ATTACK_AWK=$BP_SRCDIR/tests/helpers/attack_check.awk
	[ -x "$RA" ] || fail "no $RA"
}

# fixture_attack DIR [OPTION]: $res, the attacker's intervals of the
# release in DIR checked against $tmp/truth (fixture_truth) and the
# fixture's min_cell; fails when one misses the truth or when no primary
# cell is attacked.
fixture_attack() {
	local mc
	mc=$(sed -n 's/^min_cell = //p' "$conf")
	"$RA" ${2:-} "$1" >"$tmp/att" 2>"$tmp/att.err" ||
		fail "release_attack on $1: $(cat "$tmp/att.err")"
	res=$(ra_check "$tmp/truth" "$tmp/att" "${mc:-5}" 2>/dev/null)
	[ "$(ra_field "$res" wrong)" = 0 ] || fail "$1: the attacker's interval misses the truth: $res"
	[ "$(ra_field "$res" primaries)" -gt 0 ] || fail "$1: no primary cells attacked: $res"
}

# fixture_attack_models OLD FIXED [OPTIONS]: the attacker (with OPTIONS)
# bounds primary cells of the fixture's release (model OLD, whose gap model
# FIXED closed) and none of $tmp/rel1 (today's, fixture_rederive), both
# checked against the truth.
fixture_attack_models() {
	local old
	fixture_truth
	old=$(ls -d "$inst"/releases/* | head -n 1)
	fixture_attack "$old" "--screen ${3:-}"
	[ "$(ra_field "$res" bounded)" -gt 0 ] || fail "model $1's release: the attacker" \
		"bounds nothing (the fixture shows no more what model $2 is for): $res"
	echo "ok: model $1's release: $res"
	fixture_attack "$tmp/rel1" "--screen ${3:-}"
	[ "$(ra_field "$res" bounded)" = 0 ] || fail "today's release: the attacker bounds: $res"
	echo "ok: today's release: $res"
}
