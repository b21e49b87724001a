/* test_keytext.c - the text form of public keys, fingerprints, a public key
 * where a secret is wanted (crypto/keys.h, keytext.h), and the receipt
 * signature check (crypto/receipt.h). */
#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keys.h"
#include "receipt.h"

#include "key_fixture.h"

/* file p as a NUL-terminated string in buf (cap bytes with the NUL). */
static size_t
slurp(const char *p, char *buf, size_t cap)
{
	size_t n = file_bytes(p, (uint8_t *)buf, cap - 1);
	buf[n] = '\0';
	return n;
}

static void
put_text(const char *p, const char *text, mode_t mode)
{
	FILE *f = fopen(p, "wb");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	cr_assert_eq(chmod(p, mode), 0);
}

TestSuite(keytext, .init = setup, .fini = teardown);

Test(keytext, public_keys_are_two_lines_of_text)
{
	struct bp_key pk, sk, l;
	char text[1024], want[256];
	cr_assert_eq(bp_key_gen_sign(&pk, &sk, "0301"), 0);
	cr_assert_eq(bp_key_save(path_of("0301.sign.pk"), &pk, err, sizeof(err)), 0, "%s", err);
	slurp(path_of("0301.sign.pk"), text, sizeof(text));

	/* The image, as bp_key_save's binary form would be, in base64. */
	uint8_t img[50];
	memcpy(img, "BPK1\x01\x02", 6);
	memcpy(img + 6, pk.id, 8);
	memcpy(img + 14, "0301", 4);
	memcpy(img + 18, pk.bytes, 32);
	char b64[sodium_base64_ENCODED_LEN(50, sodium_base64_VARIANT_ORIGINAL)];
	sodium_bin2base64(b64, sizeof(b64), img, 50, sodium_base64_VARIANT_ORIGINAL);
	snprintf(want, sizeof(want), "untrusted comment: bpagg kommune 0301 signing public key\n%s\n",
	    b64);
	cr_expect_str_eq(text, want);

	/* Read back, and with CR LF line ends and a trailing blank line. */
	cr_assert_eq(bp_key_load(path_of("0301.sign.pk"), BP_KEY_SIGN_PK, &l, err, sizeof(err)), 0, "%s", err);
	cr_expect(bp_key_equal(&l, &pk));
	bp_key_free(&l);
	snprintf(text, sizeof(text), "untrusted comment: mailed\r\n%s\r\n\r\n", b64);
	put_text(path_of("crlf.pk"), text, 0644);
	cr_assert_eq(bp_key_load(path_of("crlf.pk"), BP_KEY_SIGN_PK, &l, err, sizeof(err)), 0, "%s", err);
	cr_expect(bp_key_equal(&l, &pk));
	cr_expect_str_eq(l.kommune, "0301");
	bp_key_free(&l);

	/* The secret stays binary. */
	cr_assert_eq(bp_key_save(path_of("0301.sign.sk"), &sk, err, sizeof(err)), 0, "%s", err);
	slurp(path_of("0301.sign.sk"), text, sizeof(text));
	cr_expect_eq(memcmp(text, "BPK1\x02\x02", 6), 0);
	bp_key_free(&pk);
	bp_key_free(&sk);
}

Test(keytext, comments_say_whose_key)
{
	struct bp_key pk, sk;
	char text[1024];
	cr_assert_eq(bp_key_gen_sign(&pk, &sk, NULL), 0);
	cr_assert_eq(bp_key_save(path_of("daemon.sign.pk"), &pk, err, sizeof(err)), 0, "%s", err);
	slurp(path_of("daemon.sign.pk"), text, sizeof(text));
	cr_expect_eq(strncmp(text, "untrusted comment: bpagg daemon signing public key", 50), 0, "%s", text);
	bp_key_free(&pk);
	bp_key_free(&sk);
	cr_assert_eq(bp_key_gen_box(&pk, &sk), 0);
	cr_assert_eq(bp_key_save(path_of("central.box.pk"), &pk, err, sizeof(err)), 0, "%s", err);
	slurp(path_of("central.box.pk"), text, sizeof(text));
	cr_expect_eq(strncmp(text, "untrusted comment: bpagg central encryption public key", 54), 0, "%s", text);
	bp_key_free(&pk);
	bp_key_free(&sk);
}

Test(keytext, damaged_text_keys_are_refused_by_line)
{
	struct bp_key pk, sk, l;
	char text[1024], bad[2048];
	cr_assert_eq(bp_key_gen_sign(&pk, &sk, "1103"), 0);
	cr_assert_eq(bp_key_save(path_of("k.pk"), &pk, err, sizeof(err)), 0, "%s", err);
	slurp(path_of("k.pk"), text, sizeof(text));
	char *line2 = strchr(text, '\n') + 1;

	/* Only the comment line. */
	snprintf(bad, sizeof(bad), "%.*s", (int)(line2 - text), text);
	put_text(path_of("b1.pk"), bad, 0644);
	cr_expect_eq(bp_key_load(path_of("b1.pk"), BP_KEY_SIGN_PK, &l, err, sizeof(err)), -1);
	cr_expect_not_null(strstr(err, "line 2"), "%s", err);
	/* Not base64. */
	snprintf(bad, sizeof(bad), "%s", text);
	bad[line2 - text + 3] = '*';
	put_text(path_of("b2.pk"), bad, 0644);
	cr_expect_eq(bp_key_load(path_of("b2.pk"), BP_KEY_SIGN_PK, &l, err, sizeof(err)), -1);
	cr_expect_not_null(strstr(err, "base64"), "%s", err);
	/* A third line. */
	snprintf(bad, sizeof(bad), "%sextra\n", text);
	put_text(path_of("b3.pk"), bad, 0644);
	cr_expect_eq(bp_key_load(path_of("b3.pk"), BP_KEY_SIGN_PK, &l, err, sizeof(err)), -1);
	cr_expect_not_null(strstr(err, "line 3"), "%s", err);
	/* One base64 character changed: another key, its id no longer matches. */
	snprintf(bad, sizeof(bad), "%s", text);
	bad[line2 - text + 40] = bad[line2 - text + 40] == 'A' ? 'B' : 'A';
	put_text(path_of("b4.pk"), bad, 0644);
	cr_expect_eq(bp_key_load(path_of("b4.pk"), BP_KEY_SIGN_PK, &l, err, sizeof(err)), -1);
	cr_expect_not_null(strstr(err, "key id"), "%s", err);
	cr_expect_null(l.bytes);
	bp_key_free(&pk);
	bp_key_free(&sk);
}

/* `seal --key NNNN.sign.pk`: the public key where the secret is wanted is
 * named as such, even though its mode (0644) would be refused for a secret. */
Test(keytext, public_key_given_for_a_secret_says_so)
{
	struct bp_key pk, sk, l;
	cr_assert_eq(bp_key_gen_sign(&pk, &sk, "0301"), 0);
	cr_assert_eq(bp_key_save(path_of("0301.sign.pk"), &pk, err, sizeof(err)), 0, "%s", err);
	errno = 0;
	cr_expect_eq(bp_key_load(path_of("0301.sign.pk"), BP_KEY_SIGN_SK, &l, err, sizeof(err)), -1);
	cr_expect_eq(errno, EINVAL);
	cr_expect_not_null(strstr(err, "this is a public key"), "%s", err);
	cr_expect_null(strstr(err, "chmod"), "%s", err);
	cr_expect_null(l.bytes);
	/* And the other way round: the secret given for the public key. */
	cr_assert_eq(bp_key_save(path_of("0301.sign.sk"), &sk, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(bp_key_load(path_of("0301.sign.sk"), BP_KEY_SIGN_PK, &l, err, sizeof(err)), -1);
	cr_expect_not_null(strstr(err, "this is a secret key"), "%s", err);
	bp_key_free(&pk);
	bp_key_free(&sk);
}

/* A secret in text form (pasted somewhere) is refused even at mode 0600. */
Test(keytext, text_secret_is_refused)
{
	struct bp_key pk, sk, l;
	uint8_t img[18 + 64];
	cr_assert_eq(bp_key_gen_sign(&pk, &sk, "0301"), 0);
	cr_assert_eq(bp_key_save(path_of("s.sk"), &sk, err, sizeof(err)), 0, "%s", err);
	FILE *f = fopen(path_of("s.sk"), "rb");
	cr_assert_eq(fread(img, 1, sizeof(img), f), sizeof(img));
	fclose(f);
	char b64[sodium_base64_ENCODED_LEN(sizeof(img), sodium_base64_VARIANT_ORIGINAL)];
	sodium_bin2base64(b64, sizeof(b64), img, sizeof(img), sodium_base64_VARIANT_ORIGINAL);
	char text[512];
	snprintf(text, sizeof(text), "untrusted comment: x\n%s\n", b64);
	put_text(path_of("t.sk"), text, 0600);
	cr_expect_eq(bp_key_load(path_of("t.sk"), BP_KEY_SIGN_SK, &l, err, sizeof(err)), -1);
	cr_expect_not_null(strstr(err, "text form is refused"), "%s", err);
	cr_expect_null(l.bytes);
	sodium_memzero(img, sizeof(img));
	bp_key_free(&pk);
	bp_key_free(&sk);
}

Test(keytext, fingerprint_is_grouped_blake2b_of_the_public_key)
{
	struct bp_key pk, sk, ps;
	char f1[BP_KEY_FPR_SIZE], f2[BP_KEY_FPR_SIZE], want[BP_KEY_FPR_SIZE], hex[33];
	uint8_t h[32];
	cr_assert_eq(bp_key_gen_sign(&pk, &sk, "0301"), 0);
	cr_assert_eq(bp_key_fingerprint(&pk, f1), 0);
	cr_assert_eq(bp_key_fingerprint(&sk, f2), 0);
	cr_expect_str_eq(f1, f2, "a secret key shows its public key's fingerprint");
	crypto_generichash(h, 32, pk.bytes, 32, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, 16);
	snprintf(want, sizeof(want), "%.4s %.4s %.4s %.4s %.4s %.4s %.4s %.4s", hex, hex + 4,
	    hex + 8, hex + 12, hex + 16, hex + 20, hex + 24, hex + 28);
	cr_expect_str_eq(f1, want);
	bp_key_free(&pk);
	bp_key_free(&sk);
	/* The box pair: the secret's fingerprint is the public key's. */
	cr_assert_eq(bp_key_gen_box(&pk, &sk), 0);
	cr_assert_eq(bp_key_fingerprint(&pk, f1), 0);
	cr_assert_eq(bp_key_fingerprint(&sk, f2), 0);
	cr_expect_str_eq(f1, f2);
	bp_key_free(&pk);
	bp_key_free(&sk);
	/* A pseudonym key has none. */
	cr_assert_eq(bp_key_gen_pseudonym(&ps), 0);
	cr_expect_eq(bp_key_fingerprint(&ps, f1), -1);
	cr_expect_str_eq(f1, "");
	bp_key_free(&ps);
}

/* A receipt as bpaggd signs it (bpaggd(8)): line, then the signature line. */
static size_t
make_receipt(char *out, size_t cap, const char *line, const struct bp_key *sk)
{
	static const char dom[] = BP_RECEIPT_DOMAIN;
	uint8_t msg[512], sig[64];
	char idhex[17], sighex[129];
	memcpy(msg, dom, sizeof(dom));
	memcpy(msg + sizeof(dom), line, strlen(line));
	crypto_sign_detached(sig, NULL, msg, sizeof(dom) + strlen(line), sk->bytes);
	sodium_bin2hex(idhex, sizeof(idhex), sk->id, 8);
	sodium_bin2hex(sighex, sizeof(sighex), sig, 64);
	return (size_t)snprintf(out, cap, "%s\ned25519 %s %s\n", line, idhex, sighex);
}

Test(keytext, receipt_good_tampered_and_wrong_key)
{
	struct bp_key pk, sk, pk2, sk2;
	uint8_t signer[8];
	char r[1024];
	size_t json_len;
	const char *line = "{\"status\":\"merged\",\"kommune\":\"0301\",\"rows\":40}";
	cr_assert_eq(bp_key_gen_sign(&pk, &sk, NULL), 0);
	cr_assert_eq(bp_key_gen_sign(&pk2, &sk2, NULL), 0);
	size_t n = make_receipt(r, sizeof(r), line, &sk);

	cr_expect_eq(bp_receipt_verify(r, n, &pk, &json_len, signer), BP_RECEIPT_GOOD);
	cr_expect_eq(json_len, strlen(line));
	cr_expect_eq(memcmp(signer, pk.id, 8), 0);
	/* Without the final newline too. */
	cr_expect_eq(bp_receipt_verify(r, n - 1, &pk, &json_len, signer), BP_RECEIPT_GOOD);
	/* Another key. */
	cr_expect_eq(bp_receipt_verify(r, n, &pk2, &json_len, signer), BP_RECEIPT_OTHER_KEY);
	cr_expect_eq(json_len, 0);
	/* One byte of the JSON changed. */
	r[strlen(line) - 3] = '5';
	cr_expect_eq(bp_receipt_verify(r, n, &pk, &json_len, signer), BP_RECEIPT_BAD_SIG);
	r[strlen(line) - 3] = '4';
	cr_expect_eq(bp_receipt_verify(r, n, &pk, &json_len, signer), BP_RECEIPT_GOOD);
	/* One hex digit of the signature changed. */
	r[n - 2] = r[n - 2] == '0' ? '1' : '0';
	cr_expect_eq(bp_receipt_verify(r, n, &pk, &json_len, signer), BP_RECEIPT_BAD_SIG);
	/* Not a receipt: no second line, a third line, no signature prefix. */
	cr_expect_eq(bp_receipt_verify(line, strlen(line), &pk, &json_len, signer), BP_RECEIPT_MALFORMED);
	n = make_receipt(r, sizeof(r), line, &sk);
	strcat(r, "x\n");
	cr_expect_eq(bp_receipt_verify(r, n + 2, &pk, &json_len, signer), BP_RECEIPT_MALFORMED);
	r[strlen(line) + 1] = 'E';
	cr_expect_eq(bp_receipt_verify(r, n, &pk, &json_len, signer), BP_RECEIPT_MALFORMED);
	bp_key_free(&pk);
	bp_key_free(&sk);
	bp_key_free(&pk2);
	bp_key_free(&sk2);
}
