/*
 * test_envelope.c - the sealed-submission envelope (crypto/envelope.h).
 *
 * Round trips, then a vector kit in the style of age's test vectors
 * (C2SP/CCTV): each vector is a valid envelope with exactly one defect and
 * the one enum bp_env_error it must produce. Forged envelopes (valid crypto
 * with a bad signature, a wrong digest, a forwarded file) are built by an
 * encoder written here from bpagg-submission(5), independently of
 * envelope.c, which also checks that the page describes the real format.
 *
 * Rows of another kommune or year inside a correctly signed envelope are
 * not an envelope defect: the daemon's export validator refuses them.
 * The committed vector kit and the peak memory: test_envelope_kit.c.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "envelope.h"
#include "forge.h"
#include "memfile.h"

/* ---- fixture: two central keys, registered kommuner 0301 and 1103 ---- */

static struct bp_key c1pk, c1sk, c2pk, c2sk; /* central keys 1 and 2 */
static struct bp_key apk, ask;               /* kommune 0301 (registered) */
static struct bp_key bpk, bsk;               /* kommune 1103 (registered) */
static struct bp_key xpk, xsk;               /* 0301 again: not registered */
static struct bp_key upk, usk;               /* 5001: no key registered */

static void
setup(void)
{
	cr_assert_eq(sodium_init() >= 0, 1);
	cr_assert_eq(bp_key_gen_box(&c1pk, &c1sk), 0);
	cr_assert_eq(bp_key_gen_box(&c2pk, &c2sk), 0);
	cr_assert_eq(bp_key_gen_sign(&apk, &ask, "0301"), 0);
	cr_assert_eq(bp_key_gen_sign(&bpk, &bsk, "1103"), 0);
	cr_assert_eq(bp_key_gen_sign(&xpk, &xsk, "0301"), 0);
	cr_assert_eq(bp_key_gen_sign(&upk, &usk, "5001"), 0);
}

static void
teardown(void)
{
	struct bp_key *all[] = { &c1pk, &c1sk, &c2pk, &c2sk, &apk, &ask, &bpk, &bsk,
		&xpk, &xsk, &upk, &usk };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		bp_key_free(all[i]);
}

static const struct bp_key *
lookup(const char *kommune, void *ud)
{
	if (!strcmp(kommune, "0301"))
		return &apk;
	if (!strcmp(kommune, "1103"))
		return &bpk;
	return NULL;
}

/* Seals plain for kommune with sk to pk; returns the envelope (malloc). */
static uint8_t *
seal_buf(const uint8_t *plain, size_t plen, const struct bp_key *sk,
    const struct bp_key *to, const char *kommune, struct bp_env_meta *m, size_t *len)
{
	char err[256];
	struct bp_env_meta local;
	if (!m)
		m = &local;
	memset(m, 0, sizeof(*m));
	memcpy(m->kommune, kommune, 5);
	m->year = 2024;
	m->rows = 7;
	int in = memfile(plain, plen);
	int out = memfd_create("out", 0);
	cr_assert_geq(out, 0);
	cr_assert_eq(bp_seal(in, out, sk, to, m, err, sizeof(err)), 0, "%s", err);
	uint8_t *env = slurp(out, len);
	close(in);
	close(out);
	return env;
}

struct opened {
	enum bp_env_error at_begin, result;
	struct bp_env_meta meta;
	uint8_t *plain;       /* when collect */
	size_t plen;
	crypto_generichash_state h;
};

/* Opens env with the given central key pair, reading it all. */
static enum bp_env_error
open_buf_with(const uint8_t *env, size_t len, const struct bp_key *pk, const struct bp_key *sk,
    uint64_t max, int collect, struct opened *r)
{
	bp_open *o;
	const uint8_t *b;
	size_t n;
	enum bp_env_error e;

	memset(r, 0, sizeof(*r));
	int fd = memfile(env, len);
	e = r->at_begin = bp_open_begin(fd, pk, sk, lookup, NULL, max, &r->meta, &o);
	if (e != BP_ENV_OK) {
		cr_assert_null(o);
		goto out;
	}
	for (;;) {
		if ((e = bp_open_next(o, &b, &n)) != BP_ENV_OK || n == 0)
			break;
		if (collect) {
			r->plain = realloc(r->plain, r->plen + n);
			cr_assert_not_null(r->plain);
			memcpy(r->plain + r->plen, b, n);
		}
		r->plen += n;
	}
	if (e == BP_ENV_OK) {
		e = bp_open_end(o);
		cr_expect_eq(bp_open_end(o), e, "bp_open_end is idempotent");
		cr_expect_eq(bp_open_next(o, &b, &n), e);
		cr_expect_eq(n, 0);
	}
	bp_open_free(o);
out:
	close(fd);
	r->result = e;
	return e;
}

static enum bp_env_error
open_buf(const uint8_t *env, size_t len)
{
	struct opened r;
	enum bp_env_error e = open_buf_with(env, len, &c1pk, &c1sk, 0, 0, &r);
	free(r.plain);
	return e;
}

#define expect_err(got, want) \
	cr_expect_eq((got), (want), "got %d (%s), want %d (%s)", (int)(got), \
	    bp_env_strerror(got), (int)(want), bp_env_strerror(want))

/* ---- plaintexts ---- */

static const char csv_header[] = "person_id;kommune;aar;kjonn;alder\n";

/* A CSV-like plaintext of rows data rows (need not be a valid export). */
static uint8_t *
make_plain(unsigned long rows, size_t *len)
{
	size_t cap = sizeof(csv_header) + rows * 40 + 1;
	char *p = malloc(cap);
	cr_assert_not_null(p);
	size_t n = (size_t)snprintf(p, cap, "%s", csv_header);
	for (unsigned long i = 0; i < rows; i++)
		n += (size_t)snprintf(p + n, cap - n, "%011lu;0301;2024;%c;%lu\n",
		    70000000000ul + i * 7919, i % 2 ? 'M' : 'K', 18 + i % 80);
	*len = n;
	return (uint8_t *)p;
}

/* ---- round trips ---- */

static void
round_trip(const uint8_t *plain, size_t plen)
{
	struct bp_env_meta m;
	struct opened r;
	size_t len;
	uint8_t *env = seal_buf(plain, plen, &ask, &c1pk, "0301", &m, &len);
	uint8_t digest[32];

	cr_assert_eq(open_buf_with(env, len, &c1pk, &c1sk, 0, 1, &r), BP_ENV_OK,
	    "%s", bp_env_strerror(r.result));
	cr_assert_eq(r.plen, plen);
	cr_expect(plen == 0 || memcmp(r.plain, plain, plen) == 0);
	crypto_generichash(digest, 32, plain, plen, NULL, 0);
	cr_expect_eq(memcmp(r.meta.digest, digest, 32), 0);
	cr_expect_eq(r.meta.plaintext_bytes, plen);
	cr_expect_str_eq(r.meta.kommune, "0301");
	cr_expect_eq(r.meta.year, 2024);
	cr_expect_eq(r.meta.rows, 7);
	cr_expect_eq(r.meta.version, 1);
	cr_expect_eq(r.meta.dry_run, false);
	cr_expect_eq(r.meta.sequence, m.sequence);
	cr_expect_eq(memcmp(r.meta.submission_id, m.submission_id, 16), 0);
	cr_expect_eq(memcmp(r.meta.recipient, c1pk.id, 8), 0);
	/* Size: header, meta chunk, one framed chunk per 64 KiB (at least one). */
	size_t chunks = plen / BP_ENV_CHUNK + (plen % BP_ENV_CHUNK || plen == 0);
	cr_expect_eq(len, 132 + 4 + 166 + plen + chunks * (4 + 17));
	free(r.plain);
	free(env);
}

TestSuite(envelope, .init = setup, .fini = teardown);

Test(envelope, round_trip_header_only)
{
	size_t n;
	uint8_t *p = make_plain(0, &n);
	round_trip(p, n);
	free(p);
}

Test(envelope, round_trip_empty_plaintext)
{
	round_trip((const uint8_t *)"", 0);
}

Test(envelope, round_trip_one_row)
{
	size_t n;
	uint8_t *p = make_plain(1, &n);
	round_trip(p, n);
	free(p);
}

Test(envelope, round_trip_chunk_boundaries)
{
	uint8_t *p = malloc(2 * BP_ENV_CHUNK + 1);
	cr_assert_not_null(p);
	randombytes_buf(p, 2 * BP_ENV_CHUNK + 1);
	round_trip(p, BP_ENV_CHUNK - 1);
	round_trip(p, BP_ENV_CHUNK);
	round_trip(p, BP_ENV_CHUNK + 1);
	round_trip(p, 2 * BP_ENV_CHUNK);
	round_trip(p, 2 * BP_ENV_CHUNK + 1);
	free(p);
}

/* bp_env_sealed_bytes: the size of every sealed file follows from its
 * signed plaintext length, at and around each chunk boundary (bpaggd
 * copies no byte past it). */
Test(envelope, sealed_bytes_is_the_file_size)
{
	static const size_t lens[] = { 0, 1, 149, BP_ENV_CHUNK - 1, BP_ENV_CHUNK,
	    BP_ENV_CHUNK + 1, 2 * BP_ENV_CHUNK, 2 * BP_ENV_CHUNK + 1 };
	uint8_t *p = malloc(2 * BP_ENV_CHUNK + 1);
	cr_assert_not_null(p);
	randombytes_buf(p, 2 * BP_ENV_CHUNK + 1);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct bp_env_meta m;
		size_t len;
		uint8_t *env = seal_buf(p, lens[i], &ask, &c1pk, "0301", &m, &len);
		cr_assert_eq(m.plaintext_bytes, lens[i]);
		cr_expect_eq(bp_env_sealed_bytes(&m), (uint64_t)len, "plaintext %zu: %llu, file %zu",
		    lens[i], (unsigned long long)bp_env_sealed_bytes(&m), len);
		free(env);
	}
	free(p);
	struct bp_env_meta huge = { .plaintext_bytes = UINT64_MAX - 5 };
	cr_expect_eq(bp_env_sealed_bytes(&huge), 0, "a length no file has: 0, not a wrapped sum");
}

Test(envelope, round_trip_200000_rows, .timeout = 120)
{
	size_t n;
	uint8_t *p = make_plain(200000, &n);
	round_trip(p, n);
	free(p);
}

Test(envelope, dry_run_and_sequence)
{
	char err[256];
	struct bp_env_meta m1, m2;
	struct opened r;
	size_t len1, len2;
	uint8_t *e1 = seal_buf((const uint8_t *)"x\n", 2, &ask, &c1pk, "0301", &m1, &len1);
	uint8_t *e2 = seal_buf((const uint8_t *)"x\n", 2, &ask, &c1pk, "0301", &m2, &len2);
	cr_expect_gt(m2.sequence, m1.sequence, "sequence must increase strictly");
	cr_expect_neq(memcmp(m1.submission_id, m2.submission_id, 16), 0);
	cr_expect_neq(memcmp(e1, e2, len1 < len2 ? len1 : len2), 0);
	free(e1);
	free(e2);

	/* dry_run is carried (and signed). */
	memset(&m1, 0, sizeof(m1));
	memcpy(m1.kommune, "1103", 5);
	m1.year = 2025;
	m1.dry_run = true;
	int in = memfile((const uint8_t *)"y\n", 2), out = memfd_create("o", 0);
	cr_assert_eq(bp_seal(in, out, &bsk, &c1pk, &m1, err, sizeof(err)), 0, "%s", err);
	uint8_t *e3 = slurp(out, &len1);
	cr_assert_eq(open_buf_with(e3, len1, &c1pk, &c1sk, 0, 0, &r), BP_ENV_OK);
	cr_expect_eq(r.meta.dry_run, true);
	cr_expect_eq(r.meta.year, 2025);
	cr_expect_str_eq(r.meta.kommune, "1103");
	close(in);
	close(out);
	free(e3);
}

Test(envelope, seal_refuses_other_kommunes_key)
{
	char err[256];
	struct bp_env_meta m = { .year = 2024 };
	memcpy(m.kommune, "1103", 5);
	int in = memfile((const uint8_t *)"x", 1), out = memfd_create("o", 0);
	cr_expect_eq(bp_seal(in, out, &ask, &c1pk, &m, err, sizeof(err)), -1);
	cr_expect_not_null(strstr(err, "1103"), "%s", err);
	cr_expect_eq(bp_seal(in, out, &ask, &apk, &m, err, sizeof(err)), -1);
	cr_expect_eq(lseek(out, 0, SEEK_END), 0, "nothing written on refusal");
	close(in);
	close(out);
}

Test(envelope, meta_encoding_matches_the_manual)
{
	struct bp_env_meta m = { .version = 1, .year = 2024, .sequence = 0x0102030405060708ull,
		.rows = 0x0a0b0c0d, .plaintext_bytes = 0x1112131415161718ull, .dry_run = true };
	uint8_t out[BP_ENV_META_BYTES];
	memcpy(m.kommune, "0301", 5);
	memset(m.recipient, 0xaa, 8);
	memset(m.submission_id, 0xbb, 16);
	memset(m.digest, 0xcc, 32);
	bp_env_meta_encode(&m, out);
	cr_expect_eq(out[0], 1);
	cr_expect_eq(out[1], 0);
	cr_expect_eq(out[2], 0xaa);
	cr_expect_eq(memcmp(out + 10, "0301", 4), 0);
	cr_expect_eq(out[14], 2024 & 0xff);
	cr_expect_eq(out[15], 2024 >> 8);
	cr_expect_eq(out[16], 0xbb);
	cr_expect_eq(out[32], 0x08);
	cr_expect_eq(out[39], 0x01);
	cr_expect_eq(out[40], 0x0d);
	cr_expect_eq(out[43], 0x0a);
	cr_expect_eq(out[44], 0x18);
	cr_expect_eq(out[51], 0x11);
	cr_expect_eq(out[52], 0xcc);
	cr_expect_eq(out[83], 0xcc);
	cr_expect_eq(out[84], 1);
}

/* ---- forged envelopes (tests/vectors/forge.h) ---- */

static uint8_t *
forge_to(const struct bp_key *to, const uint8_t meta[149], const uint8_t *body, size_t blen,
    int final_early, size_t *len)
{
	return forge_env(to->id, to->bytes, meta, body, blen, 65536, final_early, len);
}

/* A correctly signed, forged envelope of body by signer claiming kommune. */
static uint8_t *
forge_simple(const uint8_t *body, size_t blen, const char *kommune, const struct bp_key *signer,
    size_t *len)
{
	uint8_t meta[149], d[32];
	crypto_generichash(d, 32, body, blen, NULL, 0);
	forge_meta(meta, kommune, c1pk.id, 2024, blen, d, 1, signer->bytes);
	return forge_to(&c1pk, meta, body, blen, 0, len);
}

Test(envelope, independent_encoder_is_accepted)
{
	size_t plen, len;
	uint8_t *p = make_plain(3000, &plen); /* two body chunks */
	uint8_t *env = forge_simple(p, plen, "0301", &ask, &len);
	struct opened r;
	cr_expect_eq(open_buf_with(env, len, &c1pk, &c1sk, 0, 1, &r), BP_ENV_OK,
	    "%s", bp_env_strerror(r.result));
	cr_expect_eq(r.plen, plen);
	cr_expect(r.plain && memcmp(r.plain, p, plen) == 0);
	free(r.plain);
	free(env);
	free(p);
}

/* ---- the vector kit ---- */

/* Offsets of each chunk's length field: [0] the meta chunk, then the body. */
static size_t
chunk_offsets(const uint8_t *env, size_t len, size_t *off, size_t max)
{
	size_t n = 0, o = 132;
	while (o + 4 <= len && n < max) {
		off[n++] = o;
		o += 4 + (size_t)(env[o] | env[o + 1] << 8 | env[o + 2] << 16 |
		    (uint32_t)env[o + 3] << 24);
	}
	cr_assert_eq(o, len, "chunk framing walks to the end of the file");
	return n;
}

/* A valid envelope of four body chunks (three full, one partial). */
static uint8_t *
four_chunks(size_t *len, size_t *off, size_t *nchunks)
{
	size_t plen = 3 * BP_ENV_CHUNK + 1000;
	uint8_t *p = malloc(plen);
	cr_assert_not_null(p);
	randombytes_buf(p, plen);
	uint8_t *env = seal_buf(p, plen, &ask, &c1pk, "0301", NULL, len);
	free(p);
	*nchunks = chunk_offsets(env, *len, off, 16);
	cr_assert_eq(*nchunks, 5);
	cr_assert_eq(open_buf(env, *len), BP_ENV_OK);
	return env;
}

static uint8_t *
dup_buf(const uint8_t *p, size_t n, size_t extra)
{
	uint8_t *d = malloc(n + extra + 1);
	cr_assert_not_null(d);
	memcpy(d, p, n);
	return d;
}

struct flip {
	const char *what;
	size_t at;               /* byte offset into the header */
	enum bp_env_error want;
};

Test(envelope, vector_header_defects)
{
	size_t len, off[16], nc;
	uint8_t *env = four_chunks(&len, off, &nc);
	struct flip v[] = {
		{ "bad magic", 0, BP_ENV_BAD_MAGIC },
		{ "bad magic (last byte)", 7, BP_ENV_BAD_MAGIC },
		{ "bad version", 8, BP_ENV_BAD_VERSION },
		{ "unknown box algorithm", 10, BP_ENV_BAD_VERSION },
		{ "unknown stream algorithm", 12, BP_ENV_BAD_VERSION },
		{ "unknown signature algorithm", 15, BP_ENV_BAD_VERSION },
		{ "other chunk size", 18, BP_ENV_BAD_VERSION },
		{ "recipient id bit flip", 20, BP_ENV_WRONG_RECIPIENT },
		{ "sealed key bit flip (ephemeral pk)", 28, BP_ENV_BAD_KEY },
		{ "sealed key bit flip (ciphertext)", 100, BP_ENV_BAD_KEY },
		{ "stream header bit flip", 108, BP_ENV_BAD_CHUNK },
		{ "stream header bit flip (last byte)", 131, BP_ENV_BAD_CHUNK },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t *d = dup_buf(env, len, 0);
		d[v[i].at] ^= 0x01;
		enum bp_env_error e = open_buf(d, len);
		cr_expect_eq(e, v[i].want, "%s: got %s, want %s", v[i].what,
		    bp_env_strerror(e), bp_env_strerror(v[i].want));
		free(d);
	}
	free(env);
}

Test(envelope, vector_every_header_bit_flip_is_refused, .timeout = 120)
{
	size_t plen;
	uint8_t *p = make_plain(2, &plen);
	size_t len;
	uint8_t *env = seal_buf(p, plen, &ask, &c1pk, "0301", NULL, &len);
	for (size_t i = 0; i < 132 * 8; i++) {
		env[i / 8] ^= (uint8_t)(1u << (i % 8));
		enum bp_env_error e = open_buf(env, len);
		env[i / 8] ^= (uint8_t)(1u << (i % 8));
		cr_expect_neq(e, BP_ENV_OK, "header bit %zu flipped was accepted", i);
	}
	cr_expect_eq(open_buf(env, len), BP_ENV_OK);
	free(env);
	free(p);
}

Test(envelope, vector_wrong_recipient)
{
	size_t len;
	uint8_t *env = seal_buf((const uint8_t *)"a\n", 2, &ask, &c2pk, "0301", NULL, &len);
	expect_err(open_buf(env, len), BP_ENV_WRONG_RECIPIENT);
	free(env);
}

Test(envelope, vector_body_bit_flips)
{
	size_t len, off[16], nc;
	uint8_t *env = four_chunks(&len, off, &nc);
	/* the meta chunk, the first, a middle and the last body chunk */
	size_t at[] = { off[0] + 4 + 10, off[1] + 4 + 100, off[2] + 4 + 5000,
		off[4] + 4 + 17, len - 1 };
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		uint8_t *d = dup_buf(env, len, 0);
		d[at[i]] ^= 0x80;
		expect_err(open_buf(d, len), BP_ENV_BAD_CHUNK);
		free(d);
	}
	/* A chunk length field changed breaks the framing. */
	uint8_t *d = dup_buf(env, len, 0);
	d[off[2]] ^= 0x01;
	enum bp_env_error e = open_buf(d, len);
	cr_expect(e == BP_ENV_BAD_CHUNK || e == BP_ENV_TRUNCATED, "%s", bp_env_strerror(e));
	d[off[2]] ^= 0x01;
	d[off[2] + 3] ^= 0x80; /* length far above one chunk */
	expect_err(open_buf(d, len), BP_ENV_BAD_CHUNK);
	free(d);
	free(env);
}

Test(envelope, vector_truncations)
{
	size_t len, off[16], nc;
	uint8_t *env = four_chunks(&len, off, &nc);
	expect_err(open_buf(env, off[4]), BP_ENV_TRUNCATED);   /* last chunk dropped */
	expect_err(open_buf(env, len - 1), BP_ENV_TRUNCATED);  /* last byte dropped */
	/* Cut at every chunk boundary before the end: after the header, after
	 * the meta chunk, after each body chunk but the last. */
	for (size_t i = 0; i < nc; i++)
		expect_err(open_buf(env, off[i]), BP_ENV_TRUNCATED);
	/* Cut inside a length field and inside a chunk. */
	expect_err(open_buf(env, off[2] + 2), BP_ENV_TRUNCATED);
	expect_err(open_buf(env, off[2] + 40), BP_ENV_TRUNCATED);
	/* Cut inside the header: maybe still being written. */
	expect_err(open_buf(env, 131), BP_ENV_TRUNCATED_HEADER);
	expect_err(open_buf(env, 3), BP_ENV_TRUNCATED_HEADER);
	expect_err(open_buf(env, 0), BP_ENV_TRUNCATED_HEADER);
	expect_err(open_buf((const uint8_t *)"PK\3\4", 4), BP_ENV_BAD_MAGIC);
	free(env);
}

Test(envelope, vector_trailing_bytes)
{
	size_t len, off[16], nc;
	uint8_t *env = four_chunks(&len, off, &nc);
	uint8_t *d = dup_buf(env, len, 1);
	d[len] = 0;
	expect_err(open_buf(d, len + 1), BP_ENV_TRAILING);
	free(d);
	/* A whole valid chunk after TAG_FINAL (the final tag put early). */
	uint8_t meta[149], dg[32], body[70000];
	memset(body, 'x', sizeof(body));
	crypto_generichash(dg, 32, body, 65536, NULL, 0);
	forge_meta(meta, "0301", c1pk.id, 2024, 65536, dg, 1, ask.bytes);
	uint8_t *f = forge_to(&c1pk, meta, body, sizeof(body), 1, &len);
	expect_err(open_buf(f, len), BP_ENV_TRAILING);
	free(f);
	free(env);
}

/* An empty final chunk after full chunks (issue 10, item 8): the format
 * allows an empty final chunk only for an empty plaintext. */
Test(envelope, empty_final_chunk_only_for_empty_plaintext)
{
	uint8_t meta[149], dg[32], body[2 * 65536];
	size_t len;
	memset(body, 'y', sizeof(body));
	for (size_t n = 65536; n <= sizeof(body); n += 65536) {
		crypto_generichash(dg, 32, body, n, NULL, 0);
		forge_meta(meta, "0301", c1pk.id, 2024, n, dg, 1, ask.bytes);
		uint8_t *f = forge_env_ext(c1pk.id, c1pk.bytes, meta, body, n, 65536, 0, 1, &len);
		expect_err(open_buf(f, len), BP_ENV_BAD_CHUNK);
		free(f);
		/* The same plaintext with TAG_FINAL on its last full chunk opens. */
		f = forge_env_ext(c1pk.id, c1pk.bytes, meta, body, n, 65536, 0, 0, &len);
		expect_err(open_buf(f, len), BP_ENV_OK);
		free(f);
	}
	/* An empty plaintext: one empty final chunk, accepted. */
	crypto_generichash(dg, 32, body, 0, NULL, 0);
	forge_meta(meta, "0301", c1pk.id, 2024, 0, dg, 1, ask.bytes);
	uint8_t *f = forge_env_ext(c1pk.id, c1pk.bytes, meta, body, 0, 65536, 0, 0, &len);
	expect_err(open_buf(f, len), BP_ENV_OK);
	free(f);
}

/* Copies env with chunk i and j (indices into off[]) exchanged. */
static uint8_t *
swap_chunks(const uint8_t *env, size_t len, const size_t *off, size_t nc, size_t i, size_t j)
{
	uint8_t *d = malloc(len);
	cr_assert_not_null(d);
	size_t end_i = i + 1 < nc ? off[i + 1] : len, end_j = j + 1 < nc ? off[j + 1] : len;
	size_t li = end_i - off[i], lj = end_j - off[j], o = off[i];
	memcpy(d, env, off[i]);
	memcpy(d + o, env + off[j], lj);
	o += lj;
	memcpy(d + o, env + end_i, off[j] - end_i);
	o += off[j] - end_i;
	memcpy(d + o, env + off[i], li);
	o += li;
	memcpy(d + o, env + end_j, len - end_j);
	return d;
}

Test(envelope, vector_reordered_and_duplicated_chunks)
{
	size_t len, off[16], nc;
	uint8_t *env = four_chunks(&len, off, &nc);
	uint8_t *d = swap_chunks(env, len, off, nc, 1, 2);
	expect_err(open_buf(d, len), BP_ENV_BAD_CHUNK);
	free(d);
	d = swap_chunks(env, len, off, nc, 3, 4); /* full and final chunk */
	expect_err(open_buf(d, len), BP_ENV_BAD_CHUNK);
	free(d);
	/* Chunk 2 given twice. */
	size_t cl = off[3] - off[2];
	d = malloc(len + cl);
	cr_assert_not_null(d);
	memcpy(d, env, off[3]);
	memcpy(d + off[3], env + off[2], cl);
	memcpy(d + off[3] + cl, env + off[3], len - off[3]);
	expect_err(open_buf(d, len + cl), BP_ENV_BAD_CHUNK);
	free(d);
	/* The meta chunk given twice. */
	cl = off[1] - off[0];
	d = malloc(len + cl);
	cr_assert_not_null(d);
	memcpy(d, env, off[1]);
	memcpy(d + off[1], env + off[0], cl);
	memcpy(d + off[1] + cl, env + off[1], len - off[1]);
	expect_err(open_buf(d, len + cl), BP_ENV_BAD_CHUNK);
	free(d);
	free(env);
}

Test(envelope, vector_signers)
{
	size_t len;
	const uint8_t body[] = "person_id;kommune\n";
	/* Sealed by a kommune with no registered key. */
	uint8_t *e = seal_buf(body, sizeof(body) - 1, &usk, &c1pk, "5001", NULL, &len);
	expect_err(open_buf(e, len), BP_ENV_UNKNOWN_KOMMUNE);
	free(e);
	/* Sealed for 0301 with a key that is not 0301's registered one. */
	e = seal_buf(body, sizeof(body) - 1, &xsk, &c1pk, "0301", NULL, &len);
	expect_err(open_buf(e, len), BP_ENV_BAD_SIGNATURE);
	free(e);
	/* Signed by kommune 0301 but claiming 1103. */
	e = forge_simple(body, sizeof(body) - 1, "1103", &ask, &len);
	expect_err(open_buf(e, len), BP_ENV_BAD_SIGNATURE);
	free(e);
	/* The control: the forger's encoder with the right key is accepted. */
	e = forge_simple(body, sizeof(body) - 1, "1103", &bsk, &len);
	expect_err(open_buf(e, len), BP_ENV_OK);
	free(e);
}

Test(envelope, vector_forwarded_to_another_recipient)
{
	/* The holder of central key 1 opens a valid file (by hand, as an
	 * attacker would), then re-seals its signed metadata and body to
	 * central key 2. The signature still verifies, but the signed
	 * recipient is key 1: refused. */
	size_t plen, len;
	uint8_t *p = make_plain(10, &plen);
	uint8_t *env = seal_buf(p, plen, &ask, &c1pk, "0301", NULL, &len);
	uint8_t key[32], meta[149], *body = malloc(plen + 1);
	unsigned long long mlen;
	unsigned char tag;
	crypto_secretstream_xchacha20poly1305_state st;
	cr_assert_not_null(body);

	cr_assert_eq(crypto_box_seal_open(key, env + 28, 80, c1pk.bytes, c1sk.bytes), 0);
	cr_assert_eq(crypto_secretstream_xchacha20poly1305_init_pull(&st, env + 108, key), 0);
	size_t o = 132, clen = env[o] | env[o + 1] << 8;
	cr_assert_eq(crypto_secretstream_xchacha20poly1305_pull(&st, meta, &mlen, &tag,
	    env + o + 4, clen, env, 132), 0);
	cr_assert_eq(mlen, 149);
	o += 4 + clen;
	clen = env[o] | env[o + 1] << 8;
	cr_assert_eq(crypto_secretstream_xchacha20poly1305_pull(&st, body, &mlen, &tag,
	    env + o + 4, clen, NULL, 0), 0);
	cr_assert_eq(mlen, plen);

	size_t flen;
	uint8_t *fwd = forge_to(&c2pk, meta, body, plen, 0, &flen);
	struct opened r;
	expect_err(open_buf_with(fwd, flen, &c2pk, &c2sk, 0, 0, &r), BP_ENV_WRONG_RECIPIENT);
	/* Re-sealed to key 1 again, the same parts are accepted (control). */
	free(fwd);
	fwd = forge_to(&c1pk, meta, body, plen, 0, &flen);
	expect_err(open_buf(fwd, flen), BP_ENV_OK);
	free(fwd);
	free(body);
	free(env);
	free(p);
}

Test(envelope, vector_signed_digest_or_length_wrong)
{
	uint8_t meta[149], d[32], body[100];
	size_t len;
	memset(body, 'z', sizeof(body));
	crypto_generichash(d, 32, body, sizeof(body), NULL, 0);
	/* Digest of other bytes. */
	uint8_t wrong[32];
	memcpy(wrong, d, 32);
	wrong[0] ^= 1;
	forge_meta(meta, "0301", c1pk.id, 2024, sizeof(body), wrong, 1, ask.bytes);
	uint8_t *e = forge_to(&c1pk, meta, body, sizeof(body), 0, &len);
	expect_err(open_buf(e, len), BP_ENV_DIGEST_MISMATCH);
	free(e);
	/* Signed length shorter / longer than the body. */
	forge_meta(meta, "0301", c1pk.id, 2024, sizeof(body) - 1, d, 1, ask.bytes);
	e = forge_to(&c1pk, meta, body, sizeof(body), 0, &len);
	expect_err(open_buf(e, len), BP_ENV_DIGEST_MISMATCH);
	free(e);
	forge_meta(meta, "0301", c1pk.id, 2024, sizeof(body) + 1, d, 1, ask.bytes);
	e = forge_to(&c1pk, meta, body, sizeof(body), 0, &len);
	expect_err(open_buf(e, len), BP_ENV_DIGEST_MISMATCH);
	free(e);
}

Test(envelope, vector_bad_meta)
{
	uint8_t meta[149], d[32];
	size_t len;
	crypto_generichash(d, 32, (const uint8_t *)"", 0, NULL, 0);
	forge_meta(meta, "0301", c1pk.id, 2024, 0, d, 2, ask.bytes); /* meta version 2 */
	uint8_t *e = forge_to(&c1pk, meta, (const uint8_t *)"", 0, 0, &len);
	expect_err(open_buf(e, len), BP_ENV_BAD_META);
	free(e);
	forge_meta(meta, "03a1", c1pk.id, 2024, 0, d, 1, ask.bytes); /* kommune not digits */
	e = forge_to(&c1pk, meta, (const uint8_t *)"", 0, 0, &len);
	expect_err(open_buf(e, len), BP_ENV_BAD_META);
	free(e);
}

Test(envelope, vector_short_chunk_before_final)
{
	/* The format's chunks are 65536 bytes but the last: two 50-byte chunks
	 * (correctly signed and encrypted) are refused. */
	uint8_t meta[149], d[32], body[100];
	size_t len;
	memset(body, 'q', sizeof(body));
	crypto_generichash(d, 32, body, sizeof(body), NULL, 0);
	forge_meta(meta, "0301", c1pk.id, 2024, sizeof(body), d, 1, ask.bytes);
	uint8_t *e = forge_env(c1pk.id, c1pk.bytes, meta, body, sizeof(body), 50, 0, &len);
	expect_err(open_buf(e, len), BP_ENV_BAD_CHUNK);
	free(e);
	e = forge_env(c1pk.id, c1pk.bytes, meta, body, sizeof(body), 65536, 0, &len);
	expect_err(open_buf(e, len), BP_ENV_OK);
	free(e);
}

Test(envelope, random_mutations_never_open, .timeout = 120)
{
	/* 2000 envelopes with one to three random edits (bit flip, cut,
	 * inserted byte): none may open, none may crash (run under ASan). */
	size_t plen, len;
	uint8_t *p = make_plain(3, &plen);
	uint8_t *env = seal_buf(p, plen, &ask, &c1pk, "0301", NULL, &len);
	uint8_t seed[randombytes_SEEDBYTES] = { 42 };
	uint32_t r[3 * 3 * 2000];
	randombytes_buf_deterministic(r, sizeof(r), seed);
	size_t ri = 0;
	for (int i = 0; i < 2000; i++) {
		uint8_t *d = dup_buf(env, len, 8);
		size_t n = len;
		int edits = 1 + (int)(r[ri++] % 3);
		for (int k = 0; k < edits && n > 0; k++) {
			uint32_t what = r[ri++] % 3, at = r[ri++] % (uint32_t)n;
			if (what == 0)
				d[at] ^= (uint8_t)(1u << (at % 8));
			else if (what == 1)
				n = at;
			else {
				memmove(d + at + 1, d + at, n - at);
				d[at] = (uint8_t)at;
				n++;
			}
		}
		enum bp_env_error e = open_buf(d, n);
		cr_expect_neq(e, BP_ENV_OK, "mutation %d opened", i);
		free(d);
	}
	free(env);
	free(p);
}

Test(envelope, vector_too_large)
{
	size_t len, off[16], nc;
	uint8_t *env = four_chunks(&len, off, &nc);
	struct opened r;
	expect_err(open_buf_with(env, len, &c1pk, &c1sk, len - 1, 0, &r), BP_ENV_TOO_LARGE);
	expect_err(open_buf_with(env, len, &c1pk, &c1sk, len, 0, &r), BP_ENV_OK);
	free(env);
}

Test(envelope, error_strings_are_fixed_text)
{
	for (int e = BP_ENV_OK; e <= BP_ENV_NOMEM; e++) {
		const char *s = bp_env_strerror((enum bp_env_error)e);
		cr_assert_not_null(s);
		cr_expect_gt(strlen(s), 1);
		if (e != BP_ENV_OK)
			cr_expect_str_neq(s, "unknown envelope error");
	}
}
