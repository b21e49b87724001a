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

#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include <systemd/sd-daemon.h>

void
bpd_notify_status(const struct bpd_ctx *c, size_t waiting, bool ready)
{
	/* The wording `systemctl status bpaggd` shows. */
	sd_notifyf(0, "%sSTATUS=merged %lu, already applied %lu, refused %lu, waiting %zu",
	    ready ? "READY=1\n" : "", c->n_merged, c->n_already, c->n_refused, waiting);
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
	static atomic_flag sent = ATOMIC_FLAG_INIT;

	if (!atomic_flag_test_and_set(&sent))
		sd_notify(0, "STOPPING=1\nSTATUS=finishing the file in hand, then exiting");
}
