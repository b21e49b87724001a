/*
 * release_joint_index.c - model 22: the checks of each area and of the
 * whole release know how the living-conditions indexes are defined.
 *
 * levekarsindeks6 is the class of the mean of a person's six other area
 * scores (bolig, okonomi, aktivitet, fysisk_helse, sosial_fungering,
 * nettverk; gronn 0, gul 1, rod 2), levekarsindeks8 of all eight
 * (bpagg-measures(7)).  The atoms know each person's sum of the six
 * (measures/qatoms.h), and the indexes cut it in ranges; the six area
 * tables count the same persons' colours.  An intruder ties the two: in a
 * release of two kommuner, national fysisk_helse and sosial_fungering by
 * rop_skala, both indexes by rop_skala and brukergruppe bounded each
 * kommune's rop_skala rod_rod (true 1) by 2 below min_cell 3, which no
 * check saw while it took the indexes' categories as free.
 *
 * So, where a level prints either index, its programs state:
 *  - the persons by kind: their sum s of the six and their indexes'
 *    categories.  The persons' classes that share a block (below), a
 *    class of each index that is a family of its own, and the same kinds
 *    are one group, with a column per kind: the classes' persons add up
 *    to the group's kinds, and since every class of the group may be of
 *    every one of its kinds, that is all the classes say;
 *  - per block, a set of persons that is a union of classes of each of
 *    the six areas (the coarsest), the six areas' gul plus twice their
 *    rod = the sum of s over its persons, and their rod between
 *    max(0, s - 6) and s / 2 (rounded down) a person: a person of sum s
 *    has r rod and s - 2r gul areas, r in that range, and any total in the
 *    range of P persons' is reached by integers;
 *  - per class of an index that is a family of its own (levekarsindeks6;
 *    both in the whole release), each category = the persons of its
 *    kinds.
 * The six areas and those indexes are in every program of such a level,
 * hidden cell or not: a published area table is what ties the sums.
 *
 * What it leaves out: within a block, which persons' colours are whose.
 * An intruder who puts each class's colours apart (unknowns per class and
 * area) knows, of a block of persons all gronn and persons all rod, that
 * each area's rod are the latter; this check only that the six areas' rod
 * add up to six times them.  Per class, that is eighteen columns a class
 * (127 847 in the nation's program of a release of two kommuner, where
 * one solve took 90 s); per block it is the areas' own columns.  And the
 * program by fylke (models 10 and 12, large releases) is left without
 * the ties: at 357 kommuner they made its check take 49 s instead of
 * 1.8 s, and the release was the same.
 */
#include <errno.h>
#include <glpk.h>
#include <stdlib.h>
#include <string.h>

#include "cellkeys.h"
#include "release_joint.h"

static const char *const six_names[NSIX] = {
	"bolig", "okonomi", "aktivitet", "fysisk_helse", "sosial_fungering", "nettverk",
};

#define NO_CAT 255

/* The category of index g of each atom into cat (NO_CAT: not decided).
 * 0 or -1 when the atoms do not decide the index at all. */
static int
atom_categories(struct joint *J, int g, unsigned char *cat)
{
	int tot = bp_breakdown_find("total");
	memset(cat, NO_CAT, J->natom);
	if (g < 0 || tot < 0)
		return -1;
	for (size_t c = 0; c < bp_indicator_at((size_t)g)->ncat; c++) {
		if (bp_cellkeys_cell_atoms(J->T->ck, (size_t)g, c, (size_t)tot, 0, J->set) != 0)
			return -1;
		for (size_t w = 0; w < J->words; w++)
			for (uint64_t x = J->set[w]; x; x &= x - 1)
				cat[w * 64 + (size_t)__builtin_ctzll(x)] = (unsigned char)c;
	}
	return 0;
}

/* Whether level l (every level in the whole release) prints index g. */
static bool
index_printed(const struct joint *J, int l, int g)
{
	for (int lt = 0; lt < J->nlv; lt++) {
		if (!J->whole && lt != l)
			continue;
		for (size_t b = 0; b < bp_n_breakdowns(); b++)
			if (table_on(J->T, J->lvbit[lt], (size_t)g, b) && bp__joint_breakdown_counts(J, b))
				return true;
	}
	return false;
}

/* Whether index x is a family of its own at level l, printed there: tied
 * by a row per category and class. */
static bool
li_tied(const struct joint *J, int l, int x)
{
	return J->own[J->lki->li[x]] && index_printed(J, l, J->lki->li[x]);
}

bool
bp__joint_index_family(const struct joint *J, int l, size_t f)
{
	struct lki *K = J->lki;
	if (!K || f == 0 || !K->on[J->whole ? 0 : l])
		return false;
	for (int a = 0; a < NSIX; a++)
		if ((size_t)K->area[a] == f - 1)
			return true;
	for (int x = 0; x < 2; x++)
		if ((size_t)K->li[x] == f - 1 && li_tied(J, l, x))
			return true;
	return false;
}

/* The list of n items by key (key[i] in 0..nkey-1), in item order, into
 * C (its arrays the caller's, freed with csr_free).  0 or -1 (ENOMEM). */
static int
csr_make(struct lki_csr *C, const uint32_t *key, size_t n, size_t nkey)
{
	uint32_t *fill = calloc(nkey + 1, sizeof(*fill));
	C->start = calloc(nkey + 2, sizeof(*C->start));
	C->at = malloc((n ? n : 1) * sizeof(*C->at));
	if (!fill || !C->start || !C->at) {
		free(fill);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		C->start[key[i] + 1]++;
	for (size_t k = 0; k < nkey; k++)
		C->start[k + 1] += C->start[k];
	for (size_t i = 0; i < n; i++)
		C->at[C->start[key[i]] + fill[key[i]]++] = (uint32_t)i;
	free(fill);
	return 0;
}

static void
csr_free(struct lki_csr *C)
{
	free(C->start);
	free(C->at);
}

static uint32_t
find(uint32_t *up, uint32_t a)
{
	while (up[a] != a)
		a = up[a] = up[up[a]];
	return a;
}

/* Per persons' class (1..n; [0] unused), its block: the persons of one
 * class of each of the six areas are in one.  The number of blocks, or 0
 * on ENOMEM. */
static size_t
blocks(struct joint *J, int l, uint32_t *blk)
{
	struct lki *K = J->lki;
	struct fam *P = bp__joint_fam(J, l, 0);
	uint32_t *up = malloc(J->natom * sizeof(*up)), *id = calloc(J->natom, sizeof(*id));
	size_t nb = 0;

	if (!up || !id) {
		free(up);
		free(id);
		return 0;
	}
	for (size_t a = 0; a < J->natom; a++)
		up[a] = (uint32_t)a;
	for (int x = 0; x < NSIX; x++) {
		struct fam *F = bp__joint_fam(J, l, 1 + (size_t)K->area[x]);
		for (size_t a = 0; a < J->natom; a++)
			if (F->cls[a])
				up[find(up, (uint32_t)a)] = find(up, F->rep[F->cls[a]]);
	}
	for (uint32_t d = 1; d <= P->n; d++) {
		uint32_t r = find(up, P->rep[d]);
		if (!id[r])
			id[r] = (uint32_t)++nb;
		blk[d] = id[r] - 1;
	}
	free(up);
	free(id);
	return nb;
}

/* Per persons' class, its kinds (CSR over classes 1..n). */
struct kinds {
	uint32_t *start;
	struct lki_kind *kind;
};

static int
class_kinds(struct joint *J, int l, struct kinds *out)
{
	struct lki *K = J->lki;
	struct fam *P = bp__joint_fam(J, l, 0);
	size_t n = 0, cap = P->n + 16;
	uint32_t *next = malloc(J->natom * sizeof(*next)), *head = malloc((P->n + 1) * sizeof(*head));

	out->start = calloc(P->n + 2, sizeof(*out->start));
	out->kind = malloc(cap * sizeof(*out->kind));
	if (!out->start || !out->kind || !next || !head)
		goto fail;
	/* per class, its atoms in order: a kind is new unless an earlier
	 * atom of the class had it */
	for (size_t d = 0; d <= P->n; d++)
		head[d] = UINT32_MAX;
	for (size_t a = J->natom; a-- > 0; )
		if (P->cls[a]) {
			next[a] = head[P->cls[a]];
			head[P->cls[a]] = (uint32_t)a;
		}
	for (size_t d = 1; d <= P->n; d++) {
		out->start[d] = (uint32_t)n;
		for (uint32_t a = head[d]; a != UINT32_MAX; a = next[a]) {
			struct lki_kind k = { K->six[a], K->cat[0][a], K->cat[1][a] };
			size_t j = out->start[d];
			while (j < n && memcmp(&out->kind[j], &k, sizeof(k)) != 0)
				j++;
			if (j < n)
				continue;
			if (n == cap) {
				struct lki_kind *m = realloc(out->kind, 2 * cap * sizeof(*m));
				if (!m)
					goto fail;
				out->kind = m;
				cap *= 2;
			}
			out->kind[n++] = k;
		}
	}
	out->start[P->n + 1] = (uint32_t)n;
	free(next);
	free(head);
	return 0;
fail:
	free(next);
	free(head);
	return -1;
}

static int
kind_cmp(const void *x, const void *y)
{
	const struct lki_kind *a = x, *b = y;
	return memcmp(a, b, sizeof(*a));
}

/* What makes two persons' classes one group. */
struct gkey {
	uint32_t d, block, li[2];
	const struct lki_kind *kind;
	uint32_t nk;
};

static int
gkey_cmp(const void *x, const void *y)
{
	const struct gkey *a = x, *b = y;
	if (a->block != b->block)
		return a->block < b->block ? -1 : 1;
	for (int i = 0; i < 2; i++)
		if (a->li[i] != b->li[i])
			return a->li[i] < b->li[i] ? -1 : 1;
	if (a->nk != b->nk)
		return a->nk < b->nk ? -1 : 1;
	int c = memcmp(a->kind, b->kind, a->nk * sizeof(*a->kind));
	return c ? c : (a->d > b->d) - (a->d < b->d);
}

/* Level l's blocks and groups into K->lv[l].  0 or -1 (ENOMEM). */
static int
level_ties(struct joint *J, int l)
{
	struct lki *K = J->lki;
	struct lki_level *L = &K->lv[l];
	struct fam *P = bp__joint_fam(J, l, 0);
	struct kinds ck = { 0 };
	uint32_t *blk = malloc((P->n + 1) * sizeof(*blk));
	struct gkey *key = malloc((P->n + 1) * sizeof(*key));
	uint32_t *gof = malloc((P->n + 1) * sizeof(*gof)), *tmp = NULL;
	int ret = -1;

	if (!blk || !key || !gof || !(L->nblock = blocks(J, l, blk)) ||
	    class_kinds(J, l, &ck) < 0)
		goto out;
	for (uint32_t d = 1; d <= P->n; d++) {
		struct lki_kind *k = ck.kind + ck.start[d];
		uint32_t nk = ck.start[d + 1] - ck.start[d];
		qsort(k, nk, sizeof(*k), kind_cmp);
		key[d - 1] = (struct gkey){ d, blk[d], { 0, 0 }, k, nk };
		for (int x = 0; x < 2; x++)
			if (li_tied(J, l, x)) {
				struct fam *F = bp__joint_fam(J, l, 1 + (size_t)K->li[x]);
				key[d - 1].li[x] = F->cls[P->rep[d]];
			}
	}
	qsort(key, P->n, sizeof(*key), gkey_cmp);
	/* groups, in the order of their keys */
	size_t ng = 0, nkind = 0;
	for (size_t q = 0; q < P->n; q++) {
		struct gkey a = key[q];
		if (q == 0 || gkey_cmp(&(struct gkey){ 0, a.block, { a.li[0], a.li[1] }, a.kind, a.nk },
		    &(struct gkey){ 0, key[q - 1].block, { key[q - 1].li[0], key[q - 1].li[1] },
		    key[q - 1].kind, key[q - 1].nk }) != 0) {
			ng++;
			nkind += a.nk;
		}
		gof[q] = (uint32_t)(ng - 1);
	}
	L->ngroup = ng;
	if (!(L->kstart = malloc((ng + 1) * sizeof(*L->kstart))) ||
	    !(L->kind = malloc((nkind ? nkind : 1) * sizeof(*L->kind))) ||
	    !(tmp = malloc((ng > P->n ? ng : P->n + 1) * sizeof(*tmp))))
		goto out;
	nkind = 0;
	for (size_t q = 0; q < P->n; q++)
		if (q == 0 || gof[q] != gof[q - 1]) {
			L->kstart[gof[q]] = (uint32_t)nkind;
			memcpy(L->kind + nkind, key[q].kind, key[q].nk * sizeof(*L->kind));
			nkind += key[q].nk;
		}
	L->kstart[ng] = (uint32_t)nkind;
	/* per group its classes; per block, li6 and li8 class their groups */
	if (csr_make(&L->classes, gof, P->n, ng) < 0)
		goto out;
	for (size_t c = 0; c < L->classes.start[ng]; c++)
		L->classes.at[c] = key[L->classes.at[c]].d;
	for (int x = -1; x < 2; x++) {
		struct lki_csr *C = x < 0 ? &L->groups : &L->by_li[x];
		size_t nkey = x < 0 ? L->nblock : 0;
		if (x >= 0 && !li_tied(J, l, x))
			continue;
		if (x >= 0)
			nkey = bp__joint_fam(J, l, 1 + (size_t)K->li[x])->n + 1;
		for (size_t q = 0; q < P->n; q++)
			tmp[gof[q]] = x < 0 ? key[q].block : key[q].li[x];
		if (csr_make(C, tmp, ng, nkey) < 0)
			goto out;
	}
	/* per block, each area's classes */
	for (int a = 0; a < NSIX; a++) {
		struct fam *F = bp__joint_fam(J, l, 1 + (size_t)K->area[a]);
		uint32_t *xb = malloc((F->n + 1) * sizeof(*xb));
		if (!xb)
			goto out;
		/* a class of the area is in the block of its first atom's
		 * persons' class (the persons' classes refine it) */
		for (uint32_t x = 1; x <= F->n; x++)
			xb[x - 1] = blk[P->cls[F->rep[x]]];
		int rc = csr_make(&L->area[a], xb, F->n, L->nblock);
		free(xb);
		if (rc < 0)
			goto out;
		for (size_t c = 0; c < L->area[a].start[L->nblock]; c++)
			L->area[a].at[c]++;
	}
	ret = 0;
out:
	free(blk);
	free(key);
	free(gof);
	free(tmp);
	free(ck.start);
	free(ck.kind);
	return ret;
}

/* The six areas and both indexes, or -1 when the catalogue lacks one. */
static int
find_indicators(struct lki *K)
{
	for (int a = 0; a < NSIX; a++) {
		int g = bp_indicator_find(six_names[a]);
		const struct bp_indicator *ind = g < 0 ? NULL : bp_indicator_at((size_t)g);
		/* the scores: gronn 0, gul 1, rod 2 */
		if (!ind || ind->ncat != 3 || strcmp(ind->cats[1], "gul") ||
		    strcmp(ind->cats[2], "rod"))
			return -1;
		K->area[a] = g;
	}
	K->gul = 1;
	K->rod = 2;
	K->li[0] = bp_indicator_find("levekarsindeks6");
	K->li[1] = bp_indicator_find("levekarsindeks8");
	return K->li[0] < 0 || K->li[1] < 0 ? -1 : 0;
}

/* Whether the families the ties need at level l are coupled to the
 * persons (their classes unions of the persons'). */
static bool
coupled(struct joint *J, int l)
{
	for (size_t f = 1; f < J->nfam; f++)
		if (bp__joint_index_family(J, l, f) && !bp__joint_fam(J, l, f)->coupled)
			return false;
	return true;
}

int
bp__joint_index_setup(struct joint *J)
{
	struct lki *K;
	bool any = false;

	if (J->T->s.model_version < 22)
		return 0;
	if (!(K = calloc(1, sizeof(*K))))
		return -1;
	J->lki = K;
	if (find_indicators(K) < 0)
		goto off;
	for (int a = 0; a < NSIX; a++)
		if (!J->own[K->area[a]])
			goto off;
	for (int l = 0; l < J->nlv; l++)
		any |= K->on[l] = index_printed(J, l, K->li[0]) || index_printed(J, l, K->li[1]);
	if (!any)
		goto off;
	if (!(K->six = malloc(J->natom)) || !(K->cat[0] = malloc(J->natom)) ||
	    !(K->cat[1] = malloc(J->natom)))
		return -1;
	for (size_t a = 0; a < J->natom; a++) {
		int s = bp_cellkeys_six_sum(J->T->ck, a);
		K->six[a] = (unsigned char)(s < 0 ? 0 : s);
	}
	for (int x = 0; x < 2; x++)
		if (atom_categories(J, K->li[x], K->cat[x]) < 0)
			goto off;
	/* the families on wherever the ties are, and every level's ties
	 * made before the areas' threads read them */
	for (int l = 0; l < (J->whole ? 1 : J->nlv); l++) {
		if (!K->on[l])
			continue;
		for (size_t f = 1; f < J->nfam; f++)
			if (bp__joint_index_family(J, l, f)) {
				bp__joint_fam(J, l, f)->on = true;
				if (bp__joint_classes(J, l, f) < 0)
					return -1;
			}
		if (!coupled(J, l) || bp__joint_fam(J, l, 0)->n == 0) {
			K->on[l] = false;
			continue;
		}
		if (level_ties(J, l) < 0)
			return -1;
	}
	return 0;
off:
	bp__joint_index_free(J);
	return 0;
}

void
bp__joint_index_free(struct joint *J)
{
	struct lki *K = J->lki;
	if (!K)
		return;
	free(K->six);
	free(K->cat[0]);
	free(K->cat[1]);
	for (int l = 0; l < NLV; l++) {
		struct lki_level *L = &K->lv[l];
		for (int a = 0; a < NSIX; a++)
			csr_free(&L->area[a]);
		csr_free(&L->groups);
		csr_free(&L->by_li[0]);
		csr_free(&L->by_li[1]);
		csr_free(&L->classes);
		free(L->kstart);
		free(L->kind);
	}
	free(K);
	J->lki = NULL;
}

/* A growing row (1-based, as glp_set_mat_row takes it). */
struct row {
	int n, cap;
	int *ind;
	double *val;
};

static int
put(struct row *r, int col, double v)
{
	if (r->n + 1 >= r->cap) {
		int cap = r->cap ? 2 * r->cap : 256;
		int *i = realloc(r->ind, (size_t)cap * sizeof(*i));
		if (!i)
			return -1;
		r->ind = i;
		double *w = realloc(r->val, (size_t)cap * sizeof(*w));
		if (!w)
			return -1;
		r->val = w;
		r->cap = cap;
	}
	r->ind[++r->n] = col;
	r->val[r->n] = v;
	return 0;
}

static void
emit(glp_prob *lp, struct row *r, int type, double lb, double ub)
{
	if (r->n > 0) {
		int rw = glp_add_rows(lp, 1);
		glp_set_mat_row(lp, rw, r->n, r->ind, r->val);
		glp_set_row_bnds(lp, rw, type, lb, ub);
	}
	r->n = 0;
}

/* What a person of kind k adds to a block's row: 0 the colours' sum, 1
 * the most rod, 2 the least. */
static double
per_person(const struct lki_kind *k, int what)
{
	return what == 0 ? k->s : what == 1 ? k->s / 2 : k->s > 6 ? k->s - 6 : 0;
}

/* Area i's ties at level l; col[g]: the first column of group g's kinds.
 * 0 or -1 (ENOMEM). */
static int
area_ties(struct joint *J, glp_prob *lp, size_t i, int l, const int *col, struct row *r)
{
	struct lki *K = J->lki;
	struct lki_level *L = &K->lv[l];

	for (size_t b = 0; b < L->nblock; b++)
		for (int what = 0; what < 3; what++) {
			bool any = false;
			for (int a = 0; a < NSIX; a++) {
				size_t f = 1 + (size_t)K->area[a], n = bp__joint_fam(J, l, f)->n;
				for (uint32_t q = L->area[a].start[b]; q < L->area[a].start[b + 1]; q++) {
					uint32_t x = L->area[a].at[q];
					if ((what == 0 && put(r, bp__joint_col(J, i, f, (size_t)K->gul, n, x),
					    1.0) < 0) || put(r, bp__joint_col(J, i, f, (size_t)K->rod, n, x),
					    what == 0 ? 2.0 : 1.0) < 0)
						return -1;
				}
			}
			for (uint32_t q = L->groups.start[b]; q < L->groups.start[b + 1]; q++) {
				uint32_t g = L->groups.at[q];
				for (uint32_t j = L->kstart[g]; j < L->kstart[g + 1]; j++) {
					double v = per_person(&L->kind[j], what);
					any |= v > 0;
					if (v > 0 && put(r, col[g] + (int)(j - L->kstart[g]), -v) < 0)
						return -1;
				}
			}
			/* (no one in the block has rod that must be: the
			 * columns' own bounds say the rest) */
			if (what == 2 && !any)
				r->n = 0;
			emit(lp, r, what == 0 ? GLP_FX : what == 1 ? GLP_UP : GLP_LO, 0.0, 0.0);
		}
	/* an index that is a family of its own: each category of a class, the
	 * persons of its kinds (the last follows from the coupling) */
	for (int x = 0; x < 2; x++) {
		size_t g0 = (size_t)K->li[x], f = 1 + g0;
		if (!li_tied(J, l, x) || J->base[i * J->nfam + f] < 0)
			continue;
		size_t ny = bp__joint_fam(J, l, f)->n, ncat = bp_indicator_at(g0)->ncat;
		for (uint32_t y = 1; y <= ny; y++) {
			bool decided = true;
			for (uint32_t q = L->by_li[x].start[y]; q < L->by_li[x].start[y + 1]; q++) {
				uint32_t g = L->by_li[x].at[q];
				for (uint32_t j = L->kstart[g]; j < L->kstart[g + 1]; j++)
					decided &= (x ? L->kind[j].c8 : L->kind[j].c6) != NO_CAT;
			}
			for (size_t c = 0; decided && c + 1 < ncat; c++) {
				if (put(r, bp__joint_col(J, i, f, c, ny, y), 1.0) < 0)
					return -1;
				for (uint32_t q = L->by_li[x].start[y]; q < L->by_li[x].start[y + 1]; q++) {
					uint32_t g = L->by_li[x].at[q];
					for (uint32_t j = L->kstart[g]; j < L->kstart[g + 1]; j++)
						if ((x ? L->kind[j].c8 : L->kind[j].c6) == c &&
						    put(r, col[g] + (int)(j - L->kstart[g]), -1.0) < 0)
							return -1;
				}
				emit(lp, r, GLP_FX, 0.0, 0.0);
			}
		}
	}
	return 0;
}

/* Group g's kinds: a column each, adding up to its classes' persons of
 * area i.  The first column, or -1 (ENOMEM). */
static int
group_cols(struct joint *J, glp_prob *lp, size_t i, int l, uint32_t g, struct row *r)
{
	struct lki_level *L = &J->lki->lv[l];
	size_t np = bp__joint_fam(J, l, 0)->n;
	int nk = (int)(L->kstart[g + 1] - L->kstart[g]), first = glp_add_cols(lp, nk);

	for (int j = 0; j < nk; j++) {
		glp_set_col_bnds(lp, first + j, GLP_DB, 0.0, JOINT_CAP);
		if (put(r, first + j, 1.0) < 0)
			return -1;
	}
	for (uint32_t q = L->classes.start[g]; q < L->classes.start[g + 1]; q++)
		if (put(r, bp__joint_col(J, i, 0, 0, np, L->classes.at[q]), -1.0) < 0)
			return -1;
	emit(lp, r, GLP_FX, 0.0, 0.0);
	return first;
}

int
bp__joint_index(struct joint *J, glp_prob *lp, size_t from, size_t to)
{
	struct lki *K = J->lki;
	struct row r = { 0 };
	int *col = NULL, ret = -1;

	if (!K)
		return 0;
	errno = ENOMEM;
	for (size_t i = from; i < to; i++) {
		int l = J->whole ? 0 : bp__joint_level(J, J->T->a[i].level);
		if (l < 0 || !K->on[l] || J->base[i * J->nfam] < 0)
			continue;
		/* the program by fylke is left without (above) */
		if (J->by_fylke)
			continue;
		bool all = true;
		for (int a = 0; a < NSIX; a++)
			all &= J->base[i * J->nfam + 1 + (size_t)K->area[a]] >= 0;
		if (!all)
			continue;
		struct lki_level *L = &K->lv[l];
		int *c = realloc(col, (L->ngroup ? L->ngroup : 1) * sizeof(*c));
		if (!c)
			goto out;
		col = c;
		for (uint32_t g = 0; g < L->ngroup; g++)
			if ((col[g] = group_cols(J, lp, i, l, g, &r)) < 0)
				goto out;
		if (area_ties(J, lp, i, l, col, &r) < 0)
			goto out;
	}
	ret = 0;
out:
	free(r.ind);
	free(r.val);
	free(col);
	return ret;
}
