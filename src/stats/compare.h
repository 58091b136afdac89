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
	double level; /* confidence of [ratio_lo, ratio_hi]: 0.95, or 1 - alpha/m in a family */
	double va, vb; /* variances of the two means (sd^2 / n): the interval at any level */
	/* Welch's t = (mean_b - mean_a) / sqrt(sd_a^2/na + sd_b^2/nb) (scipy's
	 * ttest_ind(b, a, equal_var=False)) and the Welch-Satterthwaite df.
	 * Both samples constant: t = 0 (equal means) or +-INFINITY, df = na+nb-2. */
	double t, df;
	double p;   /* two-sided p value of Welch's t test (1 when not tested) */
	int tested; /* na >= 2 and nb >= 2: t, df and p are meaningful */
	int higher_is_better;
	double p_adj;	 /* after correction for the number of comparisons */
	int family;	 /* m, the comparisons of the family it was judged in (1: alone) */
	int significant; /* the interval excludes 1 (which is p_adj < alpha, see below) */
	int verdict;	 /* +1 b is better, -1 b is worse, 0 no significant difference */
};

/* Welch's t test and the ratio interval; higher_is_better decides the
 * verdict's sign. Needs na, nb >= 2 for a test (else tested = 0, p = 1,
 * verdict 0). On its own a comparison is judged at alpha = 0.05 with
 * p_adj = p; compare_family() judges a family of them. Returns 0, or
 * -EINVAL for n < 1 on either side.
 *
 * The verdict and the interval never disagree: Fieller's set at level
 * 1 - a holds the ratio 1 exactly when |Welch's t| <= t(1 - a/2, df), the
 * acceptance region of the test at a (same t, same df). So the verdict is
 * read from the interval: significant when it excludes 1. Where Fieller's
 * set is two rays (the reference's mean is not clearly away from 0) the
 * ray holding the estimate is kept when 1 lies between them, and the
 * interval is unbounded when 1 lies on a ray. */
int compare_samples(const double *a, int na, const double *b, int nb, int higher_is_better,
		    struct comparison *out);
/* Judges n comparisons as one family at a family-wise error rate alpha,
 * by Bonferroni: m = the tested ones; p_adj = min(1, m p); the interval
 * is recomputed at level 1 - alpha/m; significant and verdict from that
 * interval (equivalently p_adj < alpha). Untested ones keep p_adj = 1, an
 * unbounded interval and verdict 0, and do not count in m. Bonferroni
 * rather than Holm because it has intervals that match its tests. */
void compare_family(struct comparison *c, int n, double alpha);
/* Fieller's interval of the ratio at a confidence level for a
 * comparison's means and variances (c->va, c->vb) with Welch's df; sets
 * ratio_lo, ratio_hi, level, significant and verdict. */
void compare_interval(struct comparison *c, double level);
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
