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
# The systemd unit of bpaggd (Type=notify, StateDirectory=bpagg), with the
# configured sbindir and sysconfdir filled in, the sysusers.d file that
# creates the user bpagg and the group bpagg-upload, and the tmpfiles.d file
# that makes @sysconfdir@/bpagg and the folders of /var/lib/bpagg. Their
# directories come from configure (--with-systemdsystemunitdir,
# --with-sysusersdir, --with-tmpfilesdir; pkg-config systemd).
bp_subst_dirs = sed -e 's|@sbindir[@]|$(sbindir)|g' -e 's|@sysconfdir[@]|$(sysconfdir)|g'
if HAVE_SYSTEMD_UNIT
systemdunit_DATA = conf/bpaggd.service
endif
systemdunitdir = $(systemdsystemunitdir)
EXTRA_DIST += conf/bpaggd.service.in conf/systemd/sysusers.conf conf/systemd/tmpfiles.conf.in
CLEANFILES += conf/bpaggd.service conf/systemd/tmpfiles.conf
conf/bpaggd.service: $(srcdir)/conf/bpaggd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) conf && \
	$(bp_subst_dirs) $(srcdir)/conf/bpaggd.service.in >$@.tmp && \
	mv $@.tmp $@
conf/systemd/tmpfiles.conf: $(srcdir)/conf/systemd/tmpfiles.conf.in Makefile
	$(AM_V_GEN)$(MKDIR_P) conf/systemd && \
	$(bp_subst_dirs) $(srcdir)/conf/systemd/tmpfiles.conf.in >$@.tmp && \
	mv $@.tmp $@
all-local: conf/systemd/tmpfiles.conf
# Both are installed as bpagg.conf in their directories.
install-data-local: conf/systemd/tmpfiles.conf
	$(MKDIR_P) '$(DESTDIR)$(sysusersdir)' '$(DESTDIR)$(tmpfilesdir)'
	$(INSTALL_DATA) $(srcdir)/conf/systemd/sysusers.conf '$(DESTDIR)$(sysusersdir)/bpagg.conf'
	$(INSTALL_DATA) conf/systemd/tmpfiles.conf '$(DESTDIR)$(tmpfilesdir)/bpagg.conf'
# Installed for real (no DESTDIR, as root, with systemd, into directories
# systemd reads - not a prefix of distcheck's): the user and the folders are
# made now, so that `bpagg init` and `systemctl enable --now bpaggd` follow
# without a useradd or chown. A package does this in its postinst instead
# (debian/: dh_installsysusers, dh_installtmpfiles).
install-data-hook:
	@case '$(sysusersdir):$(tmpfilesdir)' in \
	/usr/lib/sysusers.d:/usr/lib/tmpfiles.d | /usr/local/lib/sysusers.d:/usr/local/lib/tmpfiles.d | \
	/lib/sysusers.d:/lib/tmpfiles.d | /etc/sysusers.d:/etc/tmpfiles.d) bp_sysdirs=yes ;; \
	*) bp_sysdirs=no ;; \
	esac; \
	if test -z '$(DESTDIR)' && test "`id -u`" = 0 && test $$bp_sysdirs = yes && \
	    command -v systemd-sysusers >/dev/null 2>&1 && command -v systemd-tmpfiles >/dev/null 2>&1; then \
		echo "systemd-sysusers $(sysusersdir)/bpagg.conf; systemd-tmpfiles --create $(tmpfilesdir)/bpagg.conf"; \
		systemd-sysusers '$(sysusersdir)/bpagg.conf' && \
		systemd-tmpfiles --create '$(tmpfilesdir)/bpagg.conf'; \
	else \
		echo "not run (DESTDIR, not root, a directory systemd does not read, or no systemd): systemd-sysusers $(sysusersdir)/bpagg.conf; systemd-tmpfiles --create $(tmpfilesdir)/bpagg.conf"; \
	fi
uninstall-local:
	rm -f '$(DESTDIR)$(sysusersdir)/bpagg.conf' '$(DESTDIR)$(tmpfilesdir)/bpagg.conf'

# Bash completion for bpagg (bash-completion loads it on demand from here;
# /usr/local/share is on its search path too).
bashcompletiondir = $(datadir)/bash-completion/completions
dist_bashcompletion_DATA = conf/completion/bpagg
