/*
 * rawseal KOMMUNE YEAR ROWS NNNN.sign.sk central.box.pk IN.csv OUT.bpx -
 * seals IN without validating it (bpagg seal refuses invalid exports), so
 * the daemon tests can check that bpaggd refuses an invalid row, or a row
 * count that differs from the signed one. Exit 0 or 1.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "envelope.h"
#include "keys.h"

int
main(int argc, char **argv)
{
	struct bp_key ksk = { 0 }, cpk = { 0 };
	struct bp_env_meta m;
	char err[256];
	int in = -1, out = -1, ret = 1;

	if (argc != 8 || strlen(argv[1]) != 4 || sodium_init() < 0) {
		fprintf(stderr, "usage: rawseal KOMMUNE YEAR ROWS SK CENTRAL_PK IN OUT\n");
		return 64;
	}
	memset(&m, 0, sizeof(m));
	memcpy(m.kommune, argv[1], 5);
	m.year = (uint16_t)atoi(argv[2]);
	m.rows = (uint32_t)strtoul(argv[3], NULL, 10);
	/* BP_RAWSEAL_AHEAD=SECONDS: a sequence that far ahead of the clock. */
	if (getenv("BP_RAWSEAL_AHEAD")) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		m.sequence = ((uint64_t)ts.tv_sec + strtoull(getenv("BP_RAWSEAL_AHEAD"), NULL,
		    10)) * 1000000000u;
	}
	if (bp_key_load(argv[4], BP_KEY_SIGN_SK, &ksk, err, sizeof(err)) < 0 ||
	    bp_key_load(argv[5], BP_KEY_BOX_PK, &cpk, err, sizeof(err)) < 0) {
		fprintf(stderr, "rawseal: %s\n", err);
		goto out;
	}
	if ((in = open(argv[6], O_RDONLY)) < 0 ||
	    (out = open(argv[7], O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0) {
		perror("rawseal");
		goto out;
	}
	if (bp_seal(in, out, &ksk, &cpk, &m, err, sizeof(err)) < 0) {
		fprintf(stderr, "rawseal: %s\n", err);
		goto out;
	}
	ret = 0;
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	bp_key_free(&ksk);
	bp_key_free(&cpk);
	return ret;
}
