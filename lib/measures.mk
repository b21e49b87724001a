# Derived measures and the table catalogue.
lib_libbpagg_a_SOURCES += lib/measures.h
