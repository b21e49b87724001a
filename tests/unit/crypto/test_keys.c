/* test_keys.c - key files and the kommune keyring (crypto/keys.h). */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keys.h"

#include "key_fixture.h"

/* The binary image of a key file: a text public key's line 2 decoded, a
 * binary file as it is. */
static size_t
image_of(const char *p, uint8_t *buf, size_t cap)
{
	char text[1024], *nl;
	size_t n = file_bytes(p, (uint8_t *)text, sizeof(text) - 1), bin = 0;
	text[n] = '\0';
	if (strncmp(text, "untrusted comment: ", 19) != 0) {
		cr_assert_leq(n, cap);
		memcpy(buf, text, n);
		return n;
	}
	cr_assert_not_null(nl = strchr(text, '\n'));
	cr_assert_eq(sodium_base642bin(buf, cap, nl + 1, strcspn(nl + 1, "\n"), NULL, &bin,
	    NULL, sodium_base64_VARIANT_ORIGINAL), 0);
	return bin;
}

/* Writes n bytes as the file p. */
static void
put_bytes(const char *p, const uint8_t *buf, size_t n)
{
	FILE *f = fopen(p, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(buf, 1, n, f), n);
	fclose(f);
}

TestSuite(keys, .init = setup, .fini = teardown);

Test(keys, sign_pair_round_trip_and_layout)
{
	struct bp_key pk, sk, pk2, sk2;
	uint8_t buf[256];

	cr_assert_eq(bp_key_gen_sign(&pk, &sk, "0301"), 0);
	cr_assert_eq(bp_key_save(path_of("0301.sign.pk"), &pk, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(bp_key_save(path_of("0301.sign.sk"), &sk, err, sizeof(err)), 0, "%s", err);

	struct stat st;
	cr_assert_eq(stat(path_of("0301.sign.sk"), &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0600);
	cr_assert_eq(stat(path_of("0301.sign.pk"), &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0644);

	/* The documented layout (in base64 on the second line of the text
	 * form): magic, LE alg, id, owner, key. */
	size_t n = image_of(path_of("0301.sign.pk"), buf, sizeof(buf));
	cr_assert_eq(n, 18 + 32);
	cr_expect_eq(memcmp(buf, "BPK1", 4), 0);
	cr_expect_eq(buf[4], 0x01);
	cr_expect_eq(buf[5], 0x02);
	cr_expect_eq(memcmp(buf + 6, pk.id, 8), 0);
	cr_expect_eq(memcmp(buf + 14, "0301", 4), 0);
	cr_expect_eq(memcmp(buf + 18, pk.bytes, 32), 0);
	uint8_t h[32];
	crypto_generichash(h, 32, pk.bytes, 32, NULL, 0);
	cr_expect_eq(memcmp(h, pk.id, 8), 0, "key id = first 8 bytes of BLAKE2b-256(pk)");

	cr_assert_eq(bp_key_load(path_of("0301.sign.pk"), BP_KEY_SIGN_PK, &pk2, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(bp_key_load(path_of("0301.sign.sk"), BP_KEY_SIGN_SK, &sk2, err, sizeof(err)), 0, "%s", err);
	cr_expect(bp_key_equal(&pk, &pk2));
	cr_expect(bp_key_equal(&sk, &sk2));
	cr_expect_str_eq(sk2.kommune, "0301");
	cr_expect_eq(memcmp(sk2.id, pk.id, 8), 0);

	/* The pair still works after the round trip. */
	uint8_t sig[64];
	crypto_sign_detached(sig, NULL, (const uint8_t *)"x", 1, sk2.bytes);
	cr_expect_eq(crypto_sign_verify_detached(sig, (const uint8_t *)"x", 1, pk2.bytes), 0);
	bp_key_free(&pk);
	bp_key_free(&sk);
	bp_key_free(&pk2);
	bp_key_free(&sk2);
}

Test(keys, box_and_pseudonym_round_trip)
{
	struct bp_key pk, sk, ps, l1, l2, l3;

	cr_assert_eq(bp_key_gen_box(&pk, &sk), 0);
	cr_assert_eq(bp_key_gen_pseudonym(&ps), 0);
	cr_assert_eq(bp_key_save(path_of("central.box.pk"), &pk, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(bp_key_save(path_of("central.box.sk"), &sk, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(bp_key_save(path_of("pseudonym.key"), &ps, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(bp_key_load(path_of("central.box.pk"), BP_KEY_BOX_PK, &l1, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(bp_key_load(path_of("central.box.sk"), BP_KEY_BOX_SK, &l2, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(bp_key_load(path_of("pseudonym.key"), BP_KEY_PSEUDONYM, &l3, err, sizeof(err)), 0, "%s", err);
	cr_expect(bp_key_equal(&pk, &l1));
	cr_expect(bp_key_equal(&sk, &l2));
	cr_expect(bp_key_equal(&ps, &l3));
	cr_expect_str_eq(l2.kommune, "");
	bp_key_free(&pk);
	bp_key_free(&sk);
	bp_key_free(&ps);
	bp_key_free(&l1);
	bp_key_free(&l2);
	bp_key_free(&l3);
}

Test(keys, group_readable_secret_is_refused_with_clear_message)
{
	struct bp_key pk, sk, l;
	cr_assert_eq(bp_key_gen_box(&pk, &sk), 0);
	cr_assert_eq(bp_key_save(path_of("central.box.sk"), &sk, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(chmod(path_of("central.box.sk"), 0644), 0);
	errno = 0;
	cr_expect_eq(bp_key_load(path_of("central.box.sk"), BP_KEY_BOX_SK, &l, err, sizeof(err)), -1);
	cr_expect_eq(errno, EPERM);
	cr_expect_not_null(strstr(err, "mode 0644"), "%s", err);
	cr_expect_not_null(strstr(err, path_of("central.box.sk")), "%s", err);
	cr_expect_null(l.bytes);
	cr_assert_eq(chmod(path_of("central.box.sk"), 0640), 0);
	cr_expect_eq(bp_key_load(path_of("central.box.sk"), BP_KEY_BOX_SK, &l, err, sizeof(err)), -1);
	cr_expect_not_null(strstr(err, "mode 0640"), "%s", err);
	cr_assert_eq(chmod(path_of("central.box.sk"), 0400), 0);
	cr_expect_eq(bp_key_load(path_of("central.box.sk"), BP_KEY_BOX_SK, &l, err, sizeof(err)), 0, "%s", err);
	bp_key_free(&l);
	bp_key_free(&pk);
	bp_key_free(&sk);
}

/* A secret key owned by another user (who could replace it) is refused
 * (issue 10, item 8). Needs root to give the file away; CI runs as root. */
Test(keys, secret_owned_by_another_user_is_refused)
{
	struct bp_key pk, sk, l;
	if (geteuid() != 0)
		cr_skip_test("needs root to chown a file to another user");
	cr_assert_eq(bp_key_gen_box(&pk, &sk), 0);
	cr_assert_eq(bp_key_save(path_of("central.box.sk"), &sk, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(bp_key_load(path_of("central.box.sk"), BP_KEY_BOX_SK, &l, err, sizeof(err)), 0,
	    "%s", err);
	bp_key_free(&l);
	cr_assert_eq(chown(path_of("central.box.sk"), 65534, (gid_t)-1), 0);
	errno = 0;
	cr_expect_eq(bp_key_load(path_of("central.box.sk"), BP_KEY_BOX_SK, &l, err, sizeof(err)), -1);
	cr_expect_eq(errno, EPERM);
	cr_expect_not_null(strstr(err, "owned by uid 65534"), "%s", err);
	cr_expect_null(l.bytes);
	/* A public key may be owned by anyone. */
	cr_assert_eq(bp_key_save(path_of("central.box.pk"), &pk, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(chown(path_of("central.box.pk"), 65534, (gid_t)-1), 0);
	cr_expect_eq(bp_key_load(path_of("central.box.pk"), BP_KEY_BOX_PK, &l, err, sizeof(err)), 0,
	    "%s", err);
	bp_key_free(&l);
	bp_key_free(&pk);
	bp_key_free(&sk);
}

Test(keys, wrong_algorithm_is_refused)
{
	struct bp_key pk, sk, l;
	cr_assert_eq(bp_key_gen_sign(&pk, &sk, "1103"), 0);
	cr_assert_eq(bp_key_save(path_of("k.pk"), &pk, err, sizeof(err)), 0, "%s", err);
	errno = 0;
	cr_expect_eq(bp_key_load(path_of("k.pk"), BP_KEY_BOX_PK, &l, err, sizeof(err)), -1);
	cr_expect_eq(errno, EINVAL);
	cr_expect_not_null(strstr(err, "Ed25519 signing public key"), "%s", err);
	cr_expect_null(l.bytes);
	bp_key_free(&pk);
	bp_key_free(&sk);
}

Test(keys, truncated_damaged_and_foreign_files_are_refused)
{
	struct bp_key pk, sk, l;
	uint8_t buf[256];
	cr_assert_eq(bp_key_gen_sign(&pk, &sk, "1103"), 0);
	cr_assert_eq(bp_key_save(path_of("k.pk"), &pk, err, sizeof(err)), 0, "%s", err);
	/* The binary form of earlier versions, whole and damaged. */
	size_t n = image_of(path_of("k.pk"), buf, sizeof(buf));
	put_bytes(path_of("k.pk"), buf, n);
	cr_assert_eq(bp_key_load(path_of("k.pk"), BP_KEY_SIGN_PK, &l, err, sizeof(err)), 0, "%s", err);
	cr_expect(bp_key_equal(&l, &pk));
	bp_key_free(&l);

	cr_assert_eq(truncate(path_of("k.pk"), (off_t)n - 1), 0);
	cr_expect_eq(bp_key_load(path_of("k.pk"), BP_KEY_SIGN_PK, &l, err, sizeof(err)), -1);
	cr_expect_not_null(strstr(err, "truncated"), "%s", err);

	cr_assert_eq(truncate(path_of("k.pk"), 0), 0);
	cr_expect_eq(bp_key_load(path_of("k.pk"), BP_KEY_SIGN_PK, &l, err, sizeof(err)), -1);

	/* A flipped key bit no longer matches the key id. */
	buf[n - 1] ^= 1;
	FILE *f = fopen(path_of("flip.pk"), "wb");
	cr_assert_not_null(f);
	fwrite(buf, 1, n, f);
	fclose(f);
	cr_expect_eq(bp_key_load(path_of("flip.pk"), BP_KEY_SIGN_PK, &l, err, sizeof(err)), -1);
	cr_expect_not_null(strstr(err, "key id"), "%s", err);

	/* A symbolic link is not followed. */
	cr_assert_eq(symlink("flip.pk", path_of("link.pk")), 0);
	cr_expect_eq(bp_key_load(path_of("link.pk"), BP_KEY_SIGN_PK, &l, err, sizeof(err)), -1);
	cr_expect_not_null(strstr(err, "symbolic link"), "%s", err);

	errno = 0;
	cr_expect_eq(bp_key_load(path_of("missing.pk"), BP_KEY_SIGN_PK, &l, err, sizeof(err)), -1);
	cr_expect_eq(errno, ENOENT);
	bp_key_free(&pk);
	bp_key_free(&sk);
}

Test(keys, save_never_replaces_unless_asked)
{
	struct bp_key a, as, b, bs, l;
	cr_assert_eq(bp_key_gen_sign(&a, &as, "0301"), 0);
	cr_assert_eq(bp_key_gen_sign(&b, &bs, "0301"), 0);
	cr_assert_eq(bp_key_save(path_of("0301.sign.pk"), &a, err, sizeof(err)), 0, "%s", err);
	errno = 0;
	cr_expect_eq(bp_key_save(path_of("0301.sign.pk"), &b, err, sizeof(err)), -1);
	cr_expect_eq(errno, EEXIST);
	cr_assert_eq(bp_key_load(path_of("0301.sign.pk"), BP_KEY_SIGN_PK, &l, err, sizeof(err)), 0);
	cr_expect(bp_key_equal(&l, &a));
	bp_key_free(&l);
	cr_assert_eq(bp_key_save_replace(path_of("0301.sign.pk"), &b, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(bp_key_load(path_of("0301.sign.pk"), BP_KEY_SIGN_PK, &l, err, sizeof(err)), 0);
	cr_expect(bp_key_equal(&l, &b));
	cr_expect_not(bp_key_equal(&l, &a));
	bp_key_free(&l);
	bp_key_free(&a);
	bp_key_free(&as);
	bp_key_free(&b);
	bp_key_free(&bs);
}

Test(keys, gen_sign_rejects_bad_kommune)
{
	struct bp_key pk, sk;
	cr_expect_eq(bp_key_gen_sign(&pk, &sk, "301"), -1);
	cr_expect_eq(bp_key_gen_sign(&pk, &sk, "03a1"), -1);
	cr_assert_eq(bp_key_gen_sign(&pk, &sk, NULL), 0);
	cr_expect_str_eq(pk.kommune, "");
	bp_key_free(&pk);
	bp_key_free(&sk);
}

/* Saves a fresh public signing key of kommune under name in dir. */
static void
put_key(const char *name, const char *kommune, struct bp_key *keep)
{
	struct bp_key pk, sk;
	cr_assert_eq(bp_key_gen_sign(&pk, &sk, kommune), 0);
	cr_assert_eq(bp_key_save(path_of(name), &pk, err, sizeof(err)), 0, "%s", err);
	if (keep)
		*keep = pk;
	else
		bp_key_free(&pk);
	bp_key_free(&sk);
}

Test(keys, keyring_loads_and_finds)
{
	struct bp_keyring *kr;
	struct bp_key a, b;
	put_key("0301.sign.pk", "0301", &a);
	put_key("1103.sign.pk", "1103", &b);
	put_key(".0000.sign.pk.12345678.tmp", "0000", NULL);
	cr_assert_eq(bp_keyring_load(dir, &kr, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(bp_keyring_count(kr), 2);
	const struct bp_key *f = bp_keyring_find(kr, "1103");
	cr_assert_not_null(f);
	cr_expect(bp_key_equal(f, &b));
	f = bp_keyring_find(kr, "0301");
	cr_assert_not_null(f);
	cr_expect(bp_key_equal(f, &a));
	cr_expect_null(bp_keyring_find(kr, "0000"));
	cr_expect_null(bp_keyring_find(kr, "5001"));
	bp_keyring_free(kr);
	bp_key_free(&a);
	bp_key_free(&b);
}

Test(keys, keyring_refuses_key_under_another_kommunes_name)
{
	struct bp_keyring *kr = (void *)1;
	put_key("0301.sign.pk", "1103", NULL);
	cr_expect_eq(bp_keyring_load(dir, &kr, err, sizeof(err)), -1);
	cr_expect_null(kr);
	cr_expect_not_null(strstr(err, "0301.sign.pk"), "%s", err);
}

Test(keys, keyring_refuses_foreign_file)
{
	struct bp_keyring *kr;
	put_key("0301.sign.pk", "0301", NULL);
	FILE *f = fopen(path_of("README"), "w");
	cr_assert_not_null(f);
	fputs("hello\n", f);
	fclose(f);
	cr_expect_eq(bp_keyring_load(dir, &kr, err, sizeof(err)), -1);
	cr_expect_not_null(strstr(err, "README"), "%s", err);
}

Test(keys, keyring_of_empty_dir)
{
	struct bp_keyring *kr;
	cr_assert_eq(bp_keyring_load(dir, &kr, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(bp_keyring_count(kr), 0);
	cr_expect_null(bp_keyring_find(kr, "0301"));
	bp_keyring_free(kr);
}

Test(keys, daemon_key_has_no_owner_and_is_not_a_kommune_key)
{
	struct bp_keyring *kr;
	struct bp_key pk, sk, l;
	uint8_t buf[64];
	cr_assert_eq(bp_key_gen_sign(&pk, &sk, NULL), 0);
	cr_assert_eq(bp_key_save(path_of("daemon.sign.sk"), &sk, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(bp_key_save(path_of("0301.sign.pk"), &pk, err, sizeof(err)), 0, "%s", err);
	size_t n = image_of(path_of("0301.sign.pk"), buf, sizeof(buf));
	cr_assert_eq(n, 50);
	cr_expect(buf[14] == 0 && buf[15] == 0 && buf[16] == 0 && buf[17] == 0);
	cr_assert_eq(bp_key_load(path_of("daemon.sign.sk"), BP_KEY_SIGN_SK, &l, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(l.kommune, "");
	bp_key_free(&l);
	cr_assert_eq(unlink(path_of("daemon.sign.sk")), 0);
	/* A key without owner is not kommune 0301's key. */
	cr_expect_eq(bp_keyring_load(dir, &kr, err, sizeof(err)), -1);
	bp_key_free(&pk);
	bp_key_free(&sk);
}

Test(keys, owner_only_on_signing_keys)
{
	struct bp_key pk, sk;
	cr_assert_eq(bp_key_gen_box(&pk, &sk), 0);
	memcpy(pk.kommune, "0301", 5);
	cr_expect_eq(bp_key_save(path_of("x.pk"), &pk, err, sizeof(err)), -1);
	cr_expect_neq(access(path_of("x.pk"), F_OK), 0);
	bp_key_free(&pk);
	bp_key_free(&sk);
}

/* Retired keys: kept by bp_retired_keep under KEYS/retired/, found latest
 * replaced first, a second replacement in the same second on the next
 * free name; a name not of the form NNNN.T.sign.pk is refused. */
Test(keys, retired_keys_kept_and_found_latest_first)
{
	struct bp_retired *r;
	struct bp_key a, b, c, d;
	char rdir[4096], p[4096];
	const struct bp_key *f;
	int64_t at = 0;
	put_key("a.pk", "4601", &a);
	put_key("b.pk", "4601", &b);
	put_key("c.pk", "0301", &c);
	put_key("d.pk", "4601", &d);
	snprintf(rdir, sizeof(rdir), "%s/retired", dir);
	cr_assert_eq(bp_retired_load(rdir, &r, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(bp_retired_count(r), 0, "no directory: no retired key");
	bp_retired_free(r);
	cr_assert_eq(bp_retired_keep(dir, &a, 1000, p, sizeof(p), err, sizeof(err)), 0, "%s", err);
	cr_expect_not_null(strstr(p, "/retired/4601.1000.sign.pk"), "%s", p);
	cr_assert_eq(bp_retired_keep(dir, &b, 1000, p, sizeof(p), err, sizeof(err)), 0, "%s", err);
	cr_expect_not_null(strstr(p, "/retired/4601.1001.sign.pk"), "%s", p);
	cr_assert_eq(bp_retired_keep(dir, &c, 5, p, sizeof(p), err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(bp_retired_keep(dir, &d, 999, p, sizeof(p), err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(bp_retired_load(rdir, &r, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(bp_retired_count(r), 4);
	cr_assert_not_null(f = bp_retired_nth(r, "4601", 0, &at));
	cr_expect(bp_key_equal(f, &b));
	cr_expect_eq(at, 1001);
	cr_assert_not_null(f = bp_retired_nth(r, "4601", 1, &at));
	cr_expect(bp_key_equal(f, &a));
	cr_expect_eq(at, 1000);
	cr_assert_not_null(f = bp_retired_nth(r, "4601", 2, &at));
	cr_expect(bp_key_equal(f, &d));
	cr_expect_eq(at, 999);
	cr_expect_null(bp_retired_nth(r, "4601", 3, &at));
	cr_assert_not_null(f = bp_retired_nth(r, "0301", 0, &at));
	cr_expect(bp_key_equal(f, &c));
	cr_expect_null(bp_retired_nth(r, "0301", 1, &at));
	cr_expect_null(bp_retired_nth(r, "1103", 0, &at));
	bp_retired_free(r);
	/* no set loaded (bp_retired_load failed, or never called): none */
	cr_expect_null(bp_retired_nth(NULL, "4601", 0, &at));
	cr_expect_eq(bp_retired_count(NULL), 0);
	/* names that are not NNNN.T.sign.pk */
	const char *bad[] = { "4601.sign.pk", "4601..sign.pk", "4601.12a.sign.pk",
		"460.12.sign.pk", "4601.1234567890123456789.sign.pk", "4601.12.sign.sk" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		snprintf(p, sizeof(p), "%s/%s", rdir, bad[i]);
		cr_assert_eq(bp_key_save(p, &a, err, sizeof(err)), 0, "%s", err);
		cr_expect_eq(bp_retired_load(rdir, &r, err, sizeof(err)), -1, "%s accepted", bad[i]);
		cr_expect_not_null(strstr(err, "not a retired key name"), "%s: %s", bad[i], err);
		unlink(p);
	}
	/* a key under another kommune's name */
	snprintf(p, sizeof(p), "%s/0301.7.sign.pk", rdir);
	cr_assert_eq(bp_key_save(p, &a, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(bp_retired_load(rdir, &r, err, sizeof(err)), -1);
	cr_expect_not_null(strstr(err, "another kommune"), "%s", err);
	bp_key_free(&a);
	bp_key_free(&b);
	bp_key_free(&c);
	bp_key_free(&d);
}
