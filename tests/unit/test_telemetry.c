/* The readers of host state in src/telemetry/ against a fake /proc and /sys
 * built in a temporary directory (telemetry_set_root): meminfo, /proc/stat,
 * process trees, PSS, per-process KSM, QEMU threads by role, KSM's
 * counters; and their parsers on malformed text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "telemetry/ksm_stats.h"
#include "telemetry/meminfo.h"
#include "telemetry/series.h"
#include "telemetry/telemetry.h"
#include "util/err.h"
#include "util/hostio.h"

static char root[64];

static void put(const char *rel, const char *text)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s%s", root, rel);
	assert_int_equal(hostio_mkdir_parent(path, 0755), 0);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A /proc/PID/stat line: name, state, ppid, utime, stime, starttime. */
static void put_stat(const char *rel, int pid, const char *comm, int ppid, int ut, int st,
		     int start)
{
	char line[512];
	snprintf(line, sizeof(line),
		 "%d (%s) S %d %d %d 0 -1 4194560 100 0 0 0 %d %d 0 0 20 0 3 0 %d 1000 200 "
		 "18446744073709551615\n",
		 pid, comm, ppid, pid, pid, ut, st, start);
	put(rel, line);
}

static int setup(void **st)
{
	(void)st;
	vb_err_set_quiet(1);
	unsetenv("VMBENCH_KSM_DIR");
	snprintf(root, sizeof(root), "/tmp/vbtest-tel.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	put("/proc/meminfo", "MemTotal:        8000000 kB\nMemFree:         1000000 kB\n"
			     "MemAvailable:    5000000 kB\nBuffers:          100000 kB\n"
			     "Cached:          2000000 kB\nSReclaimable:     300000 kB\n"
			     "HugePages_Total:       4\nHugePages_Free:        3\n"
			     "Hugepagesize:       2048 kB\n");
	put("/proc/stat", "cpu  100 5 50 1000 20 1 2 3 0 0\ncpu0 100 5 50 1000 20 1 2 3 0 0\n"
			  "intr 12345 0 0\n");
	/* a QEMU (pid 100) with a vCPU, an IOThread and a worker; a child 200
	 * of it and a grandchild 300; an unrelated 400 */
	put_stat("/proc/100/stat", 100, "qemu-system-x86", 1, 500, 100, 777);
	put("/proc/100/comm", "qemu-system-x86\n");
	put_stat("/proc/100/task/100/stat", 100, "qemu-system-x86", 1, 40, 10, 777);
	put("/proc/100/task/100/comm", "qemu-system-x86\n");
	put_stat("/proc/100/task/101/stat", 101, "CPU 0/TCG", 1, 300, 50, 778);
	put("/proc/100/task/101/comm", "CPU 0/TCG\n");
	put_stat("/proc/100/task/102/stat", 102, "IO iot0", 1, 30, 20, 778);
	put("/proc/100/task/102/comm", "IO iot0\n");
	put_stat("/proc/100/task/103/stat", 103, "worker", 1, 7, 3, 779);
	put("/proc/100/task/103/comm", "worker\n");
	put("/proc/100/smaps_rollup", "55d0-7ffe ---p 00000000 00:00 0 [rollup]\nRss: 300000 kB\n"
				      "Pss:              262144 kB\nPss_Anon: 1 kB\n");
	put("/proc/100/ksm_stat", "ksm_rmap_items 10\nksm_zero_pages 0\nksm_merging_pages 1234\n"
				  "ksm_process_profit 4096000\nksm_merge_any: no\n"
				  "ksm_mergeable: yes\n");
	/* a name with spaces and parentheses */
	put_stat("/proc/200/stat", 200, "a ) b (c", 100, 1, 1, 800);
	put("/proc/200/comm", "a ) b (c\n");
	put_stat("/proc/300/stat", 300, "sh", 200, 1, 1, 900);
	put("/proc/300/comm", "sh\n");
	put("/proc/300/ksm_merging_pages", "17\n"); /* a kernel before 6.1 */
	put_stat("/proc/400/stat", 400, "qemu-system-aar", 1, 1, 1, 901);
	/* vhost-net's kernel thread for QEMU 100 (before Linux 6.4), and a
	 * process that only has the name */
	put_stat("/proc/500/stat", 500, "vhost-100", 2, 70, 30, 902);
	put("/proc/500/comm", "vhost-100\n");
	put_stat("/proc/501/stat", 501, "vhost-100", 1, 5, 5, 903);
	put("/proc/501/comm", "vhost-100\n");
	put("/proc/400/comm", "qemu-system-aarch64\n");
	put("/sys/kernel/mm/ksm/pages_shared", "10\n");
	put("/sys/kernel/mm/ksm/pages_sharing", "250\n");
	put("/sys/kernel/mm/ksm/pages_unshared", "5\n");
	put("/sys/kernel/mm/ksm/pages_volatile", "1\n");
	put("/sys/kernel/mm/ksm/full_scans", "3\n");
	put("/sys/kernel/mm/ksm/advisor_mode", "[none] scan-time\n");
	telemetry_set_root(root);
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	char cmd[128];
	telemetry_set_root(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_meminfo(void **st)
{
	(void)st;
	struct meminfo m;
	assert_int_equal(meminfo_read(NULL, &m), 0);
	assert_int_equal(m.total, 8000000);
	assert_int_equal(m.available, 5000000);
	assert_int_equal(m.shmem, -1);
	assert_int_equal(meminfo_used(&m), 8000000 - 1000000 - 100000 - 2000000 - 300000);
	int64_t v;
	assert_int_equal(meminfo_value("HugePages_Free", &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(meminfo_value("Hugepagesize", &v), 0);
	assert_int_equal(v, 2048);
	assert_int_equal(meminfo_value("HugePages", &v), -ENOENT); /* a prefix is no key */
	assert_int_equal(meminfo_value("Nope", &v), -ENOENT);
	/* malformed */
	assert_int_equal(meminfo_parse("MemFree: 1 kB\n", &m), -EPROTO);
	assert_int_equal(meminfo_parse("", &m), -EPROTO);
	assert_int_equal(meminfo_parse_value("Key:\n", "Key", &v), -EPROTO);
}

/* used = total - free - buffers - cached - sreclaimable, never below 0 and
 * without overflow on a damaged file (fuzz_procfs found one) */
static void test_meminfo_used(void **st)
{
	(void)st;
	struct meminfo m = {.total = 1000, .free = 100, .buffers = 50, .cached = 200,
			    .sreclaimable = 50};
	assert_int_equal(meminfo_used(&m), 600);
	m.buffers = -5; /* a negative part counts as 0 */
	assert_int_equal(meminfo_used(&m), 650);
	m.free = 2000;
	assert_int_equal(meminfo_used(&m), 0);
	m = (struct meminfo){.total = -22278597, .free = INT64_MAX, .cached = INT64_MAX};
	assert_int_equal(meminfo_used(&m), 0);
	m = (struct meminfo){.total = INT64_MAX, .free = 1};
	assert_int_equal(meminfo_used(&m), INT64_MAX - 1);
}

/* "KEY N" lines: /proc/vmstat, memory.events, memory.oom_control */
static void test_flat_key(void **st)
{
	(void)st;
	long long v = 0;
	const char *events = "low 0\nhigh 0\nmax 12\noom 3\noom_kill 2\n";
	assert_int_equal(telemetry_flat_key_parse(events, "oom_kill", &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(telemetry_flat_key_parse(events, "oom", &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(telemetry_flat_key_parse(events, "oom_group_kill", &v), -ENOENT);
	assert_int_equal(telemetry_flat_key_parse("oom_kill x\n", "oom_kill", &v), -EPROTO);
	assert_int_equal(telemetry_flat_key("/nonexistent/memory.events", "oom_kill"), -1);
}

static void test_pidstat_and_cpu(void **st)
{
	(void)st;
	struct telemetry_pidstat ps;
	assert_int_equal(telemetry_pidstat_parse("1 (a) b) S 7 1 1 0 -1 0 0 0 0 0 11 22 0 0 20 0 1 0 "
						 "99 0 0",
						 &ps),
			 0);
	assert_int_equal(ps.ppid, 7);
	assert_int_equal(ps.ticks, 33);
	assert_int_equal(ps.start, 99);
	assert_int_equal(telemetry_pidstat_parse("1 (x) S 7 1", &ps), -EPROTO);
	assert_int_equal(telemetry_pidstat_parse("no paren", &ps), -EPROTO);
	uint64_t cpu[8];
	assert_int_equal(telemetry_cpu_parse("cpu  1 2 3 4 5 6 7 8 9\n", cpu), 0);
	assert_int_equal(cpu[7], 8);
	assert_int_equal(telemetry_cpu_parse("cpu0 1 2 3 4 5 6 7 8\n", cpu), -EPROTO);
	assert_int_equal(telemetry_cpu_parse("cpu  1 2 3\n", cpu), -EPROTO);

	/* a snapshot: /proc/stat's line and the pid's ticks from the fake root */
	struct telemetry_snap s;
	pid_t pid = 100;
	assert_int_equal(telemetry_snap(&s, &pid, 1), 0);
	assert_int_equal(s.cpu[0], 100);
	assert_int_equal(s.cpu[4], 20);
	assert_int_equal(s.proc_ticks[0], 600);
	assert_true(s.is_qemu[0]);
}

static void test_processes(void **st)
{
	(void)st;
	pid_t roots[] = {100}, out[16];
	int n = proc_tree(roots, 1, out, 16);
	assert_int_equal(n, 3);
	assert_int_equal(out[0], 100);
	assert_int_equal(out[1], 200);
	assert_int_equal(out[2], 300);
	const char *const prefixes[] = {"qemu-system", NULL};
	pid_t skip[] = {100};
	n = proc_find_comm(prefixes, skip, 1, out, 16);
	assert_int_equal(n, 1);
	assert_int_equal(out[0], 400);

	int64_t pss = 0;
	assert_int_equal(proc_pss_kib(100, &pss), 0);
	assert_int_equal(pss, 262144);
	assert_int_equal(proc_pss_kib(200, &pss), -ESRCH); /* no smaps_rollup */
	assert_int_equal(proc_pss_parse("Rss: 1 kB\n", &pss), -ENODATA);

	struct proc_ksm k;
	assert_int_equal(proc_ksm_read(100, &k), 0);
	assert_int_equal(k.merging_pages, 1234);
	assert_int_equal(k.profit, 4096000);
	assert_int_equal(k.mergeable, 1);
	assert_int_equal(k.merge_any, 0);
	assert_int_equal(proc_ksm_read(300, &k), 0); /* the older file */
	assert_int_equal(k.merging_pages, 17);
	assert_int_equal(k.profit, -1);
	assert_int_equal(proc_ksm_read(200, &k), -ENOENT);
}

static int count_threads(const struct telemetry_thread *t, void *arg)
{
	int *vcpus = arg;
	if (t->vcpu >= 0)
		vcpus[t->vcpu]++;
	return 0;
}

static void test_qemu_threads(void **st)
{
	(void)st;
	uint64_t ticks[TEL_QEMU__ROLES];
	assert_int_equal(telemetry_qemu_threads(100, ticks), 1);
	assert_int_equal(ticks[TEL_QEMU_MAIN], 50);
	assert_int_equal(ticks[TEL_QEMU_VCPU], 350);
	assert_int_equal(ticks[TEL_QEMU_IOTHREAD], 50);
	assert_int_equal(ticks[TEL_QEMU_OTHER], 10);
	assert_int_equal(telemetry_qemu_threads(200, ticks), 0); /* no task/ */
	assert_int_equal(telemetry_vhost_kthread_ticks(100), 100);
	assert_int_equal(telemetry_vhost_kthread_ticks(400), 0);
	assert_int_equal(telemetry_qemu_role("vhost-100", 0), TEL_QEMU_VHOST);
	int vcpus[4] = {0};
	assert_int_equal(telemetry_each_thread(100, count_threads, vcpus), 4);
	assert_int_equal(vcpus[0], 1);
	assert_int_equal(telemetry_each_thread(999, count_threads, vcpus), -ENOENT);
}

static void test_ksm_counters(void **st)
{
	(void)st;
	char buf[64];
	struct ksm_stats s;
	assert_int_equal(ksm_stats_read(&s), 0);
	assert_int_equal(s.pages_sharing, 250);
	assert_int_equal(s.full_scans, 3);
	assert_true(s.general_profit == KSM_ABSENT); /* this fake kernel lacks it */
	assert_int_equal(ksm_value_read("advisor_mode", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "none");
	assert_int_equal(ksm_value_parse("  42 \n", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "42");
	assert_int_equal(ksm_value_parse("123456", buf, 4), -EOVERFLOW);
	/* without the counters: an error that names the directory */
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/sys/kernel/mm/ksm/full_scans", root);
	unlink(path);
	assert_int_equal(ksm_stats_read(&s), -ENOENT);
	assert_non_null(strstr(vb_errmsg(), root));
}

/* PSI's "total" per line kind, and the sampler's rows: a run of 0.7 s with
 * a 0.2 s interval has 3 full rows and the rest (fewer when a loaded host
 * wakes the sampler late), the last at the end, each a CPU split that adds
 * up to 100% and a PSI share within 0..100%. */
static void test_series(void **state)
{
	(void)state;
	uint64_t t = 0;
	const char *io = "some avg10=2.22 avg60=1.50 avg300=1.37 total=532667693\n"
			 "full avg10=0.00 avg60=0.00 avg300=0.07 total=265938181\n";
	assert_int_equal(series_psi_parse(io, "some", &t), 0);
	assert_int_equal(t, 532667693);
	assert_int_equal(series_psi_parse(io, "full", &t), 0);
	assert_int_equal(t, 265938181);
	assert_int_equal(series_psi_parse("some avg10=1.00 avg60=0 avg300=0 total=7\n", "full", &t),
			 -ENOENT);
	assert_int_equal(series_psi_parse("some avg10=1.00\nfull total=3\n", "some", &t), -EPROTO);
	assert_int_equal(series_psi_parse("some total=x\n", "some", &t), -EPROTO);

	telemetry_set_root(NULL);
	struct series_sampler *sp;
	struct series s;
	pid_t self = getpid();
	assert_int_equal(series_sampler_start(&sp, &self, 1, 200000000LL), 0);
	struct timespec ts = {0, 700000000L};
	nanosleep(&ts, NULL);
	series_sampler_stop(sp, &s);
	assert_true(s.nrows >= 2 && s.nrows <= 4);
	assert_true(s.t[s.nrows - 1] > 0.69);
	for (int i = 0; i < s.nrows; i++) {
		/* a row ends at its interval's end or later (the sampler woke late) */
		assert_true(i == s.nrows - 1 || s.t[i] > 0.19 * (i + 1));
		assert_true(i == 0 || s.t[i] > s.t[i - 1]);
		double sum = 0;
		const char *parts[] = {"host_user_pct", "host_sys_pct", "host_iowait_pct",
				       "host_steal_pct", "host_idle_pct"};
		for (int k = 0; k < 5; k++) {
			int c = series_col(&s, parts[k]);
			assert_true(c >= 0);
			sum += s.vals[i * s.ncols + c];
		}
		/* zero when no tick passed in the interval (a slow kernel tick) */
		assert_true(sum == 0 || (sum > 99.9 && sum < 100.1));
		int c = series_col(&s, "psi_io_some_pct");
		if (c >= 0)
			assert_true(s.vals[i * s.ncols + c] >= 0 && s.vals[i * s.ncols + c] <= 100.5);
	}
	assert_true(series_col(&s, "target_cpu_pct") >= 0);
	series_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_meminfo),
	    cmocka_unit_test(test_meminfo_used),
	    cmocka_unit_test(test_flat_key),
	    cmocka_unit_test(test_pidstat_and_cpu),
	    cmocka_unit_test(test_processes),
	    cmocka_unit_test(test_qemu_threads),
	    cmocka_unit_test(test_ksm_counters),
	    cmocka_unit_test(test_series),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
