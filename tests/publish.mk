# tests for the publish area: tables, suppression wiring, the suppression log,
# publish -> audit end to end.
check_PROGRAMS += tests/unit/test_publish tests/unit/test_suplog tests/unit/test_publish_release
TESTS += tests/unit/test_publish tests/unit/test_suplog tests/unit/test_publish_release
tests_unit_test_publish_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_test_publish_LDADD = $(BP_TEST_LINK)
tests_unit_test_suplog_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_test_suplog_LDADD = $(BP_TEST_LINK)
tests_unit_test_publish_release_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_test_publish_release_LDADD = $(BP_TEST_LINK)
check_PROGRAMS += tests/unit/test_publish_links
TESTS += tests/unit/test_publish_links
tests_unit_test_publish_links_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_test_publish_links_LDADD = $(BP_TEST_LINK)

TESTS += tests/integration/publish_cli.sh
EXTRA_DIST += tests/integration/publish_cli.sh
check_PROGRAMS += tests/unit/test_cellkeys
TESTS += tests/unit/test_cellkeys
tests_unit_test_cellkeys_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_test_cellkeys_LDADD = $(BP_TEST_LINK)
# Headers the unit tests share (rows classified for real, cell lookup).
EXTRA_DIST += tests/unit/test_rows.h tests/unit/test_tables.h
