/* keys.c - key files and key generation; see keys.h and bpagg-submission(5). */
#include "keys.h"
#include "io.h"
#include "keytext.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "le.h"

static const uint8_t key_magic[4] = { 'B', 'P', 'K', '1' };

int
bp_key_alg_secret(enum bp_key_alg alg)
{
	return alg == BP_KEY_BOX_SK || alg == BP_KEY_SIGN_SK || alg == BP_KEY_PSEUDONYM;
}

const char *
bp_key_alg_name(enum bp_key_alg alg)
{
	switch (alg) {
	case BP_KEY_BOX_PK: return "X25519 encryption public key";
	case BP_KEY_BOX_SK: return "X25519 encryption secret key";
	case BP_KEY_SIGN_PK: return "Ed25519 signing public key";
	case BP_KEY_SIGN_SK: return "Ed25519 signing secret key";
	case BP_KEY_PSEUDONYM: return "pseudonym key";
	}
	return "unknown key type";
}

/* The key length of an algorithm, 0 for an unknown id. */
static size_t
alg_len(uint16_t alg)
{
	switch (alg) {
	case BP_KEY_BOX_PK: return crypto_box_PUBLICKEYBYTES;
	case BP_KEY_BOX_SK: return crypto_box_SECRETKEYBYTES;
	case BP_KEY_SIGN_PK: return crypto_sign_PUBLICKEYBYTES;
	case BP_KEY_SIGN_SK: return crypto_sign_SECRETKEYBYTES;
	case BP_KEY_PSEUDONYM: return 32;
	}
	return 0;
}

/* The key id: the first 8 bytes of BLAKE2b-256 of data. */
static void
key_id(const uint8_t *data, size_t len, uint8_t id[BP_KEY_ID_BYTES])
{
	uint8_t h[32];
	crypto_generichash(h, sizeof(h), data, len, NULL, 0);
	memcpy(id, h, BP_KEY_ID_BYTES);
}

/*
 * Computes the id a key must carry: of the public key (derived from the
 * secret for secret keys) or of the pseudonym key itself. Returns 0, or -1
 * when a secret key is internally inconsistent.
 */
static int
expected_id(enum bp_key_alg alg, const uint8_t *b, uint8_t id[BP_KEY_ID_BYTES])
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t *sk2 = NULL;
	int ret = -1;

	switch (alg) {
	case BP_KEY_BOX_PK:
	case BP_KEY_SIGN_PK:
	case BP_KEY_PSEUDONYM:
		key_id(b, 32, id);
		return 0;
	case BP_KEY_BOX_SK:
		if (crypto_scalarmult_base(pk, b) != 0)
			goto out;
		break;
	case BP_KEY_SIGN_SK:
		/* The libsodium layout is seed || pk: regenerate and compare. */
		if (!(sk2 = sodium_malloc(crypto_sign_SECRETKEYBYTES)))
			goto out;
		crypto_sign_seed_keypair(pk, sk2, b);
		if (sodium_memcmp(sk2, b, crypto_sign_SECRETKEYBYTES) != 0)
			goto out;
		break;
	default:
		goto out;
	}
	key_id(pk, sizeof(pk), id);
	ret = 0;
out:
	if (sk2)
		sodium_free(sk2);
	return ret;
}

/* Checks the 4-byte owner field: four digits (signing keys only) or zeros. */
static int
owner_ok(enum bp_key_alg alg, const uint8_t o[4], char kommune[5])
{
	if (!o[0] && !o[1] && !o[2] && !o[3]) {
		kommune[0] = '\0';
		return 1;
	}
	if (alg != BP_KEY_SIGN_PK && alg != BP_KEY_SIGN_SK)
		return 0;
	for (int i = 0; i < 4; i++) {
		if (o[i] < '0' || o[i] > '9')
			return 0;
		kommune[i] = (char)o[i];
	}
	kommune[4] = '\0';
	return 1;
}

/* Allocates n key bytes: sodium_malloc for secrets, malloc otherwise. */
static uint8_t *
key_alloc(enum bp_key_alg alg, size_t n)
{
	return bp_key_alg_secret(alg) ? sodium_malloc(n) : malloc(n);
}

void
bp_key_free(struct bp_key *k)
{
	if (!k || !k->bytes)
		return;
	if (bp_key_alg_secret(k->alg))
		sodium_free(k->bytes);
	else
		free(k->bytes);
	k->bytes = NULL;
	k->len = 0;
}

/* Opens path for reading, refusing links, non-regular files and oversized
 * files. Returns the fd or -1. */
static int
open_key_file(const char *path, struct stat *st, char *err, size_t errlen)
{
	int fd = bp_open_regular(AT_FDCWD, path, O_RDONLY, 0, BP_KEY_FILE_MAX, st);
	int e = errno;
	if (fd >= 0)
		return fd;
	if (e == EINVAL)
		snprintf(err, errlen, "%s: not a regular file", path);
	else if (e == EFBIG)
		snprintf(err, errlen, "%s: too large for a key file", path);
	else
		snprintf(err, errlen, "%s: %s", path,
		    e == ELOOP ? "is a symbolic link (refused)" : strerror(e));
	errno = e == EFBIG ? EINVAL : e;
	return -1;
}

/* Whether the folder that holds path belongs to uid. */
static bool
folder_owned_by(const char *path, uid_t uid)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if (snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path) >= (int)sizeof(dir))
		return false;
	return stat(dir, &st) == 0 && st.st_uid == uid;
}

/* Refuses a secret key file another user could replace or anyone else can
 * read. Returns 0, or -1 with err and errno EPERM. */
static int
secret_file_ok(const char *path, const struct stat *st, char *err, size_t errlen)
{
	/* Like ssh with its keys: a secret owned by another user (who could
	 * replace it) is refused; root's own files are accepted. Root also
	 * takes the keys of the user whose key folder it is (bpagg init
	 * --user gives the daemon's user its keys and folders): that user can
	 * replace them, but holds them already, so it gains nothing. */
	bool root = geteuid() == 0;
	if (st->st_uid != geteuid() && st->st_uid != 0 &&
	    !(root && folder_owned_by(path, st->st_uid))) {
		if (root)
			snprintf(err, errlen, "%s: secret key file is owned by uid %u, neither "
			    "root nor the owner of its folder", path, (unsigned)st->st_uid);
		else
			snprintf(err, errlen, "%s: secret key file is owned by uid %u, not by this "
			    "user (uid %u) or root", path, (unsigned)st->st_uid,
			    (unsigned)geteuid());
		errno = EPERM;
		return -1;
	}
	if (st->st_mode & 077) {
		snprintf(err, errlen, "%s: secret key file has mode %04o; it must be "
		    "readable by its owner only (chmod 600 %s)", path,
		    (unsigned)(st->st_mode & 07777), path);
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* Parses a key file image of len bytes into k (whose alg must be alg). */
static int
parse_key(const char *path, const uint8_t *buf, size_t len, enum bp_key_alg alg,
    struct bp_key *k, char *err, size_t errlen)
{
	uint8_t id[BP_KEY_ID_BYTES];

	if (len < BP_KEY_HEADER_BYTES || memcmp(buf, key_magic, 4) != 0) {
		snprintf(err, errlen, "%s: not a bpagg key file (bad magic or truncated)", path);
		return -1;
	}
	uint16_t file_alg = bp_load16(buf + 4);
	if (file_alg != (uint16_t)alg) {
		snprintf(err, errlen, "%s: wrong kind of key (found: %s; expected: %s)", path,
		    bp_key_alg_name((enum bp_key_alg)file_alg), bp_key_alg_name(alg));
		return -1;
	}
	size_t n = alg_len(file_alg);
	if (len != BP_KEY_HEADER_BYTES + n) {
		snprintf(err, errlen, "%s: truncated or damaged key file (%zu bytes, expected %zu)",
		    path, len, BP_KEY_HEADER_BYTES + n);
		return -1;
	}
	if (!owner_ok(alg, buf + 14, k->kommune)) {
		snprintf(err, errlen, "%s: damaged key file (bad owner field)", path);
		return -1;
	}
	if (!(k->bytes = key_alloc(alg, n))) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	memcpy(k->bytes, buf + BP_KEY_HEADER_BYTES, n);
	k->len = n;
	k->alg = alg;
	memcpy(k->id, buf + 6, BP_KEY_ID_BYTES);
	if (expected_id(alg, k->bytes, id) < 0 || sodium_memcmp(id, k->id, sizeof(id)) != 0) {
		snprintf(err, errlen, "%s: damaged key file (key id does not match the key)", path);
		bp_key_free(k);
		return -1;
	}
	return 0;
}

/*
 * Says (in err) that the file holds another kind of key than alg, when its
 * image names a known algorithm that is not alg: a public key given where
 * the secret one is wanted gets this, not advice about its permissions.
 * Returns 1 when said, else 0.
 */
static int
other_kind(const char *path, const uint8_t *img, size_t len, enum bp_key_alg alg,
    char *err, size_t errlen)
{
	if (len < 6 || memcmp(img, key_magic, 4) != 0)
		return 0;
	uint16_t found = bp_load16(img + 4);
	if (found == (uint16_t)alg || !alg_len(found))
		return 0;
	snprintf(err, errlen, "%s: wrong kind of key: this is %s %s, not %s %s", path,
	    bp_key_alg_secret((enum bp_key_alg)found) ? "a secret key, the" : "a public key, the",
	    bp_key_alg_name((enum bp_key_alg)found),
	    bp_key_alg_secret(alg) ? "the secret key wanted here, the" : "the public key wanted here, the",
	    bp_key_alg_name(alg));
	return 1;
}

int
bp_key_load(const char *path, enum bp_key_alg alg, struct bp_key *k, char *err, size_t errlen)
{
	uint8_t buf[BP_KEY_FILE_MAX + 1], img[BP_KEY_FILE_MAX];
	struct stat st;
	size_t len;
	int ret = -1, e = EINVAL, text = 0;
	int fd = -1;

	memset(k, 0, sizeof(*k));
	k->alg = alg;
	if (!alg_len(alg)) {
		snprintf(err, errlen, "%s: unknown key algorithm requested", path);
		errno = EINVAL;
		return -1;
	}
	if ((fd = open_key_file(path, &st, err, errlen)) < 0)
		return -1;
	ssize_t n = bp_read_full(fd, buf, sizeof(buf));
	if (n < 0) {
		e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		goto out;
	}
	if (bp_key_text_decode(path, (const char *)buf, (size_t)n, img, &len, &text,
	    err, errlen) < 0)
		goto out;
	if (other_kind(path, img, len, alg, err, errlen))
		goto out;
	if (bp_key_alg_secret(alg) && secret_file_ok(path, &st, err, errlen) < 0) {
		e = EPERM;
		goto out;
	}
	if (text && bp_key_alg_secret(alg)) {
		/* bpagg writes secrets only as binary files: a text secret has
		 * been pasted somewhere and is not taken. */
		snprintf(err, errlen, "%s: a secret key in text form is refused (secret keys "
		    "are binary files written by bpagg)", path);
		goto out;
	}
	if (parse_key(path, img, len, alg, k, err, errlen) < 0)
		goto out;
	ret = 0;
out:
	sodium_memzero(buf, sizeof(buf));
	sodium_memzero(img, sizeof(img));
	close(fd);
	if (ret < 0)
		errno = e;
	return ret;
}

/* Encodes k into buf (BP_KEY_HEADER_BYTES + k->len bytes). */
static void
encode_key(const struct bp_key *k, uint8_t *buf)
{
	memcpy(buf, key_magic, 4);
	bp_store16(buf + 4, (uint16_t)k->alg);
	memcpy(buf + 6, k->id, BP_KEY_ID_BYTES);
	memset(buf + 14, 0, 4);
	if (k->kommune[0])
		memcpy(buf + 14, k->kommune, 4);
	memcpy(buf + BP_KEY_HEADER_BYTES, k->bytes, k->len);
}

/* Builds "DIR/.BASE.XXXXXXXX.tmp" for path into tmp. Returns 0 or -1. */
static int
temp_name(const char *path, char *tmp, size_t tmplen)
{
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path + 1) : 0;
	const char *base = slash ? slash + 1 : path;
	int n = snprintf(tmp, tmplen, "%.*s.%s.%08x.tmp", dirlen, path, base,
	    (unsigned)randombytes_random());
	return (n < 0 || (size_t)n >= tmplen) ? -1 : 0;
}

void
bp_key_comment(const struct bp_key *k, char *out, size_t outlen)
{
	switch (k->alg) {
	case BP_KEY_SIGN_PK:
		if (k->kommune[0])
			snprintf(out, outlen, "bpagg kommune %s signing public key", k->kommune);
		else
			snprintf(out, outlen, "bpagg daemon signing public key (receipts, "
			    "suppression log)");
		return;
	case BP_KEY_BOX_PK:
		snprintf(out, outlen, "bpagg central encryption public key (seal --to)");
		return;
	default:
		snprintf(out, outlen, "bpagg %s", bp_key_alg_name(k->alg));
	}
}

/* The bytes of k's file into out (capacity BP_KEY_TEXT_MAX): the text form
 * of a public key, the binary image of a secret. Returns the length. */
static size_t
file_bytes(const struct bp_key *k, uint8_t *out)
{
	uint8_t img[BP_KEY_HEADER_BYTES + crypto_sign_SECRETKEYBYTES];
	char comment[128];
	size_t n = BP_KEY_HEADER_BYTES + k->len;

	encode_key(k, img);
	if (bp_key_alg_secret(k->alg)) {
		memcpy(out, img, n);
	} else {
		bp_key_comment(k, comment, sizeof(comment));
		n = bp_key_text_encode(img, n, comment, (char *)out, BP_KEY_TEXT_MAX);
	}
	sodium_memzero(img, sizeof(img));
	return n;
}

static int
key_save(const char *path, const struct bp_key *k, int replace, char *err, size_t errlen)
{
	uint8_t buf[BP_KEY_TEXT_MAX];
	char tmp[4096];
	int secret = bp_key_alg_secret(k->alg);
	int fd = -1, ret = -1, e = 0, made = 0;
	size_t len;

	if (!k->bytes || k->len != alg_len(k->alg) || (k->kommune[0] &&
	    k->alg != BP_KEY_SIGN_PK && k->alg != BP_KEY_SIGN_SK)) {
		snprintf(err, errlen, "%s: refusing to write an invalid key", path);
		errno = EINVAL;
		return -1;
	}
	if (temp_name(path, tmp, sizeof(tmp)) < 0) {
		snprintf(err, errlen, "%s: path too long", path);
		errno = ENAMETOOLONG;
		return -1;
	}
	len = file_bytes(k, buf);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, secret ? 0600 : 0644);
	if (fd < 0)
		goto fail;
	made = 1;
	if (fchmod(fd, secret ? 0600 : 0644) < 0 ||
	    bp_write_full(fd, buf, len) < 0 || fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (replace ? rename(tmp, path) < 0 : link(tmp, path) < 0)
		goto fail;
	if (!replace)
		unlink(tmp);
	made = 0;
	ret = 0;
	goto out;
fail:
	e = errno;
	snprintf(err, errlen, "%s: %s", path, e == EEXIST ? "already exists" : strerror(e));
out:
	sodium_memzero(buf, sizeof(buf));
	if (fd >= 0)
		close(fd);
	if (made)
		unlink(tmp);
	if (ret < 0)
		errno = e;
	return ret;
}

int
bp_key_save(const char *path, const struct bp_key *k, char *err, size_t errlen)
{
	return key_save(path, k, 0, err, errlen);
}

int
bp_key_save_replace(const char *path, const struct bp_key *k, char *err, size_t errlen)
{
	return key_save(path, k, 1, err, errlen);
}

int
bp_key_equal(const struct bp_key *a, const struct bp_key *b)
{
	return a->alg == b->alg && a->len == b->len && a->bytes && b->bytes &&
	    strcmp(a->kommune, b->kommune) == 0 &&
	    sodium_memcmp(a->bytes, b->bytes, a->len) == 0;
}

/* Fills a fresh key of alg with len bytes of storage. Returns 0 or -1. */
static int
key_init(struct bp_key *k, enum bp_key_alg alg)
{
	memset(k, 0, sizeof(*k));
	k->alg = alg;
	k->len = alg_len(alg);
	if (!(k->bytes = key_alloc(alg, k->len)))
		return -1;
	return 0;
}

/* Generates a box key pair; the caller frees both with bp_key_free. */
int
bp_key_gen_box(struct bp_key *pk, struct bp_key *sk)
{
	if (key_init(pk, BP_KEY_BOX_PK) < 0 || key_init(sk, BP_KEY_BOX_SK) < 0) {
		bp_key_free(pk);
		return -1;
	}
	crypto_box_keypair(pk->bytes, sk->bytes);
	key_id(pk->bytes, pk->len, pk->id);
	memcpy(sk->id, pk->id, BP_KEY_ID_BYTES);
	return 0;
}

/* Generates a signing key pair owned by kommune ("NNNN", or NULL / "" for the
 * daemon's key); the caller frees both with bp_key_free. */
int
bp_key_gen_sign(struct bp_key *pk, struct bp_key *sk, const char *kommune)
{
	if (kommune && *kommune && (strlen(kommune) != 4 ||
	    strspn(kommune, "0123456789") != 4)) {
		memset(pk, 0, sizeof(*pk));
		memset(sk, 0, sizeof(*sk));
		return -1;
	}
	if (key_init(pk, BP_KEY_SIGN_PK) < 0 || key_init(sk, BP_KEY_SIGN_SK) < 0) {
		bp_key_free(pk);
		return -1;
	}
	crypto_sign_keypair(pk->bytes, sk->bytes);
	key_id(pk->bytes, pk->len, pk->id);
	memcpy(sk->id, pk->id, BP_KEY_ID_BYTES);
	if (kommune && *kommune) {
		memcpy(pk->kommune, kommune, 5);
		memcpy(sk->kommune, kommune, 5);
	}
	return 0;
}

/* Generates a pseudonym key; the caller frees it with bp_key_free. */
int
bp_key_gen_pseudonym(struct bp_key *k)
{
	if (key_init(k, BP_KEY_PSEUDONYM) < 0)
		return -1;
	randombytes_buf(k->bytes, k->len);
	key_id(k->bytes, k->len, k->id);
	return 0;
}

int
bp_key_sign_public(const struct bp_key *sk, struct bp_key *pk)
{
	memset(pk, 0, sizeof(*pk));
	if (sk->alg != BP_KEY_SIGN_SK || !sk->bytes || key_init(pk, BP_KEY_SIGN_PK) < 0)
		return -1;
	crypto_sign_ed25519_sk_to_pk(pk->bytes, sk->bytes);
	key_id(pk->bytes, pk->len, pk->id);
	memcpy(pk->kommune, sk->kommune, sizeof(pk->kommune));
	return 0;
}

int
bp_key_dir_make(const char *dir, char *err, size_t errlen)
{
	char parent[PATH_MAX];
	const char *slash = strrchr(dir, '/'), *name = slash ? slash + 1 : dir;
	struct stat pst, st;
	int pfd, rc = -1;

	if (snprintf(parent, sizeof(parent), "%.*s", slash ? (int)(slash - dir) : 1,
	    slash ? (slash == dir ? "/" : dir) : ".") >= (int)sizeof(parent)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	if ((pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fstat(pfd, &pst) < 0) {
		snprintf(err, errlen, "%s: %s", parent, strerror(errno));
		goto out;
	}
	if (mkdirat(pfd, name, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		goto out;
	}
	/* Only root's own folder is given away, never another user's (also
	 * one that root made before this was done). */
	if (geteuid() == 0 && fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISDIR(st.st_mode) && st.st_uid == 0 && pst.st_uid != 0 &&
	    fchownat(pfd, name, pst.st_uid, pst.st_gid, AT_SYMLINK_NOFOLLOW) < 0) {
		snprintf(err, errlen, "%s: cannot give it the owner of %s: %s", dir, parent,
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (pfd >= 0)
		close(pfd);
	return rc;
}
