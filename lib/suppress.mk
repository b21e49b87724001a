# Small-cell suppression and its LP audit.
lib_libbpagg_a_SOURCES += lib/suppress.c lib/suppress.h lib/lpaudit.c lib/lpaudit.h

# bench/suppress_bench: timing of one large linked group, and the comparison
# with the plain "two per line" heuristic on random tables.  Built with the
# rest (small), never run by make check: run ./bench/suppress_bench by hand.
noinst_PROGRAMS += bench/suppress_bench
bench_suppress_bench_SOURCES = bench/suppress_bench.c bench/suppress_gen.c \
	bench/suppress_gen.h
bench_suppress_bench_LDADD = $(BP_LINK)
