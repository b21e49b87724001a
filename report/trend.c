/*
 * trend.c - the key figures of an area over the years (seed 000: "andelen
 * har gått litt ned de siste tre årene"). A change is shown only between
 * two published figures of years whose definitions agree (release.json:
 * rop_definition for the ROP figures, the cut points for the index);
 * elsewhere the series is marked as broken, never silently compared.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "labels.h"
#include "views.h"

enum dep { DEP_NONE, DEP_ROP, DEP_LKI };

static const struct {
	const char *label, *ind, *cat;
	char field;
	enum dep dep;
} keyfig[] = {
	{ "Mottakere i alt (antall)", "kjonn", "i_alt", 'c', DEP_NONE },
	{ "Mottakere per 10 000 innbyggere 18+", "kjonn", "i_alt", 'r', DEP_NONE },
	{ "Kvinner (prosent)", "kjonn", "K", 'p', DEP_NONE },
	{ "Med ROP-lidelse (prosent)", "rop", "ja", 'p', DEP_ROP },
	{ "Med ROP-lidelse per 10 000 innbyggere 18+", "rop", "ja", 'r', DEP_ROP },
	{ "Levekårsindeks 8: rød (prosent)", "levekarsindeks8", "rod", 'p', DEP_LKI },
	{ "Levekårsindeks 8: blålys (prosent)", "levekarsindeks8", "blalys", 'p', DEP_LKI },
	{ "Bostedsløse: bosituasjon rød (prosent)", "bolig", "rod", 'p', DEP_NONE },
	{ "Med individuell plan (prosent)", "individuell_plan", "ja", 'p', DEP_NONE },
};
#define NKEY (sizeof keyfig / sizeof keyfig[0])

/* Whether year i may be compared with year i-1 for a figure of dep. */
static int
comparable(const struct bp_release *const *rel, size_t i, enum dep dep)
{
	if (dep == DEP_ROP)
		return bp_release_same_rop(rel[i - 1], rel[i]);
	if (dep == DEP_LKI)
		return bp_release_same_lki(rel[i - 1], rel[i]);
	return 1;
}

static void
fmt_diff(char *buf, size_t n, double d, char field)
{
	if (field == 'c')
		snprintf(buf, n, "%+.0f", d);
	else
		snprintf(buf, n, "%+.1f", d);
	char *p = strchr(buf, '.');
	if (p)
		*p = ',';
	if (buf[0] == '-' && strlen(buf) + 3 < n) { /* a real minus sign, as in print */
		memmove(buf + 3, buf + 1, strlen(buf));
		memcpy(buf, "\xe2\x88\x92", 3);
	}
}

/* The sentence on the last comparable run of published figures. */
static void
describe(char *buf, size_t n, const double *v, const int *ok, size_t ny, const int *cmp,
    char field)
{
	size_t end = ny - 1, start = end;
	if (!isfinite(v[end])) {
		snprintf(buf, n, "Tallet er skjult for siste år.");
		return;
	}
	while (start > 0 && cmp[start] && isfinite(v[start - 1]) && ok[start - 1])
		start--;
	size_t years = end - start;
	if (years == 0) {
		snprintf(buf, n, end > 0 && !cmp[end] ? "Ny definisjon: kan ikke sammenlignes med året før."
		                                      : "Ingen sammenlignbare år.");
		return;
	}
	int up = 1, down = 1, flat = 1;
	double tol = field == 'c' ? 0.0 : 0.5;
	for (size_t i = start + 1; i <= end; i++) {
		double d = v[i] - v[i - 1];
		up &= d > 0;
		down &= d < 0;
		flat &= fabs(d) <= tol;
	}
	double total = v[end] - v[start];
	const char *little = field != 'c' && fabs(total) < 2.0 ? "litt " : "";
	const char *what = field == 'p' ? "Andelen" : field == 'r' ? "Raten" : "Antallet";
	char span[48];
	if (years == 1)
		snprintf(span, sizeof span, "fra året før");
	else
		snprintf(span, sizeof span, "de siste %zu årene", years + 1);
	if (flat)
		snprintf(buf, n, "%s har vært stabil %s.", what, span);
	else if (down)
		snprintf(buf, n, "%s har gått %sned %s.", what, little, span);
	else if (up)
		snprintf(buf, n, "%s har gått %sopp %s.", what, little, span);
	else
		snprintf(buf, n, "%s har variert %s.", what, span);
}

static int
trend_chart(struct bp_rctx *ctx, const struct bp_release *const *rel, size_t ny,
    const char *level, const char *area, const size_t *rows, size_t ns, enum dep dep,
    const char *caption)
{
	const char *xl[64], *sn[8], *sc[8];
	char years[64][8];
	int brk[64];
	double *v = calloc(ns * ny, sizeof *v);
	if (!v)
		return -1;
	for (size_t x = 0; x < ny; x++) {
		snprintf(years[x], sizeof years[x], "%d", rel[x]->year);
		xl[x] = years[x];
		brk[x] = x > 0 && !comparable(rel, x, dep);
	}
	struct bp_html *h = ctx->h;
	ctx->nchart++;
	json_t *cells = json_array();
	for (size_t s = 0; s < ns; s++) {
		sn[s] = keyfig[rows[s]].label;
		sc[s] = bp_colour(keyfig[rows[s]].cat, s);
		for (size_t x = 0; x < ny; x++) {
			char table[128], key[400];
			snprintf(table, sizeof table, "%s__total", keyfig[rows[s]].ind);
			const struct bp_rcell *c = bp_release_cell(rel[x], level, area, table,
			    keyfig[rows[s]].cat, "alle");
			const char *fig = c ? (keyfig[rows[s]].field == 'p' ? c->percent :
			    keyfig[rows[s]].field == 'r' ? c->rate : c->count) : NULL;
			v[s * ny + x] = bp_fig_value(fig);
			if (!fig || !cells)
				continue; /* not in that year's release: no cell to cite */
			snprintf(key, sizeof key, "%d|%s|%s|%s|%s|alle|%s", rel[x]->year, level,
			    area, table, keyfig[rows[s]].cat, keyfig[rows[s]].field == 'p' ?
			    "percent" : keyfig[rows[s]].field == 'r' ? "rate_per_10k" : "count");
			bp_chart_data_add(cells, key, fig);
		}
	}
	struct bp_chart ch = { BP_CHART_LINES, keyfig[rows[0]].field == 'r' ? "Per 10 000" : "Prosent",
		ny, xl, ns, sn, sc, v, brk };
	size_t marks = bp_chart_marks(&ch);
	bp_chart_data_emit(h, ctx->nchart, marks, cells);
	char idp[16], *svg = NULL;
	snprintf(idp, sizeof idp, "c%d_", ctx->nchart);
	if (bp_chart_svg(&ch, idp, &svg, ctx->err, ctx->errlen) < 0) {
		free(v);
		ctx->failed = 1;
		return -1;
	}
	bp_html_printf(h, "<figure class=\"chart\" data-marks=\"%zu\" data-kind=\"lines\" "
	    "data-series=\"%zu\" data-for=\"d%d\">\n", marks, ns, ctx->nchart);
	bp_html_raw(h, svg);
	bp_html_printf(h, "<figcaption>Figur %d. ", ++ctx->nfig);
	bp_html_text(h, caption);
	for (size_t x = 1; x < ny; x++)
		if (brk[x]) {
			bp_html_raw(h, " Stiplet linje: definisjonen er endret, årene før og etter "
			    "sammenlignes ikke.");
			break;
		}
	bp_html_raw(h, "</figcaption></figure>\n");
	free(svg);
	free(v);
	return 0;
}

static void
settings_row(struct bp_html *h, const struct bp_release *const *rel, size_t ny, int lki)
{
	bp_html_printf(h, "<tr class=\"def\"><th scope=\"row\">%s</th>",
	    lki ? "Levekårsindeks: skillepunkter gul/rød/blålys" : "ROP-definisjon (BrukerPlan)");
	for (size_t x = 0; x < ny; x++) {
		if (lki && rel[x]->lki_cut[0] >= 0) {
			char b[64];
			snprintf(b, sizeof b, "%.2g/%.2g/%.2g", rel[x]->lki_cut[0], rel[x]->lki_cut[1],
			    rel[x]->lki_cut[2]);
			for (char *p = b; *p; p++)
				if (*p == '.')
					*p = ',';
			bp_html_printf(h, "<td>%s</td>", b);
		} else if (!lki && rel[x]->rop_definition > 0)
			bp_html_printf(h, "<td>%d</td>", rel[x]->rop_definition);
		else
			bp_html_raw(h, "<td>ukjent</td>");
	}
	bp_html_raw(h, "<td></td><td></td></tr>\n");
}

int
bp_view_trend(struct bp_rctx *ctx, const struct bp_release *const *rel, size_t ny,
    const char *level, const char *area, const char *area_label)
{
	struct bp_html *h = ctx->h;
	if (ny > 64)
		ny = 64;
	bp_html_raw(h, "<section class=\"chapter\">\n<h2>Utviklingen over år</h2>\n");
	bp_html_raw(h, "<p>Nøkkeltall for ");
	bp_html_text(h, area_label);
	bp_html_printf(h, " i utgivelsene %d–%d. Endringen vises bare mellom "
	    "to publiserte tall for år med samme definisjon; et år med ny definisjon er merket "
	    "med ‡, og serien brytes der.</p>\n", rel[0]->year, rel[ny - 1]->year);
	bp_html_printf(h, "<div class=\"tbl\"><table>\n<caption>Tabell %d. Nøkkeltall etter år</caption>\n"
	    "<thead><tr><th></th>", ++ctx->ntab);
	for (size_t x = 0; x < ny; x++)
		bp_html_printf(h, "<th scope=\"col\">%d</th>", rel[x]->year);
	bp_html_raw(h, "<th scope=\"col\">Endring fra året før</th><th scope=\"col\">Utvikling</th>"
	    "</tr></thead>\n<tbody>\n");
	settings_row(h, rel, ny, 0);
	settings_row(h, rel, ny, 1);
	for (size_t k = 0; k < NKEY; k++) {
		double v[64];
		int ok[64], cmp[64];
		char table[128];
		snprintf(table, sizeof table, "%s__total", keyfig[k].ind);
		const char *fname = keyfig[k].field == 'p' ? "percent" : keyfig[k].field == 'r' ?
		    "rate_per_10k" : "count";
		bp_html_raw(h, "<tr><th scope=\"row\">");
		bp_html_text(h, keyfig[k].label);
		bp_html_raw(h, "</th>");
		for (size_t x = 0; x < ny; x++) {
			const struct bp_rcell *c = bp_release_cell(rel[x], level, area, table, keyfig[k].cat, "alle");
			const char *fig = c ? (keyfig[k].field == 'p' ? c->percent : keyfig[k].field == 'r' ?
			    c->rate : c->count) : NULL;
			v[x] = bp_fig_value(fig);
			ok[x] = fig != NULL;
			cmp[x] = x == 0 || comparable(rel, x, keyfig[k].dep);
			if (!fig) {
				bp_html_raw(h, "<td class=\"na\">..</td>");
				continue;
			}
			char out[64];
			bp_html_fig(out, sizeof out, fig);
			bp_html_printf(h, "<td data-c=\"%d|%s|%s|%s|%s|alle|%s\"%s>%s</td>", rel[x]->year,
			    level, area, table, keyfig[k].cat, fname,
			    !cmp[x] ? " class=\"brk\"" : !strcmp(fig, ":") ? " class=\"sup\"" : "", out);
		}
		char d[64], text[160];
		if (ny < 2)
			snprintf(d, sizeof d, "..");
		else if (!cmp[ny - 1])
			snprintf(d, sizeof d, "brudd");
		else if (!isfinite(v[ny - 1]) || !isfinite(v[ny - 2]))
			snprintf(d, sizeof d, ":");
		else
			fmt_diff(d, sizeof d, v[ny - 1] - v[ny - 2], keyfig[k].field);
		describe(text, sizeof text, v, ok, ny, cmp, keyfig[k].field);
		bp_html_printf(h, "<td class=\"diff\">%s</td><td class=\"txt\">", d);
		bp_html_text(h, text);
		bp_html_raw(h, "</td></tr>\n");
	}
	bp_html_raw(h, "</tbody></table></div>\n");
	bp_html_raw(h, "<p class=\"note\">‡ Året har en annen definisjon enn året før (se radene "
	    "for definisjon); «brudd»: endringen beregnes ikke.</p>\n");
	size_t rop[] = { 3 }, lki[] = { 5, 6 }, other[] = { 2, 7, 8 };
	if (trend_chart(ctx, rel, ny, level, area, rop, 1, DEP_ROP,
	        "Mottakere med ROP-lidelse etter år. Prosent.") < 0 ||
	    trend_chart(ctx, rel, ny, level, area, lki, 2, DEP_LKI,
	        "Levekårsindeks, 8 områder, rød og blålys, etter år. Prosent.") < 0 ||
	    trend_chart(ctx, rel, ny, level, area, other, 3, DEP_NONE,
	        "Kvinner, bostedsløse og individuell plan etter år. Prosent.") < 0)
		return -1;
	bp_html_raw(h, "</section>\n");
	return 0;
}
