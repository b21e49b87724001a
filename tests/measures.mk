# tests for the measures area: derived measures, catalogue, tally; the sample
# generator (unit) and `bpagg sample` (integration).
check_PROGRAMS += tests/unit/test_measures tests/unit/test_sample
TESTS += tests/unit/test_measures tests/unit/test_sample
tests_unit_test_measures_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_test_measures_LDADD = $(BP_TEST_LINK)
tests_unit_test_sample_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_test_sample_LDADD = $(BP_TEST_LINK)

TESTS += tests/integration/sample_cli.sh
EXTRA_DIST += tests/integration/sample_cli.sh
