/*
 * release_links.c - relations of the release model since model version 6
 * (bpagg-publish(1), "The release model"): what an intruder adds up that
 * the groups' relations and those between two indicators leave out.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "release_private.h"

/* Room for one breakdown's values (the catalogue has at most 8). */
#define BD_MAX_VALUES 64

/*
 * Model 6: a group that an area prints by two or more breakdowns and not
 * by total.  Each breakdown's values split the same persons (and a rest
 * they leave out), so row r summed over one breakdown's values is the
 * count summed over another's; the groups say so only through the total's
 * row (relations.c, add_partition_cons), which is not printed here.  An
 * unknown for that row carries the relation; an intruder knows it too.
 */
int
bp__rel_wholes(const struct bp_tables *T, struct rel *R)
{
	struct bp_sup_problem *M = bp_model_problem(R->m);
	int tot = bp_breakdown_find("total");
	size_t mem[BD_MAX_VALUES + 1];

	if (tot < 0)
		return 0;
	for (size_t i = 0; i < T->na; i++) {
		const struct area *a = &T->a[i];
		if (!a->rows)
			continue;
		for (size_t g = 0; g < T->ngroup; g++) {
			size_t nbd = 0, nr = group_nrow(T, g);
			if (table_on(T, a->level, g, (size_t)tot))
				continue;
			for (size_t b = 0; b < bp_n_breakdowns(); b++)
				nbd += b != (size_t)tot && table_on(T, a->level, g, b);
			if (nbd < 2)
				continue;
			for (size_t r = 0; r < nr; r++) {
				uint32_t whole = cell_value(T, a, g, (size_t)tot, 0, r);
				long u = bp__rel_add_unknown(R, whole);
				if (u < 0)
					return -1;
				for (size_t b = 0; b < bp_n_breakdowns(); b++) {
					size_t nval = bp_breakdown_at(b)->nval, n = 0;
					uint64_t parts = 0;
					if (b == (size_t)tot || !table_on(T, a->level, g, b))
						continue;
					if (nval > BD_MAX_VALUES) {
						errno = EINVAL;
						return -1;
					}
					for (size_t v = 0; v < nval; v++) {
						size_t row = bp__rel_row_of(T, i, g, b, v, r);
						if (row == SIZE_MAX || R->rowcell[row] == SIZE_MAX) {
							errno = EINVAL;
							return -1;
						}
						parts += cell_value(T, a, g, b, v, r);
						mem[n++] = R->rowcell[row];
					}
					if (parts > whole)
						continue;   /* values overlap: no exact equation */
					if (parts < whole) {
						long rest = bp__rel_add_unknown(R, (uint32_t)(whole - parts));
						if (rest < 0)
							return -1;
						mem[n++] = (size_t)rest;
					}
					if (bp_sup_add_constraint(M, BP_CONS_TABLE, (size_t)u, mem, n) < 0)
						return -1;
				}
			}
		}
	}
	return 0;
}

/* One quantity printed in one area: its position, the area, its key and
 * its model cell. */
struct ent {
	uint32_t pos, key;
	size_t area, cell;
};

static int
ent_cmp(const void *x, const void *y)
{
	const struct ent *a = x, *b = y;
	if (a->pos != b->pos)
		return a->pos < b->pos ? -1 : 1;
	return (a->area > b->area) - (a->area < b->area);
}

/* Every quantity printed in an area with rows, once per area; *n of them.
 * Malloc'ed (the caller frees it), or NULL with errno ENOMEM. */
static struct ent *
collect_ents(const struct bp_tables *T, const struct rel *R, size_t *n)
{
	int ks = bp_breakdown_find("kommunestorrelse"), tot = bp_breakdown_find("total");
	struct ent *e = malloc((T->nrows ? T->nrows : 1) * sizeof(*e));
	size_t k = 0;

	if (!e) {
		errno = ENOMEM;
		return NULL;
	}
	for (size_t i = 0; i < T->na; i++) {
		const struct area *a = &T->a[i];
		if (!a->rows)
			continue;
		for (size_t g = 0; g < T->ngroup; g++)
			for (size_t b = 0; b < bp_n_breakdowns(); b++) {
				if (!table_on(T, a->level, g, b))
					continue;
				for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++)
					for (size_t r = 0; r < group_nrow(T, g); r++) {
						size_t row = bp__rel_row_of(T, i, g, b, v, r);
						uint32_t pos;
						if (row == SIZE_MAX || !T->rowkey[row] ||
						    R->rowcell[row] == SIZE_MAX ||
						    !(pos = row_pos(T, a, g, b, v, r, ks, tot)))
							continue;
						e[k++] = (struct ent){ pos, T->rowkey[row], i, R->rowcell[row] };
					}
			}
	}
	if (k > 1)
		qsort(e, k, sizeof(*e), ent_cmp);
	size_t u = 0;
	for (size_t j = 0; j < k; j++)
		if (u == 0 || e[j].pos != e[u - 1].pos || e[j].area != e[u - 1].area)
			e[u++] = e[j];
	*n = u;
	return e;
}

unsigned
bp__rel_child_level(const struct bp_tables *T, unsigned lv)
{
	if (lv == BP_LEVEL_NASJONAL && (T->s.levels & BP_LEVEL_FYLKE))
		return BP_LEVEL_FYLKE;
	if (lv != BP_LEVEL_KOMMUNE && (T->s.levels & BP_LEVEL_KOMMUNE))
		return BP_LEVEL_KOMMUNE;
	return 0;
}

/*
 * Model 6: a quantity that a parent area and every one of its children
 * print, in whatever tables: the parent's is the sum of the children's.
 * The groups link a table printed at both levels (relations.c, add_link);
 * but the nation may print as the i_alt of one table what its fylker print
 * in another (rop_skala's rod_gul is the i_alt of alkohol_tung by rod_gul:
 * everyone rod_gul uses substances), and an intruder adds those up too.
 * The links go into the model as one more part, so that a link a group
 * made already is kept once (model.c): where every quantity is linked by
 * its tables, nothing changes.
 */
int
bp__rel_links(const struct bp_tables *T, struct rel *R)
{
	struct bp_sup_problem *M = bp_model_problem(R->m), *part = NULL;
	size_t n = 0, *at = NULL, *pc = NULL, *mem = NULL, *map = NULL, *kids = NULL;
	size_t *kstart = NULL, *stamp = NULL;
	uint32_t *key = NULL;
	struct ent *e = collect_ents(T, R, &n);
	int ret = -1;

	if (!e)
		return -1;
	size_t na = T->na ? T->na : 1;
	if (!(part = bp_sup_new()) || !(at = malloc(na * sizeof(*at))) ||
	    !(stamp = calloc(na, sizeof(*stamp))) || !(pc = malloc((n ? n : 1) * sizeof(*pc))) ||
	    !(mem = malloc(na * sizeof(*mem))) || !(key = malloc((n ? n : 1) * sizeof(*key))) ||
	    !(kids = malloc(na * sizeof(*kids))) || !(kstart = calloc(na + 1, sizeof(*kstart)))) {
		errno = ENOMEM;
		goto out;
	}
	/* each area's children, ascending (kids[kstart[i] .. kstart[i + 1])) */
	for (size_t i = 0, k = 0; i < T->na; i++) {
		unsigned cl = T->a[i].rows ? bp__rel_child_level(T, T->a[i].level) : 0;
		kstart[i] = k;
		for (size_t j = 0; cl && j < T->na; j++)
			if (T->a[j].rows && T->a[j].level == cl &&
			    (T->a[i].level == BP_LEVEL_NASJONAL || T->a[j].parent == i))
				kids[k++] = j;
		kstart[i + 1] = k;
	}
	size_t npc = 0;
	for (size_t s = 0, run = 1; s < n; run++) {
		size_t t = s;
		while (t < n && e[t].pos == e[s].pos)
			t++;
		for (size_t j = s; j < t; j++) {
			at[e[j].area] = j;
			stamp[e[j].area] = run;
			pc[j] = SIZE_MAX;
		}
		for (size_t j = s; j < t; j++) {
			size_t P = e[j].area, nk = kstart[P + 1] - kstart[P], sum = 0, k;
			if (nk == 0)
				continue;
			for (k = 0; k < nk; k++) {
				size_t c = kids[kstart[P] + k];
				if (stamp[c] != run)
					break;
				mem[k] = at[c];
				sum += bp_sup_value_of(M, e[at[c]].cell);
			}
			/* a child without the quantity, or (which cannot be) sums
			 * that differ: no link */
			if (k < nk || sum != bp_sup_value_of(M, e[j].cell))
				continue;
			mem[nk] = j;
			for (k = 0; k <= nk; k++) {
				size_t x = mem[k];
				if (pc[x] != SIZE_MAX)
					continue;
				long c = bp_sup_add_cell(part, bp_sup_value_of(M, e[x].cell),
				    bp_sup_flags_of(M, e[x].cell));
				if (c < 0)
					goto out;
				pc[x] = (size_t)c;
				key[npc++] = e[x].key;
			}
			for (k = 0; k < nk; k++)
				mem[k] = pc[mem[k]];
			if (bp_sup_add_constraint(part, BP_CONS_LINK, pc[j], mem, nk) < 0)
				goto out;
		}
		s = t;
	}
	if (!(map = malloc((npc ? npc : 1) * sizeof(*map))))
		goto out;
	if (npc && bp_model_add(R->m, part, key, npc, map) < 0)
		goto out;
	ret = 0;
out:
	if (ret != 0 && errno != EINVAL)
		errno = ENOMEM;
	bp_sup_free(part);
	free(e);
	free(at);
	free(stamp);
	free(pc);
	free(mem);
	free(key);
	free(map);
	free(kids);
	free(kstart);
	return ret;
}
