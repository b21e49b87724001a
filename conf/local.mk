# conf/: the bundled registry, the example configuration and the service unit.
dist_pkgdata_DATA += conf/kommuner.csv conf/kommuner.SOURCE conf/bpagg.conf.example

# The systemd unit of bpaggd, with the configured sbindir filled in. Installed
# into $(systemdunitdir) (override on the make command line if needed).
systemdunitdir = $(prefix)/lib/systemd/system
systemdunit_DATA = conf/bpaggd.service
EXTRA_DIST += conf/bpaggd.service.in
CLEANFILES += conf/bpaggd.service
conf/bpaggd.service: $(srcdir)/conf/bpaggd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) conf && \
	sed -e 's|@sbindir[@]|$(sbindir)|g' $(srcdir)/conf/bpaggd.service.in >$@.tmp && \
	mv $@.tmp $@
