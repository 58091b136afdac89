/* vmbench tune: the best configuration of a plan's knob space for one
 * objective, in a fraction of the full matrix's runs.
 *
 * A tune plan is a `vmbench run` plan (its variant axes are the space, e.g.
 * bus x cache x aio x iothread) with a [tune] section:
 *
 *   [tune]
 *   objective = maximize read_iops of workload rr
 *   constraint = host_iowait_pct < 5      ; optional, several with ';'
 *
 * The search is tune/race.h's racing with successive halving; each round
 * runs the configurations still in the race through the runner, so every
 * run is stored like any experiment's (one experiment per round, named
 * "NAME (tune round K)"), and is judged with the report's comparison. The
 * plan's repeat (its maximum, when adaptive) bounds the runs of one
 * configuration, as in the full matrix. */
#ifndef VB_TUNE_TUNE_H
#define VB_TUNE_TUNE_H

#include <stdint.h>
#include <stdio.h>

#include "run/plan.h"
#include "store/store.h"

struct tune_opts {
	char objective[256];
	char constraint[512];
	int64_t first; /* runs per configuration in round one */
	int64_t step;  /* runs per configuration in each later round */
	double alpha;
	int halving;
	double budget_pct; /* the most runs, % of the full matrix's */
};
extern const struct opt_def tune_options[];

struct tune_syntax {
	struct plan_section sections[2];
	struct plan_syntax syntax;
};
/* plan_init()s p as a tune plan whose [tune] section fills o (defaults
 * set); ts must live as long as p. */
void tune_plan_init(struct plan *p, struct tune_opts *o, struct tune_syntax *ts);

struct tune_objective {
	int maximize;
	char metric[64];
	char workload[PLAN_NAME_MAX];
};
/* "maximize|minimize METRIC of [workload] NAME"; -EINVAL with the form. */
int tune_parse_objective(const char *text, struct tune_objective *obj);

#define TUNE_MAX_CONSTRAINTS 8
struct tune_constraint {
	char metric[64];
	char op[4]; /* "<", "<=", ">", ">=" */
	double limit;
};
/* "METRIC OP NUMBER[; ...]"; returns how many, or -EINVAL naming the bad one. */
int tune_parse_constraints(const char *text, struct tune_constraint *c, int max);
/* Does a mean satisfy the constraint? */
int tune_constraint_ok(const struct tune_constraint *c, double mean);

struct tune_run_opts {
	int quiet;
	int dry_run; /* print the search (rounds, budget), run nothing */
};

/* Checks the plan against the objective, races, prints the rounds and the
 * result on out. Returns 0, 1 when interrupted or nothing could be
 * measured, or a negative errno (with the message printed). */
int tune_run(struct plan *p, const struct tune_opts *o, struct store *st,
	     const struct tune_run_opts *ro, FILE *out);

#endif
