/* Latency percentiles of repeated runs, pooled: the histograms of every
 * repeat are merged and the percentiles read from the merged histogram.
 * Averaging per-run percentiles would be wrong (the mean of five p99s is not
 * the p99 of the five runs' requests), so this is the only way reports get
 * an experiment-level percentile. */
#ifndef VB_STATS_POOL_H
#define VB_STATS_POOL_H

#include <jansson.h>

#include "stats/hist.h"

/* Merges histogram `name` of every successful run of `variant` x `workload`
 * in `runs` (the "runs" array of the experiment JSON, docs/json.md) into
 * `out`, which is reset first. Returns the number of runs merged (0: none
 * has that histogram), or -EINVAL (with a message) for a malformed one. */
int pool_merge(const json_t *runs, const char *variant, const char *workload, const char *name,
	       struct hist *out);

/* Percentiles of a pooled histogram in microseconds (histograms hold ns):
 * out[i] = hist_percentile(h, pcts[i]) / 1000. */
void pool_percentiles_us(const struct hist *h, const double *pcts, int n, double *out);

#endif
