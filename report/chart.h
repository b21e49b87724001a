/*
 * chart.h - charts drawn by gnuplot (its SVG terminal), run as a
 * subprocess on data written to a private temporary directory.
 *
 * A value that the release suppressed is NaN: a bar chart leaves a gap
 * marked ":" at its place, a line chart breaks its line there. Every drawn
 * value carries its figure as a label, so a chart reads in grey print too.
 */
#ifndef BP_CHART_H
#define BP_CHART_H

#include <stddef.h>

enum bp_chart_kind { BP_CHART_BARS, BP_CHART_LINES };

struct bp_chart {
	enum bp_chart_kind kind;
	const char *ylabel;          /* "Prosent", ... */
	size_t nx;                   /* groups (bars) or points (lines) */
	const char *const *xlabel;   /* nx labels */
	size_t ns;                   /* series */
	const char *const *sname;    /* ns names (the key) */
	const char *const *scolour;  /* ns "#rrggbb" */
	const double *v;             /* ns * nx values, series-major; NaN = hidden */
	const int *xbreak;           /* lines: nx flags, 1 = the definition changed
	                                before this point (line broken, marked) */
};

/*
 * Draws the chart and returns the SVG (without XML prolog, ids prefixed with
 * idp so several charts live in one page) in *svg, or -1 with a message in
 * err. The caller frees *svg. The gnuplot program is BPAGG_GNUPLOT or
 * "gnuplot" on PATH.
 */
int bp_chart_svg(const struct bp_chart *c, const char *idp, char **svg, char *err, size_t errlen);

/* The number of marks the chart draws: a point per finite value, a bar per
 * finite value other than 0. */
size_t bp_chart_marks(const struct bp_chart *c);

/* The number of hidden (NaN) values. */
size_t bp_chart_hidden(const struct bp_chart *c);

#endif
