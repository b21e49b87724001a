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
#include "publish.h"

#include <errno.h>
#include <fcntl.h>
#include <glpk.h>
#include <pthread.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cellkeys.h"
#include "suppress.h"
#include "tables_int.h"

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
	for (size_t b = 0; b < bp_n_breakdowns() && b < BP_PUB_MAX_BREAKDOWNS; b++) {
		if (!s->kommune_bd[b])
			continue;
		int n = snprintf(buf + at, len - at, "%s%s", at ? "," : "",
		    bp_breakdown_at(b)->name);
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
	s->per_group = c->publish_method && !strcmp(c->publish_method, "per_group");
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
	return 0;
}

static bool
level_has_bd(const struct bp_tables *T, unsigned level, size_t b)
{
	return level != BP_LEVEL_KOMMUNE || T->s.kommune_bd[b];
}

static size_t
group_nrow(const struct bp_tables *T, size_t g)
{
	return g < T->nind ? bp_indicator_at(g)->ncat + 1 : 1;
}

/* Rows of group g for an area of the given level. */
static size_t
block_rows(const struct bp_tables *T, unsigned level, size_t g)
{
	size_t n = 0, nr = group_nrow(T, g);
	for (size_t b = 0; b < bp_n_breakdowns(); b++)
		if (level_has_bd(T, level, b))
			n += bp_breakdown_at(b)->nval * nr;
	return n;
}

/* Position of breakdown b's first row inside a block, or SIZE_MAX. */
static size_t
bd_offset(const struct bp_tables *T, unsigned level, size_t g, size_t b)
{
	size_t n = 0, nr = group_nrow(T, g);
	if (!level_has_bd(T, level, b))
		return SIZE_MAX;
	for (size_t i = 0; i < b; i++)
		if (level_has_bd(T, level, i))
			n += bp_breakdown_at(i)->nval * nr;
	return n;
}

/* The count of row r (category, or ncat = i_alt) of value v. */
static uint32_t
cell_value(const struct bp_tables *T, const struct area *a, size_t g, size_t b,
    size_t v, size_t r)
{
	if (g >= T->nind)
		return a->t->sum_n[bp_sum_cell(g - T->nind, b, v)];
	const struct bp_indicator *ind = bp_indicator_at(g);
	size_t nval = bp_breakdown_at(b)->nval, off = bp_cell_offset(g, b);
	if (r < ind->ncat)
		return a->t->counts[off + r * nval + v];
	uint32_t sum = 0;
	for (size_t c = 0; c < ind->ncat; c++)
		sum += a->t->counts[off + c * nval + v];
	return sum;
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
	if (!(T->reason = calloc(at ? at : 1, 1)))
		return -1;
	return 0;
}

/* Key ids of (area, position) pairs: open addressing over 64-bit keys. */
struct keymap {
	uint64_t *k;
	uint32_t *id;
	size_t cap;
	uint32_t n;
};

static uint32_t
keymap_get(struct keymap *m, uint64_t key)
{
	uint64_t h = key * 0x9e3779b97f4a7c15ULL;
	for (size_t i = (size_t)(h >> 20) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (m->id[i] == 0) {
			m->k[i] = key;
			return m->id[i] = ++m->n;
		}
		if (m->k[i] == key)
			return m->id[i];
	}
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
	struct bp_cellkeys *ck;
	struct keymap m = { 0 };
	size_t *kgroup = NULL;   /* per key: the last group seen printing it */
	int ks = bp_breakdown_find("kommunestorrelse"), tot = bp_breakdown_find("total");
	int ret = -1;

	if (bp_cellkeys_build(&T->s.measures, &T->ck) < 0)
		goto out;
	ck = T->ck;
	for (m.cap = 1024; m.cap < 2 * T->nrows; m.cap *= 2)
		;
	if (!(T->rowkey = calloc(T->nrows ? T->nrows : 1, sizeof(*T->rowkey))) ||
	    !(m.k = malloc(m.cap * sizeof(*m.k))) || !(m.id = calloc(m.cap, sizeof(*m.id))))
		goto out;
	for (size_t i = 0; i < T->na; i++) {
		const struct area *a = &T->a[i];
		if (!a->rows)
			continue;
		for (size_t g = 0; g < T->ngroup; g++) {
			size_t row = T->blk[i * T->ngroup + g], nr = group_nrow(T, g);
			for (size_t b = 0; b < bp_n_breakdowns(); b++) {
				if (!level_has_bd(T, a->level, b))
					continue;
				for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++)
					for (size_t r = 0; r < nr; r++, row++) {
						uint32_t pos;
						if ((int)b == ks && a->level == BP_LEVEL_KOMMUNE)
							pos = a->ksize == (int)v && tot >= 0 ?
							    bp_cellkeys_pos(ck, g, (size_t)tot, 0, r) : 0;
						else
							pos = bp_cellkeys_pos(ck, g, b, v, r);
						if (pos)
							T->rowkey[row] = keymap_get(&m, (uint64_t)i << 32 | pos);
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
	free(m.k);
	free(m.id);
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
	uint8_t le[8];
	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const uint8_t *)"bpagg-input-v1", 14);
	for (size_t i = 0; i < T->nk; i++) {
		const struct bp_tally *t = T->kom[i]->t;
		crypto_generichash_update(&st, (const uint8_t *)T->kom[i]->nr, 5);
		for (size_t c = 0; c < bp_n_cells(); c++) {
			for (int j = 0; j < 4; j++)
				le[j] = (uint8_t)(t->counts[c] >> (8 * j));
			crypto_generichash_update(&st, le, 4);
		}
		for (size_t c = 0; c < bp_n_sum_cells(); c++) {
			for (int j = 0; j < 4; j++)
				le[j] = (uint8_t)(t->sum_n[c] >> (8 * j));
			crypto_generichash_update(&st, le, 4);
			for (int j = 0; j < 8; j++)
				le[j] = (uint8_t)(t->sum[c] >> (8 * j));
			crypto_generichash_update(&st, le, 8);
		}
	}
	crypto_generichash_final(&st, out, 32);
}

/* ---- previous release (protect_differences) ---------------------------- */

/* An open-addressing map from a cell key to its last published count
 * (-1 = suppressed). Keys are "level|area|table|category|value". */
struct bp_prev {
	char **key;
	int64_t *val;
	size_t cap, n;
};

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int
prev_grow(struct bp_prev *p)
{
	size_t cap = p->cap ? p->cap * 2 : 1024;
	char **key = calloc(cap, sizeof(*key));
	int64_t *val = calloc(cap, sizeof(*val));
	if (!key || !val) {
		free(key);
		free(val);
		return -1;
	}
	for (size_t i = 0; i < p->cap; i++) {
		if (!p->key[i])
			continue;
		size_t j = hash_str(p->key[i]) & (cap - 1);
		while (key[j])
			j = (j + 1) & (cap - 1);
		key[j] = p->key[i];
		val[j] = p->val[i];
	}
	free(p->key);
	free(p->val);
	p->key = key;
	p->val = val;
	p->cap = cap;
	return 0;
}

static int
prev_put(struct bp_prev *p, const char *k, int64_t v)
{
	if ((p->n + 1) * 2 > p->cap && prev_grow(p) < 0)
		return -1;
	size_t j = hash_str(k) & (p->cap - 1);
	while (p->key[j]) {
		if (!strcmp(p->key[j], k)) {
			p->val[j] = v;
			return 0;
		}
		j = (j + 1) & (p->cap - 1);
	}
	if (!(p->key[j] = strdup(k)))
		return -1;
	p->val[j] = v;
	p->n++;
	return 0;
}

static bool
prev_get(const struct bp_prev *p, const char *k, int64_t *v)
{
	if (!p || !p->cap)
		return false;
	size_t j = hash_str(k) & (p->cap - 1);
	while (p->key[j]) {
		if (!strcmp(p->key[j], k)) {
			*v = p->val[j];
			return true;
		}
		j = (j + 1) & (p->cap - 1);
	}
	return false;
}

void
bp_prev_free(struct bp_prev *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->cap; i++)
		free(p->key[i]);
	free(p->key);
	free(p->val);
	free(p);
}

/* Splits a line of our own CSV (fields never hold quotes or commas, but
 * quoted fields are accepted) into at most max fields, in place. */
static size_t
split_csv(char *line, char **f, size_t max)
{
	size_t n = 0;
	char *p = line;
	for (;;) {
		if (n == max)
			return max + 1;
		if (*p == '"') {
			char *w = ++p;
			f[n++] = w;
			while (*p && !(*p == '"' && p[1] != '"'))
				*w++ = (*p == '"') ? (p++, '"') : *p, p++;
			if (*p == '"')
				p++;
			*w = '\0';
			if (*p == ',') {
				*w = '\0';
				p++;
				continue;
			}
			return n;
		}
		f[n++] = p;
		p += strcspn(p, ",");
		if (*p != ',')
			return n;
		*p++ = '\0';
	}
}

#define BP_PREV_MAX_BYTES (4ull << 30)   /* cap on a kept tables.csv */

/* Reads one kept file of a release into p; kind 0 tables.csv, 1 sums.csv. */
static int
prev_read(struct bp_prev *p, const char *path, int kind, char *err, size_t errlen)
{
	FILE *f = NULL;
	char *line = NULL;
	size_t cap = 0;
	unsigned long ln = 0;
	int ret = -1;
	char key[256];

	struct stat st;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > BP_PREV_MAX_BYTES || !(f = fdopen(fd, "r"))) {
		snprintf(err, errlen, "%s: %s", path, fd < 0 ? strerror(errno) :
		    "not a regular file under the size cap");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	ssize_t len;
	while ((len = getline(&line, &cap, f)) > 0) {
		char *fld[16];
		ln++;
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		size_t n = split_csv(line, fld, 16);
		size_t want = kind == 0 ? 12 : 9;
		if (n != want) {
			snprintf(err, errlen, "%s:%lu: expected %zu fields", path, ln, want);
			goto out;
		}
		if (ln == 1)
			continue;
		const char *cnt = fld[kind == 0 ? 8 : 6];
		int64_t v = -1;
		if (strcmp(cnt, ":")) {
			char *end;
			errno = 0;
			long long x = strtoll(cnt, &end, 10);
			if (errno || end == cnt || *end || x < 0) {
				snprintf(err, errlen, "%s:%lu:%u: count: expected a number or ':'",
				    path, ln, kind == 0 ? 9u : 7u);
				goto out;
			}
			v = x;
		}
		if (kind == 0)
			snprintf(key, sizeof(key), "%s|%s|%s|%s|%s", fld[1], fld[2], fld[3],
			    fld[5], fld[7]);
		else
			snprintf(key, sizeof(key), "%s|%s|%s__%s||%s", fld[1], fld[2], fld[3],
			    fld[4], fld[5]);
		if (prev_put(p, key, v) < 0) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		goto out;
	}
	ret = 0;
out:
	free(line);
	fclose(f);
	return ret;
}

/* Loads a kept release's tables; the caller frees *out with bp_prev_free. */
int
bp_prev_load(const char *tables_csv, const char *sums_csv, struct bp_prev **out,
    char *err, size_t errlen)
{
	struct bp_prev *p = calloc(1, sizeof(*p));
	*out = NULL;
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (prev_read(p, tables_csv, 0, err, errlen) < 0 ||
	    (sums_csv && prev_read(p, sums_csv, 1, err, errlen) < 0)) {
		bp_prev_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

/* ---- suppression ------------------------------------------------------- */

/* The key of a row for the previous-release map. */
static void
row_key(const struct bp_tables *T, const struct area *a, size_t g, size_t b, size_t v,
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

/*
 * One suppression problem of a group: the whole group (use NULL), or one
 * stage of the two-stage solution (use marks the areas: 1 decided here,
 * 2 context: a fylke whose pattern stage 1 decided, see solve_staged).
 */
struct group {
	struct bp_sup_problem *p;
	const unsigned char *use;   /* na entries, or NULL: every area, own */
	const struct group *ctx;    /* the stage that decided the context areas */
	size_t *base;     /* na: index of the area's first cell, SIZE_MAX none */
	size_t *rest;     /* na x breakdowns x rows: rest cell, SIZE_MAX none */
	size_t *daux;     /* difference cells of the republishing rule */
	size_t ndaux;
	size_t ncells;    /* row cells: indices 0 .. ncells-1 */
	size_t *mem;      /* scratch for constraint members */
	size_t memcap;
	unsigned char *forced; /* per row cell: reason forced by the republish rule */
	unsigned strict;  /* what is FIXED on this try: STRICT_* */
};

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

static bool is_small(const struct bp_tables *T, uint32_t v);
static void row_key(const struct bp_tables *T, const struct area *a, size_t g, size_t b,
    size_t v, size_t r, char *key, size_t len);
static bool prev_get(const struct bp_prev *p, const char *k, int64_t *v);

/* Whether the republishing rule hides a cell of count now that had count
 * old in the previous release (-1: hidden then): hidden before, or moved
 * by 1 .. min_cell - 1 (a zero is published like every zero). */
static bool
republish_rule_hides(const struct bp_tables *T, uint32_t now, int64_t old)
{
	if (old < 0)
		return true;
	if ((now == 0 && !T->s.suppress_zero) || T->s.min_cell <= 1)
		return false;
	uint64_t d = now > old ? now - (uint64_t)old : (uint64_t)old - now;
	return d != 0 && d < T->s.min_cell;
}

/* Whether the republishing rule will hide row r (value now) of value v of
 * breakdown b of group g in area a: hidden in the previous release, or
 * moved by 1 .. min_cell - 1 since (add_republish_cell). */
static bool
republish_hides(const struct bp_tables *T, const struct area *a, size_t g, size_t b,
    size_t v, size_t r, uint32_t now, const struct bp_prev *prev)
{
	char key[256];
	int64_t old;
	if (!prev)
		return false;
	row_key(T, a, g, b, v, r, key, sizeof(key));
	if (!prev_get(prev, key, &old))
		return false;
	return republish_rule_hides(T, now, old);
}

/* Quantities printed by this many groups or more (the population counts
 * that are every table's i_alt) are FIXED on a group's first try. */
#define STRICT_SHARED 3

/* A group's tries, from most FIXED to none (suppress_group). */
enum {
	STRICT_NONE,      /* nothing more than what the reader has */
	STRICT_HEADLINE,  /* + the national count of the group */
	STRICT_ALL,       /* + the quantities STRICT_SHARED groups print */
};

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
			if (!level_has_bd(T, a->level, b))
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
					    !is_small(T, val))
						fl = BP_SUP_FIXED;
					/* The national count of each group (its i_alt, or a
					 * sum measure's count, of the total) is the headline
					 * figure: on the first try never a complement, unless
					 * the republishing rule wants it hidden. */
					if (G->strict >= STRICT_HEADLINE && a->level == BP_LEVEL_NASJONAL &&
					    (int)b == tot &&
					    r + 1 == nr && !is_small(T, val) &&
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
			if (!level_has_bd(T, T->a[i].level, b))
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
		if (!use_of(T, G, i) || !level_has_bd(T, a->level, (size_t)tot))
			continue;
		for (size_t b = 0; b < bp_n_breakdowns(); b++) {
			size_t nval = bp_breakdown_at(b)->nval;
			if (b == (size_t)tot || !level_has_bd(T, a->level, b))
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

/* parent row = sum of the children's rows, for breakdowns both carry. */
static int
add_link(const struct bp_tables *T, struct group *G, size_t g, size_t parent,
    const size_t *child, size_t nchild)
{
	size_t nr = group_nrow(T, g);
	unsigned cl = T->a[child[0]].level;
	if (mem_reserve(G, nchild) < 0)
		return -1;
	for (size_t b = 0; b < bp_n_breakdowns(); b++) {
		if (!level_has_bd(T, cl, b) || !level_has_bd(T, T->a[parent].level, b))
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

	if (ks < 0 || tot < 0 || !level_has_bd(T, T->a[P].level, (size_t)ks) ||
	    level_has_bd(T, BP_LEVEL_KOMMUNE, (size_t)ks) ||
	    !level_has_bd(T, BP_LEVEL_KOMMUNE, (size_t)tot))
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
		if (n && (add_link(T, G, g, f, child, n) < 0 || add_ksize_link(T, G, g, f) < 0))
			goto out;
	}
	if (use_of(T, G, 0) && (fylke || kommune)) {
		unsigned want = fylke ? BP_LEVEL_FYLKE : BP_LEVEL_KOMMUNE;
		n = 0;
		for (size_t k = 1; k < T->na; k++)
			if (T->a[k].level == want && use_of(T, G, k))
				child[n++] = k;
		if (n && add_link(T, G, g, 0, child, n) < 0)
			goto out;
		if (!fylke && n && add_ksize_link(T, G, g, SIZE_MAX) < 0)
			goto out;
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
		if (!level_has_bd(T, T->a[i].level, R->b1) || !level_has_bd(T, T->a[i].level, R->b2))
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
			if (n1 == 1 || n2 == 1) {
				bool one = n1 == 1;
				if (bp_sup_add_constraint(G->p, BP_CONS_TABLE, one ? m1[0] : m2[0],
				    one ? m2 : m1, one ? n2 : n1) < 0)
					return -1;
				continue;
			}
			long aux = bp_sup_add_cell(G->p, (uint32_t)s1, BP_SUP_UNPRINTED);
			if (aux < 0 ||
			    bp_sup_add_constraint(G->p, BP_CONS_TABLE, (size_t)aux, m1, n1) < 0 ||
			    bp_sup_add_constraint(G->p, BP_CONS_TABLE, (size_t)aux, m2, n2) < 0)
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
		G->forced[c] = BP_REASON_SECONDARY;
		return 0;
	}
	if (!republish_rule_hides(T, now, old))
		return 0;
	d = (uint32_t)(now > old ? now - old : old - now);
	if ((aux = bp_sup_add_cell(G->p, d, 0)) < 0 ||
	    (fix = bp_sup_add_cell(G->p, (uint32_t)old, BP_SUP_FIXED)) < 0)
		return -1;
	G->forced[c] = BP_REASON_DIFFERENCE;
	G->daux[G->ndaux++] = (size_t)aux;
	if (now > old) {
		m[0] = (size_t)fix, m[1] = (size_t)aux;
		return bp_sup_add_constraint(G->p, BP_CONS_TABLE, c, m, 2);
	}
	m[0] = c, m[1] = (size_t)aux;
	return bp_sup_add_constraint(G->p, BP_CONS_TABLE, (size_t)fix, m, 2);
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
			if (!level_has_bd(T, a->level, b))
				continue;
			for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++)
				for (size_t r = 0; r < nr; r++) {
					int64_t old;
					row_key(T, a, g, b, v, r, key, sizeof(key));
					if (!prev_get(prev, key, &old))
						continue;
					if (add_republish_cell(T, G, cell_at(T, G, i, g, b, v, r),
					    cell_value(T, a, g, b, v, r), old) < 0)
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
static bool
is_small(const struct bp_tables *T, uint32_t v)
{
	return (v >= 1 && v < T->s.min_cell) || (v == 0 && T->s.suppress_zero);
}

/* Copies the pattern of a solved group into T->reason. A hidden cell that
 * moved by less than min_cell since the previous release, and is not small
 * itself, has reason difference. */
static void
take_pattern(struct bp_tables *T, const struct group *G, size_t g)
{
	size_t nr = group_nrow(T, g);
	for (size_t i = 0; i < T->na; i++) {
		const struct area *a = &T->a[i];
		if (!a->rows)
			continue;
		size_t row = T->blk[i * T->ngroup + g], j = 0;
		for (size_t b = 0; b < bp_n_breakdowns(); b++) {
			if (!level_has_bd(T, a->level, b))
				continue;
			for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++)
				for (size_t r = 0; r < nr; r++, j++) {
					size_t c = G->base[i] + j;
					enum bp_reason why = state_reason(bp_sup_state_of(G->p, c));
					if (why != BP_REASON_NONE && G->forced &&
					    G->forced[c] == BP_REASON_DIFFERENCE &&
					    !is_small(T, cell_value(T, a, g, b, v, r)))
						why = BP_REASON_DIFFERENCE;
					T->reason[row + j] = (unsigned char)why;
				}
		}
	}
}

static const char *
group_name(const struct bp_tables *T, size_t g)
{
	return g < T->nind ? bp_indicator_at(g)->name : bp_sum_measure_at(g - T->nind)->name;
}

static void
group_free(struct group *G)
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
static int
group_build(const struct bp_tables *T, struct group *G, size_t g, const struct bp_prev *prev)
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
		    !(G->daux = malloc(G->ncells * sizeof(size_t))) ||
		    mark_republish(T, G, g, prev) < 0)
			return -1;
	}
	if ((g < T->nind && add_table_cons(T, G, g) < 0) ||
	    add_partition_cons(T, G, g) < 0 || add_link_cons(T, G, g) < 0 ||
	    add_shared(T, G, g) < 0)
		return -1;
	/* The release method audits what the rule itself tells: a hidden
	 * printed cell is >= 1 when zeros are shown (release.c). */
	if (!T->s.per_group) {
		bp_sup_set_rule(G->p, BP_SUP_RULE_UPPER);
		for (size_t c = 0; !T->s.suppress_zero && c < G->ncells; c++)
			bp_sup_set_flags(G->p, c, bp_sup_flags_of(G->p, c) | BP_SUP_POSITIVE);
	}
	return 0;
}

int
bp__tables_part(const struct bp_tables *T, size_t g, const struct bp_prev *prev,
    struct bp_tables_part *out)
{
	struct group G = { .strict = STRICT_NONE };
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (group_build(T, &G, g, prev) < 0)
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
	group_free(&G);
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
static void
keep_previous(struct group *G)
{
	for (size_t c = 0; G->forced && c < G->ncells; c++)
		if (G->forced[c] == BP_REASON_SECONDARY &&
		    bp_sup_state_of(G->p, c) == BP_SUP_PUBLISHED)
			bp_sup_set_state(G->p, c, BP_SUP_SECONDARY);
}

/* Copies the states of area i's cells and rest cells from S into G. */
static void
copy_area(const struct bp_tables *T, struct group *G, const struct group *S, size_t i,
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

/*
 * The two-stage solution, when both fylke and kommune are published (one
 * problem over every level grows too large for the heuristic and its
 * repeated LP audits): stage 1 suppresses nasjonal and the fylker; stage 2,
 * per fylke, its kommuner, with the fylke (wide: nasjonal and every fylke)
 * as context as stage 1 left it (published cells FIXED; hidden ones
 * ordinary cells, so that a small one is primary again and is protected
 * against the kommuner too, and the complements stage 1 chose may be
 * chosen again). The narrow context is cheap; the wide one also protects
 * what stage 1 hid elsewhere, when the narrow pattern fails. The combined
 * pattern is
 * copied into the whole problem G, which the caller then audits as one; if
 * that audit fails, the caller solves G as one problem instead. Returns 0
 * (pattern set in G), 1 (a stage failed: solve G whole) or -1 (ENOMEM).
 */
/* Where cell c of G is, for BPAGG_DEBUG_SUPPRESS (catalogue names only). */
static const char *
cell_name(const struct bp_tables *T, const struct group *G, size_t g, size_t c)
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

/* CPU seconds of the calling thread (BPAGG_DEBUG_SUPPRESS timings). */
static double
cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
solve_staged(const struct bp_tables *T, struct group *G, size_t g, const struct bp_prev *prev,
    bool wide)
{
	struct group S1 = { 0 }, S2 = { 0 };
	unsigned char *u1 = calloc(T->na, 1), *u2 = calloc(T->na, 1);
	int ret = -1;

	if (!u1 || !u2)
		goto out;
	for (size_t i = 0; i < T->na; i++)
		u1[i] = T->a[i].level != BP_LEVEL_KOMMUNE;
	S1.use = u1;
	S1.strict = S2.strict = G->strict;
	if (group_build(T, &S1, g, prev) < 0)
		goto out;
	if (bp_suppress(S1.p, T->s.min_cell, T->s.suppress_zero) < 0) {
		if (getenv("BPAGG_DEBUG_SUPPRESS")) {
			size_t bad1 = SIZE_MAX;
			bp_sup_audit(S1.p, T->s.min_cell, &bad1);
			fprintf(stderr, "suppress %s: stage 1 failed at %s\n", group_name(T, g),
			    cell_name(T, &S1, g, bad1));
		}
		ret = 1;
		goto out;
	}
	keep_previous(&S1);
	for (size_t i = 0; i < T->na; i++)
		if (u1[i] && T->a[i].rows)
			copy_area(T, G, &S1, i, g);
	for (size_t f = 0; f < T->na; f++) {
		if (T->a[f].level != BP_LEVEL_FYLKE || !T->a[f].rows)
			continue;
		for (size_t i = 0; i < T->na; i++)
			u2[i] = wide ? (u1[i] ? 2 : 0) : i == f ? 2 : 0;
		bool any = false;
		for (size_t k = 0; k < T->na; k++)
			if (T->a[k].level == BP_LEVEL_KOMMUNE && T->a[k].rows && T->a[k].parent == f)
				u2[k] = 1, any = true;
		if (!any)
			continue;
		S2.use = u2;
		S2.ctx = &S1;
		if (group_build(T, &S2, g, prev) < 0)
			goto out;
		if (bp_suppress(S2.p, T->s.min_cell, T->s.suppress_zero) < 0) {
			if (getenv("BPAGG_DEBUG_SUPPRESS"))
				fprintf(stderr, "suppress %s: stage 2 failed (fylke %s)\n",
				    group_name(T, g), T->a[f].code);
			ret = 1;
			goto out;
		}
		keep_previous(&S2);
		for (size_t k = 0; k < T->na; k++)
			if (u2[k] == 1)
				copy_area(T, G, &S2, k, g);
		group_free(&S2);
	}
	for (size_t k = 0; k < G->ndaux; k++)
		bp_sup_set_state(G->p, G->daux[k], BP_SUP_PRIMARY);
	ret = 0;
out:
	group_free(&S1);
	group_free(&S2);
	free(u1);
	free(u2);
	return ret;
}


/* Builds, solves and audits the problem of group g. With
 * BPAGG_DEBUG_SUPPRESS set, prints its size and CPU times to stderr (names
 * and counts of the catalogue only, never a cell value). */
static int solve_one(struct bp_tables *T, size_t g, const struct bp_prev *prev,
    unsigned strict, char *err, size_t errlen);

/* Solves group g, each try with less FIXED (STRICT_*) while none finds a
 * safe pattern; per_table starts without the shared quantities. */
static int
suppress_group(struct bp_tables *T, size_t g, const struct bp_prev *prev,
    char *err, size_t errlen)
{
	unsigned k = T->s.per_table ? STRICT_HEADLINE : STRICT_ALL;
	int ret;
	while ((ret = solve_one(T, g, prev, k, err, errlen)) == 1 && k > STRICT_NONE) {
		k--;
		if (getenv("BPAGG_DEBUG_SUPPRESS"))
			fprintf(stderr, "suppress %s: again, %s free\n", group_name(T, g),
			    k == STRICT_HEADLINE ? "shared quantities" : "national count");
	}
	return ret;
}

static int
solve_one(struct bp_tables *T, size_t g, const struct bp_prev *prev, unsigned strict,
    char *err, size_t errlen)
{
	struct group G = { .strict = strict };
	int ret = -1, staged = 1;
	size_t bad;

	if (group_build(T, &G, g, prev) < 0) {
		snprintf(err, errlen, errno == EINVAL ? "the tables of %s do not add up "
		    "(internal error)" : "out of memory", group_name(T, g));
		goto out;
	}
	snprintf(err, errlen, "out of memory");
	if (G.ncells == 0) {
		ret = 0;
		goto out;
	}
	double t0 = cpu_now(), t1 = t0, t2 = t0;
	for (int wide = 0; wide < 2 && staged != 0; wide++) {
		if (!(T->s.levels & BP_LEVEL_FYLKE) || !(T->s.levels & BP_LEVEL_KOMMUNE))
			break;
		if ((staged = solve_staged(T, &G, g, prev, wide)) < 0)
			goto out;
		t1 = cpu_now();
		/* A stage without a safe pattern fails wide as well: stage 1 is
		 * the same, and the wide context only adds constraints to the
		 * kommuner's cells (narrower intervals, the same cells to choose
		 * from).  Only a narrow pattern unsafe together goes wide. */
		if (staged == 1) {
			t2 = t1;
			if (strict >= STRICT_ALL) {
				/* Freeing the shared cells is cheaper than the whole
				 * problem, and usually what it takes. */
				ret = 1;
				goto out;
			}
			break;
		}
		if (staged == 0) {
			keep_previous(&G);
			if (bp_sup_audit(G.p, T->s.min_cell, &bad) < 0) {
				/* The stages together are not safe: mend the pattern
				 * they made (far cheaper than starting over). */
				if (getenv("BPAGG_DEBUG_SUPPRESS"))
					fprintf(stderr, "suppress %s: stages (%s) not safe together "
					    "(%.2fs, %.2fs) at %s\n", group_name(T, g), wide ? "wide" : "narrow",
					    t1 - t0, cpu_now() - t1, cell_name(T, &G, g, bad));
				for (size_t k = 0; k < G.ndaux; k++)
					bp_sup_set_state(G.p, G.daux[k], BP_SUP_PRIMARY);
				staged = bp_sup_repair(G.p, T->s.min_cell, T->s.suppress_zero) < 0 ? 1 : 0;
				if (staged == 0)
					keep_previous(&G);
			}
		}
		t2 = cpu_now();
	}
	if (staged != 0) {
		if (bp_suppress(G.p, T->s.min_cell, T->s.suppress_zero) < 0) {
			snprintf(err, errlen, "suppression found no safe pattern for %s",
			    group_name(T, g));
			if (strict > STRICT_NONE && errno == EDOM)
				ret = 1;
			goto out;
		}
		keep_previous(&G);
		if (bp_sup_audit(G.p, T->s.min_cell, &bad) < 0) {
			snprintf(err, errlen, "suppression audit failed for %s", group_name(T, g));
			goto out;
		}
	}
	for (size_t c = 0; G.forced && c < G.ncells; c++) {
		if (G.forced[c] && bp_sup_state_of(G.p, c) == BP_SUP_PUBLISHED) {
			snprintf(err, errlen, "suppression left a cell the republishing rule "
			    "protects published (%s)", group_name(T, g));
			goto out;
		}
	}
	take_pattern(T, &G, g);
	if (getenv("BPAGG_DEBUG_SUPPRESS"))
		fprintf(stderr, "suppress %-26s cells %6zu stages %7.2fs audit %7.2fs %s %7.2fs\n",
		    group_name(T, g), G.ncells, t1 - t0, t2 - t1, staged ? "whole" : "staged",
		    cpu_now() - t2);
	err[0] = '\0';
	ret = 0;
out:
	group_free(&G);
	return ret;
}

/* The work of one group in a round (suppress_group or settle_group). */
typedef int (*group_fn)(struct bp_tables *T, size_t g, const struct bp_prev *prev,
    char *err, size_t errlen);

/* Work shared by the suppression threads: the groups of one round, taken
 * in order; the error of the lowest failing group is kept, so the message
 * does not depend on scheduling. Groups write disjoint rows of T->reason
 * and only read the key states, which change between rounds. */
struct pool {
	struct bp_tables *T;
	const struct bp_prev *prev;
	group_fn fn;
	pthread_mutex_t mu;
	const size_t *list;
	size_t nlist;
	size_t next;
	size_t failed;          /* lowest failing position, SIZE_MAX none */
	char err[256];
};

static void *
pool_worker(void *arg)
{
	struct pool *P = arg;
	char err[256];
	for (;;) {
		pthread_mutex_lock(&P->mu);
		size_t k = P->next++;
		bool stop = k >= P->nlist || P->failed < k;
		pthread_mutex_unlock(&P->mu);
		if (stop)
			break;
		if (P->fn(P->T, P->list[k], P->prev, err, sizeof(err)) != 0) {
			pthread_mutex_lock(&P->mu);
			if (k < P->failed) {
				P->failed = k;
				snprintf(P->err, sizeof(P->err), "%s", err);
			}
			pthread_mutex_unlock(&P->mu);
		}
	}
	glp_free_env();   /* GLPK keeps one environment per thread */
	return NULL;
}

/* Threads for suppression: the online CPUs, at most 8 (BPAGG_THREADS=N
 * overrides, 1..64). */
static size_t
pool_size(void)
{
	const char *e = getenv("BPAGG_THREADS");
	long n = e ? strtol(e, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	return (size_t)(n > 64 ? 64 : e || n <= 8 ? n : 8);
}

/* Runs fn on the groups of list[0..n) in parallel; 0 or -1 with err set. */
static int
run_round(struct bp_tables *T, const struct bp_prev *prev, group_fn fn, const size_t *list,
    size_t n, char *err, size_t errlen)
{
	struct pool P = { .T = T, .prev = prev, .fn = fn, .list = list, .nlist = n,
	    .failed = SIZE_MAX };
	pthread_t th[64];
	size_t nt = pool_size(), started = 0;

	if (nt > n)
		nt = n;
	pthread_mutex_init(&P.mu, NULL);
	for (size_t i = 1; i < nt; i++)
		if (pthread_create(&th[started], NULL, pool_worker, &P) == 0)
			started++;
	pool_worker(&P);   /* the calling thread works too */
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&P.mu);
	if (P.failed != SIZE_MAX) {
		snprintf(err, errlen, "%s", P.err);
		return -1;
	}
	return 0;
}

/* Marks every shared quantity that some table hides (T->khidden). */
static void
note_hidden(struct bp_tables *T)
{
	memset(T->khidden, 0, T->nkey + 1);
	for (size_t row = 0; row < T->nrows; row++)
		if (T->rowkey[row] && T->reason[row] != BP_REASON_NONE)
			T->khidden[T->rowkey[row]] = 1;
}

/* Groups that publish a quantity another group hides: written to list;
 * returns how many. */
static size_t
dirty_groups(const struct bp_tables *T, size_t *list)
{
	size_t n = 0;
	for (size_t g = 0; g < T->ngroup; g++) {
		bool dirty = false;
		for (size_t i = 0; !dirty && i < T->na; i++) {
			if (!T->a[i].rows)
				continue;
			size_t row = T->blk[i * T->ngroup + g], nb = block_rows(T, T->a[i].level, g);
			for (size_t j = 0; j < nb && !dirty; j++) {
				uint32_t key = T->rowkey[row + j];
				dirty = key && T->khidden[key] && T->reason[row + j] == BP_REASON_NONE;
			}
		}
		if (dirty)
			list[n++] = g;
	}
	return n;
}

static enum bp_sup_state
reason_state(enum bp_reason r)
{
	switch (r) {
	case BP_REASON_NONE: return BP_SUP_PUBLISHED;
	case BP_REASON_PRIMARY: return BP_SUP_PRIMARY;
	case BP_REASON_LINKED: return BP_SUP_LINKED;
	default: return BP_SUP_SECONDARY;
	}
}

/*
 * Group g again, from its pattern: every quantity another group hides is
 * hidden here too, and every line this leaves with a single hidden cell
 * gets another (bp_sup_close_lines), so that this group's figures do not
 * give the quantity away by subtraction.  Hiding more never narrows the
 * interval of a primary cell, so the group's audit still holds.
 */
static int
settle_group(struct bp_tables *T, size_t g, const struct bp_prev *prev, char *err,
    size_t errlen)
{
	/* The national count stays out of the lines closed here too. */
	struct group G = { .strict = STRICT_HEADLINE };
	int ret = -1;

	snprintf(err, errlen, "out of memory");
	if (group_build(T, &G, g, prev) < 0)
		goto out;
	for (size_t i = 0; i < T->na; i++) {
		if (!T->a[i].rows)
			continue;
		size_t row = T->blk[i * T->ngroup + g], nb = block_rows(T, T->a[i].level, g);
		for (size_t j = 0; j < nb; j++) {
			uint32_t key = T->rowkey[row + j];
			enum bp_sup_state st = reason_state((enum bp_reason)T->reason[row + j]);
			if (st == BP_SUP_PUBLISHED && key && T->khidden[key])
				st = BP_SUP_SECONDARY;
			bp_sup_set_state(G.p, G.base[i] + j, st);
		}
	}
	for (size_t k = 0; k < G.ndaux; k++)
		bp_sup_set_state(G.p, G.daux[k], BP_SUP_PRIMARY);
	if (bp_sup_close_lines(G.p, T->s.min_cell, T->s.suppress_zero) < 0)
		goto out;
	take_pattern(T, &G, g);
	err[0] = '\0';
	ret = 0;
out:
	group_free(&G);
	return ret;
}

#define MAX_ROUNDS 64

/*
 * Suppression of the whole release.  Each group (one indicator, or one
 * sum measure, at every level) is one problem, solved in parallel.  A
 * quantity printed in several groups (cellkeys.h: the population counts
 * that are every table's i_alt, the cells of a pair of indicators that are
 * also breakdowns, ...) must then be hidden in all of them or in none: each
 * group that publishes one that another hides hides it too and closes the
 * lines that opens (settle_group); the new hidden cells may be shared in
 * turn, so this repeats until no group publishes what another hides.
 * Hiding only grows, so it ends; every round sees the pattern of the one
 * before, so the result does not depend on threads or timing.
 */
int
bp_tables_suppress(struct bp_tables *T, const struct bp_prev *prev, char *err, size_t errlen)
{
	size_t *list = malloc(T->ngroup * sizeof(*list)), n, round = 0;
	int ret = -1;

	snprintf(err, errlen, "out of memory");
	if (!list)
		goto out;
	memset(T->reason, 0, T->nrows);
	for (size_t g = 0; g < T->ngroup; g++)
		list[g] = g;
	if (run_round(T, prev, suppress_group, list, T->ngroup, err, errlen) < 0)
		goto out;
	if (!T->s.per_group) {
		ret = bp__release_solve(T, prev, err, errlen);
		goto out;
	}
	for (; !T->s.per_table;) {
		note_hidden(T);
		if ((n = dirty_groups(T, list)) == 0)
			break;
		if (++round > MAX_ROUNDS) {
			snprintf(err, errlen, "suppression across tables did not settle in %d rounds",
			    MAX_ROUNDS);
			goto out;
		}
		if (getenv("BPAGG_DEBUG_SUPPRESS"))
			fprintf(stderr, "suppress: shared cells, round %zu: %zu groups\n", round, n);
		if (run_round(T, prev, settle_group, list, n, err, errlen) < 0)
			goto out;
	}
	err[0] = '\0';
	ret = 0;
out:
	free(list);
	return ret;
}

/* ---- reading the tables back ------------------------------------------ */

/* One row in the walk over the tables. */
struct rowctx {
	const struct area *a;
	size_t ai, g, b, v, r;
	size_t row;              /* global row index */
};

typedef int (*row_cb)(const struct bp_tables *T, const struct rowctx *x, void *ud);

/* Calls cb for every row of tables.csv (sums false) or sums.csv, in order. */
static int
walk_rows(const struct bp_tables *T, bool sums, row_cb cb, void *ud)
{
	struct rowctx x;
	for (x.ai = 0; x.ai < T->na; x.ai++) {
		x.a = &T->a[x.ai];
		if (!x.a->rows)
			continue;
		for (x.g = sums ? T->nind : 0; x.g < (sums ? T->ngroup : T->nind); x.g++) {
			size_t nr = group_nrow(T, x.g);
			x.row = T->blk[x.ai * T->ngroup + x.g];
			for (x.b = 0; x.b < bp_n_breakdowns(); x.b++) {
				if (!level_has_bd(T, x.a->level, x.b))
					continue;
				for (x.v = 0; x.v < bp_breakdown_at(x.b)->nval; x.v++)
					for (x.r = 0; x.r < nr; x.r++, x.row++) {
						int rc = cb(T, &x, ud);
						if (rc)
							return rc;
					}
			}
		}
	}
	return 0;
}

/* num / den rounded half up to `digits` decimals (1 or 2) into buf; ""
 * when den is 0. */
static void
fmt_ratio(uint64_t num, uint64_t den, unsigned digits, char *buf, size_t len)
{
	uint64_t scale = digits == 2 ? 100 : 10;
	if (den == 0) {
		buf[0] = '\0';
		return;
	}
	uint64_t q = (2 * num * scale + den) / (2 * den);
	if (digits == 0)
		snprintf(buf, len, "%" PRIu64, (2 * num + den) / (2 * den));
	else
		snprintf(buf, len, "%" PRIu64 ".%0*" PRIu64, q / scale, (int)digits, q % scale);
}

static void
view_row(const struct bp_tables *T, const struct rowctx *x, struct bp_cell_view *o)
{
	size_t ncat = x->g < T->nind ? bp_indicator_at(x->g)->ncat : 0;
	memset(o, 0, sizeof(*o));
	o->count = cell_value(T, x->a, x->g, x->b, x->v, x->r);
	o->reason = (enum bp_reason)T->reason[x->row];
	if (x->g < T->nind) {
		o->i_alt = cell_value(T, x->a, x->g, x->b, x->v, ncat);
		bool ialt_hidden = T->reason[x->row - x->r + ncat] != BP_REASON_NONE;
		if (o->reason || ialt_hidden)
			snprintf(o->percent, sizeof(o->percent), ":");
		else
			fmt_ratio((uint64_t)o->count * 100, o->i_alt, 1, o->percent, sizeof(o->percent));
	} else {
		o->i_alt = o->count;
	}
	if (o->reason) {
		snprintf(o->count_s, sizeof(o->count_s), ":");
		snprintf(o->rate, sizeof(o->rate), ":");
		snprintf(o->estimate, sizeof(o->estimate), ":");
		return;
	}
	snprintf(o->count_s, sizeof(o->count_s), "%" PRIu32, o->count);
	fmt_ratio((uint64_t)o->count * 10000, x->a->pop18rep, 1, o->rate, sizeof(o->rate));
	fmt_ratio((uint64_t)o->count * x->a->pop18tot, x->a->pop18rep, 0, o->estimate,
	    sizeof(o->estimate));
}

static const char *
row_category(const struct bp_tables *T, const struct rowctx *x)
{
	if (x->g >= T->nind)
		return "";
	const struct bp_indicator *ind = bp_indicator_at(x->g);
	return x->r < ind->ncat ? ind->cats[x->r] : "i_alt";
}

static void
row_table(const struct bp_tables *T, const struct rowctx *x, char *buf, size_t len)
{
	snprintf(buf, len, "%s__%s", group_name(T, x->g), bp_breakdown_at(x->b)->name);
}

static size_t
find_area(const struct bp_tables *T, const char *level, const char *area)
{
	unsigned l = bp_level_parse(level);
	for (size_t i = 0; i < T->na; i++)
		if (T->a[i].level == l && !strcmp(T->a[i].code, area))
			return i;
	return SIZE_MAX;
}

int
bp_tables_lookup(const struct bp_tables *T, const char *level, const char *area,
    const char *table, const char *category, const char *breakdown_value,
    struct bp_cell_view *out)
{
	char ind[128];
	const char *sep = strstr(table, "__");
	struct rowctx x;

	if (!sep || (size_t)(sep - table) >= sizeof(ind))
		return -1;
	memcpy(ind, table, (size_t)(sep - table));
	ind[sep - table] = '\0';
	int g = bp_indicator_find(ind), b = bp_breakdown_find(sep + 2);
	if ((x.ai = find_area(T, level, area)) == SIZE_MAX || g < 0 || b < 0)
		return -1;
	x.a = &T->a[x.ai];
	x.g = (size_t)g;
	x.b = (size_t)b;
	if (!x.a->rows || !level_has_bd(T, x.a->level, x.b))
		return -1;
	int v = bp_breakdown_value_find(x.b, breakdown_value);
	int c = strcmp(category, "i_alt") ? bp_category_find(x.g, category)
	    : (int)bp_indicator_at(x.g)->ncat;
	if (v < 0 || c < 0)
		return -1;
	x.v = (size_t)v;
	x.r = (size_t)c;
	x.row = T->blk[x.ai * T->ngroup + x.g] + bd_offset(T, x.a->level, x.g, x.b) +
	    x.v * group_nrow(T, x.g) + x.r;
	view_row(T, &x, out);
	return 0;
}

static void
coverage_of(const struct area *a, struct bp_coverage_view *o)
{
	o->kommuner_reported = a->nrep;
	o->kommuner_total = a->ntotal;
	o->pop18_reported = a->pop18rep;
	o->pop18_total = a->pop18tot;
	fmt_ratio(a->pop18rep * 100, a->pop18tot, 1, o->percent, sizeof(o->percent));
}

int
bp_tables_coverage(const struct bp_tables *T, const char *level, const char *area,
    struct bp_coverage_view *out)
{
	size_t i = find_area(T, level, area);
	if (i == SIZE_MAX)
		return -1;
	coverage_of(&T->a[i], out);
	return 0;
}

struct sup_walk {
	int (*cb)(const struct bp_sup_cell *c, void *ud);
	void *ud;
};

static int
sup_row(const struct bp_tables *T, const struct rowctx *x, void *ud)
{
	struct sup_walk *w = ud;
	char table[160];
	if (T->reason[x->row] == BP_REASON_NONE)
		return 0;
	row_table(T, x, table, sizeof(table));
	struct bp_sup_cell c = {
		.table = table, .level = bp_level_name(x->a->level), .area = x->a->code,
		.category = row_category(T, x),
		.breakdown_value = bp_breakdown_at(x->b)->vals[x->v],
		.reason = (enum bp_reason)T->reason[x->row],
	};
	return w->cb(&c, w->ud);
}

int
bp_tables_foreach_suppressed(const struct bp_tables *T,
    int (*cb)(const struct bp_sup_cell *c, void *ud), void *ud)
{
	struct sup_walk w = { cb, ud };
	int rc = walk_rows(T, false, sup_row, &w);
	return rc ? rc : walk_rows(T, true, sup_row, &w);
}

/* ---- writing ------------------------------------------------------------ */

static int
tables_row(const struct bp_tables *T, const struct rowctx *x, void *ud)
{
	struct bp_cell_view o;
	char table[160];
	view_row(T, x, &o);
	row_table(T, x, table, sizeof(table));
	return fprintf(ud, "%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", T->year,
	    bp_level_name(x->a->level), x->a->code, table, group_name(T, x->g),
	    row_category(T, x), bp_breakdown_at(x->b)->name,
	    bp_breakdown_at(x->b)->vals[x->v], o.count_s, o.percent, o.rate,
	    o.estimate) < 0 ? -1 : 0;
}

int
bp_tables_write_tables(const struct bp_tables *T, FILE *f)
{
	if (fputs("year,level,area,table,indicator,category,breakdown,breakdown_value,"
	    "count,percent,rate_per_10k,estimate\n", f) < 0)
		return -1;
	return walk_rows(T, false, tables_row, f) ? -1 : 0;
}

static int
sums_row(const struct bp_tables *T, const struct rowctx *x, void *ud)
{
	size_t sc = bp_sum_cell(x->g - T->nind, x->b, x->v);
	uint32_t n = x->a->t->sum_n[sc];
	uint64_t sum = x->a->t->sum[sc];
	char cnt[24], s[24], mean[24];
	if (T->reason[x->row]) {
		strcpy(cnt, ":");
		strcpy(s, ":");
		strcpy(mean, ":");
	} else {
		snprintf(cnt, sizeof(cnt), "%" PRIu32, n);
		snprintf(s, sizeof(s), "%" PRIu64, sum);
		fmt_ratio(sum, n, 2, mean, sizeof(mean));
	}
	return fprintf(ud, "%d,%s,%s,%s,%s,%s,%s,%s,%s\n", T->year,
	    bp_level_name(x->a->level), x->a->code, group_name(T, x->g),
	    bp_breakdown_at(x->b)->name, bp_breakdown_at(x->b)->vals[x->v], cnt, s,
	    mean) < 0 ? -1 : 0;
}

int
bp_tables_write_sums(const struct bp_tables *T, FILE *f)
{
	if (fputs("year,level,area,measure,breakdown,breakdown_value,count,sum,mean\n", f) < 0)
		return -1;
	return walk_rows(T, true, sums_row, f) ? -1 : 0;
}

int
bp_tables_write_coverage(const struct bp_tables *T, FILE *f)
{
	if (fputs("year,level,area,kommuner_reported,kommuner_total,"
	    "population_18plus_reported,population_18plus_total,coverage_percent\n", f) < 0)
		return -1;
	for (size_t i = 0; i < T->na; i++) {
		const struct area *a = &T->a[i];
		struct bp_coverage_view o;
		if (!(T->s.levels & a->level))
			continue;
		coverage_of(a, &o);
		if (fprintf(f, "%d,%s,%s,%u,%u,%" PRIu64 ",%" PRIu64 ",%s\n", T->year,
		    bp_level_name(a->level), a->code, o.kommuner_reported, o.kommuner_total,
		    o.pop18_reported, o.pop18_total, o.percent) < 0)
			return -1;
	}
	return 0;
}

/* A JSON value for a figure: the number, ":" for suppressed, null for none. */
static void
json_fig(const char *s, char *buf, size_t len)
{
	if (!strcmp(s, ":"))
		snprintf(buf, len, "\":\"");
	else if (!*s)
		snprintf(buf, len, "null");
	else
		snprintf(buf, len, "%s", s);
}

struct json_walk {
	FILE *f;
	bool first;
};

static int
json_row(const struct bp_tables *T, const struct rowctx *x, void *ud)
{
	struct json_walk *w = ud;
	struct bp_cell_view o;
	char table[160], c[24], p[24], r[24], e[24];
	view_row(T, x, &o);
	row_table(T, x, table, sizeof(table));
	json_fig(o.count_s, c, sizeof(c));
	json_fig(o.percent, p, sizeof(p));
	json_fig(o.rate, r, sizeof(r));
	json_fig(o.estimate, e, sizeof(e));
	int n = fprintf(w->f, "%s\n[%d,\"%s\",\"%s\",\"%s\",\"%s\",\"%s\",\"%s\",\"%s\",%s,%s,%s,%s]",
	    w->first ? "" : ",", T->year, bp_level_name(x->a->level), x->a->code, table,
	    group_name(T, x->g), row_category(T, x), bp_breakdown_at(x->b)->name,
	    bp_breakdown_at(x->b)->vals[x->v], c, p, r, e);
	w->first = false;
	return n < 0 ? -1 : 0;
}

/* tables.json: {"year":Y,"columns":[...],"rows":[[...],...]}, the rows of
 * tables.csv in the same order; figures are JSON numbers, ":" when
 * suppressed, null when undefined (a percent of an empty i_alt). */
int
bp_tables_write_json(const struct bp_tables *T, FILE *f)
{
	struct json_walk w = { f, true };
	if (fprintf(f, "{\"year\":%d,\"columns\":[\"year\",\"level\",\"area\",\"table\","
	    "\"indicator\",\"category\",\"breakdown\",\"breakdown_value\",\"count\","
	    "\"percent\",\"rate_per_10k\",\"estimate\"],\"rows\":[", T->year) < 0)
		return -1;
	if (walk_rows(T, false, json_row, &w))
		return -1;
	return fputs("\n]}\n", f) < 0 ? -1 : 0;
}
