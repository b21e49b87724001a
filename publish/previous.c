/*
 * previous.c - the counts of the release kept from earlier in the same year,
 * read back from its tables.csv and sums.csv, for the republishing rule
 * ([publish] republish_rule, bpagg.conf(5)); see publish.h.
 */
#include "io.h"
#include "tables_private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- previous release (protect_differences) ---------------------------- */

/* An open-addressing map from a cell key to its last published count
 * (-1 = suppressed). Keys are "level|area|table|category|value", and
 * "T|level|table" for each table the release has (value 0). older: the
 * release of the year before this one, when it was loaded too. */
struct bp_prev {
	char **key;
	int64_t *val;
	size_t cap, n;
	int64_t time;            /* the release's time (unix), 0 unknown */
	bool zeros_shown;        /* its settings hid no 0 (suppress_zero = no) */
	int64_t *received;       /* by kommune number: when the submission it read
	                          * was applied (its log entry's "received"), 0
	                          * none; NULL when the entry records none */
	struct bp_prev *older;
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

bool
bp_prev_get(const struct bp_prev *p, const char *k, int64_t *v)
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
	while (p) {
		struct bp_prev *older = p->older;
		for (size_t i = 0; i < p->cap; i++)
			free(p->key[i]);
		free(p->key);
		free(p->val);
		free(p->received);
		free(p);
		p = older;
	}
}

const struct bp_prev *
bp_prev_older(const struct bp_prev *p)
{
	return p ? p->older : NULL;
}

int64_t
bp_prev_time(const struct bp_prev *p)
{
	return p ? p->time : 0;
}

bool
bp_prev_zeros_shown(const struct bp_prev *p)
{
	return p && p->zeros_shown;
}

/* The oldest release p holds (the one loaded last). */
static struct bp_prev *
oldest(struct bp_prev *p)
{
	while (p && p->older)
		p = p->older;
	return p;
}

void
bp_prev_set_oldest_meta(struct bp_prev *p, int64_t t, bool zeros_shown)
{
	if ((p = oldest(p))) {
		p->time = t;
		p->zeros_shown = zeros_shown;
	}
}

int
bp_prev_set_oldest_received(struct bp_prev *p, const char *kommune, int64_t received)
{
	if (!(p = oldest(p)) ||
	    (kommune && (strlen(kommune) != 4 || strspn(kommune, "0123456789") != 4))) {
		errno = EINVAL;
		return -1;
	}
	if (!p->received && !(p->received = calloc(10000, sizeof(*p->received))))
		return -1;
	if (kommune)
		p->received[atoi(kommune)] = received;
	return 0;
}

int
bp_prev_received(const struct bp_prev *p, const char *kommune, int64_t *received)
{
	if (!p || !p->received || strlen(kommune) != 4 || strspn(kommune, "0123456789") != 4)
		return 0;
	*received = p->received[atoi(kommune)];
	return 1;
}

enum bp_since
bp_prev_since(const struct bp_prev *p, const char *kommune, int64_t received)
{
	int64_t then;

	if (bp_prev_received(p, kommune, &then) == 1)
		return then == 0 ? BP_SINCE_NEW : then != received ? BP_SINCE_AGAIN : BP_SINCE_SAME;
	return p && p->time > 0 && received > p->time ? BP_SINCE_AFTER : BP_SINCE_SAME;
}

size_t
bp_prev_depth(const struct bp_prev *p)
{
	size_t n = 0;
	for (; p; p = p->older)
		n++;
	return n;
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
	int fd = bp_open_regular(AT_FDCWD, path, O_RDONLY, 0, BP_PREV_MAX_BYTES, &st);
	if (fd < 0 || !(f = fdopen(fd, "r"))) {
		snprintf(err, errlen, "%s: %s", path, fd >= 0 ? strerror(errno) :
		    errno == EINVAL || errno == EFBIG ? "not a regular file under the size cap" :
		    strerror(errno));
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
		if (kind == 0)
			snprintf(key, sizeof(key), "T|%s|%s", fld[1], fld[3]);
		else
			snprintf(key, sizeof(key), "T|%s|%s__%s", fld[1], fld[3], fld[4]);
		if (prev_put(p, key, 0) < 0) {
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

int
bp_prev_add_older(struct bp_prev *p, const char *tables_csv, const char *sums_csv,
    char *err, size_t errlen)
{
	struct bp_prev *o;
	if (bp_prev_load(tables_csv, sums_csv, &o, err, errlen) < 0)
		return -1;
	while (p->older)
		p = p->older;
	p->older = o;
	return 0;
}


bool
bp_prev_new_table(const struct bp_tables *T, const struct bp_prev *prev, char *name,
    size_t len)
{
	char key[256];
	int64_t v;

	for (unsigned level = BP_LEVEL_NASJONAL; level <= BP_LEVEL_KOMMUNE; level <<= 1) {
		bool present = false;
		for (size_t i = 0; i < T->na && !present; i++)
			present = T->a[i].level == level && T->a[i].rows;
		for (size_t g = 0; present && g < T->ngroup; g++)
			for (size_t b = 0; b < bp_n_breakdowns(); b++) {
				if (!table_on(T, level, g, b))
					continue;
				const char *gn = g < T->nind ? bp_indicator_at(g)->name :
				    bp_sum_measure_at(g - T->nind)->name;
				snprintf(key, sizeof(key), "T|%s|%s__%s", bp_level_name(level), gn,
				    bp_breakdown_at(b)->name);
				if (!bp_prev_get(prev, key, &v)) {
					snprintf(name, len, "%s %s__%s", bp_level_name(level), gn,
					    bp_breakdown_at(b)->name);
					return true;
				}
			}
	}
	return false;
}
