# export/ - stage 1, what kommuner send: the CSV tokenizer, the export reader
# and validator, person_id checks, code lists, the kommune registry, the
# diagnostics they report with, and the generator of synthetic exports.
# Uses nothing of ours.
noinst_LIBRARIES += export/libbpexport.a
export_libbpexport_a_SOURCES = \
	export/diag.c export/diag.h export/codes.c export/codes.h \
	export/csv.c export/csv.h export/export.c export/export.h export/export_private.h \
	export/fields.c export/person_id.c \
	export/registry.c export/registry.h export/sample.c export/sample.h \
	export/progress.h export/pidset.c export/pidset.h
dist_man_MANS += man/bpagg-export.5 man/bpagg-sample.1
