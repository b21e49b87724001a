/*
 * suppress_gen.c - deterministic generators of suppression problems (see
 * suppress_gen.h), shared by tests/unit/publish/test_suppress.c and
 * bench/suppress_bench.c.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "suppress_gen.h"

void
bp_sgen_seed(struct bp_sgen_rng *r, uint64_t seed)
{
	r->s = seed * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL;
}

/* splitmix64 */
uint64_t
bp_sgen_next(struct bp_sgen_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint32_t
bp_sgen_below(struct bp_sgen_rng *r, uint32_t n)
{
	return (uint32_t)(bp_sgen_next(r) % n);
}

/*
 * Adds an (r + 1) x (c + 1) grid: inner counts v[i * c + j], column c the
 * row totals, row r the column totals, (r, c) the grand total.  Cell ids go
 * to ids[i * (c + 1) + j].  The grid position `fixed` (or SIZE_MAX) is
 * FIXED.  Adds the table's constraints: rows, columns, and the grand total
 * both ways.  0 or -1.
 */
static int
add_grid(struct bp_sup_problem *p, size_t r, size_t c, const uint32_t *v,
    size_t fixed, size_t *ids)
{
	size_t w = c + 1, i, j, q, mem[64];
	uint64_t rowsum, colsum, grand = 0;
	uint32_t val;
	long id;

	if (r + 1 > 64 || c + 1 > 64)
		return -1;
	for (i = 0; i <= r; i++)
		for (j = 0; j <= c; j++) {
			if (i < r && j < c)
				val = v[i * c + j];
			else if (i < r) {
				for (rowsum = 0, q = 0; q < c; q++)
					rowsum += v[i * c + q];
				val = (uint32_t)rowsum;
			} else if (j < c) {
				for (colsum = 0, q = 0; q < r; q++)
					colsum += v[q * c + j];
				val = (uint32_t)colsum;
			} else
				val = (uint32_t)grand;
			if (i < r && j < c)
				grand += val;
			id = bp_sup_add_cell(p, val, i * w + j == fixed ? BP_SUP_FIXED : 0);
			if (id < 0)
				return -1;
			ids[i * w + j] = (size_t)id;
		}
	for (i = 0; i < r; i++) {
		for (j = 0; j < c; j++)
			mem[j] = ids[i * w + j];
		if (bp_sup_add_constraint(p, BP_CONS_TABLE, ids[i * w + c], mem, c) != 0)
			return -1;
	}
	for (j = 0; j < c; j++) {
		for (i = 0; i < r; i++)
			mem[i] = ids[i * w + j];
		if (bp_sup_add_constraint(p, BP_CONS_TABLE, ids[r * w + j], mem, r) != 0)
			return -1;
	}
	for (i = 0; i < r; i++)
		mem[i] = ids[i * w + c];
	if (bp_sup_add_constraint(p, BP_CONS_TABLE, ids[r * w + c], mem, r) != 0)
		return -1;
	for (j = 0; j < c; j++)
		mem[j] = ids[r * w + j];
	return bp_sup_add_constraint(p, BP_CONS_TABLE, ids[r * w + c], mem, c);
}

/*
 * Links grid `up` to the grids below it, position by position:
 * up[q] = sum of low[k][q].  ngrid cells per grid.  0 or -1.
 */
static int
add_links(struct bp_sup_problem *p, const size_t *up, size_t *const *low,
    size_t nlow, size_t ngrid)
{
	size_t q, k, *mem;
	int ret = -1;

	if ((mem = malloc((nlow ? nlow : 1) * sizeof(*mem))) == NULL)
		return -1;
	for (q = 0; q < ngrid; q++) {
		for (k = 0; k < nlow; k++)
			mem[k] = low[k][q];
		if (bp_sup_add_constraint(p, BP_CONS_LINK, up[q], mem, nlow) != 0)
			goto out;
	}
	ret = 0;
out:
	free(mem);
	return ret;
}

static uint32_t
random_count(struct bp_sgen_rng *g)
{
	uint32_t u = bp_sgen_below(g, 100);

	if (u < 15)
		return 0;
	if (u < 50)
		return 1 + bp_sgen_below(g, 4);
	if (u < 80)
		return 5 + bp_sgen_below(g, 16);
	return 21 + bp_sgen_below(g, 180);
}

struct bp_sup_problem *
bp_sgen_table(uint64_t seed)
{
	struct bp_sgen_rng g;
	struct bp_sup_problem *p = NULL;
	uint32_t v[5][6 * 8], up[6 * 8];
	size_t ids[5][7 * 9], *low[4], r, c, k, q, nkom, fixed;
	bool linked;

	bp_sgen_seed(&g, seed);
	r = 2 + bp_sgen_below(&g, 5);
	c = 2 + bp_sgen_below(&g, 7);
	linked = bp_sgen_below(&g, 10) < 4;
	nkom = linked ? 2 + bp_sgen_below(&g, 3) : 1;
	fixed = SIZE_MAX;
	if (bp_sgen_below(&g, 5) == 0)
		fixed = bp_sgen_below(&g, (uint32_t)r) * (c + 1) + c;
	memset(up, 0, sizeof(up));
	for (k = 0; k < nkom; k++)
		for (q = 0; q < r * c; q++) {
			v[k][q] = random_count(&g);
			up[q] += v[k][q];
		}
	if ((p = bp_sup_new()) == NULL)
		return NULL;
	for (k = 0; k < nkom; k++) {
		if (add_grid(p, r, c, v[k], k == 0 ? fixed : SIZE_MAX, ids[k]) != 0)
			goto fail;
		low[k] = ids[k];
	}
	if (linked && (add_grid(p, r, c, up, SIZE_MAX, ids[4]) != 0 ||
	    add_links(p, ids[4], low, nkom, (r + 1) * (c + 1)) != 0))
		goto fail;
	return p;
fail:
	bp_sup_free(p);
	return NULL;
}

/* Spreads n persons over the cells with weights w (sum wsum). */
static void
multinomial(struct bp_sgen_rng *g, uint32_t n, const uint32_t *w, size_t nw,
    uint32_t wsum, uint32_t *out)
{
	uint32_t i, u;
	size_t q;

	memset(out, 0, nw * sizeof(*out));
	for (i = 0; i < n; i++) {
		u = bp_sgen_below(g, wsum);
		for (q = 0; q + 1 < nw && u >= w[q]; q++)
			u -= w[q];
		out[q]++;
	}
}

/* The kommune grids: heavy-tailed sizes, fixed cell weights. */
static int
group_counts(struct bp_sgen_rng *g, size_t nkom, size_t ninner, uint32_t *v)
{
	uint32_t *w, wsum = 0, n;
	size_t q, k;

	if ((w = malloc(ninner * sizeof(*w))) == NULL)
		return -1;
	for (q = 0; q < ninner; q++) {
		w[q] = 1 + bp_sgen_below(g, 20);
		wsum += w[q];
	}
	for (k = 0; k < nkom; k++) {
		/* 5 * 2^u plus up to as much again, u in 0..8: from 5 to
		 * about 2 500 persons, as many kommuner per doubling. */
		n = 5u << bp_sgen_below(g, 9);
		n += bp_sgen_below(g, n);
		multinomial(g, n, w, ninner, wsum, v + k * ninner);
	}
	free(w);
	return 0;
}

/* Adds nup grids, grid u the cell-wise sum of the low grids k with k % nup == u. */
static int
group_level(struct bp_sup_problem *p, size_t r, size_t c, const uint32_t *v,
    size_t nlow, size_t nup, size_t **lowids, size_t **upids, uint32_t *upv)
{
	size_t u, k, q, n, ninner = r * c, ngrid = (r + 1) * (c + 1);
	size_t **sel;
	int ret = -1;

	if ((sel = malloc((nlow ? nlow : 1) * sizeof(*sel))) == NULL)
		return -1;
	memset(upv, 0, nup * ninner * sizeof(*upv));
	for (k = 0; k < nlow; k++)
		for (q = 0; q < ninner; q++)
			upv[(k % nup) * ninner + q] += v[k * ninner + q];
	for (u = 0; u < nup; u++) {
		if (add_grid(p, r, c, upv + u * ninner, SIZE_MAX, upids[u]) != 0)
			goto out;
		for (n = 0, k = u; k < nlow; k += nup)
			sel[n++] = lowids[k];
		if (add_links(p, upids[u], sel, n, ngrid) != 0)
			goto out;
	}
	ret = 0;
out:
	free(sel);
	return ret;
}

struct bp_sup_problem *
bp_sgen_group(uint64_t seed, size_t nkom, size_t nfylke, size_t ncat, size_t nval)
{
	struct bp_sgen_rng g;
	struct bp_sup_problem *p = NULL;
	size_t ninner = nval * ncat, ngrid = (nval + 1) * (ncat + 1), k, ngr;
	size_t *idbuf = NULL, **ids = NULL;
	uint32_t *v = NULL;
	bool ok = false;

	if (nkom == 0 || nfylke == 0 || nfylke > nkom || nval > 63 || ncat > 63)
		return NULL;
	ngr = nkom + nfylke + 1;
	bp_sgen_seed(&g, seed);
	v = malloc(ngr * ninner * sizeof(*v));
	idbuf = malloc(ngr * ngrid * sizeof(*idbuf));
	ids = malloc(ngr * sizeof(*ids));
	if (v == NULL || idbuf == NULL || ids == NULL || (p = bp_sup_new()) == NULL)
		goto out;
	for (k = 0; k < ngr; k++)
		ids[k] = idbuf + k * ngrid;
	if (group_counts(&g, nkom, ninner, v) != 0)
		goto out;
	for (k = 0; k < nkom; k++)
		if (add_grid(p, nval, ncat, v + k * ninner, SIZE_MAX, ids[k]) != 0)
			goto out;
	if (group_level(p, nval, ncat, v, nkom, nfylke, ids, ids + nkom,
	    v + nkom * ninner) != 0)
		goto out;
	if (group_level(p, nval, ncat, v + nkom * ninner, nfylke, 1, ids + nkom,
	    ids + nkom + nfylke, v + (nkom + nfylke) * ninner) != 0)
		goto out;
	ok = true;
out:
	free(v);
	free(idbuf);
	free(ids);
	if (!ok) {
		bp_sup_free(p);
		p = NULL;
	}
	return p;
}

static size_t
complements(const struct bp_sup_problem *p)
{
	return bp_sup_count(p, BP_SUP_SECONDARY) + bp_sup_count(p, BP_SUP_LINKED);
}

int
bp_sgen_compare(uint64_t seed0, size_t ntables, unsigned min_cell,
    struct bp_sgen_cmp *out)
{
	struct bp_sup_problem *a = NULL, *b = NULL;
	size_t i, bad, na;
	int ret = -1, ok;

	for (i = 0; i < ntables; i++) {
		if ((a = bp_sgen_table(seed0 + i)) == NULL ||
		    (b = bp_sgen_table(seed0 + i)) == NULL)
			goto out;
		ok = bp_suppress(a, min_cell, false) == 0;
		na = complements(a);
		if (!ok)
			out->ours_failed++;
		else
			out->ours += na;
		if (bp_suppress_plain(b, min_cell, false) != 0)
			goto out;
		out->primary += bp_sup_count(b, BP_SUP_PRIMARY);
		out->plain += complements(b);
		if (bp_sup_audit(b, min_cell, &bad) != 0) {
			if (bad == SIZE_MAX)
				goto out;
			out->plain_unsafe++;
		} else if (ok) {
			out->safe_primary += bp_sup_count(b, BP_SUP_PRIMARY);
			out->safe_ours += na;
			out->safe_plain += complements(b);
		}
		out->tables++;
		bp_sup_free(a);
		bp_sup_free(b);
		a = b = NULL;
	}
	ret = 0;
out:
	bp_sup_free(a);
	bp_sup_free(b);
	return ret;
}
