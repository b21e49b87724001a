/*
 * cmd_report.c - bpagg report RELEASE_DIR... --out DIR [--area NO|FF|KKKK]
 *                [--pdf] [--registry FILE]
 *
 * Writes the yearly report of the nation, a fylke or a kommune from
 * published releases (never the store) and prints the path of its HTML
 * file; see bpagg-report(1) and report/report.h.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli_util.h"
#include "commands.h"
#include "report.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: bpagg report RELEASE_DIR... --out DIR [--area NO|FF|KKKK] [--pdf] "
	    "[--registry FILE]\n"
	    "  Writes DIR/index.html (and DIR/rapport.pdf with --pdf): the report of the\n"
	    "  nation (NO, the default), a fylke (its 2-digit number) or a kommune (its\n"
	    "  4-digit number), from the release files only; with releases of several\n"
	    "  years, the key figures over the years. Charts need gnuplot, --pdf chromium.\n");
}

int
bp_cmd_report(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "area", required_argument, NULL, 'a' },
		{ "pdf", no_argument, NULL, 'p' },
		{ "registry", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bp_report_opts o;
	memset(&o, 0, sizeof o);
	o.area = "NO";
	const char *registry = NULL;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
		switch (ch) {
		case 'o': o.out = optarg; break;
		case 'a': o.area = optarg; break;
		case 'p': o.pdf = 1; break;
		case 'r': registry = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (!o.out || optind >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	o.dirs = (const char *const *)argv + optind;
	o.ndirs = (size_t)(argc - optind);
	/* Names of fylker and kommuner: the registry when there is one; the
	 * report is written with the numbers otherwise. */
	struct bp_registry reg;
	memset(&reg, 0, sizeof reg);
	const char *rp = registry ? registry : bp_cli_default_registry();
	if (registry || access(rp, R_OK) == 0) {
		int rc = bp_cli_load_registry("report", rp, &reg);
		if (rc)
			return rc;
		o.reg = &reg;
	}
	char path[PATH_MAX + 32], err[600];
	int rc = bp_report_write(&o, path, sizeof path, err, sizeof err);
	bp_registry_free(&reg);
	switch (rc) {
	case BP_REPORT_OK:
		printf("%s\n", path);
		if (o.pdf)
			printf("%s/rapport.pdf\n", o.out);
		return 0;
	case BP_REPORT_USAGE:
		fprintf(stderr, "bpagg report: %s\n", err);
		return EX_USAGE;
	case BP_REPORT_NOINPUT:
		fprintf(stderr, "bpagg report: %s\n", err);
		return EX_NOINPUT;
	case BP_REPORT_IO:
		fprintf(stderr, "bpagg report: %s\n", err);
		return EX_CANTCREAT;
	case BP_REPORT_TOOL:
		fprintf(stderr, "bpagg report: %s\n", err);
		return EX_UNAVAILABLE;
	default:
		fprintf(stderr, "bpagg report: %s\n", err);
		return EX_DATAERR;
	}
}
