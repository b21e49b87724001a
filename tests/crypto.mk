# tests for the crypto area: keys, pseudonyms, the envelope, and the
# init / keygen / register / seal commands.
check_PROGRAMS += tests/unit/test_keys tests/unit/test_pseudonym tests/unit/test_envelope
TESTS += tests/unit/test_keys tests/unit/test_pseudonym tests/unit/test_envelope
tests_unit_test_keys_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_test_keys_LDADD = $(BP_TEST_LINK)
tests_unit_test_pseudonym_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_test_pseudonym_LDADD = $(BP_TEST_LINK)
tests_unit_test_envelope_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_test_envelope_LDADD = $(BP_TEST_LINK)

CRYPTO_ITESTS = tests/integration/seal_install.sh tests/integration/seal_cli.sh
TESTS += $(CRYPTO_ITESTS)
EXTRA_DIST += $(CRYPTO_ITESTS)
