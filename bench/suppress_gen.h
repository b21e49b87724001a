/*
 * suppress_gen.h - generators of suppression problems for the suppression
 * tests and bench/suppress_bench: random small tables (with row, column and
 * grand totals, some with a second, linked level) and one large linked
 * group shaped like an indicator published at kommune, fylke and national
 * level.  Deterministic: a seed gives the same problem on every machine.
 */
#ifndef BP_SUPPRESS_GEN_H
#define BP_SUPPRESS_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "suppress.h"

struct bp_sgen_rng {
	uint64_t s;
};

void bp_sgen_seed(struct bp_sgen_rng *r, uint64_t seed);
uint64_t bp_sgen_next(struct bp_sgen_rng *r);
/* Uniform in [0, n), n > 0. */
uint32_t bp_sgen_below(struct bp_sgen_rng *r, uint32_t n);

/*
 * Random table number `seed`: 2-6 rows by 2-8 columns with totals; in about
 * 40% of cases 2-4 such tables linked into a fifth ("fylke") table, cell by
 * cell; in about 20% one row total is FIXED.  Counts: 15% zeros, 35% 1-4,
 * 30% 5-20, 20% 21-200.  A new problem the caller frees with bp_sup_free;
 * NULL on ENOMEM.
 */
struct bp_sup_problem *bp_sgen_table(uint64_t seed);

/*
 * One linked group: nkom kommune tables of nval values by ncat categories
 * (with an i_alt column and an indicator__total row), nkom spread over nfylke
 * fylke tables (kommune k in fylke k % nfylke) and one national table, each
 * cell of an upper level linked to the cells below it.  Kommune sizes are
 * heavy-tailed (most kommuner small).  Caller frees; NULL on ENOMEM.
 */
struct bp_sup_problem *bp_sgen_group(uint64_t seed, size_t nkom, size_t nfylke,
    size_t ncat, size_t nval);

/* Totals of bp_sgen_compare over a series of random tables. */
struct bp_sgen_cmp {
	size_t tables;             /* tables generated */
	size_t primary;            /* primary cells over all tables */
	size_t ours;               /* complements hidden by bp_suppress */
	size_t plain;              /* complements hidden by bp_suppress_plain */
	size_t plain_unsafe;       /* tables where the plain pattern fails the audit */
	size_t ours_failed;        /* tables where bp_suppress returned -1 */
	/* Over the tables where the plain pattern passes the audit: */
	size_t safe_primary;       /* their primary cells */
	size_t safe_ours;          /* complements by bp_suppress */
	size_t safe_plain;         /* complements by the plain heuristic */
};

/*
 * Runs bp_suppress and bp_suppress_plain on tables bp_sgen_table(seed0 + i),
 * i < ntables, audits the plain pattern, and sums the figures into *out.
 * 0, or -1 on ENOMEM or an audit error.
 */
int bp_sgen_compare(uint64_t seed0, size_t ntables, unsigned min_cell,
    struct bp_sgen_cmp *out);

#endif
