#include "stats/summary.h"

#include <gsl/gsl_cdf.h>
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
	double *c = malloc(sizeof(double) * (size_t)n);
	if (!c)
		return NAN;
	memcpy(c, x, sizeof(double) * (size_t)n);
	qsort(c, (size_t)n, sizeof(double), cmp_double);
	double pos = p / 100.0 * (n - 1);
	if (pos < 0)
		pos = 0;
	if (pos > n - 1)
		pos = n - 1;
	int lo = (int)floor(pos);
	int hi = lo + 1 < n ? lo + 1 : lo;
	double v = c[lo] + (c[hi] - c[lo]) * (pos - lo);
	free(c);
	return v;
}
