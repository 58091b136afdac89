/* The server end of the net workload: a thread per TCP connection (streams
 * are few), one UDP receiver thread. See perf.h for the protocol. */
#include "net/perf.h"

#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net/sock.h"
#include "util/err.h"
#include "util/timeutil.h"

#define MAX_CONNS 256
#define MAX_SESSIONS 64

struct udp_session {
	uint64_t id, received, bytes, max_seq, ooo;
	double jitter;
	int64_t last_transit, first_ns, last_ns;
	int used;
};

struct perf_server {
	int lfd, ufd;
	char cpus[64];
	pthread_t acc_tid, udp_tid;
	volatile int stop;
	pthread_mutex_t lock;
	pthread_cond_t gone;
	int live;
	int fds[MAX_CONNS];
	struct perf_server_stats st;
	struct udp_session sess[MAX_SESSIONS];
};

struct pconn {
	struct perf_server *s;
	int fd;
};

void perf_hello_encode(const struct perf_hello *h, unsigned char out[PERF_HELLO_SIZE])
{
	uint32_t w[4] = {htobe32(PERF_MAGIC), htobe32(h->mode | h->flags << 16), htobe32(h->msg_size),
			 htobe32(h->resp_size)};
	uint64_t d[3] = {htobe64(h->time_ns), htobe64(h->omit_ns), htobe64(h->session)};
	memcpy(out, w, 16);
	memcpy(out + 16, d, 24);
}

int perf_hello_decode(const unsigned char in[PERF_HELLO_SIZE], struct perf_hello *h)
{
	uint32_t w[4];
	uint64_t d[3];
	memcpy(w, in, 16);
	memcpy(d, in + 16, 24);
	if (be32toh(w[0]) != PERF_MAGIC)
		return -EPROTO;
	h->mode = be32toh(w[1]) & 0xffff;
	h->flags = be32toh(w[1]) >> 16;
	h->msg_size = be32toh(w[2]);
	h->resp_size = be32toh(w[3]);
	h->time_ns = be64toh(d[0]);
	h->omit_ns = be64toh(d[1]);
	h->session = be64toh(d[2]);
	if (h->mode < PERF_TO_SERVER || h->mode > PERF_UDP || (h->flags & ~PERF_F_ALL) ||
	    h->msg_size == 0 ||
	    h->msg_size > PERF_MAX_MSG || h->resp_size > PERF_MAX_MSG ||
	    (h->mode == PERF_RR && h->resp_size == 0) || h->time_ns > 86400e9 ||
	    h->omit_ns > 86400e9)
		return -EPROTO;
	return 0;
}

static void add_stat(struct perf_server *s, uint64_t *field, uint64_t v)
{
	pthread_mutex_lock(&s->lock);
	*field += v;
	pthread_mutex_unlock(&s->lock);
}

/* Receives until the end of the stream in reads of msg_size bytes (as
 * iperf3 reads its -l length), counting what arrives after the omitted
 * start. Shared by the server (TO_SERVER) and the client (FROM_SERVER):
 * perf_client.c declares it too. */
int perf_receive(int fd, uint32_t msg_size, int64_t omit_ns, volatile int *cancel,
		 uint64_t *bytes, int64_t *span);
int perf_receive(int fd, uint32_t msg_size, int64_t omit_ns, volatile int *cancel,
		 uint64_t *bytes, int64_t *span)
{
	char *buf = malloc(msg_size);
	if (!buf)
		return -ENOMEM;
	int64_t t0 = vb_now_ns(), mark_t = omit_ns ? -1 : t0, last_t = t0;
	uint64_t total = 0, mark_b = 0;
	for (;;) {
		ssize_t n = read(fd, buf, msg_size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = -errno;
			free(buf);
			return e;
		}
		if (n == 0)
			break;
		int64_t now = vb_now_ns();
		total += (uint64_t)n;
		last_t = now;
		if (mark_t < 0 && now >= t0 + omit_ns) {
			mark_t = now;
			mark_b = total;
		}
		if (cancel && *cancel)
			break;
	}
	free(buf);
	*bytes = mark_t < 0 ? 0 : total - mark_b;
	*span = mark_t < 0 ? 0 : last_t - mark_t;
	return 0;
}

static void serve_udp_control(struct perf_server *s, int fd, const struct perf_hello *h)
{
	uint64_t sent;
	if (net_read_full(fd, &sent, sizeof(sent)) != 1)
		return;
	sent = be64toh(sent);
	/* datagrams still on their way: a moment for them */
	struct timespec ts = {0, 50 * 1000 * 1000};
	nanosleep(&ts, NULL);
	struct perf_udp_stats r = {.sent = sent};
	pthread_mutex_lock(&s->lock);
	for (int i = 0; i < MAX_SESSIONS; i++) {
		struct udp_session *u = &s->sess[i];
		if (u->used && u->id == h->session) {
			r.received = u->received;
			r.bytes = u->bytes;
			r.out_of_order = u->ooo;
			r.jitter_ns = (int64_t)u->jitter;
			r.span_ns = u->last_ns - u->first_ns;
			u->used = 0;
		}
	}
	pthread_mutex_unlock(&s->lock);
	r.lost = sent > r.received ? sent - r.received : 0;
	uint64_t w[7] = {htobe64(r.sent), htobe64(r.received), htobe64(r.lost),
			 htobe64(r.out_of_order), htobe64(r.bytes), htobe64((uint64_t)r.jitter_ns),
			 htobe64((uint64_t)r.span_ns)};
	net_write_full(fd, w, sizeof(w));
}

static void serve(struct perf_server *s, int fd)
{
	unsigned char hb[PERF_HELLO_SIZE];
	struct perf_hello h;
	if (net_read_full(fd, hb, sizeof(hb)) != 1 || perf_hello_decode(hb, &h) < 0)
		return;
	/* Nagle on, as iperf3 and netperf leave it, unless the client asked
	 * for TCP_NODELAY (iperf3 -N): on loopback it changes a stream's
	 * throughput by a fifth (bench/README.md) */
	if (h.flags & PERF_F_NODELAY)
		net_set_nodelay(fd);
	if (h.mode == PERF_TO_SERVER) {
		uint64_t bytes = 0;
		int64_t span = 0;
		if (perf_receive(fd, h.msg_size, (int64_t)h.omit_ns, &s->stop, &bytes, &span) < 0)
			return;
		add_stat(s, &s->st.bytes_in, bytes);
		uint64_t w[2] = {htobe64(bytes), htobe64((uint64_t)span)};
		net_write_full(fd, w, sizeof(w));
	} else if (h.mode == PERF_FROM_SERVER) {
		char *buf = malloc(h.msg_size);
		if (!buf)
			return;
		memset(buf, 'v', h.msg_size);
		int64_t end = vb_now_ns() + (int64_t)(h.omit_ns + h.time_ns);
		uint64_t out = 0;
		while (!s->stop && vb_now_ns() < end) {
			if (net_write_full(fd, buf, h.msg_size) < 0)
				break;
			out += h.msg_size;
		}
		int64_t rt = net_tcp_retrans(fd);
		pthread_mutex_lock(&s->lock);
		s->st.bytes_out += out;
		if (rt > 0)
			s->st.retransmits += rt;
		pthread_mutex_unlock(&s->lock);
		free(buf);
	} else if (h.mode == PERF_RR) {
		char *req = malloc(h.msg_size), *resp = calloc(1, h.resp_size);
		uint64_t n = 0;
		while (req && resp && !s->stop) {
			if (net_read_full(fd, req, h.msg_size) != 1 ||
			    net_write_full(fd, resp, h.resp_size) < 0)
				break;
			n++;
		}
		add_stat(s, &s->st.transactions, n);
		free(req);
		free(resp);
	} else {
		serve_udp_control(s, fd, &h);
	}
}

static void *conn_main(void *arg)
{
	struct pconn *c = arg;
	struct perf_server *s = c->s;
	net_pin_self(s->cpus, "net server");
	int64_t cpu0 = net_thread_cpu_ns();
	serve(s, c->fd);
	int64_t cpu = net_thread_cpu_ns() - cpu0;
	pthread_mutex_lock(&s->lock);
	s->st.cpu_ns += cpu;
	for (int i = 0; i < MAX_CONNS; i++)
		if (s->fds[i] == c->fd)
			s->fds[i] = -1;
	close(c->fd);
	s->live--;
	pthread_cond_broadcast(&s->gone);
	pthread_mutex_unlock(&s->lock);
	free(c);
	return NULL;
}

static void *accept_main(void *arg)
{
	struct perf_server *s = arg;
	for (;;) {
		int fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			break;
		}
		if (s->stop) {
			close(fd);
			break;
		}
		struct pconn *c = malloc(sizeof(*c));
		pthread_mutex_lock(&s->lock);
		int slot = -1;
		for (int i = 0; i < MAX_CONNS && slot < 0; i++)
			if (s->fds[i] < 0)
				slot = i;
		if (!c || slot < 0) {
			pthread_mutex_unlock(&s->lock);
			free(c);
			close(fd);
			continue;
		}
		s->fds[slot] = fd;
		s->live++;
		s->st.connections++;
		pthread_mutex_unlock(&s->lock);
		c->s = s;
		c->fd = fd;
		pthread_t t;
		if (pthread_create(&t, NULL, conn_main, c) != 0) {
			pthread_mutex_lock(&s->lock);
			s->fds[slot] = -1;
			s->live--;
			pthread_mutex_unlock(&s->lock);
			close(fd);
			free(c);
			continue;
		}
		pthread_detach(t);
	}
	return NULL;
}

static void udp_datagram(struct perf_server *s, const unsigned char *b, ssize_t n, int64_t now)
{
	uint64_t w[4];
	uint32_t magic;
	if (n < 32)
		return;
	memcpy(&magic, b, 4);
	memcpy(w, b, 32);
	if (be32toh(magic) != PERF_MAGIC)
		return;
	uint64_t id = be64toh(w[1]), seq = be64toh(w[2]);
	int64_t sent = (int64_t)be64toh(w[3]);
	pthread_mutex_lock(&s->lock);
	struct udp_session *u = NULL, *free_slot = NULL;
	for (int i = 0; i < MAX_SESSIONS && !u; i++) {
		if (s->sess[i].used && s->sess[i].id == id)
			u = &s->sess[i];
		else if (!s->sess[i].used && !free_slot)
			free_slot = &s->sess[i];
	}
	if (!u && free_slot) {
		u = free_slot;
		memset(u, 0, sizeof(*u));
		u->used = 1;
		u->id = id;
		u->first_ns = now;
	}
	if (u) {
		int64_t transit = now - sent;
		if (u->received) {
			if (seq <= u->max_seq)
				u->ooo++;
			double d = (double)(transit - u->last_transit);
			u->jitter += ((d < 0 ? -d : d) - u->jitter) / 16.0;
		}
		if (!u->received || seq > u->max_seq)
			u->max_seq = seq;
		u->last_transit = transit;
		u->received++;
		u->bytes += (uint64_t)n;
		u->last_ns = now;
		s->st.bytes_in += (uint64_t)n;
	}
	pthread_mutex_unlock(&s->lock);
}

static void *udp_main(void *arg)
{
	struct perf_server *s = arg;
	static __thread unsigned char buf[65536];
	net_pin_self(s->cpus, "net server");
	while (!s->stop) {
		struct pollfd p = {s->ufd, POLLIN, 0};
		if (poll(&p, 1, 50) <= 0)
			continue;
		for (;;) {
			ssize_t n = recv(s->ufd, buf, sizeof(buf), MSG_DONTWAIT);
			if (n < 0)
				break;
			udp_datagram(s, buf, n, vb_now_ns());
		}
	}
	return NULL;
}

int perf_server_start(const char *host, int port, const char *cpus, struct perf_server **out,
		      int *port_out)
{
	struct perf_server *s = calloc(1, sizeof(*s));
	int r;
	if (!s)
		return vb_err(-ENOMEM, "out of memory");
	snprintf(s->cpus, sizeof(s->cpus), "%s", cpus ? cpus : "");
	for (int i = 0; i < MAX_CONNS; i++)
		s->fds[i] = -1;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->gone, NULL);
	s->ufd = -1;
	if ((r = s->lfd = net_listen_tcp(host, port, 128, 0, port_out)) < 0)
		goto fail;
	if ((r = s->ufd = net_bind_udp(host, *port_out)) < 0)
		goto fail;
	if ((r = pthread_create(&s->acc_tid, NULL, accept_main, s)) != 0) {
		r = vb_err(-r, "cannot start the net server: %s", strerror(r));
		goto fail;
	}
	if ((r = pthread_create(&s->udp_tid, NULL, udp_main, s)) != 0) {
		r = vb_err(-r, "cannot start the net server: %s", strerror(r));
		shutdown(s->lfd, SHUT_RDWR);
		pthread_join(s->acc_tid, NULL);
		goto fail;
	}
	*out = s;
	return 0;
fail:
	if (s->lfd >= 0)
		close(s->lfd);
	if (s->ufd >= 0)
		close(s->ufd);
	free(s);
	return r;
}

void perf_server_stop(struct perf_server *s, struct perf_server_stats *st)
{
	s->stop = 1;
	shutdown(s->lfd, SHUT_RDWR);
	pthread_join(s->acc_tid, NULL);
	pthread_join(s->udp_tid, NULL);
	pthread_mutex_lock(&s->lock);
	for (int i = 0; i < MAX_CONNS; i++)
		if (s->fds[i] >= 0)
			shutdown(s->fds[i], SHUT_RDWR);
	while (s->live)
		pthread_cond_wait(&s->gone, &s->lock);
	pthread_mutex_unlock(&s->lock);
	if (st)
		*st = s->st;
	close(s->lfd);
	close(s->ufd);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->gone);
	free(s);
}
