/* run/plan: INI plans as users write them, and every error pointing at the
 * right file and line with a message that says what would be valid. Option
 * values are read through the option tables, so the test does not depend on
 * the layout of a workload's option struct. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "density/density.h"
#include "run/plan.h"
#include "util/err.h"

#define assert_contains(hay, needle)                                                               \
	do {                                                                                       \
		if (!strstr((hay), (needle)))                                                      \
			fail_msg("'%s' does not contain '%s'", (hay), (needle));                   \
	} while (0)

static int setup(void **state)
{
	(void)state;
	vb_err_set_quiet(1);
	return 0;
}

static const struct opt_def *opt_of(const struct opt_def *tbl, const char *name)
{
	const struct opt_def *d = opt_find(tbl, name);
	if (!d)
		fail_msg("no option '%s'", name);
	return d;
}

static int64_t wl_int(const struct plan_workload *w, const char *name)
{
	return *OPT_PTR(w->opts, opt_of(w->ops->options, name), int64_t);
}

static uint64_t wl_size(const struct plan_workload *w, const char *name)
{
	return *OPT_PTR(w->opts, opt_of(w->ops->options, name), uint64_t);
}

static const char *var_str(const struct plan_variant *v, const char *name)
{
	return OPT_PTR(v->opts, opt_of(v->target->options, name), char);
}

static const char good_plan[] = "# a comment\n"
				"; another\n"
				"[experiment]\n"
				"name = quick\n"
				"repeat = 3\n"
				"timeout = 5m\n"
				"\n"
				"[variant base]\n"
				"target = native\n"
				"\n"
				"[variant tuned]\n"
				"target = native\n"
				"workdir = /var/tmp/tuned\n"
				"\n"
				"[workload cpu]\n"
				"max-prime = 20000\n"
				"threads = 2\n"
				"\n"
				"[workload mem1]\n"
				"type = memory\n"
				"block_size = 4k\n"
				"total-size = 1G\n"
				"variants = tuned\n";

static void test_good_plan(void **state)
{
	struct plan p;
	(void)state;
	plan_init(&p);
	int r = plan_load_string(&p, good_plan, "good.ini");
	if (r != 0)
		fail_msg("%s", vb_errmsg());
	assert_int_equal(plan_validate(&p), 0);
	assert_string_equal(p.exp.name, "quick");
	assert_int_equal(p.exp.repeat, 3);
	assert_int_equal(p.exp.timeout_ns, 300000000000ll);
	assert_string_equal(p.source, "good.ini");
	assert_string_equal(p.text, good_plan);

	assert_int_equal(p.nv, 2);
	assert_string_equal(p.v[0].name, "base");
	assert_string_equal(p.v[1].name, "tuned");
	assert_string_equal(p.v[0].target->name, "native");
	assert_string_equal(var_str(&p.v[0], "workdir"), "/var/tmp/vmbench"); /* default */
	assert_string_equal(var_str(&p.v[1], "workdir"), "/var/tmp/tuned");

	assert_int_equal(p.nw, 2);
	assert_string_equal(p.w[0].name, "cpu");
	assert_string_equal(p.w[0].ops->name, "cpu"); /* type from the name */
	assert_int_equal(wl_int(&p.w[0], "max-prime"), 20000);
	assert_int_equal(wl_int(&p.w[0], "threads"), 2);
	assert_string_equal(p.w[0].variants, "");
	assert_string_equal(p.w[1].name, "mem1");
	assert_string_equal(p.w[1].ops->name, "memory");
	assert_int_equal(wl_size(&p.w[1], "block-size"), 4096);
	assert_int_equal(wl_size(&p.w[1], "total-size"), 1ull << 30);
	assert_int_equal(wl_int(&p.w[1], "threads"), 1); /* default */
	assert_string_equal(p.w[1].variants, "tuned");

	assert_true(plan_applies(&p.w[0], &p.v[0]));
	assert_true(plan_applies(&p.w[0], &p.v[1]));
	assert_false(plan_applies(&p.w[1], &p.v[0]));
	assert_true(plan_applies(&p.w[1], &p.v[1]));

	json_t *spec = plan_workload_spec(&p.w[0]);
	assert_int_equal(json_integer_value(json_object_get(spec, "max-prime")), 20000);
	json_decref(spec);
	json_t *cfg = plan_variant_config(&p.v[1]);
	assert_string_equal(json_string_value(json_object_get(cfg, "target")), "native");
	assert_string_equal(json_string_value(json_object_get(cfg, "workdir")), "/var/tmp/tuned");
	json_decref(cfg);
	plan_free(&p);
}

static void test_applies(void **state)
{
	struct plan_workload w;
	struct plan_variant v;
	static const struct {
		const char *list, *name;
		int want;
	} cases[] = {
	    {"", "a", 1},	 {"a", "a", 1},	   {"a,b", "b", 1},	 {"a, b", "b", 1},
	    {" a , b ", "a", 1}, {"ab", "a", 0},   {"a", "ab", 0},	 {"xa,b", "a", 0},
	    {"b,a", "a", 1},	 {"aa,a", "a", 1}, {"tuned", "tune", 0},
	};
	(void)state;
	memset(&w, 0, sizeof(w));
	memset(&v, 0, sizeof(v));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(w.variants, sizeof(w.variants), "%s", cases[i].list);
		snprintf(v.name, sizeof(v.name), "%s", cases[i].name);
		if (plan_applies(&w, &v) != cases[i].want)
			fail_msg("variants='%s' on '%s': want %d", cases[i].list, cases[i].name,
				 cases[i].want);
	}
}

/* Sections without keys count: the target defaults to native and a workload
 * named after a type is of that type. */
static void test_sections_without_keys(void **state)
{
	struct plan p;
	(void)state;
	plan_init(&p);
	int r = plan_load_string(&p,
				 "[variant a]\n"
				 "[variant b]\n"
				 "[workload cpu]\n"
				 "[workload memory]\n"
				 "[experiment]\n"
				 "repeat = 2\n",
				 "empty-sections.ini");
	if (r != 0)
		fail_msg("%s", vb_errmsg());
	assert_int_equal(p.nv, 2);
	assert_string_equal(p.v[0].name, "a");
	assert_string_equal(p.v[1].name, "b");
	assert_int_equal(p.nw, 2);
	assert_string_equal(p.w[0].ops->name, "cpu");
	assert_string_equal(p.w[1].ops->name, "memory");
	assert_int_equal(p.exp.repeat, 2);
	assert_int_equal(plan_validate(&p), 0);
	plan_free(&p);

	plan_init(&p);
	assert_int_equal(plan_load_string(&p, "[variant last]", "x"), 0);
	assert_int_equal(p.nv, 1);
	plan_free(&p);
}

/* Loading fails with "SOURCE:LINE: ..." and the message parts. */
static void test_load_errors(void **state)
{
	static const struct {
		const char *text;
		const char *where; /* "plan.ini:N:" */
		const char *msg[3];
	} cases[] = {
	    {"[experiment]\nname = x\nthis is not ini\n", "plan.ini:3:", {"syntax error"}},
	    {"[variant a]\n[bogus]\nx = 1\n",
	     "plan.ini:2:",
	     {"unknown section [bogus]",
	      "[experiment], [defaults], [variant NAME], [workload NAME]"}},
	    {"[bogus]\n", "plan.ini:1:", {"unknown section [bogus]"}},
	    {"[]\n", "plan.ini:1:", {"a section needs a name"}}, /* found by fuzz_plan */
	    {"[variant]\ntarget = native\n", "plan.ini:1:", {"unknown section [variant]"}},
	    {"[experiment x]\nname = a\n", "plan.ini:1:", {"unknown section"}},
	    {"[variant a b]\n", "plan.ini:1:", {"[variant a b]"}},
	    {"[variant a]\n\n[workload w]\ntype = nope\n",
	     "plan.ini:4:",
	     {"unknown workload 'nope'", "cpu, memory"}},
	    {"[variant a]\n[workload cpu]\nthreads = 2\nbogus = 1\n",
	     "plan.ini:4:",
	     {"unknown option 'bogus'", "max-prime", "threads"}},
	    {"[workload memory]\nblock-size = 4x\n",
	     "plan.ini:2:",
	     {"block-size=4x", "not a size"}},
	    {"[workload memory]\nscope = planet\n",
	     "plan.ini:2:",
	     {"scope=planet", "global, local"}},
	    {"[variant a]\ntarget = native\n[workload cpu]\n[variant a]\ntarget = native\n",
	     "plan.ini:4:",
	     {"variant 'a' is defined twice"}},
	    {"[variant a]\ntarget = native\n[variant a]\ntarget = native\n",
	     "plan.ini:3:",
	     {"variant 'a' is defined twice"}},
	    {"[workload cpu]\n[workload cpu]\n",
	     "plan.ini:2:",
	     {"workload 'cpu' is defined twice"}},
	    {"[variant a]\n[workload mine]\nthreads = 2\n",
	     "plan.ini:2:",
	     {"[workload mine] needs 'type = ...'", "cpu, memory"}},
	    {"[variant a]\n[workload mine]\n", "plan.ini:2:", {"[workload mine] needs 'type"}},
	    {"[variant a]\ntarget = xen\n", "plan.ini:2:", {"unknown target 'xen'", "native"}},
	    {"[variant a]\nworkdir = /x\nbogus = 1\n",
	     "plan.ini:3:",
	     {"unknown option 'bogus'", "workdir"}},
	    {"name = x\n[experiment]\n", "plan.ini:1:", {"'name' is outside any section"}},
	    {"[experiment]\nrepeat = 0\n", "plan.ini:2:", {"repeat=0", "out of range"}},
	    {"[experiment]\nrepeat = many\n", "plan.ini:2:", {"repeat=many"}},
	    {"[experiment]\ncolour = red\n", "plan.ini:2:", {"unknown option 'colour'", "repeat"}},
	    {"[variant bad!]\n", "plan.ini:1:", {"variant name 'bad!'"}},
	    /* the error names the first problem, not a later one */
	    {"[workload cpu]\nbogus = 1\nthreads = 0\n", "plan.ini:2:", {"unknown option 'bogus'"}},
	    {"[variant bad!]\nworkdir = /a\nworkdir = /b\n", "plan.ini:", {"variant name 'bad!'"}},
	    {"[experiment]\nname = x\nnot ini\n[workload cpu]\nbogus = 1\n",
	     "plan.ini:3:",
	     {"syntax error"}},
	    {"[workload cpu]\nthreads = 0\nnot ini\n", "plan.ini:2:", {"threads=0"}},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct plan p;
		plan_init(&p);
		vb_errclear();
		int r = plan_load_string(&p, cases[i].text, "plan.ini");
		if (r >= 0)
			fail_msg("case %zu loaded:\n%s", i, cases[i].text);
		const char *m = vb_errmsg();
		if (strncmp(m, cases[i].where, strlen(cases[i].where)) != 0)
			fail_msg("case %zu: '%s' does not start with '%s'", i, m, cases[i].where);
		for (int k = 0; k < 3 && cases[i].msg[k]; k++)
			if (!strstr(m, cases[i].msg[k]))
				fail_msg("case %zu: '%s' does not contain '%s'", i, m,
					 cases[i].msg[k]);
		/* a later error never replaces the first */
		if (strstr(cases[i].text, "threads = 0") && strstr(cases[i].text, "bogus"))
			assert_null(strstr(m, "threads=0"));
		plan_free(&p);
	}
}

/* Lines of any length are read whole (QEMU passthrough values are long). */
static void test_long_line(void **state)
{
	struct plan p;
	char text[5000];
	(void)state;
	int n = snprintf(text, sizeof(text), "[variant a]\nworkdir = /");
	memset(text + n, 'd', 3000);
	snprintf(text + n + 3000, sizeof(text) - (size_t)n - 3000, "\n[workload cpu]\n");
	plan_init(&p);
	assert_int_equal(plan_load_string(&p, text, "plan.ini"), 0);
	assert_int_equal(strlen(var_str(&p.v[0], "workdir")), 3001);
	plan_free(&p);
}

/* Matrix axes, [defaults], baseline and the adaptive repeat rule. */
static void test_matrix(void **state)
{
	struct plan p;
	(void)state;
	plan_init(&p);
	int r =
	    plan_load_string(&p,
			     "[experiment]\nrepeat = 3..20\nuntil = ci95 < 2%\nbaseline = b\n"
			     "order = randomized\nseed = 7\nwarmup = 1\n"
			     "[defaults]\nworkdir = /var/tmp/d\n"
			     "[variant a]\n"
			     "[variant b]\nworkdir = /var/tmp/own\n"
			     "[workload cpu]\nthreads = 1,2\nmax-prime = 100, 200\n"
			     "[workload mem]\ntype = memory\nblock-size = 4k,64k\nvariants = b\n",
			     "m.ini");
	if (r < 0)
		fail_msg("%s", vb_errmsg());
	assert_int_equal(plan_validate(&p), 0);
	assert_int_equal(p.nv, 2);
	assert_string_equal(var_str(&p.v[0], "workdir"), "/var/tmp/d");	  /* from [defaults] */
	assert_string_equal(var_str(&p.v[1], "workdir"), "/var/tmp/own"); /* own key wins */
	assert_int_equal(p.nw, 6);					  /* 2 x 2 cpu + 2 memory */
	assert_string_equal(p.w[0].name, "cpu-threads1-max-prime100");
	assert_string_equal(p.w[1].name, "cpu-threads1-max-prime200");
	assert_string_equal(p.w[2].name, "cpu-threads2-max-prime100");
	assert_string_equal(p.w[3].name, "cpu-threads2-max-prime200");
	assert_int_equal(wl_int(&p.w[3], "threads"), 2);
	assert_int_equal(wl_int(&p.w[3], "max-prime"), 200);
	assert_string_equal(p.w[4].name, "mem-block-size4k");
	assert_string_equal(p.w[4].section, "mem");
	assert_false(plan_applies(&p.w[4], &p.v[0]));
	assert_true(plan_applies(&p.w[4], &p.v[1]));
	assert_int_equal(p.exp.repeat_min, 3);
	assert_int_equal(p.exp.repeat, 20);
	assert_true(p.exp.until_pct == 2.0);
	assert_int_equal(p.exp.until_cv, 0);
	assert_int_equal(p.exp.order, PLAN_ORDER_RANDOMIZED);
	assert_int_equal(p.exp.seed, 7);
	assert_int_equal(p.exp.warmup, 1);
	assert_string_equal(plan_baseline(&p)->name, "b");
	plan_free(&p);

	/* variant axes: 2 x 2 named by their values; variants= names a section */
	plan_init(&p);
	r = plan_load_string(&p,
			     "[experiment]\nbaseline = n\n"
			     "[variant n]\n[variant m]\nworkdir = /var/tmp/m\n"
			     "[workload cpu]\nvariants = n\nuntil_metric_is_not_a_key = 1\n",
			     "v.ini");
	assert_int_equal(r, -ENOENT);
	assert_contains(vb_errmsg(), "v.ini:8: ");
	plan_free(&p);
}

static void test_matrix_errors(void **state)
{
	static const struct {
		const char *text;
		const char *msg[2];
	} cases[] = {
	    {"[variant a]\n[workload cpu]\nthreads = 1,,2\n", {"a.ini:3:", "empty value"}},
	    {"[variant a]\n[workload cpu]\nthreads = 1,\n", {"a.ini:3:", "empty value"}},
	    {"[variant a]\n[workload cpu]\nthreads =\n", {"a.ini:3:", "no value"}},
	    {"[variant a]\n[workload cpu]\nthreadz = 1,2\n",
	     {"a.ini:3:", "unknown option 'threadz'"}},
	    {"[variant a]\n[workload cpu]\nthreads = 1,x\n", {"a.ini:3:", "threads=x"}},
	    {"[defaults]\nsmp = 2\n[variant a]\n[workload cpu]\n",
	     {"a.ini:2:", "[defaults] key 'smp'"}},
	    {"[experiment]\nrepeat = 5..3\n", {"a.ini:2:", "MIN..MAX"}},
	    {"[experiment]\nuntil = fast\n", {"a.ini:2:", "stop rule"}},
	    {"[variant a]\n[workload cpu]\nmax-prime = 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17\n"
	     "threads = 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18\n",
	     {"a.ini:2:", "expands to 270 workloads"}},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct plan p;
		plan_init(&p);
		int r = plan_load_string(&p, cases[i].text, "a.ini");
		if (r >= 0)
			fail_msg("case %zu loaded", i);
		for (int k = 0; k < 2 && cases[i].msg[k]; k++)
			if (!strstr(vb_errmsg(), cases[i].msg[k]))
				fail_msg("case %zu: '%s' lacks '%s'", i, vb_errmsg(),
					 cases[i].msg[k]);
		plan_free(&p);
	}
	/* checked once the whole plan is known */
	static const struct {
		const char *text;
		const char *msg;
	} late[] = {
	    {"[experiment]\nbaseline = ghost\n[variant a]\n[workload cpu]\n",
	     "baseline 'ghost' is not a variant"},
	    {"[experiment]\nrepeat = 3..5\n[variant a]\n[workload cpu]\n", "needs a stop rule"},
	    {"[experiment]\nrepeat = 3\nuntil = cv < 5%\n[variant a]\n[workload cpu]\n",
	     "adaptive repeat range"},
	    {"[experiment]\nrepeat = 100000\n[variant a]\n[workload cpu]\nthreads = 1,2\n",
	     "expands to 200000 runs"},
	};
	for (size_t i = 0; i < sizeof(late) / sizeof(late[0]); i++) {
		struct plan p;
		plan_init(&p);
		if (plan_load_string(&p, late[i].text, "a.ini") < 0)
			fail_msg("late case %zu did not load: %s", i, vb_errmsg());
		if (plan_validate(&p) >= 0)
			fail_msg("late case %zu validated", i);
		if (!strstr(vb_errmsg(), late[i].msg))
			fail_msg("late case %zu: '%s' lacks '%s'", i, vb_errmsg(), late[i].msg);
		plan_free(&p);
	}
}

static void test_validate_errors(void **state)
{
	static const struct {
		const char *text;
		int err;
		const char *msg[2];
	} cases[] = {
	    {"", -EINVAL, {"plan.ini", "no variant"}},
	    {"# only a comment\n", -EINVAL, {"no variant"}},
	    {"[experiment]\nname = x\n", -EINVAL, {"no variant"}},
	    {"[variant a]\n", -EINVAL, {"plan.ini", "no workload"}},
	    {"[workload cpu]\n", -EINVAL, {"no variant"}},
	    {"[variant a]\n[workload cpu]\nvariants = a, ghost\n",
	     -ENOENT,
	     {"workload 'cpu'", "'ghost'"}},
	    {"[variant a]\n[workload cpu]\nvariants = ,\n", -EINVAL, {"variants= is empty"}},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct plan p;
		plan_init(&p);
		int r = plan_load_string(&p, cases[i].text, "plan.ini");
		if (r != 0)
			fail_msg("case %zu did not load: %s", i, vb_errmsg());
		r = plan_validate(&p);
		if (r != cases[i].err)
			fail_msg("case %zu: validate gave %d (%s), want %d", i, r, vb_errmsg(),
				 cases[i].err);
		for (int k = 0; k < 2 && cases[i].msg[k]; k++)
			assert_contains(vb_errmsg(), cases[i].msg[k]);
		plan_free(&p);
	}
}

/* The command-line path: plan_add_* and *_set directly. */
static void test_build_by_hand(void **state)
{
	struct plan p;
	(void)state;
	plan_init(&p);
	assert_string_equal(p.exp.name, "experiment");
	assert_int_equal(p.exp.repeat, 1);
	assert_int_equal(plan_add_variant(&p, "native", "native"), 0);
	assert_int_equal(plan_add_workload(&p, "cpu", "cpu"), 0);
	assert_int_equal(plan_workload_set(&p, &p.w[0], "max_prime", "100"), 0);
	assert_int_equal(wl_int(&p.w[0], "max-prime"), 100);
	assert_int_equal(plan_workload_set(&p, &p.w[0], "threads", "0"), -ERANGE);
	assert_contains(vb_errmsg(), "workload 'cpu' (cpu)");
	assert_int_equal(plan_experiment_set(&p, "repeat", "5"), 0);
	assert_int_equal(p.exp.repeat, 5);
	assert_int_equal(plan_add_workload(&p, "x", "nope"), -ENOENT);
	assert_int_equal(plan_add_workload(&p, "", "cpu"), -EINVAL);
	assert_int_equal(plan_add_workload(&p, "a/b", "cpu"), -EINVAL);
	char longname[PLAN_NAME_MAX + 1];
	memset(longname, 'n', PLAN_NAME_MAX);
	longname[PLAN_NAME_MAX] = '\0';
	assert_int_equal(plan_add_variant(&p, longname, "native"), -EINVAL);
	longname[PLAN_NAME_MAX - 1] = '\0';
	assert_int_equal(plan_add_variant(&p, longname, "native"), 0);
	assert_int_equal(p.nv, 2);
	assert_int_equal(p.nw, 1);
	assert_int_equal(plan_validate(&p), 0);
	plan_free(&p);
	assert_int_equal(p.nv, 0);
	assert_null(p.v);
}

static void test_load_file(void **state)
{
	char path[] = "/tmp/vbtest-plan.XXXXXX";
	struct plan p;
	(void)state;
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs("[variant a]\n[workload cpu]\nthreads = nope\n", f);
	fclose(f);
	plan_init(&p);
	assert_int_equal(plan_load(&p, path), -EINVAL);
	char where[64];
	snprintf(where, sizeof(where), "%s:3:", path);
	assert_contains(vb_errmsg(), where);
	plan_free(&p);
	unlink(path);

	plan_init(&p);
	assert_true(plan_load(&p, "/nonexistent/plan.ini") < 0);
	assert_contains(vb_errmsg(), "/nonexistent/plan.ini");
	plan_free(&p);
}

/* [density] is a section of the one plan parser, read through density's
 * option table; the rest of a density plan is an ordinary plan. */
static void test_density_section(void **state)
{
	(void)state;
	struct plan p;
	struct density_opts o;
	struct density_syntax ds;
	static const char text[] = "[density]\n"
				   "count = 5\n"
				   "ksm = both\n"
				   "settle-interval = 500ms\n"
				   "\n"
				   "[experiment]\n"
				   "name = dens\n"
				   "\n"
				   "[variant vm]\n"
				   "target = native\n"
				   "workdir = /tmp/d\n";
	density_plan_init(&p, &o, &ds);
	assert_int_equal(plan_load_string(&p, text, "d.ini"), 0);
	assert_int_equal(density_plan_check(&p), 0);
	assert_int_equal(o.count, 5);
	assert_int_equal(o.ksm, DENSITY_KSM_BOTH);
	assert_int_equal(o.settle_interval_ns, 500000000LL);
	assert_int_equal(o.step, 10); /* untouched: its default */
	assert_string_equal(p.exp.name, "dens");
	assert_int_equal(p.nv, 1);
	assert_int_equal(p.nw, 0);
	assert_string_equal(var_str(&p.v[0], "workdir"), "/tmp/d");
	assert_string_equal(p.text, text); /* the stored plan is the whole file */

	/* written back and read again: the same options */
	char *ini = plan_to_ini(&p, "vmbench density ...");
	assert_non_null(ini);
	assert_contains(ini, "\n[density]\n");
	assert_contains(ini, "count = 5\n");
	struct plan q;
	struct density_opts o2;
	struct density_syntax ds2;
	density_plan_init(&q, &o2, &ds2);
	assert_int_equal(plan_load_string(&q, ini, "back.ini"), 0);
	assert_int_equal(o2.count, 5);
	assert_int_equal(o2.ksm, DENSITY_KSM_BOTH);
	assert_int_equal(o2.settle_interval_ns, 500000000LL);
	assert_string_equal(q.v[0].name, "vm");
	free(ini);
	plan_free(&q);
	plan_free(&p);

	static const struct {
		const char *text, *where, *msg;
	} bad[] = {
	    {"[variant a]\n[density]\ncount = many\n", "p.ini:3:", "[density]: count=many"},
	    {"[variant a]\n[density]\nbogus = 1\n", "p.ini:3:", "ksm-pages-to-scan"},
	    {"[variant a]\n[density]\ncount = 2\n[density]\n", "p.ini:4:",
	     "one [density] section, without a name"},
	    {"[variant a]\n[density big]\n", "p.ini:2:", "one [density] section, without a name"},
	    {"[variant a]\n\n[workload w]\ntype = cpu\n", "p.ini:3:",
	     "a density plan launches idle instances: it has no [workload] sections"},
	    {"[variant a]\n[density]\ncount =\n", "p.ini:3:", "count has no value"},
	    {"[bogus]\n", "p.ini:1:", "valid: [experiment], [defaults], [variant NAME], [density]"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		density_plan_init(&p, &o, &ds);
		vb_errclear();
		assert_true(plan_load_string(&p, bad[i].text, "p.ini") < 0);
		assert_contains(vb_errmsg(), bad[i].where);
		assert_contains(vb_errmsg(), bad[i].msg);
		plan_free(&p);
	}
	/* no variant: nothing to launch */
	density_plan_init(&p, &o, &ds);
	assert_int_equal(plan_load_string(&p, "[density]\ncount = 2\n", "p.ini"), 0);
	assert_int_equal(density_plan_check(&p), -EINVAL);
	assert_contains(vb_errmsg(), "no [variant NAME] section");
	plan_free(&p);

	/* a run plan has no [density]: it says where that belongs */
	plan_init(&p);
	assert_int_equal(plan_load_string(&p, "[variant a]\n[density]\ncount = 2\n", "r.ini"),
			 -EINVAL);
	assert_contains(vb_errmsg(), "r.ini:2: unknown section [density]");
	assert_contains(vb_errmsg(), "'vmbench density'");
	plan_free(&p);
}

/* A density plan file goes through plan_load's checks (NUL bytes). */
static void test_density_file(void **state)
{
	(void)state;
	char path[] = "/tmp/vbtest-dplan.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	static const char text[] = "[variant a]\n[density]\ncount = 3\0\n";
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	close(fd);
	struct plan p;
	struct density_opts o;
	struct density_syntax ds;
	density_plan_init(&p, &o, &ds);
	assert_int_equal(plan_load(&p, path), -EINVAL);
	assert_contains(vb_errmsg(), "NUL byte");
	plan_free(&p);
	unlink(path);
}

/* aa=on adds the baseline's twin once: not when two variants are alike, not
 * again when the plan written back (with its twin) is read. */
static void test_aa_twin(void **state)
{
	static const char text[] = "[experiment]\naa = on\nbaseline = b\n"
				   "[variant a]\ntarget = native\n"
				   "[variant b]\ntarget = native\nworkdir = /tmp/x\n"
				   "[workload cpu]\nvariants = b\n[workload m]\ntype = memory\n";
	struct plan p;
	(void)state;
	plan_init(&p);
	assert_int_equal(plan_load_string(&p, text, "aa.ini"), 0);
	assert_int_equal(plan_validate(&p), 0);
	assert_int_equal(p.nv, 3);
	const struct plan_variant *b = &p.v[1], *t = &p.v[2];
	assert_string_equal(t->name, "b-aa");
	assert_string_equal(var_str(t, "workdir"), "/tmp/x");
	json_t *cb = plan_variant_config(b), *ct = plan_variant_config(t);
	assert_true(json_equal(cb, ct));
	json_decref(cb);
	json_decref(ct);
	assert_true(plan_applies(&p.w[0], t)); /* narrowed to the baseline: its twin too */
	assert_true(plan_applies(&p.w[1], t));
	assert_false(plan_applies(&p.w[0], &p.v[0]));
	assert_int_equal(plan_validate(&p), 0); /* idempotent */
	assert_int_equal(p.nv, 3);
	char *ini = plan_to_ini(&p, NULL);
	plan_free(&p);
	plan_init(&p);
	assert_int_equal(plan_load_string(&p, ini, "back.ini"), 0);
	assert_int_equal(plan_validate(&p), 0);
	assert_int_equal(p.nv, 3);
	free(ini);
	plan_free(&p);

	/* two alike variants already: no twin */
	plan_init(&p);
	assert_int_equal(plan_load_string(&p,
					  "[experiment]\naa = on\n[variant a]\n"
					  "target = native\n[variant b]\ntarget = native\n"
					  "[workload cpu]\n",
					  "aa2.ini"),
			 0);
	assert_int_equal(plan_validate(&p), 0);
	assert_int_equal(p.nv, 2);
	plan_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_plan),
	    cmocka_unit_test(test_applies),
	    cmocka_unit_test(test_sections_without_keys),
	    cmocka_unit_test(test_load_errors),
	    cmocka_unit_test(test_long_line),
	    cmocka_unit_test(test_matrix),
	    cmocka_unit_test(test_matrix_errors),
	    cmocka_unit_test(test_validate_errors),
	    cmocka_unit_test(test_build_by_hand),
	    cmocka_unit_test(test_load_file),
	    cmocka_unit_test(test_density_section),
	    cmocka_unit_test(test_density_file),
	    cmocka_unit_test(test_aa_twin),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
