/*
 * publish.h - the published tables of a year at three levels (nasjonal,
 * fylke, kommune), their small-cell suppression, and the release files
 * (doc/measures.md, privacy.md, interfaces.md).
 *
 * The in-memory part needs no store: give it the year, a list of
 * (kommune, tally) pairs, the registry and the settings. bp_tables_build
 * sums the fylke and national tallies; bp_tables_suppress runs one
 * suppression problem per indicator and per sum measure (every level linked)
 * and the LP audit of each; bp_tables_write_* print the release files.
 *
 * Row order, everywhere: level (nasjonal, fylke, kommune), area (number
 * order), indicator (catalogue order), breakdown (catalogue order), value,
 * category (catalogue order, then i_alt). Sums: level, area, measure,
 * breakdown, value.
 */
#ifndef BP_PUBLISH_H
#define BP_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "conf.h"
#include "measures.h"
#include "progress.h"
#include "registry.h"
#include "profile.h"

enum bp_level {
	BP_LEVEL_NASJONAL = 0x1,
	BP_LEVEL_FYLKE = 0x2,
	BP_LEVEL_KOMMUNE = 0x4,
};
#define BP_LEVEL_ALL 0x7
/* "nasjonal", "fylke", "kommune" for one level bit. */
const char *bp_level_name(unsigned level);
/* Parses a level name into its bit; 0 when unknown. */
unsigned bp_level_parse(const char *name);

#define BP_PUB_MAX_BREAKDOWNS 16

/* What a release depends on besides the tallies and the registry. */
/* The release model's version that new releases are made with. */
#define BP_RELEASE_MODEL_VERSION 24u
/* The republishing rule's version that new releases are made with. */
#define BP_REPUBLISH_MODEL 7u

struct bp_pub_settings {
	unsigned min_cell;
	bool suppress_zero;
	bool per_table;     /* [publish] shared_cells = per_table: no settling */
	bool release_model; /* [publish] method = release (release.c); false:
	                       per_group, also for releases logged without a
	                       method */
	unsigned model_version; /* of the release model: 1 its first form
	                           (logged without "model"), 2 with the
	                           relations between indicators (release.c),
	                           3 the repair priced in pairs
	                           (BP_SUP_PRICE_PAIRS), 4 in chains
	                           of partners (BP_SUP_PRICE_PAIRS_BLIND),
	                           a large component audited in chunks on
	                           the cores (bp_sup_set_chunks), 5 the
	                           cleanup (bp_sup_set_cleanup), 6 the
	                           links between levels (release_links.c),
	                           7 the joint check of each area
	                           (release_joint.c), 8 each round's LP of
	                           a large component started from its basis
	                           of the round before (bp_sup_set_warm),
	                           and not repaired again after the joint
	                           check hides a cell, 9 the check of the
	                           whole release where it is small
	                           (bp__rel_joint_whole), 10 where it is
	                           not, the same check by fylke, 13
	                           with suppress_zero a 0 the tables tell
	                           published (bp_sup_fix_known_zeros), 14
	                           the check by fylke's first solve from a
	                           feasible basis, 15 the counts of
	                           sums.csv (release_sums.c), 16 national
	                           complements exchanged for cheaper ones
	                           (bp_sup_set_exchange), 17 heavy use
	                           tied to its substance (release_heavy.c),
	                           18 the sums of sums.csv tied to the
	                           cells they add up, each hidden on its
	                           own (release_sumties.c), 19 the
	                           checks of each area and of the whole
	                           release know model 17's tie
	                           (release_joint_heavy.c), 20 and what a
	                           printed sum of ages tells
	                           (release_joint_ages.c), 21 their
	                           programs without what can only be 0
	                           (release_joint_zeros.c), with one
	                           column of years per group of classes,
	                           22 and what the levekårsindeks
	                           definitions tie (release_joint_index.c),
	                           23 the chunks of a large component's
	                           audit one search for a feasible point
	                           a round (bp_sup_set_search_once) */
	unsigned republish_model; /* of the republishing rule: 1 (releases
	                             logged without republish_model) compares
	                             with the previous release of the year, a
	                             fall as a fall; 2 with every earlier one,
	                             a fall as a possible rise (relations.c);
	                             3 (method = release) adds what the
	                             kommuner new since tell with an earlier
	                             release (release_republish.c) */
	unsigned levels;                            /* BP_LEVEL_* bits */
	bool kommune_bd[BP_PUB_MAX_BREAKDOWNS];     /* breakdown b at kommune level */
	unsigned char kommune_bd_order[BP_PUB_MAX_BREAKDOWNS]; /* as listed */
	size_t nkommune_bd;                         /* in kommune_bd_order */
	struct bp_profile *profile; /* tables per level (profile.h); NULL: all.
	                             * Owned by the settings: bp_pub_settings_free */
	struct bp_measure_settings measures;        /* recorded only */
};

/* Frees what the settings own (the profile); s stays valid to free again. */
void bp_pub_settings_free(struct bp_pub_settings *s);

/* Fills s from the configuration and the levels asked for (0 = all),
 * loading the configured release profile. Returns 0, or -1 with a message in
 * err (an unknown breakdown name, a profile that cannot be read). The caller
 * frees s with bp_pub_settings_free, also after an error. */
int bp_pub_settings_from_conf(const struct bp_config *c, unsigned levels,
    struct bp_pub_settings *s, char *err, size_t errlen);
/* Parses a comma list of breakdown names into s->kommune_bd, and their
 * order (a name listed twice counts once) into s->kommune_bd_order; 0 or -1. */
int bp_pub_parse_breakdowns(const char *list, struct bp_pub_settings *s);
/* Writes the kommune breakdown list back as "total,brukergruppe,rop", in
 * the order it was configured (release.json and the log record it so). */
void bp_pub_format_breakdowns(const struct bp_pub_settings *s, char *buf, size_t len);

/* One kommune's tally for the year. */
struct bp_pub_kommune {
	char nr[5];
	const struct bp_tally *t;   /* borrowed for the life of the tables */
	int64_t received;           /* when its latest submission was applied
	                               (unix), 0 unknown */
};

/* Why a cell is suppressed (BP_REASON_NONE: published). */
enum bp_reason {
	BP_REASON_NONE = 0,
	BP_REASON_PRIMARY,
	BP_REASON_SECONDARY,
	BP_REASON_LINKED,
	BP_REASON_DIFFERENCE,
};
const char *bp_reason_name(enum bp_reason r);
enum bp_reason bp_reason_parse(const char *s);

struct bp_tables;   /* opaque */

/*
 * Builds the tables of a year from the kommune tallies (in any order; each
 * kommune at most once, every one in the registry). The tallies are
 * borrowed and must outlive *out. Returns 0, or -1 with a message in err.
 * The caller frees *out with bp_tables_free.
 */
int bp_tables_build(int year, const struct bp_pub_kommune *k, size_t nk,
    const struct bp_registry *reg, const struct bp_pub_settings *s,
    struct bp_tables **out, char *err, size_t errlen);
void bp_tables_free(struct bp_tables *t);

/*
 * Last published values of a year (the previous release), for the
 * protect_differences rule: count cells keyed by level, area, table,
 * category and breakdown value; a suppressed cell is remembered as such.
 */
struct bp_prev;
/* Reads the tables.csv and sums.csv of a kept release (sums may be NULL).
 * Returns 0, or -1 with "file:line: reason" in err. Free with bp_prev_free. */
int bp_prev_load(const char *tables_csv, const char *sums_csv, struct bp_prev **out,
    char *err, size_t errlen);
/* Loads a release of the year made before every release p holds (the
 * releases of a year are compared with all earlier ones, newest first);
 * p keeps it and bp_prev_free frees it with p. 0, or -1 as bp_prev_load. */
int bp_prev_add_older(struct bp_prev *p, const char *tables_csv, const char *sums_csv,
    char *err, size_t errlen);
/* Frees p and every older release it holds. */
void bp_prev_free(struct bp_prev *p);
/* Sets the time (unix) of the oldest release p holds, the one loaded
 * last (republish model 5 asks which kommuner submitted after it), and
 * whether its settings showed every 0 (then each cell it hid is >= 1). */
void bp_prev_set_oldest_meta(struct bp_prev *p, int64_t t, bool zeros_shown);
/* Records that the oldest release p holds read kommune's submission
 * applied at received (its log entry's "received"; republish model 6 tells
 * a resubmission by it); kommune NULL: only that its entry records them.
 * 0, or -1 (EINVAL: not a kommune number; ENOMEM). */
int bp_prev_set_oldest_received(struct bp_prev *p, const char *kommune, int64_t received);
/* What kommune's latest submission, applied at received, is to release p
 * (the newest p holds): the one p read (SAME), one of a kommune p read none
 * of (NEW) or another (AGAIN), told by the received times p's log entry
 * records; for a release logged without them, AFTER when applied in a later
 * second than p's time, else SAME. */
enum bp_since { BP_SINCE_SAME, BP_SINCE_NEW, BP_SINCE_AGAIN, BP_SINCE_AFTER };
enum bp_since bp_prev_since(const struct bp_prev *p, const char *kommune, int64_t received);
/* The first table that t publishes and the previous release did not (its
 * level and name into name): true, or false when t stays within them. A
 * republished year must: the rule's guarantee (the previous pattern kept,
 * unchanged figures publish a subset of what was published before) holds
 * only for tables both releases have; a table new to the year would be
 * combined with the old release's figures, which its suppression never saw
 * (a national table beside an earlier kommune release gave away kommune
 * cells by subtraction). */
bool bp_prev_new_table(const struct bp_tables *t, const struct bp_prev *prev, char *name,
    size_t len);


/*
 * Runs suppression: primary, the republishing rule when prev is not NULL
 * (cells that moved by 1..min_cell-1 since prev are primary with reason
 * difference; cells suppressed in prev stay suppressed), secondary and
 * linked complements, then the LP audit of every group. Returns 0, or -1
 * with a message in err (then nothing may be published).
 */
int bp_tables_suppress(struct bp_tables *t, const struct bp_prev *prev,
    char *err, size_t errlen);
/* After bp_tables_suppress of a republished year (republish model 5): the
 * hidden cells that the earlier releases' own figures bound below min_cell
 * to a reader of them, which no pattern of this release can change. */
size_t bp_tables_earlier_bound(const struct bp_tables *t);

/* One published count cell, looked up for tests and tools. */
struct bp_cell_view {
	uint32_t count;
	uint32_t i_alt;            /* the i_alt of its breakdown value */
	enum bp_reason reason;     /* BP_REASON_NONE when published */
	char count_s[24], percent[24], rate[24], estimate[24]; /* as written */
};
/* Looks up a cell of tables.csv; 0, or -1 when no such row. */
int bp_tables_lookup(const struct bp_tables *t, const char *level, const char *area,
    const char *table, const char *category, const char *breakdown_value,
    struct bp_cell_view *out);

/* Coverage of an area as written in coverage.csv; 0, or -1 when unknown. */
struct bp_coverage_view {
	unsigned kommuner_reported, kommuner_total;
	uint64_t pop18_reported, pop18_total;
	char percent[24];
};
int bp_tables_coverage(const struct bp_tables *t, const char *level, const char *area,
    struct bp_coverage_view *out);

/* The number of rows of tables.csv and of sums.csv (without headers). */
size_t bp_tables_nrows(const struct bp_tables *t);
size_t bp_tables_nsum_rows(const struct bp_tables *t);

/* Every suppressed cell, in row order (tables.csv, then sums.csv); a sums
 * cell has category "" and table "<measure>__<breakdown>". A non-zero cb
 * return stops the walk and is returned. */
struct bp_sup_cell {
	const char *table, *level, *area, *category, *breakdown_value;
	enum bp_reason reason;
};
int bp_tables_foreach_suppressed(const struct bp_tables *t,
    int (*cb)(const struct bp_sup_cell *c, void *ud), void *ud);

/* Hidden count cells per level (tables.csv and sums.csv rows), in percent:
 * share[0] nasjonal, [1] fylke, [2] kommune (0 for a level not published). */
void bp_tables_hidden_shares(const struct bp_tables *t, double share[3]);

/* The release files, RFC 4180 with CRLF-free "\n" line ends; 0 or -1 (I/O). */
int bp_tables_write_tables(const struct bp_tables *t, FILE *f);
int bp_tables_write_sums(const struct bp_tables *t, FILE *f);
int bp_tables_write_coverage(const struct bp_tables *t, FILE *f);
int bp_tables_write_json(const struct bp_tables *t, FILE *f);

/* BLAKE2b-256 over the kommune tallies in number order: identifies the
 * store's content a release was made from. */
void bp_tables_input_digest(const struct bp_tables *t, uint8_t out[32]);

/*
 * Whole releases, as bpagg publish and bpagg audit run them (publish.c).
 */
struct bp_publish_opts {
	int year;
	unsigned levels;      /* 0 = all */
	const char *outdir;
	bool json;            /* also tables.json */
	FILE *notes;          /* what recovery did (rollbacks, moves); NULL: silent */
	struct bp_progress progress; /* steps done of PUBLISH_STEPS; cb NULL: none */
	bool dry_run;         /* suppress and say what the release would hide, in
	                       * dry_out; write nothing (outdir unused) */
	FILE *dry_out;
};
/* Publishes a release: verifies the suppression log and recovers from an
 * interrupted publish (release_dir.h), reads the store, suppresses, stages
 * the files beside the log, appends the release to the log, then moves the
 * files into releases/ID and outdir (replacing an earlier release there
 * whole). On success writes the release id into id (>= 64 bytes) and
 * returns 0; otherwise returns a sysexits code with a message in err.
 * A dry run reads the log (refusing one that ends with an unfinished
 * publish, which only a publish may roll back) and the store, suppresses,
 * writes what the release would hide to o->dry_out and id "", and changes
 * nothing. */
int bp_publish(const struct bp_config *c, const struct bp_publish_opts *o,
    char *id, size_t idlen, char *err, size_t errlen);

/* Audits the log (every release, or only release when not NULL); prints
 * notes to out. With published (a folder written by bpagg publish --out),
 * the log must also seal the release it holds, with the same files, and
 * only that release is re-derived. Returns 0 when everything holds, 1 with
 * the first broken entry in err ("suppression.log:17: hash chain broken"),
 * or another sysexits code when the audit could not run. progress (may be
 * NULL) hears the releases audited of those to audit. */
int bp_audit(const struct bp_config *c, const char *release, const char *published,
    FILE *out, const struct bp_progress *progress, char *err, size_t errlen);

#endif
