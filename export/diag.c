/* diag.c - diagnostics by line and column; see diag.h. */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
bp_diags_init(struct bp_diags *d)
{
	memset(d, 0, sizeof(*d));
}

void
bp_diags_free(struct bp_diags *d)
{
	free(d->v);
	memset(d, 0, sizeof(*d));
}

void
bp_diags_add(struct bp_diags *d, unsigned long line, unsigned col,
    const char *column, const char *fmt, ...)
{
	d->total++;
	if (d->n >= BP_DIAG_CAP)
		return;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct bp_diag *v = realloc(d->v, cap * sizeof(*v));
		if (!v)
			return; /* counted in total, not kept */
		d->v = v;
		d->cap = cap;
	}
	struct bp_diag *e = &d->v[d->n++];
	e->line = line;
	e->col = col;
	snprintf(e->column, sizeof(e->column), "%s", column ? column : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

void
bp_diags_print(const struct bp_diags *d, const char *name, void *stream)
{
	FILE *f = stream;
	for (size_t i = 0; i < d->n; i++) {
		const struct bp_diag *e = &d->v[i];
		if (e->column[0])
			fprintf(f, "%s:%lu:%u: %s: %s\n", name, e->line, e->col, e->column, e->msg);
		else
			fprintf(f, "%s:%lu:%u: %s\n", name, e->line, e->col, e->msg);
	}
	if (d->total > d->n)
		fprintf(f, "%s: %zu more errors not shown\n", name, d->total - d->n);
}
