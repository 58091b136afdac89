#include "proto/proto.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"
#include "util/timeutil.h"

void proto_stream_init(struct proto_stream *s, int rfd, int wfd)
{
	memset(s, 0, sizeof(*s));
	s->rfd = rfd;
	s->wfd = wfd;
}

void proto_stream_free(struct proto_stream *s)
{
	free(s->buf);
	s->buf = NULL;
	s->len = s->cap = 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
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

int proto_send(struct proto_stream *s, json_t *msg)
{
	char *text = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
	if (!text)
		return -ENOMEM;
	size_t n = strlen(text);
	text[n] = '\n'; /* replaces the terminator; length is n + 1 */
	int r = write_all(s->wfd, text, n + 1);
	free(text);
	return r;
}

const char *proto_type(const json_t *msg)
{
	const char *t = json_string_value(json_object_get(msg, "type"));
	return t ? t : "";
}

int proto_hello_check(const json_t *msg, char *why, size_t n)
{
	const char *type = proto_type(msg);
	const json_t *proto = json_object_get(msg, "proto");
	if (!strcmp(type, "error")) {
		const char *e = json_string_value(json_object_get(msg, "error"));
		snprintf(why, n, "the agent failed before its hello: %.200s", e ? e : "(no message)");
	} else if (strcmp(type, "hello") != 0) {
		snprintf(why, n, "the agent's first message is %s%.40s%s, not a hello",
			 *type ? "of type '" : "without a type", type, *type ? "'" : "");
	} else if (!json_is_integer(proto) || json_integer_value(proto) != VB_PROTO_VERSION) {
		if (json_is_integer(proto))
			snprintf(why, n, "the agent speaks protocol %lld, vmbench %d; rebuild both with 'make'",
				 (long long)json_integer_value(proto), VB_PROTO_VERSION);
		else
			snprintf(why, n, "the agent's hello has no protocol version (vmbench speaks %d); "
				 "rebuild both with 'make'", VB_PROTO_VERSION);
	} else if (!json_is_string(json_object_get(msg, "agent"))) {
		snprintf(why, n, "the agent's hello does not say its version (\"agent\")");
	} else if (!json_is_object(json_object_get(msg, "facts"))) {
		snprintf(why, n, "the agent's hello has no \"facts\" object");
	} else {
		if (n)
			why[0] = '\0';
		return 0;
	}
	return -EPROTO;
}

/* Takes the first complete line out of the buffer, if there is one. */
static int take_line(struct proto_stream *s, json_t **out)
{
	char *nl = s->buf ? memchr(s->buf, '\n', s->len) : NULL;
	if (!nl)
		return 0;
	size_t linelen = (size_t)(nl - s->buf);
	json_error_t jerr;
	json_t *j = json_loadb(s->buf, linelen, JSON_REJECT_DUPLICATES, &jerr);
	memmove(s->buf, nl + 1, s->len - linelen - 1);
	s->len -= linelen + 1;
	if (!j || !json_is_object(j)) {
		json_decref(j);
		return -EPROTO;
	}
	*out = j;
	return 1;
}

int proto_recv(struct proto_stream *s, json_t **out, int64_t deadline_ns)
{
	*out = NULL;
	for (;;) {
		int r = take_line(s, out);
		if (r)
			return r < 0 ? r : 0;
		if (s->len >= PROTO_MAX_LINE) {
			/* drop it, or every later call would fail on the same bytes;
			 * the rest of the line up to its newline fails once more */
			s->len = 0;
			return -EPROTO;
		}
		int timeout = -1;
		if (deadline_ns >= 0) {
			int64_t left = deadline_ns - vb_now_ns();
			if (left <= 0)
				return -ETIMEDOUT;
			timeout = (int)(left / 1000000 + 1);
		}
		struct pollfd p = {.fd = s->rfd, .events = POLLIN};
		int pr = poll(&p, 1, timeout);
		if (pr < 0)
			return -errno; /* -EINTR lets the caller look at its stop flag */
		if (pr == 0)
			continue; /* the deadline check above decides */
		if (s->cap - s->len < 65536) {
			size_t ncap = s->cap ? s->cap * 2 : 131072;
			char *nb = realloc(s->buf, ncap);
			if (!nb)
				return -ENOMEM;
			s->buf = nb;
			s->cap = ncap;
		}
		ssize_t n = read(s->rfd, s->buf + s->len, s->cap - s->len);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EPIPE;
		s->len += (size_t)n;
	}
}

json_t *proto_result_to_json(const struct result *r)
{
	json_t *m = json_object(), *h = json_object();
	for (int i = 0; i < r->nmetrics; i++) {
		const struct metric *x = &r->metrics[i];
		json_object_set_new(m, x->name,
				    json_pack("{s:f,s:s,s:s}", "value", x->value, "unit",
					      unit_name(x->unit), "agg", agg_name(x->agg)));
	}
	for (int i = 0; i < r->nhists; i++) {
		char *enc = hist_encode(r->hists[i].h);
		if (enc)
			json_object_set_new(h, r->hists[i].name, json_string(enc));
		free(enc);
	}
	return json_pack("{s:o,s:o,s:f}", "metrics", m, "histograms", h, "duration_s",
			 r->duration_s);
}

int proto_result_from_json(const json_t *msg, struct result *r)
{
	const char *key;
	json_t *v;
	json_t *m = json_object_get(msg, "metrics"), *h = json_object_get(msg, "histograms");
	if (m && !json_is_object(m))
		return -EPROTO;
	if (h && !json_is_object(h))
		return -EPROTO;
	json_object_foreach(m, key, v)
	{
		json_t *val = json_object_get(v, "value");
		const char *u = json_string_value(json_object_get(v, "unit"));
		const char *a = json_string_value(json_object_get(v, "agg"));
		enum vb_unit unit = UNIT_NONE;
		enum vb_agg agg = AGG_SUM;
		if (!json_is_number(val) || strlen(key) >= METRIC_NAME_MAX)
			return -EPROTO;
		if (u && unit_parse(u, &unit) < 0)
			return -EPROTO;
		if (a && agg_parse(a, &agg) < 0)
			return -EPROTO;
		metric_set(r, key, json_number_value(val), unit, agg);
	}
	json_object_foreach(h, key, v)
	{
		if (!json_is_string(v) || strlen(key) >= METRIC_NAME_MAX ||
		    r->nhists >= RESULT_MAX_HISTS)
			return -EPROTO;
		struct hist *hh = hist_new();
		if (!hh)
			return -ENOMEM;
		if (hist_decode(json_string_value(v), hh) < 0) {
			hist_free(hh);
			return -EPROTO;
		}
		snprintf(r->hists[r->nhists].name, METRIC_NAME_MAX, "%s", key);
		r->hists[r->nhists++].h = hh;
	}
	json_t *d = json_object_get(msg, "duration_s");
	r->duration_s = json_is_number(d) ? json_number_value(d) : 0;
	return 0;
}
