/* net: network throughput and latency, as iperf3 (TCP stream with parallel
 * streams, forward / reverse / both, omitted warm-up; UDP at a bit rate
 * with loss, jitter and out-of-order counts) and netperf TCP_RR (round trips
 * per second and their latency histogram). The two ends are in src/net/perf*.c.
 *
 * role=both runs the server and the client in this agent on 127.0.0.1
 * (threads pinned apart with server-cpus / client-cpus), or, on a variant
 * with a test network, is split by the runner (src/run/netsplit.c) over
 * the target's agent (role=server) and a host-side agent (role=client);
 * role=server serves on host:port for omit+time (+2 s for the client to
 * finish; a stop from the host ends it earlier) and tells the caller its
 * port (wl_ready); role=client loads a server on host:port. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net/perf.h"
#include "net/sock.h"
#include "util/err.h"
#include "util/timeutil.h"
#include "workloads/workload.h"

enum { ROLE_BOTH, ROLE_SERVER, ROLE_CLIENT };
enum { MODE_STREAM, MODE_RR, MODE_UDP };
enum { DIR_FORWARD, DIR_REVERSE, DIR_BOTH };

struct net_opts {
	int role, mode, direction;
	char host[64];
	int64_t port, streams;
	uint64_t msg_size, req_size, resp_size, udp_size;
	int64_t bitrate;
	int64_t time_ns, omit_ns;
	int nodelay;
	char client_cpus[64], server_cpus[64];
};

static const char *const roles[] = {"both", "server", "client", NULL};
static const char *const modes[] = {"stream", "rr", "udp", NULL};
static const char *const dirs[] = {"forward", "reverse", "both", NULL};

#define O struct net_opts
static const struct opt_def net_options[] = {
	OPT_ENUM("role", O, role, "both", roles,
		 "both: server and client (on a variant with a test network: the target's agent "
		 "serves, a host-side agent is the client; else both in this agent on "
		 "127.0.0.1); server or client alone"),
	OPT_ENUM("mode", O, mode, "stream", modes,
		 "stream: TCP bulk transfer (iperf3); rr: TCP request/response (netperf "
		 "TCP_RR); udp: datagrams at `bitrate` (iperf3 -u)"),
	OPT_ENUM("direction", O, direction, "forward", dirs,
		 "stream: client to server, reverse (server to client, iperf3 -R) or both"),
	OPT_STR("host", O, host, "127.0.0.1", "address the server listens on / the client loads"),
	OPT_INT("port", O, port, "0", 0, 65535, "TCP and UDP port; 0: any free one (role=both)"),
	OPT_INT("streams", O, streams, "1", 1, 128, "parallel streams (iperf3 -P)"),
	OPT_SIZE("msg-size", O, msg_size, "128k", 1, PERF_MAX_MSG,
		 "stream: bytes per write (iperf3 -l)"),
	OPT_SIZE("req-size", O, req_size, "1", 1, PERF_MAX_MSG, "rr: request bytes"),
	OPT_SIZE("resp-size", O, resp_size, "1", 1, PERF_MAX_MSG, "rr: response bytes"),
	OPT_SIZE("udp-size", O, udp_size, "1460", 32, 65507, "udp: datagram payload bytes"),
	OPT_INT("bitrate", O, bitrate, "1m", 1000, 1e12,
		"udp: bits per second per stream (1m, 100m, 1g: x1000)"),
	OPT_DURATION("time", O, time_ns, "10s", 1e6, 86400e9, "measured time (iperf3 -t)"),
	OPT_DURATION("omit", O, omit_ns, "0s", 0, 3600e9,
		     "stream: warm-up not counted, before `time` (iperf3 -O)"),
	OPT_BOOL("nodelay", O, nodelay, "off",
		 "stream, rr: TCP_NODELAY on both ends (iperf3 -N, netperf -D); off, as "
		 "both peers leave it by default"),
	OPT_STR("client-cpus", O, client_cpus, "", "pin the client threads (0,2 or 0-1)"),
	OPT_STR("server-cpus", O, server_cpus, "", "pin the server threads"),
	OPT_END,
};
#undef O

static int net_check(const void *opts)
{
	const struct net_opts *o = opts;
	uint64_t m[16];
	int c, r;
	if (o->role != ROLE_BOTH && o->port == 0)
		return vb_err(-EINVAL, "workload 'net': role=%s needs a fixed port (port=5201)",
			      roles[o->role]);
	if (o->omit_ns && o->mode != MODE_STREAM)
		return vb_err(-EINVAL, "workload 'net': omit applies to mode=stream only");
	if ((r = net_cpus_parse(o->client_cpus, m, &c)) < 0 ||
	    (r = net_cpus_parse(o->server_cpus, m, &c)) < 0)
		return r;
	return 0;
}

struct client {
	pthread_t tid;
	const struct net_opts *o;
	const char *host;
	int port, dir, idx;
	volatile int *cancel;
	int rc;
	char err[256];
	struct perf_stream_result sr;
	struct perf_udp_stats ur;
	struct hist *lat;
	uint64_t count;
	int64_t cpu_ns;
};

static void *client_main(void *arg)
{
	struct client *c = arg;
	const struct net_opts *o = c->o;
	int64_t cpu0 = net_thread_cpu_ns();
	if ((c->rc = net_pin_self(o->client_cpus, "net client")) < 0)
		goto out;
	if (o->mode == MODE_STREAM)
		c->rc = perf_stream(c->host, c->port, c->dir, o->nodelay ? PERF_F_NODELAY : 0,
				    (uint32_t)o->msg_size, o->time_ns,
				    o->omit_ns, c->cancel, &c->sr);
	else if (o->mode == MODE_RR)
		c->rc = perf_rr(c->host, c->port, o->nodelay ? PERF_F_NODELAY : 0, (uint32_t)o->req_size, (uint32_t)o->resp_size,
				o->time_ns, c->cancel, c->lat, &c->count);
	else
		c->rc = perf_udp(c->host, c->port, (uint64_t)o->bitrate, (uint32_t)o->udp_size,
				 o->time_ns, ((uint64_t)getpid() << 16) | (uint64_t)c->idx, c->cancel,
				 &c->ur);
out:
	c->cpu_ns = net_thread_cpu_ns() - cpu0;
	if (c->rc < 0)
		snprintf(c->err, sizeof(c->err), "%s", vb_errmsg());
	return NULL;
}

static double mbit(uint64_t bytes, int64_t ns)
{
	return ns > 0 ? (double)bytes * 8 / ((double)ns / 1e9) / 1e6 : 0;
}

static void report(struct wl_run *run, struct client *cl, int n, const struct perf_server_stats *st)
{
	const struct net_opts *o = run->opts;
	struct result *res = run->res;
	res->duration_s = (double)o->time_ns / 1e9;
	/* the CPU of each end over the run, % of one CPU: an end near 100% x
	 * its threads is what limits the figure */
	double span_s = (double)(o->omit_ns + o->time_ns) / 1e9, ccpu = 0;
	for (int i = 0; i < n; i++)
		ccpu += (double)cl[i].cpu_ns / 1e9;
	metric_set(res, "client_cpu_pct", 100.0 * ccpu / span_s, UNIT_PCT, AGG_SUM);
	if (st)
		metric_set(res, "server_cpu_pct", 100.0 * (double)st->cpu_ns / 1e9 / span_s,
			   UNIT_PCT, AGG_SUM);
	if (o->mode == MODE_STREAM) {
		uint64_t b[2] = {0, 0};
		int64_t span[2] = {0, 0}, k[2] = {0, 0}, retrans = 0;
		for (int i = 0; i < n; i++) {
			int d = cl[i].dir == PERF_FROM_SERVER;
			b[d] += cl[i].sr.bytes;
			span[d] += cl[i].sr.span_ns;
			k[d]++;
			if (!d && cl[i].sr.retransmits > 0)
				retrans += cl[i].sr.retransmits;
		}
		/* the streams' bytes over their mean span (iperf3's sum) */
		if (k[0])
			metric_set(res, "fwd_mbit_s", mbit(b[0], span[0] / k[0]), UNIT_MBIT_S, AGG_SUM);
		if (k[1])
			metric_set(res, "rev_mbit_s", mbit(b[1], span[1] / k[1]), UNIT_MBIT_S, AGG_SUM);
		if (st)
			retrans += st->retransmits;
		metric_set(res, "retransmits", (double)retrans, UNIT_COUNT, AGG_SUM);
	} else if (o->mode == MODE_RR) {
		uint64_t count = 0;
		for (int i = 0; i < n; i++) {
			count += cl[i].count;
			if (i)
				hist_merge(cl[0].lat, cl[i].lat);
		}
		metric_set(res, "transactions_per_s", (double)count / ((double)o->time_ns / 1e9),
			   UNIT_PER_S, AGG_SUM);
		metric_set(res, "transactions", (double)count, UNIT_COUNT, AGG_SUM);
		metric_hist(res, "rtt", cl[0].lat);
		cl[0].lat = NULL;
	} else {
		struct perf_udp_stats t = {0};
		double jitter = 0;
		for (int i = 0; i < n; i++) {
			t.sent += cl[i].ur.sent;
			t.received += cl[i].ur.received;
			t.lost += cl[i].ur.lost;
			t.out_of_order += cl[i].ur.out_of_order;
			t.bytes += cl[i].ur.bytes;
			jitter += (double)cl[i].ur.jitter_ns / n;
		}
		metric_set(res, "mbit_s", mbit(t.bytes, o->time_ns), UNIT_MBIT_S, AGG_SUM);
		metric_set(res, "sent_mbit_s", mbit(t.sent * o->udp_size, o->time_ns), UNIT_MBIT_S,
			   AGG_SUM);
		metric_set(res, "datagrams_sent", (double)t.sent, UNIT_COUNT, AGG_SUM);
		metric_set(res, "datagrams_lost", (double)t.lost, UNIT_COUNT, AGG_SUM);
		metric_set(res, "loss_pct", t.sent ? 100.0 * (double)t.lost / (double)t.sent : 0,
			   UNIT_PCT, AGG_MEAN);
		metric_set(res, "out_of_order", (double)t.out_of_order, UNIT_COUNT, AGG_SUM);
		metric_set(res, "jitter_ms", jitter / 1e6, UNIT_MS, AGG_MEAN);
	}
}

static int serve_only(struct wl_run *run)
{
	const struct net_opts *o = run->opts;
	struct perf_server *s;
	int port, r = perf_server_start(o->host, (int)o->port, o->server_cpus, &s, &port);
	if (r < 0)
		return r;
	wl_ready(run, port);
	int64_t t0 = vb_now_ns(), end = t0 + o->omit_ns + o->time_ns + 2000000000LL;
	while (vb_now_ns() < end && !(run->cancel && *run->cancel)) {
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	struct perf_server_stats st;
	perf_server_stop(s, &st);
	double secs = (double)(vb_now_ns() - t0) / 1e9;
	run->res->duration_s = secs;
	metric_set(run->res, "server_connections", (double)st.connections, UNIT_COUNT, AGG_SUM);
	metric_set(run->res, "server_rx_mbit_s", mbit(st.bytes_in, (int64_t)(secs * 1e9)),
		   UNIT_MBIT_S, AGG_SUM);
	metric_set(run->res, "server_tx_mbit_s", mbit(st.bytes_out, (int64_t)(secs * 1e9)),
		   UNIT_MBIT_S, AGG_SUM);
	metric_set(run->res, "retransmits", (double)st.retransmits, UNIT_COUNT, AGG_SUM);
	if (secs > 0)
		metric_set(run->res, "server_cpu_pct", 100.0 * (double)st.cpu_ns / 1e9 / secs,
			   UNIT_PCT, AGG_SUM);
	return 0;
}

static int net_run(struct wl_run *run)
{
	const struct net_opts *o = run->opts;
	if (o->role == ROLE_SERVER)
		return serve_only(run);
	struct perf_server *s = NULL;
	int port = (int)o->port, r = 0;
	if (o->role == ROLE_BOTH && (r = net_loopback_up()) < 0)
		return r;
	if (o->role == ROLE_BOTH && (r = perf_server_start(o->host, port, o->server_cpus, &s,
							    &port)) < 0)
		return r;
	int per = (int)o->streams;
	int n = o->mode == MODE_STREAM && o->direction == DIR_BOTH ? 2 * per : per;
	struct client *cl = calloc((size_t)n, sizeof(*cl));
	if (!cl) {
		r = vb_err(-ENOMEM, "out of memory");
		goto out;
	}
	int started = 0;
	for (int i = 0; i < n; i++) {
		struct client *c = &cl[i];
		c->o = o;
		c->host = o->host;
		c->port = port;
		c->idx = i;
		c->cancel = run->cancel;
		c->dir = o->direction == DIR_REVERSE || (o->direction == DIR_BOTH && i >= per)
				 ? PERF_FROM_SERVER
				 : PERF_TO_SERVER;
		if (o->mode == MODE_RR && !(c->lat = hist_new())) {
			r = vb_err(-ENOMEM, "out of memory");
			goto join;
		}
	}
	for (; started < n; started++) {
		int e = pthread_create(&cl[started].tid, NULL, client_main, &cl[started]);
		if (e) {
			r = vb_err(-e, "cannot start a net client thread: %s", strerror(e));
			if (run->cancel)
				*run->cancel = 1;
			break;
		}
	}
join:
	for (int i = 0; i < started; i++) {
		pthread_join(cl[i].tid, NULL);
		if (r == 0 && cl[i].rc < 0)
			r = vb_err(cl[i].rc, "workload 'net': %s", cl[i].err);
	}
	struct perf_server_stats st;
	if (s) {
		perf_server_stop(s, &st);
		s = NULL;
	}
	if (r == 0)
		report(run, cl, n, o->role == ROLE_BOTH ? &st : NULL);
	if (r == 0 && run->cancel && *run->cancel)
		r = vb_err(-ECANCELED, "workload 'net': cancelled");
	for (int i = 0; i < n; i++)
		hist_free(cl[i].lat);
	free(cl);
out:
	if (s)
		perf_server_stop(s, NULL);
	return r;
}

static int64_t net_estimate_ns(const void *opts)
{
	const struct net_opts *o = opts;
	return o->omit_ns + o->time_ns + (o->role == ROLE_SERVER ? 2000000000LL : 0);
}

const struct workload_ops net_workload = {
	.name = "net",
	.summary = "TCP stream, TCP request/response and UDP at a bit rate, as iperf3 and "
		   "netperf TCP_RR",
	.peer = "iperf3 / netperf",
	/* one mode's metrics are there in a run: stream, rr or udp */
	.headline = (const char *const[]){"fwd_mbit_s", "rev_mbit_s", "transactions_per_s",
					  "rtt_p99_us", "mbit_s", "loss_pct", "jitter_ms", NULL},
	.options = net_options,
	.opts_size = sizeof(struct net_opts),
	.check = net_check,
	.run = net_run,
	.estimate_ns = net_estimate_ns,
};
