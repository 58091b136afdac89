#include "stats/compare.h"

#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/summary.h"

static void mean_var(const double *x, int n, double *mean, double *var)
{
	/* Welford, as summary_compute: values with a large common offset */
	double m = 0, m2 = 0;
	for (int i = 0; i < n; i++) {
		double d = x[i] - m;
		m += d / (i + 1);
		m2 += d * (x[i] - m);
	}
	*mean = m;
	*var = n > 1 ? m2 / (n - 1) : 0;
}

/* Fieller's set for mb/ma with independent means of variances va, vb (of
 * the means) and quantile t: the rho with (mb - rho ma)^2 <= t^2 (vb +
 * rho^2 va), a quadratic in rho. With ma significantly away from 0 (den > 0)
 * it is the interval between the roots; else it is the whole line or two
 * rays outside the roots. Of two rays, the one holding the estimate is kept
 * when 1 lies between them (1 is then outside the set, as the test says);
 * when 1 is on a ray the interval is unbounded (a superset that keeps 1,
 * again as the test says). */
static void fieller(double ma, double mb, double va, double vb, double t, double *lo, double *hi)
{
	double a2 = ma * ma, t2 = t * t;
	*lo = -INFINITY;
	*hi = INFINITY;
	double den = a2 - t2 * va;
	double disc = t2 * (a2 * vb + mb * mb * va - t2 * va * vb);
	if (ma == 0 || den == 0)
		return;
	double root = sqrt(disc > 0 ? disc : 0);
	if (den > 0) {
		*lo = (ma * mb - root) / den;
		*hi = (ma * mb + root) / den;
		return;
	}
	if (!(disc > 0))
		return; /* every ratio: the whole line */
	double r1 = (ma * mb + root) / den, r2 = (ma * mb - root) / den; /* r1 < r2 */
	if (!(r1 < 1 && 1 < r2))
		return;
	if (mb / ma >= r2)
		*lo = r2;
	else
		*hi = r1;
}

void compare_interval(struct comparison *c, double level)
{
	c->level = level;
	c->ratio_lo = -INFINITY;
	c->ratio_hi = INFINITY;
	c->significant = 0;
	c->verdict = 0;
	if (!c->tested)
		return;
	fieller(c->mean_a, c->mean_b, c->va, c->vb,
		gsl_cdf_tdist_Pinv(1 - (1 - level) / 2, c->df), &c->ratio_lo, &c->ratio_hi);
	/* the verdict is the interval's: significant when it excludes 1 */
	c->significant = c->ratio_lo > 1 || c->ratio_hi < 1;
	if (c->significant) {
		int b_larger = c->ratio_lo > 1;
		if (c->mean_a < 0)
			b_larger = !b_larger;
		c->verdict = b_larger == !!c->higher_is_better ? 1 : -1;
	}
}

int compare_samples(const double *a, int na, const double *b, int nb, int higher_is_better,
		    struct comparison *out)
{
	struct comparison *c = out;
	memset(c, 0, sizeof(*c));
	if (na < 1 || nb < 1)
		return -EINVAL;
	double va, vb;
	c->na = na;
	c->nb = nb;
	c->higher_is_better = higher_is_better;
	mean_var(a, na, &c->mean_a, &va);
	mean_var(b, nb, &c->mean_b, &vb);
	c->ratio = c->mean_a != 0 ? c->mean_b / c->mean_a : NAN;
	c->ratio_lo = -INFINITY;
	c->ratio_hi = INFINITY;
	c->level = 0.95;
	c->p = 1;
	c->p_adj = 1;
	c->family = 1;
	c->t = 0;
	c->df = 0;
	if (na < 2 || nb < 2)
		return 0; /* no variance on one side: nothing to test */
	c->tested = 1;
	double sa = va / na, sb = vb / nb, se2 = sa + sb;
	c->va = sa;
	c->vb = sb;
	if (se2 == 0) {
		c->df = na + nb - 2;
		if (c->mean_a == c->mean_b) {
			c->t = 0;
			c->p = 1;
		} else {
			c->t = c->mean_b > c->mean_a ? INFINITY : -INFINITY;
			c->p = 0;
		}
	} else {
		c->t = (c->mean_b - c->mean_a) / sqrt(se2);
		c->df = se2 * se2 / (sa * sa / (na - 1) + sb * sb / (nb - 1));
		c->p = 2 * gsl_cdf_tdist_Q(fabs(c->t), c->df);
		if (c->p > 1)
			c->p = 1;
	}
	c->p_adj = c->p;
	compare_interval(c, 0.95);
	return 0;
}

void compare_family(struct comparison *c, int n, double alpha)
{
	int m = 0;
	for (int i = 0; i < n; i++)
		m += c[i].tested;
	for (int i = 0; i < n; i++) {
		c[i].family = m ? m : 1;
		c[i].p_adj = c[i].tested ? fmin(1, c[i].p * m) : 1;
		compare_interval(&c[i], 1 - alpha / (m ? m : 1));
	}
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

int metric_higher_is_better(const char *name, const char *unit)
{
	static const char *const throughput_units[] = {"1/s", "MiB/s", "MB/s", "Mbit/s", NULL};
	static const char *const time_units[] = {"ns", "us", "ms", "s", NULL};
	static const char *const throughput_names[] = {"_per_s", "_mib_s", "_mb_s",   "_kib_s",
						       "_gib_s", "_iops",  "_mbit_s", NULL};
	if (!name)
		name = "";
	for (int i = 0; unit && throughput_units[i]; i++)
		if (strcmp(unit, throughput_units[i]) == 0)
			return 1;
	for (int i = 0; unit && time_units[i]; i++)
		if (strcmp(unit, time_units[i]) == 0)
			return 0;
	if (strcmp(name, "cpu_us_per_io") == 0 || ends_with(name, "_cpu_pct") ||
	    (strncmp(name, "cpu_", 4) == 0 && ends_with(name, "_pct")))
		return 0;
	for (int i = 0; throughput_names[i]; i++)
		if (ends_with(name, throughput_names[i]))
			return 1;
	if (ends_with(name, "_us") || ends_with(name, "_ms") || ends_with(name, "_ns") ||
	    ends_with(name, "_s") || strcmp(name, "seconds") == 0)
		return 0;
	return 1;
}

int stats_noisy(const double *x, int n, double cv_limit)
{
	if (n < 2)
		return 0;
	struct summary s;
	summary_compute(x, n, &s);
	return s.cv > cv_limit;
}

double stats_bimodality(const double *x, int n)
{
	if (n < 4)
		return NAN;
	double mean, var;
	mean_var(x, n, &mean, &var);
	double m2 = 0, m3 = 0, m4 = 0;
	for (int i = 0; i < n; i++) {
		double d = x[i] - mean, d2 = d * d;
		m2 += d2;
		m3 += d2 * d;
		m4 += d2 * d2;
	}
	m2 /= n;
	m3 /= n;
	m4 /= n;
	/* a constant sample (or one within rounding of it) has no shape */
	if (!(m2 > 0) || m2 <= 1e-24 * mean * mean)
		return NAN;
	double dn = n;
	double g1 = m3 / pow(m2, 1.5), g2 = m4 / (m2 * m2) - 3;
	double G1 = g1 * sqrt(dn * (dn - 1)) / (dn - 2);
	double G2 = ((dn + 1) * g2 + 6) * (dn - 1) / ((dn - 2) * (dn - 3));
	return (G1 * G1 + 1) / (G2 + 3 * (dn - 1) * (dn - 1) / ((dn - 2) * (dn - 3)));
}

int stats_bimodal(const double *x, int n)
{
	if (n < 6)
		return 0;
	double b = stats_bimodality(x, n);
	return !isnan(b) && b > 5.0 / 9.0;
}
