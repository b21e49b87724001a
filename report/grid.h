/*
 * grid.h - one table of the report with its chart beside it.
 *
 * A grid is rows (an indicator's category and the figure shown: count,
 * percent, rate or estimate) by columns (a release, level, area, breakdown
 * and breakdown value); the cell is that release's tables.csv cell of
 * table <row indicator>__<column breakdown>. Nothing is computed: every
 * figure printed is the release's own string, so nothing the suppression
 * hid can be printed or derived from what is printed beside it.
 */
#ifndef BP_GRID_H
#define BP_GRID_H

#include <stddef.h>

#include "html.h"
#include "json.h"
#include "relfile.h"

struct bp_gcol {
	char label[96];
	const struct bp_release *rel;
	char level[12], area[8], bd[40], bv[40];
	char field;            /* 0: the row's; else this column's figure */
};

struct bp_grow {
	char label[96];
	char ind[64], cat[40];
	char field;            /* 'c' count, 'p' percent, 'r' rate per 10 000, 'e' estimate */
};

struct bp_grid {
	char caption[200];     /* "Tabell 8. Bosituasjon. ROP-skala. Prosent" */
	char figcap[200];      /* "Figur 8. ..."; "" = no chart */
	char chart_field;      /* the rows of this field are the chart's series */
	int transpose;         /* chart: rows along the x axis, columns as series */
	size_t nr, nc;
	struct bp_grow r[48];
	struct bp_gcol c[48];
};

/* The state of one report being written. */
struct bp_rctx {
	struct bp_html *h;
	int nchart;            /* charts so far (their ids) */
	int ntab, nfig;        /* running numbers outside the seed 004 chapter */
	char *err;
	size_t errlen;
	int failed;            /* a chart could not be drawn: err says why */
};

/* Appends a row or a column; silently ignores one past the capacity. */
void bp_grid_row(struct bp_grid *g, const char *label, const char *ind, const char *cat, char field);
void bp_grid_col(struct bp_grid *g, const char *label, const struct bp_release *rel,
    const char *level, const char *area, const char *bd, const char *bv);
/* Rows for every category of indicator ind (from the release's table
 * ind__<bd>), in the release's order, then an "I alt (antall)" count row. */
void bp_grid_cat_rows(struct bp_grid *g, const struct bp_release *rel, const char *ind,
    const char *bd, char field, int with_total);
/* Columns for "I alt" and every value of breakdown bd, at one area. */
void bp_grid_bd_cols(struct bp_grid *g, const struct bp_release *rel, const char *level,
    const char *area, const char *ind, const char *bd);

/* The cell of row r, column c: the release's figure string, or NULL when
 * the release has no such cell; *key gets "YEAR|level|area|table|cat|bv|field". */
const char *bp_grid_cell(const struct bp_grid *g, size_t r, size_t c, char *key, size_t keylen);

/* Writes the table, the chart (when figcap is set) and the chart's data.
 * Returns 0, or -1 with ctx->err set when gnuplot failed. */
int bp_grid_emit(struct bp_rctx *ctx, const struct bp_grid *g);

/* A figure string as a chart value: NaN for ":" or "". */
double bp_fig_value(const char *fig);

/* One cell of a chart's data, [KEY, figure] with the figure a number or
 * null (hidden, or none), appended to the array cells. 0 or -1 (ENOMEM). */
int bp_chart_data_add(json_t *cells, const char *key, const char *fig);
/* Writes the chart's data block, <script type="application/json"
 * class="chart-data" id="dID">{"marks":N,"cells":[...]}</script>, dumped by
 * jansson with "/" escaped (no "</script>" can end it early). Takes cells. */
void bp_chart_data_emit(struct bp_html *h, int id, size_t marks, json_t *cells);

#endif
