# tests for the export area: the reader/validator, person_id, the registry,
# the CSV tokenizer and bpagg check.
EXPORT_UNIT = tests/unit/test_export tests/unit/test_export_csv \
	tests/unit/test_person_id tests/unit/test_registry
check_PROGRAMS += $(EXPORT_UNIT)
TESTS += $(EXPORT_UNIT)
tests_unit_test_export_SOURCES = tests/unit/test_export.c tests/unit/test_export_util.h
tests_unit_test_export_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_test_export_LDADD = $(BP_TEST_LINK)
tests_unit_test_export_csv_SOURCES = tests/unit/test_export_csv.c tests/unit/test_export_util.h
tests_unit_test_export_csv_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_test_export_csv_LDADD = $(BP_TEST_LINK)
tests_unit_test_person_id_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_test_person_id_LDADD = $(BP_TEST_LINK)
tests_unit_test_registry_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_test_registry_LDADD = $(BP_TEST_LINK)

EXPORT_ITESTS = tests/integration/check_errors.sh tests/integration/check_valid.sh
TESTS += $(EXPORT_ITESTS)
EXTRA_DIST += $(EXPORT_ITESTS)
