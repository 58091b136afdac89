/* Sockets for the network workloads (net, http): TCP/UDP listeners and
 * connections on IPv4 addresses, CPU pinning of the calling thread, and the
 * kernel's TCP counters. Every function returns a descriptor or 0 on success
 * and -errno after vb_err() has named the address and the fix.
 *
 * src/net/ holds what both ends of a network benchmark share, so that the
 * same code serves when the agent runs both ends itself on 127.0.0.1 (tests,
 * bench/) and later when the target's agent serves and a host-side agent
 * loads it (docs/network.md). */
#ifndef VB_NET_SOCK_H
#define VB_NET_SOCK_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* host: a dotted IPv4 address or "localhost"; no name lookups (the agent is
 * static and a guest has no resolver). */
int net_addr(const char *host, int port, struct sockaddr_in *out);
/* A TCP listener on host:port (port 0: any free one), SO_REUSEADDR,
 * non-blocking when nonblock; *port_out gets the bound port. */
int net_listen_tcp(const char *host, int port, int backlog, int nonblock, int *port_out);
/* A UDP socket bound to host:port. */
int net_bind_udp(const char *host, int port);
/* A blocking TCP connection (Nagle on: TCP_NODELAY is the caller's choice,
 * net_set_nodelay), or a clear error naming
 * host:port ("nothing listens there: start the server first"). timeout_ns
 * bounds the connect (0: the kernel's). */
int net_connect_tcp(const char *host, int port, int64_t timeout_ns);
/* Starts a non-blocking connect (EINPROGRESS is success). */
int net_connect_nb(const struct sockaddr_in *sa);
int net_set_nonblock(int fd, int on);
void net_set_nodelay(int fd);

/* Parses a CPU list ("0", "1,3", "0-2,5") into a mask of at most 1024 CPUs;
 * an empty list is no pinning (count 0). */
int net_cpus_parse(const char *list, uint64_t mask[16], int *count);
/* Pins the calling thread to the CPUs of list (nothing for ""). */
int net_pin_self(const char *list, const char *what);

/* Brings the loopback interface up if it is down, as it is in a new
 * network namespace (a container) and in the built-in guest, whose init
 * configures nothing: 0 when lo is up, else a clear error (bringing it up
 * needs CAP_NET_ADMIN). */
int net_loopback_up(void);

/* CPU time (user + system) the calling thread has used, in ns. */
int64_t net_thread_cpu_ns(void);

/* The connection's total retransmitted segments (TCP_INFO), or -1. */
int64_t net_tcp_retrans(int fd);

/* Whole reads and writes on blocking sockets, retrying on EINTR; read_full
 * returns 0 at a clean end of stream before any byte, -EPIPE in the middle. */
int net_write_full(int fd, const void *buf, size_t n);
int net_read_full(int fd, void *buf, size_t n);

/* Waits until fd is readable or deadline_ns (vb_now_ns clock) has passed:
 * 1 readable, 0 timed out. */
int net_wait_readable(int fd, int64_t deadline_ns);

#endif
