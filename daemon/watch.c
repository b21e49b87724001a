/*
 * watch.c - listing the inbox, the look at a file before it is claimed, and
 * the table of incomplete files waited for.
 *
 * Anyone who can drop a file can drop 50 000 of them, with any mtime. So:
 * an incomplete file's youth counts from when the daemon first saw it (not
 * from a time the uploader set); waited-for files live in a hash table and
 * are looked at again only when they change or when their back-off is due;
 * each inbox folder may have BPD_FOLDER_CAP files waited for, and further
 * incomplete files there are left alone (not aged, and looked at again
 * only when they change) until fewer are waited for; and what is complete
 * is claimed before anything that is refused. A new file is looked at once
 * whatever else lies there, so a finished submission is taken at the next
 * listing, and so is one written in place that was first seen half done.
 */
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
#include <syslog.h>
#include <unistd.h>

#include <sodium.h>

#include "envelope.h"
#include "le.h"

#define BACKOFF_FIRST_MS 1000
#define BACKOFF_MAX_MS 30000

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

/* ---- the look --------------------------------------------------------- */

static const uint8_t env_magic[8] = { 'B', 'P', 'A', 'G', 'G', 'S', 'U', 'B' };

/* The length of the chunk framed at off into *n: 0, or 1 when fewer than
 * 4 bytes remain, or -1 when the file cannot be read. */
static int
chunk_len(int fd, off_t off, off_t size, uint32_t *n)
{
	uint8_t lenb[4];

	if (size - off < 4)
		return 1;
	if (pread(fd, lenb, 4, off) != 4)
		return -1;
	*n = bp_load32(lenb);
	return 0;
}

/*
 * Walks the length-framed chunks after the header as bpagg-submission(5)
 * frames them: the metadata chunk of its fixed size, then body chunks that
 * are all full (BP_ENV_CHUNK + 17) but the last. So a walk reads at most
 * size / (BP_ENV_CHUNK + 21) + 2 lengths, whatever an uploader writes.
 * Complete when the chunks end exactly at the end of the file; a framing
 * the format does not allow is "complete" too, for ingest to refuse with
 * its reason.
 */
static enum bpd_look
walk_chunks(int fd, off_t size)
{
	const uint32_t full = BP_ENV_CHUNK + 17;
	off_t off = BP_ENV_HEADER_BYTES;
	uint32_t n;
	int rc;

	if ((rc = chunk_len(fd, off, size, &n)) != 0)
		return rc > 0 ? BPD_LOOK_INCOMPLETE : BPD_LOOK_GONE;
	if (n == 0)
		return BPD_LOOK_INCOMPLETE;   /* reserved space, not written yet */
	if (n != BP_ENV_META_CHUNK_BYTES)
		return BPD_LOOK_COMPLETE;
	off += 4 + (off_t)n;
	while (off < size) {
		if ((rc = chunk_len(fd, off, size, &n)) != 0)
			return rc > 0 ? BPD_LOOK_INCOMPLETE : BPD_LOOK_GONE;
		if (n == 0)
			return BPD_LOOK_INCOMPLETE;
		if (n < 17 || n > full)
			return BPD_LOOK_COMPLETE;
		off += 4 + (off_t)n;
		if (n < full) /* the last chunk: nothing may follow it */
			return off > size ? BPD_LOOK_INCOMPLETE : BPD_LOOK_COMPLETE;
		if (off == size)
			return BPD_LOOK_COMPLETE; /* a full final chunk */
	}
	return BPD_LOOK_INCOMPLETE;
}

static bool
all_zero(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* A file whose last 8 bytes are zeros is still being written into space
 * its client reserved first (Windows CopyFile over SMB, rsync
 * --preallocate, segmented uploads): a seal ends with its final chunk's
 * authentication tag, which ends in 8 zero bytes once in 2^64.  Found by
 * a hostile review: such an upload, seen half written, read as complete
 * by its framing (a chunk length 0 where nothing was written yet), was
 * claimed and refused, and the rest of it went into a deleted inode.
 * BPD_LOOK_COMPLETE when the tail is written, INCOMPLETE, or GONE. */
static enum bpd_look
zero_tail(int fd, off_t size)
{
	uint8_t tail[8];

	if (size < (off_t)sizeof(tail))
		return BPD_LOOK_COMPLETE;
	if (pread(fd, tail, sizeof(tail), size - (off_t)sizeof(tail)) != (ssize_t)sizeof(tail))
		return BPD_LOOK_GONE;
	return all_zero(tail, sizeof(tail)) ? BPD_LOOK_INCOMPLETE : BPD_LOOK_COMPLETE;
}

enum bpd_look
bpd_look_at(int dirfd, const char *name, const struct stat *st, unsigned long max_bytes)
{
	uint8_t head[sizeof(env_magic)];
	struct stat fst;
	enum bpd_look look;
	ssize_t n;
	int fd;

	if (!S_ISREG(st->st_mode))
		return BPD_LOOK_SPECIAL;
	/* O_NONBLOCK: a FIFO swapped in meanwhile does not block the open. */
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	/* EACCES: an uploader's umask 077, for good, or a file created 0600
	 * and chmodded once written (sftp put -p, WinSCP, rsync --inplace):
	 * waited for as an incomplete file is, then refused with its reason,
	 * not passed over in silence for ever. */
	if (fd < 0)
		return errno == ELOOP ? BPD_LOOK_SPECIAL :
		    errno == EACCES ? BPD_LOOK_UNREADABLE : BPD_LOOK_GONE;
	if (fstat(fd, &fst) < 0 || fst.st_ino != st->st_ino || fst.st_dev != st->st_dev ||
	    !S_ISREG(fst.st_mode)) {
		close(fd);
		return BPD_LOOK_GONE;
	}
	if ((uint64_t)fst.st_size > max_bytes) {
		close(fd);
		return BPD_LOOK_COMPLETE; /* refused as too large once claimed */
	}
	n = pread(fd, head, sizeof(head), 0);
	if (n < 0)
		look = BPD_LOOK_GONE;
	else if (n > 0 && all_zero(head, (size_t)n))
		look = BPD_LOOK_INCOMPLETE;   /* space reserved, not written yet */
	else if (memcmp(head, env_magic, (size_t)n) != 0)
		look = BPD_LOOK_PLAIN;
	else if (n < (ssize_t)sizeof(head) || fst.st_size < BP_ENV_HEADER_BYTES)
		look = BPD_LOOK_INCOMPLETE;
	else if ((look = zero_tail(fd, fst.st_size)) == BPD_LOOK_COMPLETE)
		look = walk_chunks(fd, fst.st_size);
	/* It may be the start of a plaintext export. */
	sodium_memzero(head, sizeof(head));
	close(fd);
	return look;
}

/* ---- the table -------------------------------------------------------- */

/* Keyed (SipHash, crypto_shorthash): with a hash anyone can compute, an
 * uploader could pick names that share one long cluster, and each removal
 * re-places the rest of it by a walk along it (cubic in the names). */
_Static_assert(sizeof(((struct bpd_waits *)0)->hkey) == crypto_shorthash_KEYBYTES,
    "the table's hash key is a crypto_shorthash key");

static uint64_t
hash_key(const struct bpd_waits *w, const char *k)
{
	uint8_t h[crypto_shorthash_BYTES];

	crypto_shorthash(h, (const unsigned char *)k, strlen(k), w->hkey);
	return bp_load64(h);
}

static size_t
folder_index(const char *key)
{
	if (key[0] == '/')
		return 10000;
	return (size_t)atoi(key) % 10000;
}

/* The slot of key, or the free slot where it would go. */
static struct bpd_wait *
slot(const struct bpd_waits *w, const char *key)
{
	size_t i = (size_t)(hash_key(w, key) & (w->cap - 1));
	while (w->v[i].key && strcmp(w->v[i].key, key))
		i = (i + 1) & (w->cap - 1);
	return &w->v[i];
}

static int
grow(struct bpd_waits *w)
{
	size_t cap = w->cap ? w->cap * 2 : 1024;
	struct bpd_wait *old = w->v;
	size_t oldcap = w->cap;

	if (!(w->v = calloc(cap, sizeof(*w->v)))) {
		w->v = old;
		return -1;
	}
	if (!oldcap)
		randombytes_buf(w->hkey, sizeof(w->hkey));
	w->cap = cap;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].key)
			*slot(w, old[i].key) = old[i];
	free(old);
	return 0;
}

static struct bpd_wait *
find(const struct bpd_waits *w, const char *key)
{
	if (!w->cap)
		return NULL;
	struct bpd_wait *e = slot(w, key);
	return e->key ? e : NULL;
}

/* Removes e, re-placing the entries of its cluster (linear probing). */
static void
remove_at(struct bpd_waits *w, struct bpd_wait *e)
{
	size_t i = (size_t)(e - w->v);

	if (!e->over_cap && w->per_folder[folder_index(e->key)] > 0)
		w->per_folder[folder_index(e->key)]--;
	free(e->key);
	memset(e, 0, sizeof(*e));
	w->n--;
	for (size_t j = (i + 1) & (w->cap - 1); w->v[j].key; j = (j + 1) & (w->cap - 1)) {
		struct bpd_wait t = w->v[j];
		memset(&w->v[j], 0, sizeof(w->v[j]));
		*slot(w, t.key) = t;
	}
}

static void
make_key(char *out, size_t outlen, const char *folder, const char *name)
{
	snprintf(out, outlen, "%s/%s", folder, name);
}

void
bpd_wait_forget(struct bpd_waits *w, const char *folder, const char *name)
{
	char key[PATH_MAX];
	struct bpd_wait *e;

	make_key(key, sizeof(key), folder, name);
	if ((e = find(w, key)))
		remove_at(w, e);
}

void
bpd_wait_again(struct bpd_waits *w, const char *folder, const char *name, const char *as,
    uint64_t now_ms, const struct bpd_cand *c)
{
	char key[PATH_MAX];
	struct bpd_wait *e;
	uint64_t first = now_ms;

	make_key(key, sizeof(key), folder, name);
	if (strcmp(name, as) && (e = find(w, key))) {
		/* its youth still counts from when it was first seen */
		first = e->first_seen;
		remove_at(w, e);
	}
	make_key(key, sizeof(key), folder, as);
	if (!(e = find(w, key))) {
		if ((w->n + 1) * 2 > w->cap && grow(w) < 0)
			return;
		e = slot(w, key);
		if (!(e->key = strdup(key)))
			return;
		w->n++;
		w->per_folder[folder_index(key)]++;
		e->first_seen = first;
		e->backoff = BACKOFF_FIRST_MS / 2;
	}
	e->returned = true;
	e->as_claimed = c != NULL;
	if (c) {
		e->dev = c->dev;
		e->ino = c->ino;
		e->size = c->size;
		e->mtime = c->mtime;
	}
	e->seen = true;
	if (e->backoff < BACKOFF_MAX_MS)
		e->backoff *= 2;
	e->due = now_ms + e->backoff;
}

bool
bpd_wait_claim_failed(struct bpd_waits *w, const char *folder, const char *name,
    uint64_t now_ms)
{
	char key[PATH_MAX];
	struct bpd_wait *e;
	bool first;

	bpd_wait_again(w, folder, name, name, now_ms, NULL);
	make_key(key, sizeof(key), folder, name);
	e = find(w, key);
	if (!e)
		return true;
	e->returned = false;
	first = !e->claim_failed;
	e->claim_failed = true;
	return first;
}

void
bpd_waits_free(struct bpd_waits *w)
{
	for (size_t i = 0; i < w->cap; i++)
		free(w->v[i].key);
	free(w->v);
	free(w->quiet);
	memset(w, 0, sizeof(*w));
}

/* ---- the listing ------------------------------------------------------ */

static int
cand_add(struct bpd_candlist *l, const char *folder, const char *name,
    const struct stat *st, bool refuse)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct bpd_cand *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	struct bpd_cand *c = &l->v[l->n];
	if (!(c->name = strdup(name)))
		return -1;
	snprintf(c->folder, sizeof(c->folder), "%s", folder);
	c->ctime = st->st_ctim;
	c->dev = st->st_dev;
	c->ino = st->st_ino;
	c->size = st->st_size;
	c->mtime = st->st_mtim;
	c->refuse_incomplete = refuse;
	c->shared = false;
	c->turn = 0;
	l->n++;
	return 0;
}

struct scan {
	struct bpd_waits *w;
	uint64_t now;
	struct timespec wall;   /* CLOCK_REALTIME at the listing's start */
	uint64_t young_ms;
	unsigned long max_bytes;
	bool keep_young;
	struct bpd_candlist *out;
	struct bpd_scan_stats *stats;
};

static bool
unchanged(const struct bpd_wait *e, const struct stat *st)
{
	return e->size == st->st_size && e->ino == st->st_ino && e->dev == st->st_dev &&
	    ts_cmp(&e->mtime, &st->st_mtim) == 0 && ts_cmp(&e->ctime, &st->st_ctim) == 0;
}

/* Whether the file of st is the one listed before e's last claim, with no
 * write since (its ctime changed with the claim's renames). */
static bool
as_listed(const struct bpd_wait *e, const struct stat *st)
{
	return e->size == st->st_size && e->ino == st->st_ino && e->dev == st->st_dev &&
	    ts_cmp(&e->mtime, &st->st_mtim) == 0;
}

/* A new entry for an incomplete file, counted against its folder's cap. */
static struct bpd_wait *
wait_new(struct scan *s, const char *key, const char *folder)
{
	struct bpd_waits *w = s->w;
	size_t fi = folder_index(key);

	if ((w->n + 1) * 2 > w->cap && grow(w) < 0)
		return NULL;
	struct bpd_wait *e = slot(w, key);
	if (!(e->key = strdup(key)))
		return NULL;
	w->n++;
	e->first_seen = s->now;
	e->backoff = BACKOFF_FIRST_MS;
	if (w->per_folder[fi] >= BPD_FOLDER_CAP && !s->keep_young) {
		e->over_cap = true;
		if (!w->cap_logged[fi]) {
			bpd_log(LOG_WARNING, "inbox%s%s: %d incomplete files already waited for; "
			    "further incomplete files there are left alone until some are done",
			    *folder ? "/" : "", folder, BPD_FOLDER_CAP);
			w->cap_logged[fi] = true;
		}
	} else {
		w->per_folder[fi]++;
		if (w->per_folder[fi] < BPD_FOLDER_CAP)
			w->cap_logged[fi] = false;
	}
	return e;
}

static void
remember(struct bpd_wait *e, const struct stat *st)
{
	e->size = st->st_size;
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->mtime = st->st_mtim;
	e->ctime = st->st_ctim;
	e->seen = true;
}

/* One submission name of a folder: to claim now, to wait for, or left. */
static int
consider(struct scan *s, int dfd, const char *folder, const char *name, const struct stat *st)
{
	char key[PATH_MAX], safe[NAME_MAX + 1];
	struct bpd_wait *e;

	make_key(key, sizeof(key), folder, name);
	e = find(s->w, key);
	if (e && e->claim_failed) {
		/* Could not be claimed: tried again on the back-off only, so
		 * that neither --once nor the log spins on it. */
		e->seen = true;
		if (s->now >= e->due)
			return cand_add(s->out, folder, name, st, false);
		s->stats->nwaiting++;
		return 0;
	}
	if (e && e->returned) {
		/* Complete by its framing but not by its final tag when claimed:
		 * looked at again on the back-off only, and only if it changed
		 * since it was listed for that claim (unchanged, it would be
		 * copied and decrypted again to the same end: a cut-off copy of
		 * a real seal, dropped in many folders, cost a full pass each
		 * back-off); refused when too old. */
		e->seen = true;
		if (!s->keep_young && s->now - e->first_seen >= s->young_ms)
			return cand_add(s->out, folder, name, st, true);
		if (s->now >= e->due && !(e->as_claimed && as_listed(e, st)))
			return cand_add(s->out, folder, name, st, false);
		s->stats->nwaiting++;
		return 0;
	}
	if (e && e->over_cap) {
		size_t fi = folder_index(key);
		e->seen = true;
		if (s->w->per_folder[fi] >= BPD_FOLDER_CAP || s->keep_young) {
			/* Left alone until its folder has room, unless it
			 * changed: an upload written in place, first seen half
			 * done, is looked at again (and claimed once complete),
			 * not starved behind junk that never changes. */
			if (unchanged(e, st))
				return 0;
		} else {
			/* Room again: waited for from now on. */
			e->over_cap = false;
			s->w->per_folder[fi]++;
			e->first_seen = s->now;
			e->due = 0;
			e->size = -1;
		}
	}
	if (e && unchanged(e, st) && s->now < e->due) {
		e->seen = true;
		s->stats->nwaiting++;
		return 0;
	}
	enum bpd_look look = bpd_look_at(dfd, name, st, s->max_bytes);
	switch (look) {
	case BPD_LOOK_GONE:
		return 0;
	case BPD_LOOK_INCOMPLETE:
	case BPD_LOOK_UNREADABLE: /* its uploader may chmod it yet */
		break;
	default:
		if (e)
			e->seen = true; /* forgotten once claimed */
		return cand_add(s->out, folder, name, st, false);
	}
	if (!e && !(e = wait_new(s, key, folder)))
		return -1;
	if (e->over_cap) {
		remember(e, st);
		return 0;
	}
	if (!e->logged) {
		/* named with its folder, as the same name may wait in two */
		const char *sep = *folder ? "/" : "";
		if (look == BPD_LOOK_UNREADABLE)
			bpd_log(LOG_WARNING, "%s%s%s: bpaggd may not read it (the file's mode "
			    "or owner), left for later; refused if still so young_seconds "
			    "after it was first seen", folder, sep,
			    bp_inbox_safe_name(name, safe, sizeof(safe)));
		else
			bpd_log(LOG_INFO, "%s%s%s: incomplete, left for later", folder, sep,
			    bp_inbox_safe_name(name, safe, sizeof(safe)));
		e->logged = true;
	}
	if (!s->keep_young && s->now - e->first_seen >= s->young_ms)
		return cand_add(s->out, folder, name, st, true);
	/* Looked at again when it changes, or after the back-off. */
	if (!unchanged(e, st))
		e->backoff = BACKOFF_FIRST_MS;
	else if (e->backoff < BACKOFF_MAX_MS)
		e->backoff *= 2;
	e->due = s->now + e->backoff;
	remember(e, st);
	s->stats->nwaiting++;
	return 0;
}

/* A folder that cannot be listed (whole or in part): counted, and named
 * with why (the first few) for the log. */
static void
unlisted(struct scan *s, const char *folder, int err)
{
	struct bpd_scan_stats *st = s->stats;
	size_t l = strlen(st->unlisted);

	if (st->nunlisted++ < 4)
		snprintf(st->unlisted + l, sizeof(st->unlisted) - l, "%sinbox%s%s (%s)",
		    l ? ", " : "", *folder ? "/" : "", folder, strerror(err));
}

/* ---- folders found empty ---------------------------------------------- */

/* Whether t is older than the listing's start by BPD_QUIET_SETTLE_S. */
static bool
settled(const struct scan *s, const struct timespec *t)
{
	struct timespec lim = s->wall;
	lim.tv_sec -= BPD_QUIET_SETTLE_S;
	return ts_cmp(t, &lim) < 0;
}

/* Whether folder NNNN (st: its stat from the inbox's listing) was found
 * empty and has not changed since. */
static bool
still_empty(const struct scan *s, const char *name, const struct stat *st)
{
	const struct bpd_quiet *q = s->w->quiet ? &s->w->quiet[atoi(name) % 10000] : NULL;

	return q && q->empty && q->dev == st->st_dev && q->ino == st->st_ino &&
	    ts_cmp(&q->mtime, &st->st_mtim) == 0 && ts_cmp(&q->ctime, &st->st_ctim) == 0;
}

/* What a whole listing of folder NNNN found (st: its stat taken before):
 * empty with settled times, it is not listed again until they change. */
static void
note_listing(struct scan *s, const char *name, const struct stat *st, bool empty)
{
	if (!s->w->quiet)
		return;
	struct bpd_quiet *q = &s->w->quiet[atoi(name) % 10000];
	q->empty = empty && settled(s, &st->st_mtim) && settled(s, &st->st_ctim);
	q->dev = st->st_dev;
	q->ino = st->st_ino;
	q->mtime = st->st_mtim;
	q->ctime = st->st_ctim;
}

/* Lists one folder (fd owned here); the inbox itself (dst NULL) also
 * descends into NNNN/, opened beneath it without following a link; dst is
 * such a folder's stat from the inbox's listing. */
static int
scan_dir(struct scan *s, int fd, const char *folder, const struct stat *dst)
{
	DIR *dp = fdopendir(fd);
	struct dirent *de;
	bool partial = false;
	size_t entries = 0;
	int ret = 0;

	if (!dp) {
		unlisted(s, folder, errno);
		close(fd);
		return 0;
	}
	/* errno cleared before each readdir: NULL with errno set is an error */
	for (errno = 0; (de = readdir(dp)) != NULL; errno = 0) {
		struct stat st;
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			entries++;
		enum bp_inbox_kind kind = bp_inbox_kind(de->d_name);
		if (kind == BP_INBOX_WRITING)
			continue;
		if (fstatat(dirfd(dp), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			/* gone meanwhile, or (a folder without x) never seen */
			if (errno != ENOENT && !partial) {
				unlisted(s, folder, errno);
				partial = true;
			}
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (!*folder && is_kommune_dir_name(de->d_name)) {
				s->stats->nsubdirs++;
				if (still_empty(s, de->d_name, &st)) {
					s->stats->nquiet++;
					continue;
				}
				int sub = openat(dirfd(dp), de->d_name,
				    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
				if (sub < 0 && errno != ENOENT && errno != ENOTDIR &&
				    errno != ELOOP) /* no longer a folder */
					unlisted(s, de->d_name, errno);
				if (sub >= 0 && scan_dir(s, sub, de->d_name, &st) < 0)
					ret = -1;
			} else {
				s->stats->nfolders++; /* not ours: left alone */
			}
			continue;
		}
		if (kind != BP_INBOX_SUBMISSION) {
			s->stats->nignored++; /* not ours: left alone */
			continue;
		}
		if (consider(s, dirfd(dp), folder, de->d_name, &st) < 0) {
			ret = -1;
			break;
		}
	}
	bool failed = !de && errno;
	if (failed && !partial)
		unlisted(s, folder, errno);
	closedir(dp);
	if (dst)
		note_listing(s, folder, dst, ret == 0 && !failed && !partial && entries == 0);
	return ret;
}

/* The folder whose turns c takes: its own, or the inbox's for a folder of
 * no registered kommune (anyone may make inbox/NNNN, and 500 of them would
 * otherwise be 500 turns for each one of a kommune's own folder). */
static const char *
turn_folder(const struct bpd_cand *c)
{
	return c->shared ? "" : c->folder;
}

/* Within each folder, what is complete first, then what is refused; each
 * by oldest change (then by name): the order that gives each candidate its
 * turn. */
static int
folder_cmp(const void *a, const void *b)
{
	const struct bpd_cand *x = a, *y = b;
	int c = strcmp(turn_folder(x), turn_folder(y));
	if (c)
		return c;
	if (x->refuse_incomplete != y->refuse_incomplete)
		return x->refuse_incomplete ? 1 : -1;
	c = ts_cmp(&x->ctime, &y->ctime);
	return c ? c : strcmp(x->name, y->name);
}

/* What is complete first, then what is refused; each a file of every
 * folder in turn, a turn by oldest change.  A folder flooded with files
 * (complete by their framing, each refused once claimed, as junk is) so
 * delays another folder's submission by one file a turn, not by all of
 * its own that are older. */
static int
cand_cmp(const void *a, const void *b)
{
	const struct bpd_cand *x = a, *y = b;
	if (x->refuse_incomplete != y->refuse_incomplete)
		return x->refuse_incomplete ? 1 : -1;
	if (x->turn != y->turn)
		return x->turn < y->turn ? -1 : 1;
	int c = ts_cmp(&x->ctime, &y->ctime);
	if (c)
		return c;
	c = strcmp(x->folder, y->folder);
	return c ? c : strcmp(x->name, y->name);
}

/* Each candidate's turn in its folder (by folder_cmp), then the order. */
static void
order(struct bpd_candlist *l, const struct bpd_waits *w)
{
	for (size_t i = 0; i < l->n; i++)
		l->v[i].shared = *l->v[i].folder && w->known &&
		    !w->known(l->v[i].folder, w->known_ud);
	qsort(l->v, l->n, sizeof(l->v[0]), folder_cmp);
	for (size_t i = 0; i < l->n; i++) {
		const struct bpd_cand *p = i ? &l->v[i - 1] : NULL;
		l->v[i].turn = p && !strcmp(turn_folder(p), turn_folder(&l->v[i])) &&
		    p->refuse_incomplete == l->v[i].refuse_incomplete ? p->turn + 1 : 0;
	}
	qsort(l->v, l->n, sizeof(l->v[0]), cand_cmp);
}

int
bpd_scan(int inbox, struct bpd_waits *w, uint64_t now_ms, unsigned young_seconds,
    unsigned long max_bytes, bool keep_young, struct bpd_candlist *out,
    struct bpd_scan_stats *stats)
{
	struct scan s = { w, now_ms, { 0, 0 }, 1000ull * young_seconds, max_bytes, keep_young,
	    out, stats };
	int fd;

	memset(out, 0, sizeof(*out));
	memset(stats, 0, sizeof(*stats));
	clock_gettime(CLOCK_REALTIME, &s.wall);
	/* without the table (no memory), every folder is listed every time */
	if (!w->quiet)
		w->quiet = calloc(10000, sizeof(*w->quiet));
	for (size_t i = 0; i < w->cap; i++)
		w->v[i].seen = false;
	if ((fd = fcntl(inbox, F_DUPFD_CLOEXEC, 0)) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (scan_dir(&s, fd, "", NULL) < 0) {
		bpd_candlist_free(out);
		return -1;
	}
	/* Files gone from the inbox are no longer waited for. */
	for (size_t i = 0; i < w->cap; i++)
		if (w->v[i].key && !w->v[i].seen) {
			remove_at(w, &w->v[i]);
			i--; /* the slot may hold a re-placed entry now */
		}
	if (out->n > 1)
		order(out, w);
	return 0;
}

void
bpd_candlist_free(struct bpd_candlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	memset(l, 0, sizeof(*l));
}
