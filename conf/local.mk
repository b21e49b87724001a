# conf/ - stage 3, the configuration: the reader of bpagg.conf (uses
# measures/ for the measure settings), the bundled registry, the example
# configuration and the service unit.
noinst_LIBRARIES += conf/libbpconf.a
conf_libbpconf_a_SOURCES = conf/conf.c conf/conf.h
dist_man_MANS += man/bpagg.conf.5

dist_pkgdata_DATA += conf/kommuner.csv conf/kommuner.SOURCE conf/bpagg.conf.example
# Release profiles ([publish] profile, bpagg-publish(1)).
profilesdir = $(pkgdatadir)/profiles
dist_profiles_DATA = conf/profiles/rapport.profile conf/profiles/full.profile
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
