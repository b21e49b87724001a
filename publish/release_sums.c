/*
 * release_sums.c - release model 15: what a sum measure's count of persons
 * tells of the persons it counts among (bpagg-publish(1), "The release
 * model").
 *
 * sums.csv prints, per area and breakdown value, how many persons have the
 * measure recorded.  For most measures that is a set the atoms decide (alder
 * and the service counts: every person; antall_rusmidler: the persons
 * rusgruppe counts), and the count is the same model cell as that set's
 * persons.  antall_barn is recorded only where the export has it, so its
 * count is its own cell; but it is never more than the persons of its area
 * and value, and an intruder knows that.  A release of three kommuner
 * printed 1103's antall_barn count of 30 while hiding 1103's total: its
 * total was at least 30, the fylke's 66 less 1101's 30 left at most 6 for
 * the hidden total of 1111, and each of 1111's three hidden bolig cells (at
 * least 1 each) was at most 4.  Model 15 states it: persons = count + the
 * persons without the measure, an unknown >= 0.
 */
#include <errno.h>

#include "cellkeys.h"
#include "release_private.h"

/* The model cell of the persons of area i with value v of breakdown b (the
 * set pos, that of a sum measure that counts every person): a printed row
 * of any group whose set at (b, v) is pos, or SIZE_MAX when the area
 * prints none. */
static size_t
persons_cell(const struct bp_tables *T, const struct rel *R, size_t i, size_t b, size_t v,
    uint32_t pos)
{
	for (size_t g = 0; g < T->ngroup; g++) {
		size_t r = group_nrow(T, g) - 1; /* i_alt, or a sum measure's count */
		if (bp_cellkeys_pos(T->ck, g, b, v, r) != pos)
			continue;
		size_t row = bp__rel_row_of(T, i, g, b, v, r);
		if (row != SIZE_MAX && R->rowcell[row] != SIZE_MAX)
			return R->rowcell[row];
	}
	return SIZE_MAX;
}

int
bp__rel_sum_counts(const struct bp_tables *T, struct rel *R)
{
	int every = bp_sum_measure_find("alder");
	struct bp_sup_problem *M = bp_model_problem(R->m);

	if (every < 0)
		return 0;
	for (size_t s = 0; s < bp_n_sum_measures(); s++) {
		size_t g = T->nind + s;
		for (size_t b = 0; b < bp_n_breakdowns(); b++)
			for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++) {
				uint32_t all = bp_cellkeys_pos(T->ck, T->nind + (size_t)every, b, v, 0);
				/* a count the atoms decide is that set's cell already */
				if (!all || bp_cellkeys_pos(T->ck, g, b, v, 0) != 0)
					continue;
				for (size_t i = 0; i < T->na; i++) {
					size_t row = bp__rel_row_of(T, i, g, b, v, 0), c, p;
					if (row == SIZE_MAX || (c = R->rowcell[row]) == SIZE_MAX ||
					    (p = persons_cell(T, R, i, b, v, all)) == SIZE_MAX || p == c)
						continue;
					uint32_t np = bp_sup_value_of(M, p), nc = bp_sup_value_of(M, c);
					if (nc > np) {
						errno = EINVAL; /* more recorded than persons */
						return -1;
					}
					long rest = bp__rel_add_unknown(R, np - nc);
					if (rest < 0)
						return -1;
					size_t mem[2] = { c, (size_t)rest };
					if (bp_sup_add_constraint(M, BP_CONS_TABLE, p, mem, 2) < 0)
						return -1;
				}
			}
	}
	return 0;
}

size_t
bp__rel_everyone(const struct bp_tables *T, uint64_t *set)
{
	int tot = bp_breakdown_find("total");
	size_t words = bp_cellkeys_words(T->ck), every = SIZE_MAX, most = 0;

	for (size_t g = 0; tot >= 0 && g < T->nind; g++) {
		if (bp_cellkeys_cell_atoms(T->ck, g, bp_indicator_at(g)->ncat, (size_t)tot, 0,
		    set) != 0)
			continue;
		size_t n = 0;
		for (size_t w = 0; w < words; w++)
			n += (size_t)__builtin_popcountll(set[w]);
		if (n > most) {
			most = n;
			every = g;
		}
	}
	return every;
}

/*
 * Model 20: the sum of ages of every alder row whose count is a model
 * cell becomes a model cell of its own, in no line: the repair never
 * needs it, but the checks of each area and of the whole release
 * (release_joint_ages.c) tie it to the persons' age classes and may hide
 * it (T->sumhide, a ":" in sums.csv beside a printed count).  A primary
 * count hides its sum with its row (take() in release.c).
 */
int
bp__rel_age_sums(const struct bp_tables *T, struct rel *R)
{
	int s = bp_sum_measure_find("alder");
	struct bp_sup_problem *M = bp_model_problem(R->m);

	if (s < 0)
		return 0;
	size_t g = T->nind + (size_t)s;
	for (size_t i = 0; i < T->na; i++) {
		const struct area *a = &T->a[i];
		if (!a->rows)
			continue;
		for (size_t b = 0; b < bp_n_breakdowns(); b++)
			for (size_t v = 0; v < bp_breakdown_at(b)->nval; v++) {
				size_t row = bp__rel_row_of(T, i, g, b, v, 0), cnt;
				if (row == SIZE_MAX || (cnt = R->rowcell[row]) == SIZE_MAX ||
				    R->sumcell[row] != SIZE_MAX)
					continue;
				uint64_t sum = a->t->sum[bp_sum_cell((size_t)s, b, v)];
				if (sum > UINT32_MAX) {
					errno = EINVAL;
					return -1;
				}
				long c = bp_sup_add_cell(M, (uint32_t)sum, 0);
				if (c < 0)
					return -1;
				R->sumcell[row] = (size_t)c;
				if (bp_sup_state_of(M, cnt) == BP_SUP_PRIMARY)
					bp_sup_set_state(M, (size_t)c, BP_SUP_SECONDARY);
			}
	}
	return 0;
}
