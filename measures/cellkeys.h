/*
 * cellkeys.h - which cells of the published tables are the same quantity,
 * and which breakdowns are tied by definition; what suppression needs to
 * treat the tables of a release as one body of figures (publish/tables.c).
 *
 * A table cell counts the persons of an area in a set: its breakdown value
 * intersected with its category (or, for i_alt and sum-measure counts, the
 * persons the group counts).  Where those sets are determined by the few
 * row fields of measures/qatoms.h, the set is known exactly, and two cells of
 * the same area with the same set are the same number wherever they are
 * printed: bolig__kjonn's i_alt for K is kjonn__total's K, every
 * indicator's i_alt by rop is rop's own total row, rop_skala__rop(rod_rod,
 * ja) is rop_skala__total(rod_rod).  Such a cell gets a position id; equal
 * ids at the same area mean the same quantity.
 *
 * Relations: within one group (one indicator, or one sum measure), some
 * breakdowns are unions of others' values (rop ja = rop_skala gul_rod +
 * rod_gul + rod_rod; alder4 60p = alder7 60_69 + 70p; rusgruppe's "not
 * counted" = brukergruppe psyk).  For a pair of breakdowns, the connected
 * components of "these two values share a person" give exactly the
 * equalities that hold by definition; each component other than the whole
 * group is one relation.
 *
 * kommunestorrelse is a property of the kommune: its value is part of the
 * position id (the caller maps a kommune's own class to its total).
 */
#ifndef BP_CELLKEYS_H
#define BP_CELLKEYS_H

#include <stddef.h>
#include <stdint.h>

struct bp_measure_settings;
struct bp_cellkeys;   /* opaque */

/* One relation: the persons with b1 in set1 are exactly those with b2 in
 * set2.  Bit v of a set is value v; bit nval(b) is the persons b does not
 * count (the "rest" of a breakdown that leaves some out). */
struct bp_bd_relation {
	uint16_t b1, b2;
	uint64_t set1, set2;
};

/* Builds the keys of every position of the catalogue for settings s.  0,
 * or -1 (ENOMEM).  *out is the caller's, freed with bp_cellkeys_free. */
int bp_cellkeys_build(const struct bp_measure_settings *s, struct bp_cellkeys **out);
void bp_cellkeys_free(struct bp_cellkeys *k);

/* Position id of row r (category; ncat = i_alt; 0 for a sum measure) of
 * value v of breakdown b in group g (indicators first, then sum measures):
 * > 0 when the set is determined (equal ids = equal sets), 0 when it is not
 * (a category of an indicator the atoms do not decide) or is always empty. */
uint32_t bp_cellkeys_pos(const struct bp_cellkeys *k, size_t g, size_t b, size_t v,
    size_t r);

/* The relations of group g; *out is owned by k.  Returns how many. */
size_t bp_cellkeys_relations(const struct bp_cellkeys *k, size_t g,
    const struct bp_bd_relation **out);

/*
 * Relations between two indicators: among the persons of breakdown b's
 * value v, those in g1's categories set1 are exactly those in g2's
 * categories set2 (bit c: category c; bit ncat of g1: the persons g2
 * counts and g1 does not).  rop ja = rop_skala gul_rod + rod_gul + rod_rod
 * and alder4 60p = alder7 60_69 + 70p are such relations, between tables
 * of two groups.  So are containments: the persons of rop_skala gul_rod
 * and rod_rod are all in rusgruppe's alvorlig_psyk.
 */
struct bp_cat_relation {
	uint64_t set1, set2;
	/* 0: the two sets of persons are equal; 1: set1's include set2's
	 * (sum(set1) = sum(set2) + the rest, >= 0); 2: set2's include set1's. */
	unsigned char contains;
};

/* The relations of g1 and g2 at (b, v) into out (up to cap of them):
 * their number (>= 0; more than cap: call again with room; never more than
 * 2 * (ncat(g1) + 1 + ncat(g2))), -1 when there are none to be had (an
 * indicator whose categories the atoms do not decide, or g1 counts persons
 * g2 does not), or -2 (errno ENOMEM). */
long bp_cellkeys_cross(const struct bp_cellkeys *k, size_t g1, size_t g2, size_t b,
    size_t v, struct bp_cat_relation *out, size_t cap);
/* The same in an area where the atoms of dead (bp_cellkeys_words words;
 * NULL none) count nobody: the relations of the atoms left, which may be
 * more (publish/release.c: a printed zero says who is not there). */
long bp_cellkeys_cross_live(const struct bp_cellkeys *k, size_t g1, size_t g2, size_t b,
    size_t v, const uint64_t *dead, struct bp_cat_relation *out, size_t cap);
/* Words of an atom set. */
size_t bp_cellkeys_words(const struct bp_cellkeys *k);
/* The atoms of category c of indicator g (c == ncat: its i_alt) within
 * breakdown b's value v into out (bp_cellkeys_words words): 0, or -1 when
 * the atoms do not decide the category.  A kommunestorrelse value is the
 * kommune's, not the person's: every atom of the category (so a zero by
 * kommunestorrelse rules out no atom; publish/release.c, dead_atoms). */
int bp_cellkeys_cell_atoms(const struct bp_cellkeys *k, size_t g, size_t c, size_t b, size_t v,
    uint64_t *out);
/* The sum of atom a's six other area scores (bolig, okonomi, aktivitet,
 * fysisk_helse, sosial_fungering, nettverk; gronn 0, gul 1, rod 2), 0..12,
 * or -1 when a is not an atom (measures/qatoms.h). */
int bp_cellkeys_six_sum(const struct bp_cellkeys *k, size_t a);

#endif
