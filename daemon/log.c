/* log.c - bpaggd logs to syslog (LOG_DAEMON), or to stderr with --foreground. */
#include "bpaggd.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

static bool to_stderr;

void
bpd_log_open(bool foreground)
{
	to_stderr = foreground;
	if (!foreground)
		openlog("bpaggd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

/* Never give this a value read from a submission: names, counts and fixed
 * reasons only. Callable from the work thread. */
void
bpd_log(int prio, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (to_stderr) {
		char line[1024];
		vsnprintf(line, sizeof(line), fmt, ap);
		fprintf(stderr, "bpaggd: %s\n", line);
	} else {
		vsyslog(prio, fmt, ap);
	}
	va_end(ap);
}
