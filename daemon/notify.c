/*
 * notify.c - tells the service manager how bpaggd is doing, through
 * libsystemd's sd_notify(3): READY=1 once the store is open and the inbox
 * watched, RELOADING=1 and READY=1 around a reload (SIGHUP), STOPPING=1 on
 * the way out, and a STATUS= line with the counts after every submission.
 * Without NOTIFY_SOCKET in the environment (not started by systemd with
 * Type=notify) sd_notify does nothing, and neither does this module.
 * Safe to call from the work thread: each call is one datagram.
 */
#include "bpaggd.h"

#include <stdio.h>
#include <time.h>

#include <systemd/sd-daemon.h>

/* The STATUS= text of the counts (the same wording as `systemctl status`
 * shows). */
static void
status_text(char *out, size_t outlen, const struct bpd_counts *n)
{
	snprintf(out, outlen, "merged %lu, already applied %lu, refused %lu, waiting %zu",
	    n->merged, n->already, n->refused, n->waiting);
}

void
bpd_notify_ready(const struct bpd_counts *n)
{
	char s[160];

	status_text(s, sizeof(s), n);
	sd_notifyf(0, "READY=1\nSTATUS=%s", s);
}

void
bpd_notify_status(const struct bpd_counts *n)
{
	char s[160];

	status_text(s, sizeof(s), n);
	sd_notifyf(0, "STATUS=%s", s);
}

void
bpd_notify_reloading(void)
{
	struct timespec ts;
	unsigned long long usec = 0;

	/* MONOTONIC_USEC lets the manager tell this reload from an older one
	 * (systemd 253 and later; ignored before). */
	if (clock_gettime(CLOCK_MONOTONIC, &ts) == 0)
		usec = (unsigned long long)ts.tv_sec * 1000000ull +
		    (unsigned long long)ts.tv_nsec / 1000ull;
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading the configuration",
	    usec);
}

void
bpd_notify_stopping(void)
{
	sd_notify(0, "STOPPING=1\nSTATUS=finishing the file in hand, then exiting");
}
