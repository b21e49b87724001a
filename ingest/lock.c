/* lock.c - the lock on an installation; see lock.h. */
#include "lock.h"

#include <errno.h>
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

	if (!slash)
		return snprintf(out, outlen, ".") < (int)outlen ? 0 : -1;
	if (slash == c->path)
		return snprintf(out, outlen, "/") < (int)outlen ? 0 : -1;
	return snprintf(out, outlen, "%.*s", (int)(slash - c->path), c->path) < (int)outlen ?
	    0 : -1;
}

int
bp_lock_install(const struct bp_config *c, int *fd, char *err, size_t errlen)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	struct stat st;

	*fd = -1;
	if (bp_state_dir(c, dir, sizeof(dir)) < 0 ||
	    snprintf(path, sizeof(path), "%s/bpaggd.lock", dir) >= (int)sizeof(path)) {
		snprintf(err, errlen, "%s: path too long", c->path);
		return -1;
	}
	/* Readable by all who may run bpaggd or bpagg rebuild (flock needs no
	 * write access); never followed through a link. */
	int f = open(path, O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (f < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(f, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(f);
		return -1;
	}
	if (flock(f, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		close(f);
		if (e == EWOULDBLOCK) {
			snprintf(err, errlen, "%s: held by a running bpaggd (or bpagg rebuild)",
			    path);
			return 1;
		}
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -1;
	}
	*fd = f;
	return 0;
}
