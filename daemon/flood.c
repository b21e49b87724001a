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
 * rejected/YYYYMMDD-NNNN.unverified ("inbox" for the inbox itself), with
 * one store record for it, a log line for the first refusal of each
 * reason and one at every power of ten. Each refusal reads the file back,
 * adds itself and writes it over (synced, renamed over), holding a POSIX
 * lock on rejected/.unverified.lock: the count goes on after a restart,
 * and two nodes that share rejected/ add to it in turn. Once the file
 * exists the folder's budget of that day is spent, for every node and run
 * (a restart before it exists gives a folder at most a fresh budget).
 *
 * The budget is kept per folder, not for the whole inbox, so junk in one
 * kommune's folder cannot use up the reasons another kommune reads; junk
 * in inbox/ itself, where every kommune may upload, shares its budget, and
 * so does junk in a folder of no registered kommune (else whoever may make
 * folders in inbox/ would have 10 000 budgets).
 *
 * A second count of the same kind bounds exact replays ("replayed"): an
 * upload of a submission whose very bytes are kept already (in archive/,
 * already applied, or in rejected/, refused) is deleted, and used to leave
 * a receipt (and a refused one a reason file and a store record) each; a
 * captured seal uploaded again and again filled outbox/ at the uploader's
 * rate (400 receipts in 17 s, found by a hostile review).  Beyond
 * [ingest] replays_per_day a folder's replays that day are counted in
 * rejected/YYYYMMDD-NNNN.replayed instead, with no store record.  What
 * is spent of this budget is durable from the first replay, in the
 * dot-file rejected/.YYYYMMDD-NNNN.replayed ("recorded: N", then a line
 * "spent: T-R" for each upload that spent it): a restart, or bpaggd
 * --once run by a timer, gives no fresh budget (found by a second hostile
 * review: 100 replays over 5 runs left 101 receipts), and an upload killed
 * after it spent its unit does not spend another.
 */
#include "bpaggd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "io.h"

#define FLOOD_SLOTS 10001    /* inbox/NNNN/ by its number; the last the inbox */
#define FLOOD_REASONS 16     /* distinct reasons named in a file; more: "other" */
#define FLOOD_FILE_MAX 65536 /* a file of ours is far smaller */
#define FLOOD_LOCK ".unverified.lock"

struct flood_reason {
	char *text;
	unsigned long long n;
};

/* A folder's file of the day, as read back and written. */
struct flood_file {
	unsigned long long count, other;
	unsigned long long recorded;  /* durable kinds: recorded one by one */
	char first[24], last[24]; /* claim times, "YYYY-MM-DDTHH:MM:SSZ" */
	size_t nreason;
	struct flood_reason reason[FLOOD_REASONS];
};

/* What this daemon knows of one folder's day. */
struct flood_folder {
	long day;                 /* YYYYMMDD (UTC) of the claim times counted */
	unsigned long recorded;   /* recorded one by one that day, by this run */
	bool stored;              /* the file's store record made, by this run */
};

struct bpd_flood {
	const char *kind;   /* "unverified" or "replayed": names its files */
	bool durable;       /* the budget spent is kept in the file ("replayed") */
	struct flood_folder *slot[FLOOD_SLOTS];
};

struct bpd_flood *
bpd_flood_new(const char *kind)
{
	struct bpd_flood *f = calloc(1, sizeof(struct bpd_flood));

	if (f) {
		f->kind = kind;
		f->durable = !strcmp(kind, "replayed");
	}
	return f;
}

/* What a file of f's kind counts, for its note and the log. */
static const char *
what(const struct bpd_flood *f)
{
	return strcmp(f->kind, "replayed") ? "unverified files refused" :
	    "exact replays of submissions whose bytes are kept already";
}

void
bpd_flood_free(struct bpd_flood *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < FLOOD_SLOTS; i++)
		free(f->slot[i]);
	free(f);
}

static void
file_clear(struct flood_file *F)
{
	for (size_t i = 0; i < F->nreason; i++)
		free(F->reason[i].text);
	memset(F, 0, sizeof(*F));
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
file_name(const struct bpd_flood *f, long day, const char *label, char *out, size_t outlen)
{
	snprintf(out, outlen, "%08ld-%s.%s", day, label, f->kind);
}

/* Adds n refusals of reason (one line) to F; *first when it is new. */
static int
add_reason(struct flood_file *F, const char *reason, unsigned long long n, bool *first)
{
	size_t i;

	*first = false;
	for (i = 0; i < F->nreason; i++)
		if (!strcmp(F->reason[i].text, reason)) {
			F->reason[i].n += n;
			return 0;
		}
	if (F->nreason == FLOOD_REASONS) {
		F->other += n;
		return 0;
	}
	if ((F->reason[i].text = strdup(reason)) == NULL)
		return -1;
	F->reason[i].n = n;
	F->nreason++;
	*first = true;
	return 0;
}

/*
 * Reads file name beneath rejdir into F (cleared first): 1 read, 0 when
 * there is none, -1 with errno. A line it does not know is skipped.
 */
static int
load(const struct bpd_flood *f, struct flood_file *F, int rejdir, const char *name)
{
	size_t kl = strlen(f->kind);
	char *buf, *line, *save;
	unsigned long long n;
	ssize_t got;
	bool first;
	int fd, ret = -1;

	memset(F, 0, sizeof(*F));
	if ((fd = openat(rejdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : -1;
	if ((buf = malloc(FLOOD_FILE_MAX + 1)) == NULL)
		goto out;
	if ((got = read(fd, buf, FLOOD_FILE_MAX)) < 0)
		goto out;
	buf[got] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int at = 0;
		if (!strncmp(line, f->kind, kl) && line[kl] == ':' &&
		    sscanf(line + kl + 1, " %llu", &n) == 1)
			F->count = n;
		else if (sscanf(line, "other: %llu", &n) == 1)
			F->other = n;
		else if (sscanf(line, "recorded: %llu", &n) == 1)
			F->recorded = n;
		else if (!strncmp(line, "first: ", 7))
			snprintf(F->first, sizeof(F->first), "%s", line + 7);
		else if (sscanf(line, "reason: %llu %n", &n, &at) == 1 && at > 0 &&
		    add_reason(F, line + at, n, &first) < 0)
			goto out;
	}
	ret = 1;
out:
	free(buf);
	close(fd);
	return ret;
}

/* Writes F to file name, synced, over the one before. 0 or -1 (errno). */
static int
save(const struct bpd_flood *f, const struct flood_file *F, int rejdir, const char *name,
    long day, const char *label, unsigned long budget)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	bool top = !strcmp(label, "inbox");
	int ret = -1;

	if (m == NULL)
		return -1;
	fprintf(m, "%s: %llu\nfolder: inbox/%s%s\nday: %04ld-%02ld-%02ld\n"
	    "first: %s\nlast: %s\n", f->kind, F->count, top ? "" : label, top ? "" : "/",
	    day / 10000, day / 100 % 100, day % 100, F->first, F->last);
	for (size_t i = 0; i < F->nreason; i++)
		fprintf(m, "reason: %llu %s\n", F->reason[i].n, F->reason[i].text);
	fprintf(m, "other: %llu\n", F->other);
	if (strcmp(f->kind, "replayed"))
		fprintf(m, "note: files no kommune's key vouches for, refused in this folder on "
		    "this day (claim time, UTC) beyond the first %lu recorded one by one: each was "
		    "deleted unread and is counted here, without a reason file, store record or "
		    "log line of its own\n", budget);
	else
		fprintf(m, "note: uploads of submissions whose exact bytes are kept already "
		    "(archive/ or rejected/), in this folder on this day (claim time, UTC) beyond "
		    "the first %lu recorded one by one: each was deleted and is counted here, "
		    "without a receipt, reason file, store record or log line of its own\n",
		    budget);
	if (fclose(m) != 0) {
		free(text);
		return -1;
	}
	if (bpd_write_over(rejdir, name, text, len, 0600) == 0 && fsync(rejdir) == 0)
		ret = 0;
	free(text);
	return ret;
}

/* Holds rejected/'s lock file (a POSIX lock, which NFS carries too): two
 * nodes that share rejected/ add to one file in turn, never one over the
 * other's count. The descriptor, or -1 with errno; closing it unlocks. */
static int
lock_rejected(int rejdir)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int fd = openat(rejdir, FLOOD_LOCK, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return -1;
	while (fcntl(fd, F_SETLKW, &fl) < 0)
		if (errno != EINTR) {
			int saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
	return fd;
}

/* 1, 10, 100, ...: when the count is logged again. */
static bool
power_of_ten(unsigned long long n)
{
	while (n >= 10 && n % 10 == 0)
		n /= 10;
	return n == 1;
}

/*
 * A durable kind's budget of the day for file name: "recorded: N" in its
 * dot-file, then a line "spent: T-R" for each of the last SPENT_KEPT
 * uploads that spent it, written over together, so that an upload killed
 * after it spent its unit (before its receipt) does not spend again when
 * the queue is finished (a hostile review: it was counted beyond the
 * budget instead, without a receipt).  Only the last ones: a kill's upload
 * is finished by the next run, and the file stays small whatever the
 * budget (a review: with every line kept, each replay read and wrote all
 * the day's lines).  *counted false when upload's unit is spent (now or
 * before); left true when the budget is gone (counted in the file).
 * Under rejected/'s lock.  0 or -1.
 */
#define SPENT_KEPT 256

static int
spend_budget(int rejdir, const char *name, unsigned long budget, const char *upload,
    bool *counted)
{
	char dot[48], mine[BP_UPLOAD_TAG_MAX + 16], *old = NULL, *text = NULL;
	unsigned long long recorded = 0;
	size_t len = 0;
	ssize_t got = 0;
	int fd, ret = -1;

	snprintf(dot, sizeof(dot), ".%s", name);
	snprintf(mine, sizeof(mine), "\nspent: %s\n", upload);
	/* read once: its first line, then the uploads (a file of ours is far
	 * smaller than FLOOD_FILE_MAX) */
	if ((old = malloc(FLOOD_FILE_MAX + 1)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	old[0] = '\0';
	if ((fd = openat(rejdir, dot, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
		got = bp_read_full(fd, (uint8_t *)old, FLOOD_FILE_MAX);
		int e = errno;
		close(fd);
		if (got < 0) {
			errno = e;
			goto out;
		}
		old[got] = '\0';
	} else if (errno != ENOENT)
		goto out;
	if (!strncmp(old, "recorded: ", 10))
		recorded = strtoull(old + 10, NULL, 10);
	if (strstr(old, mine)) {
		*counted = false;
		ret = 0;
		goto out;
	}
	if (recorded >= budget) {
		ret = 0;
		goto out;
	}
	/* the last SPENT_KEPT - 1 lines before this upload's */
	const char *spent = strstr(old, "\nspent: ");
	size_t nspent = 0;
	for (const char *p = spent; p; p = strstr(p + 1, "\nspent: "))
		nspent++;
	for (; spent && nspent >= SPENT_KEPT; nspent--)
		spent = strstr(spent + 1, "\nspent: ");
	FILE *m = open_memstream(&text, &len);
	if (!m)
		goto out;
	fprintf(m, "recorded: %llu\n%s%s", recorded + 1, spent ? spent + 1 : "", mine + 1);
	if (fclose(m) != 0 || !text)
		goto out;
	if (bpd_write_over(rejdir, dot, text, len, 0600) < 0 || fsync(rejdir) < 0)
		goto out;
	*counted = false;
	ret = 0;
out:
	free(old);
	free(text);
	return ret;
}

/*
 * Adds one refusal (reason, claim time when) to the file name: read back,
 * added to and written over under rejected/'s lock. *made: the file is
 * new; *first: its reason is new in it; *count: the count now; *counted
 * false when a durable kind's budget was not spent yet (spend_budget: the
 * file is not touched then). 0 or -1.
 */
static int
count_in_file(const struct bpd_flood *f, int rejdir, const char *name, long day,
    const char *label, unsigned long budget, const char *upload, const char *reason,
    const char *when, bool *made, bool *first, unsigned long long *count, bool *counted)
{
	struct flood_file F;
	int lk = lock_rejected(rejdir), rc, saved;

	if (lk < 0)
		return -1;
	*counted = true;
	rc = f->durable ? spend_budget(rejdir, name, budget, upload, counted) : 0;
	if (rc >= 0 && *counted)
		rc = load(f, &F, rejdir, name);
	else
		memset(&F, 0, sizeof(F));
	if (rc >= 0 && *counted) {
		*made = rc == 0;
		if (!*F.first)
			snprintf(F.first, sizeof(F.first), "%s", when);
		snprintf(F.last, sizeof(F.last), "%s", when);
		F.count++;
		*count = F.count;
		rc = add_reason(&F, reason, 1, first) < 0 ? -1 :
		    save(f, &F, rejdir, name, day, label, budget);
	}
	saved = errno;
	file_clear(&F);
	close(lk);
	errno = saved;
	return rc < 0 ? -1 : 0;
}

int
bpd_flood_take(struct bpd_flood *f, int rejdir, unsigned long budget, bool own,
    const struct bpd_qname *q, const char *reason, int prio, struct bpd_flood_said *said)
{
	struct flood_folder *s;
	char label[6], dayc[16], when[24], line[512];
	unsigned long long count = 0;
	bool made = false, first = false;
	struct stat st;
	long day;

	memset(said, 0, sizeof(*said));
	if ((s = folder_of(f, q, own, label)) == NULL)
		return errno == EINVAL ? 0 : -1;  /* no folder: recorded one by one */
	utc_text(q->t, false, dayc, sizeof(dayc));
	day = strtol(dayc, NULL, 10);
	if (s->day != day) {
		memset(s, 0, sizeof(*s));
		s->day = day;
	}
	file_name(f, day, label, said->name, sizeof(said->name));
	/* The budget is spent once the folder's file of the day exists: made
	 * by this run, an earlier one that day, or another node (a durable
	 * kind reads what was spent from that file instead). */
	if (!f->durable && s->recorded < budget &&
	    fstatat(rejdir, said->name, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT) {
		s->recorded++;
		said->name[0] = '\0';
		return 0;
	}
	/* one line of a bounded length, whatever ingest said */
	snprintf(line, sizeof(line), "%s", reason);
	for (char *p = line; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	utc_text(q->t, true, when, sizeof(when));
	bool counted;
	char tag[BP_UPLOAD_TAG_MAX];
	bpd_upload_tag(q, tag, sizeof(tag));
	if (count_in_file(f, rejdir, said->name, day, label, budget, tag, line, when, &made,
	    &first, &count, &counted) < 0)
		return -1;
	if (!counted) {
		said->name[0] = '\0';
		return 0;
	}
	if (made)
		bpd_log(LOG_WARNING, "inbox/%s%s: more than %lu %s today: further ones are "
		    "deleted and counted in rejected/%s, without a reason file, receipt or log "
		    "line each", strcmp(label, "inbox") ? label : "",
		    strcmp(label, "inbox") ? "/" : "", budget, what(f), said->name);
	if (first)
		bpd_log(prio, "%s: %s (counted in rejected/%s, the first for this reason "
		    "today): %s", bpd_qname_safe(q), strcmp(f->kind, "replayed") ? "refused" :
		    "replayed", said->name, line);
	else if (power_of_ten(count))
		bpd_log(LOG_NOTICE, "rejected/%s: %llu %s counted today", said->name, count,
		    what(f));
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

/*
 * A refusal of a file no kommune's key vouches for, once its folder's
 * budget of the day is spent: counted in the folder's file of the day
 * (flood.c), with one store record for that file, instead of a reason
 * file, a store record and a log line of its own. 1 counted, 0 to be
 * recorded one by one, -1 (retried).
 */
int
bpd_count_unverified(struct bpd_ctx *c, const struct bpd_qname *q, const char *reason,
    int prio)
{
	struct bpd_flood_said said;
	char why[200], folder[5];
	int rc;

	if (c->flood == NULL)
		return 0;
	/* a folder of no registered kommune shares the inbox's budget */
	bool own = bpd_qname_folder(q, folder) == 0 && *folder &&
	    bp_ingest_knows_kommune(c->ing, folder);
	rc = bpd_flood_take(c->flood, c->dirs.rejected, c->conf->unverified_refusals_per_day,
	    own, q, reason, prio, &said);
	if (rc < 0)
		bpd_log(LOG_ERR, "%s: cannot count the refusal in rejected/: %s (retried)",
		    bpd_qname_safe(q), strerror(errno));
	if (rc != 1 || !said.store)
		return rc;
	snprintf(why, sizeof(why), "unverified files refused beyond the day's budget of "
	    "their inbox folder, counted in rejected/%s", said.name);
	if (bp_store_reject(bp_ingest_store(c->ing), "", 0, said.name, why) < 0) {
		bpd_log(LOG_ERR, "rejected/%s: cannot record it in the store (retried)", said.name);
		return -1;
	}
	bpd_flood_stored(c->flood, own, q);
	return 1;
}

/*
 * An upload of a submission whose exact bytes are kept already (in archive/
 * or rejected/), beyond its folder's budget of replays that day: counted in the
 * folder's file of the day (flood.c) instead of a receipt, reason file,
 * store record and log line of its own.  1 counted, 0 to be recorded one
 * by one, -1 (retried).
 */
int
bpd_count_replay(struct bpd_ctx *c, const struct bpd_qname *q,
    const struct bp_ingest_result *r)
{
	struct bpd_flood_said said;
	char folder[5];
	int rc;

	if (c->replays == NULL)
		return 0;
	/* A kommune's own folder has a budget for replays of its own
	 * submissions; any other replay (another kommune's seal dropped
	 * there, or in inbox/) shares the inbox's, so that no uploader can
	 * spend a kommune's receipts for its own retries (found by a second
	 * hostile review). */
	bool own = bpd_qname_folder(q, folder) == 0 && *folder &&
	    !strcmp(folder, r->meta.kommune) && bp_ingest_knows_kommune(c->ing, folder);
	/* the reason names the kind, not the submission: the file keeps a
	 * line per reason (16 at most), and a replay of each of 357
	 * kommuner's files is the same event */
	rc = bpd_flood_take(c->replays, c->dirs.rejected, c->conf->replays_per_day, own, q,
	    r->status == BP_INGEST_REFUSED ? "refused again, its bytes kept in rejected/ already" :
	    "already applied, its bytes in archive/ already", LOG_INFO, &said);
	if (rc < 0)
		bpd_log(LOG_ERR, "%s: cannot count the replay in rejected/: %s (retried)",
		    bpd_qname_safe(q), strerror(errno));
	return rc;
}
