/* Network throughput and latency, iperf3 / netperf style: the two ends of
 * the net workload. The server (perf_server_start) listens on one TCP port
 * and the same UDP port; the client opens one TCP connection per stream and
 * says what it wants in a fixed 40-byte hello:
 *
 *   magic "VBN1" | flags << 16 | mode | msg_size | resp_size | time_ns |
 *   omit_ns | session   (big-endian u32 u32 u32 u32 u64 u64 u64)
 *
 *   flags: PERF_F_NODELAY, TCP_NODELAY on both ends' data sockets
 *
 *   PERF_TO_SERVER    the client sends msg_size writes for omit+time, then
 *                     shuts down its side; the server, the receiver, counts
 *                     the bytes after the omitted start and answers with
 *                     16 bytes: bytes and nanoseconds of the counted span
 *   PERF_FROM_SERVER  the server sends for omit+time and closes; the
 *                     client, the receiver, counts the same way
 *   PERF_RR           the client sends msg_size bytes, the server answers
 *                     resp_size bytes, one transaction at a time (TCP_RR)
 *   PERF_UDP          the TCP connection is the control channel of a UDP
 *                     flow: datagrams of msg_size bytes carry session,
 *                     sequence number and send time; when the client is
 *                     done it sends the count it sent (8 bytes) and the
 *                     server answers with what it saw (struct perf_udp_stats)
 *
 * The same protocol serves when both ends run in one agent on 127.0.0.1
 * (role=both) and when a target's agent serves and a host-side agent loads
 * it (docs/network.md). */
#ifndef VB_NET_PERF_H
#define VB_NET_PERF_H

#include <stdint.h>

#include "stats/hist.h"

enum perf_mode { PERF_TO_SERVER = 1, PERF_FROM_SERVER, PERF_RR, PERF_UDP };

#define PERF_MAGIC 0x56424e31u /* "VBN1" */
#define PERF_HELLO_SIZE 40
#define PERF_MAX_MSG (16u << 20)
#define PERF_F_NODELAY 1u
#define PERF_F_ALL PERF_F_NODELAY

struct perf_hello {
	uint32_t mode, msg_size, resp_size;
	uint32_t flags; /* PERF_F_* */
	uint64_t time_ns, omit_ns, session;
};

struct perf_udp_stats {
	uint64_t sent, received, lost, out_of_order, bytes;
	int64_t jitter_ns; /* RFC 3550 interarrival jitter, as iperf3 */
	int64_t span_ns;   /* first to last datagram received */
};

/* What the server saw over its life (all connections). */
struct perf_server_stats {
	uint64_t connections, bytes_in, bytes_out, transactions;
	int64_t retransmits; /* TCP_INFO of the server's sending sockets */
	int64_t cpu_ns;      /* CPU time of the connection threads */
};

struct perf_server;

int perf_server_start(const char *host, int port, const char *cpus, struct perf_server **out,
		      int *port_out);
void perf_server_stop(struct perf_server *s, struct perf_server_stats *st);

/* Client side. Each returns 0 or -errno after vb_err(). */
struct perf_stream_result {
	uint64_t bytes;    /* counted by the receiver, after the omitted start */
	int64_t span_ns;   /* the span they were counted over */
	int64_t retransmits; /* of the client's socket (it sends in TO_SERVER) */
};
int perf_stream(const char *host, int port, enum perf_mode dir, uint32_t flags, uint32_t msg_size,
		int64_t time_ns, int64_t omit_ns, volatile int *cancel,
		struct perf_stream_result *r);
/* TCP_RR for time_ns: round trips into lat (ns). */
int perf_rr(const char *host, int port, uint32_t flags, uint32_t req, uint32_t resp, int64_t time_ns,
	    volatile int *cancel, struct hist *lat, uint64_t *count);
/* UDP at bits_per_s for time_ns; datagrams of size bytes (>= 24). */
int perf_udp(const char *host, int port, uint64_t bits_per_s, uint32_t size, int64_t time_ns,
	     uint64_t session, volatile int *cancel, struct perf_udp_stats *r);

/* Hello on the wire (exposed for the tests). */
void perf_hello_encode(const struct perf_hello *h, unsigned char out[PERF_HELLO_SIZE]);
int perf_hello_decode(const unsigned char in[PERF_HELLO_SIZE], struct perf_hello *h);

#endif
