# tests/: Criterion unit tests and integration tests with the real programs.
# The area fragments below add their binaries and scripts.
BP_TEST_CCFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS) -I$(srcdir)/tests/unit
BP_TEST_LINK = $(BP_LINK) $(CRITERION_LIBS)

AM_TESTS_ENVIRONMENT = \
	BPAGG_REGISTRY='$(abs_top_srcdir)/conf/kommuner.csv'; export BPAGG_REGISTRY; \
	BP_SRCDIR='$(abs_top_srcdir)'; export BP_SRCDIR; \
	BP_BUILDDIR='$(abs_top_builddir)'; export BP_BUILDDIR; \
	PATH='$(abs_top_builddir):'"$$PATH"; export PATH;
# BP_SANITIZED=1 in the sanitizer build (bpagg links libasan), else empty:
# the tests that skip or shrink a part there ask it.  ldd's output is read
# whole (`ldd | grep -q` under pipefail fails when grep exits first).
AM_TESTS_ENVIRONMENT += \
	case "$$(ldd '$(abs_top_builddir)/bpagg' 2>/dev/null)" in \
	*libasan*) BP_SANITIZED=1 ;; *) BP_SANITIZED= ;; esac; export BP_SANITIZED;
# Every test through tests/helpers/timed.sh, whose last line in the test's
# log is the seconds it took (quickstart lists the slowest).
LOG_COMPILER = $(SHELL) $(srcdir)/tests/helpers/timed.sh
# Criterion runs its tests in parallel workers; keep it to the machine.
AM_TESTS_ENVIRONMENT += CRITERION_JOBS=2; export CRITERION_JOBS;

include tests/export.mk
include tests/measures.mk
include tests/crypto.mk
include tests/store.mk
include tests/daemon.mk
include tests/publish.mk
include tests/report.mk
include tests/install.mk

# The last check: no test's output holds a valid person_id.
check_PROGRAMS += tests/helpers/pidscan
tests_helpers_pidscan_LDADD = $(BP_LINK)
TESTS += tests/integration/zz_no_pid_leak.sh
EXTRA_DIST += tests/integration/zz_no_pid_leak.sh tests/demo.sh tests/helpers/setup_lib.sh \
	tests/helpers/timed.sh
# Through a variable, so automake keeps its own recipe and make adds the
# prerequisites: every other test's log.
bp_last_log = tests/integration/zz_no_pid_leak.sh.log
$(bp_last_log): $(filter-out $(bp_last_log),$(TEST_LOGS))

# The bash completion of bpagg (conf/completion/bpagg).
TESTS += tests/integration/completion.sh
EXTRA_DIST += tests/integration/completion.sh

# The stages include only earlier stages (see Makefile.am).
TESTS += tests/integration/layering.sh
EXTRA_DIST += tests/integration/layering.sh tests/helpers/layering_check.sh

# Criterion is needed by the unit tests only: configure goes on without it,
# and then this one test says (skipped, 77) that they were not built.
if !HAVE_CRITERION
TESTS += tests/integration/no_criterion.sh
endif
EXTRA_DIST += tests/integration/no_criterion.sh
