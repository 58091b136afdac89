/* net: the wire hello, and short real runs of both ends on 127.0.0.1 whose
 * figures follow from their settings: UDP paced at a bit rate sends that
 * many datagrams and loses none on loopback; TCP_RR's rate is the inverse
 * of its mean round trip with one stream; a stream with omit counts only
 * the span after it; lo is brought up in a new network namespace; bad options and a server that is not there give
 * errors that say what to do. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/perf.h"
#include "net/sock.h"
#include "util/err.h"
#include "workloads/workload.h"

static int quiet(void **state)
{
	(void)state;
	vb_err_set_quiet(1);
	return 0;
}

static void test_hello(void **state)
{
	(void)state;
	struct perf_hello h = {.mode = PERF_RR, .flags = PERF_F_NODELAY, .msg_size = 100, .resp_size = 200,
			       .time_ns = 5000000000ull, .omit_ns = 7, .session = 0x1234567890ull},
			  g;
	unsigned char b[PERF_HELLO_SIZE];
	perf_hello_encode(&h, b);
	assert_int_equal(b[0], 'V');
	assert_int_equal(perf_hello_decode(b, &g), 0);
	assert_int_equal(g.mode, h.mode);
	assert_int_equal(g.flags, PERF_F_NODELAY);
	assert_int_equal(g.msg_size, h.msg_size);
	assert_int_equal(g.resp_size, h.resp_size);
	assert_int_equal(g.time_ns, h.time_ns);
	assert_int_equal(g.omit_ns, h.omit_ns);
	assert_int_equal(g.session, h.session);
	b[0] = 'X'; /* not ours */
	assert_int_equal(perf_hello_decode(b, &g), -EPROTO);
	h.flags = 0x80; /* a flag this version does not know */
	perf_hello_encode(&h, b);
	assert_int_equal(perf_hello_decode(b, &g), -EPROTO);
	h.flags = 0;
	perf_hello_encode(&h, b);
	assert_int_equal(perf_hello_decode(b, &g), 0);
	assert_int_equal(g.flags, 0);
	h.mode = 9; /* no such mode */
	perf_hello_encode(&h, b);
	assert_int_equal(perf_hello_decode(b, &g), -EPROTO);
	h.mode = PERF_RR, h.resp_size = 0; /* RR with nothing to answer */
	perf_hello_encode(&h, b);
	assert_int_equal(perf_hello_decode(b, &g), -EPROTO);
}

static void test_cpus(void **state)
{
	(void)state;
	uint64_t m[16];
	int n;
	assert_int_equal(net_cpus_parse("0,2-4,3", m, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(m[0], 0x1d);
	assert_int_equal(net_cpus_parse("", m, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(net_cpus_parse("3-1", m, &n), -EINVAL);
	assert_int_equal(net_cpus_parse("a", m, &n), -EINVAL);
	assert_int_equal(net_cpus_parse("5000", m, &n), -EINVAL);
}

static int run_net(const char *list, struct result *res)
{
	memset(res, 0, sizeof(*res));
	json_t *o = json_object();
	char buf[256], *save;
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		assert_non_null(eq);
		*eq = '\0';
		json_object_set_new(o, kv, json_string(eq + 1));
	}
	int r = workload_execute("net", o, NULL, NULL, res);
	json_decref(o);
	return r;
}

static double val(const struct result *res, const char *name)
{
	const struct metric *m = result_find(res, name);
	if (!m)
		fail_msg("no metric %s", name);
	return m->value;
}

static void test_udp_paced(void **state)
{
	(void)state;
	struct result res;
	/* 8 Mbit/s of 1000-byte datagrams for 1 s: 1000 of them */
	assert_int_equal(run_net("mode=udp,bitrate=8m,udp-size=1000,time=1s", &res), 0);
	double sent = val(&res, "datagrams_sent");
	print_message("udp 8 Mbit/s: %.0f datagrams, %.3f Mbit/s received, loss %.2f%%, "
		      "jitter %.3f ms\n", sent, val(&res, "mbit_s"), val(&res, "loss_pct"),
		      val(&res, "jitter_ms"));
	assert_true(sent >= 995 && sent <= 1001);
	assert_true(val(&res, "datagrams_lost") == 0);
	assert_true(fabs(val(&res, "mbit_s") - 8.0) < 0.1);
	result_free(&res);
}

static void test_rr(void **state)
{
	(void)state;
	struct result res;
	assert_int_equal(run_net("mode=rr,req-size=64,resp-size=1k,time=500ms", &res), 0);
	double tps = val(&res, "transactions_per_s"), mean_us = val(&res, "rtt_mean_us");
	print_message("rr: %.0f/s, mean rtt %.1f us\n", tps, mean_us);
	assert_true(tps > 100);
	/* one stream, back to back: the rate is about 1 / mean round trip (the
	 * loop between two round trips is a clock read) */
	assert_true(fabs(tps * mean_us / 1e6 - 1.0) < 0.1);
	const struct hist *h = NULL;
	for (int i = 0; i < res.nhists; i++)
		if (!strcmp(res.hists[i].name, "rtt"))
			h = res.hists[i].h;
	assert_non_null(h);
	assert_int_equal(h->count, (uint64_t)val(&res, "transactions"));
	/* each end's CPU: one thread each, busy but never more than one CPU */
	assert_true(val(&res, "client_cpu_pct") > 0 && val(&res, "client_cpu_pct") <= 102);
	assert_true(val(&res, "server_cpu_pct") > 0 && val(&res, "server_cpu_pct") <= 102);
	result_free(&res);
}

static void test_stream_omit(void **state)
{
	(void)state;
	struct perf_server *s;
	int port;
	assert_int_equal(perf_server_start("127.0.0.1", 0, "", &s, &port), 0);
	struct perf_stream_result fwd, rev;
	assert_int_equal(perf_stream("127.0.0.1", port, PERF_TO_SERVER, 0, 65536, 400000000,
				     300000000, NULL, &fwd), 0);
	assert_int_equal(perf_stream("127.0.0.1", port, PERF_FROM_SERVER, PERF_F_NODELAY, 65536, 400000000,
				     300000000, NULL, &rev), 0);
	struct perf_server_stats st;
	perf_server_stop(s, &st);
	print_message("stream: fwd %llu bytes in %.3f s, rev %llu bytes in %.3f s\n",
		      (unsigned long long)fwd.bytes, fwd.span_ns / 1e9,
		      (unsigned long long)rev.bytes, rev.span_ns / 1e9);
	/* counted over `time` only: 0.4 s of the 0.7 s sent */
	assert_true(fwd.span_ns > 350000000 && fwd.span_ns < 450000000);
	assert_true(rev.span_ns > 350000000 && rev.span_ns < 450000000);
	assert_true(fwd.bytes > 0 && rev.bytes > 0);
	/* the server saw the forward bytes it counted, and sent more than the
	 * client counted in reverse (the omitted part) */
	assert_int_equal(st.bytes_in, fwd.bytes);
	assert_true(st.bytes_out > rev.bytes);
	assert_int_equal(st.connections, 2);
}

/* In a new network namespace (a container's, the guest's) lo starts down:
 * role=both brings it up. Needs root; skipped without it. */
static void test_loopback_down(void **state)
{
	(void)state;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) < 0)
			_exit(77);
		struct result res;
		int r = run_net("mode=rr,time=200ms", &res);
		_exit(r == 0 && val(&res, "transactions") > 0 ? 0 : 1);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_errors(void **state)
{
	(void)state;
	struct result res;
	assert_int_equal(run_net("role=client,time=1s", &res), -EINVAL);
	assert_non_null(strstr(vb_errmsg(), "port"));
	result_free(&res);
	assert_int_equal(run_net("mode=rr,omit=1s", &res), -EINVAL);
	result_free(&res);
	int port, fd = net_listen_tcp("127.0.0.1", 0, 1, 0, &port);
	assert_true(fd >= 0);
	char list[128];
	/* a port in use */
	snprintf(list, sizeof(list), "port=%d,time=100ms", port);
	assert_int_equal(run_net(list, &res), -EADDRINUSE);
	assert_non_null(strstr(vb_errmsg(), "in use"));
	result_free(&res);
	close(fd);
	/* nothing listens there now */
	snprintf(list, sizeof(list), "role=client,port=%d,time=100ms", port);
	assert_int_equal(run_net(list, &res), -ECONNREFUSED);
	assert_non_null(strstr(vb_errmsg(), "nothing listens"));
	result_free(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hello),
		cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_udp_paced),
		cmocka_unit_test(test_rr),
		cmocka_unit_test(test_stream_omit),
		cmocka_unit_test(test_loopback_down),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, quiet, NULL);
}
