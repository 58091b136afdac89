/* Comparisons of two samples of one metric (e.g. a variant against the
 * baseline): pure functions, unit-tested against independently computed
 * values. */
#ifndef VB_STATS_COMPARE_H
#define VB_STATS_COMPARE_H

struct comparison {
	int na, nb;
	double mean_a, mean_b;
	double ratio;              /* mean_b / mean_a */
	double ratio_lo, ratio_hi; /* its 95% interval (Fieller; infinite bounds when undefined) */
	double t, df;              /* Welch's t statistic and degrees of freedom */
	double p;                  /* two-sided p value of Welch's t test */
	double p_adj;              /* after correction for the number of comparisons */
	int significant;           /* p_adj < alpha */
	int verdict;               /* +1 b is better, -1 b is worse, 0 no significant difference */
};

/* Welch's t test and the ratio interval; higher_is_better decides the
 * verdict's sign. Needs na, nb >= 2 for a test (else p = 1, verdict 0). */
int compare_samples(const double *a, int na, const double *b, int nb, int higher_is_better,
		    struct comparison *out);
/* Holm-Bonferroni over n comparisons of one report: sets p_adj,
 * significant and verdict. */
void compare_correct(struct comparison *c, int n, double alpha);
/* Does a larger value of this metric mean better? (latencies, CPU cost and
 * "_us"/"_ms" units: no; rates and throughputs: yes) */
int metric_higher_is_better(const char *name, const char *unit);
/* Flags for a sample: coefficient of variation above cv_limit, and a
 * bimodality coefficient above 5/9 (Sarle's b) with at least 6 values. */
int stats_noisy(const double *x, int n, double cv_limit);
int stats_bimodal(const double *x, int n);

#endif
