/*
 * views.h - the chapters of the report: the nation (seed 004's order of
 * tables and figures), a fylke beside the nation (seed 002), a kommune
 * beside its fylke and the nation, and the key figures over the years.
 */
#ifndef BP_VIEWS_H
#define BP_VIEWS_H

#include "grid.h"
#include "relfile.h"

/* One column of a comparison: an area of a release. */
struct bp_varea {
	const char *label;    /* "Norge", "Innlandet", ... */
	const char *level, *area;
};

/* Names of the fylker and kommuner for the fylke table; NULL = the codes. */
typedef const char *(*bp_namefn)(const char *level, const char *area, void *ud);

/* The nation, release rel. Returns 0 or -1 (ctx->err). */
int bp_view_nation(struct bp_rctx *ctx, const struct bp_release *rel, bp_namefn name, void *ud);
/* The areas side by side (Norge first, the area of the report last);
 * kommuner: the fylke's kommuner (level/area pairs) shown in a table. */
int bp_view_compare(struct bp_rctx *ctx, const struct bp_release *rel,
    const struct bp_varea *a, size_t na, const char *const *kommuner, size_t nk,
    bp_namefn name, void *ud);
/* The key figures of area (level/area) over the releases rel[0..n), oldest first. */
int bp_view_trend(struct bp_rctx *ctx, const struct bp_release *const *rel, size_t n,
    const char *level, const char *area, const char *area_label);
/* Coverage (kommuner reporting, population covered) as a small table. */
void bp_view_coverage(struct bp_rctx *ctx, const struct bp_release *rel,
    const struct bp_varea *a, size_t na);

#endif
