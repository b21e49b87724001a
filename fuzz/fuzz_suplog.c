/*
 * fuzz_suplog.c - a libFuzzer target for the suppression log reader
 * (publish/suplog.c): what bpagg audit and bpagg publish do with a log that
 * anyone may have edited.
 *
 * The input is the log's bytes. They are read as a log, verified with a fixed
 * Ed25519 public key (the seeds in fuzz/corpus/suplog are sealed with its
 * secret half, so the fuzzer starts from logs whose seals verify), and every
 * member the tools read is looked up in every line into buffers of two sizes.
 * Beyond not crashing (under ASan/UBSan), it aborts when an invariant fails:
 *  - verification names a line of the log (1..lines) when it fails, none
 *    when it holds, and always says why;
 *  - a member read is NUL-terminated within its buffer;
 *  - the trailing incomplete append (what publish rolls back) starts after
 *    the last complete seal, ends at the end of the input, and the log cut
 *    there verifies as the whole did, with no tail left.
 * Built with clang by `make fuzz-suplog`; fuzz/replay.c runs the seed corpus in
 * `make check` (tests/integration/publish_fuzz_suplog.sh) with any compiler.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "suplog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The seed of the key the corpus is sealed with: 32 bytes of 0x5a. */
#define FUZZ_SEED_BYTE 0x5a

static struct bp_key pk;
static uint8_t pkb[crypto_sign_PUBLICKEYBYTES];

static void
init_key(void)
{
	static int done;
	uint8_t seed[crypto_sign_SEEDBYTES], skb[crypto_sign_SECRETKEYBYTES], id[32];
	if (done)
		return;
	if (sodium_init() < 0)
		abort();
	memset(seed, FUZZ_SEED_BYTE, sizeof(seed));
	crypto_sign_seed_keypair(pkb, skb, seed);
	crypto_generichash(id, sizeof(id), pkb, sizeof(pkb), NULL, 0);
	pk.alg = BP_KEY_SIGN_PK;
	pk.bytes = pkb;
	pk.len = sizeof(pkb);
	memcpy(pk.id, id, BP_KEY_ID_BYTES);
	done = 1;
}

static const char *const keys[] = {
	"n", "prev", "type", "release", "sig", "key", "year", "previous", "input",
	"settings.min_cell", "settings.levels", "files.tables.csv", "files.release.json",
	"a.b.c.d.e.f",
};

static void
read_members(const struct bp_suplog *l)
{
	char small[8], big[256];
	size_t lines = l->nline < 64 ? l->nline : 64;
	for (size_t i = 0; i < lines; i++)
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			const struct bp_suplog_line *ln = &l->line[i];
			if (bp_json_get(ln->text, ln->len, keys[k], small, sizeof(small)) == 0 &&
			    !memchr(small, '\0', sizeof(small)))
				abort();
			if (bp_json_get(ln->text, ln->len, keys[k], big, sizeof(big)) == 0 &&
			    !memchr(big, '\0', sizeof(big)))
				abort();
		}
}

/* Verifies l; aborts when the answer is not well formed. Returns rc. */
static int
verify(const struct bp_suplog *l, size_t *bad, char *why, size_t whylen)
{
	why[0] = '\0';
	int rc = bp_suplog_verify(l, &pk, bad, why, whylen);
	if (rc == 0 && *bad != 0)
		abort();
	if (rc != 0 && (rc != -1 || *bad < 1 || *bad > (l->nline ? l->nline : 1) || !why[0]))
		abort();
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bp_suplog l, cut;
	char why[256];
	size_t bad;

	init_key();
	if (bp_suplog_parse((const char *)data, size, &l) < 0)
		return 0;
	read_members(&l);
	int rc = verify(&l, &bad, why, sizeof(why));
	/* The committed part ends with a complete line; the tail is the rest. */
	if (l.ncommitted > l.nline || l.committed_bytes > l.size ||
	    (l.committed_bytes && l.buf[l.committed_bytes - 1] != '\n') ||
	    (l.ncommitted == l.nline) != (l.committed_bytes == l.size))
		abort();
	if (rc == 0 && l.ncommitted < l.nline) {
		if (bp_suplog_parse(l.buf, l.committed_bytes, &cut) < 0)
			abort();
		if (cut.nline != l.ncommitted || cut.ncommitted != cut.nline ||
		    verify(&cut, &bad, why, sizeof(why)) != 0 ||
		    memcmp(cut.head, l.committed_head, sizeof(cut.head)))
			abort();
		bp_suplog_close(&cut);
	}
	bp_suplog_close(&l);
	return 0;
}
