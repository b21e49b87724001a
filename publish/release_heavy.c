/*
 * release_heavy.c - release model 17: what heavy use tells of the cells
 * (bpagg-publish(1), "The release model").
 *
 * The atoms (measures/qatoms.c) know no substance, so a substance and its
 * <substance>_tung were two classifications of the same persons with no
 * tie between them, in the model and in the attacker of the tests.  A
 * reader knows one (bpagg-measures(7)): _tung ja is betydelig plus
 * svaert_omfattende, nei is ingen plus beskjeden.  A release of fifteen
 * kommuner printed fylke 46's heroin_tung ja (10) and heroin betydelig (7)
 * and hid svaert_omfattende: 3, exactly.  Model 17 states the tie as equal
 * sums of cells wherever an area prints both tables by a breakdown.
 *
 * Not stated: that a sum of sums.csv which counts is a sum of table cells
 * (antall_rusmidler of the _tung ja cells, antall_tjenester_X of the ja
 * cells of column X's codes).  The sum is printed or hidden with its row,
 * and a line that holds only while the row is printed is not one of this
 * model; taken as always known, it left releases with no safe pattern.
 */
#include <errno.h>
#include <stdio.h>

#include "codes.h"
#include "release_private.h"

/* Model cell of (area i, group g, b, v, row r), SIZE_MAX when not printed. */
static size_t
cell_of(const struct bp_tables *T, const struct rel *R, size_t i, size_t g, size_t b,
    size_t v, size_t r)
{
	size_t row = bp__rel_row_of(T, i, g, b, v, r);
	return row == SIZE_MAX ? SIZE_MAX : R->rowcell[row];
}

void
bp__rel_heavy_of(struct bp__heavy *h, size_t s)
{
	static const char *const amount[4] = { "ingen", "beskjeden", "betydelig",
	    "svaert_omfattende" };
	char name[64];

	h->sub = bp_indicator_find(bp_substance_names[s]);
	snprintf(name, sizeof(name), "%s_tung", bp_substance_names[s]);
	h->tung = bp_indicator_find(name);
	if (h->sub < 0 || h->tung < 0) {
		h->sub = h->tung = -1;
		return;
	}
	for (int k = 0; k < 4; k++)
		h->cat[k] = bp_category_find((size_t)h->sub, amount[k]);
	h->ja = bp_category_find((size_t)h->tung, "ja");
	h->nei = bp_category_find((size_t)h->tung, "nei");
	for (int k = 0; k < 4; k++)
		if (h->cat[k] < 0)
			h->sub = -1;
	if (h->ja < 0 || h->nei < 0 || h->sub < 0)
		h->sub = h->tung = -1;
}

/* _tung ja = betydelig + svaert_omfattende, nei = ingen + beskjeden, where
 * area i prints both tables by (b, v). */
static int
tung_equal(const struct bp_tables *T, struct rel *R, const struct bp__heavy *h, size_t i,
    size_t b, size_t v)
{
	for (int side = 0; side < 2; side++) {
		size_t t = cell_of(T, R, i, (size_t)h->tung, b, v, (size_t)(side ? h->nei : h->ja));
		size_t m[2] = {
			cell_of(T, R, i, (size_t)h->sub, b, v, (size_t)h->cat[side ? 0 : 2]),
			cell_of(T, R, i, (size_t)h->sub, b, v, (size_t)h->cat[side ? 1 : 3]),
		};
		if (t == SIZE_MAX || m[0] == SIZE_MAX || m[1] == SIZE_MAX)
			return 0;
		if (bp__rel_add_equal(R, &t, 1, m, 2) < 0)
			return -1;
	}
	return 0;
}

int
bp__rel_heavy(const struct bp_tables *T, struct rel *R)
{
	struct bp__heavy h[BP_NSUB];

	for (size_t s = 0; s < BP_NSUB; s++)
		bp__rel_heavy_of(&h[s], s);
	for (size_t i = 0; i < T->na; i++) {
		if (!T->a[i].rows)
			continue;
		for (size_t b = 0; b < bp_n_breakdowns(); b++)
			for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++)
				for (size_t s = 0; s < BP_NSUB; s++)
					if (h[s].sub >= 0 && tung_equal(T, R, &h[s], i, b, v) < 0)
						return -1;
	}
	return 0;
}
