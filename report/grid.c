/*
 * grid.c - a table of the report and its chart (see grid.h).
 */
#include "grid.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "labels.h"

#define CAP 48

static void
scopy(char *d, size_t n, const char *s)
{
	snprintf(d, n, "%s", s ? s : "");
}

void
bp_grid_row(struct bp_grid *g, const char *label, const char *ind, const char *cat, char field)
{
	if (g->nr >= CAP)
		return;
	struct bp_grow *r = &g->r[g->nr++];
	scopy(r->label, sizeof r->label, label);
	scopy(r->ind, sizeof r->ind, ind);
	scopy(r->cat, sizeof r->cat, cat);
	r->field = field;
}

void
bp_grid_col(struct bp_grid *g, const char *label, const struct bp_release *rel,
    const char *level, const char *area, const char *bd, const char *bv)
{
	if (g->nc >= CAP)
		return;
	struct bp_gcol *c = &g->c[g->nc++];
	scopy(c->label, sizeof c->label, label);
	c->rel = rel;
	scopy(c->level, sizeof c->level, level);
	scopy(c->area, sizeof c->area, area);
	scopy(c->bd, sizeof c->bd, bd);
	scopy(c->bv, sizeof c->bv, bv);
	c->field = 0;
}

void
bp_grid_cat_rows(struct bp_grid *g, const struct bp_release *rel, const char *ind,
    const char *bd, char field, int with_total)
{
	char id[128], buf[96];
	snprintf(id, sizeof id, "%s__%s", ind, bd);
	const struct bp_rtable *t = bp_release_table(rel, id);
	for (size_t i = 0; t && i < t->ncat; i++)
		if (strcmp(t->cat[i], "i_alt"))
			bp_grid_row(g, bp_label(t->cat[i], buf, sizeof buf), ind, t->cat[i], field);
	if (with_total)
		bp_grid_row(g, "I alt (antall)", ind, "i_alt", 'c');
}

void
bp_grid_bd_cols(struct bp_grid *g, const struct bp_release *rel, const char *level,
    const char *area, const char *ind, const char *bd)
{
	char id[128], buf[96];
	bp_grid_col(g, "I alt", rel, level, area, "total", "alle");
	snprintf(id, sizeof id, "%s__%s", ind, bd);
	const struct bp_rtable *t = bp_release_table(rel, id);
	for (size_t i = 0; t && i < t->nbv; i++)
		bp_grid_col(g, bp_label(t->bv[i], buf, sizeof buf), rel, level, area, bd, t->bv[i]);
}

static const char *
field_name(char f)
{
	switch (f) {
	case 'c': return "count";
	case 'r': return "rate_per_10k";
	case 'e': return "estimate";
	default: return "percent";
	}
}

const char *
bp_grid_cell(const struct bp_grid *g, size_t r, size_t c, char *key, size_t keylen)
{
	const struct bp_grow *row = &g->r[r];
	const struct bp_gcol *col = &g->c[c];
	char f = col->field ? col->field : row->field;
	char table[128];
	snprintf(table, sizeof table, "%s__%s", row->ind, col->bd);
	snprintf(key, keylen, "%d|%s|%s|%s|%s|%s|%s", col->rel->year, col->level, col->area, table,
	    row->cat, col->bv, field_name(f));
	const struct bp_rcell *cell = bp_release_cell(col->rel, col->level, col->area, table,
	    row->cat, col->bv);
	if (!cell)
		return NULL;
	switch (f) {
	case 'c': return cell->count;
	case 'r': return cell->rate;
	case 'e': return cell->estimate;
	default: return cell->percent;
	}
}

double
bp_fig_value(const char *fig)
{
	if (!fig || !*fig || !strcmp(fig, ":"))
		return NAN;
	char *end;
	double v = strtod(fig, &end);
	return *end ? NAN : v;
}

static void
emit_table(struct bp_rctx *ctx, const struct bp_grid *g)
{
	struct bp_html *h = ctx->h;
	bp_html_raw(h, "<div class=\"tbl\"><table>\n<caption>");
	bp_html_text(h, g->caption);
	bp_html_raw(h, "</caption>\n<thead><tr><th></th>");
	for (size_t c = 0; c < g->nc; c++) {
		bp_html_raw(h, "<th scope=\"col\">");
		bp_html_text(h, g->c[c].label);
		bp_html_raw(h, "</th>");
	}
	bp_html_raw(h, "</tr></thead>\n<tbody>\n");
	for (size_t r = 0; r < g->nr; r++) {
		bp_html_printf(h, "<tr%s><th scope=\"row\">", g->r[r].field == 'c' && r ? " class=\"sum\"" : "");
		bp_html_text(h, g->r[r].label);
		bp_html_raw(h, "</th>");
		for (size_t c = 0; c < g->nc; c++) {
			char key[400], out[64];
			const char *fig = bp_grid_cell(g, r, c, key, sizeof key);
			if (!fig) { /* not in the release: the area or table is not published */
				bp_html_raw(h, "<td class=\"na\">..</td>");
				continue;
			}
			bp_html_fig(out, sizeof out, fig);
			bp_html_printf(h, "<td data-c=\"%s\"%s>", key,
			    !strcmp(fig, ":") ? " class=\"sup\"" : "");
			bp_html_text(h, out);
			bp_html_raw(h, "</td>");
		}
		bp_html_raw(h, "</tr>\n");
	}
	bp_html_raw(h, "</tbody></table></div>\n");
}

int
bp_chart_data_add(json_t *cells, const char *key, const char *fig)
{
	json_t *v = fig && isfinite(bp_fig_value(fig)) ? bp_json_number_text(fig) : NULL;
	return json_array_append_new(cells, json_pack("[o,o]", bp_json_text(key),
	    v ? v : json_null()));
}

void
bp_chart_data_emit(struct bp_html *h, int id, size_t marks, json_t *cells)
{
	json_t *o = json_pack("{s:I,s:o}", "marks", (json_int_t)marks, "cells", cells);
	char *text = o ? json_dumps(o, JSON_COMPACT | JSON_ESCAPE_SLASH | BP_JSON_FLAGS) : NULL;
	bp_html_printf(h, "<script type=\"application/json\" class=\"chart-data\" id=\"d%d\">",
	    id);
	bp_html_raw(h, text ? text : "{}");
	bp_html_raw(h, "</script>\n");
	free(text);
	json_decref(o);
}

/* The chart's data as JSON beside it: every value with its cell, hidden
 * ones as null, so a reader (or a test) can check it against the release. */
static void
emit_data(struct bp_rctx *ctx, const struct bp_grid *g, const size_t *rows, size_t nr,
    const size_t *cols, size_t nc, size_t marks)
{
	json_t *cells = json_array();
	for (size_t r = 0; cells && r < nr; r++)
		for (size_t c = 0; c < nc; c++) {
			char key[400];
			const char *fig = bp_grid_cell(g, rows[r], cols[c], key, sizeof key);
			bp_chart_data_add(cells, key, fig);
		}
	bp_chart_data_emit(ctx->h, ctx->nchart, marks, cells);
}

static int
emit_chart(struct bp_rctx *ctx, const struct bp_grid *g)
{
	size_t rows[CAP], cols[CAP], nr = 0, nc = 0;
	for (size_t r = 0; r < g->nr; r++)
		if (g->r[r].field == g->chart_field)
			rows[nr++] = r;
	for (size_t c = 0; c < g->nc; c++)
		if (!g->c[c].field || g->c[c].field == g->chart_field)
			cols[nc++] = c;
	if (!nr || !nc)
		return 0;
	/* Series and x axis: rows x columns, or columns x rows (transpose). */
	size_t ns = g->transpose ? nc : nr, nx = g->transpose ? nr : nc;
	const char *xl[CAP], *sn[CAP], *sc[CAP];
	double *v = calloc(ns * nx, sizeof *v);
	if (!v) {
		snprintf(ctx->err, ctx->errlen, "out of memory");
		return -1;
	}
	for (size_t x = 0; x < nx; x++)
		xl[x] = g->transpose ? g->r[rows[x]].label : g->c[cols[x]].label;
	for (size_t s = 0; s < ns; s++) {
		const struct bp_grow *row = g->transpose ? NULL : &g->r[rows[s]];
		sn[s] = row ? row->label : g->c[cols[s]].label;
		/* Area scores and the index keep their colours; other series
		 * (services, substances, areas, years) take the grey-blue palette. */
		sc[s] = bp_colour(row ? row->cat : "", s);
		for (size_t x = 0; x < nx; x++) {
			char key[400];
			size_t r = g->transpose ? rows[x] : rows[s], c = g->transpose ? cols[s] : cols[x];
			v[s * nx + x] = bp_fig_value(bp_grid_cell(g, r, c, key, sizeof key));
		}
	}
	struct bp_chart ch = { BP_CHART_BARS, g->chart_field == 'r' ? "Per 10 000" :
	    g->chart_field == 'c' ? "Antall" : "Prosent", nx, xl, ns, sn, sc, v, NULL };
	char idp[16], *svg = NULL;
	ctx->nchart++;
	snprintf(idp, sizeof idp, "c%d_", ctx->nchart);
	size_t marks = bp_chart_marks(&ch);
	if (bp_chart_svg(&ch, idp, &svg, ctx->err, ctx->errlen) < 0) {
		free(v);
		ctx->failed = 1;
		return -1;
	}
	struct bp_html *h = ctx->h;
	bp_html_printf(h, "<figure class=\"chart\" data-marks=\"%zu\" data-kind=\"bars\" data-series=\"%zu\">\n",
	    marks, ns);
	bp_html_raw(h, svg);
	bp_html_raw(h, "<figcaption>");
	bp_html_text(h, g->figcap);
	if (bp_chart_hidden(&ch))
		bp_html_raw(h, " <span class=\"gapnote\">«:» i figuren: tallet er skjult, se tabellen.</span>");
	bp_html_raw(h, "</figcaption></figure>\n");
	emit_data(ctx, g, rows, nr, cols, nc, marks);
	free(svg);
	free(v);
	return 0;
}

int
bp_grid_emit(struct bp_rctx *ctx, const struct bp_grid *g)
{
	bp_html_raw(ctx->h, "<div class=\"fig\">\n");
	emit_table(ctx, g);
	int rc = g->figcap[0] ? emit_chart(ctx, g) : 0;
	bp_html_raw(ctx->h, "</div>\n");
	return rc;
}
