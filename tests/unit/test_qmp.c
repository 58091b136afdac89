/* qemu/qmp: the QMP line parser, the event watch (which events end a run,
 * with what cause), the client against a stand-in QMP server (a forked
 * child on a unix socket speaking lines captured from QEMU 7.2), and the
 * watcher thread ending "QEMU" when its guest pauses on a full disk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qemu/qmp.h"
#include "util/err.h"
#include "util/timeutil.h"
#include "util/units.h"

#define GREETING                                                                                   \
	"{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, "         \
	"\"package\": \"Debian 1:7.2+dfsg-7+deb12u18+b3\"}, \"capabilities\": [\"oob\"]}}\r\n"
#define EV_NOSPACE                                                                                 \
	"{\"timestamp\": {\"seconds\": 1796229800, \"microseconds\": 1}, \"event\": "              \
	"\"BLOCK_IO_ERROR\", \"data\": {\"device\": \"\", \"nospace\": true, \"node-name\": "      \
	"\"vbdisk\", \"reason\": \"No space left on device\", \"operation\": \"write\", "          \
	"\"action\": \"stop\"}}\r\n"
#define EV_STOP                                                                                    \
	"{\"timestamp\": {\"seconds\": 1796229800, \"microseconds\": 2}, \"event\": \"STOP\"}\r\n"

static json_t *ev(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);
	assert_non_null(j);
	return j;
}

static void test_parse(void **state)
{
	(void)state;
	json_t *m;
	int kind;
	/* no whole line yet */
	assert_int_equal(qmp_parse("{\"return\": {}", 13, &m, &kind), 0);
	assert_null(m);
	/* one line with QEMU's \r\n, a second behind it */
	const char *two = "{\"return\": {}}\r\n{\"event\": \"STOP\", \"timestamp\": {}}\r\n";
	long used = qmp_parse(two, strlen(two), &m, &kind);
	assert_int_equal(used, 16);
	assert_int_equal(kind, QMP_MSG_RETURN);
	json_decref(m);
	used = qmp_parse(two + 16, strlen(two) - 16, &m, &kind);
	assert_int_equal(used, (long)strlen(two) - 16);
	assert_int_equal(kind, QMP_MSG_EVENT);
	json_decref(m);
	/* the greeting, an error */
	assert_int_equal(qmp_parse(GREETING, strlen(GREETING), &m, &kind), (long)strlen(GREETING));
	assert_int_equal(kind, QMP_MSG_GREETING);
	json_decref(m);
	const char *err = "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"x\"}}\n";
	qmp_parse(err, strlen(err), &m, &kind);
	assert_int_equal(kind, QMP_MSG_ERROR);
	json_decref(m);
	/* an empty line, garbage, a JSON array: consumed, no message */
	assert_int_equal(qmp_parse("\r\n", 2, &m, &kind), 2);
	assert_null(m);
	assert_int_equal(qmp_parse("{oops\n", 6, &m, &kind), 6);
	assert_null(m);
	assert_int_equal(kind, QMP_MSG_INVALID);
	assert_int_equal(qmp_parse("[1]\n", 4, &m, &kind), 4);
	assert_null(m);
	/* an object that is none of the four */
	assert_int_equal(qmp_parse("{\"a\": 1}\n", 9, &m, &kind), 9);
	assert_int_equal(kind, QMP_MSG_INVALID);
	json_decref(m);
	/* a line that never ends */
	char *big = malloc(QMP_LINE_MAX + 1);
	memset(big, 'x', QMP_LINE_MAX + 1);
	assert_int_equal(qmp_parse(big, QMP_LINE_MAX + 1, &m, &kind), -EMSGSIZE);
	big[QMP_LINE_MAX] = '\n';
	assert_int_equal(qmp_parse(big, QMP_LINE_MAX + 1, &m, &kind), -EMSGSIZE);
	free(big);
}

static void test_watch_feed(void **state)
{
	(void)state;
	struct qmp_watch_state st;
	/* a full disk: the block error names it, the STOP that follows is its
	 * consequence, not a second cause */
	memset(&st, 0, sizeof(st));
	json_t *e = ev(EV_NOSPACE);
	assert_int_equal(qmp_watch_feed(&st, e), 1);
	json_decref(e);
	e = ev(EV_STOP);
	assert_int_equal(qmp_watch_feed(&st, e), 0);
	json_decref(e);
	assert_int_equal(st.cause, QMP_CAUSE_NOSPACE);
	assert_true(st.permanent);
	assert_true(st.end_qemu);
	assert_string_equal(st.node, "vbdisk");
	assert_string_equal(st.op, "write");
	char buf[512];
	qmp_watch_describe(&st, "/t/x.qcow2",
			   "the filesystem holding /t/x.qcow2 is full: 0 bytes free of 64M", buf,
			   sizeof(buf));
	assert_non_null(strstr(buf, "the filesystem holding /t/x.qcow2 is full: 0 bytes free"));
	assert_non_null(strstr(buf, "QEMU paused the guest"));
	qmp_watch_describe(&st, "/t/x.qcow2", NULL, buf, sizeof(buf));
	assert_non_null(strstr(buf, "filesystem holding /t/x.qcow2 is full"));

	/* an error reported to the guest is the guest's business */
	memset(&st, 0, sizeof(st));
	e = ev(
	    "{\"event\": \"BLOCK_IO_ERROR\", \"data\": {\"node-name\": \"vbdisk\", \"action\": "
	    "\"report\", \"operation\": \"read\", \"nospace\": false, \"reason\": \"Input/output "
	    "error\"}}");
	assert_int_equal(qmp_watch_feed(&st, e), 0);
	assert_int_equal(st.cause, QMP_CAUSE_NONE);
	json_decref(e);
	/* another errno with action stop: an I/O error, not permanent */
	e = ev("{\"event\": \"BLOCK_IO_ERROR\", \"data\": {\"node-name\": \"vbdisk\", \"action\": "
	       "\"stop\", \"operation\": \"read\", \"reason\": \"Input/output error\"}}");
	assert_int_equal(qmp_watch_feed(&st, e), 1);
	json_decref(e);
	assert_int_equal(st.cause, QMP_CAUSE_IO_ERROR);
	assert_false(st.permanent);
	qmp_watch_describe(&st, "/t/x.raw", NULL, buf, sizeof(buf));
	assert_non_null(strstr(buf, "read error on /t/x.raw"));
	assert_non_null(strstr(buf, "Input/output error"));

	static const struct {
		const char *event;
		int ends, cause, end_qemu;
		const char *says;
	} cases[] = {
	    {EV_STOP, 1, QMP_CAUSE_PAUSED, 1, "QEMU paused the guest"},
	    {"{\"event\": \"GUEST_PANICKED\", \"data\": {\"action\": \"pause\"}}", 1,
	     QMP_CAUSE_PANIC, 1, "the guest panicked"},
	    {"{\"event\": \"GUEST_PANICKED\", \"data\": {\"action\": \"pause\", \"info\": "
	     "{\"type\": \"hyper-v\"}}}",
	     1, QMP_CAUSE_PANIC, 1, "hyper-v"},
	    {"{\"event\": \"SHUTDOWN\", \"data\": {\"guest\": true, \"reason\": "
	     "\"guest-shutdown\"}}",
	     1, QMP_CAUSE_SHUTDOWN, 0, "guest-shutdown"},
	    {"{\"event\": \"SHUTDOWN\", \"data\": {\"guest\": true, \"reason\": \"guest-panic\"}}",
	     1, QMP_CAUSE_PANIC, 0, "panicked"},
	    {"{\"event\": \"SHUTDOWN\", \"data\": {\"guest\": true, \"reason\": \"guest-reset\"}}",
	     1, QMP_CAUSE_RESET, 0, "reset itself"},
	    {"{\"event\": \"RESET\", \"data\": {\"guest\": true, \"reason\": \"guest-reset\"}}", 1,
	     QMP_CAUSE_RESET, 1, "reset itself"},
	    {"{\"event\": \"RESUME\", \"timestamp\": {}}", 0, QMP_CAUSE_NONE, 0, ""},
	    {"{\"event\": \"NIC_RX_FILTER_CHANGED\", \"data\": {}}", 0, QMP_CAUSE_NONE, 0, ""},
	    {"{\"return\": {}}", 0, QMP_CAUSE_NONE, 0, ""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&st, 0, sizeof(st));
		e = ev(cases[i].event);
		assert_int_equal(qmp_watch_feed(&st, e), cases[i].ends);
		json_decref(e);
		assert_int_equal(st.cause, cases[i].cause);
		assert_int_equal(st.end_qemu, cases[i].end_qemu);
		assert_false(st.permanent);
		qmp_watch_describe(&st, NULL, NULL, buf, sizeof(buf));
		if (!strstr(buf, cases[i].says))
			fail_msg("case %zu: '%s' does not say '%s'", i, buf, cases[i].says);
	}
}

static void test_fs_text(void **state)
{
	(void)state;
	char path[] = "/tmp/vb-test-qmp.XXXXXX", buf[1024];
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	qmp_fs_text(path, buf, sizeof(buf));
	unlink(path);
	assert_non_null(strstr(buf, "the filesystem holding /tmp/vb-test-qmp."));
	assert_non_null(strstr(buf, " free of "));
	assert_non_null(strstr(buf, " on /")); /* its type and mount point */
	/* an image that is gone: its directory's filesystem */
	qmp_fs_text("/tmp/vb-no-such-image.qcow2", buf, sizeof(buf));
	assert_non_null(strstr(buf, "holding /tmp/vb-no-such-image.qcow2"));
	assert_null(strstr(buf, "statvfs"));
}

/* ---- a stand-in QMP server --------------------------------------------- */

static char sock_path[108];

static void put(int fd, const char *s)
{
	size_t n = strlen(s);
	if (write(fd, s, n) != (ssize_t)n)
		_exit(3);
}

/* Reads one line; 0 at EOF. */
static int get_line(int fd, char *buf, size_t n)
{
	size_t used = 0;
	while (used + 1 < n) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r <= 0)
			return 0;
		if (c == '\n')
			break;
		buf[used++] = c;
	}
	buf[used] = '\0';
	return 1;
}

/* script: "query-cpus-fast" gets an event then its reply, "nosuch" an
 * error, "stopnow" two events (the disk-full pause), "quit" the reply and
 * the end of the connection. */
static void server(int lfd)
{
	int fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		_exit(2);
	put(fd, GREETING);
	char line[4096];
	while (get_line(fd, line, sizeof(line))) {
		if (strstr(line, "qmp_capabilities"))
			put(fd, "{\"return\": {}}\r\n");
		else if (strstr(line, "query-cpus-fast"))
			put(fd,
			    "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": "
			    "\"RESUME\"}\r\n{\"return\": [{\"thread-id\": 2440, \"props\": "
			    "{\"core-id\": 0, \"thread-id\": 0, \"socket-id\": 0}, \"qom-path\": "
			    "\"/machine/unattached/device[0]\", \"cpu-index\": 0, \"target\": "
			    "\"x86_64\"}]}\r\n");
		else if (strstr(line, "nosuch"))
			put(fd, "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The "
				"command nosuch has not been found\"}}\r\n");
		else if (strstr(line, "stopnow"))
			put(fd, "{\"return\": {}}\r\n" EV_NOSPACE EV_STOP);
		else if (strstr(line, "quit")) {
			put(fd,
			    "{\"return\": {}}\r\n{\"timestamp\": {\"seconds\": 1, "
			    "\"microseconds\": 3}, \"event\": \"SHUTDOWN\", \"data\": {\"guest\": "
			    "false, \"reason\": \"host-qmp-quit\"}}\r\n");
			break;
		}
	}
	close(fd);
	_exit(0);
}

static pid_t server_start(void)
{
	snprintf(sock_path, sizeof(sock_path), "/tmp/vb-test-qmp-%d.sock", (int)getpid());
	unlink(sock_path);
	int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", sock_path);
	assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		server(lfd);
	close(lfd);
	return pid;
}

static void server_end(pid_t pid)
{
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	unlink(sock_path);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void test_client(void **state)
{
	(void)state;
	vb_err_set_quiet(1);
	pid_t pid = server_start();
	struct qmp q;
	assert_int_equal(qmp_connect(&q, sock_path, vb_now_ns() + 5 * VB_NSEC_PER_SEC), 0);
	assert_non_null(json_object_get(q.greeting, "QMP"));
	json_t *ret = NULL;
	assert_int_equal(qmp_command(&q, "query-cpus-fast", NULL, &ret, vb_now_ns() + 5e9), 0);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(ret, 0), "thread-id")),
			 2440);
	json_decref(ret);
	/* the event that came before the reply waits in the queue */
	json_t *e = NULL;
	assert_int_equal(qmp_next_event(&q, &e, 0), 0);
	assert_string_equal(json_string_value(json_object_get(e, "event")), "RESUME");
	json_decref(e);
	assert_int_equal(qmp_next_event(&q, &e, 50), -ETIMEDOUT);
	/* an error reply */
	assert_int_equal(qmp_command(&q, "nosuch", NULL, NULL, vb_now_ns() + 5e9), -EIO);
	assert_string_equal(q.error, "CommandNotFound: The command nosuch has not been found");
	assert_non_null(strstr(vb_errmsg(), "QMP nosuch: QEMU says CommandNotFound"));
	assert_int_equal(qmp_command(&q, "quit", NULL, NULL, vb_now_ns() + 5e9), 0);
	assert_int_equal(qmp_next_event(&q, &e, 2000), 0); /* the SHUTDOWN */
	json_decref(e);
	assert_int_equal(qmp_next_event(&q, &e, 2000), -EPIPE);
	qmp_close(&q);
	server_end(pid);
	/* nobody listening: the deadline ends the wait with the reason */
	assert_true(qmp_connect(&q, "/tmp/vb-test-qmp-none.sock", vb_now_ns() + 50000000) < 0);
	assert_non_null(strstr(vb_errmsg(), "cannot connect to QEMU's QMP socket"));
	vb_err_set_quiet(0);
}

static void test_watcher(void **state)
{
	(void)state;
	vb_err_set_quiet(1);
	pid_t pid = server_start();
	struct qmp q;
	assert_int_equal(qmp_connect(&q, sock_path, vb_now_ns() + 5 * VB_NSEC_PER_SEC), 0);
	/* the command whose reply brings the pause: the events are queued */
	assert_int_equal(qmp_command(&q, "stopnow", NULL, NULL, vb_now_ns() + 5e9), 0);
	struct qmp_watcher w;
	/* pgid 0: no process group to kill, the server ends on quit */
	assert_int_equal(qmp_watcher_start(&w, &q, 0, "/tmp/vb-test-qmp-disk.qcow2"), 0);
	char cause[1024] = "";
	int permanent = 0;
	int64_t t0 = vb_now_ns();
	while (!cause[0] && vb_now_ns() - t0 < 5 * VB_NSEC_PER_SEC) {
		qmp_watcher_cause(&w, cause, sizeof(cause), &permanent);
		usleep(10000);
	}
	/* it asked QEMU to quit: the server saw "quit" and exited */
	server_end(pid);
	qmp_watcher_stop(&w);
	qmp_watcher_cause(&w, cause, sizeof(cause), &permanent);
	assert_non_null(strstr(cause, "the filesystem holding /tmp/vb-test-qmp-disk.qcow2"));
	assert_non_null(strstr(cause, "QEMU paused the guest when a write"));
	assert_true(permanent);
	qmp_watcher_stop(&w); /* twice is fine */
	vb_err_set_quiet(0);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),   cmocka_unit_test(test_watch_feed),
	    cmocka_unit_test(test_fs_text), cmocka_unit_test(test_client),
	    cmocka_unit_test(test_watcher),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
