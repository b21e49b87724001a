/*
 * test_profile.c - release profiles (publish/profile.c): the shipped
 * profiles select what they say, the digest is that of the selection (not of
 * the text), and every error names file, line and column.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "measures.h"
#include "profile.h"
#include "publish.h"

static char dir[] = "/tmp/bp-test-profile.XXXXXX";

static void
setup(void)
{
	cr_assert(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(profile, .init = setup, .fini = teardown);

/* Writes text to dir/name and returns its path (static buffer). */
static const char *
put(const char *name, const char *text)
{
	static char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static size_t
grp(const char *name)
{
	int i = bp_indicator_find(name);
	if (i >= 0)
		return (size_t)i;
	int m = bp_sum_measure_find(name);
	cr_assert(m >= 0, "%s", name);
	return bp_n_indicators() + (size_t)m;
}

static size_t
bd(const char *name)
{
	int b = bp_breakdown_find(name);
	cr_assert(b >= 0, "%s", name);
	return (size_t)b;
}

static struct bp_profile *
shipped(const char *name)
{
	char path[512], err[512];
	struct bp_profile *p = NULL;
	const char *src = getenv("BP_SRCDIR");
	cr_assert(src);
	snprintf(path, sizeof(path), "%s/conf/profiles/%s.profile", src, name);
	cr_assert_eq(bp_profile_load(path, name, &p, err, sizeof(err)), 0, "%s", err);
	return p;
}

Test(profile, full_selects_every_table_at_national_and_fylke)
{
	struct bp_profile *p = shipped("full");
	size_t ng = bp_n_indicators() + bp_n_sum_measures();
	for (size_t g = 0; g < ng; g++)
		for (size_t b = 0; b < bp_n_breakdowns(); b++) {
			cr_assert(bp_profile_has(p, BP_LEVEL_NASJONAL, g, b));
			cr_assert(bp_profile_has(p, BP_LEVEL_FYLKE, g, b));
			cr_assert(bp_profile_has(p, BP_LEVEL_KOMMUNE, g, b));
		}
	bp_profile_free(p);
}

Test(profile, rapport_selects_the_reports_tables)
{
	struct bp_profile *p = shipped("rapport");
	cr_assert(bp_profile_has(p, BP_LEVEL_NASJONAL, grp("bolig"), bd("rop_skala")));
	cr_assert(bp_profile_has(p, BP_LEVEL_NASJONAL, grp("levekarsindeks6"), bd("rop_skala")));
	cr_assert(bp_profile_has(p, BP_LEVEL_NASJONAL, grp("rop"), bd("kommunestorrelse")));
	cr_assert(bp_profile_has(p, BP_LEVEL_NASJONAL, grp("alder"), bd("rop")));
	cr_assert(!bp_profile_has(p, BP_LEVEL_NASJONAL, grp("bolig"), bd("kjonn")));
	cr_assert(bp_profile_has(p, BP_LEVEL_FYLKE, grp("bolig"), bd("brukergruppe")));
	cr_assert(!bp_profile_has(p, BP_LEVEL_FYLKE, grp("bolig"), bd("rop_skala")));
	cr_assert(bp_profile_has(p, BP_LEVEL_KOMMUNE, grp("rop_skala"), bd("total")));
	cr_assert(!bp_profile_has(p, BP_LEVEL_KOMMUNE, grp("bolig"), bd("rop")));
	cr_assert(!bp_profile_has(p, BP_LEVEL_KOMMUNE, grp("heroin"), bd("total")));
	bp_profile_free(p);
}

Test(profile, null_profile_is_the_whole_catalogue)
{
	cr_assert(bp_profile_has(NULL, BP_LEVEL_KOMMUNE, grp("bolig"), bd("kjonn")));
}

Test(profile, digest_is_the_selection_not_the_text)
{
	char err[512];
	struct bp_profile *a, *b, *c;
	cr_assert_eq(bp_profile_load(put("a", "nasjonal bolig__total rop__*\n"), "a", &a, err,
	    sizeof(err)), 0, "%s", err);
	cr_assert_eq(bp_profile_load(put("b", "# same, reordered\n\nnasjonal   rop__* # x\n"
	    "nasjonal bolig__total\nnasjonal bolig__tot?l\n"), "b", &b, err, sizeof(err)), 0,
	    "%s", err);
	cr_assert_eq(bp_profile_load(put("c", "fylke bolig__total rop__*\n"), "c", &c, err,
	    sizeof(err)), 0, "%s", err);
	cr_assert_eq(memcmp(a->digest, b->digest, 32), 0);
	cr_assert_neq(memcmp(a->digest, c->digest, 32), 0);
	cr_assert(bp_profile_has(a, BP_LEVEL_NASJONAL, grp("rop"), bd("alder7")));
	cr_assert(!bp_profile_has(a, BP_LEVEL_FYLKE, grp("rop"), bd("alder7")));
	bp_profile_free(a);
	bp_profile_free(b);
	bp_profile_free(c);
}

/* Loading text must fail with exactly this "path:" suffix message. */
static void
refused(const char *text, const char *want)
{
	char err[512], exp[600];
	struct bp_profile *p = (struct bp_profile *)1;
	const char *path = put("bad", text);
	cr_assert_eq(bp_profile_load(path, "bad", &p, err, sizeof(err)), -1, "%s", text);
	cr_assert_null(p);
	snprintf(exp, sizeof(exp), "%s:%s", path, want);
	cr_assert(!strncmp(err, exp, strlen(exp)), "got \"%s\", want \"%s\"", err, exp);
}

Test(profile, errors_name_line_and_column)
{
	refused("nasjonal bolig__total\nland bolig__total\n", "2:1: expected a level");
	refused("nasjonal bolig__total\n  fylke   bolig\n", "2:11: expected a table id");
	refused("\n\nkommune bolig__total bolig__totl\n", "3:22: \"bolig__totl\" names no table");
	refused("kommune   # nothing\n", "1:1: a level without tables");
}

Test(profile, a_missing_profile_says_where_it_looked)
{
	char path[512], err[512];
	setenv("BPAGG_PROFILE_DIR", dir, 1);
	put("here.profile", "nasjonal rop__total\n");
	cr_assert_eq(bp_profile_path("here", NULL, path, sizeof(path), err, sizeof(err)), 0);
	cr_assert(strstr(path, "/here.profile"));
	cr_assert_eq(bp_profile_path("nowhere", NULL, path, sizeof(path), err, sizeof(err)), -1);
	cr_assert(strstr(err, "profile \"nowhere\" not found"), "%s", err);
	cr_assert_eq(bp_profile_path("sub/x.profile", "/etc/bpagg", path, sizeof(path), err,
	    sizeof(err)), 0);
	cr_assert_str_eq(path, "/etc/bpagg/sub/x.profile");
	cr_assert_eq(bp_profile_path("y.profile", "/etc/bpagg", path, sizeof(path), err,
	    sizeof(err)), 0);
	cr_assert_str_eq(path, "/etc/bpagg/y.profile");
}
