/*
 * replay.c - a replay of a submission whose bytes are kept already is not
 * kept again.
 *
 * Whoever can write to the inbox and has a sealed submission (captured
 * from a mail, a share, a backup) can upload it again and again. It is
 * counted once ("already applied", also when the kommune has applied a
 * newer one since) or refused (stale: never applied, and older than the
 * one applied), but each upload used to leave a copy of its bytes, in
 * archive/ under a name of its own or in rejected/, so the disk filled at
 * the uploader's rate, for good. Now:
 *  - already applied: when the archive holds the submission under its own
 *    name, archive/YYYY/NNNN/<submission id>.bpx, with exactly these
 *    bytes, the replay's copy is deleted instead;
 *  - refused, every byte authentic (so kept): the first copy kept of a
 *    submission is named in rejected/.kept-NNNN-<submission id>, and a
 *    later upload with exactly those bytes is not kept again.
 * Nothing is lost, the bytes are there. Each upload still gets its
 * receipt, and a refused one its reason file and store record, which say
 * where the bytes are.
 *
 * Both are known before anything of the upload is copied or decrypted
 * when its signed head alone gives the verdict (bp_ingest_head_judged:
 * applied, or stale) and its bytes, read from the claimed file, equal the
 * copy kept (bpd_replay_unread; a refused copy must have been
 * refused for that same reason, its reason file says: one
 * kept as an invalid export that is stale by now is ingested in full, to
 * give the validator's errors again).  Those bytes opened in full when
 * they were kept, so the full ingest of the replay could only say the
 * same again; a flood of replays cost a copy, two decryptions and the
 * parse of each.  The claimed file is then replaced in the queue by a
 * link to the kept copy (a COPY entry), so that a daemon killed before
 * the end never reads the uploader's inode again: the uploader may still
 * hold it open and write another submission into it.
 *
 * Only the daemon writes to archive/ and rejected/, and the bytes are
 * compared, not trusted from a name, so an upload is never dropped for a
 * file that only looks like it; anything else under those names (a
 * symbolic link, a name not of the daemon's form) means no twin.
 */
#include "bpaggd.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#define CHUNK 65536

/* Whether descriptors a and b (regular files of size n) hold the same
 * bytes: 1, 0, or -1 with errno. */
static int
same_bytes(int a, int b, off_t n)
{
	unsigned char *x = malloc(2 * CHUNK), *y = x + CHUNK;
	off_t at = 0;
	int ret = 1;

	if (!x)
		return -1;
	while (at < n && ret == 1) {
		size_t want = (size_t)(n - at < CHUNK ? n - at : CHUNK);
		ssize_t ga = pread(a, x, want, at), gb = pread(b, y, want, at);
		if (ga < 0 || gb < 0)
			ret = -1;
		else if (ga != gb || ga == 0 || memcmp(x, y, (size_t)ga) != 0)
			ret = 0; /* different, or changed size under us */
		else
			at += ga;
	}
	free(x);
	return ret;
}

/* Whether an open error of a twin is a want of resources (retried), not
 * "no twin". */
static bool
want_of_resources(int e)
{
	return e == EMFILE || e == ENFILE || e == ENOMEM || e == EIO;
}

/* Whether descriptor a holds the bytes of b (regular files): 1, 0, or -1
 * with errno.  Neither is closed.  The same inode is the same bytes: a
 * COPY entry that bpd_replay_unread made is a link to the kept copy. */
static int
same_fd(int a, int b)
{
	struct stat sa, sb;

	if (fstat(a, &sa) != 0 || fstat(b, &sb) != 0)
		return -1;
	if (!S_ISREG(sa.st_mode) || !S_ISREG(sb.st_mode) || sa.st_size != sb.st_size)
		return 0;
	if (sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino)
		return 1;
	return same_bytes(a, b, sa.st_size);
}

/* Whether queue entry qname (or, when qname is NULL, descriptor a) holds
 * the bytes of b: 1, 0, or -1 with errno.  a is not closed; b is, unless
 * keep is given and the answer is 1: then *keep is b. */
static int
same_as(struct bpd_ctx *c, const char *qname, int a, int b, int *keep)
{
	int ret = -1;

	if (qname)
		a = openat(c->dirs.queue, qname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (a >= 0)
		ret = same_fd(a, b);
	int e = errno;
	if (qname && a >= 0)
		close(a);
	if (ret == 1 && keep)
		*keep = b;
	else
		close(b);
	errno = e;
	return ret;
}

/* bpd_archive_twin, or for fd a (bpd_replay_unread): queue entry qname, or fd a
 * (and the twin's descriptor in *keep). */
static int
archive_twin(struct bpd_ctx *c, const struct bp_ingest_result *r, const char *qname, int a,
    char *name, size_t namelen, int *keep)
{
	char year[8], id[2 * sizeof(r->meta.submission_id) + 1], file[64];
	int yfd = -1, dfd = -1, b = -1, ret;

	if (!r->have_meta || r->status != BP_INGEST_ALREADY)
		return 0;
	snprintf(year, sizeof(year), "%04u", (unsigned)r->meta.year);
	sodium_bin2hex(id, sizeof(id), r->meta.submission_id, sizeof(r->meta.submission_id));
	snprintf(file, sizeof(file), "%s.bpx", id);
	if ((yfd = bpd_opendir_at(c->dirs.archive, year, false)) < 0 ||
	    (dfd = bpd_opendir_at(yfd, r->meta.kommune, false)) < 0 ||
	    (b = openat(dfd, file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0) {
		/* no such file, or something else under that name (a symbolic
		 * link, a file where a folder belongs): no twin, the copy is
		 * archived as before; only a want of resources is retried */
		ret = want_of_resources(errno) ? -1 : 0;
	} else if ((ret = same_as(c, qname, a, b, keep)) == 1) {
		snprintf(name, namelen, "archive/%s/%s/%s", year, r->meta.kommune, file);
	}
	if (dfd >= 0)
		close(dfd);
	if (yfd >= 0)
		close(yfd);
	return ret;
}

int
bpd_archive_twin(struct bpd_ctx *c, const struct bp_ingest_result *r, const char *qname,
    char *name, size_t namelen)
{
	return archive_twin(c, r, qname, -1, name, namelen, NULL);
}

/* rejected/.kept-NNNN-<submission id hex>: the name, in rejected/, of the
 * copy kept of a refused submission, so that another upload of the same
 * bytes is not kept again (a dot-name: the listing of rejected/ is of
 * refusals). */
static void
index_name(const struct bp_ingest_result *r, char *out, size_t outlen)
{
	char id[2 * sizeof(r->meta.submission_id) + 1];

	sodium_bin2hex(id, sizeof(id), r->meta.submission_id, sizeof(r->meta.submission_id));
	snprintf(out, outlen, ".kept-%s-%s", r->meta.kommune, id);
}

/* A name the daemon gives a kept file in rejected/: letters, digits, "-"
 * and ".", not starting with a dot, ending in ".bpx". */
static bool
kept_name_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 4 && n < 64 && s[0] != '.' && !strcmp(s + n - 4, ".bpx") &&
	    strspn(s, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-.") == n;
}

/* Whether the first line of rejected/<kept>.reason, the reason the kept
 * copy was refused for, is reason: 1, 0, or -1 with errno. */
static int
kept_for(struct bpd_ctx *c, const char *kept, const char *reason)
{
	char rname[96], line[300];
	ssize_t got;
	int fd;

	snprintf(rname, sizeof(rname), "%s.reason", kept);
	if ((fd = openat(c->dirs.rejected, rname, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) < 0)
		return want_of_resources(errno) ? -1 : 0;
	got = read(fd, line, sizeof(line) - 1);
	int e = errno;
	close(fd);
	if (got < 0) {
		errno = e;
		return want_of_resources(e) ? -1 : 0;
	}
	line[got] = '\0';
	line[strcspn(line, "\n")] = '\0';
	return strcmp(line, reason) == 0;
}

/* bpd_rejected_twin, or for fd a (then the kept copy must have been
 * refused for r->reason too, and its descriptor goes to *keep). */
static int
rejected_twin(struct bpd_ctx *c, const struct bp_ingest_result *r, const char *qname, int a,
    char *name, size_t namelen, int *keep)
{
	char idx[96], kept[80];
	ssize_t got;
	int fd, b, ret;

	if (!r->have_meta || r->status != BP_INGEST_REFUSED || !r->authentic)
		return 0;
	index_name(r, idx, sizeof(idx));
	if ((fd = openat(c->dirs.rejected, idx, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) < 0)
		return want_of_resources(errno) ? -1 : 0;
	got = read(fd, kept, sizeof(kept) - 1);
	close(fd);
	if (got <= 0)
		return got < 0 && want_of_resources(errno) ? -1 : 0;
	kept[got] = '\0';
	kept[strcspn(kept, "\n")] = '\0';
	if (!kept_name_ok(kept))
		return 0;
	if (!qname && (ret = kept_for(c, kept, r->reason)) != 1)
		return ret;
	if ((b = openat(c->dirs.rejected, kept, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) < 0)
		return want_of_resources(errno) ? -1 : 0;
	if ((ret = same_as(c, qname, a, b, keep)) == 1)
		snprintf(name, namelen, "rejected/%s", kept);
	return ret;
}

int
bpd_rejected_twin(struct bpd_ctx *c, const struct bp_ingest_result *r, const char *qname,
    char *name, size_t namelen)
{
	return rejected_twin(c, r, qname, -1, name, namelen, NULL);
}

int
bpd_rejected_index(struct bpd_ctx *c, const struct bp_ingest_result *r, const char *kept)
{
	char idx[96], text[80];
	int n;

	if (!r->have_meta)
		return 0;
	index_name(r, idx, sizeof(idx));
	n = snprintf(text, sizeof(text), "%s\n", kept);
	if (n < 0 || (size_t)n >= sizeof(text)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return bpd_write_over(c->dirs.rejected, idx, text, (size_t)n, 0600) == 0 &&
	    fsync(c->dirs.rejected) == 0 ? 0 : -1;
}

enum bpd_end
bpd_end_replay(struct bpd_ctx *c, const struct bpd_qname *q, const char *name,
    const struct bp_ingest_result *r, const char *twin, bool unread)
{
	char tag[BP_UPLOAD_TAG_MAX], why[sizeof(r->reason) + 160];

	bpd_upload_tag(q, tag, sizeof(tag));
	/* An upload that spent its unit before a kill keeps it (flood.c):
	 * its reason file, store record and receipt are written again, once
	 * each.  (Hostile reviews: a stale replay within the budget, killed
	 * at its receipt, was counted on recovery instead, its reason file
	 * and store record left without a receipt.) */
	int replays = bpd_count_replay(c, q, r);

	if (replays < 0)
		return BPD_END_RETRY;
	snprintf(why, sizeof(why), "%s; the file was not kept: %s holds the same bytes",
	    r->reason, twin);
	if (r->status == BP_INGEST_REFUSED && !replays && bpd_write_reason(c, q, r, why) < 0) {
		bpd_log(LOG_ERR, "%s: cannot write the reason file: %s", bpd_qname_safe(q),
		    strerror(errno));
		return BPD_END_RETRY;
	}
	if (r->have_meta && !replays && bpd_receipt_write(c->dirs.outbox, c->sign_sk,
	    bpd_qname_safe(q), tag, r, time(NULL)) < 0) {
		bpd_log(LOG_ERR, "%s: cannot write the receipt (retried): %s", bpd_qname_safe(q),
		    strerror(errno));
		return BPD_END_RETRY;
	}
	if (replays && r->status == BP_INGEST_REFUSED)
		c->n_refused++;
	else if (replays)
		c->n_already++;
	else
		bpd_log_replay(c, bpd_qname_safe(q), r, twin, unread);
	if ((unlinkat(c->dirs.queue, name, 0) < 0 && errno != ENOENT) ||
	    fsync(c->dirs.queue) < 0) {
		bpd_log(LOG_ERR, "%s: cannot delete its copy: %s", bpd_qname_safe(q),
		    strerror(errno));
		return BPD_END_RETRY;
	}
	return BPD_END_DONE;
}

bool
bpd_replay_unread(struct bpd_ctx *c, const struct bpd_qname *q, const char *qname, int fd,
    enum bp_ingest_status *status, enum bpd_end *end)
{
	struct bp_ingest_result r;
	struct bpd_qname cq = *q;
	char twin[96], cpname[NAME_MAX + 1], tmpname[NAME_MAX + 1], proc[64];
	int tfd = -1, found;
	bool done = false;

	bp_ingest_result_init(&r);
	if (bp_ingest_head_judged(c->ing, fd, (int64_t)q->t, &r) != 1)
		goto out;
	/* bytes equal to a refused copy kept whole are as authentic */
	r.authentic = r.status == BP_INGEST_REFUSED;
	found = r.status == BP_INGEST_REFUSED ?
	    rejected_twin(c, &r, NULL, fd, twin, sizeof(twin), &tfd) :
	    archive_twin(c, &r, NULL, fd, twin, sizeof(twin), &tfd);
	struct bpd_qname tq = *q;
	cq.stage = BPD_Q_COPY;
	tq.stage = BPD_Q_CPTMP;
	if (found != 1 || bpd_qname_format(&cq, cpname, sizeof(cpname)) < 0 ||
	    bpd_qname_format(&tq, tmpname, sizeof(tmpname)) < 0)
		goto out;
	/* The verdict is made durable as a copy makes it: a COPY entry, here
	 * a link to the kept copy (by its descriptor: the inode compared),
	 * made as CPTMP and renamed (recovery deletes a CPTMP entry), then
	 * the claimed file is let go.  Killed from here on, the daemon finds
	 * the COPY entry, and never reads the uploader's inode again, which
	 * the uploader may still be writing to.  No link (no /proc, an
	 * archive on another file system), or not that inode (a /proc that
	 * is not procfs): nothing said yet, the copy and the full ingest
	 * decide. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", tfd);
	unlinkat(c->dirs.queue, tmpname, 0);   /* left by a crash */
	if (linkat(AT_FDCWD, proc, c->dirs.queue, tmpname, AT_SYMLINK_FOLLOW) < 0)
		goto out;
	struct stat lt, kt;
	if (fstatat(c->dirs.queue, tmpname, &lt, AT_SYMLINK_NOFOLLOW) < 0 || fstat(tfd, &kt) < 0 ||
	    lt.st_dev != kt.st_dev || lt.st_ino != kt.st_ino) {
		unlinkat(c->dirs.queue, tmpname, 0);
		goto out;
	}
	done = true;
	*end = BPD_END_RETRY;
	if (renameat(c->dirs.queue, tmpname, c->dirs.queue, cpname) < 0 ||
	    fsync(c->dirs.queue) < 0 ||
	    (unlinkat(c->dirs.queue, qname, 0) < 0 && errno != ENOENT) ||
	    fsync(c->dirs.queue) < 0)
		goto out;   /* IN beside COPY (or CPTMP): as after a crash */
	*end = bpd_end_replay(c, &cq, cpname, &r, twin, true);
	if (*end == BPD_END_DONE)
		*status = r.status;
out:
	if (tfd >= 0)
		close(tfd);
	bp_ingest_result_free(&r);
	return done;
}
