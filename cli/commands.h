/*
 * commands.h - the subcommands of bpagg(1). Each lives in its own file
 * cli/cmd_<name>.c and returns a sysexits.h code.
 */
#ifndef BP_COMMANDS_H
#define BP_COMMANDS_H

int bp_cmd_init(int argc, char **argv);
int bp_cmd_keygen(int argc, char **argv);
int bp_cmd_register(int argc, char **argv);
int bp_cmd_check(int argc, char **argv);
int bp_cmd_sample(int argc, char **argv);
int bp_cmd_seal(int argc, char **argv);
int bp_cmd_status(int argc, char **argv);
int bp_cmd_publish(int argc, char **argv);
int bp_cmd_audit(int argc, char **argv);
int bp_cmd_rebuild(int argc, char **argv);
int bp_cmd_report(int argc, char **argv);
int bp_cmd_store(int argc, char **argv);
int bp_cmd_reset_sequence(int argc, char **argv);
int bp_cmd_receipt(int argc, char **argv);

#endif
