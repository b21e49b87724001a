/*
 * bpagg rebuild -c CONF - rebuilds the store from archive/ (after a
 * catalogue change, or a store lost or damaged).
 *
 * The new store is built beside the old one and swapped in only when it is
 * complete and checked (bp_store_fresh_path, bp_store_swap_in: SQLite
 * builds a new file next to [store] path and keeps the old one as
 * <path>.before-rebuild; PostgreSQL rebuilds in place inside one
 * transaction that holds the store's lock), so a damaged or missing store
 * is no obstacle, and a failed rebuild leaves the old store as it was.
 *
 * Every archived submission is read first (its verified metadata only);
 * if any cannot be opened, nothing is changed. From the old store, as far
 * as it can still be read (opened without its integrity check), come the
 * received time and upload tag of each submission, the place of its row
 * in the old ledger, the rejections recorded (their files stay in
 * rejected/) and the sequence resets (bpagg reset-sequence); what cannot
 * be read is said, and the rebuild's start stands in for unknown received
 * times. Then, in one
 * transaction on the new store: everything is cleared, the rejections are
 * recorded again with their times, and each file is ingested again through
 * ingest/ with its received time, by kommune and year, in the old ledger's
 * order when every file of the kommune-year has its row there, else by
 * sequence, so that the latest submission of each kommune and year is the
 * one that stands, as it was; a sequence reset is recorded again right
 * after the submission it set aside is merged, as it was then. An internal
 * error rolls the whole rebuild back.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cli_util.h"
#include "commands.h"
#include "ingest.h"
#include "lock.h"

struct archived {
	char kommune[5];
	int year;
	uint64_t sequence;
	uint8_t id[16];  /* the kommune's submission id */
	int64_t received;
	char upload[BP_UPLOAD_TAG_MAX]; /* the upload that carried it, "" unknown */
	long pos;        /* its row's place in the old ledger; -1 unknown */
	char rel[512];   /* relative to the archive dir */
};

struct alist {
	struct archived *v;
	size_t n, cap;
};

static int
alist_add(struct alist *l, const struct bp_env_meta *m, const char *rel)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct archived *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	struct archived *a = &l->v[l->n++];
	memcpy(a->kommune, m->kommune, sizeof(a->kommune));
	a->year = m->year;
	a->sequence = m->sequence;
	memcpy(a->id, m->submission_id, sizeof(a->id));
	a->received = 0;
	a->upload[0] = '\0';
	a->pos = -1;
	snprintf(a->rel, sizeof(a->rel), "%s", rel);
	return 0;
}

static int
cmp_archived(const void *x, const void *y)
{
	const struct archived *a = x, *b = y;
	int c = strcmp(a->kommune, b->kommune);
	if (c)
		return c;
	if (a->year != b->year)
		return a->year < b->year ? -1 : 1;
	if (a->sequence != b->sequence)
		return a->sequence < b->sequence ? -1 : 1;
	return strcmp(a->rel, b->rel);
}

/* Within one kommune-year: the old ledger's order (copies of one
 * submission share its place), then as cmp_archived. */
static int
cmp_ledger_order(const void *x, const void *y)
{
	const struct archived *a = x, *b = y;
	if (a->pos != b->pos)
		return a->pos < b->pos ? -1 : 1;
	return cmp_archived(x, y);
}

/* Sorts by kommune and year, then each kommune-year whose files all have
 * their place in the old ledger in that order, the others by sequence. */
static void
sort_for_replay(struct alist *l)
{
	size_t i = 0, j;
	bool known;

	if (l->n > 1)
		qsort(l->v, l->n, sizeof(l->v[0]), cmp_archived);
	while (i < l->n) {
		known = true;
		for (j = i; j < l->n && l->v[j].year == l->v[i].year &&
		    !strcmp(l->v[j].kommune, l->v[i].kommune); j++)
			known = known && l->v[j].pos >= 0;
		if (known && j - i > 1)
			qsort(l->v + i, j - i, sizeof(l->v[0]), cmp_ledger_order);
		i = j;
	}
}

/* The old ledger's rows by kommune and submission id, with their places. */
struct lrow {
	char kommune[5];
	uint8_t id[16];
	long pos;
};

struct llist {
	struct lrow *v;
	size_t n, cap;
};

static int
llist_add(const struct bp_submission *sub, int latest, void *ud)
{
	struct llist *l = ud;
	(void)latest;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct lrow *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	memcpy(l->v[l->n].kommune, sub->kommune, sizeof(l->v[0].kommune));
	memcpy(l->v[l->n].id, sub->id, 16);
	l->v[l->n].pos = (long)l->n;
	l->n++;
	return 0;
}

static int
cmp_lrow(const void *x, const void *y)
{
	const struct lrow *a = x, *b = y;
	int c = strcmp(a->kommune, b->kommune);
	return c ? c : memcmp(a->id, b->id, 16);
}

/* Sets each file's place in the old ledger (s); says when it cannot. */
static void
salvage_order(bp_store *s, struct alist *l)
{
	struct llist ll = { 0 };
	struct lrow key, *hit;

	if (bp_store_foreach_ledger(s, llist_add, &ll) != 0) {
		fprintf(stderr, "bpagg rebuild: the old ledger's order cannot be read; files are "
		    "replayed in sequence order\n");
		free(ll.v);
		return;
	}
	if (ll.n > 1)
		qsort(ll.v, ll.n, sizeof(ll.v[0]), cmp_lrow);
	for (size_t i = 0; i < l->n; i++) {
		memcpy(key.kommune, l->v[i].kommune, sizeof(key.kommune));
		memcpy(key.id, l->v[i].id, 16);
		hit = ll.n ? bsearch(&key, ll.v, ll.n, sizeof(ll.v[0]), cmp_lrow) : NULL;
		l->v[i].pos = hit ? hit->pos : -1;
	}
	free(ll.v);
}

/* Records again the resets that set aside the submission a just merged. */
static int
restore_resets(bp_store *s, const struct bp_cli_resets *rs, const struct archived *a)
{
	char err[512];

	for (size_t i = 0; i < rs->n; i++) {
		const struct bp_sequence_reset *r = &rs->v[i];
		if (strcmp(r->kommune, a->kommune) || r->year != a->year || memcmp(r->id, a->id, 16))
			continue;
		if (bp_store_put_reset(s, r, err, sizeof(err)) < 0) {
			fprintf(stderr, "bpagg rebuild: %s\n", err);
			return -1;
		}
	}
	return 0;
}

static bool
is_digits(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Reads the metadata of every file in archive/YYYY/NNNN/. Returns the
 * number of files that could not be read, or -1 on ENOMEM. */
static long
collect_leaf(bp_ingest *g, const char *archive, const char *rel_dir, struct alist *l)
{
	char dir[PATH_MAX];
	long bad = 0;
	DIR *dp;
	struct dirent *de;

	snprintf(dir, sizeof(dir), "%s/%s", archive, rel_dir);
	if (!(dp = opendir(dir)))
		return 0;
	while ((de = readdir(dp)) != NULL) {
		char path[PATH_MAX + NAME_MAX + 2], rel[512], err[512];
		struct bp_env_meta m;
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		snprintf(rel, sizeof(rel), "%s/%s", rel_dir, de->d_name);
		if (bp_ingest_peek(g, path, &m, err, sizeof(err)) < 0) {
			fprintf(stderr, "bpagg rebuild: %s\n", err);
			bad++;
			continue;
		}
		if (alist_add(l, &m, rel) < 0) {
			bad = -1;
			break;
		}
	}
	closedir(dp);
	return bad;
}

static long
collect(bp_ingest *g, const char *archive, struct alist *l)
{
	DIR *years = opendir(archive), *kd;
	struct dirent *y, *k;
	long bad = 0, b;

	if (!years)
		return 0;
	while (bad >= 0 && (y = readdir(years)) != NULL) {
		char ydir[PATH_MAX];
		if (!is_digits(y->d_name, 4))
			continue;
		snprintf(ydir, sizeof(ydir), "%s/%s", archive, y->d_name);
		if (!(kd = opendir(ydir)))
			continue;
		while ((k = readdir(kd)) != NULL) {
			char rel[64];
			if (!is_digits(k->d_name, 4))
				continue;
			snprintf(rel, sizeof(rel), "%.4s/%.4s", y->d_name, k->d_name);
			if ((b = collect_leaf(g, archive, rel, l)) < 0) {
				bad = -1;
				break;
			}
			bad += b;
		}
		closedir(kd);
	}
	closedir(years);
	return bad;
}

/* Re-ingests the sorted list. Returns 0 or a sysexits code. */
static int
reingest(bp_ingest *g, const struct bp_config *c, const struct alist *l,
    const struct bp_cli_resets *rs)
{
	unsigned long merged = 0, dry = 0, already = 0, refused = 0, rows = 0, retired = 0;
	int rc = 0;

	for (size_t i = 0; i < l->n; i++) {
		struct bp_ingest_result r;
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", c->archive, l->v[i].rel);
		bp_ingest_result_init(&r);
		bp_ingest_file(g, path, l->v[i].rel, l->v[i].received, l->v[i].upload, &r);
		if (r.retired_key && (r.status == BP_INGEST_MERGED ||
		    r.status == BP_INGEST_ALREADY)) {
			retired++;
			/* A replaced key's holder can sign with any sequence:
			 * a file the old ledger does not name may not be one
			 * bpaggd ever merged. */
			if (l->v[i].pos < 0)
				fprintf(stderr, "bpagg rebuild: %s: verified with a key of kommune %s "
				    "since replaced, and the old ledger does not name it (unreadable, "
				    "or older than the file): make sure bpaggd archived it\n",
				    l->v[i].rel, r.meta.kommune);
		}
		switch (r.status) {
		case BP_INGEST_MERGED:
			/* a dry run is validated again, never merged */
			if (r.meta.dry_run) {
				dry++;
				break;
			}
			merged++;
			rows += r.rows;
			if (restore_resets(bp_ingest_store(g), rs, &l->v[i]) < 0)
				rc = EX_SOFTWARE;
			break;
		case BP_INGEST_ALREADY: already++; break;
		case BP_INGEST_ERROR:
			fprintf(stderr, "bpagg rebuild: %s: %s\n", l->v[i].rel, r.reason);
			rc = EX_SOFTWARE;
			break;
		default:
			/* bpaggd archives only what it merged (dry runs and
			 * copies too), so a refusal here means data would be
			 * lost: the replay goes on only to name every such file. */
			fprintf(stderr, "bpagg rebuild: %s: refused: %s\n", l->v[i].rel, r.reason);
			bp_diags_print(&r.diags, l->v[i].rel, stderr);
			refused++;
			if (!rc)
				rc = EX_DATAERR;
			break;
		}
		bp_ingest_result_free(&r);
		if (rc == EX_SOFTWARE)
			break;
		if ((i + 1) % 100 == 0 || i + 1 == l->n)
			fprintf(stderr, "bpagg rebuild: %zu/%zu files, %lu merged, %lu already applied, "
			    "%lu refused, %lu rows merged, %lu dry run%s\n", i + 1, l->n, merged,
			    already, refused, rows, dry, dry == 1 ? "" : "s");
	}
	if (retired > 0)
		fprintf(stderr, "bpagg rebuild: %lu file%s verified with a key since replaced "
		    "(%s/retired/)\n", retired, retired == 1 ? "" : "s", c->keys);
	return rc;
}

/* The rejections recorded in the old store, kept in memory. */
struct rej {
	char kommune[5];
	int year;
	char *file, *reason;
	int64_t at;
};

struct rlist {
	struct rej *v;
	size_t n, cap;
};

static int
rlist_add(const struct bp_rejection *r, void *ud)
{
	struct rlist *l = ud;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct rej *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	struct rej *x = &l->v[l->n];
	memcpy(x->kommune, r->kommune, sizeof(x->kommune));
	x->year = r->year;
	x->at = r->at;
	if (!(x->file = strdup(r->file)) || !(x->reason = strdup(r->reason))) {
		free(x->file);
		return -1;
	}
	l->n++;
	return 0;
}

static void
rlist_free(struct rlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].file);
		free(l->v[i].reason);
	}
	free(l->v);
}

/*
 * Saves from the old store what can still be read: each file's received
 * time (now when unknown) and the rejections. Says what could not be read.
 * Returns 0, or -1 when memory ran out.
 */
static int
salvage(const struct bp_config *c, struct alist *l, struct rlist *rl,
    struct bp_cli_resets *rs, int64_t now, size_t *known)
{
	bp_store *s = NULL;
	char err[512];
	size_t unreadable = 0;
	int r;

	*known = 0;
	for (size_t i = 0; i < l->n; i++)
		l->v[i].received = now;
	if ((r = bp_store_open_salvage(c, &s, err, sizeof(err))) != 0) {
		if (r < 0)
			fprintf(stderr, "bpagg rebuild: the old store cannot be read (%s): received "
			    "times are set to now, recorded rejections are not kept\n", err);
		return 0;
	}
	for (size_t i = 0; i < l->n; i++) {
		r = bp_store_find_received(s, l->v[i].kommune, l->v[i].id, &l->v[i].received,
		    l->v[i].upload);
		if (r == 1)
			(*known)++;
		else {
			l->v[i].received = now;
			l->v[i].upload[0] = '\0';
		}
		if (r < 0)
			unreadable++;
	}
	if (unreadable)
		fprintf(stderr, "bpagg rebuild: %zu received time%s could not be read from the "
		    "old store; set to now\n", unreadable, unreadable == 1 ? "" : "s");
	salvage_order(s, l);
	if (bp_store_foreach_reset(s, bp_cli_resets_add, rs) != 0) {
		fprintf(stderr, "bpagg rebuild: the sequence resets of the old store cannot be "
		    "read; none is kept\n");
		rs->n = 0;
	}
	r = bp_store_foreach_rejection(s, rlist_add, rl);
	bp_store_close(s);
	if (r != 0) {
		fprintf(stderr, "bpagg rebuild: the rejections of the old store could be read "
		    "only in part (%zu kept)\n", rl->n);
	}
	return 0;
}

/* Records the saved rejections in the new store, with their times. */
static int
restore_rejections(bp_store *s, const struct rlist *rl)
{
	for (size_t i = 0; i < rl->n; i++)
		if (bp_store_reject_at(s, rl->v[i].kommune, rl->v[i].year, rl->v[i].file,
		    rl->v[i].reason, rl->v[i].at) < 0)
			return -1;
	return 0;
}

/* Removes a fresh SQLite store left by a rebuild that failed. */
static void
discard_fresh(const char *path)
{
	static const char *const sfx[] = { "", "-wal", "-shm" };
	char p[PATH_MAX];

	for (size_t i = 0; path && i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		unlink(p);
	}
}

static int
rebuild(const struct bp_config *c)
{
	struct alist l = { 0 };
	struct rlist rl = { 0 };
	struct bp_cli_resets rs = { 0 };
	struct bp_config fc = *c;
	bp_ingest *g = NULL;
	char err[2 * PATH_MAX + 256], *fresh = NULL;
	long bad;
	size_t known;
	bool in_tx = false, swapped = false;
	int rc = EX_CONFIG;

	if (bp_store_fresh_path(c, &fresh, err, sizeof(err)) < 0) {
		fprintf(stderr, "bpagg rebuild: %s\n", err);
		rc = EX_IOERR;
		goto out;
	}
	if (fresh)
		fc.store_path = fresh;
	if (bp_ingest_new(&fc, &g, err, sizeof(err)) < 0 ||
	    bp_ingest_use_retired(g, err, sizeof(err)) < 0) {
		fprintf(stderr, "bpagg rebuild: %s\n", err);
		goto out;
	}
	if ((bad = collect(g, c->archive, &l)) != 0) {
		if (bad < 0)
			fprintf(stderr, "bpagg rebuild: out of memory\n");
		else
			fprintf(stderr, "bpagg rebuild: %ld archived file%s cannot be read; "
			    "the store was not changed. A file signed with a kommune's key "
			    "replaced before this version kept replaced keys (keys/retired/) "
			    "cannot be verified: see bpagg(1), rebuild\n", bad,
			    bad == 1 ? "" : "s");
		rc = bad < 0 ? EX_OSERR : EX_DATAERR;
		goto out;
	}
	if (salvage(c, &l, &rl, &rs, (int64_t)time(NULL), &known) < 0) {
		rc = EX_OSERR;
		goto out;
	}
	sort_for_replay(&l);
	if (bp_store_begin(bp_ingest_store(g)) < 0) {
		fprintf(stderr, "bpagg rebuild: cannot lock the store\n");
		rc = EX_IOERR;
		goto out;
	}
	in_tx = true;
	if (bp_store_clear(bp_ingest_store(g)) < 0 ||
	    restore_rejections(bp_ingest_store(g), &rl) < 0) {
		fprintf(stderr, "bpagg rebuild: cannot clear the new store; the store was not "
		    "changed\n");
		rc = EX_IOERR;
		goto out;
	}
	fprintf(stderr, "bpagg rebuild: re-ingesting %zu archived files (%zu with their "
	    "received time from the ledger, %zu rejections and %zu sequence resets kept) in "
	    "one transaction\n", l.n, known, rl.n, rs.n);
	if ((rc = reingest(g, c, &l, &rs)) == EX_SOFTWARE) {
		fprintf(stderr, "bpagg rebuild: rolled back; the store was not changed\n");
		goto out;
	}
	/* A refused archived file would leave its data out of the store. */
	if (rc != 0) {
		fprintf(stderr, "bpagg rebuild: archived files were refused (named above); "
		    "rolled back, the store was not changed. Each must merge again before "
		    "a rebuild can run: see bpagg(1), rebuild\n");
		goto out;
	}
	in_tx = false;
	if (bp_store_commit(bp_ingest_store(g)) < 0) {
		fprintf(stderr, "bpagg rebuild: cannot commit; the store was not changed\n");
		rc = EX_IOERR;
		goto out;
	}
	bp_ingest_free(g);
	g = NULL;
	if (bp_store_swap_in(c, fresh, err, sizeof(err)) < 0) {
		fprintf(stderr, "bpagg rebuild: %s; the store was not changed\n", err);
		rc = EX_IOERR;
		goto out;
	}
	swapped = true;
	fprintf(stderr, "bpagg rebuild: committed%s%s\n", err[0] ? "; " : "", err);
out:
	if (in_tx)
		bp_store_rollback(bp_ingest_store(g));
	bp_ingest_free(g);
	if (fresh && !swapped)
		discard_fresh(fresh);
	free(fresh);
	free(l.v);
	free(rs.v);
	rlist_free(&rl);
	return rc;
}

int
bp_cmd_rebuild(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "conf", required_argument, NULL, 'c' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bp_config conf;
	const char *conf_path = NULL;
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': conf_path = optarg; break;
		case 'h':
			printf("usage: bpagg rebuild [-c CONF]\n\n"
			    "Rebuilds the store from the archived submissions, in the order they\n"
			    "were applied, in one transaction (SQLite: beside the old store, swapped\n"
			    "in only when complete; PostgreSQL: in place), after a change of\n"
			    "[measures], or a store lost or damaged. Files signed with a key since\n"
			    "replaced are verified with the keys register --replace kept in\n"
			    "keys/retired/. Refuses to run while bpaggd runs. See bpagg(1).\n\n"
			    "  -c, --conf CONF  the installation's bpagg.conf (also --config; default:\n"
			    "                   $BPAGG_CONF, else " BP_CONFIG_DEFAULT ")\n"
			    "  -h, --help       this help\n");
			return 0;
		default: fprintf(stderr, "usage: bpagg rebuild [-c CONF]\n"); return EX_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "usage: bpagg rebuild [-c CONF]\n");
		return EX_USAGE;
	}
	if ((rc = bp_cli_load_conf("rebuild", conf_path, &conf)) == 0) {
		/* Never beside a running bpaggd: held until the rebuild is done. */
		char err[PATH_MAX + 128];
		int lockfd, l = bp_lock_install(&conf, &lockfd, err, sizeof(err));
		if (l != 0) {
			fprintf(stderr, "bpagg rebuild: %s%s\n", err,
			    l > 0 ? "; stop bpaggd first" : "");
			rc = l > 0 ? EX_TEMPFAIL : EX_CANTCREAT;
		} else {
			/* Keeps bpagg reset-sequence out until the swap is done. */
			int rfd;
			if (bp_lock_rebuild(&conf, true, &rfd, err, sizeof(err)) != 0) {
				fprintf(stderr, "bpagg rebuild: %s\n", err);
				rc = EX_CANTCREAT;
			} else {
				rc = rebuild(&conf);
				close(rfd);
			}
			close(lockfd);
		}
	}
	bp_config_free(&conf);
	return rc;
}
