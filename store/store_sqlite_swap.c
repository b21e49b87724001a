/*
 * store_sqlite_swap.c - how bpagg rebuild's fresh SQLite store takes the
 * place of the old one (store.h: bp_store_fresh_path, bp_store_swap_in).
 *
 * A kill at any point leaves a store at [store] path:
 *   1. the old store's last commits are brought from its -wal (or a hot
 *      -journal) into the file and it is closed, so that no side file of
 *      it is left to be applied to the new file that takes its name (a
 *      WAL does not say which database it belongs to);
 *   2. a backup from an earlier rebuild is never deleted: it is renamed
 *      <path>.before-rebuild.N (the first N free), side files first;
 *   3. the old store is hard-linked as <path>.before-rebuild, the directory
 *      synced;
 *   4. the new store is renamed over [store] path (one atomic rename), the
 *      directory synced.
 * A link left by a kill between 3 and 4 is the old store itself, not a
 * copy: the next rebuild removes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_sqlite.h"

/* path + suffix into a new malloc'ed string (the caller frees it). */
static char *
with_suffix(const char *path, const char *suffix)
{
	size_t n = strlen(path) + strlen(suffix) + 1;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s%s", path, suffix);
	return p;
}

/* Size of path plus suffix: -1 when it does not exist (or on error). */
static off_t
size_of(const char *path, const char *suffix)
{
	char p[PATH_MAX];
	struct stat st;

	if (snprintf(p, sizeof(p), "%s%s", path, suffix) >= (int)sizeof(p) || lstat(p, &st) < 0)
		return -1;
	return st.st_size;
}

/* Removes path and its -wal and -shm files; 0 or -1 with errno. */
static int
remove_db(const char *path)
{
	static const char *const sfx[] = { "-wal", "-shm", "-journal", "" };

	for (size_t i = 0; i < 4; i++) {
		char *p = with_suffix(path, sfx[i]);
		if (!p)
			return -1;
		if (unlink(p) < 0 && errno != ENOENT) {
			free(p);
			return -1;
		}
		free(p);
	}
	return 0;
}

/* *path is malloc'ed here; the caller frees it. */
int
bp_sq_fresh_path(const struct bp_config *c, char **path, char *err, size_t errlen)
{
	if (!(*path = with_suffix(c->store_path, ".rebuild"))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* Left behind by a rebuild that did not finish. */
	if (remove_db(*path) < 0) {
		snprintf(err, errlen, "store: %s: %s", *path, strerror(errno));
		free(*path);
		*path = NULL;
		return -1;
	}
	return 0;
}

/*
 * Step 1: opens path (which exists), reads it (a hot journal is rolled
 * back), checkpoints its WAL and closes it (the last connection removes the
 * -wal). 0 when no -wal or -journal with content is left (empty ones are
 * removed; -shm is rebuilt by whoever opens next), else -1 with err: then
 * it is busy or cannot be read, and nothing is changed.
 */
static int
settle(const char *path, char *err, size_t errlen)
{
	static const char *const side[] = { "-wal", "-journal", "-shm" };
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL) ==
	    SQLITE_OK) {
		sqlite3_busy_timeout(db, 10000);
		sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
		sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	}
	sqlite3_close(db);
	for (size_t i = 0; i < 2; i++)
		if (size_of(path, side[i]) > 0) {
			snprintf(err, errlen, "store: %s%s cannot be brought into %s (the store "
			    "is in use or damaged)", path, side[i], path);
			return -1;
		}
	for (size_t i = 0; i < 3; i++) {
		char *p = with_suffix(path, side[i]);
		if (!p || (unlink(p) < 0 && errno != ENOENT)) {
			snprintf(err, errlen, "store: %s%s: %s", path, side[i],
			    p ? strerror(errno) : "out of memory");
			free(p);
			return -1;
		}
		free(p);
	}
	return 0;
}

/* Step 2: renames the backup b (and its side files, first) to b.N, the
 * first N with none of its names taken; N into *n. 0 or -1 with errno. */
static int
keep_aside(const char *b, unsigned *n)
{
	static const char *const side[] = { "-wal", "-journal" };
	char to[PATH_MAX], from[PATH_MAX], t2[PATH_MAX];

	if (strlen(b) + 16 > sizeof(to)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (*n = 1; *n < 1000; (*n)++) {
		snprintf(to, sizeof(to), "%s.%u", b, *n);
		if (size_of(to, "") < 0 && size_of(to, "-wal") < 0 && size_of(to, "-journal") < 0)
			break;
	}
	if (*n == 1000) {
		errno = EEXIST;
		return -1;
	}
	for (size_t i = 0; i < 2; i++) {
		snprintf(from, sizeof(from), "%s%s", b, side[i]);
		snprintf(t2, sizeof(t2), "%.*s%s", (int)sizeof(to) - 16, to, side[i]);
		if (rename(from, t2) < 0 && errno != ENOENT)
			return -1;
	}
	snprintf(from, sizeof(from), "%.*s-shm", (int)sizeof(from) - 16, b);
	if (unlink(from) < 0 && errno != ENOENT)
		return -1;
	return rename(b, to);
}

static void
sync_dir(const char *path)
{
	char dir[PATH_MAX], *slash;
	int dfd;

	snprintf(dir, sizeof(dir), "%s", path);
	if (!(slash = strrchr(dir, '/')))
		snprintf(dir, sizeof(dir), ".");
	else
		*(slash == dir ? slash + 1 : slash) = '\0';
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
}

/*
 * Puts the fresh store (checked and closed) in the place of c's, steps 1
 * to 4. 0 with what was kept said in msg, or -1 with msg (the old store
 * still at its place).
 */
int
bp_sq_put_in_place(const struct bp_config *c, const char *fresh, char *msg, size_t msglen)
{
	const char *old = c->store_path;
	char b[PATH_MAX], prev[64] = "";
	struct stat os, bs;
	unsigned n;
	bool had_old, had_b;

	if (snprintf(b, sizeof(b), "%s.before-rebuild", old) >= (int)sizeof(b)) {
		snprintf(msg, msglen, "store: %s: path too long", old);
		return -1;
	}
	if (settle(fresh, msg, msglen) < 0)
		return -1;
	if (lstat(old, &os) == 0)
		had_old = true;
	else if (errno == ENOENT)
		had_old = false;
	else {
		snprintf(msg, msglen, "store: %s: %s", old, strerror(errno));
		return -1;
	}
	had_b = lstat(b, &bs) == 0;
	if (had_old) {
		if (settle(old, msg, msglen) < 0)
			return -1;
		if (had_b && bs.st_ino == os.st_ino && bs.st_dev == os.st_dev &&
		    size_of(b, "-wal") < 0 && size_of(b, "-journal") < 0) {
			if (unlink(b) < 0)
				goto fail;
		} else if (had_b) {
			if (keep_aside(b, &n) < 0)
				goto fail;
			snprintf(prev, sizeof(prev), "%u", n);
		}
		if (link(old, b) < 0)
			goto fail;
		sync_dir(old);
	}
	if (rename(fresh, old) < 0)
		goto fail;
	sync_dir(old);
	if (had_old && prev[0])
		snprintf(msg, msglen, "the old store is kept as %s, and the one kept by the "
		    "rebuild before as %s.%s", b, b, prev);
	else if (had_old)
		snprintf(msg, msglen, "the old store is kept as %s", b);
	else if (had_b)
		snprintf(msg, msglen, "there was no old store; %s, kept by an earlier rebuild, "
		    "is left as it was", b);
	else
		snprintf(msg, msglen, "there was no old store");
	return 0;
fail:
	snprintf(msg, msglen, "store: cannot put the rebuilt store in place: %s",
	    strerror(errno));
	return -1;
}
