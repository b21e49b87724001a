/*
 * release.c - the release method of suppression (bpagg-publish(1), "The
 * release model"): every table of a release, every level, as one linear
 * model (model.h), and its LP audit over that whole model.
 *
 * The groups are solved first, each on its own and in parallel
 * (tables.c, under the rule of the release method: a hidden printed cell
 * is >= 1 when zeros are shown, and a primary cell is safe when its
 * largest value is at least min_cell).  Their patterns are then put into
 * the model, where a quantity that several groups print is one cell, hidden
 * when any group hid it; bp_sup_repair closes every line that leaves a
 * single hidden cell and runs the LP audit of the whole model, adding
 * complements (priced by the duals of the failing bound) until every
 * primary cell of the release passes.  The audit works on the connected
 * components of hidden cells: two components share no unknown, so their
 * LPs are independent, and the published cells are constants of both.
 *
 * Model version 2 (settings.model) adds what the groups cannot see: the
 * relations between two indicators' tables (add_cross: equalities and
 * containments from the atoms, cellkeys.h), and prices complements by gain
 * per cost with a line rule that closes only lines leaving a primary cell
 * small (bp_sup_set_pricing).  A release logged without a version was made
 * by the first model and is re-derived so.  Model 3 prices a complement
 * with the partner its other line needs; model 4 with a chain of them, and
 * audits a large component in a fixed number of chunks on the cores.
 * Model 5 publishes again the complements no primary needs; model 6 adds
 * relations the groups miss (release_links.c); model 7 then checks each
 * area's tables together over the classes of persons they print and
 * repairs again for what that finds (release_joint.c).
 *
 * Complements in the model cost their count times a weight: how many rows
 * print the quantity (hiding it hides all of them), times 1 at kommune, 4
 * at fylke and 64 at nasjonal level, so that small kommune cells go before
 * fylke and national ones.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellkeys.h"
#include "lpaudit.h"
#include "model.h"
#include "release_private.h"
#include "tables_private.h"

/* Level of every row (T->nrows entries, malloc'ed; the caller frees). */
static unsigned char *
row_levels(const struct bp_tables *T)
{
	unsigned char *lv = calloc(T->nrows ? T->nrows : 1, 1);
	if (!lv)
		return NULL;
	for (size_t i = 0; i < T->na; i++) {
		if (!T->a[i].rows)
			continue;
		for (size_t g = 0; g < T->ngroup; g++) {
			size_t from = T->blk[i * T->ngroup + g], to = T->nrows;
			if (from == SIZE_MAX)
				continue;
			/* A block ends where the next one of the release begins. */
			for (size_t j = i * T->ngroup + g + 1; j < T->na * T->ngroup; j++)
				if (T->blk[j] != SIZE_MAX) {
					to = T->blk[j];
					break;
				}
			memset(lv + from, (int)T->a[i].level, to - from);
		}
	}
	return lv;
}

static enum bp_sup_state
state_of_reason(unsigned char r)
{
	switch ((enum bp_reason)r) {
	case BP_REASON_NONE: return BP_SUP_PUBLISHED;
	case BP_REASON_PRIMARY: return BP_SUP_PRIMARY;
	case BP_REASON_LINKED: return BP_SUP_LINKED;
	default: return BP_SUP_SECONDARY;
	}
}

static enum bp_reason
reason_of_state(enum bp_sup_state st)
{
	switch (st) {
	case BP_SUP_PRIMARY: return BP_REASON_PRIMARY;
	case BP_SUP_SECONDARY: return BP_REASON_SECONDARY;
	case BP_SUP_LINKED: return BP_REASON_LINKED;
	default: return BP_REASON_NONE;
	}
}

/* Hides model cell c for reason st unless it is hidden already (a primary
 * state wins over a complement's). */
static void
hide_cell(struct bp_sup_problem *M, size_t c, enum bp_sup_state st)
{
	enum bp_sup_state now = bp_sup_state_of(M, c);
	if (st == BP_SUP_PUBLISHED || now == BP_SUP_PRIMARY)
		return;
	if (now == BP_SUP_PUBLISHED || st == BP_SUP_PRIMARY)
		bp_sup_set_state(M, c, st);
}

static int
grow_forced(struct rel *R, size_t n)
{
	if (n <= R->nforced)
		return 0;
	unsigned char *f = realloc(R->forced, n);
	if (!f)
		return -1;
	memset(f + R->nforced, 0, n - R->nforced);
	R->forced = f;
	R->nforced = n;
	return 0;
}

/* Puts group g into the model with the states of its rows. */
static int
add_group(const struct bp_tables *T, struct rel *R, size_t g, const struct bp_prev *prev)
{
	struct bp_tables_part x;
	uint32_t *key = NULL;
	size_t *map = NULL;
	int ret = -1;

	if (bp__tables_part(T, g, prev, &x) < 0)
		return -1;
	size_t n = bp_sup_ncells(x.p);
	if (!(key = malloc((x.nrow ? x.nrow : 1) * sizeof(*key))) ||
	    !(map = malloc((n ? n : 1) * sizeof(*map))))
		goto out;
	for (size_t c = 0; c < x.nrow; c++)
		key[c] = T->rowkey[x.row[c]];
	if (bp_model_add(R->m, x.p, key, x.nrow, map) < 0)
		goto out;
	struct bp_sup_problem *M = bp_model_problem(R->m);
	if (grow_forced(R, bp_sup_ncells(M)) < 0)
		goto out;
	for (size_t c = 0; c < x.nrow; c++) {
		R->rowcell[x.row[c]] = map[c];
		hide_cell(M, map[c], state_of_reason(T->reason[x.row[c]]));
		if (x.forced && x.forced[c] > R->forced[map[c]])
			R->forced[map[c]] = x.forced[c];
	}
	/* A cell that is not a row and not known to the reader (a rest of
	 * persons a breakdown leaves out) is never printed: an unknown. */
	for (size_t c = x.nrow; c < n; c++)
		if (!(bp_sup_flags_of(x.p, c) & BP_SUP_FIXED)) {
			/* Flagged so, the line pass leaves its lines alone (a line
			 * whose only hidden cell is never printed gives nothing
			 * printed away); the LP knows it as an unknown. */
			bp_sup_set_flags(M, map[c], bp_sup_flags_of(M, map[c]) | BP_SUP_UNPRINTED);
			hide_cell(M, map[c], BP_SUP_SECONDARY);
		}
	for (size_t k = 0; k < x.ndaux; k++) {
		if (R->ndaux == R->capdaux) {
			size_t cap = R->capdaux ? 2 * R->capdaux : 64;
			size_t *d = realloc(R->daux, cap * sizeof(*d));
			if (!d)
				goto out;
			R->daux = d;
			R->capdaux = cap;
		}
		R->daux[R->ndaux++] = map[x.daux[k]];
		/* Republish model 2: a difference cell is primary through every
		 * repair (an unprinted cell is made secondary there, and the
		 * cleanup then freed what protected it). */
		if (T->s.republish_model >= 2) {
			size_t d = map[x.daux[k]];
			bp_sup_set_flags(M, d, bp_sup_flags_of(M, d) & ~BP_SUP_UNPRINTED);
		}
	}
	ret = 0;
out:
	free(key);
	free(map);
	bp__tables_part_free(&x);
	return ret;
}

size_t
bp__rel_row_of(const struct bp_tables *T, size_t i, size_t g, size_t b, size_t v, size_t r)
{
	size_t blk = T->blk[i * T->ngroup + g], off;
	if (blk == SIZE_MAX || (off = bd_offset(T, T->a[i].level, g, b)) == SIZE_MAX)
		return SIZE_MAX;
	return blk + off + v * group_nrow(T, g) + r;
}

long
bp__rel_add_unknown(struct rel *R, uint32_t value)
{
	struct bp_sup_problem *M = bp_model_problem(R->m);
	long c = bp_sup_add_cell(M, value, BP_SUP_UNPRINTED | BP_SUP_SLACK);
	if (c >= 0)
		hide_cell(M, (size_t)c, BP_SUP_SECONDARY);
	return c;
}

int
bp__rel_add_equal(struct rel *R, size_t *m1, size_t n1, size_t *m2, size_t n2)
{
	struct bp_sup_problem *M = bp_model_problem(R->m);
	long carrier;

	for (size_t i = 0; i < n1; i++)
		for (size_t j = 0; j < n2; j++)
			if (m1[i] == m2[j]) {
				m1[i--] = m1[--n1];
				m2[j] = m2[--n2];
				break;
			}
	if (bp_sup_add_equal(M, m1, n1, m2, n2, BP_SUP_UNPRINTED | BP_SUP_SLACK, &carrier) < 0)
		return -1;
	if (carrier >= 0)
		hide_cell(M, (size_t)carrier, BP_SUP_SECONDARY);
	return 0;
}

/* Room for the relations of two indicators (bp_cellkeys_cross: at most
 * twice their categories and one rest, each at most 64). */
#define BP_CROSS_MAX 260

/* Whether some level prints both g1's and g2's tables by breakdown b. */
static bool
both_on(const struct bp_tables *T, size_t g1, size_t g2, size_t b)
{
	static const unsigned lv[3] = { BP_LEVEL_NASJONAL, BP_LEVEL_FYLKE, BP_LEVEL_KOMMUNE };
	for (int k = 0; k < 3; k++)
		if ((T->s.levels & lv[k]) && table_on(T, lv[k], g1, b) && table_on(T, lv[k], g2, b))
			return true;
	return false;
}

/* The relations of g1 and g2 at (b, v) in area i (rel[0..nrel)). */
static int
add_cross_area(const struct bp_tables *T, struct rel *R, size_t i, size_t g1, size_t g2,
    size_t b, size_t v, const struct bp_cat_relation *rel, size_t nrel)
{
	size_t n1 = bp_indicator_at(g1)->ncat, n2 = bp_indicator_at(g2)->ncat;
	size_t m1[66], m2[66];
	long rest = -1;

	for (size_t k = 0; k < nrel; k++) {
		size_t k1 = 0, k2 = 0;
		for (size_t c = 0; c <= n1; c++) {
			if (!(rel[k].set1 >> c & 1))
				continue;
			if (c < n1) {
				m1[k1++] = R->rowcell[bp__rel_row_of(T, i, g1, b, v, c)];
				continue;
			}
			if (rest < 0) {
				/* g2 counts persons g1 does not: g2's i_alt = g1's + them */
				size_t t1 = R->rowcell[bp__rel_row_of(T, i, g1, b, v, n1)];
				size_t t2 = R->rowcell[bp__rel_row_of(T, i, g2, b, v, n2)];
				struct bp_sup_problem *M = bp_model_problem(R->m);
				uint32_t a = bp_sup_value_of(M, t1), z = bp_sup_value_of(M, t2);
				if (a > z) {
					errno = EINVAL;
					return -1;
				}
				if ((rest = bp__rel_add_unknown(R, z - a)) < 0)
					return -1;
				size_t mem[2] = { t1, (size_t)rest };
				if (bp_sup_add_constraint(M, BP_CONS_TABLE, t2, mem, 2) < 0)
					return -1;
			}
			m1[k1++] = (size_t)rest;
		}
		for (size_t c = 0; c < n2; c++)
			if (rel[k].set2 >> c & 1)
				m2[k2++] = R->rowcell[bp__rel_row_of(T, i, g2, b, v, c)];
		if (rel[k].contains) {
			/* the larger side = the smaller + the persons only it has */
			bool big1 = rel[k].contains == 1;
			size_t *mb = big1 ? m1 : m2, *ms = big1 ? m2 : m1;
			size_t nb = big1 ? k1 : k2, *ns = big1 ? &k2 : &k1;
			long sb = 0, ss = 0;
			struct bp_sup_problem *M = bp_model_problem(R->m);
			for (size_t j = 0; j < nb; j++)
				sb += bp_sup_value_of(M, mb[j]);
			for (size_t j = 0; j < *ns; j++)
				ss += bp_sup_value_of(M, ms[j]);
			long slack = sb < ss ? -1 : bp__rel_add_unknown(R, (uint32_t)(sb - ss));
			if (sb < ss)
				errno = EINVAL;
			if (slack < 0)
				return -1;
			ms[(*ns)++] = (size_t)slack;
		}
		if (bp__rel_add_equal(R, m1, k1, m2, k2) < 0)
			return -1;
	}
	return 0;
}

/*
 * Who is not there, as the release itself shows (model 4): a printed zero
 * is never hidden when zeros are shown (nor a complement), so it tells
 * every reader that nobody of its category and breakdown value is in its
 * area, nor in any area below it.  The atoms that count nobody, per
 * "family" of areas: dead[0] for the nation (its own zeros), dead[1 + f]
 * for fylke area f and its kommuner (the fylke's zeros and the nation's);
 * family[i] the family of area i.  A kommune's own zeros are left out (one
 * family per kommune would cost a relation pass each).  A zero that the
 * republishing rule may hide is left out too.  Returns the malloc'ed
 * masks (1 + na families of words words; the caller frees them, and
 * family), NULL with errno ENOMEM, or NULL with errno 0 when zeros may be
 * hidden or the version is older than 4: no relations from zeros.
 */
static uint64_t *
dead_atoms(const struct bp_tables *T, const struct rel *R, size_t **family)
{
	size_t words = bp_cellkeys_words(T->ck), nf = 1 + T->na;
	uint64_t *dead = NULL, *tmp = NULL;
	size_t *fam = NULL;

	*family = NULL;
	errno = 0;
	if (T->s.suppress_zero || T->s.model_version < 4)
		return NULL;
	if (!(dead = calloc(nf * words, sizeof(*dead))) || !(tmp = malloc(words * sizeof(*tmp))) ||
	    !(fam = malloc((T->na ? T->na : 1) * sizeof(*fam)))) {
		free(dead);
		free(tmp);
		free(fam);
		errno = ENOMEM;
		return NULL;
	}
	const struct bp_sup_problem *M = bp_model_problem(R->m);
	/* Model 6: a zero by kommunestorrelse says that the kommuner of a size
	 * class count nobody there, not that any person's atoms are empty
	 * (the class is the area's, not the person's); model 4 and 5 read it
	 * as the latter, and with a size class without persons all the
	 * relations between indicators fell away. */
	int by_area = T->s.model_version >= 6 ? bp_breakdown_find("kommunestorrelse") : -1;
	for (size_t i = 0; i < T->na; i++) {
		const struct area *a = &T->a[i];
		fam[i] = a->level == BP_LEVEL_NASJONAL ? 0 : a->level == BP_LEVEL_FYLKE ? 1 + i :
		    a->parent != SIZE_MAX ? 1 + a->parent : 0;
		if (!a->rows || a->level == BP_LEVEL_KOMMUNE)
			continue;
		uint64_t *own = dead + (a->level == BP_LEVEL_NASJONAL ? 0 : 1 + i) * words;
		for (size_t g = 0; g < T->nind; g++)
			for (size_t b = 0; b < bp_n_breakdowns(); b++) {
				if (!table_on(T, a->level, g, b) || (int)b == by_area)
					continue;
				for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++)
					for (size_t r = 0; r <= bp_indicator_at(g)->ncat; r++) {
						size_t row = bp__rel_row_of(T, i, g, b, v, r), c;
						if (row == SIZE_MAX || (c = R->rowcell[row]) == SIZE_MAX ||
						    bp_sup_value_of(M, c) != 0 ||
						    (c < R->nforced && R->forced[c]) ||
						    bp_cellkeys_cell_atoms(T->ck, g, r, b, v, tmp) != 0)
							continue;
						for (size_t w = 0; w < words; w++)
							own[w] |= tmp[w];
					}
			}
	}
	/* a fylke's family also knows the nation's zeros */
	for (size_t f = 1; f < nf; f++)
		for (size_t w = 0; w < words; w++)
			dead[f * words + w] |= dead[w];
	free(tmp);
	*family = fam;
	return dead;
}

/* Whether some area of members[0..n) prints the tables of x and y by b. */
static bool
family_prints(const struct bp_tables *T, const size_t *members, size_t n, size_t x,
    size_t y, size_t b)
{
	for (size_t k = 0; k < n; k++) {
		const struct area *a = &T->a[members[k]];
		if (a->rows && table_on(T, a->level, x, b) && table_on(T, a->level, y, b))
			return true;
	}
	return false;
}

/*
 * The relations between the tables of two indicators (cellkeys.h,
 * bp_cellkeys_cross) in every area that prints both: rop ja is the three
 * ROP values of rop_skala, alder4's 60p is alder7's 60_69 and 70p, by
 * every breakdown value.  Without them an intruder who combines the two
 * tables knows more than the model (model version 2).  From model 4 the
 * relations of each family of areas leave out the atoms its printed zeros
 * rule out (dead_atoms): with nobody rod on psykisk_helse among a fylke's
 * rus users, its kommuner's rop_skala gul_rod and rod_rod are all in
 * brukergruppe rus_psyk, which an intruder reads off the release.
 */
static int
add_cross(const struct bp_tables *T, struct rel *R)
{
	struct bp_cat_relation rel[BP_CROSS_MAX];
	size_t *family = NULL, words = bp_cellkeys_words(T->ck);
	uint64_t *dead = dead_atoms(T, R, &family);
	size_t nfam = dead ? 1 + T->na : 1, *fstart = NULL, *fmem = NULL;
	int ret = -1;

	if (!dead && errno == ENOMEM)
		return -1;
	/* the areas of each family, ascending: fmem[fstart[f] .. fstart[f + 1]) */
	if (!(fstart = calloc(nfam + 1, sizeof(*fstart))) ||
	    !(fmem = malloc((T->na ? T->na : 1) * sizeof(*fmem)))) {
		errno = ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < T->na; i++)
		fstart[(dead ? family[i] : 0) + 1]++;
	for (size_t f = 0; f < nfam; f++)
		fstart[f + 1] += fstart[f];
	for (size_t i = 0, f; i < T->na; i++) {
		f = dead ? family[i] : 0;
		fmem[fstart[f]++] = i;
	}
	for (size_t f = nfam; f > 0; f--)
		fstart[f] = fstart[f - 1];
	fstart[0] = 0;
	for (size_t x = 0; x < T->nind; x++)
		for (size_t y = x + 1; y < T->nind; y++)
			for (size_t b = 0; b < bp_n_breakdowns(); b++) {
				if (!both_on(T, x, y, b))
					continue;
				for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++)
					for (size_t f = 0; f < nfam; f++) {
						const uint64_t *d = dead ? dead + f * words : NULL;
						const size_t *mem = fmem + fstart[f];
						size_t nmem = fstart[f + 1] - fstart[f];
						/* no area of the family prints both (a kommune's
						 * index is a family of none) */
						if (!family_prints(T, mem, nmem, x, y, b))
							continue;
						/* g1 is the one whose persons the other counts too */
						size_t g1 = x, g2 = y;
						long n = bp_cellkeys_cross_live(T->ck, g1, g2, b, v, d, rel,
						    BP_CROSS_MAX);
						if (n == -1) {
							g1 = y, g2 = x;
							n = bp_cellkeys_cross_live(T->ck, g1, g2, b, v, d, rel,
							    BP_CROSS_MAX);
						}
						if (n == -2)
							goto out;   /* ENOMEM */
						if (n > BP_CROSS_MAX) {
							errno = EINVAL;   /* cannot be: see cellkeys.h */
							goto out;
						}
						if (n <= 0)
							continue;
						for (size_t k = 0; k < nmem; k++) {
							size_t i = mem[k];
							if (!T->a[i].rows ||
							    !table_on(T, T->a[i].level, g1, b) ||
							    !table_on(T, T->a[i].level, g2, b))
								continue;
							if (add_cross_area(T, R, i, g1, g2, b, v, rel,
							    (size_t)n) < 0)
								goto out;
						}
					}
			}
	ret = 0;
out:
	free(fstart);
	free(fmem);
	free(dead);
	free(family);
	return ret;
}

/* Is a count small by the primary rule alone? */
static bool
small(const struct bp_tables *T, uint32_t v)
{
	return (v >= 1 && v < T->s.min_cell) || (v == 0 && T->s.suppress_zero);
}

/* The pattern of the model into T->reason; -1 when the republishing rule
 * wants a cell hidden that the model publishes. */
static int
take(struct bp_tables *T, const struct rel *R)
{
	const struct bp_sup_problem *M = bp_model_problem(R->m);
	for (size_t row = 0; row < T->nrows; row++) {
		size_t c = R->rowcell[row];
		if (c == SIZE_MAX)
			continue;
		enum bp_reason why = reason_of_state(bp_sup_state_of(M, c));
		if (R->forced[c] && why == BP_REASON_NONE)
			return -1;
		if (why != BP_REASON_NONE && R->forced[c] == BP_REASON_DIFFERENCE &&
		    !small(T, bp_sup_value_of(M, c)))
			why = BP_REASON_DIFFERENCE;
		T->reason[row] = (unsigned char)why;
		/* model 18: a sum hidden beside its printed count */
		size_t s = R->sumcell[row];
		T->sumhide[row] = why == BP_REASON_NONE && s != SIZE_MAX &&
		    bp_sup_state_of(M, s) != BP_SUP_PUBLISHED ? BP_REASON_SECONDARY :
		    BP_REASON_NONE;
	}
	return 0;
}

/* LP solves the repair of the model may spend: the rapport profile of a
 * 357-kommune, 32 000-person year takes some 31 000 (model version 2; 600
 * in the first model, without the relations between indicators); the full
 * catalogue of even 3 small kommuner did not finish in 15 minutes.  A
 * deterministic count, so that a release that is too large fails the same
 * way every time, and soon, instead of running for hours.  (Raising it
 * leaves every release that finished before unchanged.) */
#define REPAIR_BUDGET 100000UL

/* Chunks of a large component's audit (model 4, bp_sup_set_chunks): room
 * for four cores; more chunks share fewer certificates and cost solves. */
#define AUDIT_CHUNKS 4

/* bp_sup_repair of the model, its failure said in err.  0 or -1. */
static int
repair(const struct bp_tables *T, struct bp_sup_problem *M, char *err, size_t errlen)
{
	if (bp_sup_repair(M, T->s.min_cell, T->s.suppress_zero) == 0)
		return 0;
	if (errno == ERANGE)
		snprintf(err, errlen, "the release model needs more than %lu linear "
		    "programs (a release this large is beyond method = release for now: "
		    "use method = per_group or a smaller profile)", (unsigned long)REPAIR_BUDGET);
	else
		snprintf(err, errlen, errno == EDOM ? "suppression found no safe pattern "
		    "for the release model" : errno == ENOMEM ? "out of memory" :
		    "the LP audit of the release model failed");
	return -1;
}

int
bp__release_solve(struct bp_tables *T, const struct bp_prev *prev, char *err, size_t errlen)
{
	struct rel R = { 0 };
	unsigned char *lv = NULL;
	struct whole_ahead *ahead = NULL;
	struct bp_sup_problem *view0 = NULL, *before = NULL;
	unsigned char *dirty = NULL;
	bool hid = false, kept = false;
	int ret = -1;

	snprintf(err, errlen, "out of memory");
	if (!(R.m = bp_model_new(T->nkey)) ||
	    !(R.rowcell = malloc((T->nrows ? T->nrows : 1) * sizeof(size_t))) ||
	    !(R.sumcell = malloc((T->nrows ? T->nrows : 1) * sizeof(size_t))) ||
	    !(lv = row_levels(T)))
		goto out;
	for (size_t row = 0; row < T->nrows; row++)
		R.rowcell[row] = R.sumcell[row] = SIZE_MAX;
	for (size_t g = 0; g < T->ngroup; g++)
		if (add_group(T, &R, g, prev) < 0) {
			if (errno == EINVAL)
				snprintf(err, errlen, "the release model does not add up (internal error)");
			goto out;
		}
	if (T->s.model_version >= 2 && add_cross(T, &R) < 0) {
		if (errno == EINVAL)
			snprintf(err, errlen, "the release model does not add up between "
			    "indicators (internal error)");
		goto out;
	}
	if (T->s.model_version >= 6 && (bp__rel_wholes(T, &R) < 0 || bp__rel_links(T, &R) < 0)) {
		if (errno == EINVAL)
			snprintf(err, errlen, "the release model does not add up across "
			    "breakdowns or levels (internal error)");
		goto out;
	}
	if (prev && T->s.republish_model >= 3 && bp__rel_since(T, &R, prev) < 0)
		goto out;
	if (T->s.model_version >= 15 && bp__rel_sum_counts(T, &R) < 0) {
		if (errno == EINVAL)
			snprintf(err, errlen, "a sum measure counts more persons than its area "
			    "has (internal error)");
		goto out;
	}
	if (T->s.model_version >= 17 && bp__rel_heavy(T, &R) < 0) {
		if (errno == EINVAL)
			snprintf(err, errlen, "heavy use does not add up (internal error)");
		goto out;
	}
	if (T->s.model_version >= 18 && bp__rel_sum_ties(T, &R) < 0) {
		if (errno == EINVAL)
			snprintf(err, errlen, "a sum of sums.csv does not add up its table "
			    "cells (internal error)");
		goto out;
	}
	if (T->s.model_version >= 20 && bp__rel_age_sums(T, &R) < 0) {
		if (errno == EINVAL)
			snprintf(err, errlen, "a sum of ages is too large (internal error)");
		goto out;
	}
	struct bp_sup_problem *M = bp_model_problem(R.m);
	bp__debug_phase("model");
	bp_sup_set_rule(M, BP_SUP_RULE_UPPER);
	/* Model 13: with suppress_zero, a 0 that the whole model tells (the
	 * groups published those each of them tells) is published too. */
	size_t nz = 0;
	if (T->s.model_version >= 13 && T->s.suppress_zero &&
	    bp_sup_fix_known_zeros(M, &nz) < 0) {
		snprintf(err, errlen, errno == ENOMEM ? "out of memory" :
		    "the LP of the release model's known zeros failed (internal error)");
		goto out;
	}
	bp_sup_set_pricing(M, T->s.model_version >= 4 ? BP_SUP_PRICE_PAIRS_BLIND :
	    T->s.model_version == 3 ? BP_SUP_PRICE_PAIRS :
	    T->s.model_version == 2 ? BP_SUP_PRICE_COST : BP_SUP_PRICE_NEED);
	/* (model 16: with the weights of the national complements' exchange) */
	if (bp__rel_weigh(T, &R, lv) < 0 || grow_forced(&R, bp_sup_ncells(M)) < 0)
		goto out;
	for (size_t c = 0; c < bp_sup_ncells(M); c++) {
		if (R.forced[c] == BP_REASON_SECONDARY)
			hide_cell(M, c, BP_SUP_SECONDARY);
		if (R.forced[c] && T->s.model_version >= 5)
			bp_sup_set_flags(M, c, bp_sup_flags_of(M, c) | BP_SUP_KEEP);
	}
	for (size_t k = 0; k < R.ndaux; k++)
		bp_sup_set_state(M, R.daux[k], BP_SUP_PRIMARY);
	if (getenv("BPAGG_DEBUG_SUPPRESS"))
		fprintf(stderr, "release model: %zu cells, %zu constraints, %zu hidden before "
		    "the repair\n", bp_sup_ncells(M), bp_sup_ncons(M),
		    bp_sup_ncells(M) - bp_sup_count(M, BP_SUP_PUBLISHED));
	bp_sup_set_budget(M, REPAIR_BUDGET);
	/* Model 4: the giant component's audit in fixed chunks on the cores
	 * (a fixed count, so the pattern is the same on every machine). */
	if (T->s.model_version >= 4)
		bp_sup_set_chunks(M, AUDIT_CHUNKS);
	/* Model 23: and their kept LPs one search for a feasible point. */
	bp_sup_set_search_once(M, T->s.model_version >= 23);
	/* Model 8: a component's LP starts from its basis of the round before. */
	if (bp_sup_set_warm(M, T->s.model_version >= 8) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	/* Model 5: complements no primary needs are published again. */
	bp_sup_set_cleanup(M, T->s.model_version >= 5);
	if (repair(T, M, err, errlen) < 0)
		goto out;
	bp__debug_phase("repair");
	/* Model 9's check of the whole release, on two cores, starts beside
	 * the per-area check (release_whole.c says when it is kept). */
	ahead = T->s.model_version >= 9 ? bp__rel_whole_ahead(T, &R) : NULL;
	R.whole_beside = ahead != NULL;
	/* Model 20: the whole release's check is of this pattern, beside the
	 * per-area check and not after it, on one core too; each hides what
	 * its programs need, and the release hides both (hiding more only
	 * widens what either proved).  The per-area check hides cells at 357
	 * kommuner now (sums of ages), and the check after it took 3 s more. */
	bool beside = T->s.model_version >= 20;
	if (beside && !ahead && !(view0 = bp__sup_view(M))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	/* Model 7: the joint distribution behind each area's tables; what it
	 * hides, the model is repaired for again, until it hides nothing.
	 * Model 20: each round after the first checks the areas whose cells
	 * the round before hid (an area's program is of its own cells only:
	 * the others would hide nothing again). */
	for (long n; T->s.model_version >= 7; ) {
		if (beside && !(before = bp__sup_view(M))) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		if ((n = bp__rel_joint(T, &R, dirty, before)) < 0) {
			snprintf(err, errlen, errno == EDOM ? "suppression found no safe pattern "
			    "for the joint distribution of an area's tables" : errno == ENOMEM ?
			    "out of memory" : "the joint check of the release model failed "
			    "(internal error)");
			goto out;
		}
		bp__debug_phase("per-area check round");
		if (n == 0)
			break;
		hid = true;
		/* its pattern is not the one to check any more: it gives up
		 * before its next solve (joined below, not waited for here) */
		if (ahead && !beside) {
			bp__rel_whole_ahead_stop(ahead);
			R.whole_beside = false;
		}
		/* Model 8: not repaired again.  Hiding a published cell only
		 * widens what the model allows (its value stays in the new
		 * column's range), so every certificate of the repair still
		 * holds; a repair from scratch re-proved each cell with small
		 * programs first and priced complements from their duals when
		 * they failed (on a 6 000-person year of 357 kommuner, 530 cells
		 * and as long again as the first repair). */
		if (T->s.model_version < 8 && repair(T, M, err, errlen) < 0)
			goto out;
		if (beside && bp__rel_changed_areas(T, &R, before, &dirty) < 0) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		bp__sup_view_free(before);
		before = NULL;
	}
	/* Model 9: the same over the whole release, where the program is
	 * small enough (model 10: by fylke where it is not); what it hides,
	 * no other proof needs again (above). */
	long whole = 0;
	if (ahead && (!hid || beside)) {
		whole = bp__rel_whole_ahead_end(ahead, &R, true);
		ahead = NULL;
		kept = true;
	}
	if (view0) {
		whole = bp__rel_joint_whole(T, &R, view0, NULL, &R.earlier_bound);
		if (whole >= 0)
			bp__sup_view_merge(M, view0);
		kept = true;
	}
	if (T->s.model_version >= 9 && !kept)
		whole = bp__rel_joint_whole(T, &R, NULL, NULL, &R.earlier_bound);
	/* a dropped one finishes its last solve on the other core meanwhile */
	if (ahead) {
		int e = errno;
		bp__rel_whole_ahead_end(ahead, &R, false);
		ahead = NULL;
		errno = e;
	}
	if (whole < 0 && errno == EDOM && R.earlier_given) {
		snprintf(err, errlen, "suppression found no safe pattern for the joint "
		    "distribution of the whole release and the earlier releases of %d: it would "
		    "give away a cell that an earlier release hid (printing, as every 0, a figure "
		    "that release hid as a small count, so that the kommuner unchanged since "
		    "count none of it); publish a year once its kommuner have reported, or set "
		    "republish_rule = refuse", T->year);
		goto out;
	}
	if (whole < 0) {
		snprintf(err, errlen, errno == EDOM ? "suppression found no safe pattern "
		    "for the joint distribution of the whole release" : errno == ENOMEM ?
		    "out of memory" : "the whole-release check of the release model failed "
		    "(internal error)");
		goto out;
	}
	bp__debug_phase("whole-release check (what was left of it)");
	T->earlier_bound = R.earlier_bound;
	if (getenv("BPAGG_DEBUG_SUPPRESS"))
		fprintf(stderr, "release model: %zu cells, %zu constraints (%zu met twice), "
		    "%zu hidden\n", bp_sup_ncells(M), bp_sup_ncons(M), bp_model_duplicates(R.m),
		    bp_sup_ncells(M) - bp_sup_count(M, BP_SUP_PUBLISHED));
	/* Model 20: no sum of ages hidden alone in a line of them */
	if (T->s.model_version >= 20 && bp__rel_age_lines(T, &R) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	bp__debug_phase("age lines");
	if (take(T, &R) < 0) {
		snprintf(err, errlen, "suppression left a cell the republishing rule protects "
		    "published (release model)");
		goto out;
	}
	err[0] = '\0';
	ret = 0;
out:
	/* what an operator can do about it */
	if (ret < 0 && prev && !R.earlier_given && strstr(err, "no safe pattern") &&
	    strlen(err) + 1 < errlen)
		snprintf(err + strlen(err), errlen - strlen(err), " (a republished year: each "
		    "figure that moved by less than min_cell since an earlier release must stay "
		    "hidden and protected, and these tallies leave no pattern that does; publish "
		    "a year once its kommuner have reported, or set republish_rule = refuse)");
	if (ahead)
		bp__rel_whole_ahead_end(ahead, &R, false);
	bp__sup_view_free(view0);
	bp__sup_view_free(before);
	free(dirty);
	bp_model_free(R.m);
	free(R.rowcell);
	free(R.sumcell);
	free(R.forced);
	free(R.daux);
	free(R.since);
	free(R.since_moved);
	free(lv);
	return ret;
}

void
bp_tables_hidden_shares(const struct bp_tables *T, double share[3])
{
	size_t n[3] = { 0 }, h[3] = { 0 };
	unsigned char *lv = row_levels(T);

	for (size_t row = 0; lv && row < T->nrows; row++) {
		int k = lv[row] == BP_LEVEL_NASJONAL ? 0 : lv[row] == BP_LEVEL_FYLKE ? 1 :
		    lv[row] == BP_LEVEL_KOMMUNE ? 2 : -1;
		if (k < 0)
			continue;
		n[k]++;
		h[k] += T->reason[row] != BP_REASON_NONE;
	}
	for (int k = 0; k < 3; k++)
		share[k] = n[k] ? 100.0 * (double)h[k] / (double)n[k] : 0.0;
	free(lv);
}
