/*
 * sample.h - a generator of synthetic kommune exports
 * (doc/export-format.md), for tests, benchmarks and the demo.
 *
 * The output is a pure function of the options: the same options give
 * byte-identical output on every run (a PRNG of our own, xoshiro256**
 * seeded through splitmix64 from seed, kommune and year; never rand()).
 * The shares aim at the seed reports (shared/seeds/000, 001, 004): about 70%
 * men among substance users, mean age about 42, user groups rus 40%,
 * rus_psyk 30%, psyk 30%, living-condition areas correlated through one
 * latent severity, substances only for substance users with alcohol most
 * common. Every person_id is a valid fødselsnummer (some D- and H-numre)
 * consistent with alder and the year, unique within the file.
 */
#ifndef BP_SAMPLE_H
#define BP_SAMPLE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "progress.h"

/* Which optional columns the header carries. */
enum bp_sample_optional {
	BP_SAMPLE_OPTIONAL_SEED = 0, /* the seed decides, column by column (~80% present) */
	BP_SAMPLE_OPTIONAL_ALL,      /* every optional column */
	BP_SAMPLE_OPTIONAL_NONE,     /* only the required columns and the substances */
};

#define BP_SAMPLE_MAX_ROWS 1000000ul

struct bp_sample_opts {
	const char *kommune;   /* "NNNN" (4 digits) */
	int year;              /* 1990..2100 */
	unsigned long rows;    /* 0..BP_SAMPLE_MAX_ROWS */
	uint64_t seed;
	char delimiter;        /* ';' or ','; 0 means ';' */
	enum bp_sample_optional optional;
	/*
	 * false (default): the seed also varies what readers must cope with: a
	 * quoted field now and then, a shuffled column order, CRLF line ends and
	 * a byte-order mark in some files. true: none of that.
	 */
	bool plain;
	struct bp_progress progress;  /* rows written of rows; cb NULL: none */
};

/*
 * Writes one export to out. Returns 0, or -1 with errno set: EINVAL for bad
 * options, ENOMEM, EIO when writing failed (ferror(out)). Optional cells
 * are sometimes empty on a row even when their column is present.
 */
int bp_sample_write(FILE *out, const struct bp_sample_opts *o);

#endif
