/*
 * model.c - one linear model for a whole release; see model.h.
 *
 * Constraints are deduplicated by a hash of (total, sorted members): the
 * same link or relation is met once per part that prints its cells, and
 * an LP row given twice only costs time.
 */
#include "model.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct bp_model {
	struct bp_sup_problem *p;
	size_t nkey;
	size_t *keycell;           /* nkey + 1: model cell of a key, SIZE_MAX none */
	uint64_t *hash;            /* open addressing over constraint hashes */
	size_t *hline;             /* ... the model constraint holding it */
	size_t hcap, hn;
	size_t dup;
	size_t zero;               /* a FIXED cell of 0, SIZE_MAX until needed */
	size_t *scratch, scap;
};

struct bp_model *
bp_model_new(size_t nkey)
{
	struct bp_model *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->nkey = nkey;
	m->zero = SIZE_MAX;
	m->hcap = 1024;
	if (!(m->p = bp_sup_new()) || !(m->keycell = malloc((nkey + 1) * sizeof(size_t))) ||
	    !(m->hash = calloc(m->hcap, sizeof(*m->hash))) ||
	    !(m->hline = malloc(m->hcap * sizeof(*m->hline)))) {
		bp_model_free(m);
		errno = ENOMEM;
		return NULL;
	}
	for (size_t k = 0; k <= nkey; k++)
		m->keycell[k] = SIZE_MAX;
	return m;
}

void
bp_model_free(struct bp_model *m)
{
	if (!m)
		return;
	bp_sup_free(m->p);
	free(m->keycell);
	free(m->hash);
	free(m->hline);
	free(m->scratch);
	free(m);
}

struct bp_sup_problem *
bp_model_problem(struct bp_model *m)
{
	return m->p;
}

size_t
bp_model_duplicates(const struct bp_model *m)
{
	return m->dup;
}

static int
cmp_size(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	return (a > b) - (a < b);
}

/* FNV-1a over the words; never 0 (0 marks an empty slot). */
static uint64_t
cons_hash(const size_t *v, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++) {
		uint64_t x = v[i];
		for (int b = 0; b < 8; b++) {
			h ^= (x >> (8 * b)) & 0xff;
			h *= 0x100000001b3ULL;
		}
	}
	return h ? h : 1;
}

/* Whether model constraint l is total t with the sorted members s[0..n). */
static bool
cons_same(const struct bp_sup_problem *p, size_t l, size_t t, const size_t *s, size_t n)
{
	size_t tot;
	const size_t *mem;
	size_t k = bp_sup_cons(p, l, &tot, &mem);
	if (tot != t || k != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (mem[i] != s[i])
			return false;
	return true;
}

static int
hash_grow(struct bp_model *m)
{
	size_t ncap = m->hcap * 2;
	uint64_t *h = calloc(ncap, sizeof(*h));
	size_t *l = malloc(ncap * sizeof(*l));
	if (!h || !l) {
		free(h);
		free(l);
		return -1;
	}
	for (size_t i = 0; i < m->hcap; i++) {
		if (!m->hash[i])
			continue;
		size_t j = (size_t)(m->hash[i] >> 7) & (ncap - 1);
		while (h[j])
			j = (j + 1) & (ncap - 1);
		h[j] = m->hash[i];
		l[j] = m->hline[i];
	}
	free(m->hash);
	free(m->hline);
	m->hash = h;
	m->hline = l;
	m->hcap = ncap;
	return 0;
}

/* Adds total t = sum of s[0..n) (sorted, distinct) unless already there. */
static int
add_once(struct bp_model *m, enum bp_sup_cons_kind kind, size_t t, size_t *s, size_t n)
{
	if (2 * (m->hn + 1) > m->hcap && hash_grow(m) < 0)
		return -1;
	s[n] = t;   /* the hash covers the total too (scratch has room) */
	uint64_t h = cons_hash(s, n + 1);
	size_t j = (size_t)(h >> 7) & (m->hcap - 1);
	for (; m->hash[j]; j = (j + 1) & (m->hcap - 1))
		if (m->hash[j] == h && cons_same(m->p, m->hline[j], t, s, n)) {
			m->dup++;
			return 0;
		}
	if (bp_sup_add_constraint(m->p, kind, t, s, n) < 0)
		return -1;
	m->hash[j] = h;
	m->hline[j] = bp_sup_ncons(m->p) - 1;
	m->hn++;
	return 0;
}

/* The model cell of cell c of p (made when new). */
static long
cell_of(struct bp_model *m, const struct bp_sup_problem *p, size_t c, uint32_t key)
{
	unsigned fl = bp_sup_flags_of(p, c);
	uint32_t v = bp_sup_value_of(p, c);
	if (key && key <= m->nkey && m->keycell[key] != SIZE_MAX) {
		size_t mc = m->keycell[key];
		unsigned old = bp_sup_flags_of(m->p, mc);
		if (bp_sup_value_of(m->p, mc) != v) {
			errno = EINVAL;
			return -1;
		}
		bp_sup_set_flags(m->p, mc, ((old | fl) & ~(unsigned)BP_SUP_FIXED) |
		    (old & fl & BP_SUP_FIXED));
		return (long)mc;
	}
	long mc = bp_sup_add_cell(m->p, v, fl);
	if (mc >= 0 && key && key <= m->nkey)
		m->keycell[key] = (size_t)mc;
	return mc;
}

int
bp_model_add(struct bp_model *m, const struct bp_sup_problem *p, const uint32_t *key,
    size_t nkeyed, size_t *map)
{
	size_t n = bp_sup_ncells(p), nc = bp_sup_ncons(p);
	for (size_t c = 0; c < n; c++) {
		long mc = cell_of(m, p, c, c < nkeyed ? key[c] : 0);
		uint32_t need = bp_sup_need_of(p, c);
		if (mc < 0 || (need && bp_sup_set_need(m->p, (size_t)mc, need) < 0))
			return -1;
		map[c] = (size_t)mc;
	}
	for (size_t l = 0; l < nc; l++) {
		size_t t;
		const size_t *mem;
		size_t k = bp_sup_cons(p, l, &t, &mem);
		if (k + 2 > m->scap) {
			size_t cap = 2 * (k + 2);
			size_t *s = realloc(m->scratch, cap * sizeof(*s));
			if (!s)
				return -1;
			m->scratch = s;
			m->scap = cap;
		}
		size_t *s = m->scratch;
		for (size_t i = 0; i < k; i++)
			s[i] = map[mem[i]];
		qsort(s, k, sizeof(*s), cmp_size);
		if (k == 1 && s[0] == map[t])
			continue;   /* the same quantity printed twice: one cell now */
		size_t tot = map[t];
		for (size_t i = 0; i < k; i++) {
			if (i > 0 && s[i] == s[i - 1]) {
				errno = EINVAL;
				return -1;
			}
			if (s[i] != map[t])
				continue;
			/* The total is one of its members (i_alt of rop by rop ja is
			 * the cell ja, ja): the others are empty by definition.  They
			 * add up to a FIXED 0, which the reader knows. */
			memmove(s + i, s + i + 1, (k - i - 1) * sizeof(*s));
			k--;
			if (m->zero == SIZE_MAX) {
				long z = bp_sup_add_cell(m->p, 0, BP_SUP_FIXED);
				if (z < 0)
					return -1;
				m->zero = (size_t)z;
			}
			tot = m->zero;
			break;
		}
		/* Which kind a constraint is matters only to the reason a
		 * complement is logged with; the first part's kind stays. */
		enum bp_sup_cons_kind kind = BP_CONS_TABLE;
		if (bp_sup_cons_kind_of(p, l) == BP_CONS_LINK)
			kind = BP_CONS_LINK;
		if (k > 0 && add_once(m, kind, tot, s, k) < 0)
			return -1;
	}
	return 0;
}
