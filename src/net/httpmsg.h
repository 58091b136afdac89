/* HTTP/1.1 messages: requests (server side) and responses (client side),
 * parsed by Debian's libhttp-parser (Node.js's parser, which has parsed
 * every request of Node for a decade; docs/network.md says why it was
 * chosen over a parser of our own). This file is the only user of its API.
 *
 * One struct http_msg per connection. http_msg_feed() consumes bytes until a
 * message is complete and stops there, so pipelined requests are answered
 * one at a time in order; http_msg_next() starts the next message. Body
 * bytes go to the on_body callback as they arrive (nothing is buffered), so
 * an upload of any size costs no memory. */
#ifndef VB_NET_HTTPMSG_H
#define VB_NET_HTTPMSG_H

#include <http_parser.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define HTTP_URL_MAX 256

struct http_msg {
	http_parser p;
	int response;
	char url[HTTP_URL_MAX]; /* requests: the request target, NUL-terminated */
	size_t url_len;
	int url_too_long;
	int headers_done, complete;
	int keep_alive;          /* valid once headers_done */
	int has_length;          /* a Content-Length header was given */
	uint64_t content_length; /* its value */
	uint64_t body_bytes;     /* body bytes seen so far */
	/* Body bytes as they arrive; a non-zero return stops the parser with
	 * an error (a failed write to disk, say). */
	int (*on_body)(void *ctx, const char *at, size_t n);
	void *ctx;
};

void http_msg_init(struct http_msg *m, int response, int (*on_body)(void *, const char *, size_t),
		   void *ctx);
/* Consumes bytes of buf up to the end of one message: the count consumed
 * (m->complete says whether the message ended), or -EPROTO for bytes that
 * are not HTTP (http_msg_error() says what). */
ssize_t http_msg_feed(struct http_msg *m, const char *buf, size_t n);
/* The peer closed the stream: completes a response whose body runs to the
 * end of the stream; -EPROTO if a message was cut short. */
int http_msg_eof(struct http_msg *m);
/* Resets for the next message on the same connection. */
void http_msg_next(struct http_msg *m);
const char *http_msg_error(const struct http_msg *m);
/* Request method name ("GET"), response status (200). */
const char *http_msg_method(const struct http_msg *m);
int http_msg_status(const struct http_msg *m);
/* Is a message in progress (some bytes of it seen)? */
int http_msg_started(const struct http_msg *m);

/* A URL the client can load: only "http://HOST[:PORT][/PATH]" with an IPv4
 * HOST (or localhost); port 80 by default, path "/" by default. A clear
 * error for anything else (https, no host, a name to look up). */
int http_url_parse(const char *url, char *host, size_t hostn, int *port, char *path,
		   size_t pathn);

#endif
