/*
 * queue.c - the private queue (the Postfix maildrop/incoming split): a
 * file is claimed from the inbox by renameat() into a directory no uploader
 * can write, and what is ingested is a copy the daemon made there itself.
 *
 * Queue entries are "<T>-<R>.<stage>.<rest>": T the unix time of the claim
 * (recorded as the submission's received time), R 16 random hex naming the
 * upload, the stage (in, cw, cp, cm, ca, ra, rr) and what that stage needs (bpaggd.h).
 */
#include "bpaggd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

/* The longest safe name an IN entry keeps (a longer one is cut short). */
#define SAFE_MAX 150

static const char *const stage_names[] = {
	[BPD_Q_IN] = "in", [BPD_Q_COPY] = "cp", [BPD_Q_ARCHIVE] = "ra", [BPD_Q_REJECT] = "rr",
	[BPD_Q_CPTMP] = "cw", [BPD_Q_MERGED] = "cm", [BPD_Q_NOTOURS] = "ca",
};

int
bpd_opendir_at(int dirfd, const char *name, bool create)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 || !create || errno != ENOENT)
		return fd;
	if (mkdirat(dirfd, name, 0750) < 0 && errno != EEXIST)
		return -1;
	if (fsync(dirfd) < 0)
		return -1;
	return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int
bpd_opendir_path(const char *path, bool create)
{
	if (create && bpd_mkdirs(path) < 0)
		return -1;
	return open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int
bpd_qname_parse(const char *name, struct bpd_qname *q)
{
	const char *p = name, *dash, *dot;
	char *end;

	memset(q, 0, sizeof(*q));
	/* T as bpaggd writes it: 1 to 12 digits, no sign, no leading zero
	 * (a claim time until the year 33658; a longer one would not fit a
	 * time_t for rejected/ names) */
	if (!(dash = strchr(p, '-')) || dash == p || dash - p > 12 || *p == '0' ||
	    strspn(p, "0123456789") != (size_t)(dash - p))
		return -1;
	q->t = strtoll(p, &end, 10);
	if (end != dash || q->t <= 0)
		return -1;
	p = dash + 1;
	if (strlen(p) < 16 + 4 || strspn(p, "0123456789abcdef") != 16 || p[16] != '.')
		return -1;
	memcpy(q->r, p, 16);
	p += 17;
	if (!(dot = strchr(p, '.')) || dot - p != 2)
		return -1;
	for (size_t i = 0; i < sizeof(stage_names) / sizeof(stage_names[0]); i++)
		if (!strncmp(p, stage_names[i], 2)) {
			q->stage = (enum bpd_stage)i;
			if (strlen(dot + 1) >= sizeof(q->rest))
				return -1;
			strcpy(q->rest, dot + 1);
			return 0;
		}
	return -1;
}

int
bpd_qname_format(const struct bpd_qname *q, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "%lld-%s.%s.%s", q->t, q->r, stage_names[q->stage],
	    q->rest);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

const char *
bpd_qname_safe(const struct bpd_qname *q)
{
	const char *dot = strchr(q->rest, '.');
	return (q->stage == BPD_Q_IN || q->stage == BPD_Q_COPY || q->stage == BPD_Q_CPTMP ||
	    q->stage == BPD_Q_MERGED || q->stage == BPD_Q_NOTOURS) &&
	    dot ? dot + 1 : "?";
}

/* The folder's descriptor beneath the inbox ("" is the inbox itself, dup'ed). */
static int
folder_fd(int inbox, const char *folder)
{
	if (!*folder)
		return fcntl(inbox, F_DUPFD_CLOEXEC, 0);
	return openat(inbox, folder, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int
bpd_claim(int inbox, int queue, const char *folder, const char *name, struct bpd_qname *q)
{
	char safe[SAFE_MAX + 1], qn[NAME_MAX + 1];
	uint8_t rnd[8];
	struct stat st;
	int sfd, ret = -1;

	if ((sfd = folder_fd(inbox, folder)) < 0)
		return errno == ENOENT || errno == ENOTDIR || errno == ELOOP ? 1 : -1;
	memset(q, 0, sizeof(*q));
	q->t = (long long)time(NULL);
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(q->r, sizeof(q->r), rnd, sizeof(rnd));
	q->stage = BPD_Q_IN;
	bp_inbox_safe_name(name, safe, sizeof(safe));
	snprintf(q->rest, sizeof(q->rest), "%s.%s", *folder ? folder : "-", safe);
	if (bpd_qname_format(q, qn, sizeof(qn)) < 0) {
		errno = ENAMETOOLONG;
		goto out;
	}
	if (bpd_rename_new(sfd, name, queue, qn) < 0) {
		ret = errno == ENOENT ? 1 : -1;
		goto out;
	}
	/* Swapped for a directory since it was looked at: not ours to keep.
	 * When it cannot go back (its name taken again, or, for a daemon that
	 * is not root, a directory the uploader made read-only), it is
	 * claimed all the same, and refused out of the queue (dispose.c). */
	if (fstatat(queue, qn, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode) &&
	    bpd_rename_new(queue, qn, sfd, name) == 0) {
		ret = 1;
		goto out;
	}
	ret = 0;
out:
	close(sfd);
	return ret;
}

int
bpd_qname_folder(const struct bpd_qname *q, char *out)
{
	const char *dot = strchr(q->rest, '.');
	size_t n = dot ? (size_t)(dot - q->rest) : 0;

	if (n == 1 && q->rest[0] == '-') {
		*out = '\0';
		return 0;
	}
	if (n != 4 || strspn(q->rest, "0123456789") != 4)
		return -1;
	memcpy(out, q->rest, 4);
	out[4] = '\0';
	return 0;
}

int
bpd_unclaim(int inbox, int queue, const struct bpd_qname *q, const char *name, char *as,
    size_t aslen)
{
	char qn[NAME_MAX + 1], folder[5];
	const char *safe = bpd_qname_safe(q);
	int sfd, ret = -1, e;

	if (bpd_qname_format(q, qn, sizeof(qn)) < 0 || bpd_qname_folder(q, folder) < 0) {
		errno = EINVAL;
		return -1;
	}
	/* Found in the queue: its own name is known only when the safe form
	 * changed nothing (no digit, no odd byte, not cut short). */
	if (!name && !strpbrk(safe, "#?") && strlen(safe) < SAFE_MAX &&
	    bp_inbox_kind(safe) == BP_INBOX_SUBMISSION)
		name = safe;
	if ((sfd = folder_fd(inbox, folder)) < 0)
		return -1;
	if (name && (ret = bpd_rename_new(queue, qn, sfd, name)) == 0)
		snprintf(as, aslen, "%s", name);
	else if (!name || errno == EEXIST) {
		/* Its name is another file's now: a fresh one of its own,
		 * which the listing takes as any submission. */
		snprintf(as, aslen, "bpaggd-returned-%lld-%s.bpx", q->t, q->r);
		ret = bpd_rename_new(queue, qn, sfd, as);
	}
	e = errno;
	close(sfd);
	errno = e;
	return ret;
}

int
bpd_copy_in(bp_ingest *g, int fd, int queue, const char *name, bool *early)
{
	int out, e, rc;

	if ((out = openat(queue, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600)) < 0)
		return -1;
	if ((rc = bp_ingest_copy_sealed(g, fd, out)) >= 0 && lseek(out, 0, SEEK_SET) == 0) {
		*early = rc == 1;
		return out;
	}
	e = errno;
	close(out);
	unlinkat(queue, name, 0);
	errno = e;
	return -1;
}

/* A queue entry found in the queue directory. */
struct qent {
	char *name;
	int order;                    /* links out first, then copies, then claims */
};

static int
qent_cmp(const void *a, const void *b)
{
	const struct qent *x = a, *y = b;
	return x->order != y->order ? x->order - y->order : strcmp(x->name, y->name);
}

long
bpd_queue_list(int queue, char ***out)
{
	static const int order[] = { [BPD_Q_ARCHIVE] = 0, [BPD_Q_REJECT] = 0,
		[BPD_Q_COPY] = 1, [BPD_Q_MERGED] = 1, [BPD_Q_NOTOURS] = 1, [BPD_Q_IN] = 2,
		[BPD_Q_CPTMP] = 3 };
	struct qent *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	struct bpd_qname q;
	int fd = fcntl(queue, F_DUPFD_CLOEXEC, 0);
	DIR *dp;

	if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0 || !(dp = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	bool nomem = false;
	while (!nomem && (de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.' || bpd_qname_parse(de->d_name, &q) < 0)
			continue;
		if (n == cap) {
			struct qent *nv = realloc(v, (cap = cap ? 2 * cap : 64) * sizeof(*v));
			if (!nv) {
				nomem = true;
				break;
			}
			v = nv;
		}
		if (!(v[n].name = strdup(de->d_name)))
			nomem = true;
		else
			v[n++].order = order[q.stage];
	}
	closedir(dp);
	if (n > 1)
		qsort(v, n, sizeof(*v), qent_cmp);
	/* a partial listing would leave entries behind unseen: all or none */
	char **names = nomem ? NULL : malloc((n ? n : 1) * sizeof(*names));
	for (size_t i = 0; i < n; i++)
		if (names)
			names[i] = v[i].name;
		else
			free(v[i].name);
	free(v);
	if (!names)
		return -1;
	*out = names;
	return (long)n;
}

void
bpd_upload_tag(const struct bpd_qname *q, char *out, size_t outlen)
{
	snprintf(out, outlen, "%lld-%s", q->t, q->r);
}
