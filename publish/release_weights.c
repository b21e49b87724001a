/*
 * release_weights.c - what hiding a cell of the release model costs
 * (release.c; bpagg-publish(1), "The release model"): its count times the
 * rows that print the quantity, each weighed by its level.
 */
#include <stdlib.h>

#include "release_private.h"

/* A national row's weight (a fylke row's is 4, a kommune row's 1). */
#define NATIONAL_WEIGHT 64

/* w[c] as a cell weight (bp_sup_weigh's range). */
static uint16_t
weight16(uint32_t w)
{
	return (uint16_t)(w > UINT16_MAX ? UINT16_MAX : w);
}

/*
 * Weighs every model cell that is a row: rows printing it x level factor.
 * Model 16: the exchange (bp_sup_set_exchange) of national complements
 * weighs a national figure by total (the report's key figure, the margin
 * of every table of its indicator) as much as a cell of each of those
 * tables; the repair keeps the weights before (weighed so there too, it
 * chose other complements that the cleanup then had to free: in a
 * four-kommune year, more cells hidden and the cleanup 2.6 times as long).
 */
int
bp__rel_weigh(const struct bp_tables *T, struct rel *R, const unsigned char *lv)
{
	struct bp_sup_problem *M = bp_model_problem(R->m);
	size_t n = bp_sup_ncells(M);
	uint32_t *w = calloc(n ? n : 1, sizeof(*w));
	uint16_t *key = NULL;
	unsigned char *national = NULL;
	int ret = -1;

	if (!w)
		return -1;
	for (size_t row = 0; row < T->nrows; row++) {
		size_t c = R->rowcell[row];
		if (c == SIZE_MAX)
			continue;
		unsigned f = lv[row] == BP_LEVEL_NASJONAL ? NATIONAL_WEIGHT :
		    lv[row] == BP_LEVEL_FYLKE ? 4 : 1;
		w[c] += f;
	}
	for (size_t c = 0; c < n; c++)
		if (w[c] > 1 && bp_sup_weigh(M, c, weight16(w[c])) < 0)
			goto out;
	int tot = bp_breakdown_find("total");
	if (T->s.model_version < 16 || tot < 0) {
		ret = 0;
		goto out;
	}
	if (!(key = malloc((n ? n : 1) * sizeof(*key))) || !(national = calloc(n ? n : 1, 1)))
		goto out;
	for (size_t row = 0; row < T->nrows; row++)
		if (R->rowcell[row] != SIZE_MAX && lv[row] == BP_LEVEL_NASJONAL)
			national[R->rowcell[row]] = 1;
	for (size_t i = 0; i < T->na; i++) {
		if (!T->a[i].rows || T->a[i].level != BP_LEVEL_NASJONAL)
			continue;
		for (size_t g = 0; g < T->ngroup; g++) {
			size_t blk = T->blk[i * T->ngroup + g], ntab = 0;
			size_t off = bd_offset(T, BP_LEVEL_NASJONAL, g, (size_t)tot);
			if (blk == SIZE_MAX || off == SIZE_MAX)
				continue;
			for (size_t b = 0; b < bp_n_breakdowns(); b++)
				ntab += table_on(T, BP_LEVEL_NASJONAL, g, b);
			for (size_t r = 0; r < group_nrow(T, g); r++) {
				size_t c = R->rowcell[blk + off + r];
				if (c != SIZE_MAX)
					w[c] += (uint32_t)(ntab - 1) * NATIONAL_WEIGHT;
			}
		}
	}
	for (size_t c = 0; c < n; c++)
		key[c] = w[c] > 1 ? weight16(w[c]) : 0;
	ret = bp_sup_set_exchange(M, national, key);
out:
	free(national);
	free(key);
	free(w);
	return ret;
}
