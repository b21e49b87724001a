/*
 * keys.h - key files (documented in bpagg-submission(5)).
 *
 * A key's image is a small versioned binary: magic "BPK1", a two-byte
 * little-endian algorithm id, an 8-byte key id (first 8 bytes of
 * BLAKE2b-256 of the public key, or of the key itself for the pseudonym
 * key), a 4-byte owner (the kommunenummer in ASCII for kommune signing
 * keys, four zero bytes otherwise), then the key bytes: exactly 18 bytes
 * plus the key length of the algorithm.
 *
 * Public keys are written as text (keytext.h): a line "untrusted comment:
 * ..." and the image in base64, so they can be mailed and pasted. Secret
 * keys are written as the binary image: they never leave their machine,
 * and a text form would invite pasting them into mail. Both forms are
 * read (the binary public key files of earlier versions too). Secret files
 * must be mode 0600 (no group or world bits) and are refused otherwise;
 * secrets live in sodium_malloc memory and are wiped when freed.
 */
#ifndef BP_KEYS_H
#define BP_KEYS_H

#include <stddef.h>
#include <stdint.h>

enum bp_key_alg {
	BP_KEY_BOX_PK = 0x0101,   /* X25519 public (central.box.pk) */
	BP_KEY_BOX_SK = 0x0102,   /* X25519 secret (central.box.sk) */
	BP_KEY_SIGN_PK = 0x0201,  /* Ed25519 public (daemon / kommune) */
	BP_KEY_SIGN_SK = 0x0202,  /* Ed25519 secret (64 bytes, libsodium layout) */
	BP_KEY_PSEUDONYM = 0x0301 /* 32 random bytes */
};

#define BP_KEY_ID_BYTES 8
#define BP_KEY_HEADER_BYTES 18 /* magic, alg, id, owner */
#define BP_KEY_FILE_MAX 4096   /* no key file is larger than this */
#define BP_KEY_FPR_BYTES 16    /* of BLAKE2b-256(public key) in a fingerprint */
#define BP_KEY_FPR_SIZE 40     /* "xxxx xxxx xxxx xxxx xxxx xxxx xxxx xxxx" + NUL */

/* A loaded key. For secrets, bytes points into sodium_malloc memory. */
struct bp_key {
	enum bp_key_alg alg;
	uint8_t id[BP_KEY_ID_BYTES];
	uint8_t *bytes;    /* owned; freed (and wiped) by bp_key_free */
	size_t len;
	char kommune[5];   /* for kommune signing keys: "NNNN", else "" */
};

/*
 * Loads a key file, which must hold a key of algorithm alg. Secret files
 * with group/world permission bits are refused. On error returns -1 and a
 * message (naming the file, never key material) in err, and errno set:
 * ENOENT (missing), EPERM (a secret file open to group or world), EINVAL
 * (not a key of alg: wrong algorithm, size, magic or inconsistent key id),
 * or the errno of a failed system call. The caller frees the key with
 * bp_key_free (also harmless after an error).
 */
int bp_key_load(const char *path, enum bp_key_alg alg, struct bp_key *k,
    char *err, size_t errlen);
/* Writes a key file: a public key as text, a secret as its binary image.
 * Secrets are created 0600 with O_EXCL, then renamed in place. Returns 0
 * or -1 with err. The file is written under a temporary
 * name (".NAME.XXXXXXXX.tmp" in the same directory), synced, and then
 * linked into place: bp_key_save never replaces an existing file (errno
 * EEXIST), bp_key_save_replace replaces it atomically (rename). Public key
 * files are mode 0644. */
int bp_key_save(const char *path, const struct bp_key *k, char *err, size_t errlen);
int bp_key_save_replace(const char *path, const struct bp_key *k, char *err, size_t errlen);
/* Makes folder dir of the keys (keys/kommuner, keys/retired) with mode
 * 0700 unless it is there.  Made by root, it gets the owner and group of
 * the folder it is in: keys/ may be the service user's (bpagg init
 * --user), which a folder of root's would shut out.  0, or -1 with err. */
int bp_key_dir_make(const char *dir, char *err, size_t errlen);
/* True for the secret algorithms (BOX_SK, SIGN_SK, PSEUDONYM). */
int bp_key_alg_secret(enum bp_key_alg alg);
/* A fixed name of an algorithm, e.g. "Ed25519 signing public key". */
const char *bp_key_alg_name(enum bp_key_alg alg);
/*
 * The fingerprint of a key a person compares, e.g. by phone: the first 16
 * bytes of BLAKE2b-256 of the public key (the key id is its first 8) in
 * hex, as 8 groups of 4 digits. A secret key gives its public key's
 * fingerprint. Returns 0, or -1 for a pseudonym key (out is then "").
 */
int bp_key_fingerprint(const struct bp_key *k, char out[BP_KEY_FPR_SIZE]);
/* The comment line of a public key's text form, e.g. "bpagg kommune 0301
 * signing public key"; into out (at least 80 bytes). */
void bp_key_comment(const struct bp_key *k, char *out, size_t outlen);
/* True when a and b hold the same algorithm, owner and key bytes
 * (constant-time comparison of the bytes). */
int bp_key_equal(const struct bp_key *a, const struct bp_key *b);
void bp_key_free(struct bp_key *k);

/* Generates key pairs / a pseudonym key into fresh struct bp_key values. */
int bp_key_gen_box(struct bp_key *pk, struct bp_key *sk);
int bp_key_gen_sign(struct bp_key *pk, struct bp_key *sk, const char *kommune);
int bp_key_gen_pseudonym(struct bp_key *k);
/* The public half of a signing secret key, with its id and kommune, into a
 * fresh pk (keygen completing a pair whose .pk was never written). */
int bp_key_sign_public(const struct bp_key *sk, struct bp_key *pk);

/*
 * The kommune keyring: every keys/kommuner/NNNN.sign.pk of an installation.
 * Files that are not NNNN.sign.pk, or whose embedded kommune differs from
 * the name, and one key registered for two kommuner (a kommune could then
 * sign for the other), are refused with a message in err. Free with
 * bp_keyring_free.
 */
/* Loads the kommune signing public key dir/name, whose owner inside must
 * be kommune, the one its name gives (keyring.c, keyring_retired.c). The
 * caller frees *k with bp_key_free. 0, or -1 with err. */
int bp_key_load_named(const char *dir, const char *name, const char *kommune, struct bp_key *k,
    char *err, size_t errlen);
struct bp_keyring;
int bp_keyring_load(const char *dir, struct bp_keyring **out, char *err, size_t errlen);
/* The kommune whose registered key holds the same key bytes as k (another
 * kommune's name on the same key), or NULL; valid until bp_keyring_free. */
const char *bp_keyring_holder(const struct bp_keyring *kr, const struct bp_key *k);
/* The registered key of a kommune, or NULL; valid until bp_keyring_free. */
const struct bp_key *bp_keyring_find(const struct bp_keyring *kr, const char *kommune);
size_t bp_keyring_count(const struct bp_keyring *kr);
void bp_keyring_free(struct bp_keyring *kr);

/*
 * Retired kommune keys: those replaced by `bpagg register --replace`, kept
 * as KEYS/retired/NNNN.T.sign.pk (T: seconds since the epoch when it was
 * replaced) for `bpagg rebuild`, which verifies archived files signed
 * before the replacement; bpaggd never loads them (keyring_retired.c).
 */
struct bp_retired;
/* Loads every retired key of dir (none when dir does not exist); any other
 * file than NNNN.T.sign.pk is an error. The caller frees *out with
 * bp_retired_free. 0, or -1 with err. */
int bp_retired_load(const char *dir, struct bp_retired **out, char *err, size_t errlen);
/* The i-th retired key of kommune, the latest retired first, and when it
 * was retired; NULL past the last, or when r is NULL. Valid until
 * bp_retired_free. */
const struct bp_key *bp_retired_nth(const struct bp_retired *r, const char *kommune, size_t i,
    int64_t *retired_at);
size_t bp_retired_count(const struct bp_retired *r);
void bp_retired_free(struct bp_retired *r);
/* Keeps k, replaced at now, as KEYS/retired/NNNN.T.sign.pk (the directory
 * made 0700 when missing; a name never overwritten) and puts the file's
 * path in path. 0, or -1 with err. */
int bp_retired_keep(const char *keys, const struct bp_key *k, int64_t now, char *path,
    size_t pathlen, char *err, size_t errlen);

#endif
