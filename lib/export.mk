# The export reader/validator, person_id checks, the kommune registry and the
# sample generator.
lib_libbpagg_a_SOURCES += lib/export.h lib/registry.h \
	lib/csv.c lib/csv.h lib/export.c lib/person_id.c lib/registry.c
dist_man_MANS += man/bpagg-export.5
