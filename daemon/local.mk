# bpaggd(8): the inbox daemon.
sbin_PROGRAMS += bpaggd
bpaggd_SOURCES = daemon/bpaggd.c daemon/bpaggd.h daemon/watch.c daemon/queue.c daemon/dispose.c \
	daemon/merged.c daemon/receipt.c daemon/privdrop.c daemon/log.c daemon/notify.c \
	daemon/flood.c daemon/replay.c daemon/dirs.c
bpaggd_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/daemon
bpaggd_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS)
# libsystemd for sd_notify(3) (Type=notify); only the daemon links it.
bpaggd_LDADD = $(BP_LINK) $(SYSTEMD_LIBS)
dist_man_MANS += man/bpaggd.8
