/*
 * lpblock.c - a starting basis for a program whose columns fall into
 * blocks that only some rows join (release model 14; bpagg-publish(1),
 * "The release model").
 *
 * The whole-release program by fylke has a block of columns per fylke (or
 * kommune, or group): most rows are cells of one area and touch one block
 * only; the nation's cells and the size classes join blocks.  From
 * GLPK's crash basis the first solve of that program spent nearly all its
 * pivots finding a feasible point (357 kommuner: 4 802 pivots, 2.9 s).
 * Each block's own rows are a small program: solved alone, each gives a
 * basis of its rows, and those bases with the joining rows' slacks basic
 * are a basis of the whole (block triangular, so nonsingular), feasible
 * in every row but the joining ones.  The whole program then starts from
 * there: 2 378 pivots and 1.2 s after 0.3 s for the 15 blocks.
 *
 * The start is another vertex than the crash basis's, so the solves after
 * it can take other bases and the check other complements: model 14.
 */
#include <errno.h>
#include <stdlib.h>

#include <glpk.h>

#include "lpaudit.h"

/* The value a nonbasic column of status st sits at. */
static double
nonbasic_value(glp_prob *lp, int j, int st)
{
	switch (st) {
	case GLP_NL:
	case GLP_NS:
		return glp_get_col_lb(lp, j);
	case GLP_NU:
		return glp_get_col_ub(lp, j);
	default:
		return 0.0;
	}
}

/* A nonbasic status for column j of lp: at its lower bound when it has
 * one, else its upper, else free. */
static int
nonbasic_status(glp_prob *lp, int j)
{
	switch (glp_get_col_type(lp, j)) {
	case GLP_FX: return GLP_NS;
	case GLP_LO:
	case GLP_DB: return GLP_NL;
	case GLP_UP: return GLP_NU;
	default: return GLP_NF;
	}
}

/*
 * Block b's program: the columns [first, last) of lp and the rows
 * rows[0..nr) (each touching no other block's column), every other column
 * taken at its value in lp's new basis; solved for a feasible point from
 * its crash basis, its statuses copied into lp.  0, 1 when GLPK failed, or
 * -1 (ENOMEM).
 */
static int
solve_block(glp_prob *lp, int first, int last, const int *rows, int nr, int *ind,
    double *val)
{
	glp_smcp parm;
	int n = last - first, ret = 1;

	/* a block without rows: its columns stay nonbasic at a bound */
	if (n <= 0 || nr == 0)
		return 0;
	glp_prob *s = glp_create_prob();
	glp_add_cols(s, n);
	glp_add_rows(s, nr);
	for (int j = 0; j < n; j++)
		glp_set_col_bnds(s, j + 1, glp_get_col_type(lp, first + j),
		    glp_get_col_lb(lp, first + j), glp_get_col_ub(lp, first + j));
	for (int r = 0; r < nr; r++) {
		int i = rows[r], len = glp_get_mat_row(lp, i, ind, val), k = 0;
		double shift = 0.0;
		for (int q = 1; q <= len; q++) {
			if (ind[q] >= first && ind[q] < last) {
				k++;
				ind[k] = ind[q] - first + 1;
				val[k] = val[q];
			} else
				shift += val[q] * nonbasic_value(lp, ind[q], glp_get_col_stat(lp, ind[q]));
		}
		glp_set_row_bnds(s, r + 1, glp_get_row_type(lp, i), glp_get_row_lb(lp, i) - shift,
		    glp_get_row_ub(lp, i) - shift);
		glp_set_mat_row(s, r + 1, k, ind, val);
	}
	glp_adv_basis(s, 0);
	glp_init_smcp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	parm.presolve = GLP_OFF;
	bp__sup_stats.solves++;
	int rc = glp_simplex(s, &parm);
	bp__sup_stats.pivots += (unsigned long)glp_get_it_cnt(s);
	if (rc == 0) {
		for (int j = 0; j < n; j++)
			glp_set_col_stat(lp, first + j, glp_get_col_stat(s, j + 1));
		for (int r = 0; r < nr; r++)
			glp_set_row_stat(lp, rows[r], glp_get_row_stat(s, r + 1));
		ret = 0;
	}
	glp_delete_prob(s);
	return ret;
}

int
bp__sup_lp_block_basis(glp_prob *lp, const int *start, size_t nblock)
{
	int m = glp_get_num_rows(lp), n = glp_get_num_cols(lp), ret = -1;
	int *blk = malloc(((size_t)n + 1) * sizeof(*blk)),
	    *rowblk = malloc(((size_t)m + 1) * sizeof(*rowblk)),
	    *count = calloc(nblock + 1, sizeof(*count)),
	    *rows = malloc(((size_t)m + 1) * sizeof(*rows)),
	    *ind = malloc(((size_t)n + 1) * sizeof(*ind));
	double *val = malloc(((size_t)n + 1) * sizeof(*val));

	if (!blk || !rowblk || !count || !rows || !ind || !val) {
		errno = ENOMEM;
		goto out;
	}
	/* Every column not in a block is nonbasic at a bound. */
	for (int j = 1; j <= n; j++) {
		blk[j] = -1;
		glp_set_col_stat(lp, j, nonbasic_status(lp, j));
	}
	for (size_t b = 0; b < nblock; b++)
		for (int j = start[b]; j < start[b + 1] && j <= n; j++)
			blk[j] = (int)b;
	/* A row is its block's when every column of a block in it is that
	 * block's; a joining row (or one of no block) keeps its slack basic. */
	for (int i = 1; i <= m; i++) {
		int len = glp_get_mat_row(lp, i, ind, val), b = -1;
		for (int q = 1; q <= len && b != -2; q++)
			if (blk[ind[q]] >= 0)
				b = b == -1 || b == blk[ind[q]] ? blk[ind[q]] : -2;
		rowblk[i] = b;
		glp_set_row_stat(lp, i, GLP_BS);
		if (b >= 0)
			count[b + 1]++;
	}
	for (size_t b = 0; b < nblock; b++)
		count[b + 1] += count[b];
	for (int i = 1; i <= m; i++)
		if (rowblk[i] >= 0)
			rows[count[rowblk[i]]++] = i;
	/* count[b] is now where block b + 1's rows start */
	ret = 0;
	for (size_t b = 0, at = 0; b < nblock && ret == 0; b++) {
		ret = solve_block(lp, start[b], start[b + 1], rows + at, count[b] - (int)at, ind,
		    val);
		at = (size_t)count[b];
	}
out:
	free(blk);
	free(rowblk);
	free(count);
	free(rows);
	free(ind);
	free(val);
	return ret;
}
