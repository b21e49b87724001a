/*
 * suplog.h - the suppression log: JSON lines, append-only, hash-chained and
 * sealed with the daemon's Ed25519 key (doc/privacy.md).
 *
 * Every line is one JSON object whose first two members are
 *   "n": its 1-based number, and
 *   "prev": the BLAKE2b-256 (hex) of the previous line's bytes (without the
 *           newline); 64 zeros for the first line,
 * then "type": "release", "cell" or "seal". A release is written as one
 * release entry, one cell entry per suppressed cell, and a seal entry whose
 * "sig" is an Ed25519 signature over
 *   "bpagg-suplog-seal-v1\n" N "\n" RELEASE "\n" PREV "\n"
 * (N and PREV of the seal line itself, so the signature covers the chain
 * head). No entry ever holds a suppressed value.
 *
 * Lines are written and read with jansson (crypto/json.h): written compact,
 * members in the order given; read with strict types. "n" stays a JSON
 * number (not a string like the 64-bit counters elsewhere): the size cap
 * keeps it below 2^32, and the lines already written are history whose
 * bytes the chain covers.
 */
#ifndef BP_SUPLOG_H
#define BP_SUPLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"

struct bp_key;
struct bp_suplog_cache;

#define BP_SUPLOG_MAX_BYTES (4ull << 30)   /* refuse logs larger than this */
#define BP_SUPLOG_ID_MAX 128               /* release ids are shorter */
#define BP_SUPLOG_LINE_MAX 65536           /* no entry we write is longer */

/* One line of the log as read back. */
struct bp_suplog_line {
	const char *text;   /* points into the log buffer, not NUL-terminated */
	size_t len;         /* without the newline */
};

/* The whole log in memory, split into lines. */
struct bp_suplog {
	int fd;                        /* open, locked */
	char *buf;                     /* the bytes read (owned) */
	size_t size;
	struct bp_suplog_line *line;   /* owned */
	size_t nline;
	bool partial;                  /* the last line has no newline */
	/* The committed part: the lines up to the last complete seal. The
	 * lines after it are a tail an interrupted append left (rolled back by
	 * bp_suplog_rollback) unless bp_suplog_verify says they are broken. */
	size_t ncommitted;
	size_t committed_bytes;
	uint8_t committed_head[32];    /* hash of the last committed line */
	/* pending appends */
	char *out;
	size_t outlen, outcap;
	uint64_t next_n;
	uint8_t head[32];              /* hash of the last line (pending included) */
	struct bp_suplog_cache *cache; /* the last line parsed (owned) */
};

/*
 * Opens the log at path (created 0644 when missing unless read_only) with
 * O_NOFOLLOW, checks it is a regular file under the size cap, takes a
 * flock (exclusive for writing, shared for reading) held until
 * bp_suplog_close, and reads it whole. Returns 0, or -1 with a message in
 * err. Free l with bp_suplog_close, also after an error.
 */
int bp_suplog_open(const char *path, bool read_only, struct bp_suplog *l,
    char *err, size_t errlen);
void bp_suplog_close(struct bp_suplog *l);
/* Reads a log from size bytes of buf (copied) with no file behind it, for
 * checking bytes from elsewhere (the fuzz target). 0 or -1 (ENOMEM). Free
 * l with bp_suplog_close. */
int bp_suplog_parse(const char *buf, size_t size, struct bp_suplog *l);

/* Queues an entry: entry is a JSON object of the members after "n" and
 * "prev", in the order they are to be written (e.g. {"type":"cell",...});
 * it stays the caller's. 0, or -1 (ENOMEM, not an object, a member "n" or
 * "prev", longer than BP_SUPLOG_LINE_MAX). */
int bp_suplog_add(struct bp_suplog *l, const json_t *entry);
/* Queues the seal of release with the Ed25519 secret key sk. 0 or -1. */
int bp_suplog_seal(struct bp_suplog *l, const char *release, const struct bp_key *sk);
/* Appends everything queued in one write, then fsyncs; on a failed write or
 * fsync the file is cut back to what it was. Refused while a tail is not
 * rolled back. 0 or -1 with err. */
int bp_suplog_commit(struct bp_suplog *l, char *err, size_t errlen);
/*
 * Cuts a log opened for appending back to its committed part (truncate,
 * fsync) and describes what was dropped in note. Call it only after
 * bp_suplog_verify held. Returns 0 (nothing to roll back), 1 (rolled back)
 * or -1 with err.
 */
int bp_suplog_rollback(struct bp_suplog *l, char *note, size_t notelen, char *err,
    size_t errlen);

/*
 * Verifies the numbering, the hash chain, the JSON shape of every line and
 * every seal signature with pk, and that every release is closed by a seal.
 * Lines after the last seal are accepted when they are what an interrupted
 * append leaves: complete entries of one release, chained, then at most
 * the beginning of the next entry (l->ncommitted < l->nline tells). Safe on
 * any bytes. Returns 0, or -1 with the 1-based number of the first broken
 * line in *bad and the reason in why.
 */
int bp_suplog_verify(const struct bp_suplog *l, const struct bp_key *pk, size_t *bad,
    char *why, size_t whylen);

/*
 * The entry of line i (0-based) parsed by jansson, or NULL with why the
 * line is not a JSON object ("column C: what"). The object is borrowed
 * from l: valid until the next bp_suplog_entry or bp_suplog_get on l.
 */
const json_t *bp_suplog_entry(const struct bp_suplog *l, size_t i, char *why,
    size_t whylen);
/*
 * Member key (a dotted path for nested objects, e.g. "settings.min_cell")
 * of line i as text (bp_json_path_text): 0, 1 when absent, -1 when the
 * line is not a JSON object or the member does not fit.
 */
int bp_suplog_get(const struct bp_suplog *l, size_t i, const char *key, char *out,
    size_t outlen);

/* The line of the sealed part of l (before its unsealed tail) that opens
 * release id; SIZE_MAX when there is none. */
size_t bp_suplog_sealed_entry(const struct bp_suplog *l, const char *id);

/* Hex of n bytes into out (2n + 1 bytes). */
void bp_hex(const uint8_t *in, size_t n, char *out);

#endif
