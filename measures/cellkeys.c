/*
 * cellkeys.c - position ids of equal quantities and relations between
 * breakdowns, from the atoms of measures/qatoms.c; see cellkeys.h.
 */
#include "cellkeys.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "measures.h"
#include "qatoms.h"

/* The relations of one universe (most groups share one of two or three). */
struct uni {
	const uint64_t *set;
	struct bp_bd_relation *rel;
	size_t nrel;
};

struct bp_cellkeys {
	struct bp_qatoms *q;
	size_t words, nind, ngroup;
	uint64_t *all;              /* every atom */
	size_t *boff;               /* per breakdown: first value's slot */
	size_t nslot;               /* breakdown values in all */
	size_t *goff;               /* per group: first position */
	uint32_t *pos;              /* position ids */
	struct uni *uni;
	size_t nuni;
	size_t *guni;               /* per group: its universe */
	int ks;                     /* kommunestorrelse, or -1 */
};

/* Interning of 16-byte digests into ids 1, 2, ... */
struct intern {
	uint8_t (*key)[16];
	uint32_t *id;
	size_t cap;
	uint32_t next;
};

static size_t
group_nrow(const struct bp_cellkeys *k, size_t g)
{
	return g < k->nind ? bp_indicator_at(g)->ncat + 1 : 1;
}

static bool
set_and(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t words)
{
	uint64_t any = 0;
	for (size_t w = 0; w < words; w++)
		any |= out[w] = a[w] & b[w];
	return any != 0;
}

static bool
set_meets(const uint64_t *a, const uint64_t *b, const uint64_t *c, size_t words)
{
	for (size_t w = 0; w < words; w++)
		if (a[w] & b[w] & c[w])
			return true;
	return false;
}

static uint32_t
intern_get(struct intern *in, const uint8_t key[16])
{
	uint64_t h;
	memcpy(&h, key, sizeof(h));
	for (size_t i = (size_t)h & (in->cap - 1);; i = (i + 1) & (in->cap - 1)) {
		if (in->id[i] == 0) {
			memcpy(in->key[i], key, 16);
			return in->id[i] = ++in->next;
		}
		if (!memcmp(in->key[i], key, 16))
			return in->id[i];
	}
}

/* The persons sum measure m counts (has_sum), or NULL when the atoms do not
 * decide it.  measures.c records alder and the service counts for every
 * row, antall_rusmidler and antall_illegale for rusproblem J rows (the
 * persons rusgruppe counts), antall_barn only when the export has it. */
static const uint64_t *
sum_universe(const struct bp_cellkeys *k, size_t m)
{
	const char *n = bp_sum_measure_at(m)->name;
	if (!strcmp(n, "alder") || !strncmp(n, "antall_tjenester_", 17))
		return k->all;
	if (!strcmp(n, "antall_rusmidler") || !strcmp(n, "antall_illegale")) {
		int rg = bp_indicator_find("rusgruppe");
		return rg < 0 ? NULL : bp_qatoms_universe(k->q, (size_t)rg);
	}
	return NULL;
}

static const uint64_t *
group_universe(const struct bp_cellkeys *k, size_t g)
{
	return g < k->nind ? bp_qatoms_universe(k->q, g) : sum_universe(k, g - k->nind);
}

/* The set of row r of group g (a category, or the group's universe), or
 * NULL when the atoms do not decide it. */
static const uint64_t *
row_set(const struct bp_cellkeys *k, size_t g, size_t r)
{
	if (g < k->nind && r < bp_indicator_at(g)->ncat)
		return bp_qatoms_category(k->q, g, r);
	return group_universe(k, g);
}

static int
make_positions(struct bp_cellkeys *k)
{
	struct intern in = { 0 };
	uint64_t *tmp = malloc(k->words * sizeof(*tmp));
	size_t npos = 0;
	int ret = -1;

	if (!tmp || !(k->goff = malloc((k->ngroup + 1) * sizeof(size_t))))
		goto out;
	for (size_t g = 0; g < k->ngroup; g++) {
		k->goff[g] = npos;
		npos += k->nslot * group_nrow(k, g);
	}
	k->goff[k->ngroup] = npos;
	for (in.cap = 64; in.cap < 2 * npos; in.cap *= 2)
		;
	if (!(k->pos = calloc(npos ? npos : 1, sizeof(*k->pos))) ||
	    !(in.key = malloc(in.cap * sizeof(*in.key))) ||
	    !(in.id = calloc(in.cap, sizeof(*in.id))))
		goto out;
	for (size_t g = 0; g < k->ngroup; g++) {
		size_t nr = group_nrow(k, g);
		for (size_t r = 0; r < nr; r++) {
			const uint64_t *rs = row_set(k, g, r);
			if (!rs)
				continue;
			for (size_t b = 0; b < bp_n_breakdowns(); b++)
				for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++) {
					bool ks = (int)b == k->ks;
					const uint64_t *bs = ks ? k->all : bp_qatoms_breakdown(k->q, b, v);
					uint16_t mark = ks ? (uint16_t)v : 0xffff;
					uint8_t dig[16];
					crypto_generichash_state st;
					if (!bs || !set_and(tmp, bs, rs, k->words))
						continue;
					crypto_generichash_init(&st, NULL, 0, sizeof(dig));
					crypto_generichash_update(&st, (const uint8_t *)&mark, sizeof(mark));
					crypto_generichash_update(&st, (const uint8_t *)tmp,
					    k->words * sizeof(*tmp));
					crypto_generichash_final(&st, dig, sizeof(dig));
					k->pos[k->goff[g] + (k->boff[b] + v) * nr + r] = intern_get(&in, dig);
				}
		}
	}
	ret = 0;
out:
	free(tmp);
	free(in.key);
	free(in.id);
	return ret;
}

static size_t
uf_find(size_t *up, size_t x)
{
	while (up[x] != x)
		x = up[x] = up[up[x]];
	return x;
}

/* Appends the relations between breakdowns b1 and b2 within universe u. */
static int
pair_relations(const struct bp_cellkeys *k, struct uni *U, size_t b1, size_t b2)
{
	size_t n1 = bp_breakdown_at(b1)->nval + 1, n2 = bp_breakdown_at(b2)->nval + 1;
	size_t up[128];
	uint64_t in1 = 0, in2 = 0;

	if (n1 + n2 > 128 || n1 > 64 || n2 > 64)
		return 0;
	for (size_t i = 0; i < n1 + n2; i++)
		up[i] = i;
	for (size_t v = 0; v < n1; v++)
		if (set_meets(bp_qatoms_breakdown(k->q, b1, v), U->set, U->set, k->words))
			in1 |= (uint64_t)1 << v;
	for (size_t v = 0; v < n2; v++)
		if (set_meets(bp_qatoms_breakdown(k->q, b2, v), U->set, U->set, k->words))
			in2 |= (uint64_t)1 << v;
	for (size_t v1 = 0; v1 < n1; v1++)
		for (size_t v2 = 0; v2 < n2; v2++)
			if ((in1 >> v1 & 1) && (in2 >> v2 & 1) &&
			    set_meets(bp_qatoms_breakdown(k->q, b1, v1),
			    bp_qatoms_breakdown(k->q, b2, v2), U->set, k->words))
				up[uf_find(up, v1)] = uf_find(up, n1 + v2);
	for (size_t root = 0; root < n1 + n2; root++) {
		struct bp_bd_relation R = { (uint16_t)b1, (uint16_t)b2, 0, 0 };
		if (uf_find(up, root) != root)
			continue;
		for (size_t v = 0; v < n1; v++)
			if ((in1 >> v & 1) && uf_find(up, v) == root)
				R.set1 |= (uint64_t)1 << v;
		for (size_t v = 0; v < n2; v++)
			if ((in2 >> v & 1) && uf_find(up, n1 + v) == root)
				R.set2 |= (uint64_t)1 << v;
		if (!R.set1 || !R.set2 || (R.set1 == in1 && R.set2 == in2))
			continue;   /* empty, or the whole universe (the partitions say it) */
		struct bp_bd_relation *nr = realloc(U->rel, (U->nrel + 1) * sizeof(*nr));
		if (!nr)
			return -1;
		U->rel = nr;
		U->rel[U->nrel++] = R;
	}
	return 0;
}

static int
make_relations(struct bp_cellkeys *k)
{
	if (!(k->guni = malloc(k->ngroup * sizeof(size_t))) ||
	    !(k->uni = calloc(k->ngroup + 1, sizeof(*k->uni))))
		return -1;
	for (size_t g = 0; g < k->ngroup; g++) {
		const uint64_t *u = group_universe(k, g);
		size_t i;
		if (!u)
			u = k->all;   /* identities of all persons hold for any part */
		for (i = 0; i < k->nuni; i++)
			if (!memcmp(k->uni[i].set, u, k->words * sizeof(*u)))
				break;
		k->guni[g] = i;
		if (i < k->nuni)
			continue;
		struct uni *U = &k->uni[k->nuni++];
		U->set = u;
		for (size_t b1 = 0; b1 < bp_n_breakdowns(); b1++)
			for (size_t b2 = b1 + 1; b2 < bp_n_breakdowns(); b2++) {
				if (!bp_qatoms_breakdown(k->q, b1, 0) || !bp_qatoms_breakdown(k->q, b2, 0) ||
				    bp_breakdown_at(b1)->nval < 2 || bp_breakdown_at(b2)->nval < 2)
					continue;
				if (pair_relations(k, U, b1, b2) < 0)
					return -1;
			}
	}
	return 0;
}

/* The cell keys for settings s; the caller frees *out with bp_cellkeys_free. */
int
bp_cellkeys_build(const struct bp_measure_settings *s, struct bp_cellkeys **out)
{
	struct bp_cellkeys *k = calloc(1, sizeof(*k));
	int ret = -1;

	*out = NULL;
	if (!k || bp_qatoms_build(s, &k->q) < 0)
		goto out;
	k->words = bp_qatoms_words(k->q);
	k->nind = bp_n_indicators();
	k->ngroup = k->nind + bp_n_sum_measures();
	k->ks = bp_breakdown_find("kommunestorrelse");
	if (!(k->all = calloc(k->words, sizeof(*k->all))) ||
	    !(k->boff = malloc(bp_n_breakdowns() * sizeof(size_t))))
		goto out;
	for (size_t a = 0; a < bp_qatoms_count(k->q); a++)
		k->all[a / 64] |= (uint64_t)1 << (a % 64);
	for (size_t b = 0; b < bp_n_breakdowns(); b++) {
		k->boff[b] = k->nslot;
		k->nslot += bp_breakdown_at(b)->nval;
	}
	if (make_positions(k) < 0 || make_relations(k) < 0)
		goto out;
	*out = k;
	k = NULL;
	ret = 0;
out:
	if (ret < 0)
		errno = ENOMEM;
	bp_cellkeys_free(k);
	return ret;
}

void
bp_cellkeys_free(struct bp_cellkeys *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->nuni; i++)
		free(k->uni[i].rel);
	free(k->uni);
	free(k->guni);
	free(k->pos);
	free(k->goff);
	free(k->boff);
	free(k->all);
	bp_qatoms_free(k->q);
	free(k);
}

uint32_t
bp_cellkeys_pos(const struct bp_cellkeys *k, size_t g, size_t b, size_t v, size_t r)
{
	if (g >= k->ngroup || b >= bp_n_breakdowns() || v >= bp_breakdown_at(b)->nval ||
	    r >= group_nrow(k, g))
		return 0;
	return k->pos[k->goff[g] + (k->boff[b] + v) * group_nrow(k, g) + r];
}

size_t
bp_cellkeys_relations(const struct bp_cellkeys *k, size_t g,
    const struct bp_bd_relation **out)
{
	const struct uni *U = g < k->ngroup ? &k->uni[k->guni[g]] : NULL;
	*out = U ? U->rel : NULL;
	return U ? U->nrel : 0;
}
