/*
 * keyring_retired.c - kommune signing keys replaced by `bpagg register
 * --replace`, kept as KEYS/retired/NNNN.T.sign.pk (T: the time of the
 * replacement, seconds since the epoch), so that `bpagg rebuild` can still
 * verify the archived files they signed. bpaggd never loads them: a key is
 * often replaced because it was lost, and a new submission signed with it
 * must be refused. See keys.h.
 */
#include "keys.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define RETIRED_MAX 100000 /* far above what key changes ever make */

struct bp_retired_key {
	struct bp_key key;
	int64_t retired_at;
};

struct bp_retired {
	struct bp_retired_key *k; /* by kommune, the latest retired first */
	size_t n, cap;
};

/* True for "NNNN.T.sign.pk" with T digits (at most 18); fills kommune and *t. */
static bool
retired_name(const char *name, char kommune[5], int64_t *t)
{
	size_t len = strlen(name), digits;

	if (len < 14 || strspn(name, "0123456789") != 4 || name[4] != '.' ||
	    strcmp(name + len - 8, ".sign.pk") != 0)
		return false;
	digits = len - 13;
	if (digits > 18 || strspn(name + 5, "0123456789") != digits)
		return false;
	*t = 0;
	for (size_t i = 0; i < digits; i++)
		*t = *t * 10 + (name[5 + i] - '0');
	memcpy(kommune, name, 4);
	kommune[4] = '\0';
	return true;
}

static int
cmp_retired(const void *a, const void *b)
{
	const struct bp_retired_key *x = a, *y = b;
	int c = strcmp(x->key.kommune, y->key.kommune);

	if (c != 0)
		return c;
	return (x->retired_at < y->retired_at) - (x->retired_at > y->retired_at);
}

/* Loads dir/name into r. Returns 0 or -1 with err. */
static int
add_retired(struct bp_retired *r, const char *dir, const char *name, char *err, size_t errlen)
{
	char kommune[5];
	struct bp_retired_key e;

	if (!retired_name(name, kommune, &e.retired_at)) {
		snprintf(err, errlen, "%s/%s: not a retired key name (NNNN.T.sign.pk)", dir, name);
		return -1;
	}
	if (r->n == RETIRED_MAX) {
		snprintf(err, errlen, "%s: more than %d keys", dir, RETIRED_MAX);
		return -1;
	}
	if (bp_key_load_named(dir, name, kommune, &e.key, err, errlen) < 0)
		return -1;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct bp_retired_key *v = realloc(r->k, cap * sizeof(*v));
		if (!v) {
			snprintf(err, errlen, "%s: out of memory", dir);
			bp_key_free(&e.key);
			return -1;
		}
		r->k = v;
		r->cap = cap;
	}
	r->k[r->n++] = e;
	return 0;
}

int
bp_retired_load(const char *dir, struct bp_retired **out, char *err, size_t errlen)
{
	struct bp_retired *r = calloc(1, sizeof(*r));
	DIR *d = NULL;
	struct dirent *e;
	int ret = -1;

	*out = NULL;
	if (!r) {
		snprintf(err, errlen, "%s: out of memory", dir);
		return -1;
	}
	if (!(d = opendir(dir))) {
		if (errno == ENOENT) {
			*out = r;
			return 0;
		}
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		goto out;
	}
	while ((errno = 0, e = readdir(d))) {
		/* "." and "..", and bp_key_save's temporary files */
		if (e->d_name[0] == '.')
			continue;
		if (add_retired(r, dir, e->d_name, err, errlen) < 0)
			goto out;
	}
	if (errno) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		goto out;
	}
	if (r->n > 1)
		qsort(r->k, r->n, sizeof(*r->k), cmp_retired);
	*out = r;
	r = NULL;
	ret = 0;
out:
	if (d)
		closedir(d);
	bp_retired_free(r);
	return ret;
}

const struct bp_key *
bp_retired_nth(const struct bp_retired *r, const char *kommune, size_t i, int64_t *retired_at)
{
	size_t lo = 0, hi;

	if (!r || !kommune)
		return NULL;
	hi = r->n;
	/* the first key of kommune */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(r->k[mid].key.kommune, kommune) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo + i >= r->n || strcmp(r->k[lo + i].key.kommune, kommune) != 0)
		return NULL;
	if (retired_at)
		*retired_at = r->k[lo + i].retired_at;
	return &r->k[lo + i].key;
}

size_t
bp_retired_count(const struct bp_retired *r)
{
	return r ? r->n : 0;
}

void
bp_retired_free(struct bp_retired *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		bp_key_free(&r->k[i].key);
	free(r->k);
	free(r);
}

int
bp_retired_keep(const char *keys, const struct bp_key *k, int64_t now, char *path,
    size_t pathlen, char *err, size_t errlen)
{
	char dir[4096];

	if (snprintf(dir, sizeof(dir), "%s/retired", keys) >= (int)sizeof(dir)) {
		snprintf(err, errlen, "%s: path too long", keys);
		return -1;
	}
	if (bp_key_dir_make(dir, err, errlen) < 0)
		return -1;
	/* A second replacement within the same second takes the next free
	 * second, so that names stay in the order of the replacements. */
	for (int64_t t = now; t < now + 1000; t++) {
		if (snprintf(path, pathlen, "%s/%s.%" PRId64 ".sign.pk", dir, k->kommune, t) >=
		    (int)pathlen) {
			snprintf(err, errlen, "%s: path too long", dir);
			return -1;
		}
		if (bp_key_save(path, k, err, errlen) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	snprintf(err, errlen, "%s: no free name for kommune %s's key", dir, k->kommune);
	return -1;
}
