# crypto/: keys, the sealed-submission envelope, pseudonyms. Depends on
# libsodium, and jansson for JSON (json.c): stage 0, below every other stage.
noinst_LIBRARIES += crypto/libbpaggcrypto.a
crypto_libbpaggcrypto_a_SOURCES = crypto/keys.h crypto/envelope.h crypto/pseudonym.h \
	crypto/le.h crypto/io.h crypto/keytext.h crypto/receipt.h crypto/json.h crypto/io.c crypto/json.c crypto/keys.c crypto/keytext.c crypto/receipt.c crypto/keyring.c crypto/keyring_retired.c crypto/pseudonym.c crypto/envelope.c

dist_man_MANS += man/bpagg-submission.5
