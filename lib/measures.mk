# Derived measures and the table catalogue (measures.h); the sample generator
# of synthetic kommune exports (sample.h) used by `bpagg sample`.
lib_libbpagg_a_SOURCES += lib/measures.c lib/measures.h lib/sample.c lib/sample.h
lib_libbpagg_a_SOURCES += lib/qatoms.c lib/qatoms.h
dist_man_MANS += man/bpagg-measures.7 man/bpagg-sample.1
