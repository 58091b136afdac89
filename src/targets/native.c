/* target=native: the agent runs as a child process on this host. The
 * baseline against which containers and VMs are compared. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "targets/target.h"
#include "util/err.h"

struct native_opts {
	char workdir[PATH_MAX];
};

static const struct opt_def native_options[] = {
	OPT_STR("workdir", struct native_opts, workdir, "/var/tmp/vmbench",
		"directory where relative workload file names are created"),
	OPT_END,
};

static int native_setup(struct target_inst *t)
{
	const struct native_opts *o = t->opts;
	if (mkdir(o->workdir, 0755) < 0 && errno != EEXIST)
		return vb_err(-errno, "cannot create workdir '%s': %s", o->workdir,
			      strerror(errno));
	return 0;
}

static struct cmd *native_command(struct target_inst *t)
{
	const struct native_opts *o = t->opts;
	char agent[PATH_MAX];
	if (target_agent_path(agent, sizeof(agent)) < 0)
		return NULL;
	struct cmd *c = cmd_new(agent);
	cmd_args(c, "--workdir", o->workdir, NULL);
	return c;
}

static int native_dry_run(struct target_inst *t, FILE *out)
{
	struct cmd *c = native_command(t);
	char *s = c ? cmd_render(c) : NULL;
	fprintf(out, "%s\n", s ? s : "(the agent binary was not found)");
	free(s);
	cmd_free(c);
	return c ? 0 : -ENOENT;
}

static int native_exec(struct target_inst *t, int *rfd, int *wfd)
{
	int r;
	struct cmd *c = native_command(t);
	if (!c)
		return -ENOENT;
	free(t->provenance);
	t->provenance = cmd_render(c);
	/* The agent dies with vmbench (PDEATHSIG) and is not in the terminal's
	 * process group, so ^C reaches vmbench alone, which then stops it. */
	r = cmd_spawn(c, CMD_PIPE_STDIN | CMD_PIPE_STDOUT | CMD_NEW_PGRP | CMD_DIE_WITH_US, -1,
		      &t->agent);
	cmd_free(c);
	if (r < 0)
		return r;
	*rfd = t->agent.out_fd;
	*wfd = t->agent.in_fd;
	return 0;
}

static void native_teardown(struct target_inst *t)
{
	if (t->agent.pid > 0) {
		/* closing its stdin is the polite goodbye; SIGTERM cancels a workload
		 * in progress (the agent checks its cancel flag), so a stop is quick */
		if (t->agent.in_fd >= 0) {
			close(t->agent.in_fd);
			t->agent.in_fd = -1;
		}
		kill(t->agent.pid, SIGTERM);
		cmd_proc_wait(&t->agent, 2000, NULL);
	}
	cmd_proc_kill(&t->agent);
}

static int native_telemetry_pids(struct target_inst *t, pid_t *pids, int max)
{
	if (max < 1 || t->agent.pid <= 0)
		return 0;
	pids[0] = t->agent.pid;
	return 1;
}

const struct target_ops native_target = {
	.name = "native",
	.summary = "the agent as a child process on this host",
	.options = native_options,
	.opts_size = sizeof(struct native_opts),
	.setup = native_setup,
	.exec = native_exec,
	.teardown = native_teardown,
	.telemetry_pids = native_telemetry_pids,
	.dry_run = native_dry_run,
};
