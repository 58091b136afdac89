/* Latency histogram with bounded relative error, mergeable across threads,
 * jobs and repeats (latency percentiles of an experiment are computed from
 * the merged histogram, never by averaging per-run percentiles).
 *
 * Log-linear buckets: values below 128 are exact; above, every power of two
 * is split into 128 equal sub-buckets, so a bucket is at most 1/128 of its
 * lower bound wide. A percentile is reported as its bucket's midpoint
 * (clamped to the exact min and max), so its relative error is below 0.4%.
 * Values are unsigned 64-bit integers; latencies are recorded in nanoseconds. */
#ifndef VB_STATS_HIST_H
#define VB_STATS_HIST_H

#include <stddef.h>
#include <stdint.h>

#define HIST_SUB_BITS 7
#define HIST_SUB (1u << HIST_SUB_BITS)
#define HIST_NBUCKETS ((64 - HIST_SUB_BITS + 1) * HIST_SUB)

struct hist {
	uint64_t count;
	uint64_t min, max;
	double sum;
	uint64_t buckets[HIST_NBUCKETS];
};

struct hist *hist_new(void);
void hist_free(struct hist *h);
void hist_reset(struct hist *h);

static inline unsigned hist_index(uint64_t v)
{
	if (v < HIST_SUB)
		return (unsigned)v;
	unsigned e = 63u - (unsigned)__builtin_clzll(v); /* >= HIST_SUB_BITS */
	unsigned g = e - HIST_SUB_BITS + 1;
	return g * HIST_SUB + (unsigned)((v >> (e - HIST_SUB_BITS)) & (HIST_SUB - 1));
}

static inline void hist_add(struct hist *h, uint64_t v)
{
	h->buckets[hist_index(v)]++;
	if (h->count == 0 || v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->count++;
	h->sum += (double)v;
}

/* Lowest value of bucket idx, and its width. */
uint64_t hist_bucket_low(unsigned idx);
uint64_t hist_bucket_width(unsigned idx);
/* dst += src. */
void hist_merge(struct hist *dst, const struct hist *src);
/* Nearest-rank percentile, p in [0, 100]; 0 if the histogram is empty. */
double hist_percentile(const struct hist *h, double p);
double hist_mean(const struct hist *h);

/* Text form for the wire and the store: "h1 COUNT MIN MAX SUM IDX:N,IDX:N..."
 * (only non-empty buckets). hist_encode returns a malloc'd string. */
char *hist_encode(const struct hist *h);
/* Strict: any malformed or inconsistent input is -EINVAL. */
int hist_decode(const char *s, struct hist *out);

#endif
