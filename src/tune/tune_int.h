/* What tune.c and tune_out.c share: the state of one tune. */
#ifndef VB_TUNE_TUNE_INT_H
#define VB_TUNE_TUNE_INT_H

#include "tune/race.h"
#include "tune/tune.h"

#define TUNE_MAX_EXPERIMENTS 64

struct tune_values {
	double *x;
	int n, cap;
};

struct tune_state {
	struct plan *p;
	struct store *st;
	const struct tune_run_opts *ro;
	FILE *out;
	struct tune_objective obj;
	struct tune_constraint cons[TUNE_MAX_CONSTRAINTS];
	int ncons;
	struct tune_values *cx[TUNE_MAX_CONSTRAINTS]; /* per constraint, per variant */
	int wl;			  /* the objective's workload in p->w */
	struct race race;
	int got; /* values of the objective read */
	int64_t exp[TUNE_MAX_EXPERIMENTS];
	int nexp;
};

void tune_print_head(const struct tune_state *ts, const struct tune_opts *o);
/* before[i]: was configuration i in the race before this round's judging */
void tune_print_round(const struct tune_state *ts, int round, const int *reps, const int *before);
/* The best, the runner-up it beat, the share of the full matrix's runs, and
 * the best as a plan variant, a QEMU command-line fragment and a libvirt
 * domain XML fragment (qemu targets). */
int tune_print_result(const struct tune_state *ts);

#endif
