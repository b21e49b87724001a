/*
 * envelope.c - sealing and opening *.bpx submissions; see envelope.h and
 * bpagg-submission(5), which gives the layout byte by byte.
 */
#include "envelope.h"
#include "io.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "le.h"

#define SS_ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define SS_HEADERBYTES crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define SS_KEYBYTES crypto_secretstream_xchacha20poly1305_KEYBYTES
#define SEALED_KEY_BYTES (crypto_box_SEALBYTES + SS_KEYBYTES)
#define SIG_BYTES crypto_sign_BYTES
#define META_PLAIN_BYTES (BP_ENV_META_BYTES + SIG_BYTES)
#define MAX_CIPHER (BP_ENV_CHUNK + SS_ABYTES)

/* Header offsets. */
#define H_MAGIC 0
#define H_VERSION 8
#define H_BOX_ALG 10
#define H_STREAM_ALG 12
#define H_SIGN_ALG 14
#define H_CHUNK 16
#define H_RECIPIENT 20
#define H_SEALED_KEY 28
#define H_STREAM_HEADER (H_SEALED_KEY + SEALED_KEY_BYTES)

#define ALG_BOX_SEAL 0x0101      /* crypto_box_seal, X25519 */
#define ALG_SECRETSTREAM 0x0001  /* crypto_secretstream_xchacha20poly1305 */
#define ALG_ED25519 0x0201       /* crypto_sign (Ed25519), detached */

static const uint8_t env_magic[8] = { 'B', 'P', 'A', 'G', 'G', 'S', 'U', 'B' };
static const char sig_domain[] = "bpagg-submission-signature-v1"; /* + NUL */

_Static_assert(H_STREAM_HEADER + SS_HEADERBYTES == BP_ENV_HEADER_BYTES, "header layout");
_Static_assert(META_PLAIN_BYTES + SS_ABYTES == BP_ENV_META_CHUNK_BYTES, "meta chunk");

const char *
bp_env_strerror(enum bp_env_error e)
{
	switch (e) {
	case BP_ENV_OK: return "ok";
	case BP_ENV_IO: return "read error";
	case BP_ENV_TRUNCATED_HEADER: return "shorter than the envelope header";
	case BP_ENV_BAD_MAGIC: return "not a sealed bpagg submission (bad magic)";
	case BP_ENV_BAD_VERSION: return "unsupported envelope version or algorithm";
	case BP_ENV_WRONG_RECIPIENT: return "sealed to another central key";
	case BP_ENV_BAD_KEY: return "the sealed stream key does not open";
	case BP_ENV_BAD_CHUNK: return "a chunk fails authentication (tampered, reordered or duplicated)";
	case BP_ENV_TRUNCATED: return "the file ends before its final chunk";
	case BP_ENV_TRAILING: return "bytes after the final chunk";
	case BP_ENV_BAD_META: return "malformed metadata block";
	case BP_ENV_UNKNOWN_KOMMUNE: return "no signing key registered for the kommune";
	case BP_ENV_BAD_SIGNATURE: return "not signed by the kommune's registered key";
	case BP_ENV_DIGEST_MISMATCH: return "plaintext digest or length differs from the signed one";
	case BP_ENV_TOO_LARGE: return "file larger than the configured maximum";
	case BP_ENV_NOMEM: return "out of memory";
	}
	return "unknown envelope error";
}

void
bp_env_meta_encode(const struct bp_env_meta *m, uint8_t out[BP_ENV_META_BYTES])
{
	bp_store16(out + 0, m->version);
	memcpy(out + 2, m->recipient, BP_KEY_ID_BYTES);
	memcpy(out + 10, m->kommune, 4);
	bp_store16(out + 14, m->year);
	memcpy(out + 16, m->submission_id, 16);
	bp_store64(out + 32, m->sequence);
	bp_store32(out + 40, m->rows);
	bp_store64(out + 44, m->plaintext_bytes);
	memcpy(out + 52, m->digest, 32);
	out[84] = m->dry_run ? 1 : 0;
}

/* Decodes and checks an encoded meta block. Returns 0 or -1 (malformed). */
static int
meta_decode(const uint8_t in[BP_ENV_META_BYTES], struct bp_env_meta *m)
{
	memset(m, 0, sizeof(*m));
	m->version = bp_load16(in + 0);
	memcpy(m->recipient, in + 2, BP_KEY_ID_BYTES);
	for (int i = 0; i < 4; i++) {
		if (in[10 + i] < '0' || in[10 + i] > '9')
			return -1;
		m->kommune[i] = (char)in[10 + i];
	}
	m->kommune[4] = '\0';
	m->year = bp_load16(in + 14);
	memcpy(m->submission_id, in + 16, 16);
	m->sequence = bp_load64(in + 32);
	m->rows = bp_load32(in + 40);
	m->plaintext_bytes = bp_load64(in + 44);
	memcpy(m->digest, in + 52, 32);
	if (in[84] > 1 || m->version != BP_ENV_VERSION)
		return -1;
	m->dry_run = in[84] == 1;
	return 0;
}

/* The signed message: domain string, NUL, encoded meta. */
static void
sig_message(const uint8_t meta[BP_ENV_META_BYTES], uint8_t out[sizeof(sig_domain) + BP_ENV_META_BYTES])
{
	memcpy(out, sig_domain, sizeof(sig_domain));
	memcpy(out + sizeof(sig_domain), meta, BP_ENV_META_BYTES);
}

/* ---- opening ---- */

struct bp_open {
	int fd;
	uint64_t max_bytes, consumed;
	enum bp_env_error err;      /* sticky: once set, every call returns it */
	int final_seen, final_given, ended;
	uint64_t total;             /* plaintext bytes decrypted */
	struct bp_env_meta meta;
	uint8_t *cbuf;              /* ciphertext of one chunk (malloc) */
	size_t clen;                /* its length, once read */
	uint32_t rawlen;            /* the length field as read */
	int pulled;                 /* and whether it decrypted */
	/* The header and the metadata chunk as read and authenticated (the
	 * chunk is bound to the header): what bp_open_copy writes first. */
	uint8_t head[BP_ENV_HEADER_BYTES + 4 + BP_ENV_META_CHUNK_BYTES];
	/* The rest lives in this sodium_malloc'd struct: locked, wiped on free. */
	crypto_secretstream_xchacha20poly1305_state st;
	crypto_generichash_state hash;
	uint8_t pbuf[BP_ENV_CHUNK];
};

/* Reads exactly n bytes of the envelope, counting them against max_bytes. */
static enum bp_env_error
env_read(bp_open *o, uint8_t *buf, size_t n)
{
	ssize_t got = bp_read_full(o->fd, buf, n);
	if (got < 0)
		return BP_ENV_IO;
	o->consumed += (uint64_t)got;
	if (o->max_bytes && o->consumed > o->max_bytes)
		return BP_ENV_TOO_LARGE;
	return (size_t)got < n ? BP_ENV_TRUNCATED : BP_ENV_OK;
}

/* Reads one length-framed chunk into o->cbuf; *clen is its length. want,
 * when not 0, is the only length the chunk may have. */
static enum bp_env_error
read_chunk(bp_open *o, size_t *clen, uint32_t want)
{
	uint8_t lenb[4];
	enum bp_env_error e;

	if ((e = env_read(o, lenb, sizeof(lenb))) != BP_ENV_OK)
		return e;
	uint32_t n = bp_load32(lenb);
	o->rawlen = n;
	if (n < SS_ABYTES || n > MAX_CIPHER)
		return BP_ENV_BAD_CHUNK;
	/* Refused as what it is before it is read: read as far as a wrong
	 * length says, it could end past the file and pass for an upload
	 * still being written (waited for, then refused as incomplete). */
	if (want && n != want)
		return BP_ENV_BAD_META;
	if ((e = env_read(o, o->cbuf, n)) != BP_ENV_OK)
		return e;
	*clen = n;
	return BP_ENV_OK;
}

/* Checks the fixed fields of the cleartext header. */
static enum bp_env_error
check_header(const uint8_t *h, const struct bp_key *central_pk)
{
	if (memcmp(h + H_MAGIC, env_magic, sizeof(env_magic)) != 0)
		return BP_ENV_BAD_MAGIC;
	if (bp_load16(h + H_VERSION) != BP_ENV_VERSION ||
	    bp_load16(h + H_BOX_ALG) != ALG_BOX_SEAL ||
	    bp_load16(h + H_STREAM_ALG) != ALG_SECRETSTREAM ||
	    bp_load16(h + H_SIGN_ALG) != ALG_ED25519 ||
	    bp_load32(h + H_CHUNK) != BP_ENV_CHUNK)
		return BP_ENV_BAD_VERSION;
	if (sodium_memcmp(h + H_RECIPIENT, central_pk->id, BP_KEY_ID_BYTES) != 0)
		return BP_ENV_WRONG_RECIPIENT;
	return BP_ENV_OK;
}

/* Reads and checks the header, unwraps the stream key and starts the stream. */
static enum bp_env_error
open_header(bp_open *o, const struct bp_key *central_pk, const struct bp_key *central_sk,
    uint8_t header[BP_ENV_HEADER_BYTES])
{
	enum bp_env_error e;
	uint8_t *key = NULL;

	ssize_t got = bp_read_full(o->fd, header, BP_ENV_HEADER_BYTES);
	if (got < 0)
		return BP_ENV_IO;
	o->consumed = (uint64_t)got;
	if ((size_t)got < BP_ENV_HEADER_BYTES) {
		size_t m = (size_t)got < sizeof(env_magic) ? (size_t)got : sizeof(env_magic);
		return memcmp(header, env_magic, m) ? BP_ENV_BAD_MAGIC : BP_ENV_TRUNCATED_HEADER;
	}
	if ((e = check_header(header, central_pk)) != BP_ENV_OK)
		return e;
	if (!(key = sodium_malloc(SS_KEYBYTES)))
		return BP_ENV_NOMEM;
	e = BP_ENV_BAD_KEY;
	if (crypto_box_seal_open(key, header + H_SEALED_KEY, SEALED_KEY_BYTES,
	    central_pk->bytes, central_sk->bytes) != 0)
		goto out;
	if (crypto_secretstream_xchacha20poly1305_init_pull(&o->st,
	    header + H_STREAM_HEADER, key) != 0)
		goto out;
	e = BP_ENV_OK;
out:
	sodium_free(key);
	return e;
}

/* Decrypts the metadata chunk (bound to the header as additional data) and
 * verifies the kommune's signature and the signed recipient. */
static enum bp_env_error
open_meta(bp_open *o, const uint8_t header[BP_ENV_HEADER_BYTES], const struct bp_key *central_pk,
    bp_kommune_key_fn lookup, void *lookup_ud)
{
	uint8_t msg[sizeof(sig_domain) + BP_ENV_META_BYTES];
	unsigned long long mlen;
	unsigned char tag;
	size_t clen;
	enum bp_env_error e;

	if ((e = read_chunk(o, &clen, BP_ENV_META_CHUNK_BYTES)) != BP_ENV_OK)
		return e;
	if (crypto_secretstream_xchacha20poly1305_pull(&o->st, o->pbuf, &mlen, &tag,
	    o->cbuf, clen, header, BP_ENV_HEADER_BYTES) != 0)
		return BP_ENV_BAD_CHUNK;
	if (mlen != META_PLAIN_BYTES || tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE)
		return BP_ENV_BAD_META;
	if (meta_decode(o->pbuf, &o->meta) < 0)
		return BP_ENV_BAD_META;
	const struct bp_key *k = lookup ? lookup(o->meta.kommune, lookup_ud) : NULL;
	if (!k || k->alg != BP_KEY_SIGN_PK || k->len != crypto_sign_PUBLICKEYBYTES)
		return BP_ENV_UNKNOWN_KOMMUNE;
	sig_message(o->pbuf, msg);
	if (crypto_sign_verify_detached(o->pbuf + BP_ENV_META_BYTES, msg, sizeof(msg), k->bytes) != 0)
		return BP_ENV_BAD_SIGNATURE;
	if (sodium_memcmp(o->meta.recipient, central_pk->id, BP_KEY_ID_BYTES) != 0)
		return BP_ENV_WRONG_RECIPIENT;
	return BP_ENV_OK;
}

/* Checks a regular file's size against the cap before reading anything. */
static enum bp_env_error
check_size(int fd, uint64_t max_bytes)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return BP_ENV_IO;
	if (max_bytes && S_ISREG(st.st_mode) && (uint64_t)st.st_size > max_bytes)
		return BP_ENV_TOO_LARGE;
	return BP_ENV_OK;
}

/*
 * The reader is one sodium_malloc allocation (stream state, digest state
 * and plaintext buffer) plus a malloc'd ciphertext buffer; bp_open_free
 * releases both.
 */
enum bp_env_error
bp_open_begin(int fd, const struct bp_key *central_pk, const struct bp_key *central_sk,
    bp_kommune_key_fn lookup, void *lookup_ud, uint64_t max_bytes,
    struct bp_env_meta *meta, bp_open **out)
{
	uint8_t header[BP_ENV_HEADER_BYTES];
	enum bp_env_error e;
	bp_open *o = NULL;

	*out = NULL;
	if (!central_pk || !central_sk || central_pk->alg != BP_KEY_BOX_PK ||
	    central_sk->alg != BP_KEY_BOX_SK || !central_pk->bytes || !central_sk->bytes)
		return BP_ENV_BAD_KEY;
	if ((e = check_size(fd, max_bytes)) != BP_ENV_OK)
		return e;
	if (!(o = sodium_malloc(sizeof(*o))))
		return BP_ENV_NOMEM;
	memset(o, 0, sizeof(*o));
	o->fd = fd;
	o->max_bytes = max_bytes;
	if (!(o->cbuf = malloc(MAX_CIPHER))) {
		e = BP_ENV_NOMEM;
		goto out;
	}
	if ((e = open_header(o, central_pk, central_sk, header)) != BP_ENV_OK)
		goto out;
	if ((e = open_meta(o, header, central_pk, lookup, lookup_ud)) != BP_ENV_OK)
		goto out;
	crypto_generichash_init(&o->hash, NULL, 0, 32);
	sodium_memzero(o->pbuf, META_PLAIN_BYTES);
	memcpy(o->head, header, BP_ENV_HEADER_BYTES);
	bp_store32(o->head + BP_ENV_HEADER_BYTES, BP_ENV_META_CHUNK_BYTES);
	memcpy(o->head + BP_ENV_HEADER_BYTES + 4, o->cbuf, BP_ENV_META_CHUNK_BYTES);
	*meta = o->meta;
	*out = o;
	o = NULL;
out:
	/* A file that is not sealed may be a plaintext export: its first bytes
	 * are not left behind on the stack. */
	sodium_memzero(header, sizeof(header));
	bp_open_free(o);
	return e;
}

/* Decrypts one body chunk into o->pbuf; *len is its plaintext length. */
static enum bp_env_error
next_chunk(bp_open *o, size_t *len)
{
	unsigned long long mlen;
	unsigned char tag;
	size_t clen;
	enum bp_env_error e;

	o->clen = 0;
	o->pulled = 0;
	o->rawlen = UINT32_MAX;
	if ((e = read_chunk(o, &clen, 0)) != BP_ENV_OK)
		return e;
	o->clen = clen;
	if (crypto_secretstream_xchacha20poly1305_pull(&o->st, o->pbuf, &mlen, &tag,
	    o->cbuf, clen, NULL, 0) != 0)
		return BP_ENV_BAD_CHUNK;
	o->pulled = 1;
	/* Only the final chunk may be shorter than BP_ENV_CHUNK, and it is
	 * empty only for an empty plaintext (bpagg-submission(5)): after
	 * full chunks the last one carries TAG_FINAL itself. */
	if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
		if (mlen == 0 && o->total > 0)
			return BP_ENV_BAD_CHUNK;
		o->final_seen = 1;
	}
	else if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE || mlen != BP_ENV_CHUNK)
		return BP_ENV_BAD_CHUNK;
	o->total += mlen;
	if (o->total > o->meta.plaintext_bytes)
		return BP_ENV_DIGEST_MISMATCH;
	crypto_generichash_update(&o->hash, o->pbuf, (size_t)mlen);
	*len = (size_t)mlen;
	return BP_ENV_OK;
}

enum bp_env_error
bp_open_next(bp_open *o, const uint8_t **buf, size_t *len)
{
	*buf = NULL;
	*len = 0;
	if (o->err)
		return o->err;
	sodium_memzero(o->pbuf, sizeof(o->pbuf));
	if (o->final_seen) {
		o->final_given = 1;
		return BP_ENV_OK;
	}
	size_t n = 0;
	if ((o->err = next_chunk(o, &n)) != BP_ENV_OK)
		return o->err;
	if (n == 0)
		o->final_given = 1;
	*buf = o->pbuf;
	*len = n;
	return BP_ENV_OK;
}

/* Whether the chunk that just failed is space its uploader reserved and
 * has not written yet (a length field of 0, or a ciphertext ending in 8
 * zero bytes, which a tag does once in 2^64): the file is still being
 * written, not tampered with. */
static bool
unwritten(const bp_open *o)
{
	static const uint8_t zeros[8];

	return o->rawlen == 0 ||
	    (o->clen >= sizeof(zeros) && !memcmp(o->cbuf + o->clen - sizeof(zeros), zeros,
	    sizeof(zeros)));
}

enum bp_env_error
bp_open_copy(bp_open *o, int out_fd)
{
	static const uint8_t fails[4];  /* a frame too short to authenticate */
	uint8_t lenb[4], extra;
	enum bp_env_error e = BP_ENV_OK;

	if (o->err || o->total || o->final_seen)
		return o->err ? o->err : BP_ENV_BAD_META;   /* only right after begin */
	if (bp_write_full(out_fd, o->head, sizeof(o->head)) < 0)
		return BP_ENV_IO;
	while (!o->final_seen) {
		size_t n;
		e = next_chunk(o, &n);
		sodium_memzero(o->pbuf, sizeof(o->pbuf));   /* the plaintext is not needed */
		if (e == BP_ENV_BAD_CHUNK && !o->pulled && unwritten(o))
			e = BP_ENV_TRUNCATED;
		if (e == BP_ENV_IO || e == BP_ENV_TRUNCATED)
			break;          /* read error, or still being written: no frame */
		/* A chunk that decrypted is the kommune's own bytes, whatever the
		 * error after (the copy fails the same way); one that did not
		 * becomes a frame that fails, and nothing after it is read. */
		if (o->pulled) {
			bp_store32(lenb, (uint32_t)o->clen);
			if (bp_write_full(out_fd, lenb, 4) < 0 ||
			    bp_write_full(out_fd, o->cbuf, o->clen) < 0)
				return BP_ENV_IO;
		} else if (bp_write_full(out_fd, fails, sizeof(fails)) < 0)
			return BP_ENV_IO;
		if (e != BP_ENV_OK)
			break;
	}
	o->err = e != BP_ENV_OK ? e : BP_ENV_BAD_META;  /* the reader is spent */
	if (e != BP_ENV_OK)
		return e;
	/* Bytes after the final chunk are not copied: one zero byte stands
	 * for them, so the copy is refused for them as the file is. */
	ssize_t got = bp_read_full(o->fd, &extra, 1);
	if (got < 0)
		return BP_ENV_IO;
	extra = 0;
	if (got > 0 && bp_write_full(out_fd, &extra, 1) < 0)
		return BP_ENV_IO;
	return got > 0 ? BP_ENV_TRAILING : BP_ENV_OK;
}

uint64_t
bp_env_sealed_bytes(const struct bp_env_meta *meta)
{
	uint64_t p = meta->plaintext_bytes;

	if (p > UINT64_MAX / 2)   /* no file is that long; the sum would wrap */
		return 0;
	uint64_t chunks = p == 0 ? 1 : (p + BP_ENV_CHUNK - 1) / BP_ENV_CHUNK;

	return BP_ENV_HEADER_BYTES + 4 + BP_ENV_META_CHUNK_BYTES + chunks * (4 + SS_ABYTES) + p;
}

enum bp_env_error
bp_open_end(bp_open *o)
{
	uint8_t digest[32], extra;

	if (o->err || o->ended)
		return o->err;
	sodium_memzero(o->pbuf, sizeof(o->pbuf));
	if (!o->final_seen)
		return o->err = BP_ENV_TRUNCATED;
	ssize_t got = bp_read_full(o->fd, &extra, 1);
	if (got < 0)
		return o->err = BP_ENV_IO;
	if (got > 0)
		return o->err = BP_ENV_TRAILING;
	crypto_generichash_final(&o->hash, digest, sizeof(digest));
	if (o->total != o->meta.plaintext_bytes ||
	    sodium_memcmp(digest, o->meta.digest, sizeof(digest)) != 0)
		return o->err = BP_ENV_DIGEST_MISMATCH;
	o->ended = 1; /* a second call must not finalise the hash again */
	return BP_ENV_OK;
}

void
bp_open_free(bp_open *o)
{
	if (!o)
		return;
	free(o->cbuf);
	sodium_free(o); /* wipes the stream state, digest state and plaintext */
}

/* ---- sealing ---- */

/* A strictly increasing CLOCK_REALTIME in ns within this process. */
static uint64_t
next_sequence(void)
{
	static _Atomic uint64_t last;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	uint64_t prev = atomic_load(&last), next;
	do {
		next = now > prev ? now : prev + 1;
	} while (!atomic_compare_exchange_weak(&last, &prev, next));
	return next;
}

struct sealer {
	int in_fd, out_fd;
	off_t start;
	uint8_t *a, *b;            /* two plaintext chunks (sodium_malloc) */
	uint8_t *c;                /* one ciphertext chunk */
	crypto_secretstream_xchacha20poly1305_state *st;
	char *err;
	size_t errlen;
};

/* Pass one: digest and length of the plaintext from s->start. */
static int
digest_pass(struct sealer *s, uint8_t digest[32], uint64_t *total)
{
	crypto_generichash_state h;
	ssize_t n;

	*total = 0;
	crypto_generichash_init(&h, NULL, 0, 32);
	while ((n = bp_read_full(s->in_fd, s->a, BP_ENV_CHUNK)) > 0) {
		crypto_generichash_update(&h, s->a, (size_t)n);
		*total += (uint64_t)n;
		if (n < BP_ENV_CHUNK)
			break;
	}
	crypto_generichash_final(&h, digest, 32);
	sodium_memzero(s->a, BP_ENV_CHUNK);
	if (n < 0) {
		snprintf(s->err, s->errlen, "reading the export: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Encrypts m (mlen bytes) with tag and ad, writes length and ciphertext. */
static int
push_chunk(struct sealer *s, const uint8_t *m, size_t mlen, unsigned char tag,
    const uint8_t *ad, size_t adlen)
{
	unsigned long long clen;
	uint8_t lenb[4];

	crypto_secretstream_xchacha20poly1305_push(s->st, s->c, &clen, m, mlen, ad, adlen, tag);
	bp_store32(lenb, (uint32_t)clen);
	if (bp_write_full(s->out_fd, lenb, 4) < 0 || bp_write_full(s->out_fd, s->c, (size_t)clen) < 0) {
		snprintf(s->err, s->errlen, "writing the envelope: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Builds and writes the header; starts the stream with a fresh key. */
static int
write_header(struct sealer *s, const struct bp_key *central_pk, uint8_t h[BP_ENV_HEADER_BYTES])
{
	uint8_t *key = sodium_malloc(SS_KEYBYTES);
	int ret = -1;

	if (!key) {
		snprintf(s->err, s->errlen, "out of memory");
		return -1;
	}
	memcpy(h + H_MAGIC, env_magic, sizeof(env_magic));
	bp_store16(h + H_VERSION, BP_ENV_VERSION);
	bp_store16(h + H_BOX_ALG, ALG_BOX_SEAL);
	bp_store16(h + H_STREAM_ALG, ALG_SECRETSTREAM);
	bp_store16(h + H_SIGN_ALG, ALG_ED25519);
	bp_store32(h + H_CHUNK, BP_ENV_CHUNK);
	memcpy(h + H_RECIPIENT, central_pk->id, BP_KEY_ID_BYTES);
	crypto_secretstream_xchacha20poly1305_keygen(key);
	if (crypto_box_seal(h + H_SEALED_KEY, key, SS_KEYBYTES, central_pk->bytes) != 0 ||
	    crypto_secretstream_xchacha20poly1305_init_push(s->st, h + H_STREAM_HEADER, key) != 0) {
		snprintf(s->err, s->errlen, "cannot seal the stream key to the central key");
		goto out;
	}
	if (bp_write_full(s->out_fd, h, BP_ENV_HEADER_BYTES) < 0) {
		snprintf(s->err, s->errlen, "writing the envelope: %s", strerror(errno));
		goto out;
	}
	ret = 0;
out:
	sodium_free(key);
	return ret;
}

/* Writes the metadata chunk: encoded meta and the kommune's signature,
 * with the cleartext header as additional data. */
static int
write_meta(struct sealer *s, const struct bp_env_meta *m, const struct bp_key *sk,
    const uint8_t h[BP_ENV_HEADER_BYTES])
{
	uint8_t plain[META_PLAIN_BYTES];
	uint8_t msg[sizeof(sig_domain) + BP_ENV_META_BYTES];

	bp_env_meta_encode(m, plain);
	sig_message(plain, msg);
	crypto_sign_detached(plain + BP_ENV_META_BYTES, NULL, msg, sizeof(msg), sk->bytes);
	return push_chunk(s, plain, sizeof(plain),
	    crypto_secretstream_xchacha20poly1305_TAG_MESSAGE, h, BP_ENV_HEADER_BYTES);
}

/* Pass two: encrypts the plaintext in chunks, reading one chunk ahead so
 * the last one carries TAG_FINAL; checks the input did not change. */
static int
body_pass(struct sealer *s, const uint8_t digest[32], uint64_t total)
{
	crypto_generichash_state h;
	uint8_t d2[32];
	uint64_t seen = 0;
	ssize_t na, nb = 0;

	crypto_generichash_init(&h, NULL, 0, 32);
	if ((na = bp_read_full(s->in_fd, s->a, BP_ENV_CHUNK)) < 0)
		goto ioerr;
	for (;;) {
		if (na == BP_ENV_CHUNK && (nb = bp_read_full(s->in_fd, s->b, BP_ENV_CHUNK)) < 0)
			goto ioerr;
		int last = na < BP_ENV_CHUNK || nb == 0;
		crypto_generichash_update(&h, s->a, (size_t)na);
		seen += (uint64_t)na;
		if (push_chunk(s, s->a, (size_t)na, last ?
		    crypto_secretstream_xchacha20poly1305_TAG_FINAL :
		    crypto_secretstream_xchacha20poly1305_TAG_MESSAGE, NULL, 0) < 0)
			return -1;
		if (last)
			break;
		uint8_t *t = s->a;
		s->a = s->b;
		s->b = t;
		na = nb;
	}
	crypto_generichash_final(&h, d2, sizeof(d2));
	if (seen != total || sodium_memcmp(d2, digest, 32) != 0) {
		snprintf(s->err, s->errlen, "the export changed while it was being sealed");
		return -1;
	}
	return 0;
ioerr:
	snprintf(s->err, s->errlen, "reading the export: %s", strerror(errno));
	return -1;
}

/* Checks the keys and the caller's part of meta before sealing. */
static int
seal_args_ok(const struct bp_key *sk, const struct bp_key *pk, const struct bp_env_meta *m,
    char *err, size_t errlen)
{
	if (!sk || sk->alg != BP_KEY_SIGN_SK || !sk->bytes) {
		snprintf(err, errlen, "the signing key is not an Ed25519 secret key");
		return 0;
	}
	if (!pk || pk->alg != BP_KEY_BOX_PK || !pk->bytes) {
		snprintf(err, errlen, "the recipient key is not an X25519 public key");
		return 0;
	}
	if (strlen(m->kommune) != 4 || strspn(m->kommune, "0123456789") != 4) {
		snprintf(err, errlen, "the kommune must be four digits");
		return 0;
	}
	if (strcmp(sk->kommune, m->kommune) != 0) {
		snprintf(err, errlen, "the signing key is not kommune %s's key", m->kommune);
		return 0;
	}
	return 1;
}

int
bp_seal(int in_fd, int out_fd, const struct bp_key *kommune_sk,
    const struct bp_key *central_pk, struct bp_env_meta *meta, char *err, size_t errlen)
{
	struct sealer s = { .in_fd = in_fd, .out_fd = out_fd, .err = err, .errlen = errlen };
	uint8_t header[BP_ENV_HEADER_BYTES];
	int ret = -1;

	if (!seal_args_ok(kommune_sk, central_pk, meta, err, errlen))
		return -1;
	if ((s.start = lseek(in_fd, 0, SEEK_CUR)) < 0) {
		snprintf(err, errlen, "the export must be a seekable file");
		return -1;
	}
	s.a = sodium_malloc(BP_ENV_CHUNK);
	s.b = sodium_malloc(BP_ENV_CHUNK);
	s.st = sodium_malloc(sizeof(*s.st));
	s.c = malloc(MAX_CIPHER);
	if (!s.a || !s.b || !s.st || !s.c) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (digest_pass(&s, meta->digest, &meta->plaintext_bytes) < 0)
		goto out;
	meta->version = BP_ENV_VERSION;
	memcpy(meta->recipient, central_pk->id, BP_KEY_ID_BYTES);
	randombytes_buf(meta->submission_id, sizeof(meta->submission_id));
	/* 0: now (bpagg seal); a given one is kept (tests, and re-sealing). */
	if (!meta->sequence)
		meta->sequence = next_sequence();
	if (lseek(in_fd, s.start, SEEK_SET) < 0) {
		snprintf(err, errlen, "the export must be a seekable file");
		goto out;
	}
	if (write_header(&s, central_pk, header) < 0 ||
	    write_meta(&s, meta, kommune_sk, header) < 0 ||
	    body_pass(&s, meta->digest, meta->plaintext_bytes) < 0)
		goto out;
	ret = 0;
out:
	if (s.a)
		sodium_free(s.a);
	if (s.b)
		sodium_free(s.b);
	if (s.st)
		sodium_free(s.st);
	free(s.c);
	return ret;
}
