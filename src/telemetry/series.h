/* Host time series during a run: every `sample-interval` (2 s by default, as
 * `sar -u 2` samples) the sampler thread takes the same snapshot as the
 * run's start-to-end telemetry (telemetry.h) and stores the interval's
 * figures as one row: the host CPU split with %iowait computed as sar
 * computes it (iowait ticks over all ticks of all CPUs), the target's CPU,
 * a QEMU's CPU by thread role, and the share of the interval in which some
 * (or all) tasks stalled on I/O, CPU or memory (PSI, /proc/pressure: the
 * difference of its "total" stall microseconds). A run shorter than the
 * interval still gets one row, for the part it ran.
 *
 *   series_sampler_start()  before the run request is sent
 *   series_sampler_stop()   when its result is in: a last row for the rest,
 *                           then the rows are handed over
 * Rows go to the store's run_series table (src/store/series_store.c) and
 * from there to JSON (run.series), `report --format series` (CSV) and the
 * HTML report (src/report/html_series.c). */
#ifndef VB_TELEMETRY_SERIES_H
#define VB_TELEMETRY_SERIES_H

#include <stdint.h>
#include <sys/types.h>

#include "core/metric.h"

#define SERIES_MAX_COLS 24

struct series {
	double interval_s; /* asked for; rows' t_s tell what each really covered */
	int ncols;
	char cols[SERIES_MAX_COLS][METRIC_NAME_MAX];
	int nrows, cap;
	double *t;    /* seconds from the run's start to the end of each row's interval */
	double *vals; /* nrows x ncols, NAN where a row lacks a column */
};

void series_init(struct series *s, double interval_s);
void series_free(struct series *s);
/* Appends a row at t_s from the metrics of r (new names become columns). */
int series_add(struct series *s, double t_s, const struct result *r);
/* The column's index, or -1. */
int series_col(const struct series *s, const char *name);

/* "some avg10=0.00 avg60=0.00 avg300=0.00 total=123\nfull ..." -> the total
 * (microseconds) of the line of kind ("some" or "full"); -ENOENT without
 * that line (a cpu file has no "full" before Linux 5.13), -EPROTO. */
int series_psi_parse(const char *text, const char *kind, uint64_t *total_us);

struct series_sampler;
/* Starts a thread that samples pids (may be 0 of them) every interval_ns. */
int series_sampler_start(struct series_sampler **out, const pid_t *pids, int npids,
			 int64_t interval_ns);
/* Stops it, takes the last row and moves the rows into s (initialised here). */
void series_sampler_stop(struct series_sampler *sp, struct series *s);

#endif
