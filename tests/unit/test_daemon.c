/*
 * test_daemon.c - the modules of bpaggd that do not need a loop: inbox
 * listing (skipped names, NNNN/ subdirectories, order, deferred files),
 * receipts (format and signature), reason files, and where bpd_dispose
 * puts a file (archive, rejected/, name clashes).
 */
#include <criterion/criterion.h>

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

	cr_assert_eq(bpd_scan(dir, NULL, 0, &l, &nsub), 0);
	cr_assert_eq(nsub, 1);
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

	cr_assert_eq(bpd_scan(dir, &d, 4999, &l, &nsub), 0);
	cr_assert_eq(l.n, 0, "a deferred file was listed before it was due");
	bpd_filelist_free(&l);
	cr_assert_eq(bpd_scan(dir, &d, 5000, &l, &nsub), 0);
	cr_assert_eq(l.n, 1, "a deferred file was not listed when due");
	bpd_filelist_free(&l);

	touch_at("a.bpx", 2000); /* changed: listed at once */
	cr_assert_eq(bpd_scan(dir, &d, 0, &l, &nsub), 0);
	cr_assert_eq(l.n, 1);
	bpd_filelist_free(&l);

	bpd_undefer(&d, p);
	cr_assert_eq(d.n, 0);
	bpd_deferlist_free(&d);
}

/* A result as lib/ingest would give it, for a verified submission. */
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
	cr_assert_eq(crypto_sign_verify_detached(sig, (unsigned char *)buf, strlen(buf),
	    pk->bytes), 0, "receipt signature does not verify");
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

	struct bpd_filelist l;
	size_t nsub;
	snprintf(p, sizeof(p), "%s/0301", outbox);
	cr_assert_eq(bpd_scan(p, NULL, 0, &l, &nsub), 0);
	cr_assert_eq(l.n, 2, "the second receipt did not get a name of its own");
	bpd_filelist_free(&l);

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
	char *t = bpd_reason_text(&r, &len);
	cr_assert(t);
	cr_assert_str_eq(t, "invalid export: 1 error\n5:4: alder: expected an integer 16-110\n");
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

Test(daemon, dispose_archives_and_rejects_with_suffixes)
{
	struct bp_key pk, sk;
	struct bp_ingest_result r;
	struct bpd_dirset dirs = { 0 };
	char inbox[512], archive[512], rejected[512], outbox[512], p[PATH_MAX];
	struct bpd_paths paths = { inbox, archive, rejected, outbox };

	cr_assert_eq(bp_key_gen_sign(&pk, &sk, ""), 0);
	snprintf(inbox, sizeof(inbox), "%s/inbox", dir);
	snprintf(archive, sizeof(archive), "%s/archive", dir);
	snprintf(rejected, sizeof(rejected), "%s/rejected", dir);
	snprintf(outbox, sizeof(outbox), "%s/outbox", dir);
	mkdir_in("inbox");
	snprintf(p, sizeof(p), "%s/a.bpx", inbox);

	touch_at("inbox/a.bpx", 1000);
	fake_result(&r, BP_INGEST_MERGED);
	cr_assert_eq(bpd_dispose(&paths, &sk, NULL, p, &r, &dirs), 0);
	cr_assert(exists("archive/2024/0301/a.bpx"));
	cr_assert_not(exists("inbox/a.bpx"));
	cr_assert_geq(dirs.n, 3, "outbox, archive and inbox dirs must be synced");
	cr_assert_eq(bpd_dirset_sync(&dirs), 0);
	cr_assert_eq(dirs.n, 0);
	bp_ingest_result_free(&r);

	for (int i = 0; i < 2; i++) {
		touch_at("inbox/a.bpx", 1000);
		fake_result(&r, BP_INGEST_REFUSED);
		cr_assert_eq(bpd_dispose(&paths, &sk, NULL, p, &r, &dirs), 0);
		bp_ingest_result_free(&r);
	}
	cr_assert(exists("rejected/a.bpx") && exists("rejected/a.bpx.reason"));
	cr_assert(exists("rejected/a.1.bpx") && exists("rejected/a.1.bpx.reason"));
	cr_assert_not(exists("inbox/a.bpx"));
	cr_assert_eq(bpd_dirset_sync(&dirs), 0);

	/* An unverified sender: rejected/, no receipt. */
	touch_at("inbox/a.bpx", 1000);
	fake_result(&r, BP_INGEST_REFUSED);
	r.have_meta = false;
	memcpy(r.meta.kommune, "1103", 5);
	cr_assert_eq(bpd_dispose(&paths, &sk, NULL, p, &r, &dirs), 0);
	cr_assert(exists("rejected/a.2.bpx"));
	cr_assert_not(exists("outbox/1103"));
	bp_ingest_result_free(&r);
	cr_assert_eq(bpd_dirset_sync(&dirs), 0);
	bp_key_free(&pk);
	bp_key_free(&sk);
}
