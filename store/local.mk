# store/ - stage 4, the national aggregate store: the front (store.h), the
# backend interface and the SQLite backend. Uses measures/ and conf/.
noinst_LIBRARIES += store/libbpstore.a
store_libbpstore_a_SOURCES = store/store.c store/store.h store/store_backend.h \
	store/store_sqlite.c
