/*
 * gen_envelope DIR - writes the envelope test vectors (in the style of the
 * C2SP/CCTV age vectors) into DIR: keys.txt and one NAME.vec per vector.
 * Each vector is a small sealed file with exactly one defect and the
 * reason it must be refused for (or "ok"). See tests/vectors/README.
 *
 * The keys come from fixed seeds; the envelopes hold random stream keys,
 * so a new run gives new (equally valid) files. The committed files are
 * the frozen kit: regenerate only when the format version changes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sodium.h>

#include "envelope.h"
#include "forge.h"

static const char *outdir;

struct kp {
	struct bp_key pk, sk;
};
static struct kp c1, c2, k0301, k1103, rogue0301, k5001;

static void
die(const char *what)
{
	fprintf(stderr, "gen_envelope: %s\n", what);
	exit(1);
}

/* A key pair from a fixed seed byte; kommune NULL for a box pair. */
static void
seeded(struct kp *k, uint8_t seedbyte, const char *kommune)
{
	uint8_t seed[32];
	memset(seed, seedbyte, sizeof(seed));
	memset(k, 0, sizeof(*k));
	k->pk.alg = kommune ? BP_KEY_SIGN_PK : BP_KEY_BOX_PK;
	k->sk.alg = kommune ? BP_KEY_SIGN_SK : BP_KEY_BOX_SK;
	k->pk.len = 32;
	k->sk.len = kommune ? 64 : 32;
	if (!(k->pk.bytes = malloc(32)) || !(k->sk.bytes = sodium_malloc(k->sk.len)))
		die("out of memory");
	if (kommune)
		crypto_sign_seed_keypair(k->pk.bytes, k->sk.bytes, seed);
	else
		crypto_box_seed_keypair(k->pk.bytes, k->sk.bytes, seed);
	uint8_t h[32];
	crypto_generichash(h, 32, k->pk.bytes, 32, NULL, 0);
	memcpy(k->pk.id, h, 8);
	memcpy(k->sk.id, h, 8);
	if (kommune) {
		memcpy(k->pk.kommune, kommune, 5);
		memcpy(k->sk.kommune, kommune, 5);
	}
}

static void
hexline(FILE *f, const char *name, const uint8_t *b, size_t n)
{
	fprintf(f, "%s: ", name);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
	fputc('\n', f);
}

static FILE *
create(const char *name)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/%s", outdir, name);
	FILE *f = fopen(p, "wb");
	if (!f)
		die(p);
	return f;
}

/* Writes NAME.vec: header lines, a blank line, the envelope bytes. */
static void
vec(const char *name, const char *expect, const char *comment, const char *extra,
    const uint8_t *env, size_t len)
{
	char fn[256];
	snprintf(fn, sizeof(fn), "%s.vec", name);
	FILE *f = create(fn);
	fprintf(f, "expect: %s\ncomment: %s\n%s\n", expect, comment, extra ? extra : "");
	if (len && fwrite(env, 1, len, f) != len)
		die(fn);
	if (fclose(f) != 0)
		die(fn);
}

/* Seals body with bp_seal. Returns a malloc'd envelope. */
static uint8_t *
seal(const uint8_t *body, size_t blen, struct kp *signer, const char *kommune,
    const struct kp *to, size_t *len)
{
	char err[256];
	struct bp_env_meta m = { .year = 2024, .rows = 0 };
	memcpy(m.kommune, kommune, 5);
	int in = memfd_create("in", 0), out = memfd_create("out", 0);
	if (in < 0 || out < 0 || (blen && write(in, body, blen) != (ssize_t)blen))
		die("memfd");
	lseek(in, 0, SEEK_SET);
	if (bp_seal(in, out, &signer->sk, &to->pk, &m, err, sizeof(err)) < 0)
		die(err);
	off_t n = lseek(out, 0, SEEK_END);
	uint8_t *b = malloc((size_t)n + 2);
	if (!b || pread(out, b, (size_t)n, 0) != n)
		die("read back");
	close(in);
	close(out);
	*len = (size_t)n;
	return b;
}

/* A forged envelope to central 1: body signed by signer as kommune, with
 * the signed length and digest of sbody (normally the body itself). */
static uint8_t *
forge(const uint8_t *body, size_t blen, const uint8_t *sbody, size_t slen, const char *kommune,
    const struct kp *signer, uint16_t version, size_t chunk, int final_early, size_t *len)
{
	uint8_t meta[149], d[32];
	crypto_generichash(d, 32, sbody, slen, NULL, 0);
	forge_meta(meta, kommune, c1.pk.id, 2024, slen, d, version, signer->sk.bytes);
	return forge_env(c1.pk.id, c1.pk.bytes, meta, body, blen, chunk, final_early, len);
}

/* A copy of env with byte at xored with x. */
static void
flipped(const char *name, const char *expect, const char *comment, const uint8_t *env,
    size_t len, size_t at, uint8_t x)
{
	uint8_t *d = malloc(len);
	if (!d)
		die("out of memory");
	memcpy(d, env, len);
	d[at] ^= x;
	vec(name, expect, comment, NULL, d, len);
	free(d);
}

static void
write_keys(void)
{
	FILE *f = create("keys.txt");
	fprintf(f, "# Test keys of the envelope vectors (fixed seeds; never use them).\n");
	hexline(f, "central1_pk", c1.pk.bytes, 32);
	hexline(f, "central1_sk", c1.sk.bytes, 32);
	hexline(f, "central2_pk", c2.pk.bytes, 32);
	hexline(f, "central2_sk", c2.sk.bytes, 32);
	hexline(f, "registered_0301", k0301.pk.bytes, 32);
	hexline(f, "registered_1103", k1103.pk.bytes, 32);
	if (fclose(f) != 0)
		die("keys.txt");
}

static const char body[] = "person_id;kommune;aar;kjonn;alder\n";
#define BLEN (sizeof(body) - 1)

static void
ok_vectors(const uint8_t *env, size_t len)
{
	size_t n;
	char extra[128];
	snprintf(extra, sizeof(extra), "kommune: 0301\nplaintext_bytes: %zu\n", BLEN);
	vec("ok_header_only", "ok", "a valid export of a header line only", extra, env, len);
	uint8_t *e = seal((const uint8_t *)"", 0, &k0301, "0301", &c1, &n);
	vec("ok_empty", "ok", "an empty plaintext still has its final chunk",
	    "kommune: 0301\nplaintext_bytes: 0\n", e, n);
	free(e);
	e = forge((const uint8_t *)body, BLEN, (const uint8_t *)body, BLEN, "1103", &k1103, 1,
	    65536, 0, &n);
	snprintf(extra, sizeof(extra), "kommune: 1103\nplaintext_bytes: %zu\n", BLEN);
	vec("ok_independent_encoder", "ok", "written from the manual page, not by bp_seal",
	    extra, e, n);
	free(e);
}

static void
header_vectors(const uint8_t *env, size_t len)
{
	size_t n;
	flipped("bad_magic", "bad_magic", "first magic byte changed", env, len, 0, 0x20);
	flipped("bad_version", "bad_version", "format version 3", env, len, 8, 0x02);
	flipped("bad_box_alg", "bad_version", "unknown key-wrapping algorithm", env, len, 10, 0x04);
	flipped("bad_stream_alg", "bad_version", "unknown stream algorithm", env, len, 12, 0x02);
	flipped("bad_sign_alg", "bad_version", "unknown signature algorithm", env, len, 15, 0x01);
	flipped("bad_chunk_size", "bad_version", "another chunk size", env, len, 18, 0x02);
	flipped("header_recipient_flip", "wrong_recipient", "a bit of the recipient id",
	    env, len, 23, 0x10);
	flipped("header_sealed_key_flip", "bad_key", "a bit of the sealed stream key",
	    env, len, 60, 0x01);
	flipped("header_stream_header_flip", "bad_chunk",
	    "a bit of the secretstream header", env, len, 120, 0x01);
	uint8_t *e = seal((const uint8_t *)body, BLEN, &k0301, "0301", &c2, &n);
	vec("wrong_recipient", "wrong_recipient", "sealed to another central key", NULL, e, n);
	free(e);
}

static void
stream_vectors(const uint8_t *env, size_t len)
{
	size_t meta_end = 132 + 4 + 166, n;
	flipped("meta_chunk_flip", "bad_chunk", "a bit of the metadata chunk", env, len, 200, 0x01);
	flipped("body_chunk_flip", "bad_chunk", "a bit of the final body chunk", env, len,
	    len - 3, 0x80);
	vec("final_chunk_dropped", "truncated", "ends after the metadata chunk", NULL, env, meta_end);
	vec("last_byte_dropped", "truncated", "one byte short", NULL, env, len - 1);
	vec("cut_after_header", "truncated", "the header only", NULL, env, 132);
	vec("cut_in_length", "truncated", "ends inside a chunk length", NULL, env, meta_end + 2);
	vec("cut_in_header", "truncated_header", "shorter than the header", NULL, env, 100);
	vec("empty_file", "truncated_header", "zero bytes", NULL, env, 0);
	uint8_t *d = malloc(len + 1);
	if (!d)
		die("out of memory");
	memcpy(d, env, len);
	d[len] = '\n';
	vec("trailing_byte", "trailing", "a newline after the final chunk", NULL, d, len + 1);
	free(d);
	/* The metadata chunk replayed in place of the body. */
	d = malloc(len + 170);
	if (!d)
		die("out of memory");
	memcpy(d, env, meta_end);
	memcpy(d + meta_end, env + 132, 170);
	memcpy(d + meta_end + 170, env + meta_end, len - meta_end);
	vec("meta_chunk_replayed", "bad_chunk", "the metadata chunk given twice", NULL, d, len + 170);
	free(d);
	uint8_t *e = forge((const uint8_t *)body, BLEN, (const uint8_t *)body, 20, "0301", &k0301,
	    1, 20, 1, &n);
	vec("chunk_after_final", "trailing", "a valid chunk after TAG_FINAL", NULL, e, n);
	free(e);
	e = forge((const uint8_t *)body, BLEN, (const uint8_t *)body, BLEN, "0301", &k0301, 1, 20,
	    0, &n);
	vec("short_chunk", "bad_chunk", "a non-final chunk shorter than 65536 bytes", NULL, e, n);
	free(e);
	char extra[64];
	snprintf(extra, sizeof(extra), "max_bytes: %zu\n", len - 1);
	vec("too_large", "too_large", "one byte over max_bytes", extra, env, len);
}

static void
signer_vectors(void)
{
	size_t n;
	uint8_t *e = seal((const uint8_t *)body, BLEN, &k5001, "5001", &c1, &n);
	vec("unknown_kommune", "unknown_kommune", "kommune 5001 has no registered key", NULL, e, n);
	free(e);
	e = seal((const uint8_t *)body, BLEN, &rogue0301, "0301", &c1, &n);
	vec("unregistered_key", "bad_signature", "0301 signed with a key not registered", NULL, e, n);
	free(e);
	e = forge((const uint8_t *)body, BLEN, (const uint8_t *)body, BLEN, "1103", &k0301, 1,
	    65536, 0, &n);
	vec("claims_other_kommune", "bad_signature", "signed by 0301, claiming 1103", NULL, e, n);
	free(e);
	e = forge((const uint8_t *)body, BLEN, (const uint8_t *)body, BLEN - 1, "0301", &k0301, 1,
	    65536, 0, &n);
	vec("length_mismatch", "digest_mismatch", "signed length and digest of one byte less",
	    NULL, e, n);
	free(e);
	char other[sizeof(body)];
	memcpy(other, body, sizeof(body));
	other[0] = 'P';
	e = forge((const uint8_t *)body, BLEN, (const uint8_t *)other, BLEN, "0301", &k0301, 1,
	    65536, 0, &n);
	vec("digest_mismatch", "digest_mismatch", "signed digest of another plaintext", NULL, e, n);
	free(e);
	e = forge((const uint8_t *)body, BLEN, (const uint8_t *)body, BLEN, "0301", &k0301, 2,
	    65536, 0, &n);
	vec("bad_meta_version", "bad_meta", "metadata version 2", NULL, e, n);
	free(e);
	/* Forwarded: central 1's metadata and signature, re-sealed to central 2. */
	uint8_t meta[149], d[32];
	crypto_generichash(d, 32, (const uint8_t *)body, BLEN, NULL, 0);
	forge_meta(meta, "0301", c1.pk.id, 2024, BLEN, d, 1, k0301.sk.bytes);
	e = forge_env(c2.pk.id, c2.pk.bytes, meta, (const uint8_t *)body, BLEN, 65536, 0, &n);
	vec("forwarded", "wrong_recipient",
	    "signed for central 1, re-sealed to central 2 by its holder", "open_with: central2\n",
	    e, n);
	free(e);
}

int
main(int argc, char **argv)
{
	size_t len;
	if (argc != 2 || sodium_init() < 0) {
		fprintf(stderr, "usage: gen_envelope DIR\n");
		return 64;
	}
	outdir = argv[1];
	seeded(&c1, 1, NULL);
	seeded(&c2, 2, NULL);
	seeded(&k0301, 3, "0301");
	seeded(&k1103, 4, "1103");
	seeded(&rogue0301, 5, "0301");
	seeded(&k5001, 6, "5001");
	write_keys();
	uint8_t *env = seal((const uint8_t *)body, BLEN, &k0301, "0301", &c1, &len);
	ok_vectors(env, len);
	header_vectors(env, len);
	stream_vectors(env, len);
	signer_vectors();
	free(env);
	struct kp *all[] = { &c1, &c2, &k0301, &k1103, &rogue0301, &k5001 };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		bp_key_free(&all[i]->pk);
		bp_key_free(&all[i]->sk);
	}
	return 0;
}
