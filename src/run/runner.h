/* The runner executes a validated plan: sets up every variant's target,
 * starts its agent, runs every workload `repeat` times (interleaving the
 * variants by default), samples host telemetry around each run, and stores
 * each finished run in its own transaction.
 *
 * Order: interleaved runs round 1 of every variant x workload, then round 2;
 * randomized shuffles each round (seeded, the seed is stored); sequential
 * runs all repeats of one pair before the next. Adaptive repeats (repeat =
 * MIN..MAX with until=) stop a pair once its headline metric's interval is
 * narrow enough, or at MAX, and say which. --resume counts the successful
 * runs already stored and runs only what is missing.
 *
 * Every instance goes through run/instance.h (the same lifecycle density
 * uses) and SIGINT/SIGTERM/SIGHUP through run/stopsig.h. Progress lines say
 * "[done/total]", where total is what is done plus what is left, so a retry
 * raises the total and an early stop lowers it. */
#ifndef VB_RUN_RUNNER_H
#define VB_RUN_RUNNER_H

#include <stdint.h>

#include "run/plan.h"
#include "store/store.h"

struct runner_opts {
	int quiet;	   /* no progress lines */
	int dry_run;	   /* print the expanded runs and commands, run nothing */
	int64_t resume_id; /* > 0: add the missing runs to this experiment */
};

/* Returns 0 when every run succeeded, 1 when some failed or the experiment
 * was interrupted (the finished runs are stored either way), RUNNER_SKIPPED
 * when none failed but some were skipped (their target, engine or workload
 * is unavailable here; stored with status 'skipped' and the reason), or a
 * negative errno when the experiment could not start.
 *
 * Failures are retried (up to twice repeat attempts per variant x workload)
 * only when they are transient (run/fate.h): one that would repeat is stored
 * once and ends its variant x workload. */
#define RUNNER_SKIPPED 3

int runner_run(struct plan *p, struct store *st, const struct runner_opts *o, int64_t *exp_id);

#endif
