/*
 * chart.c - charts through gnuplot's SVG terminal (see chart.h).
 *
 * gnuplot runs with the data and the script in a private directory
 * (mkdtemp, 0700) and writes its SVG there; nothing reaches the network or
 * a shared place, and the output does not depend on the time or the host.
 */
#include "chart.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define MAX_SVG (8u << 20)

size_t
bp_chart_marks(const struct bp_chart *c)
{
	/* gnuplot draws no box for a bar of height 0 (its label "0,0" stays). */
	size_t n = 0;
	for (size_t i = 0; i < c->ns * c->nx; i++)
		if (isfinite(c->v[i]) && (c->kind == BP_CHART_LINES || c->v[i] != 0.0))
			n++;
	return n;
}

size_t
bp_chart_hidden(const struct bp_chart *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->ns * c->nx; i++)
		n += !isfinite(c->v[i]);
	return n;
}

/* A value as the report prints it: one decimal, decimal comma. */
static void
fmt_label(char *buf, size_t n, double v)
{
	if (!isfinite(v)) {
		snprintf(buf, n, ":");
		return;
	}
	snprintf(buf, n, "%.1f", v);
	char *p = strchr(buf, '.');
	if (p)
		*p = ',';
}

/*
 * A string of the data file, in double quotes (gnuplot reads them there
 * without substitution): no quote, backslash or control character (a
 * newline would end the record), whatever a release file held.
 */
static void
put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++)
		fputc(*s == '"' || *s == '\\' ? '\'' : (unsigned char)*s < 0x20 || *s == 0x7f ?
		    ' ' : *s, f);
	fputc('"', f);
}

/*
 * A string of the script, in single quotes: gnuplot runs a command in
 * backquotes inside a double-quoted string of a script (a label from a
 * release file must never do that), not inside a single-quoted one, where
 * '' is a quote and nothing else is special; control characters become
 * spaces, and enhanced-text markup is turned off for it (noenhanced at
 * the caller).
 */
static void
put_script_str(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, f);
	}
	fputc('\'', f);
}

static int
write_data(const struct bp_chart *c, const char *path)
{
	FILE *f = fopen(path, "wx");
	if (!f)
		return -1;
	for (size_t x = 0; x < c->nx; x++) {
		if (c->kind == BP_CHART_LINES && x && c->xbreak && c->xbreak[x])
			fputc('\n', f); /* a blank line: gnuplot breaks the line here */
		fprintf(f, "%zu ", x);
		put_str(f, c->xlabel[x]);
		for (size_t s = 0; s < c->ns; s++) {
			double v = c->v[s * c->nx + x];
			if (isfinite(v))
				fprintf(f, " %.4f", v);
			else
				fputs(" NaN", f);
		}
		for (size_t s = 0; s < c->ns; s++) {
			char lab[32];
			fmt_label(lab, sizeof lab, c->v[s * c->nx + x]);
			fputc(' ', f);
			put_str(f, lab);
		}
		fputc('\n', f);
	}
	return fclose(f);
}

static int
write_script(const struct bp_chart *c, const char *dir)
{
	char path[256];
	snprintf(path, sizeof path, "%s/chart.gp", dir);
	FILE *f = fopen(path, "wx");
	if (!f)
		return -1;
	unsigned width = c->kind == BP_CHART_BARS ? (unsigned)(200 + 40 * c->nx * (c->ns + 1)) : 640;
	if (width < 480)
		width = 480;
	if (width > 960)
		width = 960;
	fprintf(f, "set terminal svg size %u,360 dynamic enhanced font 'sans,11' background rgb 'white'\n", width);
	fprintf(f, "set output '%s/chart.svg'\n", dir);
	fprintf(f, "set encoding utf8\nset border 3\nset tics nomirror\nset grid ytics lc rgb '#dddddd'\n");
	fprintf(f, "set key outside right top vertical Left reverse noautotitle\n");
	fprintf(f, "set xtics noenhanced\n"); /* its labels come from the data */
	fprintf(f, "set ylabel ");
	put_script_str(f, c->ylabel ? c->ylabel : "");
	fprintf(f, " noenhanced");
	fprintf(f, "\nset yrange [0:*]\nset offsets 0,0,graph 0.08,0\n");
	size_t dcol = 3, lcol = 3 + c->ns; /* value and label columns of series 0 */
	size_t longest = 0;
	for (size_t x = 0; x < c->nx; x++)
		if (strlen(c->xlabel[x]) > longest)
			longest = strlen(c->xlabel[x]);
	if (c->nx * longest > 70) /* the labels would run into each other */
		fprintf(f, "set xtics rotate by 25 right font ',9'\n");
	if (c->kind == BP_CHART_BARS) {
		fprintf(f, "set style data histograms\nset style histogram clustered gap 1\n");
		fprintf(f, "set style fill solid 1.0 border rgb '#000000'\nset boxwidth 0.9\n");
		fprintf(f, "set xrange [-0.6:%zu.6]\n", c->nx ? c->nx - 1 : 0);
		fprintf(f, "plot ");
		for (size_t s = 0; s < c->ns; s++) {
			fprintf(f, "%s'%s/chart.dat' using %zu%s title ", s ? ", " : "", dir, dcol + s,
			    s ? "" : ":xtic(2)");
			put_script_str(f, c->sname[s]);
			fprintf(f, " noenhanced lc rgb '%s'", c->scolour[s]);
		}
		/* Direct labels above each bar; ":" on the axis where a value is hidden. */
		for (size_t s = 0; s < c->ns; s++) {
			double off = ((double)s - (double)(c->ns - 1) / 2.0) / (double)(c->ns + 1);
			fprintf(f, ", '' using ($1%+.4f):(valid(%zu) ? column(%zu) : 0):%zu with labels "
			    "offset 0,0.6 font ',8' notitle", off, dcol + s, dcol + s, lcol + s);
		}
	} else {
		fprintf(f, "set xrange [-0.3:%zu.3]\n", c->nx ? c->nx - 1 : 0);
		for (size_t x = 1; c->xbreak && x < c->nx; x++)
			if (c->xbreak[x])
				fprintf(f, "set arrow from %zu.5-1, graph 0 to %zu.5-1, graph 1 nohead dt 2 lc rgb '#555555'\n"
				    "set label 'Ny definisjon' at %zu.5-1, graph 0.97 left offset 0.3,0 font ',9'\n", x, x, x);
		fprintf(f, "plot ");
		for (size_t s = 0; s < c->ns; s++) {
			fprintf(f, "%s'%s/chart.dat' using 1:%zu%s title ", s ? ", " : "", dir, dcol + s,
			    s ? "" : ":xtic(2)");
			put_script_str(f, c->sname[s]);
			fprintf(f, " noenhanced with linespoints lc rgb '%s' pt %zu ps 1.2 lw 2", c->scolour[s],
			    5 + 2 * (s % 4));
		}
		for (size_t s = 0; s < c->ns; s++)
			fprintf(f, ", '' using 1:(valid(%zu) ? column(%zu) : 0):%zu with labels "
			    "offset 0,0.8 font ',8' notitle", dcol + s, dcol + s, lcol + s);
	}
	fputc('\n', f);
	return fclose(f);
}

static int
run_gnuplot(const char *dir, char *err, size_t errlen)
{
	const char *prog = getenv("BPAGG_GNUPLOT");
	if (!prog || !*prog)
		prog = "gnuplot";
	char script[256], log[256];
	snprintf(script, sizeof script, "%s/chart.gp", dir);
	snprintf(log, sizeof log, "%s/gnuplot.log", dir);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	char *argv[] = { (char *)prog, script, NULL };
	pid_t pid;
	int rc = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		snprintf(err, errlen, "cannot run %s: %s (install gnuplot-nox)", prog, strerror(rc));
		return -1;
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			snprintf(err, errlen, "waiting for %s: %s", prog, strerror(errno));
			return -1;
		}
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		char first[200] = "";
		FILE *l = fopen(log, "r");
		if (l) {
			while (fgets(first, sizeof first, l) && first[strspn(first, " \t\n^")] == 0)
				;
			fclose(l);
		}
		first[strcspn(first, "\n")] = 0;
		snprintf(err, errlen, "%s failed (%s)", prog, first);
		return -1;
	}
	return 0;
}

/* Appends s[0..n) to the growing buffer; -1 on ENOMEM. */
static int
app(char **b, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t nc = (*cap ? *cap * 2 : 1 << 16);
		while (nc < *len + n + 1)
			nc *= 2;
		char *nb = realloc(*b, nc);
		if (!nb)
			return -1;
		*b = nb;
		*cap = nc;
	}
	memcpy(*b + *len, s, n);
	*len += n;
	(*b)[*len] = 0;
	return 0;
}

/* The SVG from <svg on, its ids and references prefixed with idp. */
static char *
rewrite_svg(const char *in, const char *idp)
{
	const char *p = strstr(in, "<svg");
	if (!p)
		return NULL;
	static const char *const pat[] = { "id='", "id=\"", "href='#", "href=\"#", "url(#" };
	char *out = NULL;
	size_t len = 0, cap = 0;
	while (*p) {
		size_t k, best = (size_t)-1;
		const char *at = NULL;
		for (k = 0; k < sizeof pat / sizeof pat[0]; k++) {
			const char *q = strstr(p, pat[k]);
			if (q && (!at || q < at)) {
				at = q;
				best = k;
			}
		}
		if (!at) {
			if (app(&out, &len, &cap, p, strlen(p)) < 0)
				goto fail;
			break;
		}
		size_t pl = strlen(pat[best]);
		if (app(&out, &len, &cap, p, (size_t)(at - p) + pl) < 0 ||
		    app(&out, &len, &cap, idp, strlen(idp)) < 0)
			goto fail;
		p = at + pl;
	}
	return out;
fail:
	free(out);
	return NULL;
}

static char *
read_svg(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	char *b = NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (size_t)st.st_size < MAX_SVG && (b = malloc((size_t)st.st_size + 1))) {
		size_t got = 0;
		while (got < (size_t)st.st_size) {
			ssize_t n = read(fd, b + got, (size_t)st.st_size - got);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			got += (size_t)n;
		}
		b[got] = 0;
	}
	close(fd);
	return b;
}

int
bp_chart_svg(const struct bp_chart *c, const char *idp, char **svg, char *err, size_t errlen)
{
	*svg = NULL;
	const char *tmp = getenv("TMPDIR");
	char dir[200];
	snprintf(dir, sizeof dir, "%s/bpagg-chart.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	char path[256], out[256];
	snprintf(path, sizeof path, "%s/chart.dat", dir);
	snprintf(out, sizeof out, "%s/chart.svg", dir);
	int rc = -1;
	char *raw = NULL;
	if (write_data(c, path) != 0 || write_script(c, dir) != 0) {
		snprintf(err, errlen, "%s: cannot write the chart's data", dir);
		goto out;
	}
	if (run_gnuplot(dir, err, errlen) < 0)
		goto out;
	if (!(raw = read_svg(out)) || !(*svg = rewrite_svg(raw, idp))) {
		snprintf(err, errlen, "gnuplot wrote no SVG");
		goto out;
	}
	rc = 0;
out:
	free(raw);
	static const char *const files[] = { "chart.dat", "chart.gp", "chart.svg", "gnuplot.log" };
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
	return rc;
}
