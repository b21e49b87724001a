/*
 * tallydump CONF YEAR [INDICATOR=CATEGORY]... - prints the store's tallies
 * of a year, one line per kommune: "NNNN rows c1 c2 ...", where ci is the
 * count of the given indicator category in the "total" breakdown; with
 * "--all" instead of cells, "NNNN rows HEX": a BLAKE2b-256 of every count,
 * sum count and sum of the tally, so that two stores can be compared
 * byte for byte. For the
 * daemon tests, which compare these with counts computed from the
 * plaintext by other means, and before and after bpagg rebuild. Exit 0, or
 * 1 on any error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "conf.h"
#include "measures.h"
#include "store.h"

struct want {
	size_t *cells;
	int n;
	int all;
};

/* Hashes every cell of t (little-endian), for --all. */
static void
tally_digest(const struct bp_tally *t, char hex[65])
{
	crypto_generichash_state st;
	uint8_t h[32], b[8];

	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	for (size_t i = 0; i < bp_n_cells(); i++) {
		for (int k = 0; k < 4; k++)
			b[k] = (uint8_t)(t->counts[i] >> (8 * k));
		crypto_generichash_update(&st, b, 4);
	}
	for (size_t i = 0; i < bp_n_sum_cells(); i++) {
		for (int k = 0; k < 4; k++)
			b[k] = (uint8_t)(t->sum_n[i] >> (8 * k));
		crypto_generichash_update(&st, b, 4);
		for (int k = 0; k < 8; k++)
			b[k] = (uint8_t)(t->sum[i] >> (8 * k));
		crypto_generichash_update(&st, b, 8);
	}
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(hex, 65, h, sizeof(h));
}

static int
find_cell(const char *spec, size_t *cell)
{
	char ind[128];
	const char *eq = strchr(spec, '=');
	if (!eq || (size_t)(eq - spec) >= sizeof(ind))
		return -1;
	snprintf(ind, sizeof(ind), "%.*s", (int)(eq - spec), spec);
	int i = bp_indicator_find(ind), b = bp_breakdown_find("total");
	if (i < 0 || b < 0)
		return -1;
	const struct bp_indicator *d = bp_indicator_at((size_t)i);
	for (size_t c = 0; c < d->ncat; c++)
		if (!strcmp(d->cats[c], eq + 1)) {
			*cell = bp_cell_offset((size_t)i, (size_t)b) +
			    c * bp_breakdown_at((size_t)b)->nval;
			return 0;
		}
	return -1;
}

static int
print_tally(const char *kommune, const struct bp_tally *t, void *ud)
{
	const struct want *w = ud;
	printf("%s %u", kommune, t->rows);
	if (w->all) {
		char hex[65];
		tally_digest(t, hex);
		printf(" %s", hex);
	}
	for (int i = 0; i < w->n; i++)
		printf(" %u", t->counts[w->cells[i]]);
	printf("\n");
	return 0;
}

int
main(int argc, char **argv)
{
	struct bp_config c;
	struct want w = { 0 };
	bp_store *s = NULL;
	uint8_t cid[32];
	char err[512];
	int ret = 1;

	if (argc < 3) {
		fprintf(stderr, "usage: tallydump CONF YEAR [INDICATOR=CATEGORY]...\n");
		return 64;
	}
	if (sodium_init() < 0)
		return 1;
	if (bp_config_load(argv[1], &c, err, sizeof(err)) < 0) {
		fprintf(stderr, "tallydump: %s\n", err);
		goto out;
	}
	w.all = argc > 3 && !strcmp(argv[3], "--all");
	w.n = w.all ? 0 : argc - 3;
	if (!(w.cells = calloc((size_t)w.n + 1, sizeof(*w.cells))))
		goto out;
	for (int i = 0; i < w.n; i++)
		if (find_cell(argv[3 + i], &w.cells[i]) < 0) {
			fprintf(stderr, "tallydump: no cell %s\n", argv[3 + i]);
			goto out;
		}
	if (bp_store_open(&c, &s, err, sizeof(err)) < 0) {
		fprintf(stderr, "tallydump: %s\n", err);
		goto out;
	}
	bp_catalogue_id(&c.measures, cid);
	if (bp_store_foreach_tally(s, atoi(argv[2]), cid, print_tally, &w) < 0) {
		fprintf(stderr, "tallydump: cannot read the tallies\n");
		goto out;
	}
	ret = 0;
out:
	bp_store_close(s);
	free(w.cells);
	bp_config_free(&c);
	return ret;
}
