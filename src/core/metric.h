/* What a run yields: named metrics with a unit and an aggregation rule, plus
 * latency histograms. Workloads fill a struct result through metric_set() and
 * metric_hist(); the protocol carries it to the host; the store keeps it. */
#ifndef VB_CORE_METRIC_H
#define VB_CORE_METRIC_H

#include "stats/hist.h"

enum vb_unit {
	UNIT_NONE,
	UNIT_PER_S,  /* events, operations or I/Os per second */
	UNIT_MIB_S,  /* 2^20 bytes per second */
	UNIT_MB_S,   /* 10^6 bytes per second (dd's definition) */
	UNIT_US,     /* microseconds */
	UNIT_MS,
	UNIT_S,
	UNIT_PCT,    /* percent */
	UNIT_COUNT,
	UNIT_BYTES,
	UNIT_MIB,
	UNIT_MBIT_S, /* 10^6 bits per second (iperf3's unit, scaled) */
	UNIT__COUNT
};

/* How a metric combines across parallel instances (threads, jobs, guests).
 * Repeats are always summarised as a sample (mean, CI). */
enum vb_agg { AGG_SUM, AGG_MEAN, AGG_MAX, AGG_MIN, AGG__COUNT };

#define METRIC_NAME_MAX 48
#define RESULT_MAX_METRICS 64
#define RESULT_MAX_HISTS 8

struct metric {
	char name[METRIC_NAME_MAX];
	double value;
	enum vb_unit unit;
	enum vb_agg agg;
};

struct result {
	int nmetrics;
	struct metric metrics[RESULT_MAX_METRICS];
	int nhists;
	struct {
		char name[METRIC_NAME_MAX];
		struct hist *h; /* owned */
	} hists[RESULT_MAX_HISTS];
	double duration_s; /* wall time of the measured phase */
};

const char *unit_name(enum vb_unit u);
int unit_parse(const char *s, enum vb_unit *out);
const char *agg_name(enum vb_agg a);
int agg_parse(const char *s, enum vb_agg *out);

/* Sets (or replaces) a metric. */
void metric_set(struct result *r, const char *name, double value, enum vb_unit unit,
		enum vb_agg agg);
/* Stores the histogram (latency in ns, taking ownership) under name and sets
 * NAME_mean_us, NAME_p50_us, NAME_p90_us, NAME_p99_us, NAME_p99_9_us and
 * NAME_max_us from it. */
void metric_hist(struct result *r, const char *name, struct hist *h);
const struct metric *result_find(const struct result *r, const char *name);
void result_free(struct result *r);

#endif
