# Publishing: tables, suppression wiring, release files, the suppression log.
lib_libbpagg_a_SOURCES += lib/publish.h lib/publish.c lib/tables.c \
	lib/suplog.h lib/suplog.c
