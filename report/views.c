/*
 * views.c - the chapters of the report (see views.h). The layout follows
 * the seeds; the figures are the release's cells (grid.h).
 */
#include "views.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "labels.h"

/* The eight (here six) living-condition areas of seed 004, Tabell 8-13. */
static const struct { const char *ind, *title; int no; } areas[] = {
	{ "bolig", "Bosituasjon", 8 },
	{ "aktivitet", "Meningsfull aktivitet", 9 },
	{ "sosial_fungering", "Sosial fungering", 10 },
	{ "nettverk", "Sosialt nettverk", 11 },
	{ "fysisk_helse", "Fysisk helse", 12 },
	{ "okonomi", "Økonomi", 13 },
};

static const char *const substances[] = { "alkohol", "cannabis", "heroin",
	"sentralstimulerende", "lar_legemidler", "andre_legemidler", "annet_rusmiddel" };

/* Services shown per group (seed 004 Tabell 25-30); the release may hold
 * more, the table shows every one of the group that it finds. */
static const struct { const char *prefix, *title; } services[] = {
	{ "nav_", "Mottakere med tjenester fra NAV" },
	{ "kommune_", "Mottakere med helse- og omsorgstjenester i kommunen" },
	{ "tsb_", "Mottakere med tjenester i TSB" },
	{ "phv_", "Mottakere med tjenester i psykisk helsevern" },
};

static void
heading(struct bp_rctx *ctx, const char *tag, const char *text)
{
	bp_html_printf(ctx->h, "<%s>", tag);
	bp_html_text(ctx->h, text);
	bp_html_printf(ctx->h, "</%s>\n", tag);
}

static void
para(struct bp_rctx *ctx, const char *text)
{
	bp_html_raw(ctx->h, "<p>");
	bp_html_text(ctx->h, text);
	bp_html_raw(ctx->h, "</p>\n");
}

static void
key_rows(struct bp_grid *g)
{
	bp_grid_row(g, "Mottakere i alt (antall)", "kjonn", "i_alt", 'c');
	bp_grid_row(g, "Beregnet antall for hele området", "kjonn", "i_alt", 'e');
	bp_grid_row(g, "Mottakere per 10 000 innbyggere 18 år og over", "kjonn", "i_alt", 'r');
	bp_grid_row(g, "Kvinner (prosent)", "kjonn", "K", 'p');
	bp_grid_row(g, "Med ROP-lidelse (prosent)", "rop", "ja", 'p');
	bp_grid_row(g, "Med ROP-lidelse per 10 000 innbyggere 18 år og over", "rop", "ja", 'r');
	bp_grid_row(g, "Levekårsindeks, 8 områder: rød (prosent)", "levekarsindeks8", "rod", 'p');
	bp_grid_row(g, "Levekårsindeks, 8 områder: blålys (prosent)", "levekarsindeks8", "blalys", 'p');
	bp_grid_row(g, "Bostedsløse: bosituasjon rød (prosent)", "bolig", "rod", 'p');
	bp_grid_row(g, "Med individuell plan (prosent)", "individuell_plan", "ja", 'p');
}

void
bp_view_coverage(struct bp_rctx *ctx, const struct bp_release *rel,
    const struct bp_varea *a, size_t na)
{
	struct bp_html *h = ctx->h;
	bp_html_printf(h, "<div class=\"tbl\"><table>\n<caption>Dekning %d. Kommuner som har "
	    "rapportert, og deres befolkning 18 år og over</caption>\n<thead><tr><th></th>"
	    "<th scope=\"col\">Kommuner som rapporterte</th><th scope=\"col\">Kommuner i alt</th>"
	    "<th scope=\"col\">Befolkning 18+ i rapporterende kommuner</th>"
	    "<th scope=\"col\">Befolkning 18+ i alt</th><th scope=\"col\">Dekning (prosent)</th>"
	    "</tr></thead>\n<tbody>\n", rel->year);
	for (size_t i = 0; i < na; i++) {
		const struct bp_rcov *c = bp_release_cov(rel, a[i].level, a[i].area);
		bp_html_raw(h, "<tr><th scope=\"row\">");
		bp_html_text(h, a[i].label);
		bp_html_raw(h, "</th>");
		if (!c) {
			bp_html_raw(h, "<td class=\"na\" colspan=\"5\">..</td></tr>\n");
			continue;
		}
		char n[5][32], out[5][64];
		snprintf(n[0], 32, "%ld", c->reported);
		snprintf(n[1], 32, "%ld", c->total);
		snprintf(n[2], 32, "%ld", c->pop_reported);
		snprintf(n[3], 32, "%ld", c->pop_total);
		snprintf(n[4], 32, "%s", c->percent);
		static const char *const fld[5] = { "kommuner_reported", "kommuner_total",
			"population_18plus_reported", "population_18plus_total", "coverage_percent" };
		for (int k = 0; k < 5; k++) {
			bp_html_fig(out[k], sizeof out[k], n[k]);
			bp_html_printf(h, "<td data-v=\"%d|%s|%s|%s\">%s</td>", rel->year, c->level,
			    c->area, fld[k], out[k]);
		}
		bp_html_raw(h, "</tr>\n");
	}
	bp_html_raw(h, "</tbody></table></div>\n");
}

/* One indicator by ROP scale, as seed 004 Tabell 6-13. */
static int
by_rop(struct bp_rctx *ctx, const struct bp_release *rel, const char *ind, const char *title,
    int tab, int fig)
{
	struct bp_grid g;
	memset(&g, 0, sizeof g);
	snprintf(g.caption, sizeof g.caption, "Tabell %d. %s. ROP-skala. Prosent", tab, title);
	if (fig)
		snprintf(g.figcap, sizeof g.figcap, "Figur %d. %s. ROP-skala. Prosent", fig, title);
	g.chart_field = 'p';
	bp_grid_cat_rows(&g, rel, ind, "rop_skala", 'p', 1);
	bp_grid_bd_cols(&g, rel, "nasjonal", "NO", ind, "rop_skala");
	return bp_grid_emit(ctx, &g);
}

/* Rows "ja" of each indicator of a list, by ROP (ja/nei) and in all. */
static int
yes_table(struct bp_rctx *ctx, const struct bp_release *rel, const char *const *inds, size_t n,
    const char *suffix, const char *caption, const char *figcap, const char *bd)
{
	struct bp_grid g;
	memset(&g, 0, sizeof g);
	snprintf(g.caption, sizeof g.caption, "%s", caption);
	snprintf(g.figcap, sizeof g.figcap, "%s", figcap ? figcap : "");
	g.chart_field = 'p';
	char ind[64], buf[96];
	for (size_t i = 0; i < n; i++) {
		snprintf(ind, sizeof ind, "%s%s", inds[i], suffix);
		bp_grid_row(&g, bp_label(inds[i], buf, sizeof buf), ind, "ja", 'p');
	}
	snprintf(ind, sizeof ind, "%s%s", inds[0], suffix);
	bp_grid_row(&g, "I alt (antall)", ind, "i_alt", 'c');
	bp_grid_bd_cols(&g, rel, "nasjonal", "NO", ind, bd);
	return bp_grid_emit(ctx, &g);
}

/* The service codes of a group that the release holds (tables <code>__total),
 * written into names (cap of them). */
static size_t
service_codes(const struct bp_release *rel, const char *prefix, char (*names)[64], size_t cap)
{
	size_t n = 0, pl = strlen(prefix);
	for (size_t i = 0; i < rel->ntab && n < cap; i++) {
		const char *id = rel->tab[i].id, *us = strstr(id, "__");
		if (strncmp(id, prefix, pl) || !us || strcmp(us, "__total") || (size_t)(us - id) >= 64)
			continue;
		memcpy(names[n], id, (size_t)(us - id));
		names[n][us - id] = 0;
		n++;
	}
	return n;
}

static int
fylke_table(struct bp_rctx *ctx, const struct bp_release *rel, bp_namefn name, void *ud)
{
	struct bp_grid g;
	memset(&g, 0, sizeof g);
	snprintf(g.caption, sizeof g.caption, "Tabell 32. Nøkkeltall etter fylke");
	snprintf(g.figcap, sizeof g.figcap, "Figur 24. Nøkkeltall etter fylke. Prosent");
	g.chart_field = 'p';
	bp_grid_row(&g, "Mottakere i alt (antall)", "kjonn", "i_alt", 'c');
	bp_grid_row(&g, "Med ROP-lidelse (prosent)", "rop", "ja", 'p');
	bp_grid_row(&g, "Levekårsindeks 8: rød (prosent)", "levekarsindeks8", "rod", 'p');
	bp_grid_row(&g, "Levekårsindeks 8: blålys (prosent)", "levekarsindeks8", "blalys", 'p');
	bp_grid_col(&g, "Norge", rel, "nasjonal", "NO", "total", "alle");
	for (size_t i = 0; i < rel->ncov; i++) {
		const struct bp_rcov *c = &rel->cov[i];
		if (strcmp(c->level, "fylke") || c->reported == 0)
			continue;
		if (!bp_release_cell(rel, "fylke", c->area, "rop__total", "ja", "alle"))
			continue; /* the release has no fylke tables */
		const char *nm = name ? name("fylke", c->area, ud) : NULL;
		bp_grid_col(&g, nm ? nm : c->area, rel, "fylke", c->area, "total", "alle");
	}
	if (g.nc < 2) {
		para(ctx, "Utgivelsen har ikke tall for fylkene.");
		return 0;
	}
	return bp_grid_emit(ctx, &g);
}

int
bp_view_nation(struct bp_rctx *ctx, const struct bp_release *rel, bp_namefn name, void *ud)
{
	struct bp_grid g;
	struct bp_varea no = { "Norge", "nasjonal", "NO" };
	heading(ctx, "h2", "1. Dekning og nøkkeltall");
	bp_view_coverage(ctx, rel, &no, 1);
	memset(&g, 0, sizeof g);
	snprintf(g.caption, sizeof g.caption, "Tabell 1. Nøkkeltall, hele landet %d", rel->year);
	key_rows(&g);
	bp_grid_col(&g, "Norge", rel, "nasjonal", "NO", "total", "alle");
	if (bp_grid_emit(ctx, &g) < 0)
		return -1;

	bp_html_raw(ctx->h, "<section class=\"chapter\">\n");
	heading(ctx, "h2", "2. ROP-skala");
	para(ctx, "ROP-lidelse: rød rusmiddelbruk og rød eller gul psykisk helse, eller gul "
	    "rusmiddelbruk og rød psykisk helse (BrukerPlan 2016). Mottakere uten rusproblem "
	    "står for seg.");
	memset(&g, 0, sizeof g);
	snprintf(g.caption, sizeof g.caption, "Tabell 2. ROP-skala. Mottakere med og uten ROP-lidelser");
	snprintf(g.figcap, sizeof g.figcap, "Figur 2. ROP-skala. Prosent");
	g.chart_field = 'p';
	g.transpose = 1;
	bp_grid_cat_rows(&g, rel, "rop_skala", "total", 'p', 0);
	bp_grid_row(&g, "I alt", "rop_skala", "i_alt", 'c');
	bp_grid_col(&g, "Antall", rel, "nasjonal", "NO", "total", "alle");
	g.c[0].field = 'c';
	bp_grid_col(&g, "Prosent", rel, "nasjonal", "NO", "total", "alle");
	g.c[1].field = 'p';
	if (bp_grid_emit(ctx, &g) < 0)
		return -1;

	memset(&g, 0, sizeof g);
	snprintf(g.caption, sizeof g.caption, "Tabell 4. Mottakere i ulike aldersgrupper. ROP-skala. Prosent");
	snprintf(g.figcap, sizeof g.figcap, "Figur 4. Mottakere i ulike aldersgrupper. ROP-skala. Prosent");
	g.chart_field = 'p';
	g.transpose = 1;
	/* alder4 by rop_skala: the categories are the age groups. */
	bp_grid_cat_rows(&g, rel, "alder4", "rop_skala", 'p', 1);
	bp_grid_bd_cols(&g, rel, "nasjonal", "NO", "alder4", "rop_skala");
	if (bp_grid_emit(ctx, &g) < 0)
		return -1;
	para(ctx, "Befolkningens aldersfordeling (seed 004, Figur 4) er ikke en del av utgivelsen "
	    "og vises derfor ikke her.");

	memset(&g, 0, sizeof g);
	snprintf(g.caption, sizeof g.caption, "Tabell 5. Mottakere med ROP-lidelse etter kommunestørrelse "
	    "(innbyggere i alt)");
	bp_grid_row(&g, "Med ROP-lidelse (antall)", "rop", "ja", 'c');
	bp_grid_row(&g, "Med ROP-lidelse (prosent av mottakerne)", "rop", "ja", 'p');
	bp_grid_row(&g, "Med ROP-lidelse per 10 000 innbyggere 18+ i alle rapporterende kommuner", "rop", "ja", 'r');
	bp_grid_bd_cols(&g, rel, "nasjonal", "NO", "rop", "kommunestorrelse");
	g.c[0].label[0] = 0;
	snprintf(g.c[0].label, sizeof g.c[0].label, "Alle kommuner");
	if (bp_grid_emit(ctx, &g) < 0)
		return -1;
	para(ctx, "Raten per 10 000 regnes i utgivelsen mot befolkningen 18 år og over i alle "
	    "rapporterende kommuner i området, ikke mot hver størrelsesgruppe.");
	bp_html_raw(ctx->h, "</section>\n");

	bp_html_raw(ctx->h, "<section class=\"chapter\">\n");
	heading(ctx, "h2", "3. Levekår");
	para(ctx, "Levekårsindeksen er gjennomsnittet av skårene (grønn 0, gul 1, rød 2) på de åtte "
	    "levekårsområdene (seks uten psykisk helse og rusmiddelbruk), delt i grønn, gul, rød "
	    "og blålys ved skillepunktene i utgivelsen.");
	if (by_rop(ctx, rel, "levekarsindeks8", "Indeks med 8 levekårsområder", 6, 6) < 0 ||
	    by_rop(ctx, rel, "levekarsindeks6", "Indeks med 6 levekårsområder", 7, 7) < 0)
		return -1;
	for (size_t i = 0; i < sizeof areas / sizeof areas[0]; i++)
		if (by_rop(ctx, rel, areas[i].ind, areas[i].title, areas[i].no, areas[i].no) < 0)
			return -1;
	bp_html_raw(ctx->h, "</section>\n");

	bp_html_raw(ctx->h, "<section class=\"chapter\">\n");
	heading(ctx, "h2", "4. Rusmidler og tjenester");
	if (yes_table(ctx, rel, substances, sizeof substances / sizeof substances[0], "_tung",
	    "Tabell 14. Bruk av rusmidler i betydelig og svært omfattende grad. ROP-skala. Prosent",
	    "Figur 16. Bruk av rusmidler i betydelig og svært omfattende grad. ROP-skala. Prosent",
	    "rop_skala") < 0)
		return -1;
	static const char *const plans[] = { "individuell_plan", "tiltaksplan", "ansvarsgruppe",
		"kriseplan", "injiserer", "kognitive_vansker", "overdose_fare", "selvmord_fare" };
	if (yes_table(ctx, rel, plans, sizeof plans / sizeof plans[0], "",
	    "Tabell 18. Planer, ansvarsgruppe og risiko. ROP-lidelse. Prosent", NULL, "rop") < 0)
		return -1;
	for (size_t i = 0; i < sizeof services / sizeof services[0]; i++) {
		char names[40][64];
		const char *codes[40];
		size_t n = service_codes(rel, services[i].prefix, names, 40);
		for (size_t k = 0; k < n; k++)
			codes[k] = names[k];
		if (!n)
			continue;
		char cap[160], fig[160];
		snprintf(cap, sizeof cap, "Tabell %zu. %s. ROP-lidelse. Prosent", 25 + i, services[i].title);
		snprintf(fig, sizeof fig, "Figur %zu. %s. ROP-lidelse. Prosent", 14 + (i ? 6 + i : 0),
		    services[i].title);
		if (yes_table(ctx, rel, codes, n, "", cap, i == 0 || i == 2 ? fig : NULL, "rop") < 0)
			return -1;
	}
	bp_html_raw(ctx->h, "</section>\n");

	bp_html_raw(ctx->h, "<section class=\"chapter\">\n");
	heading(ctx, "h2", "5. Fylkene");
	if (fylke_table(ctx, rel, name, ud) < 0)
		return -1;
	bp_html_raw(ctx->h, "</section>\n");
	ctx->ntab = 32; /* later chapters go on from the last numbers used here */
	ctx->nfig = 24;
	return 0;
}

/* Indicators compared between areas (seed 002: "ROP-andel: Norge 23 %, Innlandet 27 %"). */
static const struct { const char *ind, *title; } compared[] = {
	{ "rop_skala", "ROP-skala" }, { "levekarsindeks8", "Levekårsindeks, 8 områder" },
	{ "levekarsindeks6", "Levekårsindeks, 6 områder" }, { "bolig", "Bosituasjon" },
	{ "aktivitet", "Meningsfull aktivitet" }, { "sosial_fungering", "Sosial fungering" },
	{ "nettverk", "Sosialt nettverk" }, { "fysisk_helse", "Fysisk helse" },
	{ "okonomi", "Økonomi" }, { "brukergruppe", "Brukergruppe" }, { "kjonn", "Kjønn" },
	{ "alder4", "Alder" },
};

/* A sentence of seed 002's kind: "Andel med ROP-lidelse: Norge 23,0 %,
 * Innlandet 27,0 %", each figure the release's cell. */
static void
lead(struct bp_rctx *ctx, const struct bp_release *rel, const struct bp_varea *a, size_t na,
    const char *what, const char *ind, const char *cat)
{
	char table[96];
	snprintf(table, sizeof table, "%s__total", ind);
	bp_html_raw(ctx->h, "<p class=\"lead\">");
	bp_html_text(ctx->h, what);
	bp_html_raw(ctx->h, ":");
	for (size_t i = 0; i < na; i++) {
		const struct bp_rcell *c = bp_release_cell(rel, a[i].level, a[i].area, table, cat, "alle");
		char out[64];
		bp_html_fig(out, sizeof out, c ? c->percent : "");
		bp_html_printf(ctx->h, "%s ", i ? "," : "");
		bp_html_text(ctx->h, a[i].label);
		if (!c) {
			bp_html_raw(ctx->h, " ..");
			continue;
		}
		bp_html_printf(ctx->h, " <span data-c=\"%d|%s|%s|%s|%s|alle|percent\">%s</span>%s",
		    rel->year, a[i].level, a[i].area, table, cat, out,
		    strcmp(c->percent, ":") && *c->percent ? "\xc2\xa0%" : "");
	}
	bp_html_raw(ctx->h, "</p>\n");
}

int
bp_view_compare(struct bp_rctx *ctx, const struct bp_release *rel,
    const struct bp_varea *a, size_t na, const char *const *kommuner, size_t nk,
    bp_namefn name, void *ud)
{
	struct bp_grid g;
	heading(ctx, "h2", "1. Dekning og nøkkeltall");
	bp_view_coverage(ctx, rel, a, na);
	memset(&g, 0, sizeof g);
	snprintf(g.caption, sizeof g.caption, "Tabell %d. Nøkkeltall %d", ++ctx->ntab, rel->year);
	key_rows(&g);
	for (size_t i = 0; i < na; i++)
		bp_grid_col(&g, a[i].label, rel, a[i].level, a[i].area, "total", "alle");
	if (bp_grid_emit(ctx, &g) < 0)
		return -1;

	lead(ctx, rel, a, na, "Andel med ROP-lidelse", "rop", "ja");
	lead(ctx, rel, a, na, "Levekårsindeks rød", "levekarsindeks8", "rod");
	lead(ctx, rel, a, na, "Levekårsindeks blålys", "levekarsindeks8", "blalys");

	bp_html_raw(ctx->h, "<section class=\"chapter\">\n");
	heading(ctx, "h2", "2. Levekår og ROP-skala");
	for (size_t k = 0; k < sizeof compared / sizeof compared[0]; k++) {
		memset(&g, 0, sizeof g);
		snprintf(g.caption, sizeof g.caption, "Tabell %d. %s. Prosent", ++ctx->ntab, compared[k].title);
		snprintf(g.figcap, sizeof g.figcap, "Figur %d. %s. Prosent", ++ctx->nfig, compared[k].title);
		g.chart_field = 'p';
		bp_grid_cat_rows(&g, rel, compared[k].ind, "total", 'p', 1);
		for (size_t i = 0; i < na; i++)
			bp_grid_col(&g, a[i].label, rel, a[i].level, a[i].area, "total", "alle");
		if (bp_grid_emit(ctx, &g) < 0)
			return -1;
	}
	bp_html_raw(ctx->h, "</section>\n");

	/* Seed 002: rus/ROP and psykisk helse apart, where the release has it. */
	static const struct { const char *ind, *title; } bg[] = {
		{ "bolig", "Bosituasjon" }, { "sosial_fungering", "Sosial fungering" },
		{ "fysisk_helse", "Fysisk helse" }, { "levekarsindeks8", "Levekårsindeks, 8 områder" },
	};
	int any = 0;
	for (size_t k = 0; k < sizeof bg / sizeof bg[0]; k++) {
		char id[96], lab[200], buf[96];
		snprintf(id, sizeof id, "%s__brukergruppe", bg[k].ind);
		const struct bp_rtable *t = bp_release_table(rel, id);
		if (!t || !bp_release_cell(rel, a[na - 1].level, a[na - 1].area, id, "i_alt", t->bv[0]))
			continue;
		if (!any++) {
			bp_html_raw(ctx->h, "<section class=\"chapter\">\n");
			heading(ctx, "h2", "3. Brukergrupper: rus og psykisk helse");
		}
		memset(&g, 0, sizeof g);
		snprintf(g.caption, sizeof g.caption, "Tabell %d. %s etter brukergruppe. Prosent",
		    ++ctx->ntab, bg[k].title);
		snprintf(g.figcap, sizeof g.figcap, "Figur %d. %s etter brukergruppe. Prosent",
		    ++ctx->nfig, bg[k].title);
		g.chart_field = 'p';
		bp_grid_cat_rows(&g, rel, bg[k].ind, "brukergruppe", 'p', 1);
		for (size_t i = 0; i < na; i++)
			for (size_t v = 0; v < t->nbv; v++) {
				snprintf(lab, sizeof lab, "%s: %s", a[i].label, bp_label(t->bv[v], buf, sizeof buf));
				bp_grid_col(&g, lab, rel, a[i].level, a[i].area, "brukergruppe", t->bv[v]);
			}
		if (bp_grid_emit(ctx, &g) < 0)
			return -1;
	}
	if (any)
		bp_html_raw(ctx->h, "</section>\n");

	if (nk) {
		bp_html_raw(ctx->h, "<section class=\"chapter\">\n");
		heading(ctx, "h2", any ? "4. Kommunene" : "3. Kommunene");
		memset(&g, 0, sizeof g);
		snprintf(g.caption, sizeof g.caption, "Tabell %d. Nøkkeltall for kommunene som har "
		    "rapportert", ++ctx->ntab);
		bp_grid_row(&g, "Mottakere i alt (antall)", "kjonn", "i_alt", 'c');
		bp_grid_row(&g, "Med ROP-lidelse (prosent)", "rop", "ja", 'p');
		bp_grid_row(&g, "Med ROP-lidelse per 10 000 innbyggere 18+", "rop", "ja", 'r');
		for (size_t i = 0; i < nk; i++) {
			const char *nm = name ? name("kommune", kommuner[i], ud) : NULL;
			bp_grid_col(&g, nm ? nm : kommuner[i], rel, "kommune", kommuner[i], "total", "alle");
		}
		if (bp_grid_emit(ctx, &g) < 0)
			return -1;
		bp_html_raw(ctx->h, "</section>\n");
	}
	return 0;
}
