/* cli_util.h - small helpers shared by the bpagg subcommands. */
#ifndef BP_CLI_UTIL_H
#define BP_CLI_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "cli_progress.h"
#include "conf.h"
#include "registry.h"
#include "store.h"

/* Loads CONF into c, printing "bpagg CMD: <reason>" on error. Returns 0 or
 * EX_CONFIG; c must be freed with bp_config_free either way.  path NULL
 * (no -c): bp_config_path's default, named with a hint when missing. */
int bp_cli_load_conf(const char *cmd, const char *path, struct bp_config *c);
/* Loads the registry at path, printing every error. Returns 0 or EX_CONFIG
 * (EX_NOINPUT when missing). r must be freed with bp_registry_free. */
int bp_cli_load_registry(const char *cmd, const char *path, struct bp_registry *r);
/* Parses a 4-digit kommunenummer into out[5]. Returns 0 or -1. */
int bp_cli_kommune(const char *s, char out[5]);
/* Parses a year 1990..2100. Returns 0 or -1. */
int bp_cli_year(const char *s, int *year);
/* The bundled registry (installed under pkgdatadir), or the source tree's
 * copy when running uninstalled (BPAGG_REGISTRY in the environment wins). */
const char *bp_cli_default_registry(void);
/* For publish and audit: keeps freed memory in the process instead of
 * handing it back to the kernel, since GLPK allocates and frees its working
 * copy of a program on every solve (thousands of times; the page faults of
 * that cost more than a tenth of the time at 357 kommuner). */
void bp_cli_solver_heap(void);

/* What validating an export found (see bp_cli_validate_export). */
struct bp_cli_validation {
	bool valid;
	unsigned long rows;     /* data rows read */
	size_t errors;          /* all errors, including those past the cap */
	uint8_t digest[32];     /* BLAKE2b-256 of the bytes read */
};

/*
 * Opens path as a regular file (never through a symlink) and streams it
 * through the export reader in 64 KiB chunks, expecting kommune and year and
 * a kommune of the registry at registry_path; at most max_rows rows (0 = the
 * default) and the bytes they can take. Every error is printed on stderr as
 * `bpagg check` prints it, never a value from the file. Used by `check` and
 * `seal`, so both refuse exactly the same files.
 *
 * Returns 0 with v filled (v->valid says whether the export is valid), or an
 * exit status (66 missing, 77 permission, 74 I/O, 78 registry). With fd_out,
 * the open descriptor is handed to the caller, who closes it. With prog,
 * the reading is shown on it (KiB of the file) and the line is cleared
 * before any error is printed.
 */
int bp_cli_validate_export(const char *cmd, const char *path, const char *kommune,
    int year, const char *registry_path, unsigned long max_rows,
    struct bp_cli_validation *v, int *fd_out, struct bp_cli_progress *prog);

/* The sequence resets of a store, in the order recorded (bpagg store copy,
 * bpagg rebuild): bp_cli_resets_add is a bp_store_foreach_reset callback;
 * v is malloc'ed, the caller frees it. */
struct bp_cli_resets {
	struct bp_sequence_reset *v;
	size_t n, cap;
};
int bp_cli_resets_add(const struct bp_sequence_reset *r, void *ud);

#endif
