/* report: two fixture experiments written through the store API with fixed
 * data (timestamps, host, version and every figure fixed, so nothing depends
 * on this host or the clock) are read back and rendered in every format;
 * each output is compared byte for byte with tests/golden/report/:
 *
 *   bench.{txt,json,csv,summary.csv,html,compare.txt}    two variants, cpu and
 *       blkio, three repeats, histograms and telemetry, a failed run and a
 *       skipped one
 *   density.{txt,json,csv,summary.csv,html,compare.txt}  a density experiment:
 *       one variant, KSM off then on, steps and launches; a skipped one
 *   matrix.{txt,json,html}  16 variants from four axes (bus x cache x aio x
 *       iothread) with known effects and a bus x iothread interaction, a
 *       cell whose runs failed and an A/A duplicate: the effects section,
 *       the noise floor and the bar charts grouped by axis
 *
 *   VB_REGEN_GOLDEN=1 build/tests/test_report    rewrites the golden files;
 *   review them with git diff before committing (tests/golden/README.md).
 *
 * Beyond the bytes: every format is registered and renders, a skipped run
 * shows as "skipped: REASON" in text and HTML and as its status in JSON and
 * CSV, the density section is in all four, and a format's unknown option is
 * refused with the valid ones named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "report/report.h"
#include "store/density_store.h"
#include "store/store.h"
#include "telemetry/series.h"
#include "util/err.h"

static char dir[64], dbpath[128], golden_dir[PATH_MAX];
static struct store *st;
static int64_t bench_id, density_id, matrix_id;

#define T0 1767225600.0 /* 2026-01-01 00:00:00 UTC */

static int regen(void)
{
	const char *e = getenv("VB_REGEN_GOLDEN");
	return e && *e && strcmp(e, "0") != 0;
}

static void set_golden_dir(void)
{
	const char *env = getenv("VB_GOLDEN_DIR");
	char file[PATH_MAX];
	if (env && *env) {
		snprintf(golden_dir, sizeof(golden_dir), "%s", env);
		return;
	}
	snprintf(file, sizeof(file), "%s", __FILE__);
	snprintf(golden_dir, sizeof(golden_dir), "%s/../golden/report", dirname(file));
}

static void sql(const char *q)
{
	char *msg = NULL;
	if (sqlite3_exec(store_handle(st), q, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", q, msg);
}

/* A latency histogram of `count` values spread from lo_ns to hi_ns with a
 * tail: fixed, so its percentiles are too. */
static struct hist *latencies(uint64_t lo_ns, uint64_t hi_ns, int count)
{
	struct hist *h = hist_new();
	assert_non_null(h);
	for (int i = 0; i < count; i++) {
		uint64_t v =
		    lo_ns + (hi_ns - lo_ns) * (uint64_t)((i * 7919) % count) / (uint64_t)count;
		hist_add(h, i % 50 == 0 ? v * 4 : v);
	}
	return h;
}

static void add_run(int64_t vid, const char *workload, const char *type, int repeat,
		    const char *status, const char *error, double scale)
{
	struct result res = {0}, tel = {0};
	json_t *spec =
	    strcmp(type, "cpu") == 0
		? json_pack("{s:i, s:s, s:i}", "max-prime", 10000, "time", "10s", "threads", 1)
		: json_pack("{s:s, s:s, s:s, s:i, s:s}", "filename", "blkio.dat", "rw", "randread",
			    "bs", "4k", "iodepth", 32, "engine", "io_uring");
	if (strcmp(status, "ok") == 0) {
		if (strcmp(type, "cpu") == 0) {
			metric_set(&res, "events_per_s", 1000 * scale + 3 * repeat, UNIT_PER_S,
				   AGG_SUM);
			metric_hist(&res, "lat", latencies(900000, 1100000 + 20000 * repeat, 400));
		} else {
			metric_set(&res, "read_iops", 40000 * scale - 150 * repeat, UNIT_PER_S,
				   AGG_SUM);
			metric_set(&res, "read_mib_s", 156.25 * scale - 0.5 * repeat, UNIT_MIB_S,
				   AGG_SUM);
			metric_set(&res, "cpu_us_per_io", 2.5 / scale + 0.01 * repeat, UNIT_US,
				   AGG_MEAN);
			metric_hist(
			    &res, "read_clat",
			    latencies((uint64_t)(80000 / scale), (uint64_t)(900000 / scale), 600));
		}
		metric_set(&tel, "host_iowait_pct", strcmp(type, "cpu") ? 11.5 + repeat : 0,
			   UNIT_PCT, AGG_MEAN);
		metric_set(&tel, "target_cpu_pct", 97.0 + repeat * 0.5, UNIT_PCT, AGG_MEAN);
	}
	struct store_run r = {.variant_id = vid,
			      .workload = workload,
			      .workload_type = type,
			      .spec = spec,
			      .repeat = repeat,
			      .status = status,
			      .started = T0 + 10 * repeat,
			      .duration_s = strcmp(status, "ok") == 0 ? 10.0 : 0,
			      .error = error,
			      .res = &res,
			      .telemetry = &tel};
	int64_t id;
	assert_int_equal(store_run_add(st, &r, &id), 0);
	result_free(&res);
	result_free(&tel);
	json_decref(spec);
}

static void make_bench(void)
{
	json_t *host = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i}", "hostname", "fixture-host",
				 "kernel", "6.1.0-test", "arch", "x86_64", "cpu_model",
				 "Fixture CPU @ 2.00GHz", "cores", 4, "mem_total_mib", 8192);
	int64_t va, vb;
	assert_int_equal(store_experiment_begin(st, "bench",
						"; <the plan> & co\n[experiment]\nname = "
						"bench\nrepeat = 3\n",
						host, &bench_id),
			 0);
	json_t *cfg =
	    json_pack("{s:s, s:i, s:s}", "baseline", "a", "repeat", 3, "order", "interleaved");
	assert_int_equal(store_experiment_set_config(st, bench_id, cfg), 0);
	json_t *vcfg = json_pack("{s:s, s:s}", "target", "native", "workdir", "/var/tmp/vb");
	json_t *agent = json_pack("{s:s, s:i, s:s}", "type", "hello", "proto", 1, "agent", "test");
	json_t *facts = json_pack("{s:s}", "accel", "none");
	assert_int_equal(store_variant_add(st, bench_id, "a", "native", vcfg,
					   "vmbench-agent --workdir /var/tmp/vb", agent, facts,
					   &va),
			 0);
	assert_int_equal(store_variant_add(st, bench_id, "b<&>", "native", vcfg,
					   "vmbench-agent --workdir /var/tmp/vb", agent, facts,
					   &vb),
			 0);
	for (int rep = 1; rep <= 3; rep++) {
		add_run(va, "cpu", "cpu", rep, "ok", NULL, 1.0);
		add_run(vb, "cpu", "cpu", rep, "ok", NULL, 0.8);
		add_run(va, "rr", "blkio", rep, "ok", NULL, 1.0);
		add_run(vb, "rr", "blkio", rep, "ok", NULL, 1.25);
	}
	add_run(vb, "rr", "blkio", 4, "failed", "agent died: <timeout> after 130 s", 1);
	add_run(va, "cpu", "cpu", 4, "skipped", "needs KVM: /dev/kvm is missing", 1);
	assert_int_equal(store_experiment_end(st, bench_id, "done"), 0);
	json_decref(host);
	json_decref(cfg);
	json_decref(vcfg);
	json_decref(agent);
	json_decref(facts);
}

static void make_density(void)
{
	json_t *host = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i}", "hostname", "fixture-host",
				 "kernel", "6.1.0-test", "arch", "x86_64", "cpu_model",
				 "Fixture CPU @ 2.00GHz", "cores", 4, "mem_total_mib", 8192);
	assert_int_equal(
	    store_experiment_begin(st, "dens", "[density]\ncount = 3\n", host, &density_id), 0);
	json_t *notes = json_array();
	const char *ksm[2] = {"off", "on"};
	for (int k = 0; k < 2; k++)
		json_array_append_new(
		    notes,
		    json_pack("{s:s, s:s, s:s, s:i, s:s, s:{s:f, s:f, s:f}, s:b}", "variant",
			      "native", "ksm", ksm[k], "target", "native", "reached", 3, "stopped",
			      "reached count=3", "baseline", "used_mib", 900.0, "available_mib",
			      7000.0, "total_mib", 8192.0, "ksm_restored", 1));
	/* a variant whose target is unavailable here: skipped, with why */
	json_array_append_new(
	    notes, json_pack("{s:s, s:s, s:s, s:i, s:b, s:s}", "variant", "vm", "ksm", "off",
			     "target", "qemu", "reached", 0, "skipped", 1, "stopped",
			     "target qemu is unavailable: no qemu-system-x86_64"));
	json_t *cfg =
	    json_pack("{s:{s:o, s:{s:i}}}", "density", "ramps", notes, "options", "count", 3);
	assert_int_equal(store_experiment_set_config(st, density_id, cfg), 0);
	struct density_store *ds;
	assert_int_equal(density_store_open(st, &ds), 0);
	for (int k = 0; k < 2; k++)
		for (int n = 1; n <= 3; n++) {
			double per = k ? 6.0 - n : 8.0;
			json_t *kj =
			    k ? json_pack("{s:i, s:i, s:i, s:i, s:b, s:f, s:[[f, i], [f, i]]}",
					  "pages_sharing", 300 * n, "pages_shared", 40 * n,
					  "pages_unshared", 5000, "full_scans", 2 + n, "converged",
					  1, "ksm_s", 1.5 * n, "samples", 1.0 * n, 100 * n,
					  1.0 * n + 0.5, 300 * n)
			      : NULL;
			struct density_step_row row = {.experiment_id = density_id,
						       .variant = "native",
						       .ksm = ksm[k],
						       .n = n,
						       .used_mib = per * n,
						       .available_mib = per * n + 0.5,
						       .pss_mib = (per - 1) * n,
						       .per_instance_mib = per,
						       .launch_s_median = 0.05 + 0.01 * n,
						       .settle_s = 1.0 + n,
						       .stable = n != 2 || k == 0,
						       .ksm_json = kj};
			assert_int_equal(density_store_step_add(ds, &row), 0);
			json_decref(kj);
			assert_int_equal(density_store_launch_add(ds, density_id, "native", ksm[k],
								  n, 0.04 + 0.01 * n + 0.002 * k),
					 0);
		}
	density_store_close(ds);
	assert_int_equal(store_experiment_end(st, density_id, "done"), 0);
	json_decref(host);
	json_decref(cfg);
}

/* The matrix: IOPS = 20000 x 1.6 (nvme) x 0.9 (writeback) x 1.05 (native)
 * x 1.2 (nvme with an iothread), a fixed +-1% pattern over the repeats. */
static const char *const M_BUS[] = {"virtio-blk", "nvme"}, *const M_CACHE[] = {"none", "writeback"},
			 *const M_AIO[] = {"threads", "native"}, *const M_IOT[] = {"off", "on"};

static void matrix_run(int64_t vid, int repeat, double iops, const char *status)
{
	struct result res = {0};
	if (strcmp(status, "ok") == 0) {
		metric_set(&res, "read_iops", iops, UNIT_PER_S, AGG_SUM);
		metric_set(&res, "read_clat_p99_us", 4e7 / iops, UNIT_US, AGG_MEAN);
	}
	json_t *spec = json_pack("{s:s, s:s, s:i}", "rw", "randread", "bs", "4k", "iodepth", 1);
	struct store_run r = {.variant_id = vid,
			      .workload = "rr",
			      .workload_type = "blkio",
			      .spec = spec,
			      .repeat = repeat,
			      .status = status,
			      .started = T0 + 10 * repeat,
			      .duration_s = 10.0,
			      .error = strcmp(status, "ok") ? "guest did not boot" : NULL,
			      .res = &res};
	int64_t id;
	assert_int_equal(store_run_add(st, &r, &id), 0);
	result_free(&res);
	json_decref(spec);
}

static void make_matrix(void)
{
	json_t *host = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i}", "hostname", "fixture-host",
				 "kernel", "6.1.0-test", "arch", "x86_64", "cpu_model",
				 "Fixture CPU @ 2.00GHz", "cores", 4, "mem_total_mib", 8192);
	assert_int_equal(store_experiment_begin(st, "matrix",
						"[variant vm]\nbus = virtio-blk,nvme\ncache = "
						"none,writeback\naio = threads,native\niothread = "
						"off,on\n",
						host, &matrix_id),
			 0);
	json_t *cfg = json_pack("{s:i}", "repeat", 3);
	assert_int_equal(store_experiment_set_config(st, matrix_id, cfg), 0);
	static const double jitter[3] = {1.0, 1.01, 0.99};
	int64_t vids[17];
	for (int c = 0; c < 17; c++) {
		int k = c < 16 ? c : 0; /* the 17th: an A/A duplicate of the first */
		int bus = k >> 3 & 1, cache = k >> 2 & 1, aio = k >> 1 & 1, iot = k & 1;
		char name[96];
		if (c < 16)
			snprintf(name, sizeof(name), "vm-bus%s-cache%s-aio%s-iothread%s", M_BUS[bus],
				 M_CACHE[cache], M_AIO[aio], M_IOT[iot]);
		else
			snprintf(name, sizeof(name), "vm-again");
		json_t *vc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i}", "target", "qemu", "bus",
				       M_BUS[bus], "cache", M_CACHE[cache], "aio", M_AIO[aio],
				       "iothread", M_IOT[iot], "smp", 2);
		assert_int_equal(store_variant_add(st, matrix_id, name, "qemu", vc, "qemu ...",
						   NULL, NULL, &vids[c]),
				 0);
		json_decref(vc);
	}
	for (int rep = 1; rep <= 3; rep++)
		for (int c = 0; c < 17; c++) {
			int k = c < 16 ? c : 0;
			int bus = k >> 3 & 1, cache = k >> 2 & 1, aio = k >> 1 & 1, iot = k & 1;
			double v = 20000 * (bus ? 1.6 : 1) * (cache ? 0.9 : 1) * (aio ? 1.05 : 1) *
				   (bus && iot ? 1.2 : 1) * jitter[(rep + c) % 3];
			/* one cell's runs failed: nvme, writeback, native, iothread on */
			matrix_run(vids[c], rep, v, c == 15 ? "failed" : "ok");
		}
	assert_int_equal(store_experiment_end(st, matrix_id, "done"), 0);
	json_decref(host);
	json_decref(cfg);
}

static int setup(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	set_golden_dir();
	snprintf(dir, sizeof(dir), "/tmp/vbtest-report.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(dbpath, sizeof(dbpath), "%s/fixture.db", dir);
	if (store_open(dbpath, &st) < 0)
		return -1;
	make_bench();
	make_density();
	make_matrix();
	/* what the store takes from the clock and the build, fixed */
	char q[256];
	snprintf(q, sizeof(q),
		 "UPDATE experiment SET started = %.1f, finished = %.1f + 60 * id, "
		 "vmbench_version = 'fixture'",
		 T0, T0);
	sql(q);
	return 0;
}

static int teardown(void **state)
{
	char p[192];
	(void)state;
	store_close(st);
	const char *sfx[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", dbpath, sfx[i]);
		unlink(p);
	}
	return rmdir(dir);
}

/* Renders experiment id in a format into a malloc'd string. */
static char *render(int64_t id, const char *format, const char *set)
{
	const struct report_ops *ops = report_find(format);
	json_t *exp;
	char *buf = NULL;
	size_t len = 0;
	const char *sets[] = {set, NULL};
	struct report_req req = {
	    .db_path = "fixture.db", .generator = "vmbench fixture", .sets = sets};
	assert_non_null(ops);
	assert_int_equal(store_experiment_json(st, id, &exp), 0);
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(report_experiment(ops, exp, NULL, &req, f), 0);
	fclose(f);
	json_decref(exp);
	return buf;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	if (!f)
		return NULL;
	FILE *m = open_memstream(&buf, &len);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(f);
	fclose(m);
	return buf;
}

/* Compares (or with VB_REGEN_GOLDEN rewrites) one golden file; on a
 * difference names the first differing line. */
static int golden(const char *name, const char *got)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s", golden_dir, name);
	if (regen()) {
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs(got, f);
		fclose(f);
		return 0;
	}
	char *want = slurp(path);
	if (want && strcmp(want, got) == 0) {
		free(want);
		return 0;
	}
	int line = 1;
	const char *a = got, *b = want ? want : "";
	while (*a && *a == *b) {
		line += *a == '\n';
		a++;
		b++;
	}
	print_error("golden %s differs at line %d (VB_REGEN_GOLDEN=1 rewrites it)%s\n", path, line,
		    want ? "" : ": no such file");
	free(want);
	return 1;
}

static const struct {
	const char *file, *format, *set;
} outputs[] = {
    {"txt", "text", NULL},  {"json", "json", NULL},
    {"csv", "csv", NULL},   {"summary.csv", "csv", "summary=on"},
    {"html", "html", NULL}, {"compare.txt", "compare", NULL},
};

static void test_golden(void **state)
{
	int bad = 0;
	(void)state;
	for (size_t i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++) {
		char name[64];
		char *got = render(bench_id, outputs[i].format, outputs[i].set);
		snprintf(name, sizeof(name), "bench.%s", outputs[i].file);
		bad += golden(name, got);
		free(got);
		got = render(density_id, outputs[i].format, outputs[i].set);
		snprintf(name, sizeof(name), "density.%s", outputs[i].file);
		bad += golden(name, got);
		free(got);
		if (strcmp(outputs[i].file, "txt") && strcmp(outputs[i].file, "json") &&
		    strcmp(outputs[i].file, "html"))
			continue;
		got = render(matrix_id, outputs[i].format, outputs[i].set);
		snprintf(name, sizeof(name), "matrix.%s", outputs[i].file);
		bad += golden(name, got);
		free(got);
	}
	assert_int_equal(bad, 0);
}

#define assert_has(hay, needle)                                                                    \
	do {                                                                                       \
		if (!strstr((hay), (needle)))                                                      \
			fail_msg("%s: no '%s'", #hay, (needle));                                   \
	} while (0)

/* What the golden files must show, said once more so that a regeneration
 * cannot quietly lose it. */
static void test_content(void **state)
{
	(void)state;
	char *text = render(bench_id, "text", NULL), *html = render(bench_id, "html", NULL);
	char *json = render(bench_id, "json", NULL), *csv = render(bench_id, "csv", NULL);
	assert_has(text, "a / cpu #4: skipped: needs KVM: /dev/kvm is missing");
	assert_has(text, "b<&> / rr #4: agent died: <timeout> after 130 s");
	assert_has(text, "12 runs ok, 1 failed, 1 skipped");
	assert_has(html, "skipped: needs KVM: /dev/kvm is missing");
	assert_has(html, "b&lt;&amp;&gt;");
	assert_has(html, "agent died: &lt;timeout&gt;");
	assert_true(strstr(html, "b<&>") == NULL);
	assert_has(json, "\"runs_skipped\": 1");
	assert_has(json, "\"status\": \"skipped\"");
	assert_has(csv, ",cpu,cpu,4,skipped,run,,,\n");
	assert_has(csv, ",rr,blkio,4,failed,run,,,\n");
	free(text);
	free(html);
	free(json);
	free(csv);

	text = render(density_id, "text", NULL);
	html = render(density_id, "html", NULL);
	json = render(density_id, "json", NULL);
	csv = render(density_id, "csv", NULL);
	assert_has(text, "variant native (native), KSM on: 3 instances; reached count=3");
	assert_has(text, "launch (exec -> hello): median 0.062 s, p99 0.072 s, max 0.072 s over 3");
	/* per instance at N = 3: used 8 -> 3, available 8.17 -> 3.17, PSS 7 -> 2 */
	assert_has(text, "native N=3: used 8.0 -> 3.0 MiB (-62.5%), available 8.2 -> 3.2 MiB");
	assert_has(text, "variant vm (qemu), KSM off: skipped: target qemu is unavailable");
	assert_has(html, "skipped: target qemu is unavailable");
	assert_has(html, "<section id=\"density\">");
	assert_has(json, "\"ksm_savings\"");
	assert_has(csv, ",ksm-on,density,3,stable,density,pss_mib,6,MiB\n");
	assert_has(csv, "\n2,,vm,ksm-off,density,0,skipped,density,,,\n");
	free(text);
	free(html);
	free(json);
	free(csv);
}

static void test_formats(void **state)
{
	(void)state;
	const struct report_ops *const *all = report_all();
	int n = 0;
	for (int i = 0; all[i]; i++, n++) {
		assert_non_null(all[i]->render);
		assert_ptr_equal(report_find(all[i]->name), all[i]);
	}
	assert_int_equal(n, 6);
	char names[64];
	report_names(names, sizeof(names));
	assert_string_equal(names, "text|json|csv|html|compare|series");
	assert_null(report_find("yaml"));

	/* a format's options: unknown ones and options for a format without
	 * any are refused with a message naming them */
	void *o;
	const char *bad[] = {"nope=1", NULL};
	vb_err_set_quiet(1);
	assert_true(report_parse_opts(report_find("csv"), bad, &o) < 0);
	assert_non_null(strstr(vb_errmsg(), "nope"));
	assert_non_null(strstr(vb_errmsg(), "summary"));
	const char *sum[] = {"summary=on", NULL};
	assert_int_equal(report_parse_opts(report_find("html"), sum, &o), -EINVAL);
	assert_non_null(strstr(vb_errmsg(), "format 'html' has no options"));
	vb_err_set_quiet(0);
	assert_int_equal(report_parse_opts(report_find("csv"), sum, &o), 0);
	assert_non_null(o);
	free(o);
}

/* Host time series: stored with a run (a column that appears in the second
 * sample is null in the first), read back as run.series, written by
 * --format series as CSV and drawn in the HTML page. */
static void test_series(void **state)
{
	(void)state;
	int64_t id, vid;
	json_t *host = json_pack("{s:s}", "hostname", "fixture-host");
	json_t *vcfg = json_pack("{s:s}", "target", "native");
	assert_int_equal(store_experiment_begin(st, "series", "[experiment]\n", host, &id), 0);
	assert_int_equal(store_variant_add(st, id, "a", "native", vcfg, "agent", NULL, NULL, &vid),
			 0);
	struct series ser;
	struct result r1 = {0}, r2 = {0}, res = {0};
	series_init(&ser, 2);
	metric_set(&r1, "host_iowait_pct", 12.5, UNIT_PCT, AGG_MEAN);
	metric_set(&r2, "host_iowait_pct", 30, UNIT_PCT, AGG_MEAN);
	metric_set(&r2, "target_cpu_pct", 95, UNIT_PCT, AGG_SUM);
	assert_int_equal(series_add(&ser, 2.0, &r1), 0);
	assert_int_equal(series_add(&ser, 3.5, &r2), 0);
	assert_int_equal(ser.ncols, 2);
	assert_true(isnan(ser.vals[1])); /* row 0 lacks target_cpu_pct */
	metric_set(&res, "read_iops", 1000, UNIT_PER_S, AGG_SUM);
	struct store_run run = {.variant_id = vid, .workload = "rr", .workload_type = "blkio",
				.repeat = 1, .status = "ok", .started = T0, .duration_s = 3.5,
				.res = &res, .telemetry = &r1, .series = &ser};
	assert_int_equal(store_run_add(st, &run, NULL), 0);
	run.repeat = 2;
	run.series = NULL; /* a run without a series has no "series" */
	assert_int_equal(store_run_add(st, &run, NULL), 0);
	assert_int_equal(store_experiment_end(st, id, "done"), 0);

	char *csv = render(id, "series", NULL), *json = render(id, "json", NULL);
	char want[512];
	snprintf(want, sizeof(want),
		 "experiment,run,variant,workload,repeat,t_s,name,value\n"
		 "%lld,%%lld,a,rr,1,2.000,host_iowait_pct,12.5\n",
		 (long long)id);
	json_t *exp;
	assert_int_equal(store_experiment_json(st, id, &exp), 0);
	json_t *runs = json_object_get(exp, "runs");
	json_int_t rid = json_integer_value(json_object_get(json_array_get(runs, 0), "id"));
	char head[512];
	snprintf(head, sizeof(head), want, (long long)rid);
	assert_true(strncmp(csv, head, strlen(head)) == 0);
	snprintf(want, sizeof(want),
		 "%lld,%lld,a,rr,1,3.500,host_iowait_pct,30\n%lld,%lld,a,rr,1,3.500,target_cpu_pct,95\n",
		 (long long)id, (long long)rid, (long long)id, (long long)rid);
	assert_string_equal(csv + strlen(head), want);
	json_t *sj = json_object_get(json_array_get(runs, 0), "series");
	assert_int_equal(json_array_size(json_object_get(sj, "t_s")), 2);
	assert_true(json_is_null(json_array_get(json_object_get(sj, "target_cpu_pct"), 0)));
	assert_true(json_real_value(json_array_get(json_object_get(sj, "target_cpu_pct"), 1)) == 95);
	assert_null(json_object_get(json_array_get(runs, 1), "series"));
	assert_has(json, "\"series\": {");
	char *html = render(id, "html", NULL);
	assert_has(html, "rr: host %iowait (as sar -u computes it) during the run");
	assert_has(html, "rr: CPU of the target&#39;s processes during the run");
	free(html);
	free(csv);
	free(json);
	json_decref(exp);
	series_free(&ser);
	result_free(&r1);
	result_free(&r2);
	result_free(&res);
	json_decref(host);
	json_decref(vcfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_formats),
	    cmocka_unit_test(test_golden),
	    cmocka_unit_test(test_content),
	    cmocka_unit_test(test_series),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
