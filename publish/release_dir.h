/*
 * release_dir.h - the folders of a release on disk (bpagg publish).
 *
 * A release is written into a staging folder beside the suppression log,
 * DIR/releases.staging/ID/, every file fsynced; only once the log names the
 * release (and that is fsynced) is the folder renamed to DIR/releases/ID/.
 * So releases/ never holds a folder the log does not name. The --out folder
 * is likewise written under a hidden name beside it (.BASE.partial-XXXXXX)
 * and renamed (swapped) into place whole, so it never mixes two releases;
 * it is checked, and its hidden folder made, before anything is logged.
 * No file is ever written under a temporary name inside a folder: the
 * folders are the temporaries. A publish killed at any instant leaves
 * staging folders that the next one finishes (the last release, when the
 * log names it) or removes (bp_release_recover).
 */
#ifndef BP_RELEASE_DIR_H
#define BP_RELEASE_DIR_H

#include <limits.h>
#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "conf.h"

#define BP_RELEASE_MAX_FILE_BYTES (4ull << 30)   /* cap on a kept release file */

/* A stdio stream that hashes (BLAKE2b-256) what it writes, and writes it to
 * fd unless fd is -1. */
struct bp_hfile {
	int fd;
	crypto_generichash_state st;
	int failed;
	char *buf;   /* the stream's buffer (owned) */
};
/* Opens the stream (writes go out in blocks of BP_HFILE_BLOCK bytes); NULL
 * on error. Close it with bp_hfile_close, which frees the buffer. */
#define BP_HFILE_BLOCK (1u << 20)
FILE *bp_hfile_open(struct bp_hfile *h, int fd);
/* Closes the stream (not fd) and yields the digest. 0 or -1 (write error). */
int bp_hfile_close(struct bp_hfile *h, FILE *f, uint8_t digest[32]);

/* Digest of a file (regular, no symlink, under the size cap); 0 or -1. */
int bp_digest_file(const char *path, uint8_t out[32]);

/* DIR/releases, DIR/releases.staging and DIR/releases/ID/NAME, where DIR is
 * the folder of the suppression log. */
void bp_release_root(const struct bp_config *c, char *buf, size_t len);
void bp_release_staging_root(const struct bp_config *c, char *buf, size_t len);
void bp_release_kept_file(const struct bp_config *c, const char *id, const char *name,
    char *buf, size_t len);
/*
 * The folder that holds the kept files of release id into buf: releases/ID;
 * for the last release of the log (last), when that is missing,
 * releases.staging/ID (a publish stopped after logging the release and
 * before moving its folder in; the next publish finishes the move).
 * Returns 0 (releases/), 1 (staging) or -1 (neither exists).
 */
int bp_release_kept_dir(const struct bp_config *c, const char *id, bool last, char *buf,
    size_t len);

/* The staging folder of one release. */
struct bp_stage {
	char dir[PATH_MAX];    /* releases.staging/ID */
	char kept[PATH_MAX];   /* releases/ID, where it goes */
	int dirfd;
	bool made, moved;
};
/* Makes releases/ and releases.staging/ when missing and the staging folder
 * of id (which must not exist). 0 or -1 with err; bp_stage_abort undoes it. */
int bp_stage_begin(const struct bp_config *c, const char *id, struct bp_stage *st,
    char *err, size_t errlen);
/* Writes file name of the staged release with fn (new file, fsynced); its
 * digest goes to digest. 0 or -1 with err. */
int bp_stage_write(struct bp_stage *st, const char *name, int (*fn)(FILE *f, void *ud),
    void *ud, uint8_t digest[32], char *err, size_t errlen);
/* Makes the staged folder and its name durable (before the log names it).
 * 0 or -1 with err. */
int bp_stage_sync(struct bp_stage *st, char *err, size_t errlen);
/* Moves the staged folder to releases/ID (after the log names it) and
 * makes that durable. 0 or -1 with err. */
int bp_stage_commit(struct bp_stage *st, char *err, size_t errlen);
/* Removes the staging folder unless it was moved; closes it. */
void bp_stage_abort(struct bp_stage *st);

/* The --out folder of a release, written under a hidden name beside it. */
struct bp_outdir {
	char path[PATH_MAX];     /* DIR as given */
	char tmp[PATH_MAX];      /* PARENT/.BASE.partial-XXXXXX */
	char base[NAME_MAX + 1];
	int tmpfd;
	bool made;
};
/*
 * Checks the output folder dir before anything is logged: its parent is a
 * folder (not releases/ or releases.staging/ of the installation c) and dir
 * is missing, or a folder (not a link) that holds only files named in
 * names, an earlier release. Removes hidden folders that killed runs left
 * beside it and makes the hidden one this release is written into. 0 or -1
 * with err; bp_out_abort undoes it.
 */
int bp_out_begin(const struct bp_config *c, const char *dir, const char *const *names,
    size_t nnames, struct bp_outdir *o, char *err, size_t errlen);
/* Copies file name from the staged release into the hidden folder. */
int bp_out_copy(struct bp_outdir *o, const struct bp_stage *st, const char *name,
    char *err, size_t errlen);
/* Syncs the hidden folder and renames it to dir, swapping out (and then
 * removing) an earlier release there. 0 or -1 with err. */
int bp_out_commit(struct bp_outdir *o, char *err, size_t errlen);
/* Removes the hidden folder if it is still there; closes it. */
void bp_out_abort(struct bp_outdir *o);

/*
 * Puts releases/ in line with the log (its committed part, after any
 * rollback), whose release ids are ids[0..nids) in log order: the staged
 * folder of the last release is moved in when releases/ lacks it; every
 * other staged folder is removed (never logged); a folder in releases/ that
 * no release of the log names is moved to releases.orphaned/ (kept, not
 * deleted: it may be evidence). Each action is one line on notes (may be
 * NULL). 0 or -1 with err.
 */
int bp_release_recover(const struct bp_config *c, const char *const *ids, size_t nids,
    FILE *notes, char *err, size_t errlen);

#endif
