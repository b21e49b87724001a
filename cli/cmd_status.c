/*
 * cmd_status.c - bpagg status -c CONF [--year YYYY] [--json]
 *
 * Per year in the store (or the one year asked for): the kommuner of the
 * registry that reported, the rows, the latest applied submission of each
 * kommune, the files rejected, the files waiting in the inbox and the number
 * of persons reported by more than one kommune. Reads the store, never
 * creates it: without a store it says "no submissions yet" and exits 0.
 * The text ends with the fingerprints of the installation's public keys
 * (the daemon's signing key, the central encryption key).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cli_util.h"
#include "commands.h"
#include "inbox.h"
#include "json.h"
#include "keys.h"
#include "store.h"

struct year_status {
	int year;
	struct bp_submission *sub; /* latest applied per kommune, kommune order */
	size_t n, cap;
	uint64_t rows, rejected, multi;
	uint64_t other_catalogue;  /* tallies to rebuild (bpagg rebuild) */
	size_t reported;           /* of those, kommuner in the registry */
};

struct status {
	const struct bp_registry *reg;
	uint8_t catalogue[32];     /* of the configured measures */
	struct year_status *y;
	size_t ny;
	uint64_t waiting, rejected_unknown;
	int64_t unverified;        /* counted in rejected/ *.unverified; -1 unread */
	int64_t replayed;          /* counted in rejected/ *.replayed; -1 unread */
	char unreadable[16][5];    /* inbox/NNNN folders that cannot be read */
	size_t nunreadable;
	int have_store;
	const char *backend;       /* [store] backend */
	const char *keys;          /* [paths] keys: the public keys' fingerprints */
	int schema;                /* the store's schema version (when have_store) */
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: bpagg status [-c CONF] [--year YYYY] [--json]\n");
	if (f != stdout)
		return;
	fprintf(f, "\n"
	    "Per year: the kommuner of the registry that reported, their rows, each\n"
	    "kommune's last submission, the files rejected and waiting in the inbox,\n"
	    "and persons reported by more than one kommune; then the unverified files\n"
	    "and exact replays bpaggd counted beyond a folder's budget of the day;\n"
	    "ends with the fingerprints of the installation's public keys.\n"
	    "\n"
	    "  -c, --conf CONF  the installation's bpagg.conf (also --config; default:\n"
	    "                   $BPAGG_CONF, else " BP_CONFIG_DEFAULT ")\n"
	    "      --year YYYY  that year only\n"
	    "      --json       one JSON document instead of text\n"
	    "  -h, --help       this help\n");
}

/* A sealed file the daemon will take: the daemon's own rule (ingest/inbox.c). */
static int
is_waiting(const char *name)
{
	return bp_inbox_is_submission(name);
}

static int
is_kommune_dir(const char *name)
{
	char k[5];
	return bp_cli_kommune(name, k) == 0;
}

/* Counts waiting files in the directory dfd (consumed), descending once into
 * NNNN/ folders when top is set; a folder that cannot be read (an uploader's
 * drop folder, mode 0300) is named in st and skipped, as bpaggd skips it.
 * Every entry with a submission's name but a folder is counted: bpaggd takes
 * a FIFO or a symbolic link too (and refuses it), and a file not yet
 * complete once it is. */
static int
count_dir(int dfd, int top, struct status *s)
{
	DIR *d;
	struct dirent *e;
	struct stat st;
	int ret = -1, sub;

	if (!(d = fdopendir(dfd))) {
		close(dfd);
		return -1;
	}
	while ((errno = 0, e = readdir(d)) != NULL) {
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue; /* gone meanwhile */
		if (!S_ISDIR(st.st_mode) && is_waiting(e->d_name))
			s->waiting++;
		else if (top && S_ISDIR(st.st_mode) && is_kommune_dir(e->d_name)) {
			sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
			if ((sub < 0 || count_dir(sub, 0, s) < 0) &&
			    s->nunreadable < sizeof(s->unreadable) / sizeof(s->unreadable[0]))
				memcpy(s->unreadable[s->nunreadable++], e->d_name, 5);
		}
	}
	if (errno == 0)
		ret = 0;
	closedir(d);
	return ret;
}

/* The count ("KIND: N") of one file of a folder and day (bpaggd(8)). */
static uint64_t
count_in(int dfd, const char *name, const char *kind)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	char buf[64];
	unsigned long long n = 0;
	ssize_t got;

	if (fd < 0)
		return 0;
	got = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (got <= 0)
		return 0;
	buf[got] = '\0';
	size_t kl = strlen(kind);
	return !strncmp(buf, kind, kl) && buf[kl] == ':' &&
	    sscanf(buf + kl + 1, " %llu", &n) == 1 ? n : 0;
}

/* What bpaggd counted beyond a folder's budget of the day in
 * rejected/YYYYMMDD-NNNN.KIND (unverified files refused, or exact replays:
 * not one by one, so not in the store's count); -1 when rejected/ cannot
 * be read. */
static int64_t
count_beyond_budget(const char *rejected, const char *kind)
{
	int fd = open(rejected, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	char suffix[16];
	size_t m = (size_t)snprintf(suffix, sizeof(suffix), ".%s", kind);
	struct dirent *e;
	uint64_t n = 0;
	DIR *d;

	if (fd < 0 && errno == ENOENT)
		return 0;  /* bpaggd has refused nothing yet */
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		size_t k = strlen(e->d_name);
		if (e->d_name[0] != '.' && k > m && !strcmp(e->d_name + k - m, suffix))
			n += count_in(dirfd(d), e->d_name, kind);
	}
	closedir(d);
	return (int64_t)n;
}

/* Files waiting in the inbox; -1 (errno set) when it cannot be read or is
 * missing: bpaggd takes nothing then, which "0 waiting" would hide. */
static int
count_waiting(const char *inbox, struct status *s)
{
	int fd;

	s->waiting = 0;
	if ((fd = open(inbox, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -1;
	return count_dir(fd, 1, s);
}

/* foreach_latest callback: appends a copy of sub to y->sub (grown with
 * realloc; status_free frees it). */
static int
add_latest(const struct bp_submission *sub, void *ud)
{
	struct year_status *y = ud;
	struct bp_submission *v;

	if (y->n == y->cap) {
		size_t cap = y->cap ? y->cap * 2 : 64;
		if (!(v = realloc(y->sub, cap * sizeof(*v))))
			return -1;
		y->sub = v;
		y->cap = cap;
	}
	y->sub[y->n++] = *sub;
	y->rows += sub->rows;
	return 0;
}

static int
load_year(bp_store *s, const struct status *st, struct year_status *y)
{
	if (bp_store_foreach_latest(s, y->year, add_latest, y) != 0 ||
	    bp_store_count_rejected(s, y->year, &y->rejected) < 0 ||
	    bp_store_count_multi_kommune(s, y->year, &y->multi) < 0 ||
	    bp_store_count_other_catalogue(s, y->year, st->catalogue, &y->other_catalogue) < 0)
		return -1;
	for (size_t i = 0; i < y->n; i++)
		if (bp_registry_find(st->reg, y->sub[i].kommune))
			y->reported++;
	return 0;
}

/* Fills st->y from the store: the years asked for (one, or all). st->y and
 * each year's list are allocated here and freed by status_free, also after
 * an error. */
static int
load_store(bp_store *s, int year, struct status *st)
{
	int *years = NULL;
	size_t n = 0;
	int ret = -1;

	if (year) {
		if (!(years = malloc(sizeof(*years))))
			goto out;
		years[0] = year;
		n = 1;
	} else if (bp_store_years(s, &years, &n) < 0)
		goto out;
	if (n && !(st->y = calloc(n, sizeof(*st->y))))
		goto out;
	for (size_t i = 0; i < n; i++) {
		st->y[i].year = years[i];
		st->ny = i + 1;
		if (load_year(s, st, &st->y[i]) < 0)
			goto out;
	}
	if (bp_store_count_rejected(s, 0, &st->rejected_unknown) < 0)
		goto out;
	ret = 0;
out:
	free(years);
	return ret;
}

static void
iso8601(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "1970-01-01T00:00:00Z");
}

/* One kommune of a year: a new reference, NULL on ENOMEM. The sequence is
 * a string: it is 64 bits, and jq and JavaScript round numbers above 2^53. */
static json_t *
json_kommune(const struct status *st, const struct bp_submission *sub)
{
	const struct bp_kommune *k = bp_registry_find(st->reg, sub->kommune);
	char when[32];

	iso8601(sub->received, when);
	return json_pack("{s:o,s:o,s:I,s:o,s:s}", "kommune", bp_json_text(sub->kommune),
	    "name", bp_json_text(k ? k->name : ""), "rows", (json_int_t)sub->rows,
	    "sequence", bp_json_u64(sub->sequence), "received", when);
}

/* One year: a new reference, NULL on ENOMEM. */
static json_t *
json_year(const struct status *st, const struct year_status *y)
{
	json_t *ks = json_array();
	for (size_t j = 0; ks && j < y->n; j++)
		if (json_array_append_new(ks, json_kommune(st, &y->sub[j])) < 0) {
			json_decref(ks);
			return NULL;
		}
	return json_pack("{s:i,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o}", "year", y->year,
	    "kommuner_reported", (json_int_t)y->reported,
	    "kommuner_total", (json_int_t)st->reg->n, "rows", (json_int_t)y->rows,
	    "rejected", (json_int_t)y->rejected, "waiting", (json_int_t)st->waiting,
	    "multi_kommune_persons", (json_int_t)y->multi,
	    "other_catalogue", (json_int_t)y->other_catalogue, "kommuner", ks);
}

/*
 * The object of interfaces.md, with added fields: per year
 * "multi_kommune_persons", "other_catalogue" and each kommune's "name"; at
 * the top "waiting", "inbox_unreadable" (the inbox/NNNN folders that cannot
 * be read), "rejected_year_unknown", "unverified_counted" (the files that
 * bpaggd counted in rejected/ *.unverified, null when rejected/ cannot be
 * read), "replays_counted" (likewise, rejected/ *.replayed), "store"
 * (false: none yet), "backend"
 * and "schema_version" (null without a store). Each kommune's
 * "sequence" is a string of decimal digits (the receipt's).
 * The year of a waiting file is known only once it is opened, so each
 * year's "waiting" is the whole inbox's count.
 * Written by jansson, members in this order. 0, or -1 (ENOMEM, I/O).
 */
static int
print_json(FILE *f, const struct status *st)
{
	json_t *years = json_array(), *unread = json_array(), *o = NULL;
	int rc = -1;
	for (size_t i = 0; years && i < st->ny; i++)
		if (json_array_append_new(years, json_year(st, &st->y[i])) < 0)
			goto out;
	for (size_t i = 0; unread && i < st->nunreadable; i++)
		if (json_array_append_new(unread, json_stringn(st->unreadable[i], 4)) < 0)
			goto out;
	o = json_pack("{s:O,s:I,s:O,s:I,s:o,s:o,s:b,s:o,s:o}", "years", years,
	    "waiting", (json_int_t)st->waiting, "inbox_unreadable", unread,
	    "rejected_year_unknown", (json_int_t)st->rejected_unknown,
	    "unverified_counted", st->unverified < 0 ? json_null() :
	    json_integer((json_int_t)st->unverified),
	    "replays_counted", st->replayed < 0 ? json_null() :
	    json_integer((json_int_t)st->replayed),
	    "store", st->have_store, "backend", bp_json_text(st->backend),
	    "schema_version", st->have_store ? json_integer(st->schema) : json_null());
	if (o && json_dumpf(o, f, BP_JSON_FLAGS) == 0 && fputc('\n', f) != EOF)
		rc = 0;
out:
	json_decref(o);
	json_decref(years);
	json_decref(unread);
	return rc;
}

/* Prints s cut or padded to width characters: printf pads by bytes, and
 * kommune names are UTF-8 (Rødøy, Bærum), so count characters instead. */
static void
print_padded(FILE *f, const char *s, size_t width)
{
	size_t chars = 0;
	const char *p = s;
	for (; *p; p++) {
		if (((unsigned char)*p & 0xC0) == 0x80)
			continue; /* a continuation byte */
		if (chars == width)
			break;
		chars++;
	}
	fprintf(f, "%.*s%*s", (int)(p - s), s, (int)(width - chars), "");
}

static void
print_year_text(FILE *f, const struct status *st, const struct year_status *y)
{
	char when[32];

	fprintf(f, "year %d\n", y->year);
	fprintf(f, "  kommuner reported          %zu of %zu\n", y->reported, st->reg->n);
	fprintf(f, "  rows                       %" PRIu64 "\n", y->rows);
	fprintf(f, "  files rejected             %" PRIu64 "\n", y->rejected);
	fprintf(f, "  persons in >1 kommune      %" PRIu64 "\n", y->multi);
	if (y->other_catalogue)
		fprintf(f, "  tallies to rebuild         %" PRIu64 " (counted with other [measures] "
		    "settings: run bpagg rebuild)\n", y->other_catalogue);
	if (!y->n)
		return;
	fprintf(f, "  %-7s  %-24s  %8s  %20s  %s\n", "kommune", "name", "rows", "sequence",
	    "received (UTC)");
	for (size_t j = 0; j < y->n; j++) {
		const struct bp_submission *sub = &y->sub[j];
		const struct bp_kommune *k = bp_registry_find(st->reg, sub->kommune);
		iso8601(sub->received, when);
		fprintf(f, "  %-7s  ", sub->kommune);
		print_padded(f, k ? k->name : "(not in registry)", 24);
		fprintf(f, "  %8" PRIu32 "  %20" PRIu64 "  %s\n", sub->rows, sub->sequence, when);
	}
}

/* One line with the fingerprint of the public key keys/name, or why not. */
static void
print_key(FILE *f, const char *keys, const char *name, enum bp_key_alg alg,
    const char *label)
{
	char path[4096], err[512], fpr[BP_KEY_FPR_SIZE];
	struct bp_key k;

	snprintf(path, sizeof(path), "%s/%s", keys, name);
	if (bp_key_load(path, alg, &k, err, sizeof(err)) < 0) {
		fprintf(f, "%-28s %s\n", label, err);
		return;
	}
	bp_key_fingerprint(&k, fpr);
	bp_key_free(&k);
	fprintf(f, "%-28s %s (%s)\n", label, fpr, name);
}

static void
print_text(FILE *f, const struct status *st)
{
	if (!st->have_store)
		fprintf(f, "no submissions yet\n");
	else if (!st->ny)
		fprintf(f, "no submissions yet (the store is empty)\n");
	for (size_t i = 0; i < st->ny; i++) {
		fputs(i ? "\n" : "", f);
		print_year_text(f, st, &st->y[i]);
	}
	if (st->ny)
		fputc('\n', f);
	fprintf(f, "files waiting in the inbox   %" PRIu64 "\n", st->waiting);
	for (size_t i = 0; i < st->nunreadable; i++)
		fprintf(f, "inbox folder %s cannot be read (its files not counted)\n",
		    st->unreadable[i]);
	if (st->rejected_unknown)
		fprintf(f, "files rejected, year unknown %" PRIu64 "\n", st->rejected_unknown);
	if (st->unverified > 0)
		fprintf(f, "unverified files counted     %" PRId64 " (refused beyond a folder's "
		    "budget of the day: rejected/*.unverified)\n", st->unverified);
	else if (st->unverified < 0)
		fprintf(f, "unverified files counted     unknown (rejected/ cannot be read)\n");
	if (st->replayed > 0)
		fprintf(f, "exact replays counted        %" PRId64 " (beyond a folder's budget of "
		    "the day: rejected/*.replayed)\n", st->replayed);
	if (st->have_store)
		fprintf(f, "store                        %s, schema version %d\n", st->backend,
		    st->schema);
	else
		fprintf(f, "store                        %s, not created yet\n", st->backend);
	print_key(f, st->keys, "daemon.sign.pk", BP_KEY_SIGN_PK, "receipts signed by key");
	print_key(f, st->keys, "central.box.pk", BP_KEY_BOX_PK, "exports sealed to key");
}

static void
status_free(struct status *st)
{
	for (size_t i = 0; i < st->ny; i++)
		free(st->y[i].sub);
	free(st->y);
}

struct opts {
	const char *conf;
	int year;
	int json;
};

static int
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "conf", required_argument, NULL, 'c' },
		{ "config", required_argument, NULL, 'c' },
		{ "year", required_argument, NULL, 'y' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", lo, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->conf = optarg;
			break;
		case 'y':
			if (bp_cli_year(optarg, &o->year) < 0) {
				fprintf(stderr, "bpagg status: --year wants a year 1990..2100\n");
				return EX_USAGE;
			}
			break;
		case 'j':
			o->json = 1;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EX_USAGE;
	}
	return 0;
}

/* Reads the store into st (memory freed by status_free): EX_OK, or an exit
 * code after a message. */
static int
read_store(const struct bp_config *c, int year, struct status *st)
{
	bp_store *s = NULL;
	char err[512];
	int r;

	if ((r = bp_store_open_existing(c, &s, err, sizeof(err))) < 0) {
		fprintf(stderr, "bpagg status: %s\n", err);
		return EX_IOERR;
	}
	st->have_store = (r == 0);
	st->backend = c->store_backend;
	if (r == 0)
		st->schema = bp_store_version(s);
	if (r == 0 && load_store(s, year, st) < 0) {
		fprintf(stderr, "bpagg status: %s: cannot read the store\n",
		    strcmp(c->store_backend, "postgresql") ? c->store_path : "[store] dsn");
		bp_store_close(s);
		return EX_IOERR;
	}
	bp_store_close(s);
	if (r == 1 && year) {
		/* No store: the year asked for, empty. */
		if (!(st->y = calloc(1, sizeof(*st->y))))
			return EX_OSERR;
		st->y[0].year = year;
		st->ny = 1;
	}
	return EX_OK;
}

int
bp_cmd_status(int argc, char **argv)
{
	struct bp_config c;
	struct bp_registry reg;
	struct status st;
	struct opts o;
	char err[512];
	int rc;

	if ((rc = parse_args(argc, argv, &o)) != 0)
		return rc < 0 ? EX_OK : rc;
	memset(&reg, 0, sizeof(reg));
	memset(&st, 0, sizeof(st));
	st.reg = &reg;
	if ((rc = bp_cli_load_conf("status", o.conf, &c)) != 0)
		goto out;
	if (bp_store_check_config(&c, err, sizeof(err)) < 0) {
		fprintf(stderr, "bpagg status: %s: %s\n", c.path, err);
		rc = EX_CONFIG;
		goto out;
	}
	if ((rc = bp_cli_load_registry("status", c.registry, &reg)) != 0)
		goto out;
	if (count_waiting(c.inbox, &st) < 0) {
		fprintf(stderr, "bpagg status: %s: cannot read the inbox: %s; bpaggd takes no "
		    "file until it can (create it, or fix [paths] inbox)\n", c.inbox,
		    strerror(errno));
		rc = errno == ENOENT ? EX_NOINPUT : EX_IOERR;
		goto out;
	}
	for (size_t i = 0; i < st.nunreadable; i++)
		fprintf(stderr, "bpagg status: warning: %s/%s: cannot be read: its files are not "
		    "counted as waiting, and bpaggd takes none of them until it can\n", c.inbox,
		    st.unreadable[i]);
	st.unverified = count_beyond_budget(c.rejected, "unverified");
	st.replayed = count_beyond_budget(c.rejected, "replayed");
	st.keys = c.keys;
	bp_catalogue_id(&c.measures, st.catalogue);
	if ((rc = read_store(&c, o.year, &st)) != EX_OK)
		goto out;
	if (o.json && print_json(stdout, &st) < 0) {
		fprintf(stderr, "bpagg status: out of memory writing the JSON\n");
		rc = EX_OSERR;
		goto out;
	}
	if (!o.json)
		print_text(stdout, &st);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "bpagg status: cannot write the output\n");
		rc = EX_IOERR;
	}
out:
	status_free(&st);
	bp_registry_free(&reg);
	bp_config_free(&c);
	return rc;
}
