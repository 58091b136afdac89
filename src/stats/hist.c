#include "stats/hist.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hist *hist_new(void)
{
	return calloc(1, sizeof(struct hist));
}

void hist_free(struct hist *h)
{
	free(h);
}

void hist_reset(struct hist *h)
{
	memset(h, 0, sizeof(*h));
}

uint64_t hist_bucket_low(unsigned idx)
{
	if (idx < HIST_SUB)
		return idx;
	unsigned g = idx / HIST_SUB, sub = idx % HIST_SUB;
	return (uint64_t)(HIST_SUB + sub) << (g - 1);
}

uint64_t hist_bucket_width(unsigned idx)
{
	if (idx < HIST_SUB)
		return 1;
	return 1ull << (idx / HIST_SUB - 1);
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	if (!src->count)
		return;
	for (unsigned i = 0; i < HIST_NBUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
	if (dst->count == 0 || src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->sum += src->sum;
}

double hist_percentile(const struct hist *h, double p)
{
	if (!h->count)
		return 0;
	if (p <= 0)
		return (double)h->min;
	if (p >= 100)
		return (double)h->max;
	/* nearest rank: the smallest value with at least p% of samples at or below */
	double exact = p / 100.0 * (double)h->count;
	/* 99.9 / 100 * 1000 is 999.0000000000001 in binary: a product that
	 * misses a whole number by rounding alone is that whole number, or the
	 * rank would be one too high */
	double whole = nearbyint(exact);
	if (fabs(exact - whole) <= 1e-9 * exact)
		exact = whole;
	uint64_t rank = (uint64_t)exact;
	if ((double)rank < exact)
		rank++;
	if (rank < 1)
		rank = 1;
	uint64_t cum = 0;
	for (unsigned i = 0; i < HIST_NBUCKETS; i++) {
		cum += h->buckets[i];
		if (cum >= rank) {
			double lo = (double)hist_bucket_low(i);
			double mid = lo + (double)(hist_bucket_width(i) - 1) / 2.0;
			if (mid < (double)h->min)
				mid = (double)h->min;
			if (mid > (double)h->max)
				mid = (double)h->max;
			return mid;
		}
	}
	return (double)h->max;
}

double hist_mean(const struct hist *h)
{
	return h->count ? h->sum / (double)h->count : 0;
}

char *hist_encode(const struct hist *h)
{
	size_t cap = 128, len = 0;
	char *s = malloc(cap);
	if (!s)
		return NULL;
	len = (size_t)snprintf(s, cap, "h1 %" PRIu64 " %" PRIu64 " %" PRIu64 " %.17g ",
			       h->count, h->count ? h->min : 0, h->max, h->sum);
	int first = 1;
	for (unsigned i = 0; i < HIST_NBUCKETS; i++) {
		if (!h->buckets[i])
			continue;
		if (cap - len < 48) {
			cap *= 2;
			char *n = realloc(s, cap);
			if (!n) {
				free(s);
				return NULL;
			}
			s = n;
		}
		len += (size_t)snprintf(s + len, cap - len, "%s%u:%" PRIu64, first ? "" : ",",
					i, h->buckets[i]);
		first = 0;
	}
	return s;
}

static int parse_u64(const char **p, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	while (*s >= '0' && *s <= '9') {
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
		s++;
	}
	*p = s;
	*out = v;
	return 0;
}

static int decode(const char *s, struct hist *out)
{
	uint64_t count, min, max, sum_check = 0;
	hist_reset(out);
	if (strncmp(s, "h1 ", 3) != 0)
		return -EINVAL;
	const char *p = s + 3;
	if (parse_u64(&p, &count) < 0 || *p++ != ' ')
		return -EINVAL;
	if (parse_u64(&p, &min) < 0 || *p++ != ' ')
		return -EINVAL;
	if (parse_u64(&p, &max) < 0 || *p++ != ' ')
		return -EINVAL;
	/* strtod alone would take leading spaces, hex, "inf" and "nan" */
	if (*p < '0' || *p > '9')
		return -EINVAL;
	char *end;
	double sum = strtod(p, &end);
	if (end == p || *end != ' ' || !isfinite(sum) || !(sum >= 0))
		return -EINVAL;
	for (const char *c = p; c < end; c++)
		if (!strchr("0123456789.e+-", *c))
			return -EINVAL;
	p = end + 1;
	long first = -1, prev = -1;
	while (*p) {
		uint64_t idx, n;
		if (parse_u64(&p, &idx) < 0 || *p++ != ':')
			return -EINVAL;
		if (parse_u64(&p, &n) < 0)
			return -EINVAL;
		if (idx >= HIST_NBUCKETS || (long)idx <= prev || n == 0)
			return -EINVAL;
		if (sum_check + n < sum_check)
			return -EINVAL;
		sum_check += n;
		out->buckets[idx] = n;
		if (first < 0)
			first = (long)idx;
		prev = (long)idx;
		if (*p == ',') {
			p++;
			if (!*p)
				return -EINVAL; /* truncated after a comma */
		} else if (*p) {
			return -EINVAL;
		}
	}
	if (sum_check != count)
		return -EINVAL;
	/* min and max lie in the first and last non-empty buckets; an empty
	 * histogram is all zeros */
	if (count && (min > max || (long)hist_index(min) != first ||
		      (long)hist_index(max) != prev))
		return -EINVAL;
	if (!count && (min || max || sum != 0))
		return -EINVAL;
	/* the mean lies within [min, max]; the slack covers rounding of a sum
	 * of many doubles */
	if (count && (sum < (double)min * (double)count * (1 - 1e-3) ||
		      sum > (double)max * (double)count * (1 + 1e-3)))
		return -EINVAL;
	out->count = count;
	out->min = min;
	out->max = max;
	out->sum = sum;
	return 0;
}

int hist_decode(const char *s, struct hist *out)
{
	int r = decode(s, out);
	if (r < 0)
		hist_reset(out); /* never half a histogram */
	return r;
}
