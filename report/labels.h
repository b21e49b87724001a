/*
 * labels.h - the Norwegian names of the release's codes, and the colours
 * of the reports' green / yellow / red / blue (blålys) coding.
 */
#ifndef BP_LABELS_H
#define BP_LABELS_H

#include <stddef.h>

/* The label of an indicator, category or breakdown value code, or a
 * readable form of the code itself; written into buf. */
const char *bp_label(const char *code, char *buf, size_t n);
/* The colour of a category: green, yellow, red and blue for the area
 * scores and the index, else the i-th of a palette of greys and blues
 * chosen to differ in lightness (readable in grey print). */
const char *bp_colour(const char *code, size_t i);

#endif
