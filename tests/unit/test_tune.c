/* tune/race: racing with successive halving on synthetic objectives whose
 * optimum is known: it must find the optimum (or one not significantly
 * different) in at most half of the full matrix's runs, drop what is
 * significantly worse with the report's comparison, and never run a
 * configuration more than max_runs times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tune/race.h"
#include "util/err.h"

static uint64_t rng = 88172645463325252ull;
static double uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return ((rng >> 11) + 0.5) / 9007199254740992.0;
}
static double gauss(void)
{
	return sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform());
}

static int setup(void **state)
{
	(void)state;
	vb_err_set_quiet(1);
	return 0;
}

/* Runs a race to its end on arms with the given true means and noise. */
static int race_all(struct race *r, const double *mu, double sd)
{
	int reps[64], guard = 0;
	while (race_next(r, reps) > 0 && guard++ < 100) {
		for (int i = 0; i < r->narms; i++)
			for (int k = 0; k < reps[i]; k++)
				assert_int_equal(race_add(r, i, mu[i] + sd * gauss()), 0);
		assert_true(race_judge(r) >= 1);
	}
	return race_best(r);
}

/* 16 configurations, one clearly best (like bus x cache x aio x iothread):
 * found in at most half of the full matrix's runs, every time. */
static void test_known_optimum(void **state)
{
	(void)state;
	const char *names[16];
	char buf[16][16];
	double mu[16];
	for (int i = 0; i < 16; i++) {
		snprintf(buf[i], sizeof(buf[i]), "c%d", i);
		names[i] = buf[i];
		mu[i] = 1000 + 40 * ((i * 7) % 16); /* a permutation: the optimum is i = 9 */
	}
	int opt = 0;
	for (int i = 1; i < 16; i++)
		if (mu[i] > mu[opt])
			opt = i;
	struct race_opts o = {.maximize = 1, .first = 1, .step = 1, .max_runs = 4, .alpha = 0.05,
			      .halving = 1};
	for (int trial = 0; trial < 50; trial++) {
		struct race r;
		assert_int_equal(race_init(&r, names, 16, &o), 0);
		int best = race_all(&r, mu, 15);
		assert_int_equal(best, opt);
		assert_true(r.runs <= 16 * 4 / 2);
		for (int i = 0; i < 16; i++)
			assert_true(r.arm[i].n <= 4);
		int ru = race_runner_up(&r);
		assert_true(ru >= 0 && ru != best);
		race_free(&r);
	}
}

/* Minimizing: the lowest mean wins; a configuration far worse is dropped by
 * the comparison (not by halving, which is off) once it has two values. */
static void test_minimize_significance(void **state)
{
	(void)state;
	const char *names[] = {"slow", "fast", "medium"};
	double mu[] = {500, 100, 300};
	struct race_opts o = {.maximize = 0, .first = 2, .step = 1, .max_runs = 6, .alpha = 0.05,
			      .halving = 0};
	struct race r;
	assert_int_equal(race_init(&r, names, 3, &o), 0);
	int best = race_all(&r, mu, 5);
	assert_int_equal(best, 1);
	assert_false(r.arm[0].alive);
	assert_int_equal(r.arm[0].out_round, 1);
	assert_non_null(strstr(r.arm[0].why, "significantly worse than fast"));
	assert_int_equal(r.runs, 6); /* all decided after round one */
	assert_int_equal(race_runner_up(&r), 2);
	struct comparison c;
	assert_int_equal(race_compare(&r, best, 2, &c), 0);
	assert_true(c.ratio > 2.5 && c.ratio < 3.5);
	race_free(&r);
}

/* Two equal configurations: neither is dropped, the race stops at
 * max_runs, and their difference is not significant. */
static void test_tie_stops_at_max(void **state)
{
	(void)state;
	const char *names[] = {"a", "b"};
	double mu[] = {200, 200};
	struct race_opts o = {.maximize = 1, .first = 2, .step = 2, .max_runs = 6, .alpha = 0.05,
			      .halving = 1};
	struct race r;
	assert_int_equal(race_init(&r, names, 2, &o), 0);
	int best = race_all(&r, mu, 10);
	assert_true(best == 0 || best == 1);
	assert_int_equal(r.arm[0].n, 6);
	assert_int_equal(r.arm[1].n, 6);
	assert_true(r.arm[0].alive && r.arm[1].alive);
	struct comparison c;
	race_compare(&r, best, 1 - best, &c);
	assert_int_equal(c.verdict, 0);
	race_free(&r);
}

/* A budget of half the full matrix: four configurations, two of them
 * close, stop at the budget with the best of the two by mean. */
static void test_budget(void **state)
{
	(void)state;
	const char *names[] = {"q1", "q2", "q4", "q8"};
	double mu[] = {100, 200, 390, 400};
	struct race_opts o = {.maximize = 1, .first = 1, .step = 1, .max_runs = 4, .alpha = 0.05,
			      .halving = 1, .budget = 8};
	struct race r;
	assert_int_equal(race_init(&r, names, 4, &o), 0);
	int best = race_all(&r, mu, 40);
	assert_true(best == 2 || best == 3);
	assert_true(r.runs <= 8);
	assert_int_equal(r.round, 3);
	race_free(&r);
}

/* A dropped configuration (a broken constraint) stays out; one without
 * values is dropped at judging; bad options are refused with a reason. */
static void test_drop_and_errors(void **state)
{
	(void)state;
	const char *names[] = {"x", "y", "z"};
	struct race_opts o = {.maximize = 1, .first = 1, .step = 1, .max_runs = 3, .alpha = 0.05};
	struct race r;
	assert_int_equal(race_init(&r, names, 3, &o), 0);
	int reps[3];
	assert_int_equal(race_next(&r, reps), 3);
	race_add(&r, 0, 10);
	race_add(&r, 1, 20);
	race_drop(&r, 1, "host_iowait_pct < 5 broken: 7.1");
	assert_int_equal(race_judge(&r), 1); /* z had no value */
	assert_non_null(strstr(r.arm[2].why, "no value"));
	assert_int_equal(race_best(&r), 0);
	assert_int_equal(race_next(&r, reps), 0); /* one left: over */
	race_free(&r);

	o.first = 0;
	assert_int_equal(race_init(&r, names, 3, &o), -EINVAL);
	o.first = 1;
	o.alpha = 1.5;
	assert_int_equal(race_init(&r, names, 3, &o), -EINVAL);
	assert_non_null(strstr(vb_errmsg(), "alpha"));
	o.alpha = 0.05;
	assert_int_equal(race_init(&r, names, 0, &o), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_known_optimum),
	    cmocka_unit_test(test_minimize_significance),
	    cmocka_unit_test(test_tie_stops_at_max),
	    cmocka_unit_test(test_budget),
	    cmocka_unit_test(test_drop_and_errors),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
