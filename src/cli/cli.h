/* The commands of `vmbench`. Each lives in src/cli/cmd_NAME.c and is listed
 * in the table of src/cli/main.c.
 *
 * Adding a new command:
 *   1. Write src/cli/cmd_NAME.c with `int cli_NAME(int argc, char **argv)`;
 *      it parses its own options (getopt_long), answers -h/--help with its
 *      usage on stdout and exit 0, and returns a VB_EXIT_* code.
 *   2. Declare it here and add a row to the table in main.c (with the old
 *      spelling as its alias when it replaces a command).
 *   3. Add tests/e2e/tNNNN-NAME-*.sh, including its -h. */
#ifndef VB_CLI_CLI_H
#define VB_CLI_CLI_H

#include <stddef.h>

#include "store/store.h"

int cli_run(int argc, char **argv);
int cli_report(int argc, char **argv);
int cli_compare(int argc, char **argv);
int cli_density(int argc, char **argv);
int cli_list(int argc, char **argv);
int cli_doctor(int argc, char **argv);
int cli_disk(int argc, char **argv);
int cli_guest(int argc, char **argv);
int cli_version(int argc, char **argv);
int cli_tune(int argc, char **argv);
int cli_import(int argc, char **argv);

/* Opens --db PATH or the default database; prints the error itself. */
int cli_open_store(const char *path, struct store **st, char *used, size_t n);
/* Renders one experiment in a report format (report/report.h) on stdout,
 * naming the database; an unknown format is -EINVAL with the valid ones. */
int cli_render(struct store *st, long long id, const char *format, const char *db_path);

#endif
