/*
 * release_sumties.c - release model 18: what a sum of sums.csv tells of
 * the table cells it adds up (bpagg-publish(1), "The release model").
 *
 * Three sums count table cells: antall_rusmidler adds up the seven
 * <substance>_tung ja cells of its area and breakdown value,
 * antall_illegale the six without alkohol, antall_tjenester_X the ja cells
 * of service column X's codes (bpagg-measures(7)).  A release of eight
 * kommuner printed fylke 39's antall_rusmidler sum, 98, and six of its
 * _tung ja cells, 97: the hidden annet_rusmiddel_tung ja was 1.
 *
 * Until model 17 a sum was printed or hidden with its row, so that the tie
 * held for a reader only while the count beside it was printed, which no
 * line of the model can say.  Model 18 makes each such sum a cell of its
 * own: sum = its terms (and an unknown rest for terms whose table the area
 * does not print), hidden when the repair needs it, so that sums.csv may
 * print a count with its sum and mean hidden.  Where the count is hidden
 * the sum is hidden too (take() in release.c): the model took the sum as
 * known there, which only asks more of the pattern.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "codes.h"
#include "release_private.h"

/* Most terms of a sum (the kommune service column's codes). */
#define TERMS_MAX 64

/* The indicators whose ja cells sum measure s adds up into ind (their
 * number, 0 when it adds up none), the ja category of each into ja. */
static size_t
terms_of(size_t s, int *ind, int *ja)
{
	const char *name = bp_sum_measure_at(s)->name;
	char buf[96];
	size_t n = 0;

	if (!strcmp(name, "antall_rusmidler") || !strcmp(name, "antall_illegale")) {
		for (size_t k = !strcmp(name, "antall_illegale"); k < BP_NSUB; k++) {
			struct bp__heavy h;
			bp__rel_heavy_of(&h, k);
			ind[n++] = h.tung;
		}
	} else if (!strncmp(name, "antall_", 7)) {
		for (size_t c = 0; c < BP_NSVC; c++) {
			if (strcmp(bp_services[c].column, name + 7))
				continue;
			for (size_t k = 0; k < bp_services[c].ncodes && n < TERMS_MAX; k++) {
				snprintf(buf, sizeof(buf), "%s_%s", bp_services[c].prefix,
				    bp_services[c].codes[k]);
				ind[n++] = bp_indicator_find(buf);
			}
		}
	}
	for (size_t k = 0; k < n; k++) {
		ja[k] = ind[k] < 0 ? -1 : bp_category_find((size_t)ind[k], "ja");
		if (ja[k] < 0)
			return 0; /* not this catalogue's measure: no tie stated */
	}
	return n;
}

/* The cell of the sum of row `row` (area i, measure s, b, v): sum = the
 * printed terms + an unknown rest for the others.  0, or -1 (errno
 * ENOMEM, EINVAL). */
static int
tie(const struct bp_tables *T, struct rel *R, size_t i, size_t s, size_t b, size_t v,
    size_t row, const int *ind, const int *ja, size_t n)
{
	struct bp_sup_problem *M = bp_model_problem(R->m);
	const struct area *a = &T->a[i];
	uint64_t sum = a->t->sum[bp_sum_cell(s, b, v)], rest = 0;
	size_t mem[TERMS_MAX + 1], k = 0;
	bool unprinted = false;

	for (size_t t = 0; t < n; t++) {
		size_t r = bp__rel_row_of(T, i, (size_t)ind[t], b, v, (size_t)ja[t]);
		if (r != SIZE_MAX && R->rowcell[r] != SIZE_MAX) {
			mem[k++] = R->rowcell[r];
		} else {
			rest += cell_value(T, a, (size_t)ind[t], b, v, (size_t)ja[t]);
			unprinted = true;
		}
	}
	if (k == 0)
		return 0; /* no printed cell to give away */
	if (sum > UINT32_MAX || rest > UINT32_MAX) {
		errno = EINVAL;
		return -1;
	}
	long c = bp_sup_add_cell(M, (uint32_t)sum, T->s.suppress_zero ? 0 : BP_SUP_POSITIVE);
	if (c < 0)
		return -1;
	if (unprinted) {
		long u = bp__rel_add_unknown(R, (uint32_t)rest);
		if (u < 0)
			return -1;
		mem[k++] = (size_t)u;
	}
	if (bp_sup_add_constraint(M, BP_CONS_TABLE, (size_t)c, mem, k) < 0)
		return -1;
	R->sumcell[row] = (size_t)c;
	/* a primary count hides its sum whatever the repair decides */
	size_t cnt = R->rowcell[row];
	if (cnt != SIZE_MAX && bp_sup_state_of(M, cnt) == BP_SUP_PRIMARY)
		bp_sup_set_state(M, (size_t)c, BP_SUP_SECONDARY);
	return 0;
}

int
bp__rel_sum_ties(const struct bp_tables *T, struct rel *R)
{
	int ind[TERMS_MAX], ja[TERMS_MAX];

	for (size_t s = 0; s < bp_n_sum_measures(); s++) {
		size_t n = terms_of(s, ind, ja), g = T->nind + s;
		if (!n)
			continue;
		for (size_t i = 0; i < T->na; i++) {
			if (!T->a[i].rows)
				continue;
			for (size_t b = 0; b < bp_n_breakdowns(); b++)
				for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++) {
					size_t row = bp__rel_row_of(T, i, g, b, v, 0);
					if (row != SIZE_MAX &&
					    tie(T, R, i, s, b, v, row, ind, ja, n) < 0)
						return -1;
				}
		}
	}
	return 0;
}
