#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "telemetry/telemetry.h"
#include "util/hostio.h"
#include "util/timeutil.h"

#define STAT_MAX 65536 /* /proc/stat: one line per CPU and per interrupt */

void telemetry_set_root(const char *root)
{
	hostio_set_root(root);
}

int telemetry_cpu_parse(const char *text, uint64_t cpu[8])
{
	if (strncmp(text, "cpu ", 4) != 0)
		return -EPROTO;
	int n = sscanf(text, "cpu %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
			     " %" SCNu64 " %" SCNu64 " %" SCNu64,
		       &cpu[0], &cpu[1], &cpu[2], &cpu[3], &cpu[4], &cpu[5], &cpu[6], &cpu[7]);
	return n == 8 ? 0 : -EPROTO;
}

static int read_cpu_line(uint64_t cpu[8])
{
	char path[PATH_MAX];
	int r = hostio_path(path, sizeof(path), "/proc/stat");
	char *buf = r < 0 ? NULL : hostio_read_alloc(path, STAT_MAX, NULL);
	if (!buf)
		return r < 0 ? r : -errno;
	r = telemetry_cpu_parse(buf, cpu);
	free(buf);
	return r;
}

int telemetry_pidstat_parse(const char *text, struct telemetry_pidstat *ps)
{
	const char *p = strrchr(text, ')'); /* the command name may hold spaces */
	if (!p)
		return -EPROTO;
	/* after ')': state ppid pgrp session tty tpgid flags minflt cminflt majflt
	 * cmajflt utime stime cutime cstime priority nice threads itrealvalue
	 * starttime */
	unsigned long long ut, st, start;
	int ppid;
	char state;
	if (sscanf(p + 1,
		   " %c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d "
		   "%*d %llu",
		   &state, &ppid, &ut, &st, &start) != 5)
		return -EPROTO;
	ps->state = state;
	ps->ppid = (pid_t)ppid;
	ps->ticks = ut + st;
	ps->start = start;
	return 0;
}

/* utime + stime of a process, all its threads (fields 14 and 15). */
static uint64_t proc_ticks(pid_t pid)
{
	char path[PATH_MAX], buf[1024];
	struct telemetry_pidstat ps;
	if (hostio_path(path, sizeof(path), "/proc/%d/stat", (int)pid) < 0 ||
	    hostio_read_small(path, buf, sizeof(buf)) < 0 || telemetry_pidstat_parse(buf, &ps) < 0)
		return 0;
	return ps.ticks;
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
		if (s->is_qemu[i])
			s->vhost_kticks[i] = telemetry_vhost_kthread_ticks(pids[i]);
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
	int any = 0, vhost = 0;
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
		/* kernel threads: outside the process's total */
		role[TEL_QEMU_VHOST] += (double)delta(a->vhost_kticks[i], b->vhost_kticks[i]);
		vhost |= a->vhost_kticks[i] || b->vhost_kticks[i] || a->qemu_ticks[i][TEL_QEMU_VHOST] ||
			 b->qemu_ticks[i][TEL_QEMU_VHOST];
	}
	if (!any || ticks_per_run <= 0)
		return;
	static const char *const names[TEL_QEMU__ROLES] = {
		"qemu_vcpu_cpu_pct", "qemu_iothread_cpu_pct", "qemu_main_cpu_pct",
		"qemu_vhost_cpu_pct", "qemu_worker_cpu_pct"};
	for (int r = 0; r < TEL_QEMU__ROLES; r++)
		if (r != TEL_QEMU_VHOST || vhost)
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
		/* part of host_sys_pct: the network stack's deferred work */
		metric_set(out, "host_softirq_pct", (double)d[6] / t, UNIT_PCT, AGG_MEAN);
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

int telemetry_flat_key_parse(const char *text, const char *key, long long *value)
{
	size_t kl = strlen(key);
	for (const char *line = text; line && *line;) {
		if (strncmp(line, key, kl) == 0 && line[kl] == ' ') {
			char *end;
			long long v = strtoll(line + kl + 1, &end, 10);
			if (end == line + kl + 1)
				return -EPROTO;
			*value = v;
			return 0;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -ENOENT;
}

long long telemetry_flat_key(const char *path, const char *key)
{
	char *text = hostio_read_alloc(path, 1 << 20, NULL);
	long long v = -1;
	if (text && telemetry_flat_key_parse(text, key, &v) < 0)
		v = -1;
	free(text);
	return v;
}
