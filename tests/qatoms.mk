# tests for the atoms of the person classification (lib/qatoms.c).
check_PROGRAMS += tests/unit/test_qatoms
TESTS += tests/unit/test_qatoms
tests_unit_test_qatoms_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_test_qatoms_LDADD = $(BP_TEST_LINK)
