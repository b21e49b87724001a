# tests for the export area: the reader/validator, person_id, the registry,
# the CSV tokenizer and bpagg check.
EXPORT_UNIT = tests/unit/export/test_export tests/unit/export/test_export_csv \
	tests/unit/export/test_person_id tests/unit/export/test_registry
if HAVE_CRITERION
check_PROGRAMS += $(EXPORT_UNIT)
TESTS += $(EXPORT_UNIT)
endif
tests_unit_export_test_export_SOURCES = tests/unit/export/test_export.c tests/unit/test_export_util.h
tests_unit_export_test_export_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_export_test_export_LDADD = $(BP_TEST_LINK)
tests_unit_export_test_export_csv_SOURCES = tests/unit/export/test_export_csv.c tests/unit/test_export_util.h
tests_unit_export_test_export_csv_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_export_test_export_csv_LDADD = $(BP_TEST_LINK)
tests_unit_export_test_person_id_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_export_test_person_id_LDADD = $(BP_TEST_LINK)
tests_unit_export_test_registry_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_export_test_registry_LDADD = $(BP_TEST_LINK)

EXPORT_ITESTS = tests/integration/check_errors.sh tests/integration/check_valid.sh \
	tests/integration/check_messages.sh \
	tests/integration/check_limits.sh
TESTS += $(EXPORT_ITESTS)
EXTRA_DIST += $(EXPORT_ITESTS)

# The fuzz target's seed corpus, replayed with any compiler (fuzz/replay.c).
check_PROGRAMS += fuzz/replay_export
TESTS += fuzz/replay_export
fuzz_replay_export_SOURCES = fuzz/fuzz_export.c fuzz/replay.c
fuzz_replay_export_LDADD = $(BP_LINK)
EXTRA_DIST += tests/fixtures/export/gen_rows.awk fuzz/corpus/export
# The libFuzzer build itself needs clang and is made on request only:
#   make fuzz-export && ./fuzz-export -max_total_time=60 $(srcdir)/fuzz/corpus/export
BP_FUZZ_CC = clang
fuzz-export: $(srcdir)/fuzz/fuzz_export.c $(srcdir)/export/csv.c $(srcdir)/export/export.c \
		$(srcdir)/export/person_id.c $(srcdir)/export/registry.c $(srcdir)/export/codes.c \
		$(srcdir)/export/diag.c $(srcdir)/export/pidset.c $(srcdir)/export/fields.c \
		$(srcdir)/crypto/io.c
	$(BP_FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 \
	  -include $(top_builddir)/config.h -I$(srcdir)/export -I$(srcdir)/crypto $(SODIUM_CFLAGS) \
	  -o $@ $^ $(SODIUM_LIBS)
CLEANFILES += fuzz-export
