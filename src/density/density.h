/* Density experiments: how many idle instances of a target fit on this
 * host, and what each costs, with and without KSM.
 *
 * For every variant of a plan (any target: native agents, containers, QEMU
 * guests; through target_ops only), and for KSM off and/or on, a ramp
 * launches idle instances (setup + exec + the agent's hello, one at a time):
 * the first `first` one by one, then groups of `step`, up to `count`,
 * stopping early when MemAvailable would fall under `reserve`. After each
 * step it waits until host memory is stable (`settle-*`) and, with KSM on,
 * until KSM has converged (pages_sharing changes by under `ksm-change-pct`
 * between two full scans), then measures against the ramp's baseline:
 *
 *   used      free's used (MemTotal - MemFree - Buffers - Cached - SReclaimable)
 *   available MemAvailable consumed
 *   pss       the sum of PSS over every process of the instances (the target's
 *             telemetry_pids and their descendants)
 *
 * and per instance (/ n), the launch times (exec -> hello) and KSM's
 * counters. Rows go to the store (store/density_store.h); reports come from
 * density_report.h. KSM's settings are saved and restored exactly (ksm.h).
 *
 * A density plan is a plan file with [variant NAME] sections and a
 * [density] section of density_options, read by the one plan parser
 * (run/plan.h) with density_plan_init()'s syntax; `vmbench run` refuses a
 * [density] section. Instances go through run/instance.h, signals through
 * run/stopsig.h. */
#ifndef VB_DENSITY_DENSITY_H
#define VB_DENSITY_DENSITY_H

#include <stdint.h>

#include "run/plan.h"
#include "store/store.h"

enum { DENSITY_KSM_OFF, DENSITY_KSM_ON, DENSITY_KSM_BOTH };
extern const char *const density_ksm_names[]; /* off on both */

struct density_opts {
	int64_t count;	  /* instances at most */
	int64_t first;	  /* launched and measured one by one before the groups */
	int64_t step;	  /* instances per step after the first ones */
	uint64_t reserve; /* MemAvailable kept free; 0: max(10% of MemTotal, 1G) */
	int ksm;	  /* DENSITY_KSM_* */
	int64_t ksm_pages_to_scan;
	int64_t ksm_sleep_ms;
	double ksm_change_pct;
	int64_t ksm_timeout_ns;
	int merge_any; /* mark the instances' memory mergeable (PR_SET_MEMORY_MERGE) */
	double settle_pct;
	int64_t settle_interval_ns;
	int64_t settle_samples;
	int64_t settle_timeout_ns;
};

extern const struct opt_def density_options[];

void density_opts_init(struct density_opts *o);

/* What a density plan file holds beyond [experiment] and [variant NAME]
 * sections: a [density] section of density_options, no [workload]. */
struct density_syntax {
	struct plan_section sections[2];
	struct plan_syntax syntax;
};

/* plan_init()s p and makes it a density plan whose [density] section fills
 * o (set to its defaults); ds must live as long as p. plan_load() then reads
 * a density plan file (errors name the file and line) and plan_to_ini()
 * writes one back, [density] included. */
void density_plan_init(struct plan *p, struct density_opts *o, struct density_syntax *ds);
/* After loading: is there a variant to launch? */
int density_plan_check(const struct plan *p);

struct density_run_opts {
	int quiet;
};

/* Runs every variant's ramp(s) and stores them as one experiment (its id in
 * *exp_id). 0: every ramp ran (to count or to the reserve); 1: a launch
 * failed or the experiment was interrupted (what ran is stored);
 * DENSITY_SKIPPED: none failed, but a variant's target is unavailable here
 * (its ramp's note says "skipped": true and why in "stopped"); < 0: could
 * not run (a message was printed), including KSM settings that could not
 * be restored. */
#define DENSITY_SKIPPED 3
int density_run(struct plan *p, const struct density_opts *o, struct store *st,
		const struct density_run_opts *ro, int64_t *exp_id);

#endif
