/*
 * run.h - what bpagg publish and bpagg audit share (private to publish/):
 * the inputs of a release read from the store, the kommune registry, the
 * suppression log's view of earlier releases and the settings a release
 * records. publish.c writes releases, audit.c re-derives them.
 */
#ifndef BPAGG_PUBLISH_RUN_H
#define BPAGG_PUBLISH_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "keys.h"
#include "publish.h"
#include "suplog.h"

/* The files of a release, in the order they are written. */
#define NFILES 5
extern const char *const bp_release_files[NFILES];
enum { F_TABLES, F_SUMS, F_COVERAGE, F_JSON, F_RELEASE };

/* The tallies of a year, copied out of the store. */
struct bp_run_inputs {
	struct bp_pub_kommune *k;
	struct bp_tally *t;
	size_t n, cap;
};

/* Everything one publish run holds, freed by bp_run_free. */
struct bp_run {
	struct bp_registry reg;
	bool reg_loaded;
	struct bp_key sk;
	bool sk_loaded;
	struct bp_run_inputs in;
	struct bp_suplog log;
	struct bp_prev *prev;
	struct bp_tables *t;
};

/* Frees what r holds (each part only when loaded) but not r. */
void bp_run_free(struct bp_run *r);

/* Loads the kommune registry at path into *reg (the caller frees it with
 * bp_registry_free) and its digest into dig. 0, or -1 with err. */
int bp_run_load_registry(const char *path, struct bp_registry *reg, uint8_t dig[32],
    char *err, size_t errlen);

/* Reads the tallies of year made under measure settings m into *in (owned
 * by in, freed by bp_run_free through the run holding it). 0 or a sysexits
 * code with err. */
int bp_run_load_inputs(const struct bp_config *c, int year,
    const struct bp_measure_settings *m, struct bp_run_inputs *in, char *err,
    size_t errlen);

/* The line index of the last release entry of year before line `before`
 * (SIZE_MAX: none). */
size_t bp_log_last_release(const struct bp_suplog *l, int year, size_t before);

/* Checks the kept files of the release entry at line i against its
 * digests. 0, or -1 with why. */
int bp_log_check_kept(const struct bp_config *c, const struct bp_suplog *l, size_t i,
    char *why, size_t whylen);

/* The received times release entry i was made with (its "received",
 * written since 2026-12-07), in place of the store's of today in in; an
 * entry without them leaves the store's. */
void bp_log_recorded_received(const struct bp_suplog *l, size_t i, struct bp_run_inputs *in);

/* Loads the previous release (line index p) for the difference rule into
 * *prev, and with chain every earlier release of its year too (each kept
 * folder checked against its digests first); the caller frees *prev with
 * bp_prev_free. 0 or -1 with err (*prev NULL). */
int bp_log_load_prev(const struct bp_config *c, const struct bp_suplog *l, size_t p,
    bool chain, struct bp_prev **prev, char *err, size_t errlen);

/* The "settings" object of a release entry and of release.json: a new
 * reference the caller json_decref()s; NULL on ENOMEM. */
json_t *bp_settings_json(const struct bp_config *c, const struct bp_pub_settings *s,
    const uint8_t regdig[32]);

/* Reads the settings of the release entry at line i back into *s (the
 * caller frees it with bp_pub_settings_free), the republish rule into rule
 * and the registry's digest (hex) into regdig. 0 or -1. */
int bp_settings_read(const struct bp_suplog *l, size_t i, struct bp_pub_settings *s,
    char *rule, size_t rulelen, char *regdig, size_t reglen);

#endif
