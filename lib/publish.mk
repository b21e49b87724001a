# Publishing: tables, suppression wiring, release files, the suppression log.
lib_libbpagg_a_SOURCES += lib/publish.h lib/publish.c lib/tables.c lib/cellkeys.c lib/cellkeys.h \
	lib/suplog.h lib/suplog.c
dist_man_MANS += man/bpagg-publish.1 man/bpagg-audit.1

# bench/publish_bench: build + suppress + write for synthetic tallies, the
# default shared_cells = consistent against per_table of the same run
# (by hand: ./bench/publish_bench [nkommuner [rows [min_cell [levels [mode]]]]]).
noinst_PROGRAMS += bench/publish_bench
bench_publish_bench_SOURCES = bench/publish_bench.c
bench_publish_bench_LDADD = $(BP_LINK)
bench: bench-publish
bench-publish: bench/publish_bench
	BPAGG_REGISTRY=$(abs_top_srcdir)/conf/kommuner.csv ./bench/publish_bench 300 30000 5 7 both
.PHONY: bench-publish
