# measures/ - stage 2, what a row counts as: derived measures, the table
# catalogue and the tally; the atoms of the person classification; which
# table cells are the same quantity. Uses export/.
noinst_LIBRARIES += measures/libbpmeasures.a
measures_libbpmeasures_a_SOURCES = \
	measures/measures.c measures/measures.h measures/derived.c \
	measures/qatoms.c measures/qatoms.h \
	measures/cellkeys.c measures/cellkeys.h
dist_man_MANS += man/bpagg-measures.7
