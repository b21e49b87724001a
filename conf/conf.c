/* conf.c - bpagg.conf reading; see conf.h. */
#include "conf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"

struct load_ctx {
	struct bp_config *c;
	char *dir;       /* directory of the file, for relative paths */
	char *err;
	size_t errlen;
	int failed;
	int errline;     /* the line of the error in err */
	FILE *f;
	int line;        /* lines read: the one inih is handling */
	bool indented;   /* that line starts with white space */
	/* The settings taken so far, to refuse one given twice: only known
	 * ones are recorded, all shorter than the fields and fewer than 64. */
	struct seen {
		char section[16], name[32];
		int line;
	} seen[64];
	size_t nseen;
	struct seen *last; /* that of the last setting line, NULL after a header */
};

/* Records an error of the current line, keeping the first: inih reads on
 * after one, and the line it returns is that of the first error. */
static void __attribute__((format(printf, 2, 3)))
conf_error(struct load_ctx *x, const char *fmt, ...)
{
	va_list ap;

	if (x->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(x->err, x->errlen, fmt, ap);
	va_end(ap);
	x->failed = 1;
	x->errline = x->line;
}

/* Whether the n bytes at p name a section bpagg.conf(5) knows. */
static bool
known_section(const char *p, size_t n)
{
	static const char *const known[] = { "paths", "store", "ingest", "measures",
		"publish", "daemon" };

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strlen(known[i]) == n && !memcmp(known[i], p, n))
			return true;
	return false;
}

/* inih reader: inih counts one line per call, so x->line is the number of
 * the line the handler is called for (inih gives it only to handlers
 * built with INI_HANDLER_LINENO, which the shared library is not). */
static char *
reader(char *str, int num, void *user)
{
	struct load_ctx *x = user;

	if (!fgets(str, num, x->f))
		return NULL;
	x->line++;
	/* inih reads a line in pieces of num - 1 bytes and takes the rest for
	 * a line of its own (a long dsn's tail could set another setting):
	 * a longer line is refused, and reading stops. */
	size_t len = strlen(str);
	if (len == (size_t)num - 1 && str[len - 1] != '\n' && !feof(x->f)) {
		conf_error(x, "line longer than %d characters", num - 2);
		return NULL;
	}
	x->indented = isspace((unsigned char)str[0]);
	/* A header, unless inih takes the indented line for a continuation;
	 * inih skips a UTF-8 byte order mark on the first line. */
	const char *p = str;
	if (x->line == 1 && !strncmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '[' && (!x->indented || !x->last)) {
		x->last = NULL;
		/* inih takes "[]" as the section "", as if there were no header. */
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == ']') {
			conf_error(x, "empty section header []");
			return str;
		}
		/* An unknown section is refused at its header: alone, or with
		 * only comments under it, inih never calls the handler for it. */
		const char *e = strchr(p, ']');
		if (e) {
			size_t n = (size_t)(e - p);
			while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
				n--;
			if (!known_section(p, n))
				conf_error(x, "unknown section [%.*s]", (int)n, p);
		}
	} else if (*p && !strchr(";#[", *p) && !(x->indented && x->last)) {
		/* inih also takes "key: value"; bpagg.conf(5) documents only
		 * "key = value", and a ':' inside a value (a dsn, a path) must
		 * not turn the text before it into a name. */
		size_t k = strcspn(p, "=:");
		if (p[k] == ':') {
			while (k && (p[k - 1] == ' ' || p[k - 1] == '\t'))
				k--;
			conf_error(x, "\"%.*s:\": a setting is written key = value", (int)k, p);
		}
	}
	return str;
}

static char *
xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Returns a newly allocated absolute path for value (owned by the caller). */
static char *
resolve(const char *dir, const char *value)
{
	if (value[0] == '/' || value[0] == '\0')
		return strdup(value);
	if (!strcmp(value, "."))
		return strdup(dir);
	size_t n = strlen(dir) + 1 + strlen(value) + 1;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", dir, value);
	return p;
}

static int
set_str(char **slot, const char *v)
{
	free(*slot);
	*slot = strdup(v);
	return *slot != NULL;
}

static int
set_path(struct load_ctx *x, char **slot, const char *v)
{
	/* "inbox =" is a mistake, not the configuration's own directory. */
	if (!*v)
		return 0;
	free(*slot);
	*slot = resolve(x->dir, v);
	return *slot != NULL;
}

static int
parse_ulong(const char *v, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long n = strtoul(v, &end, 10);
	if (errno || end == v || *end || v[0] == '-' || n < min || n > max)
		return 0;
	*out = n;
	return 1;
}

static int
parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1")) {
		*out = true;
		return 1;
	}
	if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0")) {
		*out = false;
		return 1;
	}
	return 0;
}

static int
parse_double(const char *v, double *out)
{
	char *end;
	errno = 0;
	double d = strtod(v, &end);
	if (errno || end == v || *end || d < 0 || d > 2)
		return 0;
	*out = d;
	return 1;
}

#define IS(s, k) (!strcmp(section, s) && !strcmp(name, k))

/* [publish] kommune_breakdowns: a comma-separated list of breakdown names
 * (bpagg-measures(7)), none empty. 1, or 0 with the fault in why. */
static int
breakdown_list_ok(const char *v, char *why, size_t whylen)
{
	char item[64];

	if (!*v) {
		snprintf(why, whylen, ": empty (give at least total; publish without the "
		    "kommune level with --level to leave kommune tables out)");
		return 0;
	}
	for (const char *p = v;;) {
		size_t n = strcspn(p, ","), a = 0, m = n;
		while (a < n && p[a] == ' ')
			a++;
		while (m > a && p[m - 1] == ' ')
			m--;
		if (m == a || m - a >= sizeof(item)) {
			snprintf(why, whylen, ": %s breakdown in the list", m == a ? "an empty" :
			    "a too long");
			return 0;
		}
		snprintf(item, sizeof(item), "%.*s", (int)(m - a), p + a);
		if (bp_breakdown_find(item) < 0) {
			snprintf(why, whylen, ": unknown breakdown \"%s\" (bpagg-measures(7))", item);
			return 0;
		}
		if (!p[n])
			return 1;
		p += n + 1;
	}
}

/* inih handler: values are valid only during the call, so they are copied. */
static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *x = user;
	struct bp_config *c = x->c;
	unsigned long u;
	char why[160] = "";
	char sect[64]; /* inih's section names are shorter than 50 */
	int ok = 1;

	/* inih passes what is between the brackets as it is: "[ publish ]" is
	 * [publish], as in git config and most INI readers ("[ ]" is refused by
	 * the reader as an empty header). */
	size_t n = strlen(section);
	while (n && (*section == ' ' || *section == '\t'))
		section++, n--;
	while (n && (section[n - 1] == ' ' || section[n - 1] == '\t'))
		n--;
	snprintf(sect, sizeof(sect), "%.*s", (int)n, section);
	section = sect;

	if (!*section) {
		conf_error(x, "setting %s before any [section]", name);
		return 0;
	}
	/* inih takes an indented line after a setting for more of its value
	 * and calls again with the same name: the last line would be taken. */
	if (x->indented && x->last && !strcmp(x->last->section, section) &&
	    !strcmp(x->last->name, name)) {
		conf_error(x, "indented line would continue [%s] %s: a value is one line",
		    section, name);
		return 0;
	}
	for (size_t i = 0; i < x->nseen; i++) {
		if (!strcmp(x->seen[i].section, section) && !strcmp(x->seen[i].name, name)) {
			conf_error(x, "[%s] %s set twice (first on line %d)", section, name,
			    x->seen[i].line);
			return 0;
		}
	}

	if (IS("paths", "inbox")) ok = set_path(x, &c->inbox, value);
	else if (IS("paths", "archive")) ok = set_path(x, &c->archive, value);
	else if (IS("paths", "rejected")) ok = set_path(x, &c->rejected, value);
	else if (IS("paths", "outbox")) ok = set_path(x, &c->outbox, value);
	else if (IS("paths", "keys")) ok = set_path(x, &c->keys, value);
	else if (IS("paths", "registry")) ok = set_path(x, &c->registry, value);
	else if (IS("paths", "suppression_log")) ok = set_path(x, &c->suppression_log, value);
	else if (IS("paths", "state")) ok = *value && set_path(x, &c->state, value);
	else if (IS("store", "backend")) {
		ok = (!strcmp(value, "sqlite") || !strcmp(value, "postgresql")) &&
		    set_str(&c->store_backend, value);
	} else if (IS("store", "path")) ok = set_path(x, &c->store_path, value);
	else if (IS("store", "dsn")) ok = set_str(&c->store_dsn, value);
	else if (IS("store", "lock_timeout")) {
		ok = parse_ulong(value, 0, 86400, &u);
		c->store_lock_timeout = (unsigned)u;
	}
	else if (IS("ingest", "max_rows")) ok = parse_ulong(value, 1, 10000000, &c->max_rows);
	else if (IS("ingest", "max_file_bytes")) ok = parse_ulong(value, 1024, ULONG_MAX, &c->max_file_bytes);
	else if (IS("ingest", "young_seconds")) {
		ok = parse_ulong(value, 0, 86400, &u);
		c->young_seconds = (unsigned)u;
	} else if (IS("ingest", "unverified_refusals_per_day")) {
		ok = parse_ulong(value, 0, 100000000, &c->unverified_refusals_per_day);
	} else if (IS("ingest", "replays_per_day")) {
		ok = parse_ulong(value, 0, 100000000, &c->replays_per_day);
	} else if (IS("ingest", "scan_seconds")) {
		ok = parse_ulong(value, 1, 86400, &u);
		c->scan_seconds = (unsigned)u;
	} else if (IS("ingest", "pseudonym_scope")) {
		ok = (!strcmp(value, "global") || !strcmp(value, "year")) &&
		    set_str(&c->pseudonym_scope, value);
	} else if (IS("measures", "rop_definition")) {
		ok = parse_ulong(value, 2015, 2016, &u);
		c->measures.rop_definition = (int)u;
	} else if (IS("measures", "lki_cut_gul")) ok = parse_double(value, &c->measures.lki_cut[0]);
	else if (IS("measures", "lki_cut_rod")) ok = parse_double(value, &c->measures.lki_cut[1]);
	else if (IS("measures", "lki_cut_blalys")) ok = parse_double(value, &c->measures.lki_cut[2]);
	else if (IS("publish", "min_cell")) {
		ok = parse_ulong(value, 1, 1000, &u);
		c->min_cell = (unsigned)u;
	} else if (IS("publish", "suppress_zero")) ok = parse_bool(value, &c->suppress_zero);
	else if (IS("publish", "kommune_breakdowns")) {
		ok = breakdown_list_ok(value, why, sizeof(why)) &&
		    set_str(&c->kommune_breakdowns, value);
	}
	else if (IS("publish", "republish_rule")) {
		ok = (!strcmp(value, "protect_differences") || !strcmp(value, "refuse")) &&
		    set_str(&c->republish_rule, value);
	} else if (IS("publish", "shared_cells")) {
		ok = (!strcmp(value, "consistent") || !strcmp(value, "per_table")) &&
		    set_str(&c->shared_cells, value);
	} else if (IS("publish", "method")) {
		ok = (!strcmp(value, "release") || !strcmp(value, "per_group")) &&
		    set_str(&c->publish_method, value);
	} else if (IS("publish", "profile")) {
		ok = *value && set_str(&c->profile, value);
	} else if (IS("daemon", "user")) ok = set_str(&c->user, value);
	else {
		conf_error(x, "unknown setting [%s] %s", section, name);
		return 0;
	}
	if (!ok) {
		conf_error(x, "invalid value for [%s] %s%s", section, name, why);
		return 0;
	}
	if (x->nseen < sizeof(x->seen) / sizeof(x->seen[0])) {
		struct seen *s = &x->seen[x->nseen++];
		snprintf(s->section, sizeof(s->section), "%.*s", (int)sizeof(s->section) - 1, section);
		snprintf(s->name, sizeof(s->name), "%s", name);
		s->line = x->line;
		x->last = s;
	}
	return 1;
}

static int
fill_defaults(struct load_ctx *x)
{
	struct bp_config *c = x->c;
	struct { char **slot; const char *rel; } paths[] = {
		{ &c->inbox, "inbox" }, { &c->archive, "archive" },
		{ &c->rejected, "rejected" }, { &c->outbox, "outbox" },
		{ &c->keys, "keys" }, { &c->registry, "kommuner.csv" },
		{ &c->suppression_log, "suppression.log" },
		{ &c->store_path, "store.sqlite" }, { &c->state, "." },
	};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (!*paths[i].slot && !(*paths[i].slot = resolve(x->dir, paths[i].rel)))
			return -1;
	if (!c->store_backend && !(c->store_backend = strdup("sqlite")))
		return -1;
	if (!c->pseudonym_scope && !(c->pseudonym_scope = strdup("global")))
		return -1;
	if (!c->kommune_breakdowns && !(c->kommune_breakdowns = strdup("total,brukergruppe,rop")))
		return -1;
	if (!c->republish_rule && !(c->republish_rule = strdup("protect_differences")))
		return -1;
	if (!c->shared_cells && !(c->shared_cells = strdup("consistent")))
		return -1;
	if (!c->publish_method && !(c->publish_method = strdup("release")))
		return -1;
	if (!c->profile && !(c->profile = strdup("rapport")))
		return -1;
	if (!c->user && !(c->user = strdup("")))
		return -1;
	return 0;
}

/* Opens abs (the resolved path) once with bp_open_regular, so that what is
 * read is what was checked, and a FIFO named as the configuration is refused
 * at once instead of blocking the open: returns the stream, or NULL with the
 * error and the fix in err. A directory given for the file is the usual slip
 * (-c /etc/bpagg instead of -c /etc/bpagg/bpagg.conf), and inih would read
 * it as an empty configuration. */
static FILE *
open_conf(const char *path, const char *abs, char *err, size_t errlen)
{
	struct stat st = { 0 };
	FILE *f;
	int fd = bp_open_regular(AT_FDCWD, abs, O_RDONLY, 0, 0, &st);

	if (fd < 0 && errno == EINVAL && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory, not a configuration file "
		    "(give the file, e.g. %s/bpagg.conf)", path, abs);
		return NULL;
	}
	/* ENXIO: a socket, or a device without its driver. */
	if (fd < 0 && (errno == EINVAL || errno == ENXIO)) {
		snprintf(err, errlen, "%s: not a regular file (give bpagg.conf)", path);
		return NULL;
	}
	if (fd < 0 || !(f = fdopen(fd, "r"))) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	return f;
}

const char *
bp_config_path(const char *given)
{
	const char *env = getenv("BPAGG_CONF");

	if (given)
		return given;
	if (env && *env)
		return env;
	return BP_CONFIG_DEFAULT;
}

int
bp_config_load(const char *path, struct bp_config *c, char *err, size_t errlen)
{
	struct load_ctx x = { .c = c, .err = err, .errlen = errlen };
	char abs[PATH_MAX];
	int ret = -1;

	memset(c, 0, sizeof(*c));
	c->max_rows = 200000;
	c->max_file_bytes = 256ul << 20;
	c->young_seconds = 60;
	c->store_lock_timeout = 60;
	c->scan_seconds = 30;
	c->unverified_refusals_per_day = 100;
	c->replays_per_day = 20;
	c->min_cell = 5;
	bp_measure_settings_default(&c->measures);
	snprintf(err, errlen, "out of memory");

	if (!realpath(path, abs)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!(c->path = xstrdup(abs)) || !(x.dir = xstrdup(abs)))
		goto out;
	*strrchr(x.dir, '/') = '\0';
	if (x.dir[0] == '\0')
		strcpy(x.dir, "/");

	if (!(x.f = open_conf(path, abs, err, errlen)))
		goto out;
	int line = ini_parse_stream(reader, &x, handler, &x);
	fclose(x.f);
	if (line < 0) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(ENOMEM));
		goto out;
	}
	/* line is inih's first error, ours or a syntax error before it. */
	if (line > 0 && (!x.failed || line < x.errline)) {
		snprintf(err, errlen, "%s:%d: syntax error", path, line);
		goto out;
	}
	if (x.failed) {
		char why[256];
		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, errlen, "%s:%d: %s", path, x.errline, why);
		goto out;
	}
	const double *cut = c->measures.lki_cut;
	if (!(cut[0] < cut[1] && cut[1] < cut[2])) {
		snprintf(err, errlen, "%s: [measures] cut points must increase", path);
		goto out;
	}
	if (fill_defaults(&x) < 0)
		goto out;
	err[0] = '\0';
	ret = 0;
out:
	free(x.dir);
	return ret;
}

void
bp_config_free(struct bp_config *c)
{
	char **all[] = {
		&c->path, &c->inbox, &c->archive, &c->rejected, &c->outbox, &c->keys,
		&c->registry, &c->suppression_log, &c->state, &c->store_backend, &c->store_path,
		&c->store_dsn, &c->pseudonym_scope, &c->kommune_breakdowns,
		&c->republish_rule, &c->shared_cells, &c->publish_method, &c->profile, &c->user,
	};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		free(*all[i]);
		*all[i] = NULL;
	}
}
