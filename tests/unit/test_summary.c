/* stats/summary: known answers worked out by hand and Student-t quantiles
 * from published tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "stats/summary.h"

static void assert_close(double got, double want, double tol, const char *what)
{
	if (!(fabs(got - want) <= tol))
		fail_msg("%s: got %.12g, want %.12g (tolerance %g)", what, got, want, tol);
}

static void test_known_five(void **state)
{
	const double x[] = {10, 12, 9, 11, 13};
	double copy[5];
	struct summary s;
	(void)state;
	memcpy(copy, x, sizeof(x));
	summary_compute(copy, 5, &s);
	assert_memory_equal(copy, x, sizeof(x)); /* input untouched */
	assert_int_equal(s.n, 5);
	/* squared deviations 1+1+4+0+4 = 10, over n-1 = 4 */
	assert_close(s.mean, 11, 1e-12, "mean");
	assert_close(s.sd, sqrt(2.5), 1e-12, "sd");
	assert_close(s.cv, sqrt(2.5) / 11, 1e-12, "cv");
	assert_close(s.ci95, 2.776445105 * sqrt(2.5) / sqrt(5), 1e-8, "ci95");
	assert_close(s.median, 11, 0, "median");
	assert_close(s.min, 9, 0, "min");
	assert_close(s.max, 13, 0, "max");
}

static void test_table(void **state)
{
	static const struct {
		double x[8];
		int n;
		double mean, sd, median, min, max, t;
	} cases[] = {
	    /* sum of squares 32, n-1 = 7 */
	    {{2, 4, 4, 4, 5, 5, 7, 9}, 8, 5, 2.1380899352993950, 4.5, 2, 9, 2.3646242516},
	    {{4, 1, 3, 2}, 4, 2.5, 1.2909944487358056, 2.5, 1, 4, 3.1824463053},
	    {{7, 7, 7}, 3, 7, 0, 7, 7, 7, 4.3026527297},
	    {{-3, 3}, 2, 0, 4.2426406871192848, 0, -3, 3, 12.7062047362},
	    {{1e9 + 1, 1e9 + 2, 1e9 + 3}, 3, 1e9 + 2, 1, 1e9 + 2, 1e9 + 1, 1e9 + 3, 4.3026527297},
	    {{0.1, 0.2, 0.3, 0.4, 0.5, 0.6},
	     6,
	     0.35,
	     0.18708286933869706,
	     0.35,
	     0.1,
	     0.6,
	     2.5705818366},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct summary s;
		int n = cases[i].n;
		summary_compute(cases[i].x, n, &s);
		double tol = 1e-9 * (fabs(cases[i].mean) + 1);
		assert_int_equal(s.n, n);
		assert_close(s.mean, cases[i].mean, tol, "mean");
		assert_close(s.sd, cases[i].sd, 1e-9, "sd");
		assert_close(s.median, cases[i].median, tol, "median");
		assert_close(s.min, cases[i].min, 0, "min");
		assert_close(s.max, cases[i].max, 0, "max");
		assert_close(s.ci95, cases[i].t * cases[i].sd / sqrt(n), 1e-8, "ci95");
		if (cases[i].mean != 0)
			assert_close(s.cv, cases[i].sd / fabs(cases[i].mean), 1e-9, "cv");
		else
			assert_close(s.cv, 0, 0, "cv of a zero mean");
	}
}

static void test_small_n(void **state)
{
	struct summary s;
	const double one[] = {42.5};
	(void)state;
	summary_compute(one, 1, &s);
	assert_int_equal(s.n, 1);
	assert_close(s.mean, 42.5, 0, "mean");
	assert_close(s.median, 42.5, 0, "median");
	assert_close(s.min, 42.5, 0, "min");
	assert_close(s.max, 42.5, 0, "max");
	assert_close(s.sd, 0, 0, "sd");
	assert_close(s.ci95, 0, 0, "ci95");
	assert_close(s.cv, 0, 0, "cv");

	memset(&s, 0x7f, sizeof(s));
	summary_compute(one, 0, &s);
	assert_int_equal(s.n, 0);
	assert_close(s.mean, 0, 0, "mean of none");
	assert_close(s.sd, 0, 0, "sd of none");
	assert_close(s.ci95, 0, 0, "ci95 of none");
	assert_close(s.median, 0, 0, "median of none");
	assert_close(s.max, 0, 0, "max of none");

	/* a negative mean gives a positive cv */
	const double neg[] = {-10, -12, -9, -11, -13};
	summary_compute(neg, 5, &s);
	assert_close(s.mean, -11, 1e-12, "negative mean");
	assert_close(s.cv, sqrt(2.5) / 11, 1e-12, "cv of a negative mean");
	assert_close(s.median, -11, 0, "negative median");
}

static void test_t975(void **state)
{
	static const struct {
		int df;
		double t;
	} table[] = {
	    {1, 12.7062047}, {2, 4.3026527},   {3, 3.1824463},	  {4, 2.7764451},
	    {5, 2.5705818},  {9, 2.2621572},   {10, 2.2281389},	  {20, 2.0859634},
	    {30, 2.0422725}, {100, 1.9839715}, {1000, 1.9623391},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		double t = summary_t975(table[i].df);
		if (fabs(t - table[i].t) > 1e-6)
			fail_msg("t(0.975, %d) = %.9g, want %.9g", table[i].df, t, table[i].t);
	}
	assert_close(summary_t975(4), 2.776445105, 1e-9, "t(0.975, 4)");
	assert_close(summary_t975(0), 0, 0, "df 0");
	assert_close(summary_t975(-1), 0, 0, "df -1");
	/* decreasing towards the normal quantile 1.959964 */
	double prev = 1e9;
	for (int df = 1; df < 200; df++) {
		double t = summary_t975(df);
		assert_true(t < prev);
		assert_true(t > 1.959963984);
		prev = t;
	}
}

/* Welford against a two-pass sum on many values with a large offset. */
static void test_stability(void **state)
{
	double x[1000];
	struct summary s;
	(void)state;
	for (int i = 0; i < 1000; i++)
		x[i] = 1e12 + (i % 10); /* 0..9, a hundred times each */
	summary_compute(x, 1000, &s);
	assert_close(s.mean, 1e12 + 4.5, 1e-3, "mean"); /* an ulp of 1e12 is 1.2e-4 */
	/* variance of 0..9 repeated: sum of (k-4.5)^2 = 82.5 per cycle */
	assert_close(s.sd, sqrt(82.5 * 100 / 999), 1e-4, "sd");
	assert_close(s.median, 1e12 + 4.5, 0, "median");
}

/* Percentiles between closest ranks, as density's launch-time p99 uses. */
static void test_percentile(void **state)
{
	(void)state;
	const double x[] = {5, 1, 4, 2, 3}; /* unsorted: the input is not modified */
	assert_true(fabs(summary_percentile(x, 5, 50) - 3) < 1e-12);
	assert_true(fabs(summary_percentile(x, 5, 0) - 1) < 1e-12);
	assert_true(fabs(summary_percentile(x, 5, 100) - 5) < 1e-12);
	assert_true(fabs(summary_percentile(x, 5, 99) - 4.96) < 1e-12);
	assert_true(fabs(summary_percentile(x, 5, 25) - 2) < 1e-12);
	assert_true(fabs(summary_percentile(x, 4, 50) - 3) < 1e-12); /* 5 1 4 2: (2+4)/2 */
	assert_true(x[0] == 5 && x[4] == 3);
	assert_true(isnan(summary_percentile(x, 0, 50)));
	struct summary s;
	summary_compute(x, 5, &s);
	assert_true(fabs(summary_percentile(x, 5, 50) - s.median) < 1e-12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_known_five), cmocka_unit_test(test_table),
	    cmocka_unit_test(test_small_n),    cmocka_unit_test(test_t975),
	    cmocka_unit_test(test_stability),  cmocka_unit_test(test_percentile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
