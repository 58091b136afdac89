/* Host <-> agent wire format: one JSON object per line over a byte stream
 * (a pipe, a virtio-serial port, later TCP). Versioned by "proto".
 *
 *   agent -> host  {"type":"hello","proto":1,"agent":"VERSION","facts":{...}}
 *   host  -> agent {"type":"run","id":N,"workload":"blkio","options":{...}}
 *   agent -> host  {"type":"result","id":N,"status":"ok"|"failed","error":null|"...",
 *                   "metrics":{"read_iops":{"value":V,"unit":"1/s","agg":"sum"},...},
 *                   "histograms":{"read_clat":"h1 ..."},"duration_s":S,
 *                   "errno":E}   (E: the failure's errno, only when failed)
 *   host  -> agent {"type":"drop-caches"}    -> {"type":"dropped"} or an error
 *   host  -> agent {"type":"bye"}            (the agent exits)
 *   host  -> agent {"type":"run",...,"serve":true}  a server run (net, http
 *                  role=server): the agent answers {"type":"ready","id":N,
 *                  "port":P} once it listens, and {"type":"stop"} from the
 *                  host ends it early; its "result" follows as usual
 *   agent -> host  {"type":"error","error":"..."} for a request it cannot read
 * The agent never writes anything else on the stream. */
#ifndef VB_PROTO_PROTO_H
#define VB_PROTO_PROTO_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/metric.h"

#define VB_PROTO_VERSION 1
#define PROTO_MAX_LINE (16u << 20)

struct proto_stream {
	int rfd, wfd;
	char *buf;
	size_t len, cap;
};

void proto_stream_init(struct proto_stream *s, int rfd, int wfd);
void proto_stream_free(struct proto_stream *s);
/* Writes msg as one line; takes the reference. */
int proto_send(struct proto_stream *s, json_t *msg);
/* Reads one message. deadline_ns is an absolute vb_now_ns() time or -1 for
 * none. -ETIMEDOUT, -EPIPE at end of stream, -EPROTO for a line that is not a
 * JSON object or is too long, -EINTR when a signal arrived (call again). */
int proto_recv(struct proto_stream *s, json_t **out, int64_t deadline_ns);
/* Type of a message ("" if none). */
const char *proto_type(const json_t *msg);
/* Checks the agent's first message before the host uses or stores it: a
 * "hello" of protocol VB_PROTO_VERSION whose "agent" is a string and whose
 * "facts" is an object. Returns 0, or -EPROTO with what is wrong in why
 * (e.g. "the agent speaks protocol 2, vmbench 1; rebuild both with 'make'"),
 * for the caller to prefix with the variant's name. */
int proto_hello_check(const json_t *msg, char *why, size_t n);

json_t *proto_result_to_json(const struct result *r);
/* Fills r (which must be zeroed) from a result message's metrics,
 * histograms and duration. */
int proto_result_from_json(const json_t *msg, struct result *r);

#endif
