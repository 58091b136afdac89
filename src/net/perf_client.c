/* The client end of the net workload (protocol in perf.h). */
#include "net/perf.h"

#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net/sock.h"
#include "util/err.h"
#include "util/timeutil.h"

int perf_receive(int fd, uint32_t msg_size, int64_t omit_ns, volatile int *cancel,
		 uint64_t *bytes, int64_t *span);

static int open_hello(const char *host, int port, const struct perf_hello *h)
{
	unsigned char hb[PERF_HELLO_SIZE];
	int fd = net_connect_tcp(host, port, 5000000000LL);
	if (fd < 0)
		return fd;
	if (h->flags & PERF_F_NODELAY) /* the server does the same */
		net_set_nodelay(fd);
	perf_hello_encode(h, hb);
	int r = net_write_full(fd, hb, sizeof(hb));
	if (r < 0) {
		close(fd);
		return vb_err(r, "cannot talk to the net server at %s:%d: %s", host, port,
			      strerror(-r));
	}
	return fd;
}

static int lost_server(const char *host, int port, int r)
{
	return vb_err(r < 0 ? r : -EPIPE, "the net server at %s:%d closed the connection early "
					  "(is it a vmbench net server of the same version?)",
		      host, port);
}

int perf_stream(const char *host, int port, enum perf_mode dir, uint32_t flags, uint32_t msg_size,
		int64_t time_ns, int64_t omit_ns, volatile int *cancel,
		struct perf_stream_result *res)
{
	struct perf_hello h = {.mode = dir, .flags = flags, .msg_size = msg_size, .time_ns = (uint64_t)time_ns,
			       .omit_ns = (uint64_t)omit_ns};
	memset(res, 0, sizeof(*res));
	int fd = open_hello(host, port, &h), r = 0;
	if (fd < 0)
		return fd;
	if (dir == PERF_FROM_SERVER) {
		r = perf_receive(fd, msg_size, omit_ns, cancel, &res->bytes, &res->span_ns);
		close(fd);
		return r < 0 ? vb_err(r, "receiving from %s:%d: %s", host, port, strerror(-r)) : 0;
	}
	char *buf = malloc(msg_size);
	if (!buf) {
		close(fd);
		return vb_err(-ENOMEM, "out of memory");
	}
	memset(buf, 'v', msg_size);
	int64_t end = vb_now_ns() + omit_ns + time_ns;
	while (vb_now_ns() < end && !(cancel && *cancel)) {
		if ((r = net_write_full(fd, buf, msg_size)) < 0)
			break;
	}
	free(buf);
	res->retransmits = net_tcp_retrans(fd);
	shutdown(fd, SHUT_WR);
	uint64_t w[2];
	int k = r < 0 ? r : net_read_full(fd, w, sizeof(w));
	close(fd);
	if (k != 1)
		return lost_server(host, port, k);
	res->bytes = be64toh(w[0]);
	res->span_ns = (int64_t)be64toh(w[1]);
	return 0;
}

int perf_rr(const char *host, int port, uint32_t flags, uint32_t req, uint32_t resp, int64_t time_ns,
	    volatile int *cancel, struct hist *lat, uint64_t *count)
{
	struct perf_hello h = {.mode = PERF_RR, .flags = flags, .msg_size = req, .resp_size = resp,
			       .time_ns = (uint64_t)time_ns};
	int fd = open_hello(host, port, &h), r = 0;
	if (fd < 0)
		return fd;
	char *q = calloc(1, req), *a = malloc(resp);
	*count = 0;
	if (!q || !a) {
		r = vb_err(-ENOMEM, "out of memory");
		goto out;
	}
	int64_t end = vb_now_ns() + time_ns;
	for (int64_t now = vb_now_ns(); now < end && !(cancel && *cancel);) {
		if ((r = net_write_full(fd, q, req)) < 0 || (r = net_read_full(fd, a, resp)) != 1) {
			r = lost_server(host, port, r);
			goto out;
		}
		int64_t t = vb_now_ns();
		hist_add(lat, (uint64_t)(t - now));
		(*count)++;
		now = t;
	}
	r = 0;
out:
	free(q);
	free(a);
	close(fd);
	return r;
}

int perf_udp(const char *host, int port, uint64_t bits_per_s, uint32_t size, int64_t time_ns,
	     uint64_t session, volatile int *cancel, struct perf_udp_stats *res)
{
	struct perf_hello h = {.mode = PERF_UDP, .msg_size = size, .time_ns = (uint64_t)time_ns,
			       .session = session};
	struct sockaddr_in sa;
	memset(res, 0, sizeof(*res));
	if (size < 32 || size > 65507)
		return vb_err(-EINVAL, "UDP datagrams of %u bytes: give 32 to 65507", size);
	int r = net_addr(host, port, &sa);
	if (r < 0)
		return r;
	int cfd = open_hello(host, port, &h);
	if (cfd < 0)
		return cfd;
	int ufd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (ufd < 0 || connect(ufd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = vb_err(-errno, "UDP socket to %s:%d: %s", host, port, strerror(errno));
		goto out;
	}
	unsigned char *buf = calloc(1, size);
	if (!buf) {
		r = vb_err(-ENOMEM, "out of memory");
		goto out;
	}
	double gap = (double)size * 8 * 1e9 / (double)bits_per_s;
	int64_t t0 = vb_now_ns(), end = t0 + time_ns;
	double next = (double)t0;
	uint64_t seq = 0;
	uint32_t magic = htobe32(PERF_MAGIC);
	uint64_t sid = htobe64(session);
	memcpy(buf, &magic, 4);
	memcpy(buf + 8, &sid, 8);
	for (;;) {
		int64_t now = vb_now_ns();
		if (now >= end || (cancel && *cancel))
			break;
		if ((double)now < next) {
			int64_t at = (int64_t)next;
			struct timespec ts = {at / 1000000000, at % 1000000000};
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
			continue;
		}
		/* every datagram due by now (a late wake-up sends a burst) */
		while ((double)now >= next && now < end) {
			uint64_t s = htobe64(seq), t = htobe64((uint64_t)vb_now_ns());
			memcpy(buf + 16, &s, 8);
			memcpy(buf + 24, &t, 8);
			if (send(ufd, buf, size, 0) == (ssize_t)size)
				seq++;
			next += gap;
		}
	}
	free(buf);
	uint64_t sent = htobe64(seq), w[7];
	if ((r = net_write_full(cfd, &sent, sizeof(sent))) < 0 ||
	    (r = net_read_full(cfd, w, sizeof(w))) != 1) {
		r = lost_server(host, port, r);
		goto out;
	}
	res->sent = be64toh(w[0]);
	res->received = be64toh(w[1]);
	res->lost = be64toh(w[2]);
	res->out_of_order = be64toh(w[3]);
	res->bytes = be64toh(w[4]);
	res->jitter_ns = (int64_t)be64toh(w[5]);
	res->span_ns = (int64_t)be64toh(w[6]);
	r = 0;
out:
	if (ufd >= 0)
		close(ufd);
	close(cfd);
	return r;
}
