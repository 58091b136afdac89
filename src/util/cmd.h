/* One command builder for every external program vmbench runs (the agent,
 * qemu-system, qemu-img, lvm, mkfs...): argv arrays, never a shell.
 *
 *   struct cmd *c = cmd_new("qemu-img");
 *   cmd_args(c, "create", "-f", "qcow2", NULL);
 *   cmd_argf(c, "cluster_size=%u", cs);
 *   int r = cmd_run(c, &out);     // or cmd_spawn() for a long-lived child
 *   cmd_free(c);
 *
 * Errors while building (out of memory) are deferred to run/spawn, so a
 * builder needs no checks per argument. In dry-run mode nothing is executed:
 * cmd_run() prints the rendered command line to the dry-run stream and
 * succeeds, which is what golden tests and `vmbench run --dry-run` use. */
#ifndef VB_UTIL_CMD_H
#define VB_UTIL_CMD_H

#include <stdio.h>
#include <sys/types.h>

struct cmd;

struct cmd *cmd_new(const char *prog);
void cmd_free(struct cmd *c);
void cmd_arg(struct cmd *c, const char *arg);
void cmd_argf(struct cmd *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* NULL-terminated list. */
void cmd_args(struct cmd *c, ...) __attribute__((sentinel));
int cmd_argc(const struct cmd *c);
const char *const *cmd_argv(const struct cmd *c);
/* The command line as a shell would need it quoted, for logs, provenance and
 * golden files. malloc'd. */
char *cmd_render(const struct cmd *c);

/* Runs to completion. Standard output and error are captured together into
 * *out (malloc'd, may be NULL to discard). A non-zero exit is an error whose
 * message names the program and quotes the end of its output. */
int cmd_run(struct cmd *c, char **out);

struct cmd_proc {
	pid_t pid;
	int in_fd;  /* write end of the child's stdin, or -1 */
	int out_fd; /* read end of the child's stdout, or -1 */
};

enum {
	CMD_PIPE_STDIN = 1 << 0,
	CMD_PIPE_STDOUT = 1 << 1,
	CMD_NEW_PGRP = 1 << 2,   /* own process group: a terminal's ^C does not reach it */
	CMD_DIE_WITH_US = 1 << 3 /* PR_SET_PDEATHSIG(SIGKILL): dies if vmbench dies */
};
/* Starts the program; stderr goes to stderr_fd (or is inherited when -1). */
int cmd_spawn(struct cmd *c, unsigned flags, int stderr_fd, struct cmd_proc *p);
/* SIGKILLs a spawned child (and its group if it has one) and reaps it. */
void cmd_proc_kill(struct cmd_proc *p);
/* Waits up to timeout_ms for it to exit by itself; 0 if it did, -ETIMEDOUT. */
int cmd_proc_wait(struct cmd_proc *p, int timeout_ms, int *status);

/* Dry run: when f is non-NULL, cmd_run prints instead of executing. */
void cmd_set_dry_run(FILE *f);
int cmd_dry_run(void);
/* In dry-run mode, prints one line to the dry-run stream: what vmbench does
 * itself instead of running a program (a mount, a cgroup write), shown as
 * its equivalent command. Does nothing otherwise. */
void cmd_dry_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
