/* The options of a density experiment and density plan files: a plan
 * file's [experiment] and [variant NAME] sections as `vmbench run` reads
 * them (run/plan.c), plus a [density] section read here. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "density/density.h"
#include "util/err.h"

const char *const density_ksm_names[] = {"off", "on", "both", NULL};

const struct opt_def density_options[] = {
    OPT_INT("count", struct density_opts, count, "20", 1, 10000, "instances to launch at most"),
    OPT_INT("first", struct density_opts, first, "10", 0, 10000,
	    "instances launched and measured one by one before the groups of 'step'"),
    OPT_INT("step", struct density_opts, step, "10", 1, 10000,
	    "instances per step after the first ones"),
    OPT_SIZE("reserve", struct density_opts, reserve, "0", 0, 0,
	     "stop before MemAvailable falls under this (0: 10% of MemTotal or 1G, "
	     "whichever is larger)"),
    OPT_ENUM("ksm", struct density_opts, ksm, "off", density_ksm_names,
	     "KSM during the ramp: off, on (aggressive scanning, settings restored "
	     "afterwards), both (the whole ramp twice: off, then on)"),
    OPT_INT("ksm-pages-to-scan", struct density_opts, ksm_pages_to_scan, "5000", 1, 1e7,
	    "KSM's pages_to_scan while the ramp runs with KSM on"),
    OPT_INT("ksm-sleep-millisecs", struct density_opts, ksm_sleep_ms, "20", 0, 60000,
	    "KSM's sleep_millisecs while the ramp runs with KSM on"),
    OPT_DOUBLE("ksm-change-pct", struct density_opts, ksm_change_pct, "5", 0, 100,
	       "KSM has converged when pages_sharing changes by less than this between "
	       "two full scans"),
    OPT_DURATION("ksm-timeout", struct density_opts, ksm_timeout_ns, "300s", 1e9, 86400e9,
		 "how long a step waits for KSM to converge"),
    OPT_BOOL("merge-any", struct density_opts, merge_any, "off",
	     "with KSM on, mark all of the instances' memory mergeable (prctl "
	     "PR_SET_MEMORY_MERGE; Linux 6.4+); else KSM merges only what they madvise, "
	     "as QEMU does with guest RAM"),
    OPT_DOUBLE("settle-pct", struct density_opts, settle_pct, "1", 0.001, 100,
	       "memory is stable when host used changes by less than this percentage "
	       "between consecutive samples"),
    OPT_DURATION("settle-interval", struct density_opts, settle_interval_ns, "1s", 1e8, 60e9,
		 "time between two memory samples"),
    OPT_INT("settle-samples", struct density_opts, settle_samples, "2", 1, 100,
	    "consecutive stable intervals that make a step stable"),
    OPT_DURATION("settle-timeout", struct density_opts, settle_timeout_ns, "60s", 1e9, 3600e9,
		 "how long a step waits for stable figures (then it is measured and "
		 "marked unstable)"),
    OPT_END,
};

void density_opts_init(struct density_opts *o)
{
	memset(o, 0, sizeof(*o));
	opt_defaults(density_options, o);
}

void density_plan_init(struct plan *p, struct density_opts *o, struct density_syntax *ds)
{
	plan_init(p);
	density_opts_init(o);
	memset(ds, 0, sizeof(*ds));
	ds->sections[0] = (struct plan_section){.name = "density", .options = density_options,
						.obj = o};
	ds->syntax.sections = ds->sections;
	ds->syntax.no_workloads = "a density plan launches idle instances: it has no [workload] "
				  "sections (run workloads with 'vmbench run')";
	plan_set_syntax(p, &ds->syntax);
}

int density_plan_check(const struct plan *p)
{
	if (p->nv == 0)
		return vb_err(-EINVAL,
			      "%s: no [variant NAME] section: say which target to launch "
			      "(e.g. [variant vm] with target = qemu)",
			      p->source[0] ? p->source : "plan");
	return 0;
}
