/* cli_progress.c - progress of long work on a terminal; see cli_progress.h. */
#include "cli_progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REDRAW_NS 100000000LL  /* at most ten redraws a second */

static long long
ns_since(const struct timespec *a, const struct timespec *b)
{
	return (long long)(b->tv_sec - a->tv_sec) * 1000000000LL + (b->tv_nsec - a->tv_nsec);
}

void
bp_cli_progress_init(struct bp_cli_progress *p, bool quiet)
{
	memset(p, 0, sizeof(*p));
	p->on = !quiet && isatty(STDERR_FILENO);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	clock_gettime(CLOCK_MONOTONIC, &p->start);
}

struct bp_progress
bp_cli_progress_cb(struct bp_cli_progress *p)
{
	struct bp_progress r = { p->on ? bp_cli_progress_update : NULL, p };
	return r;
}

/* Draws the line for the state in p (p->mu held). */
static void
draw(struct bp_cli_progress *p, const struct timespec *now)
{
	char line[160];
	double secs = (double)ns_since(&p->start, now) / 1e9;
	int n;

	if (p->total)
		n = snprintf(line, sizeof(line), "%s: %llu/%llu (%llu%%), %.0f s", p->stage,
		    (unsigned long long)p->done, (unsigned long long)p->total,
		    (unsigned long long)(p->done * 100 / p->total), secs);
	else if (p->done)
		n = snprintf(line, sizeof(line), "%s: %llu, %.0f s", p->stage,
		    (unsigned long long)p->done, secs);
	else
		n = snprintf(line, sizeof(line), "%s, %.0f s", p->stage, secs);
	if (n < 0)
		return;
	if (n >= (int)sizeof(line))
		n = (int)sizeof(line) - 1;
	/* Spaces over what the last line had beyond this one. */
	fprintf(stderr, "\r%s%*s", line, p->width > n ? p->width - n : 0, "");
	fflush(stderr);
	p->width = n;
	p->drawn = *now;
}

/* The redraw thread: once a second, the same stage with the time moved on. */
static void *
ticker(void *arg)
{
	struct bp_cli_progress *p = arg;
	struct timespec until, now;

	pthread_mutex_lock(&p->mu);
	while (!p->stop) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&p->cv, &p->mu, &until);
		if (p->stop)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (p->stage && ns_since(&p->drawn, &now) >= 900000000LL)
			draw(p, &now);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

void
bp_cli_progress_update(void *ud, const char *stage, uint64_t done, uint64_t total)
{
	struct bp_cli_progress *p = ud;
	struct timespec now;

	if (!p->on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&p->mu);
	bool fresh = p->stage != stage || !p->width || done == total;
	p->stage = stage;
	p->done = done;
	p->total = total;
	/* A new stage is drawn at once; within one, at most every 100 ms. */
	if (fresh || ns_since(&p->drawn, &now) >= REDRAW_NS)
		draw(p, &now);
	if (!p->ticking && pthread_create(&p->tick, NULL, ticker, p) == 0)
		p->ticking = true;
	pthread_mutex_unlock(&p->mu);
}

void
bp_cli_progress_end(struct bp_cli_progress *p)
{
	if (!p->on)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	if (p->ticking)
		pthread_join(p->tick, NULL);
	p->ticking = false;
	if (p->width) {
		fprintf(stderr, "\r%*s\r", p->width, "");
		fflush(stderr);
	}
	p->width = 0;
	p->stage = NULL;
	p->on = false;
}

/* A wrapped stream's cookie: the progress and the real stream. */
struct wrap {
	struct bp_cli_progress *p;
	FILE *real;
};

static ssize_t
wrap_write(void *cookie, const char *buf, size_t n)
{
	struct wrap *w = cookie;
	struct bp_cli_progress *p = w->p;

	pthread_mutex_lock(&p->mu);
	if (p->width) {
		fprintf(stderr, "\r%*s\r", p->width, "");
		fflush(stderr);
		p->width = 0;
	}
	size_t k = fwrite(buf, 1, n, w->real);
	fflush(w->real);
	pthread_mutex_unlock(&p->mu);
	return k == n ? (ssize_t)n : -1;
}

static int
wrap_close(void *cookie)
{
	free(cookie);
	return 0;
}

/* The stream is freed by bp_cli_progress_unwrap (fclose frees the cookie). */
FILE *
bp_cli_progress_wrap(struct bp_cli_progress *p, FILE *real)
{
	static const cookie_io_functions_t io = { NULL, wrap_write, NULL, wrap_close };
	struct wrap *w;
	FILE *f;

	if (!p->on || !(w = malloc(sizeof(*w))))
		return real;
	w->p = p;
	w->real = real;
	if (!(f = fopencookie(w, "w", io))) {
		free(w);
		return real;
	}
	setvbuf(f, NULL, _IOLBF, 0);
	return f;
}

void
bp_cli_progress_unwrap(FILE *wrapped, FILE *real)
{
	if (wrapped && wrapped != real)
		fclose(wrapped);
}
