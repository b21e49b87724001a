# bpagg(1): the dispatcher and one file per subcommand.
bin_PROGRAMS += bpagg
bpagg_SOURCES = cli/bpagg.c cli/commands.h cli/cli_util.c cli/cli_util.h \
	cli/cli_progress.c cli/cli_progress.h \
	cli/cmd_init.c cli/cmd_keygen.c cli/cmd_register.c cli/cmd_check.c \
	cli/cmd_sample.c cli/cmd_seal.c cli/cmd_status.c cli/cmd_publish.c \
	cli/cmd_audit.c cli/cmd_rebuild.c cli/cmd_report.c \
	cli/cmd_store.c cli/cmd_reset_sequence.c cli/cmd_receipt.c
bpagg_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/cli
bpagg_LDADD = $(BP_LINK)
