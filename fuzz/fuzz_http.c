/* HTTP messages through the libhttp-parser wrapper (src/net/httpmsg.c) as
 * the server and the client read them: the input is split into chunks at
 * positions taken from its first byte (bytes arrive in any pieces on a
 * socket), fed as requests and as responses, with every complete message
 * followed by http_msg_next() as on a keep-alive connection; and the input
 * as a URL for http_url_parse. Checks beyond "no crash, no leak, no UB":
 * a feed never consumes more than it was given or returns another error
 * than -EPROTO, the URL of a complete request is NUL-terminated within its
 * buffer, the body bytes counted never exceed the input, and a URL that
 * parses has an IPv4 host, a port in 1..65535 and a path starting with '/'. */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/httpmsg.h"
#include "util/err.h"

static uint64_t body_total;

static int on_body(void *ctx, const char *at, size_t n)
{
	(void)ctx;
	(void)at;
	body_total += n;
	return 0;
}

static void feed_all(const uint8_t *data, size_t size, int response, size_t chunk)
{
	struct http_msg m;
	http_msg_init(&m, response, on_body, NULL);
	body_total = 0;
	size_t pos = 0;
	int stalled = 0;
	while (pos < size && stalled < 2) {
		size_t n = size - pos < chunk ? size - pos : chunk;
		ssize_t k = http_msg_feed(&m, (const char *)data + pos, n);
		if (k == -EPROTO)
			return;
		if (k < 0 || (size_t)k > n)
			abort();
		pos += (size_t)k;
		if (m.complete) {
			if (!response && strnlen(m.url, sizeof(m.url)) >= sizeof(m.url))
				abort();
			if (!response && !m.url_too_long && strlen(m.url) != m.url_len)
				abort();
			http_msg_next(&m);
			stalled = 0;
		} else if (k == 0) {
			stalled++; /* nothing taken twice in a row: the parser is stuck */
		}
	}
	if (response)
		(void)http_msg_eof(&m);
	if (body_total > size)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	if (!init) {
		vb_err_set_quiet(1);
		init = 1;
	}
	size_t chunk = size ? (size_t)data[0] % 17 + 1 : 1;
	feed_all(data, size, 0, size ? size : 1);
	feed_all(data, size, 0, chunk);
	feed_all(data, size, 1, chunk);

	char *url = malloc(size + 1), host[64], path[256];
	int port;
	memcpy(url, data, size);
	url[size] = '\0';
	if (http_url_parse(url, host, sizeof(host), &port, path, sizeof(path)) == 0) {
		struct in_addr a;
		if (strcmp(host, "localhost") && inet_pton(AF_INET, host, &a) != 1)
			abort();
		if (port < 1 || port > 65535 || path[0] != '/')
			abort();
	}
	free(url);
	return 0;
}
