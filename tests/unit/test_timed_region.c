/* The timed region of every workload that can be short holds its events and
 * nothing else: a run's duration (what its rate is divided by) must be
 * covered by the latencies of its own events. With one thread, the events'
 * latencies lie inside the duration, so sum(lat) / duration <= 1; what is
 * left is the loop around the events (a clock read, a histogram update),
 * well under a percent with the event sizes used here. Anything else timed
 * (a buffer zeroed or faulted in, a file opened or laid out, a thread
 * created or joined late, a sampler) lowers the ratio; a ratio under
 * MIN_COVER fails the test.
 *
 * Each case is a short run, a few to a few tens of milliseconds, as the
 * seed's sysbench commands are, so that a fixed cost of a millisecond moves
 * the ratio by several percent. A run is tried up to three times and the
 * best ratio counts: a preemption between two events can land outside the
 * latencies once, a cost inside the timed region lands every time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"
#include "util/hostio.h"
#include "workloads/workload.h"

#define MIN_COVER 0.96

static char workdir[] = "/var/tmp/vmbench-timed.XXXXXX";

static int setup(void **state)
{
	(void)state;
	vb_err_set_quiet(1);
	return mkdtemp(workdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return hostio_rm_rf(workdir) == 0 ? 0 : -1;
}

/* sum of the latencies in hist NAME of res, in seconds */
static double lat_sum_s(const struct result *res, const char *name)
{
	for (int i = 0; i < res->nhists; i++)
		if (strcmp(res->hists[i].name, name) == 0)
			return (double)res->hists[i].h->sum / 1e9;
	fail_msg("no histogram '%s' in the result", name);
	return 0;
}

/* Runs WORKLOAD with the options in LIST (k=v,...) and returns the share of
 * its duration covered by its events' latencies (histogram HIST); checks
 * that the run made EVENTS events (counted by metric COUNT) when given. */
static double cover(const char *workload, const char *list, const char *hist,
		    const char *count, double events)
{
	const struct workload_ops *ops = workload_find(workload);
	assert_non_null(ops);
	void *opts = calloc(1, ops->opts_size);
	assert_non_null(opts);
	assert_int_equal(opt_defaults(ops->options, opts), 0);
	assert_int_equal(opt_set_list(ops->options, opts, workload, list), 0);
	assert_int_equal(ops->check ? ops->check(opts) : 0, 0);
	struct result res = {0};
	volatile int cancel = 0;
	struct wl_run run = {
		.ops = ops, .opts = opts, .res = &res, .workdir = workdir, .cancel = &cancel,
	};
	int r = ops->prepare ? ops->prepare(&run) : 0;
	if (r == 0)
		r = ops->run(&run);
	if (ops->cleanup)
		ops->cleanup(&run);
	if (r != 0)
		fail_msg("%s %s: %s", workload, list, vb_errmsg());
	if (count) {
		const struct metric *m = result_find(&res, count);
		assert_non_null(m);
		assert_true(m->value == events);
	}
	assert_true(res.duration_s > 0);
	double c = lat_sum_s(&res, hist) / res.duration_s;
	result_free(&res);
	free(opts);
	return c;
}

static void check_cover(const char *workload, const char *list, const char *hist,
			const char *count, double events)
{
	double best = 0;
	for (int i = 0; i < 3 && best < MIN_COVER; i++) {
		double c = cover(workload, list, hist, count, events);
		/* a latency longer than the run it is part of: the run's clock
		 * started late or stopped early */
		if (c > 1.0 + 1e-6)
			fail_msg("%s %s: the events' latencies add up to %.4f of the run's "
				 "duration: the duration misses part of the events",
				 workload, list, c);
		if (c > best)
			best = c;
		if (getenv("VB_TIMED_VERBOSE"))
			printf("%s %s: %.4f\n", workload, list, c);
	}
	if (best < MIN_COVER)
		fail_msg("%s %s: the events' latencies cover only %.1f%% of the timed region "
			 "(at least %.0f%% expected): the timed region holds something else",
			 workload, list, best * 100, MIN_COVER * 100);
}

static void test_cpu(void **state)
{
	(void)state;
	/* sysbench cpu --cpu-max-prime=5000 --events=100 --time=0 */
	check_cover("cpu", "max-prime=5000,events=100,time=0", "lat", "total_events", 100);
}

static void test_memory(void **state)
{
	(void)state;
	/* 16 events of 4 MiB: zeroing the buffer (1024 page faults) inside
	 * the timed region would cost as much as several events */
	check_cover("memory", "block-size=4M,total-size=64M,time=0,events=16", "lat", NULL, 0);
}

static void test_memory_seed(void **state)
{
	(void)state;
	/* the seed's sysbench memory --memory-block-size=8M, a tenth of 4G */
	check_cover("memory", "block-size=8M,total-size=400M", "lat", NULL, 0);
}

static void test_fileio(void **state)
{
	(void)state;
	/* fsync-end is timed on purpose (sysbench does it too) but is not an
	 * event, so it is off here */
	check_cover("fileio",
		    "mode=seqwr,file-num=2,file-total-size=16M,block-size=256k,events=64,"
		    "time=0,fsync-end=off,fsync-freq=0",
		    "lat", "events", 64);
}

static void test_dd(void **state)
{
	(void)state;
	/* An event is a record copied: the read and the write to /dev/null.
	 * The writing direction makes the file first; its timed region also
	 * holds the close() of the output, as GNU dd's does, and on ext4 the
	 * close of a file that replaced a truncated one starts its writeback
	 * (auto_da_alloc), which is not an event. */
	cover("dd", "filename=dd.dat,bs=1M,count=32", "lat", NULL, 0);
	check_cover("dd", "filename=dd.dat,mode=read,bs=1M,count=32", "lat", NULL, 0);
}

static void test_blkio(void **state)
{
	(void)state;
	check_cover("blkio", "filename=blkio.dat,rw=write,bs=256k,size=16M", "write_clat",
		    "write_ios", 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu),   cmocka_unit_test(test_memory),
		cmocka_unit_test(test_memory_seed), cmocka_unit_test(test_fileio),
		cmocka_unit_test(test_dd),    cmocka_unit_test(test_blkio),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
