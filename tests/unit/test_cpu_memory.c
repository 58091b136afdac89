/* cpu and memory workloads: option defaults and parsing, check() errors, and
 * small real runs whose counts follow exactly from sysbench's rules (a
 * global event budget for cpu; total-size / block-size / threads events per
 * thread for memory). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "workloads/workload.h"

struct job {
	const struct workload_ops *ops;
	void *opts;
	struct result res;
	struct wl_run run;
	volatile int cancel;
};

static int quiet(void **state)
{
	(void)state;
	vb_err_set_quiet(1);
	return 0;
}

/* Defaults, then "k=v,..."; returns the first error of parsing or check(). */
static int job_init(struct job *j, const char *name, const char *list)
{
	char ctx[64];
	memset(j, 0, sizeof(*j));
	j->ops = workload_find(name);
	assert_non_null(j->ops);
	j->opts = calloc(1, j->ops->opts_size);
	assert_non_null(j->opts);
	assert_int_equal(opt_defaults(j->ops->options, j->opts), 0);
	snprintf(ctx, sizeof(ctx), "workload '%s'", name);
	int r = opt_set_list(j->ops->options, j->opts, ctx, list);
	if (r == 0)
		r = j->ops->check(j->opts);
	j->run.ops = j->ops;
	j->run.opts = j->opts;
	j->run.res = &j->res;
	j->run.cancel = &j->cancel;
	return r;
}

static void job_free(struct job *j)
{
	result_free(&j->res);
	free(j->opts);
}

static const char *fmt_opt(const struct job *j, const char *name)
{
	static char buf[128];
	const struct opt_def *d = opt_find(j->ops->options, name);
	assert_non_null(d);
	opt_fmt(d, j->opts, buf, sizeof(buf));
	return buf;
}

static int64_t int_opt(const struct job *j, const char *name)
{
	const struct opt_def *d = opt_find(j->ops->options, name);
	assert_non_null(d);
	assert_true(d->type == OPT_T_INT || d->type == OPT_T_DURATION);
	return *OPT_PTR(j->opts, d, int64_t);
}

static uint64_t size_opt(const struct job *j, const char *name)
{
	const struct opt_def *d = opt_find(j->ops->options, name);
	assert_non_null(d);
	assert_int_equal(d->type, OPT_T_SIZE);
	return *OPT_PTR(j->opts, d, uint64_t);
}

static double metric(const struct job *j, const char *name)
{
	const struct metric *m = result_find(&j->res, name);
	if (!m)
		fail_msg("no metric '%s'", name);
	return m->value;
}

static const struct hist *lat_hist(const struct job *j)
{
	for (int i = 0; i < j->res.nhists; i++)
		if (strcmp(j->res.hists[i].name, "lat") == 0)
			return j->res.hists[i].h;
	fail_msg("no histogram 'lat'");
	return NULL;
}

static void errmsg_has(const char *want)
{
	if (!strstr(vb_errmsg(), want))
		fail_msg("error '%s' does not mention '%s'", vb_errmsg(), want);
}

static void test_cpu_defaults(void **state)
{
	(void)state;
	struct job j;
	assert_int_equal(job_init(&j, "cpu", ""), 0);
	assert_string_equal(j.ops->peer, "sysbench cpu");
	assert_int_equal(int_opt(&j, "max-prime"), 10000);
	assert_int_equal(int_opt(&j, "threads"), 1);
	assert_int_equal(int_opt(&j, "time"), 10000000000LL);
	assert_int_equal(int_opt(&j, "events"), 0);
	assert_string_equal(fmt_opt(&j, "time"), "10s");
	assert_int_equal(j.ops->estimate_ns(j.opts), 10000000000LL);
	job_free(&j);
}

static void test_cpu_parsing(void **state)
{
	(void)state;
	struct job j;
	/* the identifier spelling and count suffixes work as in sysbench */
	assert_int_equal(job_init(&j, "cpu", "max_prime=20000,threads=2,time=500ms,events=2k"),
			 0);
	assert_int_equal(int_opt(&j, "max-prime"), 20000);
	assert_int_equal(int_opt(&j, "threads"), 2);
	assert_int_equal(int_opt(&j, "time"), 500000000);
	assert_int_equal(int_opt(&j, "events"), 2000);
	job_free(&j);

	assert_int_equal(job_init(&j, "cpu", "max-prime=0"), -ERANGE);
	job_free(&j);
	assert_int_equal(job_init(&j, "cpu", "max-prime=3000000000"), -ERANGE);
	job_free(&j);
	assert_int_equal(job_init(&j, "cpu", "threads=0"), -ERANGE);
	job_free(&j);
	assert_int_equal(job_init(&j, "cpu", "events=-1"), -ERANGE);
	job_free(&j);
	assert_int_equal(job_init(&j, "cpu", "time=soon"), -EINVAL);
	job_free(&j);
	/* sysbench's name is the option's peer name */
	assert_int_equal(job_init(&j, "cpu", "cpu-max-prime=5"), 0);
	assert_int_equal(int_opt(&j, "max-prime"), 5);
	job_free(&j);
	assert_int_equal(job_init(&j, "cpu", "cpu-max-primes=5"), -ENOENT);
	errmsg_has("max-prime (cpu-max-prime)");
	job_free(&j);
}

static void test_cpu_check(void **state)
{
	(void)state;
	struct job j;
	assert_int_equal(job_init(&j, "cpu", "time=0,events=0"), -EINVAL);
	errmsg_has("time=0 and events=0");
	job_free(&j);
	assert_int_equal(job_init(&j, "cpu", "time=0,events=10"), 0);
	assert_int_equal(j.ops->estimate_ns(j.opts), -1);
	job_free(&j);
	assert_int_equal(job_init(&j, "cpu", "time=1s,events=0"), 0);
	job_free(&j);
}

/* The event budget is global: exactly `events` events, however many threads
 * share it, and one latency per event. */
static void cpu_events(const char *list, int64_t want)
{
	struct job j;
	assert_int_equal(job_init(&j, "cpu", list), 0);
	assert_int_equal(j.ops->run(&j.run), 0);
	assert_true(metric(&j, "total_events") == (double)want);
	assert_true(metric(&j, "events_per_s") > 0);
	assert_true(j.res.duration_s > 0);
	/* the rate is the events over the measured time */
	assert_true(fabs(metric(&j, "events_per_s") * j.res.duration_s - (double)want) < 1e-6 * want);
	const struct hist *h = lat_hist(&j);
	assert_int_equal(h->count, want);
	assert_true(h->min > 0);
	assert_true(metric(&j, "lat_p50_us") > 0);
	assert_true(metric(&j, "lat_max_us") >= metric(&j, "lat_p50_us"));
	job_free(&j);
}

static void test_cpu_run(void **state)
{
	(void)state;
	cpu_events("events=100,max-prime=1000", 100);
	cpu_events("events=100,max-prime=1000,threads=3", 100);
	cpu_events("events=7,max-prime=1000,time=0", 7);
}

static void test_cpu_time_limit(void **state)
{
	(void)state;
	struct job j;
	assert_int_equal(job_init(&j, "cpu", "time=200ms,max-prime=1000"), 0);
	assert_int_equal(j.ops->run(&j.run), 0);
	/* a generous bound: the point is that the run stops near the limit */
	assert_true(j.res.duration_s >= 0.2 && j.res.duration_s < 5);
	assert_true(metric(&j, "total_events") > 0);
	assert_int_equal(lat_hist(&j)->count, (uint64_t)metric(&j, "total_events"));
	job_free(&j);
}

static void test_cpu_cancel(void **state)
{
	(void)state;
	struct job j;
	assert_int_equal(job_init(&j, "cpu", "time=60s"), 0);
	j.cancel = 1;
	assert_int_equal(j.ops->run(&j.run), -ECANCELED);
	errmsg_has("cancelled");
	assert_true(metric(&j, "total_events") == 0);
	job_free(&j);
}

static void test_memory_defaults(void **state)
{
	(void)state;
	struct job j;
	assert_int_equal(job_init(&j, "memory", ""), 0);
	assert_string_equal(j.ops->peer, "sysbench memory");
	assert_int_equal(size_opt(&j, "block-size"), 1024);
	assert_int_equal(size_opt(&j, "total-size"), 100ULL << 30);
	assert_string_equal(fmt_opt(&j, "scope"), "global");
	assert_string_equal(fmt_opt(&j, "oper"), "write");
	assert_string_equal(fmt_opt(&j, "access"), "seq");
	assert_int_equal(int_opt(&j, "threads"), 1);
	assert_int_equal(int_opt(&j, "time"), 10000000000LL);
	assert_int_equal(int_opt(&j, "events"), 0);
	job_free(&j);
}

static void test_memory_parsing(void **state)
{
	(void)state;
	struct job j;
	assert_int_equal(job_init(&j, "memory", "block_size=4K,total_size=1G,scope=local,"
						"oper=read,access=rnd,threads=4,time=2s"),
			 0);
	assert_int_equal(size_opt(&j, "block-size"), 4096);
	assert_int_equal(size_opt(&j, "total-size"), 1ULL << 30);
	assert_string_equal(fmt_opt(&j, "scope"), "local");
	assert_string_equal(fmt_opt(&j, "oper"), "read");
	assert_string_equal(fmt_opt(&j, "access"), "rnd");
	assert_int_equal(int_opt(&j, "threads"), 4);
	assert_int_equal(int_opt(&j, "time"), 2000000000);
	job_free(&j);

	assert_int_equal(job_init(&j, "memory", "oper=copy"), -EINVAL);
	errmsg_has("read, write, none");
	job_free(&j);
	assert_int_equal(job_init(&j, "memory", "access=random"), -EINVAL);
	job_free(&j);
	assert_int_equal(job_init(&j, "memory", "scope=numa"), -EINVAL);
	job_free(&j);
	assert_int_equal(job_init(&j, "memory", "block-size=4"), -ERANGE);
	job_free(&j);
	assert_int_equal(job_init(&j, "memory", "total-size=lots"), -EINVAL);
	job_free(&j);
}

static void test_memory_check(void **state)
{
	(void)state;
	struct job j;
	/* sysbench wants a power of two of at least one word */
	assert_int_equal(job_init(&j, "memory", "block-size=1000"), -EINVAL);
	errmsg_has("power of two");
	job_free(&j);
	assert_int_equal(job_init(&j, "memory", "block-size=24"), -EINVAL);
	job_free(&j);
	assert_int_equal(job_init(&j, "memory", "block-size=8"), 0);
	job_free(&j);
	assert_int_equal(job_init(&j, "memory", "time=0,events=0"), -EINVAL);
	errmsg_has("time=0 and events=0");
	job_free(&j);
	/* total-size alone does not count: sysbench refuses it too */
	assert_int_equal(job_init(&j, "memory", "time=0,events=0,total-size=1M"), -EINVAL);
	job_free(&j);
	assert_int_equal(job_init(&j, "memory", "time=0,events=5"), 0);
	job_free(&j);
}

/* Runs and checks the exact event count, which total_mib, the rate and the
 * histogram must all agree with. */
static void memory_events(const char *list, uint64_t want, double want_mib)
{
	struct job j;
	assert_int_equal(job_init(&j, "memory", list), 0);
	assert_int_equal(j.ops->run(&j.run), 0);
	const struct hist *h = lat_hist(&j);
	assert_int_equal(h->count, want);
	if (fabs(metric(&j, "total_mib") - want_mib) > 1e-9)
		fail_msg("%s: total_mib %g, want %g", list, metric(&j, "total_mib"), want_mib);
	assert_true(j.res.duration_s > 0);
	double ops = metric(&j, "ops_per_s") * j.res.duration_s;
	assert_true(fabs(ops - (double)want) < 1e-6 * (double)want + 1e-9);
	double mib = metric(&j, "mib_per_s") * j.res.duration_s;
	assert_true(fabs(mib - want_mib) < 1e-6 * want_mib + 1e-9);
	job_free(&j);
}

static void test_memory_run(void **state)
{
	(void)state;
	memory_events("total-size=16M,block-size=1k", 16384, 16);
	memory_events("total-size=16M,block-size=1k,oper=read", 16384, 16);
	memory_events("total-size=16M,block-size=64k,access=rnd", 256, 16);
	memory_events("total-size=4M,block-size=4k,access=rnd,oper=read", 1024, 4);
	/* sysbench reports nothing transferred for oper=none */
	memory_events("total-size=16M,block-size=1k,oper=none", 16384, 0);
	memory_events("total-size=1M,block-size=1k,oper=none,access=rnd", 1024, 0);
}

static void test_memory_split(void **state)
{
	(void)state;
	/* each thread does total-size / block-size / threads events, rounded
	 * down: 1024 / 3 = 341 each, 1023 in all */
	memory_events("total-size=1M,block-size=1k,threads=3", 1023, 1023.0 / 1024);
	memory_events("total-size=16M,block-size=1k,threads=2,scope=local", 16384, 16);
	memory_events("total-size=16M,block-size=1k,threads=2,scope=global,oper=read", 16384,
		      16);
	/* less than one block per thread: no events at all */
	memory_events("total-size=1k,block-size=1k,threads=2", 0, 0);
	/* the event budget ends the run first; total-size=0 is no limit */
	memory_events("total-size=0,block-size=1k,events=1000,threads=2", 1000, 1000.0 / 1024);
}

static void test_memory_time_limit(void **state)
{
	(void)state;
	struct job j;
	assert_int_equal(job_init(&j, "memory", "total-size=0,time=100ms"), 0);
	assert_int_equal(j.ops->run(&j.run), 0);
	assert_true(j.res.duration_s >= 0.1 && j.res.duration_s < 5);
	uint64_t n = lat_hist(&j)->count;
	assert_true(n > 0);
	assert_true(fabs(metric(&j, "total_mib") - (double)n / 1024) < 1e-6);
	job_free(&j);
}

static void test_memory_cancel(void **state)
{
	(void)state;
	struct job j;
	assert_int_equal(job_init(&j, "memory", "total-size=0,time=60s,threads=2"), 0);
	j.cancel = 1;
	assert_int_equal(j.ops->run(&j.run), -ECANCELED);
	errmsg_has("cancelled");
	assert_int_equal(lat_hist(&j)->count, 0);
	job_free(&j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_defaults),
		cmocka_unit_test(test_cpu_parsing),
		cmocka_unit_test(test_cpu_check),
		cmocka_unit_test(test_cpu_run),
		cmocka_unit_test(test_cpu_time_limit),
		cmocka_unit_test(test_cpu_cancel),
		cmocka_unit_test(test_memory_defaults),
		cmocka_unit_test(test_memory_parsing),
		cmocka_unit_test(test_memory_check),
		cmocka_unit_test(test_memory_run),
		cmocka_unit_test(test_memory_split),
		cmocka_unit_test(test_memory_time_limit),
		cmocka_unit_test(test_memory_cancel),
	};
	return cmocka_run_group_tests_name("cpu_memory", tests, quiet, NULL);
}
