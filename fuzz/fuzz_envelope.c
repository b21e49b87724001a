/*
 * fuzz_envelope.c - a libFuzzer target for the sealed-submission envelope
 * (crypto/envelope.c): it seals fuzzed plaintexts with real keys (a central
 * X25519 pair and a kommune Ed25519 pair made once per process) and opens
 * them again, then opens a damaged copy.
 *
 * Input: byte 0 picks what is damaged and where; bytes 1-3 give the
 * plaintext length L (little-endian, at most three chunks and a bit); the
 * rest is the plaintext pattern, repeated to L bytes, so that a small seed
 * reaches every chunk boundary. It aborts when an invariant fails:
 *  - the sealed file opens, gives back the plaintext byte for byte, and
 *    the metadata (kommune, year, rows, length, digest) it was sealed with;
 *  - a copy with one bit flipped anywhere, or cut short anywhere, or with
 *    a byte appended, is refused (bp_open_begin, _next or _end fails);
 *  - the reader never gives more bytes than were sealed.
 * Built with clang by `make fuzz-envelope`; fuzz/replay.c runs the seed
 * corpus fuzz/corpus/envelope in `make check` with any compiler.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sodium.h>

#include "envelope.h"
#include "keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PLAIN (3 * BP_ENV_CHUNK + 17)

static struct bp_key cpk, csk, kpk, ksk;
static int ready;

static const struct bp_key *
lookup(const char *kommune, void *ud)
{
	(void)ud;
	return strcmp(kommune, "0301") ? NULL : &kpk;
}

static void
setup(void)
{
	if (ready)
		return;
	if (sodium_init() < 0 || bp_key_gen_box(&cpk, &csk) < 0 ||
	    bp_key_gen_sign(&kpk, &ksk, "0301") < 0)
		abort();
	ready = 1;
}

/* A memfd holding len bytes of buf, at offset 0. */
static int
memfile(const uint8_t *buf, size_t len)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);
	if (fd < 0)
		abort();
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, buf + off, len - off);
		if (n <= 0)
			abort();
		off += (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) < 0)
		abort();
	return fd;
}

/* Opens env; with want (the plaintext) it must open and give it back. */
static enum bp_env_error
open_env(const uint8_t *env, size_t len, const uint8_t *want, size_t wlen,
    const struct bp_env_meta *sealed)
{
	struct bp_env_meta m;
	bp_open *o = NULL;
	size_t got = 0;
	int fd = memfile(env, len);
	enum bp_env_error e = bp_open_begin(fd, &cpk, &csk, lookup, NULL, 0, &m, &o);

	if (e == BP_ENV_OK) {
		if (want && (strcmp(m.kommune, sealed->kommune) || m.year != sealed->year ||
		    m.rows != sealed->rows || m.plaintext_bytes != wlen ||
		    memcmp(m.digest, sealed->digest, 32) ||
		    memcmp(m.submission_id, sealed->submission_id, 16) ||
		    m.sequence != sealed->sequence))
			abort();
		for (;;) {
			const uint8_t *b;
			size_t n;
			if ((e = bp_open_next(o, &b, &n)) != BP_ENV_OK || n == 0)
				break;
			if (got + n > MAX_PLAIN || (want && (got + n > wlen ||
			    memcmp(b, want + got, n))))
				abort();
			got += n;
		}
		if (e == BP_ENV_OK)
			e = bp_open_end(o);
	}
	if (want && (e != BP_ENV_OK || got != wlen))
		abort();
	bp_open_free(o);
	close(fd);
	return e;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t plain[MAX_PLAIN];
	struct bp_env_meta m;
	char err[256];
	size_t len, elen;

	setup();
	if (size < 4)
		return 0;
	len = ((size_t)data[1] | (size_t)data[2] << 8 | (size_t)data[3] << 16) % (MAX_PLAIN + 1);
	for (size_t i = 0; i < len; i++)
		plain[i] = size > 4 ? data[4 + i % (size - 4)] : 0;
	memset(&m, 0, sizeof(m));
	memcpy(m.kommune, "0301", 5);
	m.year = 2024;
	m.rows = data[0];
	m.dry_run = data[0] & 1;
	int in = memfile(plain, len), out = memfd_create("sealed", MFD_CLOEXEC);
	if (out < 0 || bp_seal(in, out, &ksk, &cpk, &m, err, sizeof(err)) < 0)
		abort();
	close(in);
	off_t end = lseek(out, 0, SEEK_END);
	if (end <= 0)
		abort();
	elen = (size_t)end;
	uint8_t *env = malloc(elen + 1);
	if (!env || pread(out, env, elen, 0) != (ssize_t)elen)
		abort();
	close(out);
	open_env(env, elen, plain, len, &m);

	/* One bit flipped, the file cut short, a byte appended: all refused. */
	size_t pos = ((size_t)data[0] * 2654435761u + len) % elen;
	env[pos] ^= (uint8_t)(1u << (data[0] % 8));
	if (open_env(env, elen, NULL, 0, NULL) == BP_ENV_OK)
		abort();
	env[pos] ^= (uint8_t)(1u << (data[0] % 8));
	if (open_env(env, pos, NULL, 0, NULL) == BP_ENV_OK)
		abort();
	env[elen] = data[0];
	if (open_env(env, elen + 1, NULL, 0, NULL) == BP_ENV_OK)
		abort();
	free(env);
	return 0;
}
