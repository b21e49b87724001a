/*
 * profile.h - a release profile: which tables (indicator or sum measure by
 * breakdown) each level of a release publishes ([publish] profile,
 * bpagg-publish(1), PROFILES). Profiles are text files, one rule a line:
 *
 *     # comment
 *     LEVEL PATTERN [PATTERN ...]
 *
 * LEVEL is nasjonal, fylke or kommune; a PATTERN is a table id
 * (<indicator>__<breakdown>, or <sum measure>__<breakdown>) in which * and ?
 * match as in a shell (fnmatch(3)). Every pattern must name at least one
 * table of the catalogue. The profile's digest is that of the selection it
 * makes (level and table id of every table, in catalogue order), so comments
 * and the order of lines do not change it; it is recorded in release.json
 * and checked by bpagg audit.
 */
#ifndef BP_PROFILE_H
#define BP_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bp_profile {
	char name[64];            /* as configured: a name or a path */
	uint8_t digest[32];       /* BLAKE2b-256 of the selection */
	size_t ngroup, nbd;       /* indicators + sum measures, breakdowns */
	unsigned char *on;        /* 3 levels x ngroup x nbd: 1 = published */
};

/*
 * Finds the file of profile name: a name holding '/' or ending in ".profile"
 * is a path (relative to confdir when not absolute); otherwise NAME.profile in $BPAGG_PROFILE_DIR,
 * in the installed profiles (pkgdatadir/profiles), or in the source tree's
 * conf/profiles (programs run from the build directory). 0, or -1 with a
 * message saying where it looked.
 */
int bp_profile_path(const char *name, const char *confdir, char *out, size_t len,
    char *err, size_t errlen);

/*
 * Reads the profile at path (name is what the configuration called it).
 * On success *out is set; the caller frees it with bp_profile_free. On
 * error returns -1 with "path:line:column: reason" in err.
 */
int bp_profile_load(const char *path, const char *name, struct bp_profile **out,
    char *err, size_t errlen);

/* Whether the profile publishes group g (indicator, then sum measure) by
 * breakdown b at level (BP_LEVEL_* bit). A NULL profile publishes all. */
bool bp_profile_has(const struct bp_profile *p, unsigned level, size_t g, size_t b);

void bp_profile_free(struct bp_profile *p);

#endif
