/*
 * ingest_decrypt KEYS_DIR FILE... - the baseline of bench/ingest.sh: only
 * opens the sealed files (bp_open_begin, bp_open_next to the end,
 * bp_open_end), doing nothing with the plaintext. Prints
 * "files N bytes B seconds S" on stdout. Exit 0, or 1 when a file does not
 * open (the benchmark must not time failures).
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "envelope.h"
#include "keys.h"

static const struct bp_key *
lookup(const char *kommune, void *ud)
{
	return bp_keyring_find(ud, kommune);
}

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Opens one file to the end; adds the plaintext bytes to *bytes. */
static int
open_one(const char *path, const struct bp_key *pk, const struct bp_key *sk,
    struct bp_keyring *kr, unsigned long long *bytes)
{
	struct bp_env_meta m;
	bp_open *o = NULL;
	const uint8_t *buf;
	size_t len;
	int ret = -1, fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (bp_open_begin(fd, pk, sk, lookup, kr, 0, &m, &o) != BP_ENV_OK)
		goto out;
	for (;;) {
		if (bp_open_next(o, &buf, &len) != BP_ENV_OK)
			goto out;
		if (len == 0)
			break;
		*bytes += len;
	}
	if (bp_open_end(o) != BP_ENV_OK)
		goto out;
	ret = 0;
out:
	bp_open_free(o);
	close(fd);
	return ret;
}

int
main(int argc, char **argv)
{
	struct bp_key pk = { 0 }, sk = { 0 };
	struct bp_keyring *kr = NULL;
	char p[PATH_MAX], err[512];
	unsigned long long bytes = 0;
	int ret = 1;

	if (argc < 3 || sodium_init() < 0) {
		fprintf(stderr, "usage: ingest_decrypt KEYS_DIR FILE...\n");
		return 64;
	}
	snprintf(p, sizeof(p), "%s/central.box.pk", argv[1]);
	if (bp_key_load(p, BP_KEY_BOX_PK, &pk, err, sizeof(err)) < 0)
		goto fail;
	snprintf(p, sizeof(p), "%s/central.box.sk", argv[1]);
	if (bp_key_load(p, BP_KEY_BOX_SK, &sk, err, sizeof(err)) < 0)
		goto fail;
	snprintf(p, sizeof(p), "%s/kommuner", argv[1]);
	if (bp_keyring_load(p, &kr, err, sizeof(err)) < 0)
		goto fail;
	double t0 = now();
	for (int i = 2; i < argc; i++)
		if (open_one(argv[i], &pk, &sk, kr, &bytes) < 0) {
			fprintf(stderr, "ingest_decrypt: %s does not open\n", argv[i]);
			goto out;
		}
	printf("files %d bytes %llu seconds %.6f\n", argc - 2, bytes, now() - t0);
	ret = 0;
	goto out;
fail:
	fprintf(stderr, "ingest_decrypt: %s\n", err);
out:
	if (kr)
		bp_keyring_free(kr);
	bp_key_free(&pk);
	bp_key_free(&sk);
	return ret;
}
