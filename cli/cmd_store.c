/*
 * cmd_store.c - bpagg store copy --from CONF --to CONF
 *
 * Moves a store between backends (SQLite to PostgreSQL and back): every
 * ledger row in its order (the latest of each kommune-year with its tally
 * and pseudonyms, superseded and dry-run ones as ledger rows), every
 * rejection with its time, every sequence reset (bpagg reset-sequence) with
 * the ledger row it set aside. The destination must be empty and have the
 * same [measures] settings, pseudonym key and scope; the source is checked
 * thoroughly first. The copy is one transaction on the destination,
 * verified before its commit by comparing every tally cell, every
 * kommune-year's pseudonyms, every sequence reset and the counts of ledger
 * rows and rejections; a difference rolls it back.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <sodium.h>

#include "cli_util.h"
#include "commands.h"
#include "keys.h"
#include "store.h"

struct row {
	struct bp_submission sub;
	int latest;
};

struct rows {
	struct row *v;
	size_t n, cap;
};

static int
add_row(const struct bp_submission *sub, int latest, void *ud)
{
	struct rows *r = ud;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		struct row *v = realloc(r->v, cap * sizeof(*v));
		if (!v)
			return -1;
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n].sub = *sub;
	r->v[r->n++].latest = latest;
	return 0;
}

/* Whether the destination's sequence resets are the source's, one by one. */
static int
same_resets(bp_store *to, const struct bp_cli_resets *want)
{
	struct bp_cli_resets got = { 0 };
	int same = bp_store_foreach_reset(to, bp_cli_resets_add, &got) == 0 && got.n == want->n;

	for (size_t i = 0; same && i < got.n; i++) {
		const struct bp_sequence_reset *a = &want->v[i], *b = &got.v[i];
		same = !strcmp(a->kommune, b->kommune) && a->year == b->year &&
		    !memcmp(a->id, b->id, 16) && a->sequence == b->sequence && a->at == b->at;
	}
	free(got.v);
	if (!same)
		fprintf(stderr, "bpagg store copy: the sequence resets differ after the copy\n");
	return same ? 0 : -1;
}

static int
copy_rejection(const struct bp_rejection *r, void *ud)
{
	return bp_store_reject_at(ud, r->kommune, r->year, r->file, r->reason, r->at) < 0 ? -1 : 0;
}

static int
count_rejection(const struct bp_rejection *r, void *ud)
{
	(*(uint64_t *)ud)++;
	return 0;
}

/* Copies one ledger row (and, when it stands, its tally and pseudonyms). */
static int
copy_row(bp_store *from, bp_store *to, const struct row *r, const uint8_t cat[32],
    struct bp_tally *t, uint64_t *npseud)
{
	const struct bp_submission *sub = &r->sub;
	uint8_t *ps = NULL;
	size_t n = 0;
	char err[512];
	int ret = -1;

	if (!r->latest || sub->dry_run) {
		if (bp_store_put_ledger(to, sub, err, sizeof(err)) == 0)
			return 0;
		fprintf(stderr, "bpagg store copy: %s\n", err);
		return -1;
	}
	if (bp_store_get_tally(from, sub->year, sub->kommune, cat, t) != 1) {
		fprintf(stderr, "bpagg store copy: the tally of kommune %s for %d cannot be read "
		    "(another [measures] catalogue: run bpagg rebuild on the source first)\n",
		    sub->kommune, sub->year);
		return -1;
	}
	if (bp_store_pseudonyms(from, sub->year, sub->kommune, &ps, &n) < 0) {
		fprintf(stderr, "bpagg store copy: cannot read pseudonyms\n");
		return -1;
	}
	if (bp_store_apply(to, sub, t, ps, n, cat, err, sizeof(err)) < 0)
		fprintf(stderr, "bpagg store copy: %s\n", err);
	else
		ret = 0;
	*npseud += n;
	free(ps);
	return ret;
}

/* What verify compares, tally by tally. */
struct cmp {
	bp_store *to;
	const uint8_t *cat;
	struct bp_tally t;
	uint64_t tallies, cells;
};

struct year_cmp {
	struct cmp *c;
	int year;
};

static int
cmp_year_tally(const char *kommune, const struct bp_tally *t, void *ud)
{
	struct year_cmp *y = ud;
	struct cmp *c = y->c;

	if (bp_store_get_tally(c->to, y->year, kommune, c->cat, &c->t) != 1 ||
	    c->t.rows != t->rows || !bp_tally_equal(&c->t, t)) {
		fprintf(stderr, "bpagg store copy: the tally of kommune %s for %d differs after "
		    "the copy\n", kommune, y->year);
		return 1;
	}
	c->tallies++;
	c->cells += bp_n_cells() + 2 * bp_n_sum_cells();
	return 0;
}

static int
count_tally(const char *kommune, const struct bp_tally *t, void *ud)
{
	(*(uint64_t *)ud)++;
	return 0;
}

/* Compares pseudonyms of every standing kommune-year. */
static int
same_pseudonyms(bp_store *from, bp_store *to, const struct rows *r)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct bp_submission *s = &r->v[i].sub;
		uint8_t *a = NULL, *b = NULL;
		size_t na = 0, nb = 0;
		int same;
		if (!r->v[i].latest || s->dry_run)
			continue;
		same = bp_store_pseudonyms(from, s->year, s->kommune, &a, &na) == 0 &&
		    bp_store_pseudonyms(to, s->year, s->kommune, &b, &nb) == 0 &&
		    na == nb && (na == 0 || !memcmp(a, b, na * 16));
		free(a);
		free(b);
		if (!same) {
			fprintf(stderr, "bpagg store copy: the pseudonyms of kommune %s for %d differ "
			    "after the copy\n", s->kommune, s->year);
			return -1;
		}
	}
	return 0;
}

/* Every tally cell, the pseudonyms, the sequence resets, and the counts of
 * both stores. */
static int
verify(bp_store *from, bp_store *to, const uint8_t cat[32], const struct rows *r,
    const struct bp_cli_resets *rs, uint64_t *cells, uint64_t *tallies)
{
	struct cmp c = { .to = to, .cat = cat };
	struct rows again = { 0 };
	uint64_t ra = 0, rb = 0, nto;
	int *years = NULL, ret = -1;
	size_t ny = 0;

	if (bp_tally_init(&c.t) < 0 || bp_store_years(from, &years, &ny) < 0)
		goto out;
	for (size_t i = 0; i < ny; i++) {
		struct year_cmp y = { .c = &c, .year = years[i] };
		uint64_t before = c.tallies;
		nto = 0;
		if (bp_store_foreach_tally(from, years[i], cat, cmp_year_tally, &y) != 0 ||
		    bp_store_foreach_tally(to, years[i], cat, count_tally, &nto) != 0 ||
		    nto != c.tallies - before)
			goto out;
	}
	if (bp_store_foreach_ledger(to, add_row, &again) != 0 || again.n != r->n ||
	    bp_store_foreach_rejection(from, count_rejection, &ra) != 0 ||
	    bp_store_foreach_rejection(to, count_rejection, &rb) != 0 || ra != rb) {
		fprintf(stderr, "bpagg store copy: the ledger or the rejections differ after the "
		    "copy\n");
		goto out;
	}
	if (same_pseudonyms(from, to, r) < 0 || same_resets(to, rs) < 0)
		goto out;
	*cells = c.cells;
	*tallies = c.tallies;
	ret = 0;
out:
	bp_tally_free(&c.t);
	free(years);
	free(again.v);
	return ret;
}

/* Opens both stores; the destination must be empty. */
static int
open_both(const struct bp_config *cf, const struct bp_config *ct, bp_store **from,
    bp_store **to)
{
	char err[512];
	int *years = NULL, r;
	size_t ny = 0;
	uint64_t rej = 0;

	/* the thorough check once (every page, every tally's checksum) */
	if ((r = bp_store_open_verified(cf, from, err, sizeof(err))) != 0) {
		fprintf(stderr, "bpagg store copy: source: %s\n", r == 1 ? "no store yet" : err);
		return r == 1 ? EX_NOINPUT : EX_IOERR;
	}
	if (bp_store_open(ct, to, err, sizeof(err)) < 0) {
		fprintf(stderr, "bpagg store copy: destination: %s\n", err);
		return EX_IOERR;
	}
	if (bp_store_years(*to, &years, &ny) < 0 || bp_store_foreach_rejection(*to,
	    count_rejection, &rej) != 0) {
		fprintf(stderr, "bpagg store copy: destination cannot be read\n");
		free(years);
		return EX_IOERR;
	}
	free(years);
	if (ny || rej) {
		fprintf(stderr, "bpagg store copy: the destination store is not empty\n");
		return EX_CANTCREAT;
	}
	return 0;
}

/* The stored pseudonyms are keyed hashes: both installations must hash
 * with the same key and scope, or persons of the copied store would not be
 * recognised in later submissions (persons in more than one kommune, or
 * counted twice). 0, or an exit status with the reason printed. */
static int
same_pseudonym_key(const struct bp_config *cf, const struct bp_config *ct)
{
	struct bp_key kf = { 0 }, kt = { 0 };
	char pf[PATH_MAX], pt[PATH_MAX], err[512];
	int rc = EX_CONFIG;

	snprintf(pf, sizeof(pf), "%s/pseudonym.key", cf->keys);
	snprintf(pt, sizeof(pt), "%s/pseudonym.key", ct->keys);
	if (bp_key_load(pf, BP_KEY_PSEUDONYM, &kf, err, sizeof(err)) < 0 ||
	    bp_key_load(pt, BP_KEY_PSEUDONYM, &kt, err, sizeof(err)) < 0) {
		fprintf(stderr, "bpagg store copy: %s\n", err);
		rc = errno == EPERM || errno == EACCES ? EX_NOPERM : EX_CONFIG;
	} else if (kf.len != kt.len || sodium_memcmp(kf.bytes, kt.bytes, kf.len) != 0) {
		fprintf(stderr, "bpagg store copy: %s and %s differ: the copied persons would not "
		    "be recognised in later submissions; give the destination the source's "
		    "pseudonym key first\n", pf, pt);
	} else if (strcmp(cf->pseudonym_scope, ct->pseudonym_scope) != 0) {
		fprintf(stderr, "bpagg store copy: the two configurations differ in [ingest] "
		    "pseudonym_scope (%s, %s)\n", cf->pseudonym_scope, ct->pseudonym_scope);
	} else {
		rc = 0;
	}
	if (kf.bytes)
		bp_key_free(&kf);
	if (kt.bytes)
		bp_key_free(&kt);
	return rc;
}

static int
copy(const struct bp_config *cf, const struct bp_config *ct)
{
	bp_store *from = NULL, *to = NULL;
	struct rows r = { 0 };
	struct bp_cli_resets rs = { 0 };
	struct bp_tally t = { 0 };
	char err[512];
	uint8_t cat[32], cat2[32];
	uint64_t npseud = 0, cells = 0, tallies = 0;
	bool in_tx = false;
	int rc;

	bp_catalogue_id(&cf->measures, cat);
	bp_catalogue_id(&ct->measures, cat2);
	if (memcmp(cat, cat2, 32)) {
		fprintf(stderr, "bpagg store copy: the two configurations differ in [measures]\n");
		return EX_CONFIG;
	}
	if ((rc = same_pseudonym_key(cf, ct)) != 0)
		return rc;
	if ((rc = open_both(cf, ct, &from, &to)) != 0)
		goto out;
	rc = EX_IOERR;
	if (bp_store_foreach_ledger(from, add_row, &r) != 0 ||
	    bp_store_foreach_reset(from, bp_cli_resets_add, &rs) != 0 || bp_tally_init(&t) < 0) {
		fprintf(stderr, "bpagg store copy: cannot read the source's ledger\n");
		goto out;
	}
	if (bp_store_begin(to) < 0) {
		fprintf(stderr, "bpagg store copy: cannot lock the destination\n");
		goto out;
	}
	in_tx = true;
	for (size_t i = 0; i < r.n; i++)
		if (copy_row(from, to, &r.v[i], cat, &t, &npseud) < 0)
			goto out;
	if (bp_store_foreach_rejection(from, copy_rejection, to) != 0) {
		fprintf(stderr, "bpagg store copy: cannot copy the rejections\n");
		goto out;
	}
	for (size_t i = 0; i < rs.n; i++)
		if (bp_store_put_reset(to, &rs.v[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "bpagg store copy: %s\n", err);
			goto out;
		}
	if (verify(from, to, cat, &r, &rs, &cells, &tallies) < 0) {
		fprintf(stderr, "bpagg store copy: verification failed; nothing was copied\n");
		rc = EX_SOFTWARE;
		goto out;
	}
	in_tx = false;
	if (bp_store_commit(to) < 0) {
		fprintf(stderr, "bpagg store copy: cannot commit; nothing was copied\n");
		goto out;
	}
	printf("copied %zu ledger rows, %" PRIu64 " tallies (%" PRIu64 " cells compared, all "
	    "equal), %" PRIu64 " pseudonyms, %zu sequence resets from %s to %s\n", r.n, tallies,
	    cells, npseud, rs.n, bp_store_backend_name(from), bp_store_backend_name(to));
	rc = 0;
out:
	if (in_tx)
		bp_store_rollback(to);
	bp_tally_free(&t);
	free(r.v);
	free(rs.v);
	bp_store_close(from);
	bp_store_close(to);
	return rc;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: bpagg store copy --from CONF --to CONF\n");
	if (f == stdout)
		fprintf(f, "\n"
		    "Copies the store of one configuration into the empty store of another\n"
		    "(typically from backend = sqlite to backend = postgresql, or back):\n"
		    "the source checked first, the copy one transaction on the\n"
		    "destination, compared cell by cell before its commit. Both must have\n"
		    "the same [measures] settings and pseudonym key. See bpagg(1).\n");
}

int
bp_cmd_store(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bp_config cf, ct;
	const char *from = NULL, *to = NULL;
	char err[512];
	int ch, rc;

	if (argc < 2 || strcmp(argv[1], "copy")) {
		bool help = argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));
		usage(help ? stdout : stderr);
		return help ? 0 : EX_USAGE;
	}
	optind = 1;
	while ((ch = getopt_long(argc - 1, argv + 1, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (!from || !to || optind != argc - 1) {
		usage(stderr);
		return EX_USAGE;
	}
	memset(&cf, 0, sizeof(cf));
	memset(&ct, 0, sizeof(ct));
	if ((rc = bp_cli_load_conf("store copy", from, &cf)) == 0 &&
	    (rc = bp_cli_load_conf("store copy", to, &ct)) == 0) {
		if (bp_store_check_config(&cf, err, sizeof(err)) < 0 ||
		    bp_store_check_config(&ct, err, sizeof(err)) < 0) {
			fprintf(stderr, "bpagg store copy: %s\n", err);
			rc = EX_CONFIG;
		} else
			rc = copy(&cf, &ct);
	}
	bp_config_free(&cf);
	bp_config_free(&ct);
	return rc;
}
