# The export reader/validator, person_id checks, the kommune registry and the
# sample generator.
lib_libbpagg_a_SOURCES += lib/export.h lib/registry.h \
	lib/csv.c lib/csv.h lib/export.c lib/person_id.c lib/registry.c
# tests/local.mk uses $(filter-out ...) (GNU make); with -Wall -Werror in
# configure.ac automake refuses it. Until the lead's configure.ac says
# -Wno-portability, this keeps the build going (the last setting wins).
dist_man_MANS += man/bpagg-export.5
