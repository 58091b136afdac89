/* stats/compare, stats/pool and report/analysis: known answers computed
 * independently of GSL and of this code.
 *
 * The reference values come from a short Python script (python3's
 * fractions and math only, no scipy available here): t and df in exact
 * rational arithmetic; the two-sided p as twice the integral of the Student
 * t density from |t| to infinity (Simpson's rule, 200000 steps, after the
 * substitution x = |t| + u/(1-u)); the 97.5% t quantile by bisection on that
 * integral; Fieller's bounds from the closed-form roots of its quadratic.
 * Where a textbook or Wikipedia gives the same example, the rounded figures
 * agree (noted per case). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/analysis.h"
#include "stats/compare.h"
#include "stats/hist.h"
#include "stats/pool.h"
#include "util/err.h"

static void assert_close(double got, double want, double tol, const char *what)
{
	if (!(fabs(got - want) <= tol))
		fail_msg("%s: got %.12g, want %.12g (tolerance %g)", what, got, want, tol);
}

/* Wikipedia, "Welch's t-test", first example (equal sizes, n = 15): it
 * gives t = -2.46, df = 24.9, p = 0.021. Exact: t = -2.455356398286, df = 24.988529290231,
 * p = 0.0213780015. Here a = A2 (reference) and b = A1, so t = (mean(A1) -
 * mean(A2)) / se, the sign of scipy's ttest_ind(A1, A2, equal_var=False). */
static const double A1[] = {27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1,
			    21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4};
static const double A2[] = {27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0,
			    24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4};

static void test_welch_wikipedia(void **state)
{
	struct comparison c;
	(void)state;
	assert_int_equal(compare_samples(A2, 15, A1, 15, 1, &c), 0);
	assert_int_equal(c.na, 15);
	assert_int_equal(c.nb, 15);
	assert_true(c.tested);
	assert_close(c.t, -2.455356398286, 1e-9, "t");
	assert_close(c.df, 24.988529290231, 1e-9, "df");
	assert_close(c.p, 0.0213780015, 1e-8, "p");
	/* ratio mean(A1)/mean(A2) = 20.82/22.98666..., Fieller with
	 * t(0.975, 24.9885) = 2.0595864914 */
	assert_close(c.ratio, 0.905742459397, 1e-11, "ratio");
	assert_close(c.ratio_lo, 0.830782234534, 1e-8, "ratio_lo");
	assert_close(c.ratio_hi, 0.984406654393, 1e-8, "ratio_hi");
	/* alone, at alpha 0.05: A1 is lower; higher is better, so worse */
	assert_close(c.p_adj, c.p, 0, "p_adj alone");
	assert_true(c.significant);
	assert_int_equal(c.verdict, -1);
	/* lower is better (a latency): the same difference is an improvement */
	assert_int_equal(compare_samples(A2, 15, A1, 15, 0, &c), 0);
	assert_int_equal(c.verdict, 1);
	/* swapping the sides flips t, keeps df and p */
	assert_int_equal(compare_samples(A1, 15, A2, 15, 1, &c), 0);
	assert_close(c.t, 2.455356398286, 1e-9, "t swapped");
	assert_close(c.df, 24.988529290231, 1e-9, "df swapped");
	assert_close(c.p, 0.0213780015, 1e-8, "p swapped");
	assert_int_equal(c.verdict, 1);
}

/* Unequal sizes and variances: X (n = 5) against Y (n = 6).
 * mean X = 11, var X = 2.5; mean Y = 125/6, var Y = 37/6 (hand-checked:
 * squares of deviations 0.694+1.361+3.361+17.36+0.028+8.028 = 30.83, /5).
 * se^2 = 2.5/5 + (37/6)/6 = 0.5 + 1.02777 = 1.52777; t = 9.8333/1.23603 =
 * 7.955558377066; df = 1.52777^2 / (0.5^2/4 + 1.02777^2/5) = 8.525930101466;
 * p = 3.16648478075e-05; ratio 125/66 = 1.893939393939 within
 * [1.580936347257, 2.290206194776] (t quantile 2.2814770034). */
static void test_welch_unequal(void **state)
{
	const double x[] = {10, 12, 9, 11, 13}, y[] = {20, 22, 19, 25, 21, 18};
	struct comparison c;
	(void)state;
	assert_int_equal(compare_samples(x, 5, y, 6, 1, &c), 0);
	assert_close(c.mean_a, 11, 1e-12, "mean a");
	assert_close(c.mean_b, 125.0 / 6, 1e-12, "mean b");
	assert_close(c.t, 7.955558377066, 1e-9, "t");
	assert_close(c.df, 8.525930101466, 1e-9, "df");
	assert_close(c.p, 3.16648478075e-05, 1e-10, "p");
	assert_close(c.ratio, 125.0 / 66, 1e-12, "ratio");
	assert_close(c.ratio_lo, 1.580936347257, 1e-8, "ratio_lo");
	assert_close(c.ratio_hi, 2.290206194776, 1e-8, "ratio_hi");
	assert_int_equal(c.verdict, 1);
	/* Fieller's bounds are the roots of (mb - r ma)^2 = q^2 (vb + r^2 va):
	 * check the defining equation rather than the closed form */
	double q = 2.2814770034, va = 2.5 / 5, vb = 37.0 / 36;
	for (int i = 0; i < 2; i++) {
		double r = i ? c.ratio_hi : c.ratio_lo;
		double lhs = pow(c.mean_b - r * c.mean_a, 2), rhs = q * q * (vb + r * r * va);
		assert_close(lhs, rhs, 1e-6, "Fieller's equation at a bound");
	}
}

static void test_edge_cases(void **state)
{
	struct comparison c;
	const double one[] = {5}, two[] = {4, 6}, k7[] = {7, 7, 7}, k9[] = {9, 9, 9, 9};
	const double zero[] = {-1, 1, -2, 2}, pos[] = {10, 11, 9, 10};
	(void)state;
	assert_int_equal(compare_samples(one, 0, two, 2, 1, &c), -EINVAL);
	/* n = 1 on a side: no test, no interval */
	assert_int_equal(compare_samples(one, 1, two, 2, 1, &c), 0);
	assert_false(c.tested);
	assert_close(c.p, 1, 0, "p untested");
	assert_int_equal(c.verdict, 0);
	assert_close(c.ratio, 1, 1e-15, "ratio untested");
	assert_true(isinf(c.ratio_lo) && c.ratio_lo < 0);
	assert_true(isinf(c.ratio_hi) && c.ratio_hi > 0);
	/* two constant samples: a certain difference, an exact ratio */
	assert_int_equal(compare_samples(k7, 3, k9, 4, 1, &c), 0);
	assert_true(c.tested);
	assert_true(isinf(c.t) && c.t > 0);
	assert_close(c.df, 5, 0, "df of constant samples");
	assert_close(c.p, 0, 0, "p of constant samples");
	assert_close(c.ratio_lo, 9.0 / 7, 1e-12, "exact ratio lo");
	assert_close(c.ratio_hi, 9.0 / 7, 1e-12, "exact ratio hi");
	assert_int_equal(c.verdict, 1);
	assert_int_equal(compare_samples(k7, 3, k7, 3, 1, &c), 0);
	assert_close(c.p, 1, 0, "p of equal constants");
	assert_int_equal(c.verdict, 0);
	/* a reference whose mean is not clearly away from 0: unbounded */
	assert_int_equal(compare_samples(zero, 4, pos, 4, 1, &c), 0);
	assert_true(isnan(c.ratio));
	assert_true(isinf(c.ratio_lo) && isinf(c.ratio_hi));
	assert_int_equal(compare_samples(two, 2, pos, 4, 1, &c), 0);
	/* mean 5, se 1, t(0.975, 1.x) > 5: the interval is unbounded */
	assert_true(isinf(c.ratio_lo) && isinf(c.ratio_hi));
}

/* Bonferroni over a family: p x m, the interval at 1 - alpha/m (Fieller's
 * equation holds at its bounds with t(1 - alpha/2m, df)), untested ones
 * outside the family. The X/Y pair of test_welch_unequal and the Wikipedia
 * pair: m = 2. */
static void test_family(void **state)
{
	const double x[] = {10, 12, 9, 11, 13}, y[] = {20, 22, 19, 25, 21, 18}, one[] = {5};
	struct comparison c[3];
	(void)state;
	compare_samples(x, 5, y, 6, 1, &c[0]);
	compare_samples(A2, 15, A1, 15, 1, &c[1]);
	compare_samples(one, 1, y, 6, 1, &c[2]); /* untested */
	double p0 = c[0].p, p1 = c[1].p;
	compare_family(c, 3, 0.05);
	assert_int_equal(c[0].family, 2);
	assert_close(c[0].p_adj, 2 * p0, 1e-15, "p x 2");
	assert_close(c[1].p_adj, 2 * p1, 1e-15, "p x 2");
	assert_close(c[0].level, 0.975, 1e-15, "level");
	assert_close(c[2].p_adj, 1, 0, "untested p_adj");
	assert_int_equal(c[2].verdict, 0);
	/* 2 x 0.0214 = 0.0428 < 0.05: still worse, and the wider interval
	 * still below 1 */
	assert_int_equal(c[1].verdict, -1);
	assert_true(c[1].ratio_hi < 1);
	double q = gsl_cdf_tdist_Pinv(1 - 0.05 / 4, c[0].df);
	for (int i = 0; i < 2; i++) {
		double r = i ? c[0].ratio_hi : c[0].ratio_lo;
		double lhs = pow(c[0].mean_b - r * c[0].mean_a, 2),
		       rhs = q * q * (c[0].vb + r * r * c[0].va);
		assert_close(lhs, rhs, 1e-6, "Fieller at 1 - alpha/2m");
	}
	assert_true(c[0].ratio_lo < 1.580936347257); /* wider than the 95% one */
	/* a family of 6: 0.0214 x 6 > 0.05, so no verdict, and 1 is inside */
	struct comparison six[6];
	for (int i = 0; i < 6; i++)
		compare_samples(A2, 15, A1, 15, 1, &six[i]);
	compare_family(six, 6, 0.05);
	assert_int_equal(six[0].verdict, 0);
	assert_true(six[0].ratio_lo < 1 && six[0].ratio_hi > 1);
}

/* The property the reports promise: a verdict and its interval never
 * contradict each other. Many synthetic families (sizes 1 to 8, 2 to 8
 * repeats a side, CV from 0.1% to 80%, ratios from 1/3 to 3 or exactly 1,
 * some constant samples): a verdict exactly when the interval excludes 1,
 * on the side of 1 the verdict says; and p_adj < alpha agrees. */
static uint64_t prop_rng = 0x9E3779B97F4A7C15ull;
static double prop_u(void)
{
	prop_rng ^= prop_rng >> 12;
	prop_rng ^= prop_rng << 25;
	prop_rng ^= prop_rng >> 27;
	return ((prop_rng * 2685821657736338717ull) >> 11) * (1.0 / 9007199254740992.0);
}
static double prop_normal(void)
{
	double u = prop_u(), v = prop_u();
	return sqrt(-2 * log(u > 1e-300 ? u : 1e-300)) * cos(2 * M_PI * v);
}

static void check_consistent(const struct comparison *c, double alpha)
{
	int excludes = c->ratio_lo > 1 || c->ratio_hi < 1;
	if (!c->tested) {
		assert_int_equal(c->verdict, 0);
		return;
	}
	if ((c->verdict != 0) != excludes)
		fail_msg("verdict %d with [%g, %g] (p_adj %g)", c->verdict, c->ratio_lo,
			 c->ratio_hi, c->p_adj);
	if (c->verdict) {
		/* above 1: b is larger (smaller when a's mean is negative) */
		int above = c->ratio_lo > 1, b_larger = c->mean_b > c->mean_a;
		assert_int_equal(above ^ (c->mean_a < 0), b_larger);
		assert_int_equal(c->verdict, b_larger == c->higher_is_better ? 1 : -1);
	}
	/* the test says the same, away from rounding at the boundary */
	if (fabs(c->p_adj - alpha) > 1e-9 && c->mean_a != 0 && (c->p_adj < alpha) != excludes)
		fail_msg("p_adj %g but [%g, %g]", c->p_adj, c->ratio_lo, c->ratio_hi);
}

static void test_verdict_interval_property(void **state)
{
	(void)state;
	double a[8], b[8];
	struct comparison fam[8];
	int verdicts = 0, total = 0, rays = 0;
	for (int trial = 0; trial < 6000; trial++) {
		int m = 1 + (int)(prop_u() * 8);
		for (int i = 0; i < m; i++) {
			int na = 2 + (int)(prop_u() * 7), nb = 2 + (int)(prop_u() * 7);
			double mean = pow(10, prop_u() * 5), cv = pow(10, -3 + prop_u() * 2.9);
			double ratio = prop_u() < 0.3 ? 1 : pow(3, 2 * prop_u() - 1);
			int constant = prop_u() < 0.03;
			for (int k = 0; k < na; k++)
				a[k] = constant ? mean : mean * (1 + cv * prop_normal());
			for (int k = 0; k < nb; k++)
				b[k] = constant ? mean * ratio
						: mean * ratio * (1 + cv * prop_normal());
			compare_samples(a, na, b, nb, prop_u() < 0.5, &fam[i]);
			check_consistent(&fam[i], 0.05); /* alone, at 0.05 */
		}
		compare_family(fam, m, 0.05);
		for (int i = 0; i < m; i++) {
			check_consistent(&fam[i], 0.05);
			verdicts += fam[i].verdict != 0;
			rays += isfinite(fam[i].ratio_lo) != isfinite(fam[i].ratio_hi);
			total++;
		}
	}
	/* the property is not vacuous: both kinds of answer occur */
	assert_true(verdicts > total / 10);
	assert_true(verdicts < total * 9 / 10);
	(void)rays;
}

static void test_higher_is_better(void **state)
{
	static const struct {
		const char *name, *unit;
		int want;
	} t[] = {
	    {"events_per_s", "1/s", 1}, {"mib_per_s", "MiB/s", 1},
	    {"read_mib_s", "MiB/s", 1}, {"read_mib_s", NULL, 1},
	    {"mb_per_s", "MB/s", 1},	{"read_iops", "1/s", 1},
	    {"reads_per_s", NULL, 1},	{"lat_p99_us", "us", 0},
	    {"lat_p99_us", NULL, 0},	{"read_clat_p99_9_us", "us", 0},
	    {"lat_max_ms", NULL, 0},	{"seconds", "s", 0},
	    {"boot_s", NULL, 0},	{"cpu_us_per_io", "us", 0},
	    {"cpu_us_per_io", NULL, 0}, {"target_cpu_pct", "%", 0},
	    {"qemu_cpu_pct", NULL, 0},	{"cpu_usr_pct", "%", 0},
	    {"cpu_sys_pct", "%", 0},	{"total_events", "count", 1},
	    {"bytes", "B", 1},		{"whatever", NULL, 1},
	    {"elapsed", "ms", 0},	{"fwd_mbit_s", "Mbit/s", 1},
	    {"rev_mbit_s", NULL, 1},	{"jitter_ms", "ms", 0},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (metric_higher_is_better(t[i].name, t[i].unit) != t[i].want)
			fail_msg("%s (%s): want higher_is_better = %d", t[i].name,
				 t[i].unit ? t[i].unit : "no unit", t[i].want);
}

/* Sarle's b with Excel's SKEW and KURT (Python, exact sums):
 *   five 1s and five 10s: SKEW 0, KURT -2.571428571 (-18/7), b = 56/99 = 0.5657
 *   (by hand: 1 / (-18/7 + 3*81/56) = 56/99), bimodal;
 *   100,101,99,100,102,98,100,101,99,100: KURT 0.080357, b = 0.226262626263;
 *   12 values around 10 and 30: b = 0.625227138228, bimodal;
 *   1..6 (uniform): KURT -1.2, b = 1/5.05 = 0.198019801980. */
static void test_bimodal(void **state)
{
	const double two[] = {1, 1, 1, 1, 1, 10, 10, 10, 10, 10};
	const double normalish[] = {100, 101, 99, 100, 102, 98, 100, 101, 99, 100};
	const double modes[] = {10, 11, 10.5, 10.2, 30, 31, 30.5, 31.2, 30.8, 10.1, 29.9, 10.4};
	const double six[] = {1, 2, 3, 4, 5, 6};
	const double flat[] = {3, 3, 3, 3, 3, 3, 3};
	(void)state;
	assert_close(stats_bimodality(two, 10), 56.0 / 99, 1e-12, "two points");
	assert_true(stats_bimodal(two, 10));
	assert_close(stats_bimodality(normalish, 10), 0.226262626263, 1e-11, "normal-ish");
	assert_false(stats_bimodal(normalish, 10));
	assert_close(stats_bimodality(modes, 12), 0.625227138228, 1e-11, "two modes");
	assert_true(stats_bimodal(modes, 12));
	assert_close(stats_bimodality(six, 6), 1 / 5.05, 1e-12, "uniform 1..6");
	assert_false(stats_bimodal(six, 6));
	assert_false(stats_bimodal(flat, 7));
	assert_true(isnan(stats_bimodality(flat, 7)));
	/* fewer than 6 values are never flagged */
	assert_false(stats_bimodal(two + 3, 5));
}

static void test_noisy(void **state)
{
	const double x[] = {10, 12, 9, 11, 13}; /* cv = sqrt(2.5)/11 = 0.1437 */
	(void)state;
	assert_true(stats_noisy(x, 5, 0.10));
	assert_false(stats_noisy(x, 5, 0.15));
	assert_false(stats_noisy(x, 1, 0.01));
}

/* Deterministic normal deviates (xorshift64*, Box-Muller). */
static uint64_t rng = 88172645463325252ull;
static double uniform(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return ((rng * 2685821657736338717ull) >> 11) * (1.0 / 9007199254740992.0);
}
static double normal(double mean, double sd)
{
	double u = uniform(), v = uniform();
	if (u < 1e-300)
		u = 1e-300;
	return mean + sd * sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/* A/A: two samples of the same process are not significantly different,
 * except at about the nominal rate alpha (Welch's test is close to exact
 * for normal samples); a difference of 3 sd is found nearly always. */
static void test_aa_calibration(void **state)
{
	int fp = 0, found = 0, trials = 4000;
	double a[5], b[5];
	struct comparison c;
	(void)state;
	for (int t = 0; t < trials; t++) {
		for (int i = 0; i < 5; i++) {
			a[i] = normal(1000, 30);
			b[i] = normal(1000, 30);
		}
		compare_samples(a, 5, b, 5, 1, &c);
		fp += c.verdict != 0;
		for (int i = 0; i < 5; i++)
			b[i] = normal(1090, 30);
		compare_samples(a, 5, b, 5, 1, &c);
		found += c.verdict == 1;
	}
	/* binomial(4000, 0.05): sd 14, so 200 +- 60 is > 4 sd wide */
	if (fp < 100 || fp > 260)
		fail_msg("A/A: %d of %d significant, want about 5%%", fp, trials);
	if (found < trials * 9 / 10)
		fail_msg("a 3-sd difference found in only %d of %d", found, trials);

	/* one fixed A/A pair as the e2e test would see it */
	const double x[] = {26860, 25100, 27400, 26010, 28100};
	const double y[] = {25340, 27020, 26700, 25900, 26550};
	compare_samples(x, 5, y, 5, 1, &c);
	assert_true(c.p > 0.05);
	assert_int_equal(c.verdict, 0);
	assert_true(c.ratio_lo < 1 && c.ratio_hi > 1);
}

/* --- pooled percentiles ------------------------------------------------- */

static json_t *run_with(const char *variant, const char *status, uint64_t value, int count)
{
	struct hist *h = hist_new();
	for (int i = 0; i < count; i++)
		hist_add(h, value);
	char *enc = hist_encode(h);
	json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:{s:s}}", "variant", variant, "workload", "w",
			      "type", "cpu", "status", status, "histograms", "lat", enc);
	free(enc);
	hist_free(h);
	return r;
}

static void test_pool(void **state)
{
	(void)state;
	/* run 1: 100 requests at 1 us, run 2: 100 at 3 us, run 3 failed with
	 * a huge value that must not count. The pooled median is 1 us (rank
	 * 100 of 200); averaging the runs' medians would say 2 us. */
	json_t *runs = json_array();
	json_array_append_new(runs, run_with("v", "ok", 1000, 100));
	json_array_append_new(runs, run_with("v", "ok", 3000, 100));
	json_array_append_new(runs, run_with("v", "failed", 900000, 100));
	json_array_append_new(runs, run_with("other", "ok", 5000, 100));
	struct hist *h = hist_new();
	assert_int_equal(pool_merge(runs, "v", "w", "lat", h), 2);
	assert_int_equal(h->count, 200);
	double pct[] = {50, 50.5, 99, 100}, us[4];
	pool_percentiles_us(h, pct, 4, us);
	assert_close(us[0], 1.0, 0.004, "pooled p50");
	assert_close(us[1], 3.0, 0.012, "pooled p50.5");
	assert_close(us[2], 3.0, 0.012, "pooled p99");
	assert_close(us[3], 3.0, 0, "pooled max is exact");
	assert_int_equal(pool_merge(runs, "v", "w", "nope", h), 0);
	assert_int_equal(h->count, 0);
	/* a malformed histogram is an error, not a silent zero */
	json_array_append_new(runs,
			      json_pack("{s:s, s:s, s:s, s:{s:s}}", "variant", "v", "workload", "w",
					"status", "ok", "histograms", "lat", "h1 3 0 0 0 bogus"));
	vb_err_set_quiet(1);
	assert_int_equal(pool_merge(runs, "v", "w", "lat", h), -EINVAL);
	vb_err_set_quiet(0);
	hist_free(h);
	json_decref(runs);
}

/* --- the analysis -------------------------------------------------------- */

static void add_run(json_t *runs, const char *variant, const char *workload, const char *type,
		    const char *metric, const char *unit, double value, const char *status)
{
	json_array_append_new(
	    runs, json_pack("{s:s, s:s, s:s, s:s, s:{s:f}, s:{s:s}, s:{s:f}}", "variant", variant,
			    "workload", workload, "type", type, "status", status, "metrics", metric,
			    value, "units", metric, unit, "telemetry", "target_cpu_pct", 99.0));
}

static json_t *experiment(void)
{
	json_t *runs = json_array();
	const double base[] = {1000, 1010, 990, 1005, 995};
	for (int i = 0; i < 5; i++) {
		add_run(runs, "base", "cpu", "cpu", "events_per_s", "1/s", base[i], "ok");
		/* a clearly slower variant, and one that is the same */
		add_run(runs, "slow", "cpu", "cpu", "events_per_s", "1/s", base[i] / 2, "ok");
		add_run(runs, "same", "cpu", "cpu", "events_per_s", "1/s", base[(i + 2) % 5], "ok");
	}
	add_run(runs, "same", "cpu", "cpu", "events_per_s", "1/s", 0, "failed");
	/* a workload only on "slow": no baseline to compare with */
	add_run(runs, "slow", "mem", "memory", "mib_per_s", "MiB/s", 5, "ok");
	return json_pack("{s:i, s:{s:i, s:s}, s:[{s:s}, {s:s}, {s:s}], s:o}", "schema", 1,
			 "experiment", "id", 1, "name", "t", "variants", "name", "base", "name",
			 "slow", "name", "same", "runs", runs);
}

static void test_analysis(void **state)
{
	json_t *exp = experiment();
	struct analysis *a;
	(void)state;
	assert_int_equal(analysis_build(exp, NULL, &a), 0);
	assert_string_equal(a->baseline, "base");
	assert_int_equal(a->nvariants, 3);
	assert_int_equal(a->nworkloads, 2);
	assert_int_equal(a->nok, 16);
	assert_int_equal(a->nfailed, 1);
	assert_int_equal(a->ncomparisons, 2);
	const struct analysis_workload *w = &a->workloads[0];
	assert_string_equal(w->name, "cpu");
	assert_int_equal(w->nmetrics, 1); /* lat_p99_us of the headline is absent */
	assert_string_equal(w->metrics[0], "events_per_s");
	assert_int_equal(w->ncells, 3);
	assert_int_equal(w->baseline_cell, 0);
	const struct analysis_cell *slow = analysis_cell_find(w, "slow");
	const struct analysis_cell *same = analysis_cell_find(w, "same");
	assert_non_null(slow);
	assert_non_null(same);
	assert_false(w->cells[0].metrics[0].has_cmp);
	assert_true(slow->metrics[0].has_cmp);
	assert_close(slow->metrics[0].cmp.ratio, 0.5, 1e-12, "ratio");
	assert_int_equal(slow->metrics[0].cmp.verdict, -1);
	assert_string_equal(analysis_verdict_word("events_per_s", "1/s", -1), "slower");
	/* the family of cpu x events_per_s: slow and same, Bonferroni over 2 */
	assert_int_equal(slow->metrics[0].cmp.family, 2);
	assert_close(slow->metrics[0].cmp.p_adj, fmin(1, 2 * slow->metrics[0].cmp.p), 1e-15,
		     "bonferroni p_adj");
	assert_int_equal(same->metrics[0].cmp.verdict, 0);
	assert_close(same->metrics[0].cmp.ratio, 1, 1e-12, "A/A ratio");
	assert_int_equal(same->nruns, 6);
	assert_int_equal(same->nok, 5);
	assert_int_equal(same->nfailed, 1);
	assert_int_equal(same->metrics[0].sum.n, 5);
	assert_close(same->target_cpu.mean, 99, 1e-12, "telemetry");
	/* mem ran only on slow: a cell, but nothing to compare with */
	assert_int_equal(a->workloads[1].baseline_cell, -1);
	assert_false(a->workloads[1].cells[0].metrics[0].has_cmp);

	json_t *j = analysis_to_json(a);
	assert_int_equal(json_integer_value(json_object_get(j, "schema")), ANALYSIS_SCHEMA);
	json_t *cells =
	    json_object_get(json_array_get(json_object_get(j, "workloads"), 0), "variants");
	json_t *vs = json_object_get(
	    json_object_get(json_object_get(json_array_get(cells, 1), "metrics"), "events_per_s"),
	    "vs_baseline");
	assert_string_equal(json_string_value(json_object_get(vs, "verdict_text")), "slower");
	json_decref(j);
	analysis_free(a);

	/* a named baseline, from the options or the experiment */
	struct analysis_opts o = ANALYSIS_OPTS_DEFAULT;
	o.baseline = "slow";
	assert_int_equal(analysis_build(exp, &o, &a), 0);
	assert_string_equal(a->baseline, "slow");
	assert_int_equal(analysis_cell_find(&a->workloads[0], "base")->metrics[0].cmp.verdict, 1);
	analysis_free(a);
	json_object_set_new(json_object_get(exp, "experiment"), "baseline", json_string("same"));
	assert_int_equal(analysis_build(exp, NULL, &a), 0);
	assert_string_equal(a->baseline, "same");
	analysis_free(a);
	o.baseline = "nope";
	vb_err_set_quiet(1);
	assert_int_equal(analysis_build(exp, &o, &a), -EINVAL);
	assert_non_null(strstr(vb_errmsg(), "unknown baseline variant 'nope'"));
	vb_err_set_quiet(0);
	json_decref(exp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_welch_wikipedia),
	    cmocka_unit_test(test_welch_unequal),
	    cmocka_unit_test(test_edge_cases),
	    cmocka_unit_test(test_family),
	    cmocka_unit_test(test_verdict_interval_property),
	    cmocka_unit_test(test_higher_is_better),
	    cmocka_unit_test(test_bimodal),
	    cmocka_unit_test(test_noisy),
	    cmocka_unit_test(test_aa_calibration),
	    cmocka_unit_test(test_pool),
	    cmocka_unit_test(test_analysis),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
