/* suplog.c - the signed, hash-chained suppression log; see suplog.h. */
#include "suplog.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "json.h"
#include "keys.h"

#define SEAL_DOMAIN "bpagg-suplog-seal-v1\n"

void
bp_hex(const uint8_t *in, size_t n, char *out)
{
	sodium_bin2hex(out, 2 * n + 1, in, n);
}

/* The parsed entry of one line, kept for the next question about the same
 * line (the callers ask several members of a line in a row). */
struct bp_suplog_cache {
	size_t i;          /* line index + 1; 0: none */
	json_t *entry;     /* owned; NULL when the line is not a JSON object */
	char why[160];     /* why not */
};

const json_t *
bp_suplog_entry(const struct bp_suplog *l, size_t i, char *why, size_t whylen)
{
	struct bp_suplog_cache *c = l->cache;
	if (!c || i >= l->nline) {
		snprintf(why, whylen, "no such line");
		return NULL;
	}
	if (c->i != i + 1) {
		json_decref(c->entry);
		c->entry = bp_json_parse(l->line[i].text, l->line[i].len, BP_SUPLOG_LINE_MAX,
		    c->why, sizeof(c->why));
		c->i = i + 1;
	}
	if (!c->entry)
		snprintf(why, whylen, "%s", c->why);
	return c->entry;
}

size_t
bp_suplog_sealed_entry(const struct bp_suplog *l, const char *id)
{
	char type[16], other[256];

	for (size_t i = 0; i < l->ncommitted; i++)
		if (bp_suplog_get(l, i, "type", type, sizeof(type)) == 0 &&
		    !strcmp(type, "release") &&
		    bp_suplog_get(l, i, "release", other, sizeof(other)) == 0 && !strcmp(other, id))
			return i;
	return SIZE_MAX;
}

int
bp_suplog_get(const struct bp_suplog *l, size_t i, const char *key, char *out,
    size_t outlen)
{
	char why[160];
	const json_t *e = bp_suplog_entry(l, i, why, sizeof(why));
	return e ? bp_json_path_text(e, key, out, outlen) : -1;
}

/* ---- opening and appending -------------------------------------------- */

static int
read_all(int fd, size_t size, char **out)
{
	char *b = malloc(size + 1);
	size_t at = 0;
	if (!b)
		return -1;
	while (at < size) {
		ssize_t n = read(fd, b + at, size - at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(b);
			return -1;
		}
		at += (size_t)n;
	}
	b[size] = '\0';
	*out = b;
	return 0;
}

static int
split_lines(struct bp_suplog *l)
{
	size_t n = 0;
	for (size_t i = 0; i < l->size; i++)
		n += l->buf[i] == '\n';
	if (!(l->line = calloc(n + 1, sizeof(*l->line))))
		return -1;
	const char *p = l->buf, *end = l->buf + l->size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		l->line[l->nline].text = p;
		l->line[l->nline++].len = len;
		if (!nl) {
			l->partial = true;
			break;
		}
		p = nl + 1;
	}
	return 0;
}

static void
hash_line(const char *text, size_t len, uint8_t out[32])
{
	crypto_generichash(out, 32, (const uint8_t *)text, len, NULL, 0);
}

/* True when line i ends with a newline and is a seal entry. */
static bool
complete_seal(const struct bp_suplog *l, size_t i)
{
	char type[8];
	if (i + 1 == l->nline && l->partial)
		return false;
	return bp_suplog_get(l, i, "type", type, sizeof(type)) == 0 && !strcmp(type, "seal");
}

/*
 * Splits l->buf (l->size bytes) into lines and finds the committed part:
 * the lines up to the last complete seal. What follows is what an
 * interrupted append leaves (or garbage: bp_suplog_verify tells). New
 * entries chain to the committed part, so they replace the tail.
 */
static int
index_lines(struct bp_suplog *l)
{
	if (!(l->cache = calloc(1, sizeof(*l->cache))) || split_lines(l) < 0)
		return -1;
	size_t j = l->nline;
	while (j > 0 && !complete_seal(l, j - 1))
		j--;
	l->ncommitted = j;
	memset(l->committed_head, 0, sizeof(l->committed_head));
	if (j) {
		const struct bp_suplog_line *ln = &l->line[j - 1];
		l->committed_bytes = (size_t)(ln->text - l->buf) + ln->len + 1;
		hash_line(ln->text, ln->len, l->committed_head);
	}
	memcpy(l->head, l->committed_head, sizeof(l->head));
	l->next_n = (uint64_t)j + 1;
	return 0;
}

int
bp_suplog_parse(const char *buf, size_t size, struct bp_suplog *l)
{
	memset(l, 0, sizeof(*l));
	l->fd = -1;
	if (!(l->buf = malloc(size + 1)))
		return -1;
	if (size)
		memcpy(l->buf, buf, size);
	l->buf[size] = '\0';
	l->size = size;
	return index_lines(l);
}

int
bp_suplog_open(const char *path, bool read_only, struct bp_suplog *l, char *err,
    size_t errlen)
{
	struct stat st;
	int flags = read_only ? O_RDONLY : O_RDWR | O_APPEND | O_CREAT;

	memset(l, 0, sizeof(*l));
	/* a FIFO in the log's place is refused, not waited on */
	l->fd = bp_open_regular(AT_FDCWD, path, flags, 0644, 0, &st);
	if (l->fd < 0) {
		snprintf(err, errlen, "%s: %s", path,
		    errno == EINVAL ? "not a regular file" : strerror(errno));
		return -1;
	}
	if (flock(l->fd, read_only ? LOCK_SH : LOCK_EX) < 0 || fstat(l->fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((uint64_t)st.st_size > BP_SUPLOG_MAX_BYTES) {
		snprintf(err, errlen, "%s: larger than the log size cap", path);
		return -1;
	}
	l->size = (size_t)st.st_size;
	if (lseek(l->fd, 0, SEEK_SET) < 0 || read_all(l->fd, l->size, &l->buf) < 0 ||
	    index_lines(l) < 0) {
		snprintf(err, errlen, "%s: cannot read", path);
		return -1;
	}
	return 0;
}

void
bp_suplog_close(struct bp_suplog *l)
{
	if (l->fd >= 0)
		close(l->fd);   /* releases the lock */
	l->fd = -1;
	free(l->buf);
	free(l->line);
	free(l->out);
	if (l->cache)
		json_decref(l->cache->entry);
	free(l->cache);
	l->cache = NULL;
	l->buf = l->out = NULL;
	l->line = NULL;
}

static int
out_reserve(struct bp_suplog *l, size_t more)
{
	if (l->outlen + more <= l->outcap)
		return 0;
	size_t cap = l->outcap ? l->outcap : 65536;
	while (cap < l->outlen + more)
		cap *= 2;
	char *o = realloc(l->out, cap);
	if (!o)
		return -1;
	l->out = o;
	l->outcap = cap;
	return 0;
}

/* The bytes of a log line (no newline): {"n":N,"prev":"PREV"} followed by
 * the members of entry in their order, compact. A new buffer the caller
 * frees; NULL when entry is not an object, holds "n" or "prev", or on ENOMEM. */
static char *
format_line(uint64_t n, const char *prevhex, const json_t *entry)
{
	char *text = NULL;
	if (!json_is_object(entry) || json_object_get(entry, "n") ||
	    json_object_get(entry, "prev"))
		return NULL;
	json_t *line = json_pack("{s:I,s:s}", "n", (json_int_t)n, "prev", prevhex);
	if (line && json_object_update(line, (json_t *)entry) == 0)
		text = json_dumps(line, JSON_COMPACT | BP_JSON_FLAGS);
	json_decref(line);
	return text;
}

/* Appends entry as the next line; updates the head hash. */
static int
append_line(struct bp_suplog *l, const json_t *entry)
{
	char prev[65];
	bp_hex(l->head, 32, prev);
	char *text = format_line(l->next_n, prev, entry);
	if (!text)
		return -1;
	size_t len = strlen(text);
	if (len > BP_SUPLOG_LINE_MAX || out_reserve(l, len + 1) < 0) {
		free(text);
		return -1;
	}
	char *start = l->out + l->outlen;
	memcpy(start, text, len);
	free(text);
	hash_line(start, len, l->head);
	start[len] = '\n';
	l->outlen += len + 1;
	l->next_n++;
	return 0;
}

int
bp_suplog_add(struct bp_suplog *l, const json_t *entry)
{
	return append_line(l, entry);
}

/* The members of a seal entry after "n" and "prev"; a new reference, NULL
 * on ENOMEM or a release id that is not UTF-8. */
static json_t *
seal_entry(const char *release, const char *kid, const char *sighex)
{
	return json_pack("{s:s,s:s,s:s,s:s}", "type", "seal", "release", release,
	    "key", kid, "sig", sighex);
}

/* The message a seal signs. */
static int
seal_message(uint64_t n, const char *release, const char *prevhex, char *buf, size_t len)
{
	int m = snprintf(buf, len, SEAL_DOMAIN "%" PRIu64 "\n%s\n%s\n", n, release, prevhex);
	return m < 0 || (size_t)m >= len ? -1 : m;
}

int
bp_suplog_seal(struct bp_suplog *l, const char *release, const struct bp_key *sk)
{
	char prev[65], msg[256], sighex[2 * crypto_sign_BYTES + 1], kid[17];
	uint8_t sig[crypto_sign_BYTES];

	if (sk->alg != BP_KEY_SIGN_SK || sk->len != crypto_sign_SECRETKEYBYTES)
		return -1;
	bp_hex(l->head, 32, prev);
	int m = seal_message(l->next_n, release, prev, msg, sizeof(msg));
	if (m < 0 || crypto_sign_detached(sig, NULL, (const uint8_t *)msg, (size_t)m,
	    sk->bytes) != 0)
		return -1;
	bp_hex(sig, sizeof(sig), sighex);
	bp_hex(sk->id, BP_KEY_ID_BYTES, kid);
	json_t *e = seal_entry(release, kid, sighex);
	int rc = e ? append_line(l, e) : -1;
	json_decref(e);
	return rc;
}

/* Cuts the file back to size bytes and makes that durable. 0 or -1. */
static int
cut_back(int fd, size_t size)
{
	return ftruncate(fd, (off_t)size) < 0 || fsync(fd) < 0 ? -1 : 0;
}

int
bp_suplog_commit(struct bp_suplog *l, char *err, size_t errlen)
{
	size_t at = 0;
	if (l->fd < 0 || l->ncommitted < l->nline) {
		snprintf(err, errlen, "suppression log: %s", l->fd < 0 ? "not open for "
		    "appending" : "an interrupted append must be rolled back first");
		return -1;
	}
	while (at < l->outlen) {
		ssize_t n = write(l->fd, l->out + at, l->outlen - at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* Leave no part of the entries behind (ENOSPC after a short
			 * write); a crash here leaves a tail the next run rolls back. */
			int e = n < 0 ? errno : ENOSPC;
			if (at > 0 && cut_back(l->fd, l->size) < 0)
				snprintf(err, errlen, "suppression log: write: %s; the partial "
				    "entries are rolled back by the next bpagg publish", strerror(e));
			else
				snprintf(err, errlen, "suppression log: write: %s", strerror(e));
			return -1;
		}
		at += (size_t)n;
	}
	if (fsync(l->fd) < 0) {
		int e = errno;
		cut_back(l->fd, l->size);
		snprintf(err, errlen, "suppression log: fsync: %s", strerror(e));
		return -1;
	}
	l->size += l->outlen;
	l->outlen = 0;
	return 0;
}

int
bp_suplog_rollback(struct bp_suplog *l, char *note, size_t notelen, char *err,
    size_t errlen)
{
	char id[160] = "";
	note[0] = '\0';
	if (l->ncommitted == l->nline)
		return 0;
	if (l->fd < 0 || l->outlen) {
		snprintf(err, errlen, "suppression log: cannot roll back now");
		return -1;
	}
	if ((l->ncommitted + 1 == l->nline && l->partial) ||
	    bp_suplog_get(l, l->ncommitted, "release", id, sizeof(id)) != 0)
		id[0] = '\0';
	if (cut_back(l->fd, l->committed_bytes) < 0) {
		snprintf(err, errlen, "suppression log: rolling back: %s", strerror(errno));
		return -1;
	}
	snprintf(note, notelen, "rolled back an interrupted append: lines %zu to %zu "
	    "(%zu bytes%s%s%s)", l->ncommitted + 1, l->nline, l->size - l->committed_bytes,
	    *id ? ", release " : "", id, *id ? ", never sealed" : "");
	l->size = l->committed_bytes;
	l->nline = l->ncommitted;
	l->partial = false;
	memcpy(l->head, l->committed_head, sizeof(l->head));
	l->next_n = (uint64_t)l->nline + 1;
	return 1;
}

/* ---- verification ------------------------------------------------------ */

static int
unhex(const char *s, uint8_t *out, size_t n)
{
	if (strlen(s) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned v = 0;
		for (int j = 0; j < 2; j++) {
			char c = s[2 * i + j];
			v <<= 4;
			if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
			else return -1;
		}
		out[i] = (uint8_t)v;
	}
	return 0;
}

/* A string member of entry e into out; 0, or -1 when absent, not a
 * string, or too long. */
static int
str_member(const json_t *e, const char *key, char *out, size_t outlen)
{
	const json_t *v = json_object_get(e, key);
	if (!json_is_string(v) || json_string_length(v) >= outlen ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return -1;
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

/* Checks the seal entry e (line ln, number n) against pk. */
static int
check_seal(const json_t *e, const struct bp_suplog_line *ln, uint64_t n,
    const char *prevhex, const struct bp_key *pk, char *why, size_t whylen)
{
	char rel[160], sighex[200], kid[40], want_kid[17], msg[256];
	uint8_t sig[crypto_sign_BYTES];

	if (str_member(e, "release", rel, sizeof(rel)) < 0 ||
	    str_member(e, "sig", sighex, sizeof(sighex)) < 0 ||
	    str_member(e, "key", kid, sizeof(kid)) < 0) {
		snprintf(why, whylen, "seal entry incomplete");
		return -1;
	}
	bp_hex(pk->id, BP_KEY_ID_BYTES, want_kid);
	if (strcmp(kid, want_kid)) {
		snprintf(why, whylen, "seal made with another key");
		return -1;
	}
	/* The seal is the only line no later hash covers: it must be exactly
	 * the line bp_suplog_seal writes (the same bytes as before jansson
	 * wrote the log: compact, these members in this order). */
	json_t *se = seal_entry(rel, kid, sighex);
	char *canon = se ? format_line(n, prevhex, se) : NULL;
	bool same = canon && strlen(canon) == ln->len && !memcmp(canon, ln->text, ln->len);
	free(canon);
	json_decref(se);
	if (!same) {
		snprintf(why, whylen, "seal entry altered");
		return -1;
	}
	int m = seal_message(n, rel, prevhex, msg, sizeof(msg));
	if (m < 0 || unhex(sighex, sig, sizeof(sig)) < 0 ||
	    crypto_sign_verify_detached(sig, (const uint8_t *)msg, (size_t)m, pk->bytes) != 0) {
		snprintf(why, whylen, "seal signature invalid");
		return -1;
	}
	return 0;
}

/* A release id names a folder: letters, digits, '-', '_', '.', not
 * starting with a dot. */
static bool
safe_release_id(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n >= BP_SUPLOG_ID_MAX || id[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.'))
			return false;
	}
	return true;
}

/* An incomplete last line must be the start of the entry that would come
 * next: {"n":N,"prev":"HEX", as append_line writes it (format_line of an
 * entry with no members, its closing brace a comma). */
static bool
partial_fits(const struct bp_suplog_line *ln, size_t n, const char *prevhex)
{
	json_t *none = json_object();
	char *head = none ? format_line(n, prevhex, none) : NULL;
	bool fits = false;
	json_decref(none);
	if (head) {
		size_t hn = strlen(head);
		head[hn - 1] = ',';
		fits = memcmp(head, ln->text, ln->len < hn ? ln->len : hn) == 0;
	}
	free(head);
	return fits;
}

int
bp_suplog_verify(const struct bp_suplog *l, const struct bp_key *pk, size_t *bad,
    char *why, size_t whylen)
{
	uint8_t prev[32] = { 0 };
	char prevhex[65], got[80], type[16], rel[160], open_rel[160] = "";
	bool in_release = false;
	size_t open_at = 0, complete = l->nline - (l->partial ? 1 : 0);

	for (size_t i = 0; i < complete; i++) {
		const struct bp_suplog_line *ln = &l->line[i];
		char err[160];
		*bad = i + 1;
		bp_hex(prev, 32, prevhex);
		const json_t *e = bp_suplog_entry(l, i, err, sizeof(err));
		if (!e) {
			snprintf(why, whylen, "not a JSON object: %s", err);
			return -1;
		}
		const json_t *n = json_object_get(e, "n");
		if (!json_is_integer(n)) {
			snprintf(why, whylen, "not a log entry (no number \"n\")");
			return -1;
		}
		if (json_integer_value(n) < 0 || (uint64_t)json_integer_value(n) != i + 1) {
			snprintf(why, whylen, "entry number out of sequence");
			return -1;
		}
		if (str_member(e, "prev", got, sizeof(got)) < 0 || strcmp(got, prevhex)) {
			/* the line above is the one whose hash no longer fits:
			 * it was changed, or this line's "prev" was */
			if (i == 0)
				snprintf(why, whylen, "hash chain broken: the first line's \"prev\" "
				    "is not all zeros");
			else
				snprintf(why, whylen, "hash chain broken: \"prev\" is not the hash of "
				    "line %zu (that line or this one was changed)", i);
			return -1;
		}
		if (str_member(e, "type", type, sizeof(type)) < 0 ||
		    str_member(e, "release", rel, sizeof(rel)) < 0) {
			snprintf(why, whylen, "entry without type or release");
			return -1;
		}
		if (!strcmp(type, "release")) {
			if (in_release) {
				snprintf(why, whylen, "release begins before the previous one is sealed");
				return -1;
			}
			if (!safe_release_id(rel)) {
				snprintf(why, whylen, "release id is not a safe name");
				return -1;
			}
			in_release = true;
			open_at = i;
			snprintf(open_rel, sizeof(open_rel), "%s", rel);
		} else if (!strcmp(type, "cell") || !strcmp(type, "seal")) {
			if (!in_release || strcmp(rel, open_rel)) {
				snprintf(why, whylen, "entry outside its release");
				return -1;
			}
			if (!strcmp(type, "seal")) {
				if (check_seal(e, ln, i + 1, prevhex, pk, why, whylen) < 0)
					return -1;
				in_release = false;
			}
		} else {
			snprintf(why, whylen, "unknown entry type");
			return -1;
		}
		hash_line(ln->text, ln->len, prev);
	}
	/* After the last seal: what an interrupted append leaves (a release and
	 * some of its cells, then part of a line) is not committed and is
	 * rolled back by the next publish; anything else is broken. */
	if (in_release && open_at < l->ncommitted) {
		*bad = complete;
		snprintf(why, whylen, "release not sealed");
		return -1;
	}
	if (l->partial) {
		bp_hex(prev, 32, prevhex);
		if (!partial_fits(&l->line[l->nline - 1], l->nline, prevhex)) {
			*bad = l->nline;
			snprintf(why, whylen, "last line is incomplete and not the next entry");
			return -1;
		}
	}
	*bad = 0;
	return 0;
}
