/*
 * merged.c - whose merge a store's "already applied" is.
 *
 * An upload's copy is ingested with its upload tag ("<T>-<R>", the queue
 * name's claim time and 16 random hex); the ledger row of a merge names
 * it (schema 6 on).  When the store answers "already applied", the row
 * says whether this upload merged (a crash, or a commit reported failed
 * that was durable) or another did; a row from before schema 6 names no
 * upload, and only its received time and the queue around it can tie it
 * to this one (bpaggd(8), Recovery).
 */
#include "bpaggd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/*
 * Whether queue entry name (another upload's) may carry r's submission:
 * its verified metadata names the same kommune and submission id, or it
 * cannot be read for a reason other than not being such a file. An IN
 * entry (the uploader's inode) is opened with the checks of a claim.
 */
static bool
same_submission(struct bpd_ctx *c, const char *name, const struct bpd_qname *o,
    const struct bp_ingest_result *r)
{
	struct bp_env_meta m;
	const char *reason = NULL;
	bool same;
	int fd;

	if (o->stage == BPD_Q_IN)
		fd = bpd_open_claimed(c, name, &reason);
	else if (o->stage == BPD_Q_COPY || o->stage == BPD_Q_MERGED || o->stage == BPD_Q_NOTOURS)
		fd = openat(c->dirs.queue, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	else
		return false; /* a copy cut short, or an outcome already durable */
	if (fd < 0)
		return !reason && errno != ENOENT;
	same = bp_ingest_peek_fd(c->ing, fd, &m) < 0 ||
	    (!strcmp(m.kommune, r->meta.kommune) &&
	    !memcmp(m.submission_id, r->meta.submission_id, sizeof(m.submission_id)));
	close(fd);
	return same;
}

/* True when another upload of r's submission in the queue was claimed in
 * q's second (or may have been: one that cannot be read counts). */
static bool
same_second(struct bpd_ctx *c, const struct bpd_qname *q, const struct bp_ingest_result *r)
{
	int fd = fcntl(c->dirs.queue, F_DUPFD_CLOEXEC, 0);
	struct bpd_qname o;
	struct dirent *de;
	bool found = false;
	DIR *dp;

	if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0 || !(dp = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return true; /* not known: not taken for a merge */
	}
	while (!found && (de = readdir(dp)) != NULL)
		found = bpd_qname_parse(de->d_name, &o) == 0 && o.t == q->t &&
		    strcmp(o.r, q->r) != 0 && same_submission(c, de->d_name, &o, r);
	closedir(dp);
	return found;
}

/* What the ledger's row for r's submission says of the upload tag. */
enum ledger_word { LEDGER_NONE, LEDGER_THIS, LEDGER_OTHER, LEDGER_UNTAGGED };

static enum ledger_word
ledger_word(struct bpd_ctx *c, const struct bp_ingest_result *r, const char *tag,
    int64_t *received)
{
	char upload[BP_UPLOAD_TAG_MAX];

	if (bp_store_find_received(bp_ingest_store(c->ing), r->meta.kommune,
	    r->meta.submission_id, received, upload) != 1)
		return LEDGER_NONE;
	if (!upload[0])
		return LEDGER_UNTAGGED;
	return strcmp(upload, tag) ? LEDGER_OTHER : LEDGER_THIS;
}

void
bpd_mark_merged(struct bp_ingest_result *r)
{
	r->status = BP_INGEST_MERGED;
	snprintf(r->reason, sizeof(r->reason), "%s", r->meta.dry_run ?
	    "dry run: validated" : "merged");
}

/*
 * Whether a row of the ledger that names no upload (written before
 * schema 6: only its received time ties it to an upload) is this
 * upload's own merge, found again after a failed step or a crash (a fresh
 * claim cannot have merged anything yet): a "cm" entry says so; a "cp"
 * entry (the crash came between the commit and the "cm" rename) only when
 * no other upload of the submission was claimed in the same second and no
 * other upload's receipt reports the merge (a replay claimed in the same
 * second as the upload that merged, which has left the queue since). A
 * row that names an upload was settled when the copy was ingested
 * (bpd_ingest_copy).
 */
bool
bpd_own_merge(struct bpd_ctx *c, const struct bpd_qname *q, const struct bp_ingest_result *r,
    const char *tag)
{
	int64_t received;

	if (ledger_word(c, r, tag, &received) != LEDGER_UNTAGGED || received != q->t)
		return false;
	return q->stage == BPD_Q_MERGED ||
	    (!same_second(c, q, r) && !bpd_receipt_merged_by_other(c->dirs.outbox, r, tag));
}

/*
 * Ingests the daemon's copy (fd, at offset 0); received is the claim time.
 * "Already applied" by a ledger row that names this upload is this
 * upload's own merge, whatever the stage: its transaction committed
 * although the daemon did not learn it (a crash, or a commit reported
 * failed that was durable), and the tag's 16 random hex are this
 * upload's alone.
 */
void
bpd_ingest_copy(struct bpd_ctx *c, int fd, const struct bpd_qname *q, struct bp_ingest_result *r)
{
	char tag[BP_UPLOAD_TAG_MAX];
	int64_t received;

	bp_ingest_result_init(r);
	bpd_upload_tag(q, tag, sizeof(tag));
	bp_ingest_fd(c->ing, fd, NULL, (int64_t)q->t, tag, r);
	if (r->status == BP_INGEST_ALREADY && ledger_word(c, r, tag, &received) == LEDGER_THIS)
		bpd_mark_merged(r);
}
