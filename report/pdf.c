/*
 * pdf.c - the report to PDF through headless Chromium (see pdf.h).
 *
 * Chromium gets a private profile directory (mkdtemp, removed after), no
 * network is needed (the report has no outside resource), and it runs
 * without its sandbox only when we are root, where it refuses otherwise, or
 * when BPAGG_CHROMIUM_NO_SANDBOX=1 (containers without user namespaces).
 */
#include "pdf.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(p);
}

int
bp_pdf_print(const char *html, const char *outdir, char *err, size_t errlen)
{
	const char *prog = getenv("BPAGG_CHROMIUM");
	if (!prog || !*prog)
		prog = "chromium";
	char abs[PATH_MAX], url[PATH_MAX + 16], out[PATH_MAX + 32], pdfarg[PATH_MAX + 48];
	char prof[256], profarg[300], log[300];
	if (!realpath(html, abs)) {
		snprintf(err, errlen, "%s: %s", html, strerror(errno));
		return -1;
	}
	snprintf(url, sizeof url, "file://%s", abs);
	snprintf(out, sizeof out, "%s/rapport.pdf", outdir);
	snprintf(pdfarg, sizeof pdfarg, "--print-to-pdf=%s", out);
	const char *tmp = getenv("TMPDIR");
	snprintf(prof, sizeof prof, "%s/bpagg-chromium.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(prof)) {
		snprintf(err, errlen, "%s: %s", prof, strerror(errno));
		return -1;
	}
	snprintf(profarg, sizeof profarg, "--user-data-dir=%s/profile", prof);
	snprintf(log, sizeof log, "%s/chromium.log", prof);
	char *argv[16];
	int a = 0;
	argv[a++] = (char *)prog;
	argv[a++] = "--headless";
	argv[a++] = "--disable-gpu";
	argv[a++] = "--no-first-run";
	argv[a++] = "--no-pdf-header-footer";
	argv[a++] = "--run-all-compositor-stages-before-draw";
	const char *ns = getenv("BPAGG_CHROMIUM_NO_SANDBOX");
	if (geteuid() == 0 || (ns && !strcmp(ns, "1")))
		argv[a++] = "--no-sandbox";
	argv[a++] = profarg;
	argv[a++] = pdfarg;
	argv[a++] = url;
	argv[a] = NULL;
	unlink(out);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	pid_t pid;
	int rc = posix_spawnp(&pid, prog, &fa, NULL, argv, environ), st = 0;
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		snprintf(err, errlen, "cannot run %s: %s (install chromium)", prog, strerror(rc));
		goto out;
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			break;
	struct stat sb;
	if (!WIFEXITED(st) || WEXITSTATUS(st) || stat(out, &sb) < 0 || sb.st_size == 0) {
		snprintf(err, errlen, "%s did not print %s (its messages: %s)", prog, out, log);
		rc = -1;
		goto keep;
	}
	rc = 0;
out:
	nftw(prof, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return rc ? -1 : 0;
keep:
	/* Keep the log for the message; the profile goes. */
	snprintf(profarg, sizeof profarg, "%s/profile", prof);
	nftw(profarg, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return -1;
}
