# tests for the measures area: derived measures, catalogue, tally; the sample
# generator.
check_PROGRAMS += tests/unit/test_measures
TESTS += tests/unit/test_measures
tests_unit_test_measures_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_test_measures_LDADD = $(BP_TEST_LINK)
