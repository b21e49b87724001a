/*
 * receipt.c - signed receipts for the kommune, reason files for rejected/,
 * and the durable small writes both use.
 *
 * A receipt is two lines of text: one JSON object, then
 * "ed25519 <daemon key id hex> <signature hex>", the detached Ed25519
 * signature (daemon.sign.sk) over BPD_RECEIPT_DOMAIN, a NUL byte and the
 * bytes of the first line without its newline. See bpaggd(8).
 */
#include "bpaggd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "io.h"
#include "json.h"

/* A growing text buffer. */
struct buf {
	char *p;
	size_t len, cap;
	int failed;
};

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 512;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->failed = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void __attribute__((format(printf, 2, 3)))
buf_printf(struct buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		b->failed = 1;
	else
		buf_add(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static void
buf_hex(struct buf *b, const uint8_t *v, size_t n)
{
	char hex[2 * 64 + 1];
	while (n > 0) {
		size_t k = n > 64 ? 64 : n;
		sodium_bin2hex(hex, sizeof(hex), v, k);
		buf_add(b, hex, 2 * k);
		v += k;
		n -= k;
	}
}

int
bpd_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

/* mkdir that also makes a new directory's entry durable (fsyncs the parent). */
static int
mkdir_synced(char *p)
{
	if (mkdir(p, 0750) < 0)
		return errno == EEXIST ? 0 : -1;
	char *slash = strrchr(p, '/');
	if (!slash || slash == p)
		return 0;
	*slash = '\0';
	int rc = bpd_fsync_dir(p);
	*slash = '/';
	return rc;
}

int
bpd_mkdirs(const char *path)
{
	char p[PATH_MAX];
	if (snprintf(p, sizeof(p), "%s", path) >= (int)sizeof(p)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		int rc = mkdir_synced(p);
		*s = '/';
		if (rc < 0)
			return -1;
	}
	return mkdir_synced(p);
}

static int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
bpd_rename_new(int sfd, const char *src, int dfd, const char *dst)
{
#ifdef RENAME_NOREPLACE
	if (renameat2(sfd, src, dfd, dst, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
#endif
	/* No renameat2 here: link (never replaces), then drop the old name. */
	if (linkat(sfd, src, dfd, dst, 0) < 0)
		return -1;
	if (unlinkat(sfd, src, 0) < 0) {
		int saved = errno;
		unlinkat(dfd, dst, 0);
		errno = saved;
		return -1;
	}
	return 0;
}

/* bpd_write_new and bpd_write_over: the temporary file, then the rename
 * (replacing name or never). */
static int
write_durably(int dirfd, const char *name, const void *buf, size_t len, mode_t mode,
    bool replace)
{
	char tmp[64];
	uint8_t rnd[8];
	char rhex[17];
	int fd = -1, ret = -1, saved;

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(rhex, sizeof(rhex), rnd, sizeof(rnd));
	snprintf(tmp, sizeof(tmp), ".new.%s.tmp", rhex);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return -1;
	/* The mode asked for, whatever the umask of whoever started the daemon. */
	if (fchmod(fd, mode) < 0 || write_all(fd, buf, len) < 0 || fsync(fd) < 0)
		goto out;
	if (close(fd) < 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (replace ? renameat(dirfd, tmp, dirfd, name) < 0 :
	    bpd_rename_new(dirfd, tmp, dirfd, name) < 0)
		goto out;
	ret = 0;
out:
	saved = errno;
	if (fd >= 0)
		close(fd);
	if (ret < 0)
		unlinkat(dirfd, tmp, 0);
	errno = saved;
	return ret;
}

int
bpd_write_new(int dirfd, const char *name, const void *buf, size_t len, mode_t mode)
{
	return write_durably(dirfd, name, buf, len, mode, false);
}

int
bpd_write_over(int dirfd, const char *name, const void *buf, size_t len, mode_t mode)
{
	return write_durably(dirfd, name, buf, len, mode, true);
}

/* True for the temporary names bpd_write_new makes: ".new.<16 hex>.tmp". */
static bool
is_new_tmp(const char *name)
{
	return strlen(name) == 5 + 16 + 4 && !strncmp(name, ".new.", 5) &&
	    strspn(name + 5, "0123456789abcdef") == 16 && !strcmp(name + 21, ".tmp");
}

size_t
bpd_sweep_tmp(int dirfd, bool descend)
{
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	struct dirent *de;
	size_t n = 0;
	DIR *dp;

	if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0 || !(dp = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((de = readdir(dp)) != NULL) {
		struct stat st;
		if (is_new_tmp(de->d_name)) {
			/* Never followed: a regular file of that name, unlinked. */
			if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISREG(st.st_mode) && unlinkat(dirfd, de->d_name, 0) == 0)
				n++;
		} else if (descend && strlen(de->d_name) == 4 &&
		    strspn(de->d_name, "0123456789") == 4) {
			int sub = openat(dirfd, de->d_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0) {
				n += bpd_sweep_tmp(sub, false);
				close(sub);
			}
		}
	}
	closedir(dp);
	return n;
}

static const char *
receipt_status(const struct bp_ingest_result *r)
{
	if (r->status == BP_INGEST_MERGED && r->meta.dry_run)
		return "dry_run";
	return bp_ingest_status_name(r->status);
}

/* The validator's diagnostics: a new reference, NULL on ENOMEM. */
static json_t *
json_errors(const struct bp_diags *d)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < d->n; i++) {
		const struct bp_diag *e = &d->v[i];
		if (json_array_append_new(a, json_pack("{s:I,s:I,s:o,s:o}",
		    "line", (json_int_t)e->line, "col", (json_int_t)e->col,
		    "column", bp_json_text(e->column), "message", bp_json_text(e->msg))) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/*
 * The JSON line of a receipt (no newline), appended to b; written by
 * jansson, compact, members in this order. The sequence is a string of
 * decimal digits: it is 64 bits, and jq and JavaScript round numbers above
 * 2^53. 0 or -1 (ENOMEM).
 */
static int
receipt_json(struct buf *b, const char *name, const char *upload,
    const struct bp_ingest_result *r, time_t now)
{
	char when[32], id[2 * sizeof(r->meta.submission_id) + 1];
	char dig[2 * sizeof(r->meta.digest) + 1];
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	sodium_bin2hex(id, sizeof(id), r->meta.submission_id, sizeof(r->meta.submission_id));
	sodium_bin2hex(dig, sizeof(dig), r->meta.digest, sizeof(r->meta.digest));
	json_t *o = json_pack("{s:s,s:o,s:i,s:s,s:o,s:I,s:s,s:o,s:o,s:o,s:o,s:I,s:s}",
	    "status", receipt_status(r), "kommune", bp_json_text(r->meta.kommune),
	    "year", (int)r->meta.year, "submission_id", id,
	    "sequence", bp_json_u64(r->meta.sequence),
	    "rows", (json_int_t)(r->status == BP_INGEST_REFUSED ? 0 : r->rows),
	    "digest", dig, "file", bp_json_text(name), "upload", bp_json_text(upload),
	    "reason", bp_json_text(r->reason), "errors", json_errors(&r->diags),
	    "errors_total", (json_int_t)r->diags.total, "time", when);
	char *text = o ? json_dumps(o, JSON_COMPACT | BP_JSON_FLAGS) : NULL;
	json_decref(o);
	if (!text)
		return -1;
	buf_add(b, text, strlen(text));
	free(text);
	return b->failed ? -1 : 0;
}

/* Appends the signature line over the domain and b's current content. */
static int
receipt_sign(struct buf *b, const struct bp_key *sk)
{
	static const char domain[] = BPD_RECEIPT_DOMAIN; /* with its NUL */
	uint8_t sig[crypto_sign_BYTES];

	if (b->failed || sk->len != crypto_sign_SECRETKEYBYTES)
		return -1;
	/* Ed25519 (not the prehashed Ed25519ph) over domain || line. */
	uint8_t *msg = malloc(sizeof(domain) + b->len);
	if (!msg)
		return -1;
	memcpy(msg, domain, sizeof(domain));
	memcpy(msg + sizeof(domain), b->p, b->len);
	crypto_sign_detached(sig, NULL, msg, sizeof(domain) + b->len, sk->bytes);
	free(msg);
	buf_add(b, "\ned25519 ", 9);
	buf_hex(b, sk->id, sizeof(sk->id));
	buf_add(b, " ", 1);
	buf_hex(b, sig, sizeof(sig));
	buf_add(b, "\n", 1);
	return b->failed ? -1 : 0;
}

#define RECEIPT_MAX (1u << 20)   /* no receipt we write is longer */

/* Reads the "upload" and "status" of the receipt name beneath dir (its JSON
 * line, read by jansson) into upload and status ("" when absent); false
 * when there is no such receipt or it does not parse. */
static bool
receipt_fields(int dir, const char *name, char *upload, size_t ulen, char *status,
    size_t slen)
{
	char *buf = malloc(RECEIPT_MAX), err[160];
	struct stat fst;
	int fd = bp_open_regular(dir, name, O_RDONLY, 0, 0, &fst);
	ssize_t n = -1;

	if (fd >= 0 && buf)
		n = bp_read_full(fd, (uint8_t *)buf, RECEIPT_MAX);
	if (fd >= 0)
		close(fd);
	const char *nl = n > 0 ? memchr(buf, '\n', (size_t)n) : NULL;
	json_t *o = nl ? bp_json_parse(buf, (size_t)(nl - buf), RECEIPT_MAX, err,
	    sizeof(err)) : NULL;
	const json_t *u = json_object_get(o, "upload"), *st = json_object_get(o, "status");
	snprintf(upload, ulen, "%s", json_is_string(u) ? json_string_value(u) : "");
	snprintf(status, slen, "%s", json_is_string(st) ? json_string_value(st) : "");
	bool ok = o != NULL;
	json_decref(o);
	free(buf);
	return ok;
}

/* True when the receipt name beneath dir is this upload's. */
static bool
is_upload_receipt(int dir, const char *name, const char *upload)
{
	char u[64], st[32];
	return receipt_fields(dir, name, u, sizeof(u), st, sizeof(st)) && !strcmp(u, upload);
}

bool
bpd_receipt_merged_by_other(int outbox, const struct bp_ingest_result *r, const char *upload)
{
	char hex[33], fname[48], u[64], st[32];
	int dir;
	bool other;

	if (!r->have_meta || (dir = bpd_opendir_at(outbox, r->meta.kommune, false)) < 0)
		return false;
	sodium_bin2hex(hex, sizeof(hex), r->meta.submission_id, sizeof(r->meta.submission_id));
	snprintf(fname, sizeof(fname), "%s.receipt", hex);
	other = receipt_fields(dir, fname, u, sizeof(u), st, sizeof(st)) &&
	    (!strcmp(st, "merged") || !strcmp(st, "dry_run")) && strcmp(u, upload) != 0;
	close(dir);
	return other;
}

/*
 * The first receipt of a submission is "<id>.receipt"; a later upload of
 * the same submission (already applied, or refused) gets "<id>.<R>.receipt"
 * with its own R. Either name found holding this upload's receipt means it
 * was written before a crash: not written again.
 */
int
bpd_receipt_write(int outbox, const struct bp_key *sign_sk, const char *name,
    const char *upload, const struct bp_ingest_result *r, time_t now)
{
	struct buf b = { 0 };
	char hex[33], fname[80];
	const char *dash = strchr(upload, '-');
	int dir = -1, ret = -1;

	if (!r->have_meta || !dash)
		return -1;
	if ((dir = bpd_opendir_at(outbox, r->meta.kommune, true)) < 0)
		return -1;
	sodium_bin2hex(hex, sizeof(hex), r->meta.submission_id, sizeof(r->meta.submission_id));
	if (receipt_json(&b, name, upload, r, now) < 0 || receipt_sign(&b, sign_sk) < 0)
		goto out;
	snprintf(fname, sizeof(fname), "%s.receipt", hex);
	if (bpd_write_new(dir, fname, b.p, b.len, 0640) == 0)
		goto synced;
	if (errno != EEXIST)
		goto out;
	if (is_upload_receipt(dir, fname, upload)) {
		ret = 0;
		goto out;
	}
	snprintf(fname, sizeof(fname), "%s.%s.receipt", hex, dash + 1);
	if (bpd_write_new(dir, fname, b.p, b.len, 0640) < 0) {
		/* Only this upload writes under its own R. */
		ret = errno == EEXIST ? 0 : -1;
		goto out;
	}
synced:
	ret = fsync(dir);
out:
	free(b.p);
	if (dir >= 0)
		close(dir);
	return ret;
}

/* Returns a malloc'ed text the caller frees; NULL on ENOMEM. */
char *
bpd_reason_text(const struct bp_ingest_result *r, const char *reason, const char *name,
    size_t *len)
{
	struct buf b = { 0 };

	buf_printf(&b, "%s\n", reason ? reason : r->reason);
	buf_add(&b, "file: ", 6);
	buf_add(&b, name, strlen(name));
	buf_add(&b, "\n", 1);
	for (size_t i = 0; i < r->diags.n; i++) {
		const struct bp_diag *e = &r->diags.v[i];
		if (e->column[0])
			buf_printf(&b, "%lu:%u: %s: %s\n", e->line, e->col, e->column, e->msg);
		else
			buf_printf(&b, "%lu:%u: %s\n", e->line, e->col, e->msg);
	}
	if (r->diags.total > r->diags.n)
		buf_printf(&b, "%zu more errors not shown\n", r->diags.total - r->diags.n);
	if (b.failed) {
		free(b.p);
		return NULL;
	}
	*len = b.len;
	return b.p;
}
