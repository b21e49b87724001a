# tests for suppression
check_PROGRAMS += tests/unit/test_suppress
TESTS += tests/unit/test_suppress
tests_unit_test_suppress_SOURCES = tests/unit/test_suppress.c \
	bench/suppress_gen.c bench/suppress_gen.h
tests_unit_test_suppress_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_test_suppress_LDADD = $(BP_TEST_LINK)
tests_unit_test_suppress_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/bench
