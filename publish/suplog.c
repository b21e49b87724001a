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

#include "keys.h"

#define SEAL_DOMAIN "bpagg-suplog-seal-v1\n"

void
bp_hex(const uint8_t *in, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[in[i] >> 4];
		out[2 * i + 1] = d[in[i] & 15];
	}
	out[2 * n] = '\0';
}

void
bp_json_str(char *buf, size_t len, const char *s)
{
	size_t at = 0;
	if (len < 3) {
		if (len)
			buf[0] = '\0';
		return;
	}
	buf[at++] = '"';
	for (; *s && at + 8 < len; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			buf[at++] = '\\';
			buf[at++] = (char)c;
		} else if (c < 0x20) {
			at += (size_t)snprintf(buf + at, len - at, "\\u%04x", c);
		} else {
			buf[at++] = (char)c;
		}
	}
	buf[at++] = '"';
	buf[at] = '\0';
}

/* ---- reading JSON lines ----------------------------------------------- */

struct jscan {
	const char *p, *end;
};

static void
skip_ws(struct jscan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t'))
		s->p++;
}

/* Reads a JSON string at s->p into out (unescaped, \uXXXX below 0x80
 * only); out may be NULL to skip. 0 or -1. */
static int
scan_string(struct jscan *s, char *out, size_t outlen)
{
	size_t at = 0;
	if (s->p >= s->end || *s->p != '"')
		return -1;
	s->p++;
	while (s->p < s->end && *s->p != '"') {
		char c = *s->p++;
		if ((unsigned char)c < 0x20)
			return -1;
		if (c == '\\') {
			if (s->p >= s->end)
				return -1;
			c = *s->p++;
			switch (c) {
			case '"': case '\\': case '/': break;
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u': {
				unsigned v = 0;
				for (int i = 0; i < 4; i++) {
					if (s->p >= s->end)
						return -1;
					char h = *s->p++;
					v = v * 16 + (unsigned)(h >= '0' && h <= '9' ? h - '0' :
					    h >= 'a' && h <= 'f' ? h - 'a' + 10 :
					    h >= 'A' && h <= 'F' ? h - 'A' + 10 : 99);
					if (v > 0xffff)
						return -1;
				}
				if (v >= 0x80)
					return -1;
				c = (char)v;
				break;
			}
			default: return -1;
			}
		}
		if (out) {
			if (at + 1 >= outlen)
				return -1;
			out[at++] = c;
		}
	}
	if (s->p >= s->end)
		return -1;
	s->p++;
	if (out)
		out[at] = '\0';
	return 0;
}

/* Reads a bare value (number, true, false, null) into out. 0 or -1. */
static int
scan_bare(struct jscan *s, char *out, size_t outlen)
{
	const char *b = s->p;
	while (s->p < s->end && *s->p && strchr("0123456789+-.eEtruefalsn", *s->p))
		s->p++;
	size_t n = (size_t)(s->p - b);
	if (n == 0)
		return -1;
	if (out) {
		if (n >= outlen)
			return -1;
		memcpy(out, b, n);
		out[n] = '\0';
	}
	return 0;
}

/*
 * Walks an object at s->p looking for the dotted path key (prefix is the
 * path of this object). Returns 0 found (into out), 1 not found, -1 bad.
 */
static int
scan_object(struct jscan *s, const char *prefix, const char *key, char *out,
    size_t outlen, int depth)
{
	char name[128], path[256];
	int found = 1;

	if (depth > 4 || s->p >= s->end || *s->p != '{')
		return -1;
	s->p++;
	skip_ws(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		return 1;
	}
	for (;;) {
		skip_ws(s);
		if (scan_string(s, name, sizeof(name)) < 0)
			return -1;
		skip_ws(s);
		if (s->p >= s->end || *s->p++ != ':')
			return -1;
		skip_ws(s);
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", name);
		bool want = found == 1 && !strcmp(path, key);
		if (s->p < s->end && *s->p == '{') {
			int rc = scan_object(s, path, key, found == 1 ? out : NULL,
			    outlen, depth + 1);
			if (rc < 0)
				return -1;
			if (rc == 0 && found == 1)
				found = 0;
		} else if (s->p < s->end && *s->p == '"') {
			if (scan_string(s, want ? out : NULL, outlen) < 0)
				return -1;
			if (want)
				found = 0;
		} else {
			if (scan_bare(s, want ? out : NULL, outlen) < 0)
				return -1;
			if (want)
				found = 0;
		}
		skip_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == '}') {
			s->p++;
			return found;
		}
		return -1;
	}
}

int
bp_json_get(const char *text, size_t len, const char *key, char *out, size_t outlen)
{
	struct jscan s = { text, text + len };
	char dummy[2];
	if (!out) {
		out = dummy;
		outlen = sizeof(dummy);
	}
	int rc = scan_object(&s, "", key, out, outlen, 0);
	if (rc < 0)
		return -1;
	skip_ws(&s);
	return s.p == s.end ? rc : -1;
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
	return bp_json_get(l->line[i].text, l->line[i].len, "type", type, sizeof(type)) == 0 &&
	    !strcmp(type, "seal");
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
	if (split_lines(l) < 0)
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
	int flags = O_NOFOLLOW | O_CLOEXEC | (read_only ? O_RDONLY : O_RDWR | O_APPEND | O_CREAT);

	memset(l, 0, sizeof(*l));
	l->fd = open(path, flags, 0644);
	if (l->fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(l->fd, read_only ? LOCK_SH : LOCK_EX) < 0 || fstat(l->fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
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

/* Formats the line header for the next entry and appends body; updates the
 * head hash. */
static int
append_line(struct bp_suplog *l, const char *body)
{
	char prev[65], head[128];
	bp_hex(l->head, 32, prev);
	int hn = snprintf(head, sizeof(head), "{\"n\":%" PRIu64 ",\"prev\":\"%s\",",
	    l->next_n, prev);
	size_t blen = strlen(body);
	if (hn < 0 || out_reserve(l, (size_t)hn + blen + 3) < 0)
		return -1;
	char *start = l->out + l->outlen;
	memcpy(start, head, (size_t)hn);
	memcpy(start + hn, body, blen);
	start[hn + blen] = '}';
	hash_line(start, (size_t)hn + blen + 1, l->head);
	start[hn + blen + 1] = '\n';
	l->outlen += (size_t)hn + blen + 2;
	l->next_n++;
	return 0;
}

int
bp_suplog_add(struct bp_suplog *l, const char *body)
{
	return append_line(l, body);
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
	char prev[65], msg[256], sighex[2 * crypto_sign_BYTES + 1], kid[17], rel[160];
	char body[512];
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
	bp_json_str(rel, sizeof(rel), release);
	snprintf(body, sizeof(body), "\"type\":\"seal\",\"release\":%s,\"key\":\"%s\","
	    "\"sig\":\"%s\"", rel, kid, sighex);
	return append_line(l, body);
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
	const struct bp_suplog_line *first = &l->line[l->ncommitted];
	if (!(l->ncommitted + 1 == l->nline && l->partial) &&
	    bp_json_get(first->text, first->len, "release", id, sizeof(id)) != 0)
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

/* Checks the seal at line i (0-based) against pk. */
static int
check_seal(const struct bp_suplog_line *ln, uint64_t n, const char *prevhex,
    const struct bp_key *pk, char *why, size_t whylen)
{
	char rel[160], sighex[200], kid[40], want_kid[17], msg[256];
	uint8_t sig[crypto_sign_BYTES];

	if (bp_json_get(ln->text, ln->len, "release", rel, sizeof(rel)) != 0 ||
	    bp_json_get(ln->text, ln->len, "sig", sighex, sizeof(sighex)) != 0 ||
	    bp_json_get(ln->text, ln->len, "key", kid, sizeof(kid)) != 0) {
		snprintf(why, whylen, "seal entry incomplete");
		return -1;
	}
	bp_hex(pk->id, BP_KEY_ID_BYTES, want_kid);
	if (strcmp(kid, want_kid)) {
		snprintf(why, whylen, "seal made with another key");
		return -1;
	}
	/* The seal is the only line no later hash covers: it must be exactly
	 * the line bp_suplog_seal writes. */
	char relq[200], canon[512];
	bp_json_str(relq, sizeof(relq), rel);
	int cn = snprintf(canon, sizeof(canon), "{\"n\":%" PRIu64 ",\"prev\":\"%s\","
	    "\"type\":\"seal\",\"release\":%s,\"key\":\"%s\",\"sig\":\"%s\"}",
	    n, prevhex, relq, kid, sighex);
	/* A hostile line may be longer than any seal we write: snprintf then
	 * returns the untruncated length, which must not reach memcmp. */
	if (cn < 0 || (size_t)cn >= sizeof(canon) || (size_t)cn != ln->len ||
	    memcmp(canon, ln->text, ln->len)) {
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
 * next: {"n":N,"prev":"HEX", as append_line writes it. */
static bool
partial_fits(const struct bp_suplog_line *ln, size_t n, const char *prevhex)
{
	char head[128];
	int hn = snprintf(head, sizeof(head), "{\"n\":%zu,\"prev\":\"%s\",", n, prevhex);
	size_t m = ln->len < (size_t)hn ? ln->len : (size_t)hn;
	return hn > 0 && memcmp(head, ln->text, m) == 0;
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
		char want_n[24];
		*bad = i + 1;
		bp_hex(prev, 32, prevhex);
		if (bp_json_get(ln->text, ln->len, "n", got, sizeof(got)) != 0) {
			snprintf(why, whylen, "not a log entry");
			return -1;
		}
		snprintf(want_n, sizeof(want_n), "%zu", i + 1);
		if (strcmp(got, want_n)) {
			snprintf(why, whylen, "entry number out of sequence");
			return -1;
		}
		if (bp_json_get(ln->text, ln->len, "prev", got, sizeof(got)) != 0 ||
		    strcmp(got, prevhex)) {
			snprintf(why, whylen, "hash chain broken");
			return -1;
		}
		if (bp_json_get(ln->text, ln->len, "type", type, sizeof(type)) != 0 ||
		    bp_json_get(ln->text, ln->len, "release", rel, sizeof(rel)) != 0) {
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
				if (check_seal(ln, i + 1, prevhex, pk, why, whylen) < 0)
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
