# store/ - stage 4, the national aggregate store: the front (store.h), the
# backend interface, the SQLite and the PostgreSQL backends. Uses measures/ and conf/.
noinst_LIBRARIES += store/libbpstore.a
store_libbpstore_a_SOURCES = store/store.c store/store.h store/store_backend.h \
	store/store_schema.c store/store_schema.h store/store_codec.c store/store_codec.h \
	store/store_sqlite.c store/store_sqlite_ops.c store/store_sqlite_swap.c \
	store/store_sqlite.h \
	store/store_postgresql.c store/store_postgresql_ops.c store/store_postgresql.h \
	store/store_pq_load.c
store_libbpstore_a_CPPFLAGS = $(AM_CPPFLAGS) $(PQ_CFLAGS)
