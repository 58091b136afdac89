/* proto: line framing over a real pipe (split, joined and broken lines, end
 * of stream, deadlines) and the result message round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proto/proto.h"
#include "util/err.h"
#include "util/timeutil.h"

struct pipe_stream {
	int fd[2];
	struct proto_stream s;
};

static void ps_open(struct pipe_stream *p)
{
	assert_int_equal(pipe2(p->fd, O_CLOEXEC), 0);
	proto_stream_init(&p->s, p->fd[0], p->fd[1]);
}

static void ps_close(struct pipe_stream *p)
{
	proto_stream_free(&p->s);
	close(p->fd[0]);
	if (p->fd[1] >= 0)
		close(p->fd[1]);
}

static void ps_close_writer(struct pipe_stream *p)
{
	close(p->fd[1]);
	p->fd[1] = -1;
}

static void put(struct pipe_stream *p, const char *text)
{
	size_t n = strlen(text);
	assert_int_equal(write(p->fd[1], text, n), (ssize_t)n);
}

/* Receives one message with a deadline one second away. */
static int get(struct pipe_stream *p, json_t **out)
{
	return proto_recv(&p->s, out, vb_now_ns() + 1000000000LL);
}

static void assert_json_equal(const json_t *a, const json_t *b)
{
	if (!json_equal((json_t *)a, (json_t *)b)) {
		char *x = json_dumps(a, JSON_COMPACT), *y = json_dumps(b, JSON_COMPACT);
		fail_msg("%s != %s", x, y);
	}
}

static int setup(void **state)
{
	(void)state;
	vb_err_set_quiet(1);
	return 0;
}

static void test_send_recv(void **state)
{
	struct pipe_stream p;
	json_t *in, *out;
	(void)state;
	ps_open(&p);
	static const char *const msgs[] = {
	    "{\"type\":\"hello\",\"proto\":1,\"agent\":\"v1\",\"facts\":{\"cpus\":4}}",
	    "{\"type\":\"run\",\"id\":7,\"workload\":\"cpu\",\"options\":{\"threads\":2,"
	    "\"time\":\"1s\"}}",
	    "{\"type\":\"bye\"}",
	    "{\"text\":\"a\\nb\\u0001c \\\" \\u00e9\",\"n\":-1.5e300,\"z\":null,\"t\":true}",
	    "{}",
	};
	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		in = json_loads(msgs[i], 0, NULL);
		assert_non_null(in);
		json_incref(in);
		assert_int_equal(proto_send(&p.s, in), 0); /* takes one reference */
		assert_int_equal(get(&p, &out), 0);
		assert_non_null(out);
		assert_json_equal(in, out);
		json_decref(in);
		json_decref(out);
	}
	/* several sent before any is read */
	for (int i = 0; i < 50; i++)
		assert_int_equal(proto_send(&p.s, json_pack("{s:s,s:i}", "type", "tick", "i", i)),
				 0);
	for (int i = 0; i < 50; i++) {
		assert_int_equal(get(&p, &out), 0);
		assert_string_equal(proto_type(out), "tick");
		assert_int_equal(json_integer_value(json_object_get(out, "i")), i);
		json_decref(out);
	}
	ps_close(&p);
}

static void test_framing(void **state)
{
	struct pipe_stream p;
	json_t *out;
	(void)state;
	ps_open(&p);

	/* three messages in one write */
	put(&p, "{\"type\":\"a\"}\n{\"type\":\"b\"}\n{\"type\":\"c\",\"x\":[1,2]}\n");
	static const char *const want[] = {"a", "b", "c"};
	for (int i = 0; i < 3; i++) {
		assert_int_equal(get(&p, &out), 0);
		assert_string_equal(proto_type(out), want[i]);
		json_decref(out);
	}

	/* a line split across two writes: the first half is kept while waiting */
	put(&p, "{\"type\":\"spl");
	assert_int_equal(proto_recv(&p.s, &out, vb_now_ns() + 20000000LL), -ETIMEDOUT);
	assert_null(out);
	put(&p, "it\",\"n\":42}\n{\"type\":\"after\"}\n");
	assert_int_equal(get(&p, &out), 0);
	assert_string_equal(proto_type(out), "split");
	assert_int_equal(json_integer_value(json_object_get(out, "n")), 42);
	json_decref(out);
	assert_int_equal(get(&p, &out), 0);
	assert_string_equal(proto_type(out), "after");
	json_decref(out);

	/* a line written one byte at a time */
	const char *slow = "{\"type\":\"slow\",\"v\":\"xyz\"}\n";
	for (const char *c = slow; *c; c++) {
		char one[2] = {*c, 0};
		put(&p, one);
		if (c[1])
			assert_int_equal(proto_recv(&p.s, &out, vb_now_ns() + 1000000LL),
					 -ETIMEDOUT);
	}
	assert_int_equal(get(&p, &out), 0);
	assert_string_equal(proto_type(out), "slow");
	json_decref(out);
	ps_close(&p);
}

static void test_malformed(void **state)
{
	struct pipe_stream p;
	json_t *out;
	(void)state;
	ps_open(&p);
	static const char *const bad[] = {
	    "not json",
	    "{\"type\":",
	    "[1,2,3]",
	    "42",
	    "\"string\"",
	    "",
	    "{\"a\":1,\"a\":2}", /* duplicate keys */
	    "{\"type\":\"x\"} trailing",
	    "\xff\xfe{}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char line[128];
		snprintf(line, sizeof(line), "%s\n{\"type\":\"good\",\"i\":%zu}\n", bad[i], i);
		put(&p, line);
		out = (json_t *)1;
		int r = get(&p, &out);
		if (r != -EPROTO)
			fail_msg("'%s' gave %d", bad[i], r);
		assert_null(out);
		assert_int_equal(get(&p, &out), 0);
		assert_string_equal(proto_type(out), "good");
		assert_int_equal(json_integer_value(json_object_get(out, "i")), (json_int_t)i);
		json_decref(out);
	}
	ps_close(&p);
}

static void test_eof_and_deadline(void **state)
{
	struct pipe_stream p;
	json_t *out;
	(void)state;

	/* a deadline in the past with nothing to read */
	ps_open(&p);
	int64_t t0 = vb_now_ns();
	assert_int_equal(proto_recv(&p.s, &out, t0 - 1), -ETIMEDOUT);
	assert_int_equal(proto_recv(&p.s, &out, 0), -ETIMEDOUT);
	/* a deadline 30 ms away is waited for */
	assert_int_equal(proto_recv(&p.s, &out, t0 + 30000000LL), -ETIMEDOUT);
	assert_true(vb_now_ns() - t0 >= 30000000LL);
	/* a complete line already buffered comes back even past the deadline */
	put(&p, "{\"type\":\"one\"}\n{\"type\":\"two\"}\n");
	assert_int_equal(get(&p, &out), 0);
	json_decref(out);
	assert_int_equal(proto_recv(&p.s, &out, 0), 0);
	assert_string_equal(proto_type(out), "two");
	json_decref(out);

	/* end of stream after the last message, with and without a deadline */
	put(&p, "{\"type\":\"last\"}\n");
	ps_close_writer(&p);
	assert_int_equal(get(&p, &out), 0);
	assert_string_equal(proto_type(out), "last");
	json_decref(out);
	assert_int_equal(get(&p, &out), -EPIPE);
	assert_null(out);
	assert_int_equal(proto_recv(&p.s, &out, -1), -EPIPE);
	ps_close(&p);

	/* end of stream in the middle of a line */
	ps_open(&p);
	put(&p, "{\"type\":\"cut");
	ps_close_writer(&p);
	assert_int_equal(proto_recv(&p.s, &out, -1), -EPIPE);
	ps_close(&p);
}

/* A message larger than the pipe and the first buffer, from another
 * process. */
static void test_large(void **state)
{
	struct pipe_stream p;
	json_t *out;
	(void)state;
	ps_open(&p);
	size_t n = 3u << 20;
	char *big = malloc(n + 1);
	for (size_t i = 0; i < n; i++)
		big[i] = (char)('a' + i % 26);
	big[n] = '\0';
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int r = proto_send(&p.s, json_pack("{s:s,s:s}", "type", "big", "data", big));
		r |= proto_send(&p.s, json_pack("{s:s}", "type", "after"));
		_exit(r ? 1 : 0);
	}
	ps_close_writer(&p);
	assert_int_equal(proto_recv(&p.s, &out, vb_now_ns() + 20000000000LL), 0);
	assert_string_equal(proto_type(out), "big");
	assert_string_equal(json_string_value(json_object_get(out, "data")), big);
	json_decref(out);
	assert_int_equal(get(&p, &out), 0);
	assert_string_equal(proto_type(out), "after");
	json_decref(out);
	assert_int_equal(get(&p, &out), -EPIPE);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	free(big);
	ps_close(&p);
}

/* A line over PROTO_MAX_LINE fails, and the stream recovers at the next
 * newline instead of failing forever (the agent would spin on it). */
static void test_too_long(void **state)
{
	struct pipe_stream p;
	json_t *out;
	(void)state;
	ps_open(&p);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		size_t chunk = 1u << 20, total = PROTO_MAX_LINE + (2u << 20);
		char *junk = malloc(chunk);
		memset(junk, 'x', chunk);
		for (size_t done = 0; done < total; done += chunk)
			if (write(p.fd[1], junk, chunk) != (ssize_t)chunk)
				_exit(1);
		const char *good = "\n{\"type\":\"good\"}\n";
		_exit(write(p.fd[1], good, strlen(good)) == (ssize_t)strlen(good) ? 0 : 1);
	}
	ps_close_writer(&p);
	int64_t deadline = vb_now_ns() + 20000000000LL;
	assert_int_equal(proto_recv(&p.s, &out, deadline), -EPROTO);
	int r, tries = 0;
	while ((r = proto_recv(&p.s, &out, deadline)) == -EPROTO && tries < 3)
		tries++;
	assert_int_equal(r, 0);
	assert_string_equal(proto_type(out), "good");
	json_decref(out);
	assert_int_equal(proto_recv(&p.s, &out, deadline), -EPIPE);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ps_close(&p);
}

static void test_type(void **state)
{
	(void)state;
	json_t *j = json_pack("{s:s}", "type", "result");
	assert_string_equal(proto_type(j), "result");
	json_decref(j);
	j = json_pack("{s:i}", "type", 3);
	assert_string_equal(proto_type(j), "");
	json_decref(j);
	j = json_object();
	assert_string_equal(proto_type(j), "");
	json_decref(j);
	assert_string_equal(proto_type(NULL), "");
}

static struct hist *make_hist(uint64_t base, int n)
{
	struct hist *h = hist_new();
	for (int i = 0; i < n; i++)
		hist_add(h, base + (uint64_t)i * (uint64_t)i * 37u);
	return h;
}

static void fill_result(struct result *r)
{
	memset(r, 0, sizeof(*r));
	metric_set(r, "read_iops", 12345.678, UNIT_PER_S, AGG_SUM);
	metric_set(r, "read_bw", 1.0 / 3.0, UNIT_MIB_S, AGG_SUM);
	metric_set(r, "dd_rate", 1e-300, UNIT_MB_S, AGG_MEAN);
	metric_set(r, "cpu_pct", 99.5, UNIT_PCT, AGG_MAX);
	metric_set(r, "events", 1e15, UNIT_COUNT, AGG_SUM);
	metric_set(r, "lat_min", 0.25, UNIT_US, AGG_MIN);
	metric_set(r, "elapsed", 10.000000001, UNIT_S, AGG_MAX);
	metric_set(r, "bytes", 18446744073709551616.0, UNIT_BYTES, AGG_SUM);
	metric_set(r, "rss", 512, UNIT_MIB, AGG_MAX);
	metric_set(r, "ms", 3, UNIT_MS, AGG_MEAN);
	metric_set(r, "plain", -7.5, UNIT_NONE, AGG_SUM);
	metric_hist(r, "read_clat", make_hist(1000, 5000));
	metric_hist(r, "write_clat", make_hist(50, 300));
	metric_hist(r, "empty", hist_new());
	r->duration_s = 10.123456789;
}

static void test_result_round_trip(void **state)
{
	struct result a, b;
	(void)state;
	fill_result(&a);
	assert_true(a.nmetrics > 11); /* metric_hist added percentiles */
	json_t *j = proto_result_to_json(&a);
	assert_non_null(j);
	/* as the agent sends it: a result message, through text */
	json_object_set_new(j, "type", json_string("result"));
	json_object_set_new(j, "id", json_integer(3));
	json_object_set_new(j, "status", json_string("ok"));
	char *text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	j = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(j);

	memset(&b, 0, sizeof(b));
	assert_int_equal(proto_result_from_json(j, &b), 0);
	assert_int_equal(b.nmetrics, a.nmetrics);
	for (int i = 0; i < a.nmetrics; i++) {
		const struct metric *x = &a.metrics[i], *y = result_find(&b, x->name);
		if (!y)
			fail_msg("metric %s lost", x->name);
		if (x->value != y->value)
			fail_msg("%s: %.17g != %.17g", x->name, x->value, y->value);
		assert_int_equal(x->unit, y->unit);
		assert_int_equal(x->agg, y->agg);
	}
	assert_int_equal(b.nhists, a.nhists);
	for (int i = 0; i < a.nhists; i++) {
		int found = 0;
		for (int k = 0; k < b.nhists; k++) {
			if (strcmp(a.hists[i].name, b.hists[k].name) != 0)
				continue;
			found = 1;
			assert_memory_equal(a.hists[i].h, b.hists[k].h, sizeof(struct hist));
		}
		if (!found)
			fail_msg("histogram %s lost", a.hists[i].name);
	}
	assert_true(a.duration_s == b.duration_s);
	json_decref(j);
	free(text);
	result_free(&a);
	result_free(&b);
}

static void test_result_from_json_rejects(void **state)
{
	static const char *const bad[] = {
	    "{\"metrics\":{\"x\":{\"unit\":\"s\",\"agg\":\"sum\"}}}", /* no value */
	    "{\"metrics\":{\"x\":{\"value\":\"12\",\"unit\":\"s\"}}}",
	    "{\"metrics\":{\"x\":{\"value\":null}}}",
	    "{\"metrics\":{\"x\":{\"value\":true}}}",
	    "{\"metrics\":{\"x\":{\"value\":[1]}}}",
	    "{\"metrics\":{\"x\":5}}",
	    "{\"metrics\":{\"x\":{\"value\":1,\"unit\":\"furlongs\"}}}",
	    "{\"metrics\":{\"x\":{\"value\":1,\"agg\":\"median\"}}}",
	    "{\"metrics\":[]}",
	    "{\"metrics\":\"x\"}",
	    "{\"histograms\":[]}",
	    "{\"histograms\":{\"h\":5}}",
	    "{\"histograms\":{\"h\":\"h1 1 5 5 5 \"}}",
	    "{\"histograms\":{\"h\":\"garbage\"}}",
	    "{\"metrics\":{\"a_name_that_is_much_too_long_for_a_metric_name_xxxx\":"
	    "{\"value\":1}}}",
	    "{\"histograms\":{\"a\":\"h1 0 0 0 0 \",\"b\":\"h1 0 0 0 0 \",\"c\":\"h1 0 0 0 0 \","
	    "\"d\":\"h1 0 0 0 0 \",\"e\":\"h1 0 0 0 0 \",\"f\":\"h1 0 0 0 0 \","
	    "\"g\":\"h1 0 0 0 0 \",\"h\":\"h1 0 0 0 0 \",\"i\":\"h1 0 0 0 0 \"}}",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_error_t e;
		json_t *j = json_loads(bad[i], 0, &e);
		if (!j)
			fail_msg("test input %zu is not JSON: %s", i, e.text);
		struct result r;
		memset(&r, 0, sizeof(r));
		int rc = proto_result_from_json(j, &r);
		if (rc != -EPROTO)
			fail_msg("'%s' gave %d", bad[i], rc);
		result_free(&r);
		json_decref(j);
	}

	/* the smallest good ones: units and aggregation may be left out */
	json_t *j = json_loads("{\"metrics\":{\"x\":{\"value\":2}},\"duration_s\":1.5}", 0, NULL);
	struct result r;
	memset(&r, 0, sizeof(r));
	assert_int_equal(proto_result_from_json(j, &r), 0);
	assert_int_equal(r.nmetrics, 1);
	assert_true(r.metrics[0].value == 2);
	assert_int_equal(r.metrics[0].unit, UNIT_NONE);
	assert_int_equal(r.metrics[0].agg, AGG_SUM);
	assert_true(r.duration_s == 1.5);
	json_decref(j);
	result_free(&r);
	j = json_object();
	memset(&r, 0, sizeof(r));
	assert_int_equal(proto_result_from_json(j, &r), 0);
	assert_int_equal(r.nmetrics, 0);
	assert_int_equal(r.nhists, 0);
	json_decref(j);
}

/* The agent's first message: accepted only as a hello of our protocol with
 * an agent version and facts; every refusal says what is wrong. */
static void test_hello_check(void **state)
{
	(void)state;
	static const struct {
		const char *msg, *why; /* why: NULL = accepted, else a part of the reason */
	} cases[] = {
	    {"{\"type\":\"hello\",\"proto\":1,\"agent\":\"v1\",\"facts\":{\"cores\":2}}", NULL},
	    {"{\"type\":\"hello\",\"proto\":2,\"agent\":\"v2\",\"facts\":{}}",
	     "speaks protocol 2, vmbench 1"},
	    {"{\"type\":\"hello\",\"proto\":\"1\",\"agent\":\"v\",\"facts\":{}}",
	     "no protocol version"},
	    {"{\"type\":\"hello\",\"agent\":\"v\",\"facts\":{}}", "no protocol version"},
	    {"{\"type\":\"hello\",\"proto\":1,\"facts\":{}}", "its version"},
	    {"{\"type\":\"hello\",\"proto\":1,\"agent\":\"v\"}", "no \"facts\""},
	    {"{\"type\":\"hello\",\"proto\":1,\"agent\":\"v\",\"facts\":[]}", "no \"facts\""},
	    {"{\"type\":\"error\",\"error\":\"cannot open the port\"}",
	     "failed before its hello: cannot open the port"},
	    {"{\"type\":\"result\",\"proto\":1}", "of type 'result', not a hello"},
	    {"{\"proto\":1}", "without a type"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char why[300] = "x";
		json_t *m = json_loads(cases[i].msg, 0, NULL);
		assert_non_null(m);
		int r = proto_hello_check(m, why, sizeof(why));
		if (!cases[i].why) {
			assert_int_equal(r, 0);
			assert_string_equal(why, "");
		} else {
			assert_int_equal(r, -EPROTO);
			if (!strstr(why, cases[i].why))
				fail_msg("'%s': '%s' does not say '%s'", cases[i].msg, why, cases[i].why);
		}
		json_decref(m);
	}
	/* a reason that does not fit is cut, never overflows */
	char small[8];
	json_t *m = json_loads("{\"type\":\"result\"}", 0, NULL);
	assert_int_equal(proto_hello_check(m, small, sizeof(small)), -EPROTO);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	json_decref(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_send_recv),
	    cmocka_unit_test(test_framing),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_eof_and_deadline),
	    cmocka_unit_test(test_large),
	    cmocka_unit_test(test_too_long),
	    cmocka_unit_test(test_type),
	    cmocka_unit_test(test_result_round_trip),
	    cmocka_unit_test(test_result_from_json_rejects),
	    cmocka_unit_test(test_hello_check),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
