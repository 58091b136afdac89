/* PLACEHOLDER until the real workload lands: replace this whole file. */
#include "workloads/workload.h"
static const char *ph_unavailable(void) { return "not built yet"; }
static int ph_run(struct wl_run *run) { (void)run; return -1; }
static const struct opt_def ph_options[] = { OPT_END };
const struct workload_ops memory_workload = {
	.name = "memory", .options = ph_options, .run = ph_run, .unavailable = ph_unavailable,
};
