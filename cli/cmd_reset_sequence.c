/*
 * bpagg reset-sequence -c CONF NNNN YYYY - sets aside the sequence of a
 * kommune's latest applied submission for a year, when it was sealed with a
 * clock running ahead and makes the kommune's correct submissions stale
 * (bpagg(1)). The tally stays until the next submission replaces it. The
 * reset is recorded in the store and logged to syslog (LOG_AUTH).
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cli_util.h"
#include "commands.h"
#include "lock.h"
#include "store.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: bpagg reset-sequence [-c CONF] NNNN YYYY\n"
	    "Sets aside the sequence of kommune NNNN's latest applied submission for\n"
	    "year YYYY, so that its next submission is not refused as stale. Logged.\n"
	    BP_CONFIG_HELP);
}

int
bp_cmd_reset_sequence(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "conf", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf = NULL;
	char kommune[5], err[PATH_MAX + 128];
	struct bp_config cfg;
	bp_store *s = NULL;
	uint64_t old = 0;
	int year, c, rc, l, lockfd = -1;

	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': conf = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return EX_USAGE;
	}
	if (bp_cli_kommune(argv[optind], kommune) < 0 || bp_cli_year(argv[optind + 1], &year) < 0) {
		fprintf(stderr, "bpagg reset-sequence: expected a 4-digit kommunenummer and a year\n");
		return EX_USAGE;
	}
	if ((rc = bp_cli_load_conf("reset-sequence", conf, &cfg)) != 0)
		goto out;
	/* A reset written while bpagg rebuild runs would go into the store
	 * it is about to replace: refused, as rebuild is beside bpaggd. */
	if ((l = bp_lock_rebuild(&cfg, false, &lockfd, err, sizeof(err))) != 0) {
		fprintf(stderr, "bpagg reset-sequence: %s%s\n", err,
		    l > 0 ? "; run it again when the rebuild is done" : "");
		rc = l > 0 ? EX_TEMPFAIL : EX_CANTCREAT;
		goto out;
	}
	if ((rc = bp_store_open_existing(&cfg, &s, err, sizeof(err))) != 0) {
		fprintf(stderr, "bpagg reset-sequence: %s\n", rc > 0 ? "no store yet" : err);
		rc = rc > 0 ? EX_NOINPUT : EX_IOERR;
		goto out;
	}
	int r = bp_store_reset_sequence(s, kommune, year, (int64_t)time(NULL), &old);
	if (r < 0) {
		fprintf(stderr, "bpagg reset-sequence: the store could not record the reset\n");
		rc = EX_IOERR;
	} else if (r == 0) {
		fprintf(stderr, "bpagg reset-sequence: kommune %s has no applied submission for %d "
		    "whose sequence counts; nothing reset\n", kommune, year);
		rc = EX_DATAERR;
	} else {
		openlog("bpagg", LOG_PID, LOG_AUTH);
		syslog(LOG_NOTICE, "reset-sequence: kommune %s year %d: sequence %llu set aside "
		    "by uid %u", kommune, year, (unsigned long long)old, (unsigned)getuid());
		closelog();
		printf("kommune %s year %d: sequence %llu set aside; its next submission is "
		    "judged against no earlier sequence\n", kommune, year, (unsigned long long)old);
		rc = 0;
	}
out:
	bp_store_close(s);
	if (lockfd >= 0)
		close(lockfd);
	bp_config_free(&cfg);
	return rc;
}
