/*
 * write.c - reading the tables back (lookups, coverage, the suppressed
 * cells for the log) and writing tables.csv, sums.csv, coverage.csv and the
 * tables' part of release.json; see publish.h.
 */
#include "tables_private.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* ---- reading the tables back ------------------------------------------ */

/* One row in the walk over the tables. */
struct rowctx {
	const struct area *a;
	size_t ai, g, b, v, r;
	size_t row;              /* global row index */
};

typedef int (*row_cb)(const struct bp_tables *T, const struct rowctx *x, void *ud);

/* Calls cb for every row of tables.csv (sums false) or sums.csv, in order. */
static int
walk_rows(const struct bp_tables *T, bool sums, row_cb cb, void *ud)
{
	struct rowctx x;
	for (x.ai = 0; x.ai < T->na; x.ai++) {
		x.a = &T->a[x.ai];
		if (!x.a->rows)
			continue;
		for (x.g = sums ? T->nind : 0; x.g < (sums ? T->ngroup : T->nind); x.g++) {
			size_t nr = group_nrow(T, x.g);
			x.row = T->blk[x.ai * T->ngroup + x.g];
			for (x.b = 0; x.b < bp_n_breakdowns(); x.b++) {
				if (!table_on(T, x.a->level, x.g, x.b))
					continue;
				for (x.v = 0; x.v < bp_breakdown_at(x.b)->nval; x.v++)
					for (x.r = 0; x.r < nr; x.r++, x.row++) {
						int rc = cb(T, &x, ud);
						if (rc)
							return rc;
					}
			}
		}
	}
	return 0;
}

/* num / den rounded half up to `digits` decimals (1 or 2) into buf; ""
 * when den is 0. */
static void
fmt_ratio(uint64_t num, uint64_t den, unsigned digits, char *buf, size_t len)
{
	uint64_t scale = digits == 2 ? 100 : 10;
	if (den == 0) {
		buf[0] = '\0';
		return;
	}
	uint64_t q = (2 * num * scale + den) / (2 * den);
	if (digits == 0)
		snprintf(buf, len, "%" PRIu64, (2 * num + den) / (2 * den));
	else
		snprintf(buf, len, "%" PRIu64 ".%0*" PRIu64, q / scale, (int)digits, q % scale);
}

static void
view_row(const struct bp_tables *T, const struct rowctx *x, struct bp_cell_view *o)
{
	size_t ncat = x->g < T->nind ? bp_indicator_at(x->g)->ncat : 0;
	memset(o, 0, sizeof(*o));
	o->count = cell_value(T, x->a, x->g, x->b, x->v, x->r);
	o->reason = (enum bp_reason)T->reason[x->row];
	if (x->g < T->nind) {
		o->i_alt = cell_value(T, x->a, x->g, x->b, x->v, ncat);
		bool ialt_hidden = T->reason[x->row - x->r + ncat] != BP_REASON_NONE;
		if (o->reason || ialt_hidden)
			snprintf(o->percent, sizeof(o->percent), ":");
		else
			fmt_ratio((uint64_t)o->count * 100, o->i_alt, 1, o->percent, sizeof(o->percent));
	} else {
		o->i_alt = o->count;
	}
	if (o->reason) {
		snprintf(o->count_s, sizeof(o->count_s), ":");
		snprintf(o->rate, sizeof(o->rate), ":");
		snprintf(o->estimate, sizeof(o->estimate), ":");
		return;
	}
	snprintf(o->count_s, sizeof(o->count_s), "%" PRIu32, o->count);
	fmt_ratio((uint64_t)o->count * 10000, x->a->pop18rep, 1, o->rate, sizeof(o->rate));
	fmt_ratio((uint64_t)o->count * x->a->pop18tot, x->a->pop18rep, 0, o->estimate,
	    sizeof(o->estimate));
}

static const char *
row_category(const struct bp_tables *T, const struct rowctx *x)
{
	if (x->g >= T->nind)
		return "";
	const struct bp_indicator *ind = bp_indicator_at(x->g);
	return x->r < ind->ncat ? ind->cats[x->r] : "i_alt";
}

static void
row_table(const struct bp_tables *T, const struct rowctx *x, char *buf, size_t len)
{
	snprintf(buf, len, "%s__%s", bp_tb_group_name(T, x->g), bp_breakdown_at(x->b)->name);
}

static size_t
find_area(const struct bp_tables *T, const char *level, const char *area)
{
	unsigned l = bp_level_parse(level);
	for (size_t i = 0; i < T->na; i++)
		if (T->a[i].level == l && !strcmp(T->a[i].code, area))
			return i;
	return SIZE_MAX;
}

int
bp_tables_lookup(const struct bp_tables *T, const char *level, const char *area,
    const char *table, const char *category, const char *breakdown_value,
    struct bp_cell_view *out)
{
	char ind[128];
	const char *sep = strstr(table, "__");
	struct rowctx x;

	if (!sep || (size_t)(sep - table) >= sizeof(ind))
		return -1;
	memcpy(ind, table, (size_t)(sep - table));
	ind[sep - table] = '\0';
	int g = bp_indicator_find(ind), b = bp_breakdown_find(sep + 2);
	if ((x.ai = find_area(T, level, area)) == SIZE_MAX || g < 0 || b < 0)
		return -1;
	x.a = &T->a[x.ai];
	x.g = (size_t)g;
	x.b = (size_t)b;
	if (!x.a->rows || !table_on(T, x.a->level, x.g, x.b))
		return -1;
	int v = bp_breakdown_value_find(x.b, breakdown_value);
	int c = strcmp(category, "i_alt") ? bp_category_find(x.g, category)
	    : (int)bp_indicator_at(x.g)->ncat;
	if (v < 0 || c < 0)
		return -1;
	x.v = (size_t)v;
	x.r = (size_t)c;
	x.row = T->blk[x.ai * T->ngroup + x.g] + bd_offset(T, x.a->level, x.g, x.b) +
	    x.v * group_nrow(T, x.g) + x.r;
	view_row(T, &x, out);
	return 0;
}

static void
coverage_of(const struct area *a, struct bp_coverage_view *o)
{
	o->kommuner_reported = a->nrep;
	o->kommuner_total = a->ntotal;
	o->pop18_reported = a->pop18rep;
	o->pop18_total = a->pop18tot;
	fmt_ratio(a->pop18rep * 100, a->pop18tot, 1, o->percent, sizeof(o->percent));
}

int
bp_tables_coverage(const struct bp_tables *T, const char *level, const char *area,
    struct bp_coverage_view *out)
{
	size_t i = find_area(T, level, area);
	if (i == SIZE_MAX)
		return -1;
	coverage_of(&T->a[i], out);
	return 0;
}

struct sup_walk {
	int (*cb)(const struct bp_sup_cell *c, void *ud);
	void *ud;
};

static int
sup_row(const struct bp_tables *T, const struct rowctx *x, void *ud)
{
	struct sup_walk *w = ud;
	char table[160];
	/* a sum hidden beside its printed count: category "sum" (model 18) */
	bool sum_only = T->reason[x->row] == BP_REASON_NONE && T->sumhide[x->row];
	if (T->reason[x->row] == BP_REASON_NONE && !sum_only)
		return 0;
	row_table(T, x, table, sizeof(table));
	struct bp_sup_cell c = {
		.table = table, .level = bp_level_name(x->a->level), .area = x->a->code,
		.category = sum_only ? "sum" : row_category(T, x),
		.breakdown_value = bp_breakdown_at(x->b)->vals[x->v],
		.reason = (enum bp_reason)(sum_only ? T->sumhide[x->row] : T->reason[x->row]),
	};
	return w->cb(&c, w->ud);
}

int
bp_tables_foreach_suppressed(const struct bp_tables *T,
    int (*cb)(const struct bp_sup_cell *c, void *ud), void *ud)
{
	struct sup_walk w = { cb, ud };
	int rc = walk_rows(T, false, sup_row, &w);
	return rc ? rc : walk_rows(T, true, sup_row, &w);
}

/* ---- writing ------------------------------------------------------------ */

static int
tables_row(const struct bp_tables *T, const struct rowctx *x, void *ud)
{
	struct bp_cell_view o;
	char table[160];
	view_row(T, x, &o);
	row_table(T, x, table, sizeof(table));
	return fprintf(ud, "%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", T->year,
	    bp_level_name(x->a->level), x->a->code, table, bp_tb_group_name(T, x->g),
	    row_category(T, x), bp_breakdown_at(x->b)->name,
	    bp_breakdown_at(x->b)->vals[x->v], o.count_s, o.percent, o.rate,
	    o.estimate) < 0 ? -1 : 0;
}

int
bp_tables_write_tables(const struct bp_tables *T, FILE *f)
{
	if (fputs("year,level,area,table,indicator,category,breakdown,breakdown_value,"
	    "count,percent,rate_per_10k,estimate\n", f) < 0)
		return -1;
	return walk_rows(T, false, tables_row, f) ? -1 : 0;
}

static int
sums_row(const struct bp_tables *T, const struct rowctx *x, void *ud)
{
	size_t sc = bp_sum_cell(x->g - T->nind, x->b, x->v);
	uint32_t n = x->a->t->sum_n[sc];
	uint64_t sum = x->a->t->sum[sc];
	char cnt[24], s[24], mean[24];
	if (T->reason[x->row]) {
		strcpy(cnt, ":");
		strcpy(s, ":");
		strcpy(mean, ":");
	} else if (T->sumhide[x->row]) {
		snprintf(cnt, sizeof(cnt), "%" PRIu32, n);
		strcpy(s, ":");
		strcpy(mean, ":");
	} else {
		snprintf(cnt, sizeof(cnt), "%" PRIu32, n);
		snprintf(s, sizeof(s), "%" PRIu64, sum);
		fmt_ratio(sum, n, 2, mean, sizeof(mean));
	}
	return fprintf(ud, "%d,%s,%s,%s,%s,%s,%s,%s,%s\n", T->year,
	    bp_level_name(x->a->level), x->a->code, bp_tb_group_name(T, x->g),
	    bp_breakdown_at(x->b)->name, bp_breakdown_at(x->b)->vals[x->v], cnt, s,
	    mean) < 0 ? -1 : 0;
}

int
bp_tables_write_sums(const struct bp_tables *T, FILE *f)
{
	if (fputs("year,level,area,measure,breakdown,breakdown_value,count,sum,mean\n", f) < 0)
		return -1;
	return walk_rows(T, true, sums_row, f) ? -1 : 0;
}

int
bp_tables_write_coverage(const struct bp_tables *T, FILE *f)
{
	if (fputs("year,level,area,kommuner_reported,kommuner_total,"
	    "population_18plus_reported,population_18plus_total,coverage_percent\n", f) < 0)
		return -1;
	for (size_t i = 0; i < T->na; i++) {
		const struct area *a = &T->a[i];
		struct bp_coverage_view o;
		if (!(T->s.levels & a->level))
			continue;
		coverage_of(a, &o);
		if (fprintf(f, "%d,%s,%s,%u,%u,%" PRIu64 ",%" PRIu64 ",%s\n", T->year,
		    bp_level_name(a->level), a->code, o.kommuner_reported, o.kommuner_total,
		    o.pop18_reported, o.pop18_total, o.percent) < 0)
			return -1;
	}
	return 0;
}

/* A JSON value for a figure as tables.csv prints it: a number, ":" when
 * suppressed, null when undefined. A new reference; NULL on ENOMEM. */
static json_t *
json_fig(const char *s)
{
	if (!strcmp(s, ":"))
		return json_string(":");
	if (!*s)
		return json_null();
	json_t *v = bp_json_number_text(s);
	return v ? v : json_string(s);
}

struct json_walk {
	FILE *f;
	bool first;
};

static int
json_row(const struct bp_tables *T, const struct rowctx *x, void *ud)
{
	struct json_walk *w = ud;
	struct bp_cell_view o;
	char table[160];
	view_row(T, x, &o);
	row_table(T, x, table, sizeof(table));
	json_t *row = json_pack("[i,s,o,o,o,o,o,o,o,o,o,o]", T->year,
	    bp_level_name(x->a->level), bp_json_text(x->a->code), bp_json_text(table),
	    bp_json_text(bp_tb_group_name(T, x->g)), bp_json_text(row_category(T, x)),
	    bp_json_text(bp_breakdown_at(x->b)->name),
	    bp_json_text(bp_breakdown_at(x->b)->vals[x->v]), json_fig(o.count_s),
	    json_fig(o.percent), json_fig(o.rate), json_fig(o.estimate));
	int rc = !row || fputs(w->first ? "\n" : ",\n", w->f) < 0 ||
	    json_dumpf(row, w->f, JSON_COMPACT | BP_JSON_FLAGS) < 0 ? -1 : 0;
	json_decref(row);
	w->first = false;
	return rc;
}

/*
 * tables.json: {"year":Y,"columns":[...],"rows":[[...],...]}, the rows of
 * tables.csv in the same order, one a line; figures are JSON numbers, ":"
 * when suppressed, null when undefined (a percent of an empty i_alt).
 * jansson dumps the head and every row; the rows are streamed (one row in
 * memory at a time), so the brackets around them are written here.
 */
int
bp_tables_write_json(const struct bp_tables *T, FILE *f)
{
	struct json_walk w = { f, true };
	json_t *head = json_pack("{s:i,s:[s,s,s,s,s,s,s,s,s,s,s,s],s:[]}", "year", T->year,
	    "columns", "year", "level", "area", "table", "indicator", "category", "breakdown",
	    "breakdown_value", "count", "percent", "rate_per_10k", "estimate", "rows");
	char *text = head ? json_dumps(head, JSON_COMPACT | BP_JSON_FLAGS) : NULL;
	size_t n = text ? strlen(text) : 0;
	json_decref(head);
	/* text ends in "[]}": write it up to the rows' "[". */
	int rc = n < 3 || fwrite(text, 1, n - 2, f) != n - 2 ? -1 : 0;
	free(text);
	if (rc < 0 || walk_rows(T, false, json_row, &w))
		return -1;
	return fputs("\n]}\n", f) < 0 ? -1 : 0;
}
