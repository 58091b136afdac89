/* Racing with successive halving over the configurations of a knob space:
 * the search of `vmbench tune`, kept apart from the runner so that it is a
 * pure function of the values it is given (tests/unit/test_tune.c drives it
 * with a synthetic objective whose optimum is known).
 *
 * Rounds: every configuration still in the race gets `first` runs in round
 * one and `step` more in each later round. After a round (race_judge):
 *   1. each one is compared with the current best (the best mean) by the
 *      report's comparison (stats/compare.h: Welch's t, Fieller interval,
 *      Bonferroni over the round's comparisons at alpha), and dropped once
 *      it is significantly worse;
 *   2. with halving on and more than two left, only the better half by mean
 *      (rounded up) goes on.
 * The race ends when one configuration is left, when every one left has
 * max_runs values (the plan's repeat, so the race never runs a
 * configuration more often than the full matrix would), or before a round
 * that would pass the budget of runs. */
#ifndef VB_TUNE_RACE_H
#define VB_TUNE_RACE_H

#include "stats/compare.h"

struct race_opts {
	int maximize; /* 1: higher is better */
	int first;    /* runs per configuration in round one (>= 1) */
	int step;     /* runs per configuration in every later round (>= 1) */
	int max_runs; /* per configuration, at most */
	double alpha; /* family-wise error rate of one round's comparisons */
	int halving;  /* keep the better half by mean after each round */
	int budget;   /* the most runs in all (0: no limit); a round that would pass
		       * it is not run, except round one */
};

struct race_arm {
	char name[64];
	double *x;
	int n, cap;
	int alive;
	int out_round; /* the round it was dropped in (0: still in) */
	char why[256]; /* why it was dropped */
};

struct race {
	struct race_opts o;
	struct race_arm *arm;
	int narms;
	int round; /* rounds judged */
	int runs;  /* values added */
};

/* -EINVAL when n < 1 or the options make no sense (first, step or
 * max_runs < 1, alpha outside (0, 1)), with the reason. */
int race_init(struct race *r, const char *const *names, int n, const struct race_opts *o);
void race_free(struct race *r);
/* The runs each configuration gets in the next round (reps[i], 0 for those
 * out of the race or already at max_runs); returns their sum, 0 when the
 * race is over. */
int race_next(const struct race *r, int *reps);
int race_add(struct race *r, int arm, double value);
/* Drops a configuration for a reason of the caller's (a constraint it
 * breaks, runs that all failed). */
void race_drop(struct race *r, int arm, const char *why);
/* Judges the round (see above); returns how many are still in. */
int race_judge(struct race *r);
/* The best still in by mean (-1: none left). */
int race_best(const struct race *r);
/* The one the best beat: the second best still in, else the last one
 * dropped with the best mean of its round (-1: none). */
int race_runner_up(const struct race *r);
/* The comparison of b against a (a the reference), as the report makes it. */
int race_compare(const struct race *r, int a, int b, struct comparison *c);
double race_mean(const struct race_arm *a);

#endif
