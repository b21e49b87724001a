# ingest/ - stage 5, one sealed submission from file to store (shared by
# bpaggd and bpagg rebuild), and which inbox names are submissions. Uses
# crypto/, export/, measures/, conf/ and store/.
noinst_LIBRARIES += ingest/libbpingest.a
ingest_libbpingest_a_SOURCES = ingest/ingest.c ingest/ingest.h ingest/ingest_private.h \
	ingest/envelope_open.c ingest/inbox.c ingest/inbox.h \
	ingest/lock.c ingest/lock.h
