/*
 * dispose.c - where a file goes after ingest.
 *
 * Merged or already applied: receipt, then rename into
 * archive/YYYY/NNNN/<name>. Refused: reason file, receipt (only when the
 * kommune's signature was verified), a rejection record in the store, then
 * rename into rejected/<name>. The store transaction has committed before
 * any of this, so a crash here leaves the file in the inbox to be re-judged
 * (already applied: archived without counting again).
 */
#include "bpaggd.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>
#include <time.h>

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
	if (bpd_mkdirs(ddir) < 0 || rename(src, dst) < 0)
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

/* Writes the receipt; a failure is logged, not fatal (the file still moves). */
static bool
write_receipt(const struct bpd_paths *p, const struct bp_key *sign_sk, const char *path,
    const struct bp_ingest_result *r)
{
	if (!r->have_meta)
		return false;
	if (bpd_receipt_write(p->outbox, sign_sk, base_name(path), r, time(NULL)) < 0) {
		bpd_log(LOG_ERR, "%s: cannot write the receipt: %s", base_name(path),
		    strerror(errno));
		return false;
	}
	return true;
}

static int
archive_file(const struct bpd_paths *p, const struct bp_key *sign_sk, const char *path,
    const struct bp_ingest_result *r, struct bpd_dirset *dirs)
{
	char dst[PATH_MAX], ddir[PATH_MAX], rdir[PATH_MAX];
	bool receipt;

	if (snprintf(dst, sizeof(dst), "%s/%s", p->archive, r->archived) >= (int)sizeof(dst)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	receipt = write_receipt(p, sign_sk, path, r);
	if (move_file(path, dst) < 0)
		return -1;
	dir_name(dst, ddir, sizeof(ddir));
	receipt_dir(p, r, rdir, sizeof(rdir));
	return note_dirs(dirs, receipt ? rdir : NULL, ddir, path);
}

/* "rejected/<name>"; when a file of that name is there, "<stem>.N<ext>"
 * for N = 1..9, then "<stem>.<16 random hex><ext>". */
static void
rejected_name(const char *dir, const char *base, char *out, size_t outlen)
{
	char p[PATH_MAX + NAME_MAX + 2];
	struct stat st;
	const char *dot = strrchr(base, '.');
	int stem = dot && dot != base ? (int)(dot - base) : (int)strlen(base);
	const char *ext = dot && dot != base ? dot : "";

	snprintf(out, outlen, "%s", base);
	for (unsigned i = 1;; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, out);
		if (lstat(p, &st) < 0)
			return;
		if (i < 10) {
			snprintf(out, outlen, "%.*s.%u%s", stem, base, i, ext);
		} else {
			uint8_t rnd[8];
			char hex[17];
			randombytes_buf(rnd, sizeof(rnd));
			sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
			snprintf(out, outlen, "%.*s.%s%s", stem, base, hex, ext);
		}
	}
}

static int
reject_file(const struct bpd_paths *p, const struct bp_key *sign_sk, bp_store *store,
    const char *path, const struct bp_ingest_result *r, struct bpd_dirset *dirs)
{
	char name[NAME_MAX + 1], reason_name[NAME_MAX + 16], dst[PATH_MAX], rdir[PATH_MAX];
	size_t len;
	char *text;
	bool receipt;
	int rc;

	if (bpd_mkdirs(p->rejected) < 0)
		return -1;
	rejected_name(p->rejected, base_name(path), name, sizeof(name));
	snprintf(reason_name, sizeof(reason_name), "%s.reason", name);
	if (!(text = bpd_reason_text(r, &len)))
		return -1;
	rc = bpd_write_durable(p->rejected, reason_name, text, len);
	free(text);
	if (rc < 0)
		return -1;
	receipt = write_receipt(p, sign_sk, path, r);
	if (store && bp_store_reject(store, r->have_meta ? r->meta.kommune : "",
	    r->have_meta ? r->meta.year : 0, name, r->reason) < 0)
		bpd_log(LOG_ERR, "%s: cannot record the rejection in the store", base_name(path));
	snprintf(dst, sizeof(dst), "%s/%s", p->rejected, name);
	if (move_file(path, dst) < 0)
		return -1;
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
