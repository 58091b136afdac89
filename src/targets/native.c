/* target=native: the agent runs as a child process on this host. The
 * baseline against which containers and VMs are compared.
 *
 * network=loopback (the default) leaves the agent in the host's network
 * namespace. network=veth gives it a namespace of its own, joined to the
 * experiment's client namespace (net_ns) by a veth pair: the agent's end
 * has VB_NET_TARGET_IP (net_addr), the client's VB_NET_CLIENT_IP (see
 * src/net/netns.h). setup() makes both namespaces, exec() starts the agent
 * inside its own, teardown() removes them. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/netns.h"
#include "targets/target.h"
#include "util/err.h"

enum { NATIVE_NET_LOOPBACK, NATIVE_NET_VETH };
static const char *const native_net_names[] = {"loopback", "veth", NULL};

struct native_opts {
	char workdir[PATH_MAX];
	int network;
};

static const struct opt_def native_options[] = {
	OPT_STR("workdir", struct native_opts, workdir, "/var/tmp/vmbench",
		"directory where relative workload file names are created"),
	OPT_ENUM("network", struct native_opts, network, "loopback", native_net_names,
		 "loopback: the host's own network namespace; veth: the agent in a "
		 "namespace of its own, a veth pair to the experiment's client namespace"),
	OPT_END,
};

struct native_priv {
	struct vb_net net;
};

static void release_net(struct target_inst *t)
{
	struct native_priv *p = t->priv;
	if (!p)
		return;
	vb_net_release(&p->net);
	free(p);
	t->priv = NULL;
	t->net_addr[0] = t->net_ns[0] = '\0';
}

static int native_setup(struct target_inst *t)
{
	const struct native_opts *o = t->opts;
	if (mkdir(o->workdir, 0755) < 0 && errno != EEXIST)
		return vb_err(-errno, "cannot create workdir '%s': %s", o->workdir,
			      strerror(errno));
	if (t->priv || o->network == NATIVE_NET_LOOPBACK)
		return 0;
	struct native_priv *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	t->priv = p;
	int r = vb_net_setup(&p->net, VB_NET_VETH, t->name, 0, 0);
	if (r < 0) {
		release_net(t);
		return r;
	}
	snprintf(t->net_addr, sizeof(t->net_addr), "%s", VB_NET_TARGET_IP);
	snprintf(t->net_ns, sizeof(t->net_ns), "%s", p->net.client.name);
	if (!t->facts)
		t->facts = json_object();
	json_object_set_new(t->facts, "network",
			    json_pack("{s:s,s:s,s:s,s:s}", "kind", "veth", "addr", t->net_addr,
				      "client_ns", t->net_ns, "agent_ns", p->net.target.name));
	return 0;
}

/* the namespace the agent runs in (NULL: the host's) */
static const char *agent_ns(struct target_inst *t)
{
	struct native_priv *p = t->priv;
	return p && p->net.kind == VB_NET_VETH ? p->net.target.name : NULL;
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
	int r = native_setup(t);
	if (r < 0)
		return r;
	struct cmd *c = native_command(t);
	char *s = c ? cmd_render(c) : NULL;
	const char *ns = agent_ns(t);
	fprintf(out, "%s%s%s%s\n", ns ? "ip netns exec " : "", ns ? ns : "", ns ? " " : "",
		s ? s : "(the agent binary was not found)");
	free(s);
	cmd_free(c);
	release_net(t);
	return c ? 0 : -ENOENT;
}

static int native_exec(struct target_inst *t, int *rfd, int *wfd)
{
	int r, saved;
	const struct native_opts *o = t->opts;
	if (o->network != NATIVE_NET_LOOPBACK && !t->priv && (r = native_setup(t)) < 0)
		return r; /* after a teardown */
	struct cmd *c = native_command(t);
	if (!c)
		return -ENOENT;
	const char *ns = agent_ns(t);
	char *line = cmd_render(c);
	free(t->provenance);
	t->provenance = NULL;
	if (line && ns && asprintf(&t->provenance, "ip netns exec %s %s", ns, line) > 0)
		free(line);
	else
		t->provenance = line;
	/* The agent dies with vmbench (PDEATHSIG) and is not in the terminal's
	 * process group, so ^C reaches vmbench alone, which then stops it. A
	 * child forked while this thread is in a namespace starts there. */
	if ((r = vb_netns_enter(ns, &saved)) < 0) {
		cmd_free(c);
		return r;
	}
	r = cmd_spawn(c, CMD_PIPE_STDIN | CMD_PIPE_STDOUT | CMD_NEW_PGRP | CMD_DIE_WITH_US, -1,
		      &t->agent);
	vb_netns_leave(saved);
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
	release_net(t); /* after the agent: nothing is left inside the namespaces */
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
