/*
 * test_model.c - the release model (model.c), the upper rule (a hidden
 * printed cell is >= 1 when zeros are shown; a primary is safe when its
 * maximum reaches min_cell) and an attacker of our own: GLPK's MIP over
 * every line of a problem, with the rule's own implications.
 */
#include <criterion/criterion.h>
#include <glpk.h>
#include <math.h>
#include <stdlib.h>

#include "model.h"
#include "suppress.h"

/* Cells equal across tables are one cell of the model; a constraint met
 * twice is kept once. */
Test(model, cells_equal_across_tables_are_one_model_cell)
{
	struct bp_sup_problem *p1 = bp_sup_new(), *p2 = bp_sup_new();
	size_t m1[3], m2[3], mem[2];
	uint32_t k1[3] = { 7, 0, 0 }, k2[3] = { 7, 0, 0 };

	/* p1: A = B + C; p2: A = D + E, A the same quantity (key 7). */
	cr_assert_eq(bp_sup_add_cell(p1, 5, 0), 0);
	bp_sup_add_cell(p1, 2, 0);
	bp_sup_add_cell(p1, 3, 0);
	mem[0] = 1, mem[1] = 2;
	cr_assert_eq(bp_sup_add_constraint(p1, BP_CONS_TABLE, 0, mem, 2), 0);
	bp_sup_add_cell(p2, 5, 0);
	bp_sup_add_cell(p2, 4, 0);
	bp_sup_add_cell(p2, 1, 0);
	cr_assert_eq(bp_sup_add_constraint(p2, BP_CONS_TABLE, 0, mem, 2), 0);

	struct bp_model *m = bp_model_new(10);
	cr_assert_not_null(m);
	cr_assert_eq(bp_model_add(m, p1, k1, 3, m1), 0);
	cr_assert_eq(bp_model_add(m, p2, k2, 3, m2), 0);
	struct bp_sup_problem *M = bp_model_problem(m);
	cr_assert_eq(m1[0], m2[0], "A is one model cell");
	cr_assert_eq(bp_sup_ncells(M), 5);
	cr_assert_eq(bp_sup_ncons(M), 2);
	/* p1 again with the same keys: its cells are new (unkeyed B, C), but
	 * a part with the same keyed cells only adds nothing. */
	uint32_t kall[3] = { 7, 8, 9 };
	size_t m3[3], m4[3];
	cr_assert_eq(bp_model_add(m, p1, kall, 3, m3), 0);
	size_t before = bp_sup_ncons(M);
	cr_assert_eq(bp_model_add(m, p1, kall, 3, m4), 0);
	cr_assert_eq(bp_sup_ncons(M), before, "the same constraint twice is one row");
	cr_assert_eq(bp_model_duplicates(m), 1);
	/* A key whose cells differ in value is refused. */
	struct bp_sup_problem *p3 = bp_sup_new();
	bp_sup_add_cell(p3, 6, 0);
	uint32_t k3[1] = { 7 };
	size_t m5[1];
	cr_assert_eq(bp_model_add(m, p3, k3, 1, m5), -1);
	bp_model_free(m);
	bp_sup_free(p1);
	bp_sup_free(p2);
	bp_sup_free(p3);
}

/*
 * A singleton and a zero in the same line: T = 6 = a 2 + b 1 + c 3 + z 0.
 * With a and b primary and c their complement, an LP that lets hidden
 * cells be 0 gives a up to 6; a reader who knows the rule (zeros are
 * shown, so b and c are at least 1) gets at most 4: unsafe under the
 * upper rule, and bp_suppress must hide more (T, with its own line).
 */
Test(model, singleton_and_zero_in_one_line)
{
	struct bp_sup_problem *p = bp_sup_new();
	size_t mem[4];
	double lo, hi;
	size_t bad;

	long T = bp_sup_add_cell(p, 6, BP_SUP_POSITIVE);
	long a = bp_sup_add_cell(p, 2, BP_SUP_POSITIVE);
	long b = bp_sup_add_cell(p, 1, BP_SUP_POSITIVE);
	long c = bp_sup_add_cell(p, 3, BP_SUP_POSITIVE);
	long z = bp_sup_add_cell(p, 0, BP_SUP_POSITIVE);
	long G = bp_sup_add_cell(p, 26, BP_SUP_POSITIVE);
	long U = bp_sup_add_cell(p, 20, BP_SUP_POSITIVE);
	mem[0] = (size_t)a, mem[1] = (size_t)b, mem[2] = (size_t)c, mem[3] = (size_t)z;
	cr_assert_eq(bp_sup_add_constraint(p, BP_CONS_TABLE, (size_t)T, mem, 4), 0);
	mem[0] = (size_t)T, mem[1] = (size_t)U;
	cr_assert_eq(bp_sup_add_constraint(p, BP_CONS_TABLE, (size_t)G, mem, 2), 0);

	bp_sup_set_state(p, (size_t)a, BP_SUP_PRIMARY);
	bp_sup_set_state(p, (size_t)b, BP_SUP_PRIMARY);
	bp_sup_set_state(p, (size_t)c, BP_SUP_SECONDARY);
	cr_assert_eq(bp_sup_interval(p, (size_t)a, &lo, &hi), 0);
	cr_assert_float_eq(hi, 6.0, 1e-6, "interval rule: hidden cells may be 0");
	cr_assert_eq(bp_sup_audit(p, 5, &bad), 0);

	bp_sup_set_rule(p, BP_SUP_RULE_UPPER);
	cr_assert_eq(bp_sup_interval(p, (size_t)a, &lo, &hi), 0);
	cr_assert_float_eq(hi, 4.0, 1e-6, "upper rule: b and c are at least 1 (hi %g lo %g)", hi, lo);
	cr_assert_float_eq(lo, 1.0, 1e-6);
	cr_assert_eq(bp_sup_audit(p, 5, &bad), -1);
	cr_assert(bad == (size_t)a || bad == (size_t)b);

	cr_assert_eq(bp_suppress(p, 5, false), 0);
	cr_assert_eq(bp_sup_audit(p, 5, &bad), 0);
	cr_assert_neq(bp_sup_state_of(p, (size_t)T), BP_SUP_PUBLISHED, "T must go");
	cr_assert_eq(bp_sup_state_of(p, (size_t)z), BP_SUP_PUBLISHED, "a zero is shown");
	cr_assert_eq(bp_sup_interval(p, (size_t)a, &lo, &hi), 0);
	cr_assert_geq(hi, 5.0 - 1e-6);
	bp_sup_free(p);
}

/* ---- the attacker -------------------------------------------------------- */

/*
 * The largest value of cell x an intruder can prove possible: an integer
 * program over every line of p, published cells at their values, hidden
 * printed (POSITIVE) cells >= 1, every other hidden cell >= 0.  Written
 * apart from lpaudit.c on purpose.
 */
static double
attack_max(const struct bp_sup_problem *p, size_t x, bool integer)
{
	size_t n = bp_sup_ncells(p), nl = bp_sup_ncons(p), ne = 0;
	glp_prob *lp = glp_create_prob();
	int *ia = malloc(sizeof(int) * (8 * n + 8 * nl + 8));
	int *ja = malloc(sizeof(int) * (8 * n + 8 * nl + 8));
	double *ar = malloc(sizeof(double) * (8 * n + 8 * nl + 8)), out;

	glp_add_cols(lp, (int)n);
	for (size_t c = 0; c < n; c++) {
		double v = bp_sup_value_of(p, c);
		if (bp_sup_state_of(p, c) == BP_SUP_PUBLISHED)
			glp_set_col_bnds(lp, (int)c + 1, GLP_FX, v, v);
		else
			glp_set_col_bnds(lp, (int)c + 1, GLP_LO,
			    (bp_sup_flags_of(p, c) & BP_SUP_POSITIVE) && v >= 1 ? 1.0 : 0.0, 0.0);
		if (integer)
			glp_set_col_kind(lp, (int)c + 1, GLP_IV);
	}
	glp_add_rows(lp, (int)nl);
	for (size_t l = 0; l < nl; l++) {
		size_t t;
		const size_t *mem;
		size_t k = bp_sup_cons(p, l, &t, &mem);
		ne++, ia[ne] = (int)l + 1, ja[ne] = (int)t + 1, ar[ne] = 1.0;
		for (size_t i = 0; i < k; i++)
			ne++, ia[ne] = (int)l + 1, ja[ne] = (int)mem[i] + 1, ar[ne] = -1.0;
		glp_set_row_bnds(lp, (int)l + 1, GLP_FX, 0.0, 0.0);
	}
	glp_load_matrix(lp, (int)ne, ia, ja, ar);
	glp_set_obj_coef(lp, (int)x + 1, 1.0);
	glp_set_obj_dir(lp, GLP_MAX);
	glp_smcp sm;
	glp_init_smcp(&sm);
	sm.msg_lev = GLP_MSG_OFF;
	cr_assert_eq(glp_simplex(lp, &sm), 0);
	if (glp_get_status(lp) == GLP_UNBND)
		out = HUGE_VAL;
	else if (integer) {
		glp_iocp io;
		glp_init_iocp(&io);
		io.msg_lev = GLP_MSG_OFF;
		cr_assert_eq(glp_intopt(lp, &io), 0);
		out = glp_mip_obj_val(lp);
	} else
		out = glp_get_obj_val(lp);
	glp_delete_prob(lp);
	free(ia);
	free(ja);
	free(ar);
	return out;
}

static uint64_t rs;
static unsigned
rnd(unsigned n)
{
	rs ^= rs << 13, rs ^= rs >> 7, rs ^= rs << 17;
	return (unsigned)(rs % n);
}

/*
 * Random small releases in miniature: two areas (kommuner) of an r x c
 * table each, with row, column and grand totals, and their sum (the
 * fylke) with its own totals, linked cell by cell.  Counts 0..11, so many
 * cells are small and many are 0.  Under the upper rule, whatever
 * bp_suppress publishes, the attacker's integer program cannot keep any
 * primary cell below min_cell, and the audit and the attacker's LP agree.
 */
Test(model, attacker_agrees_on_random_releases, .timeout = 60)
{
	size_t checked = 0, published = 0;
	rs = 0x2545f4914f6cdd1dULL;
	for (int round = 0; round < 40; round++) {
		unsigned R = 2 + rnd(2), C = 2 + rnd(3);
		size_t W = (R + 1) * (C + 1);   /* cells per area, totals included */
		uint32_t v[3][4][5];
		struct bp_sup_problem *p = bp_sup_new();
		size_t mem[8];

		for (int a = 0; a < 2; a++)
			for (unsigned i = 0; i < R; i++)
				for (unsigned j = 0; j < C; j++)
					v[a][i][j] = rnd(12);
		for (int a = 0; a < 3; a++) {
			for (unsigned i = 0; i < R; i++)
				for (unsigned j = 0; j < C; j++)
					if (a == 2)
						v[2][i][j] = v[0][i][j] + v[1][i][j];
			v[a][R][C] = 0;
			for (unsigned i = 0; i < R; i++) {
				v[a][i][C] = 0;
				for (unsigned j = 0; j < C; j++)
					v[a][i][C] += v[a][i][j];
				v[a][R][C] += v[a][i][C];
			}
			for (unsigned j = 0; j < C; j++) {
				v[a][R][j] = 0;
				for (unsigned i = 0; i < R; i++)
					v[a][R][j] += v[a][i][j];
			}
			for (unsigned i = 0; i <= R; i++)
				for (unsigned j = 0; j <= C; j++)
					bp_sup_add_cell(p, v[a][i][j], BP_SUP_POSITIVE);
		}
		for (int a = 0; a < 3; a++) {
			size_t base = (size_t)a * W;
			for (unsigned i = 0; i <= R; i++) {
				for (unsigned j = 0; j < C; j++)
					mem[j] = base + i * (C + 1) + j;
				cr_assert_eq(bp_sup_add_constraint(p, BP_CONS_TABLE,
				    base + i * (C + 1) + C, mem, C), 0);
			}
			for (unsigned j = 0; j <= C; j++) {
				for (unsigned i = 0; i < R; i++)
					mem[i] = base + i * (C + 1) + j;
				cr_assert_eq(bp_sup_add_constraint(p, BP_CONS_TABLE,
				    base + R * (C + 1) + j, mem, R), 0);
			}
		}
		for (size_t k = 0; k < W; k++) {
			mem[0] = k, mem[1] = W + k;
			cr_assert_eq(bp_sup_add_constraint(p, BP_CONS_LINK, 2 * W + k, mem, 2), 0);
		}
		bp_sup_set_rule(p, BP_SUP_RULE_UPPER);
		if (bp_suppress(p, 5, false) != 0)
			continue;   /* nothing may be published: also safe */
		size_t bad;
		cr_assert_eq(bp_sup_audit(p, 5, &bad), 0);
		published++;
		for (size_t c = 0; c < bp_sup_ncells(p); c++) {
			if (bp_sup_state_of(p, c) != BP_SUP_PRIMARY)
				continue;
			checked++;
			double lpmax = attack_max(p, c, false), ipmax = attack_max(p, c, true);
			cr_assert_geq(lpmax, 5.0 - 1e-6, "round %d cell %zu: LP max %g", round, c, lpmax);
			cr_assert_geq(ipmax, 5.0 - 1e-6, "round %d cell %zu: MIP max %g", round, c, ipmax);
		}
		bp_sup_free(p);
	}
	cr_assert_geq(published, 20, "most random releases can be published");
	cr_assert_gt(checked, 40, "and they have primary cells to attack");
}

/*
 * One large release in miniature, so that its hidden cells form a
 * component larger than the audit solves at once (lpaudit_local.c: local
 * LPs, each solution a certificate): two areas of an n x n table and their
 * sum, linked.  Whatever bp_suppress publishes, the attacker's LP over
 * every line finds every sampled primary cell able to reach min_cell.
 */
Test(model, local_certificates_hold_against_the_attacker, .timeout = 120)
{
	enum { N = 27 };
	size_t W = (N + 1) * (N + 1), mem[N + 2];
	uint32_t *v = calloc(3 * W, sizeof(*v));
	struct bp_sup_problem *p = bp_sup_new();

	rs = 0x9e3779b97f4a7c15ULL;
	for (size_t a = 0; a < 2; a++)
		for (size_t i = 0; i < N; i++)
			for (size_t j = 0; j < N; j++)
				v[a * W + i * (N + 1) + j] = rnd(5);
	for (size_t i = 0; i < N; i++)
		for (size_t j = 0; j < N; j++)
			v[2 * W + i * (N + 1) + j] = v[i * (N + 1) + j] + v[W + i * (N + 1) + j];
	for (size_t a = 0; a < 3; a++) {
		uint32_t *x = v + a * W;
		for (size_t i = 0; i < N; i++)
			for (size_t j = 0; j < N; j++) {
				x[i * (N + 1) + N] += x[i * (N + 1) + j];
				x[N * (N + 1) + j] += x[i * (N + 1) + j];
				x[N * (N + 1) + N] += x[i * (N + 1) + j];
			}
	}
	for (size_t c = 0; c < 3 * W; c++)
		bp_sup_add_cell(p, v[c], BP_SUP_POSITIVE);
	for (size_t a = 0; a < 3; a++) {
		size_t base = a * W;
		for (size_t i = 0; i <= N; i++) {
			for (size_t j = 0; j < N; j++)
				mem[j] = base + i * (N + 1) + j;
			cr_assert_eq(bp_sup_add_constraint(p, BP_CONS_TABLE, base + i * (N + 1) + N,
			    mem, N), 0);
		}
		for (size_t j = 0; j <= N; j++) {
			for (size_t i = 0; i < N; i++)
				mem[i] = base + i * (N + 1) + j;
			cr_assert_eq(bp_sup_add_constraint(p, BP_CONS_TABLE, base + N * (N + 1) + j,
			    mem, N), 0);
		}
	}
	for (size_t k = 0; k < W; k++) {
		mem[0] = k, mem[1] = W + k;
		cr_assert_eq(bp_sup_add_constraint(p, BP_CONS_LINK, 2 * W + k, mem, 2), 0);
	}
	bp_sup_set_rule(p, BP_SUP_RULE_UPPER);
	cr_assert_eq(bp_suppress(p, 5, false), 0);
	size_t hidden = bp_sup_ncells(p) - bp_sup_count(p, BP_SUP_PUBLISHED), bad, checked = 0;
	cr_assert_gt(hidden, 1500, "the local audit is what this tests (%zu hidden)", hidden);
	cr_assert_eq(bp_sup_audit(p, 5, &bad), 0);
	for (size_t c = 0; c < bp_sup_ncells(p); c += 7) {
		if (bp_sup_state_of(p, c) != BP_SUP_PRIMARY)
			continue;
		checked++;
		cr_assert_geq(attack_max(p, c, false), 5.0 - 1e-6, "cell %zu", c);
	}
	cr_assert_gt(checked, 20);
	bp_sup_free(p);
	free(v);
}
