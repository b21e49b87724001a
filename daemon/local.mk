# bpaggd(8): the inbox daemon.
sbin_PROGRAMS += bpaggd
bpaggd_SOURCES = daemon/bpaggd.c daemon/bpaggd.h daemon/watch.c daemon/queue.c daemon/dispose.c \
	daemon/receipt.c daemon/privdrop.c daemon/log.c
bpaggd_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/daemon
bpaggd_LDADD = $(BP_LINK)
dist_man_MANS += man/bpaggd.8
