/*
 * tables_int.h - the insides of struct bp_tables that the release model
 * (release.c) shares with tables.c; not part of the public API.
 */
#ifndef BP_TABLES_INT_H
#define BP_TABLES_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cellkeys.h"
#include "publish.h"
#include "suppress.h"

struct area {
	unsigned level;
	char code[5];
	const struct bp_tally *t;   /* NULL: no reporting kommune */
	struct bp_tally own;        /* the sum, for nasjonal and fylke */
	bool owned;
	unsigned nrep, ntotal;
	uint64_t pop18rep, pop18tot;
	bool rows;                  /* carries rows in this release */
	size_t parent;              /* index of the fylke area, or SIZE_MAX */
	int ksize;                  /* kommune: its kommunestorrelse value, or -1 */
};

struct bp_tables {
	int year;
	struct bp_pub_settings s;
	struct area *a;
	size_t na;
	size_t ngroup;              /* indicators + sum measures */
	size_t nind;
	size_t *blk;                /* na x ngroup row offsets (SIZE_MAX: none) */
	size_t nrows;               /* all rows (tables and sums) */
	size_t ntab, nsum;          /* rows of tables.csv / sums.csv */
	unsigned char *reason;      /* nrows, enum bp_reason */
	const struct bp_pub_kommune **kom;  /* input, sorted by number */
	size_t nk;
	/* Quantities printed in more than one place (cellkeys.h): */
	uint32_t *rowkey;           /* nrows: key id (1..nkey), 0 none */
	size_t nkey;
	unsigned char *khidden;     /* nkey + 1: hidden in some table */
	uint16_t *kshared;          /* nkey + 1: number of groups printing it */
	struct bp_cellkeys *ck;
};

/*
 * One part of the release model: the suppression problem of group g over
 * every published area, as the per-group method builds it.  Cell c <
 * nrow is the row row[c] of T (tables.csv or sums.csv order); the cells
 * after are rest, unprinted and republishing cells.  forced[c] (c < nrow,
 * NULL without a previous release) is the reason the republishing rule
 * hides row cell c with (BP_REASON_SECONDARY: hidden before;
 * BP_REASON_DIFFERENCE: moved by less than min_cell), 0 none; daux[0..ndaux)
 * are the difference cells, primary by that rule.
 */
struct bp_tables_part {
	struct bp_sup_problem *p;
	size_t nrow;
	size_t *row;
	unsigned char *forced;
	size_t *daux, ndaux;
};
/* Fills *out (the caller frees it with bp__tables_part_free); 0 or -1
 * (errno ENOMEM, or EINVAL when the tables do not add up). */
int bp__tables_part(const struct bp_tables *T, size_t g, const struct bp_prev *prev,
    struct bp_tables_part *out);
void bp__tables_part_free(struct bp_tables_part *x);

/* The release method after the per-group round (release.c): every group's
 * part in one model, its pattern repaired until the audit of the whole
 * model passes, and the pattern written into T->reason.  0 or -1 with err. */
int bp__release_solve(struct bp_tables *T, const struct bp_prev *prev, char *err,
    size_t errlen);

#endif
