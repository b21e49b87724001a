/*
 * run.c - what a publish and an audit share: the inputs of a release, the
 * registry, the suppression log's view of earlier releases, the settings a
 * release records; see run.h.
 */
#include "run.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "release_dir.h"
#include "store.h"

const char *const bp_release_files[NFILES] = {
	"tables.csv", "sums.csv", "coverage.csv", "tables.json", "release.json",
};

/* ---- the inputs of a release ------------------------------------------ */

static void
inputs_free(struct bp_run_inputs *in)
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
	struct bp_run_inputs *in = ud;
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
	in->k[in->n].received = 0;
	in->n++;
	return 0;
}

/* foreach_latest: the time each kommune's latest submission was applied
 * (republish model 5 takes a kommune that submitted after an earlier
 * release as one that resubmitted, whatever that release printed of it). */
static int
received_cb(const struct bp_submission *sub, void *ud)
{
	struct bp_run_inputs *in = ud;
	for (size_t i = 0; i < in->n; i++)
		if (!strcmp(in->k[i].nr, sub->kommune))
			in->k[i].received = sub->received;
	return 0;
}

/* See run.h. */
int
bp_run_load_inputs(const struct bp_config *c, int year, const struct bp_measure_settings *m,
    struct bp_run_inputs *in, char *err, size_t errlen)
{
	bp_store *s = NULL;
	uint8_t cat[32];
	/* The thorough integrity check before anything is released from it. */
	int rc = bp_store_open_verified(c, &s, err, errlen);
	if (rc == 1) {
		snprintf(err, errlen, "%s: no store yet", c->store_path);
		return EX_NOINPUT;
	}
	if (rc < 0)
		return EX_IOERR;
	bp_catalogue_id(m, cat);
	rc = bp_store_foreach_tally(s, year, cat, inputs_cb, in);
	if (rc == 0)
		rc = bp_store_foreach_latest(s, year, received_cb, in);
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

/* ---- the log's view of releases ---------------------------------------- */

/* The line index of the last release entry of year before line `before`
 * (SIZE_MAX: none). */
size_t
bp_log_last_release(const struct bp_suplog *l, int year, size_t before)
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

/* 0 when every entry of the kept folder dir is a file that the release
 * entry at line i seals; else -1 with why naming the first other one (with
 * unprintable bytes shown as '?'). publish stages the folder whole before
 * it is kept, so nothing else belongs there. */
static int
only_sealed_files(const char *dir, const struct bp_suplog *l, size_t i, char *why,
    size_t whylen)
{
	char key[64], want[80];
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d) {
		snprintf(why, whylen, "kept release folder cannot be read: %s", strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		bool sealed = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
		for (int f = 0; f < NFILES && !sealed; f++) {
			snprintf(key, sizeof(key), "files.%s", bp_release_files[f]);
			sealed = !strcmp(e->d_name, bp_release_files[f]) &&
			    bp_suplog_get(l, i, key, want, sizeof(want)) == 0;
		}
		if (!sealed) {
			char name[64];
			snprintf(name, sizeof(name), "%.63s", e->d_name);
			for (char *p = name; *p; p++)
				if (*p < 0x20 || *p == 0x7f)
					*p = '?';
			snprintf(why, whylen, "kept release folder %s holds %s%s, which the log "
			    "does not seal", dir, name, strlen(e->d_name) >= sizeof(name) ? "..." : "");
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return 0;
}

/* Checks the kept files of the release entry at line i against its digests,
 * and that the folder holds nothing else. 0, or -1 with why. */
int
bp_log_check_kept(const struct bp_config *c, const struct bp_suplog *l, size_t i, char *why,
    size_t whylen)
{
	char id[128], key[64], want[80], got[65], path[PATH_MAX], dir[PATH_MAX - 64];
	uint8_t d[32];
	if (bp_suplog_get(l, i, "release", id, sizeof(id)) != 0) {
		snprintf(why, whylen, "release entry without id");
		return -1;
	}
	/* The last release may still be staged: its publish stopped between
	 * logging it and moving its folder in (the next publish finishes). */
	char sealed[128];
	bool last = i < l->ncommitted && l->ncommitted > 0 &&
	    bp_suplog_get(l, l->ncommitted - 1, "release", sealed, sizeof(sealed)) == 0 &&
	    !strcmp(sealed, id);
	if (bp_release_kept_dir(c, id, last, dir, sizeof(dir)) < 0) {
		snprintf(why, whylen, "kept release folder missing");
		return -1;
	}
	for (int f = 0; f < NFILES; f++) {
		snprintf(key, sizeof(key), "files.%s", bp_release_files[f]);
		if (bp_suplog_get(l, i, key, want, sizeof(want)) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, bp_release_files[f]);
		if (bp_digest_file(path, d) < 0) {
			snprintf(why, whylen, "kept release file %s %s (%s)", bp_release_files[f],
			    errno == ENOENT ? "missing" : errno == ELOOP ?
			    "is a symbolic link" : "not a regular file that can be read", path);
			return -1;
		}
		bp_hex(d, 32, got);
		if (strcmp(got, want)) {
			snprintf(why, whylen, "kept release file %s does not match its digest (%s)",
			    bp_release_files[f], path);
			return -1;
		}
	}
	return only_sealed_files(dir, l, i, why, whylen);
}

/* The "time" of log line p (UTC, "2026-12-07T08:03:29Z") as unix time; 0
 * when it has none that reads so. */
static int64_t
log_time(const struct bp_suplog *l, size_t p)
{
	char v[64];
	struct tm tm = { 0 };
	if (bp_suplog_get(l, p, "time", v, sizeof(v)) != 0)
		return 0;
	const char *end = strptime(v, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end)
		return 0;
	time_t t = timegm(&tm);
	return t == (time_t)-1 ? 0 : (int64_t)t;
}

/* The "received" object of log line p (when each kommune's submission
 * the release read was applied), borrowed from l; NULL for an entry
 * written before they were recorded. */
static const json_t *
entry_received(const struct bp_suplog *l, size_t p)
{
	char why[64];
	const json_t *e = bp_suplog_entry(l, p, why, sizeof(why));
	const json_t *rec = e ? json_object_get(e, "received") : NULL;

	return json_is_object(rec) ? rec : NULL;
}

/* Line p's received times, as the oldest release prev holds. 0 or -1
 * (errno: EINVAL for a time or kommune that does not read). */
static int
log_received(const struct bp_suplog *l, size_t p, struct bp_prev *prev)
{
	const json_t *rec = entry_received(l, p);
	const char *nr;
	json_t *v;

	if (!rec)
		return 0;
	/* an empty object still says "this release recorded them" */
	if (bp_prev_set_oldest_received(prev, NULL, 0) < 0)
		return -1;
	json_object_foreach((json_t *)rec, nr, v) {
		if (!json_is_integer(v)) {
			errno = EINVAL;
			return -1;
		}
		if (bp_prev_set_oldest_received(prev, nr, (int64_t)json_integer_value(v)) < 0)
			return -1;
	}
	return 0;
}

void
bp_log_recorded_received(const struct bp_suplog *l, size_t i, struct bp_run_inputs *in)
{
	const json_t *rec = entry_received(l, i);

	for (size_t k = 0; rec && k < in->n; k++) {
		const json_t *v = json_object_get(rec, in->k[k].nr);
		in->k[k].received = json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
	}
}

/* Loads the kept release at line p: into *prev when it is NULL, else as
 * the oldest release *prev holds. */
static int
load_kept(const struct bp_config *c, const struct bp_suplog *l, size_t p,
    struct bp_prev **prev, char *err, size_t errlen)
{
	char id[128], t[PATH_MAX], s[PATH_MAX];
	if (bp_log_check_kept(c, l, p, err, errlen) < 0 ||
	    bp_suplog_get(l, p, "release", id, sizeof(id)) != 0)
		return -1;
	bp_release_kept_file(c, id, "tables.csv", t, sizeof(t));
	bp_release_kept_file(c, id, "sums.csv", s, sizeof(s));
	int rc = *prev ? bp_prev_add_older(*prev, t, s, err, errlen) :
	    bp_prev_load(t, s, prev, err, errlen);
	char sz[16];
	if (rc == 0)
		bp_prev_set_oldest_meta(*prev, log_time(l, p),
		    bp_suplog_get(l, p, "settings.suppress_zero", sz, sizeof(sz)) == 0 &&
		    !strcmp(sz, "false"));
	if (rc == 0 && log_received(l, p, *prev) < 0) {
		if (errno == ENOMEM)
			snprintf(err, errlen, "out of memory");
		else
			snprintf(err, errlen, "%s:%zu: release entry with a malformed received "
			    "time", c->suppression_log, p + 1);
		return -1;
	}
	return rc;
}

/* Loads the previous release (line index p) for the difference rule, and
 * with chain every earlier release of its year, newest first. */
int
bp_log_load_prev(const struct bp_config *c, const struct bp_suplog *l, size_t p,
    bool chain, struct bp_prev **prev, char *err, size_t errlen)
{
	char y[16];
	*prev = NULL;
	if (bp_suplog_get(l, p, "year", y, sizeof(y)) != 0) {
		snprintf(err, errlen, "%zu: release entry without a year", p + 1);
		return -1;
	}
	int year = atoi(y);
	for (size_t q = p; q != SIZE_MAX; q = chain ? bp_log_last_release(l, year, q) : SIZE_MAX)
		if (load_kept(c, l, q, prev, err, errlen) < 0) {
			bp_prev_free(*prev);
			*prev = NULL;
			return -1;
		}
	return 0;
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
json_t *
bp_settings_json(const struct bp_config *c, const struct bp_pub_settings *s,
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
	    (s->republish_model >= 2 && json_object_set_new(o, "republish_model",
	    json_integer((json_int_t)s->republish_model)) < 0) ||
	    json_object_set_new(o, "shared_cells",
	    json_string(s->per_table ? "per_table" : "consistent")) < 0 ||
	    json_object_set_new(o, "method",
	    json_string(s->release_model ? "release" : "per_group")) < 0 ||
	    json_object_set_new(o, "model", json_integer((json_int_t)s->model_version)) < 0 ||
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
int
bp_settings_read(const struct bp_suplog *l, size_t i, struct bp_pub_settings *s,
    char *rule, size_t rulelen, char *regdig, size_t reglen)
{
	char v[512], lv[64];
	memset(s, 0, sizeof(*s));
	bp_measure_settings_default(&s->measures);
	if (bp_suplog_get(l, i, "settings.min_cell", v, sizeof(v)) != 0)
		return -1;
	s->min_cell = (unsigned)strtoul(v, NULL, 10);
	if (bp_suplog_get(l, i, "settings.suppress_zero", v, sizeof(v)) != 0)
		return -1;
	s->suppress_zero = !strcmp(v, "true");
	if (bp_suplog_get(l, i, "settings.levels", lv, sizeof(lv)) != 0)
		return -1;
	char *save = NULL;
	for (char *tok = strtok_r(lv, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		s->levels |= bp_level_parse(tok);
	if (bp_suplog_get(l, i, "settings.kommune_breakdowns", v, sizeof(v)) != 0 ||
	    bp_pub_parse_breakdowns(v, s) < 0)
		return -1;
	if (bp_suplog_get(l, i, "settings.rop_definition", v, sizeof(v)) != 0)
		return -1;
	s->measures.rop_definition = atoi(v);
	static const char *const cuts[3] = { "settings.lki_cut_gul", "settings.lki_cut_rod",
		"settings.lki_cut_blalys" };
	for (int k = 0; k < 3; k++) {
		if (bp_suplog_get(l, i, cuts[k], v, sizeof(v)) != 0)
			return -1;
		s->measures.lki_cut[k] = strtod(v, NULL);
	}
	/* Releases made before the setting existed were per table. */
	s->per_table = bp_suplog_get(l, i, "settings.shared_cells", v, sizeof(v)) != 0 ||
	    !strcmp(v, "per_table");
	/* Releases logged without a method were made per group (model.c). */
	s->release_model = bp_suplog_get(l, i, "settings.method", v, sizeof(v)) == 0 &&
	    !strcmp(v, "release");
	/* Releases of the release method logged without a model version were
	 * made by its first form, without the relations between indicators;
	 * per_group releases carry one since model 13 (the zeros the tables
	 * tell), those without it are 1 (what matters to them is only >= 13). */
	s->model_version = bp_suplog_get(l, i, "settings.model", v, sizeof(v)) == 0 ?
	    (unsigned)strtoul(v, NULL, 10) : 1;
	if (s->model_version < 1 || s->model_version > BP_RELEASE_MODEL_VERSION ||
	    (!s->release_model && s->model_version != 1 && s->model_version < 13))
		return -1;
	/* Releases logged without republish_model were made by its first
	 * form (the previous release of the year only, a fall as a fall). */
	s->republish_model = bp_suplog_get(l, i, "settings.republish_model", v,
	    sizeof(v)) == 0 ? (unsigned)strtoul(v, NULL, 10) : 1;
	if (s->republish_model < 1 || s->republish_model > BP_REPUBLISH_MODEL)
		return -1;
	if (bp_suplog_get(l, i, "settings.republish_rule", rule, rulelen) != 0 ||
	    bp_suplog_get(l, i, "settings.registry", regdig, reglen) != 0)
		return -1;
	return s->min_cell >= 1 && s->levels ? 0 : -1;
}


void
bp_run_free(struct bp_run *r)
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

int
bp_run_load_registry(const char *path, struct bp_registry *reg, uint8_t dig[32], char *err,
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
