# The export reader/validator, person_id checks, the kommune registry and the
# sample generator.
lib_libbpagg_a_SOURCES += lib/export.h lib/registry.h
