/*
 * cmd_audit.c - bpagg audit -c CONF [--release ID | --published DIR]
 *
 * Verifies the suppression log (numbering, hash chain, seal signatures with
 * keys/daemon.sign.pk), the kept copies of every release, and re-derives
 * each release from the store; with --published, that the log seals the
 * release published in DIR, file by file; see bpagg-audit(1). Exit 0 when
 * all holds, 1 naming the first broken entry.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli_util.h"
#include "commands.h"
#include "publish.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: bpagg audit [-c CONF] [--release ID | --published DIR] [--quiet]\n"
	    "\n"
	    "Verifies the suppression log's chain and seals, the kept files of each\n"
	    "release, and re-derives each release (or only ID) from the store.\n"
	    "--published DIR: DIR is a release as published (bpagg publish --out DIR);\n"
	    "the log must seal it, file by file, and only it is re-derived.\n"
	    "\n"
	    "Progress (releases re-derived of those to audit, the time) is shown on\n"
	    "stderr when it is a terminal; --quiet turns it off. See bpagg-audit(1).\n"
	    BP_CONFIG_HELP);
}

int
bp_cmd_audit(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "conf", required_argument, NULL, 'c' },
		{ "config", required_argument, NULL, 'c' },
		{ "release", required_argument, NULL, 'r' },
		{ "published", required_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf = NULL, *release = NULL, *published = NULL;
	struct bp_config c;
	char err[1024];
	int ch, rc;
	bool quiet = false;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", lo, NULL)) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 'r':
			release = optarg;
			break;
		case 'p':
			published = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (release && published) {
		fprintf(stderr, "bpagg audit: --release and --published exclude each other "
		    "(--published audits the release DIR holds)\n");
		return EX_USAGE;
	}
	if (optind != argc) {
		usage(stderr);
		return EX_USAGE;
	}
	if ((rc = bp_cli_load_conf("audit", conf, &c)) != 0)
		goto out;
	bp_cli_solver_heap();
	struct bp_cli_progress prog;
	bp_cli_progress_init(&prog, quiet);
	struct bp_progress cb = bp_cli_progress_cb(&prog);
	FILE *out = bp_cli_progress_wrap(&prog, stdout);
	rc = bp_audit(&c, release, published, out, &cb, err, sizeof(err));
	bp_cli_progress_unwrap(out, stdout);
	bp_cli_progress_end(&prog);
	if (rc != 0)
		fprintf(stderr, "bpagg audit: %s\n", err);
out:
	bp_config_free(&c);
	return rc;
}
