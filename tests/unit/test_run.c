/* run/: the one instance lifecycle (with real native agents and with fake
 * targets that fail in each way a start can fail), the stop-signal module
 * and the classification of failures into retried, not retried and
 * skipped. */
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
#include <sys/wait.h>
#include <unistd.h>

#include "run/fate.h"
#include "run/instance.h"
#include "run/stopsig.h"
#include "targets/target.h"
#include "util/err.h"
#include "util/timeutil.h"

#define assert_contains(hay, needle)                                                               \
	do {                                                                                       \
		if (!strstr((hay), (needle)))                                                      \
			fail_msg("'%s' does not contain '%s'", (hay), (needle));                   \
	} while (0)

static char agent[PATH_MAX];

/* The agent `make` built at the top of the tree (build/tests/test_run is
 * two levels down), unless $VMBENCH_AGENT names one. */
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

/* --- the lifecycle with real agents --------------------------------------- */

static void test_native_start_stop(void **state)
{
	(void)state;
	need_agent();
	const struct target_ops *native = target_find("native");
	assert_non_null(native);
	void *opts = calloc(1, native->opts_size);
	assert_int_equal(opt_defaults(native->options, opts), 0);
	assert_int_equal(opt_set(native->options, opts, "test", "workdir", "/tmp"), 0);
	struct instance in;
	instance_init(&in, native, opts, "t1", "variant");
	assert_null(instance_unavailable(&in));
	assert_int_equal(instance_start(&in, 0), 0);
	assert_true(in.set_up);
	assert_true(in.started);
	assert_non_null(in.hello);
	assert_string_equal(json_string_value(json_object_get(in.hello, "type")), "hello");
	assert_true(in.launch_s > 0 && in.launch_s < 30);
	pid_t pid = in.t.agent.pid;
	assert_true(pid > 0);
	assert_int_equal(kill(pid, 0), 0);

	/* a second start of a started instance is a no-op */
	assert_int_equal(instance_start(&in, 0), 0);
	assert_int_equal(in.t.agent.pid, pid);

	/* stop: the native target has no stop(), so it is torn down and the
	 * next start sets it up again; the first hello is kept */
	json_t *first = in.hello;
	instance_stop(&in);
	assert_false(in.started);
	assert_false(in.set_up);
	assert_int_equal(kill(pid, 0), -1); /* reaped: gone */
	assert_int_equal(instance_start(&in, 0), 0);
	assert_ptr_equal(in.hello, first);
	assert_true(in.t.agent.pid > 0 && in.t.agent.pid != pid);
	pid = in.t.agent.pid;

	/* bye twice is one bye; release ends the agent and frees it all */
	instance_bye(&in);
	instance_bye(&in);
	assert_true(in.bye_sent);
	instance_release(&in);
	assert_false(in.started);
	assert_false(in.set_up);
	assert_null(in.hello);
	assert_int_equal(kill(pid, 0), -1);
	free(opts);
	unsetenv("VMBENCH_AGENT");
}

/* Two instances of one variant side by side, as density launches them. */
static void test_native_two_instances(void **state)
{
	(void)state;
	need_agent();
	const struct target_ops *native = target_find("native");
	void *opts = calloc(1, native->opts_size);
	opt_defaults(native->options, opts);
	opt_set(native->options, opts, "test", "workdir", "/tmp");
	struct instance a, b;
	instance_init(&a, native, opts, "v-1", "instance");
	instance_init(&b, native, opts, "v-2", "instance");
	assert_int_equal(instance_start(&a, 0), 0);
	assert_int_equal(instance_start(&b, 0), 0);
	assert_int_not_equal(a.t.agent.pid, b.t.agent.pid);
	pid_t pa = a.t.agent.pid, pb = b.t.agent.pid;
	instance_bye(&a);
	instance_bye(&b);
	instance_release(&a);
	instance_release(&b);
	assert_int_equal(kill(pa, 0), -1);
	assert_int_equal(kill(pb, 0), -1);
	free(opts);
	unsetenv("VMBENCH_AGENT");
}

/* An "agent" that exits at once: the stream closes before any hello. */
static void test_native_no_hello(void **state)
{
	(void)state;
	const struct target_ops *native = target_find("native");
	void *opts = calloc(1, native->opts_size);
	opt_defaults(native->options, opts);
	opt_set(native->options, opts, "test", "workdir", "/tmp");
	setenv("VMBENCH_AGENT", "/bin/true", 1);
	struct instance in;
	instance_init(&in, native, opts, "quiet", "variant");
	int r = instance_start(&in, 0);
	assert_int_equal(r, -EPIPE);
	assert_contains(vb_errmsg(), "variant 'quiet': the agent did not say hello");
	assert_contains(vb_errmsg(), "its stream closed");
	assert_false(in.started);
	assert_false(in.set_up); /* a failed start released what setup made */
	assert_int_equal(in.fate, RUN_TRANSIENT);
	instance_release(&in);

	/* an agent that is not there: that will not change by trying again */
	setenv("VMBENCH_AGENT", "/nonexistent/vmbench-agent", 1);
	instance_init(&in, native, opts, "missing", "variant");
	r = instance_start(&in, 0);
	assert_true(r < 0);
	assert_int_equal(in.fate, RUN_PERMANENT);
	assert_contains(vb_errmsg(), "VMBENCH_AGENT");
	instance_release(&in);
	unsetenv("VMBENCH_AGENT");
	free(opts);
}

/* --- fake targets: each way a start fails ----------------------------------- */

static int fake_setups, fake_teardowns, fake_diagnosed;
static int fake_pipe[2] = {-1, -1};
static const char *fake_probe_why;

static const char *fake_probe(void)
{
	return fake_probe_why;
}

static int fake_setup(struct target_inst *t)
{
	(void)t;
	fake_setups++;
	return 0;
}

static int fake_setup_full(struct target_inst *t)
{
	t->fail_permanent = 1; /* e.g. QEMU says the disk is full */
	return vb_err(-EIO, "the image cannot grow");
}

static int fake_setup_notsup(struct target_inst *t)
{
	(void)t;
	return vb_err(-ENOTSUP, "runtime=none cannot be used here");
}

/* A stream that never says anything. */
static int fake_exec_silent(struct target_inst *t, int *rfd, int *wfd)
{
	if (pipe(fake_pipe) < 0)
		return -errno;
	t->hello_timeout_ns = 200 * 1000000LL;
	*rfd = fake_pipe[0];
	*wfd = fake_pipe[1];
	return 0;
}

/* A hello of another protocol version. */
static int fake_exec_old(struct target_inst *t, int *rfd, int *wfd)
{
	(void)t;
	if (pipe(fake_pipe) < 0)
		return -errno;
	const char *hello = "{\"type\":\"hello\",\"proto\":999}\n";
	assert_int_equal(write(fake_pipe[1], hello, strlen(hello)), (ssize_t)strlen(hello));
	*rfd = fake_pipe[0];
	*wfd = fake_pipe[1];
	return 0;
}

static void fake_teardown(struct target_inst *t)
{
	(void)t;
	fake_teardowns++;
	for (int i = 0; i < 2; i++)
		if (fake_pipe[i] >= 0) {
			close(fake_pipe[i]);
			fake_pipe[i] = -1;
		}
}

static void fake_diagnose(struct target_inst *t, char *buf, size_t n)
{
	(void)t;
	fake_diagnosed++;
	snprintf(buf, n, "console: kernel panic");
}

static const struct opt_def no_options[] = {OPT_END};

static struct target_ops fake = {
    .name = "fake",
    .options = no_options,
    .probe = fake_probe,
    .setup = fake_setup,
    .exec = fake_exec_silent,
    .teardown = fake_teardown,
    .diagnose = fake_diagnose,
};

static void fake_reset(void)
{
	fake_setups = fake_teardowns = fake_diagnosed = 0;
	fake_probe_why = NULL;
	fake.setup = fake_setup;
	fake.exec = fake_exec_silent;
}

static void test_unavailable(void **state)
{
	(void)state;
	fake_reset();
	fake_probe_why = "no fake hypervisor on this host";
	struct instance in;
	instance_init(&in, &fake, NULL, "f", "variant");
	assert_string_equal(instance_unavailable(&in), "no fake hypervisor on this host");
	assert_int_equal(instance_start(&in, 0), -ENOTSUP);
	assert_int_equal(in.fate, RUN_UNAVAILABLE);
	assert_int_equal(fake_setups, 0); /* not even set up */
	assert_contains(vb_errmsg(), "target fake is unavailable here: no fake hypervisor");

	/* a setup that finds the host lacks something: unavailable too */
	fake_reset();
	fake.setup = fake_setup_notsup;
	instance_init(&in, &fake, NULL, "f", "variant");
	assert_int_equal(instance_start(&in, 0), -ENOTSUP);
	assert_int_equal(in.fate, RUN_UNAVAILABLE);
	assert_int_equal(fake_teardowns, 1); /* teardown releases what it got to */
	instance_release(&in);
}

static void test_fail_permanent(void **state)
{
	(void)state;
	fake_reset();
	fake.setup = fake_setup_full;
	struct instance in;
	instance_init(&in, &fake, NULL, "f", "variant");
	assert_int_equal(instance_start(&in, 0), -EIO);
	/* EIO alone would be retried; the target said it would repeat */
	assert_int_equal(run_fate_of(-EIO), RUN_TRANSIENT);
	assert_int_equal(in.fate, RUN_PERMANENT);
	assert_false(in.set_up);
	instance_release(&in);
}

static void test_hello_timeout_diagnosed(void **state)
{
	(void)state;
	fake_reset();
	struct instance in;
	instance_init(&in, &fake, NULL, "silent", "instance");
	int64_t t0 = vb_now_ns();
	assert_int_equal(instance_start(&in, 0), -ETIMEDOUT);
	double secs = (double)(vb_now_ns() - t0) / 1e9;
	assert_true(secs >= 0.19 && secs < 5); /* the target's own hello timeout */
	assert_int_equal(fake_diagnosed, 1);
	assert_contains(vb_errmsg(), "instance 'silent': the agent did not say hello (timed out");
	assert_contains(vb_errmsg(), "; console: kernel panic");
	assert_int_equal(fake_setups, 1);
	assert_int_equal(fake_teardowns, 1);
	assert_false(in.set_up);
	assert_int_equal(in.fate, RUN_TRANSIENT);
	/* starting again sets up again */
	assert_int_equal(instance_start(&in, 0), -ETIMEDOUT);
	assert_int_equal(fake_setups, 2);
	instance_release(&in);
	assert_int_equal(fake_teardowns, 2); /* nothing left to release twice */
}

static void test_protocol_mismatch(void **state)
{
	(void)state;
	fake_reset();
	fake.exec = fake_exec_old;
	struct instance in;
	instance_init(&in, &fake, NULL, "old", "variant");
	assert_int_equal(instance_start(&in, 0), -EPROTO);
	assert_contains(vb_errmsg(), "speaks protocol 999");
	assert_int_equal(in.fate, RUN_PERMANENT);
	assert_false(in.started);
	assert_int_equal(fake_teardowns, 1);
	instance_release(&in);
}

/* --- failure classification -------------------------------------------------- */

static void test_fate(void **state)
{
	(void)state;
	static const int permanent[] = {ENOENT,	      ENOTDIR, EACCES, EPERM,  EROFS, EISDIR,
					ENAMETOOLONG, ELOOP,   ENOSPC, EDQUOT, EFBIG, EINVAL};
	static const int transient[] = {EIO, ETIMEDOUT, EPIPE, EINTR, ENOMEM, ECONNRESET, EPROTO};
	for (size_t i = 0; i < sizeof(permanent) / sizeof(permanent[0]); i++) {
		assert_int_equal(run_fate_of(-permanent[i]), RUN_PERMANENT);
		assert_int_equal(run_fate_of(permanent[i]), RUN_PERMANENT); /* either sign */
	}
	for (size_t i = 0; i < sizeof(transient) / sizeof(transient[0]); i++)
		assert_int_equal(run_fate_of(-transient[i]), RUN_TRANSIENT);
	assert_int_equal(run_fate_of(-ENOTSUP), RUN_UNAVAILABLE);
	assert_int_equal(run_fate_of(-EOPNOTSUPP), RUN_UNAVAILABLE);
	assert_string_equal(run_fate_names[RUN_UNAVAILABLE], "unavailable");
}

/* --- stop signals ------------------------------------------------------------ */

static void test_stopsig(void **state)
{
	(void)state;
	struct stopsig_saved saved = {0};
	struct sigaction before;
	sigaction(SIGINT, NULL, &before);
	stopsig_install(&saved, 0, NULL);
	assert_int_equal(stopsig_pending(), 0);
	int64_t t0 = vb_now_ns();
	assert_int_equal(stopsig_nap(50 * 1000000LL), 0); /* no signal: the full nap */
	assert_true(vb_now_ns() - t0 >= 50 * 1000000LL);

	raise(SIGTERM);
	assert_int_equal(stopsig_pending(), SIGTERM);
	t0 = vb_now_ns();
	assert_int_equal(stopsig_nap(5 * 1000000000LL), -EINTR); /* returns at once */
	assert_true(vb_now_ns() - t0 < 1000000000LL);
	/* SIGPIPE is ignored while installed */
	raise(SIGPIPE);
	struct sigaction pipe_now;
	sigaction(SIGPIPE, NULL, &pipe_now);
	assert_ptr_equal(pipe_now.sa_handler, SIG_IGN);

	stopsig_restore(&saved);
	struct sigaction after;
	sigaction(SIGINT, NULL, &after);
	assert_ptr_equal(after.sa_handler, before.sa_handler);
	assert_int_equal(stopsig_pending(), SIGTERM); /* still readable after restore */

	/* installing again starts clean */
	stopsig_install(&saved, 0, NULL);
	assert_int_equal(stopsig_pending(), 0);
	raise(SIGINT);
	raise(SIGINT); /* without STOPSIG_SECOND_KILLS a second one changes nothing */
	assert_int_equal(stopsig_pending(), SIGINT);
	stopsig_restore(&saved);
}

static int second_fd = -1;

static void on_second(void)
{
	if (write(second_fd, "k", 1) < 0) {
		/* nothing to do in a signal handler */
	}
}

/* STOPSIG_SECOND_KILLS: the callback runs, then the signal's default
 * action ends the process (in a child, so that this test survives). */
static void test_stopsig_second_kills(void **state)
{
	(void)state;
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct stopsig_saved saved = {0};
		close(p[0]);
		second_fd = p[1];
		stopsig_install(&saved, STOPSIG_SECOND_KILLS, on_second);
		raise(SIGINT);
		if (stopsig_pending() != SIGINT)
			_exit(3);
		raise(SIGINT);
		_exit(4); /* not reached */
	}
	close(p[1]);
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGINT);
	char c = 0;
	assert_int_equal(read(p[0], &c, 1), 1);
	assert_int_equal(c, 'k');
	close(p[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_native_start_stop),
	    cmocka_unit_test(test_native_two_instances),
	    cmocka_unit_test(test_native_no_hello),
	    cmocka_unit_test(test_unavailable),
	    cmocka_unit_test(test_fail_permanent),
	    cmocka_unit_test(test_hello_timeout_diagnosed),
	    cmocka_unit_test(test_protocol_mismatch),
	    cmocka_unit_test(test_fate),
	    cmocka_unit_test(test_stopsig),
	    cmocka_unit_test(test_stopsig_second_kills),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
