/* vmbench-agent: runs workloads for the host over a line-based JSON stream
 * (src/proto/proto.h). The same static binary runs natively, in a container
 * and in a VM as the built-in guest's /init (init.c). As PID 1 anywhere else
 * (a container without an init) it runs as usual under a reaper (init.c).
 *
 *   vmbench-agent [--workdir DIR] [--port PATH]   serve requests (stdio by default)
 *   vmbench-agent [--workdir DIR] --once WORKLOAD [k=v,...]
 *                                                 run one workload, print JSON
 *   vmbench-agent --init                          be the guest's init (implied as
 *                                                 PID 1 in the built-in guest)
 *   vmbench-agent --cloud-guest [--workdir DIR] [--net ADDR/N,mac=M[,mtu=M]] --port PATH
 *                                                 serve in a cloud guest: wait for
 *                                                 the port, set the NIC's address,
 *                                                 report the guest's facts */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent/agent.h"
#include "proto/proto.h"
#include "util/err.h"

#ifndef VB_VERSION
#define VB_VERSION "unknown"
#endif

static void on_signal(int sig)
{
	(void)sig;
	agent_cancel = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: vmbench-agent [--workdir DIR] [--port PATH]\n"
			"       vmbench-agent [--workdir DIR] --once WORKLOAD [k=v,...]\n"
			"       vmbench-agent --init\n"
			"       vmbench-agent --cloud-guest [--workdir DIR] [--net SPEC] --port "
			"PATH\n");
}

/* A virtio-serial port (a character device) is opened; a unix socket (an
 * LXC system container's way out, see src/container/rt_lxc.c) is connected
 * to: the host listens on it. */
static int open_port(const char *port)
{
	struct stat st;
	if (stat(port, &st) == 0 && S_ISSOCK(st.st_mode)) {
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", port);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		return fd;
	}
	return open(port, O_RDWR | O_CLOEXEC);
}

int main(int argc, char **argv)
{
	const char *workdir = NULL, *port = NULL, *net = NULL;
	int cloud = 0;
	vb_err_set_prog("vmbench-agent");
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	/* the kernel passes its unknown command-line words to init as
	 * arguments: as the guest's init none of them are ours */
	if (getpid() == 1) {
		char why[256];
		if (agent_is_guest(why, sizeof(why)))
			return agent_init();
		agent_reaper(); /* returns in the agent, now PID 2 */
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--workdir") == 0 && i + 1 < argc) {
			workdir = argv[++i];
		} else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
			port = argv[++i];
		} else if (strcmp(argv[i], "--net") == 0 && i + 1 < argc) {
			net = argv[++i];
		} else if (strcmp(argv[i], "--cloud-guest") == 0) {
			cloud = 1;
		} else if (strcmp(argv[i], "--init") == 0) {
			return agent_init();
		} else if (strcmp(argv[i], "--once") == 0 && i + 1 < argc) {
			vb_err_set_quiet(1);
			return agent_run_once(argv[i + 1], i + 2 < argc ? argv[i + 2] : "",
					      workdir);
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("vmbench-agent %s (protocol %d)\n", VB_VERSION, VB_PROTO_VERSION);
			return 0;
		} else {
			usage();
			return 2;
		}
	}
	if (cloud && port)
		return agent_cloud_guest(port, workdir, net);
	if (workdir && chdir(workdir) < 0)
		return vb_err(1, "cannot enter workdir '%s': %s", workdir, strerror(errno));
	vb_err_set_quiet(1);
	if (port) {
		int fd = open_port(port);
		if (fd < 0) {
			vb_err_set_quiet(0);
			return vb_err(1, "cannot open port '%s': %s", port, strerror(errno));
		}
		return agent_serve(fd, fd, workdir, NULL);
	}
	return agent_serve(STDIN_FILENO, STDOUT_FILENO, workdir, NULL);
}
