/*
 * log.c - bpaggd logs to syslog (LOG_DAEMON), or to stderr with --foreground.
 * Until bpd_log_running is called, errors and warnings logged to syslog are
 * printed to stderr as well, so that a daemon that cannot start says why
 * where it was started.
 *
 * When stderr is a stream to the journal (JOURNAL_STREAM names its device
 * and inode, as systemd.exec(5) documents), every line starts with the
 * syslog priority as sd-daemon(3) defines it ("<4>" for a warning), so
 * that journalctl -p warning shows refusals and -p alert a deleted
 * plaintext. Off the journal the lines are plain.
 */
#include "bpaggd.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <unistd.h>

static bool to_stderr;
static bool starting;
static bool journal;

bool
bpd_log_stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	int n = 0;

	if (!e || sscanf(e, "%llu:%llu%n", &dev, &ino, &n) != 2 || e[n] != '\0')
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void
bpd_log_open(bool foreground)
{
	to_stderr = foreground;
	starting = !foreground;
	journal = bpd_log_stderr_is_journal();
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
		/* One write per line, so that lines of two threads do not mix. */
		if (journal)
			fprintf(stderr, "<%d>bpaggd: %s\n", LOG_PRI(prio), line);
		else
			fprintf(stderr, "bpaggd: %s\n", line);
	}
	if (!to_stderr)
		vsyslog(prio, fmt, ap);
	va_end(ap);
}
