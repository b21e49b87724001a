/*
 * replay.c - a replay of a submission the archive holds is not kept again.
 *
 * Whoever can write to the inbox and has a sealed submission (captured
 * from a mail, a share, a backup) can upload it again and again. It is
 * counted once ("already applied", also when the kommune has applied a
 * newer one since), but each upload used to leave a copy of its bytes in
 * archive/ under a name of its own, so the disk filled at the uploader's
 * rate, for good. When the archive holds the submission under its own
 * name, archive/YYYY/NNNN/<submission id>.bpx, with exactly these bytes,
 * the replay's copy is deleted instead: nothing is lost, the bytes are
 * there. Its receipt is written as before.
 *
 * Only the daemon writes to the archive, and the bytes are compared, not
 * trusted from a name, so a replay is never dropped for a file that only
 * looks like it.
 */
#include "bpaggd.h"

#include <errno.h>
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

int
bpd_archive_twin(struct bpd_ctx *c, const struct bp_ingest_result *r, const char *qname,
    char *name, size_t namelen)
{
	char year[8], id[2 * sizeof(r->meta.submission_id) + 1], file[64];
	struct stat sa, sb;
	int yfd = -1, dfd = -1, a = -1, b = -1, ret = -1;

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
		ret = errno == EMFILE || errno == ENFILE || errno == ENOMEM || errno == EIO ? -1 : 0;
		goto out;
	}
	if ((a = openat(c->dirs.queue, qname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
	    fstat(a, &sa) < 0 || fstat(b, &sb) < 0)
		goto out;
	ret = 0;
	if (S_ISREG(sa.st_mode) && S_ISREG(sb.st_mode) && sa.st_size == sb.st_size &&
	    !(sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino))
		ret = same_bytes(a, b, sa.st_size);
	if (ret == 1)
		snprintf(name, namelen, "archive/%s/%s/%s", year, r->meta.kommune, file);
out:
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
	if (dfd >= 0)
		close(dfd);
	if (yfd >= 0)
		close(yfd);
	return ret;
}
