/*
 * test_envelope_kit.c - the sealed-submission envelope (crypto/envelope.h)
 * against the committed vector kit (tests/vectors/envelope: each vector
 * opened with the keys of keys.txt must give its "expect"), and its peak
 * memory sealing and opening a 200 000-row export.  The round trips and
 * the vectors built at run time: test_envelope.c.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "envelope.h"
#include "memfile.h"

static const char csv_header[] = "person_id;kommune;aar;kjonn;alder\n";

/* ---- the frozen vector kit (tests/vectors/envelope) ---- */

#ifndef BP_VECTORS
#define BP_VECTORS "tests/vectors"
#endif

static const char *const expect_names[] = {
	[BP_ENV_OK] = "ok", [BP_ENV_IO] = "io", [BP_ENV_TRUNCATED_HEADER] = "truncated_header",
	[BP_ENV_BAD_MAGIC] = "bad_magic", [BP_ENV_BAD_VERSION] = "bad_version",
	[BP_ENV_WRONG_RECIPIENT] = "wrong_recipient", [BP_ENV_BAD_KEY] = "bad_key",
	[BP_ENV_BAD_CHUNK] = "bad_chunk", [BP_ENV_TRUNCATED] = "truncated",
	[BP_ENV_TRAILING] = "trailing", [BP_ENV_BAD_META] = "bad_meta",
	[BP_ENV_UNKNOWN_KOMMUNE] = "unknown_kommune", [BP_ENV_BAD_SIGNATURE] = "bad_signature",
	[BP_ENV_DIGEST_MISMATCH] = "digest_mismatch", [BP_ENV_TOO_LARGE] = "too_large",
	[BP_ENV_NOMEM] = "nomem",
};

/* The value of "name: value" among the header lines, or NULL. */
static const char *
header_value(char *hdr, const char *name, char *out, size_t outlen)
{
	size_t nl = strlen(name);
	for (char *l = hdr; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (!strncmp(l, name, nl) && l[nl] == ':' && l[nl + 1] == ' ') {
			size_t n = strcspn(l + nl + 2, "\n");
			cr_assert_lt(n, outlen);
			memcpy(out, l + nl + 2, n);
			out[n] = '\0';
			return out;
		}
	}
	return NULL;
}

static uint8_t *
read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW);
	cr_assert_geq(fd, 0, "cannot open %s", path);
	uint8_t *b = slurp(fd, len);
	close(fd);
	return b;
}

/* A key of alg from hex (secrets in sodium_malloc, as bp_key_free expects). */
static void
key_from_hex(struct bp_key *k, enum bp_key_alg alg, const char *hex, const char *kommune)
{
	memset(k, 0, sizeof(*k));
	k->alg = alg;
	k->len = 32;
	k->bytes = alg == BP_KEY_BOX_SK ? sodium_malloc(32) : malloc(32);
	cr_assert_not_null(k->bytes);
	cr_assert_eq(sodium_hex2bin(k->bytes, 32, hex, strlen(hex), NULL, NULL, NULL), 0);
	if (kommune)
		memcpy(k->kommune, kommune, 5);
}

struct vkeys {
	struct bp_key c1pk, c1sk, c2pk, c2sk, k0301, k1103;
};

static const struct bp_key *
vlookup(const char *kommune, void *ud)
{
	struct vkeys *v = ud;
	if (!strcmp(kommune, "0301"))
		return &v->k0301;
	if (!strcmp(kommune, "1103"))
		return &v->k1103;
	return NULL;
}

static void
load_vkeys(struct vkeys *v)
{
	size_t len;
	char hex[80];
	uint8_t *t = read_file(BP_VECTORS "/envelope/keys.txt", &len);
	t[len] = '\0';
	char *s = (char *)t;
	cr_assert_not_null(header_value(s, "central1_pk", hex, sizeof(hex)));
	key_from_hex(&v->c1pk, BP_KEY_BOX_PK, hex, NULL);
	cr_assert_not_null(header_value(s, "central1_sk", hex, sizeof(hex)));
	key_from_hex(&v->c1sk, BP_KEY_BOX_SK, hex, NULL);
	cr_assert_not_null(header_value(s, "central2_pk", hex, sizeof(hex)));
	key_from_hex(&v->c2pk, BP_KEY_BOX_PK, hex, NULL);
	cr_assert_not_null(header_value(s, "central2_sk", hex, sizeof(hex)));
	key_from_hex(&v->c2sk, BP_KEY_BOX_SK, hex, NULL);
	cr_assert_not_null(header_value(s, "registered_0301", hex, sizeof(hex)));
	key_from_hex(&v->k0301, BP_KEY_SIGN_PK, hex, "0301");
	cr_assert_not_null(header_value(s, "registered_1103", hex, sizeof(hex)));
	key_from_hex(&v->k1103, BP_KEY_SIGN_PK, hex, "1103");
	/* The key ids, as the key files would carry them. */
	struct bp_key *pks[] = { &v->c1pk, &v->c2pk };
	struct bp_key *sks[] = { &v->c1sk, &v->c2sk };
	for (int i = 0; i < 2; i++) {
		uint8_t h[32];
		crypto_generichash(h, 32, pks[i]->bytes, 32, NULL, 0);
		memcpy(pks[i]->id, h, 8);
		memcpy(sks[i]->id, h, 8);
	}
	free(t);
}

/* Opens one vector; returns 1 when its outcome is the expected one. */
static int
run_vector(struct vkeys *v, const char *name)
{
	char path[512], want[64], val[64];
	size_t len;
	snprintf(path, sizeof(path), "%s/envelope/%s", BP_VECTORS, name);
	uint8_t *f = read_file(path, &len);
	f[len] = '\0';
	char *sep = strstr((char *)f, "\n\n");
	cr_assert_not_null(sep, "%s: no blank line after the header", name);
	*sep = '\0';
	char *hdr = (char *)f;
	const uint8_t *env = (const uint8_t *)sep + 2;
	size_t elen = len - (size_t)(env - f);
	cr_assert_not_null(header_value(hdr, "expect", want, sizeof(want)), "%s", name);
	int c2 = header_value(hdr, "open_with", val, sizeof(val)) && !strcmp(val, "central2");
	uint64_t max = header_value(hdr, "max_bytes", val, sizeof(val)) ? strtoull(val, NULL, 10) : 0;

	int fd = memfile(env, elen);
	bp_open *o;
	struct bp_env_meta m;
	const uint8_t *b;
	size_t n, total = 0;
	enum bp_env_error e = bp_open_begin(fd, c2 ? &v->c2pk : &v->c1pk, c2 ? &v->c2sk : &v->c1sk,
	    vlookup, v, max, &m, &o);
	if (e == BP_ENV_OK) {
		while ((e = bp_open_next(o, &b, &n)) == BP_ENV_OK && n > 0)
			total += n;
		if (e == BP_ENV_OK)
			e = bp_open_end(o);
		bp_open_free(o);
	}
	close(fd);
	int ok = !strcmp(expect_names[e], want);
	cr_expect(ok, "%s: got %s, want %s", name, expect_names[e], want);
	if (ok && e == BP_ENV_OK) {
		cr_assert_not_null(header_value(hdr, "kommune", val, sizeof(val)), "%s", name);
		cr_expect_str_eq(m.kommune, val, "%s", name);
		cr_assert_not_null(header_value(hdr, "plaintext_bytes", val, sizeof(val)), "%s", name);
		cr_expect_eq(total, strtoull(val, NULL, 10), "%s", name);
	}
	free(f);
	return ok;
}

Test(envelope_kit, frozen_vectors)
{
	struct vkeys v;
	cr_assert_eq(sodium_init() >= 0, 1);
	load_vkeys(&v);
	DIR *d = opendir(BP_VECTORS "/envelope");
	cr_assert_not_null(d);
	struct dirent *de;
	int n = 0, refused = 0;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 4, ".vec") != 0)
			continue;
		n++;
		refused += strncmp(de->d_name, "ok_", 3) != 0;
		run_vector(&v, de->d_name);
	}
	closedir(d);
	cr_expect_geq(n, 30, "only %d vectors found", n);
	cr_expect_geq(refused, 25);
	struct bp_key *all[] = { &v.c1pk, &v.c1sk, &v.c2pk, &v.c2sk, &v.k0301, &v.k1103 };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		bp_key_free(all[i]);
}

/* ---- peak memory ---- */

static const char rss_plain[] = "/tmp/bp_rss_plain_XXXXXX";

/* Writes a 200 000-row plaintext to fd without holding it in memory. */
static void
write_rows(int fd, unsigned long rows)
{
	char line[256];
	cr_assert_eq(write(fd, csv_header, sizeof(csv_header) - 1), (ssize_t)sizeof(csv_header) - 1);
	for (unsigned long i = 0; i < rows; i++) {
		int n = snprintf(line, sizeof(line),
		    "%011lu;0301;2024;%c;%lu;J;N;gronn;gul;rod;gronn;gul;rod;gronn;gul;"
		    "gul;rod;betydelig;ingen;beskjeden;ingen;ingen;J;N;;N;;2;NO;ja;nei;ja\n",
		    70000000000ul + i * 7919, i % 2 ? 'M' : 'K', 18 + i % 80);
		cr_assert_eq(write(fd, line, (size_t)n), n);
	}
}

static struct bp_key c1pk, c1sk, apk, ask;   /* central key, kommune 0301 */

static const struct bp_key *
lookup(const char *kommune, void *ud)
{
	(void)ud;
	return !strcmp(kommune, "0301") ? &apk : NULL;
}

/* In a child: seals the plaintext to a file, then opens it; reports the
 * peak RSS (KiB) through the pipe. */
static void
rss_child(int in, int out, int report)
{
	char err[256];
	struct bp_env_meta m = { .year = 2024, .rows = 200000 };
	memcpy(m.kommune, "0301", 5);
	long kib[2] = { 0, 0 };
	struct rusage ru;
	int ok = bp_seal(in, out, &ask, &c1pk, &m, err, sizeof(err)) == 0;
	getrusage(RUSAGE_SELF, &ru);
	kib[0] = ru.ru_maxrss;
	lseek(out, 0, SEEK_SET);
	bp_open *o;
	struct bp_env_meta mm;
	const uint8_t *b;
	size_t n;
	enum bp_env_error e = bp_open_begin(out, &c1pk, &c1sk, lookup, NULL, 0, &mm, &o);
	while (e == BP_ENV_OK && (e = bp_open_next(o, &b, &n)) == BP_ENV_OK && n > 0)
		;
	if (e == BP_ENV_OK)
		e = bp_open_end(o);
	bp_open_free(o);
	getrusage(RUSAGE_SELF, &ru);
	kib[1] = ok && e == BP_ENV_OK ? ru.ru_maxrss : -1;
	cr_assert_eq(write(report, kib, sizeof(kib)), (ssize_t)sizeof(kib));
	_exit(0);
}

#if defined(__SANITIZE_ADDRESS__)
static const int under_asan = 1;
#else
static const int under_asan = 0;
#endif

Test(envelope_kit, peak_rss_200000_rows_under_16_mib, .timeout = 120)
{
	if (under_asan)
		cr_skip_test("peak RSS is not meaningful under AddressSanitizer");
	char path[sizeof(rss_plain)];
	int p[2];
	long kib[2];
	cr_assert_eq(sodium_init() >= 0, 1);
	cr_assert_eq(bp_key_gen_box(&c1pk, &c1sk), 0);
	cr_assert_eq(bp_key_gen_sign(&apk, &ask, "0301"), 0);
	memcpy(path, rss_plain, sizeof(path));
	int in = mkstemp(path);
	cr_assert_geq(in, 0);
	unlink(path);
	write_rows(in, 200000);
	cr_assert_gt(lseek(in, 0, SEEK_END), 16 << 20, "the export is larger than 16 MiB");
	lseek(in, 0, SEEK_SET);
	char opath[] = "/tmp/bp_rss_out_XXXXXX";
	int out = mkstemp(opath);
	cr_assert_geq(out, 0);
	unlink(opath);
	cr_assert_eq(pipe(p), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		rss_child(in, out, p[1]);
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert_eq(read(p[0], kib, sizeof(kib)), (ssize_t)sizeof(kib));
	cr_log_info("peak RSS: seal %ld KiB, seal+open %ld KiB", kib[0], kib[1]);
	fprintf(stderr, "peak RSS of 200000 rows: seal %ld KiB, seal+open %ld KiB\n", kib[0], kib[1]);
	cr_expect_gt(kib[1], 0, "the child sealed and opened the file");
	cr_expect_lt(kib[1], 16 * 1024, "peak RSS %ld KiB", kib[1]);
	close(p[0]);
	close(p[1]);
	close(in);
	close(out);
	struct bp_key *all[] = { &c1pk, &c1sk, &apk, &ask };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		bp_key_free(all[i]);
}
