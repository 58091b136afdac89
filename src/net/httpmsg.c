#include "net/httpmsg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

#define MSG(p) ((struct http_msg *)(p)->data)

static int on_begin(http_parser *p)
{
	struct http_msg *m = MSG(p);
	m->url_len = 0;
	m->url[0] = '\0';
	m->url_too_long = 0;
	m->headers_done = m->complete = 0;
	m->has_length = 0;
	m->content_length = 0;
	m->body_bytes = 0;
	m->headers_done = -1; /* started, headers not yet done */
	return 0;
}

static int on_url(http_parser *p, const char *at, size_t n)
{
	struct http_msg *m = MSG(p);
	if (m->url_len + n >= sizeof(m->url)) {
		m->url_too_long = 1;
		return 0;
	}
	memcpy(m->url + m->url_len, at, n);
	m->url_len += n;
	m->url[m->url_len] = '\0';
	return 0;
}

static int on_headers(http_parser *p)
{
	struct http_msg *m = MSG(p);
	m->headers_done = 1;
	m->keep_alive = http_should_keep_alive(p);
	/* ULLONG_MAX: no Content-Length header */
	m->has_length = p->content_length != UINT64_MAX;
	m->content_length = m->has_length ? p->content_length : 0;
	return 0;
}

static int on_body(http_parser *p, const char *at, size_t n)
{
	struct http_msg *m = MSG(p);
	m->body_bytes += n;
	return m->on_body ? m->on_body(m->ctx, at, n) : 0;
}

static int on_complete(http_parser *p)
{
	struct http_msg *m = MSG(p);
	m->complete = 1;
	m->keep_alive = http_should_keep_alive(p);
	http_parser_pause(p, 1);
	return 0;
}

static const http_parser_settings settings = {
	.on_message_begin = on_begin,
	.on_url = on_url,
	.on_headers_complete = on_headers,
	.on_body = on_body,
	.on_message_complete = on_complete,
};

void http_msg_init(struct http_msg *m, int response, int (*body)(void *, const char *, size_t),
		   void *ctx)
{
	memset(m, 0, sizeof(*m));
	m->response = response;
	m->on_body = body;
	m->ctx = ctx;
	http_parser_init(&m->p, response ? HTTP_RESPONSE : HTTP_REQUEST);
	m->p.data = m;
}

ssize_t http_msg_feed(struct http_msg *m, const char *buf, size_t n)
{
	if (m->complete)
		return 0;
	size_t used = http_parser_execute(&m->p, &settings, buf, n);
	enum http_errno e = HTTP_PARSER_ERRNO(&m->p);
	if (e != HPE_OK && e != HPE_PAUSED)
		return -EPROTO;
	/* stopped short with no error and no message end: the parser will
	 * take nothing more (after an Upgrade or CONNECT) */
	if (used < n && !m->complete)
		return -EPROTO;
	return (ssize_t)used;
}

int http_msg_eof(struct http_msg *m)
{
	if (m->complete)
		return 0;
	http_parser_execute(&m->p, &settings, NULL, 0);
	enum http_errno e = HTTP_PARSER_ERRNO(&m->p);
	if ((e != HPE_OK && e != HPE_PAUSED) || (m->headers_done && !m->complete))
		return -EPROTO;
	return 0;
}

void http_msg_next(struct http_msg *m)
{
	m->complete = 0;
	m->headers_done = 0;
	m->body_bytes = 0;
	m->url_len = 0;
	m->url[0] = '\0';
	http_parser_pause(&m->p, 0);
}

const char *http_msg_error(const struct http_msg *m)
{
	return http_errno_description(HTTP_PARSER_ERRNO(&m->p));
}

const char *http_msg_method(const struct http_msg *m)
{
	return http_method_str((enum http_method)m->p.method);
}

int http_msg_status(const struct http_msg *m)
{
	return (int)m->p.status_code;
}

int http_msg_started(const struct http_msg *m)
{
	return m->headers_done != 0 || m->complete;
}

int http_url_parse(const char *url, char *host, size_t hostn, int *port, char *path,
		   size_t pathn)
{
	struct http_parser_url u;
	const char *fix = "give it as http://HOST:PORT/PATH with an IPv4 HOST";
	http_parser_url_init(&u);
	if (strncmp(url, "http://", 7) != 0) {
		if (strncmp(url, "https://", 8) == 0)
			return vb_err(-EINVAL, "url '%s' is https: the client speaks plain HTTP/1.1 "
					       "only; %s", url, fix);
		return vb_err(-EINVAL, "url '%s' is not an http:// URL; %s", url, fix);
	}
	if (http_parser_parse_url(url, strlen(url), 0, &u) != 0 || !(u.field_set & (1 << UF_HOST)))
		return vb_err(-EINVAL, "url '%s' cannot be parsed; %s", url, fix);
	if (u.field_data[UF_HOST].len >= hostn)
		return vb_err(-EINVAL, "url '%s': the host is too long", url);
	snprintf(host, hostn, "%.*s", (int)u.field_data[UF_HOST].len, url + u.field_data[UF_HOST].off);
	struct in_addr a;
	if (strcmp(host, "localhost") && inet_pton(AF_INET, host, &a) != 1)
		return vb_err(-EINVAL, "url '%s': host '%s' is not an IPv4 address (names are not "
				       "looked up); %s", url, host, fix);
	*port = (u.field_set & (1 << UF_PORT)) ? u.port : 80;
	if (*port == 0)
		return vb_err(-EINVAL, "url '%s': port 0 cannot be connected to", url);
	/* the path with its query, as it goes on the request line; no path
	 * is "/" (also before a query: http://h?x=1 asks for /?x=1) */
	int has_path = (u.field_set & (1 << UF_PATH)) != 0;
	int has_query = (u.field_set & (1 << UF_QUERY)) != 0;
	const char *pp = has_path ? url + u.field_data[UF_PATH].off : "/";
	size_t plen = has_path ? u.field_data[UF_PATH].len : 1;
	const char *qp = has_query ? url + u.field_data[UF_QUERY].off : "";
	size_t qlen = has_query ? u.field_data[UF_QUERY].len : 0;
	if (plen + qlen + 2 >= pathn)
		return vb_err(-EINVAL, "url '%s': the path is longer than %zu bytes", url, pathn - 3);
	snprintf(path, pathn, "%.*s%s%.*s", (int)plen, pp, has_query ? "?" : "", (int)qlen, qp);
	return 0;
}
