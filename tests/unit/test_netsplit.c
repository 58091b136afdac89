/* netsplit and hostagent: the merge of the two ends' results, and the
 * protocol of a server run on a real agent (started by hostagent_start in
 * the host's namespace): {"serve":true} -> "ready" with the port, a client
 * connects, "stop" ends the server and its result follows; a port in use
 * gives the failed result instead of "ready". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/sock.h"
#include "proto/proto.h"
#include "run/hostagent.h"
#include "run/netsplit.h"
#include "util/err.h"
#include "util/timeutil.h"

static char agent[PATH_MAX];

static int setup(void **state)
{
	(void)state;
	vb_err_set_quiet(1);
	const char *env = getenv("VMBENCH_AGENT");
	if (env && *env) {
		snprintf(agent, sizeof(agent), "%s", env);
		return 0;
	}
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return 0;
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	snprintf(agent, sizeof(agent), "%.*s/../../vmbench-agent", (int)(sizeof(agent) - 24), self);
	if (access(agent, X_OK) != 0)
		agent[0] = '\0';
	return 0;
}

static void need_agent(void)
{
	if (!agent[0]) {
		fprintf(stderr, "no vmbench-agent built (run 'make')\n");
		skip();
	}
	setenv("VMBENCH_AGENT", agent, 1);
}

static void test_merge(void **state)
{
	(void)state;
	struct result c = {0}, s = {0};
	metric_set(&c, "fwd_mbit_s", 900, UNIT_MBIT_S, AGG_SUM);
	metric_set(&c, "retransmits", 3, UNIT_COUNT, AGG_SUM);
	metric_set(&c, "client_cpu_pct", 40, UNIT_PCT, AGG_SUM);
	metric_set(&s, "retransmits", 4, UNIT_COUNT, AGG_SUM);
	metric_set(&s, "server_cpu_pct", 60, UNIT_PCT, AGG_SUM);
	metric_set(&s, "fwd_mbit_s", 1, UNIT_MBIT_S, AGG_SUM); /* the client's wins */
	netsplit_merge(&c, &s);
	assert_int_equal(c.nmetrics, 4);
	assert_true(result_find(&c, "retransmits")->value == 7);
	assert_true(result_find(&c, "server_cpu_pct")->value == 60);
	assert_true(result_find(&c, "fwd_mbit_s")->value == 900);
	result_free(&c);
	result_free(&s);
}

/* A free TCP port on 127.0.0.1 (bound and released). */
static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

static json_t *await(struct hostagent *h, int64_t secs)
{
	json_t *msg = NULL;
	int64_t deadline = vb_now_ns() + secs * 1000000000LL;
	int r;
	do
		r = proto_recv(&h->s, &msg, deadline);
	while (r == -EINTR);
	assert_int_equal(r, 0);
	return msg;
}

static void test_serve_ready_stop(void **state)
{
	(void)state;
	need_agent();
	struct hostagent h;
	assert_int_equal(hostagent_start(&h, NULL, "0"), 0);
	int port = free_port();
	json_t *run = json_pack("{s:s,s:i,s:s,s:{s:s,s:s,s:i,s:s},s:b}", "type", "run", "id", 7,
				"workload", "http", "options", "role", "server", "host",
				"127.0.0.1", "port", port, "time", "60s", "serve", 1);
	assert_int_equal(proto_send(&h.s, run), 0);
	json_t *msg = await(&h, 20);
	assert_string_equal(proto_type(msg), "ready");
	assert_int_equal(json_integer_value(json_object_get(msg, "port")), port);
	json_decref(msg);
	int fd = net_connect_tcp("127.0.0.1", port, 2000000000LL);
	assert_true(fd >= 0);
	const char req[] = "GET /download/0 HTTP/1.1\r\nHost: x\r\n\r\n";
	assert_int_equal(write(fd, req, sizeof(req) - 1), (ssize_t)sizeof(req) - 1);
	char buf[256];
	assert_true(read(fd, buf, sizeof(buf)) > 12);
	assert_memory_equal(buf, "HTTP/1.1 200", 12);
	close(fd);
	int64_t t0 = vb_now_ns();
	assert_int_equal(proto_send(&h.s, json_pack("{s:s}", "type", "stop")), 0);
	msg = await(&h, 10);
	/* the stop ended it long before its 60 s */
	assert_true(vb_now_ns() - t0 < 5000000000LL);
	assert_string_equal(proto_type(msg), "result");
	assert_string_equal(json_string_value(json_object_get(msg, "status")), "ok");
	struct result res = {0};
	assert_int_equal(proto_result_from_json(msg, &res), 0);
	assert_true(result_find(&res, "server_requests")->value == 1);
	result_free(&res);
	json_decref(msg);

	/* the same port taken by a listener: a failed result, no "ready" */
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(l, 1), 0);
	run = json_pack("{s:s,s:i,s:s,s:{s:s,s:s,s:i,s:s},s:b}", "type", "run", "id", 8, "workload",
			"net", "options", "role", "server", "host", "127.0.0.1", "port", port,
			"time", "5s", "serve", 1);
	assert_int_equal(proto_send(&h.s, run), 0);
	msg = await(&h, 10);
	assert_string_equal(proto_type(msg), "result");
	assert_string_equal(json_string_value(json_object_get(msg, "status")), "failed");
	assert_non_null(strstr(json_string_value(json_object_get(msg, "error")), "in use"));
	json_decref(msg);
	close(l);
	hostagent_stop(&h);
	assert_int_equal(h.started, 0);
}

static void test_bad_cpus(void **state)
{
	(void)state;
	need_agent();
	struct hostagent h;
	assert_true(hostagent_start(&h, NULL, "1000") < 0);
	assert_non_null(strstr(vb_errmsg(), "client-cpus=1000"));
	assert_int_equal(h.started, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_merge),
	    cmocka_unit_test(test_serve_ready_stop),
	    cmocka_unit_test(test_bad_cpus),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
