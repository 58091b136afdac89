#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "telemetry/telemetry.h"
#include "util/timeutil.h"

static int read_cpu_line(uint64_t cpu[8])
{
	FILE *f = fopen("/proc/stat", "re");
	if (!f)
		return -errno;
	int n = fscanf(f, "cpu %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
			  " %" SCNu64 " %" SCNu64 " %" SCNu64,
		       &cpu[0], &cpu[1], &cpu[2], &cpu[3], &cpu[4], &cpu[5], &cpu[6], &cpu[7]);
	fclose(f);
	return n == 8 ? 0 : -EPROTO;
}

/* utime + stime of a process, all its threads (fields 14 and 15). */
static uint64_t proc_ticks(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')'); /* the command name may hold spaces */
	if (!p)
		return 0;
	unsigned long long ut = 0, st = 0;
	/* after ')': state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
	if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return 0;
	return ut + st;
}

int telemetry_snap(struct telemetry_snap *s, const pid_t *pids, int npids)
{
	memset(s, 0, sizeof(*s));
	s->t_ns = vb_now_ns();
	if (npids > TELEMETRY_MAX_PIDS)
		npids = TELEMETRY_MAX_PIDS;
	s->npids = npids;
	for (int i = 0; i < npids; i++) {
		s->pids[i] = pids[i];
		s->proc_ticks[i] = proc_ticks(pids[i]);
		s->is_qemu[i] = telemetry_qemu_threads(pids[i], s->qemu_ticks[i]);
	}
	return read_cpu_line(s->cpu);
}

static uint64_t delta(uint64_t a, uint64_t b)
{
	return b >= a ? b - a : 0;
}

/* The CPU of QEMU's threads by role; workers are the process's total minus
 * the long-lived threads, so that short-lived workers are not lost. */
static void qemu_diff(const struct telemetry_snap *a, const struct telemetry_snap *b,
		      double ticks_per_run, struct result *out)
{
	double role[TEL_QEMU__ROLES] = {0};
	int any = 0;
	for (int i = 0; i < a->npids && i < b->npids; i++) {
		if (!a->is_qemu[i] || !b->is_qemu[i] || a->pids[i] != b->pids[i])
			continue;
		any = 1;
		uint64_t total = delta(a->proc_ticks[i], b->proc_ticks[i]), known = 0;
		for (int r = 0; r < TEL_QEMU_OTHER; r++) {
			uint64_t d = delta(a->qemu_ticks[i][r], b->qemu_ticks[i][r]);
			role[r] += (double)d;
			known += d;
		}
		role[TEL_QEMU_OTHER] += (double)(total > known ? total - known : 0);
	}
	if (!any || ticks_per_run <= 0)
		return;
	static const char *const names[TEL_QEMU__ROLES] = {
		"qemu_vcpu_cpu_pct", "qemu_iothread_cpu_pct", "qemu_main_cpu_pct",
		"qemu_worker_cpu_pct"};
	for (int r = 0; r < TEL_QEMU__ROLES; r++)
		metric_set(out, names[r], role[r] / ticks_per_run * 100.0, UNIT_PCT, AGG_SUM);
}

void telemetry_diff(const struct telemetry_snap *a, const struct telemetry_snap *b,
		    struct result *out)
{
	uint64_t d[8], total = 0;
	for (int i = 0; i < 8; i++) {
		d[i] = b->cpu[i] >= a->cpu[i] ? b->cpu[i] - a->cpu[i] : 0;
		total += d[i];
	}
	if (total) {
		double t = (double)total / 100.0;
		metric_set(out, "host_user_pct", (double)(d[0] + d[1]) / t, UNIT_PCT, AGG_MEAN);
		metric_set(out, "host_sys_pct", (double)(d[2] + d[5] + d[6]) / t, UNIT_PCT, AGG_MEAN);
		metric_set(out, "host_iowait_pct", (double)d[4] / t, UNIT_PCT, AGG_MEAN);
		metric_set(out, "host_steal_pct", (double)d[7] / t, UNIT_PCT, AGG_MEAN);
		metric_set(out, "host_idle_pct", (double)d[3] / t, UNIT_PCT, AGG_MEAN);
	}
	double secs = (double)(b->t_ns - a->t_ns) / 1e9;
	long hz = sysconf(_SC_CLK_TCK);
	if (secs > 0 && hz > 0 && a->npids) {
		uint64_t ticks = 0;
		for (int i = 0; i < a->npids && i < b->npids; i++)
			if (b->proc_ticks[i] >= a->proc_ticks[i])
				ticks += b->proc_ticks[i] - a->proc_ticks[i];
		metric_set(out, "target_cpu_pct", (double)ticks / (double)hz / secs * 100.0,
			   UNIT_PCT, AGG_SUM);
		qemu_diff(a, b, secs * (double)hz, out);
	}
}
