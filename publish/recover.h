/*
 * recover.h - what bpagg publish does before anything else, under the log's
 * exclusive lock: the suppression log must verify (numbering, chain, seals,
 * with the public half of the signing key), the tail an interrupted append
 * left is rolled back (bp_suplog_rollback), and releases/ is put in line
 * with the log (bp_release_recover: a logged release still staged is moved
 * in, unlogged staged folders are removed, unnamed folders moved aside).
 */
#ifndef BP_RECOVER_H
#define BP_RECOVER_H

#include <stdio.h>

#include "conf.h"
#include "suplog.h"

struct bp_key;

/*
 * An unsealed tail is an append that publish never finished, so no release
 * it names can be one already sealed or have its folder kept in releases/
 * (publish moves the folder there only after the seal): if one does, the
 * seal was cut off or removed (or the log lost its last newline), and
 * rolling the tail back would drop a published release from the log.  Both
 * bpagg audit and bpagg publish refuse such a log.  0, or 1 with err set.
 */
int bp_log_tail_cut(const struct bp_config *c, const struct bp_suplog *l, char *err,
    size_t errlen);

/* l is open for appending; sk is the Ed25519 signing key of the seals.
 * Every action is one line on notes (may be NULL). Returns 0, or a
 * sysexits code with err: 65 the log does not verify or its tail is a cut
 * seal (bp_log_tail_cut), 74 I/O. */
int bp_publish_recover(const struct bp_config *c, struct bp_suplog *l,
    const struct bp_key *sk, FILE *notes, char *err, size_t errlen);

#endif
