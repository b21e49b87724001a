# man/: most pages are added by the area fragments that own them; bpagg(1),
# the overview, is made here with the configured paths filled in.
man_MANS = man/bpagg.1
EXTRA_DIST += man/bpagg.1.in
CLEANFILES += man/bpagg.1
man/bpagg.1: $(srcdir)/man/bpagg.1.in Makefile
	$(AM_V_GEN)$(MKDIR_P) man && \
	sed -e 's|@pkgdatadir[@]|$(pkgdatadir)|g' -e 's|@sysconfdir[@]|$(sysconfdir)|g' -e 's|@docdir[@]|$(docdir)|g' \
	    $(srcdir)/man/bpagg.1.in >$@.tmp && \
	mv $@.tmp $@

# doc/: the design notes the man pages cite (the contracts and the reasons
# behind them), distributed and installed with the documentation.
dist_doc_DATA = doc/README.md doc/export-format.md doc/interfaces.md doc/measures.md \
	doc/privacy.md

# Every page is clean under mandoc -T lint -W warning (skipped without mandoc).
TESTS += tests/integration/manlint.sh
EXTRA_DIST += tests/integration/manlint.sh
