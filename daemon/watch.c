/* watch.c - listing the inbox and remembering deferred files. */
#include "bpaggd.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool
bpd_name_skipped(const char *name)
{
	return bp_inbox_kind(name) == BP_INBOX_WRITING;
}

static bool
is_kommune_dir_name(const char *name)
{
	if (strlen(name) != 4)
		return false;
	for (int i = 0; i < 4; i++)
		if (!isdigit((unsigned char)name[i]))
			return false;
	return true;
}

static int
ts_cmp(const struct timespec *a, const struct timespec *b)
{
	if (a->tv_sec != b->tv_sec)
		return a->tv_sec < b->tv_sec ? -1 : 1;
	if (a->tv_nsec != b->tv_nsec)
		return a->tv_nsec < b->tv_nsec ? -1 : 1;
	return 0;
}

static const struct bpd_deferred *
find_deferred(const struct bpd_deferlist *d, const char *path)
{
	for (size_t i = 0; d && i < d->n; i++)
		if (!strcmp(d->v[i].path, path))
			return &d->v[i];
	return NULL;
}

/* A deferred file is skipped until due, unless it changed meanwhile. */
static bool
still_deferred(const struct bpd_deferlist *d, const char *path, const struct stat *st,
    uint64_t now_ms)
{
	const struct bpd_deferred *e = find_deferred(d, path);
	return e && now_ms < e->not_before && e->size == (int64_t)st->st_size &&
	    ts_cmp(&e->mtime, &st->st_mtim) == 0;
}

static int
list_add(struct bpd_filelist *l, const char *path, const struct stat *st)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct bpd_file *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	if (!(l->v[l->n].path = strdup(path)))
		return -1;
	l->v[l->n].mtime = st->st_mtim;
	l->v[l->n].size = st->st_size;
	l->n++;
	return 0;
}

/* Adds the files of dir; with depth 0 also descends into NNNN/ dirs. */
static int
scan_dir(const char *dir, int depth, const struct bpd_deferlist *d, uint64_t now_ms,
    struct bpd_filelist *out, size_t *nsub, size_t *nignored)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	int ret = 0;

	if (!dp)
		return 0; /* missing or unreadable: nothing to do now */
	while ((de = readdir(dp)) != NULL) {
		char path[PATH_MAX];
		struct stat st;
		enum bp_inbox_kind kind = bp_inbox_kind(de->d_name);
		if (kind == BP_INBOX_WRITING)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		if (fstatat(dirfd(dp), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth == 0 && is_kommune_dir_name(de->d_name)) {
				(*nsub)++;
				if (scan_dir(path, 1, d, now_ms, out, nsub, nignored) < 0)
					ret = -1;
			}
			continue;
		}
		if (kind != BP_INBOX_SUBMISSION) {
			(*nignored)++; /* not ours: left alone */
			continue;
		}
		if (still_deferred(d, path, &st, now_ms))
			continue;
		if (list_add(out, path, &st) < 0) {
			ret = -1;
			break;
		}
	}
	closedir(dp);
	return ret;
}

static int
file_cmp(const void *a, const void *b)
{
	const struct bpd_file *x = a, *y = b;
	int c = ts_cmp(&x->mtime, &y->mtime);
	return c ? c : strcmp(x->path, y->path);
}

int
bpd_scan(const char *inbox, const struct bpd_deferlist *d, uint64_t now_ms,
    struct bpd_filelist *out, size_t *nsubdirs, size_t *nignored)
{
	size_t ign = 0;

	memset(out, 0, sizeof(*out));
	*nsubdirs = 0;
	if (nignored)
		*nignored = 0;
	if (scan_dir(inbox, 0, d, now_ms, out, nsubdirs, &ign) < 0) {
		bpd_filelist_free(out);
		return -1;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(out->v[0]), file_cmp);
	if (nignored)
		*nignored = ign;
	return 0;
}

void
bpd_filelist_free(struct bpd_filelist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int
bpd_defer(struct bpd_deferlist *d, const char *path, const struct timespec *mtime,
    int64_t size, uint64_t not_before)
{
	bpd_undefer(d, path);
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct bpd_deferred *v = realloc(d->v, cap * sizeof(*v));
		if (!v)
			return -1;
		d->v = v;
		d->cap = cap;
	}
	if (!(d->v[d->n].path = strdup(path)))
		return -1;
	d->v[d->n].mtime = *mtime;
	d->v[d->n].size = size;
	d->v[d->n].not_before = not_before;
	d->n++;
	return 0;
}

bool
bpd_is_deferred(const struct bpd_deferlist *d, const char *path)
{
	return find_deferred(d, path) != NULL;
}

void
bpd_undefer(struct bpd_deferlist *d, const char *path)
{
	for (size_t i = 0; i < d->n; i++) {
		if (strcmp(d->v[i].path, path))
			continue;
		free(d->v[i].path);
		d->v[i] = d->v[--d->n];
		return;
	}
}

void
bpd_deferlist_free(struct bpd_deferlist *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].path);
	free(d->v);
	memset(d, 0, sizeof(*d));
}
