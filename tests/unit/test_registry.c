/* The registries of extension points: workloads, engines, targets, disks
 * and report formats. For each: names are unique and non-empty, the hooks
 * the callers rely on are there, and every option table's defaults parse
 * (a default that does not parse breaks every plan that leaves it out).
 * The experiment's and density's own option tables are checked the same way,
 * and no table names an option twice (the second would never be reached). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/option.h"
#include "density/density.h" /* and the plan (plan_experiment_options) */
#include "disk/disk.h"
#include "engines/engine.h"
#include "report/report.h"
#include "targets/target.h"
#include "util/err.h"
#include "workloads/workload.h"

/* Names compare with '-' and '_' alike, as opt_find does. */
static int same_name(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a == '_' ? '-' : *a, y = *b == '_' ? '-' : *b;
		if (x != y)
			return 0;
	}
	return *a == *b;
}

/* The table's defaults parse into a struct of opts_size bytes (with a
 * guard after it that must stay untouched), and no option is named twice. */
static void check_table(const char *what, const struct opt_def *tbl, size_t opts_size)
{
	if (!tbl)
		return;
	if (!opts_size)
		fail_msg("%s: an option table but opts_size 0", what);
	unsigned char *obj = calloc(1, opts_size + 64);
	assert_non_null(obj);
	memset(obj + opts_size, 0xa5, 64);
	vb_err_set_quiet(1);
	int r = opt_defaults(tbl, obj);
	vb_err_set_quiet(0);
	if (r < 0)
		fail_msg("%s: a default does not parse: %s", what, vb_errmsg());
	for (int i = 0; i < 64; i++)
		if (obj[opts_size + i] != 0xa5)
			fail_msg("%s: an option writes past opts_size", what);
	for (const struct opt_def *d = tbl; d->name; d++) {
		if (!*d->name || !d->help || !*d->help)
			fail_msg("%s: option '%s' without a name or help", what, d->name);
		if (d->off + (d->type == OPT_T_STR ? d->len : 1) > opts_size)
			fail_msg("%s: option '%s' lies outside opts_size", what, d->name);
		if (d->type == OPT_T_ENUM && (!d->choices || !d->choices[0]))
			fail_msg("%s: enum option '%s' without choices", what, d->name);
		for (const struct opt_def *e = d + 1; e->name; e++)
			if (same_name(d->name, e->name))
				fail_msg("%s: option '%s' is listed twice", what, d->name);
	}
	free(obj);
}

/* names[0..n) are unique and non-empty. */
static void check_names(const char *what, const char *const *names, int n)
{
	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		if (!names[i] || !*names[i])
			fail_msg("%s #%d has no name", what, i);
		for (int j = i + 1; j < n; j++)
			if (strcmp(names[i], names[j]) == 0)
				fail_msg("%s '%s' is registered twice", what, names[i]);
	}
}

static void test_workloads(void **state)
{
	const struct workload_ops *const *all = workload_all();
	const char *names[64];
	int n = 0;
	(void)state;
	for (; all[n]; n++) {
		const struct workload_ops *w = all[n];
		char what[96];
		assert_true(n < 64);
		names[n] = w->name;
		snprintf(what, sizeof(what), "workload '%s'", w->name);
		if (!w->run || !w->summary || !w->peer || !w->estimate_ns)
			fail_msg("%s lacks run, summary, peer or estimate_ns", what);
		/* (the defaults need not pass check(): fileio's mode has no
		 * default, as sysbench's has none) */
		check_table(what, w->options, w->opts_size);
		/* reports show its headline metrics */
		if (!w->headline || !w->headline[0])
			fail_msg("%s has no headline metrics", what);
		for (int i = 0; w->headline[i]; i++)
			for (int j = i + 1; w->headline[j]; j++)
				if (!strcmp(w->headline[i], w->headline[j]))
					fail_msg("%s: headline '%s' twice", what, w->headline[i]);
		assert_ptr_equal(workload_headlines(w->name), w->headline);
		assert_string_equal(workload_headline(w->name), w->headline[0]);
	}
	check_names("workload", names, n);
	assert_null(workload_headlines("no-such-workload"));
}

static void test_engines(void **state)
{
	const struct engine_ops *const *all = engine_all();
	const char *names[32];
	int n = 0;
	(void)state;
	for (; all[n]; n++) {
		const struct engine_ops *e = all[n];
		assert_true(n < 32);
		names[n] = e->name;
		if (!e->summary || !e->init || !e->submit || !e->reap || !e->cleanup)
			fail_msg("engine '%s' lacks summary, init, submit, reap or cleanup",
				 e->name);
		assert_ptr_equal(engine_find(e->name), e);
	}
	check_names("engine", names, n);
}

static void test_targets(void **state)
{
	const struct target_ops *const *all = target_all();
	const char *names[32];
	int n = 0;
	(void)state;
	for (; all[n]; n++) {
		const struct target_ops *t = all[n];
		char what[96];
		assert_true(n < 32);
		names[n] = t->name;
		snprintf(what, sizeof(what), "target '%s'", t->name);
		if (!t->summary || !t->setup || !t->exec || !t->teardown || !t->telemetry_pids)
			fail_msg("%s lacks summary, setup, exec, teardown or telemetry_pids", what);
		check_table(what, t->options, t->opts_size);
		assert_ptr_equal(target_find(t->name), t);
	}
	check_names("target", names, n);
}

static void test_disks(void **state)
{
	const struct disk_ops *const *all = disk_all();
	const char *names[32];
	int n = 0;
	(void)state;
	for (; all[n]; n++) {
		const struct disk_ops *d = all[n];
		assert_true(n < 32);
		names[n] = d->name;
		if (!d->summary || !d->create || !d->describe || !d->destroy)
			fail_msg("disk '%s' lacks summary, create, describe or destroy", d->name);
		assert_ptr_equal(disk_find(d->name), d);
	}
	check_names("disk", names, n);
	check_table("disk options", disk_options, sizeof(struct disk_opts));
}

static void test_reports(void **state)
{
	const struct report_ops *const *all = report_all();
	const char *names[32];
	int n = 0;
	(void)state;
	for (; all[n]; n++) {
		const struct report_ops *r = all[n];
		char what[96];
		assert_true(n < 32);
		names[n] = r->name;
		snprintf(what, sizeof(what), "report format '%s'", r->name);
		if (!r->summary || !r->render)
			fail_msg("%s lacks summary or render", what);
		check_table(what, r->options, r->opts_size);
		void *o;
		if (report_parse_opts(r, NULL, &o) < 0)
			fail_msg("%s: its defaults do not parse: %s", what, vb_errmsg());
		free(o);
		assert_ptr_equal(report_find(r->name), r);
	}
	check_names("report format", names, n);
}

static void test_other_tables(void **state)
{
	(void)state;
	check_table("[experiment]", plan_experiment_options, sizeof(struct plan_experiment_opts));
	check_table("[density]", density_options, sizeof(struct density_opts));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_workloads), cmocka_unit_test(test_engines),
	    cmocka_unit_test(test_targets),   cmocka_unit_test(test_disks),
	    cmocka_unit_test(test_reports),   cmocka_unit_test(test_other_tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
