/*
 * test_ingest.c - ingest/: one sealed submission from file to store.
 *
 * Each test builds a throw-away installation (keys made with the keys API,
 * a conf file, the bundled registry), writes plaintext exports with valid
 * person_ids made here, seals them with bp_seal and ingests the sealed file.
 * Counts in the store are compared with counts computed here while writing
 * the plaintext.
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

#include "conf.h"
#include "envelope.h"
#include "ingest.h"
#include "keys.h"
#include "measures.h"

#define KOMMUNE "0301"
#define YEAR 2024

static char dir[256];
static struct bp_config conf;
static struct bp_key kpk, ksk, cpk;   /* kommune signing pair, central public */
static bp_ingest *ing;

/* What the test knows about the plaintext it wrote. */
struct truth {
	unsigned rows, bolig_rod, kjonn_k;
};

static void
path_in(char *out, const char *rel)
{
	snprintf(out, PATH_MAX, "%s/%s", dir, rel);
}

static void
save_key(const char *rel, const struct bp_key *k)
{
	char p[PATH_MAX], err[256];
	path_in(p, rel);
	cr_assert_eq(bp_key_save(p, k, err, sizeof(err)), 0, "%s", err);
}

static void
make_installation(void)
{
	struct bp_key csk, pseud;
	char p[PATH_MAX], err[512];
	const char *reg = getenv("BPAGG_REGISTRY");

	cr_assert(reg, "BPAGG_REGISTRY must be set");
	cr_assert(sodium_init() >= 0);
	snprintf(dir, sizeof(dir), "/tmp/bp-test-ingest.XXXXXX");
	cr_assert(mkdtemp(dir));
	path_in(p, "keys");
	cr_assert_eq(mkdir(p, 0700), 0);
	path_in(p, "keys/kommuner");
	cr_assert_eq(mkdir(p, 0700), 0);
	cr_assert_eq(bp_key_gen_box(&cpk, &csk), 0);
	cr_assert_eq(bp_key_gen_pseudonym(&pseud), 0);
	cr_assert_eq(bp_key_gen_sign(&kpk, &ksk, KOMMUNE), 0);
	save_key("keys/central.box.pk", &cpk);
	save_key("keys/central.box.sk", &csk);
	save_key("keys/pseudonym.key", &pseud);
	save_key("keys/kommuner/" KOMMUNE ".sign.pk", &kpk);
	bp_key_free(&csk);
	bp_key_free(&pseud);

	path_in(p, "bpagg.conf");
	FILE *f = fopen(p, "w");
	cr_assert(f);
	fprintf(f, "[paths]\nregistry = %s\n[ingest]\nyoung_seconds = 0\n", reg);
	fclose(f);
	cr_assert_eq(bp_config_load(p, &conf, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(bp_ingest_new(&conf, &ing, err, sizeof(err)), 0, "%s", err);
}

static void
remove_installation(void)
{
	char cmd[PATH_MAX + 16];
	bp_ingest_free(ing);
	ing = NULL;
	bp_config_free(&conf);
	bp_key_free(&kpk);
	bp_key_free(&ksk);
	bp_key_free(&cpk);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(ingest, .init = make_installation, .fini = remove_installation);

/* A valid fødselsnummer for index n (day, month, individual number vary). */
static void
make_pid(unsigned n, char out[12])
{
	static const int w1[9] = { 3, 7, 6, 1, 8, 9, 4, 5, 2 };
	static const int w2[10] = { 5, 4, 3, 2, 7, 6, 5, 4, 3, 2 };
	for (unsigned i = n * 7;; i++) {
		int d[11];
		unsigned day = 1 + i % 28, month = 1 + (i / 28) % 12, ind = (i / 336) % 500;
		snprintf(out, 12, "%02u%02u80%03u", day, month, ind);
		for (int k = 0; k < 9; k++)
			d[k] = out[k] - '0';
		int s = 0;
		for (int k = 0; k < 9; k++)
			s += w1[k] * d[k];
		int k1 = 11 - s % 11;
		if (k1 == 11)
			k1 = 0;
		if (k1 == 10)
			continue;
		d[9] = k1;
		s = 0;
		for (int k = 0; k < 10; k++)
			s += w2[k] * d[k];
		int k2 = 11 - s % 11;
		if (k2 == 11)
			k2 = 0;
		if (k2 == 10)
			continue;
		out[9] = (char)('0' + k1);
		out[10] = (char)('0' + k2);
		out[11] = '\0';
		return;
	}
}

static const char *const lv[3] = { "gronn", "gul", "rod" };

/*
 * Writes an export of n rows (person indices from first) to rel; bad_line
 * (> 1) gets an out-of-range alder; row_kommune overrides the kommune
 * column. Fills t.
 */
static void
write_export(const char *rel, unsigned first, unsigned n, unsigned bad_line,
    const char *row_kommune, struct truth *t)
{
	char p[PATH_MAX], pid[12];
	path_in(p, rel);
	FILE *f = fopen(p, "w");
	cr_assert(f);
	memset(t, 0, sizeof(*t));
	fprintf(f, "person_id;kommune;aar;kjonn;alder;rusproblem;psykisk_problem;bolig;"
	    "okonomi;aktivitet;fysisk_helse;psykisk_helse;rusmiddelbruk;sosial_fungering;"
	    "nettverk;alkohol;cannabis;heroin;sentralstimulerende;lar_legemidler;"
	    "andre_legemidler;annet_rusmiddel\n");
	for (unsigned i = 0; i < n; i++) {
		unsigned r = first + i;
		bool rus = r % 3 != 0;
		char kj = r % 4 == 1 ? 'K' : 'M';
		make_pid(r, pid);
		fprintf(f, "%s;%s;%d;%c;%d;%s;%s;%s;%s;%s;%s;%s;%s;%s;%s;", pid,
		    row_kommune ? row_kommune : KOMMUNE, YEAR, kj,
		    i + 2 == bad_line ? 200 : 18 + (int)(r % 60), rus ? "J" : "N", rus ? "N" : "J",
		    lv[r % 3], lv[(r / 3) % 3], lv[(r / 9) % 3], lv[r % 2], lv[(r + 1) % 3],
		    lv[(r / 2) % 3], lv[(r / 5) % 3], lv[(r / 7) % 3]);
		if (rus)
			fprintf(f, "betydelig;ingen;ingen;beskjeden;ingen;ingen;ingen\n");
		else
			fprintf(f, ";;;;;;\n");
		t->rows++;
		t->bolig_rod += r % 3 == 2;
		t->kjonn_k += kj == 'K';
	}
	fclose(f);
}

/* Seals plaintext rel_in to rel_out as the test kommune for a signed year
 * and sequence (0: now); returns the meta. */
static struct bp_env_meta
seal_as(const char *rel_in, const char *rel_out, unsigned rows, bool dry_run, int year,
    uint64_t sequence)
{
	char in[PATH_MAX], out[PATH_MAX], err[256];
	struct bp_env_meta m;
	memset(&m, 0, sizeof(m));
	memcpy(m.kommune, KOMMUNE, 5);
	m.year = (uint16_t)year;
	m.sequence = sequence;
	m.rows = rows;
	m.dry_run = dry_run;
	path_in(in, rel_in);
	path_in(out, rel_out);
	int ifd = open(in, O_RDONLY), ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(ifd >= 0 && ofd >= 0);
	cr_assert_eq(bp_seal(ifd, ofd, &ksk, &cpk, &m, err, sizeof(err)), 0, "%s", err);
	close(ifd);
	close(ofd);
	return m;
}

static struct bp_env_meta
seal(const char *rel_in, const char *rel_out, unsigned rows, bool dry_run)
{
	return seal_as(rel_in, rel_out, rows, dry_run, YEAR, 0);
}

static void
ingest(const char *rel, struct bp_ingest_result *r)
{
	char p[PATH_MAX];
	path_in(p, rel);
	bp_ingest_result_init(r);
	cr_assert_eq(bp_ingest_file(ing, p, NULL, (int64_t)time(NULL), NULL, r), 0);
}

struct seen {
	unsigned kommuner, rows, bolig_rod, kjonn_k;
};

static size_t
cell(const char *ind, const char *cat)
{
	int i = bp_indicator_find(ind), b = bp_breakdown_find("total");
	cr_assert(i >= 0 && b >= 0);
	const struct bp_indicator *d = bp_indicator_at((size_t)i);
	for (size_t c = 0; c < d->ncat; c++)
		if (!strcmp(d->cats[c], cat))
			return bp_cell_offset((size_t)i, (size_t)b) + c * bp_breakdown_at((size_t)b)->nval;
	cr_assert_fail("no category %s in %s", cat, ind);
	return 0;
}

static int
on_tally(const char *kommune, const struct bp_tally *t, void *ud)
{
	struct seen *s = ud;
	s->kommuner++;
	s->rows += t->rows;
	s->bolig_rod += t->counts[cell("bolig", "rod")];
	s->kjonn_k += t->counts[cell("kjonn", "K")];
	return 0;
}

static struct seen
store_counts(void)
{
	struct seen s = { 0 };
	uint8_t cid[32];
	bp_catalogue_id(&conf.measures, cid);
	cr_assert_eq(bp_store_foreach_tally(bp_ingest_store(ing), YEAR, cid, on_tally, &s), 0);
	return s;
}

static void
assert_store_is(const struct truth *t)
{
	struct seen s = store_counts();
	cr_assert_eq(s.kommuner, t ? 1u : 0u);
	if (!t)
		return;
	cr_assert_eq(s.rows, t->rows);
	cr_assert_eq(s.bolig_rod, t->bolig_rod);
	cr_assert_eq(s.kjonn_k, t->kjonn_k);
}

Test(ingest, merges_then_already_applied)
{
	struct truth t;
	struct bp_ingest_result r;
	write_export("a.csv", 0, 40, 0, NULL, &t);
	seal("a.csv", "a.bpx", t.rows, false);

	ingest("a.bpx", &r);
	cr_assert_eq(r.status, BP_INGEST_MERGED, "%s", r.reason);
	cr_assert(r.have_meta);
	cr_assert_eq(r.rows, 40);
	/* Named by the submission id, never by the inbox name. */
	char want[64], id[33];
	sodium_bin2hex(id, sizeof(id), r.meta.submission_id, sizeof(r.meta.submission_id));
	snprintf(want, sizeof(want), "2024/" KOMMUNE "/%s.bpx", id);
	cr_assert_str_eq(r.archived, want);
	bp_ingest_result_free(&r);
	assert_store_is(&t);

	ingest("a.bpx", &r);
	cr_assert_eq(r.status, BP_INGEST_ALREADY, "%s", r.reason);
	bp_ingest_result_free(&r);
	assert_store_is(&t);
}

/* bp_ingest_head_judged of rel: 1 or 0, r's status and rows checked by
 * the caller. */
static int
head_judged(const char *rel, struct bp_ingest_result *r)
{
	char p[PATH_MAX];
	path_in(p, rel);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	bp_ingest_result_init(r);
	int rc = bp_ingest_head_judged(ing, fd, (int64_t)time(NULL), r);
	close(fd);
	return rc;
}

/* What bpaggd asks before it copies an upload (a replay known unread):
 * the head gives a verdict exactly when the full ingest would say
 * "already applied" or "stale", and the same one; never for a new
 * submission or a plaintext. */
Test(ingest, head_verdict_agrees_with_the_full_ingest)
{
	struct truth t1, t2;
	struct bp_ingest_result r;
	write_export("a.csv", 0, 40, 0, NULL, &t1);
	seal("a.csv", "a.bpx", t1.rows, false);
	write_export("b.csv", 100, 25, 0, NULL, &t2);
	seal("b.csv", "b.bpx", t2.rows, false);
	write_export("c.csv", 200, 20, 0, NULL, &t2);
	seal("c.csv", "c.bpx", t2.rows, false);

	cr_assert_eq(head_judged("a.bpx", &r), 0, "a new submission is not applied");
	cr_assert_not(r.have_meta);
	bp_ingest_result_free(&r);
	cr_assert_eq(head_judged("a.csv", &r), 0, "a plaintext has no head");
	bp_ingest_result_free(&r);
	ingest("a.bpx", &r);
	cr_assert_eq(r.status, BP_INGEST_MERGED, "%s", r.reason);
	bp_ingest_result_free(&r);

	cr_assert_eq(head_judged("a.bpx", &r), 1);
	cr_assert_eq(r.status, BP_INGEST_ALREADY);
	cr_assert(r.have_meta);
	cr_assert_eq(r.rows, 40);
	cr_assert_str_eq(r.meta.kommune, KOMMUNE);
	cr_assert_str_eq(r.reason, "already applied");
	bp_ingest_result_free(&r);

	/* a resubmission, then the first again: still applied once */
	cr_assert_eq(head_judged("c.bpx", &r), 0);
	bp_ingest_result_free(&r);
	ingest("c.bpx", &r);
	cr_assert_eq(r.status, BP_INGEST_MERGED, "%s", r.reason);
	bp_ingest_result_free(&r);
	cr_assert_eq(head_judged("a.bpx", &r), 1);
	bp_ingest_result_free(&r);
	ingest("a.bpx", &r);
	cr_assert_eq(r.status, BP_INGEST_ALREADY, "%s", r.reason);
	bp_ingest_result_free(&r);
	/* b, sealed before c and never applied: stale, by its head as by
	 * the full ingest */
	cr_assert_eq(head_judged("b.bpx", &r), 1);
	cr_assert_eq(r.status, BP_INGEST_REFUSED);
	cr_assert_not(r.authentic, "the head alone vouches for no body");
	char stale[sizeof(r.reason)];
	snprintf(stale, sizeof(stale), "%s", r.reason);
	bp_ingest_result_free(&r);
	ingest("b.bpx", &r);
	cr_assert_eq(r.status, BP_INGEST_REFUSED, "%s", r.reason);
	cr_assert_str_eq(r.reason, stale);
	bp_ingest_result_free(&r);
}

Test(ingest, resubmission_replaces_the_year)
{
	struct truth t1, t2;
	struct bp_ingest_result r;
	write_export("a.csv", 0, 30, 0, NULL, &t1);
	seal("a.csv", "a.bpx", t1.rows, false);
	write_export("b.csv", 100, 25, 0, NULL, &t2);
	seal("b.csv", "b.bpx", t2.rows, false);

	ingest("a.bpx", &r);
	cr_assert_eq(r.status, BP_INGEST_MERGED, "%s", r.reason);
	bp_ingest_result_free(&r);
	ingest("b.bpx", &r);
	cr_assert_eq(r.status, BP_INGEST_MERGED, "%s", r.reason);
	bp_ingest_result_free(&r);
	assert_store_is(&t2);
}

Test(ingest, older_sequence_is_stale)
{
	struct truth t1, t2;
	struct bp_ingest_result r;
	write_export("a.csv", 0, 30, 0, NULL, &t1);
	struct bp_env_meta m1 = seal("a.csv", "a.bpx", t1.rows, false);
	write_export("b.csv", 100, 25, 0, NULL, &t2);
	struct bp_env_meta m2 = seal("b.csv", "b.bpx", t2.rows, false);
	cr_assert_gt(m2.sequence, m1.sequence);

	ingest("b.bpx", &r);
	cr_assert_eq(r.status, BP_INGEST_MERGED, "%s", r.reason);
	bp_ingest_result_free(&r);
	ingest("a.bpx", &r);
	cr_assert_eq(r.status, BP_INGEST_REFUSED);
	cr_assert(strstr(r.reason, "stale"), "%s", r.reason);
	bp_ingest_result_free(&r);
	assert_store_is(&t2);
}

/* Issue 10, item 5: a signed year outside the registry's span is refused
 * with a reason (year 0 was an internal error retried for ever, and turned
 * the validator's year check off). */
Test(ingest, signed_year_outside_the_registry_span_is_refused)
{
	struct truth t;
	struct bp_ingest_result r;
	write_export("a.csv", 0, 20, 0, NULL, &t);
	int years[] = { 0, 1999, 9999, 2026 };
	for (size_t i = 0; i < sizeof(years) / sizeof(years[0]); i++) {
		seal_as("a.csv", "y.bpx", t.rows, false, years[i], 0);
		ingest("y.bpx", &r);
		cr_expect_eq(r.status, BP_INGEST_REFUSED, "year %d: %s", years[i], r.reason);
		cr_expect(strstr(r.reason, "outside the registry's span (2000 to 2025)"),
		    "year %d: %s", years[i], r.reason);
		bp_ingest_result_free(&r);
	}
	assert_store_is(NULL);
}

/* Issue 10, item 4: a sequence from the future is refused, and an
 * administrator can set a merged one aside. */
Test(ingest, sequence_from_the_future_is_refused_and_can_be_reset)
{
	struct truth t1, t2, t3;
	struct bp_ingest_result r;
	char p[PATH_MAX];
	uint64_t now_ns = (uint64_t)time(NULL) * 1000000000u, old = 0;
	uint64_t year_ns = 365ull * 86400 * 1000000000u;

	write_export("a.csv", 0, 30, 0, NULL, &t1);
	seal_as("a.csv", "a.bpx", t1.rows, false, YEAR, now_ns + year_ns);
	ingest("a.bpx", &r);
	cr_assert_eq(r.status, BP_INGEST_REFUSED, "%s", r.reason);
	cr_expect(strstr(r.reason, "sequence from the future"), "%s", r.reason);
	bp_ingest_result_free(&r);
	assert_store_is(NULL);
	/* Within the slack it is taken: received "a year later" here. */
	bp_ingest_result_init(&r);
	path_in(p, "a.bpx");
	cr_assert_eq(bp_ingest_file(ing, p, NULL, (int64_t)(time(NULL) + 365 * 86400), NULL, &r), 0);
	cr_assert_eq(r.status, BP_INGEST_MERGED, "%s", r.reason);
	bp_ingest_result_free(&r);
	/* ... and then a correct submission is stale, until the reset. */
	write_export("b.csv", 100, 25, 0, NULL, &t2);
	seal("b.csv", "b.bpx", t2.rows, false);
	ingest("b.bpx", &r);
	cr_assert_eq(r.status, BP_INGEST_REFUSED, "%s", r.reason);
	cr_expect(strstr(r.reason, "stale"), "%s", r.reason);
	bp_ingest_result_free(&r);
	assert_store_is(&t1);
	cr_assert_eq(bp_store_reset_sequence(bp_ingest_store(ing), KOMMUNE, YEAR, 1, &old), 1);
	cr_expect_eq(old, now_ns + year_ns);
	cr_expect_eq(bp_store_reset_sequence(bp_ingest_store(ing), KOMMUNE, YEAR, 1, &old), 0,
	    "nothing left to reset");
	write_export("c.csv", 200, 22, 0, NULL, &t3);
	seal("c.csv", "c.bpx", t3.rows, false);
	ingest("c.bpx", &r);
	cr_assert_eq(r.status, BP_INGEST_MERGED, "%s", r.reason);
	bp_ingest_result_free(&r);
	assert_store_is(&t3);
	/* The next one is judged against c again. */
	ingest("b.bpx", &r);
	cr_expect_eq(r.status, BP_INGEST_REFUSED, "%s", r.reason);
	bp_ingest_result_free(&r);
}

Test(ingest, invalid_row_refuses_the_whole_file)
{
	struct truth t;
	struct bp_ingest_result r;
	write_export("a.csv", 0, 20, 7, NULL, &t);
	seal("a.csv", "a.bpx", t.rows, false);

	ingest("a.bpx", &r);
	cr_assert_eq(r.status, BP_INGEST_REFUSED);
	cr_assert(r.have_meta);
	cr_assert_geq(r.diags.n, 1);
	cr_assert_eq(r.diags.v[0].line, 7);
	cr_assert_str_eq(r.diags.v[0].column, "alder");
	cr_assert_eq(r.diags.v[0].col, 5);
	bp_ingest_result_free(&r);
	assert_store_is(NULL);
}

Test(ingest, rows_of_another_kommune_are_refused)
{
	struct truth t;
	struct bp_ingest_result r;
	write_export("a.csv", 0, 10, 0, "1103", &t);
	seal("a.csv", "a.bpx", t.rows, false);

	ingest("a.bpx", &r);
	cr_assert_eq(r.status, BP_INGEST_REFUSED);
	cr_assert_geq(r.diags.n, 1);
	cr_assert_str_eq(r.diags.v[0].column, "kommune");
	bp_ingest_result_free(&r);
	assert_store_is(NULL);
}

static void
flip_byte(const char *rel, long from_end)
{
	char p[PATH_MAX];
	path_in(p, rel);
	int fd = open(p, O_RDWR);
	cr_assert(fd >= 0);
	off_t size = lseek(fd, 0, SEEK_END);
	unsigned char c;
	cr_assert_eq(pread(fd, &c, 1, size - from_end), 1);
	c ^= 0x01;
	cr_assert_eq(pwrite(fd, &c, 1, size - from_end), 1);
	close(fd);
}

Test(ingest, tampered_body_is_refused)
{
	struct truth t;
	struct bp_ingest_result r;
	write_export("a.csv", 0, 30, 0, NULL, &t);
	seal("a.csv", "a.bpx", t.rows, false);
	flip_byte("a.bpx", 5);

	ingest("a.bpx", &r);
	cr_assert_eq(r.status, BP_INGEST_REFUSED, "status %d: %s", r.status, r.reason);
	cr_assert(strstr(r.reason, "envelope"), "%s", r.reason);
	bp_ingest_result_free(&r);
	assert_store_is(NULL);
}

Test(ingest, truncated_file_is_incomplete)
{
	struct truth t;
	struct bp_ingest_result r;
	char p[PATH_MAX];
	struct stat st;
	write_export("a.csv", 0, 30, 0, NULL, &t);
	seal("a.csv", "a.bpx", t.rows, false);
	path_in(p, "a.bpx");
	cr_assert_eq(stat(p, &st), 0);

	cr_assert_eq(truncate(p, st.st_size - 40), 0);
	ingest("a.bpx", &r);
	cr_assert_eq(r.status, BP_INGEST_INCOMPLETE, "status %d: %s", r.status, r.reason);
	bp_ingest_result_free(&r);

	cr_assert_eq(truncate(p, 20), 0);
	ingest("a.bpx", &r);
	cr_assert_eq(r.status, BP_INGEST_INCOMPLETE, "status %d: %s", r.status, r.reason);
	cr_assert(!r.have_meta);
	bp_ingest_result_free(&r);
	assert_store_is(NULL);
}

Test(ingest, unregistered_kommune_is_refused_without_meta)
{
	struct truth t;
	struct bp_ingest_result r;
	char p[PATH_MAX];
	write_export("a.csv", 0, 10, 0, NULL, &t);
	seal("a.csv", "a.bpx", t.rows, false);
	path_in(p, "keys/kommuner/" KOMMUNE ".sign.pk");
	cr_assert_eq(unlink(p), 0);
	char err[256];
	cr_assert_eq(bp_ingest_reload(ing, &conf, err, sizeof(err)), 0, "%s", err);

	ingest("a.bpx", &r);
	cr_assert_eq(r.status, BP_INGEST_REFUSED);
	cr_assert(!r.have_meta);
	bp_ingest_result_free(&r);
	assert_store_is(NULL);
}

Test(ingest, symlink_and_missing_file)
{
	struct truth t;
	struct bp_ingest_result r;
	char p[PATH_MAX], l[PATH_MAX];
	write_export("a.csv", 0, 10, 0, NULL, &t);
	seal("a.csv", "a.bpx", t.rows, false);
	path_in(p, "a.bpx");
	path_in(l, "link.bpx");
	cr_assert_eq(symlink(p, l), 0);

	ingest("link.bpx", &r);
	cr_assert_eq(r.status, BP_INGEST_REFUSED);
	bp_ingest_result_free(&r);
	ingest("nothere.bpx", &r);
	cr_assert_eq(r.status, BP_INGEST_GONE);
	bp_ingest_result_free(&r);
	assert_store_is(NULL);
}

Test(ingest, dry_run_counts_nothing)
{
	struct truth t;
	struct bp_ingest_result r;
	write_export("a.csv", 0, 12, 0, NULL, &t);
	seal("a.csv", "a.bpx", t.rows, true);

	ingest("a.bpx", &r);
	cr_assert_eq(r.status, BP_INGEST_MERGED, "%s", r.reason);
	cr_assert(r.meta.dry_run);
	bp_ingest_result_free(&r);
	assert_store_is(NULL);
}

Test(ingest, peek_reads_the_signed_metadata)
{
	struct truth t;
	struct bp_env_meta m, seen;
	char p[PATH_MAX], err[256];
	write_export("a.csv", 0, 15, 0, NULL, &t);
	m = seal("a.csv", "a.bpx", t.rows, false);
	path_in(p, "a.bpx");
	cr_assert_eq(bp_ingest_peek(ing, p, &seen, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(seen.kommune, KOMMUNE);
	cr_assert_eq(seen.year, YEAR);
	cr_assert_eq(seen.sequence, m.sequence);
	cr_assert_eq(seen.rows, 15);
}

/* bp_ingest_check_head on file name (in the test folder) into r, which
 * the caller frees: its verdict. */
static int
check_head_of(const char *name, struct bp_ingest_result *r)
{
	char p[PATH_MAX];
	path_in(p, name);
	int fd = open(p, O_RDONLY);
	cr_assert(fd >= 0);
	bp_ingest_result_init(r);
	int rc = bp_ingest_check_head(ing, fd, r);
	close(fd);
	return rc;
}

/* bp_ingest_check_head: a good head passes (whatever the body), a
 * plaintext behind the magic is refused with the
 * envelope's reason, and a head still being written is left to the full
 * ingest. */
Test(ingest, check_head_refuses_only_a_bad_head)
{
	struct truth t;
	struct bp_ingest_result r;
	char p[PATH_MAX];
	write_export("a.csv", 0, 15, 0, NULL, &t);
	seal("a.csv", "a.bpx", t.rows, false);
	flip_byte("a.bpx", 5);   /* a bad body: not the head's business */
	cr_assert_eq(check_head_of("a.bpx", &r), 0, "%s", r.reason);
	bp_ingest_result_free(&r);

	path_in(p, "plain.bpx");
	FILE *fp = fopen(p, "w");
	cr_assert(fp);
	fputs("BPAGGSUBperson_id;kommune;aar\n12345678901;0301;2024\n", fp);
	for (int i = 0; i < 20; i++)
		fputs("12345678901;0301;2024;M;41;N;J;gul;rod;rod;gul;gul;gronn\n", fp);
	fclose(fp);
	cr_assert_eq(check_head_of("plain.bpx", &r), 1);
	cr_assert_eq(r.status, BP_INGEST_REFUSED);
	cr_assert(strncmp(r.reason, "envelope: ", 10) == 0, "%s", r.reason);
	cr_assert(!strstr(r.reason, "12345678901"), "%s", r.reason);
	bp_ingest_result_free(&r);

	path_in(p, "a.bpx");
	cr_assert_eq(truncate(p, 100), 0);   /* inside the header */
	cr_assert_eq(check_head_of("a.bpx", &r), 0, "%s", r.reason);
	bp_ingest_result_free(&r);
	assert_store_is(NULL);
}

Test(ingest, fifo_and_oversized_files_are_refused)
{
	struct truth t;
	struct bp_ingest_result r;
	char p[PATH_MAX];
	path_in(p, "fifo.bpx");
	cr_assert_eq(mkfifo(p, 0600), 0);
	ingest("fifo.bpx", &r);
	cr_assert_eq(r.status, BP_INGEST_REFUSED);
	cr_assert_str_eq(r.reason, "not a regular file");
	bp_ingest_result_free(&r);

	write_export("a.csv", 0, 40, 0, NULL, &t);
	seal("a.csv", "a.bpx", t.rows, false);
	conf.max_file_bytes = 1024; /* the context reads conf at each file */
	ingest("a.bpx", &r);
	cr_assert_eq(r.status, BP_INGEST_REFUSED);
	cr_assert_str_eq(r.reason, "file larger than max_file_bytes");
	bp_ingest_result_free(&r);
	assert_store_is(NULL);
}

/* The bytes of file rel (malloc) and their count. */
static uint8_t *
read_all(const char *rel, size_t *len)
{
	char p[PATH_MAX];
	struct stat st;
	path_in(p, rel);
	int fd = open(p, O_RDONLY);
	cr_assert(fd >= 0);
	cr_assert_eq(fstat(fd, &st), 0);
	uint8_t *b = malloc((size_t)st.st_size + 1);
	cr_assert_not_null(b);
	cr_assert_eq(pread(fd, b, (size_t)st.st_size, 0), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return b;
}

/* Writes len bytes of b to rel (replacing it). */
static void
write_all(const char *rel, const uint8_t *b, size_t len)
{
	char p[PATH_MAX];
	path_in(p, rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, b, len), (ssize_t)len);
	close(fd);
}

/* bp_ingest_copy_sealed of rel into copy.bpx, which says early (1) or not
 * (0) that rel ends before its final chunk; returns its bytes (malloc). */
static uint8_t *
copy_of(const char *rel, size_t *len, int early)
{
	char p[PATH_MAX], q[PATH_MAX];
	path_in(p, rel);
	path_in(q, "copy.bpx");
	unlink(q);
	int fd = open(p, O_RDONLY), out = open(q, O_RDWR | O_CREAT | O_EXCL, 0600);
	cr_assert(fd >= 0 && out >= 0);
	cr_assert_eq(bp_ingest_copy_sealed(ing, fd, out), early, "%s", rel);
	close(fd);
	close(out);
	return read_all("copy.bpx", len);
}

/* Whether b[0..len) holds the 11 bytes of s. */
static bool
holds(const uint8_t *b, size_t len, const char *s)
{
	return memmem(b, len, s, strlen(s)) != NULL;
}

/* bp_ingest_copy_sealed copies what the kommune's key vouches for and
 * nothing else (found by a hostile review: a plaintext export behind an
 * authentic head was copied and synced into the queue before the copy was
 * refused): a good seal whole; a plaintext behind its head, or in place of
 * a chunk, cut at the first chunk that fails, with a frame that fails
 * again; bytes after the final chunk as one zero byte; a file still being
 * written as far as its last whole chunk.  Each copy opens as the file
 * does. */
Test(ingest, copy_holds_only_authentic_bytes)
{
	struct truth t;
	struct bp_ingest_result r;
	size_t flen, clen, plen;
	char pid[12];
	const size_t head = 132 + 4 + 166;

	write_export("a.csv", 0, 3000, 0, NULL, &t);   /* four chunks */
	seal("a.csv", "a.bpx", t.rows, false);
	uint8_t *file = read_all("a.bpx", &flen), *plain = read_all("a.csv", &plen);
	make_pid(2999, pid);
	cr_assert(holds(plain, plen, pid));
	cr_assert_gt(flen, head + 3 * 65536);

	uint8_t *c = copy_of("a.bpx", &clen, 0);
	cr_assert(clen == flen && !memcmp(c, file, flen), "a good seal is copied whole");
	free(c);

	/* the export in plaintext behind the authentic head */
	uint8_t *evil = malloc(flen + plen);
	cr_assert_not_null(evil);
	memcpy(evil, file, head);
	memcpy(evil + head, plain, plen);
	write_all("evil.bpx", evil, head + plen);
	c = copy_of("evil.bpx", &clen, 0);
	cr_assert_eq(clen, head + 4, "the head and a failing frame: %zu bytes", clen);
	cr_assert(!holds(c, clen, pid) && !memcmp(c, file, head));
	free(c);
	ingest("copy.bpx", &r);
	cr_assert_eq(r.status, BP_INGEST_REFUSED);
	cr_assert(strstr(r.reason, "chunk fails authentication"), "%s", r.reason);
	bp_ingest_result_free(&r);

	/* plaintext in place of the third chunk's bytes */
	memcpy(evil, file, flen);
	size_t third = head + 2 * (4 + 65536 + 17);
	memcpy(evil + third + 4, plain + plen - 65536, 65536);
	write_all("evil.bpx", evil, flen);
	c = copy_of("evil.bpx", &clen, 0);
	cr_assert_eq(clen, third + 4);
	cr_assert(!holds(c, clen, pid) && !memcmp(c, file, third));
	free(c);

	/* reserved space not written yet from the third chunk's bytes on (a
	 * client that sets the size first): still being written, not refused */
	memcpy(evil, file, flen);
	memset(evil + third + 4, 0, flen - third - 4);
	write_all("evil.bpx", evil, flen);
	c = copy_of("evil.bpx", &clen, 1);
	cr_assert(clen == third && !memcmp(c, file, third), "%zu bytes", clen);
	free(c);
	memset(evil + third, 0, 4);   /* its length field not written either */
	write_all("evil.bpx", evil, flen);
	c = copy_of("evil.bpx", &clen, 1);
	cr_assert_eq(clen, third);
	free(c);

	/* plaintext after a valid seal: one zero byte stands for it */
	memcpy(evil, file, flen);
	write_all("evil.bpx", evil, flen);
	char p[PATH_MAX];
	path_in(p, "evil.bpx");
	FILE *f = fopen(p, "a");
	cr_assert(f);
	fprintf(f, "%s;0301;2024\n", pid);
	fclose(f);
	c = copy_of("evil.bpx", &clen, 0);
	cr_assert(clen == flen + 1 && !memcmp(c, file, flen) && c[flen] == 0);
	free(c);
	ingest("copy.bpx", &r);
	cr_assert_eq(r.status, BP_INGEST_REFUSED, "%s", r.reason);
	bp_ingest_result_free(&r);

	/* still being written, cut inside the third chunk */
	write_all("evil.bpx", file, third + 1000);
	c = copy_of("evil.bpx", &clen, 1);
	cr_assert(clen == third && !memcmp(c, file, third), "%zu bytes", clen);
	free(c);
	ingest("copy.bpx", &r);
	cr_assert_eq(r.status, BP_INGEST_INCOMPLETE, "%s", r.reason);
	bp_ingest_result_free(&r);

	/* a head still being written: an empty copy, incomplete too */
	write_all("evil.bpx", file, 100);
	c = copy_of("evil.bpx", &clen, 1);
	cr_assert_eq(clen, 0);
	free(c);
	ingest("copy.bpx", &r);
	cr_assert_eq(r.status, BP_INGEST_INCOMPLETE, "%s", r.reason);
	bp_ingest_result_free(&r);
	free(evil);
	free(plain);
	free(file);
	assert_store_is(NULL);
}
