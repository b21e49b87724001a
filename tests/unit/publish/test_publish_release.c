/*
 * test_publish_release.c - whole releases (publish/publish.c): a store filled
 * through the store API, bpagg.conf, keys and registry in a temporary
 * installation; publish -> audit passes; tampering with kept files, with a
 * log line, or a re-signed log that lies about the cells, makes the audit
 * fail; republishing after a small change suppresses the difference; the
 * refuse rule.
 */
#include <criterion/criterion.h>

#include "test_rows.h"

#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "keys.h"
#include "measures.h"
#include "publish.h"
#include "store.h"
#include "suplog.h"

static char dir[64];
static struct bp_config conf;
static uint64_t seq = 1;
static int IB, IK, BK, MA;

static void
put(const char *rel, const char *text)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	FILE *f = fopen(p, "w");
	cr_assert(f, "%s", p);
	fputs(text, f);
	fclose(f);
}

static void
person(struct bp_tally *t, int bolig, int kjonn)
{
	struct bp_row r = tx_row_base();
	r.area[BP_AREA_BOLIG] = (int8_t)bolig;
	r.kjonn = kjonn ? 'K' : 'M';
	r.alder = 35;
	tx_tally_row(t, &r, 0);
}

/* Applies a tally for kommune k: n persons, bolig gronn/gul/rod cycling,
 * plus extra persons with bolig gronn. */
static void
apply(const char *k, int n, int extra)
{
	struct bp_store *s;
	struct bp_tally t;
	struct bp_submission sub;
	char err[256];
	uint8_t cat[32];
	cr_assert_eq(bp_tally_init(&t), 0);
	for (int i = 0; i < n; i++)
		person(&t, i % 3, i % 2);
	for (int i = 0; i < extra; i++)
		person(&t, 0, 0);
	memset(&sub, 0, sizeof(sub));
	memcpy(sub.kommune, k, 5);
	sub.year = 2024;
	randombytes_buf(sub.id, sizeof(sub.id));
	sub.sequence = seq++;
	sub.rows = (uint32_t)(n + extra);
	sub.received = 1700000000;
	bp_catalogue_id(&conf.measures, cat);
	cr_assert_eq(bp_store_open(&conf, &s, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(bp_store_apply(s, &sub, &t, NULL, 0, cat, err, sizeof(err)), 0, "%s", err);
	bp_store_close(s);
	bp_tally_free(&t);
}

static void
load_conf(const char *extra)
{
	char p[256], err[512], text[1024];
	snprintf(text, sizeof(text), "[paths]\nkeys = keys\nregistry = kommuner.csv\n"
	    "suppression_log = suppression.log\n[store]\npath = store.sqlite\n%s", extra);
	put("bpagg.conf", text);
	bp_config_free(&conf);
	snprintf(p, sizeof(p), "%s/bpagg.conf", dir);
	cr_assert_eq(bp_config_load(p, &conf, err, sizeof(err)), 0, "%s", err);
}

static void
setup(void)
{
	struct bp_key pk, sk;
	char p[256], err[256];
	cr_assert_geq(sodium_init(), 0);
	IB = bp_indicator_find("bolig");
	IK = bp_indicator_find("kjonn");
	BK = bp_breakdown_find("kjonn");
	MA = bp_sum_measure_find("alder");
	snprintf(dir, sizeof(dir), "/tmp/bp_pubrel_XXXXXX");
	cr_assert(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/keys", dir);
	cr_assert_eq(mkdir(p, 0700), 0);
	cr_assert_eq(bp_key_gen_sign(&pk, &sk, NULL), 0);
	snprintf(p, sizeof(p), "%s/keys/daemon.sign.pk", dir);
	cr_assert_eq(bp_key_save(p, &pk, err, sizeof(err)), 0, "%s", err);
	snprintf(p, sizeof(p), "%s/keys/daemon.sign.sk", dir);
	cr_assert_eq(bp_key_save(p, &sk, err, sizeof(err)), 0, "%s", err);
	bp_key_free(&pk);
	bp_key_free(&sk);
	put("kommuner.csv", "kommunenummer,navn,fylkesnummer,fylke,innbyggere,innbyggere_18plus,aar\n"
	    "0301,Oslo,03,Oslo,1500,1000,2024\n"
	    "1101,Eigersund,11,Rogaland,2500,2000,2024\n"
	    "1103,Stavanger,11,Rogaland,4000,3000,2024\n");
	memset(&conf, 0, sizeof(conf));
	load_conf("");
	apply("0301", 40, 0);
	apply("1101", 60, 0);
	apply("1103", 13, 0);
}

static void
teardown(void)
{
	char cmd[128];
	bp_config_free(&conf);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(release, .init = setup, .fini = teardown, .timeout = 120);

static int
publish(const char *out, char *id, char *err)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", dir, out);
	struct bp_publish_opts o = { .year = 2024, .outdir = p, .json = true };
	return bp_publish(&conf, &o, id, 128, err, 1024);
}

static int
audit(char *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc = bp_audit(&conf, NULL, f, err, 1024);
	fclose(f);
	free(buf);
	return rc;
}

static char *
slurp(const char *rel, size_t *len)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	FILE *f = fopen(p, "r");
	cr_assert(f, "%s", p);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *b = malloc((size_t)n + 1);
	cr_assert_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return b;
}

static void
file_digest_hex(const char *rel, char *hex)
{
	size_t n;
	char *b = slurp(rel, &n);
	uint8_t d[32];
	crypto_generichash(d, 32, (uint8_t *)b, n, NULL, 0);
	bp_hex(d, 32, hex);
	free(b);
}

Test(release, publish_then_audit_passes)
{
	char id[128], err[1024], hex[65], rel[256];
	cr_assert_eq(publish("out", id, err), 0, "%s", err);
	cr_assert_eq(strncmp(id, "2024-", 5), 0);
	/* release.json names the digest of every file, and the kept copy is
	 * the same file. */
	char *rj = slurp("out/release.json", NULL);
	const char *files[] = { "tables.csv", "sums.csv", "coverage.csv", "tables.json" };
	for (int i = 0; i < 4; i++) {
		char key[64], got[80];
		snprintf(rel, sizeof(rel), "out/%s", files[i]);
		file_digest_hex(rel, hex);
		snprintf(key, sizeof(key), "files.%s", files[i]);
		cr_assert_eq(bp_json_get(rj, strlen(rj) - 1, key, got, sizeof(got)), 0);
		cr_assert_str_eq(got, hex, "%s", files[i]);
		snprintf(rel, sizeof(rel), "releases/%s/%s", id, files[i]);
		char h2[65];
		file_digest_hex(rel, h2);
		cr_assert_str_eq(h2, hex);
	}
	free(rj);
	char *t = slurp("out/tables.csv", NULL);
	cr_assert(strstr(t, "\n2024,nasjonal,NO,bolig__total,bolig,i_alt,total,alle,113,100.0,188.3,113\n"),
	    "national i_alt row");
	free(t);
	cr_assert_eq(audit(err), 0, "%s", err);
	/* The log holds no count: every cell entry has exactly the keys we write. */
	char *log = slurp("suppression.log", NULL);
	cr_assert_null(strstr(log, "\"count\""));
	cr_assert_null(strstr(log, "\"value\""));
	free(log);
}

Test(release, kept_file_changed_is_found)
{
	char id[128], err[1024], rel[256];
	cr_assert_eq(publish("out", id, err), 0, "%s", err);
	snprintf(rel, sizeof(rel), "releases/%s/coverage.csv", id);
	char *c = slurp(rel, NULL);
	c[strlen(c) - 2] = c[strlen(c) - 2] == '0' ? '1' : '0';
	put(rel, c);
	free(c);
	cr_assert_eq(audit(err), 1);
	cr_assert(strstr(err, "suppression.log:1: kept release file coverage.csv"), "%s", err);
}

Test(release, log_line_changed_is_found)
{
	char id[128], err[1024];
	cr_assert_eq(publish("out", id, err), 0, "%s", err);
	char *log = slurp("suppression.log", NULL);
	char *r = strstr(log, "\"reason\":\"");
	cr_assert(r, "no suppressed cell in the release");
	r += 10;
	memcpy(r, r[0] == 'l' ? "prim" : "link", 4);   /* a different reason */
	put("suppression.log", log);
	free(log);
	cr_assert_eq(audit(err), 1);
	cr_assert(strstr(err, "suppression.log:3: hash chain broken"), "%s", err);
}

/* Rewrites the log with the daemon's own key (an insider), changing the
 * first cell entry out: chain and seals hold, re-derivation does not. */
Test(release, resigned_lying_log_is_found_by_rederivation)
{
	char id[128], err[1024], p[256];
	cr_assert_eq(publish("out", id, err), 0, "%s", err);
	char *log = slurp("suppression.log", NULL);
	snprintf(p, sizeof(p), "%s/suppression.log", dir);
	unlink(p);
	struct bp_key sk;
	char kp[256];
	snprintf(kp, sizeof(kp), "%s/keys/daemon.sign.sk", dir);
	cr_assert_eq(bp_key_load(kp, BP_KEY_SIGN_SK, &sk, err, 1024), 0, "%s", err);
	struct bp_suplog l;
	cr_assert_eq(bp_suplog_open(p, false, &l, err, 1024), 0, "%s", err);
	bool changed = false;
	for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n")) {
		char *body = strstr(line, "\"type\"");
		body[strlen(body) - 1] = '\0';   /* drop the closing brace */
		if (strstr(body, "\"type\":\"seal\""))
			cr_assert_eq(bp_suplog_seal(&l, id, &sk), 0);
		else if (!changed && strstr(body, "\"type\":\"cell\""))
			changed = true;   /* leave the first cell out */
		else
			cr_assert_eq(bp_suplog_add(&l, body), 0);
	}
	cr_assert(changed, "no cell entry to leave out");
	cr_assert_eq(bp_suplog_commit(&l, err, 1024), 0);
	bp_suplog_close(&l);
	bp_key_free(&sk);
	free(log);
	cr_assert_eq(audit(err), 1);
	cr_assert(strstr(err, "suppressed cells differ from the re-derived release"), "%s", err);
}

Test(release, republish_protects_differences_and_audits)
{
	char id1[128], id2[128], err[1024];
	cr_assert_eq(publish("out1", id1, err), 0, "%s", err);
	apply("1101", 60, 2);   /* two more persons in 1101, bolig gronn */
	cr_assert_eq(publish("out2", id2, err), 0, "%s", err);
	cr_assert_str_neq(id1, id2);
	char *log = slurp("suppression.log", NULL);
	char want[512];
	snprintf(want, sizeof(want), "\"release\":\"%s\",\"table\":\"bolig__total\",\"level\":"
	    "\"kommune\",\"area\":\"1101\",\"category\":\"gronn\",\"breakdown_value\":\"alle\","
	    "\"reason\":\"difference\"", id2);
	cr_assert(strstr(log, want), "no difference entry for 1101 gronn");
	snprintf(want, sizeof(want), "\"previous\":\"%s\"", id1);
	cr_assert(strstr(log, want));
	free(log);
	char *t = slurp("out2/tables.csv", NULL);
	cr_assert(strstr(t, "\n2024,kommune,1101,bolig__total,bolig,gronn,total,alle,:,:,:,:\n"));
	free(t);
	/* Release 1 can no longer be re-derived (noted), release 2 can. */
	cr_assert_eq(audit(err), 0, "%s", err);
}

Test(release, refuse_rule)
{
	char id[128], err[1024];
	cr_assert_eq(publish("out1", id, err), 0, "%s", err);
	load_conf("[publish]\nrepublish_rule = refuse\n");
	size_t before, after;
	free(slurp("suppression.log", &before));
	cr_assert_eq(publish("out2", id, err), 1);
	cr_assert(strstr(err, "republish_rule is refuse"), "%s", err);
	free(slurp("suppression.log", &after));
	cr_assert_eq(before, after);
	char p[256];
	snprintf(p, sizeof(p), "%s/out2", dir);
	cr_assert_neq(access(p, F_OK), 0);
}
