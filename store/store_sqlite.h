/*
 * store_sqlite.h - what the two files of the SQLite backend share
 * (store_sqlite.c: the file, schema, integrity and transactions;
 * store_sqlite_ops.c: the statements that judge, apply and read;
 * store_sqlite_swap.c: how bpagg rebuild's new store takes the old one's place).
 * Private to store/.
 */
#ifndef BP_STORE_SQLITE_H
#define BP_STORE_SQLITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "store_backend.h"

enum sq_stmt {
	ST_BEGIN, ST_COMMIT,
	ST_JUDGE,
	ST_INS_LEDGER, ST_PUT_TALLY, ST_DEL_PSEUD, ST_INS_PSEUD,
	ST_INS_REJECT,
	ST_TALLIES, ST_LATEST, ST_YEARS, ST_COUNT_REJ, ST_COUNT_MULTI, ST_COUNT_OTHER,
	ST_FIND_RECEIVED, ST_RESET_SEQ,
	ST_LEDGER_ALL, ST_REJ_ALL, ST_ONE_TALLY, ST_PSEUD_OF, ST_RESETS_ALL, ST_PUT_RESET,
	SQ_NSTMT
};

struct sq {
	sqlite3 *db;
	sqlite3_stmt *st[SQ_NSTMT];
	size_t ncells, nsum;    /* bp_n_cells(), bp_n_sum_cells() */
	uint8_t *buf;           /* encoding buffer: counts | sum_n | sums */
	size_t buflen;
	bool in_tx;             /* inside sq_begin .. sq_commit / sq_rollback */
};

/* The cached statement k, reset and unbound; NULL on error. */
sqlite3_stmt *bp_sq_stmt(struct sq *q, enum sq_stmt k);
/* Steps a statement that returns no row; resets it. SQLITE_DONE on success. */
int bp_sq_run(sqlite3_stmt *st);
int bp_sq_seterr(char *err, size_t errlen, const char *what, sqlite3 *db);
int bp_sq_is_kommune(const char *k);

/* A transaction of its own, or a savepoint inside the caller's (sq_begin). */
int bp_sq_tx_open(struct sq *q, const char *name, bool *nested);
int bp_sq_tx_close(struct sq *q, const char *name, bool nested);
void bp_sq_tx_undo(struct sq *q, const char *name, bool nested);

/* store_sqlite_ops.c */
int bp_sq_judge(void *h, const struct bp_submission *sub, enum bp_store_verdict *v);
int bp_sq_apply(void *h, const struct bp_submission *sub, const struct bp_tally *t,
    const uint8_t *ps, size_t npseud, const uint8_t catalogue_id[32], char *err,
    size_t errlen);
int bp_sq_reject(void *h, const char *kommune, int year, const char *file,
    const char *reason, int64_t when);
int bp_sq_foreach_tally(void *h, int year, const uint8_t want[32],
    int (*cb)(const char *kommune, const struct bp_tally *t, void *ud), void *ud);
int bp_sq_foreach_latest(void *h, int year,
    int (*cb)(const struct bp_submission *sub, void *ud), void *ud);
int bp_sq_years(void *h, int **years, size_t *n);
int bp_sq_count_rejected(void *h, int year, uint64_t *n);
int bp_sq_count_multi_kommune(void *h, int year, uint64_t *n);
int bp_sq_count_other_catalogue(void *h, int year, const uint8_t want[32], uint64_t *n);
int bp_sq_reset_sequence(void *h, const char *kommune, int year, int64_t when,
    uint64_t *old);
int bp_sq_find_received(void *h, const char *kommune, const uint8_t id[16],
    int64_t *received, char *upload);
int bp_sq_foreach_ledger(void *h,
    int (*cb)(const struct bp_submission *sub, int latest, void *ud), void *ud);
int bp_sq_foreach_rejection(void *h, int (*cb)(const struct bp_rejection *r, void *ud),
    void *ud);
int bp_sq_get_tally(void *h, int year, const char *kommune, const uint8_t want[32],
    struct bp_tally *t);
int bp_sq_pseudonyms(void *h, int year, const char *kommune, uint8_t **ps, size_t *n);
int bp_sq_put_ledger(void *h, const struct bp_submission *sub, char *err, size_t errlen);
int bp_sq_foreach_reset(void *h, int (*cb)(const struct bp_sequence_reset *r, void *ud),
    void *ud);
int bp_sq_put_reset(void *h, const struct bp_sequence_reset *r, char *err, size_t errlen);

/* store_sqlite_swap.c: bpagg rebuild's fresh store and its swap. */
int bp_sq_fresh_path(const struct bp_config *c, char **path, char *err, size_t errlen);
int bp_sq_put_in_place(const struct bp_config *c, const char *fresh, char *msg,
    size_t msglen);

#endif
