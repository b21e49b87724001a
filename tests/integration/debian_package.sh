#!/usr/bin/env bash
# debian_package.sh - the Debian package: debian/ builds with
# dpkg-buildpackage -us -uc -b (nocheck, parallel=2) in a copy of the
# tree (git archive of the working tree's tracked files, so the build
# directory is not disturbed), the .deb holds the programs, the unit, the
# sysusers.d and tmpfiles.d files and the registry, its postinst makes the
# user before the folders, and lintian reports no error (its warnings are
# printed). Skipped (77) where dpkg-buildpackage, debhelper, lintian or git
# are missing, or a build dependency is not installed.
set -euo pipefail
: "${BP_SRCDIR:?}"
skip() { echo "SKIP: $*" >&2; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

# Inside a package build (dh_auto_test), the package is being built already.
[ -z "${DEB_RULES_REQUIRES_ROOT:-}" ] || skip "run by dpkg-buildpackage itself: not building the package again"
# The package is built from the sources, not from this build: the plain
# build's run tests it, the sanitizer build's run need not build it again
# (it would cost CI two minutes for the same answer).
[ -z "${BP_SANITIZED:-}" ] || skip "the sanitizer build: the package is built and checked by the plain build's run"
for t in dpkg-buildpackage dpkg-checkbuilddeps dh dh_installsysusers lintian git; do
	command -v "$t" >/dev/null 2>&1 ||
		skip "$t is not installed (apt-get install dpkg-dev debhelper lintian git): the package is not built"
done
git -C "$BP_SRCDIR" rev-parse --git-dir >/dev/null 2>&1 ||
	skip "$BP_SRCDIR is not a git checkout: no tree to copy"

T=$(mktemp -d "${TMPDIR:-/tmp}/bp-deb.XXXXXX")
trap 'rm -rf "$T"' EXIT
mkdir "$T/src"
# The tracked files as they are now (a stash commit when the tree is
# modified, else HEAD); untracked files are not part of a clean clone.
ref=$(git -C "$BP_SRCDIR" stash create 2>/dev/null || true)
git -C "$BP_SRCDIR" archive "${ref:-HEAD}" | tar -x -C "$T/src"
cd "$T/src"
export DEB_BUILD_OPTIONS="nocheck parallel=2 noddebs" DEB_BUILD_PROFILES=nocheck
if ! dpkg-checkbuilddeps >"$T/deps" 2>&1; then
	skip "build dependencies missing: $(sed -n 's/.*Unmet build dependencies: //p' "$T/deps")"
fi
dpkg-buildpackage -us -uc -b >"$T/build.log" 2>&1 ||
	{ tail -n 40 "$T/build.log" >&2; fail "dpkg-buildpackage failed"; }
deb=$(ls "$T"/bpagg_*_*.deb)
ok "dpkg-buildpackage -us -uc -b: ${deb##*/}"

dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' >"$T/files"
for f in /usr/bin/bpagg /usr/sbin/bpaggd /lib/systemd/system/bpaggd.service \
	/usr/lib/sysusers.d/bpagg.conf /usr/lib/tmpfiles.d/bpagg.conf \
	/usr/share/bpagg/kommuner.csv /usr/share/man/man8/bpaggd.8.gz \
	/usr/share/doc/bpagg/copyright; do
	grep -qx "$f" "$T/files" || fail "the package has no $f"
done
dpkg-deb -f "$deb" Depends | grep -q 'systemd' || fail "the package does not depend on systemd(-sysusers)"
dpkg-deb -e "$deb" "$T/ctl"
# postinst: the user (sysusers) before the folders (tmpfiles), the unit
# enabled, bpagg init on a first install last.
order=$(grep -v '^[[:space:]]*#' "$T/ctl/postinst" |
	grep -oE 'systemd-sysusers|systemd-tmpfiles|deb-systemd-helper enable|bpagg init' | uniq | tr '\n' ,)
[ "$order" = "systemd-sysusers,systemd-tmpfiles,deb-systemd-helper enable,bpagg init," ] ||
	fail "postinst order: $order"
grep -q 'ExecStart=/usr/sbin/bpaggd -c /etc/bpagg/bpagg.conf' "$T/src/debian/bpagg/lib/systemd/system/bpaggd.service" ||
	fail "the packaged unit does not run /usr/sbin/bpaggd on /etc/bpagg/bpagg.conf"
ok "contents, dependencies and postinst (user, folders, unit, init)"

rc=0
TMPDIR="$T" lintian --fail-on error "$T"/bpagg_*.changes >"$T/lintian" 2>&1 || rc=$?
sed 's/^/lintian: /' "$T/lintian"
[ $rc -eq 0 ] || fail "lintian reports errors"
! grep -q '^E: ' "$T/lintian" || fail "lintian reports errors"
ok "lintian: no errors ($(grep -c '^W: ' "$T/lintian" || true) warnings)"
