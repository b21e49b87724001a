/*
 * profile.c - release profiles; see profile.h.
 */
#include "profile.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "measures.h"
#include "publish.h"

#define PROFILE_MAX_BYTES (1u << 20)

#ifndef BP_PKGDATADIR
#define BP_PKGDATADIR "/usr/local/share/bpagg"
#endif

static bool
readable_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int
bp_profile_path(const char *name, const char *confdir, char *out, size_t len,
    char *err, size_t errlen)
{
	const char *dirs[3] = { getenv("BPAGG_PROFILE_DIR"), BP_PKGDATADIR "/profiles", NULL };
#ifdef BP_SRCDIR
	dirs[2] = BP_SRCDIR "/conf/profiles";
#endif
	if (!*name) {
		snprintf(err, errlen, "[publish] profile is empty");
		return -1;
	}
	size_t nl = strlen(name);
	if (strchr(name, '/') || (nl > 8 && !strcmp(name + nl - 8, ".profile"))) {
		int n = name[0] == '/' || !confdir ? snprintf(out, len, "%s", name)
		    : snprintf(out, len, "%s/%s", confdir, name);
		if (n < 0 || (size_t)n >= len) {
			snprintf(err, errlen, "profile path too long");
			return -1;
		}
		return 0;
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (!dirs[i] || !*dirs[i])
			continue;
		int n = snprintf(out, len, "%s/%s.profile", dirs[i], name);
		if (n > 0 && (size_t)n < len && readable_file(out))
			return 0;
	}
	snprintf(err, errlen, "profile \"%s\" not found: looked for %s.profile in "
	    "$BPAGG_PROFILE_DIR and %s/profiles; set [publish] profile to a file's path",
	    name, name, BP_PKGDATADIR);
	return -1;
}

/* Reads the whole file (O_NOFOLLOW, a regular file, at most the cap) into a
 * NUL-terminated buffer the caller frees. */
static char *
slurp(const char *path, char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd = bp_open_regular(AT_FDCWD, path, O_RDONLY, 0, PROFILE_MAX_BYTES, &st);
	if (fd < 0 && (errno == EINVAL || errno == EFBIG)) {
		snprintf(err, errlen, "%s: not a regular file of at most %u bytes", path,
		    PROFILE_MAX_BYTES);
		return NULL;
	}
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (!(buf = malloc((size_t)st.st_size + 1))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "%s: read error", path);
			goto fail;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	if (strlen(buf) != got) {
		snprintf(err, errlen, "%s: holds a NUL byte", path);
		goto fail;
	}
	close(fd);
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

static const char *
group_name(size_t g)
{
	size_t ni = bp_n_indicators();
	return g < ni ? bp_indicator_at(g)->name : bp_sum_measure_at(g - ni)->name;
}

static size_t
level_index(unsigned level)
{
	return level == BP_LEVEL_NASJONAL ? 0 : level == BP_LEVEL_FYLKE ? 1 : 2;
}

/* Marks every table pattern matches at level li; the number marked. */
static size_t
apply(struct bp_profile *p, size_t li, const char *pattern)
{
	char id[160];
	size_t n = 0;
	for (size_t g = 0; g < p->ngroup; g++)
		for (size_t b = 0; b < p->nbd; b++) {
			snprintf(id, sizeof(id), "%s__%s", group_name(g), bp_breakdown_at(b)->name);
			if (fnmatch(pattern, id, 0) == 0) {
				p->on[(li * p->ngroup + g) * p->nbd + b] = 1;
				n++;
			}
		}
	return n;
}

/* One line (NUL-terminated, comment included). 0 or -1 with err. */
static int
parse_line(struct bp_profile *p, const char *path, size_t lineno, char *line,
    char *err, size_t errlen)
{
	static const char *const levels[3] = { "nasjonal", "fylke", "kommune" };
	char *hash = strchr(line, '#');
	size_t li = SIZE_MAX, npat = 0;
	bool first = true;
	if (hash)
		*hash = '\0';
	for (char *at = line; *at;) {
		at += strspn(at, " \t\r");
		if (!*at)
			break;
		size_t col = (size_t)(at - line) + 1, len = strcspn(at, " \t\r");
		char save = at[len];
		at[len] = '\0';
		if (first) {
			for (size_t k = 0; k < 3; k++)
				if (!strcmp(at, levels[k]))
					li = k;
			if (li == SIZE_MAX) {
				snprintf(err, errlen, "%s:%zu:%zu: expected a level (nasjonal, fylke "
				    "or kommune) at the start of the line", path, lineno, col);
				return -1;
			}
		} else if (!strstr(at, "__")) {
			snprintf(err, errlen, "%s:%zu:%zu: expected a table id "
			    "<indicator>__<breakdown> (patterns with * allowed)", path, lineno, col);
			return -1;
		} else if (apply(p, li, at) == 0) {
			snprintf(err, errlen, "%s:%zu:%zu: \"%.80s\" names no table of the "
			    "catalogue (bpagg-measures(7))", path, lineno, col, at);
			return -1;
		} else {
			npat++;
		}
		first = false;
		at[len] = save;
		at += len;
	}
	if (li != SIZE_MAX && npat == 0) {
		snprintf(err, errlen, "%s:%zu:1: a level without tables", path, lineno);
		return -1;
	}
	return 0;
}

static void
digest_selection(struct bp_profile *p)
{
	static const char *const levels[3] = { "nasjonal", "fylke", "kommune" };
	crypto_generichash_state st;
	char rec[200];
	crypto_generichash_init(&st, NULL, 0, 32);
	for (size_t li = 0; li < 3; li++)
		for (size_t g = 0; g < p->ngroup; g++)
			for (size_t b = 0; b < p->nbd; b++) {
				if (!p->on[(li * p->ngroup + g) * p->nbd + b])
					continue;
				int n = snprintf(rec, sizeof(rec), "%s %s__%s\n", levels[li],
				    group_name(g), bp_breakdown_at(b)->name);
				crypto_generichash_update(&st, (const unsigned char *)rec, (size_t)n);
			}
	crypto_generichash_final(&st, p->digest, 32);
}

int
bp_profile_load(const char *path, const char *name, struct bp_profile **out,
    char *err, size_t errlen)
{
	struct bp_profile *p = NULL;
	char *text = NULL;
	size_t lineno = 0;
	int ret = -1;

	*out = NULL;
	if (!(text = slurp(path, err, errlen)))
		return -1;
	if (!(p = calloc(1, sizeof(*p)))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->ngroup = bp_n_indicators() + bp_n_sum_measures();
	p->nbd = bp_n_breakdowns();
	if (!(p->on = calloc(3 * p->ngroup * p->nbd, 1))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (char *line = text, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (parse_line(p, path, lineno, line, err, errlen) < 0)
			goto out;
	}
	digest_selection(p);
	*out = p;
	p = NULL;
	ret = 0;
out:
	bp_profile_free(p);
	free(text);
	return ret;
}

bool
bp_profile_has(const struct bp_profile *p, unsigned level, size_t g, size_t b)
{
	if (!p)
		return true;
	if (g >= p->ngroup || b >= p->nbd)
		return false;
	return p->on[(level_index(level) * p->ngroup + g) * p->nbd + b] != 0;
}

void
bp_profile_free(struct bp_profile *p)
{
	if (!p)
		return;
	free(p->on);
	free(p);
}
