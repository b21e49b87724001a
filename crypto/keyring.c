/* keyring.c - the registered kommune signing keys; see keys.h. */
#include "keys.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define KEYRING_MAX 10000 /* far above the number of kommuner */

struct bp_keyring {
	struct bp_key *k; /* sorted by kommune */
	size_t n, cap;
};

/* True for "NNNN.sign.pk"; copies NNNN into kommune. */
static int
key_name(const char *name, char kommune[5])
{
	if (strlen(name) != 12 || strspn(name, "0123456789") != 4 ||
	    strcmp(name + 4, ".sign.pk") != 0)
		return 0;
	memcpy(kommune, name, 4);
	kommune[4] = '\0';
	return 1;
}

static int
cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct bp_key *)a)->kommune, ((const struct bp_key *)b)->kommune);
}

/* True when a and b hold the same key bytes, whatever owner they name. */
static int
same_key(const struct bp_key *a, const struct bp_key *b)
{
	return a->len == b->len && a->len > 0 &&
	    sodium_memcmp(a->bytes, b->bytes, a->len) == 0;
}

const char *
bp_keyring_holder(const struct bp_keyring *kr, const struct bp_key *k)
{
	for (size_t i = 0; kr && i < kr->n; i++)
		if (same_key(&kr->k[i], k))
			return kr->k[i].kommune;
	return NULL;
}

int
bp_key_load_named(const char *dir, const char *name, const char *kommune, struct bp_key *k,
    char *err, size_t errlen)
{
	char path[4096];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	if (bp_key_load(path, BP_KEY_SIGN_PK, k, err, errlen) < 0)
		return -1;
	if (strcmp(k->kommune, kommune) != 0) {
		snprintf(err, errlen, "%s: the key inside belongs to another kommune "
		    "than its name says", path);
		bp_key_free(k);
		return -1;
	}
	return 0;
}

/* Loads dir/name into the ring. Returns 0 or -1 with err. */
static int
add_file(struct bp_keyring *kr, const char *dir, const char *name, char *err, size_t errlen)
{
	char kommune[5];
	struct bp_key k;

	if (!key_name(name, kommune)) {
		snprintf(err, errlen, "%s/%s: not a kommune key name (NNNN.sign.pk)", dir, name);
		return -1;
	}
	if (kr->n == KEYRING_MAX) {
		snprintf(err, errlen, "%s: more than %d keys", dir, KEYRING_MAX);
		return -1;
	}
	if (bp_key_load_named(dir, name, kommune, &k, err, errlen) < 0)
		return -1;
	if (kr->n == kr->cap) {
		size_t cap = kr->cap ? kr->cap * 2 : 64;
		struct bp_key *v = realloc(kr->k, cap * sizeof(*v));
		if (!v) {
			snprintf(err, errlen, "%s: out of memory", dir);
			bp_key_free(&k);
			return -1;
		}
		kr->k = v;
		kr->cap = cap;
	}
	kr->k[kr->n++] = k;
	return 0;
}

/*
 * Loads every NNNN.sign.pk of dir. Names beginning with "." (temporary
 * files of bpagg register) are skipped; any other file is an error. The
 * caller frees *out with bp_keyring_free.
 */
int
bp_keyring_load(const char *dir, struct bp_keyring **out, char *err, size_t errlen)
{
	struct bp_keyring *kr = calloc(1, sizeof(*kr));
	DIR *d = NULL;
	struct dirent *e;
	int ret = -1;

	*out = NULL;
	if (!kr) {
		snprintf(err, errlen, "%s: out of memory", dir);
		return -1;
	}
	if (!(d = opendir(dir))) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		goto out;
	}
	while ((errno = 0, e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (add_file(kr, dir, e->d_name, err, errlen) < 0)
			goto out;
	}
	if (errno) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		goto out;
	}
	if (kr->n)
		qsort(kr->k, kr->n, sizeof(*kr->k), cmp_key);
	for (size_t i = 1; i < kr->n; i++)
		if (!strcmp(kr->k[i].kommune, kr->k[i - 1].kommune)) {
			snprintf(err, errlen, "%s: two keys for one kommune", dir);
			goto out;
		}
	/* Quadratic, but over a few hundred keys, once per load. */
	for (size_t i = 0; i < kr->n; i++)
		for (size_t j = i + 1; j < kr->n; j++)
			if (same_key(&kr->k[i], &kr->k[j])) {
				snprintf(err, errlen, "%s: one key is registered for kommune %s "
				    "and kommune %s", dir, kr->k[i].kommune, kr->k[j].kommune);
				goto out;
			}
	*out = kr;
	kr = NULL;
	ret = 0;
out:
	if (d)
		closedir(d);
	bp_keyring_free(kr);
	return ret;
}

const struct bp_key *
bp_keyring_find(const struct bp_keyring *kr, const char *kommune)
{
	struct bp_key key;
	if (!kr || !kommune || strlen(kommune) != 4 || !kr->n)
		return NULL;
	memset(&key, 0, sizeof(key));
	memcpy(key.kommune, kommune, 5);
	return bsearch(&key, kr->k, kr->n, sizeof(*kr->k), cmp_key);
}

size_t
bp_keyring_count(const struct bp_keyring *kr)
{
	return kr ? kr->n : 0;
}

void
bp_keyring_free(struct bp_keyring *kr)
{
	if (!kr)
		return;
	for (size_t i = 0; i < kr->n; i++)
		bp_key_free(&kr->k[i]);
	free(kr->k);
	free(kr);
}
