/*
 * test_daemon.c - the modules of bpaggd that do not need a loop or an
 * ingest context: the look at an inbox file, the inbox listing (skipped
 * names, NNNN/ subdirectories, order, youth from first sight, the table of
 * waited-for files, the folder cap), queue names, the claim, receipts
 * (format, domain-separated signature, once per upload), reason files, and
 * the journal priority prefix of log lines.
 * What bpd_dispose does with real submissions is tested by
 * tests/integration/daemon_*.sh.
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
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

static int
open_dir(void)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	cr_assert_geq(fd, 0);
	return fd;
}

/* Writes n bytes of content into dir/rel. */
static void
put_bytes(const char *rel, const void *content, size_t n)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	FILE *f = fopen(p, "w");
	cr_assert(f, "%s", p);
	cr_assert_eq(fwrite(content, 1, n, f), n);
	fclose(f);
}

/* A framed envelope image: the 132-byte header, then chunks of the given
 * ciphertext lengths (their content is not looked at, but for the last 16
 * bytes of the file: not zeros, as a seal's final tag is not). */
static uint8_t *
framed(const unsigned *lens, size_t nlens, size_t *len)
{
	size_t n = 132;
	for (size_t i = 0; i < nlens; i++)
		n += 4 + lens[i];
	uint8_t *b = calloc(1, n);
	memcpy(b, "BPAGGSUB", 8);
	size_t off = 132;
	for (size_t i = 0; i < nlens; i++) {
		b[off] = (uint8_t)lens[i];
		b[off + 1] = (uint8_t)(lens[i] >> 8);
		b[off + 2] = (uint8_t)(lens[i] >> 16);
		memset(b + off + 4, 0xa5, lens[i]);
		off += 4 + lens[i];
	}
	*len = n;
	return b;
}

static enum bpd_look
look(const char *rel)
{
	struct stat st;
	int fd = open_dir();
	cr_assert_eq(fstatat(fd, rel, &st, AT_SYMLINK_NOFOLLOW), 0);
	enum bpd_look l = bpd_look_at(fd, rel, &st, 1u << 20);
	close(fd);
	return l;
}

Test(daemon, look_tells_complete_from_incomplete_by_framing)
{
	static const unsigned two[] = { 166, 40 };
	size_t len;
	uint8_t *b = framed(two, 2, &len);
	put_bytes("c.bpx", b, len);
	cr_expect_eq(look("c.bpx"), BPD_LOOK_COMPLETE);
	put_bytes("i.bpx", b, len - 1);
	cr_expect_eq(look("i.bpx"), BPD_LOOK_INCOMPLETE);
	put_bytes("h.bpx", b, 132 + 4 + 166); /* the metadata chunk only */
	cr_expect_eq(look("h.bpx"), BPD_LOOK_INCOMPLETE);
	put_bytes("m.bpx", "BPAGG", 5);
	cr_expect_eq(look("m.bpx"), BPD_LOOK_INCOMPLETE);
	put_bytes("e.bpx", "", 0);
	cr_expect_eq(look("e.bpx"), BPD_LOOK_INCOMPLETE);
	put_bytes("p.bpx", "person_id;kommune\n", 18);
	cr_expect_eq(look("p.bpx"), BPD_LOOK_PLAIN);
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/f.bpx", dir);
	cr_assert_eq(mkfifo(p, 0600), 0);
	cr_expect_eq(look("f.bpx"), BPD_LOOK_SPECIAL);
	snprintf(p, sizeof(p), "%s/l.bpx", dir);
	cr_assert_eq(symlink("c.bpx", p), 0);
	cr_expect_eq(look("l.bpx"), BPD_LOOK_SPECIAL);
	free(b);
}

/* The walk follows the format: body chunks are full but the last, so a
 * file of small chunks is not walked chunk by chunk (it is "complete" for
 * ingest to refuse), while full chunks still being written are waited for. */
Test(daemon, look_walks_chunks_as_the_format_frames_them)
{
	static const unsigned full3[] = { 166, 65553, 65553, 100 };
	static const unsigned small[] = { 166, 17, 17, 17, 17 };
	static const unsigned badmeta[] = { 17, 17, 17 };
	static const unsigned fullfinal[] = { 166, 65553, 65553 };
	size_t len;
	uint8_t *b = framed(full3, 4, &len);
	put_bytes("f3.bpx", b, len);
	cr_expect_eq(look("f3.bpx"), BPD_LOOK_COMPLETE);
	put_bytes("f3cut.bpx", b, len - 50); /* the last chunk being written */
	cr_expect_eq(look("f3cut.bpx"), BPD_LOOK_INCOMPLETE);
	put_bytes("f3mid.bpx", b, 132 + 4 + 166 + 4 + 65553 + 1000);
	cr_expect_eq(look("f3mid.bpx"), BPD_LOOK_INCOMPLETE);
	free(b);
	b = framed(small, 5, &len);
	put_bytes("s.bpx", b, len - 3); /* short chunks then a cut one */
	cr_expect_eq(look("s.bpx"), BPD_LOOK_COMPLETE, "a short chunk that is not the last");
	free(b);
	b = framed(badmeta, 3, &len);
	put_bytes("bm.bpx", b, len - 3);
	cr_expect_eq(look("bm.bpx"), BPD_LOOK_COMPLETE, "a metadata chunk of the wrong size");
	free(b);
	b = framed(fullfinal, 3, &len);
	put_bytes("ff.bpx", b, len);
	cr_expect_eq(look("ff.bpx"), BPD_LOOK_COMPLETE, "a full final chunk");
	free(b);
}

/* Space a client reserved before writing (CopyFile over SMB, rsync
 * --preallocate) reads as zeros: a file that starts or ends with them is
 * still being written, not a plaintext file or a complete one. */
Test(daemon, look_waits_for_reserved_space)
{
	static const unsigned three[] = { 166, 65553, 100 };
	size_t len;
	uint8_t *b = framed(three, 3, &len);
	uint8_t *z = calloc(1, len);

	cr_assert_not_null(z);
	put_bytes("all.bpx", z, len);
	cr_expect_eq(look("all.bpx"), BPD_LOOK_INCOMPLETE, "all zeros");
	memcpy(z, b, len / 2);   /* the first half written */
	put_bytes("half.bpx", z, len);
	cr_expect_eq(look("half.bpx"), BPD_LOOK_INCOMPLETE, "written up to the middle");
	memcpy(z, b, len - 8);   /* all but the last bytes */
	put_bytes("tail.bpx", z, len);
	cr_expect_eq(look("tail.bpx"), BPD_LOOK_INCOMPLETE, "its tail not written");
	put_bytes("done.bpx", b, len);
	cr_expect_eq(look("done.bpx"), BPD_LOOK_COMPLETE);
	free(z);
	free(b);
}

/* Lists dir as the inbox at now_ms. */
static void
scan_at(struct bpd_waits *w, uint64_t now_ms, unsigned young, struct bpd_candlist *l,
    struct bpd_scan_stats *st)
{
	int fd = open_dir();
	cr_assert_eq(bpd_scan(fd, w, now_ms, young, 1u << 20, false, l, st), 0);
	close(fd);
}

/* A folder found empty is not listed again while it stays so, and a file
 * made, renamed in or still being written there is seen at the next
 * listing (the folder's times move); times newer than the settling time
 * are not trusted. */
Test(daemon, scan_skips_empty_folders_until_they_change)
{
	static const unsigned two[] = { 166, 40 };
	struct bpd_candlist l;
	struct bpd_scan_stats st;
	struct bpd_waits w = { 0 };
	char from[PATH_MAX], to[PATH_MAX];
	size_t len;
	uint8_t *b = framed(two, 2, &len);

	mkdir_in("0301");
	mkdir_in("1103");
	mkdir_in("5001");
	scan_at(&w, 1000, 60, &l, &st);
	cr_assert_eq(st.nsubdirs, 3);
	cr_assert_eq(st.nquiet, 0);
	bpd_candlist_free(&l);
	scan_at(&w, 2000, 60, &l, &st);
	cr_assert_eq(st.nquiet, 0, "times younger than the settling time: listed again");
	bpd_candlist_free(&l);
	sleep(BPD_QUIET_SETTLE_S + 1);
	scan_at(&w, 3000, 60, &l, &st);   /* listed, found empty with settled times */
	cr_assert_eq(st.nquiet, 0);
	bpd_candlist_free(&l);
	scan_at(&w, 4000, 60, &l, &st);
	cr_assert_eq(st.nquiet, 3, "quiet: %zu", st.nquiet);
	cr_assert_eq(st.nsubdirs, 3);
	cr_assert_eq(l.n, 0);
	bpd_candlist_free(&l);

	put_bytes("0301/a.bpx", b, len);            /* made there */
	put_bytes("b.part", b, len);                /* renamed into 1103 */
	snprintf(from, sizeof(from), "%s/b.part", dir);
	snprintf(to, sizeof(to), "%s/1103/b.bpx", dir);
	cr_assert_eq(rename(from, to), 0);
	put_bytes("5001/c.bpx.part", b, len);       /* still being written */
	scan_at(&w, 5000, 60, &l, &st);
	cr_assert_eq(st.nquiet, 0, "quiet: %zu", st.nquiet);
	cr_assert_eq(l.n, 2, "candidates: %zu", l.n);
	bpd_candlist_free(&l);
	scan_at(&w, 6000, 60, &l, &st);
	cr_assert_eq(st.nquiet, 0, "folders with files are listed every time");
	cr_assert_eq(l.n, 2);
	bpd_candlist_free(&l);
	bpd_waits_free(&w);
	free(b);
}

Test(daemon, scan_lists_complete_first_with_kommune_subdirs)
{
	static const unsigned two[] = { 166, 40 };
	struct bpd_candlist l;
	struct bpd_scan_stats st;
	struct bpd_waits w = { 0 };
	size_t len;
	uint8_t *b = framed(two, 2, &len);

	mkdir_in("0301");
	mkdir_in("other");
	mkdir_in("0301/9999");
	put_bytes("c.bpx", b, len);
	put_bytes("0301/b.bpx", b, len);
	put_bytes("other/x.bpx", b, len);        /* not a kommune dir: ignored */
	put_bytes("0301/9999/deep.bpx", b, len); /* one level only */
	put_bytes(".hidden.bpx", b, len);
	put_bytes("w.bpx.part", b, len);
	put_bytes("x.bpx.filepart", b, len);     /* WinSCP mid-upload: not ours */
	put_bytes("README", "x", 1);
	put_bytes("i.bpx", b, len - 3);
	scan_at(&w, 1000, 60, &l, &st);
	cr_assert_eq(st.nsubdirs, 1);
	cr_assert_eq(st.nignored, 2, "ignored: %zu", st.nignored);
	cr_assert_eq(st.nfolders, 2, "other/ and 0301/9999/: %zu", st.nfolders);
	cr_assert_eq(st.nunlisted, 0);
	cr_assert_eq(st.nwaiting, 1);
	cr_assert_eq(l.n, 2);
	for (size_t i = 0; i < l.n; i++)
		cr_assert_not(l.v[i].refuse_incomplete);
	bpd_candlist_free(&l);
	bpd_waits_free(&w);
	free(b);
}

/* A file of every folder in turn: three files of 4201 made first do not
 * come before the one file of 0301 or of the inbox itself.  (Which of a
 * turn's files comes first is its ctime's, which a coarse clock may tie:
 * only the turns are asserted, and b before c, by ctime or else by name.) */
Test(daemon, scan_takes_a_file_of_every_folder_in_turn)
{
	static const unsigned two[] = { 166, 40 };
	static const char *const made[] = { "4201/a.bpx", "4201/b.bpx", "4201/c.bpx",
		"0301/d.bpx", "e.bpx" };
	struct bpd_candlist l;
	struct bpd_scan_stats st;
	struct bpd_waits w = { 0 };
	size_t len;
	uint8_t *b = framed(two, 2, &len);

	mkdir_in("4201");
	mkdir_in("0301");
	for (size_t i = 0; i < 5; i++)
		put_bytes(made[i], b, len);
	scan_at(&w, 1000, 60, &l, &st);
	cr_assert_eq(l.n, 5);
	for (size_t i = 0; i < 3; i++) {
		cr_assert_eq(l.v[i].turn, 0, "candidate %zu: turn %zu", i, l.v[i].turn);
		cr_assert_str_neq(l.v[i].name, "b.bpx");
		cr_assert_str_neq(l.v[i].name, "c.bpx");
		for (size_t j = 0; j < i; j++)
			cr_assert_str_neq(l.v[i].folder, l.v[j].folder, "two of one folder in turn 0");
	}
	/* then 4201's others, one a turn */
	cr_assert_str_eq(l.v[3].name, "b.bpx");
	cr_assert_eq(l.v[3].turn, 1);
	cr_assert_str_eq(l.v[4].name, "c.bpx");
	cr_assert_eq(l.v[4].turn, 2);
	bpd_candlist_free(&l);
	bpd_waits_free(&w);
	free(b);
}

static bool
only_0301(const char *kommune, void *ud)
{
	(void)ud;
	return strcmp(kommune, "0301") == 0;
}

/* Folders of no registered kommune share the inbox's turn (found by a
 * hostile review: anyone may make inbox/NNNN, and 500 such folders, each
 * with a cut-off copy of a real seal, came before a kommune's own file
 * 500 to 1): five of them and the inbox hold one file of a turn, and
 * 0301's file, made last, is in the first turn. */
Test(daemon, scan_gives_unregistered_folders_one_turn)
{
	static const unsigned two[] = { 166, 40 };
	static const char *const made[] = { "5001/a.bpx", "5002/a.bpx", "5003/a.bpx",
		"5004/a.bpx", "5005/a.bpx", "e.bpx", "0301/v.bpx" };
	struct bpd_candlist l;
	struct bpd_scan_stats st;
	struct bpd_waits w = { .known = only_0301 };
	size_t len;
	uint8_t *b = framed(two, 2, &len);

	for (size_t i = 0; i < 7; i++) {
		if (strchr(made[i], '/')) {
			char f[5];
			memcpy(f, made[i], 4);
			f[4] = '\0';
			mkdir_in(f);
		}
		put_bytes(made[i], b, len);
	}
	scan_at(&w, 1000, 60, &l, &st);
	cr_assert_eq(l.n, 7);
	cr_assert(!strcmp(l.v[0].folder, "0301") || !strcmp(l.v[1].folder, "0301"),
	    "0301's file comes after %s and %s", l.v[0].folder, l.v[1].folder);
	for (size_t i = 0; i < 7; i++)
		cr_assert_eq(l.v[i].turn, i < 2 ? 0 : i - 1, "candidate %zu (%s/%s): turn %zu", i,
		    l.v[i].folder, l.v[i].name, l.v[i].turn);
	bpd_candlist_free(&l);
	bpd_waits_free(&w);
	free(b);
}

/* A file handed back (complete by its framing, not by its final tag) is
 * not claimed again while it is as it was listed for that claim (it would
 * be copied and decrypted again to the same end), but is once it changes,
 * and is refused once too old. */
Test(daemon, returned_file_is_claimed_again_only_when_changed)
{
	static const unsigned two[] = { 166, 40 };
	struct bpd_candlist l;
	struct bpd_scan_stats st;
	struct bpd_waits w = { 0 };
	size_t len;
	uint8_t *b = framed(two, 2, &len);

	put_bytes("r.bpx", b, len);
	scan_at(&w, 1000, 60, &l, &st);
	cr_assert_eq(l.n, 1);
	bpd_wait_again(&w, "", "r.bpx", "r.bpx", 1000, &l.v[0]);   /* handed back */
	bpd_candlist_free(&l);
	scan_at(&w, 40000, 60, &l, &st);
	cr_assert_eq(l.n, 0, "claimed again, unchanged");
	cr_assert_eq(st.nwaiting, 1);
	bpd_candlist_free(&l);
	put_bytes("r.bpx", b, len - 1);   /* written to since */
	scan_at(&w, 41000, 60, &l, &st);
	cr_assert_eq(l.n, 1, "not claimed again once changed");
	cr_assert_not(l.v[0].refuse_incomplete);
	bpd_wait_again(&w, "", "r.bpx", "r.bpx", 41000, &l.v[0]);
	bpd_candlist_free(&l);
	scan_at(&w, 61001, 60, &l, &st);
	cr_assert_eq(l.n, 1, "not refused once too old");
	cr_assert(l.v[0].refuse_incomplete);
	bpd_candlist_free(&l);
	bpd_waits_free(&w);
	free(b);
}

/* Issue 10, item 3: youth counts from the first sight, not from an mtime
 * the uploader set; a waited-for file is looked at again only when it
 * changes or is due, and refused once it has been incomplete too long. */
Test(daemon, youth_counts_from_first_sight)
{
	struct bpd_candlist l;
	struct bpd_scan_stats st;
	struct bpd_waits w = { 0 };
	char p[PATH_MAX];

	put_bytes("young.bpx", "BPAGGSUB", 8);
	snprintf(p, sizeof(p), "%s/young.bpx", dir);
	/* A year in the future: "young" for ever by its mtime. */
	struct timespec ts[2] = { { time(NULL) + 365 * 86400, 0 }, { time(NULL) + 365 * 86400, 0 } };
	cr_assert_eq(utimensat(AT_FDCWD, p, ts, 0), 0);
	scan_at(&w, 1000, 5, &l, &st);
	cr_assert_eq(l.n, 0);
	cr_assert_eq(st.nwaiting, 1);
	bpd_candlist_free(&l);
	scan_at(&w, 3000, 5, &l, &st);
	cr_assert_eq(l.n, 0, "refused before young_seconds");
	bpd_candlist_free(&l);
	scan_at(&w, 6001, 5, &l, &st);
	cr_assert_eq(l.n, 1, "not refused after young_seconds since first sight");
	cr_assert(l.v[0].refuse_incomplete);
	bpd_candlist_free(&l);
	bpd_waits_free(&w);
}

/* Issue 10, item 3: at most BPD_FOLDER_CAP incomplete files of a folder
 * are waited for; the rest are left alone, and what is complete is taken
 * whatever else lies there. */
Test(daemon, folder_cap_refuses_further_incomplete_files, .timeout = 60)
{
	static const unsigned two[] = { 166, 40 };
	struct bpd_candlist l;
	struct bpd_scan_stats st;
	struct bpd_waits w = { 0 };
	char rel[64];
	size_t len;
	uint8_t *b = framed(two, 2, &len);

	for (int i = 0; i < BPD_FOLDER_CAP + 10; i++) {
		snprintf(rel, sizeof(rel), "j%c%c%c.bpx", 'a' + i / 676, 'a' + i / 26 % 26, 'a' + i % 26);
		put_bytes(rel, "BPAGGSUB", 8);
	}
	put_bytes("real.bpx", b, len);
	scan_at(&w, 1000, 60, &l, &st);
	cr_assert_eq(st.nwaiting, BPD_FOLDER_CAP);
	cr_assert_eq(l.n, 1);
	cr_assert_str_eq(l.v[0].name, "real.bpx", "the complete file is taken");
	cr_assert_not(l.v[0].refuse_incomplete);
	bpd_candlist_free(&l);
	/* Once young_seconds have passed, the waited-for ones are refused,
	 * and the ones left alone are not (they have not been aged). */
	scan_at(&w, 61001, 60, &l, &st);
	cr_assert_eq(l.n, BPD_FOLDER_CAP + 1);
	bpd_candlist_free(&l);
	/* A listing soon after looks at nothing new (hash lookups only). */
	scan_at(&w, 1500, 60, &l, &st);
	cr_assert_eq(st.nwaiting, BPD_FOLDER_CAP);
	bpd_candlist_free(&l);
	bpd_waits_free(&w);
	free(b);
}

Test(daemon, queue_names_round_trip)
{
	struct bpd_qname q, r;
	char n[NAME_MAX + 1];
	memset(&q, 0, sizeof(q));
	q.t = 1700000000;
	memcpy(q.r, "0123456789abcdef", 17);
	q.stage = BPD_Q_COPY;
	snprintf(q.rest, sizeof(q.rest), "0301.a-b.c.bpx");
	cr_assert_eq(bpd_qname_format(&q, n, sizeof(n)), 0);
	cr_assert_str_eq(n, "1700000000-0123456789abcdef.cp.0301.a-b.c.bpx");
	cr_assert_eq(bpd_qname_parse(n, &r), 0);
	cr_assert_eq(r.t, q.t);
	cr_assert_str_eq(r.r, q.r);
	cr_assert_eq(r.stage, BPD_Q_COPY);
	cr_assert_str_eq(bpd_qname_safe(&r), "a-b.c.bpx");
	cr_assert_eq(bpd_qname_parse("x.bpx", &r), -1);
	cr_assert_eq(bpd_qname_parse("17-0123456789abcdef.zz.x", &r), -1);
	cr_assert_eq(bpd_qname_parse(".new.0123.tmp", &r), -1);
	/* T only as bpaggd writes it: a name it would not write is not ours
	 * (a T past time_t gave rejected/ names that changed between calls) */
	cr_assert_eq(bpd_qname_parse("99999999999999999999-0123456789abcdef.cp.-.x.bpx", &r), -1);
	cr_assert_eq(bpd_qname_parse("+1700000000-0123456789abcdef.cp.-.x.bpx", &r), -1);
	cr_assert_eq(bpd_qname_parse("01700000000-0123456789abcdef.cp.-.x.bpx", &r), -1);
	cr_assert_eq(bpd_qname_parse("0-0123456789abcdef.cp.-.x.bpx", &r), -1);
	cr_assert_eq(bpd_qname_parse(" 1700000000-0123456789abcdef.cp.-.x.bpx", &r), -1);
	cr_assert_eq(bpd_qname_parse("999999999999-0123456789abcdef.cp.-.x.bpx", &r), 0);
	cr_assert_eq(r.t, 999999999999LL);
}

/* Issue 10, item 2: the claim moves the entry itself (a link is not
 * followed), and a folder replaced by a link is not entered. */
Test(daemon, claim_moves_the_entry_never_what_it_points_to)
{
	struct bpd_qname q;
	char p[PATH_MAX], t[PATH_MAX], qn[NAME_MAX + 1];
	struct stat st;

	mkdir_in("inbox");
	mkdir_in("queue");
	mkdir_in("outside");
	put_bytes("outside/victim", "precious", 8);
	snprintf(p, sizeof(p), "%s/inbox/l.bpx", dir);
	snprintf(t, sizeof(t), "%s/outside/victim", dir);
	cr_assert_eq(symlink(t, p), 0);
	snprintf(p, sizeof(p), "%s/inbox/0301", dir);
	snprintf(t, sizeof(t), "%s/outside", dir);
	cr_assert_eq(symlink(t, p), 0);
	snprintf(p, sizeof(p), "%s/inbox", dir);
	int in = open(p, O_RDONLY | O_DIRECTORY);
	snprintf(p, sizeof(p), "%s/queue", dir);
	int qd = open(p, O_RDONLY | O_DIRECTORY);
	cr_assert(in >= 0 && qd >= 0);
	cr_assert_eq(bpd_claim(in, qd, "0301", "victim", &q), 1, "entered a linked folder");
	cr_assert_eq(bpd_claim(in, qd, "", "l.bpx", &q), 0);
	cr_assert_eq(bpd_qname_format(&q, qn, sizeof(qn)), 0);
	cr_assert_eq(fstatat(qd, qn, &st, AT_SYMLINK_NOFOLLOW), 0);
	cr_assert(S_ISLNK(st.st_mode), "the link itself is in the queue");
	snprintf(p, sizeof(p), "%s/outside/victim", dir);
	cr_assert_eq(stat(p, &st), 0, "the file outside was moved");
	cr_assert_eq(st.st_size, 8);
	cr_assert_eq(bpd_claim(in, qd, "", "gone.bpx", &q), 1);
	close(in);
	close(qd);
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
	free(buf);
}

/* Issue 10, item 11: one receipt per upload, however often it is asked
 * for (a retry after a crash); another upload gets a name of its own. */
Test(daemon, receipts_are_signed_and_written_once_per_upload)
{
	struct bp_key pk, sk;
	struct bp_ingest_result r;
	char p[PATH_MAX], outbox[512];

	cr_assert_eq(bp_key_gen_sign(&pk, &sk, ""), 0);
	mkdir_in("outbox");
	snprintf(outbox, sizeof(outbox), "%s/outbox", dir);
	int ofd = open(outbox, O_RDONLY | O_DIRECTORY);
	cr_assert_geq(ofd, 0);
	fake_result(&r, BP_INGEST_MERGED);
	cr_assert_eq(bpd_receipt_write(ofd, &sk, "a.bpx", "1-0123456789abcdef", &r, 0), 0);
	snprintf(p, sizeof(p), "%s/0301/a0a1a2a3a4a5a6a7a8a9aaabacadaeaf.receipt", outbox);
	verify_receipt(p, &pk, "merged");
	cr_assert_eq(bpd_receipt_write(ofd, &sk, "a.bpx", "1-0123456789abcdef", &r, 0), 0);
	snprintf(p, sizeof(p), "%s/0301", outbox);
	cr_assert_eq(count_files(p, ".receipt"), 1, "a retry wrote a second receipt");
	bp_ingest_result_free(&r);

	fake_result(&r, BP_INGEST_REFUSED);
	cr_assert_eq(bpd_receipt_write(ofd, &sk, "a.bpx", "2-fedcba9876543210", &r, 0), 0);
	cr_assert_eq(bpd_receipt_write(ofd, &sk, "a.bpx", "2-fedcba9876543210", &r, 0), 0);
	snprintf(p, sizeof(p), "%s/0301/a0a1a2a3a4a5a6a7a8a9aaabacadaeaf.receipt", outbox);
	verify_receipt(p, &pk, "merged"); /* the first one is still there */
	snprintf(p, sizeof(p), "%s/0301/a0a1a2a3a4a5a6a7a8a9aaabacadaeaf.fedcba9876543210.receipt",
	    outbox);
	verify_receipt(p, &pk, "refused");
	snprintf(p, sizeof(p), "%s/0301", outbox);
	cr_assert_eq(count_files(p, ".receipt"), 2);
	bp_ingest_result_free(&r);

	r.have_meta = false;
	cr_assert_eq(bpd_receipt_write(ofd, &sk, "a.bpx", "3-0000000000000000", &r, 0), -1);
	close(ofd);
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

/* JOURNAL_STREAM names stderr only when its "dev:ino" is exactly stderr's. */
Test(daemon, journal_stream_is_stderr)
{
	char p[300], v[64], buf[512];
	struct stat st;
	int saved = dup(STDERR_FILENO), fd;

	snprintf(p, sizeof(p), "%s/stderr", dir);
	cr_assert((fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600)) >= 0);
	cr_assert(dup2(fd, STDERR_FILENO) == STDERR_FILENO);
	cr_assert(fstat(fd, &st) == 0);
	snprintf(v, sizeof(v), "%llu:%llu", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", v, 1);
	bool named = bpd_log_stderr_is_journal();
	bpd_log_open(true);
	bpd_log(LOG_WARNING, "refused: a test");
	fflush(stderr);
	snprintf(v, sizeof(v), "%llu:%llu", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino + 1);
	setenv("JOURNAL_STREAM", v, 1);
	bool other = bpd_log_stderr_is_journal();
	snprintf(v, sizeof(v), "%llu:%llux", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", v, 1);
	bool junk = bpd_log_stderr_is_journal();
	setenv("JOURNAL_STREAM", "", 1);
	bool empty = bpd_log_stderr_is_journal();
	unsetenv("JOURNAL_STREAM");
	bool unset = bpd_log_stderr_is_journal();
	bpd_log_open(true);
	bpd_log(LOG_WARNING, "plain");
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);

	cr_assert(named);
	cr_assert(!other && !junk && !empty && !unset);
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	cr_assert(n > 0);
	buf[n] = '\0';
	cr_assert_str_eq(buf, "<4>bpaggd: refused: a test\nbpaggd: plain\n");
}
