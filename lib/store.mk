# The national aggregate store (backend interface + SQLite).
lib_libbpagg_a_SOURCES += lib/store.c lib/store.h lib/store_backend.h \
	lib/store_sqlite.c
dist_man_MANS += man/bpagg.conf.5
