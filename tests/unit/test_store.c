/* store: schema creation and versioning on a real file, and everything a
 * finished experiment stores coming back from store_experiment_json. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "util/err.h"

static char dir[64];
static char dbpath[128];

#define assert_contains(hay, needle)                                                               \
	do {                                                                                       \
		if (!strstr((hay), (needle)))                                                      \
			fail_msg("'%s' does not contain '%s'", (hay), (needle));                   \
	} while (0)

static void remove_file_and_wal(const char *path)
{
	char p[192];
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

static void remove_db(void)
{
	char p[160];
	remove_file_and_wal(dbpath);
	snprintf(p, sizeof(p), "%s/sub/deeper/x.db", dir);
	remove_file_and_wal(p);
	snprintf(p, sizeof(p), "%s/sub/deeper", dir);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/sub", dir);
	rmdir(p);
}

static int setup(void **state)
{
	(void)state;
	vb_err_set_quiet(1);
	snprintf(dir, sizeof(dir), "/tmp/vbtest-store.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(dbpath, sizeof(dbpath), "%s/vmbench.db", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	remove_db();
	return rmdir(dir);
}

static int each_setup(void **state)
{
	(void)state;
	remove_db();
	return 0;
}

static int user_version(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int v = -1;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static void sql(const char *path, const char *text)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	char *msg = NULL;
	if (sqlite3_exec(db, text, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", text, msg);
	sqlite3_close(db);
}

static void test_open_creates_schema(void **state)
{
	struct store *st = NULL;
	(void)state;
	assert_int_equal(access(dbpath, F_OK), -1);
	assert_int_equal(store_open(dbpath, &st), 0);
	assert_non_null(st);
	store_close(st);
	assert_int_equal(access(dbpath, F_OK), 0);
	assert_int_equal(user_version(dbpath), STORE_SCHEMA_VERSION);

	/* every table is there */
	sqlite3 *db;
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT count(*) FROM sqlite_master WHERE type='table'"
					    " AND name IN ('experiment','variant','run','metric',"
					    "'histogram','telemetry')",
					    -1, &s, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 6);
	sqlite3_finalize(s);
	sqlite3_close(db);

	/* reopening keeps the version and does not migrate again */
	assert_int_equal(store_open(dbpath, &st), 0);
	store_close(st);
	assert_int_equal(user_version(dbpath), STORE_SCHEMA_VERSION);

	/* missing directories are created */
	char deep[160];
	snprintf(deep, sizeof(deep), "%s/sub/deeper/x.db", dir);
	assert_int_equal(store_open(deep, &st), 0);
	store_close(st);
	assert_int_equal(user_version(deep), STORE_SCHEMA_VERSION);
}

static void test_newer_schema_refused(void **state)
{
	struct store *st = NULL;
	(void)state;
	sql(dbpath, "PRAGMA user_version = 99");
	vb_errclear();
	int r = store_open(dbpath, &st);
	assert_true(r < 0);
	assert_null(st);
	assert_contains(vb_errmsg(), dbpath);
	assert_contains(vb_errmsg(), "schema version 99");
	assert_contains(vb_errmsg(), "newer");
	assert_int_equal(user_version(dbpath), 99); /* left alone */
}

static void test_not_a_database(void **state)
{
	struct store *st = NULL;
	(void)state;
	FILE *f = fopen(dbpath, "w");
	assert_non_null(f);
	fputs("this is not an SQLite database, not even close; it is just text\n", f);
	fclose(f);
	assert_true(store_open(dbpath, &st) < 0);
	assert_null(st);
	assert_contains(vb_errmsg(), dbpath);
}

static void test_empty(void **state)
{
	struct store *st;
	int64_t id = 42;
	json_t *j = NULL;
	(void)state;
	assert_int_equal(store_open(dbpath, &st), 0);
	assert_int_equal(store_latest_experiment(st, &id), -ENOENT);
	assert_int_equal(id, 42);
	assert_contains(vb_errmsg(), "no experiment");
	assert_int_equal(store_find_experiment(st, "1", &id), -ENOENT);
	assert_int_equal(store_find_experiment(st, "nothing", &id), -ENOENT);
	assert_contains(vb_errmsg(), "'nothing'");
	assert_int_equal(store_experiment_json(st, 1, &j), -ENOENT);
	assert_null(j);
	assert_int_equal(store_experiments_json(st, &j), 0);
	assert_int_equal(json_array_size(j), 0);
	json_decref(j);
	store_close(st);
}

static struct hist *make_hist(void)
{
	struct hist *h = hist_new();
	for (uint64_t v = 1000; v < 2000000; v = v * 11 / 10)
		hist_add(h, v);
	return h;
}

struct fixture {
	int64_t exp, v_native, v_other, run_ok, run_failed;
	struct result res, tel;
};

static void add_experiment(struct store *st, struct fixture *fx)
{
	json_t *host = json_pack("{s:s,s:i}", "hostname", "box", "cpus", 8);
	assert_int_equal(
	    store_experiment_begin(st, "quick", "[experiment]\nname = quick\n", host, &fx->exp), 0);
	json_decref(host);
	json_t *cfg = json_pack("{s:s,s:s}", "target", "native", "workdir", "/var/tmp/x");
	json_t *agent = json_pack("{s:s}", "agent", "v1");
	assert_int_equal(store_variant_add(st, fx->exp, "base", "native", cfg, "argv here", agent,
					   NULL, &fx->v_native),
			 0);
	assert_int_equal(
	    store_variant_add(st, fx->exp, "other", "native", cfg, NULL, NULL, NULL, &fx->v_other),
	    0);
	json_decref(cfg);
	json_decref(agent);

	memset(&fx->res, 0, sizeof(fx->res));
	metric_set(&fx->res, "events_per_s", 1234.5, UNIT_PER_S, AGG_SUM);
	metric_set(&fx->res, "bw", 0.125, UNIT_MIB_S, AGG_SUM);
	metric_hist(&fx->res, "lat", make_hist());
	memset(&fx->tel, 0, sizeof(fx->tel));
	metric_set(&fx->tel, "host_cpu_pct", 37.5, UNIT_PCT, AGG_MEAN);

	json_t *spec = json_pack("{s:i,s:s}", "threads", 2, "time", "1s");
	struct store_run ok = {
	    .variant_id = fx->v_native,
	    .workload = "cpu1",
	    .workload_type = "cpu",
	    .spec = spec,
	    .repeat = 1,
	    .status = "ok",
	    .started = 1700000000.5,
	    .duration_s = 1.25,
	    .error = NULL,
	    .res = &fx->res,
	    .telemetry = &fx->tel,
	};
	assert_int_equal(store_run_add(st, &ok, &fx->run_ok), 0);
	struct store_run failed = ok;
	failed.variant_id = fx->v_other;
	failed.repeat = 2;
	failed.status = "failed";
	failed.error = "workload 'cpu1': it broke";
	failed.res = NULL;
	failed.telemetry = NULL;
	assert_int_equal(store_run_add(st, &failed, &fx->run_failed), 0);
	json_decref(spec);
	assert_int_equal(store_experiment_end(st, fx->exp, "failed"), 0);
}

static json_t *run_by_id(json_t *runs, int64_t id)
{
	size_t i;
	json_t *r;
	json_array_foreach(runs, i,
			   r) if (json_integer_value(json_object_get(r, "id")) == id) return r;
	fail_msg("run %lld missing", (long long)id);
	return NULL;
}

static void check_experiment_json(struct store *st, const struct fixture *fx)
{
	json_t *j = NULL;
	assert_int_equal(store_experiment_json(st, fx->exp, &j), 0);
	assert_non_null(j);
	json_t *e = json_object_get(j, "experiment");
	assert_int_equal(json_integer_value(json_object_get(e, "id")), fx->exp);
	assert_string_equal(json_string_value(json_object_get(e, "name")), "quick");
	assert_string_equal(json_string_value(json_object_get(e, "status")), "failed");
	assert_string_equal(json_string_value(json_object_get(e, "plan")),
			    "[experiment]\nname = quick\n");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(e, "host"), "cpus")),
			 8);
	assert_true(json_is_real(json_object_get(e, "started")));
	assert_true(json_is_real(json_object_get(e, "finished")));

	json_t *vs = json_object_get(j, "variants");
	assert_int_equal(json_array_size(vs), 2);
	json_t *v0 = json_array_get(vs, 0);
	assert_string_equal(json_string_value(json_object_get(v0, "name")), "base");
	assert_string_equal(json_string_value(json_object_get(v0, "target")), "native");
	assert_string_equal(json_string_value(json_object_get(v0, "command")), "argv here");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(v0, "config"), "workdir")),
	    "/var/tmp/x");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(v0, "agent"), "agent")), "v1");
	assert_true(json_is_null(json_object_get(json_array_get(vs, 1), "agent")));

	json_t *runs = json_object_get(j, "runs");
	assert_int_equal(json_array_size(runs), 2);
	json_t *ok = run_by_id(runs, fx->run_ok);
	assert_string_equal(json_string_value(json_object_get(ok, "variant")), "base");
	assert_string_equal(json_string_value(json_object_get(ok, "workload")), "cpu1");
	assert_string_equal(json_string_value(json_object_get(ok, "type")), "cpu");
	assert_int_equal(json_integer_value(json_object_get(ok, "repeat")), 1);
	assert_string_equal(json_string_value(json_object_get(ok, "status")), "ok");
	assert_true(json_is_null(json_object_get(ok, "error")));
	assert_true(json_real_value(json_object_get(ok, "started")) == 1700000000.5);
	assert_true(json_real_value(json_object_get(ok, "duration_s")) == 1.25);
	json_t *spec = json_object_get(ok, "spec");
	assert_int_equal(json_integer_value(json_object_get(spec, "threads")), 2);
	assert_string_equal(json_string_value(json_object_get(spec, "time")), "1s");

	/* every metric with its value and unit */
	json_t *m = json_object_get(ok, "metrics"), *u = json_object_get(ok, "units");
	assert_int_equal(json_object_size(m), (size_t)fx->res.nmetrics);
	assert_int_equal(json_object_size(u), (size_t)fx->res.nmetrics);
	for (int i = 0; i < fx->res.nmetrics; i++) {
		const struct metric *x = &fx->res.metrics[i];
		json_t *val = json_object_get(m, x->name);
		if (!json_is_number(val) || json_number_value(val) != x->value)
			fail_msg("metric %s: stored %g, want %g", x->name, json_number_value(val),
				 x->value);
		assert_string_equal(json_string_value(json_object_get(u, x->name)),
				    unit_name(x->unit));
	}
	assert_true(json_number_value(json_object_get(m, "events_per_s")) == 1234.5);
	assert_string_equal(json_string_value(json_object_get(u, "bw")), "MiB/s");
	assert_non_null(json_object_get(m, "lat_p99_us"));

	json_t *t = json_object_get(ok, "telemetry");
	assert_int_equal(json_object_size(t), 1);
	assert_true(json_number_value(json_object_get(t, "host_cpu_pct")) == 37.5);
	assert_string_equal(json_string_value(json_object_get(
				json_object_get(ok, "telemetry_units"), "host_cpu_pct")),
			    "%");

	/* the histogram decodes to what was stored */
	json_t *h = json_object_get(ok, "histograms");
	assert_int_equal(json_object_size(h), 1);
	const char *enc = json_string_value(json_object_get(h, "lat"));
	assert_non_null(enc);
	struct hist *back = hist_new();
	assert_int_equal(hist_decode(enc, back), 0);
	assert_memory_equal(back, fx->res.hists[0].h, sizeof(*back));
	hist_free(back);

	/* the failed run keeps its error and has empty maps */
	json_t *bad = run_by_id(runs, fx->run_failed);
	assert_string_equal(json_string_value(json_object_get(bad, "status")), "failed");
	assert_string_equal(json_string_value(json_object_get(bad, "error")),
			    "workload 'cpu1': it broke");
	assert_string_equal(json_string_value(json_object_get(bad, "variant")), "other");
	assert_int_equal(json_integer_value(json_object_get(bad, "repeat")), 2);
	assert_int_equal(json_object_size(json_object_get(bad, "metrics")), 0);
	assert_int_equal(json_object_size(json_object_get(bad, "histograms")), 0);
	json_decref(j);
}

static void test_round_trip(void **state)
{
	struct store *st;
	struct fixture fx;
	(void)state;
	assert_int_equal(store_open(dbpath, &st), 0);
	add_experiment(st, &fx);
	check_experiment_json(st, &fx);

	int64_t id = 0;
	assert_int_equal(store_latest_experiment(st, &id), 0);
	assert_int_equal(id, fx.exp);
	store_close(st);

	/* reopening an existing database finds everything again */
	assert_int_equal(store_open(dbpath, &st), 0);
	check_experiment_json(st, &fx);
	store_close(st);
	result_free(&fx.res);
	result_free(&fx.tel);
}

static void test_find(void **state)
{
	struct store *st;
	struct fixture a, b, c;
	int64_t id, other;
	(void)state;
	assert_int_equal(store_open(dbpath, &st), 0);
	add_experiment(st, &a);
	add_experiment(st, &b); /* same name "quick" */
	assert_int_equal(store_experiment_begin(st, "7", NULL, NULL, &other), 0);
	add_experiment(st, &c);
	assert_true(a.exp < b.exp && b.exp < other && other < c.exp);

	char key[32];
	snprintf(key, sizeof(key), "%lld", (long long)a.exp);
	assert_int_equal(store_find_experiment(st, key, &id), 0);
	assert_int_equal(id, a.exp);
	snprintf(key, sizeof(key), "%lld", (long long)b.exp);
	assert_int_equal(store_find_experiment(st, key, &id), 0);
	assert_int_equal(id, b.exp);
	/* a name gives its newest experiment */
	assert_int_equal(store_find_experiment(st, "quick", &id), 0);
	assert_int_equal(id, c.exp);
	/* a name that looks like an id: the id wins if it exists */
	assert_int_equal(store_find_experiment(st, "7", &id), 0);
	assert_int_equal(id, other); /* no experiment has id 7 here */
	assert_int_equal(store_find_experiment(st, "quic", &id), -ENOENT);
	assert_int_equal(store_find_experiment(st, "99", &id), -ENOENT);

	assert_int_equal(store_latest_experiment(st, &id), 0);
	assert_int_equal(id, c.exp);

	json_t *list;
	assert_int_equal(store_experiments_json(st, &list), 0);
	assert_int_equal(json_array_size(list), 4);
	/* newest first, with the run counts */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "id")), c.exp);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "runs")), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "name")),
			    "7");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 1), "runs")), 0);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "status")),
			    "running");
	json_decref(list);

	/* experiment_json of one experiment holds only its own runs */
	json_t *j;
	assert_int_equal(store_experiment_json(st, b.exp, &j), 0);
	json_t *runs = json_object_get(j, "runs");
	assert_int_equal(json_array_size(runs), 2);
	run_by_id(runs, b.run_ok);
	run_by_id(runs, b.run_failed);
	json_decref(j);
	assert_int_equal(store_experiment_json(st, other, &j), 0);
	assert_int_equal(json_array_size(json_object_get(j, "runs")), 0);
	assert_true(json_is_null(json_object_get(json_object_get(j, "experiment"), "plan")));
	json_decref(j);

	store_close(st);
	result_free(&a.res);
	result_free(&a.tel);
	result_free(&b.res);
	result_free(&b.tel);
	result_free(&c.res);
	result_free(&c.tel);
}

/* A run that cannot be stored leaves nothing half-written. */
static void test_run_is_atomic(void **state)
{
	struct store *st;
	int64_t exp, var, run;
	(void)state;
	assert_int_equal(store_open(dbpath, &st), 0);
	assert_int_equal(store_experiment_begin(st, "x", "", NULL, &exp), 0);
	assert_int_equal(store_variant_add(st, exp, "v", "native", NULL, NULL, NULL, NULL, &var),
			 0);
	struct result res;
	memset(&res, 0, sizeof(res));
	metric_set(&res, "a", 1, UNIT_NONE, AGG_SUM);
	metric_set(&res, "b", 2, UNIT_NONE, AGG_SUM);
	struct store_run r = {.variant_id = var,
			      .workload = "w",
			      .workload_type = "cpu",
			      .repeat = 1,
			      .status = "ok",
			      .res = &res};
	/* the same telemetry name twice violates the primary key */
	struct result tel;
	memset(&tel, 0, sizeof(tel));
	tel.nmetrics = 2;
	snprintf(tel.metrics[0].name, sizeof(tel.metrics[0].name), "dup");
	snprintf(tel.metrics[1].name, sizeof(tel.metrics[1].name), "dup");
	r.telemetry = &tel;
	assert_true(store_run_add(st, &r, &run) < 0);
	json_t *j;
	assert_int_equal(store_experiment_json(st, exp, &j), 0);
	assert_int_equal(json_array_size(json_object_get(j, "runs")), 0);
	json_decref(j);
	/* and the store still works */
	r.telemetry = NULL;
	assert_int_equal(store_run_add(st, &r, &run), 0);
	assert_int_equal(store_experiment_json(st, exp, &j), 0);
	assert_int_equal(json_array_size(json_object_get(j, "runs")), 1);
	assert_int_equal(json_object_size(json_object_get(
			     json_array_get(json_object_get(j, "runs"), 0), "metrics")),
			 2);
	json_decref(j);
	store_close(st);
}

static void test_default_path(void **state)
{
	char buf[256];
	(void)state;
	setenv("VMBENCH_DB", "/x/y.db", 1);
	store_default_path(buf, sizeof(buf));
	assert_string_equal(buf, "/x/y.db");
	unsetenv("VMBENCH_DB");
	setenv("XDG_DATA_HOME", "/data", 1);
	store_default_path(buf, sizeof(buf));
	assert_string_equal(buf, "/data/vmbench/vmbench.db");
	unsetenv("XDG_DATA_HOME");
	setenv("HOME", "/home/u", 1);
	store_default_path(buf, sizeof(buf));
	assert_string_equal(buf, "/home/u/.local/share/vmbench/vmbench.db");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_open_creates_schema, each_setup),
	    cmocka_unit_test_setup(test_newer_schema_refused, each_setup),
	    cmocka_unit_test_setup(test_not_a_database, each_setup),
	    cmocka_unit_test_setup(test_empty, each_setup),
	    cmocka_unit_test_setup(test_round_trip, each_setup),
	    cmocka_unit_test_setup(test_find, each_setup),
	    cmocka_unit_test_setup(test_run_is_atomic, each_setup),
	    cmocka_unit_test(test_default_path),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
