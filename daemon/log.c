/*
 * log.c - bpaggd logs to syslog (LOG_DAEMON), or to stderr with --foreground.
 * Until bpd_log_running is called, errors and warnings logged to syslog are
 * printed to stderr as well, so that a daemon that cannot start says why
 * where it was started.
 */
#include "bpaggd.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

static bool to_stderr;
static bool starting;

void
bpd_log_open(bool foreground)
{
	to_stderr = foreground;
	starting = !foreground;
	if (!foreground)
		openlog("bpaggd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
bpd_log_running(void)
{
	starting = false;
}

/* Never give this a value read from a submission: names, counts and fixed
 * reasons only. Callable from the work thread. */
void
bpd_log(int prio, const char *fmt, ...)
{
	va_list ap;
	char line[1024];

	va_start(ap, fmt);
	if (to_stderr || (starting && prio <= LOG_WARNING)) {
		va_list aq;
		va_copy(aq, ap);
		vsnprintf(line, sizeof(line), fmt, aq);
		va_end(aq);
		fprintf(stderr, "bpaggd: %s\n", line);
	}
	if (!to_stderr)
		vsyslog(prio, fmt, ap);
	va_end(ap);
}
