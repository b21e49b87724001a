/*
 * derived.c - the values a row derives on its own (ROP scale,
 * levekårsindeks, age groups, user groups, heavy use, kommune size); see
 * measures.h. The catalogue and the tally that count them are measures.c.
 */
#include "measures.h"

#include <math.h>

#include "codes.h"
#include "export.h"

enum bp_rop
bp_rop_scale(const struct bp_row *r, int definition)
{
	int rus = r->area[BP_AREA_RUSMIDDELBRUK], psyk = r->area[BP_AREA_PSYKISK_HELSE];

	if (!r->rusproblem)
		return BP_ROP_IKKE_AKTUELT;
	if (rus == BP_ROD && psyk == BP_ROD)
		return BP_ROP_ROD_ROD;
	if (rus == BP_ROD && psyk == BP_GUL)
		return BP_ROP_ROD_GUL;
	if (rus == BP_GUL && psyk == BP_ROD)
		return BP_ROP_GUL_ROD;
	/* 2015 (seed 001, Vedlegg 2): also gronn / rod, counted as gul_rod. */
	if (definition == 2015 && rus == BP_GRONN && psyk == BP_ROD)
		return BP_ROP_GUL_ROD;
	return BP_ROP_IKKE_ROP;
}

/* A cut point in millionths. */
static long long
cut_micro(double cut)
{
	return llround(cut * 1e6);
}

int
bp_lki(const struct bp_row *r, bool six, const double cut[3])
{
	long long sum = 0, n = 0;

	for (int a = 0; a < BP_NAREA; a++) {
		if (six && (a == BP_AREA_PSYKISK_HELSE || a == BP_AREA_RUSMIDDELBRUK))
			continue;
		sum += r->area[a];
		n++;
	}
	/* m < cut  <=>  sum * 10^6 < cut_micro * n, exactly in integers. */
	for (int k = 0; k < 3; k++)
		if (sum * 1000000LL < cut_micro(cut[k]) * n)
			return k;
	return 3;
}

int
bp_kommune_size(uint32_t population)
{
	if (population < 2500)
		return 0;
	if (population < 5000)
		return 1;
	if (population < 10000)
		return 2;
	if (population < 30000)
		return 3;
	return 4;
}

int
bp_alder7(int alder)
{
	if (alder < 24)
		return 0;
	if (alder < 30)
		return 1;
	if (alder >= 70)
		return 6;
	return 2 + (alder - 30) / 10;
}

int
bp_alder4(int alder)
{
	if (alder < 24)
		return 0;
	if (alder < 45)
		return 1;
	if (alder < 60)
		return 2;
	return 3;
}

int
bp_brukergruppe(const struct bp_row *r)
{
	if (r->rusproblem)
		return r->psykisk_problem ? 1 : 0;
	return r->psykisk_problem ? 2 : -1;
}

int
bp_rusgruppe(const struct bp_row *r)
{
	if (!r->rusproblem)
		return -1;
	if (r->area[BP_AREA_PSYKISK_HELSE] == BP_ROD)
		return 2;
	return r->psykisk_problem ? 1 : 0;
}

/* See measures.h. */
bool
bp_heavy_amount(int amount)
{
	return amount == BP_AMOUNT_BETYDELIG || amount == BP_AMOUNT_SVAERT;
}

int
bp_heavy_count(const struct bp_row *r, bool illegal_only)
{
	int n = 0;

	if (!r->rusproblem)
		return -1;
	for (int s = illegal_only ? 1 : 0; s < BP_NSUB; s++)
		n += bp_heavy_amount(r->substance[s]);
	return n;
}
