/*
 * report.h - the yearly BrukerPlan report from published releases.
 *
 * Reads only the release files (tables.csv, coverage.csv, release.json of
 * each RELEASE_DIR), never the store, and writes one self-contained HTML
 * file (charts inline as SVG, no script, no network) into the output
 * directory; optionally a PDF of it through headless Chromium.
 */
#ifndef BP_REPORT_H
#define BP_REPORT_H

#include <stddef.h>

#include "registry.h"

enum bp_report_err {
	BP_REPORT_OK = 0,
	BP_REPORT_USAGE = -1,   /* a bad area, two releases of one year */
	BP_REPORT_DATA = -2,    /* a release file is malformed, or lacks the area */
	BP_REPORT_NOINPUT = -3, /* a release file is missing */
	BP_REPORT_IO = -4,      /* the output cannot be written */
	BP_REPORT_TOOL = -5,    /* gnuplot or chromium failed */
};

struct bp_report_opts {
	const char *const *dirs;        /* release directories, any order */
	size_t ndirs;
	const char *out;                /* output directory (created) */
	const char *area;               /* "NO", "FF" (fylke) or "KKKK" (kommune) */
	const struct bp_registry *reg;  /* names of fylker and kommuner; may be NULL */
	int pdf;                        /* also write rapport.pdf */
};

/*
 * Writes OUT/index.html (and OUT/rapport.pdf with pdf) and puts the path of
 * the HTML file in path. Returns BP_REPORT_OK or an error with a message in
 * err naming the file (and line) concerned.
 */
int bp_report_write(const struct bp_report_opts *o, char *path, size_t pathlen,
    char *err, size_t errlen);

#endif
