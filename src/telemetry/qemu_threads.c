/* CPU time of each QEMU thread by role, from /proc/PID/task/TID/{comm,stat}. */
#include <dirent.h>
#include <errno.h>
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
	if (strncmp(comm, "vhost-", 6) == 0)
		return TEL_QEMU_VHOST;
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

int telemetry_each_thread(pid_t pid, int (*fn)(const struct telemetry_thread *t, void *arg),
			  void *arg)
{
	char dir[PATH_MAX], path[PATH_MAX + 64], comm[32];
	if (hostio_path(dir, sizeof(dir), "/proc/%d/task", (int)pid) < 0)
		return -ENAMETOOLONG;
	DIR *d = opendir(dir);
	if (!d)
		return -errno;
	int n = 0, r = 0;
	for (struct dirent *e; r == 0 && (e = readdir(d));) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		struct telemetry_thread t = {.tid = (pid_t)atoi(e->d_name), .vcpu = -1};
		snprintf(path, sizeof(path), "%s/%d/comm", dir, (int)t.tid);
		read_comm(path, comm, sizeof(comm));
		snprintf(t.comm, sizeof(t.comm), "%s", comm);
		t.role = telemetry_qemu_role(comm, t.tid == pid);
		if (t.role == TEL_QEMU_VCPU && (sscanf(comm, "CPU %d/", &t.vcpu) != 1 || t.vcpu < 0))
			t.vcpu = -1;
		snprintf(path, sizeof(path), "%s/%d/stat", dir, (int)t.tid);
		t.ticks = stat_ticks(path);
		r = fn(&t, arg);
		n++;
	}
	closedir(d);
	return r < 0 ? r : n;
}

struct by_role {
	uint64_t *ticks;
	int vcpus;
};

static int add_ticks(const struct telemetry_thread *t, void *arg)
{
	struct by_role *b = arg;
	b->ticks[t->role] += t->ticks;
	b->vcpus += t->role == TEL_QEMU_VCPU;
	return 0;
}

int telemetry_qemu_threads(pid_t pid, uint64_t ticks[TEL_QEMU__ROLES])
{
	char path[PATH_MAX], comm[32];
	struct by_role b = {.ticks = ticks};
	memset(ticks, 0, sizeof(uint64_t) * TEL_QEMU__ROLES);
	if (hostio_path(path, sizeof(path), "/proc/%d/comm", (int)pid) < 0)
		return 0;
	read_comm(path, comm, sizeof(comm));
	if (telemetry_each_thread(pid, add_ticks, &b) < 0)
		return 0;
	return strncmp(comm, "qemu-system", 11) == 0 || b.vcpus > 0;
}

uint64_t telemetry_vhost_kthread_ticks(pid_t pid)
{
	char dir[PATH_MAX], path[PATH_MAX + 300], comm[32], want[32];
	uint64_t ticks = 0;
	if (hostio_path(dir, sizeof(dir), "/proc") < 0)
		return 0;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	snprintf(want, sizeof(want), "vhost-%d", (int)pid);
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "%s/%.255s/comm", dir, e->d_name);
		read_comm(path, comm, sizeof(comm));
		if (strcmp(comm, want))
			continue;
		snprintf(path, sizeof(path), "%s/%.255s/stat", dir, e->d_name);
		struct telemetry_pidstat ps;
		char buf[1024];
		/* a kernel thread: its parent is kthreadd (2) */
		if (hostio_read_small(path, buf, sizeof(buf)) >= 0 &&
		    telemetry_pidstat_parse(buf, &ps) == 0 && ps.ppid == 2)
			ticks += ps.ticks;
	}
	closedir(d);
	return ticks;
}
