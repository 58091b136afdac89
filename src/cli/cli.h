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
int cli_help(int argc, char **argv);
int cli_complete(int argc, char **argv);

/* The command table of main.c, for help, man pages and completion. */
struct cli_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
	const char *alias; /* an older spelling that still works, or NULL */
};
const struct cli_command *cli_commands(size_t *n);
/* What `vmbench NAME -h` prints (malloc'd), for man pages and completion. */
char *cli_usage_text(const struct cli_command *c);

/* Opens --db PATH or the default database; prints the error itself. */
int cli_open_store(const char *path, struct store **st, char *used, size_t n);
/* Renders one experiment in a report format (report/report.h) on stdout,
 * naming the database; an unknown format is -EINVAL with the valid ones. */
int cli_render(struct store *st, long long id, const char *format, const char *db_path);

#endif
