# tests for the store: both backends and `bpagg status`. test_store.c and
# test_store_damage.c are built twice (tests/unit/store/store_db.h): on
# SQLite, and on a throw-away PostgreSQL that test_store_pg.sh starts
# (tests/helpers/pg_lib.sh).
STORE_TEST_H = tests/unit/store/store_db.h tests/unit/store/store_test_util.h
if HAVE_CRITERION
check_PROGRAMS += tests/unit/store/test_store tests/unit/store/test_store_pg \
	tests/unit/store/test_store_damage tests/unit/store/test_store_damage_pg \
	tests/unit/store/test_status
TESTS += tests/unit/store/test_store tests/unit/store/test_store_damage \
	tests/unit/store/test_status
endif
tests_unit_store_test_store_SOURCES = tests/unit/store/test_store.c $(STORE_TEST_H)
tests_unit_store_test_store_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_store_test_store_LDADD = $(BP_TEST_LINK)
tests_unit_store_test_store_pg_SOURCES = tests/unit/store/test_store.c $(STORE_TEST_H)
tests_unit_store_test_store_pg_CPPFLAGS = $(AM_CPPFLAGS) -DBP_TEST_PG $(PQ_CFLAGS)
tests_unit_store_test_store_pg_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_store_test_store_pg_LDADD = $(BP_TEST_LINK) $(PQ_LIBS)
tests_unit_store_test_store_damage_SOURCES = tests/unit/store/test_store_damage.c $(STORE_TEST_H)
tests_unit_store_test_store_damage_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_store_test_store_damage_LDADD = $(BP_TEST_LINK)
tests_unit_store_test_store_damage_pg_SOURCES = tests/unit/store/test_store_damage.c $(STORE_TEST_H)
tests_unit_store_test_store_damage_pg_CPPFLAGS = $(AM_CPPFLAGS) -DBP_TEST_PG $(PQ_CFLAGS)
tests_unit_store_test_store_damage_pg_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_store_test_store_damage_pg_LDADD = $(BP_TEST_LINK) $(PQ_LIBS)
tests_unit_store_test_status_SOURCES = tests/unit/store/test_status.c $(STORE_TEST_H)
tests_unit_store_test_status_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_store_test_status_LDADD = $(BP_TEST_LINK)
if HAVE_CRITERION
TESTS += tests/unit/store/test_store_pg.sh
endif
EXTRA_DIST += tests/unit/store/test_store_pg.sh tests/helpers/pg_lib.sh
TESTS += tests/integration/status_inbox.sh
EXTRA_DIST += tests/integration/status_inbox.sh
TESTS += tests/integration/status_e2e.sh
EXTRA_DIST += tests/integration/status_e2e.sh
# A damaged store is refused; bpagg rebuild swaps in a fresh one.
TESTS += tests/integration/store_damaged.sh
EXTRA_DIST += tests/integration/store_damaged.sh
# store copy refuses installations that hash persons differently.
TESTS += tests/integration/store_copy_keys.sh
EXTRA_DIST += tests/integration/store_copy_keys.sh
# The daemon's integration tests on a PostgreSQL store (tests/helpers/pg_run.sh).
PG_ITESTS = tests/integration/daemon_ingest_pg.sh tests/integration/daemon_refuse_pg.sh \
	tests/integration/daemon_signals_pg.sh tests/integration/daemon_names_pg.sh \
	tests/integration/daemon_crash_pg.sh \
	tests/integration/store_copy_pg.sh tests/integration/daemon_pgkill_pg.sh \
	tests/integration/daemon_two_pg.sh tests/integration/daemon_lockwait_pg.sh
TESTS += $(PG_ITESTS)
EXTRA_DIST += $(PG_ITESTS) tests/helpers/pg_run.sh
# Sequence resets (test_store_reset.c), built twice like test_store.c; the
# PostgreSQL one runs in test_store_pg.sh (Criterion tests: inside its conditional).
if HAVE_CRITERION
check_PROGRAMS += tests/unit/store/test_store_reset tests/unit/store/test_store_reset_pg
TESTS += tests/unit/store/test_store_reset
endif
tests_unit_store_test_store_reset_SOURCES = tests/unit/store/test_store_reset.c $(STORE_TEST_H)
tests_unit_store_test_store_reset_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_store_test_store_reset_LDADD = $(BP_TEST_LINK)
tests_unit_store_test_store_reset_pg_SOURCES = tests/unit/store/test_store_reset.c $(STORE_TEST_H)
tests_unit_store_test_store_reset_pg_CPPFLAGS = $(AM_CPPFLAGS) -DBP_TEST_PG $(PQ_CFLAGS)
tests_unit_store_test_store_reset_pg_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_store_test_store_reset_pg_LDADD = $(BP_TEST_LINK) $(PQ_LIBS)
# Schema migrations and locks (test_store_session.c), built twice like test_store.c; the
# PostgreSQL one runs in test_store_pg.sh.
if HAVE_CRITERION
check_PROGRAMS += tests/unit/store/test_store_session tests/unit/store/test_store_session_pg
TESTS += tests/unit/store/test_store_session
endif
tests_unit_store_test_store_session_SOURCES = tests/unit/store/test_store_session.c $(STORE_TEST_H)
tests_unit_store_test_store_session_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_store_test_store_session_LDADD = $(BP_TEST_LINK)
tests_unit_store_test_store_session_pg_SOURCES = tests/unit/store/test_store_session.c $(STORE_TEST_H)
tests_unit_store_test_store_session_pg_CPPFLAGS = $(AM_CPPFLAGS) -DBP_TEST_PG $(PQ_CFLAGS)
tests_unit_store_test_store_session_pg_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_store_test_store_session_pg_LDADD = $(BP_TEST_LINK) $(PQ_LIBS)
