/*
 * report.c - composes the report from releases (see report.h): loads each
 * release's files for the areas shown, writes the chapters, the signs and
 * the notes, then the HTML file and, when asked, its PDF.
 */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "html.h"
#include "pdf.h"
#include "relfile.h"
#include "views.h"

static const char style[] =
    "body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:60rem;margin:1rem auto;"
    "padding:0 1rem;color:#111;line-height:1.4}"
    "h1{font-size:1.6rem}h2{font-size:1.3rem;border-bottom:2px solid #1f4e79;margin-top:2rem}"
    "table{border-collapse:collapse;margin:.5rem 0;font-size:.85rem}"
    "caption{text-align:left;font-weight:bold;padding:.3rem 0}"
    "th,td{border:1px solid #bbb;padding:.2rem .4rem}td{text-align:right;"
    "font-variant-numeric:tabular-nums}th[scope=row]{text-align:left;font-weight:normal}"
    "tr.sum th,tr.sum td{border-top:2px solid #555}td.sup{background:#eee}"
    "td.brk::after{content:' \\2021'}td.txt{text-align:left}tr.def td{color:#555}"
    ".tbl{overflow-x:auto}.fig{margin:1rem 0 2rem}figure.chart{margin:.5rem 0}"
    "figure.chart svg{width:100%;height:auto;max-height:26rem}figcaption{font-size:.85rem}"
    ".signs{border:1px solid #999;padding:.5rem 1rem;font-size:.85rem}"
    ".signs dt{font-weight:bold;float:left;width:2rem}.signs dd{margin-left:2.5rem}"
    "@page{size:A4;margin:15mm}"
    "@media print{body{max-width:none;margin:0}section.chapter{break-before:page}"
    ".fig{break-inside:avoid}}";

struct names {
	const struct bp_registry *reg;
	char buf[96];
};

static const char *
area_name(const char *level, const char *area, void *ud)
{
	struct names *n = ud;
	if (!strcmp(level, "nasjonal"))
		return "Norge";
	if (!n->reg)
		return NULL;
	for (size_t i = 0; i < n->reg->n; i++) {
		const struct bp_kommune *k = &n->reg->k[i];
		if (!strcmp(level, "kommune") && !strcmp(k->nr, area)) {
			snprintf(n->buf, sizeof n->buf, "%s", k->name);
			return n->buf;
		}
		if (!strcmp(level, "fylke") && !strcmp(k->fylke, area)) {
			snprintf(n->buf, sizeof n->buf, "%s", k->fylke_name);
			return n->buf;
		}
	}
	return NULL;
}

static int
cmp_year(const void *a, const void *b)
{
	const struct bp_release *x = a, *y = b;
	return (x->year > y->year) - (x->year < y->year);
}

static void
signs(struct bp_html *h)
{
	bp_html_raw(h, "<div class=\"signs\"><p><strong>Tegn i tabeller</strong></p><dl>"
	    "<dt>:</dt><dd>Tallet er skjult (prikket) for å hindre at enkeltpersoner kan "
	    "kjennes igjen. Prosent, rate og beregnet antall vises heller ikke når tallet de "
	    "bygger på er skjult. I figurene står «:» der søylen mangler.</dd>"
	    "<dt>.</dt><dd>Ingen observasjon i gruppen; prosenten kan ikke beregnes.</dd>"
	    "<dt>..</dt><dd>Tallet finnes ikke i utgivelsen (området eller tabellen er ikke "
	    "publisert).</dd></dl>"
	    "<p>Prosent er andel av «I alt» i samme kolonne, med én desimal. Alle tall er "
	    "hentet fra den publiserte utgivelsen; rapporten regner ikke ut nye tall, bortsett "
	    "fra endringer mellom publiserte tall for to år.</p></div>\n");
}

static void
about(struct bp_html *h, const struct bp_release *rel, size_t n)
{
	bp_html_raw(h, "<p class=\"note\">Utgivelser: ");
	for (size_t i = 0; i < n; i++) {
		bp_html_printf(h, "%s%d (", i ? "; " : "", rel[i].year);
		bp_html_text(h, rel[i].id[0] ? rel[i].id : "uten id");
		if (rel[i].rop_definition > 0)
			bp_html_printf(h, ", ROP-definisjon %d", rel[i].rop_definition);
		if (rel[i].min_cell > 0)
			bp_html_printf(h, ", minste publiserte celle %d", rel[i].min_cell);
		bp_html_raw(h, ")");
	}
	bp_html_raw(h, ".</p>\n");
}

/* Writes the file atomically: a temporary name, then rename. */
static int
write_out(const char *dir, const char *name, const struct bp_html *h, char *path, size_t plen,
    char *err, size_t errlen)
{
	char tmp[PATH_MAX + 32];
	int pn = snprintf(path, plen, "%s/%s", dir, name),
	    tn = snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
	/* a name cut short would be another file, beside the folder */
	if (pn < 0 || (size_t)pn >= plen || tn < 0 || (size_t)tn >= sizeof tmp) {
		snprintf(err, errlen, "%s: %s", dir, strerror(ENAMETOOLONG));
		return -1;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	size_t off = 0;
	while (fd >= 0 && off < h->len) {
		ssize_t w = write(fd, h->b + off, h->len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (fd < 0 || off != h->len || fsync(fd) < 0 || close(fd) < 0 || rename(tmp, path) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			unlink(tmp);
		return -1;
	}
	return 0;
}

static int
valid_area(const char *a)
{
	size_t n = strlen(a);
	if (!strcmp(a, "NO"))
		return 1;
	return (n == 2 || n == 4) && strspn(a, "0123456789") == n;
}

/* The chapters for the area; rel sorted oldest first, the last is shown. */
static int
compose(struct bp_rctx *ctx, struct bp_release *rel, size_t n, const char *area, struct names *nm)
{
	struct bp_release *cur = &rel[n - 1];
	const char *level = !strcmp(area, "NO") ? "nasjonal" : strlen(area) == 2 ? "fylke" : "kommune";
	if (!bp_release_cov(cur, level, area)) {
		int any = 0;
		for (size_t i = 0; i < cur->ncov; i++)
			any |= !strcmp(cur->cov[i].level, level);
		if (any)
			snprintf(ctx->err, ctx->errlen, "%s/coverage.csv: the release has no %s %s",
			    cur->dir, level, area);
		else
			snprintf(ctx->err, ctx->errlen, "%s: the release has no tables for %s %s "
			    "(not published with --level %s)", cur->dir, level, area, level);
		return BP_REPORT_DATA;
	}
	char fy[3] = { area[0], area[1], 0 };
	const char *own = area_name(level, area, nm);
	char ownbuf[96], fybuf[96];
	snprintf(ownbuf, sizeof ownbuf, "%s", own ? own : area);
	const char *fyn = area_name("fylke", fy, nm);
	snprintf(fybuf, sizeof fybuf, "%s", fyn ? fyn : fy);
	struct bp_html *h = ctx->h;
	bp_html_raw(h, "<!DOCTYPE html>\n<html lang=\"nb\"><head><meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	    "style-src 'unsafe-inline'\">\n<meta name=\"viewport\" content=\"width=device-width\">\n<title>");
	bp_html_printf(h, "BrukerPlan %d – ", cur->year);
	bp_html_text(h, ownbuf);
	bp_html_printf(h, "</title>\n<style>%s</style></head><body>\n<h1>", style);
	bp_html_printf(h, "Brukere med rus- og psykiske helseproblem – BrukerPlan %d: ", cur->year);
	bp_html_text(h, ownbuf);
	bp_html_raw(h, "</h1>\n");
	signs(h);
	about(h, rel, n);
	int rc;
	if (!strcmp(level, "nasjonal")) {
		rc = bp_view_nation(ctx, cur, area_name, nm);
	} else {
		if (!bp_release_cell(cur, level, area, "kjonn__total", "i_alt", "alle")) {
			/* No tables for an area that reported nothing: say that, not
			 * that the level was left out. */
			if (bp_release_cov(cur, level, area)->reported == 0)
				snprintf(ctx->err, ctx->errlen, "%s: %s %s %s for %d (coverage.csv), "
				    "so the release has no tables for it", cur->dir,
				    !strcmp(level, "fylke") ? "no kommune of fylke" : "kommune", area,
				    !strcmp(level, "fylke") ? "reported" : "did not report", cur->year);
			else
				snprintf(ctx->err, ctx->errlen, "%s: the release has no tables for %s %s "
				    "(not published with --level %s)", cur->dir, level, area, level);
			return BP_REPORT_DATA;
		}
		struct bp_varea a[3] = { { "Norge", "nasjonal", "NO" }, { fybuf, "fylke", fy },
			{ ownbuf, "kommune", area } };
		size_t na = !strcmp(level, "fylke") ? 2 : 3;
		const char *kk[48];
		size_t nk = 0;
		for (size_t i = 0; !strcmp(level, "fylke") && i < cur->ncov && nk < 48; i++) {
			const struct bp_rcov *c = &cur->cov[i];
			if (!strcmp(c->level, "kommune") && !strncmp(c->area, area, 2) && c->reported &&
			    bp_release_cell(cur, "kommune", c->area, "rop__total", "ja", "alle"))
				kk[nk++] = c->area;
		}
		rc = bp_view_compare(ctx, cur, a, na, kk, nk, area_name, nm);
	}
	if (rc == 0 && n > 1) {
		const struct bp_release *rp[64];
		size_t m = n > 64 ? 64 : n;
		for (size_t i = 0; i < m; i++)
			rp[i] = &rel[n - m + i];
		rc = bp_view_trend(ctx, rp, m, level, area, ownbuf);
	}
	bp_html_raw(h, "</body></html>\n");
	return rc < 0 ? BP_REPORT_TOOL : BP_REPORT_OK;
}

int
bp_report_write(const struct bp_report_opts *o, char *path, size_t pathlen, char *err, size_t errlen)
{
	if (!o->ndirs || !valid_area(o->area)) {
		snprintf(err, errlen, "expected release directories and --area NO, a fylkesnummer or a kommunenummer");
		return BP_REPORT_USAGE;
	}
	/* room for the longest name written in it (and the PDF's) */
	if (strlen(o->out) + sizeof "/.index.html.tmp" > pathlen || strlen(o->out) >= PATH_MAX - 32) {
		snprintf(err, errlen, "--out: %s", strerror(ENAMETOOLONG));
		return BP_REPORT_USAGE;
	}
	struct bp_release *rel = calloc(o->ndirs, sizeof *rel);
	struct bp_html h;
	bp_html_init(&h);
	size_t loaded = 0;
	int rc = BP_REPORT_DATA;
	if (!rel) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	/* Only the areas shown, and the tables the comparisons of areas use. */
	char want[3][32];
	snprintf(want[0], sizeof want[0], "nasjonal/NO");
	snprintf(want[1], sizeof want[1], "fylke/%.2s", o->area);
	snprintf(want[2], sizeof want[2], "kommune/%s", o->area);
	const char *wl[3] = { want[0], want[1], want[2] };
	static const char *const keep[] = { "kjonn__total", "rop__total", "levekarsindeks8__total" };
	struct bp_relfilter f = { wl, strcmp(o->area, "NO") ? 3 : 1, keep, 3 };
	for (; loaded < o->ndirs; loaded++) {
		if (bp_release_load(o->dirs[loaded], &f, &rel[loaded], err, errlen) < 0) {
			rc = errno == ENOENT ? BP_REPORT_NOINPUT : BP_REPORT_DATA;
			goto out;
		}
	}
	qsort(rel, loaded, sizeof *rel, cmp_year);
	for (size_t i = 1; i < loaded; i++)
		if (rel[i].year == rel[i - 1].year) {
			snprintf(err, errlen, "%s and %s: two releases of %d; give one per year",
			    rel[i - 1].dir, rel[i].dir, rel[i].year);
			rc = BP_REPORT_USAGE;
			goto out;
		}
	struct names nm = { o->reg, "" };
	struct bp_rctx ctx = { &h, 0, 0, 0, err, errlen, 0 };
	if ((rc = compose(&ctx, rel, loaded, o->area, &nm)) != BP_REPORT_OK)
		goto out;
	if (h.oom) {
		snprintf(err, errlen, "out of memory");
		rc = BP_REPORT_DATA;
		goto out;
	}
	if (mkdir(o->out, 0755) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", o->out, strerror(errno));
		rc = BP_REPORT_IO;
		goto out;
	}
	if (write_out(o->out, "index.html", &h, path, pathlen, err, errlen) < 0) {
		rc = BP_REPORT_IO;
		goto out;
	}
	rc = BP_REPORT_OK;
	if (o->pdf && bp_pdf_print(path, o->out, err, errlen) < 0)
		rc = BP_REPORT_TOOL;
out:
	for (size_t i = 0; i < loaded; i++)
		bp_release_free(&rel[i]);
	free(rel);
	bp_html_free(&h);
	return rc;
}
