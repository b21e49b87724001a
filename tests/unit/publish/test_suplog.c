/*
 * test_suplog.c - the suppression log (publish/suplog.c): appending, the hash
 * chain, seals, and tampering. Every line of a real two-release log is in
 * turn changed, deleted, swapped with the next, and every seal's signature
 * replaced; each must make verification fail naming that entry.
 */
#include <criterion/criterion.h>

#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keys.h"
#include "suplog.h"

static char dir[64], path[128];
static struct bp_key pk, sk;
static char *orig;          /* the log as first written */
static size_t origlen;

/* Queues the entry whose members (without braces) are body, parsed by
 * jansson as bpagg's writers would build it. */
static int
add_body(struct bp_suplog *l, const char *body)
{
	char text[1024];
	snprintf(text, sizeof(text), "{%s}", body);
	json_t *e = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	cr_assert(e, "%s", text);
	int rc = bp_suplog_add(l, e);
	json_decref(e);
	return rc;
}

static void
add_release(const char *id, int ncells)
{
	struct bp_suplog l;
	char err[256], body[512];
	cr_assert_eq(bp_suplog_open(path, false, &l, err, sizeof(err)), 0, "%s", err);
	snprintf(body, sizeof(body), "\"type\":\"release\",\"release\":\"%s\",\"year\":2024,"
	    "\"settings\":{\"min_cell\":5},\"files\":{\"tables.csv\":\"00\"}", id);
	cr_assert_eq(add_body(&l, body), 0);
	for (int i = 0; i < ncells; i++) {
		snprintf(body, sizeof(body), "\"type\":\"cell\",\"release\":\"%s\",\"table\":"
		    "\"bolig__total\",\"level\":\"kommune\",\"area\":\"0301\",\"category\":\"rod\","
		    "\"breakdown_value\":\"alle\",\"reason\":\"%s\"", id, i % 2 ? "secondary" : "primary");
		cr_assert_eq(add_body(&l, body), 0);
	}
	cr_assert_eq(bp_suplog_seal(&l, id, &sk), 0);
	cr_assert_eq(bp_suplog_commit(&l, err, sizeof(err)), 0, "%s", err);
	bp_suplog_close(&l);
}

static char *
slurp(size_t *len)
{
	FILE *f = fopen(path, "r");
	cr_assert(f);
	char *b = malloc(1 << 20);
	*len = fread(b, 1, 1 << 20, f);
	fclose(f);
	b[*len] = '\0';
	return b;
}

static void
spit(const char *b, size_t len)
{
	FILE *f = fopen(path, "w");
	cr_assert(f);
	cr_assert_eq(fwrite(b, 1, len, f), len);
	fclose(f);
}

/* Verifies the log at path; returns 0 or the bad line (and why). */
static size_t
verify(char *why, size_t whylen)
{
	struct bp_suplog l;
	char err[256];
	size_t bad = 0;
	why[0] = '\0';
	cr_assert_eq(bp_suplog_open(path, true, &l, err, sizeof(err)), 0, "%s", err);
	if (bp_suplog_verify(&l, &pk, &bad, why, whylen) == 0)
		bad = 0;
	else
		cr_assert_gt(bad, 0);
	bp_suplog_close(&l);
	return bad;
}

static void
setup(void)
{
	cr_assert_geq(sodium_init(), 0);
	snprintf(dir, sizeof(dir), "/tmp/bp_suplog_XXXXXX");
	cr_assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/suppression.log", dir);
	cr_assert_eq(bp_key_gen_sign(&pk, &sk, NULL), 0);
	add_release("2024-20260101T000000Z-00000001", 3);
	add_release("2024-20260102T000000Z-00000002", 2);
	orig = slurp(&origlen);
}

static void
teardown(void)
{
	unlink(path);
	rmdir(dir);
	free(orig);
	bp_key_free(&pk);
	bp_key_free(&sk);
}

TestSuite(suplog, .init = setup, .fini = teardown);

/* Splits orig into lines (pointers into a copy the caller frees). */
static size_t
lines(char ***out, char **copy)
{
	*copy = strdup(orig);
	size_t n = 0;
	char **v = calloc(64, sizeof(*v));
	for (char *p = strtok(*copy, "\n"); p; p = strtok(NULL, "\n"))
		v[n++] = p;
	*out = v;
	return n;
}

static void
write_lines(char **v, size_t n)
{
	FILE *f = fopen(path, "w");
	cr_assert(f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s\n", v[i]);
	fclose(f);
}

Test(suplog, written_log_verifies_and_chains)
{
	char why[256];
	cr_assert_eq(verify(why, sizeof(why)), 0, "%s", why);
	char **v, *copy;
	size_t n = lines(&v, &copy);
	cr_assert_eq(n, 1 + 3 + 1 + 1 + 2 + 1);
	char got[80], want[80];
	cr_assert_eq(bp_json_get(v[0], strlen(v[0]), "prev", got, sizeof(got)), 0);
	memset(want, '0', 64);
	want[64] = '\0';
	cr_assert_str_eq(got, want);
	uint8_t h[32];
	crypto_generichash(h, 32, (const uint8_t *)v[0], strlen(v[0]), NULL, 0);
	bp_hex(h, 32, want);
	cr_assert_eq(bp_json_get(v[1], strlen(v[1]), "prev", got, sizeof(got)), 0);
	cr_assert_str_eq(got, want);
	cr_assert_eq(bp_json_get(v[4], strlen(v[4]), "type", got, sizeof(got)), 0);
	cr_assert_str_eq(got, "seal");
	cr_assert_eq(bp_json_get(v[0], strlen(v[0]), "settings.min_cell", got, sizeof(got)), 0);
	cr_assert_str_eq(got, "5");
	free(v);
	free(copy);
}

Test(suplog, changing_any_line_is_found)
{
	char **v, *copy, why[256], buf[4096];
	size_t n = lines(&v, &copy);
	for (size_t k = 0; k < n; k++) {
		char *keep = v[k];
		/* A change that keeps the line valid JSON: a space after the first comma. */
		char *comma = strchr(keep, ',');
		if (!comma)
			cr_assert_fail("line %zu has no comma", k + 1);
		snprintf(buf, sizeof(buf), "%.*s, %s", (int)(comma - keep), keep, comma + 1);
		v[k] = buf;
		write_lines(v, n);
		size_t bad = verify(why, sizeof(why));
		/* A seal must be exactly as written: found at itself; any other line
		 * is found by the next line's prev. */
		char type[16];
		cr_assert_eq(bp_json_get(keep, strlen(keep), "type", type, sizeof(type)), 0);
		size_t want = !strcmp(type, "seal") ? k + 1 : k + 2;
		cr_assert_eq(bad, want, "line %zu changed: bad %zu (%s)", k + 1, bad, why);
		/* Changing a value (a reason, a release id) is found the same way. */
		char *r = strstr(keep, "\"release\":\"2024-");
		cr_assert(r);
		snprintf(buf, sizeof(buf), "%s", keep);
		buf[r - keep + 11] = '3';   /* 2024 -> 2034 in the release id */
		write_lines(v, n);
		bad = verify(why, sizeof(why));
		cr_assert(bad == k + 1 || bad == want, "line %zu value changed: bad %zu (%s)",
		    k + 1, bad, why);
		v[k] = keep;
	}
	write_lines(v, n);
	cr_assert_eq(verify(why, sizeof(why)), 0);
	free(v);
	free(copy);
}

Test(suplog, deleting_any_line_is_found)
{
	char **v, *copy, why[256];
	size_t n = lines(&v, &copy);
	char *w[64];
	for (size_t k = 0; k < n; k++) {
		size_t m = 0;
		for (size_t i = 0; i < n; i++)
			if (i != k)
				w[m++] = v[i];
		write_lines(w, m);
		size_t bad = verify(why, sizeof(why));
		/* The line now in k's place has the wrong number; without the last
		 * line the last release is unsealed, which is what an interrupted
		 * append leaves: not committed, rolled back by the next publish
		 * (removing a whole last release cannot be told either). */
		cr_assert_eq(bad, k + 1 < n ? k + 1 : 0, "line %zu deleted: bad %zu (%s)",
		    k + 1, bad, why);
	}
	free(v);
	free(copy);
}

Test(suplog, reordering_any_two_lines_is_found)
{
	char **v, *copy, why[256];
	size_t n = lines(&v, &copy);
	for (size_t k = 0; k + 1 < n; k++) {
		char *t = v[k];
		v[k] = v[k + 1];
		v[k + 1] = t;
		write_lines(v, n);
		size_t bad = verify(why, sizeof(why));
		cr_assert_eq(bad, k + 1, "lines %zu,%zu swapped: bad %zu (%s)", k + 1, k + 2,
		    bad, why);
		v[k + 1] = v[k];
		v[k] = t;
	}
	free(v);
	free(copy);
}

Test(suplog, replacing_a_signature_is_found)
{
	char **v, *copy, why[256], buf[4096], type[16];
	size_t n = lines(&v, &copy), seals = 0;
	struct bp_key pk2, sk2;
	cr_assert_eq(bp_key_gen_sign(&pk2, &sk2, NULL), 0);
	for (size_t k = 0; k < n; k++) {
		cr_assert_eq(bp_json_get(v[k], strlen(v[k]), "type", type, sizeof(type)), 0);
		if (strcmp(type, "seal"))
			continue;
		seals++;
		/* Another valid-looking signature: the same message under another key. */
		char *sig = strstr(v[k], "\"sig\":\"") + 7;
		uint8_t s[crypto_sign_BYTES];
		char hex[2 * crypto_sign_BYTES + 1];
		crypto_sign_detached(s, NULL, (const uint8_t *)"x", 1, sk2.bytes);
		bp_hex(s, sizeof(s), hex);
		snprintf(buf, sizeof(buf), "%.*s%s\"}", (int)(sig - v[k]), v[k], hex);
		char *keep = v[k];
		v[k] = buf;
		write_lines(v, n);
		size_t bad = verify(why, sizeof(why));
		/* The last seal is checked by itself; an earlier one is also covered
		 * by the next line's prev, but its signature is checked first. */
		cr_assert_eq(bad, k + 1, "seal %zu replaced: bad %zu (%s)", k + 1, bad, why);
		cr_assert_str_eq(why, "seal signature invalid");
		v[k] = keep;
	}
	cr_assert_eq(seals, 2);
	/* The whole log verified with another public key fails at the first seal. */
	write_lines(v, n);
	struct bp_suplog l;
	char err[256];
	size_t bad;
	cr_assert_eq(bp_suplog_open(path, true, &l, err, sizeof(err)), 0);
	cr_assert_eq(bp_suplog_verify(&l, &pk2, &bad, why, sizeof(why)), -1);
	cr_assert_eq(bad, 5);
	bp_suplog_close(&l);
	bp_key_free(&pk2);
	bp_key_free(&sk2);
	free(v);
	free(copy);
}

/* Opens the log for appending, checks it verifies with a tail of ntail
 * lines, rolls the tail back and appends a release; the result verifies. */
static void
roll_back_and_append(size_t ntail, size_t keep_bytes, const char *what)
{
	struct bp_suplog l;
	char err[256], why[256], note[256];
	size_t bad;
	cr_assert_eq(bp_suplog_open(path, false, &l, err, sizeof(err)), 0, "%s: %s", what, err);
	cr_assert_eq(bp_suplog_verify(&l, &pk, &bad, why, sizeof(why)), 0, "%s: %zu %s",
	    what, bad, why);
	cr_assert_eq(l.nline - l.ncommitted, ntail, "%s: tail of %zu lines", what,
	    l.nline - l.ncommitted);
	cr_assert_eq(l.committed_bytes, keep_bytes, "%s", what);
	/* Nothing is appended after a tail. */
	if (ntail) {
		cr_assert_eq(add_body(&l, "\"type\":\"release\",\"release\":\"x\""), 0);
		cr_assert_eq(bp_suplog_commit(&l, err, sizeof(err)), -1, "%s", what);
	}
	bp_suplog_close(&l);
	cr_assert_eq(bp_suplog_open(path, false, &l, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(bp_suplog_verify(&l, &pk, &bad, why, sizeof(why)), 0);
	int rc = bp_suplog_rollback(&l, note, sizeof(note), err, sizeof(err));
	cr_assert_eq(rc, ntail ? 1 : 0, "%s: %s", what, err);
	if (ntail)
		cr_assert(strstr(note, "rolled back an interrupted append"), "%s", note);
	bp_suplog_close(&l);
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq((size_t)st.st_size, keep_bytes, "%s: cut to %zu", what, keep_bytes);
	add_release("2024-20260103T000000Z-00000003", 1);
	cr_assert_eq(verify(why, sizeof(why)), 0, "%s: after appending: %s", what, why);
}

/* A publish killed while appending leaves any prefix of its entries: for
 * cuts in the second release (around every line end, and every 11th byte:
 * each costs two fsyncs), the log verifies (the tail is not committed),
 * appending is refused until the tail is rolled back, and after that a
 * release appends and verifies. */
Test(suplog, interrupted_append_is_rolled_back)
{
	char **v, *copy;
	size_t n = lines(&v, &copy), first = 0;
	for (size_t k = 0; k < 5; k++)
		first += strlen(v[k]) + 1;   /* the bytes of release 1 and its seal */
	free(v);
	free(copy);
	for (size_t cut = first; cut < origlen; cut++) {
		bool near_end = orig[cut] == '\n' || orig[cut - 1] == '\n' ||
		    (cut >= 2 && orig[cut - 2] == '\n');
		if (!near_end && (cut - first) % 11)
			continue;
		size_t ntail = 0;
		for (size_t i = first; i < cut; i++)
			ntail += orig[i] == '\n';
		ntail += orig[cut - 1] != '\n';
		char what[64];
		snprintf(what, sizeof(what), "cut at %zu of %zu", cut, origlen);
		spit(orig, cut);
		roll_back_and_append(cut == first ? 0 : ntail, first, what);
	}
	(void)n;
}

static void
expect_broken(const char *text, size_t want_bad, const char *want_why)
{
	char why[256];
	spit(text, strlen(text));
	size_t bad = verify(why, sizeof(why));
	cr_assert_eq(bad, want_bad, "bad %zu (%s)", bad, why);
	cr_assert(strstr(why, want_why), "%s", why);
	struct bp_suplog l;
	char err[256], note[256];
	cr_assert_eq(bp_suplog_open(path, false, &l, err, sizeof(err)), 0);
	bp_suplog_close(&l);
	(void)note;
}

/* Only what an interrupted append leaves is a tail; anything else after the
 * last seal is broken. */
Test(suplog, tail_that_no_append_leaves_is_broken)
{
	char **v, *copy, buf[8192];
	size_t n = lines(&v, &copy);
	/* Two releases after the last seal. */
	snprintf(buf, sizeof(buf), "%s\n%s\n%s\n%s\n%s\n%s\n%s\n", v[0], v[1], v[2], v[3],
	    v[4], v[5], v[5]);
	expect_broken(buf, 7, "entry number out of sequence");
	/* A cell after a seal. */
	snprintf(buf, sizeof(buf), "%s\n%s\n%s\n%s\n%s\n%s\n", v[0], v[1], v[2], v[3],
	    v[4], v[3]);
	expect_broken(buf, 6, "entry number out of sequence");
	/* A last line that is not the beginning of the next entry. */
	snprintf(buf, sizeof(buf), "%s\n%s\n%s\n%s\n%s\n{\"n\":7,", v[0], v[1], v[2],
	    v[3], v[4]);
	expect_broken(buf, 6, "last line is incomplete and not the next entry");
	snprintf(buf, sizeof(buf), "%s\n%s\n%s\n%s\n%s\ngarbage", v[0], v[1], v[2],
	    v[3], v[4]);
	expect_broken(buf, 6, "last line is incomplete and not the next entry");
	free(v);
	free(copy);
	(void)n;
}

/* A release id names a folder under releases/: "../x" is refused. */
Test(suplog, unsafe_release_id_is_refused)
{
	char why[256], line[512];
	snprintf(line, sizeof(line), "{\"n\":1,\"prev\":\"%064d\",\"type\":\"release\","
	    "\"release\":\"../../etc\"}\n", 0);
	spit(line, strlen(line));
	cr_assert_eq(verify(why, sizeof(why)), 1);
	cr_assert_str_eq(why, "release id is not a safe name");
}

/* bpagg audit exists to read edited logs: a seal line in canonical form
 * longer than any seal written (a long release id full of characters that
 * are escaped) was compared past the end of a 512-byte buffer. */
Test(suplog, overlong_canonical_seal_is_refused_safely)
{
	char rel[200], relq[220], line[1024], prevhex[65], kid[17], sig[200], buf[4096];
	uint8_t h[32];
	memset(rel, 0, sizeof(rel));
	for (int i = 0; i < 150; i++)
		rel[i] = i % 5 == 0 ? '"' : 'x';
	json_t *js = json_string(rel);
	char *q = json_dumps(js, JSON_ENCODE_ANY);
	snprintf(relq, sizeof(relq), "%s", q);
	free(q);
	json_decref(js);
	int len = snprintf(line, sizeof(line), "{\"n\":1,\"prev\":\"%064d\",\"type\":"
	    "\"release\",\"release\":%s}", 0, relq);
	crypto_generichash(h, 32, (const uint8_t *)line, (size_t)len, NULL, 0);
	bp_hex(h, 32, prevhex);
	bp_hex(pk.id, BP_KEY_ID_BYTES, kid);
	memset(sig, 'a', sizeof(sig) - 1);
	sig[sizeof(sig) - 1] = '\0';
	int n = snprintf(buf, sizeof(buf), "%s\n{\"n\":2,\"prev\":\"%s\",\"type\":\"seal\","
	    "\"release\":%s,\"key\":\"%s\",\"sig\":\"%s\"}\n", line, prevhex, relq, kid, sig);
	cr_assert_gt(n, 512);
	spit(buf, (size_t)n);
	char why[256];
	cr_assert_neq(verify(why, sizeof(why)), 0);
}

Test(suplog, symlink_is_refused)
{
	char link[160], err[256];
	struct bp_suplog l;
	snprintf(link, sizeof(link), "%s/link.log", dir);
	cr_assert_eq(symlink(path, link), 0);
	cr_assert_eq(bp_suplog_open(link, true, &l, err, sizeof(err)), -1);
	bp_suplog_close(&l);
	unlink(link);
}

Test(suplog, json_reader)
{
	const char *j = "{\"a\":\"x\\\"y\",\"n\":12,\"o\":{\"b\":true,\"c\":{\"d\":\"e\"}},\"z\":null}";
	char out[64];
	cr_assert_eq(bp_json_get(j, strlen(j), "a", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "x\"y");
	cr_assert_eq(bp_json_get(j, strlen(j), "n", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "12");
	cr_assert_eq(bp_json_get(j, strlen(j), "o.c.d", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "e");
	cr_assert_eq(bp_json_get(j, strlen(j), "o.b", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "true");
	cr_assert_eq(bp_json_get(j, strlen(j), "missing", out, sizeof(out)), 1);
	cr_assert_eq(bp_json_get("{\"a\":", 5, "a", out, sizeof(out)), -1);
	cr_assert_eq(bp_json_get("{\"a\":1} x", 9, "a", out, sizeof(out)), -1);
	/* Strict: a duplicate member and an array where text is asked for. */
	cr_assert_eq(bp_json_get("{\"a\":1,\"a\":2}", 13, "a", out, sizeof(out)), -1);
	cr_assert_eq(bp_json_get("{\"a\":[1]}", 9, "a", out, sizeof(out)), -1);
}

/* A line that is not JSON is refused naming its line (and the column in
 * it), even when the hash chain and everything before it hold. */
Test(suplog, malformed_line_is_named)
{
	char why[256];
	size_t at = 0, n = 0;
	char *b = malloc(origlen + 16);
	memcpy(b, orig, origlen);
	/* The third line: cut its closing brace. */
	for (size_t i = 0; i < origlen; i++)
		if (b[i] == '\n' && ++n == 3) {
			at = i;
			break;
		}
	cr_assert(at > 0 && b[at - 1] == '}');
	b[at - 1] = ' ';
	spit(b, origlen);
	free(b);
	struct bp_suplog l;
	char err[256];
	size_t bad;
	cr_assert_eq(bp_suplog_open(path, true, &l, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(bp_suplog_verify(&l, &pk, &bad, why, sizeof(why)), -1);
	cr_assert_eq(bad, 3, "line %zu: %s", bad, why);
	cr_assert(!strncmp(why, "not a JSON object: column ", 26), "%s", why);
	bp_suplog_close(&l);
}

/* Seals are compared byte for byte with what bp_suplog_seal writes: the
 * jansson writer must give the bytes the hand-written one gave, so the
 * seals of logs written before still verify. */
Test(suplog, seal_line_has_the_old_bytes)
{
	char want[512], prevhex[65], kid[17];
	const char *last = orig + origlen - 1;
	while (last > orig && last[-1] != '\n')
		last--;
	/* The last line of the log is the second release's seal. */
	struct bp_suplog l;
	cr_assert_eq(bp_suplog_parse(orig, origlen, &l), 0);
	size_t i = l.nline - 1;
	char sig[200], rel[64];
	cr_assert_eq(bp_suplog_get(&l, i, "sig", sig, sizeof(sig)), 0);
	cr_assert_eq(bp_suplog_get(&l, i, "release", rel, sizeof(rel)), 0);
	cr_assert_eq(bp_suplog_get(&l, i, "prev", prevhex, sizeof(prevhex)), 0);
	bp_hex(pk.id, BP_KEY_ID_BYTES, kid);
	snprintf(want, sizeof(want), "{\"n\":%zu,\"prev\":\"%s\",\"type\":\"seal\",\"release\":"
	    "\"%s\",\"key\":\"%s\",\"sig\":\"%s\"}\n", l.nline, prevhex, rel, kid, sig);
	cr_assert_str_eq(last, want);
	bp_suplog_close(&l);
}
