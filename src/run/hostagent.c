#include "run/hostagent.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/netns.h"
#include "net/sock.h"
#include "run/stopsig.h"
#include "targets/target.h"
#include "telemetry/telemetry.h"
#include "util/err.h"
#include "util/hostio.h"
#include "util/timeutil.h"
#include "util/units.h"

#define HOSTAGENT_HELLO_NS (15 * VB_NSEC_PER_SEC)

static int pin(pid_t pid, const char *cpus)
{
	uint64_t mask[16];
	int count, r;
	if (!cpus || !cpus[0])
		return 0;
	if ((r = net_cpus_parse(cpus, mask, &count)) < 0)
		return r;
	cpu_set_t set;
	CPU_ZERO(&set);
	for (int c = 0; c < 1024; c++)
		if (mask[c / 64] & (1ull << (c % 64)))
			CPU_SET(c, &set);
	if (sched_setaffinity(pid, sizeof(set), &set) < 0)
		return vb_err(-errno,
			      "cannot pin the host-side client to client-cpus=%s: %s "
			      "(this host has CPUs 0-%ld)",
			      cpus, strerror(errno), sysconf(_SC_NPROCESSORS_ONLN) - 1);
	return 0;
}

int hostagent_start(struct hostagent *h, const char *ns, const char *cpus)
{
	char agent[PATH_MAX];
	int r, saved;
	memset(h, 0, sizeof(*h));
	h->proc.pid = -1;
	h->proc.in_fd = h->proc.out_fd = -1;
	snprintf(h->ns, sizeof(h->ns), "%s", ns ? ns : "");
	snprintf(h->cpus, sizeof(h->cpus), "%s", cpus ? cpus : "");
	if ((r = target_agent_path(agent, sizeof(agent))) < 0)
		return r;
	struct cmd *c = cmd_new(agent);
	char *line = cmd_render(c);
	if (line && asprintf(&h->command, "%s%s%s%s", h->ns[0] ? "ip netns exec " : "", h->ns,
			     h->ns[0] ? " " : "", line) < 0)
		h->command = NULL;
	free(line);
	/* a child forked while this thread is in the namespace starts there */
	if ((r = vb_netns_enter(h->ns[0] ? h->ns : NULL, &saved)) < 0) {
		cmd_free(c);
		return vb_err(r,
			      "cannot enter the client namespace '%s' for the host-side "
			      "client: %s",
			      h->ns, vb_errmsg());
	}
	r = cmd_spawn(c, CMD_PIPE_STDIN | CMD_PIPE_STDOUT | CMD_NEW_PGRP | CMD_DIE_WITH_US, -1,
		      &h->proc);
	vb_netns_leave(saved);
	cmd_free(c);
	if (r < 0)
		return vb_err(r, "cannot start the host-side client agent '%s': %s", agent,
			      strerror(-r));
	proto_stream_init(&h->s, h->proc.out_fd, h->proc.in_fd);
	h->started = 1;
	/* before its first run: the threads it creates inherit the affinity */
	if ((r = pin(h->proc.pid, h->cpus)) < 0) {
		hostagent_stop(h);
		return r;
	}
	json_t *hello = NULL;
	int64_t deadline = vb_now_ns() + HOSTAGENT_HELLO_NS;
	do
		r = proto_recv(&h->s, &hello, deadline);
	while (r == -EINTR && !stopsig_pending());
	char why[300] = "";
	if (r == 0 && proto_hello_check(hello, why, sizeof(why)) < 0)
		r = -EPROTO;
	json_decref(hello);
	if (r < 0) {
		hostagent_stop(h);
		return vb_err(r, "the host-side client agent did not say hello (%s)",
			      why[0] ? why : strerror(-r));
	}
	return 0;
}

uint64_t hostagent_ticks(const struct hostagent *h)
{
	char path[64], buf[1024];
	struct telemetry_pidstat ps;
	if (!h->started || h->proc.pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)h->proc.pid);
	if (hostio_read_small(path, buf, sizeof(buf)) < 0 || telemetry_pidstat_parse(buf, &ps) < 0)
		return 0;
	return ps.ticks;
}

void hostagent_stop(struct hostagent *h)
{
	if (h->started) {
		proto_send(&h->s, json_pack("{s:s}", "type", "bye"));
		proto_stream_free(&h->s);
		if (h->proc.in_fd >= 0) {
			close(h->proc.in_fd);
			h->proc.in_fd = -1;
		}
		if (h->proc.pid > 0 && cmd_proc_wait(&h->proc, 2000, NULL) < 0)
			kill(h->proc.pid, SIGTERM);
		cmd_proc_kill(&h->proc);
		h->started = 0;
	}
	free(h->command);
	h->command = NULL;
}
