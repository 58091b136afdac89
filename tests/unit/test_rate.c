/* Rate sweeps (src/report/rate.c) from an experiment written through the
 * store with known latencies: two variants x an open-loop http workload at
 * three rates (the names a plan's `rate` axis gives), each run's `lat`
 * holding fixed values, so the pooled percentiles are known. Also: a
 * closed-loop http workload and a copy of the sweep for one variant with
 * other server-cpus join no sweep / the same sweep, a generator that fell
 * behind is counted, and the text, JSON and HTML carry the sweep. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/analysis.h"
#include "report/rate.h"
#include "report/report.h"
#include "store/store.h"
#include "util/err.h"

static char dir[64], dbpath[128];
static struct store *st;
static int64_t exp_id;

/* n values of v ns and n/100 of 10 v (the p99.9 tail) */
static struct hist *lat(uint64_t v, int n)
{
	struct hist *h = hist_new();
	for (int i = 0; i < n; i++)
		hist_add(h, i % 100 == 99 ? 10 * v : v);
	return h;
}

static void run(int64_t vid, const char *name, double rate, const char *server_cpus,
		uint64_t lat_ns, int behind, const char *load)
{
	struct result res = {0}, tel = {0};
	json_t *spec = json_pack("{s:s,s:f,s:s,s:s,s:s}", "load", load, "rate", rate, "time", "2s",
				 "server-cpus", server_cpus, "kind", "download");
	metric_set(&res, "requests_per_s", rate > 0 ? rate * 0.99 : 500, UNIT_PER_S, AGG_SUM);
	metric_set(&res, "generator_behind", behind, UNIT_NONE, AGG_MAX);
	metric_hist(&res, "lat", lat(lat_ns, 1000));
	struct store_run r = {.variant_id = vid,
			      .workload = name,
			      .workload_type = "http",
			      .spec = spec,
			      .repeat = 1,
			      .status = "ok",
			      .started = 1767225600.0,
			      .duration_s = 2,
			      .res = &res,
			      .telemetry = &tel};
	assert_int_equal(store_run_add(st, &r, NULL), 0);
	result_free(&res);
	json_decref(spec);
}

static int setup(void **state)
{
	(void)state;
	vb_err_set_quiet(1);
	snprintf(dir, sizeof(dir), "/tmp/vbtest-rate.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(dbpath, sizeof(dbpath), "%s/r.db", dir);
	if (store_open(dbpath, &st) < 0)
		return -1;
	json_t *host = json_pack("{s:s}", "hostname", "fixture");
	json_t *vcfg = json_pack("{s:s}", "target", "native");
	json_t *agent = json_pack("{s:s,s:i,s:s}", "type", "hello", "proto", 1, "agent", "t");
	int64_t va, vb;
	if (store_experiment_begin(st, "sweep", "", host, &exp_id) < 0 ||
	    store_variant_add(st, exp_id, "fast", "native", vcfg, "", agent, NULL, &va) < 0 ||
	    store_variant_add(st, exp_id, "slow", "native", vcfg, "", agent, NULL, &vb) < 0)
		return -1;
	static const double rates[] = {400, 100, 200}; /* out of order on purpose */
	for (int i = 0; i < 3; i++) {
		char name[32];
		snprintf(name, sizeof(name), "dl-rate%.0f", rates[i]);
		run(va, name, rates[i], "1", 1000000 * (uint64_t)(i + 1), 0, "open"); /* 1-3 ms */
		/* "slow" ran a copy without server-cpus, as a one-vCPU guest would */
		snprintf(name, sizeof(name), "dlvm-rate%.0f", rates[i]);
		run(vb, name, rates[i], "", 50000000, rates[i] == 400, "open"); /* 50 ms */
	}
	run(va, "closed", 0, "1", 1000000, 0, "closed");
	store_experiment_end(st, exp_id, "done");
	json_decref(host);
	json_decref(vcfg);
	json_decref(agent);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	store_close(st);
	char p[192];
	const char *sfx[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", dbpath, sfx[i]);
		unlink(p);
	}
	return rmdir(dir);
}

static void test_sweep(void **state)
{
	(void)state;
	json_t *exp;
	struct analysis *a;
	struct analysis_opts o = ANALYSIS_OPTS_DEFAULT;
	assert_int_equal(store_experiment_json(st, exp_id, &exp), 0);
	assert_int_equal(analysis_build(exp, &o, &a), 0);
	assert_non_null(a->rates);
	assert_int_equal(a->rates->nsweeps, 1); /* the closed loop is no sweep */
	const struct rate_sweep *sw = &a->rates->sweeps[0];
	assert_string_equal(sw->name, "dl");
	assert_int_equal(sw->ncurves, 2);
	assert_string_equal(sw->curves[0].variant, "fast");
	assert_int_equal(sw->curves[0].n, 3);
	assert_int_equal(sw->curves[1].n, 3);
	/* by rising rate, with each rate's own latency */
	const struct rate_point *p = sw->curves[0].pts;
	assert_true(p[0].offered == 100 && p[1].offered == 200 && p[2].offered == 400);
	assert_true(fabs(p[0].p50_us - 2000) < 2000 * 0.02);	/* rate 100: 2 ms */
	assert_true(fabs(p[1].p50_us - 3000) < 3000 * 0.02);	/* rate 200: 3 ms */
	assert_true(fabs(p[2].p50_us - 1000) < 1000 * 0.02);	/* rate 400: 1 ms */
	assert_true(fabs(p[2].p999_us - 10000) < 10000 * 0.02); /* the tail */
	assert_true(fabs(p[0].achieved - 99) < 1e-9);
	const struct rate_point *q = sw->curves[1].pts;
	assert_true(fabs(q[1].p99_us - 50000) < 50000 * 0.02);
	assert_int_equal(q[2].behind, 1);
	assert_int_equal(q[0].behind, 0);
	assert_int_equal(q[0].ok, 1);

	json_t *j = analysis_to_json(a);
	json_t *pts = json_object_get(
	    json_array_get(
		json_object_get(json_array_get(json_object_get(j, "rate_sweeps"), 0), "variants"),
		1),
	    "points");
	assert_int_equal(json_array_size(pts), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(pts, 2), "behind")), 1);
	json_decref(j);

	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	report_rate_text(f, a->rates);
	fclose(f);
	assert_non_null(strstr(buf, "rate sweep dl:"));
	assert_non_null(strstr(buf, "generator behind"));
	free(buf);
	f = open_memstream(&buf, &len);
	report_rate_html(f, a->rates);
	fclose(f);
	assert_non_null(strstr(buf, "<section id=\"rates\">"));
	assert_non_null(strstr(buf, "p99 latency (log scale)"));
	assert_non_null(strstr(buf, "(generator behind)"));
	free(buf);
	analysis_free(a);
	json_decref(exp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sweep),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
