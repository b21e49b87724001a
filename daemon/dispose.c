/*
 * dispose.c - one queue entry to its end.
 *
 * IN (the uploader's inode, claimed): refused unread when it is not a
 * regular file, has another hard link, is too large, is not sealed or its
 * envelope's head (header and signed metadata) does not verify, so that a
 * plaintext behind the magic is never copied; otherwise its bytes are
 * copied into a CPTMP entry the daemon creates, synced and renamed COPY,
 * and the copy is ingested: what is verified,
 * archived and kept is always the daemon's own file, never the uploader's
 * inode (which may still be open for writing elsewhere). Once a COPY entry
 * exists the IN entry is never read again: after a crash, IN beside COPY
 * is dropped and COPY goes on; a CPTMP entry is a cut-short copy, deleted.
 * An upload still being written (complete by its framing, not by its final
 * tag) goes back to the inbox unread, however it was met: only the
 * listing's verdict (too long incomplete) refuses it, or, when it cannot
 * go back, young_seconds after its claim (give_back). When its copy is
 * found beside it after a crash, the copy is deleted and IN goes back.
 *
 * COPY: once the outcome is durable (the store has committed, or the
 * reason file and rejection record are written) the receipt is written,
 * then the entry is renamed ARCHIVE or REJECT, then linked into
 * archive/YYYY/NNNN/ or rejected/ and unlinked from the queue. A refused
 * copy is kept only when every byte of it authenticated; any other is
 * deleted unread (it may be plaintext behind the magic or a valid seal).
 *
 * Every step can be repeated after a crash: the reason file and the
 * rejected/ name derive from the entry's T and R (a second write finds
 * them there), a receipt is written once per upload (receipt.c), a store
 * verdict "already applied" is this upload's own merge when the ledger row
 * names this upload (merged.c: bpd_ingest_copy; rows from before it did
 * are judged by their received time, bpd_own_merge), and an ARCHIVE or
 * REJECT entry with a second link was already linked out. The inbox name
 * is never used for a file; only its bp_inbox_safe_name form, kept in the
 * entry name, is logged.
 */
#include "bpaggd.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#define REASON_PLAIN "not a sealed submission (no bpagg envelope): the file was " \
	"deleted unread, as it may hold personal data; seal exports with bpagg seal"
#define REASON_SPECIAL "not a regular file (a FIFO, socket, device or symbolic " \
	"link): removed from the inbox, not kept"
#define REASON_LINKED "the file has another hard link (it could be changed through " \
	"it): removed from the inbox, not kept; upload a file of its own"
#define REASON_UNREADABLE "bpaggd cannot read it (the file's mode or owner): removed " \
	"from the inbox, not kept; upload files the daemon's user can read (mode 0644)"
#define REASON_LARGE "file larger than max_file_bytes: removed from the inbox, not kept"
#define REASON_INCOMPLETE "envelope: still incomplete young_seconds after bpaggd " \
	"first saw it; write an upload under another name (such as NAME.bpx.part) and " \
	"rename it to NAME.bpx when it is complete"
#define REASON_DIRECTORY "a directory, not a file: not kept; moved out of the way " \
	"under a name starting with .bpaggd-dir-"
#define REASON_STRANDED "envelope: still incomplete young_seconds after bpaggd " \
	"took it, and it could not be put back into the inbox folder it came from (removed, " \
	"or not writable) to wait there: removed, not kept; write an upload under " \
	"another name (such as NAME.bpx.part) and rename it to NAME.bpx when it is complete"

/* The first bytes of every sealed submission (bpagg-submission(5)). */
static const char env_magic[8] = { 'B', 'P', 'A', 'G', 'G', 'S', 'U', 'B' };

/* "<UTC time of T>-<R>.bpx": this upload's name in rejected/. */
static void
rejected_name(const struct bpd_qname *q, char *out, size_t outlen)
{
	char when[32];
	time_t t = (time_t)q->t;
	struct tm tm;

	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm);
	else /* not reached for names bpd_qname_parse takes */
		snprintf(when, sizeof(when), "%lld", q->t);
	snprintf(out, outlen, "%s-%s.bpx", when, q->r);
}

/* The store's rejection record is written once per file whenever asked
 * (a crash may have come between it and the reason file). */
int
bpd_write_reason(struct bpd_ctx *c, const struct bpd_qname *q, const struct bp_ingest_result *r,
    const char *reason)
{
	char base[64], rname[80];
	size_t len;
	char *text;
	int rc;

	rejected_name(q, base, sizeof(base));
	snprintf(rname, sizeof(rname), "%s.reason", base);
	if (!(text = bpd_reason_text(r, reason, bpd_qname_safe(q), &len)))
		return -1;
	rc = bpd_write_new(c->dirs.rejected, rname, text, len, 0600);
	free(text);
	if (rc < 0 && errno != EEXIST) /* EEXIST: written before a crash */
		return -1;
	if (rc == 0 && fsync(c->dirs.rejected) < 0)
		return -1;
	if (bp_store_reject(bp_ingest_store(c->ing), r->have_meta ? r->meta.kommune : "",
	    r->have_meta ? r->meta.year : 0, base, reason ? reason : r->reason) < 0) {
		bpd_log(LOG_ERR, "%s: cannot record the rejection in the store (retried)",
		    bpd_qname_safe(q));
		return -1;
	}
	return 0;
}

/*
 * A directory claimed in place of a file (swapped in after the look) is no
 * upload: it goes back to the inbox's top folder as ".bpaggd-dir-T-R" (the
 * listing skips names starting with a dot), never replacing a name.  When
 * it cannot leave the queue (a daemon that is not root cannot move a
 * directory it may not write to, and the uploader may have made it
 * read-only), it is set aside in the queue under that name, which the
 * queue's listing skips too, and logged for the administrator.  0, or -1
 * with errno.
 */
/* The inbox: the listing's descriptor, or at recovery (not listed yet)
 * opened here, to be closed with put_inbox. */
static int
get_inbox(struct bpd_ctx *c)
{
	return c->inbox >= 0 ? c->inbox :
	    open(c->conf->inbox, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

static void
put_inbox(struct bpd_ctx *c, int in)
{
	int e = errno;

	if (in >= 0 && in != c->inbox)
		close(in);
	errno = e;
}

static int
put_back_dir(struct bpd_ctx *c, const struct bpd_qname *q, const char *qname)
{
	char to[NAME_MAX + 1];
	int in = get_inbox(c);
	int rc;

	snprintf(to, sizeof(to), ".bpaggd-dir-%lld-%s", q->t, q->r);
	rc = in >= 0 ? renameat2(c->dirs.queue, qname, in, to, RENAME_NOREPLACE) : -1;
	put_inbox(c, in);
	if (rc < 0) {
		/* within one folder a directory's ".." stays: no write needed */
		if (renameat2(c->dirs.queue, qname, c->dirs.queue, to, RENAME_NOREPLACE) < 0)
			return -1;
		bpd_log(LOG_WARNING, "queue/%s: a directory an uploader swapped in for a "
		    "file could not be moved back to the inbox; set aside here, remove it", to);
	}
	return fsync(c->dirs.queue);
}

static enum bpd_end refuse_unkept(struct bpd_ctx *c, const struct bpd_qname *q,
    const char *qname, const char *reason, enum bp_ingest_status *status);

/*
 * An IN entry (qname) of an upload still being written goes back to its
 * inbox folder unread: under its own name when free, else under a fresh
 * one (bpd_unclaim), and is waited for there. Nothing was committed, no
 * receipt written. When it cannot go back it waits in the queue (copied
 * again at each retry, so ingested once complete), but not for longer
 * than the listing would wait: young_seconds after it was taken it is
 * refused, unkept.  (An uploader who removed its folder once bpaggd had
 * taken the file kept it there for good, read again at every retry.)
 */
static enum bpd_end
give_back(struct bpd_ctx *c, const struct bpd_qname *q, const char *qname,
    struct bpd_claimed *cl, enum bp_ingest_status *status)
{
	char as[NAME_MAX + 1];
	int in = get_inbox(c), rc = -1;

	if (in >= 0)
		rc = bpd_unclaim(in, c->dirs.queue, q, cl ? cl->name : NULL, as, sizeof(as));
	put_inbox(c, in);
	if (rc < 0 && (long long)time(NULL) - q->t >= (long long)c->conf->young_seconds)
		return refuse_unkept(c, q, qname, REASON_STRANDED, status);
	if (rc < 0) {
		bpd_log(LOG_ERR, "%s: still being written, but cannot be put back into the "
		    "inbox: %s; left in the queue, refused if still so young_seconds after "
		    "it was taken", bpd_qname_safe(q), strerror(errno));
		return BPD_END_RETRY;
	}
	if (!cl || strcmp(as, cl->name))
		bpd_log(LOG_NOTICE, "%s: still being written: put back into the inbox%s%.4s "
		    "as %s", bpd_qname_safe(q), q->rest[0] == '-' ? "" : "/",
		    q->rest[0] == '-' ? "" : q->rest, as);
	if (cl)
		snprintf(cl->returned, sizeof(cl->returned), "%s", as);
	return BPD_END_RETURNED;
}

/* A refusal that keeps nothing: reason file, then the entry removed. */
static enum bpd_end
refuse_unkept(struct bpd_ctx *c, const struct bpd_qname *q, const char *qname,
    const char *reason, enum bp_ingest_status *status)
{
	struct bp_ingest_result r;
	char base[64];
	bool plain = !strcmp(reason, REASON_PLAIN);
	int counted;

	bp_ingest_result_init(&r);
	r.status = BP_INGEST_REFUSED;
	snprintf(r.reason, sizeof(r.reason), "%s", reason);
	*status = BP_INGEST_REFUSED;
	if ((counted = bpd_count_unverified(c, q, reason, plain ? LOG_ALERT : LOG_WARNING)) < 0)
		return BPD_END_RETRY;
	if (!counted && bpd_write_reason(c, q, &r, reason) < 0) {
		bpd_log(LOG_ERR, "%s: cannot write the reason file: %s", bpd_qname_safe(q),
		    strerror(errno));
		return BPD_END_RETRY;
	}
	/* never followed: a link is removed, a directory put back */
	if (unlinkat(c->dirs.queue, qname, 0) < 0 && errno != ENOENT &&
	    (errno != EISDIR || put_back_dir(c, q, qname) < 0))
		return BPD_END_RETRY;
	rejected_name(q, base, sizeof(base));
	c->n_refused++;
	if (counted)
		return BPD_END_DONE;
	if (plain)
		bpd_log(LOG_ALERT, "%s: not a sealed submission: deleted unread "
		    "(it may hold personal data); reason in rejected/%s.reason",
		    bpd_qname_safe(q), base);
	else
		bpd_log(LOG_WARNING, "%s: refused: %s; reason in rejected/%s.reason",
		    bpd_qname_safe(q), reason, base);
	return BPD_END_DONE;
}

void
bpd_log_replay(struct bpd_ctx *c, const char *safe, const struct bp_ingest_result *r,
    const char *twin, bool unread)
{
	const char *how = unread ? " (compared before any decryption)" : "";

	switch (r->status) {
	case BP_INGEST_MERGED:
		c->n_merged++;
		bpd_log(LOG_INFO, "%s: %s kommune %s year %u rows %lu", safe,
		    r->meta.dry_run ? "dry run validated" : "merged", r->meta.kommune,
		    (unsigned)r->meta.year, (unsigned long)r->rows);
		break;
	case BP_INGEST_ALREADY:
		c->n_already++;
		if (twin)
			bpd_log(LOG_INFO, "%s: already applied (kommune %s year %u); not kept, "
			    "%s holds the same bytes%s", safe, r->meta.kommune,
			    (unsigned)r->meta.year, twin, how);
		else
			bpd_log(LOG_INFO, "%s: already applied, archived (kommune %s year %u)",
			    safe, r->meta.kommune, (unsigned)r->meta.year);
		break;
	case BP_INGEST_REFUSED:
		c->n_refused++;
		if (twin)
			bpd_log(LOG_WARNING, "%s: refused: %s; not kept, %s holds the same bytes%s",
			    safe, r->reason, twin, how);
		else
			bpd_log(LOG_WARNING, "%s: refused: %s", safe, r->reason);
		break;
	default:
		/* A store out of reach has said so once; the file waits in the
		 * queue for it without a line each time it is tried. */
		if (r->status == BP_INGEST_ERROR && bp_store_unreachable(bp_ingest_store(c->ing)))
			break;
		bpd_log(LOG_ERR, "%s: not ingested, left in the queue: %s", safe, r->reason);
		break;
	}
}

static void
log_outcome(struct bpd_ctx *c, const char *safe, const struct bp_ingest_result *r)
{
	bpd_log_replay(c, safe, r, NULL, false);
}

/* Whether name beneath dir is the inode of st. */
static bool
is_inode(int dir, const char *name, const struct stat *st)
{
	struct stat t;
	return fstatat(dir, name, &t, AT_SYMLINK_NOFOLLOW) == 0 && t.st_dev == st->st_dev &&
	    t.st_ino == st->st_ino;
}

/* Links an ARCHIVE or REJECT entry out of the queue, then unlinks it. */
static enum bpd_end
link_out(struct bpd_ctx *c, const struct bpd_qname *q, const char *qname)
{
	char year[8], kommune[8], file[160], alt[200];
	struct stat st;
	int dfd = -1, yfd = -1;
	enum bpd_end end = BPD_END_RETRY;

	if (fstatat(c->dirs.queue, qname, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? BPD_END_DONE : BPD_END_RETRY;
	/* A name already there is this entry linked out before a crash only
	 * when it is this inode: another link count says nothing, as a COPY
	 * entry that bpd_replay_unread made is a link to a kept copy (a
	 * hostile review: a stale replay's entry, merged on recovery after
	 * bpagg reset-sequence, was unlinked without reaching archive/). */
	if (q->stage == BPD_Q_REJECT) {
		rejected_name(q, file, sizeof(file));
		if (linkat(c->dirs.queue, qname, c->dirs.rejected, file, 0) < 0 &&
		    (errno != EEXIST || !is_inode(c->dirs.rejected, file, &st)))
			goto out;
		if (fsync(c->dirs.rejected) < 0)
			goto out;
		bpd_log(LOG_INFO, "moved to rejected/%s", file);
		goto unlink;
	}
	if (sscanf(q->rest, "%4[0-9].%4[0-9].%159s", year, kommune, file) != 3) {
		bpd_log(LOG_ERR, "queue/%s: not a queue entry name; left there", qname);
		goto out;
	}
	if ((yfd = bpd_opendir_at(c->dirs.archive, year, true)) < 0 ||
	    (dfd = bpd_opendir_at(yfd, kommune, true)) < 0)
		goto out;
	if (linkat(c->dirs.queue, qname, dfd, file, 0) < 0) {
		if (errno != EEXIST)
			goto out;
		/* Taken by another file: this upload's own name instead. */
		snprintf(alt, sizeof(alt), "%.32s.%s.bpx", file, q->r);
		if (!is_inode(dfd, file, &st) &&
		    linkat(c->dirs.queue, qname, dfd, alt, 0) < 0 &&
		    (errno != EEXIST || !is_inode(dfd, alt, &st)))
			goto out;
	}
	if (fsync(dfd) < 0)
		goto out;
unlink:
	if (unlinkat(c->dirs.queue, qname, 0) < 0 && errno != ENOENT)
		goto out;
	end = BPD_END_DONE;
out:
	if (end != BPD_END_DONE)
		bpd_log(LOG_ERR, "queue/%s: cannot move it out: %s", qname, strerror(errno));
	if (dfd >= 0)
		close(dfd);
	if (yfd >= 0)
		close(yfd);
	return end;
}

int
bpd_open_claimed(struct bpd_ctx *c, const char *qname, const char **reason)
{
	struct stat st, fst;
	int fd;

	*reason = NULL;
	if (fstatat(c->dirs.queue, qname, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		*reason = S_ISDIR(st.st_mode) ? REASON_DIRECTORY : REASON_SPECIAL;
		return -1;
	}
	if (st.st_nlink != 1) {
		*reason = REASON_LINKED;
		return -1;
	}
	fd = openat(c->dirs.queue, qname, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		*reason = errno == ELOOP ? REASON_SPECIAL :
		    errno == EACCES ? REASON_UNREADABLE : NULL;
		return -1;
	}
	/* The descriptor read is the inode checked. */
	if (fstat(fd, &fst) < 0 || fst.st_dev != st.st_dev || fst.st_ino != st.st_ino ||
	    !S_ISREG(fst.st_mode) || fst.st_nlink != 1) {
		close(fd);
		*reason = REASON_SPECIAL;
		return -1;
	}
	if ((uint64_t)fst.st_size > c->conf->max_file_bytes) {
		close(fd);
		*reason = REASON_LARGE;
		return -1;
	}
	return fd;
}

/*
 * After the outcome of a COPY entry is durable: reason (refused), receipt,
 * the entry renamed ARCHIVE or REJECT, then linked out.
 */
static enum bpd_end
finish(struct bpd_ctx *c, const struct bpd_qname *q, const char *cpname,
    struct bp_ingest_result *r, bool fresh)
{
	char tag[BP_UPLOAD_TAG_MAX], next[NAME_MAX + 1];
	struct bpd_qname n = *q;

	/* a "ca" entry's verdict was "already applied" from the start */
	bpd_upload_tag(q, tag, sizeof(tag));
	if (!fresh && r->status == BP_INGEST_ALREADY && q->stage != BPD_Q_NOTOURS &&
	    bpd_own_merge(c, q, r, tag))
		bpd_mark_merged(r);
	if (r->status == BP_INGEST_INCOMPLETE) {
		r->status = BP_INGEST_REFUSED;
		snprintf(r->reason, sizeof(r->reason), REASON_INCOMPLETE);
	}
	/* Bytes no kommune's key vouches for may be anything (a plaintext
	 * export behind the magic, or appended to a valid seal): such a file
	 * is deleted unread, never kept in rejected/. */
	bool keep = r->status != BP_INGEST_REFUSED || r->authentic;
	if (!keep) {
		size_t l = strlen(r->reason);
		snprintf(r->reason + l, sizeof(r->reason) - l, "; the file was deleted unread, "
		    "as it may hold personal data");
	}
	int counted = keep ? 0 : bpd_count_unverified(c, q, r->reason, LOG_WARNING);
	if (counted < 0)
		return BPD_END_RETRY;
	/* a replay whose bytes are kept already: no second copy (replay.c) */
	char twin[96];
	int has_twin = !keep ? 0 : r->status == BP_INGEST_REFUSED ?
	    bpd_rejected_twin(c, r, cpname, twin, sizeof(twin)) :
	    bpd_archive_twin(c, r, cpname, twin, sizeof(twin));
	if (has_twin < 0) {
		bpd_log(LOG_ERR, "%s: cannot compare it with the copy kept before (retried): %s",
		    bpd_qname_safe(q), strerror(errno));
		return BPD_END_RETRY;
	}
	if (has_twin)
		return bpd_end_replay(c, q, cpname, r, twin, false);
	if (r->status == BP_INGEST_REFUSED && !counted && bpd_write_reason(c, q, r, NULL) < 0) {
		bpd_log(LOG_ERR, "%s: cannot write the reason file: %s", bpd_qname_safe(q),
		    strerror(errno));
		return BPD_END_RETRY;
	}
	if (r->have_meta && bpd_receipt_write(c->dirs.outbox, c->sign_sk,
	    bpd_qname_safe(q), tag, r, time(NULL)) < 0) {
		bpd_log(LOG_ERR, "%s: cannot write the receipt (retried): %s", bpd_qname_safe(q),
		    strerror(errno));
		return BPD_END_RETRY;
	}
	if (counted)
		c->n_refused++;
	else
		bpd_log_replay(c, bpd_qname_safe(q), r, NULL, false);
	if (!keep) {
		if ((unlinkat(c->dirs.queue, cpname, 0) < 0 && errno != ENOENT) ||
		    fsync(c->dirs.queue) < 0) {
			bpd_log(LOG_ERR, "%s: cannot delete its copy: %s",
			    bpd_qname_safe(q), strerror(errno));
			return BPD_END_RETRY;
		}
		return BPD_END_DONE;
	}
	if (r->status == BP_INGEST_REFUSED) {
		n.stage = BPD_Q_REJECT;
		snprintf(n.rest, sizeof(n.rest), "kept");
		/* named before the entry advances: after a crash the index names
		 * a file the REJECT entry's recovery links, or one that is not
		 * there (then no twin, and this copy is kept and named again) */
		char kept[64];
		rejected_name(q, kept, sizeof(kept));
		if (bpd_rejected_index(c, r, kept) < 0) {
			bpd_log(LOG_ERR, "%s: cannot name its kept copy in rejected/ (retried): %s",
			    bpd_qname_safe(q), strerror(errno));
			return BPD_END_RETRY;
		}
	} else {
		n.stage = BPD_Q_ARCHIVE;
		const char *file = strrchr(r->archived, '/');
		snprintf(n.rest, sizeof(n.rest), "%04u.%s.%.180s", (unsigned)r->meta.year,
		    r->meta.kommune, file ? file + 1 : r->archived);
	}
	if (bpd_qname_format(&n, next, sizeof(next)) < 0 ||
	    renameat(c->dirs.queue, cpname, c->dirs.queue, next) < 0 ||
	    fsync(c->dirs.queue) < 0) {
		bpd_log(LOG_ERR, "%s: cannot advance the queue entry: %s", bpd_qname_safe(q),
		    strerror(errno));
		return BPD_END_RETRY;
	}
	return link_out(c, &n, next);
}

/*
 * A COPY entry: ingested again (after a crash, or a failed step). inname
 * is its IN entry, still beside it: dropped unread once the verdict is
 * known, or, when the copy is incomplete (the daemon died before an upload
 * still being written went back), put back into the inbox unread while
 * the copy is deleted.
 */
static enum bpd_end
from_copy(struct bpd_ctx *c, const struct bpd_qname *q, const char *cpname,
    const char *inname, enum bp_ingest_status *status)
{
	struct bpd_qname iq = *q;
	struct bp_ingest_result r;
	enum bpd_end end;
	int fd;

	if ((fd = openat(c->dirs.queue, cpname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return errno == ENOENT ? BPD_END_DONE : BPD_END_RETRY;
	bpd_ingest_copy(c, fd, q, &r);
	close(fd);
	*status = r.status;
	iq.stage = BPD_Q_IN;
	if (r.status == BP_INGEST_ERROR || r.status == BP_INGEST_GONE) {
		log_outcome(c, bpd_qname_safe(q), &r);
		end = BPD_END_RETRY;
	} else if (inname && r.status == BP_INGEST_INCOMPLETE) {
		/* nothing committed: the copy goes first, as in from_in */
		end = (unlinkat(c->dirs.queue, cpname, 0) < 0 && errno != ENOENT) ||
		    fsync(c->dirs.queue) < 0 ? BPD_END_RETRY :
		    give_back(c, &iq, inname, NULL, status);
	} else if (inname && ((unlinkat(c->dirs.queue, inname, 0) < 0 && errno != ENOENT) ||
	    fsync(c->dirs.queue) < 0)) {
		end = BPD_END_RETRY; /* IN beside COPY again: the same next time */
	} else {
		end = finish(c, q, cpname, &r, false);
	}
	bp_ingest_result_free(&r);
	return end;
}

/* True when fd starts like a sealed submission (or is empty); the bytes
 * read are wiped. */
static bool
looks_sealed(int fd)
{
	char head[sizeof(env_magic)];
	ssize_t n = pread(fd, head, sizeof(head), 0);
	bool sealed = n >= 0 && memcmp(head, env_magic, (size_t)n) == 0;
	sodium_memzero(head, sizeof(head));
	return sealed;
}

/*
 * The copy is written as a CPTMP entry and becomes the COPY entry only
 * once it and the queue are synced: a COPY entry is always whole, and from
 * then on only it is read (recovery never goes back to the uploader's
 * inode, which the uploader may still hold open for writing). Returns the
 * copy's descriptor at offset 0, or -1.
 */
static int
make_copy(struct bpd_ctx *c, int fd, const struct bpd_qname *q, char *cpname, size_t cplen,
    bool *early)
{
	struct bpd_qname tq = *q, cq = *q;
	char tmpname[NAME_MAX + 1];
	int cfd;

	tq.stage = BPD_Q_CPTMP;
	cq.stage = BPD_Q_COPY;
	if (bpd_qname_format(&tq, tmpname, sizeof(tmpname)) < 0 ||
	    bpd_qname_format(&cq, cpname, cplen) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	unlinkat(c->dirs.queue, tmpname, 0); /* a partial copy left by a crash */
	if ((cfd = bpd_copy_in(c->ing, fd, c->dirs.queue, tmpname, early)) < 0)
		return -1;
	if (fsync(cfd) < 0 || renameat(c->dirs.queue, tmpname, c->dirs.queue, cpname) < 0 ||
	    fsync(c->dirs.queue) < 0) {
		int e = errno;
		close(cfd);
		unlinkat(c->dirs.queue, tmpname, 0);
		errno = e;
		return -1;
	}
	return cfd;
}

/* An IN entry: checked, copied, ingested from the copy. */
static enum bpd_end
from_in(struct bpd_ctx *c, const struct bpd_qname *q, const char *qname,
    struct bpd_claimed *cl, enum bp_ingest_status *status)
{
	struct bpd_qname cq = *q;
	struct bp_ingest_result r;
	char cpname[NAME_MAX + 1];
	const char *reason;
	enum bpd_end end;
	int fd, cfd;

	*status = BP_INGEST_ERROR;
	if ((fd = bpd_open_claimed(c, qname, &reason)) < 0) {
		/* The reason first, then the entry removed (refuse_unkept):
		 * a crash between them leaves the entry to refuse again. */
		if (reason)
			return refuse_unkept(c, q, qname, reason, status);
		return errno == ENOENT ? BPD_END_DONE : BPD_END_RETRY;
	}
	if (!looks_sealed(fd)) {
		close(fd);
		return refuse_unkept(c, q, qname, REASON_PLAIN, status);
	}
	/* The header and the signed metadata are checked on the uploader's
	 * inode before anything of it is copied: a file they refuse (a
	 * plaintext export behind the magic, a seal no registered key made)
	 * is refused unread and never copied to disk.  What passes is copied
	 * as far as it authenticates, chunk by chunk (no plaintext behind a
	 * valid head or after a valid seal reaches the queue; bpd_copy_in),
	 * and the copy verified in full, as before (the uploader may change
	 * its file meanwhile). */
	bp_ingest_result_init(&r);
	if (bp_ingest_check_head(c->ing, fd, &r) == 1) {
		char why[sizeof(r.reason) + 64];
		close(fd);
		snprintf(why, sizeof(why), "%s; the file was deleted unread, as it may hold "
		    "personal data", r.reason);
		bp_ingest_result_free(&r);
		return refuse_unkept(c, q, qname, why, status);
	}
	bp_ingest_result_free(&r);
	if (bpd_replay_unread(c, q, qname, fd, status, &end)) {
		close(fd);
		return end;
	}
	cq.stage = BPD_Q_COPY;
	bool early;
	cfd = make_copy(c, fd, q, cpname, sizeof(cpname), &early);
	close(fd);
	if (cfd < 0) {
		bpd_log(LOG_ERR, "%s: cannot copy it into the queue: %s", bpd_qname_safe(q),
		    strerror(errno));
		return BPD_END_RETRY;
	}
	/* A copy that ends before its final chunk would open as incomplete:
	 * it is not decrypted a second time to say so. */
	if (early && !(cl && cl->refuse_incomplete)) {
		bp_ingest_result_init(&r);
		r.status = BP_INGEST_INCOMPLETE;
	} else
		bpd_ingest_copy(c, cfd, q, &r);
	close(cfd);
	*status = r.status;
	if (r.status == BP_INGEST_INCOMPLETE && !(cl && cl->refuse_incomplete)) {
		/* Complete by its framing, not by its final tag: an upload that
		 * paused at a chunk boundary, just claimed or found in the queue
		 * after a crash. It goes back, unchanged (nothing was committed;
		 * the copy goes first, so that a crash leaves the claimed file
		 * alone, to be copied again). */
		bp_ingest_result_free(&r);
		if (unlinkat(c->dirs.queue, cpname, 0) < 0 || fsync(c->dirs.queue) < 0)
			return BPD_END_RETRY;
		return give_back(c, q, qname, cl, status);
	}
	if (r.status == BP_INGEST_ERROR || r.status == BP_INGEST_GONE) {
		/* Nothing committed: the copy is made again next time. */
		log_outcome(c, bpd_qname_safe(q), &r);
		unlinkat(c->dirs.queue, cpname, 0);
		bp_ingest_result_free(&r);
		return BPD_END_RETRY;
	}
	/* The outcome is durable: the uploader's inode is let go. A failure
	 * here leaves IN beside COPY, and then COPY alone is used. */
	if ((unlinkat(c->dirs.queue, qname, 0) < 0 && errno != ENOENT) ||
	    fsync(c->dirs.queue) < 0) {
		bp_ingest_result_free(&r);
		return BPD_END_RETRY;
	}
	if (r.status == BP_INGEST_MERGED || r.status == BP_INGEST_ALREADY) {
		/* Said before the receipt: a retry must know whether this
		 * upload merged it or found it merged by a same-second twin. */
		struct bpd_qname mq = cq;
		char mname[NAME_MAX + 1];
		mq.stage = r.status == BP_INGEST_MERGED ? BPD_Q_MERGED : BPD_Q_NOTOURS;
		if (bpd_qname_format(&mq, mname, sizeof(mname)) == 0 &&
		    renameat(c->dirs.queue, cpname, c->dirs.queue, mname) == 0 &&
		    fsync(c->dirs.queue) == 0) {
			end = finish(c, &mq, mname, &r, cl != NULL);
			bp_ingest_result_free(&r);
			return end;
		}
		bp_ingest_result_free(&r);
		return BPD_END_RETRY;
	}
	end = finish(c, &cq, cpname, &r, cl != NULL);
	bp_ingest_result_free(&r);
	return end;
}

/* True when the entry of the same upload as q at stage st is there. */
static bool
sibling(struct bpd_ctx *c, const struct bpd_qname *q, enum bpd_stage st, char *out,
    size_t outlen)
{
	struct bpd_qname i = *q;
	struct stat sb;

	i.stage = st;
	return bpd_qname_format(&i, out, outlen) == 0 &&
	    fstatat(c->dirs.queue, out, &sb, AT_SYMLINK_NOFOLLOW) == 0;
}

/* A COPY entry beside its IN entry: the copy is whole (it was synced
 * before it got its name), so the claimed file is never read again and the
 * copy alone goes on (from_copy). */
static enum bpd_end
copy_over_in(struct bpd_ctx *c, const struct bpd_qname *q, const char *inname,
    const char *cpname, enum bp_ingest_status *status)
{
	struct bpd_qname cq = *q;

	cq.stage = BPD_Q_COPY;
	return from_copy(c, &cq, cpname, inname, status);
}

enum bpd_end
bpd_dispose(struct bpd_ctx *c, const char *qname, struct bpd_claimed *cl,
    enum bp_ingest_status *status)
{
	struct bpd_qname q;
	char other[NAME_MAX + 1];

	*status = BP_INGEST_ERROR;
	if (bpd_qname_parse(qname, &q) < 0)
		return BPD_END_DONE; /* not ours: left alone */
	switch (q.stage) {
	case BPD_Q_IN:
		if (sibling(c, &q, BPD_Q_COPY, other, sizeof(other)))
			return copy_over_in(c, &q, qname, other, status);
		return from_in(c, &q, qname, cl, status);
	case BPD_Q_CPTMP:
		/* A copy cut short by a crash: its IN entry is copied again. */
		if (unlinkat(c->dirs.queue, qname, 0) < 0 && errno != ENOENT)
			return BPD_END_RETRY;
		return BPD_END_DONE;
	case BPD_Q_COPY:
		if (sibling(c, &q, BPD_Q_IN, other, sizeof(other)))
			return copy_over_in(c, &q, other, qname, status);
		return from_copy(c, &q, qname, NULL, status);
	case BPD_Q_MERGED:
	case BPD_Q_NOTOURS:
		return from_copy(c, &q, qname, NULL, status);
	case BPD_Q_ARCHIVE:
	case BPD_Q_REJECT:
		*status = q.stage == BPD_Q_ARCHIVE ? BP_INGEST_MERGED : BP_INGEST_REFUSED;
		return link_out(c, &q, qname);
	}
	return BPD_END_DONE;
}
