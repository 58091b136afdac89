/* Comparisons of two samples of one metric (e.g. a variant against the
 * baseline): pure functions, unit-tested against independently computed
 * values (tests/unit/test_compare.c). Sample a is the reference (the
 * baseline), b the one being judged. */
#ifndef VB_STATS_COMPARE_H
#define VB_STATS_COMPARE_H

struct comparison {
	int na, nb;
	double mean_a, mean_b;
	/* mean_b / mean_a (NAN when mean_a is 0) and its 95% interval by
	 * Fieller's theorem for two independent means, with the t quantile at
	 * Welch's df. When the interval is unbounded (the denominator's mean is
	 * not significantly different from 0, or either n < 2) ratio_lo is
	 * -INFINITY and ratio_hi +INFINITY. */
	double ratio;
	double ratio_lo, ratio_hi;
	/* Welch's t = (mean_b - mean_a) / sqrt(sd_a^2/na + sd_b^2/nb) (scipy's
	 * ttest_ind(b, a, equal_var=False)) and the Welch-Satterthwaite df.
	 * Both samples constant: t = 0 (equal means) or +-INFINITY, df = na+nb-2. */
	double t, df;
	double p;   /* two-sided p value of Welch's t test (1 when not tested) */
	int tested; /* na >= 2 and nb >= 2: t, df and p are meaningful */
	int higher_is_better;
	double p_adj;	 /* after correction for the number of comparisons */
	int significant; /* p_adj < alpha */
	int verdict;	 /* +1 b is better, -1 b is worse, 0 no significant difference */
};

/* Welch's t test and the ratio interval; higher_is_better decides the
 * verdict's sign. Needs na, nb >= 2 for a test (else tested = 0, p = 1,
 * verdict 0). On its own a comparison is judged at alpha = 0.05 with
 * p_adj = p; compare_correct() judges a family of them. Returns 0, or
 * -EINVAL for n < 1 on either side. */
int compare_samples(const double *a, int na, const double *b, int nb, int higher_is_better,
		    struct comparison *out);
/* Holm-Bonferroni over the n comparisons of one report: sets p_adj,
 * significant and verdict. Comparisons that were not tested keep p_adj = 1
 * and do not count in the family size. */
void compare_correct(struct comparison *c, int n, double alpha);
/* Holm's step-down adjustment of m p values (the core of compare_correct):
 * adj[i] = max over the j-th smallest p(j) <= p[i] of min(1, (m - j + 1) p(j)). */
void compare_holm(const double *p, int m, double *adj);
/* Does a larger value of this metric mean better? No for times and
 * latencies (names ending in _us, _ms, _ns or a time _s that is not a
 * throughput such as _per_s or _mib_s; units "us", "ms", "ns", "s") and for
 * CPU cost (cpu_us_per_io, *_cpu_pct, cpu_*_pct); yes for everything else
 * (rates, throughputs, counts). A throughput unit ("1/s", "MiB/s", "MB/s")
 * always means higher is better. unit may be NULL. */
int metric_higher_is_better(const char *name, const char *unit);
/* Flags for a sample: coefficient of variation above cv_limit (n >= 2), and
 * Sarle's bimodality coefficient
 *   b = (G1^2 + 1) / (G2 + 3 (n-1)^2 / ((n-2)(n-3)))
 * (G1, G2: sample skewness and excess kurtosis corrected for n, as Excel's
 * SKEW and KURT or scipy's skew/kurtosis with bias=False) above 5/9, the
 * value of a uniform distribution, with at least 6 values. */
int stats_noisy(const double *x, int n, double cv_limit);
int stats_bimodal(const double *x, int n);
/* Sarle's b itself (NAN when n < 4 or the sample is constant). */
double stats_bimodality(const double *x, int n);

#endif
