/* target=ssh: the agent on another machine, natively, over OpenSSH's stdio
 * (src/remote/ssh.c builds every ssh and scp line). setup() copies this
 * vmbench's static agent into a directory of its own on the host (written
 * in the journal, kind "remote", before it is made), exec() runs it there
 * with `ssh -T HOST DIR/vmbench-agent --workdir W` and hands back ssh's
 * pipes: the same protocol as every other target, so one plan compares
 * machines. teardown() ends ssh (the agent sees the end of its stdin and
 * exits) and removes the directory. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/metric.h"
#include "remote/ssh.h"
#include "targets/target.h"
#include "telemetry/telemetry.h"
#include "util/err.h"

struct ssh_opts {
	char host[320];
	char identity[PATH_MAX];
	int verify;
	char workdir[PATH_MAX];
	char remote_dir[PATH_MAX];
};

static const struct opt_def ssh_options[] = {
    OPT_STR("host", struct ssh_opts, host, NULL,
	    "the machine: USER@HOST or USER@HOST:PORT (ssh without a password: BatchMode)"),
    OPT_STR("identity", struct ssh_opts, identity, NULL,
	    "private key file for ssh -i (default: ssh's own keys)"),
    OPT_BOOL("verify-host-key", struct ssh_opts, verify, "on",
	     "off: accept an unknown host key (StrictHostKeyChecking=no), for test hosts"),
    OPT_STR("workdir", struct ssh_opts, workdir, "/var/tmp/vmbench",
	    "directory on the host where relative workload file names are created"),
    OPT_STR("remote-dir", struct ssh_opts, remote_dir, "/var/tmp/vmbench-remote",
	    "where the agent is copied on the host (a directory per run, removed after)"),
    OPT_END,
};

struct ssh_priv {
	struct vb_ssh ssh;
	char dir[PATH_MAX];
	char agent[PATH_MAX];
	char journal[JOURNAL_ID_MAX];
	int made;
	uint64_t cpu[8]; /* the host's /proc/stat cpu line before the run */
	int have_cpu;
};

static const char *ssh_probe(void)
{
	static char why[128];
	if (access("/usr/bin/ssh", X_OK) == 0 || access("/bin/ssh", X_OK) == 0)
		return NULL;
	snprintf(why, sizeof(why), "ssh is not installed (apt-get install openssh-client)");
	return why;
}

static int ssh_dest(const struct ssh_opts *o, struct vb_ssh *s)
{
	memset(s, 0, sizeof(*s));
	if (!o->host[0])
		return vb_err(-EINVAL, "target=ssh needs host=USER@HOST");
	int r = vb_ssh_parse(o->host, s);
	if (r < 0)
		return r;
	snprintf(s->keyfile, sizeof(s->keyfile), "%s", o->identity);
	s->no_verify = !o->verify;
	return 0;
}

static void ssh_teardown(struct target_inst *t);

static int ssh_setup(struct target_inst *t)
{
	const struct ssh_opts *o = t->opts;
	if (t->priv)
		return 0;
	struct ssh_priv *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	t->priv = p;
	int r = ssh_dest(o, &p->ssh);
	if (r < 0)
		goto fail;
	if ((size_t)snprintf(p->dir, sizeof(p->dir), "%s/agent-%s-%d", o->remote_dir, t->name,
			     (int)getpid()) >= sizeof(p->dir) ||
	    (size_t)snprintf(p->agent, sizeof(p->agent), "%s/vmbench-agent", p->dir) >=
		sizeof(p->agent)) {
		r = vb_err(-ENAMETOOLONG, "remote-dir '%s' is too long", o->remote_dir);
		goto fail;
	}
	if (cmd_dry_run())
		return 0;
	char local[PATH_MAX], q[PATH_MAX + 16], line[2 * PATH_MAX + 64];
	if ((r = target_agent_path(local, sizeof(local))) < 0 ||
	    (r = vb_ssh_mkdir(&p->ssh, p->dir, p->journal)) < 0)
		goto fail;
	p->made = 1;
	if ((r = vb_ssh_put(&p->ssh, local, p->agent)) < 0)
		goto fail;
	vb_ssh_quote(o->workdir, q, sizeof(q));
	snprintf(line, sizeof(line), "mkdir -p %s && uname -srm", q);
	char *out = NULL;
	if ((r = vb_ssh_run(&p->ssh, line, &out)) < 0)
		goto fail;
	char name[320];
	vb_ssh_name(&p->ssh, name, sizeof(name));
	if (out)
		out[strcspn(out, "\n")] = '\0';
	if (!t->facts)
		t->facts = json_object();
	json_object_set_new(t->facts, "remote",
			    json_pack("{s:s,s:s,s:s}", "host", name, "dir", p->dir, "uname",
				      out ? out : ""));
	free(out);
	return 0;
fail:
	ssh_teardown(t);
	return r;
}

static struct cmd *ssh_command(struct target_inst *t)
{
	const struct ssh_opts *o = t->opts;
	struct ssh_priv *p = t->priv;
	char a[PATH_MAX + 16], w[PATH_MAX + 16], line[2 * PATH_MAX + 64];
	vb_ssh_quote(p->agent, a, sizeof(a));
	vb_ssh_quote(o->workdir, w, sizeof(w));
	snprintf(line, sizeof(line), "exec %s --workdir %s", a, w);
	struct cmd *c = vb_ssh_cmd(&p->ssh);
	cmd_arg(c, line);
	return c;
}

static int ssh_exec(struct target_inst *t, int *rfd, int *wfd)
{
	int r;
	if (!t->priv && (r = ssh_setup(t)) < 0)
		return r;
	struct cmd *c = ssh_command(t);
	free(t->provenance);
	t->provenance = cmd_render(c);
	/* ssh dies with vmbench; the agent then reads the end of its stdin */
	r = cmd_spawn(c, CMD_PIPE_STDIN | CMD_PIPE_STDOUT | CMD_NEW_PGRP | CMD_DIE_WITH_US, -1,
		      &t->agent);
	cmd_free(c);
	if (r < 0)
		return r;
	*rfd = t->agent.out_fd;
	*wfd = t->agent.in_fd;
	return 0;
}

static void ssh_stop(struct target_inst *t)
{
	if (t->agent.pid > 0) {
		if (t->agent.in_fd >= 0) {
			close(t->agent.in_fd); /* the agent's end of stream: it exits */
			t->agent.in_fd = -1;
		}
		if (cmd_proc_wait(&t->agent, 3000, NULL) < 0)
			kill(t->agent.pid, SIGTERM);
		cmd_proc_wait(&t->agent, 2000, NULL);
	}
	cmd_proc_kill(&t->agent);
}

static void ssh_teardown(struct target_inst *t)
{
	struct ssh_priv *p = t->priv;
	ssh_stop(t);
	if (!p)
		return;
	if (p->made)
		vb_ssh_rmdir(&p->ssh, p->dir, p->journal);
	free(p);
	t->priv = NULL;
}

static int ssh_telemetry_pids(struct target_inst *t, pid_t *pids, int max)
{
	(void)t;
	(void)pids;
	(void)max;
	return 0; /* the agent runs on another host: no process of ours to sample */
}

/* The remote host's CPU split during a run, from its /proc/stat read over
 * ssh before and after (outside the timed region: the run starts after the
 * first read returns). remote_host_*_pct, as host_*_pct is this host's. */
static int remote_cpu(struct ssh_priv *p, uint64_t cpu[8])
{
	char *out = NULL;
	int q = vb_err_set_quiet(1);
	int r = vb_ssh_run(&p->ssh, "head -n 1 /proc/stat", &out);
	vb_err_set_quiet(q);
	if (r == 0)
		r = telemetry_cpu_parse(out, cpu);
	free(out);
	return r;
}

static void ssh_telemetry_mark(struct target_inst *t, int end, struct result *tel)
{
	struct ssh_priv *p = t->priv;
	if (!p)
		return;
	if (!end) {
		p->have_cpu = remote_cpu(p, p->cpu) == 0;
		return;
	}
	uint64_t b[8], d[8], total = 0;
	if (!p->have_cpu || !tel || remote_cpu(p, b) < 0)
		return;
	p->have_cpu = 0;
	for (int i = 0; i < 8; i++) {
		d[i] = b[i] >= p->cpu[i] ? b[i] - p->cpu[i] : 0;
		total += d[i];
	}
	if (!total)
		return;
	double u = (double)total / 100.0;
	metric_set(tel, "remote_host_user_pct", (double)(d[0] + d[1]) / u, UNIT_PCT, AGG_MEAN);
	metric_set(tel, "remote_host_sys_pct", (double)(d[2] + d[5] + d[6]) / u, UNIT_PCT,
		   AGG_MEAN);
	metric_set(tel, "remote_host_iowait_pct", (double)d[4] / u, UNIT_PCT, AGG_MEAN);
	metric_set(tel, "remote_host_idle_pct", (double)d[3] / u, UNIT_PCT, AGG_MEAN);
}

static int ssh_dry_run(struct target_inst *t, FILE *out)
{
	int r = ssh_setup(t);
	if (r < 0)
		return r;
	struct ssh_priv *p = t->priv;
	char name[320];
	vb_ssh_name(&p->ssh, name, sizeof(name));
	fprintf(out, "# ssh: copy the agent to %s:%s (scp), removed after\n", name, p->agent);
	struct cmd *c = ssh_command(t);
	char *s = cmd_render(c);
	fprintf(out, "%s\n", s ? s : "?");
	free(s);
	cmd_free(c);
	ssh_teardown(t);
	return 0;
}

const struct target_ops ssh_target = {
    .name = "ssh",
    .summary = "the agent natively on another machine, over OpenSSH's stdio",
    .options = ssh_options,
    .opts_size = sizeof(struct ssh_opts),
    .probe = ssh_probe,
    .setup = ssh_setup,
    .exec = ssh_exec,
    .teardown = ssh_teardown,
    .stop = ssh_stop,
    .telemetry_pids = ssh_telemetry_pids,
    .dry_run = ssh_dry_run,
    .telemetry_mark = ssh_telemetry_mark,
};
