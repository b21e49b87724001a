/*
 * registry.c - the kommune registry (conf/kommuner.csv); see registry.h.
 *
 * The file is comma-separated with the header
 * kommunenummer,navn,fylkesnummer,fylke,innbyggere,innbyggere_18plus,aar
 * in any order. Every row is checked (4-digit unique kommunenummer whose
 * first two digits are the 2-digit fylkesnummer, names of 1-63 bytes of
 * UTF-8, whole-number populations with the adults not above the total, one
 * year for the whole file); the kommuner are then sorted for bsearch.
 */
#include "registry.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv.h"
#include "io.h"

#define REG_MAX_BYTES (4u << 20) /* size cap of the registry file */
#define REG_MAX_ROW 1024u
#define REG_MAX_KOMMUNER 4096u

enum { C_NR, C_NAVN, C_FYLKENR, C_FYLKE, C_INNB, C_INNB18, C_AAR, NCOL };

static const char *const colnames[NCOL] = {
	"kommunenummer", "navn", "fylkesnummer", "fylke", "innbyggere",
	"innbyggere_18plus", "aar",
};

struct reg_ctx {
	struct bp_registry *r;
	struct bp_diags *d;
	int pos[NCOL];       /* header position of each column, -1 absent */
	size_t nhdr;
	bool have_header, header_bad;
	size_t cap;
	int year;
	unsigned long rows;
};

static bool
digits(const char *v, size_t len, size_t want)
{
	if (len != want)
		return false;
	for (size_t i = 0; i < len; i++)
		if (v[i] < '0' || v[i] > '9')
			return false;
	return true;
}

/* Valid UTF-8 without control characters (RFC 3629, no overlongs). */
static bool
text_ok(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned char ch = s[i];
		size_t n;
		unsigned min;
		unsigned cp;
		if (ch < 0x20 || ch == 0x7f)
			return false;
		if (ch < 0x80) {
			i++;
			continue;
		}
		if ((ch & 0xe0) == 0xc0) { n = 1; cp = ch & 0x1f; min = 0x80; }
		else if ((ch & 0xf0) == 0xe0) { n = 2; cp = ch & 0x0f; min = 0x800; }
		else if ((ch & 0xf8) == 0xf0) { n = 3; cp = ch & 0x07; min = 0x10000; }
		else
			return false;
		if (i + n >= len)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

static bool
number(const char *v, size_t len, uint32_t *out)
{
	if (len == 0 || len > 9)
		return false;
	uint32_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		n = n * 10 + (uint32_t)(v[i] - '0');
	}
	*out = n;
	return true;
}

static void
header(struct reg_ctx *x, const struct bp_csv_row *row)
{
	x->have_header = true;
	x->nhdr = row->n;
	for (int c = 0; c < NCOL; c++)
		x->pos[c] = -1;
	if (row->err != BP_CSV_OK || row->blank) {
		bp_diags_add(x->d, row->line, 0, "", "expected the header line %s",
		    "kommunenummer,navn,fylkesnummer,fylke,innbyggere,innbyggere_18plus,aar");
		x->header_bad = true;
		return;
	}
	for (size_t i = 0; i < row->n; i++) {
		int c;
		for (c = 0; c < NCOL; c++)
			if (strlen(colnames[c]) == row->len[i] &&
			    memcmp(colnames[c], row->field[i], row->len[i]) == 0)
				break;
		if (c == NCOL) {
			bp_diags_add(x->d, row->line, (unsigned)i + 1, "", "unknown column name");
			x->header_bad = true;
		} else if (x->pos[c] >= 0) {
			bp_diags_add(x->d, row->line, (unsigned)i + 1, colnames[c],
			    "column given twice");
			x->header_bad = true;
		} else
			x->pos[c] = (int)i;
	}
	for (int c = 0; c < NCOL; c++)
		if (x->pos[c] < 0) {
			bp_diags_add(x->d, row->line, 0, colnames[c], "column missing");
			x->header_bad = true;
		}
}

static void
bad(struct reg_ctx *x, unsigned long line, int c, const char *msg)
{
	bp_diags_add(x->d, line, (unsigned)x->pos[c] + 1, colnames[c], "%s", msg);
}

/* Checks the fields of one row into k; returns the errors found. */
static int
fields(struct reg_ctx *x, const struct bp_csv_row *row, struct bp_kommune *k)
{
	const char *v[NCOL];
	size_t len[NCOL];
	int nerr = 0;
	for (int c = 0; c < NCOL; c++) {
		v[c] = row->field[x->pos[c]];
		len[c] = row->len[x->pos[c]];
	}
	if (!digits(v[C_NR], len[C_NR], 4) && ++nerr)
		bad(x, row->line, C_NR, "expected a 4-digit kommunenummer");
	if (!digits(v[C_FYLKENR], len[C_FYLKENR], 2) && ++nerr)
		bad(x, row->line, C_FYLKENR, "expected a 2-digit fylkesnummer");
	else if (nerr == 0 && memcmp(v[C_NR], v[C_FYLKENR], 2) != 0 && ++nerr)
		bad(x, row->line, C_FYLKENR, "expected the first two digits of the kommunenummer");
	if ((len[C_NAVN] == 0 || len[C_NAVN] >= sizeof(k->name) ||
	    !text_ok((const unsigned char *)v[C_NAVN], len[C_NAVN])) && ++nerr)
		bad(x, row->line, C_NAVN, "expected a name of 1-63 bytes of UTF-8");
	if ((len[C_FYLKE] == 0 || len[C_FYLKE] >= sizeof(k->fylke_name) ||
	    !text_ok((const unsigned char *)v[C_FYLKE], len[C_FYLKE])) && ++nerr)
		bad(x, row->line, C_FYLKE, "expected a name of 1-63 bytes of UTF-8");
	if (!number(v[C_INNB], len[C_INNB], &k->population) && ++nerr)
		bad(x, row->line, C_INNB, "expected a whole number of inhabitants");
	if (!number(v[C_INNB18], len[C_INNB18], &k->population18) && ++nerr)
		bad(x, row->line, C_INNB18, "expected a whole number of inhabitants");
	else if (nerr == 0 && k->population18 > k->population && ++nerr)
		bad(x, row->line, C_INNB18, "expected at most innbyggere");
	if (!digits(v[C_AAR], len[C_AAR], 4) && ++nerr)
		bad(x, row->line, C_AAR, "expected a 4-digit year");
	/* 0000 would also leave x->year unset and let other years through. */
	else if ((atoi(v[C_AAR]) < 1900 || atoi(v[C_AAR]) > 2199) && ++nerr)
		bad(x, row->line, C_AAR, "expected a year from 1900 to 2199");
	else if (nerr == 0 && x->year && atoi(v[C_AAR]) != x->year && ++nerr)
		bad(x, row->line, C_AAR, "expected the same year on every row");
	if (nerr)
		return nerr;
	memcpy(k->nr, v[C_NR], 5);
	memcpy(k->name, v[C_NAVN], len[C_NAVN] + 1);
	memcpy(k->fylke, v[C_FYLKENR], 3);
	memcpy(k->fylke_name, v[C_FYLKE], len[C_FYLKE] + 1);
	if (!x->year)
		x->year = atoi(v[C_AAR]);
	return 0;
}

static int
append(struct reg_ctx *x, const struct bp_kommune *k, unsigned long line)
{
	struct bp_registry *r = x->r;
	for (size_t i = 0; i < r->n; i++)
		if (memcmp(r->k[i].nr, k->nr, 5) == 0) {
			bp_diags_add(x->d, line, (unsigned)x->pos[C_NR] + 1, colnames[C_NR],
			    "kommunenummer given twice");
			return 0;
		}
	if (r->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 512;
		struct bp_kommune *v = realloc(r->k, cap * sizeof(*v));
		if (!v)
			return -1;
		r->k = v;
		x->cap = cap;
	}
	r->k[r->n++] = *k;
	return 0;
}

static int
on_row(const struct bp_csv_row *row, void *ud)
{
	struct reg_ctx *x = ud;
	struct bp_kommune k;

	if (!x->have_header) {
		header(x, row);
		return x->header_bad ? 1 : 0;
	}
	if (row->blank)
		return 0;
	if (row->err != BP_CSV_OK) {
		bp_diags_add(x->d, row->line, row->err_field, "", "malformed CSV row");
		return 0;
	}
	if (row->n != x->nhdr) {
		bp_diags_add(x->d, row->line, 0, "", "expected %zu fields as in the header",
		    x->nhdr);
		return 0;
	}
	if (++x->rows > REG_MAX_KOMMUNER) {
		bp_diags_add(x->d, row->line, 0, "", "more than %u kommuner", REG_MAX_KOMMUNER);
		return 1;
	}
	memset(&k, 0, sizeof(k));
	if (fields(x, row, &k) == 0 && append(x, &k, row->line) < 0) {
		bp_diags_add(x->d, row->line, 0, "", "out of memory");
		return 1;
	}
	return 0;
}

/* Opens path as a regular file (no symlink) of at most REG_MAX_BYTES. */
static int
open_checked(const char *path, struct bp_diags *d)
{
	struct stat st;
	int fd = bp_open_regular(AT_FDCWD, path, O_RDONLY, 0, REG_MAX_BYTES, &st);
	if (fd < 0 && (errno == EINVAL || errno == EFBIG))
		bp_diags_add(d, 0, 0, "", "expected a regular file of at most %u bytes",
		    REG_MAX_BYTES);
	else if (fd < 0)
		bp_diags_add(d, 0, 0, "", "cannot open the registry (%s)", strerror(errno));
	return fd;
}

static int
read_all(int fd, bp_csv *csv, struct bp_diags *d)
{
	char buf[16384];
	size_t total = 0;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			bp_diags_add(d, 0, 0, "", "read error (%s)", strerror(errno));
			return -1;
		}
		if (n == 0)
			break;
		total += (size_t)n;
		if (total > REG_MAX_BYTES) {
			bp_diags_add(d, 0, 0, "", "the registry grew past %u bytes", REG_MAX_BYTES);
			return -1;
		}
		if (bp_csv_feed(csv, buf, (size_t)n) != 0)
			return -1;
	}
	return bp_csv_finish(csv) != 0 ? -1 : 0;
}

static int
cmp_kommune(const void *a, const void *b)
{
	const struct bp_kommune *x = a, *y = b;
	return strcmp(x->nr, y->nr);
}

int
bp_registry_load(const char *path, struct bp_registry *r, struct bp_diags *diags)
{
	struct reg_ctx x;
	bp_csv *csv = NULL;
	int fd = -1, ret = -1;
	size_t before = diags->total;

	memset(r, 0, sizeof(*r));
	memset(&x, 0, sizeof(x));
	x.r = r;
	x.d = diags;
	if ((fd = open_checked(path, diags)) < 0)
		goto out;
	if (!(csv = bp_csv_new(',', REG_MAX_ROW, on_row, &x))) {
		bp_diags_add(diags, 0, 0, "", "out of memory");
		goto out;
	}
	read_all(fd, csv, diags);
	if (!x.have_header)
		bp_diags_add(diags, 1, 0, "", "empty registry; expected a header line");
	else if (!x.header_bad && r->n == 0 && diags->total == before)
		bp_diags_add(diags, 2, 0, "", "no kommuner in the registry");
	if (diags->total != before)
		goto out;
	qsort(r->k, r->n, sizeof(*r->k), cmp_kommune);
	r->year = x.year;
	ret = 0;
out:
	bp_csv_free(csv);
	if (fd >= 0)
		close(fd);
	if (ret < 0)
		bp_registry_free(r);
	return ret;
}

void
bp_registry_free(struct bp_registry *r)
{
	free(r->k);
	memset(r, 0, sizeof(*r));
}

const struct bp_kommune *
bp_registry_find(const struct bp_registry *r, const char *nr)
{
	struct bp_kommune key;
	if (!r || !r->k || !nr || strlen(nr) != 4)
		return NULL;
	memcpy(key.nr, nr, 5);
	return bsearch(&key, r->k, r->n, sizeof(*r->k), cmp_kommune);
}

int
bp_registry_year_max(const struct bp_registry *r)
{
	return r->year + 1;
}

int
bp_registry_year_ok(const struct bp_registry *r, int year)
{
	return year >= BP_REGISTRY_YEAR_MIN && year <= bp_registry_year_max(r);
}
