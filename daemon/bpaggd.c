/*
 * bpaggd - the inbox daemon: ingests every sealed submission dropped into
 * the inbox, one at a time, on libuv's work queue (see bpaggd(8)).
 *
 * The loop thread only lists the inbox, keeps the order and handles
 * signals, timers and fs events; the work thread runs ingest/ and moves
 * the file. Only one file is in the work thread at a time, so the store
 * handle is used by one thread at a time.
 */
#include "bpaggd.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <uv.h>

#define TICK_MS 1000 /* watcher re-arm and deferred-file check */
#define BATCH 64     /* files per work item; directories synced once per batch */

/* One file of the batch in the work thread: queue entry and what became of it. */
struct job {
	struct bpd_file *f;           /* in d->queue, untouched while busy */
	enum bp_ingest_status status;
	enum { ACT_DONE, ACT_DEFER_YOUNG, ACT_DEFER_ERROR, ACT_GONE } action;
	bool move_failed;
	int err;
};

struct bpd {
	uv_loop_t loop;
	const char *conf_path;
	struct bp_config *conf;       /* calloc'ed; replaced on SIGHUP */
	struct bpd_paths paths;       /* point into conf */
	bp_ingest *ing;
	struct bp_key sign_sk;        /* keys/daemon.sign.sk */
	bool once;

	uv_signal_t sig_hup, sig_term, sig_int;
	uv_timer_t scan_timer, tick_timer;
	uv_fs_event_t fsev;
	bool fsev_on;
	int fsev_dirfd;               /* the watched directory, to see it deleted */

	uv_work_t work;
	bool busy, dirty, stopping, reload_pending, closing;
	struct bpd_filelist queue;
	size_t next;
	struct bpd_deferlist deferred;
	size_t nsubdirs;              /* inbox/NNNN/ dirs at the last listing */
	size_t nignored;              /* files not named *.bpx at the last listing */

	/* The batch in the work thread: jobs[0..ndone) were processed. */
	struct job jobs[BATCH];
	size_t njobs, ndone;
	atomic_bool interrupt;        /* signal: stop the batch after this file */
	struct bpd_dirset dirs;       /* directories to fsync at the batch end */
	bool sync_failed;
	int sync_errno;

	unsigned long n_merged, n_already, n_refused;
	int internal_errors;          /* files not ingested or not moved */
	bool broken;                  /* the loop itself failed */
};

static void kick(struct bpd *d);
static void on_scan_timer(uv_timer_t *t);
static void unwatch(struct bpd *d);

static void
set_paths(struct bpd *d)
{
	d->paths.inbox = d->conf->inbox;
	d->paths.archive = d->conf->archive;
	d->paths.rejected = d->conf->rejected;
	d->paths.outbox = d->conf->outbox;
}

/* The loggable form of path's last component (bp_inbox_safe_name). */
static const char *
safe_base(const char *path, char *buf, size_t len)
{
	const char *b = strrchr(path, '/');
	return bp_inbox_safe_name(b ? b + 1 : path, buf, len);
}

/* ---- the work thread ---------------------------------------------------- */

/* An incomplete file is young while its last change is recent. */
static bool
is_young(const char *path, unsigned young_seconds)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return false;
	time_t last = st.st_mtime > st.st_ctime ? st.st_mtime : st.st_ctime;
	return time(NULL) - last < (time_t)young_seconds;
}

/* Logs what happened to a file; never a value from it. Work thread. */
static void
log_outcome(struct bpd *d, const char *path, const struct bp_ingest_result *r)
{
	char buf[NAME_MAX + 1];
	const char *name = safe_base(path, buf, sizeof(buf));

	switch (r->status) {
	case BP_INGEST_MERGED:
		d->n_merged++;
		bpd_log(LOG_INFO, "%s: %s kommune %s year %u rows %lu", name,
		    r->meta.dry_run ? "dry run validated" : "merged", r->meta.kommune,
		    (unsigned)r->meta.year, (unsigned long)r->rows);
		break;
	case BP_INGEST_ALREADY:
		d->n_already++;
		bpd_log(LOG_INFO, "%s: already applied, archived (kommune %s year %u)", name,
		    r->meta.kommune, (unsigned)r->meta.year);
		break;
	case BP_INGEST_REFUSED:
		d->n_refused++;
		bpd_log(LOG_NOTICE, "%s: refused: %s", name, r->reason);
		break;
	case BP_INGEST_INCOMPLETE:
		break; /* logged once per file, by bookkeep() */
	case BP_INGEST_GONE:
		bpd_log(LOG_INFO, "%s: vanished before it was read", name);
		break;
	case BP_INGEST_ERROR:
		d->internal_errors++;
		bpd_log(LOG_ERR, "%s: not ingested, left in the inbox: %s", name, r->reason);
		break;
	}
}

/* Ingests one file and moves it where it belongs. Work thread. */
static void
process_one(struct bpd *d, struct job *j)
{
	struct bp_ingest_result r;
	const char *path = j->f->path;
	struct stat st;

	j->action = ACT_DONE;
	j->move_failed = false;
	bp_ingest_result_init(&r);
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* A FIFO, socket, device or symbolic link is not opened (a
		 * FIFO may block, a device may act on open); dispose removes it. */
		r.status = BP_INGEST_REFUSED;
		snprintf(r.reason, sizeof(r.reason), "not a regular file");
	} else {
		bp_ingest_file(d->ing, path, NULL, (int64_t)time(NULL), &r);
	}
	switch (r.status) {
	case BP_INGEST_GONE:
		j->action = ACT_GONE;
		break;
	case BP_INGEST_ERROR:
		j->action = ACT_DEFER_ERROR;
		break;
	case BP_INGEST_INCOMPLETE:
		if (d->once || is_young(path, d->conf->young_seconds)) {
			j->action = ACT_DEFER_YOUNG;
			break;
		}
		r.status = BP_INGEST_REFUSED;
		snprintf(r.reason, sizeof(r.reason),
		    "envelope: incomplete and unchanged for young_seconds");
		break;
	default:
		break;
	}
	if (j->action == ACT_DONE &&
	    bpd_dispose(&d->paths, &d->sign_sk, bp_ingest_store(d->ing), path, &r, &d->dirs) < 0) {
		j->move_failed = true;
		j->err = errno;
	}
	j->status = r.status;
	log_outcome(d, path, &r);
	bp_ingest_result_free(&r);
}

/*
 * Processes the batch in order, one file at a time, stopping early after
 * the file in hand when a signal asks for it; then makes the batch's
 * renames durable.
 */
static void
work_cb(uv_work_t *w)
{
	struct bpd *d = w->data;

	d->ndone = 0;
	d->sync_failed = false;
	for (size_t i = 0; i < d->njobs; i++) {
		if (atomic_load(&d->interrupt))
			break;
		process_one(d, &d->jobs[i]);
		d->ndone++;
	}
	if (bpd_dirset_sync(&d->dirs) < 0) {
		d->sync_failed = true;
		d->sync_errno = errno;
	}
}

/* ---- the loop thread ---------------------------------------------------- */

/* Remembers a file left in the inbox, or forgets one that was dealt with. */
static void
bookkeep(struct bpd *d, const struct job *j, uint64_t now)
{
	const struct bpd_file *f = j->f;
	char buf[NAME_MAX + 1];

	if (j->move_failed) {
		d->internal_errors++;
		bpd_log(LOG_ERR, "%s: cannot move the file: %s",
		    safe_base(f->path, buf, sizeof(buf)), strerror(j->err));
		bpd_defer(&d->deferred, f->path, &f->mtime, f->size,
		    now + 1000ull * d->conf->scan_seconds);
	} else if (j->action == ACT_DEFER_YOUNG) {
		if (!bpd_is_deferred(&d->deferred, f->path))
			bpd_log(LOG_INFO, "%s: incomplete, left for later",
			    safe_base(f->path, buf, sizeof(buf)));
		bpd_defer(&d->deferred, f->path, &f->mtime, f->size, now + TICK_MS);
	} else if (j->action == ACT_DEFER_ERROR) {
		bpd_defer(&d->deferred, f->path, &f->mtime, f->size,
		    now + 1000ull * d->conf->scan_seconds);
	} else {
		bpd_undefer(&d->deferred, f->path);
	}
}

static void
after_work_cb(uv_work_t *w, int status)
{
	struct bpd *d = w->data;
	uint64_t now = uv_now(&d->loop);

	if (d->sync_failed) {
		d->internal_errors++;
		bpd_log(LOG_ERR, "cannot sync the directories: %s", strerror(d->sync_errno));
	}
	for (size_t i = 0; i < d->ndone; i++) {
		bookkeep(d, &d->jobs[i], now);
		free(d->jobs[i].f->path);
		d->jobs[i].f->path = NULL;
	}
	d->next += d->ndone;  /* files not reached stay queued */
	d->njobs = d->ndone = 0;
	d->busy = false;
	kick(d);
}

/* Hands the next files of the queue (at most BATCH) to the work thread. */
static void
start_batch(struct bpd *d)
{
	d->njobs = 0;
	for (size_t i = d->next; i < d->queue.n && d->njobs < BATCH; i++)
		d->jobs[d->njobs++].f = &d->queue.v[i];
	d->work.data = d;
	d->busy = true;
	int rc = uv_queue_work(&d->loop, &d->work, work_cb, after_work_cb);
	if (rc < 0) {
		bpd_log(LOG_ERR, "cannot queue work: %s", uv_strerror(rc));
		d->broken = true;
		d->busy = false;
		d->njobs = 0;
		d->stopping = true;
	}
}

static void
rescan(struct bpd *d)
{
	size_t nignored = 0;

	bpd_filelist_free(&d->queue);
	d->next = 0;
	d->dirty = false;
	if (bpd_scan(d->conf->inbox, &d->deferred, uv_now(&d->loop), &d->queue,
	    &d->nsubdirs, &nignored) < 0) {
		bpd_log(LOG_ERR, "cannot list the inbox: out of memory");
		d->internal_errors++;
	} else if (nignored != d->nignored) {
		/* Logged when the number changes, not at every listing. */
		if (nignored > 0)
			bpd_log(LOG_NOTICE, "%zu file%s in the inbox ignored: not named *.bpx",
			    nignored, nignored == 1 ? "" : "s");
		d->nignored = nignored;
	}
	/* --once: scan again after this batch, until a scan finds nothing. */
	if (d->once)
		d->dirty = d->queue.n > 0;
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
	char err[512];

	d->reload_pending = false;
	if (!nc) {
		bpd_log(LOG_ERR, "reload: out of memory");
		return;
	}
	if (bp_config_load(d->conf_path, nc, err, sizeof(err)) < 0 ||
	    bp_ingest_reload(d->ing, nc, err, sizeof(err)) < 0) {
		bpd_log(LOG_ERR, "reload failed, keeping the old configuration: %s", err);
		bp_config_free(nc);
		free(nc);
		return;
	}
	bp_config_free(d->conf);
	free(d->conf);
	d->conf = nc;
	set_paths(d);
	if (!d->once) {
		uint64_t ms = 1000ull * nc->scan_seconds;
		uv_timer_start(&d->scan_timer, on_scan_timer, ms, ms);
		unwatch(d); /* re-armed on the next tick (the inbox may have moved) */
	}
	d->dirty = true;
	bpd_log(LOG_NOTICE, "reloaded %s: %zu kommune keys", d->conf_path, bp_ingest_nkeys(d->ing));
}

/*
 * Decides what happens next, on the loop thread, whenever something
 * changed: start the next file, rescan, reload, or stop.
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
	if (d->next >= d->queue.n) {
		if (!d->dirty) {
			if (d->once)
				shutdown_loop(d);
			return;
		}
		rescan(d);
		if (d->queue.n == 0) {
			if (d->once)
				shutdown_loop(d);
			return;
		}
	}
	start_batch(d);
}

static void
on_signal(uv_signal_t *h, int signum)
{
	struct bpd *d = h->data;
	if (signum == SIGHUP) {
		bpd_log(LOG_NOTICE, "SIGHUP: reloading");
		d->reload_pending = true;
		atomic_store(&d->interrupt, true);
	} else {
		bpd_log(LOG_NOTICE, "signal %d: finishing the file in hand, then exiting", signum);
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
	 * directories exist they are listed every tick, as are deferred files. */
	if (d->deferred.n > 0 || d->nsubdirs > 0)
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
	fprintf(f, "usage: bpaggd -c CONF [--foreground] [--once]\n");
}

/* Loads conf, secrets, keyring and store, then drops root. Returns 0 or a
 * sysexits code. */
static int
setup(struct bpd *d)
{
	char err[512], p[4096];
	bool dropped;

	if (!(d->conf = calloc(1, sizeof(*d->conf))))
		return EX_OSERR;
	if (bp_config_load(d->conf_path, d->conf, err, sizeof(err)) < 0) {
		bpd_log(LOG_ERR, "%s", err);
		return EX_CONFIG;
	}
	set_paths(d);
	snprintf(p, sizeof(p), "%s/daemon.sign.sk", d->conf->keys);
	if (bp_key_load(p, BP_KEY_SIGN_SK, &d->sign_sk, err, sizeof(err)) < 0) {
		bpd_log(LOG_ERR, "%s", err);
		return EX_CONFIG;
	}
	if (bp_ingest_new(d->conf, &d->ing, err, sizeof(err)) < 0) {
		bpd_log(LOG_ERR, "%s", err);
		return EX_CONFIG;
	}
	if (bpd_privdrop(d->conf->user, &dropped, err, sizeof(err)) < 0) {
		bpd_log(LOG_ERR, "%s", err);
		return EX_NOPERM;
	}
	if (dropped)
		bpd_log(LOG_INFO, "running as user %s", d->conf->user);
	return 0;
}

static void
teardown(struct bpd *d)
{
	bpd_filelist_free(&d->queue);
	bpd_deferlist_free(&d->deferred);
	bpd_dirset_sync(&d->dirs);
	if (d->fsev_dirfd >= 0)
		close(d->fsev_dirfd);
	bp_ingest_free(d->ing);
	if (d->sign_sk.bytes)
		bp_key_free(&d->sign_sk);
	if (d->conf) {
		bp_config_free(d->conf);
		free(d->conf);
	}
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
		d->dirty = true;
		kick(d);
	}
	uv_run(&d->loop, UV_RUN_DEFAULT);
	if ((rc = uv_loop_close(&d->loop)) < 0) {
		bpd_log(LOG_ERR, "uv_loop_close: %s", uv_strerror(rc));
		d->broken = true;
	}
	bpd_log(LOG_INFO, "exiting: %lu merged, %lu already applied, %lu refused, %d errors",
	    d->n_merged, d->n_already, d->n_refused, d->internal_errors);
	/* A service stopped by a signal exits 0; files left behind by an
	 * internal error are in the log and retried at the next start. */
	return d->broken || (d->once && d->internal_errors) ? EX_SOFTWARE : 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "conf", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "once", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct bpd d = { .fsev_dirfd = -1 };
	bool foreground = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, "c:fh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': d.conf_path = optarg; break;
		case 'f': foreground = true; break;
		case 'o': d.once = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (!d.conf_path || optind != argc) {
		usage(stderr);
		return EX_USAGE;
	}
	bpd_log_open(foreground);
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
