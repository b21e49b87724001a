/*
 * conf.h - bpagg.conf, an INI file read with inih (man bpagg.conf(5)).
 *
 * Relative paths in the file are resolved against the directory that holds
 * the file, so an installation made by `bpagg init DIR` can be moved whole.
 */
#ifndef BP_CONF_H
#define BP_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "measures.h"

struct bp_config {
	char *path;            /* the file read */
	/* [paths] */
	char *inbox, *archive, *rejected, *outbox, *keys;
	char *registry;        /* kommune registry CSV */
	char *suppression_log; /* JSON lines */
	char *state;           /* holds bpaggd's private queue/; default: the file's directory */
	/* [store] */
	char *store_backend;   /* "sqlite" (default) or "postgresql" */
	char *store_path;      /* SQLite file */
	char *store_dsn;       /* PostgreSQL connection string */
	unsigned store_lock_timeout; /* PostgreSQL: seconds a lock is waited for, 0 = no limit; default 60 */
	/* [ingest] */
	unsigned long max_rows;       /* per export, default 200000 */
	unsigned long max_file_bytes; /* sealed file cap, default 256 MiB */
	unsigned young_seconds;       /* retry incomplete files this young, default 60 */
	unsigned scan_seconds;        /* periodic inbox scan, default 30 */
	unsigned long unverified_refusals_per_day; /* per folder, recorded one by one; 100 */
	unsigned long replays_per_day; /* exact replays per folder with a receipt each; 20 */
	char *pseudonym_scope;        /* "global" (default) or "year" */
	/* [measures] */
	struct bp_measure_settings measures;
	/* [publish] */
	unsigned min_cell;            /* default 5 */
	bool suppress_zero;           /* default false */
	char *kommune_breakdowns;     /* comma list, default "total,brukergruppe,rop" */
	char *republish_rule;         /* "protect_differences" (default) or "refuse"; bpagg.conf(5) */
	char *shared_cells;           /* "consistent" (default) or "per_table"; bpagg.conf(5) */
	char *publish_method;         /* "release" (default) or "per_group"; bpagg.conf(5) */
	char *profile;                /* release profile: a name or a path, default "rapport" */
	/* [daemon] */
	char *user;                   /* drop privileges to this user; "" = stay */
};

/*
 * Reads path into c (zeroed first, defaults filled in). On error returns -1
 * and writes "path:line: reason" into err. The caller frees c with
 * bp_config_free, also after an error.
 */
int bp_config_load(const char *path, struct bp_config *c, char *err, size_t errlen);
void bp_config_free(struct bp_config *c);

/*
 * The configuration a command uses: given (its -c), else $BPAGG_CONF when
 * set and not empty, else the installed one, SYSCONFDIR/bpagg/bpagg.conf
 * (/etc/bpagg/bpagg.conf for the Debian package).  Owned by the caller's
 * argv, the environment or the program: never freed.
 */
const char *bp_config_path(const char *given);

#ifndef BP_SYSCONFDIR
#define BP_SYSCONFDIR "/usr/local/etc"
#endif
/* The installed configuration, and the line of --help that says so. */
#define BP_CONFIG_DEFAULT BP_SYSCONFDIR "/bpagg/bpagg.conf"
#define BP_CONFIG_HELP "Without -c CONF: $BPAGG_CONF, else " BP_CONFIG_DEFAULT ".\n"

#endif
