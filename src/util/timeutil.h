#ifndef VB_UTIL_TIMEUTIL_H
#define VB_UTIL_TIMEUTIL_H

#include <stdint.h>
#include <time.h>

/* Monotonic clock in nanoseconds: for measuring intervals. */
static inline int64_t vb_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Wall clock in seconds since the epoch: for timestamps that are stored. */
static inline double vb_wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif
