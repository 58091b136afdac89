/* Host cost of a run: the host CPU split from /proc/stat and the CPU time of
 * the target's processes (agent, QEMU...) from /proc/PID/stat, both taken as
 * differences between the start and the end of the measured run. */
#ifndef VB_TELEMETRY_TELEMETRY_H
#define VB_TELEMETRY_TELEMETRY_H

#include <stdint.h>
#include <sys/types.h>

#include "core/metric.h"

#define TELEMETRY_MAX_PIDS 16

struct telemetry_snap {
	int64_t t_ns;
	uint64_t cpu[8]; /* user nice system idle iowait irq softirq steal (ticks) */
	int npids;
	pid_t pids[TELEMETRY_MAX_PIDS];
	uint64_t proc_ticks[TELEMETRY_MAX_PIDS]; /* utime+stime of each pid */
};

int telemetry_snap(struct telemetry_snap *s, const pid_t *pids, int npids);
/* host_user_pct, host_sys_pct, host_iowait_pct, host_steal_pct,
 * host_idle_pct (of all CPUs), target_cpu_pct (of one CPU) */
void telemetry_diff(const struct telemetry_snap *a, const struct telemetry_snap *b,
		    struct result *out);

#endif
