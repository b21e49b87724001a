/*
 * progress.h - the progress callback long-running library calls take
 * (the sample generator, bp_publish, bp_audit). A library calls it at
 * stage changes and now and then within a stage; what is shown, and
 * whether anything is, is the caller's business (cli/progress.c draws it
 * on a terminal). Declared here, in the earliest stage that calls it.
 */
#ifndef BP_PROGRESS_H
#define BP_PROGRESS_H

#include <stdint.h>

/*
 * stage: a short fixed text ("suppressing"); never a value read from an
 * export. done of total units of that stage (total 0: not known). ud is
 * the caller's pointer given beside the callback.
 */
typedef void (*bp_progress_cb)(void *ud, const char *stage, uint64_t done, uint64_t total);

/* A callback and its pointer; cb NULL means no progress is wanted. */
struct bp_progress {
	bp_progress_cb cb;
	void *ud;
};

/* Calls p's callback when there is one (p may be NULL). */
static inline void
bp_progress_report(const struct bp_progress *p, const char *stage, uint64_t done,
    uint64_t total)
{
	if (p && p->cb)
		p->cb(p->ud, stage, done, total);
}

#endif
