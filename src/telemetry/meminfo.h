/* Host and process memory figures: /proc/meminfo, a process tree's PSS
 * (smaps_rollup) and its KSM counters (ksm_stat). Pure readers: nothing here
 * changes the system. Every file is read under the test root
 * (telemetry_set_root), and each reader is a parser over the file's bytes
 * (the *_parse functions) that the unit and fuzz tests feed directly. */
#ifndef VB_TELEMETRY_MEMINFO_H
#define VB_TELEMETRY_MEMINFO_H

#include <stdint.h>
#include <sys/types.h>

/* The /proc/meminfo lines density needs, in KiB (-1: the line is absent). */
struct meminfo {
	int64_t total, free, available, buffers, cached, sreclaimable, shmem, anon;
};

/* Reads path (NULL: /proc/meminfo under the root). MemTotal and MemFree are
 * required. */
int meminfo_read(const char *path, struct meminfo *m);
/* The same over text already read; -EPROTO without MemTotal or MemFree
 * (prints nothing). */
int meminfo_parse(const char *text, struct meminfo *m);
/* One line of /proc/meminfo ("HugePages_Free", "Hugepagesize", "MemAvailable"):
 * its number (kB for sizes, a count for HugePages_*), -ENOENT if absent. */
int meminfo_value(const char *key, int64_t *value);
int meminfo_parse_value(const char *text, const char *key, int64_t *value);

/* "used" as free(1) of procps-ng 3.3 computes it:
 * MemTotal - MemFree - Buffers - Cached - SReclaimable. (procps-ng 4.0.1
 * and later print MemTotal - MemAvailable instead; density keeps both.) */
int64_t meminfo_used(const struct meminfo *m);

/* The roots and every process descending from them (from the PPid of each
 * /proc/PID/stat), each once, roots first; at most max. */
int proc_tree(const pid_t *roots, int nroots, pid_t *out, int max);

/* Processes whose command name (/proc/PID/comm) starts with one of the
 * NULL-terminated prefixes, except those in skip[]; at most max. */
int proc_find_comm(const char *const *prefixes, const pid_t *skip, int nskip, pid_t *out, int max);

/* Pss of /proc/PID/smaps_rollup in KiB; -ESRCH when the process is gone,
 * -ENODATA when it has no Pss line (a kernel thread, a zombie). */
int proc_pss_kib(pid_t pid, int64_t *kib);
int proc_pss_parse(const char *text, int64_t *kib);

/* /proc/PID/ksm_stat (Linux 6.1+; mergeable/merge_any from 6.8/6.4): */
struct proc_ksm {
	int64_t merging_pages; /* pages of this process KSM has merged */
	int64_t profit;	       /* ksm_process_profit, bytes (-1: absent) */
	int mergeable;	       /* has MADV_MERGEABLE memory or merge-any (-1: unknown) */
	int merge_any;	       /* PR_SET_MEMORY_MERGE is on (-1: unknown) */
};
int proc_ksm_read(pid_t pid, struct proc_ksm *k);
void proc_ksm_parse(const char *text, struct proc_ksm *k);

#endif
