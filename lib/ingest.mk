# Ingest: one sealed submission from file to store (daemon and rebuild).
lib_libbpagg_a_SOURCES += lib/ingest.c lib/ingest.h
