# report/ - stage 7, the yearly report from published releases: reads only
# the release files (relfile), lays out the seeds' tables (grid, views,
# trend), draws charts with gnuplot (chart), prints PDF with Chromium (pdf).
# Uses export/ (the CSV tokenizer, the registry) and jansson.
noinst_LIBRARIES += report/libbpreport.a
report_libbpreport_a_SOURCES = report/report.h report/report.c report/relfile.h \
	report/relfile.c report/html.h report/html.c report/chart.h report/chart.c \
	report/grid.h report/grid.c report/views.h report/views.c report/trend.c \
	report/labels.h report/labels.c report/pdf.h report/pdf.c
report_libbpreport_a_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
dist_man_MANS += man/bpagg-report.1
