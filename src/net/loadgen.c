#include "net/loadgen.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "net/httpmsg.h"
#include "net/sock.h"
#include "util/err.h"
#include "util/timeutil.h"

enum { C_FREE, C_CONNECTING, C_IDLE, C_BUSY };

struct lconn {
	int fd, state;
	struct http_msg msg;
	int64_t intended, sent_at;
	char hdr[512];
	size_t hlen, hoff;
	uint64_t body_left;
	int counted; /* the request has been counted as sent */
};

struct lthread {
	pthread_t tid;
	const struct lg_cfg *cfg;
	struct lg_shared *sh;
	int idx, ep, nconn, open;
	struct lconn *conns;
	struct lconn tick; /* the tick timer's epoll data (fd -1) */
	struct sockaddr_in sa;
	/* open loop: the schedule and the queue of due requests */
	double period_ns;  /* mean gap between this thread's arrivals */
	double next_t;     /* the next intended start */
	int64_t end_t;
	uint64_t rng, seq;
	int64_t *q;
	size_t qhead, qlen, qcap;
	struct lg_result r;
	int err;
};

struct lg_shared {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int go; /* 1 run, -1 quit (a thread could not be started) */
	int64_t t0;
	atomic_int_fast64_t budget; /* closed loop: requests left to issue */
};

static char body_pattern[1 << 16];

static double rnd_exp(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13, x ^= x >> 7, x ^= x << 17;
	*s = x;
	double u = ((double)(x >> 11) + 0.5) / 9007199254740992.0; /* (0,1) */
	return -log(u);
}

static void note_error(struct lthread *t, const char *fmt, const char *arg)
{
	if (!t->r.first_error[0])
		snprintf(t->r.first_error, sizeof(t->r.first_error), fmt, arg);
}

static void conn_close(struct lthread *t, struct lconn *c)
{
	if (c->fd >= 0) {
		close(c->fd);
		t->open--;
	}
	c->fd = -1;
	c->state = C_FREE;
}

static int conn_open(struct lthread *t, struct lconn *c)
{
	int fd = net_connect_nb(&t->sa);
	if (fd < 0) {
		t->r.conn_errors++;
		note_error(t, "cannot connect: %s", strerror(-fd));
		return fd;
	}
	net_set_nodelay(fd); /* a request is one write: send it now, as wrk does */
	struct epoll_event e = {.events = EPOLLIN | EPOLLOUT | EPOLLET | EPOLLRDHUP,
				.data.ptr = c};
	if (epoll_ctl(t->ep, EPOLL_CTL_ADD, fd, &e) < 0) {
		close(fd);
		return -errno;
	}
	c->fd = fd;
	c->state = C_CONNECTING;
	http_msg_init(&c->msg, 1, NULL, NULL);
	if (++t->open > t->r.max_connections)
		t->r.max_connections = t->open;
	return 0;
}

/* Writes what is left of the request: 0 done or would block, <0 error. */
static int conn_write(struct lthread *t, struct lconn *c)
{
	while (c->hoff < c->hlen) {
		ssize_t k = send(c->fd, c->hdr + c->hoff, c->hlen - c->hoff,
				 MSG_NOSIGNAL | (c->body_left ? MSG_MORE : 0));
		if (k < 0)
			return errno == EAGAIN ? 0 : errno == EINTR ? conn_write(t, c) : -errno;
		c->hoff += (size_t)k;
	}
	while (c->body_left) {
		size_t n = c->body_left < sizeof(body_pattern) ? (size_t)c->body_left
							       : sizeof(body_pattern);
		ssize_t k = send(c->fd, body_pattern, n, MSG_NOSIGNAL | (c->body_left > n ? MSG_MORE : 0));
		if (k < 0)
			return errno == EAGAIN ? 0 : errno == EINTR ? conn_write(t, c) : -errno;
		c->body_left -= (uint64_t)k;
		t->r.bytes_tx += (uint64_t)k;
	}
	return 0;
}

static void build_request(struct lthread *t, struct lconn *c)
{
	const struct lg_cfg *g = t->cfg;
	char path[300];
	const char *method = "GET";
	uint64_t body = 0;
	switch (g->kind) {
	case LG_DOWNLOAD:
		snprintf(path, sizeof(path), "/download/%llu",
			 (unsigned long long)(t->seq++ % (uint64_t)(g->nfiles > 0 ? g->nfiles : 1)));
		break;
	case LG_UP_DISK:
	case LG_UP_TMP:
	case LG_UP_DISCARD:
		method = "POST";
		body = g->upload_size;
		snprintf(path, sizeof(path), "%s",
			 g->path[0] && strcmp(g->path, "/") ? g->path
			 : g->kind == LG_UP_DISK	    ? "/upload/disk"
			 : g->kind == LG_UP_TMP		    ? "/upload/tmp"
							    : "/upload/discard");
		break;
	case LG_CPU:
		snprintf(path, sizeof(path), "/cpu");
		break;
	default:
		snprintf(path, sizeof(path), "%s", g->path[0] ? g->path : "/");
		break;
	}
	int n;
	if (body)
		n = snprintf(c->hdr, sizeof(c->hdr),
			     "%s %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Length: %llu\r\n"
			     "Content-Type: application/octet-stream\r\n\r\n",
			     method, path, g->host, g->port, (unsigned long long)body);
	else
		n = snprintf(c->hdr, sizeof(c->hdr), "%s %s HTTP/1.1\r\nHost: %s:%d\r\n\r\n", method,
			     path, g->host, g->port);
	c->hlen = (size_t)n < sizeof(c->hdr) ? (size_t)n : sizeof(c->hdr) - 1;
	c->hoff = 0;
	c->body_left = body;
}

/* Sends a request intended at `intended` on idle connection c. */
static void conn_send(struct lthread *t, struct lconn *c, int64_t intended)
{
	build_request(t, c);
	c->intended = intended;
	c->sent_at = vb_now_ns();
	c->state = C_BUSY;
	t->r.sent++;
	int r = conn_write(t, c);
	if (r < 0) {
		t->r.errors++;
		note_error(t, "cannot send a request: %s", strerror(-r));
		conn_close(t, c);
	}
}

/* The response on c is complete (or failed: ok = 0). */
static void conn_done(struct lthread *t, struct lconn *c, int ok)
{
	int64_t now = vb_now_ns();
	int status = http_msg_status(&c->msg);
	if (ok && status >= 200 && status < 400) {
		t->r.completed++;
		hist_add(t->r.lat, (uint64_t)(now - c->intended));
		hist_add(t->r.ulat, (uint64_t)(now - c->sent_at));
	} else {
		t->r.errors++;
		if (ok) {
			char s[16];
			snprintf(s, sizeof(s), "%d", status);
			note_error(t, "the server answered HTTP %s", s);
		}
	}
	t->r.bytes_rx += c->msg.body_bytes;
	if (!ok || !c->msg.keep_alive) {
		conn_close(t, c);
		return;
	}
	http_msg_next(&c->msg);
	c->state = C_IDLE;
}

static void conn_readable(struct lthread *t, struct lconn *c)
{
	char buf[65536];
	for (;;) {
		ssize_t n = read(c->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			if (c->state == C_BUSY) {
				int ok = n == 0 && http_msg_eof(&c->msg) == 0 && c->msg.complete;
				if (!ok)
					note_error(t, "%s", n == 0 ? "the server closed a connection "
								     "before answering"
								   : "a connection failed");
				conn_done(t, c, ok);
			}
			conn_close(t, c);
			return;
		}
		if (c->state != C_BUSY) { /* bytes nobody asked for */
			t->r.errors++;
			note_error(t, "%s", "the server sent bytes before a request");
			conn_close(t, c);
			return;
		}
		ssize_t k = http_msg_feed(&c->msg, buf, (size_t)n);
		if (k < 0 || (c->msg.complete && k < n)) {
			note_error(t, "a response is not HTTP: %s", http_msg_error(&c->msg));
			conn_done(t, c, 0);
			return;
		}
		if (c->msg.complete) {
			conn_done(t, c, 1);
			return;
		}
	}
}

static void q_push(struct lthread *t, int64_t v)
{
	if (t->qlen == t->qcap) {
		size_t ncap = t->qcap ? t->qcap * 2 : 1024;
		int64_t *n = malloc(ncap * sizeof(*n));
		if (!n) {
			t->r.unsent++;
			return;
		}
		for (size_t i = 0; i < t->qlen; i++)
			n[i] = t->q[(t->qhead + i) % t->qcap];
		free(t->q);
		t->q = n;
		t->qcap = ncap;
		t->qhead = 0;
	}
	t->q[(t->qhead + t->qlen++) % t->qcap] = v;
}

static int64_t q_pop(struct lthread *t)
{
	int64_t v = t->q[t->qhead];
	t->qhead = (t->qhead + 1) % t->qcap;
	t->qlen--;
	return v;
}

/* epoll_wait with a timeout in nanoseconds (epoll_pwait2, Linux 5.11);
 * where the kernel lacks it, in milliseconds rounded up. */
static int wait_events(int ep, struct epoll_event *ev, int max, int64_t ns)
{
	static int no_pwait2;
	if (ns < 0) /* no timeout: nothing to arm */
		return epoll_wait(ep, ev, max, -1);
	if (!no_pwait2) {
		struct timespec ts = {ns / 1000000000, ns % 1000000000};
		int n = epoll_pwait2(ep, ev, max, &ts, NULL);
		if (n >= 0 || errno != ENOSYS)
			return n;
		no_pwait2 = 1;
	}
	return epoll_wait(ep, ev, max, (int)((ns + 999999) / 1000000));
}

/* Takes every due arrival off the schedule into the queue. */
static void schedule(struct lthread *t, int64_t now)
{
	while (t->next_t <= (double)now && t->next_t < (double)t->end_t) {
		int64_t it = (int64_t)t->next_t;
		hist_add(t->r.lag, (uint64_t)(now - it));
		q_push(t, it);
		t->r.scheduled++;
		t->next_t += t->cfg->arrival == LG_POISSON ? t->period_ns * rnd_exp(&t->rng)
							   : t->period_ns;
	}
}

/* Gives queued (open) or budgeted (closed) requests to idle connections and
 * opens connections where more are needed. */
static void dispatch(struct lthread *t, int open_loop, int64_t now, int issuing)
{
	int connecting = 0;
	if (open_loop && !t->qlen)
		return; /* nothing due: no connection to use or open */
	for (int i = 0; i < t->nconn; i++) {
		struct lconn *c = &t->conns[i];
		if (c->state == C_CONNECTING)
			connecting++;
		if (c->state != C_IDLE)
			continue;
		if (open_loop) {
			if (!t->qlen)
				continue;
			conn_send(t, c, q_pop(t));
		} else if (issuing && atomic_fetch_sub(&t->sh->budget, 1) > 0) {
			int64_t n = vb_now_ns();
			conn_send(t, c, n);
		}
	}
	(void)now;
	/* more connections: open loop while the queue is longer than what is
	 * being connected; closed loop until every worker has one */
	for (int i = 0; i < t->nconn; i++) {
		struct lconn *c = &t->conns[i];
		if (c->state != C_FREE)
			continue;
		if (open_loop ? (size_t)connecting >= t->qlen : !issuing)
			break;
		if (conn_open(t, c) == 0)
			connecting++;
		else
			break;
	}
}

static void check_timeouts(struct lthread *t, int64_t now)
{
	for (int i = 0; i < t->nconn; i++) {
		struct lconn *c = &t->conns[i];
		if (c->state == C_BUSY && now - c->sent_at > t->cfg->timeout_ns) {
			t->r.timeouts++;
			note_error(t, "%s", "a request timed out");
			conn_close(t, c);
		}
	}
}

static int busy_count(struct lthread *t)
{
	int n = 0;
	for (int i = 0; i < t->nconn; i++)
		n += t->conns[i].state == C_BUSY;
	return n;
}

/* Constant arrivals: one periodic timer, armed once, fires at every due
 * time, so the loop sleeps without a timeout. A timeout of its own (or a
 * timerfd re-armed per arrival) arms and cancels a kernel timer at every
 * sleep, and on a VM whose interrupt enabling is a hypercall that was 38%
 * of the generator's CPU at 28k requests/s (bench/README.md). The schedule
 * is rounded to whole nanoseconds so that ticks and due times agree.
 * Returns the timerfd, registered in the thread's epoll set as t->tick
 * (its expirations are read, one system call per tick, and no timer is
 * armed), or -1: then the loop uses timeouts as before. */
static int tick_start(struct lthread *t)
{
	t->period_ns = (double)llround(t->period_ns);
	t->next_t = (double)llround(t->next_t);
	if (t->period_ns < 1)
		return -1;
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (fd < 0)
		return -1;
	int64_t first = (int64_t)t->next_t, per = (int64_t)t->period_ns;
	struct itimerspec its = {
		.it_value = {first / 1000000000, first % 1000000000},
		.it_interval = {per / 1000000000, per % 1000000000},
	};
	t->tick.fd = -1;
	struct epoll_event e = {.events = EPOLLIN, .data.ptr = &t->tick};
	if (timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL) < 0 ||
	    epoll_ctl(t->ep, EPOLL_CTL_ADD, fd, &e) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void *lthread_main(void *arg)
{
	struct lthread *t = arg;
	const struct lg_cfg *g = t->cfg;
	int open_loop = g->rate > 0;
	struct epoll_event ev[64];
	int64_t last_tcheck = 0, last_done = 0, last_ev = 0;

	net_pin_self(g->cpus, "load generator");
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	if (g->sched_fifo) {
		struct sched_param sp = {.sched_priority = sched_get_priority_min(SCHED_FIFO)};
		t->r.fifo_threads = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0;
	}
	pthread_mutex_lock(&t->sh->lock);
	while (!t->sh->go)
		pthread_cond_wait(&t->sh->cond, &t->sh->lock);
	int go = t->sh->go;
	pthread_mutex_unlock(&t->sh->lock);
	if (go < 0)
		return NULL;
	int64_t t0 = t->sh->t0;
	while (vb_now_ns() < t0)
		; /* the common start, at most a few ms away */
	int64_t cpu0 = net_thread_cpu_ns(), stop_cpu = -1, stop_wall = 0;
	int tfd = -1;
	if (open_loop) {
		double trate = g->rate / g->threads;
		t->period_ns = 1e9 / trate;
		/* thread k starts k/rate after thread 0 (constant arrivals
		 * interleave evenly) */
		t->next_t = (double)t0 + t->idx * (1e9 / g->rate);
		if (g->arrival == LG_POISSON)
			t->next_t = (double)t0 + t->period_ns * rnd_exp(&t->rng);
		t->end_t = t0 + g->time_ns;
		if (g->arrival != LG_POISSON)
			tfd = tick_start(t);
	}
	int64_t stop_issue = g->time_ns ? t0 + g->time_ns : INT64_MAX;
	/* after the schedule, answers still due get up to one timeout */
	int64_t drain_end = (g->time_ns ? t0 + g->time_ns : INT64_MAX - g->timeout_ns) +
			    g->timeout_ns;
	for (;;) {
		int64_t now = vb_now_ns();
		if (g->cancel && *g->cancel)
			break;
		int issuing = now < stop_issue;
		if (!issuing && stop_cpu < 0) { /* the schedule's end: its CPU share */
			stop_cpu = net_thread_cpu_ns() - cpu0;
			stop_wall = now - t0;
		}
		if (open_loop)
			schedule(t, now);
		dispatch(t, open_loop, now, issuing && (!g->requests || atomic_load(&t->sh->budget) > 0));
		if (now - last_tcheck > 5000000) {
			check_timeouts(t, now);
			last_tcheck = now;
		}
		int more = open_loop ? t->next_t < (double)t->end_t || t->qlen
				     : issuing && (!g->requests || atomic_load(&t->sh->budget) > 0);
		if (!more && !busy_count(t))
			break;
		if (now >= drain_end)
			break;
		/* a server that refuses every connection: give up rather than
		 * retry in a tight loop until the time is up */
		if (t->r.conn_errors >= 1000 && !t->r.completed)
			break;
		/* sleep until the next arrival or an event: the wait's own timeout
		 * (nanoseconds, epoll_pwait2), armed only when the loop does sleep;
		 * a timerfd re-armed for every arrival cost more than the requests
		 * at tens of thousands per second (bench/README.md) */
		const int64_t max_wait = 5000000; /* timeouts are checked this often */
		int64_t wait_ns = max_wait;
		if (open_loop && t->next_t < (double)t->end_t) {
			int64_t dt = (int64_t)t->next_t - now;
			wait_ns = dt < 0 ? 0 : dt < wait_ns ? dt : wait_ns;
			if (tfd >= 0 && dt > 0 && dt <= max_wait)
				wait_ns = -1; /* the tick wakes the loop at the due time */
			if (g->spin_ns && dt <= g->spin_ns)
				wait_ns = 0; /* the next arrival is close: poll */
		} else if (tfd >= 0) {
			close(tfd); /* the schedule is done: no more ticks */
			tfd = -1;
		}
		int idle_poll = !open_loop && g->spin_ns;
		if (idle_poll && now - last_ev < g->spin_ns)
			wait_ns = 0; /* closed loop: poll a while after the last event */
		int n = wait_events(t->ep, ev, 64, wait_ns);
		if (n > 0 && idle_poll)
			last_ev = vb_now_ns();
		for (int i = 0; i < n; i++) {
			struct lconn *c = ev[i].data.ptr;
			if (c == &t->tick && tfd >= 0) { /* the count, to re-arm its event */
				uint64_t ticks;
				if (read(tfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
					note_error(t, "the tick timer failed: %s", strerror(errno));
				continue;
			}
			if (c->fd < 0)
				continue;
			if (c->state == C_CONNECTING) {
				int err = 0;
				socklen_t len = sizeof(err);
				getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
				if (err || (ev[i].events & (EPOLLERR | EPOLLHUP))) {
					t->r.conn_errors++;
					note_error(t, "cannot connect: %s", strerror(err ? err : ECONNRESET));
					conn_close(t, c);
					continue;
				}
				if (!(ev[i].events & EPOLLOUT))
					continue;
				c->state = C_IDLE;
				continue;
			}
			if (c->state == C_BUSY && (ev[i].events & EPOLLOUT) &&
			    (c->hoff < c->hlen || c->body_left)) {
				int r = conn_write(t, c);
				if (r < 0) {
					t->r.errors++;
					conn_close(t, c);
					continue;
				}
			}
			if (ev[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
				uint64_t before = t->r.completed;
				conn_readable(t, c);
				if (t->r.completed != before)
					last_done = vb_now_ns();
			}
		}
	}
	if (tfd >= 0)
		close(tfd);
	/* what is still queued or in flight did not finish in time */
	t->r.unsent += t->qlen;
	t->r.timeouts += (uint64_t)busy_count(t);
	for (int i = 0; i < t->nconn; i++)
		conn_close(t, &t->conns[i]);
	t->r.cpu_ns = stop_cpu >= 0 ? stop_cpu : net_thread_cpu_ns() - cpu0;
	t->r.wall_ns = stop_cpu >= 0 ? stop_wall : vb_now_ns() - t0;
	t->r.elapsed_ns = open_loop ? g->time_ns : (last_done > t0 ? last_done - t0 : 0);
	return NULL;
}

void lg_result_free(struct lg_result *r)
{
	hist_free(r->lat);
	hist_free(r->ulat);
	hist_free(r->lag);
	r->lat = r->ulat = r->lag = NULL;
}

static int result_init(struct lg_result *r)
{
	memset(r, 0, sizeof(*r));
	r->lat = hist_new();
	r->ulat = hist_new();
	r->lag = hist_new();
	if (!r->lat || !r->ulat || !r->lag) {
		lg_result_free(r);
		return -ENOMEM;
	}
	return 0;
}

int lg_run(const struct lg_cfg *cfg, struct lg_result *out)
{
	int r, nt = cfg->threads > 0 ? cfg->threads : 1;
	if (cfg->connections < nt)
		return vb_err(-EINVAL, "connections=%d is below threads=%d: every generator "
				       "thread needs a connection", cfg->connections, nt);
	if (cfg->rate <= 0 && !cfg->requests && !cfg->time_ns)
		return vb_err(-EINVAL, "a closed-loop run needs requests or time");
	struct sockaddr_in sa;
	if ((r = net_addr(cfg->host, cfg->port, &sa)) < 0)
		return r;
	if (!body_pattern[0])
		for (size_t i = 0; i < sizeof(body_pattern); i++)
			body_pattern[i] = (char)('a' + i % 26);
	struct lg_shared sh;
	memset(&sh, 0, sizeof(sh));
	atomic_init(&sh.budget, cfg->requests ? cfg->requests : INT64_MAX / 2);
	struct lthread *th = calloc((size_t)nt, sizeof(*th));
	if (!th || result_init(out) < 0) {
		free(th);
		return vb_err(-ENOMEM, "out of memory");
	}
	pthread_mutex_init(&sh.lock, NULL);
	pthread_cond_init(&sh.cond, NULL);
	int started = 0;
	for (int i = 0; i < nt; i++) {
		struct lthread *t = &th[i];
		t->cfg = cfg;
		t->sh = &sh;
		t->idx = i;
		t->sa = sa;
		t->rng = (cfg->seed ? cfg->seed : 1) * 0x9E3779B97F4A7C15ull + (uint64_t)i + 1;
		t->nconn = cfg->connections / nt + (i < cfg->connections % nt);
		t->ep = epoll_create1(EPOLL_CLOEXEC);
		t->conns = calloc((size_t)t->nconn, sizeof(*t->conns));
		if (result_init(&t->r) < 0 || t->ep < 0 || !t->conns) {
			r = vb_err(-ENOMEM, "cannot set up generator thread %d", i);
			goto out;
		}
		for (int k = 0; k < t->nconn; k++)
			t->conns[k].fd = -1;
	}
	for (; started < nt; started++) {
		if ((r = pthread_create(&th[started].tid, NULL, lthread_main, &th[started])) != 0) {
			r = vb_err(-r, "cannot start generator thread: %s", strerror(r));
			goto out;
		}
	}
	r = 0;
out:
	pthread_mutex_lock(&sh.lock);
	sh.t0 = vb_now_ns() + 2000000; /* 2 ms for every thread to get going */
	sh.go = r == 0 ? 1 : -1;
	pthread_cond_broadcast(&sh.cond);
	pthread_mutex_unlock(&sh.lock);
	for (int i = 0; i < started; i++)
		pthread_join(th[i].tid, NULL);
	if (r == 0) {
		for (int i = 0; i < nt; i++) {
			struct lg_result *x = &th[i].r;
			hist_merge(out->lat, x->lat);
			hist_merge(out->ulat, x->ulat);
			hist_merge(out->lag, x->lag);
			out->scheduled += x->scheduled;
			out->sent += x->sent;
			out->completed += x->completed;
			out->errors += x->errors;
			out->timeouts += x->timeouts;
			out->unsent += x->unsent;
			out->conn_errors += x->conn_errors;
			out->bytes_rx += x->bytes_rx;
			out->bytes_tx += x->bytes_tx;
			out->max_connections += x->max_connections;
			out->cpu_ns += x->cpu_ns;
			out->wall_ns += x->wall_ns;
			out->fifo_threads += x->fifo_threads;
			if (x->elapsed_ns > out->elapsed_ns)
				out->elapsed_ns = x->elapsed_ns;
			if (!out->first_error[0] && x->first_error[0])
				snprintf(out->first_error, sizeof(out->first_error), "%s",
					 x->first_error);
		}
	}
	for (int i = 0; i < nt; i++) {
		lg_result_free(&th[i].r);
		if (th[i].ep > 0)
			close(th[i].ep);
		th[i].ep = -1;
		free(th[i].conns);
		free(th[i].q);
	}
	pthread_mutex_destroy(&sh.lock);
	pthread_cond_destroy(&sh.cond);
	free(th);
	if (r < 0)
		lg_result_free(out);
	return r;
}
