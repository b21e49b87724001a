/*
 * bpaggd.h - the modules of bpaggd(8), internal to the daemon.
 *
 *   bpaggd.c    the libuv loop: signals, timers, the work queue
 *   watch.c     inbox listing, the look at a file before it is claimed,
 *               and the table of incomplete files waited for
 *   queue.c     the private queue: claiming a file, the daemon's own copy,
 *               names of queue entries, listing the queue, directories
 *               opened beneath a dirfd
 *   dispose.c   one queue entry to its end (archive, rejected/, receipt)
 *   merged.c    whose merge a store's "already applied" is
 *   receipt.c   signed receipts, reason files, durable small writes
 *   privdrop.c  dropping root
 *   log.c       syslog or stderr (with journald priorities)
 *   notify.c    sd_notify: READY, RELOADING, STOPPING and STATUS lines
 *   flood.c     refusals of unverified files, and exact replays, beyond a
 *               folder's daily budget
 *   replay.c    a replay's copy is not kept when its bytes are kept already,
 *               and an exact replay is known before any decryption
 *   dirs.c      the configured directories: opened, closed, on the queue's
 *               file system
 *
 * A file in the inbox belongs to whoever can write there. bpaggd reads
 * nothing of it in place but its framing (to tell a finished upload from
 * one in progress); it then claims the file with renameat() into its
 * private queue directory (state dir/queue, mode 0700), refuses a file with
 * another hard link, copies the bytes that authenticate into a file of its
 * own (O_EXCL) and ingests, archives or rejects that copy. From the claim on, every
 * operation is an *at() call beneath a directory descriptor of its own.
 */
#ifndef BPD_BPAGGD_H
#define BPD_BPAGGD_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
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
/* True when stderr is the stream to the journal that JOURNAL_STREAM names
 * ("dev:ino" of stderr): then each line carries its priority ("<4>"). */
bool bpd_log_stderr_is_journal(void);

/* ---- notify.c ---------------------------------------------------------- */

struct bpd_ctx;

/* sd_notify(3) messages; each does nothing when NOTIFY_SOCKET is unset.
 * STATUS= with the counts of c and waiting (files in the inbox not yet
 * taken, incomplete ones included), with READY=1 when ready. */
void bpd_notify_status(const struct bpd_ctx *c, size_t waiting, bool ready);
void bpd_notify_reloading(void);
/* STOPPING=1, sent once whoever calls it first. */
void bpd_notify_stopping(void);

/* ---- watch.c ----------------------------------------------------------- */

/* Incomplete files waited for, per inbox folder; further incomplete files
 * of that folder are left alone until fewer are waited for (bpaggd(8)). */
#define BPD_FOLDER_CAP 1000

/* What a look at a file in the inbox (its framing only) says. */
enum bpd_look {
	BPD_LOOK_COMPLETE,   /* framing reaches the end: claim and ingest */
	BPD_LOOK_INCOMPLETE, /* shorter than its framing: an upload in progress */
	BPD_LOOK_PLAIN,      /* no envelope magic: claim and delete unread */
	BPD_LOOK_SPECIAL,    /* not a regular file: claim and remove */
	BPD_LOOK_UNREADABLE, /* the daemon may not read it (yet): wait, as incomplete */
	BPD_LOOK_GONE,       /* vanished or replaced meanwhile: look again later */
};

/* A file of the inbox to claim now. */
struct bpd_cand {
	char folder[5];      /* "" for the inbox itself, else NNNN */
	char *name;          /* malloc'ed */
	struct timespec ctime;
	/* as listed: a file handed back unchanged since is not claimed again */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	bool refuse_incomplete; /* incomplete too long, or over the folder cap */
	bool shared;         /* its folder's kommune is not registered */
	size_t turn;         /* older candidates of its folder and kind before it */
};

struct bpd_candlist {
	struct bpd_cand *v;  /* malloc'ed */
	size_t n, cap;
};

/* One incomplete file waited for, keyed by folder/name. */
struct bpd_wait {
	char *key;           /* malloc'ed "folder/name" ("/name" for the inbox) */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
	uint64_t first_seen; /* ms, uv_now() clock: youth counts from here */
	uint64_t due;        /* ms: looked at again then, or when it changes */
	uint64_t backoff;    /* ms, doubled up to 30 s */
	bool over_cap;       /* over its folder's cap: left alone for now */
	bool returned;       /* claimed, found incomplete, handed back */
	bool as_claimed;     /* dev, ino, size, mtime: as listed before that claim */
	bool claim_failed;   /* could not be claimed (e.g. EACCES): on back-off */
	bool seen;           /* found by the current listing */
	bool logged;
};

/* An inbox/NNNN folder a listing found empty, with its stat from then. */
struct bpd_quiet {
	dev_t dev;
	ino_t ino;
	struct timespec mtime, ctime;
	bool empty;
};

/* An open-addressing hash table of waited-for files, and the folders
 * found empty. */
struct bpd_waits {
	struct bpd_wait *v;  /* malloc'ed, cap slots, key NULL when free */
	size_t n, cap;
	uint8_t hkey[16];    /* SipHash key, random: names cannot be chosen to collide */
	size_t per_folder[10001]; /* waiting (not over_cap) per folder; [10000] the inbox */
	bool cap_logged[10001];
	struct bpd_quiet *quiet; /* [10000] by folder, calloc'ed at the first listing */
	/* Whether a folder's kommune is registered (NULL: all are): the
	 * folders of none share the inbox's turn, as anyone may make them. */
	bool (*known)(const char *kommune, void *ud);
	void *known_ud;
};

/* True for names still being written: ".*", "*.part", "*.tmp". */
bool bpd_name_skipped(const char *name);

/* Looks at name beneath dirfd: regular, envelope magic, and whether the
 * length-framed chunks reach exactly the end. Reads at most 8 bytes of
 * content (wiped) and the chunk lengths. */
enum bpd_look bpd_look_at(int dirfd, const char *name, const struct stat *st,
    unsigned long max_bytes);

/* Seconds a folder's times must be older than a listing that found it
 * empty for the next listings to trust them. */
#define BPD_QUIET_SETTLE_S 2

/* What a listing of the inbox found. */
struct bpd_scan_stats {
	size_t nsubdirs;     /* inbox/NNNN/ directories */
	size_t nquiet;       /* of them, empty and unchanged since a listing: not listed */
	size_t nignored;     /* files not named *.bpx, left alone */
	size_t nwaiting;     /* incomplete files waited for */
	size_t nfolders;     /* other directories, left alone (not NNNN, or deeper) */
	size_t nunlisted;    /* folders that cannot be listed (inbox/NNNN/, or the inbox) */
	char unlisted[256];  /* "inbox/NNNN (why), ..." of the first of them */
};

/*
 * Lists inbox (a directory descriptor) and its NNNN/ subdirectories into
 * out: every file to claim now (complete by its framing, not sealed, not a
 * regular file, or incomplete for longer than young_seconds since it was
 * first seen, or over the folder cap), oldest change first. Incomplete
 * files are kept in w and looked at again when they change or are due.
 * With keep_young (bpaggd --once) no incomplete file is ever refused.
 * A folder found empty is not listed again while its inode, mtime and
 * ctime stay as they were (any entry made, renamed or removed there, or a
 * change of its mode, moves them), counting only times older than the
 * listing by BPD_QUIET_SETTLE_S (file times come from a coarse clock).
 * The caller frees out with bpd_candlist_free. Returns 0, or -1 (ENOMEM).
 */
int bpd_scan(int inbox, struct bpd_waits *w, uint64_t now_ms, unsigned young_seconds,
    unsigned long max_bytes, bool keep_young, struct bpd_candlist *out,
    struct bpd_scan_stats *stats);
void bpd_candlist_free(struct bpd_candlist *l);
/* Forgets folder/name (claimed). */
void bpd_wait_forget(struct bpd_waits *w, const char *folder, const char *name);
/* Waits for folder/name again, handed back to the inbox (incomplete) as
 * folder/as: under another name, its clock goes with it and the file that
 * took its name is new.  c (or NULL): the candidate as listed before the
 * claim; while the file is unchanged since, it is not claimed again (it
 * would be found incomplete again), only refused once too old. */
void bpd_wait_again(struct bpd_waits *w, const char *folder, const char *name,
    const char *as, uint64_t now_ms, const struct bpd_cand *c);
/* Folder/name could not be claimed: not offered again before a back-off
 * (doubled up to 30 s). Returns true the first time (to be logged once). */
bool bpd_wait_claim_failed(struct bpd_waits *w, const char *folder, const char *name,
    uint64_t now_ms);
void bpd_waits_free(struct bpd_waits *w);

/* ---- queue.c ----------------------------------------------------------- */

/* Opens name beneath dirfd as a directory, never through a symbolic link,
 * creating it (0750, parent synced) when create is set. Returns the fd or -1. */
int bpd_opendir_at(int dirfd, const char *name, bool create);
/* Opens path (an administrator's path from the configuration) as a
 * directory, creating it and its parents (0750) when create is set; the
 * last component is never followed. Returns the fd or -1. */
int bpd_opendir_path(const char *path, bool create);

/* Stages of a queue entry "<T>-<R>.<stage>.<rest>" (bpaggd(8)). */
enum bpd_stage {
	BPD_Q_IN,       /* claimed: the uploader's inode, not yet copied */
	BPD_Q_COPY,     /* the daemon's copy: to be ingested */
	BPD_Q_ARCHIVE,  /* receipt written: to be linked into archive/ */
	BPD_Q_REJECT,   /* receipt written: to be linked into rejected/ */
	BPD_Q_CPTMP,    /* the daemon's copy being written (not yet durable) */
	BPD_Q_MERGED,   /* the daemon's copy, merged by this upload (before its receipt) */
	BPD_Q_NOTOURS,  /* the daemon's copy, judged "already applied" when fresh */
};

/* A parsed queue entry name. */
struct bpd_qname {
	long long t;         /* unix time of the claim: "received" */
	char r[17];          /* 16 random hex: this upload */
	enum bpd_stage stage;
	char rest[200];      /* IN/COPY: "<folder or ->.<safe name>";
	                      * ARCHIVE: "<YYYY>.<NNNN>.<id hex>"; REJECT: "kept" */
};

/* The inbox folder an IN or COPY entry came from ("<folder or ->.<safe
 * name>") into out[5]: "" for the inbox itself. Returns 0, or -1 (not a
 * folder the daemon lists). */
int bpd_qname_folder(const struct bpd_qname *q, char *out);
/* Parses a queue entry name. Returns 0, or -1 for a name not ours. */
int bpd_qname_parse(const char *name, struct bpd_qname *q);
/* Lists the queue directory: every entry left by a crash or a failed step,
 * links out first, then copies, then claims.  *out gets a malloc'ed array
 * of malloc'ed names; the caller frees each and the array.  Returns the
 * count, or -1 (nothing listed, *out untouched). */
long bpd_queue_list(int queue, char ***out);
/* Formats q into out. Returns 0 or -1 (too long). */
int bpd_qname_format(const struct bpd_qname *q, char *out, size_t outlen);
/* The safe inbox name of an IN/COPY entry (after the folder), or "?". */
const char *bpd_qname_safe(const struct bpd_qname *q);

/*
 * Claims folder/name of the inbox: renameat() into the queue under a new
 * IN entry (never replacing one), named in q. A directory that was swapped
 * in meanwhile is put back. Returns 0, 1 when the file is gone (or the
 * folder is no longer a plain directory), or -1 with errno.
 */
int bpd_claim(int inbox, int queue, const char *folder, const char *name,
    struct bpd_qname *q);
/*
 * Puts an IN entry back into its inbox folder (named in the entry): an
 * upload still in progress. Under name, or for an entry found in the queue
 * (name NULL) under its safe name when that is the name itself; when that
 * name is taken (or not known), under "bpaggd-returned-T-R.bpx". Never
 * replaces a file. Returns 0 with the name used in as, or -1 with errno.
 */
int bpd_unclaim(int inbox, int queue, const struct bpd_qname *q, const char *name,
    char *as, size_t aslen);

/*
 * Copies the sealed file of fd into a new file name beneath queue
 * (O_EXCL, 0600) as far as it authenticates (bp_ingest_copy_sealed): an
 * uploader's plaintext, behind a valid head or after a valid seal, never
 * reaches the queue.  Returns the new file's descriptor (open for reading
 * and writing, at offset 0, not yet synced), or -1; *early tells a file
 * that ends before its final chunk.
 */
int bpd_copy_in(bp_ingest *g, int fd, int queue, const char *name, bool *early);

/* "<T>-<R>": the upload tag of queue entry q, which its ledger row names. */
void bpd_upload_tag(const struct bpd_qname *q, char *out, size_t outlen);

/* ---- receipt.c --------------------------------------------------------- */

/* What a receipt's signature covers: this domain string and its NUL byte,
 * then the JSON line, so that a receipt signature can never be taken for
 * a signature the daemon key makes for anything else (bpaggd(8)). */
#define BPD_RECEIPT_DOMAIN "bpagg-receipt-signature-v1"

/* fsyncs a directory given by path. Returns 0 or -1. */
int bpd_fsync_dir(const char *dir);
/* mkdir -p with mode 0750; the parent of each directory it creates is
 * fsynced. Returns 0 or -1. */
int bpd_mkdirs(const char *path);
/*
 * Writes the signed receipt of r for file name (a safe name) and upload
 * (the queue entry's "<T>-<R>") into outbox/NNNN/ (outbox a directory
 * descriptor): "<submission id hex>.receipt", or "<id hex>.<R>.receipt"
 * when that name is another upload's. Written once per upload: when this
 * upload's receipt is already there, nothing is written. The file and the
 * directory are synced. Requires r->have_meta. Returns 0 or -1.
 */
/* Whether the first receipt of r's submission (outbox/KOMMUNE/<id>.receipt)
 * reports its merge by an upload other than `upload` ("T-R"): then this
 * upload, found again after a crash, did not merge it. */
bool bpd_receipt_merged_by_other(int outbox, const struct bp_ingest_result *r,
    const char *upload);
int bpd_receipt_write(int outbox, const struct bp_key *sign_sk, const char *name,
    const char *upload, const struct bp_ingest_result *r, time_t now);
/*
 * The text of a .reason file: the reason (r->reason unless reason is
 * given), "file: <name>" (name must be a bp_inbox_safe_name), then every
 * error "line:col: column: message". The caller frees the result.
 */
char *bpd_reason_text(const struct bp_ingest_result *r, const char *reason,
    const char *name, size_t *len);
/* Removes the temporary files (".new.<hex>.tmp") that a kill left in
 * dirfd, and with descend in its NNNN/ folders (the outbox). Returns how
 * many. */
size_t bpd_sweep_tmp(int dirfd, bool descend);
/*
 * Writes len bytes to name beneath dirfd durably: a temporary name (O_EXCL,
 * the given mode set with fchmod, not left to the umask), write, fsync,
 * then a rename that never replaces anything: -1 with EEXIST when name
 * exists. The caller fsyncs the directory. Returns 0 or -1 with errno.
 */
int bpd_write_new(int dirfd, const char *name, const void *buf, size_t len, mode_t mode);
/* bpd_write_new, but name is replaced when it exists (the reader sees the
 * old bytes or the new, never a mix). */
int bpd_write_over(int dirfd, const char *name, const void *buf, size_t len, mode_t mode);
/* renameat(2) that never replaces dst (-1 with EEXIST). */
int bpd_rename_new(int sfd, const char *src, int dfd, const char *dst);

/* ---- dispose.c --------------------------------------------------------- */

/* The daemon's own directories, opened once (bpd_opendir_path). */
struct bpd_dirs {
	int queue, archive, rejected, outbox;
};

/* What became of a queue entry. */
enum bpd_end {
	BPD_END_DONE,     /* archived or rejected, receipt written: gone from the queue */
	BPD_END_RETRY,    /* an I/O or store error: left in the queue, retried later */
	BPD_END_RETURNED, /* incomplete and young: handed back to the inbox */
};

/* An IN entry just claimed from the inbox (bpaggd.c, process_cand). */
struct bpd_claimed {
	const char *folder, *name;
	bool refuse_incomplete;   /* the listing's verdict: refused if incomplete */
	char returned[NAME_MAX + 1]; /* BPD_END_RETURNED: the name it went back under */
};

/* Writes the reason file of a refusal of q (reason, or r->reason when
 * NULL; once: a crash may have written it) and the store's rejection
 * record. 0, or -1 with errno. */
int bpd_write_reason(struct bpd_ctx *c, const struct bpd_qname *q,
    const struct bp_ingest_result *r, const char *reason);
/* Logs what ingest said of safe (counting it); never a value from the
 * file.  twin: the copy kept of a replay's bytes (replay.c), or NULL;
 * unread: the replay was known before any decryption. */
void bpd_log_replay(struct bpd_ctx *c, const char *safe, const struct bp_ingest_result *r,
    const char *twin, bool unread);

/* ---- dirs.c ------------------------------------------------------------ */

/* Opens the daemon's own directories of c (archive, rejected, outbox; not
 * the queue), creating them. 0, or -1 with the path that failed in err. */
int bpd_open_dirs(const struct bp_config *c, struct bpd_dirs *out, char *err, size_t errlen);
/* Closes the three bpd_open_dirs opened (not the queue). */
void bpd_close_dirs(struct bpd_dirs *dirs);
/*
 * archive/ and rejected/ on the file system of the queue (descriptor
 * queue): the daemon links files between them (a queue entry into
 * archive/ or rejected/, a kept copy into the queue), and a link cannot
 * cross file systems (a hostile review: with archive/ elsewhere every
 * merged upload stayed in the queue, retried for ever).  0, or -1 with
 * why in err.
 */
int bpd_one_file_system(int queue, const struct bp_config *c, const struct bpd_dirs *dirs,
    char *err, size_t errlen);

/* ---- replay.c ---------------------------------------------------------- */

/*
 * Whether the queue entry qname, a replay (r: already applied, not by this
 * upload), has a twin in the archive: the
 * submission under its own name, archive/YYYY/NNNN/<id hex>.bpx, with the
 * same bytes. 1 (its path, from the installation's top, in name), 0, or
 * -1 with errno.
 */
int bpd_archive_twin(struct bpd_ctx *c, const struct bp_ingest_result *r, const char *qname,
    char *name, size_t namelen);
/*
 * The same for a refused upload whose every byte authenticated: whether
 * rejected/ keeps a copy of the same submission with the same bytes (the
 * one rejected/.kept-NNNN-<id hex> names). 1 ("rejected/<name>" in name),
 * 0, or -1 with errno.
 */
int bpd_rejected_twin(struct bpd_ctx *c, const struct bp_ingest_result *r, const char *qname,
    char *name, size_t namelen);
/*
 * The end of an upload whose bytes are kept already (twin: where, from the
 * installation's top): no second copy.  Up to its folder's budget of the
 * day a refused one gets its reason file and store record, and each its
 * receipt and log line; beyond it, only a count (flood.c).  Then its
 * queue entry name is deleted (unread: known before any decryption, by
 * bpd_replay_unread, and said so in the log).
 */
enum bpd_end bpd_end_replay(struct bpd_ctx *c, const struct bpd_qname *q, const char *name,
    const struct bp_ingest_result *r, const char *twin, bool unread);
/*
 * An exact replay known before anything of it is copied or decrypted: its
 * signed head alone gives the verdict (bp_ingest_head_judged: applied
 * already, or stale) and its bytes, read from the claimed file, equal the
 * copy kept of that submission, in archive/ or rejected/, which opened
 * in full when it was kept (a refused one must have been refused for the
 * same reason, its reason file says).  The claimed file (queue entry
 * qname, open as fd) is replaced by a COPY entry that is a link to the
 * kept copy, and ended as dispose.c ends a replay whose copy has a twin
 * (bpd_end_replay).  True when so (*end set); false when it is no such
 * replay, or no link could be made (the copy and the full ingest decide).
 */
bool bpd_replay_unread(struct bpd_ctx *c, const struct bpd_qname *q, const char *qname, int fd,
    enum bp_ingest_status *status, enum bpd_end *end);
/* Names kept (a name in rejected/) as the copy kept of r's submission, for
 * bpd_rejected_twin; written over, synced. 0, or -1 with errno. */
int bpd_rejected_index(struct bpd_ctx *c, const struct bp_ingest_result *r, const char *kept);

/* ---- flood.c ---------------------------------------------------------- */

/* Refusals of unverified files (or exact replays) beyond each inbox
 * folder's budget of the day, counted in one file of the folder and day
 * (flood.c). */
struct bpd_flood;
/* An empty count of kind "unverified" or "replayed" (a string that
 * outlives it: it names the files), or NULL (ENOMEM); freed with
 * bpd_flood_free. */
struct bpd_flood *bpd_flood_new(const char *kind);
void bpd_flood_free(struct bpd_flood *f);
/* What bpd_flood_take did with a refusal it counted. */
struct bpd_flood_said {
	char name[40];  /* the folder's file of the day in rejected/ */
	bool store;     /* its store record is yet to be made (then bpd_flood_stored) */
};
/*
 * Takes the refusal of upload q, whose sender cannot be verified, for the
 * reason given: 0 when it is within its folder's budget of the day (the
 * caller records it one by one), 1 when it was counted in the folder's
 * file of the day in rejdir (written and synced; logged at prio when its
 * reason is new that day), -1 with errno (nothing counted). own: q's
 * folder is a registered kommune's, with a budget of its own; any other
 * shares the inbox's.
 */
int bpd_flood_take(struct bpd_flood *f, int rejdir, unsigned long budget, bool own,
    const struct bpd_qname *q, const char *reason, int prio, struct bpd_flood_said *said);
/* The store holds the record of q's folder file of the day now (own as
 * given to bpd_flood_take). */
void bpd_flood_stored(struct bpd_flood *f, bool own, const struct bpd_qname *q);

/* What dispose needs: the ingest context, the keys and the clock. */
struct bpd_ctx {
	const struct bp_config *conf;
	bp_ingest *ing;
	const struct bp_key *sign_sk;
	struct bpd_dirs dirs;
	int inbox;              /* for bpd_unclaim; -1 when none */
	bool keep_young;        /* --once: an incomplete file goes back */
	struct bpd_flood *flood; /* unverified refusals beyond the budget */
	struct bpd_flood *replays; /* exact replays beyond the budget */
	/* Counted for the final log line. */
	unsigned long n_merged, n_already, n_refused;
};

/*
 * A refusal of upload q, whose sender cannot be verified, for reason (flood.c):
 * counted in its folder's file of the day once the folder's budget is
 * spent, with one store record for that file.  1 counted, 0 to be recorded
 * one by one, -1 (logged; retried).
 */
int bpd_count_unverified(struct bpd_ctx *c, const struct bpd_qname *q, const char *reason,
    int prio);
/*
 * An exact replay q (its bytes kept already, verdict in r), counted once
 * its folder's budget of replays is spent (flood.c).  1 counted, 0 to be
 * recorded one by one, -1 (logged; retried).
 */
int bpd_count_replay(struct bpd_ctx *c, const struct bpd_qname *q,
    const struct bp_ingest_result *r);

/*
 * Takes the queue entry qname to its end: ingests an IN or COPY entry
 * (from the daemon's own copy), then writes the reason file and the store's
 * rejection record (refused), the receipt (verified sender), and links the
 * copy into archive/YYYY/NNNN/ or rejected/. Safe to call again on any
 * entry left by a crash at any instant (bpaggd(8), Recovery). cl is given
 * for an IN entry just claimed, NULL for an entry found in the queue. An
 * upload still in progress goes back to the inbox (or waits in the queue),
 * unless cl says the listing refuses it. *status is what ingest said (for
 * the caller's bookkeeping).
 */
enum bpd_end bpd_dispose(struct bpd_ctx *c, const char *qname, struct bpd_claimed *cl,
    enum bp_ingest_status *status);

/* Checks the claimed queue entry qname is one regular file with no other
 * link, readable and not too large, and opens it (the descriptor read is
 * the inode checked); on refusal returns -1 with *reason set. */
int bpd_open_claimed(struct bpd_ctx *c, const char *qname, const char **reason);

/* ---- merged.c ---------------------------------------------------------- */

/* r says merged (or validated, for a dry run). */
void bpd_mark_merged(struct bp_ingest_result *r);
/* Ingests the daemon's copy fd (at offset 0) of entry q into r; "already
 * applied" by a ledger row that names this upload is marked merged. */
void bpd_ingest_copy(struct bpd_ctx *c, int fd, const struct bpd_qname *q,
    struct bp_ingest_result *r);
/* Whether an "already applied" r, by a ledger row that names no upload,
 * is q's own merge found again (tag: q's upload tag). */
bool bpd_own_merge(struct bpd_ctx *c, const struct bpd_qname *q,
    const struct bp_ingest_result *r, const char *tag);

/* ---- privdrop.c -------------------------------------------------------- */
/*
 * When running as root and user is not empty: switches to that user's uid,
 * gid and groups and checks root cannot be regained. Returns 0, or -1 with
 * a message in err. Not root: returns 0 and does nothing (*dropped false).
 */
int bpd_privdrop(const char *user, bool *dropped, char *err, size_t errlen);

#endif
