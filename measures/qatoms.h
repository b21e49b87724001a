/*
 * qatoms.h - "atoms" of the person classification: the breakdown values and
 * the categories of the indicators that the same few row fields decide, as
 * sets of persons, so that set equality and set relations between table
 * cells can be computed exactly instead of being declared by hand.
 *
 * The grid. An atom is one representative row for one class of rows that
 * agree on every field a breakdown depends on (measures/measures.c,
 * classify_breakdowns and the functions it calls):
 *   - user group: (rusproblem, psykisk_problem) in {JN, JJ, NJ} (the format
 *     says at least one is J);
 *   - rusmiddelbruk and psykisk_helse: gronn, gul, rod each;
 *   - the sum of the other six area scores, 0..12 (all the levekårsindeks
 *     needs of them);
 *   - age: one class per distinct pair (bp_alder7, bp_alder4) over the
 *     valid ages 16..110 (computed from those functions, so eight classes
 *     today: u24 24_29 30_39 40_44 45_49 50_59 60_69 70p);
 *   - kjonn M, K; the lar flag J, N, empty;
 *   - heavy use (bp_heavy_count > 0) yes or no for rusproblem J rows; rows
 *     with rusproblem N have no substances and only "no".
 * Assumption: rows are valid exports (export-format.md); a row outside the
 * grid (both problems N, an area or age out of range) has no atom.
 * kommunestorrelse is a property of the kommune, not of the row, and has no
 * sets here.
 *
 * Every atom's sets come from bp_classify on real struct bp_row values, for
 * the settings given (rop_definition, levekårsindeks cut points); nothing
 * of the rules is repeated here.
 *
 * Determined indicators. An indicator has category sets only when its
 * category is a function of the grid's fields alone. Reading measures.c,
 * these are: rusmiddelbruk, psykisk_helse (the area scores themselves),
 * levekarsindeks8 (mean of all eight scores), levekarsindeks6 (mean of the
 * six), rop_skala, rop, brukergruppe, rusgruppe, kjonn, alder7, alder4,
 * storforbruker (any heavy substance) and lar (the flag). Everything else
 * (the other six areas one by one, the detail columns, utdanning, vold,
 * fengsel, fodt_i_norge, every substance and <substance>_tung, every flag
 * but lar, every service) is not. As a check against that list going stale,
 * bp_qatoms_build classifies each atom a second and third time with other
 * rows of its class (the six-area sum spread differently, the other end of
 * its age class, other substance amounts with the same heavy yes/no, the
 * optional columns empty, low or high); an indicator or breakdown on which
 * these disagree for any atom gets no sets (NULL).
 *
 * Universes. The set an indicator counts (category >= 0) is returned for
 * every indicator on which those rows agree: for valid rows whether an
 * indicator counts a row depends at most on rusproblem (substances,
 * <substance>_tung and rusgruppe count rusproblem J rows only, which the
 * format makes carry substances; every other indicator counts every row).
 *
 * A set is an array of bp_qatoms_words(q) uint64_t words; atom a is bit
 * a % 64 of word a / 64; bits at and past bp_qatoms_count(q) are zero.
 */
#ifndef BP_QATOMS_H
#define BP_QATOMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bp_measure_settings;
struct bp_row;
struct bp_qatoms;   /* opaque */

/* Builds the atoms for settings s. 0, or -1 (ENOMEM). *out is the caller's,
 * freed with bp_qatoms_free. */
int bp_qatoms_build(const struct bp_measure_settings *s, struct bp_qatoms **out);
void bp_qatoms_free(struct bp_qatoms *q);
size_t bp_qatoms_count(const struct bp_qatoms *q);   /* number of atoms */
size_t bp_qatoms_words(const struct bp_qatoms *q);   /* uint64_t words per set */

/* The set of atoms with breakdown b = value v; v == nval(b) is the set the
 * breakdown does not count (value -1). NULL for kommunestorrelse or b/v out
 * of range. Owned by q. */
const uint64_t *bp_qatoms_breakdown(const struct bp_qatoms *q, size_t b, size_t v);
/* The set of atoms indicator i counts (category >= 0). NULL when that is not
 * determined by the grid's fields. Owned by q. */
const uint64_t *bp_qatoms_universe(const struct bp_qatoms *q, size_t i);
/* The set of atoms with indicator i = category c; NULL when indicator i is
 * not determined by the grid's fields (see above) or c is out of range.
 * Owned by q. */
const uint64_t *bp_qatoms_category(const struct bp_qatoms *q, size_t i, size_t c);

/* The sum of atom a's six other area scores (0..12), the one field of the
 * grid no indicator's sets give exactly (the levekårsindeks cuts it in
 * ranges); -1 when a is not an atom. */
int bp_qatoms_six_sum(const struct bp_qatoms *q, size_t a);

/* The atom that row r belongs to, or -1 when r is outside the grid. */
long bp_qatoms_of_row(const struct bp_qatoms *q, const struct bp_row *r);

/* Whether atom a is in set. */
static inline bool
bp_qatoms_has(const uint64_t *set, size_t a)
{
	return (set[a / 64] >> (a % 64)) & 1;
}

#endif
