/* util/units: sizes, durations and counts, their rejects, and the round trip
 * of the canonical text back to the same value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "util/units.h"

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)
#define TiB (1024ull * GiB)
#define PiB (1024ull * TiB)
#define NS_US 1000ll
#define NS_MS 1000000ll
#define NS_S 1000000000ll

static void test_size_good(void **state)
{
	static const struct {
		const char *in;
		uint64_t want;
	} cases[] = {
	    {"0", 0},
	    {"512", 512},
	    {"4k", 4 * KiB},
	    {"4K", 4 * KiB},
	    {"4KiB", 4 * KiB},
	    {"4kb", 4 * KiB},
	    {"4KB", 4 * KiB},
	    {"1m", MiB},
	    {"1M", MiB},
	    {"1MiB", MiB},
	    {"1G", GiB},
	    {"1g", GiB},
	    {"1GiB", GiB},
	    {"1.5k", 1536},
	    {"0.5k", 512},
	    {".5k", 512},
	    {"2.25M", 2 * MiB + MiB / 4},
	    {"2T", 2 * TiB},
	    {"3tib", 3 * TiB},
	    {"1P", PiB},
	    {"4 k", 4 * KiB},
	    {" 4k ", 4 * KiB},
	    {"512b", 512},
	    {"512B", 512},
	    {"1536", 1536},
	    {"9007199254740993", 9007199254740993ull}, /* 2^53 + 1: not a double */
	    {"18446744073709551615", UINT64_MAX},
	    {"16383P", 16383 * PiB},
	    {"16777215T", 16777215 * TiB},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 12345;
		int r = units_parse_size(cases[i].in, &v);
		if (r != 0 || v != cases[i].want)
			fail_msg("'%s': r=%d v=%" PRIu64 ", want %" PRIu64, cases[i].in, r, v,
				 cases[i].want);
	}
}

static void test_size_bad(void **state)
{
	static const struct {
		const char *in;
		int err;
	} cases[] = {
	    {"", -EINVAL},
	    {" ", -EINVAL},
	    {"k", -EINVAL},
	    {"-1", -EINVAL},
	    {"+1", -EINVAL},
	    {"4x", -EINVAL},
	    {"4kx", -EINVAL},
	    {"4 k b", -EINVAL},
	    {"1.3k", -EINVAL}, /* 1331.2 bytes */
	    {"0.1", -EINVAL},  /* not whole bytes */
	    {"0x10", -EINVAL}, /* no hex */
	    {"1e3", -EINVAL},  /* no exponent */
	    {"4kibibytes", -EINVAL},
	    {".", -EINVAL},
	    {"1..2", -EINVAL},
	    {"nan", -EINVAL},
	    {"inf", -EINVAL},
	    {"18446744073709551616", -ERANGE}, /* 2^64 */
	    {"99999999999999999999999", -ERANGE},
	    {"16777216T", -ERANGE},    /* 2^64 */
	    {"17179869184G", -ERANGE}, /* 2^64 */
	    {"16384P", -ERANGE},
	    {"99999999999T", -ERANGE},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 777;
		int r = units_parse_size(cases[i].in, &v);
		if (r != cases[i].err)
			fail_msg("'%s': r=%d (v=%" PRIu64 "), want %d", cases[i].in, r, v,
				 cases[i].err);
		assert_int_equal(v, 777); /* untouched on error */
	}
	uint64_t v;
	assert_int_equal(units_parse_size(NULL, &v), -EINVAL);
}

static void test_duration_good(void **state)
{
	static const struct {
		const char *in;
		int64_t want;
	} cases[] = {
	    {"0", 0},
	    {"500ms", 500 * NS_MS},
	    {"30s", 30 * NS_S},
	    {"30", 30 * NS_S}, /* plain = seconds */
	    {"2m", 120 * NS_S},
	    {"2min", 120 * NS_S},
	    {"1h", 3600 * NS_S},
	    {"1.5s", 1500 * NS_MS},
	    {"0.25", 250 * NS_MS},
	    {"10us", 10 * NS_US},
	    {"1.5us", 1500},
	    {"7ns", 7},
	    {"3sec", 3 * NS_S},
	    {"1.5h", 5400 * NS_S},
	    {"0.1s", 100 * NS_MS},
	    {"250 ms", 250 * NS_MS},
	    {"1MS", NS_MS},				/* units are case-insensitive */
	    {"9007199254740993ns", 9007199254740993ll}, /* 2^53 + 1 */
	    {"9223372036854775807ns", INT64_MAX},
	    {"9223372036s", 9223372036 * NS_S},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t v = 12345;
		int r = units_parse_duration(cases[i].in, &v);
		if (r != 0 || v != cases[i].want)
			fail_msg("'%s': r=%d v=%" PRId64 ", want %" PRId64, cases[i].in, r, v,
				 cases[i].want);
	}
}

static void test_duration_bad(void **state)
{
	static const struct {
		const char *in;
		int err;
	} cases[] = {
	    {"", -EINVAL},
	    {"s", -EINVAL},
	    {"ms", -EINVAL},
	    {"-1s", -EINVAL},
	    {"5x", -EINVAL},
	    {"5 s s", -EINVAL},
	    {"5d", -EINVAL},
	    {"1e3", -EINVAL},
	    {"0x10", -EINVAL},
	    {"5secs", -EINVAL},
	    {"9223372036854775808ns", -ERANGE}, /* INT64_MAX + 1 */
	    {"9223372037s", -ERANGE},
	    {"99999999999h", -ERANGE},
	    {"99999999999999999999999", -ERANGE},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t v = 777;
		int r = units_parse_duration(cases[i].in, &v);
		if (r != cases[i].err)
			fail_msg("'%s': r=%d (v=%" PRId64 "), want %d", cases[i].in, r, v,
				 cases[i].err);
		assert_int_equal(v, 777);
	}
	int64_t v;
	assert_int_equal(units_parse_duration(NULL, &v), -EINVAL);
}

static void test_count(void **state)
{
	static const struct {
		const char *in;
		int err;
		int64_t want;
	} cases[] = {
	    {"0", 0, 0},
	    {"10", 0, 10},
	    {"10k", 0, 10000},
	    {"10K", 0, 10000},
	    {"1.5k", 0, 1500},
	    {"2m", 0, 2000000},
	    {"3G", 0, 3000000000ll},
	    {"9007199254740993", 0, 9007199254740993ll},
	    {"9223372036854775807", 0, INT64_MAX},
	    {"", -EINVAL, 0},
	    {"k", -EINVAL, 0},
	    {"-5", -EINVAL, 0},
	    {"1.5", -EINVAL, 0}, /* not whole */
	    {"1.0005k", -EINVAL, 0},
	    {"10kk", -EINVAL, 0},
	    {"10x", -EINVAL, 0},
	    {"10ki", -EINVAL, 0},
	    {"9223372036854775808", -ERANGE, 0},
	    {"9223372036854776k", -ERANGE, 0},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t v = 777;
		int r = units_parse_count(cases[i].in, &v);
		if (r != cases[i].err || (r == 0 && v != cases[i].want) || (r < 0 && v != 777))
			fail_msg("'%s': r=%d v=%" PRId64 ", want r=%d v=%" PRId64, cases[i].in, r,
				 v, cases[i].err, cases[i].want);
	}
}

static void test_fmt_size_known(void **state)
{
	static const struct {
		uint64_t in;
		const char *want;
	} cases[] = {
	    {0, "0"},	     {512, "512"},	     {1024, "1k"},
	    {1536, "1536"},  {4096, "4k"},	     {MiB, "1M"},
	    {3 * GiB, "3G"}, {2 * TiB, "2T"},	     {PiB, "1P"},
	    {1025, "1025"},  {1024 * 1023, "1023k"}, {UINT64_MAX, "18446744073709551615"},
	};
	char buf[64];
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		units_fmt_size(cases[i].in, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].want);
	}
}

static void test_fmt_duration_known(void **state)
{
	static const struct {
		int64_t in;
		const char *want;
	} cases[] = {
	    {0, "0s"},
	    {500 * NS_MS, "500ms"},
	    {30 * NS_S, "30s"},
	    {1500 * NS_MS, "1500ms"},
	    {10 * NS_US, "10us"},
	    {7, "7ns"},
	    {120 * NS_S, "120s"},
	};
	char buf[64];
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		units_fmt_duration(cases[i].in, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].want);
	}
}

/* xorshift64*: deterministic, so a failure is reproducible */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static void check_size_round_trip(uint64_t v)
{
	char buf[64];
	uint64_t back = 0;
	units_fmt_size(v, buf, sizeof(buf));
	int r = units_parse_size(buf, &back);
	if (r != 0 || back != v)
		fail_msg("size %" PRIu64 " -> '%s' -> r=%d %" PRIu64, v, buf, r, back);
}

static void check_duration_round_trip(int64_t v)
{
	char buf[64];
	int64_t back = 0;
	units_fmt_duration(v, buf, sizeof(buf));
	int r = units_parse_duration(buf, &back);
	if (r != 0 || back != v)
		fail_msg("duration %" PRId64 " -> '%s' -> r=%d %" PRId64, v, buf, r, back);
}

static void test_round_trip(void **state)
{
	(void)state;
	for (uint64_t v = 0; v < 5000; v++)
		check_size_round_trip(v);
	for (int sh = 0; sh < 64; sh++) {
		uint64_t p = 1ull << sh;
		check_size_round_trip(p);
		check_size_round_trip(p - 1);
		check_size_round_trip(p + 1);
		check_size_round_trip(p * 3);
		check_size_round_trip(p * 1000);
	}
	check_size_round_trip(UINT64_MAX);
	check_size_round_trip(UINT64_MAX - 1023);
	for (int i = 0; i < 20000; i++) {
		uint64_t r = rnd();
		check_size_round_trip(r);		    /* almost never a multiple */
		check_size_round_trip(r >> (r % 64));	    /* all magnitudes */
		check_size_round_trip((r >> 40) << 20);	    /* multiples of 1M */
		check_size_round_trip((r % 100000) * 1024); /* multiples of 1k */
	}

	for (int64_t v = 0; v < 5000; v++)
		check_duration_round_trip(v);
	static const int64_t mults[] = {1, NS_US, NS_MS, NS_S, 60 * NS_S, 3600 * NS_S};
	for (size_t m = 0; m < sizeof(mults) / sizeof(mults[0]); m++)
		for (int64_t k = 1; k < 2000; k += 7)
			check_duration_round_trip(k * mults[m]);
	check_duration_round_trip(INT64_MAX);
	for (int i = 0; i < 20000; i++) {
		uint64_t r = rnd();
		check_duration_round_trip((int64_t)(r >> 1));
		check_duration_round_trip((int64_t)((r >> 1) >> (r % 63)));
		check_duration_round_trip((int64_t)(r % 100000) * NS_MS);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_size_good),
	    cmocka_unit_test(test_size_bad),
	    cmocka_unit_test(test_duration_good),
	    cmocka_unit_test(test_duration_bad),
	    cmocka_unit_test(test_count),
	    cmocka_unit_test(test_fmt_size_known),
	    cmocka_unit_test(test_fmt_duration_known),
	    cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
