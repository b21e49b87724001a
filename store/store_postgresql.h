/*
 * store_postgresql.h - what the two files of the PostgreSQL backend share
 * (store_postgresql.c: the connection, schema, integrity, transactions and
 * locks; store_postgresql_ops.c: the statements that judge, apply and read).
 * Private to store/.
 */
#ifndef BP_STORE_POSTGRESQL_H
#define BP_STORE_POSTGRESQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "store_backend.h"

/* The libpq functions the backend calls, through bp_pq (store_pq_load.c:
 * libpq is opened with the first PostgreSQL store, not linked). */
#define BP_PQ_FUNCS(X) \
	X(PQclear) X(PQconnectdbParams) X(PQconninfoFree) X(PQconninfoParse) \
	X(PQerrorMessage) X(PQexec) X(PQexecPrepared) X(PQfinish) X(PQfreemem) \
	X(PQgetisnull) X(PQgetlength) X(PQgetvalue) X(PQntuples) X(PQprepare) \
	X(PQreset) X(PQresultStatus) X(PQsetNoticeProcessor) X(PQstatus) \
	X(PQtransactionStatus)
struct bp_pq_api {
	bool loaded;
#define BP_PQ_FIELD(f) __typeof__(f) *f;
	BP_PQ_FUNCS(BP_PQ_FIELD)
#undef BP_PQ_FIELD
};
extern struct bp_pq_api bp_pq;
/* Opens libpq once (thread-safe); 0, or -1 with err saying why. */
int bp_pq_load(char *err, size_t errlen);
#ifndef BP_PQ_NO_RENAME
#define PQclear bp_pq.PQclear
#define PQconnectdbParams bp_pq.PQconnectdbParams
#define PQconninfoFree bp_pq.PQconninfoFree
#define PQconninfoParse bp_pq.PQconninfoParse
#define PQerrorMessage bp_pq.PQerrorMessage
#define PQexec bp_pq.PQexec
#define PQexecPrepared bp_pq.PQexecPrepared
#define PQfinish bp_pq.PQfinish
#define PQfreemem bp_pq.PQfreemem
#define PQgetisnull bp_pq.PQgetisnull
#define PQgetlength bp_pq.PQgetlength
#define PQgetvalue bp_pq.PQgetvalue
#define PQntuples bp_pq.PQntuples
#define PQprepare bp_pq.PQprepare
#define PQreset bp_pq.PQreset
#define PQresultStatus bp_pq.PQresultStatus
#define PQsetNoticeProcessor bp_pq.PQsetNoticeProcessor
#define PQstatus bp_pq.PQstatus
#define PQtransactionStatus bp_pq.PQtransactionStatus
#endif

/* The advisory lock class of bpagg: key 0 is the whole store (taken
 * exclusively by bp_store_begin, shared by every apply), key
 * year * 10000 + kommune one kommune-year (exclusive, by its apply). */
#define PQ_LOCK_CLASS 1651532135 /* "bpag" */

enum pq_stmt {
	PS_JUDGE, PS_LOCK_KY, PS_LOCK_ALL,
	PS_INS_LEDGER, PS_PUT_TALLY, PS_DEL_PSEUD, PS_INS_PSEUD,
	PS_INS_REJECT,
	PS_TALLIES, PS_LATEST, PS_YEARS, PS_COUNT_REJ, PS_COUNT_MULTI, PS_COUNT_OTHER,
	PS_FIND_RECEIVED, PS_RESET_SEQ,
	PS_LEDGER_ALL, PS_REJ_ALL, PS_ONE_TALLY, PS_PSEUD_OF, PS_ALL_CHECKSUMS,
	PS_RESETS_ALL, PS_PUT_RESET,
	PQ_NSTMT
};

struct pq {
	PGconn *conn;
	bool prepared[PQ_NSTMT];  /* on this connection (a reconnect forgets them) */
	size_t ncells, nsum;      /* bp_n_cells(), bp_n_sum_cells() */
	uint8_t *buf;             /* encoding buffer: counts | sum_n | sums */
	size_t buflen;
	bool in_tx;               /* inside pq_begin .. pq_commit / pq_rollback */
	bool own_tx;              /* inside an apply's or clear's own transaction */
	bool lost;                /* the connection is down (said once) */
	int64_t next_try_ms;      /* reconnect back-off */
	int backoff_ms;
	unsigned lock_timeout;    /* [store] lock_timeout, seconds (0: no limit) */
};

/*
 * Runs prepared statement k with n parameters (vals/lens/fmts as for
 * PQexecPrepared; a NULL lens/fmts means all text) and binary results.
 * Returns the result (the caller frees it with PQclear) when its status is
 * PGRES_COMMAND_OK or PGRES_TUPLES_OK, else NULL with err set.
 */
PGresult *bp_pq_exec(struct pq *q, enum pq_stmt k, int n, const char *const *vals,
    const int *lens, const int *fmts, char *err, size_t errlen);
/* A statement without parameters and results (BEGIN, SAVEPOINT ...). */
int bp_pq_simple(struct pq *q, const char *sql, char *err, size_t errlen);
int bp_pq_is_kommune(const char *k);
/* Binary result fields: integers of 2, 4 or 8 bytes (network order). */
int64_t bp_pq_int(const PGresult *r, int row, int col);

int bp_pq_tx_open(struct pq *q, const char *name, bool *nested, char *err, size_t errlen);
int bp_pq_tx_close(struct pq *q, const char *name, bool nested, char *err, size_t errlen);
void bp_pq_tx_undo(struct pq *q, const char *name, bool nested);

/* store_postgresql_ops.c */
extern const char *const bp_pq_sql[PQ_NSTMT];
/* Takes the store's lock shared and sub's kommune-year's exclusively, for
 * the rest of the open transaction (taken again, it is held once more). */
int bp_pq_lock_kommune_year(struct pq *q, const struct bp_submission *sub, char *err,
    size_t errlen);
int bp_pq_judge(void *h, const struct bp_submission *sub, enum bp_store_verdict *v);
int bp_pq_apply(void *h, const struct bp_submission *sub, const struct bp_tally *t,
    const uint8_t *ps, size_t npseud, const uint8_t catalogue_id[32], char *err,
    size_t errlen);
int bp_pq_reject(void *h, const char *kommune, int year, const char *file,
    const char *reason, int64_t when);
int bp_pq_foreach_tally(void *h, int year, const uint8_t want[32],
    int (*cb)(const char *kommune, const struct bp_tally *t, void *ud), void *ud);
int bp_pq_foreach_latest(void *h, int year,
    int (*cb)(const struct bp_submission *sub, void *ud), void *ud);
int bp_pq_years(void *h, int **years, size_t *n);
int bp_pq_count_rejected(void *h, int year, uint64_t *n);
int bp_pq_count_multi_kommune(void *h, int year, uint64_t *n);
int bp_pq_count_other_catalogue(void *h, int year, const uint8_t want[32], uint64_t *n);
int bp_pq_reset_sequence(void *h, const char *kommune, int year, int64_t when,
    uint64_t *old);
int bp_pq_find_received(void *h, const char *kommune, const uint8_t id[16],
    int64_t *received, char *upload);
int bp_pq_foreach_ledger(void *h,
    int (*cb)(const struct bp_submission *sub, int latest, void *ud), void *ud);
int bp_pq_foreach_rejection(void *h, int (*cb)(const struct bp_rejection *r, void *ud),
    void *ud);
int bp_pq_get_tally(void *h, int year, const char *kommune, const uint8_t want[32],
    struct bp_tally *t);
int bp_pq_pseudonyms(void *h, int year, const char *kommune, uint8_t **ps, size_t *n);
int bp_pq_put_ledger(void *h, const struct bp_submission *sub, char *err, size_t errlen);
int bp_pq_foreach_reset(void *h, int (*cb)(const struct bp_sequence_reset *r, void *ud),
    void *ud);
int bp_pq_put_reset(void *h, const struct bp_sequence_reset *r, char *err, size_t errlen);
int bp_pq_check_tallies(struct pq *q, char *err, size_t errlen);
bool bp_pq_unreachable(void *h);

#endif
