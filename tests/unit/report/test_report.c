/*
 * test_report.c - the report stage on hand-written release files: reading
 * them (tolerant of keys added to release.json, strict on the CSV headers),
 * the figures as printed, and reports whose every cell is the release's,
 * a suppressed one ':' in the table and null in the chart's data, with the
 * definition change between two years marked and never compared.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grid.h"
#include "html.h"
#include "relfile.h"
#include "report.h"

static char base[64];

static void
setup(void)
{
	snprintf(base, sizeof base, "/tmp/bp-report-test.XXXXXX");
	cr_assert_not_null(mkdtemp(base));
}

static void
teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
	cr_assert_eq(system(cmd), 0);
}

static void
put(const char *dir, const char *name, const char *text)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

/* A small national release of year y: kjonn, rop and bolig by rop_skala;
 * bolig rod for rod_rod is suppressed (and so its percent). */
static void
release(const char *dir, int y, int ropdef, const char *extra_json)
{
	mkdir(dir, 0755);
	char j[1024];
	snprintf(j, sizeof j, "{\"release\":\"%d-test\",\"time\":\"x\",\"year\":%d,%s\"settings\":"
	    "{\"min_cell\":5,\"rop_definition\":%d,\"lki_cut_gul\":0.5,\"lki_cut_rod\":1,"
	    "\"lki_cut_blalys\":1.5},\"files\":{}}\n", y, y, extra_json, ropdef);
	put(dir, "release.json", j);
	char c[512];
	snprintf(c, sizeof c, "year,level,area,kommuner_reported,kommuner_total,"
	    "population_18plus_reported,population_18plus_total,coverage_percent\n"
	    "%d,nasjonal,NO,3,357,100000,4437350,2.3\n", y);
	put(dir, "coverage.csv", c);
	char t[4096];
	snprintf(t, sizeof t,
	    "year,level,area,table,indicator,category,breakdown,breakdown_value,count,percent,rate_per_10k,estimate\n"
	    "%d,nasjonal,NO,kjonn__total,kjonn,M,total,alle,130,65.0,13.0,5655\n"
	    "%d,nasjonal,NO,kjonn__total,kjonn,K,total,alle,70,35.0,7.0,3045\n"
	    "%d,nasjonal,NO,kjonn__total,kjonn,i_alt,total,alle,%d,100.0,20.0,8700\n"
	    "%d,nasjonal,NO,rop__total,rop,ja,total,alle,44,22.0,4.4,1914\n"
	    "%d,nasjonal,NO,rop__total,rop,nei,total,alle,156,78.0,15.6,6786\n"
	    "%d,nasjonal,NO,rop__total,rop,i_alt,total,alle,200,100.0,20.0,8700\n"
	    "%d,nasjonal,NO,bolig__total,bolig,gronn,total,alle,120,60.0,12.0,5220\n"
	    "%d,nasjonal,NO,bolig__total,bolig,gul,total,alle,60,30.0,6.0,2610\n"
	    "%d,nasjonal,NO,bolig__total,bolig,rod,total,alle,20,10.0,2.0,870\n"
	    "%d,nasjonal,NO,bolig__total,bolig,i_alt,total,alle,200,100.0,20.0,8700\n"
	    "%d,nasjonal,NO,bolig__rop_skala,bolig,gronn,rop_skala,ikke_rop,100,64.1,10.0,4350\n"
	    "%d,nasjonal,NO,bolig__rop_skala,bolig,gul,rop_skala,ikke_rop,40,25.6,4.0,1740\n"
	    "%d,nasjonal,NO,bolig__rop_skala,bolig,rod,rop_skala,ikke_rop,16,10.3,1.6,696\n"
	    "%d,nasjonal,NO,bolig__rop_skala,bolig,i_alt,rop_skala,ikke_rop,156,100.0,15.6,6786\n"
	    "%d,nasjonal,NO,bolig__rop_skala,bolig,gronn,rop_skala,rod_rod,:,:,:,:\n"
	    "%d,nasjonal,NO,bolig__rop_skala,bolig,gul,rop_skala,rod_rod,20,45.5,2.0,870\n"
	    "%d,nasjonal,NO,bolig__rop_skala,bolig,rod,rop_skala,rod_rod,:,:,:,:\n"
	    "%d,nasjonal,NO,bolig__rop_skala,bolig,i_alt,rop_skala,rod_rod,44,100.0,4.4,1914\n",
	    y, y, y, 180 + y % 100, y, y, y, y, y, y, y, y, y, y, y, y, y, y, y);
	put(dir, "tables.csv", t);
}

TestSuite(report, .init = setup, .fini = teardown);

Test(report, figures_as_printed)
{
	char b[64];
	bp_html_fig(b, sizeof b, "20535");
	cr_assert_str_eq(b, "20\xc2\xa0" "535");
	bp_html_fig(b, sizeof b, "1234567");
	cr_assert_str_eq(b, "1\xc2\xa0" "234\xc2\xa0" "567");
	bp_html_fig(b, sizeof b, "12.3");
	cr_assert_str_eq(b, "12,3");
	bp_html_fig(b, sizeof b, "999");
	cr_assert_str_eq(b, "999");
	bp_html_fig(b, sizeof b, ":");
	cr_assert_str_eq(b, ":");
	bp_html_fig(b, sizeof b, "");
	cr_assert_str_eq(b, ".");
}

Test(report, reads_release_tolerantly)
{
	char d[128], err[256];
	snprintf(d, sizeof d, "%s/r", base);
	/* Keys a later publish adds (a profile, hidden shares) are ignored. */
	release(d, 2024, 2016, "\"profile\":{\"nasjonal\":[\"total\"]},\"hidden_share\":[0.1,{\"a\":null}],");
	struct bp_release r;
	const char *want[] = { "nasjonal/NO" };
	struct bp_relfilter f = { want, 1, NULL, 0 };
	cr_assert_eq(bp_release_load(d, &f, &r, err, sizeof err), 0, "%s", err);
	cr_assert_eq(r.year, 2024);
	cr_assert_eq(r.rop_definition, 2016);
	cr_assert_float_eq(r.lki_cut[2], 1.5, 1e-9);
	cr_assert_str_eq(r.id, "2024-test");
	const struct bp_rcell *c = bp_release_cell(&r, "nasjonal", "NO", "bolig__rop_skala", "rod", "rod_rod");
	cr_assert_not_null(c);
	cr_assert_str_eq(c->count, ":");
	cr_assert_str_eq(c->percent, ":");
	c = bp_release_cell(&r, "nasjonal", "NO", "bolig__rop_skala", "gul", "rod_rod");
	cr_assert_str_eq(c->percent, "45.5");
	const struct bp_rtable *t = bp_release_table(&r, "bolig__rop_skala");
	cr_assert_eq(t->ncat, 4);
	cr_assert_eq(t->nbv, 2);
	cr_assert_str_eq(t->bv[1], "rod_rod");
	cr_assert_null(bp_release_cell(&r, "fylke", "34", "bolig__total", "rod", "alle"));
	bp_release_free(&r);

	/* Without settings: definitions unknown, never the same. */
	put(d, "release.json", "{\"year\":2024}");
	struct bp_release a, b;
	cr_assert_eq(bp_release_load(d, &f, &a, err, sizeof err), 0, "%s", err);
	cr_assert_eq(a.rop_definition, -1);
	cr_assert_eq(bp_release_load(d, &f, &b, err, sizeof err), 0, "%s", err);
	cr_assert_not(bp_release_same_rop(&a, &b));
	cr_assert_not(bp_release_same_lki(&a, &b));
	bp_release_free(&a);
	bp_release_free(&b);
}

Test(report, names_file_and_line_of_a_bad_release)
{
	char d[128], err[256];
	snprintf(d, sizeof d, "%s/r", base);
	release(d, 2024, 2016, "");
	put(d, "tables.csv", "year,level,area,table,indicator,category,breakdown,breakdown_value,count,percent,rate_per_10k,estimate\n"
	    "2024,nasjonal,NO,kjonn__total,kjonn,M,total,alle,1,2\n");
	struct bp_release r;
	const char *want[] = { "nasjonal/NO" };
	struct bp_relfilter f = { want, 1, NULL, 0 };
	cr_assert_eq(bp_release_load(d, &f, &r, err, sizeof err), -1);
	cr_assert(strstr(err, "tables.csv:2: expected the 12 fields"), "%s", err);
	put(d, "release.json", "[1,2");
	cr_assert_eq(bp_release_load(d, &f, &r, err, sizeof err), -1);
	cr_assert(strstr(err, "release.json:"), "%s", err);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "%s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *b = malloc((size_t)n + 1);
	cr_assert_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = 0;
	fclose(f);
	return b;
}

Test(report, every_cell_is_the_release_and_hidden_stays_hidden)
{
	char d[128], out[128], path[512], err[512];
	snprintf(d, sizeof d, "%s/r", base);
	snprintf(out, sizeof out, "%s/out", base);
	release(d, 2024, 2016, "");
	const char *dirs[] = { d };
	struct bp_report_opts o = { dirs, 1, out, "NO", NULL, 0 };
	cr_assert_eq(bp_report_write(&o, path, sizeof path, err, sizeof err), BP_REPORT_OK, "%s", err);
	char *h = slurp(path);
	cr_assert(strstr(h, "Tegn i tabeller"));
	/* Published cells as printed, hidden ones as ':'. */
	cr_assert(strstr(h, "data-c=\"2024|nasjonal|NO|bolig__rop_skala|gul|rod_rod|percent\">45,5</td>"));
	cr_assert(strstr(h, "data-c=\"2024|nasjonal|NO|bolig__rop_skala|rod|rod_rod|percent\" class=\"sup\">:</td>"));
	cr_assert(strstr(h, "data-c=\"2024|nasjonal|NO|bolig__rop_skala|i_alt|rod_rod|count\">44</td>"));
	/* In the chart's data: the value, and null where hidden. */
	cr_assert(strstr(h, "[\"2024|nasjonal|NO|bolig__rop_skala|gul|rod_rod|percent\",45.5]"));
	cr_assert(strstr(h, "[\"2024|nasjonal|NO|bolig__rop_skala|rod|rod_rod|percent\",null]"));
	/* Tables the release lacks are "..", never a number. */
	cr_assert(strstr(h, "<td class=\"na\">..</td>"));
	/* Nothing that loads from outside. */
	cr_assert_null(strstr(h, "src="));
	cr_assert(strstr(h, "Content-Security-Policy"));
	free(h);
}

Test(report, a_changed_definition_is_not_compared)
{
	char d1[128], d2[128], d3[128], out[128], path[512], err[512];
	snprintf(d1, sizeof d1, "%s/a", base);
	snprintf(d2, sizeof d2, "%s/b", base);
	snprintf(d3, sizeof d3, "%s/c", base);
	snprintf(out, sizeof out, "%s/out", base);
	release(d1, 2022, 2015, "");
	release(d2, 2023, 2016, "");
	release(d3, 2024, 2016, "");
	const char *dirs[] = { d3, d1, d2 };
	struct bp_report_opts o = { dirs, 3, out, "NO", NULL, 0 };
	cr_assert_eq(bp_report_write(&o, path, sizeof path, err, sizeof err), BP_REPORT_OK, "%s", err);
	char *h = slurp(path);
	/* 2023's ROP share is marked; the count of persons is compared: 204 - 203. */
	cr_assert(strstr(h, "data-c=\"2023|nasjonal|NO|rop__total|ja|alle|percent\" class=\"brk\">22,0</td>"));
	cr_assert(strstr(h, "data-c=\"2024|nasjonal|NO|kjonn__total|i_alt|alle|count\">204</td><td class=\"diff\">+1</td>"));
	/* ROP 2023 -> 2024 comparable (22,0 both): stable over 2 years, not 3. */
	cr_assert(strstr(h, "Andelen har vært stabil fra året før."), "trend text");
	cr_assert(strstr(h, "Ny definisjon"));
	free(h);

	/* The two definitions next to each other: the change is "brudd". */
	const char *dirs2[] = { d1, d2 };
	struct bp_report_opts o2 = { dirs2, 2, out, "NO", NULL, 0 };
	cr_assert_eq(bp_report_write(&o2, path, sizeof path, err, sizeof err), BP_REPORT_OK, "%s", err);
	h = slurp(path);
	const char *row = strstr(h, "<tr><th scope=\"row\">Med ROP-lidelse (prosent)</th><td data-c=\"2022");
	cr_assert_not_null(row);
	const char *end = strstr(row, "</tr>");
	const char *brudd = strstr(row, "<td class=\"diff\">brudd</td>");
	cr_assert(brudd && brudd < end);
	free(h);
}

Test(report, refuses_two_releases_of_a_year_and_a_bad_area)
{
	char d[128], out[128], path[512], err[512];
	snprintf(d, sizeof d, "%s/r", base);
	snprintf(out, sizeof out, "%s/out", base);
	release(d, 2024, 2016, "");
	const char *dirs[] = { d, d };
	struct bp_report_opts o = { dirs, 2, out, "NO", NULL, 0 };
	cr_assert_eq(bp_report_write(&o, path, sizeof path, err, sizeof err), BP_REPORT_USAGE);
	o.ndirs = 1;
	o.area = "3x";
	cr_assert_eq(bp_report_write(&o, path, sizeof path, err, sizeof err), BP_REPORT_USAGE);
	o.area = "34";
	cr_assert_eq(bp_report_write(&o, path, sizeof path, err, sizeof err), BP_REPORT_DATA);
	cr_assert(strstr(err, "no tables for fylke 34"), "%s", err);
}

/* A chart's data block is JSON by jansson: figures as numbers, hidden ones
 * null, and no "</script>" in a key can end the block early. */
Test(report, chart_data_block)
{
	struct bp_html h;
	bp_html_init(&h);
	json_t *cells = json_array();
	cr_assert_eq(bp_chart_data_add(cells, "2024|nasjonal|NO|bolig__total|rod|alle|count", "113"), 0);
	cr_assert_eq(bp_chart_data_add(cells, "k</script><b>", "12.5"), 0);
	cr_assert_eq(bp_chart_data_add(cells, "hidden", ":"), 0);
	bp_chart_data_emit(&h, 7, 2, cells);
	cr_assert_str_eq(h.b, "<script type=\"application/json\" class=\"chart-data\" id=\"d7\">"
	    "{\"marks\":2,\"cells\":[[\"2024|nasjonal|NO|bolig__total|rod|alle|count\",113],"
	    "[\"k<\\/script><b>\",12.5],[\"hidden\",null]]}</script>\n");
	bp_html_free(&h);
}
