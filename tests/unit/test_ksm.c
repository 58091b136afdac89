/* density/ksm.c against a fake KSM sysfs directory (ksm_set_paths): every
 * tunable saved and written back exactly, unchanged ones never written, the
 * restore verified (and failing loudly), the restore on exit(), on a crash,
 * from a signal handler and from the state file a SIGKILLed vmbench leaves;
 * plus the readers of density/meminfo.c and the percentile of the report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "density/density_report.h"
#include "density/ksm.h"
#include "telemetry/meminfo.h"
#include "util/err.h"

static char dir[64];
static char ksmdir[128];
static char state[160];

static const struct {
	const char *name, *value;
} initial[] = {
    {"run", "0"},
    {"pages_to_scan", "100"},
    {"sleep_millisecs", "20"},
    {"merge_across_nodes", "1"},
    {"max_page_sharing", "256"},
    {"stable_node_chains_prune_millisecs", "2000"},
    {"use_zero_pages", "0"},
    {"smart_scan", "1"},
    {"advisor_mode", "[none] scan-time"},
    {"advisor_max_cpu", "70"},
    /* counters */
    {"pages_shared", "0"},
    {"pages_sharing", "0"},
    {"pages_unshared", "0"},
    {"pages_volatile", "0"},
    {"full_scans", "0"},
    {"general_profit", "0"},
};
#define NINITIAL (sizeof(initial) / sizeof(initial[0]))

static void put(const char *name, const char *value)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", ksmdir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", value);
	fclose(f);
}

static void get(const char *name, char *buf, size_t n)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", ksmdir, name);
	FILE *f = fopen(path, "r");
	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(buf, (int)n, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

static void assert_file(const char *name, const char *want)
{
	char got[128];
	get(name, got, sizeof(got));
	if (strcmp(got, want))
		fail_msg("%s is '%s', want '%s'", name, got, want);
}

static void assert_all_initial(void)
{
	for (size_t i = 0; i < NINITIAL; i++)
		assert_file(initial[i].name, initial[i].value);
}

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static void clear_dir(void)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s' '%s'.*", ksmdir, state, state);
	if (system(cmd) != 0)
		fail_msg("cannot clean %s", ksmdir);
}

static int each_setup(void **st)
{
	(void)st;
	clear_dir();
	if (mkdir(ksmdir, 0755) < 0)
		return -1;
	for (size_t i = 0; i < NINITIAL; i++)
		put(initial[i].name, initial[i].value);
	ksm_set_paths(ksmdir, state);
	return 0;
}

static int setup(void **st)
{
	(void)st;
	vb_err_set_quiet(1);
	snprintf(dir, sizeof(dir), "/tmp/vbtest-ksm.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(ksmdir, sizeof(ksmdir), "%s/ksm", dir);
	snprintf(state, sizeof(state), "%s/run/ksm-saved", dir);
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void test_begin_end_restores_exactly(void **st)
{
	(void)st;
	assert_int_equal(ksm_active(), 0);
	assert_int_equal(ksm_begin(5000, 10), 0);
	assert_int_equal(ksm_active(), 1);
	assert_file("run", "1");
	assert_file("pages_to_scan", "5000");
	assert_file("sleep_millisecs", "10");
	/* untouched: written neither now nor at the restore */
	assert_file("merge_across_nodes", "1");
	assert_file("advisor_mode", "[none] scan-time");
	assert_true(exists(state));

	json_t *saved = ksm_saved_json();
	assert_non_null(saved);
	assert_string_equal(json_string_value(json_object_get(saved, "run")), "0");
	assert_string_equal(json_string_value(json_object_get(saved, "advisor_mode")), "none");
	assert_string_equal(json_string_value(json_object_get(saved, "pages_to_scan")), "100");
	/* absent files are not invented */
	assert_null(json_object_get(saved, "advisor_target_scan_time"));
	json_decref(saved);

	assert_int_equal(ksm_end(), 0);
	assert_int_equal(ksm_active(), 0);
	assert_all_initial();
	assert_false(exists(state));
	assert_int_equal(ksm_end(), 0); /* idempotent */
}

static void test_advisor_turned_off_and_back(void **st)
{
	(void)st;
	put("advisor_mode", "none [scan-time]");
	put("run", "1"); /* KSM was already running: it stays so */
	put("pages_to_scan", "300");
	assert_int_equal(ksm_begin(7000, 5), 0);
	assert_file("advisor_mode", "none");
	assert_file("pages_to_scan", "7000");
	assert_int_equal(ksm_end(), 0);
	assert_file("advisor_mode", "scan-time");
	assert_file("run", "1");
	assert_file("pages_to_scan", "300");
	assert_file("sleep_millisecs", "20");
}

static void test_restore_failure_is_loud(void **st)
{
	(void)st;
	char path[256];
	assert_int_equal(ksm_begin(5000, 10), 0);
	/* a value that cannot be written back */
	snprintf(path, sizeof(path), "%s/pages_to_scan", ksmdir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0755), 0);
	int r = ksm_end();
	assert_int_equal(r, -EIO);
	assert_non_null(strstr(vb_errmsg(), "NOT restored"));
	assert_non_null(strstr(vb_errmsg(), "pages_to_scan"));
	/* the others were restored all the same */
	assert_file("run", "0");
	assert_file("sleep_millisecs", "20");
	/* and the state file stays for a later recovery */
	assert_true(exists(state));
	rmdir(path);
	put("pages_to_scan", "5000");
	assert_int_equal(ksm_recover(), 1);
	assert_file("pages_to_scan", "100");
	assert_false(exists(state));
}

static void test_async_restore(void **st)
{
	(void)st;
	assert_int_equal(ksm_begin(5000, 10), 0);
	ksm_restore_async();
	assert_all_initial();
	assert_int_equal(ksm_end(), 0);
	assert_all_initial();
}

static void test_exit_restores(void **st)
{
	(void)st;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (ksm_begin(5000, 10) < 0)
			_exit(3);
		exit(0); /* atexit */
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_all_initial();
	assert_false(exists(state));
}

static void test_crash_restores(void **st)
{
	(void)st;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (ksm_begin(5000, 10) < 0)
			_exit(3);
		abort();
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
	assert_all_initial();
}

static void test_sigkill_then_recover(void **st)
{
	(void)st;
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		if (ksm_begin(5000, 10) < 0)
			_exit(3);
		if (write(p[1], "x", 1) != 1)
			_exit(4);
		pause();
		_exit(0);
	}
	close(p[1]);
	char c;
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	/* while it lives, nobody else may take KSM over */
	assert_int_equal(ksm_begin(1, 1), -EBUSY);
	assert_file("pages_to_scan", "5000");
	kill(pid, SIGKILL);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_file("run", "1"); /* SIGKILL: nothing could restore */
	assert_true(exists(state));
	assert_int_equal(ksm_recover(), 1);
	assert_all_initial();
	assert_false(exists(state));
	assert_int_equal(ksm_recover(), 0); /* nothing left to do */
}

static void test_stats_and_unavailable(void **st)
{
	(void)st;
	struct ksm_stats s;
	put("pages_sharing", "1234");
	put("general_profit", "-8192");
	assert_int_equal(ksm_stats_read(&s), 0);
	assert_int_equal(s.pages_sharing, 1234);
	assert_int_equal(s.general_profit, -8192);
	assert_true(s.zero_pages == KSM_ABSENT);
	json_t *j = ksm_stats_json(&s);
	assert_int_equal(json_integer_value(json_object_get(j, "general_profit")), -8192);
	assert_null(json_object_get(j, "ksm_zero_pages"));
	json_decref(j);
	assert_null(ksm_unavailable());

	char path[256];
	snprintf(path, sizeof(path), "%s/run", ksmdir);
	unlink(path);
	assert_non_null(ksm_unavailable());
	assert_non_null(strstr(ksm_unavailable(), "CONFIG_KSM"));
	assert_int_equal(ksm_begin(5000, 10), -ENOTSUP);
	assert_int_equal(ksm_active(), 0);
}

static void test_meminfo(void **st)
{
	(void)st;
	char path[128];
	snprintf(path, sizeof(path), "%s/meminfo", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("MemTotal:       24683656 kB\nMemFree:        23720320 kB\n"
	      "MemAvailable:   24189532 kB\nBuffers:            3840 kB\n"
	      "Cached:           628136 kB\nSwapCached:            0 kB\n"
	      "Shmem:             11352 kB\nSReclaimable:     137308 kB\n",
	      f);
	fclose(f);
	struct meminfo m;
	assert_int_equal(meminfo_read(path, &m), 0);
	assert_int_equal(m.total, 24683656);
	assert_int_equal(m.available, 24189532);
	assert_int_equal(m.anon, -1); /* absent */
	/* procps-ng 3.3's used: total - free - buffers - cached - sreclaimable */
	assert_int_equal(meminfo_used(&m), 24683656 - 23720320 - 3840 - 628136 - 137308);
	f = fopen(path, "w");
	fputs("Foo: 1 kB\n", f);
	fclose(f);
	assert_int_equal(meminfo_read(path, &m), -EPROTO);

	/* this process is the root of its own tree and has a PSS */
	pid_t self = getpid(), out[16];
	assert_true(proc_tree(&self, 1, out, 16) >= 1);
	assert_int_equal(out[0], self);
	int64_t pss = 0;
	assert_int_equal(proc_pss_kib(self, &pss), 0);
	assert_true(pss > 0);
}

static void test_percentile(void **st)
{
	(void)st;
	double x[] = {5, 1, 4, 2, 3};
	assert_true(fabs(density_percentile(x, 5, 50) - 3) < 1e-12);
	assert_true(fabs(density_percentile(x, 5, 100) - 5) < 1e-12);
	assert_true(fabs(density_percentile(x, 5, 99) - 4.96) < 1e-12);
	assert_true(fabs(density_percentile(x, 5, 0) - 1) < 1e-12);
	assert_true(isnan(density_percentile(x, 0, 50)));
	assert_true(x[0] == 5); /* not sorted in place */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_begin_end_restores_exactly, each_setup),
	    cmocka_unit_test_setup(test_advisor_turned_off_and_back, each_setup),
	    cmocka_unit_test_setup(test_restore_failure_is_loud, each_setup),
	    cmocka_unit_test_setup(test_async_restore, each_setup),
	    cmocka_unit_test_setup(test_exit_restores, each_setup),
	    cmocka_unit_test_setup(test_crash_restores, each_setup),
	    cmocka_unit_test_setup(test_sigkill_then_recover, each_setup),
	    cmocka_unit_test_setup(test_stats_and_unavailable, each_setup),
	    cmocka_unit_test_setup(test_meminfo, each_setup),
	    cmocka_unit_test(test_percentile),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
