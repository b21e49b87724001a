/*
 * html.h - a growing text buffer for the report's HTML, with escaping and
 * the Norwegian way of writing figures.
 */
#ifndef BP_HTML_H
#define BP_HTML_H

#include <stddef.h>

struct bp_html {
	char *b;      /* owned; freed by bp_html_free */
	size_t len, cap;
	int oom;      /* set once an allocation failed; later writes do nothing */
};

void bp_html_init(struct bp_html *h);
void bp_html_free(struct bp_html *h);
void bp_html_raw(struct bp_html *h, const char *s);
void bp_html_printf(struct bp_html *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Text with &, <, >, " and ' escaped. */
void bp_html_text(struct bp_html *h, const char *s);

/*
 * A release figure as the report prints it: ":" stays ":", "" becomes ".",
 * the decimal point a comma, and a whole number of four digits or more is
 * grouped by thousands with a no-break space (seed 004: "20 535").
 */
void bp_html_fig(char *out, size_t n, const char *fig);

#endif
