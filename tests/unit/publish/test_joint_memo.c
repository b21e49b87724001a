/*
 * test_joint_memo.c - bp__joint_row_classes (publish/release_joint_memo.c):
 * a printed row's classes, kept after the first ask, are the classes that
 * bp__joint_row_set and bp__joint_class_list give, in their order, for
 * every row of the catalogue, for two families whose classes differ (kept
 * apart), asked once and again after the table has grown.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "cellkeys.h"
#include "measures.h"
#include "release_joint.h"

struct fixture {
	struct bp_measure_settings S;
	struct bp_tables T;
	struct joint J;
};

/* Two families of classes over the atoms: f[0] every three atoms, f[1]
 * the atom's rest modulo 7 (rows meet them differently). */
static void
make(struct fixture *F)
{
	memset(F, 0, sizeof(*F));
	bp_measure_settings_default(&F->S);
	cr_assert_eq(bp_cellkeys_build(&F->S, &F->T.ck), 0);
	F->T.nind = bp_n_indicators();
	struct joint *J = &F->J;
	J->T = &F->T;
	J->words = bp_cellkeys_words(F->T.ck);
	J->natom = J->words * 64;
	J->nfam = 1 + F->T.nind;
	cr_assert_not_null(J->f = calloc(NLV * J->nfam, sizeof(*J->f)));
	cr_assert_not_null(J->stamp = calloc(2 * J->natom + 2, sizeof(*J->stamp)));
	cr_assert_not_null(J->ys = malloc((J->natom + 1) * sizeof(*J->ys)));
	cr_assert_not_null(J->set = malloc(J->words * sizeof(*J->set)));
	for (size_t k = 0; k < 2; k++) {
		struct fam *G = &J->f[k];
		G->on = true;
		cr_assert_not_null(G->cls = malloc(J->natom * sizeof(*G->cls)));
		for (size_t at = 0; at < J->natom; at++)
			G->cls[at] = (uint32_t)(k == 0 ? at / 3 + 1 : at % 7 + 1);
		G->n = k == 0 ? J->natom / 3 + 1 : 7;
	}
}

static void
done(struct fixture *F)
{
	for (size_t k = 0; k < 2; k++)
		free(F->J.f[k].cls);
	free(F->J.f);
	free(F->J.stamp);
	free(F->J.ys);
	free(F->J.set);
	bp__joint_memo_free(&F->J);
	bp_cellkeys_free(F->T.ck);
}

/* Row (g, b, v, r) of family 0 against G, kept and found directly. */
static void
same_row(struct fixture *F, const struct fam *G, size_t g, size_t b, size_t v, size_t r,
    size_t *rows)
{
	struct joint *J = &F->J;
	const uint32_t *ys = NULL;
	size_t ny = 0;
	int rc = bp__joint_row_classes(J, G, 0, g, b, v, r, &ys, &ny);
	cr_assert_geq(rc, 0);
	int direct = bp__joint_row_set(J, 0, g, b, v, r);
	cr_assert_eq(rc, direct != 0, "row %zu/%zu/%zu/%zu: kept %d, direct %d", g, b, v, r,
	    rc, direct);
	if (rc)
		return;
	size_t n = bp__joint_class_list(J, G);
	cr_assert_eq(ny, n, "row %zu/%zu/%zu/%zu: %zu classes kept, %zu found", g, b, v, r,
	    ny, n);
	for (size_t k = 0; k < n; k++)
		cr_assert_eq(ys[k], J->ys[k], "row %zu/%zu/%zu/%zu: class %zu", g, b, v, r, k);
	(*rows)++;
}

/* Every row of the catalogue against both families, twice. */
Test(joint_memo, kept_classes_are_the_classes_found)
{
	struct fixture F;
	make(&F);
	size_t rows = 0;
	for (int pass = 0; pass < 2; pass++)
		for (size_t k = 0; k < 2; k++)
			for (size_t g = 0; g < F.T.nind; g++)
				for (size_t b = 0; b < bp_n_breakdowns(); b++)
					for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++)
						for (size_t r = 0; r <= bp_indicator_at(g)->ncat; r++)
							same_row(&F, &F.J.f[k], g, b, v, r, &rows);
	/* enough rows that the table grew past its first size (1 024) */
	cr_assert_gt(rows, 4 * 1024, "only %zu rows decided: the test proves little", rows);
	done(&F);
}

/* The same row in two families gives each family's own classes. */
Test(joint_memo, families_are_kept_apart)
{
	struct fixture F;
	make(&F);
	size_t g = (size_t)bp_indicator_find("rop"), b = (size_t)bp_breakdown_find("total");
	size_t ncat = bp_indicator_at(g)->ncat;
	const uint32_t *ys = NULL;
	size_t n0 = 0, n1 = 0;
	cr_assert_eq(bp__joint_row_classes(&F.J, &F.J.f[0], 0, g, b, 0, ncat, &ys, &n0), 0);
	uint32_t first0 = n0 ? ys[0] : 0;
	cr_assert_eq(bp__joint_row_classes(&F.J, &F.J.f[1], 0, g, b, 0, ncat, &ys, &n1), 0);
	/* every person of every atom: a class per three atoms, and the 7 */
	cr_assert_eq(n1, 7);
	cr_assert_gt(n0, 7);
	cr_assert_eq(first0, 1);
	done(&F);
}
