/* cpu: sysbench 1.0.20's CPU test. One event tests every integer in
 * [3, max-prime) for primality by trial division up to its square root, with
 * the same integer and double types as sysbench, so that the same compiler at
 * -O2 emits the same instructions (64-bit div, cvtsi2sd, sqrtsd) and
 * events_per_s can be compared with sysbench's "events per second" directly.
 *
 * Like sysbench, every thread loops: time limit reached? global event budget
 * exhausted? then run one event between two clock reads. The rate is the
 * number of events over the time from the moment all threads are ready until
 * the last one has been joined, which is sysbench's time_interval. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/timeutil.h"
#include "workloads/gate.h"
#include "workloads/workload.h"

struct cpu_opts {
	int64_t max_prime;
	int64_t threads;
	int64_t time_ns;
	int64_t events;
};

static const struct opt_def cpu_options[] = {
	/* sysbench keeps the limit in an int */
	OPT_INT("max-prime", struct cpu_opts, max_prime, "10000", 1, 2147483647,
		"upper limit for primes generator (sysbench --cpu-max-prime)", .peer = "cpu-max-prime"),
	OPT_INT("threads", struct cpu_opts, threads, "1", 1, 4096, "number of threads"),
	OPT_DURATION("time", struct cpu_opts, time_ns, "10s", 0, 365 * 86400 * 1e9,
		     "time limit, 0 for none"),
	OPT_INT("events", struct cpu_opts, events, "0", 0, 1e15,
		"limit on the total number of events, 0 for none"),
	OPT_END,
};

struct cpu_shared {
	unsigned int max_prime;
	int64_t max_events;
	int64_t deadline; /* vb_now_ns() value at which to stop; 0 for none */
	atomic_int_fast64_t nevents;
	volatile int *cancel;
	struct wl_gate gate;
};

struct cpu_thread {
	pthread_t tid;
	struct cpu_shared *sh;
	struct hist *lat;
	uint64_t events;
	/* The primes found; it is stored, so the compiler must compute it. */
	unsigned long long primes;
};

/* One sysbench CPU event. The types are sysbench's on purpose: the loop
 * counters are unsigned long long (a 64-bit div, and an unsigned-to-double
 * conversion for every comparison with the root) and the bound is an unsigned
 * int. Returning the count keeps the work observable without changing the
 * inner loop, which is where the time goes. */
static unsigned long long cpu_event(unsigned int max_prime)
{
	unsigned long long n = 0;
	for (unsigned long long c = 3; c < max_prime; c++) {
		double root = sqrt((double)c);
		unsigned long long d;
		for (d = 2; d <= root; d++)
			if (c % d == 0)
				break;
		if (d > root)
			n++;
	}
	return n;
}

static void *cpu_thread_main(void *arg)
{
	struct cpu_thread *t = arg;
	struct cpu_shared *sh = t->sh;

	if (wl_gate_enter(&sh->gate) < 0)
		return NULL;
	for (;;) {
		/* the same checks, in the same order, as sysbench's
		 * sb_more_events(): clock first, then the shared budget */
		if (sh->deadline && vb_now_ns() >= sh->deadline)
			break;
		if (sh->max_events && atomic_fetch_add(&sh->nevents, 1) >= sh->max_events)
			break;
		if (sh->cancel && *sh->cancel)
			break;
		int64_t t0 = vb_now_ns();
		t->primes += cpu_event(sh->max_prime);
		int64_t t1 = vb_now_ns();
		hist_add(t->lat, (uint64_t)(t1 - t0));
		t->events++;
	}
	wl_gate_leave(&sh->gate);
	return NULL;
}

static int cpu_check(const void *opts)
{
	const struct cpu_opts *o = opts;
	if (o->time_ns == 0 && o->events == 0)
		return vb_err(-EINVAL, "workload 'cpu': time=0 and events=0 would never stop; "
				       "set at least one of them");
	return 0;
}

static int cpu_run(struct wl_run *run)
{
	const struct cpu_opts *o = run->opts;
	int nthreads = (int)o->threads, r = 0;
	struct cpu_shared sh = {
		.max_prime = (unsigned int)o->max_prime,
		.max_events = o->events,
		.cancel = run->cancel,
	};
	struct cpu_thread *th = calloc((size_t)nthreads, sizeof(*th));
	if (!th)
		return vb_err(-ENOMEM, "out of memory");
	atomic_init(&sh.nevents, 0);
	wl_gate_init(&sh.gate);

	for (int i = 0; i < nthreads; i++) {
		th[i].sh = &sh;
		if (!(th[i].lat = hist_new())) {
			r = vb_err(-ENOMEM, "out of memory");
			goto out;
		}
	}
	int64_t start, end;
	r = wl_gate_run(&sh.gate, nthreads, cpu_thread_main, th, sizeof(*th),
			offsetof(struct cpu_thread, tid), o->time_ns, &sh.deadline, &start, &end);
	if (r < 0)
		goto out;

	double secs = (double)(end - start) / 1e9;
	uint64_t events = 0;
	for (int i = 0; i < nthreads; i++) {
		events += th[i].events;
		if (i)
			hist_merge(th[0].lat, th[i].lat);
	}
	run->res->duration_s = secs;
	metric_set(run->res, "events_per_s", secs > 0 ? (double)events / secs : 0, UNIT_PER_S,
		   AGG_SUM);
	metric_set(run->res, "total_events", (double)events, UNIT_COUNT, AGG_SUM);
	metric_hist(run->res, "lat", th[0].lat);
	th[0].lat = NULL;
	if (run->cancel && *run->cancel)
		r = vb_err(-ECANCELED, "workload 'cpu': cancelled after %.1fs", secs);
out:
	for (int i = 0; i < nthreads; i++)
		hist_free(th[i].lat);
	wl_gate_destroy(&sh.gate);
	free(th);
	return r;
}

static int64_t cpu_estimate_ns(const void *opts)
{
	const struct cpu_opts *o = opts;
	return o->time_ns ? o->time_ns : -1;
}

const struct workload_ops cpu_workload = {
	.name = "cpu",
	.summary = "prime numbers by trial division, as sysbench cpu",
	.peer = "sysbench cpu",
	.options = cpu_options,
	.opts_size = sizeof(struct cpu_opts),
	.check = cpu_check,
	.run = cpu_run,
	.estimate_ns = cpu_estimate_ns,
	.headline = (const char *const[]){"events_per_s", "lat_p99_us", NULL},
};
