/* lock.c - the lock on an installation; see lock.h. */
#include "lock.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int
bp_state_dir(const struct bp_config *c, char *out, size_t outlen)
{
	const char *slash = c->path ? strrchr(c->path, '/') : NULL;

	/* [paths] state (bpagg.conf(5)); its default is the file's directory. */
	if (c->state && *c->state)
		return snprintf(out, outlen, "%s", c->state) < (int)outlen ? 0 : -1;
	if (!slash)
		return snprintf(out, outlen, ".") < (int)outlen ? 0 : -1;
	if (slash == c->path)
		return snprintf(out, outlen, "/") < (int)outlen ? 0 : -1;
	return snprintf(out, outlen, "%.*s", (int)(slash - c->path), c->path) < (int)outlen ?
	    0 : -1;
}

/* The private queue directory (created 0700 when missing), which nobody
 * but its owner may write or enter; returns its descriptor or -1. */
static int
open_private(const char *dir, char *err, size_t errlen)
{
	struct stat st;
	int sfd, qfd = -1;

	if ((sfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (mkdirat(sfd, "queue", 0700) == 0) {
		/* Root (bpagg rebuild, say) making it for the daemon's user: the
		 * queue is the state folder's owner's, as bpagg init --user
		 * gives that folder, or bpaggd could not use it later. */
		if (geteuid() == 0 && fstat(sfd, &st) == 0 && st.st_uid != 0 &&
		    fchownat(sfd, "queue", st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
			goto fail;
		fsync(sfd);
	} else if (errno != EEXIST) {
		goto fail;
	}
	if ((qfd = openat(sfd, "queue", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
	    fstat(qfd, &st) < 0)
		goto fail;
	/* Only its owner (or root) may reach the lock: 0700, repaired. */
	if ((st.st_mode & 077) && (st.st_uid != geteuid() && geteuid() != 0)) {
		snprintf(err, errlen, "%s/queue: mode %04o and owned by uid %u: not private; "
		    "make it mode 0700, owned by the user bpaggd runs as", dir,
		    (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
		goto out;
	}
	if ((st.st_mode & 077) && fchmod(qfd, 0700) < 0)
		goto fail;
	close(sfd);
	return qfd;
fail:
	snprintf(err, errlen, "%s/queue: %s", dir, strerror(errno));
out:
	if (qfd >= 0)
		close(qfd);
	close(sfd);
	return -1;
}

/* Takes flock op (LOCK_EX or LOCK_SH, | LOCK_NB) on queue/name; what
 * holds it is said as "held by <holder>". See bp_lock_install. */
static int
take(const struct bp_config *c, const char *name, int op, const char *holder, int *fd,
    char *err, size_t errlen)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];
	struct stat st, qst;
	int qfd, f;

	*fd = -1;
	if (bp_state_dir(c, dir, sizeof(dir)) < 0 ||
	    snprintf(path, sizeof(path), "%s/queue/%s", dir, name) >= (int)sizeof(path)) {
		snprintf(err, errlen, "%s: path too long", c->path);
		return -1;
	}
	if ((qfd = open_private(dir, err, errlen)) < 0)
		return -1;
	/* In the private queue, 0600: a user who could open it could hold
	 * the lock (flock needs no write access) and keep bpaggd out. */
	f = openat(qfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (f < 0 || fstat(f, &st) < 0 || fstat(qfd, &qst) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
		snprintf(err, errlen, "%s: not a regular file of its own", path);
		goto fail;
	}
	/* Another owner's or a readable lock is repaired where it can be
	 * (root, or its owner), refused otherwise. */
	if (st.st_uid != qst.st_uid && (geteuid() != 0 ||
	    fchown(f, qst.st_uid, qst.st_gid) < 0)) {
		snprintf(err, errlen, "%s: owned by uid %u, not by the queue's owner (uid %u)",
		    path, (unsigned)st.st_uid, (unsigned)qst.st_uid);
		goto fail;
	}
	if ((st.st_mode & 07777) != 0600 && fchmod(f, 0600) < 0) {
		snprintf(err, errlen, "%s: mode %04o: %s", path, (unsigned)(st.st_mode & 07777),
		    strerror(errno));
		goto fail;
	}
	close(qfd);
	if (flock(f, op) < 0) {
		int e = errno;
		close(f);
		if (e == EWOULDBLOCK) {
			snprintf(err, errlen, "%s: held by %s", path, holder);
			return 1;
		}
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -1;
	}
	*fd = f;
	return 0;
fail:
	if (f >= 0)
		close(f);
	close(qfd);
	return -1;
}

int
bp_lock_install(const struct bp_config *c, int *fd, char *err, size_t errlen)
{
	return take(c, ".bpaggd.lock", LOCK_EX | LOCK_NB,
	    "a running bpaggd (or bpagg rebuild)", fd, err, errlen);
}

int
bp_lock_rebuild(const struct bp_config *c, bool rebuild, int *fd, char *err, size_t errlen)
{
	/* A rebuild waits for a reset being recorded (one short write); a
	 * reset never waits for a rebuild. */
	return take(c, ".rebuild.lock", rebuild ? LOCK_EX : LOCK_SH | LOCK_NB,
	    "a running bpagg rebuild", fd, err, errlen);
}
