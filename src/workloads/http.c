/* http: the agent's HTTP/1.1 server (src/net/httpd.c) loaded by its own
 * load generator (src/net/loadgen.c), as wrk (closed loop, `workers`) or
 * wrk2 (open loop at a sustained `rate`, latency from each request's
 * intended start) would load it.
 *
 * role=both runs the server and the generator in this agent on 127.0.0.1,
 * pinned apart with server-cpus / client-cpus (unit tests, bench/, targets
 * without a test network); on a variant with one the runner splits it
 * (src/run/netsplit.c): role=server here, role=client in a host-side
 * agent. role=server serves for `time` on host:port (a stop from the host
 * ends it earlier) and tells the caller its port (wl_ready); role=client
 * loads host:port or `url` (any server: nginx in a VM, say). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "net/httpd.h"
#include "net/httpmsg.h"
#include "net/loadgen.h"
#include "net/sock.h"
#include "util/err.h"
#include "util/hostio.h"
#include "util/timeutil.h"
#include "util/units.h"
#include "workloads/workload.h"

enum { ROLE_BOTH, ROLE_SERVER, ROLE_CLIENT };
enum { LOAD_CLOSED, LOAD_OPEN };

struct http_opts {
	int role, kind, load, arrival;
	char url[256];
	char host[64];
	int64_t port;
	int64_t threads;
	char file_sizes[128];
	uint64_t upload_size;
	char upload_dir[256];
	uint64_t cpu_size;
	int64_t cpu_level;
	double rate;
	int64_t seed;
	int64_t time_ns;
	int64_t requests;
	int64_t workers;
	int64_t connections;
	int64_t client_threads;
	char client_cpus[64], server_cpus[64];
	int64_t timeout_ns;
	int64_t max_send_lag_ns;
	int client_sched;
	int64_t client_spin_ns;
	int64_t client_idle_poll_ns;
};

static const char *const roles[] = {"both", "server", "client", NULL};
static const char *const kinds[] = {"download", "upload-disk", "upload-tmp", "upload-discard",
				    "cpu", NULL};
static const char *const loads[] = {"closed", "open", NULL};
static const char *const arrivals[] = {"constant", "poisson", NULL};
enum { SCHED_AUTO, SCHED_FIFO_LOW, SCHED_NORMAL };
static const char *const scheds[] = {"auto", "fifo", "other", NULL};

#define O struct http_opts
static const struct opt_def http_options[] = {
	OPT_ENUM("role", O, role, "both", roles,
		 "both: server and client (on a variant with a test network: the target's agent "
		 "serves, a host-side agent is the client; else both in this agent on "
		 "127.0.0.1); server or client alone"),
	OPT_ENUM("kind", O, kind, "download", kinds,
		 "request: download a file, upload to disk / to a temporary file deleted at "
		 "once / discarded, or cpu (zlib-compress cpu-size bytes per request)"),
	OPT_ENUM("load", O, load, "closed", loads,
		 "closed: `workers` connections back to back; open: `rate` requests/s on a "
		 "schedule, latency from each request's intended start"),
	OPT_STR("url", O, url, "",
		"http://HOST:PORT/PATH to load instead of the agent's own server (role=both: "
		"from a host-side agent alone; or role=client)"),
	OPT_STR("host", O, host, "127.0.0.1", "address the server listens on / the client loads"),
	OPT_INT("port", O, port, "0", 0, 65535, "TCP port; 0: any free one (role=both)"),
	OPT_INT("threads", O, threads, "1", 1, 256, "server threads (epoll loop each)"),
	OPT_STR("file-sizes", O, file_sizes, "64k",
		"download set, sizes separated by ':' (4k:64k:1M), requested round robin"),
	OPT_SIZE("upload-size", O, upload_size, "64k", 0, 1ull << 40, "body of an upload"),
	OPT_STR("upload-dir", O, upload_dir, "",
		"where upload-disk and upload-tmp write (default: the workdir)"),
	OPT_SIZE("cpu-size", O, cpu_size, "1M", 1, 1ull << 30,
		 "bytes the cpu job compresses per request"),
	OPT_INT("cpu-level", O, cpu_level, "6", 1, 9, "zlib level of the cpu job"),
	OPT_DOUBLE("rate", O, rate, "0", 0, 1e8, "open loop: requests per second (above 0)"),
	OPT_ENUM("arrival", O, arrival, "constant", arrivals,
		 "open loop: constant gaps or Poisson arrivals"),
	OPT_INT("seed", O, seed, "1", 0, 1e18, "seed of the Poisson arrivals"),
	OPT_DURATION("time", O, time_ns, "10s", 0, 86400e9,
		     "length of the schedule (open) or time limit (closed; 0: requests only)"),
	OPT_INT("requests", O, requests, "0", 0, 1e12, "closed loop: total requests (0: time)"),
	OPT_INT("workers", O, workers, "4", 1, 100000, "closed loop: concurrent connections"),
	OPT_INT("connections", O, connections, "64", 1, 100000,
		"open loop: most connections open at once; requests beyond them queue"),
	OPT_INT("client-threads", O, client_threads, "1", 1, 256, "load generator threads"),
	OPT_STR("client-cpus", O, client_cpus, "", "pin the generator (0,2 or 0-1)"),
	OPT_STR("server-cpus", O, server_cpus, "", "pin the server threads"),
	OPT_DURATION("timeout", O, timeout_ns, "2s", 1e6, 3600e9,
		     "a response later than this is a timeout"),
	OPT_DURATION("max-send-lag", O, max_send_lag_ns, "5ms", 0, 3600e9,
		     "open loop: a send lag p99 above this fails the run (the generator, not the "
		     "server, missed the schedule); 0: no check"),
	OPT_ENUM("client-sched", O, client_sched, "auto", scheds,
		 "generator threads: fifo (SCHED_FIFO, lowest priority, when allowed), other, "
		 "or auto (fifo for the open loop)"),
	OPT_DURATION("client-spin", O, client_spin_ns, "0", 0, 1e9,
		     "open loop: poll instead of sleeping this close to each due time "
		     "(e.g. 200us; costs the generator's CPU)"),
	OPT_DURATION("client-idle-poll", O, client_idle_poll_ns, "3us", 0, 1e9,
		     "closed loop: poll this long after the last answer before sleeping, as "
		     "long as wrk's event loop stays awake after one (0: sleep at once)"),
	OPT_END,
};
#undef O

struct http_priv {
	char dir[4096], updir[4096];
	uint64_t sizes[HTTPD_MAX_FILES];
	int nfiles, made_files;
};

static int parse_sizes(const char *list, uint64_t *sizes, int *n)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", list);
	*n = 0;
	for (char *save, *tok = strtok_r(buf, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
		if (*n >= HTTPD_MAX_FILES)
			return vb_err(-EINVAL, "workload 'http': at most %d file-sizes", HTTPD_MAX_FILES);
		if (units_parse_size(tok, &sizes[*n]) < 0)
			return vb_err(-EINVAL, "workload 'http': file-sizes: '%s' is not a size "
					       "(write 4k:64k:1M)", tok);
		(*n)++;
	}
	if (*n == 0)
		return vb_err(-EINVAL, "workload 'http': file-sizes is empty (write 4k:64k:1M)");
	return 0;
}

static int http_check(const void *opts)
{
	const struct http_opts *o = opts;
	uint64_t sizes[HTTPD_MAX_FILES];
	int n, r;
	if ((r = parse_sizes(o->file_sizes, sizes, &n)) < 0)
		return r;
	if (o->load == LOAD_OPEN && o->rate <= 0)
		return vb_err(-EINVAL, "workload 'http': load=open needs rate above 0 "
				       "(requests per second, e.g. rate=1000)");
	if (o->load == LOAD_CLOSED && o->rate > 0)
		return vb_err(-EINVAL, "workload 'http': rate=%g applies to the open loop: add "
				       "load=open (the closed loop runs `workers` back to back)", o->rate);
	if (o->load == LOAD_OPEN && o->time_ns == 0)
		return vb_err(-EINVAL, "workload 'http': load=open needs time (the schedule's "
				       "length, e.g. time=10s)");
	if (o->load == LOAD_CLOSED && o->role != ROLE_SERVER && !o->requests && !o->time_ns)
		return vb_err(-EINVAL, "workload 'http': set requests or time, or the run never ends");
	if (o->role == ROLE_SERVER && o->time_ns == 0)
		return vb_err(-EINVAL, "workload 'http': role=server serves for `time`: set it");
	if (o->role == ROLE_SERVER && o->port == 0)
		return vb_err(-EINVAL, "workload 'http': role=server needs a fixed port (port=8080) "
				       "for the client to find it");
	if (o->url[0]) {
		char host[64], path[256];
		int port;
		if (o->role == ROLE_SERVER)
			return vb_err(-EINVAL, "workload 'http': url loads another server: it "
					       "goes with role=client (or both), not role=server");
		if ((r = http_url_parse(o->url, host, sizeof(host), &port, path, sizeof(path))) < 0)
			return r;
	} else if (o->role == ROLE_CLIENT && o->port == 0) {
		return vb_err(-EINVAL, "workload 'http': role=client needs url=http://HOST:PORT/PATH "
				       "or host and port of the server");
	}
	int conns = (int)(o->load == LOAD_OPEN ? o->connections : o->workers);
	if (conns < o->client_threads)
		return vb_err(-EINVAL, "workload 'http': %s=%d is below client-threads=%d",
			      o->load == LOAD_OPEN ? "connections" : "workers", conns,
			      (int)o->client_threads);
	uint64_t m[16];
	int c;
	if ((r = net_cpus_parse(o->client_cpus, m, &c)) < 0 ||
	    (r = net_cpus_parse(o->server_cpus, m, &c)) < 0)
		return r;
	return 0;
}

static int http_prepare(struct wl_run *run)
{
	const struct http_opts *o = run->opts;
	struct http_priv *p = calloc(1, sizeof(*p));
	struct stat st;
	int r;
	if (!p)
		return vb_err(-ENOMEM, "out of memory");
	run->priv = p;
	snprintf(p->dir, sizeof(p->dir), "%s", run->workdir && run->workdir[0] ? run->workdir : ".");
	if (o->upload_dir[0])
		wl_path(run, o->upload_dir, p->updir, sizeof(p->updir));
	else
		snprintf(p->updir, sizeof(p->updir), "%s", p->dir);
	if ((r = parse_sizes(o->file_sizes, p->sizes, &p->nfiles)) < 0)
		return r;
	if (o->role == ROLE_CLIENT)
		return 0;
	if (stat(p->updir, &st) < 0 || !S_ISDIR(st.st_mode))
		return vb_err(-ENOENT, "workload 'http': upload directory '%s' does not exist: "
				       "create it or set upload-dir", p->updir);
	if ((r = httpd_files_create(p->dir, p->sizes, p->nfiles)) < 0)
		return r;
	p->made_files = 1;
	return 0;
}

static void http_cleanup(struct wl_run *run)
{
	struct http_priv *p = run->priv;
	if (!p)
		return;
	if (p->made_files)
		httpd_files_remove(p->dir, p->nfiles);
	httpd_uploads_remove(p->updir);
	free(p);
	run->priv = NULL;
}

static void server_metrics(struct result *res, const struct httpd_stats *st, double secs)
{
	metric_set(res, "server_requests", (double)st->requests, UNIT_COUNT, AGG_SUM);
	metric_set(res, "server_errors", (double)st->errors, UNIT_COUNT, AGG_SUM);
	metric_set(res, "server_connections", (double)st->connections, UNIT_COUNT, AGG_SUM);
	if (secs > 0) {
		metric_set(res, "server_requests_per_s", (double)st->requests / secs, UNIT_PER_S,
			   AGG_SUM);
		metric_set(res, "server_cpu_pct", 100.0 * (double)st->cpu_ns / 1e9 / secs, UNIT_PCT,
			   AGG_SUM);
	}
}

/* role=server: serve until `time` has passed (or the run is cancelled). */
static int run_server(struct wl_run *run, struct httpd_cfg *cfg)
{
	const struct http_opts *o = run->opts;
	struct httpd *s;
	int port, r = httpd_start(cfg, &s, &port);
	if (r < 0)
		return r;
	wl_ready(run, port);
	int64_t t0 = vb_now_ns(), end = t0 + o->time_ns;
	while (vb_now_ns() < end && !(run->cancel && *run->cancel)) {
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	struct httpd_stats st;
	httpd_stop(s, &st);
	double secs = (double)(vb_now_ns() - t0) / 1e9;
	run->res->duration_s = secs;
	server_metrics(run->res, &st, secs);
	return 0;
}

/* The share of each CPU (%) that SCHED_FIFO threads may use before the
 * kernel stops them for the rest of the period (kernel.sched_rt_runtime_us
 * over sched_rt_period_us: 95% by default; 100 when unlimited or unknown).
 * A FIFO generator that reaches it stalls for up to 50 ms per second, which
 * its send lag shows. */
static double rt_share_limit(void)
{
	long long rt, period;
	if (hostio_read_ll("/proc/sys/kernel/sched_rt_runtime_us", &rt) < 0 ||
	    hostio_read_ll("/proc/sys/kernel/sched_rt_period_us", &period) < 0 || rt < 0 ||
	    period <= 0)
		return 100.0;
	return 100.0 * (double)rt / (double)period;
}

/* One generator thread's CPU share (%), over its time in the loop. */
static double client_cpu_share(const struct lg_result *lr)
{
	return lr->wall_ns > 0 ? 100.0 * (double)lr->cpu_ns / (double)lr->wall_ns : 0;
}

static int client_metrics(struct wl_run *run, const struct lg_cfg *g, struct lg_result *lr)
{
	const struct http_opts *o = run->opts;
	int64_t threads = g->threads > 0 ? g->threads : 1;
	struct result *res = run->res;
	double secs = (double)lr->elapsed_ns / 1e9;
	int open = o->load == LOAD_OPEN;
	res->duration_s = secs;
	metric_set(res, "requests_per_s", secs > 0 ? (double)lr->completed / secs : 0, UNIT_PER_S,
		   AGG_SUM);
	metric_set(res, "requests", (double)lr->completed, UNIT_COUNT, AGG_SUM);
	metric_set(res, "errors", (double)(lr->errors + lr->conn_errors), UNIT_COUNT, AGG_SUM);
	metric_set(res, "timeouts", (double)(lr->timeouts + lr->unsent), UNIT_COUNT, AGG_SUM);
	metric_set(res, "connections_used", lr->max_connections, UNIT_COUNT, AGG_MAX);
	if (secs > 0) {
		metric_set(res, "rx_mib_s", (double)lr->bytes_rx / secs / 1048576.0, UNIT_MIB_S,
			   AGG_SUM);
		metric_set(res, "tx_mib_s", (double)lr->bytes_tx / secs / 1048576.0, UNIT_MIB_S,
			   AGG_SUM);
		/* a generator near 100% of its CPUs limits what it can show; over
		 * the time the threads issued requests (not the drain after it),
		 * summed over threads as top shows it */
		metric_set(res, "client_cpu_pct", client_cpu_share(lr) * (double)threads, UNIT_PCT,
			   AGG_SUM);
	}
	double lag99 = hist_percentile(lr->lag, 99) / 1e6;
	int behind = open && o->max_send_lag_ns && lag99 * 1e6 > (double)o->max_send_lag_ns;
	if (open) {
		metric_set(res, "offered_rate", g->rate, UNIT_PER_S, AGG_SUM);
		metric_set(res, "sent_per_s", secs > 0 ? (double)lr->sent / secs : 0, UNIT_PER_S,
			   AGG_SUM);
		metric_set(res, "generator_behind", behind, UNIT_NONE, AGG_MAX);
		/* 1: every generator thread ran at SCHED_FIFO (client-sched) */
		metric_set(res, "client_sched_fifo", lr->fifo_threads >= o->client_threads,
			   UNIT_NONE, AGG_MIN);
	}
	uint64_t done = lr->completed;
	double sent_rate = secs > 0 ? (double)lr->sent / secs : 0;
	metric_hist(res, "lat", lr->lat);
	lr->lat = NULL;
	if (open) {
		metric_hist(res, "ulat", lr->ulat);
		metric_hist(res, "send_lag", lr->lag);
		lr->ulat = lr->lag = NULL;
	}
	if (run->cancel && *run->cancel)
		return vb_err(-ECANCELED, "workload 'http': cancelled after %.1fs", secs);
	if (done == 0)
		return vb_err(-EIO, "workload 'http': no request to %s:%d succeeded: %s", g->host,
			      g->port, lr->first_error[0] ? lr->first_error : "no answer");
	if (behind) {
		/* per generator thread; a FIFO thread near the kernel's RT share
		 * was stopped by it, which is the likelier cause of the lag */
		double cpu = client_cpu_share(lr), lim = rt_share_limit();
		char why[200] = "";
		if (lr->fifo_threads && cpu >= lim - 5)
			snprintf(why, sizeof(why),
				 "; at SCHED_FIFO the kernel stops it at %.0f%% of a CPU "
				 "(kernel.sched_rt_runtime_us), so try client-sched=other", lim);
		return vb_err(-EAGAIN, "workload 'http': the generator could not keep rate=%g/s: "
				       "it sent %.0f/s with a send lag p99 of %.2f ms (max-send-lag "
				       "%.2f ms) using %.0f%% of its CPU%s; lower the rate, add "
				       "client-threads, or pin the client apart from the server "
				       "(client-cpus)",
			      g->rate, sent_rate, lag99, (double)o->max_send_lag_ns / 1e6, cpu, why);
	}
	return 0;
}

static int http_run(struct wl_run *run)
{
	const struct http_opts *o = run->opts;
	struct http_priv *p = run->priv;
	struct httpd_cfg scfg = {
		.host = o->host, .port = (int)o->port, .threads = (int)o->threads,
		.cpus = o->server_cpus, .dir = p->dir, .upload_dir = p->updir, .nfiles = p->nfiles,
		.cpu_bytes = o->cpu_size, .cpu_level = (int)o->cpu_level,
	};
	if (o->role == ROLE_SERVER)
		return run_server(run, &scfg);

	struct lg_cfg g = {
		.port = (int)o->port, .kind = (enum lg_kind)o->kind, .nfiles = p->nfiles,
		.upload_size = o->upload_size,
		.rate = o->load == LOAD_OPEN ? o->rate : 0, .arrival = (enum lg_arrival)o->arrival,
		.seed = (uint64_t)o->seed, .time_ns = o->time_ns, .requests = o->requests,
		.connections = (int)(o->load == LOAD_OPEN ? o->connections : o->workers),
		.threads = (int)o->client_threads, .timeout_ns = o->timeout_ns,
		.cpus = o->client_cpus, .cancel = run->cancel,
		.sched_fifo = o->client_sched == SCHED_FIFO_LOW ||
			      (o->client_sched == SCHED_AUTO && o->load == LOAD_OPEN),
		.spin_ns = o->load == LOAD_OPEN ? o->client_spin_ns : o->client_idle_poll_ns,
	};
	if (o->load == LOAD_OPEN)
		g.requests = 0;
	snprintf(g.host, sizeof(g.host), "%s", o->host);
	if (o->url[0]) {
		int r = http_url_parse(o->url, g.host, sizeof(g.host), &g.port, g.path,
				       sizeof(g.path));
		if (r < 0)
			return r;
		if (g.kind == LG_DOWNLOAD)
			g.kind = LG_GET;
	}
	struct httpd *s = NULL;
	if (o->role == ROLE_BOTH && !o->url[0]) {
		int r = net_loopback_up();
		if (r < 0)
			return r;
		r = httpd_start(&scfg, &s, &g.port);
		if (r < 0)
			return r;
	} else {
		int fd = net_connect_tcp(g.host, g.port, 2000000000LL);
		if (fd < 0)
			return fd;
		close(fd);
	}
	struct lg_result lr;
	int r = lg_run(&g, &lr);
	struct httpd_stats st;
	if (s)
		httpd_stop(s, &st);
	if (r < 0)
		return r;
	if (s)
		server_metrics(run->res, &st, (double)lr.elapsed_ns / 1e9);
	r = client_metrics(run, &g, &lr);
	lg_result_free(&lr);
	return r;
}

static int64_t http_estimate_ns(const void *opts)
{
	const struct http_opts *o = opts;
	return o->time_ns ? o->time_ns + o->timeout_ns : -1;
}

const struct workload_ops http_workload = {
	.name = "http",
	.summary = "HTTP/1.1 server and load generator: closed loop (wrk) or open loop at a rate "
		   "with corrected latency (wrk2)",
	.peer = "wrk / wrk2",
	.headline = (const char *const[]){"requests_per_s", "lat_p99_us", "lat_p50_us",
					  "ulat_p99_us", "errors", NULL},
	.options = http_options,
	.opts_size = sizeof(struct http_opts),
	.check = http_check,
	.prepare = http_prepare,
	.run = http_run,
	.cleanup = http_cleanup,
	.estimate_ns = http_estimate_ns,
};
