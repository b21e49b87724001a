# tests for the daemon area: ingest/ (unit), bpaggd and bpagg rebuild
# (integration, with the real programs, a real inbox and a real store).
if HAVE_CRITERION
check_PROGRAMS += tests/unit/ingest/test_ingest
TESTS += tests/unit/ingest/test_ingest
endif
tests_unit_ingest_test_ingest_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_ingest_test_ingest_LDADD = $(BP_TEST_LINK)
# The daemon's modules that need no loop, linked on their own.
if HAVE_CRITERION
check_PROGRAMS += tests/unit/daemon/test_daemon
TESTS += tests/unit/daemon/test_daemon
endif
tests_unit_daemon_test_daemon_SOURCES = tests/unit/daemon/test_daemon.c daemon/bpaggd.h daemon/watch.c \
	daemon/queue.c daemon/receipt.c daemon/dispose.c daemon/merged.c daemon/log.c \
	daemon/flood.c daemon/replay.c
tests_unit_daemon_test_daemon_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/daemon
tests_unit_daemon_test_daemon_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_daemon_test_daemon_LDADD = $(BP_TEST_LINK)

# The budget of unverified refusals (flood.c), with what it calls.
if HAVE_CRITERION
check_PROGRAMS += tests/unit/daemon/test_flood
TESTS += tests/unit/daemon/test_flood
endif
tests_unit_daemon_test_flood_SOURCES = tests/unit/daemon/test_flood.c daemon/bpaggd.h \
	daemon/flood.c daemon/queue.c daemon/receipt.c daemon/log.c
tests_unit_daemon_test_flood_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/daemon
tests_unit_daemon_test_flood_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_daemon_test_flood_LDADD = $(BP_TEST_LINK)

# Helpers of the integration tests (tests/integration/daemon_*.sh).
check_PROGRAMS += tests/helpers/tallydump tests/helpers/receiptcheck tests/helpers/rawseal
# A notification socket of our own (sd_notify), for daemon_notify.sh.
check_PROGRAMS += tests/helpers/notifysock
tests_helpers_tallydump_LDADD = $(BP_LINK)
tests_helpers_receiptcheck_LDADD = $(BP_LINK)
tests_helpers_rawseal_LDADD = $(BP_LINK)

# Integration tests: the real bpaggd, a real inbox, a real SQLite store.
DAEMON_SLOW = tests/integration/daemon_crash.sh tests/integration/daemon_ingest.sh
BP_SLOW_TESTS += $(DAEMON_SLOW)
EXTRA_DIST += $(DAEMON_SLOW)
DAEMON_ITESTS = tests/integration/daemon_refuse.sh tests/integration/daemon_flood.sh \
	tests/integration/daemon_signals.sh tests/integration/daemon_names.sh \
	tests/integration/daemon_hostile.sh tests/integration/daemon_dos.sh \
	tests/integration/daemon_faults.sh tests/integration/daemon_sweep.sh \
	tests/integration/daemon_notify.sh tests/integration/daemon_refusal_crash.sh \
	tests/integration/daemon_returned.sh tests/integration/daemon_folders.sh \
	tests/integration/daemon_nocopy.sh tests/integration/daemon_quiet.sh \
	tests/integration/daemon_root_user.sh tests/integration/keys_retired.sh \
	tests/integration/daemon_fair.sh tests/integration/daemon_junk_budget.sh
TESTS += $(DAEMON_ITESTS)
EXTRA_DIST += $(DAEMON_ITESTS) tests/helpers/daemon_lib.sh

# An inbox name taken while bpaggd holds the claimed file (daemon_returned.sh):
# an LD_PRELOAD shim built without sanitizers, as crashshim.so.
bp_returned_log = tests/integration/daemon_returned.sh.log
$(bp_returned_log): tests/helpers/takeshim.so
tests/helpers/takeshim.so: $(srcdir)/tests/helpers/takeshim.c
	$(AM_V_CC)$(MKDIR_P) tests/helpers && $(CC) -shared -fPIC -O1 -o $@ $(srcdir)/tests/helpers/takeshim.c -ldl
CLEANFILES += tests/helpers/takeshim.so
EXTRA_DIST += tests/helpers/takeshim.c
# daemon_nocopy.sh kills bpaggd through tests/helpers/crashshim.so (publish.mk).
bp_nocopy_log = tests/integration/daemon_nocopy.sh.log
$(bp_nocopy_log): tests/helpers/crashshim.so

# The attacks of issue 10 fixed on this branch (tests/attacks/README): each runs
# as root with the users nobody and daemon and is skipped (77) otherwise.
DAEMON_ATTACKS = tests/attacks/recover_from_uploader_inode.sh tests/attacks/lock_squat.sh \
	tests/attacks/plaintext_kept.sh tests/attacks/chunk_walk_dos.sh tests/attacks/once_spin.sh \
	tests/attacks/receipt_twice_merged.sh tests/attacks/crash_points.sh \
	tests/attacks/crash_counted.sh tests/attacks/overcap_inplace_starve.sh \
	tests/attacks/head_then_plaintext.sh tests/attacks/replay_receipt_flood.sh \
	tests/attacks/presized_inplace_refused.sh tests/attacks/replay_budget_cross_folder.sh \
	tests/attacks/replay_budget_once_reset.sh tests/attacks/replay_unread_crash.sh \
	tests/attacks/replay_budget_kill.sh tests/attacks/replay_recovery_verdict.sh
TESTS += $(DAEMON_ATTACKS)
EXTRA_DIST += $(DAEMON_ATTACKS) tests/attacks/lib.sh tests/attacks/README
