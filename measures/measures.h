/*
 * measures.h - derived measures and the table catalogue
 * (doc/measures.md).
 *
 * The catalogue lists every indicator (with its categories), every breakdown
 * (with its values) and every sum measure. A row is classified once into a
 * struct bp_class; a struct bp_tally then holds, for one kommune and year,
 * the dense count of every cell indicator x category x breakdown x value and
 * the count and sum of every sum measure x breakdown x value. National and
 * fylke figures are sums of kommune tallies; category "i_alt" rows are sums
 * over categories and are not stored.
 *
 * Cell layout: for indicator i and breakdown b, the block of cells starts at
 * bp_cell_offset(i, b) and holds ncat(i) * nval(b) counts, category-major:
 * cell(i, b, c, v) = bp_cell_offset(i, b) + c * nval(b) + v.
 * Sum cells: bp_sum_cell(m, b, v), one per sum measure and breakdown value.
 * The catalogue and its order are documented in measures/measures.c and
 * bpagg-measures(7); the layout is part of bp_catalogue_id.
 *
 * Thread safety: the catalogue tables are built once, at first use, under
 * pthread_once; every function here may be called from any thread, and a
 * tally may be used by one thread at a time.
 */
#ifndef BP_MEASURES_H
#define BP_MEASURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bp_row;
struct bp_kommune;

/* Settings that change how a row is classified (part of the store's identity). */
struct bp_measure_settings {
	int rop_definition;   /* 2016 (default) or 2015 */
	double lki_cut[3];    /* index cut points, default 0.5, 1.0, 1.5 */
};
void bp_measure_settings_default(struct bp_measure_settings *s);

struct bp_indicator {
	const char *name;         /* e.g. "bolig", "nav_sosialhjelp" */
	size_t ncat;
	const char *const *cats;  /* category names, e.g. gronn/gul/rod */
};

struct bp_breakdown {
	const char *name;         /* "total", "rop_skala", ... */
	size_t nval;
	const char *const *vals;  /* "alle" for total */
};

struct bp_sum_measure {
	const char *name;         /* "alder", "antall_barn", ... */
};

size_t bp_n_indicators(void);
const struct bp_indicator *bp_indicator_at(size_t i);
/* Index of the indicator called name, or -1. */
int bp_indicator_find(const char *name);

size_t bp_n_breakdowns(void);
const struct bp_breakdown *bp_breakdown_at(size_t b);
int bp_breakdown_find(const char *name);

size_t bp_n_sum_measures(void);
const struct bp_sum_measure *bp_sum_measure_at(size_t m);

/* Dense layout of a tally. */
size_t bp_n_cells(void);                 /* all count cells */
size_t bp_cell_offset(size_t i, size_t b);
size_t bp_n_sum_cells(void);             /* sum measures x all breakdown values */
/* Sum cell of measure m, breakdown b, value v. */
size_t bp_sum_cell(size_t m, size_t b, size_t v);

/*
 * A 32-byte identity of the catalogue and the settings: a store built with a
 * different catalogue or settings must be rebuilt before it is summed.
 */
void bp_catalogue_id(const struct bp_measure_settings *s, uint8_t out[32]);

/* One row, classified: a category per indicator and a value per breakdown
 * (-1 = not counted in that indicator / breakdown), and the sum measures. */
struct bp_class {
	int16_t cat[256];       /* indexed by indicator; -1 = not applicable */
	int16_t val[16];        /* indexed by breakdown; -1 = not applicable */
	int32_t sum[16];        /* indexed by sum measure */
	bool has_sum[16];       /* false = not recorded (e.g. antall_barn empty) */
};

/* Derived values the tests and reports need on their own. */
enum bp_rop { BP_ROP_IKKE_AKTUELT, BP_ROP_IKKE_ROP, BP_ROP_GUL_ROD, BP_ROP_ROD_GUL, BP_ROP_ROD_ROD };
enum bp_rop bp_rop_scale(const struct bp_row *r, int definition);
/* Levekårsindeks over 8 areas (six = false) or 6 areas (six = true):
 * 0 gronn, 1 gul, 2 rod, 3 blalys. */
int bp_lki(const struct bp_row *r, bool six, const double cut[3]);
/* Kommune size class 0..4 (u2500 .. 30000p) from its total population. */
int bp_kommune_size(uint32_t population);

/* Age groups of an age in years: alder7 0..6 (u24, 24_29, 30_39, 40_49,
 * 50_59, 60_69, 70p) and alder4 0..3 (u24, 24_44, 45_59, 60p). */
int bp_alder7(int alder);
int bp_alder4(int alder);
/* User group 0 rus, 1 rus_psyk, 2 psyk; -1 when neither problem is known. */
int bp_brukergruppe(const struct bp_row *r);
/* Substance-user group 0 uten_psyk, 1 mindre_alvorlig_psyk, 2 alvorlig_psyk;
 * -1 for rows with rusproblem N. psykisk_helse = rod gives alvorlig_psyk even
 * when psykisk_problem is N (the red score is the stronger observation). */
int bp_rusgruppe(const struct bp_row *r);
/* Number of heavy substances (betydelig or svaert_omfattende); with
 * illegal_only, alkohol is left out. -1 for rows with rusproblem N. */
int bp_heavy_count(const struct bp_row *r, bool illegal_only);
/* A substance amount that counts as heavy: betydelig or svaert_omfattende. */
bool bp_heavy_amount(int amount);

/* Index of category name in indicator i, or -1 (tests and publishing). */
int bp_category_find(size_t i, const char *name);
/* Index of value name in breakdown b, or -1. */
int bp_breakdown_value_find(size_t b, const char *name);
/* Index of the sum measure called name, or -1. */
int bp_sum_measure_find(const char *name);
/*
 * The canonical text the catalogue id is the hash of (one line per
 * indicator, breakdown, sum measure and setting). Written into buf as a
 * NUL-terminated string; returns its length, or the length needed (like
 * snprintf) when len is too small.
 */
size_t bp_catalogue_text(const struct bp_measure_settings *s, char *buf, size_t len);

/* Classifies one row of kommune k (k gives kommunestorrelse; NULL = not
 * counted in that breakdown). */
void bp_classify(const struct bp_row *r, const struct bp_kommune *k,
    const struct bp_measure_settings *s, struct bp_class *out);

/* The counts of one kommune and year. */
struct bp_tally {
	uint32_t rows;
	uint32_t *counts;    /* bp_n_cells() entries */
	uint32_t *sum_n;     /* bp_n_sum_cells(): persons with the measure recorded */
	uint64_t *sum;       /* bp_n_sum_cells(): sum of the measure */
};
/* Allocates a zeroed tally; 0 or -1 (ENOMEM). Free with bp_tally_free. */
int bp_tally_init(struct bp_tally *t);
void bp_tally_free(struct bp_tally *t);
void bp_tally_clear(struct bp_tally *t);
void bp_tally_add_class(struct bp_tally *t, const struct bp_class *c);
/* t += u (national and fylke sums). */
void bp_tally_add(struct bp_tally *t, const struct bp_tally *u);
bool bp_tally_equal(const struct bp_tally *t, const struct bp_tally *u);

#endif
