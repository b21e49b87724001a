/*
 * publish.c - a release end to end (bpagg publish); see publish.h. Its
 * audit (bpagg audit) is audit.c; what both read, run.c.
 *
 * A release is written in this order, so that the suppression log is the
 * point of commitment and a kill at any instant leaves nothing the tools
 * refuse:
 *   1. the log is opened and locked (flock, exclusive) for the whole run,
 *      verified, and what an interrupted publish left is recovered
 *      (recover.c);
 *   2. --out is checked and its hidden folder made (release_dir.c);
 *   3. tables are built from the store and suppressed (a failure here writes
 *      nothing);
 *   4. the files are written into DIR/releases.staging/ID/ beside the log
 *      and copied into the hidden --out folder, all synced;
 *   5. the release, cell and seal entries are appended in one write + fsync;
 *   6. the staged folder becomes DIR/releases/ID/ (the kept copy the audit
 *      and the next release of the year read), the hidden folder --out DIR.
 */
#include "publish.h"

#include <limits.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "json.h"
#include "keys.h"
#include "recover.h"
#include "release_dir.h"
#include "run.h"
#include "suplog.h"

/* ---- writing a release --------------------------------------------------- */

struct cellctx {
	struct bp_suplog *log;
	const char *release;
};

static int
log_cell(const struct bp_sup_cell *c, void *ud)
{
	struct cellctx *x = ud;
	json_t *e = json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:s}", "type", "cell",
	    "release", x->release, "table", bp_json_text(c->table),
	    "level", bp_json_text(c->level), "area", bp_json_text(c->area),
	    "category", bp_json_text(c->category),
	    "breakdown_value", bp_json_text(c->breakdown_value),
	    "reason", bp_reason_name(c->reason));
	int rc = e && bp_suplog_add(x->log, e) == 0 ? 0 : -1;
	json_decref(e);
	return rc;
}

static void
make_release_id(int year, char *id, size_t len, char *iso, size_t isolen)
{
	time_t now = time(NULL);
	struct tm tm;
	uint8_t rnd[4];
	char hex[9], stamp[32];
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	strftime(iso, isolen, "%Y-%m-%dT%H:%M:%SZ", &tm);
	randombytes_buf(rnd, sizeof(rnd));
	bp_hex(rnd, sizeof(rnd), hex);
	snprintf(id, len, "%d-%s-%s", year, stamp, hex);
}

/* What one release file is written from (write_file). */
struct filectx {
	const struct bp_tables *t;
	int f;
	const char *text;   /* release.json */
};

static int
write_file(FILE *fp, void *ud)
{
	const struct filectx *x = ud;
	switch (x->f) {
	case F_TABLES: return bp_tables_write_tables(x->t, fp);
	case F_SUMS: return bp_tables_write_sums(x->t, fp);
	case F_COVERAGE: return bp_tables_write_coverage(x->t, fp);
	case F_JSON: return bp_tables_write_json(x->t, fp);
	default: return fputs(x->text, fp) < 0 || fputc('\n', fp) < 0 ? -1 : 0;
	}
}

/* The share of hidden cells per level, in percent to one decimal, as
 * strings (the form release.json has always had). NULL on ENOMEM. */
static json_t *
hidden_json(const struct bp_tables *t)
{
	double sh[3];
	char v[3][16];
	bp_tables_hidden_shares(t, sh);
	for (int k = 0; k < 3; k++)
		snprintf(v[k], sizeof(v[k]), "%.1f", sh[k]);
	return json_pack("{s:s,s:s,s:s}", "nasjonal", v[0], "fylke", v[1], "kommune", v[2]);
}

/*
 * The log entry's "received": each kommune read, by number, with the unix
 * time its latest submission was applied. A later release of the year
 * takes a kommune whose time differs as resubmitted (republish model 6;
 * model 5 compared the store's time with this release's), and the audit
 * re-derives a release with the times it was made with, not the store's
 * of the day: a kommune that sends the same rows again later leaves the
 * store's figures (and the input digest) as they were but its time newer.
 * A new reference; NULL on ENOMEM.
 */
static json_t *
received_json(const struct bp_run_inputs *in)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < in->n; i++)
		if (in->k[i].received > 0 &&
		    json_object_set_new(o, in->k[i].nr, json_integer(in->k[i].received)) < 0) {
			json_decref(o);
			return NULL;
		}
	return o;
}

/*
 * The members a release.json and the log's release entry share, in this
 * order: release, time, year, previous (null for the first release of the
 * year), settings, input. A new reference; NULL on ENOMEM.
 */
static json_t *
release_head(const char *id, const char *iso, int year, const char *previd,
    const json_t *settings, const char *input)
{
	return json_pack("{s:s,s:s,s:i,s:o,s:O,s:s}", "release", id, "time", iso,
	    "year", year, "previous", *previd ? json_string(previd) : json_null(),
	    "settings", settings, "input", input);
}

/*
 * Writes the release files into the staged kept folder and returns the
 * log's release entry in *entry (a new reference the caller decrefs).
 */
static int
write_kept(struct bp_stage *st, struct bp_run *r, const char *id, const char *iso,
    int year, bool json, const json_t *settings, const char *previd, json_t **entry,
    char *err, size_t errlen)
{
	char hex[65], in[65];
	uint8_t d[NFILES][32], dig[32];
	struct filectx x = { r->t, 0, NULL };
	json_t *files = json_object(), *rel = NULL;
	char *text = NULL;
	int ret = -1;

	*entry = NULL;
	bp_tables_input_digest(r->t, dig);
	bp_hex(dig, 32, in);
	for (int f = 0; files && f < F_RELEASE; f++) {
		if (f == F_JSON && !json)
			continue;
		x.f = f;
		if (bp_stage_write(st, bp_release_files[f], write_file, &x, d[f], err, errlen) < 0)
			goto out;
		bp_hex(d[f], 32, hex);
		if (json_object_set_new(files, bp_release_files[f], json_string(hex)) < 0)
			goto nomem;
	}
	if (!files || !(rel = release_head(id, iso, year, previd, settings, in)) ||
	    json_object_set_new(rel, "hidden", hidden_json(r->t)) < 0 ||
	    json_object_set(rel, "files", files) < 0 ||
	    !(text = json_dumps(rel, JSON_COMPACT | BP_JSON_FLAGS)))
		goto nomem;
	x.f = F_RELEASE;
	x.text = text;
	if (bp_stage_write(st, bp_release_files[F_RELEASE], write_file, &x, d[F_RELEASE], err,
	    errlen) < 0)
		goto out;
	bp_hex(d[F_RELEASE], 32, hex);
	/* The log's entry: the same head, the digests with release.json's, and
	 * when each kommune's submission read was applied (received_json). */
	if (!(*entry = json_pack("{s:s}", "type", "release")) ||
	    json_object_update(*entry, rel) < 0 ||
	    json_object_del(*entry, "hidden") < 0 ||
	    json_object_set_new(files, "release.json", json_string(hex)) < 0 ||
	    json_object_set(*entry, "files", files) < 0 ||
	    json_object_set_new(*entry, "received", received_json(&r->in)) < 0)
		goto nomem;
	ret = 0;
	goto out;
nomem:
	snprintf(err, errlen, "out of memory writing release.json");
out:
	if (ret < 0) {
		json_decref(*entry);
		*entry = NULL;
	}
	free(text);
	json_decref(rel);
	json_decref(files);
	return ret;
}

/* Counts a suppressed cell by its reason (dry_summary). */
static int
count_reason(const struct bp_sup_cell *c, void *ud)
{
	size_t *n = ud;
	n[(unsigned)c->reason < 5 ? c->reason : 0]++;
	return 0;
}

/* The kommuner of r whose submission is kind to the previous release, as
 * " NNNN NNNN ..." (the first 20, then "..."), and how many, to f. */
static void
since_list(FILE *f, const struct bp_run *r, enum bp_since kind, const char *what)
{
	size_t n = 0;

	for (size_t i = 0; i < r->in.n; i++)
		if (bp_prev_since(r->prev, r->in.k[i].nr, r->in.k[i].received) == kind)
			n++;
	if (n == 0)
		return;
	fprintf(f, "; %s %zu:", what, n);
	for (size_t i = 0, k = 0; i < r->in.n && k < 20; i++)
		if (bp_prev_since(r->prev, r->in.k[i].nr, r->in.k[i].received) == kind)
			fprintf(f, " %s%s", r->in.k[i].nr, ++k == 20 && n > 20 ? " ..." : "");
}

/* What a dry run of o->year found, to o->dry_out: the kommuner that
 * submitted since the previous release, the hidden shares per level (as
 * release.json has them) and the hidden cells by reason. 0, or EX_IOERR. */
static int
dry_summary(const struct bp_publish_opts *o, const struct bp_run *r, const char *previd,
    char *err, size_t errlen)
{
	const struct bp_tables *t = r->t;
	size_t n[5] = { 0 };
	double sh[3];
	FILE *f = o->dry_out ? o->dry_out : stdout;

	bp_tables_hidden_shares(t, sh);
	bp_tables_foreach_suppressed(t, count_reason, n);
	fprintf(f, "dry run: %d as bpagg publish would release it now (nothing written)\n",
	    o->year);
	if (*previd) {
		fprintf(f, "republished after release %s", previd);
		since_list(f, r, BP_SINCE_NEW, "kommuner new since");
		since_list(f, r, BP_SINCE_AGAIN, "resubmitted since");
		since_list(f, r, BP_SINCE_AFTER, "submitted after it");
		fprintf(f, "\n");
	}
	fprintf(f, "hidden count cells: nasjonal %.1f %%, fylke %.1f %%, kommune %.1f %%\n",
	    sh[0], sh[1], sh[2]);
	fprintf(f, "hidden cells by reason: primary %zu, secondary %zu, linked %zu, "
	    "difference %zu\n", n[BP_REASON_PRIMARY], n[BP_REASON_SECONDARY],
	    n[BP_REASON_LINKED], n[BP_REASON_DIFFERENCE]);
	if (fflush(f) != 0 || ferror(f)) {
		snprintf(err, errlen, "cannot write the dry run's summary");
		return EX_IOERR;
	}
	return 0;
}

/*
 * The order makes the suppression log the point of commitment, and any
 * instant safe to be killed at (see release_dir.h): the files are staged
 * and synced, then logged (one write, fsync), then moved into releases/
 * and --out.
 */
int
bp_publish(const struct bp_config *c, const struct bp_publish_opts *o, char *id,
    size_t idlen, char *err, size_t errlen)
{
	struct bp_run r = { 0 };
	struct bp_pub_settings s;
	struct bp_stage st;
	struct bp_outdir od;
	char path[PATH_MAX], iso[32], previd[128] = "";
	json_t *settings = NULL, *entry = NULL;
	uint8_t regdig[32];
	int ret = EX_SOFTWARE;

	memset(&st, 0, sizeof(st));
	st.dirfd = -1;
	memset(&od, 0, sizeof(od));
	od.tmpfd = -1;
	r.log.fd = -1;
	if (bp_pub_settings_from_conf(c, o->levels, &s, err, errlen) < 0) {
		bp_pub_settings_free(&s);
		return EX_CONFIG;
	}
	if (bp_run_load_registry(c->registry, &r.reg, regdig, err, errlen) < 0) {
		bp_pub_settings_free(&s);
		return EX_CONFIG;
	}
	r.reg_loaded = true;
	/* a dry run seals nothing: whoever may read the store and the log may
	 * run one without the signing key */
	snprintf(path, sizeof(path), "%s/daemon.sign.sk", c->keys);
	if (!o->dry_run && bp_key_load(path, BP_KEY_SIGN_SK, &r.sk, err, errlen) < 0) {
		ret = EX_NOPERM;
		goto out;
	}
	r.sk_loaded = !o->dry_run;
	/* Progress: the steps done of six, from this top level only. */
	bp_progress_report(&o->progress, "checking the suppression log", 0, 6);
	if (bp_suplog_open(c->suppression_log, o->dry_run, &r.log, err, errlen) < 0) {
		ret = EX_IOERR;
		goto out;
	}
	if (o->dry_run && r.log.ncommitted < r.log.nline) {
		snprintf(err, errlen, "%s ends with a publish that did not finish; the next "
		    "bpagg publish rolls it back (a dry run changes nothing)", c->suppression_log);
		ret = 1;
		goto out;
	}
	if (!o->dry_run &&
	    (ret = bp_publish_recover(c, &r.log, &r.sk, o->notes, err, errlen)) != 0)
		goto out;
	ret = EX_SOFTWARE;
	size_t p = bp_log_last_release(&r.log, o->year, r.log.nline);
	if (p != SIZE_MAX) {
		bp_suplog_get(&r.log, p, "release", previd, sizeof(previd));
		if (!strcmp(c->republish_rule, "refuse")) {
			snprintf(err, errlen, "%d was published before (release %s) and "
			    "republish_rule is refuse", o->year, previd);
			ret = 1;
			goto out;
		}
		if (bp_log_load_prev(c, &r.log, p, s.republish_model >= 2, &r.prev, err, errlen) < 0) {
			ret = EX_DATAERR;
			goto out;
		}
	}
	/* --out is checked, and its hidden folder made, before anything is
	 * logged. */
	if (!o->dry_run &&
	    bp_out_begin(c, o->outdir, bp_release_files, NFILES, &od, err, errlen) < 0) {
		ret = EX_CANTCREAT;
		goto out;
	}
	bp_progress_report(&o->progress, "reading the store", 1, 6);
	/* stamped as the store is read: a submission applied after it is
	 * after the release (republish model 5) */
	make_release_id(o->year, id, idlen, iso, sizeof(iso));
	if ((ret = bp_run_load_inputs(c, o->year, &s.measures, &r.in, err, errlen)) != 0)
		goto out;
	ret = EX_SOFTWARE;
	if (r.in.n == 0) {
		snprintf(err, errlen, "no kommune has reported for %d", o->year);
		ret = EX_NOINPUT;
		goto out;
	}
	bp_progress_report(&o->progress, "building the tables", 2, 6);
	if (bp_tables_build(o->year, r.in.k, r.in.n, &r.reg, &s, &r.t, err, errlen) < 0) {
		ret = EX_DATAERR;
		goto out;
	}
	char newtab[160];
	if (r.prev && bp_prev_new_table(r.t, r.prev, newtab, sizeof(newtab))) {
		snprintf(err, errlen, "%d was published before (release %s) without the table %s; "
		    "a republished year keeps to the levels and tables of its previous release, "
		    "or the two could be combined (publish the same --level and profile, or "
		    "fewer)", o->year, previd, newtab);
		ret = 1;
		goto out;
	}
	bp_progress_report(&o->progress, "suppressing and auditing", 3, 6);
	if (bp_tables_suppress(r.t, r.prev, err, errlen) < 0) {
		ret = 1;
		goto out;
	}
	if (bp_tables_earlier_bound(r.t) > 0 && o->notes)
		fprintf(o->notes, "note: %zu hidden cell%s stay%s bounded below min_cell by what "
		    "earlier releases of %d printed (release %s and before); no pattern of this "
		    "release can widen %s\n", bp_tables_earlier_bound(r.t),
		    bp_tables_earlier_bound(r.t) == 1 ? "" : "s",
		    bp_tables_earlier_bound(r.t) == 1 ? "s" : "", o->year, previd,
		    bp_tables_earlier_bound(r.t) == 1 ? "it" : "them");
	if (o->dry_run) {
		ret = dry_summary(o, &r, previd, err, errlen);
		id[0] = '\0';
		goto out;
	}
	bp_progress_report(&o->progress, "writing the release", 4, 6);
	if (!(settings = bp_settings_json(c, &s, regdig))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (bp_stage_begin(c, id, &st, err, errlen) < 0 ||
	    write_kept(&st, &r, id, iso, o->year, o->json, settings, previd, &entry,
	    err, errlen) < 0 || bp_stage_sync(&st, err, errlen) < 0) {
		ret = EX_IOERR;
		goto out;
	}
	for (int f = 0; f < NFILES; f++) {
		if (f == F_JSON && !o->json)
			continue;
		if (bp_out_copy(&od, &st, bp_release_files[f], err, errlen) < 0) {
			ret = EX_CANTCREAT;
			goto out;
		}
	}
	bp_progress_report(&o->progress, "logging the release", 5, 6);
	struct cellctx cx = { &r.log, id };
	if (bp_suplog_add(&r.log, entry) < 0 ||
	    bp_tables_foreach_suppressed(r.t, log_cell, &cx) != 0 ||
	    bp_suplog_seal(&r.log, id, &r.sk) < 0) {
		snprintf(err, errlen, "cannot prepare the suppression log entries");
		goto out;
	}
	if (bp_suplog_commit(&r.log, err, errlen) < 0) {
		ret = EX_IOERR;
		goto out;
	}
	/* Logged: a failure from here leaves a release the next publish
	 * finishes (releases/) or that can be copied from releases/ (--out). */
	char e2[512];
	if (bp_stage_commit(&st, e2, sizeof(e2)) < 0) {
		snprintf(err, errlen, "%s (release %s is logged; the next bpagg publish "
		    "moves its kept files into place)", e2, id);
		ret = EX_IOERR;
		goto out;
	}
	if (bp_out_commit(&od, e2, sizeof(e2)) < 0) {
		snprintf(err, errlen, "%s (release %s is logged and kept in %s)", e2, id, st.kept);
		ret = EX_CANTCREAT;
		goto out;
	}
	bp_progress_report(&o->progress, "published", 6, 6);
	err[0] = '\0';
	ret = 0;
out:
	json_decref(entry);
	json_decref(settings);
	bp_out_abort(&od);
	bp_stage_abort(&st);
	bp_run_free(&r);
	bp_pub_settings_free(&s);
	return ret;
}
