#include "stats/summary.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double summary_t975(int df)
{
	return df > 0 ? gsl_cdf_tdist_Pinv(0.975, df) : 0;
}

void summary_compute(const double *x, int n, struct summary *s)
{
	memset(s, 0, sizeof(*s));
	if (n <= 0)
		return;
	s->n = n;
	double *sorted = malloc((size_t)n * sizeof(*sorted));
	if (!sorted)
		return;
	memcpy(sorted, x, (size_t)n * sizeof(*sorted));
	qsort(sorted, (size_t)n, sizeof(*sorted), cmp_double);
	s->min = sorted[0];
	s->max = sorted[n - 1];
	s->median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
	/* Welford: stable for values with a large common offset */
	double mean = 0, m2 = 0;
	for (int i = 0; i < n; i++) {
		double d = x[i] - mean;
		mean += d / (i + 1);
		m2 += d * (x[i] - mean);
	}
	s->mean = mean;
	if (n > 1) {
		s->sd = sqrt(m2 / (n - 1));
		s->ci95 = summary_t975(n - 1) * s->sd / sqrt((double)n);
	}
	s->cv = mean != 0 ? s->sd / fabs(mean) : 0;
	free(sorted);
}

double summary_percentile(const double *x, int n, double p)
{
	if (n <= 0)
		return NAN;
	double *sorted = malloc((size_t)n * sizeof(*sorted));
	if (!sorted)
		return NAN;
	memcpy(sorted, x, (size_t)n * sizeof(*sorted));
	qsort(sorted, (size_t)n, sizeof(*sorted), cmp_double);
	double f = p < 0 ? 0 : p > 100 ? 1 : p / 100.0;
	double v = gsl_stats_quantile_from_sorted_data(sorted, 1, (size_t)n, f);
	free(sorted);
	return v;
}
