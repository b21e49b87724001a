# publish/ - stage 6, releases: the tables of a release, small-cell
# suppression and its LP audit, the signed suppression log, release files.
# Uses every earlier stage but ingest/.
noinst_LIBRARIES += publish/libbppublish.a
publish_libbppublish_a_SOURCES = publish/publish.h publish/publish.c publish/audit.c publish/run.h publish/run.c \
	publish/profile.c publish/profile.h publish/tables_private.h publish/tables.c \
	publish/keymap.h publish/keymap.c publish/previous.c publish/relations.c \
	publish/solve.c publish/write.c \
	publish/sup_problem.c publish/suppress.c publish/suppress.h publish/sup_heur.h publish/sup_repair.c publish/sup_cleanup.c publish/sup_exchange.c publish/sup_zeros.c publish/lpaudit.c publish/lpaudit.h publish/lpaudit_comp.h publish/lpaudit_cleanup.c publish/lpblock.c \
	publish/suplog.h publish/suplog.c publish/release_dir.h publish/release_dir.c \
	publish/recover.h publish/recover.c \
	publish/lpaudit_local.c publish/model.h publish/model.c publish/release.c \
	publish/release_private.h publish/release_links.c publish/release_sums.c \
	publish/release_heavy.c publish/release_sumties.c publish/release_republish.c \
	publish/release_weights.c publish/release_agelines.c \
	publish/release_joint.c publish/release_joint_heavy.c publish/release_joint.h \
	publish/release_joint_protect.c publish/release_joint_ages.c \
	publish/release_joint_zeros.c publish/release_joint_index.c \
	publish/release_joint_memo.c \
	publish/release_whole.c publish/release_joint_since.c publish/release_areas.c
dist_man_MANS += man/bpagg-publish.1 man/bpagg-audit.1

# bench/publish_bench: build + suppress + write (publish) and build +
# suppress again (audit) for synthetic tallies, [publish] method = release
# against per_group of the same run, the rapport profile (BENCH_PROFILE)
# (by hand: ./bench/publish_bench [nkommuner [rows [min_cell [levels [mode]]]]]).
noinst_PROGRAMS += bench/publish_bench
bench_publish_bench_SOURCES = bench/publish_bench.c
bench_publish_bench_LDADD = $(BP_LINK)
bench: bench-publish
bench-publish: bench/publish_bench
	BPAGG_REGISTRY=$(abs_top_srcdir)/conf/kommuner.csv ./bench/publish_bench 357 32000 5 7 both
.PHONY: bench-publish

# bench/suppress_bench: timing of one large linked group, and the comparison
# with the plain "two per line" heuristic on random tables.  Built with the
# rest (small), never run by make check: run ./bench/suppress_bench by hand.
noinst_PROGRAMS += bench/suppress_bench
bench_suppress_bench_SOURCES = bench/suppress_bench.c bench/suppress_gen.c \
	bench/suppress_gen.h
bench_suppress_bench_LDADD = $(BP_LINK)
