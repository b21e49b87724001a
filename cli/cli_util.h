/* cli_util.h - small helpers shared by the bpagg subcommands. */
#ifndef BP_CLI_UTIL_H
#define BP_CLI_UTIL_H

#include "conf.h"
#include "registry.h"

/* Loads CONF into c, printing "bpagg CMD: <reason>" on error. Returns 0 or
 * EX_CONFIG; c must be freed with bp_config_free either way. */
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

#endif
