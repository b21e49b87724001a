/*
 * flood.c - bounds what refusals of unverified files leave behind.
 *
 * A file that no kommune's key vouches for (junk, an upload cut short or
 * tampered with, a plaintext export) is deleted unread, and used to leave
 * a reason file in rejected/, a store record and a log line each. Anyone
 * who may write to an inbox folder can make such files as fast as bpaggd
 * refuses them (some 300 a second), and each left an inode, a row and a
 * line for good: a day of it is millions of files in rejected/.
 *
 * So each inbox folder has, per UTC day of the claim, a budget of such
 * refusals recorded one by one ([ingest] unverified_refusals_per_day): a
 * kommune whose upload was cut short finds its reason as before. Beyond
 * it they are counted in one file of the folder and day,
 * rejected/YYYYMMDD-NNNN.unverified ("inbox" for the inbox itself),
 * rewritten in place (synced, renamed over) at each refusal, with one
 * store record for it, a log line for the first refusal of each reason
 * and one at every power of ten. The file is read back when the daemon
 * starts again on the same day, so the count goes on (and the folder stays
 * over its budget); what was recorded one by one that day is not counted
 * again, so a restart gives a folder at most a fresh budget.
 *
 * The budget is kept per folder, not for the whole inbox, so junk in one
 * kommune's folder cannot use up the reasons another kommune reads; junk
 * in inbox/ itself, where every kommune may upload, shares its budget, and
 * so does junk in a folder of no registered kommune (else whoever may make
 * folders in inbox/ would have 10 000 budgets).
 */
#include "bpaggd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define FLOOD_SLOTS 10001    /* inbox/NNNN/ by its number; the last the inbox */
#define FLOOD_REASONS 16     /* distinct reasons named in a file; more: "other" */
#define FLOOD_FILE_MAX 65536 /* a file of ours is far smaller */

struct flood_reason {
	char *text;
	unsigned long long n;
};

/* One folder's day. */
struct flood_folder {
	long day;                 /* YYYYMMDD (UTC) of the claim times counted */
	unsigned long recorded;   /* recorded one by one that day, by this run */
	bool counting;            /* over the budget: counted in the file */
	bool stored;              /* the file's store record made, by this run */
	unsigned long long count, other;
	char first[24], last[24]; /* claim times, "YYYY-MM-DDTHH:MM:SSZ" */
	size_t nreason;
	struct flood_reason reason[FLOOD_REASONS];
};

struct bpd_flood {
	struct flood_folder *slot[FLOOD_SLOTS];
};

struct bpd_flood *
bpd_flood_new(void)
{
	return calloc(1, sizeof(struct bpd_flood));
}

static void
folder_clear(struct flood_folder *s)
{
	for (size_t i = 0; i < s->nreason; i++)
		free(s->reason[i].text);
	memset(s, 0, sizeof(*s));
}

void
bpd_flood_free(struct bpd_flood *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < FLOOD_SLOTS; i++)
		if (f->slot[i]) {
			folder_clear(f->slot[i]);
			free(f->slot[i]);
		}
	free(f);
}

/* The slot of q's folder (made when new) and its label: the inbox's for a
 * folder of no registered kommune (own false); NULL when q names no folder
 * the daemon lists, or out of memory (errno ENOMEM). */
static struct flood_folder *
folder_of(struct bpd_flood *f, const struct bpd_qname *q, bool own, char label[6])
{
	char folder[5];
	size_t i;

	if (bpd_qname_folder(q, folder) < 0) {
		errno = EINVAL;
		return NULL;
	}
	if (!own)
		*folder = '\0';
	i = *folder ? (size_t)atoi(folder) : FLOOD_SLOTS - 1;
	snprintf(label, 6, "%s", *folder ? folder : "inbox");
	if (f->slot[i] == NULL)
		f->slot[i] = calloc(1, sizeof(struct flood_folder));
	return f->slot[i];
}

/* Claim time t as YYYYMMDD (its day) or, with stamp, YYYY-MM-DDTHH:MM:SSZ. */
static void
utc_text(long long t, bool stamp, char *out, size_t outlen)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) ||
	    !strftime(out, outlen, stamp ? "%Y-%m-%dT%H:%M:%SZ" : "%Y%m%d", &tm))
		snprintf(out, outlen, "?");
}

static void
file_name(const struct flood_folder *s, const char *label, char *out, size_t outlen)
{
	snprintf(out, outlen, "%08ld-%s.unverified", s->day, label);
}

/* Adds n refusals of reason (one line) to s; *first when it is new. */
static int
add_reason(struct flood_folder *s, const char *reason, unsigned long long n, bool *first)
{
	size_t i;

	*first = false;
	for (i = 0; i < s->nreason; i++)
		if (!strcmp(s->reason[i].text, reason)) {
			s->reason[i].n += n;
			return 0;
		}
	if (s->nreason == FLOOD_REASONS) {
		s->other += n;
		return 0;
	}
	if ((s->reason[i].text = strdup(reason)) == NULL)
		return -1;
	s->reason[i].n = n;
	s->nreason++;
	*first = true;
	return 0;
}

/*
 * Reads the folder's file of s->day back, when there is one (the daemon
 * ran earlier that day): its counts go on, and the folder is over its
 * budget. 0 (also when there is none), or -1 with errno.
 */
static int
load(struct flood_folder *s, int rejdir, const char *label)
{
	char name[48], *buf, *line, *save;
	unsigned long long n;
	ssize_t got;
	bool first;
	int fd, ret = -1;

	file_name(s, label, name, sizeof(name));
	if ((fd = openat(rejdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : -1;
	if ((buf = malloc(FLOOD_FILE_MAX + 1)) == NULL)
		goto out;
	if ((got = read(fd, buf, FLOOD_FILE_MAX)) < 0)
		goto out;
	buf[got] = '\0';
	s->counting = true;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int at = 0;
		if (sscanf(line, "unverified: %llu", &n) == 1)
			s->count = n;
		else if (sscanf(line, "other: %llu", &n) == 1)
			s->other = n;
		else if (!strncmp(line, "first: ", 7))
			snprintf(s->first, sizeof(s->first), "%s", line + 7);
		else if (sscanf(line, "reason: %llu %n", &n, &at) == 1 && at > 0 &&
		    add_reason(s, line + at, n, &first) < 0)
			goto out;
	}
	ret = 0;
out:
	free(buf);
	close(fd);
	return ret;
}

/* Writes s to its file, synced, over the one before. 0 or -1 (errno). */
static int
save(const struct flood_folder *s, int rejdir, const char *label, unsigned long budget)
{
	char name[48], day[64];
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	int ret = -1;

	if (m == NULL)
		return -1;
	file_name(s, label, name, sizeof(name));
	snprintf(day, sizeof(day), "%04ld-%02ld-%02ld", s->day / 10000, s->day / 100 % 100,
	    s->day % 100);
	fprintf(m, "unverified: %llu\nfolder: inbox/%s%s\nday: %s\nfirst: %s\nlast: %s\n",
	    s->count, strcmp(label, "inbox") ? label : "", strcmp(label, "inbox") ? "/" : "",
	    day, s->first, s->last);
	for (size_t i = 0; i < s->nreason; i++)
		fprintf(m, "reason: %llu %s\n", s->reason[i].n, s->reason[i].text);
	fprintf(m, "other: %llu\n", s->other);
	fprintf(m, "note: files no kommune's key vouches for, refused in this folder on this "
	    "day (claim time, UTC) beyond the first %lu recorded one by one: each was deleted "
	    "unread and is counted here, without a reason file, store record or log line of "
	    "its own\n", budget);
	if (fclose(m) != 0) {
		free(text);
		return -1;
	}
	if (bpd_write_over(rejdir, name, text, len, 0600) == 0 && fsync(rejdir) == 0)
		ret = 0;
	free(text);
	return ret;
}

/* 1, 10, 100, ...: when the count is logged again. */
static bool
power_of_ten(unsigned long long n)
{
	while (n >= 10 && n % 10 == 0)
		n /= 10;
	return n == 1;
}

int
bpd_flood_take(struct bpd_flood *f, int rejdir, unsigned long budget, bool own,
    const struct bpd_qname *q, const char *reason, int prio, struct bpd_flood_said *said)
{
	struct flood_folder *s;
	char label[6], dayc[16], when[24];
	bool first;
	long day;

	memset(said, 0, sizeof(*said));
	if ((s = folder_of(f, q, own, label)) == NULL)
		return errno == EINVAL ? 0 : -1;  /* no folder: recorded one by one */
	utc_text(q->t, false, dayc, sizeof(dayc));
	day = strtol(dayc, NULL, 10);
	if (s->day != day) {
		folder_clear(s);
		s->day = day;
		if (load(s, rejdir, label) < 0)
			bpd_log(LOG_ERR, "rejected/%08ld-%s.unverified: cannot read it (%s); counted "
			    "again from 0", day, label, strerror(errno));
	}
	if (!s->counting && s->recorded < budget) {
		s->recorded++;
		return 0;
	}
	file_name(s, label, said->name, sizeof(said->name));
	if (!s->counting)
		bpd_log(LOG_WARNING, "inbox/%s%s: more than %lu unverified files refused today: "
		    "further ones are deleted unread and counted in rejected/%s, without a "
		    "reason file or log line each", strcmp(label, "inbox") ? label : "",
		    strcmp(label, "inbox") ? "/" : "", budget, said->name);
	s->counting = true;
	utc_text(q->t, true, when, sizeof(when));
	if (!*s->first)
		snprintf(s->first, sizeof(s->first), "%s", when);
	snprintf(s->last, sizeof(s->last), "%s", when);
	/* one line of a bounded length, whatever ingest said */
	char line[512];
	snprintf(line, sizeof(line), "%s", reason);
	for (char *p = line; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	unsigned long long other = s->other;
	size_t nreason = s->nreason;
	if (add_reason(s, line, 1, &first) < 0)
		return -1;
	s->count++;
	if (save(s, rejdir, label, budget) < 0) {
		/* not counted: the refusal is taken up again */
		int saved = errno;
		s->count--;
		if (first) {
			free(s->reason[--s->nreason].text);
		} else if (s->other != other) {
			s->other = other;
		} else {
			for (size_t i = 0; i < nreason; i++)
				if (!strcmp(s->reason[i].text, line))
					s->reason[i].n--;
		}
		errno = saved;
		return -1;
	}
	if (first)
		bpd_log(prio, "%s: refused (counted in rejected/%s, the first for this reason "
		    "today): %s", bpd_qname_safe(q), said->name, line);
	else if (power_of_ten(s->count))
		bpd_log(LOG_NOTICE, "rejected/%s: %llu unverified files counted today",
		    said->name, s->count);
	said->store = !s->stored;
	return 1;
}

void
bpd_flood_stored(struct bpd_flood *f, bool own, const struct bpd_qname *q)
{
	char label[6];
	struct flood_folder *s = folder_of(f, q, own, label);

	if (s)
		s->stored = true;
}
