# bench/: benchmarks printing ratios against a baseline of the same run.
# `make bench` runs them (never part of make check); areas add their own
# bench-<name> targets as prerequisites of bench.

# bench/ingest.sh: bpaggd end to end against bench/ingest_decrypt (only
# opening the same sealed files), 100 x 10 000 rows by default.
noinst_PROGRAMS += bench/ingest_decrypt
bench_ingest_decrypt_SOURCES = bench/ingest_decrypt.c
bench_ingest_decrypt_LDADD = $(BP_LINK)
EXTRA_DIST += bench/ingest.sh

bench: bench-ingest
bench-ingest: bpagg bpaggd bench/ingest_decrypt
	$(SHELL) $(srcdir)/bench/ingest.sh $(abs_top_builddir)
.PHONY: bench bench-ingest

# bench/ingest_pg.sh: bpaggd with the store on a throw-away PostgreSQL
# against the same on SQLite, 50 x 10 000 rows by default.
EXTRA_DIST += bench/ingest_pg.sh
bench: bench-ingest-pg
bench-ingest-pg: bpagg bpaggd
	$(SHELL) $(srcdir)/bench/ingest_pg.sh $(abs_top_builddir)
.PHONY: bench-ingest-pg

# bench/publish_attack.sh: issue 14 on the real programs: the 357-kommune
# sample year, profiles rapport and full, method per_group (the baseline)
# and release: publish and audit wall time, peak RSS, hidden share per
# level, ratios; and the primaries the whole-release attacker bounds below
# min_cell (PUBLISH_BENCH_LIMIT, ATTACK_BENCH_LIMIT: seconds; see the
# script for the other settings).
EXTRA_DIST += bench/publish_attack.sh
bench: bench-attack
bench-attack: bpagg bpaggd tests/helpers/release_attack
	$(SHELL) $(srcdir)/bench/publish_attack.sh $(abs_top_builddir)
.PHONY: bench-attack

# bench/attack_sweep.sh: the whole-release attacker against 26 small
# releases of method = release (two to six kommuner, min_cell 3, 5, 10,
# rapport and a mixed profile): how many leave primary cells bounded.
# About 11 minutes; not part of make bench (make attack-sweep).
EXTRA_DIST += bench/attack_sweep.sh bench/sweep_lib.sh
attack-sweep: bpagg bpaggd tests/helpers/release_attack
	$(SHELL) $(srcdir)/bench/attack_sweep.sh $(abs_top_builddir)
.PHONY: attack-sweep

# bench/attack_sweep_mid.sh: the same attacker against 25 releases of 17 to
# 60 kommuner (whole fylker, or spread over the country), which the
# publisher checks by fylke rather than whole: how many leave primary
# cells bounded, pinned or wrong. Some two hours on two cores; not part of
# make bench (make attack-sweep-mid).
EXTRA_DIST += bench/attack_sweep_mid.sh
attack-sweep-mid: bpagg bpaggd tests/helpers/release_attack
	$(SHELL) $(srcdir)/bench/attack_sweep_mid.sh $(abs_top_builddir)
.PHONY: attack-sweep-mid

# bench/republish_sweep.sh: the two-release attacker against 20 small
# republished years (release A, a kommune added and one resubmitted,
# release B in the same installation): how many leave primary cells of A
# or B bounded. About 15 minutes; not part of make bench (make
# republish-sweep).
EXTRA_DIST += bench/republish_sweep.sh
republish-sweep: bpagg bpaggd tests/helpers/release_attack
	$(SHELL) $(srcdir)/bench/republish_sweep.sh $(abs_top_builddir)
.PHONY: republish-sweep

# bench/republish_sweep_mid.sh: the same against 12 republished years of
# 18 to 31 kommuner of two or three fylker, which the publisher checks by
# fylke; also counts a hidden cell of an unchanged kommune that the later
# release prints. Some 20 to 40 minutes; not part of make bench (make
# republish-sweep-mid).
EXTRA_DIST += bench/republish_sweep_mid.sh
republish-sweep-mid: bpagg bpaggd tests/helpers/release_attack
	$(SHELL) $(srcdir)/bench/republish_sweep_mid.sh $(abs_top_builddir)
.PHONY: republish-sweep-mid
