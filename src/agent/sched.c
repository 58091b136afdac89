/* The guest's I/O scheduler: vmbench.scheduler=SERIAL:NAME on the kernel
 * command line (the qemu target's `scheduler` knob) makes the agent, as the
 * guest's init, write NAME to /sys/block/DISK/queue/scheduler of the disk
 * with that serial before it says hello. What the kernel then reports as
 * active goes into the hello's boot facts, so every run stores the scheduler
 * it really ran under; a scheduler that could not be set fails the boot's
 * first run with the kernel's list instead of measuring the wrong one. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent/agent.h"
#include "workloads/workload.h"

/* "none [mq-deadline] kyber" -> "mq-deadline" */
static void active_of(const char *list, char *buf, size_t n)
{
	const char *a = strchr(list, '['), *b = a ? strchr(a, ']') : NULL;
	snprintf(buf, n, "%.*s", a && b ? (int)(b - a - 1) : 0, a ? a + 1 : "");
}

json_t *agent_scheduler(const char *cmdline)
{
	const char *p = cmdline;
	while ((p = strstr(p, "vmbench.scheduler=")) && p != cmdline && p[-1] != ' ')
		p++;
	if (!p)
		return NULL;
	p += strlen("vmbench.scheduler=");
	char spec[128], serial[64] = "", want[32] = "", dev[256] = "", path[512];
	char list[256] = "", active[32] = "", err[1024] = "";
	snprintf(spec, sizeof(spec), "%.*s", (int)strcspn(p, " "), p);
	char *colon = strchr(spec, ':');
	if (!colon || colon == spec || !colon[1]) {
		snprintf(err, sizeof(err), "vmbench.scheduler=%s is not SERIAL:NAME", spec);
		goto out;
	}
	snprintf(serial, sizeof(serial), "%.*s", (int)(colon - spec), spec);
	snprintf(want, sizeof(want), "%s", colon + 1);
	if (wl_disk_by_serial(serial, dev, sizeof(dev)) < 0) {
		snprintf(err, sizeof(err), "no disk with serial '%s' appeared", serial);
		goto out;
	}
	snprintf(path, sizeof(path), "/sys/block/%s/queue/scheduler", dev + strlen("/dev/"));
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, want, strlen(want)) < 0)
		snprintf(err, sizeof(err), "cannot set %s to '%s': %s", path, want,
			 strerror(errno));
	if (fd >= 0)
		close(fd);
	FILE *f = fopen(path, "re");
	if (f) {
		if (!fgets(list, sizeof(list), f))
			list[0] = '\0';
		fclose(f);
	}
	list[strcspn(list, "\n")] = '\0';
	active_of(list, active, sizeof(active));
	if (!err[0] && strcmp(active, want) != 0)
		snprintf(err, sizeof(err), "%s reads '%s' after writing '%s'", path, list, want);
out:;
	json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:s}", "serial", serial, "disk", dev, "want", want,
			      "active", active, "available", list);
	if (err[0])
		json_object_set_new(j, "error", json_string(err));
	return j;
}
