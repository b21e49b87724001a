/*
 * lock.h - the lock on an installation, shared by bpaggd(8) and `bpagg
 * rebuild`: an exclusive flock(2) on ".bpaggd.lock" in the private queue
 * (queue/ in the directory that holds bpagg.conf, mode 0700, owned by the
 * user bpaggd runs as; the lock file 0600, the queue's owner's), held for
 * as long as the process runs: no other user can open it, so no other user
 * can hold it. A second bpaggd on the same installation refuses to
 * start, and `bpagg rebuild` refuses while bpaggd runs.
 */
#ifndef BP_LOCK_H
#define BP_LOCK_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"

/* The state directory of c ([paths] state, by default the directory of
 * c->path) into out. Returns 0, or -1 when it does not fit. */
int bp_state_dir(const struct bp_config *c, char *out, size_t outlen);

/*
 * Takes the lock without waiting. Returns 0 with *fd the open lock file
 * (closing it releases the lock), 1 when another process holds it, or -1
 * with a message in err; the lock file's path is in err in both failures.
 * Creates queue/ (0700) when missing; a queue or lock file open to others
 * is made private when this process may (root or the owner), else refused.
 */
int bp_lock_install(const struct bp_config *c, int *fd, char *err, size_t errlen);

/*
 * The rebuild lock, queue/.rebuild.lock (made as the lock above): bpagg
 * rebuild takes it exclusively (rebuild true; it waits for a reset being
 * recorded) beside the installation lock, and bpagg reset-sequence shared,
 * without waiting, for as long as it writes (bpaggd may run meanwhile),
 * so that a reset is never written into a store a rebuild replaces.
 * Returns as bp_lock_install.
 */
int bp_lock_rebuild(const struct bp_config *c, bool rebuild, int *fd, char *err,
    size_t errlen);

#endif
