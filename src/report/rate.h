/* Rate sweeps: an http workload in the open loop run at several offered
 * rates (a plan's `rate = 100,200,500,1000` axis) gives, per variant, its
 * latency percentiles against the offered rate: the curve of a service
 * pushed towards overload (seed 001's "p99 against sustained request
 * rate"). Built from the analysis (pooled histograms of every repeat, never
 * averaged percentiles), rendered by text.c (report_rate_text), json
 * (analysis.rate_sweeps) and html.c (report_rate_html: log Y).
 *
 * Grouping: the open-loop http workloads whose options are equal except
 * `rate`, `seed` and `server-cpus` form one sweep when they have two rates
 * or more (copies of a workload for some variants, with `variants =`, join
 * the same sweep: each variant's points come from the copy it ran). */
#ifndef VB_REPORT_RATE_H
#define VB_REPORT_RATE_H

#include <jansson.h>
#include <stdio.h>

struct analysis;

struct rate_point {
	double offered;			/* requests/s asked for */
	double achieved;		/* mean requests_per_s of the ok runs (NAN: none) */
	double p50_us, p99_us, p999_us; /* pooled `lat` (from intended start); NAN: none */
	int runs, ok, behind;		/* runs; ok ones; runs whose generator fell behind */
};

struct rate_curve {
	const char *variant;
	int n;
	struct rate_point *pts; /* by rising offered rate */
};

struct rate_sweep {
	char *name; /* the first workload's name without its "-rate..." part */
	int ncurves;
	struct rate_curve *curves; /* one per variant that ran it, experiment order */
};

struct analysis_rates {
	int nsweeps;
	struct rate_sweep *sweeps;
};

/* NULL *out (and 0) when the experiment has no sweep. */
int analysis_rates_build(const struct analysis *a, struct analysis_rates **out);
void analysis_rates_free(struct analysis_rates *r);
json_t *analysis_rates_to_json(const struct analysis_rates *r);
void report_rate_text(FILE *out, const struct analysis_rates *r);
void report_rate_html(FILE *out, const struct analysis_rates *r);

#endif
