/*
 * bpaggd - the inbox daemon: ingests every sealed submission dropped into
 * the inbox, one at a time, on libuv's work queue (see bpaggd(8)).
 *
 * The loop thread handles signals, timers and fs events and decides when
 * to work; one work item at a time runs on the work thread: the queue left
 * by a crash or a failed step, a listing of the inbox, then up to BATCH
 * files claimed and taken to their end (dispose.c). Only the work thread
 * touches the store, the queue and the inbox listing while it runs.
 */
#include "bpaggd.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <limits.h>
#include <signal.h>
#include <dirent.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <uv.h>

#include "lock.h"

#define TICK_MS 1000 /* watcher re-arm and waited-for file check */
#define BATCH 64     /* files per work item, between two listings */

struct bpd {
	uv_loop_t loop;
	const char *conf_path;
	struct bp_config *conf;       /* calloc'ed; replaced on SIGHUP */
	struct bpd_ctx ctx;           /* what dispose needs; its dirs are ours */
	bp_ingest *ing;
	struct bp_key sign_sk;        /* keys/daemon.sign.sk */
	bool once;
	int lockfd;                   /* the installation lock (queue/.bpaggd.lock) */
	int statefd;                  /* the state directory, holding queue/ */

	uv_signal_t sig_hup, sig_term, sig_int;
	uv_timer_t scan_timer, tick_timer;
	uv_fs_event_t fsev;
	bool fsev_on;
	int fsev_dirfd;               /* the watched directory, to see it deleted */

	uv_work_t work;
	bool busy, dirty, stopping, reload_pending, closing;
	/* Work thread only, between two work items. */
	struct bpd_candlist cands;    /* the last listing, from next on */
	size_t next;
	struct bpd_waits waits;
	struct bpd_scan_stats stats;
	bool scanned;                 /* the current work item listed the inbox */
	bool want_scan;               /* something changed: list the inbox */
	bool queue_pending;           /* entries left in the queue: go through it */
	uint64_t queue_due;           /* not before (uv_now ms) */
	int inbox_errno;              /* the inbox cannot be opened: why (0: it can) */
	uint64_t now;                 /* uv_now() when the work item was queued */
	atomic_bool interrupt;        /* signal: stop the batch after this file */
	int errors_in_item;           /* entries left in the queue by this item */

	/* Loop thread. */
	size_t nignored;              /* files not named *.bpx at the last listing */
	size_t nfolders;              /* folders not listed (not NNNN) at the last listing */
	char unlisted[256];           /* folders that cannot be listed, as last logged */
	size_t loop_nwaiting, loop_nsubdirs; /* of the last listing */
	int inbox_errno_logged;
	int internal_errors;          /* files not ingested or not moved */
	bool broken;                  /* the loop itself failed */
};

static void kick(struct bpd *d);
static void tell_status(struct bpd *d, bool ready);
static void on_scan_timer(uv_timer_t *t);
static void unwatch(struct bpd *d);

/* ---- the work thread ---------------------------------------------------- */

/* Takes every entry of the queue to its end (at start: recovery). */
static void
queue_pass(struct bpd *d)
{
	char **v = NULL;
	long n = bpd_queue_list(d->ctx.dirs.queue, &v);
	enum bp_ingest_status st;
	bool left = n < 0;

	for (long i = 0; i < n; i++) {
		if (!atomic_load(&d->interrupt) &&
		    bpd_dispose(&d->ctx, v[i], NULL, &st) == BPD_END_RETRY)
			left = true;
		free(v[i]);
	}
	free(v);
	if (left)
		d->errors_in_item++;
	d->queue_pending = left;
	d->queue_due = d->now + 1000ull * d->conf->scan_seconds;
}

/* Lists the inbox afresh; an inbox that cannot be opened is remembered. */
static void
rescan(struct bpd *d)
{
	int fd = open(d->conf->inbox, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	bpd_candlist_free(&d->cands);
	d->next = 0;
	d->scanned = true;
	if (fd < 0) {
		d->inbox_errno = errno;
		return;
	}
	d->inbox_errno = 0;
	if (d->ctx.inbox >= 0)
		close(d->ctx.inbox);
	d->ctx.inbox = fd;
	if (bpd_scan(fd, &d->waits, d->now, d->conf->young_seconds, d->conf->max_file_bytes,
	    d->once, &d->cands, &d->stats) < 0)
		d->inbox_errno = ENOMEM;
	/* --once: files may wait where it cannot look, as for a failed claim */
	if (d->once && d->stats.nunlisted)
		d->errors_in_item++;
}

/* Whether kommune has a registered key (struct bpd_waits' known). */
static bool
kommune_known(const char *kommune, void *ud)
{
	const struct bpd *d = ud;
	return bp_ingest_knows_kommune(d->ing, kommune);
}

/* Claims one candidate and takes it to its end. */
static void
process_cand(struct bpd *d, const struct bpd_cand *c)
{
	struct bpd_claimed cl = { c->folder, c->name, c->refuse_incomplete, "" };
	struct bpd_qname q;
	char qn[NAME_MAX + 1];
	enum bp_ingest_status st;
	enum bpd_end end;
	int rc = bpd_claim(d->ctx.inbox, d->ctx.dirs.queue, c->folder, c->name, &q);

	if (rc != 0) {
		if (rc < 0) {
			char safe[NAME_MAX + 1];
			int e = errno;
			/* Logged once per file; tried again on a back-off. */
			if (bpd_wait_claim_failed(&d->waits, c->folder, c->name, d->now))
				bpd_log(LOG_ERR, "%s%s%s: cannot claim it: %s; tried again "
				    "later, not logged again", *c->folder ? c->folder : "",
				    *c->folder ? "/" : "",
				    bp_inbox_safe_name(c->name, safe, sizeof(safe)), strerror(e));
			d->errors_in_item++;
		}
		return;
	}
	bpd_qname_format(&q, qn, sizeof(qn));
	end = bpd_dispose(&d->ctx, qn, &cl, &st);
	if (end == BPD_END_RETURNED) {
		bpd_wait_again(&d->waits, c->folder, c->name, cl.returned, d->now, c);
		return;
	}
	bpd_wait_forget(&d->waits, c->folder, c->name);
	if (end == BPD_END_RETRY) {
		d->errors_in_item++;
		d->queue_pending = true;
		d->queue_due = d->now + 1000ull * d->conf->scan_seconds;
	}
	tell_status(d, false);
}

/*
 * One work item: the queue when entries wait there, a fresh listing of the
 * inbox when something changed, then at most BATCH files, in order.
 */
static void
work_cb(uv_work_t *w)
{
	struct bpd *d = w->data;
	size_t done = 0;

	d->scanned = false;
	d->errors_in_item = 0;
	if (d->queue_pending && d->now >= d->queue_due)
		queue_pass(d);
	if (d->want_scan || d->next >= d->cands.n)
		rescan(d);
	while (d->next < d->cands.n && done < BATCH && !atomic_load(&d->interrupt)) {
		/* A store out of reach (PostgreSQL down): what has not been
		 * claimed stays in the inbox while a file waits in the queue,
		 * whose retries (above) try the store again on its back-off;
		 * with none waiting, the next file tries it. --once tries
		 * every file. */
		if (!d->once && d->queue_pending &&
		    bp_store_unreachable(bp_ingest_store(d->ctx.ing))) {
			d->next = d->cands.n;
			break;
		}
		process_cand(d, &d->cands.v[d->next++]);
		done++;
	}
	if (d->scanned && done == 0)
		tell_status(d, false); /* a listing may change what waits */
}

/*
 * The STATUS= line for the service manager (and READY=1 with it): the
 * counts so far and what waits in the inbox (the rest of the last listing
 * and the incomplete files). Called by the work thread, or by the loop
 * thread while no work item runs.
 */
static void
tell_status(struct bpd *d, bool ready)
{
	bpd_notify_status(&d->ctx, d->cands.n - d->next + d->stats.nwaiting, ready);
}

/* ---- the loop thread ---------------------------------------------------- */

/* Says once that the inbox cannot be read, and once that it can again. */
static void
report_inbox(struct bpd *d)
{
	if (d->inbox_errno == d->inbox_errno_logged)
		return;
	if (d->inbox_errno)
		bpd_log(LOG_ERR, "inbox %s: %s; nothing is received until it can be read",
		    d->conf->inbox, strerror(d->inbox_errno));
	else
		bpd_log(LOG_NOTICE, "inbox %s can be read again", d->conf->inbox);
	d->inbox_errno_logged = d->inbox_errno;
}

/* Says when they change which folders cannot be listed, and how many are
 * not listed as they are not named NNNN. */
static void
report_folders(struct bpd *d)
{
	const struct bpd_scan_stats *st = &d->stats;

	if (strcmp(st->unlisted, d->unlisted)) {
		if (st->nunlisted > 0)
			bpd_log(LOG_WARNING, "%zu inbox folder%s cannot be listed: %s%s; files "
			    "there are not received", st->nunlisted, st->nunlisted == 1 ? "" : "s",
			    st->unlisted, st->nunlisted > 4 ? ", ..." : "");
		else
			bpd_log(LOG_NOTICE, "every inbox folder can be listed again");
		snprintf(d->unlisted, sizeof(d->unlisted), "%s", st->unlisted);
	}
	if (st->nfolders != d->nfolders) {
		if (st->nfolders > 0)
			bpd_log(LOG_NOTICE, "%zu folder%s in the inbox ignored: only inbox/NNNN/ "
			    "(a kommune number) is listed", st->nfolders, st->nfolders == 1 ? "" : "s");
		d->nfolders = st->nfolders;
	}
}

static void
after_work_cb(uv_work_t *w, int status)
{
	struct bpd *d = w->data;

	(void)status;
	d->internal_errors += d->errors_in_item;
	if (d->scanned) {
		report_inbox(d);
		if (d->once && d->inbox_errno)
			d->stopping = true;
		d->loop_nwaiting = d->stats.nwaiting;
		d->loop_nsubdirs = d->stats.nsubdirs;
		if (d->stats.nignored != d->nignored) {
			/* Logged when the number changes, not at every listing. */
			if (d->stats.nignored > 0)
				bpd_log(LOG_NOTICE, "%zu file%s in the inbox ignored: not named *.bpx",
				    d->stats.nignored, d->stats.nignored == 1 ? "" : "s");
			d->nignored = d->stats.nignored;
		}
		report_folders(d);
	}
	d->busy = false;
	/* --once: list again after a batch, until a listing finds nothing. */
	if (d->once && d->next >= d->cands.n && d->cands.n > 0)
		d->dirty = true;
	kick(d);
}

static void
start_work(struct bpd *d)
{
	d->work.data = d;
	d->busy = true;
	d->now = uv_now(&d->loop);
	d->want_scan = d->dirty;
	d->dirty = false;
	int rc = uv_queue_work(&d->loop, &d->work, work_cb, after_work_cb);
	if (rc < 0) {
		bpd_log(LOG_ERR, "cannot queue work: %s", uv_strerror(rc));
		d->broken = true;
		d->busy = false;
		d->stopping = true;
	}
}

static void
close_handle(uv_handle_t *h)
{
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

static void
shutdown_loop(struct bpd *d)
{
	if (d->closing)
		return;
	d->closing = true;
	bpd_notify_stopping();
	close_handle((uv_handle_t *)&d->sig_hup);
	close_handle((uv_handle_t *)&d->sig_term);
	close_handle((uv_handle_t *)&d->sig_int);
	close_handle((uv_handle_t *)&d->scan_timer);
	close_handle((uv_handle_t *)&d->tick_timer);
	close_handle((uv_handle_t *)&d->fsev);
}

static void
reload(struct bpd *d)
{
	struct bp_config *nc = calloc(1, sizeof(*nc));
	struct bpd_dirs nd = d->ctx.dirs;
	char err[PATH_MAX + 512];

	d->reload_pending = false;
	if (!nc) {
		bpd_log(LOG_ERR, "reload: out of memory");
		tell_status(d, true);
		return;
	}
	if (bp_config_load(d->conf_path, nc, err, sizeof(err)) < 0 ||
	    bpd_open_dirs(nc, &nd, err, sizeof(err)) < 0) {
		bpd_log(LOG_ERR, "reload failed, keeping the old configuration: %s", err);
		bp_config_free(nc);
		free(nc);
		tell_status(d, true);
		return;
	}
	if (bpd_one_file_system(d->ctx.dirs.queue, nc, &nd, err, sizeof(err)) < 0) {
		bpd_close_dirs(&nd);
		bpd_log(LOG_ERR, "reload failed, keeping the old configuration: %s", err);
		bp_config_free(nc);
		free(nc);
		tell_status(d, true);
		return;
	}
	if (bp_ingest_reload(d->ing, nc, err, sizeof(err)) < 0) {
		bpd_log(LOG_ERR, "reload failed, keeping the old configuration: %s", err);
		bpd_close_dirs(&nd);
		bp_config_free(nc);
		free(nc);
		tell_status(d, true);
		return;
	}
	bpd_close_dirs(&d->ctx.dirs);
	d->ctx.dirs.archive = nd.archive;
	d->ctx.dirs.rejected = nd.rejected;
	d->ctx.dirs.outbox = nd.outbox;
	bp_config_free(d->conf);
	free(d->conf);
	d->conf = nc;
	d->ctx.conf = nc;
	if (!d->once) {
		uint64_t ms = 1000ull * nc->scan_seconds;
		uv_timer_start(&d->scan_timer, on_scan_timer, ms, ms);
		unwatch(d); /* re-armed on the next tick (the inbox may have moved) */
	}
	d->dirty = true;
	bpd_log(LOG_NOTICE, "reloaded %s: %zu kommune keys", d->conf_path, bp_ingest_nkeys(d->ing));
	tell_status(d, true);
}

static bool
has_work(struct bpd *d)
{
	return d->dirty || d->next < d->cands.n ||
	    (d->queue_pending && uv_now(&d->loop) >= d->queue_due);
}

/*
 * Decides what happens next, on the loop thread, whenever something
 * changed: the next work item, a reload, or stop.
 */
static void
kick(struct bpd *d)
{
	if (d->busy || d->closing)
		return;
	if (d->stopping) {
		shutdown_loop(d);
		return;
	}
	if (d->reload_pending)
		reload(d);
	atomic_store(&d->interrupt, false);
	if (!has_work(d)) {
		if (d->once)
			shutdown_loop(d);
		return;
	}
	start_work(d);
}

static void
on_signal(uv_signal_t *h, int signum)
{
	struct bpd *d = h->data;
	if (signum == SIGHUP) {
		bpd_log(LOG_NOTICE, "SIGHUP: reloading");
		if (!d->reload_pending)
			bpd_notify_reloading();
		d->reload_pending = true;
		atomic_store(&d->interrupt, true);
	} else {
		bpd_log(LOG_NOTICE, "signal %d: finishing the file in hand, then exiting", signum);
		bpd_notify_stopping();
		d->stopping = true;
		atomic_store(&d->interrupt, true);
	}
	kick(d);
}

static void
on_scan_timer(uv_timer_t *t)
{
	struct bpd *d = t->data;
	d->dirty = true;
	kick(d);
}

static void
on_fs_event(uv_fs_event_t *h, const char *filename, int events, int status)
{
	struct bpd *d = h->data;
	if (status < 0) {
		bpd_log(LOG_WARNING, "inbox watch failed: %s; re-arming", uv_strerror(status));
		unwatch(d);
	}
	d->dirty = true;
	kick(d);
}

/* True while the watched directory is still the inbox: not deleted (a
 * deleted directory held open has no links) and not replaced. */
static bool
watch_current(const struct bpd *d, const struct stat *inbox)
{
	struct stat st;
	return d->fsev_on && d->fsev_dirfd >= 0 && fstat(d->fsev_dirfd, &st) == 0 &&
	    st.st_nlink > 0 && st.st_ino == inbox->st_ino && st.st_dev == inbox->st_dev;
}

static void
unwatch(struct bpd *d)
{
	if (d->fsev_on)
		uv_fs_event_stop(&d->fsev);
	d->fsev_on = false;
	if (d->fsev_dirfd >= 0)
		close(d->fsev_dirfd);
	d->fsev_dirfd = -1;
}

/*
 * Arms the watcher on the inbox, or re-arms it when the inbox was removed
 * and recreated (even under the same inode number). The watcher is only a
 * hint: the periodic scan finds everything too.
 */
static void
rearm_watch(struct bpd *d)
{
	struct stat st;

	if (stat(d->conf->inbox, &st) < 0 || !S_ISDIR(st.st_mode)) {
		unwatch(d);
		return;
	}
	if (watch_current(d, &st))
		return;
	unwatch(d);
	d->fsev_dirfd = open(d->conf->inbox, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = uv_fs_event_start(&d->fsev, on_fs_event, d->conf->inbox, 0);
	d->fsev_on = rc == 0;
	if (rc < 0)
		bpd_log(LOG_WARNING, "cannot watch the inbox: %s", uv_strerror(rc));
	d->dirty = true;
}

static void
on_tick(uv_timer_t *t)
{
	struct bpd *d = t->data;
	rearm_watch(d);
	/* The watch covers the inbox itself, not inbox/NNNN/: while such
	 * directories exist they are listed every tick, as are waited-for
	 * files, and an inbox that could not be opened. */
	if (d->loop_nwaiting > 0 || d->loop_nsubdirs > 0 || d->inbox_errno_logged)
		d->dirty = true;
	kick(d);
}

static void
init_handles(struct bpd *d)
{
	uv_signal_init(&d->loop, &d->sig_hup);
	uv_signal_init(&d->loop, &d->sig_term);
	uv_signal_init(&d->loop, &d->sig_int);
	uv_timer_init(&d->loop, &d->scan_timer);
	uv_timer_init(&d->loop, &d->tick_timer);
	uv_fs_event_init(&d->loop, &d->fsev);
	d->sig_hup.data = d->sig_term.data = d->sig_int.data = d;
	d->scan_timer.data = d->tick_timer.data = d->fsev.data = d;
}

static int
start_handles(struct bpd *d)
{
	int rc;

	if ((rc = uv_signal_start(&d->sig_hup, on_signal, SIGHUP)) < 0 ||
	    (rc = uv_signal_start(&d->sig_term, on_signal, SIGTERM)) < 0 ||
	    (rc = uv_signal_start(&d->sig_int, on_signal, SIGINT)) < 0)
		return rc;
	if (d->once)
		return 0;
	uint64_t ms = 1000ull * d->conf->scan_seconds;
	if ((rc = uv_timer_start(&d->scan_timer, on_scan_timer, ms, ms)) < 0 ||
	    (rc = uv_timer_start(&d->tick_timer, on_tick, TICK_MS, TICK_MS)) < 0)
		return rc;
	rearm_watch(d);
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: bpaggd [-c CONF] [--foreground] [--once]\n"
	    "       bpaggd --version | --help\n" BP_CONFIG_HELP);
}

/*
 * The private queue: state dir/queue, mode 0700, owned by the user the
 * daemon runs as (after the drop). Returns 0, or a sysexits code.
 */
static int
open_queue(struct bpd *d)
{
	char dir[PATH_MAX];
	struct passwd *pw;

	if (bp_state_dir(d->conf, dir, sizeof(dir)) < 0 ||
	    (d->statefd = bpd_opendir_path(dir, false)) < 0 ||
	    (d->ctx.dirs.queue = bpd_opendir_at(d->statefd, "queue", true)) < 0) {
		bpd_log(LOG_ERR, "%s/queue: %s", dir, strerror(errno));
		return EX_CANTCREAT;
	}
	/* Root about to become the service user: the queue and its lock are
	 * that user's. */
	if (geteuid() == 0 && d->conf->user[0] && (pw = getpwnam(d->conf->user)) &&
	    (fchown(d->ctx.dirs.queue, pw->pw_uid, pw->pw_gid) < 0 ||
	    fchown(d->lockfd, pw->pw_uid, pw->pw_gid) < 0)) {
		bpd_log(LOG_ERR, "%s/queue: %s", dir, strerror(errno));
		return EX_NOPERM;
	}
	return 0;
}

/* After the drop: the queue must be the daemon's own, mode 0700. */
static int
check_queue(struct bpd *d)
{
	char dir[PATH_MAX];
	struct stat st;

	bp_state_dir(d->conf, dir, sizeof(dir));
	if (fstat(d->ctx.dirs.queue, &st) < 0 || st.st_uid != geteuid()) {
		bpd_log(LOG_ERR, "%s/queue: not owned by the user bpaggd runs as (uid %u)", dir,
		    (unsigned)geteuid());
		return EX_NOPERM;
	}
	if ((st.st_mode & 07777) != 0700 && fchmod(d->ctx.dirs.queue, 0700) < 0) {
		bpd_log(LOG_ERR, "%s/queue: %s", dir, strerror(errno));
		return EX_NOPERM;
	}
	return 0;
}

/* Loads conf and takes the installation lock, loads secrets, keyring and
 * store, drops root, then opens its own directories. Returns 0 or a
 * sysexits code. */
static int
setup(struct bpd *d)
{
	char err[PATH_MAX + 512], p[4096];
	bool dropped;
	int rc;

	if (!(d->conf = calloc(1, sizeof(*d->conf))))
		return EX_OSERR;
	if (bp_config_load(d->conf_path, d->conf, err, sizeof(err)) < 0) {
		bpd_log(LOG_ERR, "%s", err);
		return EX_CONFIG;
	}
	if ((rc = bp_lock_install(d->conf, &d->lockfd, err, sizeof(err))) != 0) {
		bpd_log(LOG_ERR, "%s%s", err, rc > 0 ? ": another bpaggd runs on this "
		    "installation; not starting" : "");
		return rc > 0 ? EX_TEMPFAIL : EX_CANTCREAT;
	}
	snprintf(p, sizeof(p), "%s/daemon.sign.sk", d->conf->keys);
	if (bp_key_load(p, BP_KEY_SIGN_SK, &d->sign_sk, err, sizeof(err)) < 0) {
		bpd_log(LOG_ERR, "%s", err);
		return EX_CONFIG;
	}
	if (bp_ingest_new(d->conf, &d->ing, err, sizeof(err)) < 0) {
		bpd_log(LOG_ERR, "%s", err);
		return EX_CONFIG;
	}
	if ((rc = open_queue(d)) != 0)
		return rc;
	if (bpd_privdrop(d->conf->user, &dropped, err, sizeof(err)) < 0) {
		bpd_log(LOG_ERR, "%s", err);
		return EX_NOPERM;
	}
	if (dropped)
		bpd_log(LOG_INFO, "running as user %s", d->conf->user);
	if ((rc = check_queue(d)) != 0)
		return rc;
	if (bpd_open_dirs(d->conf, &d->ctx.dirs, err, sizeof(err)) < 0) {
		bpd_log(LOG_ERR, "%s", err);
		return EX_CANTCREAT;
	}
	if (bpd_one_file_system(d->ctx.dirs.queue, d->conf, &d->ctx.dirs, err, sizeof(err)) < 0) {
		bpd_log(LOG_ERR, "%s", err);
		return EX_CONFIG;
	}
	/* Receipts and reason files half written when a kill came. */
	size_t swept = bpd_sweep_tmp(d->ctx.dirs.rejected, false) +
	    bpd_sweep_tmp(d->ctx.dirs.outbox, true);
	if (swept)
		bpd_log(LOG_NOTICE, "removed %zu temporary file%s left by an interrupted write",
		    swept, swept == 1 ? "" : "s");
	d->ctx.conf = d->conf;
	d->ctx.ing = d->ing;
	d->ctx.sign_sk = &d->sign_sk;
	d->ctx.keep_young = d->once;
	d->waits.known = kommune_known;
	d->waits.known_ud = d;
	if ((d->ctx.flood = bpd_flood_new("unverified")) == NULL ||
	    (d->ctx.replays = bpd_flood_new("replayed")) == NULL) {
		bpd_log(LOG_ERR, "out of memory");
		return EX_OSERR;
	}
	/* Whatever a crash left in the queue is taken to its end first. */
	d->queue_pending = true;
	d->queue_due = 0;
	return 0;
}

static void
teardown(struct bpd *d)
{
	bpd_candlist_free(&d->cands);
	bpd_waits_free(&d->waits);
	bpd_flood_free(d->ctx.flood);
	bpd_flood_free(d->ctx.replays);
	if (d->fsev_dirfd >= 0)
		close(d->fsev_dirfd);
	bpd_close_dirs(&d->ctx.dirs);
	if (d->ctx.dirs.queue >= 0)
		close(d->ctx.dirs.queue);
	if (d->ctx.inbox >= 0)
		close(d->ctx.inbox);
	if (d->statefd >= 0)
		close(d->statefd);
	bp_ingest_free(d->ing);
	if (d->sign_sk.bytes)
		bp_key_free(&d->sign_sk);
	if (d->conf) {
		bp_config_free(d->conf);
		free(d->conf);
	}
	if (d->lockfd >= 0)
		close(d->lockfd);
}

static int
run(struct bpd *d)
{
	int rc;

	if ((rc = uv_loop_init(&d->loop)) < 0) {
		bpd_log(LOG_ERR, "uv_loop_init: %s", uv_strerror(rc));
		return EX_OSERR;
	}
	init_handles(d);
	if ((rc = start_handles(d)) < 0) {
		bpd_log(LOG_ERR, "cannot start: %s", uv_strerror(rc));
		d->broken = true;
		shutdown_loop(d);
	} else {
		bpd_log(LOG_INFO, "started: inbox %s, %zu kommune keys%s", d->conf->inbox,
		    bp_ingest_nkeys(d->ing), d->once ? ", once" : "");
		bpd_log_running();
		/* The store is open and the inbox watched: ready. */
		tell_status(d, true);
		d->dirty = true;
		kick(d);
	}
	uv_run(&d->loop, UV_RUN_DEFAULT);
	if ((rc = uv_loop_close(&d->loop)) < 0) {
		bpd_log(LOG_ERR, "uv_loop_close: %s", uv_strerror(rc));
		d->broken = true;
	}
	bpd_log(LOG_INFO, "exiting: %lu merged, %lu already applied, %lu refused, %d errors",
	    d->ctx.n_merged, d->ctx.n_already, d->ctx.n_refused, d->internal_errors);
	/* A service stopped by a signal exits 0; files left behind by an
	 * internal error are in the log and retried at the next start. */
	if (d->once && d->inbox_errno_logged)
		return EX_NOINPUT;
	return d->broken || (d->once && d->internal_errors) ? EX_SOFTWARE : 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "conf", required_argument, NULL, 'c' },
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "once", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static struct bpd d = { .fsev_dirfd = -1, .lockfd = -1, .statefd = -1,
		.ctx = { .inbox = -1, .dirs = { -1, -1, -1, -1 } } };
	bool foreground = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, "c:fh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': d.conf_path = optarg; break;
		case 'f': foreground = true; break;
		case 'o': d.once = true; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("bpaggd %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr); return EX_USAGE;
		}
	}
	d.conf_path = bp_config_path(d.conf_path);
	if (optind != argc) {
		usage(stderr);
		return EX_USAGE;
	}
	bpd_log_open(foreground);
	/* No core file, also when run by hand (the unit sets LimitCORE=0):
	 * a dump could hold decrypted rows outside the locked buffers. */
	setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 });
	signal(SIGPIPE, SIG_IGN);
	if (sodium_init() < 0) {
		bpd_log(LOG_ERR, "libsodium could not be initialised");
		return EX_SOFTWARE;
	}
	if ((rc = setup(&d)) == 0)
		rc = run(&d);
	teardown(&d);
	return rc;
}
