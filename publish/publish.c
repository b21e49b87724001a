/*
 * publish.c - a release end to end (bpagg publish) and its audit
 * (bpagg audit); see publish.h.
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

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "keys.h"
#include "store.h"
#include "recover.h"
#include "release_dir.h"
#include "suplog.h"

#define NFILES 5
static const char *const file_names[NFILES] = {
	"tables.csv", "sums.csv", "coverage.csv", "tables.json", "release.json",
};
enum { F_TABLES, F_SUMS, F_COVERAGE, F_JSON, F_RELEASE };

/* ---- the inputs of a release ------------------------------------------ */

/* The tallies of a year, copied out of the store. */
struct inputs {
	struct bp_pub_kommune *k;
	struct bp_tally *t;
	size_t n, cap;
};

static void
inputs_free(struct inputs *in)
{
	for (size_t i = 0; i < in->n; i++)
		bp_tally_free(&in->t[i]);
	free(in->k);
	free(in->t);
	memset(in, 0, sizeof(*in));
}

static int
inputs_cb(const char *kommune, const struct bp_tally *t, void *ud)
{
	struct inputs *in = ud;
	if (in->n == in->cap) {
		size_t cap = in->cap ? in->cap * 2 : 64;
		struct bp_pub_kommune *k = realloc(in->k, cap * sizeof(*k));
		if (k)
			in->k = k;
		struct bp_tally *tt = realloc(in->t, cap * sizeof(*tt));
		if (tt)
			in->t = tt;
		if (!k || !tt)
			return -1;
		in->cap = cap;
	}
	if (bp_tally_init(&in->t[in->n]) < 0)
		return -1;
	bp_tally_add(&in->t[in->n], t);
	snprintf(in->k[in->n].nr, sizeof(in->k[in->n].nr), "%s", kommune);
	in->n++;
	return 0;
}

/* Reads the tallies of year made under measure settings m. */
static int
load_inputs(const struct bp_config *c, int year, const struct bp_measure_settings *m,
    struct inputs *in, char *err, size_t errlen)
{
	bp_store *s = NULL;
	uint8_t cat[32];
	int rc = bp_store_open_existing(c, &s, err, errlen);
	if (rc == 1) {
		snprintf(err, errlen, "%s: no store yet", c->store_path);
		return EX_NOINPUT;
	}
	if (rc < 0)
		return EX_IOERR;
	/* The thorough integrity check before anything is released from it. */
	if (bp_store_check(s, 1, err, errlen) < 0) {
		bp_store_close(s);
		return EX_DATAERR;
	}
	bp_catalogue_id(m, cat);
	rc = bp_store_foreach_tally(s, year, cat, inputs_cb, in);
	bp_store_close(s);
	if (rc != 0) {
		snprintf(err, errlen, "cannot read the tallies of %d (a store made under other "
		    "settings must be rebuilt: bpagg rebuild)", year);
		return EX_DATAERR;
	}
	for (size_t i = 0; i < in->n; i++)
		in->k[i].t = &in->t[i];
	return 0;
}

/* ---- paths --------------------------------------------------------------- */

/* ---- the log's view of releases ---------------------------------------- */

/* The line index of the last release entry of year before line `before`
 * (SIZE_MAX: none). */
static size_t
last_release_of_year(const struct bp_suplog *l, int year, size_t before)
{
	char type[16], y[16], want[16];
	size_t found = SIZE_MAX;
	snprintf(want, sizeof(want), "%d", year);
	for (size_t i = 0; i < before && i < l->nline; i++)
		if (bp_suplog_get(l, i, "type", type, sizeof(type)) == 0 &&
		    !strcmp(type, "release") &&
		    bp_suplog_get(l, i, "year", y, sizeof(y)) == 0 && !strcmp(y, want))
			found = i;
	return found;
}

static int
line_get(const struct bp_suplog *l, size_t i, const char *key, char *out, size_t len)
{
	return bp_suplog_get(l, i, key, out, len);
}

/* Checks the kept files of the release entry at line i against its digests.
 * 0, or -1 with why. */
static int
check_kept(const struct bp_config *c, const struct bp_suplog *l, size_t i, char *why,
    size_t whylen)
{
	char id[128], key[64], want[80], got[65], path[PATH_MAX], dir[PATH_MAX - 64];
	uint8_t d[32];
	if (line_get(l, i, "release", id, sizeof(id)) != 0) {
		snprintf(why, whylen, "release entry without id");
		return -1;
	}
	/* The last release may still be staged: its publish stopped between
	 * logging it and moving its folder in (the next publish finishes). */
	char sealed[128];
	bool last = i < l->ncommitted && l->ncommitted > 0 &&
	    line_get(l, l->ncommitted - 1, "release", sealed, sizeof(sealed)) == 0 &&
	    !strcmp(sealed, id);
	if (bp_release_kept_dir(c, id, last, dir, sizeof(dir)) < 0) {
		snprintf(why, whylen, "kept release folder missing");
		return -1;
	}
	for (int f = 0; f < NFILES; f++) {
		snprintf(key, sizeof(key), "files.%s", file_names[f]);
		if (line_get(l, i, key, want, sizeof(want)) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, file_names[f]);
		if (bp_digest_file(path, d) < 0) {
			snprintf(why, whylen, "kept release file %s missing", file_names[f]);
			return -1;
		}
		bp_hex(d, 32, got);
		if (strcmp(got, want)) {
			snprintf(why, whylen, "kept release file %s does not match its digest",
			    file_names[f]);
			return -1;
		}
	}
	return 0;
}

/* Loads the previous release (line index p) for the difference rule. */
static int
load_prev(const struct bp_config *c, const struct bp_suplog *l, size_t p,
    struct bp_prev **prev, char *err, size_t errlen)
{
	char id[128], t[PATH_MAX], s[PATH_MAX];
	if (check_kept(c, l, p, err, errlen) < 0 ||
	    line_get(l, p, "release", id, sizeof(id)) != 0)
		return -1;
	bp_release_kept_file(c, id, "tables.csv", t, sizeof(t));
	bp_release_kept_file(c, id, "sums.csv", s, sizeof(s));
	return bp_prev_load(t, s, prev, err, errlen);
}

/* ---- settings as recorded ---------------------------------------------- */

/* The levels of a release as "nasjonal,fylke,kommune" (those chosen). */
static void
levels_text(unsigned levels, char *lv, size_t len)
{
	lv[0] = '\0';
	for (unsigned b = BP_LEVEL_NASJONAL; b <= BP_LEVEL_KOMMUNE; b <<= 1)
		if (levels & b)
			snprintf(lv + strlen(lv), len - strlen(lv), "%s%s", *lv ? "," : "",
			    bp_level_name(b));
}

/*
 * The "settings" object of a release entry and of release.json, members
 * in the order of bpagg.conf(5): [measures], then [publish], then the
 * release's levels and the digests of the catalogue and registry. A new
 * reference the caller json_decref()s; NULL on ENOMEM.
 */
static json_t *
settings_json(const struct bp_config *c, const struct bp_pub_settings *s,
    const uint8_t regdig[32])
{
	char bd[512], cat[65], reg[65], lv[64], pdig[65];
	uint8_t cid[32];
	bp_pub_format_breakdowns(s, bd, sizeof(bd));
	bp_catalogue_id(&s->measures, cid);
	bp_hex(cid, 32, cat);
	bp_hex(regdig, 32, reg);
	levels_text(s->levels, lv, sizeof(lv));
	json_t *o = json_pack("{s:i,s:f,s:f,s:f,s:I,s:b}",
	    "rop_definition", s->measures.rop_definition,
	    "lki_cut_gul", s->measures.lki_cut[0], "lki_cut_rod", s->measures.lki_cut[1],
	    "lki_cut_blalys", s->measures.lki_cut[2],
	    "min_cell", (json_int_t)s->min_cell, "suppress_zero", s->suppress_zero);
	if (o && s->profile) {
		bp_hex(s->profile->digest, 32, pdig);
		if (json_object_set_new(o, "profile", bp_json_text(s->profile->name)) < 0 ||
		    json_object_set_new(o, "profile_digest", json_string(pdig)) < 0)
			goto fail;
	}
	if (o && (json_object_set_new(o, "kommune_breakdowns", bp_json_text(bd)) < 0 ||
	    json_object_set_new(o, "republish_rule", bp_json_text(c->republish_rule)) < 0 ||
	    json_object_set_new(o, "shared_cells",
	    json_string(s->per_table ? "per_table" : "consistent")) < 0 ||
	    json_object_set_new(o, "method",
	    json_string(s->release_model ? "release" : "per_group")) < 0 ||
	    (s->release_model && json_object_set_new(o, "model",
	    json_integer((json_int_t)s->model_version)) < 0) ||
	    json_object_set_new(o, "levels", json_string(lv)) < 0 ||
	    json_object_set_new(o, "catalogue", json_string(cat)) < 0 ||
	    json_object_set_new(o, "registry", json_string(reg)) < 0 ||
	    json_object_set_new(o, "version", json_string(PACKAGE_VERSION)) < 0))
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

/* Reads the settings of the release entry at line i back. 0 or -1. */
static int
settings_read(const struct bp_suplog *l, size_t i, struct bp_pub_settings *s,
    char *rule, size_t rulelen, char *regdig, size_t reglen)
{
	char v[512], lv[64];
	memset(s, 0, sizeof(*s));
	bp_measure_settings_default(&s->measures);
	if (line_get(l, i, "settings.min_cell", v, sizeof(v)) != 0)
		return -1;
	s->min_cell = (unsigned)strtoul(v, NULL, 10);
	if (line_get(l, i, "settings.suppress_zero", v, sizeof(v)) != 0)
		return -1;
	s->suppress_zero = !strcmp(v, "true");
	if (line_get(l, i, "settings.levels", lv, sizeof(lv)) != 0)
		return -1;
	char *save = NULL;
	for (char *tok = strtok_r(lv, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		s->levels |= bp_level_parse(tok);
	if (line_get(l, i, "settings.kommune_breakdowns", v, sizeof(v)) != 0 ||
	    bp_pub_parse_breakdowns(v, s) < 0)
		return -1;
	if (line_get(l, i, "settings.rop_definition", v, sizeof(v)) != 0)
		return -1;
	s->measures.rop_definition = atoi(v);
	static const char *const cuts[3] = { "settings.lki_cut_gul", "settings.lki_cut_rod",
		"settings.lki_cut_blalys" };
	for (int k = 0; k < 3; k++) {
		if (line_get(l, i, cuts[k], v, sizeof(v)) != 0)
			return -1;
		s->measures.lki_cut[k] = strtod(v, NULL);
	}
	/* Releases made before the setting existed were per table. */
	s->per_table = line_get(l, i, "settings.shared_cells", v, sizeof(v)) != 0 ||
	    !strcmp(v, "per_table");
	/* Releases logged without a method were made per group (model.c). */
	s->release_model = line_get(l, i, "settings.method", v, sizeof(v)) == 0 &&
	    !strcmp(v, "release");
	/* Releases of the release method logged without a model version were
	 * made by its first form, without the relations between indicators. */
	s->model_version = line_get(l, i, "settings.model", v, sizeof(v)) == 0 ?
	    (unsigned)strtoul(v, NULL, 10) : 1;
	if (s->release_model && (s->model_version < 1 ||
	    s->model_version > BP_RELEASE_MODEL_VERSION))
		return -1;
	if (line_get(l, i, "settings.republish_rule", rule, rulelen) != 0 ||
	    line_get(l, i, "settings.registry", regdig, reglen) != 0)
		return -1;
	return s->min_cell >= 1 && s->levels ? 0 : -1;
}

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

/* Everything one publish run holds, freed by run_free. */
struct run {
	struct bp_registry reg;
	bool reg_loaded;
	struct bp_key sk;
	bool sk_loaded;
	struct inputs in;
	struct bp_suplog log;
	struct bp_prev *prev;
	struct bp_tables *t;
};

static void
run_free(struct run *r)
{
	if (r->reg_loaded)
		bp_registry_free(&r->reg);
	if (r->sk_loaded)
		bp_key_free(&r->sk);
	inputs_free(&r->in);
	bp_suplog_close(&r->log);
	bp_prev_free(r->prev);
	bp_tables_free(r->t);
}

static int
load_registry(const char *path, struct bp_registry *reg, uint8_t dig[32], char *err,
    size_t errlen)
{
	struct bp_diags d;
	bp_diags_init(&d);
	int rc = bp_registry_load(path, reg, &d);
	if (rc < 0)
		snprintf(err, errlen, "%s:%lu: invalid kommune registry", path,
		    d.n ? d.v[0].line : 0ul);
	bp_diags_free(&d);
	if (rc == 0 && bp_digest_file(path, dig) < 0) {
		bp_registry_free(reg);
		snprintf(err, errlen, "%s: cannot read", path);
		rc = -1;
	}
	return rc;
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
write_kept(struct bp_stage *st, struct run *r, const char *id, const char *iso,
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
		if (bp_stage_write(st, file_names[f], write_file, &x, d[f], err, errlen) < 0)
			goto out;
		bp_hex(d[f], 32, hex);
		if (json_object_set_new(files, file_names[f], json_string(hex)) < 0)
			goto nomem;
	}
	if (!files || !(rel = release_head(id, iso, year, previd, settings, in)) ||
	    json_object_set_new(rel, "hidden", hidden_json(r->t)) < 0 ||
	    json_object_set(rel, "files", files) < 0 ||
	    !(text = json_dumps(rel, JSON_COMPACT | BP_JSON_FLAGS)))
		goto nomem;
	x.f = F_RELEASE;
	x.text = text;
	if (bp_stage_write(st, file_names[F_RELEASE], write_file, &x, d[F_RELEASE], err,
	    errlen) < 0)
		goto out;
	bp_hex(d[F_RELEASE], 32, hex);
	/* The log's entry: the same head, and the digests with release.json's. */
	if (!(*entry = json_pack("{s:s}", "type", "release")) ||
	    json_object_update(*entry, rel) < 0 ||
	    json_object_del(*entry, "hidden") < 0 ||
	    json_object_set_new(files, "release.json", json_string(hex)) < 0 ||
	    json_object_set(*entry, "files", files) < 0)
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
	struct run r = { 0 };
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
	if (load_registry(c->registry, &r.reg, regdig, err, errlen) < 0) {
		bp_pub_settings_free(&s);
		return EX_CONFIG;
	}
	r.reg_loaded = true;
	snprintf(path, sizeof(path), "%s/daemon.sign.sk", c->keys);
	if (bp_key_load(path, BP_KEY_SIGN_SK, &r.sk, err, errlen) < 0) {
		ret = EX_NOPERM;
		goto out;
	}
	r.sk_loaded = true;
	/* Progress: the steps done of six, from this top level only. */
	bp_progress_report(&o->progress, "checking the suppression log", 0, 6);
	if (bp_suplog_open(c->suppression_log, false, &r.log, err, errlen) < 0) {
		ret = EX_IOERR;
		goto out;
	}
	if ((ret = bp_publish_recover(c, &r.log, &r.sk, o->notes, err, errlen)) != 0)
		goto out;
	ret = EX_SOFTWARE;
	size_t p = last_release_of_year(&r.log, o->year, r.log.nline);
	if (p != SIZE_MAX) {
		line_get(&r.log, p, "release", previd, sizeof(previd));
		if (!strcmp(c->republish_rule, "refuse")) {
			snprintf(err, errlen, "%d was published before (release %s) and "
			    "republish_rule is refuse", o->year, previd);
			ret = 1;
			goto out;
		}
		if (load_prev(c, &r.log, p, &r.prev, err, errlen) < 0) {
			ret = EX_DATAERR;
			goto out;
		}
	}
	/* --out is checked, and its hidden folder made, before anything is
	 * logged. */
	if (bp_out_begin(c, o->outdir, file_names, NFILES, &od, err, errlen) < 0) {
		ret = EX_CANTCREAT;
		goto out;
	}
	bp_progress_report(&o->progress, "reading the store", 1, 6);
	if ((ret = load_inputs(c, o->year, &s.measures, &r.in, err, errlen)) != 0)
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
	bp_progress_report(&o->progress, "suppressing and auditing", 3, 6);
	if (bp_tables_suppress(r.t, r.prev, err, errlen) < 0) {
		ret = 1;
		goto out;
	}
	bp_progress_report(&o->progress, "writing the release", 4, 6);
	make_release_id(o->year, id, idlen, iso, sizeof(iso));
	if (!(settings = settings_json(c, &s, regdig))) {
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
		if (bp_out_copy(&od, &st, file_names[f], err, errlen) < 0) {
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
	run_free(&r);
	bp_pub_settings_free(&s);
	return ret;
}

/* ---- audit ---------------------------------------------------------------- */

struct cmpctx {
	const struct bp_suplog *l;
	size_t at;          /* next log line to compare */
	size_t end;         /* the seal line of the release */
	size_t bad;         /* first mismatching line (1-based), 0 none */
};

static int
cmp_cell(const struct bp_sup_cell *c, void *ud)
{
	struct cmpctx *x = ud;
	char v[128], type[16];
	const char *want[6] = { c->table, c->level, c->area, c->category,
		c->breakdown_value, bp_reason_name(c->reason) };
	static const char *const keys[6] = { "table", "level", "area", "category",
		"breakdown_value", "reason" };
	if (x->at >= x->end || line_get(x->l, x->at, "type", type, sizeof(type)) != 0 ||
	    strcmp(type, "cell")) {
		x->bad = x->at + 1;
		return 1;
	}
	for (int k = 0; k < 6; k++)
		if (line_get(x->l, x->at, keys[k], v, sizeof(v)) != 0 || strcmp(v, want[k])) {
			x->bad = x->at + 1;
			return 1;
		}
	x->at++;
	return 0;
}

/* Loads the profile the release entry at line i names into s (none named:
 * the whole catalogue, as before profiles existed). 0; 2 when the profile
 * now selects other tables than it did (note in err); 1 when it cannot be
 * read. */
static int
recorded_profile(const struct bp_config *c, const struct bp_suplog *l, size_t i,
    const char *id, struct bp_pub_settings *s, char *err, size_t errlen)
{
	char name[128], want[80], have[65], path[PATH_MAX], dir[PATH_MAX];
	const char *slash = c->path ? strrchr(c->path, '/') : NULL;

	if (line_get(l, i, "settings.profile", name, sizeof(name)) != 0)
		return 0;
	if (line_get(l, i, "settings.profile_digest", want, sizeof(want)) != 0) {
		snprintf(err, errlen, "%zu: release entry names a profile without its digest",
		    i + 1);
		return 1;
	}
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - c->path) : 1,
	    slash ? c->path : ".");
	if (bp_profile_path(name, dir, path, sizeof(path), err, errlen) < 0 ||
	    bp_profile_load(path, name, &s->profile, err, errlen) < 0)
		return 1;
	bp_hex(s->profile->digest, 32, have);
	if (strcmp(have, want)) {
		snprintf(err, errlen, "release %s: profile \"%s\" now selects other tables "
		    "than when the release was made; not re-derived", id, name);
		return 2;
	}
	return 0;
}

/* Re-derives the release at line i; 0 holds, 1 mismatch (err), 2 skipped
 * (note in err), other: sysexits code. */
static int
rederive(const struct bp_config *c, const struct bp_suplog *l, size_t i, char *err,
    size_t errlen)
{
	struct run r = { 0 };
	struct bp_pub_settings s;
	char rule[64], regw[80], regh[65], y[16], v[80], id[128], hex[65];
	uint8_t regdig[32], d[32];
	int ret = EX_SOFTWARE;

	r.log.fd = -1;
	if (line_get(l, i, "year", y, sizeof(y)) != 0 || line_get(l, i, "release", id, sizeof(id)) ||
	    settings_read(l, i, &s, rule, sizeof(rule), regw, sizeof(regw)) < 0) {
		snprintf(err, errlen, "%zu: release entry incomplete", i + 1);
		return 1;
	}
	int year = atoi(y);
	if ((ret = recorded_profile(c, l, i, id, &s, err, errlen)) != 0)
		goto out;
	ret = EX_SOFTWARE;
	if (load_registry(c->registry, &r.reg, regdig, err, errlen) < 0) {
		ret = EX_CONFIG;
		goto out;
	}
	r.reg_loaded = true;
	bp_hex(regdig, 32, regh);
	if (strcmp(regh, regw)) {
		snprintf(err, errlen, "release %s: made with another kommune registry; "
		    "not re-derived", id);
		ret = 2;
		goto out;
	}
	if ((ret = load_inputs(c, year, &s.measures, &r.in, err, errlen)) != 0) {
		ret = ret == EX_DATAERR ? 2 : ret;
		goto out;
	}
	ret = EX_SOFTWARE;
	if (bp_tables_build(year, r.in.k, r.in.n, &r.reg, &s, &r.t, err, errlen) < 0)
		goto out;
	bp_tables_input_digest(r.t, d);
	bp_hex(d, 32, hex);
	if (line_get(l, i, "input", v, sizeof(v)) != 0 || strcmp(v, hex)) {
		snprintf(err, errlen, "release %s: the store's %d has changed since; "
		    "not re-derived", id, year);
		ret = 2;
		goto out;
	}
	size_t p = last_release_of_year(l, year, i);
	if (p != SIZE_MAX && strcmp(rule, "refuse") &&
	    load_prev(c, l, p, &r.prev, err, errlen) < 0) {
		ret = 1;
		goto out;
	}
	if (bp_tables_suppress(r.t, r.prev, err, errlen) < 0) {
		ret = 1;
		goto out;
	}
	struct cmpctx x = { l, i + 1, i + 1, 0 };
	while (x.end < l->nline && line_get(l, x.end, "type", v, sizeof(v)) == 0 &&
	    strcmp(v, "seal"))
		x.end++;
	if (bp_tables_foreach_suppressed(r.t, cmp_cell, &x) != 0 || x.at != x.end) {
		snprintf(err, errlen, "%zu: suppressed cells differ from the re-derived release",
		    x.bad ? x.bad : x.at + 1);
		ret = 1;
		goto out;
	}
	/* The published figures too: the kept tables must be what the store gives. */
	static const int figs[3] = { F_TABLES, F_SUMS, F_COVERAGE };
	for (int k = 0; k < 3; k++) {
		struct bp_hfile h;
		char key[64];
		FILE *fp = bp_hfile_open(&h, -1);
		int rc = !fp ? -1 : figs[k] == F_TABLES ? bp_tables_write_tables(r.t, fp)
		    : figs[k] == F_SUMS ? bp_tables_write_sums(r.t, fp)
		    : bp_tables_write_coverage(r.t, fp);
		if (!fp || bp_hfile_close(&h, fp, d) < 0 || rc < 0)
			goto out;
		bp_hex(d, 32, hex);
		snprintf(key, sizeof(key), "files.%s", file_names[figs[k]]);
		if (line_get(l, i, key, v, sizeof(v)) != 0 || strcmp(v, hex)) {
			snprintf(err, errlen, "%zu: re-derived %s differs from the release", i + 1,
			    file_names[figs[k]]);
			ret = 1;
			goto out;
		}
	}
	ret = 0;
out:
	run_free(&r);
	bp_pub_settings_free(&s);
	return ret;
}

/* The releases bp_audit will re-derive (for its progress). */
static size_t
count_releases(const struct bp_suplog *l, const char *release)
{
	char type[16], id[128];
	size_t n = 0;
	for (size_t i = 0; i < l->ncommitted; i++)
		if (line_get(l, i, "type", type, sizeof(type)) == 0 && !strcmp(type, "release") &&
		    line_get(l, i, "release", id, sizeof(id)) == 0 && (!release || !strcmp(release, id)))
			n++;
	return n;
}

int
bp_audit(const struct bp_config *c, const char *release, FILE *out,
    const struct bp_progress *progress, char *err, size_t errlen)
{
	struct bp_suplog l;
	struct bp_key pk;
	char path[PATH_MAX], why[256], type[16], id[128], e[512];
	const char *name = c->suppression_log;
	size_t bad, nrel = 0;
	int ret = EX_SOFTWARE;
	bool have_pk = false;

	l.fd = -1;
	l.buf = l.out = NULL;
	l.line = NULL;
	l.cache = NULL;
	snprintf(path, sizeof(path), "%s/daemon.sign.pk", c->keys);
	if (bp_key_load(path, BP_KEY_SIGN_PK, &pk, err, errlen) < 0)
		return EX_NOINPUT;
	have_pk = true;
	if (bp_suplog_open(c->suppression_log, true, &l, err, errlen) < 0) {
		ret = EX_NOINPUT;
		goto out;
	}
	bp_progress_report(progress, "verifying the suppression log", 0, 0);
	if (bp_suplog_verify(&l, &pk, &bad, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s:%zu: %s", name, bad, why);
		ret = 1;
		goto out;
	}
	if (l.ncommitted < l.nline)
		fprintf(out, "note: %s:%zu-%zu: an interrupted append, never sealed (not a "
		    "release); the next bpagg publish rolls it back\n", name, l.ncommitted + 1,
		    l.nline);
	size_t total = count_releases(&l, release);
	for (size_t i = 0; i < l.ncommitted; i++) {
		if (line_get(&l, i, "type", type, sizeof(type)) != 0 || strcmp(type, "release") ||
		    line_get(&l, i, "release", id, sizeof(id)) != 0)
			continue;
		if (release && strcmp(release, id))
			continue;
		bp_progress_report(progress, "re-deriving releases", nrel, total);
		nrel++;
		if (check_kept(c, &l, i, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "%s:%zu: %s", name, i + 1, why);
			ret = 1;
			goto out;
		}
		if (bp_release_kept_dir(c, id, false, path, sizeof(path)) < 0)
			fprintf(out, "note: release %s: its kept files are still staged (its "
			    "publish stopped after logging it); the next bpagg publish moves them "
			    "into releases/\n", id);
		int rc = rederive(c, &l, i, e, sizeof(e));
		if (rc == 1) {
			if (e[0] >= '0' && e[0] <= '9')
				snprintf(err, errlen, "%s:%s", name, e);
			else
				snprintf(err, errlen, "%s:%zu: %s", name, i + 1, e);
			ret = 1;
			goto out;
		}
		if (rc == 2) {
			fprintf(out, "note: %s\n", e);
			continue;
		}
		if (rc != 0) {
			snprintf(err, errlen, "%s", e);
			ret = rc;
			goto out;
		}
		fprintf(out, "release %s: re-derived, %s\n", id, "suppression matches");
	}
	if (release && nrel == 0) {
		snprintf(err, errlen, "%s: no release %s", name, release);
		ret = 1;
		goto out;
	}
	bp_progress_report(progress, "re-deriving releases", nrel, total);
	fprintf(out, "%s: %zu entries, chain and seals verified\n", name, l.ncommitted);
	err[0] = '\0';
	ret = 0;
out:
	if (have_pk)
		bp_key_free(&pk);
	bp_suplog_close(&l);
	return ret;
}
