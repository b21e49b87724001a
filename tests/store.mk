# tests for the store: the SQLite backend and `bpagg status`
check_PROGRAMS += tests/unit/store/test_store
TESTS += tests/unit/store/test_store
tests_unit_store_test_store_SOURCES = tests/unit/store/test_store.c
tests_unit_store_test_store_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_store_test_store_LDADD = $(BP_TEST_LINK)
TESTS += tests/integration/status_inbox.sh
EXTRA_DIST += tests/integration/status_inbox.sh
TESTS += tests/integration/status_e2e.sh
EXTRA_DIST += tests/integration/status_e2e.sh
