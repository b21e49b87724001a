/*
 * dirs.c - the daemon's own directories of the configuration (archive,
 * rejected, outbox): opened, closed, and checked to be on the queue's file
 * system.
 */
#include "bpaggd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
bpd_open_dirs(const struct bp_config *c, struct bpd_dirs *out, char *err, size_t errlen)
{
	const char *paths[3] = { c->archive, c->rejected, c->outbox };
	int fds[3] = { -1, -1, -1 };

	for (int i = 0; i < 3; i++)
		if ((fds[i] = bpd_opendir_path(paths[i], true)) < 0) {
			snprintf(err, errlen, "%s: %s", paths[i], strerror(errno));
			for (int j = 0; j < i; j++)
				close(fds[j]);
			return -1;
		}
	out->archive = fds[0];
	out->rejected = fds[1];
	out->outbox = fds[2];
	return 0;
}

int
bpd_one_file_system(int queue, const struct bp_config *c, const struct bpd_dirs *dirs, char *err,
    size_t errlen)
{
	const char *paths[2] = { c->archive, c->rejected };
	int fds[2] = { dirs->archive, dirs->rejected };
	struct stat q, st;

	if (fstat(queue, &q) < 0) {
		snprintf(err, errlen, "queue: %s", strerror(errno));
		return -1;
	}
	for (int i = 0; i < 2; i++) {
		if (fstat(fds[i], &st) < 0) {
			snprintf(err, errlen, "%s: %s", paths[i], strerror(errno));
			return -1;
		}
		if (st.st_dev != q.st_dev) {
			snprintf(err, errlen, "%s: not on the file system of the state directory's "
			    "queue: bpaggd links files between them; put the archive, rejected "
			    "and state directories on one file system", paths[i]);
			return -1;
		}
	}
	return 0;
}

void
bpd_close_dirs(struct bpd_dirs *dirs)
{
	int *fds[3] = { &dirs->archive, &dirs->rejected, &dirs->outbox };
	for (int i = 0; i < 3; i++)
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
}
