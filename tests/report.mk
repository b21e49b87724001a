# tests for the report: release files read tolerantly, every printed figure
# the release's cell, the real pipeline to the report without a store, the
# seed 004 tables, and the browser (headless Chromium; skipped without it).
if HAVE_CRITERION
check_PROGRAMS += tests/unit/report/test_report
TESTS += tests/unit/report/test_report
endif
tests_unit_report_test_report_CFLAGS = $(BP_TEST_CCFLAGS) $(JANSSON_CFLAGS)
tests_unit_report_test_report_LDADD = $(BP_TEST_LINK)

TESTS += tests/integration/report_cli.sh tests/integration/report_seed004.sh
BP_SLOW_TESTS += tests/integration/report_browser.sh
EXTRA_DIST += tests/integration/report_cli.sh tests/integration/report_seed004.sh \
	tests/integration/report_browser.sh tests/helpers/report_release.sh \
	tests/helpers/report_check.sh tests/helpers/report_harness.js
