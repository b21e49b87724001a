/*
 * test_rows.h - valid export rows for tests that build tallies by hand:
 * a tally must come from real classified rows (bp_classify), or the
 * definitions that tie its breakdowns together (rop ja = rop_skala's three
 * ROP values, and so on) would not hold and publishing refuses it.
 */
#ifndef TEST_ROWS_H
#define TEST_ROWS_H

#include <string.h>

#include "codes.h"
#include "export.h"
#include "measures.h"
#include "registry.h"

/* A plain valid row: rus user without psychiatric problem, all areas gronn,
 * no heavy substance, age 40, M. */
static inline struct bp_row
tx_row_base(void)
{
	struct bp_row r;

	memset(&r, 0, sizeof(r));
	r.line = 2;
	memcpy(r.kommune, "0301", 5);
	r.aar = 2024;
	r.kjonn = 'M';
	r.alder = 40;
	r.rusproblem = true;
	r.psykisk_problem = false;
	for (int d = 0; d < BP_NDETAIL; d++)
		r.detail[d] = -1;
	for (int s = 0; s < BP_NSUB; s++)
		r.substance[s] = BP_AMOUNT_INGEN;
	for (int f = 0; f < BP_NFLAG; f++)
		r.flag[f] = -1;
	r.vold = r.fengsel = r.utdanning = -1;
	r.antall_barn = -1;
	return r;
}

/* Sets the user group by the rusgruppe wanted: -1 not counted (rusproblem
 * N, psykisk_problem J), 0 uten_psyk, 1 mindre_alvorlig_psyk, 2
 * alvorlig_psyk (psykisk_helse rod). */
static inline void
tx_row_rusgruppe(struct bp_row *r, int rg)
{
	r->rusproblem = rg >= 0;
	r->psykisk_problem = rg != 0;
	if (rg == 2)
		r->area[BP_AREA_PSYKISK_HELSE] = BP_ROD;
	for (int s = 0; s < BP_NSUB; s++)
		r->substance[s] = rg >= 0 ? BP_AMOUNT_INGEN : -1;
}

/* A valid row with skewed random fields from *rng (xorshift). */
static inline uint32_t
tx_next(uint64_t *rng, uint32_t n)
{
	*rng ^= *rng << 13;
	*rng ^= *rng >> 7;
	*rng ^= *rng << 17;
	return (uint32_t)((*rng >> 11) % n);
}

static inline struct bp_row
tx_row_random(uint64_t *rng)
{
	struct bp_row r = tx_row_base();
	r.kjonn = tx_next(rng, 100) < 65 ? 'M' : 'K';
	r.alder = 18 + (int)tx_next(rng, 30) + (int)tx_next(rng, 40);
	int ug = (int)tx_next(rng, 10);
	r.rusproblem = ug < 7;
	r.psykisk_problem = ug >= 4;
	for (int a = 0; a < BP_NAREA; a++)
		r.area[a] = (int8_t)(tx_next(rng, 10) < 5 ? 0 : tx_next(rng, 3));
	for (int s = 0; s < BP_NSUB; s++)
		r.substance[s] = r.rusproblem ? (int8_t)tx_next(rng, BP_NAMOUNT) : -1;
	r.flag[BP_FLAG_LAR] = (int8_t)((int)tx_next(rng, 3) - 1);
	return r;
}

/* Adds row r, classified with the default settings, to t; population is
 * the kommune's (for kommunestorrelse), 0 for none. */
static inline void
tx_tally_row(struct bp_tally *t, const struct bp_row *r, uint32_t population)
{
	struct bp_measure_settings s;
	struct bp_kommune k;
	struct bp_class c;

	memset(&k, 0, sizeof(k));
	k.population = population;
	bp_measure_settings_default(&s);
	bp_classify(r, population ? &k : NULL, &s, &c);
	bp_tally_add_class(t, &c);
}

#endif
