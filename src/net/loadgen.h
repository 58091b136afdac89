/* The HTTP load generator (the client side of the http workload).
 *
 * Open loop (rate > 0): requests arrive on a schedule fixed in advance,
 * constant or Poisson, `rate` per second for `time`. Request i has an
 * intended start time t_i; its latency is measured from t_i to the end of
 * its response, so a server that stalls is charged for every request that
 * should have been sent during the stall (coordinated omission, corrected
 * as wrk2 does). The uncorrected latency, from the moment the request was
 * actually written, is kept beside it. A due request goes out on an idle
 * connection; with none idle a new one is opened, up to `connections`; past
 * that it waits in a queue, and the wait is part of its latency.
 * The generator's own lateness is measured too: send lag = the moment the
 * generator took request i off its schedule - t_i. A large send lag means
 * the generator, not the server, missed the schedule.
 *
 * Closed loop (rate = 0): `connections` workers each send a request as soon
 * as the previous answer is in, until `requests` are done or `time` is up
 * (the fixed-worker throughput of wrk or ab); latency is from the send.
 *
 * Sharpness (open loop): every generator thread asks for 1 ns of timer slack
 * (the default 50 us would be added to every wake-up), and with sched_fifo
 * runs at SCHED_FIFO's lowest priority, so that ordinary tasks on its CPU
 * do not delay its sends by a scheduler tick; spin_ns > 0 polls (epoll with
 * no timeout) for the last stretch before each due time instead of sleeping.
 *
 * Each of `threads` threads runs its own epoll loop over its share of the
 * connections (and of the rate, with its schedule phase-shifted so that the
 * threads' arrivals interleave). */
#ifndef VB_NET_LOADGEN_H
#define VB_NET_LOADGEN_H

#include <stdint.h>

#include "stats/hist.h"

enum lg_arrival { LG_CONSTANT, LG_POISSON };

/* What each request asks for; LG_GET is a plain GET of cfg.path. */
enum lg_kind { LG_DOWNLOAD, LG_UP_DISK, LG_UP_TMP, LG_UP_DISCARD, LG_CPU, LG_GET };

struct lg_cfg {
	char host[64];
	int port;
	char path[256];         /* LG_GET (and a url's path for uploads) */
	enum lg_kind kind;
	int nfiles;             /* LG_DOWNLOAD: /download/0 ... /download/n-1, round robin */
	uint64_t upload_size;   /* LG_UP_*: body bytes */
	double rate;            /* requests/s over all threads; 0: closed loop */
	enum lg_arrival arrival;
	uint64_t seed;          /* Poisson arrivals */
	int64_t time_ns;        /* schedule length (open) or time limit (closed; 0 none) */
	int64_t requests;       /* closed loop: total requests (0: until time) */
	int connections;        /* cap (open) or workers (closed), over all threads */
	int threads;
	int64_t timeout_ns;     /* a response later than this is a timeout */
	const char *cpus;       /* pin the generator's threads ("" none) */
	int sched_fifo;         /* threads at SCHED_FIFO's lowest priority, if allowed */
	int64_t spin_ns;        /* poll instead of sleeping: open loop this close to a due time,
	                         * closed loop this long after the last event */
	volatile int *cancel;
};

struct lg_result {
	struct hist *lat;  /* open: from the intended start; closed: from the send */
	struct hist *ulat; /* from the actual send (uncorrected) */
	struct hist *lag;  /* open loop: send lag */
	uint64_t scheduled;   /* open loop: requests on the schedule */
	uint64_t sent, completed, errors, timeouts, unsent, conn_errors;
	uint64_t bytes_rx, bytes_tx; /* bodies */
	int64_t elapsed_ns;   /* open: the schedule's length; closed: first send to last answer */
	int max_connections;  /* the most connections open at once */
	int64_t cpu_ns;       /* CPU time of the generator's threads while they issued */
	int64_t wall_ns;      /* the wall time of that (summed over threads) */
	int fifo_threads;     /* threads that got SCHED_FIFO */
	char first_error[160];
};

/* Runs the load; r is filled (and must be freed with lg_result_free). An
 * error only for what prevents the run (no memory, a bad address); failed
 * requests are counted in r. */
int lg_run(const struct lg_cfg *cfg, struct lg_result *r);
void lg_result_free(struct lg_result *r);

#endif
