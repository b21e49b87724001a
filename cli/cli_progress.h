/*
 * cli_progress.h - progress of long work on a terminal: "stage: done/total
 * (pct%), 12 s" on stderr, redrawn on one line (a carriage return and
 * spaces, no escape codes); nothing at all when stderr is not a terminal
 * or --quiet was given. Its update function is the bp_progress_cb the
 * libraries call (export/progress.h). While a stage is long and silent (a
 * suppression of minutes), a helper thread redraws the line once a second
 * so that the elapsed time moves.
 */
#ifndef BP_CLI_PROGRESS_H
#define BP_CLI_PROGRESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "progress.h"

struct bp_cli_progress {
	bool on;                /* stderr is a terminal and not quiet */
	bool ticking, stop;     /* the redraw thread runs / is asked to end */
	pthread_t tick;
	pthread_mutex_t mu;     /* guards everything below and stderr's line */
	pthread_cond_t cv;
	struct timespec start;  /* of the command */
	struct timespec drawn;  /* of the last redraw */
	const char *stage;      /* the last one reported (a string literal) */
	uint64_t done, total;
	int width;              /* characters on the line now */
};

/* Starts the clock; on only when stderr is a terminal and !quiet. */
void bp_cli_progress_init(struct bp_cli_progress *p, bool quiet);
/* The callback: ud is a struct bp_cli_progress; stage must stay valid
 * until bp_cli_progress_end (the libraries pass string literals). */
void bp_cli_progress_update(void *ud, const char *stage, uint64_t done, uint64_t total);
/* The callback and p as a struct bp_progress for a library (cb NULL when
 * off, so a library does not even count). */
struct bp_progress bp_cli_progress_cb(struct bp_cli_progress *p);
/*
 * A stream for what a library prints while progress is shown (notes, a
 * report): each write first clears the progress line, so the two never
 * share a line; the line comes back at the next update or redraw. Returns
 * real itself when progress is off (or the stream cannot be made). Close
 * it with bp_cli_progress_unwrap before bp_cli_progress_end.
 */
FILE *bp_cli_progress_wrap(struct bp_cli_progress *p, FILE *real);
void bp_cli_progress_unwrap(FILE *wrapped, FILE *real);
/* Stops the redraws and clears the line (call before printing results or
 * errors); harmless when off or called twice. */
void bp_cli_progress_end(struct bp_cli_progress *p);

#endif
