/*
 * sup_problem.c - a suppression problem: cells with their counts, flags and
 * states, and the additive constraints between them (suppress.h). Solving
 * it is suppress.c's job; proving it is lpaudit.c's.
 */
#include <errno.h>
#include <glpk.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lpaudit.h"
#include "suppress.h"

/* A new, empty problem; the caller frees it with bp_sup_free. */
struct bp_sup_problem *
bp_sup_new(void)
{
	return calloc(1, sizeof(struct bp_sup_problem));
}

void
bp_sup_free(struct bp_sup_problem *p)
{
	if (p == NULL)
		return;
	free(p->value);
	free(p->flags);
	free(p->weight);
	free(p->xweight);
	free(p->xtry);
	free(p->need);
	free(p->state);
	free(p->kind);
	free(p->cstart);
	free(p->mem);
	bp_sup_set_warm(p, false);
	free(p);
}

/* Grows *v (elements of size sz) to hold at least need; 0 or -1.  *v stays
 * owned by the problem it belongs to. */
static int
grow(void **v, size_t *cap, size_t need, size_t sz)
{
	size_t ncap = *cap ? *cap : 64;
	void *nv;

	if (need <= *cap)
		return 0;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / sz)
			return -1;
		ncap *= 2;
	}
	if ((nv = realloc(*v, ncap * sz)) == NULL)
		return -1;
	*v = nv;
	*cap = ncap;
	return 0;
}

long
bp_sup_add_cell(struct bp_sup_problem *p, uint32_t value, unsigned flags)
{
	size_t cap;

	if (p->ncell >= (size_t)LONG_MAX)
		return -1;
	if (p->ncell == p->capcell) {
		cap = p->capcell;
		if (grow((void **)&p->value, &cap, p->ncell + 1, sizeof(*p->value)) != 0)
			return -1;
		cap = p->capcell;
		if (grow((void **)&p->flags, &cap, p->ncell + 1, 1) != 0)
			return -1;
		cap = p->capcell;
		if (grow((void **)&p->state, &cap, p->ncell + 1, 1) != 0)
			return -1;
		if (p->weight != NULL) {
			cap = p->capcell;
			if (grow((void **)&p->weight, &cap, p->ncell + 1, sizeof(*p->weight)) != 0)
				return -1;
		}
		if (p->need != NULL) {
			cap = p->capcell;
			if (grow((void **)&p->need, &cap, p->ncell + 1, sizeof(*p->need)) != 0)
				return -1;
		}
		if (p->xtry != NULL) {
			cap = p->capcell;
			if (grow((void **)&p->xtry, &cap, p->ncell + 1, 1) != 0)
				return -1;
		}
		if (p->xweight != NULL) {
			cap = p->capcell;
			if (grow((void **)&p->xweight, &cap, p->ncell + 1, sizeof(*p->xweight)) != 0)
				return -1;
		}
		p->capcell = cap;
	}
	p->value[p->ncell] = value;
	if (p->weight != NULL)
		p->weight[p->ncell] = 0;
	if (p->need != NULL)
		p->need[p->ncell] = 0;
	if (p->xtry != NULL)
		p->xtry[p->ncell] = 0;
	if (p->xweight != NULL)
		p->xweight[p->ncell] = 0;
	p->flags[p->ncell] = (unsigned char)(flags & (BP_SUP_FIXED | BP_SUP_UNPRINTED |
	    BP_SUP_POSITIVE | BP_SUP_SLACK));
	p->state[p->ncell] = BP_SUP_PUBLISHED;
	return (long)p->ncell++;
}

static int
size_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

/* 0 when the cells are in range, distinct and add up; else -1. */
static int
cons_check(const struct bp_sup_problem *p, size_t total, const size_t *members,
    size_t n)
{
	size_t *v, i;
	uint64_t sum = 0;
	int ret = -1;

	if (total >= p->ncell)
		return -1;
	if ((v = malloc((n + 1) * sizeof(*v))) == NULL)
		return -1;
	v[0] = total;
	for (i = 0; i < n; i++) {
		if (members[i] >= p->ncell)
			goto out;
		v[i + 1] = members[i];
		sum += p->value[members[i]];
	}
	if (sum != p->value[total])
		goto out;
	qsort(v, n + 1, sizeof(*v), size_cmp);
	for (i = 0; i < n; i++)
		if (v[i] == v[i + 1])
			goto out;
	ret = 0;
out:
	free(v);
	return ret;
}

int
bp_sup_add_constraint(struct bp_sup_problem *p, enum bp_sup_cons_kind kind,
    size_t total, const size_t *members, size_t n)
{
	size_t cap;

	if ((kind != BP_CONS_TABLE && kind != BP_CONS_LINK) ||
	    cons_check(p, total, members, n) != 0) {
		errno = EINVAL;
		return -1;
	}
	if (p->ncons + 2 > p->capcons) {
		cap = p->capcons;
		if (grow((void **)&p->kind, &cap, p->ncons + 2, 1) != 0)
			return -1;
		cap = p->capcons;
		if (grow((void **)&p->cstart, &cap, p->ncons + 2, sizeof(*p->cstart)) != 0)
			return -1;
		p->capcons = cap;
	}
	if (n + 1 > SIZE_MAX - p->nmem ||
	    grow((void **)&p->mem, &p->capmem, p->nmem + n + 1, sizeof(*p->mem)) != 0)
		return -1;
	p->cstart[p->ncons] = p->nmem;
	p->mem[p->nmem++] = total;
	if (n)
		memcpy(p->mem + p->nmem, members, n * sizeof(*members));
	p->nmem += n;
	p->kind[p->ncons++] = (unsigned char)kind;
	p->cstart[p->ncons] = p->nmem;
	return 0;
}

void
bp_sup_set_budget(struct bp_sup_problem *p, unsigned long n)
{
	p->budget = n;
}

void
bp_sup_set_chunks(struct bp_sup_problem *p, unsigned k)
{
	p->chunks = k;
}

void
bp_sup_set_search_once(struct bp_sup_problem *p, bool on)
{
	p->search_once = on;
}

void
bp_sup_set_cleanup(struct bp_sup_problem *p, bool on)
{
	p->cleanup = on;
}

int
bp_sup_set_exchange(struct bp_sup_problem *p, const unsigned char *cells,
    const uint16_t *weights)
{
	size_t n = p->capcell ? p->capcell : 1;

	free(p->xtry);
	free(p->xweight);
	p->xtry = NULL;
	p->xweight = NULL;
	if (cells == NULL)
		return 0;
	/* capcell long, as the other per-cell arrays (bp_sup_add_cell) */
	if ((p->xtry = calloc(n, 1)) == NULL ||
	    (weights && (p->xweight = calloc(n, sizeof(*p->xweight))) == NULL)) {
		free(p->xtry);
		p->xtry = NULL;
		return -1;
	}
	memcpy(p->xtry, cells, p->ncell);
	if (weights)
		memcpy(p->xweight, weights, p->ncell * sizeof(*p->xweight));
	return 0;
}

int
bp_sup_set_warm(struct bp_sup_problem *p, bool on)
{
	struct bp_sup_basis *w = p->warm;

	if (w) {
		free(w->col);
		free(w->row);
		free(w);
		p->warm = NULL;
	}
	if (!on)
		return 0;
	if (!(w = calloc(1, sizeof(*w))) ||
	    !(w->col = calloc(p->ncell ? p->ncell : 1, 1)) ||
	    !(w->row = calloc(p->ncons ? p->ncons : 1, 1))) {
		if (w)
			free(w->col);
		free(w);
		errno = ENOMEM;
		return -1;
	}
	w->ncell = p->ncell;
	w->ncons = p->ncons;
	p->warm = w;
	return 0;
}

struct bp_sup_problem *
bp__sup_view(const struct bp_sup_problem *p)
{
	struct bp_sup_problem *v = malloc(sizeof(*v));
	size_t n = p->ncell ? p->ncell : 1;

	if (!v)
		return NULL;
	*v = *p;
	v->warm = NULL;
	v->state = malloc(n);
	v->flags = malloc(n);
	if (!v->state || !v->flags) {
		bp__sup_view_free(v);
		return NULL;
	}
	memcpy(v->state, p->state, p->ncell);
	memcpy(v->flags, p->flags, p->ncell);
	return v;
}

void
bp__sup_view_merge(struct bp_sup_problem *p, const struct bp_sup_problem *v)
{
	for (size_t c = 0; c < p->ncell; c++)
		if (p->state[c] == BP_SUP_PUBLISHED && v->state[c] != BP_SUP_PUBLISHED) {
			p->state[c] = v->state[c];
			p->flags[c] = v->flags[c];
		}
}

void
bp__sup_view_free(struct bp_sup_problem *v)
{
	if (!v)
		return;
	free(v->state);
	free(v->flags);
	free(v);
}

size_t
bp_sup_threads(void)
{
	const char *e = getenv("BPAGG_THREADS");
	long n = e ? strtol(e, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	return (size_t)(n > 64 ? 64 : e || n <= 8 ? n : 8);
}

struct pool_job {
	void (*work)(void *);
	void *arg;
};

/* A pool thread: the work, then its thread's GLPK environment goes. */
static void *
pool_thread(void *arg)
{
	const struct pool_job *j = arg;
	j->work(j->arg);
	glp_free_env();
	return NULL;
}

void
bp_sup_pool(void (*work)(void *), void *arg, size_t n)
{
	struct pool_job j = { work, arg };
	pthread_t th[64];
	size_t nt = bp_sup_threads(), started = 0;

	if (nt > n)
		nt = n;
	for (size_t i = 1; i < nt; i++)
		if (pthread_create(&th[started], NULL, pool_thread, &j) == 0)
			started++;
	work(arg);   /* the calling thread works too */
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
}

void
bp_sup_set_rule(struct bp_sup_problem *p, enum bp_sup_rule r)
{
	p->rule = (unsigned char)r;
}

int
bp_sup_add_equal(struct bp_sup_problem *p, const size_t *m1, size_t n1,
    const size_t *m2, size_t n2, unsigned flags, long *carrier)
{
	uint64_t s1 = 0, s2 = 0;

	*carrier = -1;
	for (size_t i = 0; i < n1; i++)
		s1 += m1[i] < p->ncell ? p->value[m1[i]] : 0;
	for (size_t i = 0; i < n2; i++)
		s2 += m2[i] < p->ncell ? p->value[m2[i]] : 0;
	if (s1 != s2 || s1 > UINT32_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (n1 == 0 || n2 == 0)
		return 0;
	if (n1 == 1 || n2 == 1) {
		bool one = n1 == 1;
		return bp_sup_add_constraint(p, BP_CONS_TABLE, one ? m1[0] : m2[0],
		    one ? m2 : m1, one ? n2 : n1);
	}
	long c = bp_sup_add_cell(p, (uint32_t)s1, flags);
	if (c < 0 || bp_sup_add_constraint(p, BP_CONS_TABLE, (size_t)c, m1, n1) < 0 ||
	    bp_sup_add_constraint(p, BP_CONS_TABLE, (size_t)c, m2, n2) < 0)
		return -1;
	*carrier = c;
	return 0;
}

void
bp_sup_set_pricing(struct bp_sup_problem *p, enum bp_sup_pricing how)
{
	p->by_cost = (unsigned char)how;
}

enum bp_sup_rule
bp_sup_rule_of(const struct bp_sup_problem *p)
{
	return (enum bp_sup_rule)p->rule;
}

unsigned
bp_sup_flags_of(const struct bp_sup_problem *p, size_t cell)
{
	return cell < p->ncell ? p->flags[cell] : 0;
}

void
bp_sup_set_flags(struct bp_sup_problem *p, size_t cell, unsigned flags)
{
	if (cell < p->ncell)
		p->flags[cell] = (unsigned char)flags;
}

size_t
bp_sup_ncons(const struct bp_sup_problem *p)
{
	return p->ncons;
}

size_t
bp_sup_cons(const struct bp_sup_problem *p, size_t l, size_t *total, const size_t **members)
{
	*total = p->mem[p->cstart[l]];
	*members = p->mem + p->cstart[l] + 1;
	return p->cstart[l + 1] - p->cstart[l] - 1;
}

enum bp_sup_cons_kind
bp_sup_cons_kind_of(const struct bp_sup_problem *p, size_t l)
{
	return (enum bp_sup_cons_kind)p->kind[l];
}

uint32_t
bp_sup_value_of(const struct bp_sup_problem *p, size_t cell)
{
	return cell < p->ncell ? p->value[cell] : 0;
}

bool
bp_sup_is_fixed(const struct bp_sup_problem *p, size_t cell)
{
	return cell < p->ncell && (p->flags[cell] & BP_SUP_FIXED);
}

size_t
bp_sup_ncells(const struct bp_sup_problem *p)
{
	return p->ncell;
}

enum bp_sup_state
bp_sup_state_of(const struct bp_sup_problem *p, size_t cell)
{
	if (cell >= p->ncell)
		return BP_SUP_PUBLISHED;
	return (enum bp_sup_state)p->state[cell];
}

void
bp_sup_set_state(struct bp_sup_problem *p, size_t cell, enum bp_sup_state s)
{
	if (cell < p->ncell && s >= BP_SUP_PUBLISHED && s <= BP_SUP_LINKED)
		p->state[cell] = (unsigned char)s;
}

size_t
bp_sup_count(const struct bp_sup_problem *p, enum bp_sup_state s)
{
	size_t c, n = 0;

	for (c = 0; c < p->ncell; c++)
		n += p->state[c] == (unsigned char)s;
	return n;
}
