/* Summaries of repeated measurements: pure functions. */
#ifndef VB_STATS_SUMMARY_H
#define VB_STATS_SUMMARY_H

struct summary {
	int n;
	double mean, sd, cv; /* cv = sd / mean */
	double ci95;         /* half-width of the 95% Student-t interval of the mean */
	double median, min, max;
};

/* x is not modified. n == 0 gives all zeros; n == 1 gives sd = ci95 = 0. */
void summary_compute(const double *x, int n, struct summary *s);
/* The p-th percentile (0..100) of x, interpolated linearly between the
 * closest ranks (p 50 is the median, 100 the maximum); NAN when n <= 0.
 * x is not modified. */
double summary_percentile(const double *x, int n, double p);
/* Two-sided Student t quantile for 95% with df degrees of freedom. */
double summary_t975(int df);

#endif
