/* Readers of host state, all here:
 *   procstat.c      the host CPU split (/proc/stat) and the CPU time of the
 *                   target's processes (/proc/PID/stat), taken as differences
 *                   between the start and the end of the measured run
 *   qemu_threads.c  a QEMU process's CPU time split by thread role
 *   meminfo.c       /proc/meminfo, process trees, PSS, per-process KSM (meminfo.h)
 *   ksm_stats.c     KSM's host-wide counters (ksm_stats.h)
 * Each reader reads its file under the root (telemetry_set_root: unit tests
 * build a fake /proc and /sys in a temporary directory) and hands the bytes
 * to a parser that is tested and fuzzed on its own (fuzz/fuzz_procfs.c). */
#ifndef VB_TELEMETRY_TELEMETRY_H
#define VB_TELEMETRY_TELEMETRY_H

#include <stdint.h>
#include <sys/types.h>

#include "core/metric.h"

#define TELEMETRY_MAX_PIDS 16

/* Where /proc and /sys are: "/tmp/fake" makes every reader here read
 * /tmp/fake/proc/...; NULL or "/" is the real root (util/hostio.h). */
void telemetry_set_root(const char *root);

/* The fields of a /proc/PID/stat (or /proc/PID/task/TID/stat) line that
 * vmbench uses. The command name may hold spaces and parentheses: the
 * fields are counted from its last ')'. */
struct telemetry_pidstat {
	char state;
	pid_t ppid;
	uint64_t ticks; /* utime + stime */
	uint64_t start; /* starttime, ticks after boot */
};
/* -EPROTO when the text is not such a line. */
int telemetry_pidstat_parse(const char *text, struct telemetry_pidstat *ps);
/* The "cpu " line of /proc/stat: user nice system idle iowait irq softirq
 * steal; -EPROTO when it is missing or short. */
int telemetry_cpu_parse(const char *text, uint64_t cpu[8]);
/* The number on the first "KEY N" line of a flat-keyed file's text
 * (/proc/vmstat, a cgroup's memory.events or memory.oom_control); -ENOENT
 * when no line has that key, -EPROTO when it has no number. */
int telemetry_flat_key_parse(const char *text, const char *key, long long *value);
/* The same read from path; -1 when it is missing or unreadable. */
long long telemetry_flat_key(const char *path, const char *key);

/* Roles of a QEMU process's threads, known by their names (QEMU names them
 * with -name ...,debug-threads=on): "CPU n/KVM" or "CPU n/TCG" = vCPU,
 * "IO <id>" = IOThread, the thread whose id is the pid = main loop.
 * Everything else (the "worker" thread pool, call_rcu...) is counted as
 * workers: the process's total minus those, so that workers that came and
 * went during the run are counted too. */
enum {
	TEL_QEMU_VCPU,
	TEL_QEMU_IOTHREAD,
	TEL_QEMU_MAIN,
	TEL_QEMU_VHOST, /* "vhost-PID": vhost-net's worker inside QEMU (Linux 6.4+) */
	TEL_QEMU_OTHER,
	TEL_QEMU__ROLES
};

struct telemetry_snap {
	int64_t t_ns;
	uint64_t cpu[8]; /* user nice system idle iowait irq softirq steal (ticks) */
	int npids;
	pid_t pids[TELEMETRY_MAX_PIDS];
	uint64_t proc_ticks[TELEMETRY_MAX_PIDS]; /* utime+stime of each pid */
	int is_qemu[TELEMETRY_MAX_PIDS];         /* the pid is a QEMU: qemu_ticks hold */
	uint64_t qemu_ticks[TELEMETRY_MAX_PIDS][TEL_QEMU__ROLES]; /* its live threads by role */
	uint64_t vhost_kticks[TELEMETRY_MAX_PIDS]; /* its vhost kernel threads (before 6.4) */
};

int telemetry_snap(struct telemetry_snap *s, const pid_t *pids, int npids);
/* host_user_pct, host_sys_pct, host_iowait_pct, host_steal_pct,
 * host_idle_pct, host_softirq_pct (of all CPUs; softirq is part of sys), target_cpu_pct (of one CPU); when the pids
 * hold a QEMU: qemu_vcpu_cpu_pct, qemu_iothread_cpu_pct, qemu_main_cpu_pct,
 * qemu_worker_cpu_pct, qemu_vhost_cpu_pct (of one CPU, summed over the QEMU
 * processes; vhost: its workers inside QEMU or, before Linux 6.4, the
 * kernel threads "vhost-PID"; only when there are any) */
void telemetry_diff(const struct telemetry_snap *a, const struct telemetry_snap *b,
		    struct result *out);

/* qemu_threads.c */

/* The role of a thread of a QEMU process by its comm; is_main: its id is
 * the process's. */
int telemetry_qemu_role(const char *comm, int is_main);
/* Ticks (utime+stime) of the live threads of pid by role; returns 1 when pid
 * is a QEMU process (its comm starts with "qemu-system" or a thread is a
 * vCPU), 0 when it is not or is gone. */
int telemetry_qemu_threads(pid_t pid, uint64_t ticks[TEL_QEMU__ROLES]);

/* utime + stime of the kernel threads named "vhost-PID" for QEMU pid (how
 * vhost-net ran its workers before Linux 6.4: outside QEMU's process). */
uint64_t telemetry_vhost_kthread_ticks(pid_t pid);

/* One thread of a process, from /proc/PID/task/TID/{comm,stat}. */
struct telemetry_thread {
	pid_t tid;
	char comm[32];
	int role;	/* TEL_QEMU_*, by telemetry_qemu_role() */
	int vcpu;	/* n of "CPU n/KVM", -1 for other threads */
	uint64_t ticks; /* utime + stime */
};
/* Calls fn for each live thread of pid (a non-zero return stops the walk
 * and is returned if negative); the number of threads seen, or -errno when
 * pid is gone. */
int telemetry_each_thread(pid_t pid, int (*fn)(const struct telemetry_thread *t, void *arg),
			  void *arg);

#endif
