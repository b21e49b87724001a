/*
 * audit.c - bpagg audit: verifies the suppression log's chain and seals,
 * checks each release's kept files against their digests and re-derives
 * each release from the store (the same tables, the same suppressed cells);
 * see publish.h.
 */
#include "publish.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "json.h"
#include "keys.h"
#include "recover.h"
#include "release_dir.h"
#include "run.h"
#include "suplog.h"

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
	if (x->at >= x->end || bp_suplog_get(x->l, x->at, "type", type, sizeof(type)) != 0 ||
	    strcmp(type, "cell")) {
		x->bad = x->at + 1;
		return 1;
	}
	for (int k = 0; k < 6; k++)
		if (bp_suplog_get(x->l, x->at, keys[k], v, sizeof(v)) != 0 || strcmp(v, want[k])) {
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

	if (bp_suplog_get(l, i, "settings.profile", name, sizeof(name)) != 0)
		return 0;
	if (bp_suplog_get(l, i, "settings.profile_digest", want, sizeof(want)) != 0) {
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
	struct bp_run r = { 0 };
	struct bp_pub_settings s;
	char rule[64], regw[80], regh[65], y[16], v[80], id[128], hex[65];
	uint8_t regdig[32], d[32];
	int ret = EX_SOFTWARE;

	r.log.fd = -1;
	if (bp_suplog_get(l, i, "year", y, sizeof(y)) != 0 || bp_suplog_get(l, i, "release", id, sizeof(id)) ||
	    bp_settings_read(l, i, &s, rule, sizeof(rule), regw, sizeof(regw)) < 0) {
		snprintf(err, errlen, "%zu: release entry incomplete", i + 1);
		return 1;
	}
	int year = atoi(y);
	if ((ret = recorded_profile(c, l, i, id, &s, err, errlen)) != 0)
		goto out;
	ret = EX_SOFTWARE;
	if (bp_run_load_registry(c->registry, &r.reg, regdig, err, errlen) < 0) {
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
	if ((ret = bp_run_load_inputs(c, year, &s.measures, &r.in, err, errlen)) != 0) {
		ret = ret == EX_DATAERR ? 2 : ret;
		goto out;
	}
	bp_log_recorded_received(l, i, &r.in);
	ret = EX_SOFTWARE;
	if (bp_tables_build(year, r.in.k, r.in.n, &r.reg, &s, &r.t, err, errlen) < 0)
		goto out;
	bp_tables_input_digest(r.t, d);
	bp_hex(d, 32, hex);
	if (bp_suplog_get(l, i, "input", v, sizeof(v)) != 0 || strcmp(v, hex)) {
		snprintf(err, errlen, "release %s: the store's %d has changed since; "
		    "not re-derived", id, year);
		ret = 2;
		goto out;
	}
	size_t p = bp_log_last_release(l, year, i);
	if (p != SIZE_MAX && strcmp(rule, "refuse") &&
	    bp_log_load_prev(c, l, p, s.republish_model >= 2, &r.prev, err, errlen) < 0) {
		ret = 1;
		goto out;
	}
	if (bp_tables_suppress(r.t, r.prev, err, errlen) < 0) {
		ret = 1;
		goto out;
	}
	struct cmpctx x = { l, i + 1, i + 1, 0 };
	while (x.end < l->nline && bp_suplog_get(l, x.end, "type", v, sizeof(v)) == 0 &&
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
		snprintf(key, sizeof(key), "files.%s", bp_release_files[figs[k]]);
		if (bp_suplog_get(l, i, key, v, sizeof(v)) != 0 || strcmp(v, hex)) {
			snprintf(err, errlen, "%zu: re-derived %s differs from the release", i + 1,
			    bp_release_files[figs[k]]);
			ret = 1;
			goto out;
		}
	}
	ret = 0;
out:
	bp_run_free(&r);
	bp_pub_settings_free(&s);
	return ret;
}

static bool
sealed_release(const struct bp_suplog *l, const char *id)
{
	return bp_suplog_sealed_entry(l, id) != SIZE_MAX;
}

/* The id that dir/release.json names into id: 0, or a sysexits code with
 * err set (66 no release.json, 65 one that names no release). */
static int
published_id(const char *dir, char *id, size_t idlen, char *err, size_t errlen)
{
	char path[PATH_MAX], why[160];
	struct stat st;
	json_t *o = NULL;
	char *buf = NULL;
	int ret = EX_DATAERR;

	snprintf(path, sizeof(path), "%s/release.json", dir);
	int fd = bp_open_regular(AT_FDCWD, path, O_RDONLY, 0, 1 << 20, &st);
	if (fd < 0) {
		bool bad = errno == EINVAL || errno == EFBIG;
		snprintf(err, errlen, "%s: %s", path, bad ? "not a regular file of at most 1 MiB" :
		    strerror(errno));
		return bad ? EX_DATAERR : EX_NOINPUT;
	}
	ssize_t n = (buf = malloc((size_t)st.st_size + 1)) ?
	    bp_read_full(fd, (uint8_t *)buf, (size_t)st.st_size) : -1;
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		ret = EX_IOERR;
	} else if (!(o = bp_json_parse_file(buf, (size_t)n, 1 << 20, why, sizeof(why)))) {
		snprintf(err, errlen, "%s: %s", path, why);
	} else if (bp_json_path_text(o, "release", id, idlen) != 0 || !id[0] ||
	    strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") !=
	    strlen(id)) {
		snprintf(err, errlen, "%s: names no release (\"release\": a release id)", path);
	} else {
		ret = 0;
	}
	json_decref(o);
	free(buf);
	return ret;
}

/*
 * A release as published (bpagg publish --out DIR) is an anchor outside
 * the installation: the log must still seal the release its release.json
 * names, and each file of DIR that the seal covers must match its digest
 * (a file left out of DIR is noted, not required). 0 with id set, 1 with
 * err set when it does not hold, another sysexits code when DIR cannot be read.
 */
static int
check_published(const struct bp_suplog *l, const char *dir, char *id, size_t idlen,
    FILE *out, char *err, size_t errlen)
{
	char key[64], want[80], got[65], path[PATH_MAX];
	unsigned matched = 0, absent = 0;
	uint8_t d[32];
	int ret = published_id(dir, id, idlen, err, errlen);
	if (ret != 0)
		return ret;
	size_t i = bp_suplog_sealed_entry(l, id);
	if (i == SIZE_MAX) {
		snprintf(err, errlen, "%s: release %s is not sealed by the log (its entries were "
		    "cut from the log, or the log replaced, or %s is not a release of this "
		    "installation)", dir, id, dir);
		return 1;
	}
	for (int f = 0; f < NFILES; f++) {
		snprintf(key, sizeof(key), "files.%s", bp_release_files[f]);
		if (bp_suplog_get(l, i, key, want, sizeof(want)) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, bp_release_files[f]);
		int rc = bp_digest_file(path, d);
		if (rc < 0 && errno == ENOENT) {
			absent++;
			continue;
		}
		if (rc == 0) {
			bp_hex(d, 32, got);
			if (!strcmp(got, want)) {
				matched++;
				continue;
			}
		}
		snprintf(err, errlen, "%s: not the file release %s sealed (line %zu of the log)",
		    path, id, i + 1);
		return 1;
	}
	fprintf(out, "published %s: release %s, %u files match its seal", dir, id, matched);
	if (absent)
		fprintf(out, " (%u not in %s)", absent, dir);
	fputc('\n', out);
	return 0;
}

/*
 * Every folder of releases/ is a release the log seals: publish keeps one
 * there only after its seal, so another is a release whose entries the log
 * lost (cut off whole, or the log replaced) or a folder put there. 0, or 1
 * with err set (-1: releases/ cannot be read).
 */
static int
check_kept_named(const struct bp_config *c, struct bp_suplog *l, char *err, size_t errlen)
{
	char root[PATH_MAX - 256];
	struct dirent *e;
	int ret = 0;
	DIR *d;

	bp_release_root(c, root, sizeof(root));
	if (!(d = opendir(root))) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", root, strerror(errno));
		return -1;
	}
	while (ret == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (!sealed_release(l, e->d_name)) {
			snprintf(err, errlen, "%s/%s: a kept release that %s does not seal (its "
			    "entries were cut from the log, or the folder was put there)", root,
			    e->d_name, c->suppression_log);
			ret = 1;
		}
	}
	closedir(d);
	return ret;
}

static size_t
count_releases(const struct bp_suplog *l, const char *release)
{
	char type[16], id[128];
	size_t n = 0;
	for (size_t i = 0; i < l->ncommitted; i++)
		if (bp_suplog_get(l, i, "type", type, sizeof(type)) == 0 && !strcmp(type, "release") &&
		    bp_suplog_get(l, i, "release", id, sizeof(id)) == 0 && (!release || !strcmp(release, id)))
			n++;
	return n;
}

int
bp_audit(const struct bp_config *c, const char *release, const char *published, FILE *out,
    const struct bp_progress *progress, char *err, size_t errlen)
{
	char pubid[128];
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
	if (l.ncommitted < l.nline && (ret = bp_log_tail_cut(c, &l, err, errlen)) != 0)
		goto out;
	if (l.ncommitted < l.nline)
		fprintf(out, "note: %s:%zu-%zu: an interrupted append, never sealed (not a "
		    "release); the next bpagg publish rolls it back\n", name, l.ncommitted + 1,
		    l.nline);
	if ((ret = check_kept_named(c, &l, err, errlen)) != 0) {
		ret = ret < 0 ? EX_IOERR : 1;
		goto out;
	}
	if (published) {
		if ((ret = check_published(&l, published, pubid, sizeof(pubid), out, err,
		    errlen)) != 0)
			goto out;
		release = pubid;
	}
	size_t total = count_releases(&l, release);
	for (size_t i = 0; i < l.ncommitted; i++) {
		if (bp_suplog_get(&l, i, "type", type, sizeof(type)) != 0 || strcmp(type, "release") ||
		    bp_suplog_get(&l, i, "release", id, sizeof(id)) != 0)
			continue;
		if (release && strcmp(release, id))
			continue;
		bp_progress_report(progress, "re-deriving releases", nrel, total);
		nrel++;
		if (bp_log_check_kept(c, &l, i, why, sizeof(why)) < 0) {
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
