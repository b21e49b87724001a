# tests for the crypto area: keys, pseudonyms, the envelope, and the
# init / keygen / register / seal commands.
if HAVE_CRITERION
check_PROGRAMS += tests/unit/crypto/test_keys tests/unit/crypto/test_pseudonym tests/unit/crypto/test_envelope \
	tests/unit/crypto/test_envelope_kit tests/unit/crypto/test_keytext
TESTS += tests/unit/crypto/test_keys tests/unit/crypto/test_pseudonym tests/unit/crypto/test_envelope \
	tests/unit/crypto/test_envelope_kit tests/unit/crypto/test_keytext
endif
tests_unit_crypto_test_keys_SOURCES = tests/unit/crypto/test_keys.c tests/unit/crypto/key_fixture.h
tests_unit_crypto_test_keys_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_crypto_test_keys_LDADD = $(BP_TEST_LINK)
tests_unit_crypto_test_keytext_SOURCES = tests/unit/crypto/test_keytext.c tests/unit/crypto/key_fixture.h
tests_unit_crypto_test_keytext_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_crypto_test_keytext_LDADD = $(BP_TEST_LINK)
tests_unit_crypto_test_pseudonym_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_crypto_test_pseudonym_LDADD = $(BP_TEST_LINK)
tests_unit_crypto_test_envelope_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_crypto_test_envelope_LDADD = $(BP_TEST_LINK)
tests_unit_crypto_test_envelope_kit_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_crypto_test_envelope_kit_LDADD = $(BP_TEST_LINK)
# crypto/json.c: the project's use of jansson.
if HAVE_CRITERION
check_PROGRAMS += tests/unit/crypto/test_json
TESTS += tests/unit/crypto/test_json
endif
tests_unit_crypto_test_json_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_crypto_test_json_LDADD = $(BP_TEST_LINK)

CRYPTO_ITESTS = tests/integration/seal_install.sh tests/integration/seal_cli.sh \
	tests/integration/keys_receipt.sh
TESTS += $(CRYPTO_ITESTS)
EXTRA_DIST += $(CRYPTO_ITESTS)

# The envelope vector kit (tests/vectors/README): the generator is built
# with the tests but run by hand; test_envelope reads the committed kit.
check_PROGRAMS += tests/vectors/gen_envelope
tests_vectors_gen_envelope_SOURCES = tests/vectors/gen_envelope.c tests/vectors/forge.h
tests_vectors_gen_envelope_CFLAGS = $(AM_CFLAGS) -I$(srcdir)/tests/vectors
tests_vectors_gen_envelope_LDADD = $(BP_LINK)
tests_unit_crypto_test_envelope_SOURCES = tests/unit/crypto/test_envelope.c tests/vectors/forge.h \
	tests/unit/crypto/memfile.h
tests_unit_crypto_test_envelope_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/tests/vectors \
	-DBP_VECTORS='"$(abs_top_srcdir)/tests/vectors"'
tests_unit_crypto_test_envelope_kit_SOURCES = tests/unit/crypto/test_envelope_kit.c \
	tests/unit/crypto/memfile.h
tests_unit_crypto_test_envelope_kit_CPPFLAGS = $(AM_CPPFLAGS) \
	-DBP_VECTORS='"$(abs_top_srcdir)/tests/vectors"'
EXTRA_DIST += tests/vectors/README tests/vectors/envelope

# Fuzz targets of issue 10: the envelope (sealing fuzzed plaintexts with
# real keys, then opening them whole and damaged) and the configuration
# reader, each replayed from its seed corpus (fuzz/replay.c) in make check.
check_PROGRAMS += fuzz/replay_envelope fuzz/replay_conf
TESTS += fuzz/replay_envelope fuzz/replay_conf
fuzz_replay_envelope_SOURCES = fuzz/fuzz_envelope.c fuzz/replay.c
fuzz_replay_envelope_CPPFLAGS = $(AM_CPPFLAGS) -DBP_REPLAY_CORPUS='"envelope"'
fuzz_replay_envelope_LDADD = $(BP_LINK)
fuzz_replay_conf_SOURCES = fuzz/fuzz_conf.c fuzz/replay.c
fuzz_replay_conf_CPPFLAGS = $(AM_CPPFLAGS) -DBP_REPLAY_CORPUS='"conf"'
fuzz_replay_conf_LDADD = $(BP_LINK)
EXTRA_DIST += fuzz/corpus/envelope fuzz/corpus/conf
# The libFuzzer builds need clang and are made on request only:
#   make fuzz-envelope && ./fuzz-envelope -max_total_time=60 $(srcdir)/fuzz/corpus/envelope
#   make fuzz-conf && ./fuzz-conf -max_total_time=60 $(srcdir)/fuzz/corpus/conf
fuzz-envelope: $(srcdir)/fuzz/fuzz_envelope.c $(srcdir)/crypto/envelope.c \
		$(srcdir)/crypto/keys.c $(srcdir)/crypto/keytext.c $(srcdir)/crypto/io.c
	$(BP_FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 \
	  -include $(top_builddir)/config.h -I$(srcdir)/crypto $(SODIUM_CFLAGS) \
	  -o $@ $^ $(SODIUM_LIBS)
fuzz-conf: $(srcdir)/fuzz/fuzz_conf.c conf/libbpconf.a measures/libbpmeasures.a \
		export/libbpexport.a crypto/libbpaggcrypto.a
	$(BP_FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 \
	  -include $(top_builddir)/config.h -I$(srcdir)/conf -I$(srcdir)/measures \
	  -I$(srcdir)/export -o $@ $^ $(INIH_LIBS) $(SODIUM_LIBS) -lm
CLEANFILES += fuzz-envelope fuzz-conf
