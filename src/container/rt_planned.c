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

const char *ct_rt_lxc_probe(void);

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
