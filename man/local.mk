# man/: most pages are added by the area fragments that own them; bpagg(1),
# the overview, is made here with the configured paths filled in.
man_MANS = man/bpagg.1
EXTRA_DIST += man/bpagg.1.in
CLEANFILES += man/bpagg.1
man/bpagg.1: $(srcdir)/man/bpagg.1.in Makefile
	$(AM_V_GEN)$(MKDIR_P) man && \
	sed -e 's|@pkgdatadir[@]|$(pkgdatadir)|g' $(srcdir)/man/bpagg.1.in >$@.tmp && \
	mv $@.tmp $@
