/*
 * cmd_publish.c - bpagg publish -c CONF --year YYYY --out DIR [--level L]...
 *                 [--json]; or --dry-run in place of --out
 *
 * Writes a release of the year's tables with suppression applied into DIR,
 * appends it to the suppression log and prints the release id; see
 * bpagg-publish(1) and publish/publish.h; what it recovers from an interrupted
 * publish is noted on stderr. Exit 1 when suppression or its audit
 * fails, or the year was published before under republish_rule = refuse.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli_util.h"
#include "commands.h"
#include "publish.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: bpagg publish [-c CONF] --year YYYY --out DIR "
	    "[--level nasjonal|fylke|kommune]... [--json] [--quiet]\n"
	    "       bpagg publish [-c CONF] --year YYYY --dry-run [--level ...]... [--quiet]\n"
	    "\n"
	    "Progress (the step, steps done of 6, the time) is shown on stderr when\n"
	    "it is a terminal; --quiet turns it off. --dry-run suppresses as a publish\n"
	    "would now and prints the hidden shares per level and the hidden cells by\n"
	    "reason, writing nothing (before republishing a year, what it would cost).\n"
	    "See bpagg-publish(1).\n" BP_CONFIG_HELP);
}

struct opts {
	const char *conf;
	bool quiet;
	struct bp_publish_opts p;
};

static int
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "conf", required_argument, NULL, 'c' },
		{ "config", required_argument, NULL, 'c' },
		{ "year", required_argument, NULL, 'y' },
		{ "out", required_argument, NULL, 'o' },
		{ "level", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	unsigned l;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:o:h", lo, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->conf = optarg;
			break;
		case 'y':
			if (bp_cli_year(optarg, &o->p.year) < 0) {
				fprintf(stderr, "bpagg publish: --year wants a year 1990..2100\n");
				return EX_USAGE;
			}
			break;
		case 'o':
			o->p.outdir = optarg;
			break;
		case 'l':
			/* Repeated, or a comma list: --level nasjonal,fylke. */
			for (char *save = NULL, *tok = strtok_r(optarg, ",", &save); tok;
			    tok = strtok_r(NULL, ",", &save)) {
				if (!(l = bp_level_parse(tok))) {
					fprintf(stderr, "bpagg publish: --level wants nasjonal, fylke or "
					    "kommune (a comma list, or repeated)\n");
					return EX_USAGE;
				}
				o->p.levels |= l;
			}
			if (!o->p.levels) {
				fprintf(stderr, "bpagg publish: --level wants nasjonal, fylke or "
				    "kommune (a comma list, or repeated)\n");
				return EX_USAGE;
			}
			break;
		case 'j':
			o->p.json = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'n':
			o->p.dry_run = true;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (!o->p.year || optind != argc || !o->p.outdir != o->p.dry_run ||
	    (o->p.dry_run && o->p.json)) {
		if (o->p.dry_run && (o->p.outdir || o->p.json))
			fprintf(stderr, "bpagg publish: --dry-run writes nothing: no --out or "
			    "--json\n");
		usage(stderr);
		return EX_USAGE;
	}
	return 0;
}

int
bp_cmd_publish(int argc, char **argv)
{
	struct opts o;
	struct bp_config c;
	char id[128], err[1024];
	int rc;

	if ((rc = parse_args(argc, argv, &o)) != 0)
		return rc < 0 ? 0 : rc;
	if ((rc = bp_cli_load_conf("publish", o.conf, &c)) != 0)
		goto out;
	bp_cli_solver_heap();
	struct bp_cli_progress prog;
	bp_cli_progress_init(&prog, o.quiet);
	o.p.progress = bp_cli_progress_cb(&prog);
	o.p.notes = bp_cli_progress_wrap(&prog, stderr);
	rc = bp_publish(&c, &o.p, id, sizeof(id), err, sizeof(err));
	bp_cli_progress_unwrap(o.p.notes, stderr);
	bp_cli_progress_end(&prog);
	if (rc != 0)
		fprintf(stderr, "bpagg publish: %s\n", err);
	else if (*id)
		printf("%s\n", id);
out:
	bp_config_free(&c);
	return rc;
}
