/*
 * release_attack_lp.c - solves the intruder's model (release_attack.h):
 * connected components of the unknowns through the relations, one GLPK
 * problem per component, checked feasible with the published cells first
 * (an infeasible component means a stated relation does not hold), then
 * for every hidden quantity the LP minimum and maximum (warm-started
 * simplex), and with --mip GLPK's branch and cut on small components.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glpk.h>

#include "release_attack.h"

static int
uf_find(int *p, int x)
{
	while (p[x] != x) {
		p[x] = p[p[x]];
		x = p[x];
	}
	return x;
}

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Marks the keys named in FILE (level,area,table,category,value lines,
 * as release_attack prints them) in want[]; 0, or -1 when unreadable. */
static int
read_wanted(const struct bp_ra_model *m, const char *file, const char *one, char *want)
{
	FILE *f = file ? fopen(file, "r") : fmemopen((void *)one, strlen(one), "r");
	if (!f) {
		fprintf(stderr, "release_attack: cannot open %s\n", file);
		return -1;
	}
	char line[1024];
	int matched = 0, lines = 0;
	struct bp_ra_hash names;
	memset(&names, 0, sizeof(names));
	for (int c = 0; c < m->ncells; c++) {
		const struct bp_ra_cell *C = &m->cells[c];
		snprintf(line, sizeof(line), "%s,%s,%s,%s,%s", bp_ra_level_name(C->level),
		    C->area, C->table, C->cat, C->bval);
		if (C->key >= 0)
			bp_ra_hash_put(&names, bp_ra_hash_str(line), C->key);
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		lines++;
		int k = bp_ra_hash_get(&names, bp_ra_hash_str(line));
		if (k >= 0) {
			want[k] = 1;
			matched++;
		}
	}
	bp_ra_hash_free(&names);
	fclose(f);
	fprintf(stderr, "release_attack: %d of %d wanted cells are printed\n", matched, lines);
	return 0;
}

/*
 * The component's problem.  Loaded column by column: GLPK walks the whole
 * matrix by column at every glp_simplex, and elements made row by row lie
 * far apart in its pool (publish/lpaudit.c's bp__sup_lp_compact says more).
 * Within a column the rows come in ascending order, which glp_load_matrix
 * turns into the same column lists as glp_set_mat_row row by row gave.
 */
static glp_prob *
component_lp(const struct bp_ra_model *m, const int *rows, int nr, const int *cols,
    int nc, const int *local)
{
	glp_prob *lp = glp_create_prob();
	glp_add_cols(lp, nc);
	for (int j = 0; j < nc; j++) {
		double hi = m->col_hi[cols[j]];
		if (hi >= 0.0)
			glp_set_col_bnds(lp, j + 1, hi > 0.0 ? GLP_DB : GLP_FX, 0.0, hi);
		else
			glp_set_col_bnds(lp, j + 1, GLP_LO, 0.0, 0.0);
	}
	glp_add_rows(lp, nr);
	/* start[j]: where column j's elements begin (counted, then placed) */
	int ne = 0, *start = bp_ra_xrealloc(NULL, (nc + 2) * sizeof(int));
	memset(start, 0, (nc + 2) * sizeof(int));
	for (int i = 0; i < nr; i++) {
		const struct bp_ra_row *r = &m->rows[rows[i]];
		for (int t = 0; t < r->n; t++)
			start[local[r->idx[t]] + 2]++;
		ne += r->n;
		glp_set_row_bnds(lp, i + 1, r->eq ? GLP_FX : GLP_LO, r->rhs, r->rhs);
	}
	for (int j = 2; j <= nc + 1; j++)
		start[j] += start[j - 1];
	int *ia = bp_ra_xrealloc(NULL, (ne + 1) * sizeof(int)),
	    *ja = bp_ra_xrealloc(NULL, (ne + 1) * sizeof(int));
	double *ar = bp_ra_xrealloc(NULL, (ne + 1) * sizeof(double));
	for (int i = 0; i < nr; i++) {
		const struct bp_ra_row *r = &m->rows[rows[i]];
		for (int t = 0; t < r->n; t++) {
			int j = local[r->idx[t]] + 1, k = ++start[j];
			ia[k] = i + 1;
			ja[k] = j;
			ar[k] = r->val[t];
		}
	}
	glp_load_matrix(lp, ne, ia, ja, ar);
	free(start);
	free(ia);
	free(ja);
	free(ar);
	return lp;
}

static double deadline; /* 0: none */
static int presolve;

/* 0 solved (max/min in *out, +-INFINITY unbounded), -1 GLPK failed, -2
 * infeasible, -3 the time limit. */
static int
lp_run(glp_prob *lp, int dir, double *out)
{
	glp_smcp p;
	glp_init_smcp(&p);
	p.msg_lev = GLP_MSG_OFF;
	if (deadline > 0) {
		double left = deadline - now();
		if (left <= 0)
			return -3;
		p.tm_lim = (int)(left * 1000) + 1;
	}
	p.presolve = presolve ? GLP_ON : GLP_OFF;
	glp_set_obj_dir(lp, dir);
	int rc = glp_simplex(lp, &p);
	if (rc == GLP_ETMLIM)
		return -3;
	if (presolve && rc == GLP_ENOPFS)
		return -2;
	if (rc != 0) {
		glp_adv_basis(lp, 0);
		rc = glp_simplex(lp, &p);
	}
	if (rc != 0)
		return -1;
	int st = glp_get_status(lp);
	if (st == GLP_UNBND) {
		*out = dir == GLP_MAX ? INFINITY : -INFINITY;
		return 0;
	}
	if (st != GLP_OPT)
		return -2;
	*out = glp_get_obj_val(lp);
	return 0;
}

static int
mip_run(glp_prob *lp, int dir, double *out)
{
	glp_iocp p;
	glp_init_iocp(&p);
	p.msg_lev = GLP_MSG_OFF;
	p.presolve = GLP_ON;
	p.tm_lim = 20000;
	glp_set_obj_dir(lp, dir);
	if (glp_intopt(lp, &p) != 0 || glp_mip_status(lp) != GLP_OPT)
		return -1;
	*out = glp_mip_obj_val(lp);
	return 0;
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

struct comp {
	int *rows, nr, *cols, nc;
	int *keys, nk;
};

static void
fam_name(const struct bp_ra_model *m, int f, char *buf, size_t len)
{
	const struct bp_ra_family *F = &m->fams[f];
	size_t n = 0;
	buf[0] = '\0';
	for (int i = 0; i < F->nc && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%s=%s", i ? "," : "", m->vars[F->cv[i]].name,
		    m->vars[F->cv[i]].vals[F->cw[i]]);
	if (!F->nc)
		snprintf(buf, len, "persons");
}

/* Prints the relations with a nonzero dual at the current optimum. */
static void
explain(const struct bp_ra_model *m, glp_prob *lp, const struct comp *c)
{
	char fn[256];
	for (int i = 0; i < c->nr; i++) {
		double d = glp_get_row_dual(lp, i + 1);
		if (d > -1e-9 && d < 1e-9)
			continue;
		const struct bp_ra_row *r = &m->rows[c->rows[i]];
		if (r->kind == 0) {
			const struct bp_ra_key *K = &m->keys[r->ref];
			const struct bp_ra_cell *C = &m->cells[K->first_cell];
			fprintf(stderr, "  dual %+g: %s %s %s %s,%s %s %g\n", d, bp_ra_level_name(C->level),
			    C->area, C->table, C->cat, C->bval, r->eq ? "=" : ">=", r->rhs);
		} else if (r->kind == 3) {
			const struct bp_ra_cell *C = &m->cells[r->ref];
			fprintf(stderr, "  dual %+g: heavy use at %s %s %s %s,%s "
			    "(%d terms)\n", d, bp_ra_level_name(C->level), C->area, C->table, C->cat,
			    C->bval, r->n);
		} else if (r->kind == 4) {
			const struct bp_ra_sum *S = &m->sums[r->ref];
			fprintf(stderr, "  dual %+g: sum of %s__%s at %s %s %s %s %g (%d terms)\n", d,
			    S->measure, S->bd, bp_ra_level_name(S->level), S->area, S->bval,
			    r->eq ? "=" : "<=", (double)S->value, r->n);
		} else if (r->kind == 5) {
			fprintf(stderr, "  dual %+g: the indexes' definitions at %s %s, class %d "
			    "(%d terms)\n", d, bp_ra_level_name(r->lvl), m->areas[r->lvl][r->area],
			    r->ref, r->n);
		} else {
			fam_name(m, r->ref, fn, sizeof(fn));
			fprintf(stderr, "  dual %+g: %s at %s %s (%d terms)\n", d,
			    r->kind == 1 ? "sum over a variable" : "area sum", bp_ra_level_name(r->lvl),
			    m->areas[r->lvl][r->area], r->n);
			fprintf(stderr, "    family %s\n", fn);
		}
	}
}

static void
set_obj(const struct bp_ra_model *m, glp_prob *lp, const int *local, int k, int *cols, double v)
{
	int n = bp_ra_key_cols(m, k, cols, BP_RA_NGRID);
	for (int i = 0; i < n; i++)
		glp_set_obj_coef(lp, local[cols[i]] + 1, v);
}

/* best[k] = the largest value of each wanted key of the component in any
 * solution seen (each a point of the intruder's feasible set; with mip,
 * integer points only). */
static void
pool_update(const struct bp_ra_model *m, glp_prob *lp, const int *local,
    const struct comp *c, double *best, int *cols, int mip)
{
	for (int t = 0; t < c->nk; t++) {
		int k = c->keys[t];
		int n = bp_ra_key_cols(m, k, cols, BP_RA_NGRID);
		double v = 0.0;
		for (int i = 0; i < n; i++)
			v += mip ? glp_mip_col_val(lp, local[cols[i]] + 1)
			    : glp_get_col_prim(lp, local[cols[i]] + 1);
		if (v > best[k])
			best[k] = v;
	}
}

/* Solves one component: feasibility, then [lo, hi] of each wanted key
 * (with o->screen, hi only, and a key that some solution already shows at
 * min_cell or more keeps that value as its hi: a lower bound of the max). */
static int
solve_component(struct bp_ra_model *m, const struct bp_ra_opts *o, struct comp *c,
    const int *local, double *lo, double *hi, char *done, double *best, double t_end)
{
	glp_prob *lp = component_lp(m, c->rows, c->nr, c->cols, c->nc, local);
	double z;
	/* the first solve with GLPK's presolver (it hands back an optimal
	 * basis of the whole problem for the warm starts that follow) */
	presolve = 1;
	int rc = lp_run(lp, GLP_MIN, &z);
	presolve = 0;
	if (rc == 0 && glp_get_status(lp) != GLP_OPT)
		rc = -1;
	if (rc == -1) {
		glp_adv_basis(lp, 0);
		rc = lp_run(lp, GLP_MIN, &z);
	}
	if (rc == -2) {
		const struct bp_ra_cell *C = NULL;
		int one[1];
		for (int i = 0; i < m->nkeys && !C; i++)
			if (m->keys[i].value >= 0 && bp_ra_key_cols(m, i, one, 1) > 0 &&
			    bsearch(&one[0], c->cols, c->nc, sizeof(int), cmp_int))
				C = &m->cells[m->keys[i].first_cell];
		fprintf(stderr, "release_attack: RELATION FAILS: the published cells of a component "
		    "(%d unknowns, %d relations%s%s%s%s%s%s) contradict the model\n",
		    c->nc, c->nr, C ? ", e.g. " : "", C ? bp_ra_level_name(C->level) : "",
		    C ? " " : "", C ? C->area : "", C ? " " : "", C ? C->table : "");
		m->errors++;
		glp_delete_prob(lp);
		return 0;
	}
	if (rc == -3) {
		glp_delete_prob(lp);
		return 3;
	}
	if (rc) {
		fprintf(stderr, "release_attack: GLPK failed on a component of %d unknowns\n", c->nc);
		glp_delete_prob(lp);
		return -1;
	}
	int use_mip = o->mip && c->nc <= o->mip_max_cols;
	if (use_mip)
		for (int j = 1; j <= c->nc; j++)
			glp_set_col_kind(lp, j, GLP_IV);
	int *cols = bp_ra_xrealloc(NULL, BP_RA_NGRID * sizeof(int));
	int ret = 0;
	/* screening: vertices with the wanted cells still below min_cell as
	 * large as they can be together, while that settles some of them */
	for (int round = 0; o->screen && !use_mip && round < 50; round++) {
		int open = 0, before = 0, after = 0;
		for (int t = 0; t < c->nk; t++)
			if (best[c->keys[t]] < m->min_cell - 1e-6) {
				set_obj(m, lp, local, c->keys[t], cols, 1.0);
				open++;
			}
		if (!open)
			break;
		if (o->time_limit > 0 && now() > t_end)
			break;
		before = open;
		/* the first round from scratch, with the presolver: from the
		 * minimum's basis it took 7 times as long on a component of
		 * 15 721 unknowns (release_attack_wide.sh's first case) */
		presolve = round == 0;
		int ok = lp_run(lp, GLP_MAX, &z) == 0 && isfinite(z);
		presolve = 0;
		if (ok) /* an optimal vertex: a point of the feasible set */
			pool_update(m, lp, local, c, best, cols, 0);
		for (int t = 0; t < c->nk; t++) {
			set_obj(m, lp, local, c->keys[t], cols, 0.0);
			after += best[c->keys[t]] < m->min_cell - 1e-6;
		}
		if (!ok || after * 10 > before * 9)
			break;
	}
	for (int t = 0; t < c->nk; t++) {
		if (o->time_limit > 0 && now() > t_end) {
			ret = 3;
			break;
		}
		int k = c->keys[t];
		if (o->screen && best[k] >= m->min_cell - 1e-6) {
			lo[k] = NAN;
			hi[k] = best[k];
			done[k] = 1;
			continue;
		}
		set_obj(m, lp, local, k, cols, 1.0);
		double a = 0.0, b;
		int max_only = o->max_only || o->screen;
		int lrc = lp_run(lp, GLP_MAX, &b);
		if (lrc) {
			if (lrc == -3) {
				ret = 3;
				break;
			}
			fprintf(stderr, "release_attack: GLPK failed on a hidden cell\n");
			ret = -1;
			break;
		}
		if (o->explain && isfinite(b)) {
			fprintf(stderr, "release_attack: max %g, bounded by:\n", b);
			explain(m, lp, c);
		}
		if (o->screen && isfinite(b) && !use_mip)
			pool_update(m, lp, local, c, best, cols, 0);
		if (!max_only && (lrc = lp_run(lp, GLP_MIN, &a)) != 0) {
			ret = lrc == -3 ? 3 : -1;
			if (lrc != -3)
				fprintf(stderr, "release_attack: GLPK failed on a hidden cell\n");
			break;
		}
		if (use_mip) {
			double mb, ma;
			if (isfinite(b) && mip_run(lp, GLP_MAX, &mb) == 0) {
				b = mb;
				if (o->screen)
					pool_update(m, lp, local, c, best, cols, 1);
			}
			if (!max_only && mip_run(lp, GLP_MIN, &ma) == 0)
				a = ma;
		}
		set_obj(m, lp, local, k, cols, 0.0);
		lo[k] = max_only ? NAN : a;
		hi[k] = b;
		done[k] = 1;
	}
	free(cols);
	glp_delete_prob(lp);
	return ret;
}

static void
print_results(const struct bp_ra_model *m, const double *lo, const double *hi, const char *done)
{
	printf("level,area,table,category,breakdown_value,lo,hi\n");
	for (int c = 0; c < m->ncells; c++) {
		const struct bp_ra_cell *C = &m->cells[c];
		if (C->value >= 0 || C->key < 0)
			continue;
		const struct bp_ra_key *K = &m->keys[C->key];
		if (K->value >= 0) {
			printf("%s,%s,%s,%s,%s,%ld,%ld\n", bp_ra_level_name(C->level), C->area,
			    C->table, C->cat, C->bval, K->value, K->value);
			continue;
		}
		if (!done[C->key])
			continue;
		printf("%s,%s,%s,%s,%s,", bp_ra_level_name(C->level), C->area, C->table, C->cat, C->bval);
		if (isnan(lo[C->key]))
			printf(",");
		else
			printf("%.0f,", ceil(lo[C->key] - 1e-6) + 0.0);
		if (isinf(hi[C->key]))
			printf("inf\n");
		else
			printf("%.0f\n", floor(hi[C->key] + 1e-6) + 0.0);
	}
}

int
bp_ra_solve(struct bp_ra_model *m, const struct bp_ra_opts *o)
{
	double t_end = now() + o->time_limit;
	glp_term_out(GLP_OFF);
	deadline = o->time_limit > 0 ? t_end : 0;
	int *parent = bp_ra_xrealloc(NULL, (m->ncols + 1) * sizeof(int));
	for (int c = 0; c < m->ncols; c++)
		parent[c] = c;
	for (int r = 0; r < m->nrows; r++)
		for (int t = 1; t < m->rows[r].n; t++) {
			int a = uf_find(parent, m->rows[r].idx[0]), b = uf_find(parent, m->rows[r].idx[t]);
			if (a != b)
				parent[a] = b;
		}
	char *want = bp_ra_xrealloc(NULL, m->nkeys + 1);
	memset(want, 0, m->nkeys + 1);
	if (o->cells_file || o->explain) {
		if (read_wanted(m, o->cells_file, o->explain, want))
			return 1;
	} else
		for (int k = 0; k < m->nkeys; k++)
			want[k] = 1;
	int twins = 0, hidden = 0;
	for (int k = 0; k < m->nkeys; k++) {
		if (m->keys[k].twin)
			twins++;
		if (m->keys[k].value < 0)
			hidden++;
		else
			want[k] = 0;
	}
	/* components, by root: rows, columns and wanted keys */
	int *root_comp = bp_ra_xrealloc(NULL, (m->ncols + 1) * sizeof(int));
	for (int c = 0; c < m->ncols; c++)
		root_comp[c] = -1;
	struct comp *cs = NULL;
	int ncomp = 0;
	int *local = bp_ra_xrealloc(NULL, (m->ncols + 1) * sizeof(int));
	for (int c = 0; c < m->ncols; c++) {
		int r = uf_find(parent, c);
		if (root_comp[r] < 0) {
			cs = bp_ra_xrealloc(cs, (ncomp + 1) * sizeof(*cs));
			memset(&cs[ncomp], 0, sizeof(*cs));
			root_comp[r] = ncomp++;
		}
		struct comp *C = &cs[root_comp[r]];
		C->cols = bp_ra_xrealloc(C->cols, (C->nc + 1) * sizeof(int));
		local[c] = C->nc;
		C->cols[C->nc++] = c;
	}
	for (int r = 0; r < m->nrows; r++) {
		if (m->rows[r].n == 0) {
			if ((m->rows[r].eq && fabs(m->rows[r].rhs) > 0) || m->rows[r].rhs > 0) {
				fprintf(stderr, "release_attack: RELATION FAILS: a relation of no unknown "
				    "needs %g\n", m->rows[r].rhs);
				m->errors++;
			}
			continue;
		}
		struct comp *C = &cs[root_comp[uf_find(parent, m->rows[r].idx[0])]];
		C->rows = bp_ra_xrealloc(C->rows, (C->nr + 1) * sizeof(int));
		C->rows[C->nr++] = r;
	}
	int one[1];
	for (int k = 0; k < m->nkeys; k++)
		if (want[k] && bp_ra_key_cols(m, k, one, 1) > 0) {
			struct comp *C = &cs[root_comp[uf_find(parent, one[0])]];
			C->keys = bp_ra_xrealloc(C->keys, (C->nk + 1) * sizeof(int));
			C->keys[C->nk++] = k;
		}
	int biggest = 0;
	for (int i = 0; i < ncomp; i++)
		if (cs[i].nc > biggest)
			biggest = cs[i].nc;
	fprintf(stderr, "release_attack: %d hidden quantities (%d also published elsewhere), "
	    "%d components, the largest %d unknowns\n", hidden, twins, ncomp, biggest);
	double *lo = bp_ra_xrealloc(NULL, (m->nkeys + 1) * sizeof(double));
	double *hi = bp_ra_xrealloc(NULL, (m->nkeys + 1) * sizeof(double));
	char *done = bp_ra_xrealloc(NULL, m->nkeys + 1);
	memset(done, 0, m->nkeys + 1);
	double *best = bp_ra_xrealloc(NULL, (m->nkeys + 1) * sizeof(double));
	for (int k = 0; k <= m->nkeys; k++)
		best[k] = -1.0;
	int rc = 0, ndone = 0, nwant = 0;
	for (int i = 0; i < ncomp && rc == 0; i++) {
		if (o->time_limit > 0 && now() > t_end)
			rc = 3;
		else
			rc = solve_component(m, o, &cs[i], local, lo, hi, done, best, t_end);
	}
	for (int k = 0; k < m->nkeys; k++) {
		nwant += want[k];
		ndone += done[k];
	}
	print_results(m, lo, hi, done);
	if (rc == 3)
		fprintf(stderr, "release_attack: time limit: %d of %d hidden quantities solved\n",
		    ndone, nwant);
	for (int i = 0; i < ncomp; i++) {
		free(cs[i].rows);
		free(cs[i].cols);
		free(cs[i].keys);
	}
	free(cs);
	free(local);
	free(root_comp);
	free(parent);
	free(want);
	free(lo);
	free(hi);
	free(done);
	free(best);
	return rc < 0 ? 1 : rc;
}
