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
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "keymap.h"
#include "release_joint.h"

struct memo_entry {
	uint32_t off, n;           /* its classes: list[off..off + n) */
	int set;                   /* bp__joint_row_set's answer */
};

struct row_memo {
	struct bp_keymap ids;      /* a row's key -> its entry + 1 */
	struct memo_entry *e;
	size_t cape;
	uint32_t *list;
	size_t nlist, caplist;
	bool failed;               /* out of memory once: an id may lack its entry */
};

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
	if (m->failed)
		goto nomem;
	if (m->ids.n == m->cape) {
		size_t cap = m->cape ? 2 * m->cape : 1024;
		struct memo_entry *ne = realloc(m->e, cap * sizeof(*ne));
		if (!ne)
			goto nomem;
		m->e = ne;
		m->cape = cap;
	}
	int fresh;
	uint32_t id = bp_keymap_id(&m->ids, key, &fresh);
	if (id == 0)
		goto nomem;
	if (fresh) {
		struct memo_entry fresh_e = { .off = (uint32_t)m->nlist };
		fresh_e.set = bp__joint_row_set(J, ff, g, b, v, r);
		if (fresh_e.set == 0) {
			size_t n = bp__joint_class_list(J, G);
			if (room(m, n) < 0) {
				m->failed = true;
				goto nomem;
			}
			for (size_t k = 0; k < n; k++)
				m->list[m->nlist + k] = J->ys[k];
			m->nlist += n;
			fresh_e.n = (uint32_t)n;
		}
		m->e[id - 1] = fresh_e;
	}
	const struct memo_entry *e = &m->e[id - 1];
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
	bp_keymap_free(&J->memo->ids);
	free(J->memo->e);
	free(J->memo->list);
	free(J->memo);
	J->memo = NULL;
}
