#include "net/sock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"
#include "util/timeutil.h"

int net_addr(const char *host, int port, struct sockaddr_in *out)
{
	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	out->sin_port = htons((uint16_t)port);
	if (port < 0 || port > 65535)
		return vb_err(-EINVAL, "port %d is out of range (0-65535)", port);
	if (!host || !*host || !strcmp(host, "localhost"))
		host = "127.0.0.1";
	if (inet_pton(AF_INET, host, &out->sin_addr) != 1)
		return vb_err(-EINVAL, "'%s' is not an IPv4 address (write it as 127.0.0.1; "
				       "names are not looked up)", host);
	return 0;
}

int net_set_nonblock(int fd, int on)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

void net_set_nodelay(int fd)
{
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

int net_listen_tcp(const char *host, int port, int backlog, int nonblock, int *port_out)
{
	struct sockaddr_in sa;
	int r = net_addr(host, port, &sa), one = 1;
	if (r < 0)
		return r;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		return vb_err(-errno, "cannot create a TCP socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		close(fd);
		if (r == -EADDRINUSE)
			return vb_err(r, "port %d on %s is in use: stop what listens there or "
					 "choose another port (port=0 picks a free one)",
				      port, host ? host : "127.0.0.1");
		return vb_err(r, "cannot bind %s:%d: %s", host ? host : "127.0.0.1", port,
			      strerror(-r));
	}
	if (listen(fd, backlog) < 0) {
		r = -errno;
		close(fd);
		return vb_err(r, "cannot listen on %s:%d: %s", host, port, strerror(-r));
	}
	socklen_t len = sizeof(sa);
	getsockname(fd, (struct sockaddr *)&sa, &len);
	if (port_out)
		*port_out = ntohs(sa.sin_port);
	return fd;
}

int net_bind_udp(const char *host, int port)
{
	struct sockaddr_in sa;
	int r = net_addr(host, port, &sa);
	if (r < 0)
		return r;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return vb_err(-errno, "cannot create a UDP socket: %s", strerror(errno));
	int big = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		close(fd);
		return vb_err(r, "cannot bind UDP %s:%d: %s%s", host ? host : "127.0.0.1", port,
			      strerror(-r), r == -EADDRINUSE ? " (choose another port)" : "");
	}
	return fd;
}

int net_connect_nb(const struct sockaddr_in *sa)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 && errno != EINPROGRESS) {
		int r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

int net_connect_tcp(const char *host, int port, int64_t timeout_ns)
{
	struct sockaddr_in sa;
	int r = net_addr(host, port, &sa);
	if (r < 0)
		return r;
	int fd = net_connect_nb(&sa);
	if (fd >= 0) {
		struct pollfd p = {fd, POLLOUT, 0};
		int ms = timeout_ns > 0 ? (int)(timeout_ns / 1000000) : -1;
		int err = 0;
		socklen_t len = sizeof(err);
		do
			r = poll(&p, 1, ms);
		while (r < 0 && errno == EINTR);
		if (r == 0)
			err = ETIMEDOUT;
		else if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err) {
			close(fd);
			fd = -err;
		}
	}
	if (fd < 0) {
		if (fd == -ECONNREFUSED)
			return vb_err(fd, "cannot connect to %s:%d: nothing listens there (start the "
					  "server first, or check host and port)", host, port);
		return vb_err(fd, "cannot connect to %s:%d: %s", host, port, strerror(-fd));
	}
	net_set_nonblock(fd, 0);
	return fd;
}

int net_cpus_parse(const char *list, uint64_t mask[16], int *count)
{
	memset(mask, 0, 16 * sizeof(uint64_t));
	*count = 0;
	const char *p = list;
	while (p && *p) {
		char *end;
		long a = strtol(p, &end, 10), b = a;
		if (end == p || a < 0 || a >= 1024)
			return vb_err(-EINVAL, "bad CPU list '%s': write CPUs as 0,2 or 0-3", list);
		if (*end == '-') {
			p = end + 1;
			b = strtol(p, &end, 10);
			if (end == p || b < a || b >= 1024)
				return vb_err(-EINVAL, "bad CPU range in '%s'", list);
		}
		for (long c = a; c <= b; c++) {
			if (!(mask[c / 64] & (1ull << (c % 64))))
				(*count)++;
			mask[c / 64] |= 1ull << (c % 64);
		}
		if (*end == ',')
			end++;
		else if (*end)
			return vb_err(-EINVAL, "bad CPU list '%s': write CPUs as 0,2 or 0-3", list);
		p = end;
	}
	return 0;
}

int net_pin_self(const char *list, const char *what)
{
	uint64_t mask[16];
	int n, r = net_cpus_parse(list, mask, &n);
	if (r < 0 || n == 0)
		return r;
	cpu_set_t set;
	CPU_ZERO(&set);
	for (int c = 0; c < 1024; c++)
		if (mask[c / 64] & (1ull << (c % 64)))
			CPU_SET(c, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		return vb_err(-errno, "cannot pin the %s to CPUs %s: %s (is the CPU online and "
				      "in this cgroup's cpuset?)", what, list, strerror(errno));
	return 0;
}

int net_loopback_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r = 0;
	if (fd < 0)
		return vb_err(-errno, "cannot create a socket: %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		r = vb_err(-errno, "no loopback interface here: %s", strerror(errno));
	} else if (!(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			r = vb_err(-errno, "the loopback interface is down and cannot be brought up: "
					   "%s (run as root, or bring it up: ip link set lo up)",
				   strerror(errno));
	}
	close(fd);
	return r;
}

int64_t net_thread_cpu_ns(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) < 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t net_tcp_retrans(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return -1;
	return (int64_t)ti.tcpi_total_retrans;
}

int net_write_full(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int net_read_full(int fd, void *buf, size_t n)
{
	char *p = buf;
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, p + got, n - got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return got ? -EPIPE : 0;
		got += (size_t)r;
	}
	return 1;
}

int net_wait_readable(int fd, int64_t deadline_ns)
{
	for (;;) {
		int64_t left = deadline_ns - vb_now_ns();
		if (left <= 0)
			return 0;
		struct pollfd p = {fd, POLLIN, 0};
		int r = poll(&p, 1, (int)(left / 1000000) + 1);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}
