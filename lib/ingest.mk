# Ingest: one sealed submission from file to store (daemon and rebuild).
lib_libbpagg_a_SOURCES += lib/ingest.c lib/ingest.h
# Inbox names: which are submissions, and their loggable form (bpaggd, status).
lib_libbpagg_a_SOURCES += lib/inbox.c lib/inbox.h
