/*
 * release_joint_memo.c - the classes of a printed row, found once per
 * joint check.
 *
 * Every area of a level prints the same rows over the same classes, so
 * the classes a row meets (its atoms' set, bp__joint_row_set, mapped by
 * bp__joint_class_list) are the same in each of them; at 357 kommuner
 * finding them again for every area was a sixth of the per-area check.
 * Kept here by family and row, in the order bp__joint_class_list gives
 * them, so that a program is made exactly as before.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "release_joint.h"

struct memo_entry {
	uint64_t key;              /* 0: empty */
	uint32_t off, n;           /* its classes: list[off..off + n) */
	int set;                   /* bp__joint_row_set's answer */
};

struct row_memo {
	struct memo_entry *e;
	size_t cap, used;          /* cap: a power of two, or 0 */
	uint32_t *list;
	size_t nlist, caplist;
};

/* splitmix64's finaliser: keys differ in a few low bits of each field */
static uint64_t
mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static struct memo_entry *
slot(struct row_memo *m, uint64_t key)
{
	size_t i = (size_t)mix(key) & (m->cap - 1);
	while (m->e[i].key && m->e[i].key != key)
		i = (i + 1) & (m->cap - 1);
	return &m->e[i];
}

/* Room for one more entry (the table at most half full): 0 or -1. */
static int
grow(struct row_memo *m)
{
	if (2 * (m->used + 1) <= m->cap)
		return 0;
	struct row_memo bigger = *m;
	bigger.cap = m->cap ? 2 * m->cap : 1024;
	if (!(bigger.e = calloc(bigger.cap, sizeof(*bigger.e))))
		return -1;
	for (size_t i = 0; i < m->cap; i++)
		if (m->e[i].key)
			*slot(&bigger, m->e[i].key) = m->e[i];
	free(m->e);
	*m = bigger;
	return 0;
}

/* Room for n more classes in the list: 0 or -1. */
static int
room(struct row_memo *m, size_t n)
{
	if (m->nlist + n <= m->caplist)
		return 0;
	size_t cap = m->caplist ? m->caplist : 4096;
	while (cap < m->nlist + n)
		cap *= 2;
	if (cap > UINT32_MAX)
		return -1;
	uint32_t *l = realloc(m->list, cap * sizeof(*l));
	if (!l)
		return -1;
	m->list = l;
	m->caplist = cap;
	return 0;
}

int
bp__joint_row_classes(struct joint *J, const struct fam *G, size_t ff, size_t g, size_t b,
    size_t v, size_t r, const uint32_t **ys, size_t *ny)
{
	size_t famidx = (size_t)(G - J->f);
	/* fields far wider than any catalogue needs: 2^16 families and
	 * indicators, 2^8 breakdowns and values, 2^15 categories */
	uint64_t key = 1 | (uint64_t)famidx << 1 | (uint64_t)g << 17 | (uint64_t)b << 33 |
	    (uint64_t)v << 41 | (uint64_t)r << 49;

	if (famidx >= 1u << 16 || g >= 1u << 16 || b >= 1u << 8 || v >= 1u << 8 ||
	    r >= 1u << 15) {
		/* (no such release: found each time, unkept) */
		if (bp__joint_row_set(J, ff, g, b, v, r) != 0)
			return 1;
		*ny = bp__joint_class_list(J, G);
		*ys = J->ys;
		return 0;
	}
	if (!J->memo && !(J->memo = calloc(1, sizeof(*J->memo))))
		goto nomem;
	struct row_memo *m = J->memo;
	struct memo_entry *e = m->cap ? slot(m, key) : NULL;
	if (!e || !e->key) {
		if (grow(m) < 0)
			goto nomem;
		struct memo_entry fresh = { .key = key, .off = (uint32_t)m->nlist };
		fresh.set = bp__joint_row_set(J, ff, g, b, v, r);
		if (fresh.set == 0) {
			size_t n = bp__joint_class_list(J, G);
			if (room(m, n) < 0)
				goto nomem;
			for (size_t k = 0; k < n; k++)
				m->list[m->nlist + k] = J->ys[k];
			m->nlist += n;
			fresh.n = (uint32_t)n;
		}
		e = slot(m, key);
		*e = fresh;
		m->used++;
	}
	if (e->set != 0)
		return 1;
	*ys = m->list + e->off;
	*ny = e->n;
	return 0;
nomem:
	errno = ENOMEM;
	return -1;
}

void
bp__joint_memo_free(struct joint *J)
{
	if (!J->memo)
		return;
	free(J->memo->e);
	free(J->memo->list);
	free(J->memo);
	J->memo = NULL;
}
