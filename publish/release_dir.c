/* release_dir.c - the folders of a release on disk; see release_dir.h. */
#include "release_dir.h"
#include "io.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- a FILE that hashes what it writes -------------------------------- */

static ssize_t
hfile_write(void *cookie, const char *buf, size_t n)
{
	struct bp_hfile *h = cookie;
	size_t at = 0;
	crypto_generichash_update(&h->st, (const uint8_t *)buf, n);
	while (h->fd >= 0 && at < n) {
		ssize_t w = write(h->fd, buf + at, n - at);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			h->failed = 1;
			return -1;
		}
		at += (size_t)w;
	}
	return (ssize_t)n;
}

FILE *
bp_hfile_open(struct bp_hfile *h, int fd)
{
	cookie_io_functions_t io = { .write = hfile_write };
	h->fd = fd;
	h->failed = 0;
	crypto_generichash_init(&h->st, NULL, 0, 32);
	/* stdio would write in blocks of 8 KiB: few large writes instead. */
	if (!(h->buf = malloc(BP_HFILE_BLOCK)))
		return NULL;
	FILE *f = fopencookie(h, "w", io);
	if (!f || setvbuf(f, h->buf, _IOFBF, BP_HFILE_BLOCK) != 0) {
		if (f)
			fclose(f);
		free(h->buf);
		h->buf = NULL;
		return NULL;
	}
	return f;
}

int
bp_hfile_close(struct bp_hfile *h, FILE *f, uint8_t digest[32])
{
	int rc = fclose(f);
	free(h->buf);
	h->buf = NULL;
	crypto_generichash_final(&h->st, digest, 32);
	return rc == 0 && !h->failed ? 0 : -1;
}

static int
digest_fd(int fd, uint8_t out[32])
{
	struct stat st;
	crypto_generichash_state hs;
	char buf[1 << 16];
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > BP_RELEASE_MAX_FILE_BYTES)
		return -1;
	crypto_generichash_init(&hs, NULL, 0, 32);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		crypto_generichash_update(&hs, (const uint8_t *)buf, (size_t)n);
	}
	crypto_generichash_final(&hs, out, 32);
	return 0;
}

int
bp_digest_file(const char *path, uint8_t out[32])
{
	/* a FIFO put in a kept file's place is refused, not waited on */
	struct stat st;
	int fd = bp_open_regular(AT_FDCWD, path, O_RDONLY, 0, 0, &st);
	if (fd < 0)
		return -1;
	int rc = digest_fd(fd, out);
	close(fd);
	return rc;
}

/* ---- paths and folders --------------------------------------------------- */

/* dirname(log)/SUFFIX */
static void
beside_log(const struct bp_config *c, const char *suffix, char *buf, size_t len)
{
	const char *slash = strrchr(c->suppression_log, '/');
	if (!slash)
		snprintf(buf, len, "%s", suffix);
	else
		snprintf(buf, len, "%.*s/%s", (int)(slash - c->suppression_log),
		    c->suppression_log, suffix);
}

void
bp_release_root(const struct bp_config *c, char *buf, size_t len)
{
	beside_log(c, "releases", buf, len);
}

void
bp_release_staging_root(const struct bp_config *c, char *buf, size_t len)
{
	beside_log(c, "releases.staging", buf, len);
}

void
bp_release_kept_file(const struct bp_config *c, const char *id, const char *name,
    char *buf, size_t len)
{
	char root[PATH_MAX - 256];
	bp_release_root(c, root, sizeof(root));
	snprintf(buf, len, "%s/%s/%s", root, id, name);
}

static bool
is_dir(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int
bp_release_kept_dir(const struct bp_config *c, const char *id, bool last, char *buf,
    size_t len)
{
	char root[PATH_MAX - 256];
	bp_release_root(c, root, sizeof(root));
	snprintf(buf, len, "%s/%s", root, id);
	if (is_dir(buf) || !last)
		return is_dir(buf) ? 0 : -1;
	bp_release_staging_root(c, root, sizeof(root));
	snprintf(buf, len, "%s/%s", root, id);
	return is_dir(buf) ? 1 : -1;
}

static int
ensure_dir(const char *path)
{
	if (mkdir(path, 0755) == 0)
		return 0;
	return errno == EEXIST && is_dir(path) ? 0 : -1;
}

/* fsync of a folder by path. 0 or -1. */
static int
sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

/* Removes a folder of files (ours are flat; a subfolder or a link to one is
 * left, and so is the folder). 0 or -1. */
static int
remove_flat(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -1;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(fd, e->d_name, 0);
	closedir(d);
	return rmdir(path);
}

/* ---- the staged kept copy ------------------------------------------------ */

int
bp_stage_begin(const struct bp_config *c, const char *id, struct bp_stage *st,
    char *err, size_t errlen)
{
	char root[PATH_MAX - 256], sroot[PATH_MAX - 256];
	memset(st, 0, sizeof(*st));
	st->dirfd = -1;
	bp_release_root(c, root, sizeof(root));
	bp_release_staging_root(c, sroot, sizeof(sroot));
	snprintf(st->kept, sizeof(st->kept), "%s/%s", root, id);
	snprintf(st->dir, sizeof(st->dir), "%s/%s", sroot, id);
	if (ensure_dir(root) < 0 || ensure_dir(sroot) < 0) {
		snprintf(err, errlen, "%s: %s", ensure_dir(root) < 0 ? root : sroot,
		    strerror(errno));
		return -1;
	}
	if (is_dir(st->kept)) {
		snprintf(err, errlen, "%s: already exists", st->kept);
		return -1;
	}
	if (mkdir(st->dir, 0755) < 0) {
		snprintf(err, errlen, "%s: %s", st->dir, strerror(errno));
		return -1;
	}
	st->made = true;
	st->dirfd = open(st->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (st->dirfd < 0) {
		snprintf(err, errlen, "%s: %s", st->dir, strerror(errno));
		return -1;
	}
	return 0;
}

int
bp_stage_write(struct bp_stage *st, const char *name, int (*fn)(FILE *f, void *ud),
    void *ud, uint8_t digest[32], char *err, size_t errlen)
{
	struct bp_hfile h;
	FILE *fp;
	int rc;
	int fd = openat(st->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0644);
	if (fd < 0 || !(fp = bp_hfile_open(&h, fd))) {
		snprintf(err, errlen, "%s/%s: %s", st->dir, name, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	rc = fn(fp, ud);
	if (bp_hfile_close(&h, fp, digest) < 0 || rc < 0 || fsync(fd) < 0) {
		snprintf(err, errlen, "%s/%s: write failed", st->dir, name);
		rc = -1;
	} else {
		rc = 0;
	}
	close(fd);
	return rc;
}

int
bp_stage_sync(struct bp_stage *st, char *err, size_t errlen)
{
	char sroot[PATH_MAX];
	snprintf(sroot, sizeof(sroot), "%s", st->dir);
	*strrchr(sroot, '/') = '\0';
	if (fsync(st->dirfd) < 0 || sync_dir(sroot) < 0) {
		snprintf(err, errlen, "%s: fsync: %s", st->dir, strerror(errno));
		return -1;
	}
	return 0;
}

int
bp_stage_commit(struct bp_stage *st, char *err, size_t errlen)
{
	char root[PATH_MAX], sroot[PATH_MAX];
	snprintf(root, sizeof(root), "%s", st->kept);
	*strrchr(root, '/') = '\0';
	snprintf(sroot, sizeof(sroot), "%s", st->dir);
	*strrchr(sroot, '/') = '\0';
	if (rename(st->dir, st->kept) < 0) {
		snprintf(err, errlen, "%s: %s", st->kept, strerror(errno));
		return -1;
	}
	st->moved = true;
	if (sync_dir(root) < 0 || sync_dir(sroot) < 0) {
		snprintf(err, errlen, "%s: fsync: %s", root, strerror(errno));
		return -1;
	}
	return 0;
}

void
bp_stage_abort(struct bp_stage *st)
{
	if (st->dirfd >= 0)
		close(st->dirfd);
	st->dirfd = -1;
	if (st->made && !st->moved)
		remove_flat(st->dir);
	st->made = false;
}

/* ---- the --out folder ---------------------------------------------------- */

static bool
in_names(const char *name, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/* Checks that the existing folder dir holds only release files. 0, or -1
 * with err. */
static int
check_old_out(const char *dir, const char *const *names, size_t nnames, char *err,
    size_t errlen)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	int ret = 0;
	if (!d) {
		snprintf(err, errlen, "%s: %s", dir, errno == ENOTDIR || errno == ELOOP ?
		    "not a folder" : strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while (ret == 0 && (e = readdir(d)) != NULL) {
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (!in_names(e->d_name, names, nnames) ||
		    fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode)) {
			snprintf(err, errlen, "%s: holds %.64s, which is not a release file; "
			    "not replaced (give a new or empty folder)", dir, e->d_name);
			ret = -1;
		}
	}
	closedir(d);
	return ret;
}

static bool
same_dir(const struct stat *a, const char *path)
{
	struct stat b;
	return stat(path, &b) == 0 && a->st_dev == b.st_dev && a->st_ino == b.st_ino;
}

/* Removes hidden folders .BASE.partial-* in parent that killed runs left. */
static void
sweep_partials(const char *parent, const char *base)
{
	char prefix[NAME_MAX + 16], p[2 * PATH_MAX];
	snprintf(prefix, sizeof(prefix), ".%s.partial-", base);
	DIR *d = opendir(parent);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d)) != NULL)
		if (!strncmp(e->d_name, prefix, strlen(prefix))) {
			snprintf(p, sizeof(p), "%s/%s", parent, e->d_name);
			remove_flat(p);
		}
	closedir(d);
}

int
bp_out_begin(const struct bp_config *c, const char *dir, const char *const *names,
    size_t nnames, struct bp_outdir *o, char *err, size_t errlen)
{
	char parent[PATH_MAX], rel[PATH_MAX];
	struct stat st;
	memset(o, 0, sizeof(*o));
	o->tmpfd = -1;
	snprintf(o->path, sizeof(o->path), "%s", dir);
	size_t n = strlen(o->path);
	while (n > 1 && o->path[n - 1] == '/')
		o->path[--n] = '\0';
	const char *slash = strrchr(o->path, '/');
	const char *base = slash ? slash + 1 : o->path;
	if (slash == o->path)
		snprintf(parent, sizeof(parent), "/");
	else if (slash)
		snprintf(parent, sizeof(parent), "%.*s", (int)(slash - o->path), o->path);
	else
		snprintf(parent, sizeof(parent), ".");
	if (!*base || !strcmp(base, ".") || !strcmp(base, "..") || strlen(base) > NAME_MAX - 16) {
		snprintf(err, errlen, "%s: give the output folder by name", dir);
		return -1;
	}
	snprintf(o->base, sizeof(o->base), "%s", base);
	if (stat(parent, &st) < 0) {
		snprintf(err, errlen, "%s: %s", parent, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a folder", parent);
		return -1;
	}
	bp_release_root(c, rel, sizeof(rel));
	bool inside = same_dir(&st, rel);
	bp_release_staging_root(c, rel, sizeof(rel));
	if (inside || same_dir(&st, rel)) {
		snprintf(err, errlen, "%s: inside the kept releases of the installation", dir);
		return -1;
	}
	if (lstat(o->path, &st) == 0) {
		if (check_old_out(o->path, names, nnames, err, errlen) < 0)
			return -1;
	} else if (errno != ENOENT) {
		snprintf(err, errlen, "%s: %s", o->path, strerror(errno));
		return -1;
	}
	sweep_partials(parent, base);
	int tn = snprintf(o->tmp, sizeof(o->tmp), "%s/.%s.partial-XXXXXX", parent, base);
	if (tn < 0 || (size_t)tn >= sizeof(o->tmp)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	if (!mkdtemp(o->tmp)) {
		snprintf(err, errlen, "%s: %s", parent, strerror(errno));
		return -1;
	}
	o->made = true;
	mode_t um = umask(0);
	umask(um);
	o->tmpfd = open(o->tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (o->tmpfd < 0 || fchmod(o->tmpfd, 0755 & ~um) < 0) {
		snprintf(err, errlen, "%s: %s", o->tmp, strerror(errno));
		return -1;
	}
	return 0;
}

int
bp_out_copy(struct bp_outdir *o, const struct bp_stage *st, const char *name, char *err,
    size_t errlen)
{
	char *buf = malloc(BP_HFILE_BLOCK);
	int in = -1, out = -1, ret = -1;
	struct stat sb;
	if (!buf || (in = openat(st->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		goto out;
	if (fstat(in, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		errno = EINVAL;
		goto out;
	}
	out = openat(o->tmpfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (out < 0)
		goto out;
	for (;;) {
		ssize_t n = read(in, buf, BP_HFILE_BLOCK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out;
		if (n == 0)
			break;
		for (ssize_t at = 0; at < n;) {
			ssize_t w = write(out, buf + at, (size_t)(n - at));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				goto out;
			at += w;
		}
	}
	if (fsync(out) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		snprintf(err, errlen, "%s/%s: %s", o->path, name, strerror(errno));
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	free(buf);
	return ret;
}

int
bp_out_commit(struct bp_outdir *o, char *err, size_t errlen)
{
	char parent[PATH_MAX], old[PATH_MAX + 8];
	struct stat st;
	snprintf(parent, sizeof(parent), "%s", o->tmp);
	*strrchr(parent, '/') = '\0';
	if (fsync(o->tmpfd) < 0) {
		snprintf(err, errlen, "%s: fsync: %s", o->tmp, strerror(errno));
		return -1;
	}
	if (lstat(o->path, &st) == 0) {
		/* Swap the new release in whole, then remove the old one (now under
		 * the hidden name); where the file system cannot swap, the old one
		 * is first moved aside. */
		if (renameat2(AT_FDCWD, o->tmp, AT_FDCWD, o->path, RENAME_EXCHANGE) == 0) {
			o->made = false;
			remove_flat(o->tmp);
			goto synced;
		}
		snprintf(old, sizeof(old), "%s.old", o->tmp);
		if (errno != ENOENT && rename(o->path, old) < 0) {
			snprintf(err, errlen, "%s: %s", o->path, strerror(errno));
			return -1;
		}
		if (rename(o->tmp, o->path) < 0) {
			snprintf(err, errlen, "%s: %s", o->path, strerror(errno));
			return -1;
		}
		o->made = false;
		remove_flat(old);
		goto synced;
	}
	if (rename(o->tmp, o->path) < 0) {
		snprintf(err, errlen, "%s: %s", o->path, strerror(errno));
		return -1;
	}
	o->made = false;
synced:
	if (sync_dir(parent) < 0) {
		snprintf(err, errlen, "%s: fsync: %s", parent, strerror(errno));
		return -1;
	}
	return 0;
}

void
bp_out_abort(struct bp_outdir *o)
{
	if (o->tmpfd >= 0)
		close(o->tmpfd);
	o->tmpfd = -1;
	if (o->made)
		remove_flat(o->tmp);
	o->made = false;
}

/* ---- recovery ------------------------------------------------------------ */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Moves releases/NAME to releases.orphaned/NAME (or NAME.2, ...). */
static int
orphan(const struct bp_config *c, const char *root, const char *name, FILE *notes)
{
	char oroot[PATH_MAX - 256], src[PATH_MAX], dst[PATH_MAX + 16];
	beside_log(c, "releases.orphaned", oroot, sizeof(oroot));
	if (ensure_dir(oroot) < 0)
		return -1;
	snprintf(src, sizeof(src), "%s/%s", root, name);
	snprintf(dst, sizeof(dst), "%s/%s", oroot, name);
	for (int k = 2; access(dst, F_OK) == 0 && k < 1000; k++)
		snprintf(dst, sizeof(dst), "%s/%s.%d", oroot, name, k);
	if (rename(src, dst) < 0)
		return -1;
	if (notes)
		fprintf(notes, "%s: not named by the suppression log; moved to %s\n", src, dst);
	return 0;
}

int
bp_release_recover(const struct bp_config *c, const char *const *ids, size_t nids,
    FILE *notes, char *err, size_t errlen)
{
	char root[PATH_MAX - 256], sroot[PATH_MAX - 256], p[PATH_MAX], q[PATH_MAX];
	const char *last = nids ? ids[nids - 1] : NULL;
	const char **sorted = NULL;
	int ret = -1;
	DIR *d = NULL;
	struct dirent *e;

	bp_release_root(c, root, sizeof(root));
	bp_release_staging_root(c, sroot, sizeof(sroot));
	/* Staged folders: the last release's is finished, the others were never
	 * logged. */
	if ((d = opendir(sroot)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(p, sizeof(p), "%s/%s", sroot, e->d_name);
			snprintf(q, sizeof(q), "%s/%s", root, e->d_name);
			if (last && !strcmp(e->d_name, last) && !is_dir(q)) {
				if (ensure_dir(root) < 0 || rename(p, q) < 0 || sync_dir(root) < 0) {
					snprintf(err, errlen, "%s: %s", q, strerror(errno));
					goto out;
				}
				if (notes)
					fprintf(notes, "release %s: finished moving its kept files into "
					    "%s (its publish stopped after logging it)\n", last, root);
			} else {
				if (remove_flat(p) < 0) {
					snprintf(err, errlen, "%s: cannot remove: %s", p, strerror(errno));
					goto out;
				}
				if (notes)
					fprintf(notes, "%s: removed (a release that was never logged)\n", p);
			}
		}
		closedir(d);
		d = NULL;
		sync_dir(sroot);
	}
	/* releases/ holds only what the log names. */
	if (!(d = opendir(root))) {
		ret = errno == ENOENT ? 0 : -1;
		if (ret < 0)
			snprintf(err, errlen, "%s: %s", root, strerror(errno));
		goto out;
	}
	if (nids && !(sorted = malloc(nids * sizeof(*sorted)))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (nids) {
		memcpy(sorted, ids, nids * sizeof(*sorted));
		qsort(sorted, nids, sizeof(*sorted), cmp_str);
	}
	while ((e = readdir(d)) != NULL) {
		const char *name = e->d_name;
		if (name[0] == '.')
			continue;
		if (nids && bsearch(&name, sorted, nids, sizeof(*sorted), cmp_str))
			continue;
		if (orphan(c, root, name, notes) < 0) {
			snprintf(err, errlen, "%s/%s: not named by the suppression log and cannot "
			    "be moved aside: %s", root, name, strerror(errno));
			goto out;
		}
	}
	ret = sync_dir(root) < 0 ? -1 : 0;
	if (ret < 0)
		snprintf(err, errlen, "%s: fsync: %s", root, strerror(errno));
out:
	if (d)
		closedir(d);
	free(sorted);
	return ret;
}
