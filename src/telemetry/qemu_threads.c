/* CPU time of each QEMU thread by role, from /proc/PID/task/TID/{comm,stat}. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "telemetry/telemetry.h"

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
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')'); /* the name may hold spaces and parentheses */
	unsigned long long ut = 0, st = 0;
	if (!p ||
	    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return 0;
	return ut + st;
}

static void read_comm(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "re");
	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(buf, (int)n, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

int telemetry_qemu_threads(pid_t pid, uint64_t ticks[TEL_QEMU__ROLES])
{
	char path[96], comm[32];
	memset(ticks, 0, sizeof(uint64_t) * TEL_QEMU__ROLES);
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	read_comm(path, comm, sizeof(comm));
	int is_qemu = strncmp(comm, "qemu-system", 11) == 0;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return 0;
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		int tid = atoi(e->d_name);
		snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)pid, tid);
		read_comm(path, comm, sizeof(comm));
		int role = telemetry_qemu_role(comm, tid == (int)pid);
		is_qemu |= role == TEL_QEMU_VCPU;
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, tid);
		ticks[role] += stat_ticks(path);
	}
	closedir(d);
	return is_qemu;
}
