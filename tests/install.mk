# tests of the installation: `make install DESTDIR=...` and the programs run
# from there with the installed registry and unit, and the Debian package
# (debian/, built in a copy of the tree and checked with lintian; skipped
# where dpkg-buildpackage, debhelper or lintian are missing).
INSTALL_ITESTS = tests/integration/install_destdir.sh tests/integration/debian_package.sh
TESTS += tests/integration/install_destdir.sh
BP_SLOW_TESTS += tests/integration/debian_package.sh
EXTRA_DIST += $(INSTALL_ITESTS)
AM_TESTS_ENVIRONMENT += \
	BP_INST_BINDIR='$(bindir)' BP_INST_SBINDIR='$(sbindir)' \
	BP_INST_SYSCONFDIR='$(sysconfdir)' BP_INST_PKGDATADIR='$(pkgdatadir)' \
	BP_INST_MANDIR='$(mandir)' BP_INST_UNITDIR='$(systemdsystemunitdir)' \
	BP_INST_SYSUSERSDIR='$(sysusersdir)' BP_INST_TMPFILESDIR='$(tmpfilesdir)'; \
	export BP_INST_BINDIR BP_INST_SBINDIR BP_INST_SYSCONFDIR BP_INST_PKGDATADIR \
	BP_INST_MANDIR BP_INST_UNITDIR BP_INST_SYSUSERSDIR BP_INST_TMPFILESDIR;
# Unit tests are listed only inside if HAVE_CRITERION (configure allows no
# Criterion; tests/integration/no_criterion.sh then says they were skipped).
TESTS += tests/integration/criterion_optional.sh
EXTRA_DIST += tests/integration/criterion_optional.sh
