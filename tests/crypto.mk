# tests for the crypto area: keys, pseudonyms, the envelope, and the
# init / keygen / register / seal commands.
check_PROGRAMS += tests/unit/crypto/test_keys tests/unit/crypto/test_pseudonym tests/unit/crypto/test_envelope
TESTS += tests/unit/crypto/test_keys tests/unit/crypto/test_pseudonym tests/unit/crypto/test_envelope
tests_unit_crypto_test_keys_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_crypto_test_keys_LDADD = $(BP_TEST_LINK)
tests_unit_crypto_test_pseudonym_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_crypto_test_pseudonym_LDADD = $(BP_TEST_LINK)
tests_unit_crypto_test_envelope_CFLAGS = $(BP_TEST_CCFLAGS)
tests_unit_crypto_test_envelope_LDADD = $(BP_TEST_LINK)

CRYPTO_ITESTS = tests/integration/seal_install.sh tests/integration/seal_cli.sh
TESTS += $(CRYPTO_ITESTS)
EXTRA_DIST += $(CRYPTO_ITESTS)

# The envelope vector kit (tests/vectors/README): the generator is built
# with the tests but run by hand; test_envelope reads the committed kit.
check_PROGRAMS += tests/vectors/gen_envelope
tests_vectors_gen_envelope_SOURCES = tests/vectors/gen_envelope.c tests/vectors/forge.h
tests_vectors_gen_envelope_CFLAGS = $(AM_CFLAGS) -I$(srcdir)/tests/vectors
tests_vectors_gen_envelope_LDADD = $(BP_LINK)
tests_unit_crypto_test_envelope_SOURCES = tests/unit/crypto/test_envelope.c tests/vectors/forge.h
tests_unit_crypto_test_envelope_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/tests/vectors \
	-DBP_VECTORS='"$(abs_top_srcdir)/tests/vectors"'
EXTRA_DIST += tests/vectors/README tests/vectors/envelope
