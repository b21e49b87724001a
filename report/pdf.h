/*
 * pdf.h - prints the report's HTML to PDF (A4, the page breaks of its print
 * style) through headless Chromium, run as a subprocess.
 */
#ifndef BP_PDF_H
#define BP_PDF_H

#include <stddef.h>

/* Writes OUTDIR/rapport.pdf from the HTML file html. The program is
 * BPAGG_CHROMIUM or "chromium". Returns 0 or -1 with a message in err. */
int bp_pdf_print(const char *html, const char *outdir, char *err, size_t errlen);

#endif
