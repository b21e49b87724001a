/*
 * html.c - the report's HTML buffer (see html.h).
 */
#include "html.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
bp_html_init(struct bp_html *h)
{
	memset(h, 0, sizeof *h);
}

void
bp_html_free(struct bp_html *h)
{
	free(h->b);
	memset(h, 0, sizeof *h);
}

static int
reserve(struct bp_html *h, size_t n)
{
	if (h->oom)
		return -1;
	if (h->len + n + 1 <= h->cap)
		return 0;
	size_t nc = h->cap ? h->cap : 1 << 16;
	while (nc < h->len + n + 1)
		nc *= 2;
	char *nb = realloc(h->b, nc);
	if (!nb) {
		h->oom = 1;
		return -1;
	}
	h->b = nb;
	h->cap = nc;
	return 0;
}

static void
put(struct bp_html *h, const char *s, size_t n)
{
	if (reserve(h, n) < 0)
		return;
	memcpy(h->b + h->len, s, n);
	h->len += n;
	h->b[h->len] = 0;
}

void
bp_html_raw(struct bp_html *h, const char *s)
{
	put(h, s, strlen(s));
}

void
bp_html_printf(struct bp_html *h, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || reserve(h, (size_t)n) < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(h->b + h->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	h->len += (size_t)n;
}

void
bp_html_text(struct bp_html *h, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': bp_html_raw(h, "&amp;"); break;
		case '<': bp_html_raw(h, "&lt;"); break;
		case '>': bp_html_raw(h, "&gt;"); break;
		case '"': bp_html_raw(h, "&quot;"); break;
		case '\'': bp_html_raw(h, "&#39;"); break;
		default: put(h, s, 1);
		}
	}
}

void
bp_html_fig(char *out, size_t n, const char *fig)
{
	if (!*fig) {
		snprintf(out, n, ".");
		return;
	}
	size_t intlen = strcspn(fig, ".");
	int whole = strspn(fig, "0123456789") == intlen && intlen >= 4;
	size_t o = 0;
	for (size_t i = 0; fig[i] && o + 3 < n; i++) {
		if (whole && i > 0 && i < intlen && (intlen - i) % 3 == 0) {
			out[o++] = '\xc2'; /* U+00A0 */
			out[o++] = '\xa0';
		}
		out[o++] = fig[i] == '.' ? ',' : fig[i];
	}
	out[o] = 0;
}
