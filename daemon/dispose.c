/*
 * dispose.c - where a file goes after ingest.
 *
 * Merged or already applied: receipt, then rename into
 * archive/YYYY/NNNN/<submission id hex>.bpx. Refused: a reason file
 * rejected/<UTC time>-<random hex>.bpx.reason, then the file renamed beside
 * it (a sealed file) or deleted unread (anything else: it may be a
 * plaintext export, or a FIFO), a receipt (only when the kommune's
 * signature was verified) and a rejection record in the store. The inbox
 * name is never used for a file and only its bp_inbox_safe_name form is
 * logged or written. The store transaction has committed before
 * any of this, so a crash here leaves the file in the inbox to be re-judged
 * (already applied: archived without counting again).
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

static const char *
base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

/* Copies the directory part of path into out. */
static void
dir_name(const char *path, char *out, size_t outlen)
{
	const char *b = strrchr(path, '/');
	if (!b)
		snprintf(out, outlen, ".");
	else
		snprintf(out, outlen, "%.*s", (int)(b - path), path);
}

/* Renames src to dst, creating dst's directory; the caller syncs the dirs. */
static int
move_file(const char *src, const char *dst)
{
	char ddir[PATH_MAX];

	dir_name(dst, ddir, sizeof(ddir));
	if (bpd_mkdirs(ddir) < 0 || bpd_rename_new(src, dst) < 0)
		return -1;
	return 0;
}

/*
 * Records the directories of one disposal for the batch's sync: the ones
 * that received a receipt, a reason or the file, and the one the file left.
 * They are synced after all the renames of the batch (bpaggd.c), so a file
 * costs one fsync of its receipt, not four. Until then a crash may undo a
 * rename: the file is then found in the inbox again and re-judged (already
 * applied: archived, nothing counted).
 */
static int
note_dirs(struct bpd_dirset *dirs, const char *a, const char *b, const char *src_path)
{
	char sdir[PATH_MAX];

	dir_name(src_path, sdir, sizeof(sdir));
	if ((a && bpd_dirset_add(dirs, a) < 0) || (b && bpd_dirset_add(dirs, b) < 0) ||
	    bpd_dirset_add(dirs, sdir) < 0)
		return -1;
	return 0;
}

static void
receipt_dir(const struct bpd_paths *p, const struct bp_ingest_result *r, char *out,
    size_t outlen)
{
	snprintf(out, outlen, "%s/%s", p->outbox, r->meta.kommune);
}

/* Writes the receipt naming the file by its safe name; a failure is
 * logged, not fatal (the file still moves). */
static bool
write_receipt(const struct bpd_paths *p, const struct bp_key *sign_sk, const char *safe,
    const struct bp_ingest_result *r)
{
	if (!r->have_meta)
		return false;
	if (bpd_receipt_write(p->outbox, sign_sk, safe, r, time(NULL)) < 0) {
		bpd_log(LOG_ERR, "%s: cannot write the receipt: %s", safe, strerror(errno));
		return false;
	}
	return true;
}

static int
archive_file(const struct bpd_paths *p, const struct bp_key *sign_sk, const char *path,
    const struct bp_ingest_result *r, struct bpd_dirset *dirs)
{
	char dst[PATH_MAX], ddir[PATH_MAX], rdir[PATH_MAX], safe[NAME_MAX + 1];
	bool receipt;

	if (snprintf(dst, sizeof(dst), "%s/%s", p->archive, r->archived) >= (int)sizeof(dst)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	bp_inbox_safe_name(base_name(path), safe, sizeof(safe));
	receipt = write_receipt(p, sign_sk, safe, r);
	if (move_file(path, dst) < 0)
		return -1;
	dir_name(dst, ddir, sizeof(ddir));
	receipt_dir(p, r, rdir, sizeof(rdir));
	return note_dirs(dirs, receipt ? rdir : NULL, ddir, path);
}

/* The first bytes of every sealed submission (bpagg-submission(5)). */
static const char env_magic[8] = { 'B', 'P', 'A', 'G', 'G', 'S', 'U', 'B' };

/*
 * What a refused file is, looking at no more than its first 8 bytes:
 * KEEP a regular file that starts with the envelope magic (or, shorter,
 * with a prefix of it): it is sealed and goes to rejected/; PLAIN a regular
 * file that does not (maybe a plaintext export: deleted unread); SPECIAL
 * anything else (FIFO, socket, device, symbolic link: removed, never
 * moved or opened for reading); GONE when it vanished.
 */
enum kind { KIND_KEEP, KIND_PLAIN, KIND_SPECIAL, KIND_GONE, KIND_ERROR };

static enum kind
refused_kind(const char *path)
{
	struct stat st;
	char head[sizeof(env_magic)];
	ssize_t n;
	int fd;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? KIND_GONE : KIND_ERROR;
	if (!S_ISREG(st.st_mode))
		return KIND_SPECIAL;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0)
		return errno == ENOENT ? KIND_GONE : errno == ELOOP ? KIND_SPECIAL : KIND_ERROR;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return KIND_SPECIAL;
	}
	do
		n = pread(fd, head, sizeof(head), 0);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return KIND_ERROR;
	if (n == 0 || memcmp(head, env_magic, (size_t)n) != 0)
		return KIND_PLAIN;
	return KIND_KEEP;
}

/*
 * Writes the reason file under a new name "rejected/<UTC time>-<16 random
 * hex>.bpx.reason" (created exclusively, 0600, never replacing one) and
 * puts the chosen "<UTC time>-<hex>.bpx" in name. Returns 0 or -1.
 */
static int
write_reason(const char *dir, const char *text, size_t len, char *name, size_t namelen)
{
	char when[32], reason_name[NAME_MAX + 16];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm);
	for (int tries = 0; tries < 16; tries++) {
		uint8_t rnd[8];
		char hex[17];
		randombytes_buf(rnd, sizeof(rnd));
		sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
		snprintf(name, namelen, "%s-%s.bpx", when, hex);
		snprintf(reason_name, sizeof(reason_name), "%s.reason", name);
		if (bpd_write_new(dir, reason_name, text, len, 0600) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

static void
unlink_reason(const char *dir, const char *name)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s.reason", dir, name);
	unlink(p);
}

#define REASON_PLAIN "not a sealed submission (no bpagg envelope): the file was " \
	"deleted unread, as it may hold personal data; seal exports with bpagg seal"
#define REASON_SPECIAL "not a regular file (a FIFO, socket, device or symbolic " \
	"link): removed from the inbox, not kept"

/*
 * A refused file: a reason file under a new name in rejected/, a receipt
 * (verified sender only), a record in the store, then the file itself:
 * a sealed one is renamed beside its reason (mode 0600); anything else is
 * deleted unread. Only the safe form of the inbox name is written anywhere.
 */
static int
reject_file(const struct bpd_paths *p, const struct bp_key *sign_sk, bp_store *store,
    const char *path, const struct bp_ingest_result *r, struct bpd_dirset *dirs)
{
	char name[NAME_MAX + 1], safe[NAME_MAX + 1], dst[PATH_MAX], rdir[PATH_MAX];
	const char *reason = NULL;
	enum kind kind;
	size_t len;
	char *text;
	bool receipt;
	int rc;

	bp_inbox_safe_name(base_name(path), safe, sizeof(safe));
	switch ((kind = refused_kind(path))) {
	case KIND_GONE:
		bpd_log(LOG_INFO, "%s: vanished before it was moved", safe);
		return 0;
	case KIND_ERROR:
		return -1;
	case KIND_PLAIN:
		reason = REASON_PLAIN;
		break;
	case KIND_SPECIAL:
		reason = REASON_SPECIAL;
		break;
	case KIND_KEEP:
		break;
	}
	if (bpd_mkdirs(p->rejected) < 0)
		return -1;
	if (!(text = bpd_reason_text(r, reason, safe, &len)))
		return -1;
	rc = write_reason(p->rejected, text, len, name, sizeof(name));
	free(text);
	if (rc < 0)
		return -1;
	receipt = write_receipt(p, sign_sk, safe, r);
	if (store && bp_store_reject(store, r->have_meta ? r->meta.kommune : "",
	    r->have_meta ? r->meta.year : 0, name, reason ? reason : r->reason) < 0)
		bpd_log(LOG_ERR, "%s: cannot record the rejection in the store", safe);
	snprintf(dst, sizeof(dst), "%s/%s", p->rejected, name);
	if (kind == KIND_KEEP) {
		/* Best effort: the daemon may not own a file a kommune uploaded. */
		(void)chmod(path, 0600);
		rc = bpd_rename_new(path, dst);
	} else {
		rc = unlink(path) < 0 && errno != ENOENT ? -1 : 0;
	}
	if (rc < 0) {
		int saved = errno;
		unlink_reason(p->rejected, name);
		errno = saved;
		return -1;
	}
	if (kind == KIND_PLAIN)
		bpd_log(LOG_ALERT, "%s: not a sealed submission: deleted unread "
		    "(it may hold personal data); reason in rejected/%s.reason", safe, name);
	else if (kind == KIND_SPECIAL)
		bpd_log(LOG_WARNING, "%s: not a regular file: removed; reason in "
		    "rejected/%s.reason", safe, name);
	else
		bpd_log(LOG_INFO, "%s: moved to rejected/%s", safe, name);
	if (receipt)
		receipt_dir(p, r, rdir, sizeof(rdir));
	return note_dirs(dirs, p->rejected, receipt ? rdir : NULL, path);
}

int
bpd_dispose(const struct bpd_paths *p, const struct bp_key *sign_sk, bp_store *store,
    const char *path, const struct bp_ingest_result *r, struct bpd_dirset *dirs)
{
	switch (r->status) {
	case BP_INGEST_MERGED:
	case BP_INGEST_ALREADY:
		return archive_file(p, sign_sk, path, r, dirs);
	case BP_INGEST_REFUSED:
	case BP_INGEST_INCOMPLETE: /* too old to be still in writing */
		return reject_file(p, sign_sk, store, path, r, dirs);
	default:
		return 0;
	}
}
