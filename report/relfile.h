/*
 * relfile.h - one release as the report sees it: read from the release's own
 * files (tables.csv, coverage.csv, release.json), never from the store, so
 * the report can print nothing that the suppression hid.
 *
 * Figures are kept as the strings of the file (":" for a suppressed cell,
 * "" for an empty one), so a number in the report is the release's cell
 * byte for byte (only the decimal point becomes a comma when printed).
 */
#ifndef BP_RELFILE_H
#define BP_RELFILE_H

#include <stddef.h>

/* The four figures of one cell of tables.csv. */
struct bp_rcell {
	char count[16], percent[16], rate[16], estimate[16];
};

/* One coverage.csv row. */
struct bp_rcov {
	char level[12], area[8];
	long reported, total;        /* kommuner */
	long pop_reported, pop_total; /* population 18+ */
	char percent[16];            /* coverage_percent as in the file */
};

/* Categories and breakdown values of one table, in the file's order. */
struct bp_rtable {
	char id[96];
	char **cat;
	size_t ncat;
	char **bv;
	size_t nbv;
};

struct bp_rent; /* hash entry, private */

struct bp_release {
	char dir[512];
	char id[96];          /* release id, "" when release.json lacks it */
	int year;
	/* release.json's digests of tables.csv and coverage.csv (lower-case
	 * hex), "" when it records none */
	char digest_tables[65], digest_cov[65];
	/* Definitions in force (release.json settings); -1 / negative when the
	 * release does not say. */
	int rop_definition;
	double lki_cut[3];    /* gul, rod, blalys */
	int min_cell;
	char levels[64];
	struct bp_rcov *cov;
	size_t ncov;
	struct bp_rtable *tab;
	size_t ntab;
	struct bp_rent *ent;  /* open-addressing table of kept cells */
	size_t nent, capent;
};

/*
 * Which cells to keep: every cell of the (level, area) pairs in want (an
 * array of "level/area" strings), and the cells of the tables in keep_all
 * (table ids) at every area. NULL lists are empty.
 */
struct bp_relfilter {
	const char *const *want;
	size_t nwant;
	const char *const *keep_all;
	size_t nkeep_all;
};

/*
 * Reads the release in dir. Unknown keys of release.json are ignored and
 * missing ones left unknown. On error returns -1 with a message naming the
 * file and line in err. The caller frees r with bp_release_free.
 */
int bp_release_load(const char *dir, const struct bp_relfilter *f,
    struct bp_release *r, char *err, size_t errlen);
void bp_release_free(struct bp_release *r);

/* The kept cell, or NULL when the release has no such row (or it was not
 * kept by the filter). */
const struct bp_rcell *bp_release_cell(const struct bp_release *r, const char *level,
    const char *area, const char *table, const char *category, const char *bv);
const struct bp_rtable *bp_release_table(const struct bp_release *r, const char *id);
const struct bp_rcov *bp_release_cov(const struct bp_release *r, const char *level,
    const char *area);

/* True when the two releases define rop_skala (and rop) the same way, and
 * the levekårsindeks with the same cut points. Unknown counts as differing. */
int bp_release_same_rop(const struct bp_release *a, const struct bp_release *b);
int bp_release_same_lki(const struct bp_release *a, const struct bp_release *b);

#endif
