# lib/: code shared by bpagg and bpaggd. The area fragments (export.mk,
# measures.mk, store.mk, publish.mk) add their modules to this library.
noinst_LIBRARIES += lib/libbpagg.a
lib_libbpagg_a_SOURCES = \
	lib/codes.c lib/codes.h \
	lib/conf.c lib/conf.h \
	lib/diag.c lib/diag.h
