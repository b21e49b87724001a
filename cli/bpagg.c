/*
 * bpagg - the command-line tool for kommuner, administrators and auditors.
 * Dispatches to one subcommand; see bpagg(1).
 */

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include <sodium.h>

#include "commands.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
};

static const struct command commands[] = {
	{ "init", bp_cmd_init, "init DIR [--registry FILE] [--state SDIR] [--user USER]" },
	{ "keygen", bp_cmd_keygen, "keygen kommune NNNN --out DIR [--registry FILE]" },
	{ "register", bp_cmd_register, "register [-c CONF] NNNN FILE.pk [--replace]" },
	{ "check", bp_cmd_check, "check FILE.csv --kommune NNNN --year YYYY [--registry FILE] [--max-rows N] [--quiet]" },
	{ "sample", bp_cmd_sample, "sample --kommune NNNN --year YYYY --rows N --seed S [--delimiter ';'|','] [--optional seed|all|none] [--plain] [-o FILE] [--quiet]" },
	{ "seal", bp_cmd_seal, "seal FILE.csv --kommune NNNN --year YYYY --key NNNN.sign.sk --to central.box.pk -o OUT.bpx [--dry-run] [--empty] [--registry FILE] [--max-rows N] [--force] [--quiet]" },
	{ "receipt", bp_cmd_receipt, "receipt verify RECEIPT... --key daemon.sign.pk" },
	{ "status", bp_cmd_status, "status [-c CONF] [--year YYYY] [--json]" },
	{ "publish", bp_cmd_publish, "publish [-c CONF] --year YYYY --out DIR | --dry-run [--level L]... [--json] [--quiet]" },
	{ "audit", bp_cmd_audit, "audit [-c CONF] [--release ID | --published DIR] [--quiet]" },
	{ "rebuild", bp_cmd_rebuild, "rebuild [-c CONF]" },
	{ "report", bp_cmd_report, "report RELEASE_DIR... --out DIR [--area NO|FF|KKKK] [--pdf] [--registry FILE]" },
	{ "store", bp_cmd_store, "store copy --from CONF --to CONF" },
	{ "reset-sequence", bp_cmd_reset_sequence, "reset-sequence [-c CONF] NNNN YYYY" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	fprintf(f, "usage: bpagg COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  bpagg %s\n", commands[i].usage);
	fprintf(f, "\n`bpagg COMMAND --help` describes one command; see bpagg(1).\n"
	    "`bpagg --version` (or `bpagg COMMAND --version`) prints the version.\n");
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EX_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("bpagg %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "bpagg: libsodium could not be initialised\n");
		return EX_SOFTWARE;
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		/* `bpagg COMMAND --version`, for every command alike. */
		for (int a = 2; a < argc && strcmp(argv[a], "--"); a++)
			if (!strcmp(argv[a], "--version")) {
				printf("bpagg %s %s\n", commands[i].name, PACKAGE_VERSION);
				return 0;
			}
		return commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "bpagg: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EX_USAGE;
}
