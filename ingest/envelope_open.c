/*
 * envelope_open.c - opening a submission's envelope for ingest: with the
 * registered kommune keys (and, for bpagg rebuild, the retired ones), the
 * head alone (bp_ingest_peek*, bp_ingest_check_head), or as far as it
 * authenticates into a copy (bp_ingest_copy_sealed); and what an envelope
 * error means for a submission.
 */
#include "ingest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "io.h"
#include "keys.h"

#include "ingest_private.h"

static const struct bp_key *
lookup_kommune_key(const char *kommune, void *ud)
{
	bp_ingest *g = ud;
	snprintf(g->claimed, sizeof(g->claimed), "%s", kommune);
	return bp_keyring_find(g->keyring, kommune);
}

/* The lookup of a retry with one retired key: that key for its kommune. */
static const struct bp_key *
lookup_retired_key(const char *kommune, void *ud)
{
	const struct bp_key *k = ud;
	return strcmp(k->kommune, kommune) == 0 ? k : NULL;
}

/*
 * bp_open_begin on fd; with retired keys loaded (bpagg rebuild), a file
 * whose signature the registered key refuses is tried again from its start
 * with each key the kommune had before, the latest retired first. A file
 * signed more than BP_INGEST_FUTURE_SLACK after its key was retired (by the
 * signed sequence, the kommune's clock) is refused: *late is then the time
 * the key was retired, else -1. *retired tells a file verified so.
 */
enum bp_env_error
bp__ingest_open_envelope(bp_ingest *g, int fd, struct bp_env_meta *meta, bp_open **o,
    bool *retired, int64_t *late)
{
	off_t start = g->retired ? lseek(fd, 0, SEEK_CUR) : 0;
	const struct bp_key *k;
	enum bp_env_error e;
	int64_t at;
	char kommune[5];

	*retired = false;
	*late = -1;
	g->claimed[0] = '\0';
	e = bp_open_begin(fd, &g->central_pk, &g->central_sk, lookup_kommune_key, g,
	    g->conf->max_file_bytes, meta, o);
	if (e != BP_ENV_BAD_SIGNATURE || !g->retired || start < 0 || !g->claimed[0])
		return e;
	memcpy(kommune, g->claimed, sizeof(kommune));
	for (size_t i = 0; (k = bp_retired_nth(g->retired, kommune, i, &at)) != NULL; i++) {
		if (lseek(fd, start, SEEK_SET) != start)
			return BP_ENV_IO;
		e = bp_open_begin(fd, &g->central_pk, &g->central_sk, lookup_retired_key,
		    (void *)k, g->conf->max_file_bytes, meta, o);
		if (e == BP_ENV_BAD_SIGNATURE)
			continue;
		if (e == BP_ENV_OK &&
		    meta->sequence / 1000000000u > (uint64_t)at + BP_INGEST_FUTURE_SLACK) {
			bp_open_free(*o);
			*o = NULL;
			*late = at;
			return BP_ENV_BAD_SIGNATURE;
		}
		*retired = e == BP_ENV_OK;
		return e;
	}
	return BP_ENV_BAD_SIGNATURE;
}

/* The reason for a file signed after its key was retired at t. */
void
bp__ingest_late_reason(char *out, size_t outlen, const char *kommune, int64_t t)
{
	char when[32] = "?";
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(out, outlen, "envelope: signed with a key of kommune %s after it was "
	    "replaced (bpagg register --replace, %s)", kommune, when);
}

/*
 * Opens path for reading: no symlinks, a regular file, at most max bytes.
 * Returns the fd, or -1 with r->status and r->reason set.
 */
int
bp__ingest_open_capped(const char *path, unsigned long max, struct bp_ingest_result *r)
{
	struct stat st;
	/* a max past off_t's range turns negative: no cap, as no file is larger */
	int fd = bp_open_regular(AT_FDCWD, path, O_RDONLY, 0, (off_t)max, &st);

	if (fd >= 0)
		return fd;
	r->status = BP_INGEST_REFUSED;
	if (errno == ENOENT) {
		r->status = BP_INGEST_GONE;
		snprintf(r->reason, sizeof(r->reason), "file vanished");
	} else if (errno == ELOOP) {
		snprintf(r->reason, sizeof(r->reason), "cannot open: a symbolic link");
	} else if (errno == EINVAL) {
		snprintf(r->reason, sizeof(r->reason), "not a regular file");
	} else if (errno == EFBIG) {
		snprintf(r->reason, sizeof(r->reason), "file larger than max_file_bytes");
	} else {
		r->status = BP_INGEST_ERROR;
		snprintf(r->reason, sizeof(r->reason), "cannot open: %s", strerror(errno));
	}
	return -1;
}

/* Maps an envelope error to a status and reason. */
void
bp__ingest_env_failed(struct bp_ingest_result *r, enum bp_env_error e)
{
	switch (e) {
	case BP_ENV_TRUNCATED_HEADER:
	case BP_ENV_TRUNCATED:
		r->status = BP_INGEST_INCOMPLETE;
		break;
	case BP_ENV_IO:
	case BP_ENV_NOMEM:
		r->status = BP_INGEST_ERROR;
		break;
	default:
		r->status = BP_INGEST_REFUSED;
		break;
	}
	snprintf(r->reason, sizeof(r->reason), "envelope: %s", bp_env_strerror(e));
}

/* The verified metadata of the sealed file fd (read from its offset);
 * *late as open_envelope's. */
static enum bp_env_error
peek_fd(bp_ingest *g, int fd, struct bp_env_meta *meta, int64_t *late)
{
	bp_open *o = NULL;
	bool retired;
	enum bp_env_error e = bp__ingest_open_envelope(g, fd, meta, &o, &retired, late);

	if (o)
		bp_open_free(o);
	return e;
}

int
bp_ingest_peek_fd(bp_ingest *g, int fd, struct bp_env_meta *meta)
{
	int64_t late;

	return g && fd >= 0 && meta && peek_fd(g, fd, meta, &late) == BP_ENV_OK ? 0 : -1;
}

int
bp_ingest_check_head(bp_ingest *g, int fd, struct bp_ingest_result *r)
{
	struct bp_env_meta meta;
	int64_t late;

	if (!g || fd < 0 || !r)
		return 0;
	enum bp_env_error e = peek_fd(g, fd, &meta, &late);
	sodium_memzero(&meta, sizeof(meta));
	if (e == BP_ENV_OK)
		return 0;
	bp__ingest_env_failed(r, e);
	if (late >= 0)
		bp__ingest_late_reason(r->reason, sizeof(r->reason), g->claimed, late);
	return r->status == BP_INGEST_REFUSED ? 1 : 0;
}

int
bp_ingest_copy_sealed(bp_ingest *g, int fd, int out_fd)
{
	struct bp_env_meta meta;
	bp_open *o = NULL;
	bool retired;
	int64_t late;

	if (lseek(fd, 0, SEEK_SET) != 0)
		return -1;
	enum bp_env_error e = bp__ingest_open_envelope(g, fd, &meta, &o, &retired, &late);
	sodium_memzero(&meta, sizeof(meta));
	if (e == BP_ENV_IO || e == BP_ENV_NOMEM) {
		bp_open_free(o);
		errno = e == BP_ENV_IO ? EIO : ENOMEM;
		return -1;
	}
	if (e == BP_ENV_OK)
		e = bp_open_copy(o, out_fd);
	bp_open_free(o);
	if (e == BP_ENV_IO)
		return -1;
	return e == BP_ENV_TRUNCATED || e == BP_ENV_TRUNCATED_HEADER ? 1 : 0;
}

int
bp_ingest_peek(bp_ingest *g, const char *path, struct bp_env_meta *meta,
    char *err, size_t errlen)
{
	struct bp_ingest_result r;
	enum bp_env_error e;
	int64_t late;
	int fd, ret = -1;

	bp_ingest_result_init(&r);
	if ((fd = bp__ingest_open_capped(path, g->conf->max_file_bytes, &r)) < 0) {
		snprintf(err, errlen, "%s: %s", path, r.reason);
		goto out;
	}
	e = peek_fd(g, fd, meta, &late);
	if (e != BP_ENV_OK && late >= 0) {
		bp__ingest_late_reason(r.reason, sizeof(r.reason), g->claimed, late);
		snprintf(err, errlen, "%s: %s", path, r.reason);
	} else if (e != BP_ENV_OK)
		snprintf(err, errlen, "%s: envelope: %s", path, bp_env_strerror(e));
	else
		ret = 0;
	close(fd);
out:
	bp_ingest_result_free(&r);
	return ret;
}
