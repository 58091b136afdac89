/* memory: sysbench 1.0.20's memory test.
 *
 * One event touches one block of block-size bytes, a machine word (size_t) at
 * a time: oper=write stores a word, read loads one, none only runs the loop.
 * access=seq walks the block in order; access=rnd visits as many words as the
 * block holds, each at an offset drawn from xoroshiro128+ (sysbench's RNG), so
 * some words are visited twice and some never. Every event counts as
 * block-size bytes transferred, whatever the access, and the MiB/s figure is
 * events * block-size / 2^20 over the elapsed time, as sysbench prints it.
 *
 * scope=global: all threads share one block-size buffer (with several
 * threads, they write the same cache lines, as in sysbench); scope=local:
 * one per thread. Buffers are page-aligned and zeroed before the clock
 * starts. total-size is divided evenly between the threads up front (each
 * does total-size / block-size / threads events; 0 means no limit), so a run
 * stops at whichever comes first: that share, the time limit, or events.
 *
 * The event loop also keeps sysbench's per-event bookkeeping and its cost,
 * because with small blocks that cost is most of the time measured: with
 * 1 KiB blocks a sysbench event spends ~50 ns in the block and ~80 ns around
 * it (three clock reads, two spinlocked timer updates, a log-scale histogram
 * update with an atomic add; see mem_event_stop), and a leaner loop reports
 * ~50% more MiB/s than sysbench on the same machine. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"
#include "util/timeutil.h"
#include "workloads/gate.h"
#include "workloads/workload.h"

enum { MEM_SCOPE_GLOBAL, MEM_SCOPE_LOCAL };
enum { MEM_OPER_READ, MEM_OPER_WRITE, MEM_OPER_NONE };
enum { MEM_ACCESS_SEQ, MEM_ACCESS_RND };

static const char *const memory_scopes[] = {"global", "local", NULL};
static const char *const memory_opers[] = {"read", "write", "none", NULL};
static const char *const memory_accesses[] = {"seq", "rnd", NULL};

struct memory_opts {
	uint64_t block_size;
	uint64_t total_size;
	int scope;
	int oper;
	int access;
	int64_t threads;
	int64_t time_ns;
	int64_t events;
};

static const struct opt_def memory_options[] = {
	OPT_SIZE("block-size", struct memory_opts, block_size, "1k", 8, 1ull << 40,
		 "size of memory block for test, a power of two (sysbench --memory-block-size)", .peer = "memory-block-size"),
	OPT_SIZE("total-size", struct memory_opts, total_size, "100G", 0, 9.2e18,
		 "total size of data to transfer, split evenly between threads; 0 for no limit", .peer = "memory-total-size"),
	OPT_ENUM("scope", struct memory_opts, scope, "global", memory_scopes,
		 "one buffer for all threads or one per thread", .peer = "memory-scope"),
	OPT_ENUM("oper", struct memory_opts, oper, "write", memory_opers,
		 "type of memory operations", .peer = "memory-oper"),
	OPT_ENUM("access", struct memory_opts, access, "seq", memory_accesses,
		 "memory access mode (sysbench --memory-access-mode)", .peer = "memory-access-mode"),
	OPT_INT("threads", struct memory_opts, threads, "1", 1, 4096, "number of threads"),
	OPT_DURATION("time", struct memory_opts, time_ns, "10s", 0, 365 * 86400 * 1e9,
		     "time limit, 0 for none"),
	/* sysbench 1.0.20 ignores --events here; a vmbench limit works */
	OPT_INT("events", struct memory_opts, events, "0", 0, 1e15,
		"limit on the total number of events, 0 for none"),
	OPT_END,
};

/* sysbench's latency histogram: 1024 log-scale buckets from 1 us to 100 s,
 * in 128 copies ("slots"), each event incrementing one bucket of a randomly
 * chosen copy with an atomic add so that threads rarely share a line. */
#define SBA_SLOTS 128
#define SBA_BUCKETS 1024

struct mem_shared {
	int64_t max_events;
	int64_t deadline; /* vb_now_ns() value at which to stop; 0 for none */
	atomic_int_fast64_t nevents;
	volatile int *cancel;
	struct wl_gate gate;
	_Atomic uint64_t (*sba_hist)[SBA_BUCKETS];
	double sba_deduct, sba_mult; /* bucket = (ln(ms) - deduct) * mult */
};

/* Cache-line aligned: the fields written on every event must not share a
 * line with another thread's (sysbench pads its timers the same way). */
struct mem_thread {
	_Alignas(64) pthread_t tid;
	/* sysbench takes a per-thread spinlock to read the clock at the start
	 * and at the end of every event (sb_timer_start/sb_timer_stop); here it
	 * guards the latency histogram the same way */
	atomic_int tlock;
	struct mem_shared *sh;
	void (*event)(struct mem_thread *t);
	size_t *buf, *end;
	int64_t block_size; /* signed, as sysbench's ssize_t */
	uint64_t ops_left; /* this thread's share of total-size, in events */
	int limited;       /* ops_left applies */
	uint64_t seed[2];  /* of the thread's RNG */
	int64_t t0;        /* start of the current event */
	struct hist *lat;
	uint64_t events;
};

/* Word accesses as sysbench makes them with ck_pr_store_64/ck_pr_load_64:
 * one volatile access each, which is also a compiler barrier, so that no
 * access is merged, vectorised or dropped, and whatever the loop keeps in
 * memory (the RNG state, the buffer address, the size) is reloaded after
 * every access, as it is in sysbench. */
#define WORD ((int64_t)sizeof(size_t))
#define WORD_STORE(p, v) \
	(*(volatile size_t *)(p) = (size_t)(v), atomic_signal_fence(memory_order_seq_cst))
#define WORD_LOAD(p) \
	((void)*(volatile const size_t *)(p), atomic_signal_fence(memory_order_seq_cst))

/* The RNG state and the buffer address are thread-local variables, as in
 * sysbench: the random loops reload them after every access (see
 * WORD_STORE), and a thread-local load is slower than a plain one. */
static _Thread_local uint64_t mem_rng[2];
static _Thread_local size_t *mem_buf;

/* xoroshiro128+ (Blackman and Vigna, 2016: rotations 55, 14, 36), the
 * generator sysbench 1.0.20 uses, and its way of making a double in [0, 1):
 * the top 52 bits as the mantissa of a number in [1, 2), minus one. */
static inline uint64_t rotl64(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(uint64_t s[2])
{
	uint64_t s0 = s[0], s1 = s[1], x = s0 + s1;
	s1 ^= s0;
	s[0] = rotl64(s0, 55) ^ s1 ^ (s1 << 14);
	s[1] = rotl64(s1, 36);
	return x;
}

static inline double rng_uniform(uint64_t s[2])
{
	uint64_t x = rng_next(s);
	union {
		uint64_t i;
		double d;
	} u = {.i = UINT64_C(0x3ff) << 52 | x >> 12};
	return u.d - 1.0;
}

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* sysbench builds with -O2 -funroll-loops; the sequential loops are unrolled
 * the same way here so that both run the same instructions per word. */
static void event_seq_write(struct mem_thread *t)
{
	size_t *end = t->end;
#pragma GCC unroll 8
	for (size_t *p = t->buf; p < end; p++)
		WORD_STORE(p, end - p);
}

static void event_seq_read(struct mem_thread *t)
{
	size_t *end = t->end;
#pragma GCC unroll 8
	for (size_t *p = t->buf; p < end; p++)
		WORD_LOAD(p);
}

static void event_seq_none(struct mem_thread *t)
{
	size_t *end = t->end;
#pragma GCC unroll 8
	for (size_t *p = t->buf; p < end; p++)
		atomic_signal_fence(memory_order_seq_cst); /* keeps the empty loop */
}

/* The random loops count bytes and draw each word's index as sysbench does,
 * in double precision from the signed block size divided into words. */
static inline size_t rnd_word(const struct mem_thread *t)
{
	return (size_t)(rng_uniform(mem_rng) * (double)(t->block_size / WORD));
}

static void event_rnd_write(struct mem_thread *t)
{
	for (int64_t i = 0; i < t->block_size; i += WORD)
		WORD_STORE(mem_buf + rnd_word(t), i);
}

static void event_rnd_read(struct mem_thread *t)
{
	for (int64_t i = 0; i < t->block_size; i += WORD)
		WORD_LOAD(mem_buf + rnd_word(t));
}

/* sysbench computes the index and discards it, which leaves the RNG */
static void event_rnd_none(struct mem_thread *t)
{
	for (int64_t i = 0; i < t->block_size; i += WORD)
		(void)rnd_word(t);
}

static void (*const memory_events[2][3])(struct mem_thread *) = {
	[MEM_ACCESS_SEQ] = {[MEM_OPER_READ] = event_seq_read, [MEM_OPER_WRITE] = event_seq_write,
			    [MEM_OPER_NONE] = event_seq_none},
	[MEM_ACCESS_RND] = {[MEM_OPER_READ] = event_rnd_read, [MEM_OPER_WRITE] = event_rnd_write,
			    [MEM_OPER_NONE] = event_rnd_none},
};

/* The steps around an event are separate functions, called as sysbench
 * calls them (sb_more_events, next_event, sb_event_start, sb_event_stop,
 * sb_histogram_update): with small blocks these calls are part of what is
 * measured, so they are not left to the inliner. */
#define SB_CALL __attribute__((noinline))

static inline void timer_lock(struct mem_thread *t)
{
	while (atomic_exchange_explicit(&t->tlock, 1, memory_order_acquire))
		;
}

static inline void timer_unlock(struct mem_thread *t)
{
	atomic_store_explicit(&t->tlock, 0, memory_order_release);
}

/* One latency into sysbench's histogram, at sysbench's cost: a random slot,
 * a log() and an atomic increment. The figures are not reported (the lat
 * histogram is); the work is what makes the rate comparable. */
static SB_CALL void sba_update(struct mem_shared *sh, uint64_t ns)
{
	uint64_t slot = rng_next(mem_rng) % SBA_SLOTS;
	double b = floor((log((double)ns / 1e6) - sh->sba_deduct) * sh->sba_mult + 0.5);
	long i = b < 0 ? 0 : b >= SBA_BUCKETS ? SBA_BUCKETS - 1 : (long)b;
	atomic_fetch_add_explicit(&sh->sba_hist[slot][i], 1, memory_order_relaxed);
}

/* sysbench's sb_more_events(): the time limit, then the event budget */
static SB_CALL int mem_more_events(struct mem_thread *t)
{
	struct mem_shared *sh = t->sh;
	if (sh->deadline && vb_now_ns() >= sh->deadline)
		return 0;
	if (sh->max_events && atomic_fetch_add(&sh->nevents, 1) >= sh->max_events)
		return 0;
	/* a load every 1024 events costs nothing measurable */
	if ((t->events & 1023) == 0 && sh->cancel && *sh->cancel)
		return 0;
	return 1;
}

/* the memory test's next_event(): this thread's share of total-size */
static SB_CALL int mem_next_event(struct mem_thread *t)
{
	return !t->limited || t->ops_left-- > 0;
}

static SB_CALL void mem_event_start(struct mem_thread *t)
{
	timer_lock(t);
	t->t0 = vb_now_ns();
	timer_unlock(t);
}

static SB_CALL void mem_event_stop(struct mem_thread *t)
{
	timer_lock(t);
	uint64_t ns = (uint64_t)(vb_now_ns() - t->t0);
	hist_add(t->lat, ns);
	timer_unlock(t);
	sba_update(t->sh, ns);
	t->events++;
}

static void *mem_thread_main(void *arg)
{
	struct mem_thread *t = arg;
	struct mem_shared *sh = t->sh;

	if (wl_gate_enter(&sh->gate) < 0)
		return NULL;
	mem_rng[0] = t->seed[0];
	mem_rng[1] = t->seed[1];
	mem_buf = t->buf;
	while (mem_more_events(t) && mem_next_event(t)) {
		mem_event_start(t);
		t->event(t);
		mem_event_stop(t);
	}
	wl_gate_leave(&sh->gate);
	return NULL;
}

static int memory_check(const void *opts)
{
	const struct memory_opts *o = opts;
	if (o->block_size < sizeof(size_t) || (o->block_size & (o->block_size - 1)))
		return vb_err(-EINVAL,
			      "workload 'memory': block-size=%llu must be a power of two of at "
			      "least %zu bytes",
			      (unsigned long long)o->block_size, sizeof(size_t));
	if (o->time_ns == 0 && o->events == 0)
		return vb_err(-EINVAL, "workload 'memory': time=0 and events=0 would never stop; "
				       "set at least one of them");
	return 0;
}

static size_t *mem_alloc(uint64_t size)
{
	void *p;
	long page = sysconf(_SC_PAGESIZE);
	if (size > SIZE_MAX)
		return NULL;
	if (posix_memalign(&p, page > 0 ? (size_t)page : 4096, (size_t)size))
		return NULL;
	/* zeroing also faults every page in before the clock starts */
	memset(p, 0, (size_t)size);
	return p;
}

static int memory_run(struct wl_run *run)
{
	const struct memory_opts *o = run->opts;
	int nthreads = (int)o->threads, r = 0;
	struct mem_shared sh = {.max_events = o->events, .cancel = run->cancel};
	struct mem_thread *th = aligned_alloc(_Alignof(struct mem_thread),
					      (size_t)nthreads * sizeof(*th));
	size_t *global = NULL;
	uint64_t seed = (uint64_t)vb_now_ns();
	if (!th)
		return vb_err(-ENOMEM, "out of memory");
	memset(th, 0, (size_t)nthreads * sizeof(*th));
	atomic_init(&sh.nevents, 0);
	wl_gate_init(&sh.gate);
	if (!(sh.sba_hist = calloc(SBA_SLOTS, sizeof(*sh.sba_hist)))) {
		r = vb_err(-ENOMEM, "out of memory");
		goto out;
	}
	/* calloc() hands back untouched zero pages: written here, so that the
	 * first update of each of its 256 pages is not a page fault inside the
	 * timed region (about 1 ms in all, 0.5% of a 0.2 s run) */
	for (size_t off = 0; off < SBA_SLOTS * sizeof(*sh.sba_hist); off += 4096)
		((volatile char *)sh.sba_hist)[off] = 0; /* not a memset: calloc's zeroes are known */
	sh.sba_deduct = log(1e-3);
	sh.sba_mult = (SBA_BUCKETS - 1) / (log(1e5) - sh.sba_deduct);

	if (o->scope == MEM_SCOPE_GLOBAL && !(global = mem_alloc(o->block_size))) {
		r = vb_err(-ENOMEM, "workload 'memory': cannot allocate a %llu-byte buffer",
			   (unsigned long long)o->block_size);
		goto out;
	}
	for (int i = 0; i < nthreads; i++) {
		struct mem_thread *t = &th[i];
		t->sh = &sh;
		atomic_init(&t->tlock, 0);
		t->event = memory_events[o->access][o->oper];
		t->buf = global ? global : mem_alloc(o->block_size);
		if (!t->buf) {
			r = vb_err(-ENOMEM,
				   "workload 'memory': cannot allocate a %llu-byte buffer for "
				   "thread %d",
				   (unsigned long long)o->block_size, i + 1);
			goto out;
		}
		t->block_size = (int64_t)o->block_size;
		t->end = t->buf + t->block_size / WORD;
		t->limited = o->total_size > 0;
		t->ops_left = o->total_size / o->block_size / (uint64_t)nthreads;
		t->seed[0] = splitmix64(&seed);
		t->seed[1] = splitmix64(&seed);
		if (!(t->lat = hist_new())) {
			r = vb_err(-ENOMEM, "out of memory");
			goto out;
		}
	}
	int64_t start, end;
	r = wl_gate_run(&sh.gate, nthreads, mem_thread_main, th, sizeof(*th),
			offsetof(struct mem_thread, tid), o->time_ns, &sh.deadline, &start, &end);
	if (r < 0)
		goto out;

	double secs = (double)(end - start) / 1e9;
	uint64_t events = 0;
	for (int i = 0; i < nthreads; i++) {
		events += th[i].events;
		if (i)
			hist_merge(th[0].lat, th[i].lat);
	}
	/* sysbench reports no transfer for oper=none */
	double mib = o->oper == MEM_OPER_NONE
			     ? 0
			     : (double)events * (double)o->block_size / (1024.0 * 1024.0);
	run->res->duration_s = secs;
	metric_set(run->res, "mib_per_s", secs > 0 ? mib / secs : 0, UNIT_MIB_S, AGG_SUM);
	metric_set(run->res, "ops_per_s", secs > 0 ? (double)events / secs : 0, UNIT_PER_S,
		   AGG_SUM);
	metric_set(run->res, "total_mib", mib, UNIT_MIB, AGG_SUM);
	metric_hist(run->res, "lat", th[0].lat);
	th[0].lat = NULL;
	if (run->cancel && *run->cancel)
		r = vb_err(-ECANCELED, "workload 'memory': cancelled after %.1fs", secs);
out:
	for (int i = 0; i < nthreads; i++) {
		hist_free(th[i].lat);
		if (th[i].buf != global)
			free(th[i].buf);
	}
	free(global);
	free(sh.sba_hist);
	wl_gate_destroy(&sh.gate);
	free(th);
	return r;
}

static int64_t memory_estimate_ns(const void *opts)
{
	const struct memory_opts *o = opts;
	/* total-size may end the run sooner; the time limit is the bound */
	return o->time_ns ? o->time_ns : -1;
}

const struct workload_ops memory_workload = {
	.name = "memory",
	.summary = "sequential or random word reads and writes of a block, as sysbench memory",
	.peer = "sysbench memory",
	.options = memory_options,
	.opts_size = sizeof(struct memory_opts),
	.check = memory_check,
	.run = memory_run,
	.estimate_ns = memory_estimate_ns,
	.headline = (const char *const[]){"mib_per_s", NULL},
};
