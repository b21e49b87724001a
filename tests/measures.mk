# tests for the measures area: derived measures, catalogue, tally; the sample
# generator (unit) and `bpagg sample` (integration).
if HAVE_CRITERION
check_PROGRAMS += tests/unit/measures/test_measures tests/unit/measures/test_catalogue \
	tests/unit/export/test_sample
TESTS += tests/unit/measures/test_measures tests/unit/measures/test_catalogue \
	tests/unit/export/test_sample
endif
tests_unit_measures_test_measures_SOURCES = tests/unit/measures/test_measures.c \
	tests/unit/measures/measures_fixture.h
tests_unit_measures_test_measures_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_measures_test_measures_LDADD = $(BP_TEST_LINK)
tests_unit_measures_test_catalogue_SOURCES = tests/unit/measures/test_catalogue.c \
	tests/unit/measures/measures_fixture.h
tests_unit_measures_test_catalogue_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_measures_test_catalogue_LDADD = $(BP_TEST_LINK)
tests_unit_export_test_sample_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_export_test_sample_LDADD = $(BP_TEST_LINK)

TESTS += tests/integration/sample_cli.sh
EXTRA_DIST += tests/integration/sample_cli.sh
# tests for the atoms of the person classification (measures/qatoms.c).
if HAVE_CRITERION
check_PROGRAMS += tests/unit/measures/test_qatoms
TESTS += tests/unit/measures/test_qatoms
endif
tests_unit_measures_test_qatoms_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_measures_test_qatoms_LDADD = $(BP_TEST_LINK)
