/*
 * test_daemon.c - the modules of bpaggd that do not need a loop: inbox
 * listing (skipped names, NNNN/ subdirectories, order, deferred files),
 * receipts (format and signature), reason files, and where bpd_dispose
 * puts a file (archive, rejected/, name clashes).
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "bpaggd.h"

static char dir[256];

static void
setup(void)
{
	cr_assert(sodium_init() >= 0);
	bpd_log_open(true);
	snprintf(dir, sizeof(dir), "/tmp/bp-test-daemon.XXXXXX");
	cr_assert(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(daemon, .init = setup, .fini = teardown);

static void
touch_at(const char *rel, time_t mtime)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	FILE *f = fopen(p, "w");
	cr_assert(f, "%s", p);
	fputs("x", f);
	fclose(f);
	struct timespec ts[2] = { { mtime, 0 }, { mtime, 0 } };
	cr_assert_eq(utimensat(AT_FDCWD, p, ts, 0), 0);
}

/* The number of entries of path whose name ends in suffix (no dot-files). */
static int
count_files(const char *path, const char *suffix)
{
	DIR *dp = opendir(path);
	struct dirent *de;
	int n = 0;
	size_t m = strlen(suffix);

	if (!dp)
		return 0;
	while ((de = readdir(dp)) != NULL) {
		size_t k = strlen(de->d_name);
		if (de->d_name[0] != '.' && k >= m && !strcmp(de->d_name + k - m, suffix))
			n++;
	}
	closedir(dp);
	return n;
}

static void
mkdir_in(const char *rel)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	cr_assert_eq(mkdir(p, 0700), 0);
}

Test(daemon, skipped_names)
{
	cr_assert(bpd_name_skipped(".hidden.bpx"));
	cr_assert(bpd_name_skipped("a.bpx.part"));
	cr_assert(bpd_name_skipped("a.bpx.tmp"));
	cr_assert_not(bpd_name_skipped("a.bpx"));
	cr_assert_not(bpd_name_skipped("part"));
	cr_assert_not(bpd_name_skipped("a.partial"));
}

Test(daemon, scan_lists_oldest_first_with_kommune_subdirs)
{
	struct bpd_filelist l;
	size_t nsub;

	mkdir_in("0301");
	mkdir_in("other");
	mkdir_in("0301/9999");
	touch_at("c.bpx", 3000);
	touch_at("a.bpx", 1000);
	touch_at("0301/b.bpx", 2000);
	touch_at("other/x.bpx", 500);        /* not a kommune dir: ignored */
	touch_at("0301/9999/deep.bpx", 100); /* one level only */
	touch_at(".hidden.bpx", 10);
	touch_at("w.bpx.part", 10);
	touch_at("w.bpx.tmp", 10);
	touch_at("x.bpx.filepart", 10);     /* WinSCP mid-upload: not ours */
	touch_at("README", 10);

	size_t nign;
	cr_assert_eq(bpd_scan(dir, NULL, 0, &l, &nsub, &nign), 0);
	cr_assert_eq(nsub, 1);
	cr_assert_eq(nign, 2, "ignored: %zu", nign);
	cr_assert_eq(l.n, 3);
	cr_assert(strstr(l.v[0].path, "/a.bpx"));
	cr_assert(strstr(l.v[1].path, "/0301/b.bpx"));
	cr_assert(strstr(l.v[2].path, "/c.bpx"));
	bpd_filelist_free(&l);
}

Test(daemon, scan_skips_deferred_until_due_or_changed)
{
	struct bpd_filelist l;
	struct bpd_deferlist d = { 0 };
	struct stat st;
	char p[PATH_MAX];
	size_t nsub;

	touch_at("a.bpx", 1000);
	snprintf(p, sizeof(p), "%s/a.bpx", dir);
	cr_assert_eq(stat(p, &st), 0);
	cr_assert_eq(bpd_defer(&d, p, &st.st_mtim, st.st_size, 5000), 0);

	cr_assert_eq(bpd_scan(dir, &d, 4999, &l, &nsub, NULL), 0);
	cr_assert_eq(l.n, 0, "a deferred file was listed before it was due");
	bpd_filelist_free(&l);
	cr_assert_eq(bpd_scan(dir, &d, 5000, &l, &nsub, NULL), 0);
	cr_assert_eq(l.n, 1, "a deferred file was not listed when due");
	bpd_filelist_free(&l);

	touch_at("a.bpx", 2000); /* changed: listed at once */
	cr_assert_eq(bpd_scan(dir, &d, 0, &l, &nsub, NULL), 0);
	cr_assert_eq(l.n, 1);
	bpd_filelist_free(&l);

	bpd_undefer(&d, p);
	cr_assert_eq(d.n, 0);
	bpd_deferlist_free(&d);
}

/* A result as ingest/ would give it, for a verified submission. */
static void
fake_result(struct bp_ingest_result *r, enum bp_ingest_status st)
{
	bp_ingest_result_init(r);
	r->status = st;
	r->have_meta = true;
	memcpy(r->meta.kommune, "0301", 5);
	r->meta.year = 2024;
	for (int i = 0; i < 16; i++)
		r->meta.submission_id[i] = (uint8_t)(0xa0 + i);
	r->meta.sequence = 42;
	r->rows = 17;
	snprintf(r->reason, sizeof(r->reason), "%s", st == BP_INGEST_REFUSED ?
	    "invalid export: 1 error" : "merged");
	snprintf(r->archived, sizeof(r->archived), "2024/0301/a.bpx");
	if (st == BP_INGEST_REFUSED)
		bp_diags_add(&r->diags, 5, 4, "alder", "expected an integer 16-110");
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	cr_assert(f, "%s", path);
	char *buf = calloc(1, 65536);
	*len = fread(buf, 1, 65535, f);
	fclose(f);
	return buf;
}

static void
verify_receipt(const char *path, const struct bp_key *pk, const char *want_status)
{
	size_t len;
	char *buf = slurp(path, &len);
	char *nl = strchr(buf, '\n');
	cr_assert(nl);
	*nl = '\0';
	char *sigline = nl + 1;
	char idhex[17];
	uint8_t sig[64];
	sodium_bin2hex(idhex, sizeof(idhex), pk->id, sizeof(pk->id));
	cr_assert_eq(strncmp(sigline, "ed25519 ", 8), 0);
	cr_assert_eq(strncmp(sigline + 8, idhex, 16), 0);
	cr_assert_eq(sodium_hex2bin(sig, 64, sigline + 25, 128, NULL, NULL, NULL), 0);
	/* The signature covers the domain string, its NUL, then the line
	 * (issue 10, item 8); the bare line does not verify. */
	static const char dom[] = "bpagg-receipt-signature-v1";
	size_t ml = sizeof(dom) + strlen(buf);
	unsigned char *m = malloc(ml);
	memcpy(m, dom, sizeof(dom));
	memcpy(m + sizeof(dom), buf, strlen(buf));
	cr_assert_eq(crypto_sign_verify_detached(sig, m, ml, pk->bytes), 0,
	    "receipt signature does not verify over domain and line");
	cr_assert_neq(crypto_sign_verify_detached(sig, (unsigned char *)buf, strlen(buf),
	    pk->bytes), 0, "receipt signed without a domain prefix");
	free(m);
	char want[64];
	snprintf(want, sizeof(want), "{\"status\":\"%s\"", want_status);
	cr_assert_eq(strncmp(buf, want, strlen(want)), 0, "%s", buf);
	cr_assert(strstr(buf, "\"submission_id\":\"a0a1a2a3a4a5a6a7a8a9aaabacadaeaf\""));
	cr_assert(strstr(buf, "\"kommune\":\"0301\",\"year\":2024"));
	/* A changed byte breaks it. */
	buf[10] ^= 1;
	cr_assert_neq(crypto_sign_verify_detached(sig, (unsigned char *)buf, strlen(buf),
	    pk->bytes), 0);
	free(buf);
}

Test(daemon, receipts_are_signed_and_never_overwritten)
{
	struct bp_key pk, sk;
	struct bp_ingest_result r;
	char p[PATH_MAX], outbox[512];

	cr_assert_eq(bp_key_gen_sign(&pk, &sk, ""), 0);
	snprintf(outbox, sizeof(outbox), "%s/outbox", dir);
	fake_result(&r, BP_INGEST_MERGED);
	cr_assert_eq(bpd_receipt_write(outbox, &sk, "a.bpx", &r, 0), 0);
	snprintf(p, sizeof(p), "%s/0301/a0a1a2a3a4a5a6a7a8a9aaabacadaeaf.receipt", outbox);
	verify_receipt(p, &pk, "merged");
	bp_ingest_result_free(&r);

	fake_result(&r, BP_INGEST_REFUSED);
	cr_assert_eq(bpd_receipt_write(outbox, &sk, "a.bpx", &r, 0), 0);
	verify_receipt(p, &pk, "merged"); /* the first one is still there */
	bp_ingest_result_free(&r);

	snprintf(p, sizeof(p), "%s/0301", outbox);
	cr_assert_eq(count_files(p, ".receipt"), 2,
	    "the second receipt did not get a name of its own");

	r.have_meta = false;
	cr_assert_eq(bpd_receipt_write(outbox, &sk, "a.bpx", &r, 0), -1);
	bp_key_free(&pk);
	bp_key_free(&sk);
}

Test(daemon, reason_text_names_line_and_column)
{
	struct bp_ingest_result r;
	size_t len;
	fake_result(&r, BP_INGEST_REFUSED);
	char *t = bpd_reason_text(&r, NULL, "a.bpx", &len);
	cr_assert(t);
	cr_assert_str_eq(t, "invalid export: 1 error\nfile: a.bpx\n"
	    "5:4: alder: expected an integer 16-110\n");
	cr_assert_eq(len, strlen(t));
	free(t);
	bp_ingest_result_free(&r);
}

static bool
exists(const char *rel)
{
	char p[PATH_MAX];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	return lstat(p, &st) == 0;
}

/* Writes content into dir/rel (0644, whatever the umask). */
static void
put(const char *rel, const char *content)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	FILE *f = fopen(p, "w");
	cr_assert(f, "%s", p);
	fputs(content, f);
	fclose(f);
	cr_assert_eq(chmod(p, 0644), 0);
}

/* The first line ending in suffix of the files of rejected/ joined, and
 * every such file's mode must be 0600. Returns the concatenation (freed by
 * the caller) of all their contents. */
static char *
rejected_text(const char *suffix, int *nfiles)
{
	char p[PATH_MAX], *all = calloc(1, 1);
	size_t alllen = 0, m = strlen(suffix);
	struct dirent *de;
	DIR *dp;

	*nfiles = 0;
	snprintf(p, sizeof(p), "%s/rejected", dir);
	cr_assert((dp = opendir(p)));
	while ((de = readdir(dp)) != NULL) {
		size_t k = strlen(de->d_name), len;
		struct stat st;
		if (de->d_name[0] == '.' || k < m || strcmp(de->d_name + k - m, suffix))
			continue;
		snprintf(p, sizeof(p), "%s/rejected/%s", dir, de->d_name);
		cr_assert_eq(lstat(p, &st), 0);
		cr_assert(S_ISREG(st.st_mode), "%s is not a regular file", de->d_name);
		cr_assert_eq(st.st_mode & 07777, 0600, "%s has mode %o", de->d_name,
		    (unsigned)(st.st_mode & 07777));
		char *t = slurp(p, &len);
		all = realloc(all, alllen + len + 1);
		memcpy(all + alllen, t, len);
		alllen += len;
		all[alllen] = '\0';
		free(t);
		(*nfiles)++;
	}
	closedir(dp);
	return all;
}

struct env {
	struct bp_key pk, sk;
	struct bpd_dirset dirs;
	char inbox[512], archive[512], rejected[512], outbox[512];
	struct bpd_paths paths;
};

static void
env_init(struct env *e)
{
	memset(e, 0, sizeof(*e));
	cr_assert_eq(bp_key_gen_sign(&e->pk, &e->sk, ""), 0);
	snprintf(e->inbox, sizeof(e->inbox), "%s/inbox", dir);
	snprintf(e->archive, sizeof(e->archive), "%s/archive", dir);
	snprintf(e->rejected, sizeof(e->rejected), "%s/rejected", dir);
	snprintf(e->outbox, sizeof(e->outbox), "%s/outbox", dir);
	e->paths = (struct bpd_paths){ e->inbox, e->archive, e->rejected, e->outbox };
	mkdir_in("inbox");
}

static void
env_free(struct env *e)
{
	cr_assert_eq(bpd_dirset_sync(&e->dirs), 0);
	bp_key_free(&e->pk);
	bp_key_free(&e->sk);
}

/* Disposes of inbox/name as refused (verified sender unless told). */
static void
refuse(struct env *e, const char *name, bool verified)
{
	struct bp_ingest_result r;
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", e->inbox, name);
	fake_result(&r, BP_INGEST_REFUSED);
	r.have_meta = verified;
	cr_assert_eq(bpd_dispose(&e->paths, &e->sk, NULL, p, &r, &e->dirs), 0);
	bp_ingest_result_free(&r);
}

#define SEALED "BPAGGSUB\x01 rest of a sealed file"

Test(daemon, dispose_archives_and_rejects_under_new_names)
{
	struct env e;
	struct bp_ingest_result r;
	char p[PATH_MAX];
	int n;

	umask(022); /* as when started by hand: the modes must not depend on it */
	env_init(&e);
	snprintf(p, sizeof(p), "%s/a.bpx", e.inbox);
	put("inbox/a.bpx", SEALED);
	fake_result(&r, BP_INGEST_MERGED);
	cr_assert_eq(bpd_dispose(&e.paths, &e.sk, NULL, p, &r, &e.dirs), 0);
	cr_assert(exists("archive/2024/0301/a.bpx"));
	cr_assert_not(exists("inbox/a.bpx"));
	cr_assert_geq(e.dirs.n, 3, "outbox, archive and inbox dirs must be synced");
	cr_assert_eq(bpd_dirset_sync(&e.dirs), 0);
	cr_assert_eq(e.dirs.n, 0);
	bp_ingest_result_free(&r);

	/* The same name refused twice, and once from an unverified sender:
	 * three files, three reasons, nothing replaced, all 0600. */
	for (int i = 0; i < 3; i++) {
		put("inbox/a.bpx", SEALED);
		refuse(&e, "a.bpx", i < 2);
		cr_assert_not(exists("inbox/a.bpx"));
	}
	free(rejected_text(".bpx", &n));
	cr_assert_eq(n, 3, "refused sealed files kept: %d", n);
	char *t = rejected_text(".bpx.reason", &n);
	cr_assert_eq(n, 3, "reason files: %d", n);
	cr_assert(strstr(t, "invalid export: 1 error\nfile: a.bpx\n5:4: alder:"), "%s", t);
	free(t);
	cr_assert_not(exists("rejected/a.bpx"), "the inbox name was reused in rejected/");
	cr_assert_eq(count_files(e.outbox, ""), 1);
	env_free(&e);
}

Test(daemon, dispose_deletes_a_plaintext_file_unread)
{
	struct env e;
	int n;

	umask(022);
	env_init(&e);
	put("inbox/08127648019.bpx", "person_id;kommune;alder\n08127648019;0301;44\n");
	refuse(&e, "08127648019.bpx", false);
	cr_assert_not(exists("inbox/08127648019.bpx"), "the plaintext was not deleted");
	free(rejected_text(".bpx", &n));
	cr_assert_eq(n, 0, "a plaintext file was kept in rejected/");
	char *t = rejected_text(".bpx.reason", &n);
	cr_assert_eq(n, 1);
	cr_assert_eq(strncmp(t, "not a sealed submission (no bpagg envelope): the file was "
	    "deleted unread", 72), 0, "%s", t);
	cr_assert(strstr(t, "\nfile: #.bpx\n"), "%s", t);
	cr_assert_null(strstr(t, "08127648019"), "the name's person_id is in the reason");
	free(t);
	env_free(&e);
}

Test(daemon, dispose_removes_special_files)
{
	struct env e;
	char p[PATH_MAX];
	int n;

	env_init(&e);
	snprintf(p, sizeof(p), "%s/f.bpx", e.inbox);
	cr_assert_eq(mkfifo(p, 0644), 0);
	refuse(&e, "f.bpx", false);
	cr_assert_not(exists("inbox/f.bpx"));
	snprintf(p, sizeof(p), "%s/l.bpx", e.inbox);
	cr_assert_eq(symlink("/dev/zero", p), 0);
	refuse(&e, "l.bpx", false);
	cr_assert_not(exists("inbox/l.bpx"));
	free(rejected_text(".bpx", &n)); /* asserts each is a regular file */
	cr_assert_eq(n, 0, "a special file was moved into rejected/");
	char *t = rejected_text(".reason", &n);
	cr_assert_eq(n, 2);
	cr_assert(strstr(t, "not a regular file"), "%s", t);
	free(t);
	env_free(&e);
}

Test(daemon, dispose_rejects_a_name_near_name_max)
{
	struct env e;
	char name[NAME_MAX + 1];
	int n;

	env_init(&e);
	memset(name, 'x', NAME_MAX - 4);
	snprintf(name + NAME_MAX - 4, 5, ".bpx");
	char rel[NAME_MAX + 8];
	snprintf(rel, sizeof(rel), "inbox/%s", name);
	put(rel, SEALED);
	refuse(&e, name, true);
	cr_assert_not(exists(rel));
	free(rejected_text(".bpx", &n));
	cr_assert_eq(n, 1);
	free(rejected_text(".reason", &n));
	cr_assert_eq(n, 1);
	env_free(&e);
}

Test(daemon, safe_names)
{
	char out[64];
	cr_assert_str_eq(bp_inbox_safe_name("08127648019.bpx", out, sizeof(out)), "#.bpx");
	cr_assert_str_eq(bp_inbox_safe_name("a\nb\x7f\xc3\xa6.bpx", out, sizeof(out)),
	    "a?b???.bpx");
	cr_assert_str_eq(bp_inbox_safe_name("0301-2024-12345.bpx", out, sizeof(out)),
	    "#-#-#.bpx");
	cr_assert_str_eq(bp_inbox_safe_name("x123456y1234567", out, sizeof(out)), "x#y#");
	cr_assert_str_eq(bp_inbox_safe_name("abcdef", out, 4), "abc");
	cr_assert_str_eq(bp_inbox_safe_name("12345", out, 4), "#");
	/* A person_id split by dots and spaces (issue 10, item 6): no digit. */
	cr_assert_str_eq(bp_inbox_safe_name("08.12.76 480 19.bpx", out, sizeof(out)),
	    "#.#.# # #.bpx");
	cr_assert_str_eq(bp_inbox_safe_name("a1b22c333", out, sizeof(out)), "a#b#c#");
}

Test(daemon, only_bpx_names_are_submissions)
{
	cr_assert(bp_inbox_is_submission("a.bpx"));
	cr_assert_not(bp_inbox_is_submission("a.bpx.filepart"));
	cr_assert_not(bp_inbox_is_submission("README"));
	cr_assert_not(bp_inbox_is_submission(".bpx"));
	cr_assert_not(bp_inbox_is_submission(".a.bpx"));
	cr_assert_eq(bp_inbox_kind("a.bpx.part"), BP_INBOX_WRITING);
	cr_assert_eq(bp_inbox_kind("a.csv"), BP_INBOX_OTHER);
}
