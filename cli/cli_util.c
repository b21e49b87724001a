/* cli_util.c - helpers shared by the bpagg subcommands; see cli_util.h. */
#include "cli_util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

int
bp_cli_load_conf(const char *cmd, const char *path, struct bp_config *c)
{
	char err[512];
	if (bp_config_load(path, c, err, sizeof(err)) < 0) {
		fprintf(stderr, "bpagg %s: %s\n", cmd, err);
		return EX_CONFIG;
	}
	return 0;
}

int
bp_cli_load_registry(const char *cmd, const char *path, struct bp_registry *r)
{
	struct bp_diags d;
	bp_diags_init(&d);
	int rc = 0;
	if (access(path, R_OK) < 0) {
		fprintf(stderr, "bpagg %s: %s: kommune registry not readable\n", cmd, path);
		rc = EX_NOINPUT;
	} else if (bp_registry_load(path, r, &d) < 0) {
		bp_diags_print(&d, path, stderr);
		rc = EX_CONFIG;
	}
	bp_diags_free(&d);
	return rc;
}

int
bp_cli_kommune(const char *s, char out[5])
{
	if (strlen(s) != 4)
		return -1;
	for (int i = 0; i < 4; i++)
		if (!isdigit((unsigned char)s[i]))
			return -1;
	memcpy(out, s, 5);
	return 0;
}

int
bp_cli_year(const char *s, int *year)
{
	char *end;
	long y = strtol(s, &end, 10);
	if (end == s || *end || y < 1990 || y > 2100)
		return -1;
	*year = (int)y;
	return 0;
}

const char *
bp_cli_default_registry(void)
{
	const char *env = getenv("BPAGG_REGISTRY");
	if (env && *env)
		return env;
	return BP_PKGDATADIR "/kommuner.csv";
}
