# tests for the publish area: tables, suppression wiring, the suppression log,
# publish -> audit end to end.
if HAVE_CRITERION
check_PROGRAMS += tests/unit/publish/test_publish tests/unit/publish/test_suplog tests/unit/publish/test_publish_release
TESTS += tests/unit/publish/test_publish tests/unit/publish/test_suplog
BP_SLOW_TESTS += tests/unit/publish/test_publish_release
endif
tests_unit_publish_test_publish_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_publish_test_publish_LDADD = $(BP_TEST_LINK)
tests_unit_publish_test_suplog_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_publish_test_suplog_LDADD = $(BP_TEST_LINK)
tests_unit_publish_test_publish_release_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_publish_test_publish_release_LDADD = $(BP_TEST_LINK)
if HAVE_CRITERION
check_PROGRAMS += tests/unit/publish/test_publish_links
TESTS += tests/unit/publish/test_publish_links
endif
tests_unit_publish_test_publish_links_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_publish_test_publish_links_LDADD = $(BP_TEST_LINK)

BP_SLOW_TESTS += tests/integration/publish_cli.sh
TESTS += tests/integration/progress_cli.sh
EXTRA_DIST += tests/integration/publish_cli.sh tests/integration/progress_cli.sh tests/helpers/on_pty.py
# A log and releases written before jansson wrote bpagg's JSON still verify.
TESTS += tests/integration/publish_oldlog.sh
EXTRA_DIST += tests/integration/publish_oldlog.sh tests/fixtures/publish/suplog_v0.tar.xz \
	tests/fixtures/publish/make_suplog_v0.sh
# Releases of the first release model (no settings.model) and of models 2
# to 9, 11 and 14 to 23 still re-derive.
TESTS += tests/integration/publish_oldrelease7.sh tests/integration/publish_oldrelease8.sh \
	tests/integration/publish_oldrelease9.sh tests/integration/publish_oldrelease11.sh \
	tests/integration/publish_oldrelease14.sh tests/integration/publish_oldrelease15.sh \
	tests/integration/publish_oldrelease16.sh tests/integration/publish_oldrelease17.sh \
	tests/integration/publish_oldrelease18.sh tests/integration/publish_oldrelease19.sh \
	tests/integration/publish_oldrelease20.sh tests/integration/publish_oldrelease21.sh \
	tests/integration/publish_oldrelease22.sh tests/integration/publish_oldrelease23.sh \
	tests/integration/publish_oldrelease.sh tests/integration/publish_oldrelease2.sh \
	tests/integration/publish_oldrelease3.sh tests/integration/publish_oldrelease4.sh \
	tests/integration/publish_oldrelease5.sh tests/integration/publish_oldrelease6.sh
# A republished year that stopped model 12's staged solve (model 13).
TESTS += tests/integration/publish_republish_wide.sh
EXTRA_DIST += tests/integration/publish_republish_wide.sh \
	tests/fixtures/publish/suplog_republish_wide.tar.xz
# Republish model 7: a later release that would give away cells the earlier
# one hid is refused.
TESTS += tests/integration/publish_republish_zero.sh
EXTRA_DIST += tests/integration/publish_republish_zero.sh
# ... and a year republished under model 6 that model 7 refuses re-derives.
TESTS += tests/integration/publish_oldrepublish6.sh
EXTRA_DIST += tests/integration/publish_oldrepublish6.sh \
	tests/fixtures/publish/suplog_republish6.tar.xz \
	tests/fixtures/publish/make_suplog_republish6.sh
# A year republished under republish model 5 (resubmissions told by time)
# still re-derives, and republishes under model 6.
TESTS += tests/integration/publish_oldrepublish5.sh
EXTRA_DIST += tests/integration/publish_oldrepublish5.sh \
	tests/fixtures/publish/suplog_republish5.tar.xz \
	tests/fixtures/publish/make_suplog_republish5.sh
# Model 4's chunked audit: the same release on one thread and on two.
BP_SLOW_TESTS += tests/integration/publish_threads.sh
EXTRA_DIST += tests/integration/publish_threads.sh
EXTRA_DIST += tests/integration/publish_oldrelease.sh tests/integration/publish_oldrelease2.sh \
	tests/integration/publish_oldrelease3.sh tests/integration/publish_oldrelease4.sh \
	tests/integration/publish_oldrelease5.sh tests/integration/publish_oldrelease6.sh \
	tests/integration/publish_oldrelease7.sh tests/integration/publish_oldrelease8.sh \
	tests/integration/publish_oldrelease9.sh tests/integration/publish_oldrelease11.sh \
	tests/integration/publish_oldrelease14.sh tests/fixtures/publish/suplog_release14.tar.xz \
	tests/integration/publish_oldrelease15.sh tests/fixtures/publish/suplog_release15.tar.xz \
	tests/integration/publish_oldrelease16.sh tests/fixtures/publish/suplog_release16.tar.xz \
	tests/integration/publish_oldrelease17.sh tests/fixtures/publish/suplog_release17.tar.xz \
	tests/integration/publish_oldrelease18.sh tests/fixtures/publish/suplog_release18.tar.xz \
	tests/integration/publish_oldrelease19.sh tests/fixtures/publish/suplog_release19.tar.xz \
	tests/integration/publish_oldrelease20.sh tests/fixtures/publish/suplog_release20.tar.xz \
	tests/integration/publish_oldrelease21.sh tests/fixtures/publish/suplog_release21.tar.xz \
	tests/integration/publish_oldrelease22.sh tests/fixtures/publish/suplog_release22.tar.xz \
	tests/integration/publish_oldrelease23.sh tests/fixtures/publish/suplog_release23.tar.xz \
	tests/helpers/fixture_lib.sh tests/fixtures/publish/make_suplog_release.sh \
	tests/fixtures/publish/suplog_release1.tar.xz tests/fixtures/publish/suplog_release2.tar.xz \
	tests/fixtures/publish/suplog_release3.tar.xz tests/fixtures/publish/suplog_release4.tar.xz \
	tests/fixtures/publish/suplog_release5.tar.xz tests/fixtures/publish/suplog_release6.tar.xz \
	tests/fixtures/publish/suplog_release7.tar.xz tests/fixtures/publish/suplog_release8.tar.xz \
	tests/fixtures/publish/suplog_release9.tar.xz tests/fixtures/publish/suplog_release11.tar.xz
if HAVE_CRITERION
check_PROGRAMS += tests/unit/measures/test_cellkeys
TESTS += tests/unit/measures/test_cellkeys
endif
tests_unit_measures_test_cellkeys_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_measures_test_cellkeys_LDADD = $(BP_TEST_LINK)
# Headers the unit tests share (rows classified for real, cell lookup).
EXTRA_DIST += tests/unit/test_rows.h tests/unit/test_tables.h
# tests for suppression
if HAVE_CRITERION
check_PROGRAMS += tests/unit/publish/test_suppress
TESTS += tests/unit/publish/test_suppress
endif
tests_unit_publish_test_suppress_SOURCES = tests/unit/publish/test_suppress.c \
	tests/unit/publish/grid3.h bench/suppress_gen.c bench/suppress_gen.h
tests_unit_publish_test_suppress_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_publish_test_suppress_LDADD = $(BP_TEST_LINK)
tests_unit_publish_test_suppress_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/bench
# a program rebuilt by column (bp__sup_lp_compact): the same to the simplex
if HAVE_CRITERION
check_PROGRAMS += tests/unit/publish/test_lpcompact
TESTS += tests/unit/publish/test_lpcompact
endif
tests_unit_publish_test_lpcompact_SOURCES = tests/unit/publish/test_lpcompact.c
tests_unit_publish_test_lpcompact_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_publish_test_lpcompact_LDADD = $(BP_TEST_LINK)
# bp__joint_drop_zeros: model 21's programs without what can only be 0
if HAVE_CRITERION
check_PROGRAMS += tests/unit/publish/test_joint_zeros
TESTS += tests/unit/publish/test_joint_zeros
endif
tests_unit_publish_test_joint_zeros_SOURCES = tests/unit/publish/test_joint_zeros.c
tests_unit_publish_test_joint_zeros_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_publish_test_joint_zeros_LDADD = $(BP_TEST_LINK)
# bp__joint_coupling: model 24 ties a family to the first with its persons
if HAVE_CRITERION
check_PROGRAMS += tests/unit/publish/test_joint_coupling
TESTS += tests/unit/publish/test_joint_coupling
endif
tests_unit_publish_test_joint_coupling_SOURCES = tests/unit/publish/test_joint_coupling.c
tests_unit_publish_test_joint_coupling_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_publish_test_joint_coupling_LDADD = $(BP_TEST_LINK)
# bp__joint_row_classes: a printed row's classes, kept across areas.
if HAVE_CRITERION
check_PROGRAMS += tests/unit/publish/test_joint_memo
TESTS += tests/unit/publish/test_joint_memo
endif
tests_unit_publish_test_joint_memo_SOURCES = tests/unit/publish/test_joint_memo.c
tests_unit_publish_test_joint_memo_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_publish_test_joint_memo_LDADD = $(BP_TEST_LINK)
# bp_keymap: dense ids for the keys of tables.c and the memo.
if HAVE_CRITERION
check_PROGRAMS += tests/unit/publish/test_keymap
TESTS += tests/unit/publish/test_keymap
endif
tests_unit_publish_test_keymap_SOURCES = tests/unit/publish/test_keymap.c
tests_unit_publish_test_keymap_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_publish_test_keymap_LDADD = $(BP_TEST_LINK)
# bp__sup_lp_block_basis: model 14's start of the whole-release check.
if HAVE_CRITERION
check_PROGRAMS += tests/unit/publish/test_lpblock
TESTS += tests/unit/publish/test_lpblock
endif
tests_unit_publish_test_lpblock_SOURCES = tests/unit/publish/test_lpblock.c
tests_unit_publish_test_lpblock_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_publish_test_lpblock_LDADD = $(BP_TEST_LINK)
# the cleanup of release model 5
if HAVE_CRITERION
check_PROGRAMS += tests/unit/publish/test_cleanup
TESTS += tests/unit/publish/test_cleanup
endif
tests_unit_publish_test_cleanup_SOURCES = tests/unit/publish/test_cleanup.c \
	tests/unit/publish/grid3.h
tests_unit_publish_test_cleanup_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_publish_test_cleanup_LDADD = $(BP_TEST_LINK)
# the exchange of release model 16
if HAVE_CRITERION
check_PROGRAMS += tests/unit/publish/test_exchange
TESTS += tests/unit/publish/test_exchange
endif
tests_unit_publish_test_exchange_SOURCES = tests/unit/publish/test_exchange.c \
	tests/unit/publish/grid3.h
tests_unit_publish_test_exchange_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_publish_test_exchange_LDADD = $(BP_TEST_LINK)
# Release profiles ([publish] profile): parsing (unit) and through the programs.
if HAVE_CRITERION
check_PROGRAMS += tests/unit/publish/test_profile
TESTS += tests/unit/publish/test_profile
endif
BP_SLOW_TESTS += tests/integration/publish_profile.sh
tests_unit_publish_test_profile_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_publish_test_profile_LDADD = $(BP_TEST_LINK)
EXTRA_DIST += tests/integration/publish_profile.sh

# The suppression log reader's fuzz target, replayed from its seed corpus
# (fuzz/corpus/suplog, logs sealed with the target's fixed key) by
# tests/integration/publish_fuzz_suplog.sh with any compiler; under ASan and
# UBSan in the sanitizer build.
check_PROGRAMS += fuzz/replay_suplog
fuzz_replay_suplog_SOURCES = fuzz/fuzz_suplog.c fuzz/replay.c
fuzz_replay_suplog_LDADD = $(BP_LINK)
TESTS += tests/integration/publish_fuzz_suplog.sh
EXTRA_DIST += tests/integration/publish_fuzz_suplog.sh fuzz/corpus/suplog
# The libFuzzer build needs clang and is made on request only:
#   make fuzz-suplog && ./fuzz-suplog -max_total_time=60 $(srcdir)/fuzz/corpus/suplog
fuzz-suplog: $(srcdir)/fuzz/fuzz_suplog.c $(srcdir)/publish/suplog.c \
		$(srcdir)/crypto/json.c $(srcdir)/crypto/io.c
	$(BP_FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 \
	  -include $(top_builddir)/config.h -I$(srcdir)/publish -I$(srcdir)/crypto \
	  $(SODIUM_CFLAGS) $(JANSSON_CFLAGS) -o $@ $^ $(SODIUM_LIBS) $(JANSSON_LIBS)
CLEANFILES += fuzz-suplog

# bpagg publish killed at many instants (SIGKILL through an LD_PRELOAD shim
# built without sanitizers, so it loads into both builds).
BP_SLOW_TESTS += tests/integration/publish_crash.sh
EXTRA_DIST += tests/integration/publish_crash.sh tests/helpers/crashshim.c
# Through a variable, so automake keeps its own recipe (see tests/local.mk).
bp_crash_log = tests/integration/publish_crash.sh.log
$(bp_crash_log): tests/helpers/crashshim.so
# built before the tests run: a log whose prerequisite make must still make
# is started only after every other test has been.
check_SCRIPTS += tests/helpers/crashshim.so
tests/helpers/crashshim.so: $(srcdir)/tests/helpers/crashshim.c
	$(AM_V_CC)$(MKDIR_P) tests/helpers && $(CC) -shared -fPIC -O1 -o $@ $(srcdir)/tests/helpers/crashshim.c -ldl
CLEANFILES += tests/helpers/crashshim.so
# the release model, the upper rule and an attacker of our own (GLPK MIP)
if HAVE_CRITERION
check_PROGRAMS += tests/unit/publish/test_model
TESTS += tests/unit/publish/test_model
endif
tests_unit_publish_test_model_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_publish_test_model_LDADD = $(BP_TEST_LINK)
# a leak across two groups that per-group proofs miss, closed by the release model
if HAVE_CRITERION
check_PROGRAMS += tests/unit/publish/test_release_leak
TESTS += tests/unit/publish/test_release_leak
endif
tests_unit_publish_test_release_leak_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_publish_test_release_leak_LDADD = $(BP_TEST_LINK)

# tests/helpers/release_attack: an outside intruder of a whole release
# (written from the manual pages and the release files, not from the
# suppression code): LP (and MIP) intervals of every hidden cell.
check_PROGRAMS += tests/helpers/release_attack
tests_helpers_release_attack_SOURCES = tests/helpers/release_attack.c \
	tests/helpers/release_attack.h tests/helpers/release_attack_model.c \
	tests/helpers/release_attack_lp.c tests/helpers/release_attack_index.c \
	tests/helpers/release_attack_hash.c
tests_helpers_release_attack_LDADD = $(GLPK_LIBS) -lm
TESTS += tests/integration/release_attack_known.sh
EXTRA_DIST += tests/integration/release_attack_known.sh tests/helpers/attack_lib.sh \
	tests/helpers/attack_check.awk
# method = release against the whole-release attacker: no primary cell
# bounded below min_cell on the fixtures and on random small releases.
BP_SLOW_TESTS += tests/integration/release_attack_release.sh tests/integration/release_attack_wide.sh
TESTS += tests/integration/release_attack_random.sh
EXTRA_DIST += tests/integration/release_attack_release.sh tests/integration/release_attack_wide.sh \
	tests/integration/release_attack_random.sh
# an intruder holding two releases of a republished year (--earlier).
TESTS += tests/integration/release_attack_republish.sh
EXTRA_DIST += tests/integration/release_attack_republish.sh
# an intruder stating the living-conditions indexes' definitions.
TESTS += tests/integration/release_attack_index.sh
EXTRA_DIST += tests/integration/release_attack_index.sh
