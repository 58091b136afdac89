/* Runtimes that runtime= accepts but vmbench cannot drive yet (CT_PLANNED in
 * runtime_list.h): each probe says why it cannot be used here, whether the
 * program is missing or only vmbench's support for it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "container/container.h"

const char *ct_rt_docker_probe(void);
const char *ct_rt_lxc_probe(void);

/* Can a client connect to the Docker engine's socket? */
static int docker_engine(char *why, size_t n)
{
	const char *host = getenv("DOCKER_HOST");
	const char *sock = "/var/run/docker.sock";
	if (host && strncmp(host, "unix://", 7) == 0)
		sock = host + 7;
	else if (host && *host) {
		snprintf(why, n, "DOCKER_HOST=%s is not a unix socket; vmbench cannot check it",
			 host);
		return 0;
	}
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	int e = errno;
	if (fd >= 0)
		close(fd);
	if (!ok)
		snprintf(why, n, "cannot connect to %s: %s", sock, strerror(e));
	return ok;
}

const char *ct_rt_docker_probe(void)
{
	static char why[512];
	char path[PATH_MAX], engine[300];
	if (!ct_in_path("docker", path, sizeof(path)))
		snprintf(why, sizeof(why), "docker is not installed");
	else if (!docker_engine(engine, sizeof(engine)))
		snprintf(why, sizeof(why),
			 "the docker client is installed but no Docker engine is running (%s); "
			 "start dockerd, or use runtime=podman, which needs no daemon",
			 engine);
	else
		snprintf(why, sizeof(why),
			 "runtime=docker is not implemented yet (it needs an image built from "
			 "the bundle); use runtime=podman or crun");
	return why;
}

const char *ct_rt_lxc_probe(void)
{
	static char why[256];
	char path[PATH_MAX];
	if (!ct_in_path("lxc-execute", path, sizeof(path)))
		snprintf(why, sizeof(why), "lxc is not installed (apt-get install lxc)");
	else
		snprintf(why, sizeof(why),
			 "runtime=lxc is not implemented yet; use builtin, crun or podman");
	return why;
}
