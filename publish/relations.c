/*
 * relations.c - one group's suppression problem: its cells at every
 * published area and the linear relations between them (tables, breakdowns
 * against total, links between levels, equal quantities, relations between
 * breakdowns, the republishing rule); see the comment atop tables.c.
 */
#include "tables_private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cellkeys.h"

/* ---- suppression ------------------------------------------------------- */

void
bp_tb_prev_key(const struct bp_tables *T, const struct area *a, size_t g, size_t b, size_t v,
    size_t r, char *key, size_t len)
{
	const struct bp_breakdown *bd = bp_breakdown_at(b);
	if (g < T->nind) {
		const struct bp_indicator *ind = bp_indicator_at(g);
		snprintf(key, len, "%s|%s|%s__%s|%s|%s", bp_level_name(a->level), a->code,
		    ind->name, bd->name, r < ind->ncat ? ind->cats[r] : "i_alt", bd->vals[v]);
	} else {
		snprintf(key, len, "%s|%s|%s__%s||%s", bp_level_name(a->level), a->code,
		    bp_sum_measure_at(g - T->nind)->name, bd->name, bd->vals[v]);
	}
}

/* 0: area i is not in G; 1: its cells are decided in G; 2: context. */
static unsigned
use_of(const struct bp_tables *T, const struct group *G, size_t i)
{
	if (!T->a[i].rows)
		return 0;
	return G->use ? G->use[i] : 1;
}

static size_t
rest_slot(const struct bp_tables *T, size_t i, size_t b, size_t r, size_t g)
{
	return (i * bp_n_breakdowns() + b) * group_nrow(T, g) + r;
}

static int
mem_reserve(struct group *G, size_t n)
{
	if (n <= G->memcap)
		return 0;
	size_t *m = realloc(G->mem, n * sizeof(*m));
	if (!m)
		return -1;
	G->mem = m;
	G->memcap = n;
	return 0;
}

/* Index, in the problem, of row r of value v of breakdown b in area i. */
static size_t
cell_at(const struct bp_tables *T, const struct group *G, size_t i, size_t g, size_t b,
    size_t v, size_t r)
{
	size_t off = bd_offset(T, T->a[i].level, g, b);
	return G->base[i] + off + v * group_nrow(T, g) + r;
}

/* Whether the republishing rule hides a cell of count now that had count
 * old in the previous release (-1: hidden then): hidden before, or moved
 * by 1 .. min_cell - 1 (a zero is published like every zero). */
static bool
republish_rule_hides(const struct bp_tables *T, uint32_t now, int64_t old)
{
	/* Republish model 3: a 0 is shown like every zero, hidden before or
	 * not; kept hidden, it broke the rule every reader knows (a hidden
	 * cell is at least 1) and so misled them about its neighbours. */
	if (old < 0)
		return !(T->s.republish_model >= 3 && now == 0 && !T->s.suppress_zero);
	if ((now == 0 && !T->s.suppress_zero) || T->s.min_cell <= 1)
		return false;
	uint64_t d = now > old ? now - (uint64_t)old : (uint64_t)old - now;
	return d != 0 && d < T->s.min_cell;
}

/* Whether the republishing rule will hide row r (value now) of value v of
 * breakdown b of group g in area a: hidden in an earlier release of the
 * year, or moved by 1 .. min_cell - 1 since one (add_republish_cell). */
static bool
republish_hides(const struct bp_tables *T, const struct area *a, size_t g, size_t b,
    size_t v, size_t r, uint32_t now, const struct bp_prev *prev)
{
	char key[256];
	int64_t old;
	if (!prev)
		return false;
	bp_tb_prev_key(T, a, g, b, v, r, key, sizeof(key));
	for (const struct bp_prev *q = prev; q; q = bp_prev_older(q))
		if (bp_prev_get(q, key, &old) && republish_rule_hides(T, now, old))
			return true;
	return false;
}


/*
 * Adds every row of group g at every area of G as a cell. A context area's
 * cell is FIXED when stage 1 published it (the reader has it); a cell stage
 * 1 hid is an ordinary cell, primary again when it is small, so stage 2
 * protects it against its kommuner too.
 */
static int
add_cells(const struct bp_tables *T, struct group *G, size_t g, const struct bp_prev *prev)
{
	size_t nr = group_nrow(T, g);
	int tot = bp_breakdown_find("total");
	G->ncells = 0;
	for (size_t i = 0; i < T->na; i++) {
		const struct area *a = &T->a[i];
		unsigned u = use_of(T, G, i);
		G->base[i] = SIZE_MAX;
		if (!u)
			continue;
		size_t row = T->blk[i * T->ngroup + g];
		for (size_t b = 0; b < bp_n_breakdowns(); b++) {
			if (!table_on(T, a->level, g, b))
				continue;
			for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++)
				for (size_t r = 0; r < nr; r++, row++) {
					unsigned fl = 0;
					uint32_t key = T->rowkey[row], val = cell_value(T, a, g, b, v, r);
					if (u == 2 && bp_sup_state_of(G->ctx->p,
					    cell_at(T, G->ctx, i, g, b, v, r)) == BP_SUP_PUBLISHED)
						fl = BP_SUP_FIXED;
					if (G->strict >= STRICT_ALL && key &&
					    T->kshared[key] >= STRICT_SHARED &&
					    !bp_tb_is_small(T, val))
						fl = BP_SUP_FIXED;
					/* The national count of each group (its i_alt, or a
					 * sum measure's count, of the total) is the headline
					 * figure: on the first try never a complement, unless
					 * the republishing rule wants it hidden. */
					if (G->strict >= STRICT_HEADLINE && a->level == BP_LEVEL_NASJONAL &&
					    (int)b == tot &&
					    r + 1 == nr && !bp_tb_is_small(T, val) &&
					    !republish_hides(T, a, g, b, v, r, val, prev))
						fl = BP_SUP_FIXED;

					long c = bp_sup_add_cell(G->p, val, fl);
					if (c < 0)
						return -1;
					/* A quantity n groups print weighs n: hiding it
					 * here hides it in all of them. */
					if (key && T->kshared[key] > 1 &&
					    bp_sup_weigh(G->p, (size_t)c, T->kshared[key]) < 0)
						return -1;
					if (G->base[i] == SIZE_MAX)
						G->base[i] = (size_t)c;
					G->ncells++;
				}
		}
	}
	return 0;
}

/* i_alt(v) = sum of the categories of v, in every table of an indicator. */
static int
add_table_cons(const struct bp_tables *T, struct group *G, size_t g)
{
	size_t ncat = bp_indicator_at(g)->ncat;
	if (mem_reserve(G, ncat) < 0)
		return -1;
	for (size_t i = 0; i < T->na; i++) {
		if (!use_of(T, G, i))
			continue;
		for (size_t b = 0; b < bp_n_breakdowns(); b++) {
			if (!table_on(T, T->a[i].level, g, b))
				continue;
			for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++) {
				for (size_t c = 0; c < ncat; c++)
					G->mem[c] = cell_at(T, G, i, g, b, v, c);
				if (bp_sup_add_constraint(G->p, BP_CONS_TABLE,
				    cell_at(T, G, i, g, b, v, ncat), G->mem, ncat) < 0)
					return -1;
			}
		}
	}
	return 0;
}

/* total row r = sum over the values of b (+ a fixed rest), per area. */
static int
add_partition_cons(const struct bp_tables *T, struct group *G, size_t g)
{
	int tot = bp_breakdown_find("total");
	size_t nr = group_nrow(T, g);
	if (tot < 0)
		return 0;
	for (size_t i = 0; i < T->na; i++) {
		const struct area *a = &T->a[i];
		if (!use_of(T, G, i) || !table_on(T, a->level, g, (size_t)tot))
			continue;
		for (size_t b = 0; b < bp_n_breakdowns(); b++) {
			size_t nval = bp_breakdown_at(b)->nval;
			if (b == (size_t)tot || !table_on(T, a->level, g, b))
				continue;
			if (mem_reserve(G, nval + 1) < 0)
				return -1;
			for (size_t r = 0; r < nr; r++) {
				uint64_t whole = cell_value(T, a, g, (size_t)tot, 0, r), parts = 0;
				size_t n = 0;
				for (size_t v = 0; v < nval; v++) {
					parts += cell_value(T, a, g, b, v, r);
					G->mem[n++] = cell_at(T, G, i, g, b, v, r);
				}
				if (parts > whole)
					continue;   /* values overlap: no exact equation */
				if (parts < whole) {
					long rest = bp_sup_add_cell(G->p, (uint32_t)(whole - parts), 0);
					if (rest < 0)
						return -1;
					G->mem[n++] = (size_t)rest;
					G->rest[rest_slot(T, i, b, r, g)] = (size_t)rest;
				}
				if (bp_sup_add_constraint(G->p, BP_CONS_TABLE,
				    cell_at(T, G, i, g, (size_t)tot, 0, r), G->mem, n) < 0)
					return -1;
			}
		}
	}
	return 0;
}

/* parent row = sum of the children's rows, for breakdowns both carry and
 * the level between (skip, 0 none) does not. */
static int
add_link(const struct bp_tables *T, struct group *G, size_t g, size_t parent,
    const size_t *child, size_t nchild, unsigned skip)
{
	size_t nr = group_nrow(T, g);
	unsigned cl = T->a[child[0]].level;
	if (mem_reserve(G, nchild) < 0)
		return -1;
	for (size_t b = 0; b < bp_n_breakdowns(); b++) {
		if (!table_on(T, cl, g, b) || !table_on(T, T->a[parent].level, g, b) ||
		    (skip && table_on(T, skip, g, b)))
			continue;
		for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++)
			for (size_t r = 0; r < nr; r++) {
				for (size_t k = 0; k < nchild; k++)
					G->mem[k] = cell_at(T, G, child[k], g, b, v, r);
				if (bp_sup_add_constraint(G->p, BP_CONS_LINK,
				    cell_at(T, G, parent, g, b, v, r), G->mem, nchild) < 0)
					return -1;
			}
	}
	return 0;
}

/*
 * A parent's kommunestorrelse cells against its kommuner's totals: the
 * parent row of size class s = the sum of the total rows of its kommuner of
 * that class (the kommune level does not carry kommunestorrelse itself, so
 * add_link does not see it).  parent SIZE_MAX: nasjonal, every kommune.
 */
static int
add_ksize_link(const struct bp_tables *T, struct group *G, size_t g, size_t parent)
{
	int ks = bp_breakdown_find("kommunestorrelse"), tot = bp_breakdown_find("total");
	size_t nr = group_nrow(T, g), P = parent == SIZE_MAX ? 0 : parent;

	if (ks < 0 || tot < 0 || !table_on(T, T->a[P].level, g, (size_t)ks) ||
	    table_on(T, BP_LEVEL_KOMMUNE, g, (size_t)ks) ||
	    !table_on(T, BP_LEVEL_KOMMUNE, g, (size_t)tot))
		return 0;
	if (mem_reserve(G, T->na) < 0)
		return -1;
	for (size_t v = 0; v < bp_breakdown_at((size_t)ks)->nval; v++)
		for (size_t r = 0; r < nr; r++) {
			size_t n = 0;
			for (size_t k = 0; k < T->na; k++) {
				const struct area *a = &T->a[k];
				if (a->level == BP_LEVEL_KOMMUNE && use_of(T, G, k) &&
				    (parent == SIZE_MAX || a->parent == parent) && a->ksize == (int)v)
					G->mem[n++] = cell_at(T, G, k, g, (size_t)tot, 0, r);
			}
			if (n && bp_sup_add_constraint(G->p, BP_CONS_LINK,
			    cell_at(T, G, P, g, (size_t)ks, v, r), G->mem, n) < 0)
				return -1;
		}
	return 0;
}

/* Links fylke = sum of kommuner, nasjonal = sum of fylker (or kommuner). */
static int
add_link_cons(const struct bp_tables *T, struct group *G, size_t g)
{
	size_t *child = malloc(T->na * sizeof(*child));
	int ret = -1;
	size_t n;

	if (!child)
		return -1;
	bool fylke = T->s.levels & BP_LEVEL_FYLKE, kommune = T->s.levels & BP_LEVEL_KOMMUNE;
	for (size_t f = 0; fylke && kommune && f < T->na; f++) {
		if (T->a[f].level != BP_LEVEL_FYLKE || !use_of(T, G, f))
			continue;
		n = 0;
		for (size_t k = 0; k < T->na; k++)
			if (T->a[k].level == BP_LEVEL_KOMMUNE && use_of(T, G, k) && T->a[k].parent == f)
				child[n++] = k;
		if (n && (add_link(T, G, g, f, child, n, 0) < 0 || add_ksize_link(T, G, g, f) < 0))
			goto out;
	}
	if (use_of(T, G, 0) && (fylke || kommune)) {
		unsigned want = fylke ? BP_LEVEL_FYLKE : BP_LEVEL_KOMMUNE;
		n = 0;
		for (size_t k = 1; k < T->na; k++)
			if (T->a[k].level == want && use_of(T, G, k))
				child[n++] = k;
		if (n && add_link(T, G, g, 0, child, n, 0) < 0)
			goto out;
		if (!fylke && n && add_ksize_link(T, G, g, SIZE_MAX) < 0)
			goto out;
		/* A table the profile prints for the nation and the kommuner but
		 * not the fylker: nasjonal is still the sum of the kommuner (the
		 * release model from version 2; per group as it always was). */
		if (fylke && kommune && T->s.release_model && T->s.model_version >= 2) {
			size_t all = 0;
			n = 0;
			for (size_t k = 1; k < T->na; k++)
				if (T->a[k].level == BP_LEVEL_KOMMUNE && T->a[k].rows) {
					all++;
					if (use_of(T, G, k))
						child[n++] = k;
				}
			/* Model 13: only with every kommune (stage 2 of one fylke with
			 * the nation as context has some: no such sum; where they
			 * added up all the same, it was taken as one). */
			if (T->s.model_version >= 13 && n < all)
				n = 0;
			int ks = bp_breakdown_find("kommunestorrelse");
			if (n && (add_link(T, G, g, 0, child, n, BP_LEVEL_FYLKE) < 0 ||
			    (ks >= 0 && !table_on(T, BP_LEVEL_FYLKE, g, (size_t)ks) &&
			    add_ksize_link(T, G, g, SIZE_MAX) < 0)))
				goto out;
		}
	}
	ret = 0;
out:
	free(child);
	return ret;
}

/* Row key of cell j of area i's block in group g. */
static uint32_t
key_of(const struct bp_tables *T, size_t i, size_t g, size_t j)
{
	return T->rowkey[T->blk[i * T->ngroup + g] + j];
}

struct keyed {
	uint32_t key;
	size_t cell;
};

static int
cmp_keyed(const void *x, const void *y)
{
	const struct keyed *a = x, *b = y;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return (a->cell > b->cell) - (a->cell < b->cell);
}

/*
 * Cells of one area printed twice in this group's tables (the same set of
 * persons, cellkeys.h: rop_skala__rop(rod_rod, ja) is
 * rop_skala__total(rod_rod)) are one number: cell = first such cell.
 */
static int
add_same_cons(const struct bp_tables *T, struct group *G, size_t g, size_t i)
{
	size_t n = block_rows(T, T->a[i].level, g), m = 0;
	struct keyed *k = malloc((n ? n : 1) * sizeof(*k));
	int ret = -1;

	if (!k)
		return -1;
	for (size_t j = 0; j < n; j++)
		if (key_of(T, i, g, j))
			k[m++] = (struct keyed){ key_of(T, i, g, j), G->base[i] + j };
	qsort(k, m, sizeof(*k), cmp_keyed);
	for (size_t j = 1; j < m; j++) {
		size_t first = j;
		while (first > 0 && k[first - 1].key == k[j].key)
			first--;
		if (first == j)
			continue;
		if (bp_sup_add_constraint(G->p, BP_CONS_TABLE, k[first].cell, &k[j].cell, 1) < 0)
			goto out;
	}
	ret = 0;
out:
	free(k);
	return ret;
}

/* The cells of row r of breakdown b in area i for the values in set (bit
 * nval: the breakdown's rest cell, when there is one), appended to out;
 * returns their count and adds their values to *sum. */
static size_t
rel_side(const struct bp_tables *T, const struct group *G, size_t i, size_t g, size_t b,
    uint64_t set, size_t r, size_t *out, uint64_t *sum)
{
	size_t nval = bp_breakdown_at(b)->nval, n = 0;
	for (size_t v = 0; v < nval; v++)
		if (set >> v & 1) {
			out[n] = cell_at(T, G, i, g, b, v, r);
			*sum += bp_sup_value_of(G->p, out[n++]);
		}
	if (set >> nval & 1) {
		size_t rest = G->rest[rest_slot(T, i, b, r, g)];
		if (rest != SIZE_MAX) {
			out[n] = rest;
			*sum += bp_sup_value_of(G->p, out[n++]);
		}
	}
	return n;
}

/*
 * The relations between breakdowns (cellkeys.h) in every row of area i:
 * the cells of b1's values in set1 add up to those of b2's in set2.  One
 * side a single cell: it is the total of the other; else an unprinted cell
 * carries the common sum.
 */
static int
add_relation_cons(const struct bp_tables *T, struct group *G, size_t g, size_t i)
{
	const struct bp_bd_relation *rel;
	size_t nrel = bp_cellkeys_relations(T->ck, g, &rel), nr = group_nrow(T, g);
	size_t m1[66], m2[66];

	for (size_t k = 0; k < nrel; k++) {
		const struct bp_bd_relation *R = &rel[k];
		if (!table_on(T, T->a[i].level, g, R->b1) || !table_on(T, T->a[i].level, g, R->b2))
			continue;
		for (size_t r = 0; r < nr; r++) {
			uint64_t s1 = 0, s2 = 0;
			size_t n1 = rel_side(T, G, i, g, R->b1, R->set1, r, m1, &s1);
			size_t n2 = rel_side(T, G, i, g, R->b2, R->set2, r, m2, &s2);

			if (s1 != s2) {
				errno = EINVAL;   /* the atoms do not fit the tallies */
				return -1;
			}
			if (n1 == 0 || n2 == 0)
				continue;   /* one side holds no cell: all zero */
			if (n1 == 1 && n2 == 1 && m1[0] < G->ncells && m2[0] < G->ncells &&
			    G->base[i] <= m1[0] && G->base[i] <= m2[0] &&
			    key_of(T, i, g, m1[0] - G->base[i]) &&
			    key_of(T, i, g, m1[0] - G->base[i]) == key_of(T, i, g, m2[0] - G->base[i]))
				continue;   /* add_same_cons ties them */
			long aux;
			if (bp_sup_add_equal(G->p, m1, n1, m2, n2, BP_SUP_UNPRINTED, &aux) < 0)
				return -1;
		}
	}
	return 0;
}

/* The constraints that tie a group's tables to each other beyond their
 * lines: the same cells, and the relations between breakdowns. */
static int
add_shared(const struct bp_tables *T, struct group *G, size_t g)
{
	for (size_t i = 0; i < T->na; i++)
		if (use_of(T, G, i) &&
		    (add_same_cons(T, G, g, i) < 0 || add_relation_cons(T, G, g, i) < 0))
			return -1;
	return 0;
}

/*
 * A fall from old to now (republish model 2): the reader does not know
 * which way the figure moved, so it is safe when it may as well have risen
 * by min_cell or more: an auxiliary copy U of the cell (U = now) that must
 * be able to reach old + min_cell (bp_sup_set_need). A difference cell of
 * the fall (model 1) demands that the figure may have fallen by min_cell,
 * which the rule's own floor (a hidden cell is at least 1, so is each
 * hidden part of it) often forbids whatever is hidden: a figure of 5 that
 * fell to 4 was never republished.
 */
static int
add_republish_rise(const struct bp_tables *T, struct group *G, size_t c, uint32_t now,
    int64_t old)
{
	long u;
	size_t m;
	if ((u = bp_sup_add_cell(G->p, now, 0)) < 0 ||
	    bp_sup_set_need(G->p, (size_t)u, (uint32_t)old + T->s.min_cell) < 0)
		return -1;
	if (G->forced[c] != BP_REASON_SECONDARY)
		G->forced[c] = BP_REASON_DIFFERENCE;
	G->daux[G->ndaux++] = (size_t)u;
	m = (size_t)u;
	return bp_sup_add_constraint(G->p, BP_CONS_TABLE, c, &m, 1);
}

/*
 * The republishing rule for row cell c of value now, whose value in the
 * previous release was old (-1: suppressed then).
 *  - Suppressed before: marked to stay suppressed. bp_suppress starts from
 *    a clean pattern, so the mark is applied after it (hiding more never
 *    narrows a primary cell's interval; the audit runs after). With the
 *    previous pattern kept, unchanged figures publish a subset of what was
 *    published before, so the two releases together tell no more than the
 *    first.
 *  - Published before and moved by d = 1..min_cell-1: an auxiliary cell D
 *    of value d with now = old + D (or old = now + D), old FIXED (the
 *    reader has it). D is primary, so the LP audit proves d cannot be told
 *    within 0..min_cell, which hides now (reason difference). A zero now is
 *    published like every zero (unless suppress_zero).
 * Returns 0 or -1 (ENOMEM).
 */
static int
add_republish_cell(const struct bp_tables *T, struct group *G, size_t c, uint32_t now,
    int64_t old)
{
	size_t m[2];
	long aux, fix;
	uint32_t d;

	if (old < 0) {
		if (republish_rule_hides(T, now, old))
			G->forced[c] = BP_REASON_SECONDARY;
		return 0;
	}
	if (!republish_rule_hides(T, now, old))
		return 0;
	if (now < old && T->s.republish_model >= 2)
		return add_republish_rise(T, G, c, now, old);
	d = (uint32_t)(now > old ? now - old : old - now);
	if ((aux = bp_sup_add_cell(G->p, d, 0)) < 0 ||
	    (fix = bp_sup_add_cell(G->p, (uint32_t)old, BP_SUP_FIXED)) < 0)
		return -1;
	if (G->forced[c] != BP_REASON_SECONDARY)
		G->forced[c] = BP_REASON_DIFFERENCE;
	G->daux[G->ndaux++] = (size_t)aux;
	if (now > old) {
		m[0] = (size_t)fix, m[1] = (size_t)aux;
		return bp_sup_add_constraint(G->p, BP_CONS_TABLE, c, m, 2);
	}
	m[0] = c, m[1] = (size_t)aux;
	return bp_sup_add_constraint(G->p, BP_CONS_TABLE, (size_t)fix, m, 2);
}

/*
 * The rule for cell c (value now) against every earlier release of the year
 * that printed key: a figure published in releases 1 and 3 is compared too
 * (10, 20, 12 would otherwise tell the 2 between the first and the last).
 * A value met before in the chain is not compared twice.
 */
static int
republish_chain(const struct bp_tables *T, struct group *G, size_t c, uint32_t now,
    const char *key, const struct bp_prev *prev)
{
	int64_t seen[64];
	size_t nseen = 0;
	for (const struct bp_prev *q = prev; q; q = bp_prev_older(q)) {
		int64_t old;
		bool dup = false;
		if (!bp_prev_get(q, key, &old))
			continue;
		for (size_t k = 0; k < nseen && !dup; k++)
			dup = seen[k] == old;
		if (dup)
			continue;
		if (nseen < sizeof(seen) / sizeof(seen[0]))
			seen[nseen++] = old;
		if (add_republish_cell(T, G, c, now, old) < 0)
			return -1;
	}
	return 0;
}

/* Applies the republishing rule to every row of group g found in prev. */
static int
mark_republish(const struct bp_tables *T, struct group *G, size_t g,
    const struct bp_prev *prev)
{
	char key[256];
	size_t nr = group_nrow(T, g);
	for (size_t i = 0; i < T->na; i++) {
		const struct area *a = &T->a[i];
		if (use_of(T, G, i) != 1)
			continue;
		for (size_t b = 0; b < bp_n_breakdowns(); b++) {
			if (!table_on(T, a->level, g, b))
				continue;
			for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++)
				for (size_t r = 0; r < nr; r++) {
					bp_tb_prev_key(T, a, g, b, v, r, key, sizeof(key));
					if (republish_chain(T, G, cell_at(T, G, i, g, b, v, r),
					    cell_value(T, a, g, b, v, r), key, prev) < 0)
						return -1;
				}
		}
	}
	return 0;
}

static enum bp_reason
state_reason(enum bp_sup_state st)
{
	switch (st) {
	case BP_SUP_PRIMARY: return BP_REASON_PRIMARY;
	case BP_SUP_SECONDARY: return BP_REASON_SECONDARY;
	case BP_SUP_LINKED: return BP_REASON_LINKED;
	default: return BP_REASON_NONE;
	}
}

/* Is a count small by the primary rule alone? */
bool
bp_tb_is_small(const struct bp_tables *T, uint32_t v)
{
	return (v >= 1 && v < T->s.min_cell) || (v == 0 && T->s.suppress_zero);
}

/* Copies the pattern of a solved group into T->reason. A hidden cell that
 * moved by less than min_cell since the previous release, and is not small
 * itself, has reason difference. */
void
bp_tb_take_pattern(struct bp_tables *T, const struct group *G, size_t g)
{
	size_t nr = group_nrow(T, g);
	for (size_t i = 0; i < T->na; i++) {
		const struct area *a = &T->a[i];
		if (!a->rows)
			continue;
		size_t row = T->blk[i * T->ngroup + g], j = 0;
		for (size_t b = 0; b < bp_n_breakdowns(); b++) {
			if (!table_on(T, a->level, g, b))
				continue;
			for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++)
				for (size_t r = 0; r < nr; r++, j++) {
					size_t c = G->base[i] + j;
					enum bp_reason why = state_reason(bp_sup_state_of(G->p, c));
					if (why != BP_REASON_NONE && G->forced &&
					    G->forced[c] == BP_REASON_DIFFERENCE &&
					    !bp_tb_is_small(T, cell_value(T, a, g, b, v, r)))
						why = BP_REASON_DIFFERENCE;
					T->reason[row + j] = (unsigned char)why;
				}
		}
	}
}

const char *
bp_tb_group_name(const struct bp_tables *T, size_t g)
{
	return g < T->nind ? bp_indicator_at(g)->name : bp_sum_measure_at(g - T->nind)->name;
}

void
bp_tb_group_free(struct group *G)
{
	bp_sup_free(G->p);
	free(G->base);
	free(G->rest);
	free(G->daux);
	free(G->mem);
	free(G->forced);
	memset(G, 0, sizeof(*G));
}

/* Builds the problem of group g over the areas of G (G->use, G->ctx set by
 * the caller). 0 or -1 (ENOMEM). */
int
bp_tb_group_build(const struct bp_tables *T, struct group *G, size_t g, const struct bp_prev *prev)
{
	size_t nrest = T->na * bp_n_breakdowns() * group_nrow(T, g);
	if (!(G->p = bp_sup_new()) || !(G->base = malloc(T->na * sizeof(size_t))) ||
	    !(G->rest = malloc(nrest * sizeof(size_t))))
		return -1;
	for (size_t k = 0; k < nrest; k++)
		G->rest[k] = SIZE_MAX;
	if (add_cells(T, G, g, prev) < 0)
		return -1;
	if (prev && G->ncells) {
		if (!(G->forced = calloc(G->ncells, 1)) ||
		    !(G->daux = malloc(G->ncells * bp_prev_depth(prev) * sizeof(size_t))) ||
		    mark_republish(T, G, g, prev) < 0)
			return -1;
	}
	if ((g < T->nind && add_table_cons(T, G, g) < 0) ||
	    add_partition_cons(T, G, g) < 0 || add_link_cons(T, G, g) < 0 ||
	    add_shared(T, G, g) < 0)
		return -1;
	/* The release method audits what the rule itself tells: a hidden
	 * printed cell is >= 1 when zeros are shown (release.c). */
	if (T->s.release_model) {
		bp_sup_set_rule(G->p, BP_SUP_RULE_UPPER);
		for (size_t c = 0; !T->s.suppress_zero && c < G->ncells; c++)
			bp_sup_set_flags(G->p, c, bp_sup_flags_of(G->p, c) | BP_SUP_POSITIVE);
	}
	/* Model 13 (either method): with suppress_zero, a 0 the tables
	 * themselves tell is published (release.c does the same on the whole
	 * release model). */
	size_t nz;
	if (T->s.model_version >= 13 && T->s.suppress_zero &&
	    bp_sup_fix_known_zeros(G->p, &nz) < 0)
		return -1;
	return 0;
}

int
bp__tables_part(const struct bp_tables *T, size_t g, const struct bp_prev *prev,
    struct bp_tables_part *out)
{
	struct group G = { .strict = STRICT_NONE };
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (bp_tb_group_build(T, &G, g, prev) < 0)
		goto out;
	if (!(out->row = malloc((G.ncells ? G.ncells : 1) * sizeof(size_t))))
		goto out;
	for (size_t i = 0; i < T->na; i++) {
		if (G.base[i] == SIZE_MAX)
			continue;
		size_t row = T->blk[i * T->ngroup + g], nb = block_rows(T, T->a[i].level, g);
		for (size_t j = 0; j < nb; j++)
			out->row[G.base[i] + j] = row + j;
	}
	out->p = G.p, G.p = NULL;
	out->nrow = G.ncells;
	out->forced = G.forced, G.forced = NULL;
	out->daux = G.daux, G.daux = NULL;
	out->ndaux = G.ndaux;
	ret = 0;
out:
	bp_tb_group_free(&G);
	if (ret < 0)
		bp__tables_part_free(out);
	return ret;
}

void
bp__tables_part_free(struct bp_tables_part *x)
{
	bp_sup_free(x->p);
	free(x->row);
	free(x->forced);
	free(x->daux);
	memset(x, 0, sizeof(*x));
}

/* Cells that were suppressed in the previous release stay suppressed. */
void
bp_tb_keep_previous(struct group *G)
{
	for (size_t c = 0; G->forced && c < G->ncells; c++)
		if (G->forced[c] == BP_REASON_SECONDARY &&
		    bp_sup_state_of(G->p, c) == BP_SUP_PUBLISHED)
			bp_sup_set_state(G->p, c, BP_SUP_SECONDARY);
}

/* Copies the states of area i's cells and rest cells from S into G. */
void
bp_tb_copy_area(const struct bp_tables *T, struct group *G, const struct group *S, size_t i,
    size_t g)
{
	size_t n = block_rows(T, T->a[i].level, g), nr = group_nrow(T, g);
	for (size_t j = 0; j < n; j++)
		bp_sup_set_state(G->p, G->base[i] + j, bp_sup_state_of(S->p, S->base[i] + j));
	for (size_t b = 0; b < bp_n_breakdowns(); b++)
		for (size_t r = 0; r < nr; r++) {
			size_t k = rest_slot(T, i, b, r, g);
			if (G->rest[k] != SIZE_MAX && S->rest[k] != SIZE_MAX)
				bp_sup_set_state(G->p, G->rest[k], bp_sup_state_of(S->p, S->rest[k]));
		}
}

/* Where cell c of G is, for BPAGG_DEBUG_SUPPRESS (catalogue names only). */
const char *
bp_tb_cell_name(const struct bp_tables *T, const struct group *G, size_t g, size_t c)
{
	static _Thread_local char buf[128];
	size_t nr = group_nrow(T, g);
	snprintf(buf, sizeof(buf), "cell %zu (not a row)", c);
	for (size_t i = 0; i < T->na; i++) {
		if (G->base[i] == SIZE_MAX || c < G->base[i] ||
		    c >= G->base[i] + block_rows(T, T->a[i].level, g))
			continue;
		size_t j = c - G->base[i];
		for (size_t b = 0; b < bp_n_breakdowns(); b++) {
			size_t off = bd_offset(T, T->a[i].level, g, b), nv = bp_breakdown_at(b)->nval;
			if (off == SIZE_MAX || j < off || j >= off + nv * nr)
				continue;
			snprintf(buf, sizeof(buf), "%s %s %s=%s row %zu", bp_level_name(T->a[i].level),
			    T->a[i].code, bp_breakdown_at(b)->name,
			    bp_breakdown_at(b)->vals[(j - off) / nr], (j - off) % nr);
		}
	}
	return buf;
}
