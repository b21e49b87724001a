/*
 * relfile.c - reads a release's files for the report (see relfile.h).
 */
#include "relfile.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "csv.h"
#include "io.h"
#include "json.h"

#define MAX_ROW 4096
#define MAX_JSON (1u << 20)

struct bp_rent {
	char *key;            /* "level\037area\037table\037category\037bv" */
	struct bp_rcell cell;
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
make_key(char *buf, size_t n, const char *level, const char *area,
    const char *table, const char *cat, const char *bv)
{
	int w = snprintf(buf, n, "%s\037%s\037%s\037%s\037%s", level, area, table, cat, bv);
	return (w < 0 || (size_t)w >= n) ? -1 : 0;
}

static int
grow(struct bp_release *r)
{
	size_t cap = r->capent ? r->capent * 2 : 4096;
	struct bp_rent *e = calloc(cap, sizeof *e);
	if (!e)
		return -1;
	for (size_t i = 0; i < r->capent; i++) {
		if (!r->ent[i].key)
			continue;
		size_t j = hash_str(r->ent[i].key) & (cap - 1);
		while (e[j].key)
			j = (j + 1) & (cap - 1);
		e[j] = r->ent[i];
	}
	free(r->ent);
	r->ent = e;
	r->capent = cap;
	return 0;
}

static struct bp_rent *
lookup(const struct bp_release *r, const char *key)
{
	if (!r->capent)
		return NULL;
	size_t j = hash_str(key) & (r->capent - 1);
	while (r->ent[j].key) {
		if (!strcmp(r->ent[j].key, key))
			return &r->ent[j];
		j = (j + 1) & (r->capent - 1);
	}
	return &r->ent[j];
}

static int
put(struct bp_release *r, const char *key, const struct bp_rcell *c)
{
	if ((r->nent + 1) * 2 > r->capent && grow(r) < 0)
		return -1;
	struct bp_rent *e = lookup(r, key);
	if (!e->key) {
		if (!(e->key = strdup(key)))
			return -1;
		r->nent++;
	}
	e->cell = *c;
	return 0;
}

const struct bp_rcell *
bp_release_cell(const struct bp_release *r, const char *level, const char *area,
    const char *table, const char *category, const char *bv)
{
	char key[320];
	if (make_key(key, sizeof key, level, area, table, category, bv) < 0)
		return NULL;
	struct bp_rent *e = lookup(r, key);
	return (e && e->key) ? &e->cell : NULL;
}

const struct bp_rtable *
bp_release_table(const struct bp_release *r, const char *id)
{
	for (size_t i = 0; i < r->ntab; i++)
		if (!strcmp(r->tab[i].id, id))
			return &r->tab[i];
	return NULL;
}

const struct bp_rcov *
bp_release_cov(const struct bp_release *r, const char *level, const char *area)
{
	for (size_t i = 0; i < r->ncov; i++)
		if (!strcmp(r->cov[i].level, level) && !strcmp(r->cov[i].area, area))
			return &r->cov[i];
	return NULL;
}

/* Appends s to a list of distinct strings; 0 or -1 on ENOMEM. */
/* More than a catalogue has: a file that claims more is refused, so
 * that the scans below stay short whatever it holds. */
#define MAX_DISTINCT 256
#define MAX_TABLES 8192

/* Adds s to the set *v of *n: 0, -1 out of memory, -2 more than
 * MAX_DISTINCT. */
static int
add_distinct(char ***v, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i], s))
			return 0;
	if (*n >= MAX_DISTINCT)
		return -2;
	char **nv = realloc(*v, (*n + 1) * sizeof *nv);
	if (!nv)
		return -1;
	*v = nv;
	if (!(nv[*n] = strdup(s)))
		return -1;
	(*n)++;
	return 0;
}

static struct bp_rtable *
table_for(struct bp_release *r, const char *id)
{
	/* The last one first: rows of one table come together. */
	if (r->ntab && !strcmp(r->tab[r->ntab - 1].id, id))
		return &r->tab[r->ntab - 1];
	for (size_t i = 0; i < r->ntab; i++)
		if (!strcmp(r->tab[i].id, id))
			return &r->tab[i];
	if (strlen(id) >= sizeof r->tab[0].id || r->ntab >= MAX_TABLES)
		return NULL;
	struct bp_rtable *t = realloc(r->tab, (r->ntab + 1) * sizeof *t);
	if (!t)
		return NULL;
	r->tab = t;
	t = &r->tab[r->ntab++];
	memset(t, 0, sizeof *t);
	strcpy(t->id, id);
	return t;
}

/* Opens a file of the release: regular, not through a symlink. */
static int
open_file(const char *dir, const char *name, char *path, size_t plen, off_t cap,
    char *err, size_t errlen)
{
	struct stat st;
	snprintf(path, plen, "%s/%s", dir, name);
	int fd = bp_open_regular(AT_FDCWD, path, O_RDONLY, 0, cap, &st);
	if (fd < 0 && (errno == EINVAL || errno == EFBIG)) {
		snprintf(err, errlen, "%s: not a regular file of at most %lld bytes",
		    path, (long long)cap);
		errno = EINVAL; /* there, but not a release file: bad data */
	} else if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	}
	return fd;
}

struct rd {
	struct bp_release *r;
	const struct bp_relfilter *f;
	const char *path;
	char *err;
	size_t errlen;
	int kind;           /* 0 tables, 1 coverage */
	int failed;
	int header;         /* the header line was read */
};

static const char tables_header[] =
    "year,level,area,table,indicator,category,breakdown,breakdown_value,count,percent,rate_per_10k,estimate";
static const char cov_header[] =
    "year,level,area,kommuner_reported,kommuner_total,population_18plus_reported,population_18plus_total,coverage_percent";

static int
fail_row(struct rd *d, unsigned long line, const char *what)
{
	snprintf(d->err, d->errlen, "%s:%lu: %s", d->path, line, what);
	d->failed = 1;
	return 1;
}

/* The same for field k (from 0) of the row: its column and name. */
static int
fail_field(struct rd *d, unsigned long line, int k, const char *what)
{
	const char *h = d->kind ? cov_header : tables_header;
	for (int i = 0; i < k && h; i++)
		if ((h = strchr(h, ',')))
			h++;
	snprintf(d->err, d->errlen, "%s:%lu: column %d (%.*s): %s", d->path, line, k + 1,
	    h ? (int)strcspn(h, ",") : 1, h ? h : "?", what);
	d->failed = 1;
	return 1;
}

/* 1 to max decimal digits, nothing else. */
static bool
is_whole(const char *s, size_t max)
{
	size_t n = strspn(s, "0123456789");
	return n > 0 && n <= max && s[n] == '\0';
}

static int
header_is(const struct bp_csv_row *row, const char *want)
{
	char buf[256];
	size_t o = 0;
	for (size_t i = 0; i < row->n; i++) {
		int w = snprintf(buf + o, sizeof buf - o, "%s%s", i ? "," : "", row->field[i]);
		if (w < 0 || (size_t)w >= sizeof buf - o)
			return 0;
		o += (size_t)w;
	}
	return !strcmp(buf, want);
}

static int
wanted(const struct bp_relfilter *f, const char *level, const char *area, const char *table)
{
	char la[32];
	snprintf(la, sizeof la, "%s/%s", level, area);
	for (size_t i = 0; f && i < f->nwant; i++)
		if (!strcmp(f->want[i], la))
			return 1;
	for (size_t i = 0; f && i < f->nkeep_all; i++)
		if (!strcmp(f->keep_all[i], table))
			return 1;
	return 0;
}

/*
 * What a release file may hold, checked as it is read, so that nothing
 * else reaches a page, an attribute or a chart: codes (level, area, table,
 * indicator, category, breakdown and its value) are 1 to 63 of
 * [A-Za-z0-9_], as the catalogue writes them; a figure is empty, ":"
 * (hidden) or a decimal number.
 */
static bool
is_code(const char *s)
{
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
	return n > 0 && n < 64 && s[n] == '\0';
}

static bool
is_fig(const char *s)
{
	if (!*s || !strcmp(s, ":"))
		return true;
	s += *s == '-';
	size_t n = strspn(s, "0123456789");
	if (n == 0 || n > 12)
		return false;
	s += n;
	if (*s == '.') {
		n = strspn(++s, "0123456789");
		if (n == 0 || n > 6)
			return false;
		s += n;
	}
	return *s == '\0';
}

static int
copy_fig(char *dst, size_t n, const char *s)
{
	if (strlen(s) >= n)
		return -1;
	strcpy(dst, s);
	return 0;
}

/* Both files begin a row with the year and then codes (fields 1 to last). */
static int
check_year_and_codes(const struct bp_csv_row *row, struct rd *d, int last)
{
	if (!is_whole(row->field[0], 4) || atoi(row->field[0]) < 1900)
		return fail_field(d, row->line, 0, "not a year");
	/* every row is of the release's year (release.json's, else the
	 * first row's): another year's figures would be shown as this one's */
	if (d->r->year <= 0)
		d->r->year = atoi(row->field[0]);
	else if (atoi(row->field[0]) != d->r->year) {
		char why[64];
		snprintf(why, sizeof why, "not the release's year (%d)", d->r->year);
		return fail_field(d, row->line, 0, why);
	}
	for (int k = 1; k <= last; k++)
		if (!is_code(row->field[k]))
			return fail_field(d, row->line, k, "not 1 to 63 of A-Z, a-z, 0-9 and _");
	return 0;
}

static int
on_tables_row(const struct bp_csv_row *row, struct rd *d)
{
	const char *const *f = row->field;
	if (row->n != 12)
		return fail_row(d, row->line, "expected the 12 fields of tables.csv");
	if (check_year_and_codes(row, d, 7))
		return 1;
	for (int k = 8; k <= 11; k++)
		if (!is_fig(f[k]))
			return fail_field(d, row->line, k, "a figure that is not empty, ':' or a "
			    "decimal number");
	if (!wanted(d->f, f[1], f[2], f[3]))
		return 0;
	struct bp_rcell c;
	if (copy_fig(c.count, sizeof c.count, f[8]) || copy_fig(c.percent, sizeof c.percent, f[9]) ||
	    copy_fig(c.rate, sizeof c.rate, f[10]) || copy_fig(c.estimate, sizeof c.estimate, f[11]))
		return fail_row(d, row->line, "a figure longer than 15 bytes");
	char key[320];
	if (make_key(key, sizeof key, f[1], f[2], f[3], f[5], f[7]) < 0)
		return fail_row(d, row->line, "a key longer than 319 bytes");
	struct bp_rtable *t = table_for(d->r, f[3]);
	if (!t)
		return fail_row(d, row->line, "more than 8192 tables, or out of memory");
	int a = add_distinct(&t->cat, &t->ncat, f[5]), b = a ? 0 : add_distinct(&t->bv, &t->nbv, f[7]);
	if (a == -2 || b == -2)
		return fail_row(d, row->line, "more than 256 categories or breakdown values in a table");
	if (a < 0 || b < 0 || put(d->r, key, &c) < 0)
		return fail_row(d, row->line, "out of memory");
	return 0;
}

static int
on_cov_row(const struct bp_csv_row *row, struct rd *d)
{
	const char *const *f = row->field;
	if (row->n != 8)
		return fail_row(d, row->line, "expected the 8 fields of coverage.csv");
	if (check_year_and_codes(row, d, 2))
		return 1;
	for (int k = 3; k <= 6; k++)
		if (!is_whole(f[k], 12))
			return fail_field(d, row->line, k, "not a whole number of at most 12 digits");
	if (!*f[7] || !is_fig(f[7]) || !strcmp(f[7], ":"))
		return fail_field(d, row->line, 7, "not a decimal number");
	struct bp_rcov c;
	memset(&c, 0, sizeof c);
	char *e1, *e2, *e3, *e4;
	c.reported = strtol(f[3], &e1, 10);
	c.total = strtol(f[4], &e2, 10);
	c.pop_reported = strtol(f[5], &e3, 10);
	c.pop_total = strtol(f[6], &e4, 10);
	if (*e1 || *e2 || *e3 || *e4 || copy_fig(c.level, sizeof c.level, f[1]) ||
	    copy_fig(c.area, sizeof c.area, f[2]) || copy_fig(c.percent, sizeof c.percent, f[7]))
		return fail_row(d, row->line, "expected whole numbers and a level, area and percent");
	struct bp_rcov *v = realloc(d->r->cov, (d->r->ncov + 1) * sizeof *v);
	if (!v)
		return fail_row(d, row->line, "out of memory");
	d->r->cov = v;
	v[d->r->ncov++] = c;
	return 0;
}

static int
on_row(const struct bp_csv_row *row, void *ud)
{
	struct rd *d = ud;
	if (row->err != BP_CSV_OK)
		return fail_row(d, row->line, "not valid CSV (RFC 4180)");
	if (row->blank)
		return 0;
	/* the tokenizer keeps a NUL inside a field; C strings would cut it there */
	for (size_t i = 0; i < row->n; i++)
		if (strlen(row->field[i]) != row->len[i])
			return fail_field(d, row->line, (int)i, "holds a NUL byte");
	if (row->line == 1) {
		if (!header_is(row, d->kind ? cov_header : tables_header))
			return fail_row(d, 1, d->kind ? "expected the header of coverage.csv"
			                              : "expected the header of tables.csv");
		d->header = 1;
		return 0;
	}
	return d->kind ? on_cov_row(row, d) : on_tables_row(row, d);
}

static int
read_csv(struct bp_release *r, const struct bp_relfilter *f, const char *name, int kind,
    char *err, size_t errlen)
{
	char path[600];
	int fd = open_file(r->dir, name, path, sizeof path, (off_t)4 << 30, err, errlen);
	if (fd < 0)
		return -1;
	struct rd d = { r, f, path, err, errlen, kind, 0, 0 };
	bp_csv *c = bp_csv_new(',', MAX_ROW, on_row, &d);
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, 32);
	int rc = -1;
	char *buf = malloc(1 << 16);
	if (!c || !buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf, 1 << 16);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		crypto_generichash_update(&st, (const unsigned char *)buf, (unsigned long long)n);
		if (bp_csv_feed(c, buf, (size_t)n))
			goto out;
	}
	if (bp_csv_finish(c))
		goto out;
	rc = d.failed ? -1 : 0;
	if (!d.failed && !d.header) {
		snprintf(err, errlen, "%s: empty (no header)", path);
		rc = -1;
	}
	/* the digest release.json records (BLAKE2b-256, as bpagg publish
	 * writes it): a file changed after publishing is not shown */
	const char *want = kind ? r->digest_cov : r->digest_tables;
	unsigned char got[32];
	char hex[65];
	crypto_generichash_final(&st, got, sizeof got);
	sodium_bin2hex(hex, sizeof hex, got, sizeof got);
	if (rc == 0 && *want && strcmp(hex, want) != 0) {
		snprintf(err, errlen, "%s: not the file release.json records (its digest differs: "
		    "changed after publishing?)", path);
		d.failed = 1;
		rc = -1;
	}
out:
	free(buf);
	bp_csv_free(c);
	close(fd);
	if (rc < 0 && (d.failed || !d.header))
		errno = EINVAL; /* the caller tells bad data (65) from a missing file (66) */
	return rc;
}

/* release.json: read what is there, tolerate what is not or what is new. */
static int
read_json(struct bp_release *r, char *err, size_t errlen)
{
	char path[600];
	int fd = open_file(r->dir, "release.json", path, sizeof path, MAX_JSON, err, errlen);
	if (fd < 0)
		return -1;
	char *buf = malloc(MAX_JSON + 1);
	ssize_t n = -1, got = 0;
	while (buf && (n = read(fd, buf + got, MAX_JSON - (size_t)got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		got += n;
	}
	close(fd);
	if (!buf || n < 0) {
		snprintf(err, errlen, "%s: cannot read", path);
		free(buf);
		return -1;
	}
	char why[160];
	json_t *root = bp_json_parse_file(buf, (size_t)got, MAX_JSON, why, sizeof why);
	free(buf);
	if (!root) {
		snprintf(err, errlen, "%s: not one JSON object: %s", path, why);
		errno = EINVAL;
		return -1;
	}
	json_t *v = json_object_get(root, "release");
	if (json_is_string(v))
		snprintf(r->id, sizeof r->id, "%s", json_string_value(v));
	v = json_object_get(root, "year");
	if (json_is_integer(v) && (json_integer_value(v) < 1900 || json_integer_value(v) > 9999)) {
		snprintf(err, errlen, "%s: year %" JSON_INTEGER_FORMAT " is not a year", path,
		    json_integer_value(v));
		json_decref(root);
		errno = EINVAL;
		return -1;
	}
	if (json_is_integer(v))
		r->year = (int)json_integer_value(v);
	json_t *files = json_object_get(root, "files");
	const char *dt = json_string_value(json_object_get(files, "tables.csv")),
	    *dc = json_string_value(json_object_get(files, "coverage.csv"));
	if ((dt && strlen(dt) != 64) || (dc && strlen(dc) != 64)) {
		snprintf(err, errlen, "%s: files: a digest that is not 64 hex digits", path);
		json_decref(root);
		errno = EINVAL;
		return -1;
	}
	snprintf(r->digest_tables, sizeof r->digest_tables, "%s", dt ? dt : "");
	snprintf(r->digest_cov, sizeof r->digest_cov, "%s", dc ? dc : "");
	json_t *s = json_object_get(root, "settings");
	if (json_is_object(s)) {
		v = json_object_get(s, "rop_definition");
		if (json_is_integer(v))
			r->rop_definition = (int)json_integer_value(v);
		const char *cuts[3] = { "lki_cut_gul", "lki_cut_rod", "lki_cut_blalys" };
		for (int i = 0; i < 3; i++) {
			v = json_object_get(s, cuts[i]);
			if (json_is_number(v))
				r->lki_cut[i] = json_number_value(v);
		}
		v = json_object_get(s, "min_cell");
		if (json_is_integer(v))
			r->min_cell = (int)json_integer_value(v);
		v = json_object_get(s, "levels");
		if (json_is_string(v))
			snprintf(r->levels, sizeof r->levels, "%s", json_string_value(v));
	}
	json_decref(root);
	return 0;
}

int
bp_release_load(const char *dir, const struct bp_relfilter *f, struct bp_release *r,
    char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	r->rop_definition = -1;
	r->min_cell = -1;
	r->lki_cut[0] = r->lki_cut[1] = r->lki_cut[2] = -1;
	if (strlen(dir) >= sizeof r->dir) {
		snprintf(err, errlen, "release directory name too long");
		return -1;
	}
	strcpy(r->dir, dir);
	if (read_json(r, err, errlen) < 0 || read_csv(r, f, "coverage.csv", 1, err, errlen) < 0 ||
	    read_csv(r, f, "tables.csv", 0, err, errlen) < 0) {
		int e = errno; /* ENOENT: a file missing (66); else bad data (65) */
		bp_release_free(r);
		errno = e;
		return -1;
	}
	if (r->year <= 0 && r->ncov == 0) {
		snprintf(err, errlen, "%s/release.json: no year", dir);
		bp_release_free(r);
		return -1;
	}
	return 0;
}

void
bp_release_free(struct bp_release *r)
{
	for (size_t i = 0; i < r->capent; i++)
		free(r->ent[i].key);
	free(r->ent);
	for (size_t i = 0; i < r->ntab; i++) {
		for (size_t j = 0; j < r->tab[i].ncat; j++)
			free(r->tab[i].cat[j]);
		for (size_t j = 0; j < r->tab[i].nbv; j++)
			free(r->tab[i].bv[j]);
		free(r->tab[i].cat);
		free(r->tab[i].bv);
	}
	free(r->tab);
	free(r->cov);
	memset(r, 0, sizeof *r);
}

int
bp_release_same_rop(const struct bp_release *a, const struct bp_release *b)
{
	return a->rop_definition > 0 && a->rop_definition == b->rop_definition;
}

int
bp_release_same_lki(const struct bp_release *a, const struct bp_release *b)
{
	for (int i = 0; i < 3; i++)
		if (a->lki_cut[i] < 0 || fabs(a->lki_cut[i] - b->lki_cut[i]) > 1e-9)
			return 0;
	return 1;
}
