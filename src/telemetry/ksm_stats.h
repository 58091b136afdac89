/* KSM's host-wide counters and the reading of its sysfs files
 * (/sys/kernel/mm/ksm under the telemetry root, or $VMBENCH_KSM_DIR).
 * Reading only: turning KSM on and restoring it is density/ksm.c. */
#ifndef VB_TELEMETRY_KSM_STATS_H
#define VB_TELEMETRY_KSM_STATS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define KSM_SYSFS_DIR "/sys/kernel/mm/ksm"
#define KSM_ABSENT INT64_MIN

/* Where KSM's files are: the directory given here, else $VMBENCH_KSM_DIR,
 * else /sys/kernel/mm/ksm under the telemetry root. NULL: the default. */
void ksm_stats_set_dir(const char *dir);
const char *ksm_stats_dir(void);

/* The value of a KSM file's text: trimmed; for a choice list
 * ("[none] scan-time") the chosen word. -EOVERFLOW if it does not fit n. */
int ksm_value_parse(const char *text, char *buf, size_t n);
/* The same, read from the file name in the KSM directory; -ENOENT when the
 * kernel lacks it. */
int ksm_value_read(const char *name, char *buf, size_t n);
/* A counter as a number, KSM_ABSENT when absent or not a number. */
int64_t ksm_value_int(const char *name);

struct ksm_stats {
	int64_t pages_shared;	/* KSM pages in use (each stands for many) */
	int64_t pages_sharing;	/* page table entries pointing at them: pages saved */
	int64_t pages_unshared; /* scanned, unique, candidates */
	int64_t pages_volatile; /* changing too fast to merge */
	int64_t full_scans;
	int64_t general_profit; /* bytes saved minus KSM's metadata (may be < 0) */
	int64_t zero_pages;	/* ksm_zero_pages (use_zero_pages=1) */
				/* a counter this kernel lacks is KSM_ABSENT */
};
int ksm_stats_read(struct ksm_stats *s);
json_t *ksm_stats_json(const struct ksm_stats *s);

#endif
