/*
 * tables.c - the published tables of a year built from kommune tallies, and
 * their suppression; see publish.h.
 *
 * Layout. The tables know a list of areas: nasjonal ("NO"), then every
 * fylke of the registry, then every kommune of the registry, each with its
 * coverage. An area whose level is published and that has a reporting
 * kommune carries rows. The rows of one area are grouped: one group per
 * indicator (its breakdowns x values x (categories + i_alt)) and one per sum
 * measure (its breakdowns x values). Every row has a global index (block
 * offset of the area and group, plus the position inside the block); the
 * suppression reason of every row lives in one byte array.
 *
 * Suppression. Each group is one bp_sup problem holding every row of that
 * group at every published level, in row order, so a row's index inside its
 * problem is the position of its block in the problem plus its position in
 * the block. Constraints:
 *  - indicator tables: i_alt(v) = sum of categories(v);
 *  - breakdown b against total: total row r = sum over b's values of row r,
 *    plus a rest cell (persons outside b, e.g. rusgruppe leaves out rows
 *    without rusproblem) when that rest is not zero. The rest is never
 *    printed; it enters the problem as an ordinary cell, which the LP takes
 *    as known to the reader (conservative) unless the heuristic hides it
 *    as a complement (free: it is not published anyway). A FIXED rest
 *    would make a small total exactly recoverable whenever the breakdown's
 *    values are zeros, and the release would fail;
 *  - links: fylke row = sum of its reporting kommuner's rows (breakdowns
 *    published at kommune level), nasjonal row = sum of the fylker's rows
 *    (or of the kommuner's, when fylke is not published); a fylke's
 *    kommunestorrelse row = sum of the total rows of its kommuner of that
 *    size class;
 *  - relations between breakdowns and cells that are the same persons
 *    (cellkeys.h), per area.
 * A sum-measure group has the count of persons with the measure recorded
 * as its cells; its sum and mean follow that count's suppression.
 *
 * Across groups (shared_cells = consistent): a row whose set of persons
 * the atoms decide has a key (make_keys), the same in every group that
 * prints that quantity; after every group is solved, bp_tables_suppress
 * hides each quantity hidden anywhere everywhere, closing the lines that
 * opens (settle_group), until no group publishes what another hides.
 */
#include "tables_private.h"

#include <sodium.h>
#include <string.h>

#include "cellkeys.h"
#include "keymap.h"

/* ---- small helpers ---------------------------------------------------- */

const char *
bp_level_name(unsigned level)
{
	switch (level) {
	case BP_LEVEL_NASJONAL: return "nasjonal";
	case BP_LEVEL_FYLKE: return "fylke";
	case BP_LEVEL_KOMMUNE: return "kommune";
	}
	return "?";
}

unsigned
bp_level_parse(const char *name)
{
	if (!strcmp(name, "nasjonal")) return BP_LEVEL_NASJONAL;
	if (!strcmp(name, "fylke")) return BP_LEVEL_FYLKE;
	if (!strcmp(name, "kommune")) return BP_LEVEL_KOMMUNE;
	return 0;
}

static const char *const reason_names[] = {
	"none", "primary", "secondary", "linked", "difference",
};

const char *
bp_reason_name(enum bp_reason r)
{
	return (unsigned)r < 5 ? reason_names[r] : "?";
}

enum bp_reason
bp_reason_parse(const char *s)
{
	for (unsigned i = 1; i < 5; i++)
		if (!strcmp(s, reason_names[i]))
			return (enum bp_reason)i;
	return BP_REASON_NONE;
}

int
bp_pub_parse_breakdowns(const char *list, struct bp_pub_settings *s)
{
	char name[64];
	memset(s->kommune_bd, 0, sizeof(s->kommune_bd));
	s->nkommune_bd = 0;
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");
		while (n > 0 && *p == ' ')
			p++, n--;
		size_t m = n;
		while (m > 0 && p[m - 1] == ' ')
			m--;
		if (m == 0 || m >= sizeof(name))
			return -1;
		memcpy(name, p, m);
		name[m] = '\0';
		int b = bp_breakdown_find(name);
		if (b < 0 || b >= BP_PUB_MAX_BREAKDOWNS)
			return -1;
		if (!s->kommune_bd[b])
			s->kommune_bd_order[s->nkommune_bd++] = (unsigned char)b;
		s->kommune_bd[b] = true;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

void
bp_pub_format_breakdowns(const struct bp_pub_settings *s, char *buf, size_t len)
{
	size_t at = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < s->nkommune_bd; i++) {
		int n = snprintf(buf + at, len - at, "%s%s", at ? "," : "",
		    bp_breakdown_at(s->kommune_bd_order[i])->name);
		if (n < 0 || (size_t)n >= len - at)
			return;
		at += (size_t)n;
	}
}

int
bp_pub_settings_from_conf(const struct bp_config *c, unsigned levels,
    struct bp_pub_settings *s, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->min_cell = c->min_cell;
	s->suppress_zero = c->suppress_zero;
	s->per_table = c->shared_cells && !strcmp(c->shared_cells, "per_table");
	s->release_model = c->publish_method && !strcmp(c->publish_method, "release");
	s->model_version = BP_RELEASE_MODEL_VERSION;
	s->republish_model = BP_REPUBLISH_MODEL;
	s->levels = levels ? levels : BP_LEVEL_ALL;
	s->measures = c->measures;
	if (bp_n_breakdowns() > BP_PUB_MAX_BREAKDOWNS) {
		snprintf(err, errlen, "catalogue has too many breakdowns");
		return -1;
	}
	if (bp_pub_parse_breakdowns(c->kommune_breakdowns, s) < 0) {
		snprintf(err, errlen, "%s: [publish] kommune_breakdowns: unknown breakdown",
		    c->path ? c->path : "config");
		return -1;
	}
	if (c->profile) {
		char path[4096], dir[4096];
		const char *slash = c->path ? strrchr(c->path, '/') : NULL;
		snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - c->path) : 1,
		    slash ? c->path : ".");
		if (bp_profile_path(c->profile, dir, path, sizeof(path), err, errlen) < 0 ||
		    bp_profile_load(path, c->profile, &s->profile, err, errlen) < 0)
			return -1;
	}
	return 0;
}

void
bp_pub_settings_free(struct bp_pub_settings *s)
{
	bp_profile_free(s->profile);
	s->profile = NULL;
}

/* ---- building --------------------------------------------------------- */

static int
cmp_kom(const void *x, const void *y)
{
	const struct bp_pub_kommune *const *a = x, *const *b = y;
	return strcmp((*a)->nr, (*b)->nr);
}

static int
cmp_str2(const void *x, const void *y)
{
	return strcmp(x, y);
}

static struct area *
add_area(struct bp_tables *T, unsigned level, const char *code)
{
	struct area *a = &T->a[T->na++];
	memset(a, 0, sizeof(*a));
	a->level = level;
	snprintf(a->code, sizeof(a->code), "%s", code);
	a->parent = SIZE_MAX;
	a->ksize = -1;
	return a;
}

/*
 * The kommunestorrelse value of a kommune's tally: the one value its rows
 * fell in (read from the tally, not the registry, so that the link
 * constraints below hold exactly even if the registry's populations moved
 * since the tally was made). -1 when the rows do not all share one value.
 */
static int
tally_ksize(const struct bp_tally *t)
{
	int b = bp_breakdown_find("kommunestorrelse"), m = bp_sum_measure_find("alder"), got = -1;
	if (b < 0 || m < 0)
		return -1;
	for (size_t v = 0; v < bp_breakdown_at((size_t)b)->nval; v++) {
		uint32_t n = t->sum_n[bp_sum_cell((size_t)m, (size_t)b, v)];
		if (n == 0)
			continue;
		if (got >= 0 || n != t->rows)
			return -1;
		got = (int)v;
	}
	return got;
}

/* Creates the area list: NO, the fylker, the kommuner, with coverage. */
static int
make_areas(struct bp_tables *T, const struct bp_registry *reg)
{
	char (*fy)[3] = NULL;
	size_t nf = 0;
	int ret = -1;

	if (!(fy = calloc(reg->n ? reg->n : 1, sizeof(*fy))))
		goto out;
	for (size_t i = 0; i < reg->n; i++) {
		bool seen = false;
		for (size_t j = 0; j < nf && !seen; j++)
			seen = !strcmp(fy[j], reg->k[i].fylke);
		if (!seen)
			memcpy(fy[nf++], reg->k[i].fylke, 3);
	}
	qsort(fy, nf, sizeof(*fy), cmp_str2);
	if (!(T->a = calloc(1 + nf + reg->n, sizeof(*T->a))))
		goto out;
	struct area *no = add_area(T, BP_LEVEL_NASJONAL, "NO");
	for (size_t j = 0; j < nf; j++)
		add_area(T, BP_LEVEL_FYLKE, fy[j]);
	size_t k = 0;
	for (size_t i = 0; i < reg->n; i++) {
		const struct bp_kommune *km = &reg->k[i];
		struct area *a = add_area(T, BP_LEVEL_KOMMUNE, km->nr);
		for (size_t j = 0; j < nf; j++)
			if (!strcmp(fy[j], km->fylke))
				a->parent = 1 + j;
		struct area *f = &T->a[a->parent];
		a->ntotal = 1;
		a->pop18tot = km->population18;
		f->ntotal++, no->ntotal++;
		f->pop18tot += km->population18, no->pop18tot += km->population18;
		while (k < T->nk && strcmp(T->kom[k]->nr, km->nr) < 0)
			k++;
		if (k < T->nk && !strcmp(T->kom[k]->nr, km->nr)) {
			a->t = T->kom[k]->t;
			a->received = T->kom[k]->received;
			a->ksize = tally_ksize(a->t);
			a->nrep = 1;
			a->pop18rep = km->population18;
			f->nrep++, no->nrep++;
			f->pop18rep += km->population18, no->pop18rep += km->population18;
		}
	}
	ret = 0;
out:
	free(fy);
	return ret;
}

/* Sums the tallies of nasjonal and of the published fylker. */
static int
sum_areas(struct bp_tables *T)
{
	for (size_t i = 0; i < T->na; i++) {
		struct area *a = &T->a[i];
		if (a->level == BP_LEVEL_KOMMUNE || a->nrep == 0 || !(T->s.levels & a->level))
			continue;
		if (bp_tally_init(&a->own) < 0)
			return -1;
		a->owned = true;
		a->t = &a->own;
	}
	for (size_t i = 0; i < T->na; i++) {
		struct area *k = &T->a[i];
		if (k->level != BP_LEVEL_KOMMUNE || !k->t)
			continue;
		if (T->a[0].owned)
			bp_tally_add(&T->a[0].own, k->t);
		if (T->a[k->parent].owned)
			bp_tally_add(&T->a[k->parent].own, k->t);
	}
	return 0;
}

/* Assigns every row-carrying area its block offsets. */
static int
lay_out(struct bp_tables *T)
{
	if (!(T->blk = malloc(T->na * T->ngroup * sizeof(size_t))))
		return -1;
	size_t at = 0;
	for (size_t i = 0; i < T->na; i++) {
		struct area *a = &T->a[i];
		a->rows = a->nrep > 0 && (T->s.levels & a->level);
		for (size_t g = 0; g < T->ngroup; g++) {
			if (!a->rows) {
				T->blk[i * T->ngroup + g] = SIZE_MAX;
				continue;
			}
			size_t n = block_rows(T, a->level, g);
			T->blk[i * T->ngroup + g] = at;
			at += n;
			if (g < T->nind)
				T->ntab += n;
			else
				T->nsum += n;
		}
	}
	T->nrows = at;
	if (!(T->reason = calloc(at ? at : 1, 1)) || !(T->sumhide = calloc(at ? at : 1, 1)))
		return -1;
	return 0;
}

/*
 * Gives every row whose quantity is determined (cellkeys.h) a key id: the
 * same id for the same set of persons of the same area, in whatever table.
 * A kommune's own kommunestorrelse class is its total; its other classes
 * are empty.
 */
static int
make_keys(struct bp_tables *T)
{
	struct bp_keymap m = { 0 };
	size_t *kgroup = NULL;   /* per key: the last group seen printing it */
	int ks = bp_breakdown_find("kommunestorrelse"), tot = bp_breakdown_find("total");
	int ret = -1;

	if (bp_cellkeys_build(&T->s.measures, &T->ck) < 0)
		goto out;
	if (!(T->rowkey = calloc(T->nrows ? T->nrows : 1, sizeof(*T->rowkey))) ||
	    bp_keymap_reserve(&m, T->nrows) < 0)
		goto out;
	for (size_t i = 0; i < T->na; i++) {
		const struct area *a = &T->a[i];
		if (!a->rows)
			continue;
		for (size_t g = 0; g < T->ngroup; g++) {
			size_t row = T->blk[i * T->ngroup + g], nr = group_nrow(T, g);
			for (size_t b = 0; b < bp_n_breakdowns(); b++) {
				if (!table_on(T, a->level, g, b))
					continue;
				for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++)
					for (size_t r = 0; r < nr; r++, row++) {
						uint32_t pos = row_pos(T, a, g, b, v, r, ks, tot);
						if (pos && !(T->rowkey[row] = bp_keymap_id(&m,
						    (uint64_t)i << 32 | pos, NULL)))
							goto out;
					}
			}
		}
	}
	T->nkey = m.n;
	if (!(T->khidden = calloc(T->nkey + 1, 1)) ||
	    !(T->kshared = calloc(T->nkey + 1, sizeof(*T->kshared))) ||
	    !(kgroup = malloc((T->nkey + 1) * sizeof(*kgroup))))
		goto out;
	for (size_t k = 0; k <= T->nkey; k++)
		kgroup[k] = SIZE_MAX;
	for (size_t i = 0; i < T->na; i++) {
		if (!T->a[i].rows)
			continue;
		for (size_t g = 0; g < T->ngroup; g++) {
			size_t row = T->blk[i * T->ngroup + g], nb = block_rows(T, T->a[i].level, g);
			for (size_t j = 0; j < nb; j++) {
				uint32_t key = T->rowkey[row + j];
				if (key && kgroup[key] != g && T->kshared[key] < UINT16_MAX)
					T->kshared[key]++;
				if (key)
					kgroup[key] = g;
			}
		}
	}
	ret = 0;
out:
	free(kgroup);
	bp_keymap_free(&m);
	return ret;
}

int
bp_tables_build(int year, const struct bp_pub_kommune *k, size_t nk,
    const struct bp_registry *reg, const struct bp_pub_settings *s,
    struct bp_tables **out, char *err, size_t errlen)
{
	struct bp_tables *T;
	int ret = -1;

	*out = NULL;
	snprintf(err, errlen, "out of memory");
	if (!(T = calloc(1, sizeof(*T))))
		return -1;
	T->year = year;
	T->s = *s;
	if (!T->s.levels)
		T->s.levels = BP_LEVEL_ALL;
	T->nind = bp_n_indicators();
	T->ngroup = T->nind + bp_n_sum_measures();
	T->nk = nk;
	if (!(T->kom = calloc(nk ? nk : 1, sizeof(*T->kom))))
		goto out;
	for (size_t i = 0; i < nk; i++)
		T->kom[i] = &k[i];
	qsort(T->kom, nk, sizeof(*T->kom), cmp_kom);
	for (size_t i = 0; i < nk; i++) {
		if (!bp_registry_find(reg, T->kom[i]->nr)) {
			snprintf(err, errlen, "a reporting kommune is not in the registry");
			goto out;
		}
		if (i > 0 && !strcmp(T->kom[i - 1]->nr, T->kom[i]->nr)) {
			snprintf(err, errlen, "a kommune is given twice");
			goto out;
		}
	}
	if (make_areas(T, reg) < 0 || sum_areas(T) < 0 || lay_out(T) < 0 || make_keys(T) < 0)
		goto out;
	err[0] = '\0';
	*out = T;
	T = NULL;
	ret = 0;
out:
	bp_tables_free(T);
	return ret;
}

void
bp_tables_free(struct bp_tables *T)
{
	if (!T)
		return;
	for (size_t i = 0; i < T->na; i++)
		if (T->a[i].owned)
			bp_tally_free(&T->a[i].own);
	free(T->a);
	free(T->blk);
	free(T->reason);
	free(T->sumhide);
	free(T->kom);
	free(T->rowkey);
	free(T->khidden);
	free(T->kshared);
	bp_cellkeys_free(T->ck);
	free(T);
}

size_t
bp_tables_nrows(const struct bp_tables *T)
{
	return T->ntab;
}

size_t
bp_tables_nsum_rows(const struct bp_tables *T)
{
	return T->nsum;
}

void
bp_tables_input_digest(const struct bp_tables *T, uint8_t out[32])
{
	crypto_generichash_state st;
	/* Little-endian counts gathered and hashed a block at a time: the
	 * digest of a stream does not depend on how it is cut, and a call
	 * per count was a third of its time (357 kommuner: 20 MB). */
	uint8_t buf[4096];
	size_t n = 0;
	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const uint8_t *)"bpagg-input-v1", 14);
	for (size_t i = 0; i < T->nk; i++) {
		const struct bp_tally *t = T->kom[i]->t;
		crypto_generichash_update(&st, buf, n);
		n = 0;
		crypto_generichash_update(&st, (const uint8_t *)T->kom[i]->nr, 5);
		for (size_t c = 0; c < bp_n_cells(); c++) {
			if (n + 4 > sizeof(buf)) {
				crypto_generichash_update(&st, buf, n);
				n = 0;
			}
			for (int j = 0; j < 4; j++)
				buf[n++] = (uint8_t)(t->counts[c] >> (8 * j));
		}
		for (size_t c = 0; c < bp_n_sum_cells(); c++) {
			if (n + 12 > sizeof(buf)) {
				crypto_generichash_update(&st, buf, n);
				n = 0;
			}
			for (int j = 0; j < 4; j++)
				buf[n++] = (uint8_t)(t->sum_n[c] >> (8 * j));
			for (int j = 0; j < 8; j++)
				buf[n++] = (uint8_t)(t->sum[c] >> (8 * j));
		}
	}
	crypto_generichash_update(&st, buf, n);
	crypto_generichash_final(&st, out, 32);
}

