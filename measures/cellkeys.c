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

/* Whether every atom of a is in b. */
static bool
set_within(const uint64_t *a, const uint64_t *b, size_t words)
{
	for (size_t w = 0; w < words; w++)
		if (a[w] & ~b[w])
			return false;
	return true;
}

/* Whether the atoms of a in on are all in b. */
static bool
within_on(const uint64_t *a, const uint64_t *b, const uint64_t *on, size_t words)
{
	for (size_t w = 0; w < words; w++)
		if (a[w] & on[w] & ~b[w])
			return false;
	return true;
}

/* Category c of indicator g; c == ncat: rest (bp_cellkeys_cross). */
static const uint64_t *
cat_set(const struct bp_cellkeys *k, size_t g, size_t c, const uint64_t *rest)
{
	return c < bp_indicator_at(g)->ncat ? bp_qatoms_category(k->q, g, c) : rest;
}

long
bp_cellkeys_cross(const struct bp_cellkeys *k, size_t g1, size_t g2, size_t b, size_t v,
    struct bp_cat_relation *out, size_t cap)
{
	return bp_cellkeys_cross_live(k, g1, g2, b, v, NULL, out, cap);
}

size_t
bp_cellkeys_words(const struct bp_cellkeys *k)
{
	return k->words;
}

int
bp_cellkeys_six_sum(const struct bp_cellkeys *k, size_t a)
{
	return bp_qatoms_six_sum(k->q, a);
}

int
bp_cellkeys_cell_atoms(const struct bp_cellkeys *k, size_t g, size_t c, size_t b, size_t v,
    uint64_t *out)
{
	if (g >= k->nind || b >= bp_n_breakdowns() || v >= bp_breakdown_at(b)->nval ||
	    c > bp_indicator_at(g)->ncat)
		return -1;
	const uint64_t *cs = c < bp_indicator_at(g)->ncat ? bp_qatoms_category(k->q, g, c) :
	    bp_qatoms_universe(k->q, g);
	const uint64_t *bs = (int)b == k->ks ? k->all : bp_qatoms_breakdown(k->q, b, v);
	if (!cs || !bs)
		return -1;
	for (size_t w = 0; w < k->words; w++)
		out[w] = cs[w] & bs[w];
	return 0;
}

long
bp_cellkeys_cross_live(const struct bp_cellkeys *k, size_t g1, size_t g2, size_t b, size_t v,
    const uint64_t *dead, struct bp_cat_relation *out, size_t cap)
{
	if (g1 >= k->nind || g2 >= k->nind || g1 == g2 || b >= bp_n_breakdowns() ||
	    v >= bp_breakdown_at(b)->nval)
		return -1;
	size_t n1 = bp_indicator_at(g1)->ncat, n2 = bp_indicator_at(g2)->ncat;
	const uint64_t *u1 = bp_qatoms_universe(k->q, g1), *u2 = bp_qatoms_universe(k->q, g2);
	const uint64_t *bs0 = (int)b == k->ks ? k->all : bp_qatoms_breakdown(k->q, b, v);
	if (n1 + 1 > 64 || n2 > 64 || !u1 || !u2 || !bs0 || !set_within(u1, u2, k->words))
		return -1;
	for (size_t c = 0; c < n1; c++)
		if (!bp_qatoms_category(k->q, g1, c))
			return -1;
	for (size_t c = 0; c < n2; c++)
		if (!bp_qatoms_category(k->q, g2, c))
			return -1;

	/* Nodes: g1's categories, then g1's rest (in u2, not in u1), then
	 * g2's categories; two nodes are joined when they share an atom of
	 * breakdown value v. */
	/* rest, then the atoms of value v that may count somebody here */
	uint64_t *rest = malloc(2 * k->words * sizeof(*rest)), *live;
	size_t up[130];
	uint64_t in1 = 0, in2 = 0;
	if (!rest) {
		errno = ENOMEM;
		return -2;
	}
	live = rest + k->words;
	for (size_t w = 0; w < k->words; w++)
		live[w] = bs0[w] & (dead ? ~dead[w] : ~(uint64_t)0);
	const uint64_t *bs = live;
	for (size_t w = 0; w < k->words; w++)
		rest[w] = u2[w] & ~u1[w];
	for (size_t i = 0; i < n1 + 1 + n2; i++)
		up[i] = i;
	for (size_t c1 = 0; c1 <= n1; c1++) {
		const uint64_t *s1 = c1 < n1 ? bp_qatoms_category(k->q, g1, c1) : rest;
		if (set_meets(s1, bs, s1, k->words))
			in1 |= (uint64_t)1 << c1;
		for (size_t c2 = 0; c2 < n2; c2++)
			if (set_meets(s1, bp_qatoms_category(k->q, g2, c2), bs, k->words))
				up[uf_find(up, c1)] = uf_find(up, n1 + 1 + c2);
	}
	for (size_t c2 = 0; c2 < n2; c2++)
		if (set_meets(bp_qatoms_category(k->q, g2, c2), bs, bs, k->words))
			in2 |= (uint64_t)1 << c2;

	long n = 0;
	for (size_t root = 0; root < n1 + 1 + n2; root++) {
		struct bp_cat_relation R = { 0, 0, 0 };
		if (uf_find(up, root) != root)
			continue;
		for (size_t c = 0; c <= n1; c++)
			if ((in1 >> c & 1) && uf_find(up, c) == root)
				R.set1 |= (uint64_t)1 << c;
		for (size_t c = 0; c < n2; c++)
			if ((in2 >> c & 1) && uf_find(up, n1 + 1 + c) == root)
				R.set2 |= (uint64_t)1 << c;
		if (!R.set1 || !R.set2 || (R.set1 == in1 && R.set2 == in2))
			continue;   /* nobody, or everybody (the i_alt say it) */
		if ((size_t)n < cap)
			out[n] = R;
		n++;
	}

	/* Containments: the g2 categories whose persons (of value v) are all
	 * in one g1 category, and the other way round; one that the
	 * components already state as an equality is left out. */
	for (size_t side = 0; side < 2; side++) {
		size_t na = side ? n2 : n1 + 1, nb = side ? n1 + 1 : n2;
		uint64_t ina = side ? in2 : in1, inb = side ? in1 : in2;
		for (size_t a = 0; a < na; a++) {
			uint64_t sub = 0, comp = 0;
			if (!(ina >> a & 1))
				continue;
			const uint64_t *sa = cat_set(k, side ? g2 : g1, a, rest);
			for (size_t c = 0; c < nb; c++)
				if ((inb >> c & 1) &&
				    within_on(cat_set(k, side ? g1 : g2, c, rest), sa, bs, k->words))
					sub |= (uint64_t)1 << c;
			if (!sub)
				continue;
			/* the component of a, on b's side */
			size_t ra = uf_find(up, side ? n1 + 1 + a : a);
			for (size_t c = 0; c < nb; c++)
				if ((inb >> c & 1) && uf_find(up, side ? c : n1 + 1 + c) == ra)
					comp |= (uint64_t)1 << c;
			if (comp == sub)
				continue;   /* a is the union of sub: an equality above */
			struct bp_cat_relation R = { 0, 0, 0 };
			R.set1 = side ? sub : (uint64_t)1 << a;
			R.set2 = side ? (uint64_t)1 << a : sub;
			R.contains = side ? 2 : 1;
			if ((size_t)n < cap)
				out[n] = R;
			n++;
		}
	}
	free(rest);
	return n;
}
