/*
 * envelope.h - sealed submissions (*.bpx), documented in bpagg-submission(5).
 *
 * Sealing: the kommune signs (Ed25519, inside the encryption) a metadata
 * block naming everything the receiver relies on, and encrypts metadata and
 * body with crypto_secretstream_xchacha20poly1305 in chunks, the stream key
 * sealed to the central X25519 key.
 *
 * Opening is a reader that verifies as it goes and commits nothing: the
 * caller may only act on what it read after bp_open_end returns 0.
 */
#ifndef BP_ENVELOPE_H
#define BP_ENVELOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys.h"

#define BP_ENV_CHUNK 65536   /* plaintext bytes per chunk */
#define BP_ENV_VERSION 1
#define BP_ENV_HEADER_BYTES 132  /* the cleartext header, see bpagg-submission(5) */
#define BP_ENV_META_BYTES 85     /* the encoded struct bp_env_meta */
/* Ciphertext bytes of the metadata chunk: meta, signature, stream tag. */
#define BP_ENV_META_CHUNK_BYTES (BP_ENV_META_BYTES + 64 + 17)

/* What the kommune signed. */
struct bp_env_meta {
	uint16_t version;
	uint8_t recipient[BP_KEY_ID_BYTES]; /* key id of central.box.pk */
	char kommune[5];
	uint16_t year;
	uint8_t submission_id[16];          /* random per submission */
	uint64_t sequence;                  /* creation time in ns, monotonic */
	uint32_t rows;                      /* data rows in the export */
	uint64_t plaintext_bytes;
	uint8_t digest[32];                 /* BLAKE2b-256 of the plaintext */
	bool dry_run;                       /* test submission: validate, never merge */
};

/* Why opening failed: each defect maps to one reason. */
enum bp_env_error {
	BP_ENV_OK = 0,
	BP_ENV_IO,               /* read error */
	BP_ENV_TRUNCATED_HEADER, /* shorter than the header: maybe still being written */
	BP_ENV_BAD_MAGIC,
	BP_ENV_BAD_VERSION,      /* unknown version or algorithm id */
	BP_ENV_WRONG_RECIPIENT,  /* sealed to another central key */
	BP_ENV_BAD_KEY,          /* the sealed stream key does not open */
	BP_ENV_BAD_CHUNK,        /* a chunk fails authentication (tamper, swap, dup) */
	BP_ENV_TRUNCATED,        /* end of file before TAG_FINAL */
	BP_ENV_TRAILING,         /* bytes after TAG_FINAL */
	BP_ENV_BAD_META,         /* metadata block malformed */
	BP_ENV_UNKNOWN_KOMMUNE,  /* no key registered for the claimed kommune */
	BP_ENV_BAD_SIGNATURE,    /* not signed by the kommune's registered key */
	BP_ENV_DIGEST_MISMATCH,  /* plaintext digest or length differs from signed */
	BP_ENV_TOO_LARGE,
	BP_ENV_NOMEM,
};
/* A fixed, human-readable reason for e (never holds file content). */
const char *bp_env_strerror(enum bp_env_error e);

/* Looks up the registered signing key of a kommune; NULL when none. */
typedef const struct bp_key *(*bp_kommune_key_fn)(const char *kommune, void *ud);

typedef struct bp_open bp_open;

/*
 * Starts opening the submission read from fd (not closed here): reads the
 * header, unwraps the stream key with central_sk (whose public half is
 * central_pk), decrypts the metadata chunk and verifies the kommune's
 * signature with the key lookup returns. On success *out is a reader and
 * meta is filled; the caller frees the reader with bp_open_free. On error
 * *out is NULL. max_bytes caps the size of the sealed file (0: no cap).
 * A signed recipient other than central_pk (a file forwarded by someone
 * who could open it) is BP_ENV_WRONG_RECIPIENT.
 */
enum bp_env_error bp_open_begin(int fd, const struct bp_key *central_pk,
    const struct bp_key *central_sk, bp_kommune_key_fn lookup, void *lookup_ud,
    uint64_t max_bytes, struct bp_env_meta *meta, bp_open **out);
/*
 * Decrypts the next chunk of plaintext. *buf points into the reader's
 * locked memory, valid until the next call (and wiped then). Returns
 * BP_ENV_OK with *len > 0, BP_ENV_OK with *len == 0 at the final chunk, or
 * an error.
 */
enum bp_env_error bp_open_next(bp_open *o, const uint8_t **buf, size_t *len);
/* Checks TAG_FINAL was the last byte of the file and the plaintext digest and
 * length equal the signed ones. */
enum bp_env_error bp_open_end(bp_open *o);
/*
 * Copies to out_fd what o authenticates, reading on from where
 * bp_open_begin stopped (call it right after): the header and metadata
 * chunk, then each body chunk once it decrypts (its plaintext wiped at
 * once), so that no byte the kommune's key does not vouch for is written.
 * A chunk that fails becomes a 4-byte frame that fails again when the copy
 * is opened, and the copy ends there; a file that ends early (still being
 * written) is copied as far as its last whole chunk, and so is one that
 * reaches space its uploader reserved and has not written yet (a chunk
 * length of 0, or a chunk ending in 8 zero bytes: BP_ENV_TRUNCATED); bytes
 * after the final chunk are written as one zero byte.  Returns BP_ENV_OK, or why the file
 * does not open (its copy then fails the same way when opened), or
 * BP_ENV_IO (errno) when reading or writing failed.  The reader cannot
 * be used for anything else afterwards.
 */
enum bp_env_error bp_open_copy(bp_open *o, int out_fd);
/* Frees a reader (NULL is harmless), wiping its keys and plaintext. */
void bp_open_free(bp_open *o);

/*
 * The exact size of a sealed file whose signed metadata is meta: its framing
 * follows from the plaintext's length alone (bpagg-submission(5): full
 * chunks, the final one shorter or full, empty only for an empty export),
 * so a file of that metadata any longer has bytes after its final chunk.
 * 0 for a length no file can have (above 2^63 bytes).
 */
uint64_t bp_env_sealed_bytes(const struct bp_env_meta *meta);

/* The domain-separated message the kommune signs: the fixed string
 * "bpagg-submission-signature-v1" and a NUL byte, then the encoded meta.
 * Encodes m into out (BP_ENV_META_BYTES bytes, explicit little-endian). */
void bp_env_meta_encode(const struct bp_env_meta *m, uint8_t out[BP_ENV_META_BYTES]);

/* Seals: reads plaintext from in_fd (twice: the caller's digest pass is
 * done here, so in_fd must be seekable), writes the envelope to out_fd.
 * meta->kommune, year, rows, dry_run are given by the caller, and
 * meta->sequence may be (0: the creation time in ns, strictly increasing
 * within the process); the rest is filled in here. Returns 0 or -1 with err. Both passes start at the
 * current offset of in_fd; if the input changes between them, sealing
 * fails. kommune_sk must be the signing key of meta->kommune. Memory use is
 * bounded (two chunks) whatever the input size. */
int bp_seal(int in_fd, int out_fd, const struct bp_key *kommune_sk,
    const struct bp_key *central_pk, struct bp_env_meta *meta,
    char *err, size_t errlen);

#endif
