/*
 * bpaggd.h - the modules of bpaggd(8), internal to the daemon.
 *
 *   bpaggd.c    the libuv loop: signals, timers, the work queue
 *   watch.c     inbox scanning and the uv_fs_event hint
 *   dispose.c   what happens to a file after ingest (archive, rejected/)
 *   receipt.c   signed receipts, reason files, durable small writes
 *   privdrop.c  dropping root
 *   log.c       syslog or stderr
 */
#ifndef BPD_BPAGGD_H
#define BPD_BPAGGD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <stdint.h>
#include <time.h>

#include "conf.h"
#include "inbox.h"
#include "ingest.h"
#include "keys.h"

/* log.c */
/* Logs to stderr (foreground) or syslog; until bpd_log_running, errors and
 * warnings meant for syslog are printed to stderr too (start-up). */
void bpd_log_open(bool foreground);
void bpd_log_running(void);
void bpd_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* watch.c: one candidate file of the inbox. */
struct bpd_file {
	char *path;                 /* malloc'ed absolute path */
	struct timespec mtime;
	int64_t size;
};

struct bpd_filelist {
	struct bpd_file *v;         /* malloc'ed */
	size_t n, cap;
};

/* A file left in the inbox on purpose (incomplete and young, or an
 * internal error), not to be retried before not_before unless it changed. */
struct bpd_deferred {
	char *path;
	struct timespec mtime;
	int64_t size;
	uint64_t not_before;        /* uv_now() milliseconds */
};

struct bpd_deferlist {
	struct bpd_deferred *v;
	size_t n, cap;
};

/* True for names still being written: ".*", "*.part", "*.tmp". */
bool bpd_name_skipped(const char *name);
/*
 * Lists the submissions (bp_inbox_is_submission: "*.bpx") of inbox and of
 * its NNNN/ subdirectories, sorted by modification time then path, leaving
 * out names still being written and deferred files that have not changed
 * and are not yet due; *nsubdirs is the number of NNNN/ subdirectories
 * seen and *nignored (when not NULL) the number of other files, left
 * alone. The caller frees the list with bpd_filelist_free. Returns 0, or
 * -1 (ENOMEM). A missing inbox is an empty list.
 */
int bpd_scan(const char *inbox, const struct bpd_deferlist *d, uint64_t now_ms,
    struct bpd_filelist *out, size_t *nsubdirs, size_t *nignored);
void bpd_filelist_free(struct bpd_filelist *l);

/* Records path as deferred until not_before (replacing an older record). */
int bpd_defer(struct bpd_deferlist *d, const char *path, const struct timespec *mtime,
    int64_t size, uint64_t not_before);
/* True when path is recorded as deferred. */
bool bpd_is_deferred(const struct bpd_deferlist *d, const char *path);
/* Forgets path (it was dealt with). */
void bpd_undefer(struct bpd_deferlist *d, const char *path);
void bpd_deferlist_free(struct bpd_deferlist *d);

/* receipt.c */
/* What a receipt's signature covers: this domain string and its NUL byte,
 * then the JSON line, so that a receipt signature can never be taken for
 * a signature the daemon key makes for anything else (bpaggd(8)). */
#define BPD_RECEIPT_DOMAIN "bpagg-receipt-signature-v1"
/* fsyncs a directory. Returns 0 or -1. */
int bpd_fsync_dir(const char *dir);

/* Directories whose renames are to be made durable together. */
#define BPD_DIRSET_MAX 64
struct bpd_dirset {
	char *v[BPD_DIRSET_MAX];    /* malloc'ed paths, no duplicates */
	size_t n;
};
/* Adds dir (copied). When the set is full it is synced first; without
 * memory dir is synced at once. Returns 0 or -1 (a failed fsync). */
int bpd_dirset_add(struct bpd_dirset *s, const char *dir);
/* fsyncs every directory of the set and empties it. Returns 0, or -1 with
 * errno when any fsync failed (all are tried). */
int bpd_dirset_sync(struct bpd_dirset *s);
/* mkdir -p with mode 0750; the parent of each directory it creates is
 * fsynced. Returns 0 or -1. */
int bpd_mkdirs(const char *path);
/*
 * Writes the signed receipt of r for file name into
 * outbox/NNNN/<submission-id-hex>.receipt ("<id>.<random hex>.receipt"
 * when that name is taken). Requires r->have_meta. The caller fsyncs
 * outbox/NNNN. Returns 0 or -1.
 */
int bpd_receipt_write(const char *outbox, const struct bp_key *sign_sk,
    const char *name, const struct bp_ingest_result *r, time_t now);
/*
 * The text of a .reason file: the reason (r->reason unless reason is
 * given), "file: <name>" (name must be a bp_inbox_safe_name), then every
 * error "line:col: column: message". The caller frees the result.
 */
char *bpd_reason_text(const struct bp_ingest_result *r, const char *reason,
    const char *name, size_t *len);
/*
 * Writes len bytes to dir/name durably: a temporary name in dir (O_EXCL,
 * the given mode set with fchmod, not left to the umask), write, fsync,
 * then a rename that never replaces anything: -1 with EEXIST when dir/name
 * exists. The caller fsyncs dir afterwards (bpd_fsync_dir), once for all
 * the renames of a file's disposal. Returns 0 or -1 with errno.
 */
int bpd_write_new(const char *dir, const char *name, const void *buf, size_t len,
    mode_t mode);
/* rename(2) that never replaces dst (-1 with EEXIST). */
int bpd_rename_new(const char *src, const char *dst);

/* dispose.c */
struct bpd_paths {
	const char *inbox, *archive, *rejected, *outbox;
};
/*
 * Moves the file at path where r says it belongs, with its receipt and
 * (if refused) its reason file and a rejection record in the store. The
 * directories it changed are added to dirs; the caller syncs them
 * (bpd_dirset_sync) before it considers the move durable. Returns 0, or
 * -1 on an I/O error (the file is then still in the inbox).
 */
int bpd_dispose(const struct bpd_paths *p, const struct bp_key *sign_sk, bp_store *store,
    const char *path, const struct bp_ingest_result *r, struct bpd_dirset *dirs);

/* privdrop.c */
/*
 * When running as root and user is not empty: switches to that user's uid,
 * gid and groups and checks root cannot be regained. Returns 0, or -1 with
 * a message in err. Not root: returns 0 and does nothing (*dropped false).
 */
int bpd_privdrop(const char *user, bool *dropped, char *err, size_t errlen);

#endif
