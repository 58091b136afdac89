/* The runner executes a validated plan: sets up every variant's target,
 * starts its agent, runs every workload `repeat` times (interleaving the
 * variants), samples host telemetry around each run, and stores each
 * finished run in its own transaction. */
#ifndef VB_CORE_RUNNER_H
#define VB_CORE_RUNNER_H

#include <stdint.h>

#include "core/plan.h"
#include "store/store.h"

struct runner_opts {
	int quiet; /* no progress lines */
};

/* Returns 0 when every run succeeded, 1 when some failed or the experiment
 * was interrupted (the finished runs are stored either way), or a negative
 * errno when the experiment could not start. */
int runner_run(struct plan *p, struct store *st, const struct runner_opts *o,
	       int64_t *exp_id);

#endif
