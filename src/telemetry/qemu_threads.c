/* CPU time of each QEMU thread by role, from /proc/PID/task/TID/{comm,stat}. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "telemetry/telemetry.h"
#include "util/hostio.h"

int telemetry_qemu_role(const char *comm, int is_main)
{
	int n;
	char kind[8];
	if (is_main)
		return TEL_QEMU_MAIN;
	/* "CPU 0/TCG", "CPU 12/KVM" */
	if (sscanf(comm, "CPU %d/%7s", &n, kind) == 2)
		return TEL_QEMU_VCPU;
	if (strncmp(comm, "IO ", 3) == 0)
		return TEL_QEMU_IOTHREAD;
	return TEL_QEMU_OTHER;
}

/* utime + stime (fields 14 and 15) from a stat file, 0 if unreadable. */
static unsigned long long stat_ticks(const char *path)
{
	char buf[1024];
	struct telemetry_pidstat ps;
	if (hostio_read_small(path, buf, sizeof(buf)) < 0 || telemetry_pidstat_parse(buf, &ps) < 0)
		return 0;
	return ps.ticks;
}

static void read_comm(const char *path, char *buf, size_t n)
{
	if (hostio_read_line(path, buf, n) < 0)
		buf[0] = '\0';
}

int telemetry_qemu_threads(pid_t pid, uint64_t ticks[TEL_QEMU__ROLES])
{
	char dir[PATH_MAX], path[PATH_MAX + 64], comm[32];
	memset(ticks, 0, sizeof(uint64_t) * TEL_QEMU__ROLES);
	if (hostio_path(dir, sizeof(dir), "/proc/%d", (int)pid) < 0)
		return 0;
	snprintf(path, sizeof(path), "%s/comm", dir);
	read_comm(path, comm, sizeof(comm));
	int is_qemu = strncmp(comm, "qemu-system", 11) == 0;
	snprintf(path, sizeof(path), "%s/task", dir);
	DIR *d = opendir(path);
	if (!d)
		return 0;
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		int tid = atoi(e->d_name);
		snprintf(path, sizeof(path), "%s/task/%d/comm", dir, tid);
		read_comm(path, comm, sizeof(comm));
		int role = telemetry_qemu_role(comm, tid == (int)pid);
		is_qemu |= role == TEL_QEMU_VCPU;
		snprintf(path, sizeof(path), "%s/task/%d/stat", dir, tid);
		ticks[role] += stat_ticks(path);
	}
	closedir(d);
	return is_qemu;
}
