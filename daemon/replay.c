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
 * Only the daemon writes to archive/ and rejected/, and the bytes are
 * compared, not trusted from a name, so an upload is never dropped for a
 * file that only looks like it; anything else under those names (a
 * symbolic link, a name not of the daemon's form) means no twin.
 */
#include "bpaggd.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* Whether queue entry qname holds the bytes of b, another inode (b is
 * closed): 1, 0, or -1 with errno. */
static int
same_as(struct bpd_ctx *c, const char *qname, int b)
{
	struct stat sa, sb;
	int a = openat(c->dirs.queue, qname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), ret = -1;

	if (a >= 0 && fstat(a, &sa) == 0 && fstat(b, &sb) == 0) {
		ret = 0;
		if (S_ISREG(sa.st_mode) && S_ISREG(sb.st_mode) && sa.st_size == sb.st_size &&
		    !(sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino))
			ret = same_bytes(a, b, sa.st_size);
	}
	int e = errno;
	if (a >= 0)
		close(a);
	close(b);
	errno = e;
	return ret;
}

int
bpd_archive_twin(struct bpd_ctx *c, const struct bp_ingest_result *r, const char *qname,
    char *name, size_t namelen)
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
	} else if ((ret = same_as(c, qname, b)) == 1) {
		snprintf(name, namelen, "archive/%s/%s/%s", year, r->meta.kommune, file);
	}
	if (dfd >= 0)
		close(dfd);
	if (yfd >= 0)
		close(yfd);
	return ret;
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

int
bpd_rejected_twin(struct bpd_ctx *c, const struct bp_ingest_result *r, const char *qname,
    char *name, size_t namelen)
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
	if ((b = openat(c->dirs.rejected, kept, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) < 0)
		return want_of_resources(errno) ? -1 : 0;
	if ((ret = same_as(c, qname, b)) == 1)
		snprintf(name, namelen, "rejected/%s", kept);
	return ret;
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
