/*
 * test_registry.c - the kommune registry loader: the bundled copy, and one
 * defect per hand-made file, each reported at its line and column.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "registry.h"

static const char *
bundled(void)
{
	const char *p = getenv("BPAGG_REGISTRY");
	cr_assert_not_null(p, "BPAGG_REGISTRY is set by the test environment");
	return p;
}

Test(registry, bundled_copy)
{
	struct bp_registry r;
	struct bp_diags d;
	bp_diags_init(&d);
	cr_assert_eq(bp_registry_load(bundled(), &r, &d), 0, "%zu errors", d.total);
	cr_expect_eq(d.total, 0);
	cr_expect_eq(r.n, 357);
	cr_expect_eq(r.year, 2024);
	uint64_t pop = 0, pop18 = 0;
	for (size_t i = 0; i < r.n; i++) {
		pop += r.k[i].population;
		pop18 += r.k[i].population18;
		if (i)
			cr_assert_lt(strcmp(r.k[i - 1].nr, r.k[i].nr), 0, "sorted, unique");
	}
	/* The totals of shared/data/README.md. */
	cr_expect_eq(pop, 5550203);
	cr_expect_eq(pop18, 4437350);
	const struct bp_kommune *k = bp_registry_find(&r, "0301");
	cr_assert_not_null(k);
	cr_expect_str_eq(k->name, "Oslo");
	cr_expect_str_eq(k->fylke, "03");
	cr_expect_eq(k->population, 717710);
	cr_expect_eq(k->population18, 585738);
	k = bp_registry_find(&r, "1103");
	cr_assert_not_null(k);
	cr_expect_str_eq(k->name, "Stavanger");
	cr_expect_null(bp_registry_find(&r, "9999"));
	cr_expect_null(bp_registry_find(&r, "030"));
	cr_expect_null(bp_registry_find(&r, "03011"));
	bp_registry_free(&r);
	cr_expect_null(r.k);
	bp_diags_free(&d);
}

/* Writes text to a fresh temporary file; the caller unlinks and frees. */
static char *
temp_file(const char *text)
{
	char *path = strdup("/tmp/bp_test_registry_XXXXXX");
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	size_t n = strlen(text);
	cr_assert_eq(write(fd, text, n), (ssize_t)n);
	close(fd);
	return path;
}

#define HDR "kommunenummer,navn,fylkesnummer,fylke,innbyggere,innbyggere_18plus,aar\n"
#define OSLO "0301,Oslo,03,Oslo,717710,585738,2024\n"

struct bad_reg {
	const char *text;
	unsigned long line;
	unsigned col;
	const char *column;
	const char *msg;
};

static const struct bad_reg bad_regs[] = {
	{ HDR OSLO "0301,Oslo,03,Oslo,1,1,2024\n", 3, 1, "kommunenummer", "given twice" },
	{ HDR "301,Oslo,03,Oslo,1,1,2024\n", 2, 1, "kommunenummer", "4-digit" },
	{ HDR "1101,Eigersund,1,Rogaland,1,1,2024\n", 2, 3, "fylkesnummer", "2-digit" },
	{ HDR "1101,Eigersund,12,Rogaland,1,1,2024\n", 2, 3, "fylkesnummer", "first two digits" },
	{ HDR "0301,,03,Oslo,1,1,2024\n", 2, 2, "navn", "1-63 bytes" },
	{ HDR "0301,Os\xff" "lo,03,Oslo,1,1,2024\n", 2, 2, "navn", "UTF-8" },
	{ HDR "0301,Oslo,03,Oslo,1x,1,2024\n", 2, 5, "innbyggere", "whole number" },
	{ HDR "0301,Oslo,03,Oslo,10,11,2024\n", 2, 6, "innbyggere_18plus", "at most innbyggere" },
	{ HDR OSLO "1101,Eigersund,11,Rogaland,1,1,2023\n", 3, 7, "aar", "same year" },
	/* Year 0000 (issue 10, item 8): it turned the same-year check off. */
	{ HDR "0301,Oslo,03,Oslo,1,1,0000\n1101,Eigersund,11,Rogaland,1,1,2023\n", 2, 7,
	  "aar", "from 1900 to 2199" },
	{ HDR "0301,Oslo,03,Oslo,1,1,0000\n", 2, 7, "aar", "from 1900 to 2199" },
	{ HDR "0301,Oslo,03,Oslo,1,1\n", 2, 0, "", "expected 7 fields" },
	{ "kommunenummer,navn,fylkesnummer,fylke,innbyggere,aar\n" OSLO, 1, 0,
	  "innbyggere_18plus", "column missing" },
	{ "kommunenummer,navn,fylkesnummer,fylke,innbyggere,innbyggere_18plus,aar,x\n",
	  1, 8, "", "unknown column" },
	{ "kommunenummer,navn,navn,fylkesnummer,fylke,innbyggere,innbyggere_18plus,aar\n",
	  1, 3, "navn", "given twice" },
	{ HDR, 2, 0, "", "no kommuner" },
	{ "", 1, 0, "", "empty registry" },
};
#define N_BAD_REGS (sizeof(bad_regs) / sizeof(bad_regs[0]))

/* Parameters cross into worker processes: pass indices, not pointers. */
ParameterizedTestParameters(registry, invalid)
{
	static size_t idx[N_BAD_REGS];
	for (size_t i = 0; i < N_BAD_REGS; i++)
		idx[i] = i;
	return cr_make_param_array(size_t, idx, N_BAD_REGS);
}

ParameterizedTest(size_t *i, registry, invalid)
{
	const struct bad_reg *c = &bad_regs[*i];
	char *path = temp_file(c->text);
	struct bp_registry r;
	struct bp_diags d;
	bp_diags_init(&d);
	cr_expect_eq(bp_registry_load(path, &r, &d), -1);
	cr_expect_null(r.k, "nothing is kept of an invalid registry");
	cr_assert_geq(d.n, 1);
	cr_expect_eq(d.v[0].line, c->line, "line %lu, expected %lu (%s)", d.v[0].line,
	    c->line, d.v[0].msg);
	cr_expect_eq(d.v[0].col, c->col, "col %u, expected %u (%s)", d.v[0].col, c->col,
	    d.v[0].msg);
	cr_expect_str_eq(d.v[0].column, c->column);
	cr_expect(strstr(d.v[0].msg, c->msg) != NULL, "'%s' lacks '%s'", d.v[0].msg, c->msg);
	bp_diags_free(&d);
	unlink(path);
	free(path);
}

Test(registry, bom_crlf_and_column_order)
{
	char *path = temp_file("\xef\xbb\xbf" "aar,navn,kommunenummer,fylke,fylkesnummer,"
	    "innbyggere_18plus,innbyggere\r\n2024,Bergen,4601,Vestland,46,240000,291000\r\n"
	    "2024,\"Oslo, by\",0301,Oslo,03,585738,717710\r\n");
	struct bp_registry r;
	struct bp_diags d;
	bp_diags_init(&d);
	cr_assert_eq(bp_registry_load(path, &r, &d), 0, "%s", d.n ? d.v[0].msg : "");
	cr_assert_eq(r.n, 2);
	cr_expect_str_eq(r.k[0].nr, "0301", "sorted by number");
	cr_expect_str_eq(r.k[0].name, "Oslo, by");
	const struct bp_kommune *k = bp_registry_find(&r, "4601");
	cr_assert_not_null(k);
	cr_expect_eq(k->population, 291000);
	cr_expect_eq(k->population18, 240000);
	cr_expect_str_eq(k->fylke_name, "Vestland");
	bp_registry_free(&r);
	bp_diags_free(&d);
	unlink(path);
	free(path);
}

Test(registry, symlink_and_missing_file_refused)
{
	char *target = temp_file(HDR OSLO);
	char link[64];
	snprintf(link, sizeof(link), "%s.lnk", target);
	cr_assert_eq(symlink(target, link), 0);
	struct bp_registry r;
	struct bp_diags d;
	bp_diags_init(&d);
	cr_expect_eq(bp_registry_load(link, &r, &d), -1, "O_NOFOLLOW");
	cr_expect_geq(d.total, 1);
	bp_diags_free(&d);
	bp_diags_init(&d);
	cr_expect_eq(bp_registry_load(target, &r, &d), 0);
	bp_registry_free(&r);
	bp_diags_free(&d);
	bp_diags_init(&d);
	cr_expect_eq(bp_registry_load("/nonexistent/kommuner.csv", &r, &d), -1);
	bp_diags_free(&d);
	bp_diags_init(&d);
	cr_expect_eq(bp_registry_load("/tmp", &r, &d), -1, "a directory is refused");
	bp_diags_free(&d);
	unlink(link);
	unlink(target);
	free(target);
}
