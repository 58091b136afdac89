/* stats/hist: percentiles against the exact nearest-rank percentile of the
 * sorted samples for several distributions, exact count/min/max/mean,
 * merging, and the strict text encoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/hist.h"

#define NSAMPLES 100000

enum dist { D_UNIFORM, D_EXP, D_LOGNORMAL, D_CONST, D_SMALL, D_NEAR63, D_POW2, D__COUNT };
static const char *const dist_names[D__COUNT] = {
    "uniform 1..1e6", "exponential mean 100us",	      "lognormal", "constant", "values < 128",
    "near 2^63",      "powers of two and neighbours",
};

static gsl_rng *rng;

static int setup(void **state)
{
	(void)state;
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, 12345);
	return rng ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	gsl_rng_free(rng);
	return 0;
}

static uint64_t sample(enum dist d, int i)
{
	switch (d) {
	case D_UNIFORM:
		return 1 + gsl_rng_uniform_int(rng, 1000000);
	case D_EXP:
		return (uint64_t)llround(gsl_ran_exponential(rng, 100000.0));
	case D_LOGNORMAL:
		return (uint64_t)llround(gsl_ran_lognormal(rng, log(50000.0), 1.5));
	case D_CONST:
		return 123456789;
	case D_SMALL:
		return gsl_rng_uniform_int(rng, 128);
	case D_NEAR63: {
		/* 2^63 +- 2^61, and the largest values there are */
		uint64_t r = ((uint64_t)gsl_rng_get(rng) << 32) ^ gsl_rng_get(rng);
		if (i % 1000 == 0)
			return UINT64_MAX - (uint64_t)(i / 1000);
		return (1ull << 63) - (1ull << 61) + (r >> 1);
	}
	case D_POW2: {
		uint64_t p = 1ull << (i % 64);
		int k = (i / 64) % 3;
		return k == 0 ? p : k == 1 ? p - 1 : p + 1;
	}
	default:
		return 0;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Exact nearest rank, p given in tenths of a percent so that no rounding
 * of p enters the expected value. */
static uint64_t exact_percentile(const uint64_t *sorted, uint64_t n, unsigned p10)
{
	uint64_t rank = (p10 * n + 999) / 1000;
	if (rank < 1)
		rank = 1;
	return sorted[rank - 1];
}

struct data {
	uint64_t *v, *sorted;
	int n;
	struct hist *h;
	double sum;
};

static void data_make(struct data *d, enum dist which, int n)
{
	d->n = n;
	d->v = malloc((size_t)n * sizeof(uint64_t));
	d->sorted = malloc((size_t)n * sizeof(uint64_t));
	d->h = hist_new();
	assert_non_null(d->v);
	assert_non_null(d->sorted);
	assert_non_null(d->h);
	d->sum = 0;
	for (int i = 0; i < n; i++) {
		d->v[i] = sample(which, i);
		d->sum += (double)d->v[i];
		hist_add(d->h, d->v[i]);
	}
	memcpy(d->sorted, d->v, (size_t)n * sizeof(uint64_t));
	qsort(d->sorted, (size_t)n, sizeof(uint64_t), cmp_u64);
}

static void data_free(struct data *d)
{
	free(d->v);
	free(d->sorted);
	hist_free(d->h);
}

static const unsigned pcts10[] = {1, 10, 250, 500, 900, 990, 999};

static void check_percentiles(const struct data *d, const char *what)
{
	for (size_t k = 0; k < sizeof(pcts10) / sizeof(pcts10[0]); k++) {
		double p = pcts10[k] / 10.0;
		double want = (double)exact_percentile(d->sorted, (uint64_t)d->n, pcts10[k]);
		double got = hist_percentile(d->h, p);
		double rel = want ? fabs(got - want) / want : fabs(got);
		/* the brief's bound is 1%; the header promises half a bucket, 1/256 */
		if (rel > 0.01 || rel > 1.0 / 256 + 1e-12)
			fail_msg("%s p%g: got %.17g, exact %.17g, relative error %g", what, p, got,
				 want, rel);
		/* below 128 every value has its own bucket */
		if (want < 128 && got != want)
			fail_msg("%s p%g: got %.17g, exact %.17g", what, p, got, want);
	}
	assert_true(hist_percentile(d->h, 0) == (double)d->sorted[0]);
	assert_true(hist_percentile(d->h, 100) == (double)d->sorted[d->n - 1]);
}

static void test_percentiles(void **state)
{
	(void)state;
	for (int which = 0; which < D__COUNT; which++) {
		struct data d;
		data_make(&d, (enum dist)which, NSAMPLES);
		assert_int_equal(d.h->count, NSAMPLES);
		assert_int_equal(d.h->min, d.sorted[0]);
		assert_int_equal(d.h->max, d.sorted[NSAMPLES - 1]);
		assert_true(hist_mean(d.h) == d.sum / NSAMPLES);
		uint64_t total = 0;
		for (unsigned i = 0; i < HIST_NBUCKETS; i++)
			total += d.h->buckets[i];
		assert_int_equal(total, NSAMPLES);
		check_percentiles(&d, dist_names[which]);
		data_free(&d);
	}
}

/* Sizes where p/100*n is not exactly representable (99.9% of 1000). */
static void test_percentile_small_n(void **state)
{
	(void)state;
	static const int ns[] = {1, 2, 3, 7, 10, 100, 999, 1000, 1001, 2000, 10000};
	for (size_t k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
		struct data d;
		char what[64];
		data_make(&d, D_SMALL, ns[k]);
		snprintf(what, sizeof(what), "values < 128, n=%d", ns[k]);
		check_percentiles(&d, what);
		data_free(&d);
		data_make(&d, D_LOGNORMAL, ns[k]);
		snprintf(what, sizeof(what), "lognormal, n=%d", ns[k]);
		check_percentiles(&d, what);
		data_free(&d);
	}
	/* 0..999 scaled below 128: p99.9 of 1000 samples is the 999th, not the last */
	struct hist *h = hist_new();
	for (int i = 0; i < 1000; i++)
		hist_add(h, (uint64_t)(i * 127 / 999));
	assert_true(hist_percentile(h, 99.9) == 126);
	assert_true(hist_percentile(h, 50) == 63);
	assert_true(hist_percentile(h, 10) == 12);
	hist_free(h);
}

static void test_empty(void **state)
{
	struct hist *h = hist_new();
	(void)state;
	assert_int_equal(h->count, 0);
	assert_true(hist_percentile(h, 50) == 0);
	assert_true(hist_mean(h) == 0);
	hist_add(h, 42);
	assert_true(hist_percentile(h, 50) == 42);
	assert_true(hist_percentile(h, 99.9) == 42);
	hist_reset(h);
	assert_int_equal(h->count, 0);
	assert_int_equal(h->buckets[42], 0);
	hist_free(h);
}

static void test_buckets(void **state)
{
	(void)state;
	/* every bucket's bounds map back to it, and buckets tile the range */
	uint64_t expect_low = 0;
	for (unsigned i = 0; i < HIST_NBUCKETS; i++) {
		uint64_t lo = hist_bucket_low(i), w = hist_bucket_width(i);
		if (lo != expect_low)
			fail_msg("bucket %u starts at %" PRIu64 ", want %" PRIu64, i, lo,
				 expect_low);
		assert_int_equal(hist_index(lo), i);
		assert_int_equal(hist_index(lo + (w - 1)), i);
		if (i >= HIST_SUB)
			assert_true((double)w / (double)lo <= 1.0 / HIST_SUB);
		expect_low = lo + w;
	}
	assert_int_equal(expect_low, 0); /* the last bucket ends at 2^64 */
	assert_int_equal(hist_index(UINT64_MAX), HIST_NBUCKETS - 1);
	assert_int_equal(hist_index(127), 127);
	assert_int_equal(hist_index(128), 128);
}

static void check_same_buckets(const struct hist *a, const struct hist *b)
{
	assert_int_equal(a->count, b->count);
	assert_int_equal(a->min, b->min);
	assert_int_equal(a->max, b->max);
	for (unsigned i = 0; i < HIST_NBUCKETS; i++)
		if (a->buckets[i] != b->buckets[i])
			fail_msg("bucket %u: %" PRIu64 " != %" PRIu64, i, a->buckets[i],
				 b->buckets[i]);
}

static void test_merge(void **state)
{
	(void)state;
	for (int which = 0; which < D__COUNT; which++) {
		struct data d;
		data_make(&d, (enum dist)which, 20000);
		/* halves split by position, so each half has its own min and max */
		struct hist *a = hist_new(), *b = hist_new(), *m = hist_new();
		for (int i = 0; i < d.n; i++)
			hist_add(i < d.n / 3 ? a : b, d.v[i]);
		hist_merge(m, a); /* into an empty one */
		hist_merge(m, b);
		check_same_buckets(m, d.h);
		assert_true(fabs(m->sum - d.sum) <= 1e-12 * d.sum);
		for (size_t k = 0; k < sizeof(pcts10) / sizeof(pcts10[0]); k++)
			assert_true(hist_percentile(m, pcts10[k] / 10.0) ==
				    hist_percentile(d.h, pcts10[k] / 10.0));
		/* merging an empty one changes nothing */
		hist_reset(a);
		hist_merge(m, a);
		check_same_buckets(m, d.h);
		hist_free(a);
		hist_free(b);
		hist_free(m);
		data_free(&d);
	}
	/* min of the merge comes from the source when the destination is empty,
	 * even if the destination's stale min is 0 */
	struct hist *x = hist_new(), *y = hist_new();
	hist_add(y, 1000);
	hist_merge(x, y);
	assert_int_equal(x->min, 1000);
	assert_int_equal(x->max, 1000);
	hist_free(x);
	hist_free(y);
}

static void check_round_trip(const struct hist *h)
{
	char *s = hist_encode(h);
	assert_non_null(s);
	struct hist *back = hist_new();
	memset(back, 0x55, sizeof(*back));
	int r = hist_decode(s, back);
	if (r != 0)
		fail_msg("decode of its own encoding '%.200s' failed: %d", s, r);
	assert_memory_equal(h, back, sizeof(*h));
	hist_free(back);
	free(s);
}

static void test_encode_decode(void **state)
{
	(void)state;
	struct hist *h = hist_new();
	check_round_trip(h); /* empty */
	char *s = hist_encode(h);
	assert_string_equal(s, "h1 0 0 0 0 ");
	free(s);
	hist_add(h, 5);
	hist_add(h, 5);
	hist_add(h, 200);
	s = hist_encode(h);
	assert_string_equal(s, "h1 3 5 200 210 5:2,200:1");
	free(s);
	check_round_trip(h);
	hist_free(h);

	for (int which = 0; which < D__COUNT; which++) {
		struct data d;
		data_make(&d, (enum dist)which, 50000);
		check_round_trip(d.h);
		data_free(&d);
	}
	/* every bucket used: the longest encoding */
	h = hist_new();
	for (unsigned i = 0; i < HIST_NBUCKETS; i++) {
		hist_add(h, hist_bucket_low(i));
		h->buckets[i] += UINT64_MAX / 2 / HIST_NBUCKETS; /* long counts */
		h->count += UINT64_MAX / 2 / HIST_NBUCKETS;
	}
	check_round_trip(h);
	hist_free(h);
}

static void test_decode_rejects(void **state)
{
	static const char *const bad[] = {
	    "",
	    "h1",
	    "h1 ",
	    "h2 1 5 5 5 5:1",
	    "H1 1 5 5 5 5:1",
	    "h1 1 5 5 5 ",	  /* a count without buckets */
	    "h1 1 5 5 5",	  /* no separator after the sum */
	    "h1 1 5 5 5 5:",	  /* truncated */
	    "h1 1 5 5 5 5",	  /* truncated */
	    "h1 2 5 6 11 5:1,",	  /* truncated after a comma */
	    "h1 2 5 6 11 5:1,6",  /* truncated */
	    "h1 2 1 2 3 2:1,1:1", /* index order */
	    "h1 2 1 1 2 1:1,1:1", /* duplicate index */
	    "h1 1 5 5 5 7424:1",  /* idx == HIST_NBUCKETS */
	    "h1 1 5 5 5 99999:1",
	    "h1 1 5 5 5 18446744073709551616:1",
	    "h1 3 1 2 3 1:1,2:1",  /* counts sum to 2 */
	    "h1 1 1 2 3 1:1,2:1",  /* counts sum to 3 */
	    "h1 2 9 1 10 1:1,9:1", /* min > max */
	    "h1 1 5 5 5 5:0",	   /* empty bucket listed */
	    "h1 2 5 5 10 5:1,5:1",
	    "h1 1 5 5 5 5:1 ", /* trailing garbage */
	    "h1 1 5 5 5 5:1x",
	    "h1 1 5 5 5 5:1;6:1",
	    "h1 1 5 5 5 5:+1",
	    "h1 1 5 5 5 5:-1",
	    "h1  1 5 5 5 5:1", /* double space */
	    "h1 1  5 5 5 5:1",
	    "h1 1 5 5  5 5:1",
	    "h1 1 5 5 5  5:1",
	    "h1 1 5 5 nan 5:1",
	    "h1 1 5 5 -5 5:1",
	    "h1 1 5 5 inf 5:1",
	    "h1 1 5 5 x 5:1",
	    "h1 a 5 5 5 5:1",
	    "h1 -1 5 5 5 5:1",
	    "h1 99999999999999999999 5 5 5 5:1",
	    "h1 1 5 5 5 0x5:1",
	    "h1 1 7 7 7 5:1",	      /* min and max outside the only bucket */
	    "h1 2 5 300 305 5:1,6:1", /* max not in the last bucket */
	    "h1 2 4 6 10 5:1,6:1",    /* min not in the first bucket */
	    "h1 0 5 9 0 ",	      /* empty, yet a min and max */
	    "h1 0 0 0 7 ",	      /* empty, yet a sum */
	    "h1 1 5 5 1e300 5:1",     /* a mean above the max */
	    "h1 2 5 6 100 5:1,6:1",
	    "h1 2 5 6 9 5:1,6:1", /* a mean below the min */
	    "garbage",
	    "h1 1 5 5 5 5:1\n",
	    "\xff\xfe",
	};
	(void)state;
	struct hist *h = hist_new();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = hist_decode(bad[i], h);
		if (r != -EINVAL)
			fail_msg("'%s' decoded (%d)", bad[i], r);
	}
	/* a failed decode leaves an empty histogram, not half of one */
	assert_int_equal(hist_decode("h1 3 1 2 3 1:1,2:1", h), -EINVAL);
	for (unsigned i = 0; i < HIST_NBUCKETS; i++)
		assert_int_equal(h->buckets[i], 0);
	assert_int_equal(h->count, 0);

	/* the good neighbours of some of the above */
	assert_int_equal(hist_decode("h1 1 5 5 5 5:1", h), 0);
	assert_int_equal(h->count, 1);
	assert_int_equal(h->buckets[5], 1);
	assert_int_equal(hist_decode("h1 2 5 6 11 5:1,6:1", h), 0);
	assert_int_equal(hist_decode("h1 1 18374686479671623680 18374686479671623680 "
				     "1.8374686479671624e+19 7423:1",
				     h),
			 0);
	assert_int_equal(hist_decode("h1 0 0 0 0 ", h), 0);

	/* every strict prefix of a real encoding is rejected */
	struct data d;
	data_make(&d, D_EXP, 2000);
	char *s = hist_encode(d.h);
	size_t len = strlen(s);
	for (size_t cut = 0; cut < len; cut++) {
		char *t = strndup(s, cut);
		if (hist_decode(t, h) != -EINVAL)
			fail_msg("prefix of %zu bytes decoded: '%s'", cut, t);
		free(t);
	}
	assert_int_equal(hist_decode(s, h), 0);
	free(s);
	data_free(&d);
	hist_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_percentiles),	   cmocka_unit_test(test_percentile_small_n),
	    cmocka_unit_test(test_empty),	   cmocka_unit_test(test_buckets),
	    cmocka_unit_test(test_merge),	   cmocka_unit_test(test_encode_decode),
	    cmocka_unit_test(test_decode_rejects),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
