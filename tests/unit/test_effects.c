/* report/effects.c: known answers.
 *
 * A synthetic 2x2x2 design (bus x cache x aio, as a plan's axes expand
 * them) whose runs are drawn from a model with known main effects and one
 * interaction, on the log scale:
 *   bus nvme / virtio-blk:  x2.0 at cache none, x2.5 at cache writeback
 *   cache writeback / none: x0.8 at bus virtio-blk (x1.0 with nvme)
 *   aio native / threads:   none
 * so, averaged over the other axes (geometric means), bus is
 * sqrt(2 x 2.5) = 2.2361, cache sqrt(0.8 x 1.0) = 0.8944, aio 1, and the
 * bus x cache interaction 1.25; the others none. With 1% noise and five
 * repeats each is recovered within 2%, the interaction is flagged, aio and
 * the other interactions are not, and the ranking is bus, cache, aio.
 *
 * Then: a partial design (a cell missing, a level's runs failed) says from
 * how many combinations each effect was estimated; an A/A pair gives the
 * noise floor, computed here by hand; without one the pooled variance does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/analysis.h"

static void assert_close(double got, double want, double tol, const char *what)
{
	if (!(fabs(got - want) <= tol))
		fail_msg("%s: got %.12g, want %.12g (tolerance %g)", what, got, want, tol);
}

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static double uniform(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return ((rng * 2685821657736338717ull) >> 11) * (1.0 / 9007199254740992.0);
}
static double normal(void)
{
	double u = uniform(), v = uniform();
	return sqrt(-2 * log(u > 1e-300 ? u : 1e-300)) * cos(2 * M_PI * v);
}

static const char *const BUS[] = {"virtio-blk", "nvme"}, *const CACHE[] = {"none", "writeback"},
			 *const AIO[] = {"threads", "native"};

/* The model's IOPS for one cell. */
static double model(int bus, int cache, int aio)
{
	(void)aio;
	double v = 10000;
	if (bus)
		v *= 2.0;
	if (cache)
		v *= 0.8;
	if (bus && cache)
		v *= 1.25;
	return v;
}

static void add_variant(json_t *variants, const char *name, int bus, int cache, int aio)
{
	json_array_append_new(variants,
			      json_pack("{s:s, s:{s:s, s:s, s:s, s:s, s:i}}", "name", name,
					"config", "target", "qemu", "bus", BUS[bus], "cache",
					CACHE[cache], "aio", AIO[aio], "smp", 2));
}

static void add_run(json_t *runs, const char *variant, double iops, const char *status)
{
	json_array_append_new(
	    runs, json_pack("{s:s, s:s, s:s, s:s, s:{s:f}, s:{s:s}}", "variant", variant,
			    "workload", "rr", "type", "blkio", "status", status, "metrics",
			    "read_iops", iops, "units", "read_iops", "1/s"));
}

/* skip: a cell left out (-1: none); fail: a cell whose runs all failed */
static json_t *design(int reps, double noise, int skip, int fail)
{
	json_t *variants = json_array(), *runs = json_array();
	for (int c = 0; c < 8; c++) {
		int bus = c >> 2 & 1, cache = c >> 1 & 1, aio = c & 1;
		char name[64];
		snprintf(name, sizeof(name), "vm-bus%s-cache%s-aio%s", BUS[bus], CACHE[cache],
			 AIO[aio]);
		if (c == skip)
			continue;
		add_variant(variants, name, bus, cache, aio);
		for (int r = 0; r < reps; r++)
			add_run(runs, name, model(bus, cache, aio) * exp(noise * normal()),
				c == fail ? "failed" : "ok");
	}
	return json_pack("{s:i, s:{s:i, s:s, s:{s:i}}, s:o, s:o}", "schema", 1, "experiment",
			 "id", 1, "name", "t", "config", "repeat", reps, "variants", variants,
			 "runs", runs);
}

static const struct analysis_effect *main_effect(const struct analysis *a,
						 const struct analysis_effects *e,
						 const char *factor)
{
	for (int i = 0; i < e->neffects; i++)
		if (strcmp(a->design->factors[e->effects[i].factor].name, factor) == 0)
			return &e->effects[i];
	fail_msg("no main effect of %s", factor);
	return NULL;
}

static const struct analysis_effect *interaction(const struct analysis *a,
						 const struct analysis_effects *e, const char *f,
						 const char *g)
{
	for (int i = 0; i < e->ninter; i++) {
		const char *x = a->design->factors[e->inter[i].factor].name;
		const char *y = a->design->factors[e->inter[i].factor2].name;
		if ((!strcmp(x, f) && !strcmp(y, g)) || (!strcmp(x, g) && !strcmp(y, f)))
			return &e->inter[i];
	}
	fail_msg("no interaction %s x %s", f, g);
	return NULL;
}

static void test_2x2x2(void **state)
{
	(void)state;
	json_t *exp = design(5, 0.01, -1, -1);
	struct analysis *a;
	assert_int_equal(analysis_build(exp, NULL, &a), 0);
	const struct analysis_design *d = a->design;
	/* target and smp are the same everywhere: not factors */
	assert_int_equal(d->nfactors, 3);
	assert_int_equal(d->naa, 0);
	/* outermost first: bus changes least often along the variants */
	assert_string_equal(d->factors[0].name, "bus");
	assert_string_equal(d->factors[2].name, "aio");
	assert_string_equal(d->factors[0].levels[0], "virtio-blk"); /* the baseline's */
	assert_int_equal(d->nresults, 1);
	const struct analysis_effects *e = &d->results[0];
	assert_int_equal(e->ncells, 8);
	assert_int_equal(e->ncells_full, 8);
	assert_int_equal(e->nruns, 40);
	assert_close(e->df, 32, 0, "df = runs - cells");
	assert_int_equal(e->family, 3 + 3); /* 3 main effects, 3 interactions */
	assert_close(e->level, 1 - 0.05 / 6, 1e-12, "Bonferroni level");

	const struct analysis_effect *bus = main_effect(a, e, "bus");
	const struct analysis_effect *cache = main_effect(a, e, "cache");
	const struct analysis_effect *aio = main_effect(a, e, "aio");
	assert_close(bus->ratio, sqrt(5), sqrt(5) * 0.02, "bus");
	assert_close(cache->ratio, sqrt(0.8), sqrt(0.8) * 0.02, "cache");
	assert_close(aio->ratio, 1, 0.02, "aio");
	assert_int_equal(bus->pairs, 4);
	assert_int_equal(bus->of, 4);
	assert_true(bus->significant && bus->verdict == 1 && bus->lo > 1);
	assert_true(cache->significant && cache->verdict == -1 && cache->hi < 1);
	assert_false(aio->significant);
	assert_true(aio->lo < 1 && aio->hi > 1);
	/* the ranking: bus, cache, aio */
	assert_ptr_equal(&e->effects[0], bus);
	assert_ptr_equal(&e->effects[1], cache);
	assert_ptr_equal(&e->effects[2], aio);

	const struct analysis_effect *bc = interaction(a, e, "bus", "cache");
	assert_close(bc->ratio, 1.25, 1.25 * 0.02, "bus x cache");
	assert_int_equal(bc->pairs, 2);
	assert_true(bc->significant);
	assert_false(interaction(a, e, "bus", "aio")->significant);
	assert_false(interaction(a, e, "cache", "aio")->significant);

	/* every interval agrees with its flag */
	for (int i = 0; i < e->neffects; i++)
		assert_int_equal(e->effects[i].significant,
				 e->effects[i].lo > 1 || e->effects[i].hi < 1);
	json_t *j = analysis_to_json(a);
	json_t *main0 = json_array_get(
	    json_object_get(
		json_object_get(json_array_get(json_object_get(json_object_get(j, "design"),
								     "results"),
						       0),
				"effects"),
		"main"),
	    0);
	assert_string_equal(json_string_value(json_object_get(main0, "factor")), "bus");
	assert_string_equal(json_string_value(json_object_get(main0, "verdict_text")), "faster");
	json_decref(j);
	analysis_free(a);
	json_decref(exp);
}

/* A missing cell and a cell whose runs failed: each effect says from how
 * many combinations of the other axes it was estimated. */
static void test_partial(void **state)
{
	(void)state;
	/* cell 7 (nvme, writeback, native) absent, cell 1 (virtio-blk, none,
	 * native) failed */
	json_t *exp = design(4, 0.01, 7, 1);
	struct analysis *a;
	assert_int_equal(analysis_build(exp, NULL, &a), 0);
	const struct analysis_effects *e = &a->design->results[0];
	assert_int_equal(e->ncells, 6);
	assert_int_equal(e->ncells_full, 8);
	/* bus: pairs over (cache, aio): (none, threads) and (writeback,
	 * threads) both present; (none, native) lacks virtio-blk; (writeback,
	 * native) lacks nvme */
	const struct analysis_effect *bus = main_effect(a, e, "bus");
	assert_int_equal(bus->pairs, 2);
	assert_int_equal(bus->of, 4);
	assert_close(bus->ratio, sqrt(5), sqrt(5) * 0.03, "bus from 2 of 4");
	/* aio: (virtio-blk, none) lost native, (nvme, writeback) lost native */
	const struct analysis_effect *aio = main_effect(a, e, "aio");
	assert_int_equal(aio->pairs, 2);
	analysis_free(a);
	json_decref(exp);
}

/* The noise floor: with an A/A pair, from the pair's own variance: the
 * smallest ratio r with log r = t(1 - alpha/2K, df) s sqrt(2/n); without
 * one, from every variant's variance pooled. */
static void test_noise_floor(void **state)
{
	(void)state;
	const double x[] = {1000, 1020, 980, 1010, 990}, y[] = {1005, 995, 1015, 985, 1000};
	const double z[] = {2000, 2100, 1900, 2050, 1950};
	json_t *variants = json_pack(
	    "[{s:s, s:{s:s, s:i}}, {s:s, s:{s:s, s:i}}, {s:s, s:{s:s, s:i}}]", "name", "a",
	    "config", "target", "native", "smp", 1, "name", "a2", "config", "target", "native",
	    "smp", 1, "name", "b", "config", "target", "native", "smp", 2);
	json_t *runs = json_array();
	for (int i = 0; i < 5; i++) {
		add_run(runs, "a", x[i], "ok");
		add_run(runs, "a2", y[i], "ok");
		add_run(runs, "b", z[i], "ok");
	}
	json_t *ex = json_pack("{s:i, s:{s:i, s:s, s:{s:i}}, s:o, s:o}", "schema", 1,
				"experiment", "id", 1, "name", "t", "config", "repeat", 5,
				"variants", variants, "runs", runs);
	struct analysis *a;
	assert_int_equal(analysis_build(ex, NULL, &a), 0);
	assert_int_equal(a->design->naa, 1);
	assert_int_equal(a->design->aa[0][0], 0);
	assert_int_equal(a->design->aa[0][1], 1);
	assert_int_equal(a->design->nfactors, 1); /* smp */
	const struct analysis_floor *fl = &a->design->results[0].floor;
	assert_true(fl->aa);
	assert_string_equal(fl->aa_a, "a");
	assert_string_equal(fl->aa_b, "a2");
	assert_false(fl->aa_differs);
	/* by hand: the pooled sd of the logs of x and y, df 8 */
	double ss = 0;
	for (int s = 0; s < 2; s++) {
		const double *v = s ? y : x;
		double m = 0;
		for (int i = 0; i < 5; i++)
			m += log(v[i]) / 5;
		for (int i = 0; i < 5; i++)
			ss += (log(v[i]) - m) * (log(v[i]) - m);
	}
	double sd = sqrt(ss / 8);
	assert_int_equal(fl->n, 5);
	assert_int_equal(fl->family, 2); /* a2 and b against a */
	assert_close(fl->s_log, sd, 1e-12, "A/A sd of logs");
	double want = exp(gsl_cdf_tdist_Pinv(1 - 0.05 / 4, 8) * sd * sqrt(2.0 / 5));
	assert_close(fl->ratio, want, 1e-9, "noise floor");
	/* the A/A pair shares a cell: smp's effect is b against a and a2 */
	const struct analysis_effects *e = &a->design->results[0];
	assert_int_equal(e->ncells, 2);
	assert_close(e->effects[0].ratio, 2, 0.02, "smp 2 / 1");
	analysis_free(a);
	json_decref(ex);

	/* no A/A pair: every variant's variance pooled (z's too) */
	ex = design(5, 0.02, -1, -1);
	assert_int_equal(analysis_build(ex, NULL, &a), 0);
	fl = &a->design->results[0].floor;
	assert_false(fl->aa);
	assert_close(fl->df, 32, 0, "pooled df");
	assert_close(fl->s_log, a->design->results[0].s_log, 1e-12, "pooled sd");
	assert_true(fl->ratio > 1.01 && fl->ratio < 1.1);
	analysis_free(a);
	json_decref(ex);
}

/* Native, container and VM side by side: keys that only one target has
 * (a container's cpus, a VM's bus) are not knobs unless they vary among
 * the variants that have them; target is the knob. With containers at two
 * CPU limits, cpus becomes one. */
static void test_targets(void **state)
{
	(void)state;
	json_t *variants = json_pack(
	    "[{s:s, s:{s:s, s:s}}, {s:s, s:{s:s, s:s, s:f, s:s}}, {s:s, s:{s:s, s:s, s:s, s:i}}]",
	    "name", "native", "config", "target", "native", "workdir", "/w", "name", "container",
	    "config", "target", "container", "workdir", "/w", "cpus", 0.0, "storage", "bind",
	    "name", "vm", "config", "target", "qemu", "workdir", "/w", "bus", "virtio-blk", "smp",
	    1);
	json_t *runs = json_array();
	for (int i = 0; i < 3; i++) {
		add_run(runs, "native", 1000 + i, "ok");
		add_run(runs, "container", 990 + i, "ok");
		add_run(runs, "vm", 500 + i, "ok");
	}
	json_t *ex = json_pack("{s:i, s:{s:i, s:s}, s:o, s:o}", "schema", 1, "experiment", "id", 1,
			       "name", "t", "variants", variants, "runs", runs);
	struct analysis *a;
	assert_int_equal(analysis_build(ex, NULL, &a), 0);
	assert_int_equal(a->design->nfactors, 1);
	assert_string_equal(a->design->factors[0].name, "target");
	assert_int_equal(a->design->factors[0].nlevels, 3);
	const struct analysis_effects *e = &a->design->results[0];
	assert_int_equal(e->neffects, 2);
	assert_string_equal(a->design->factors[0].levels[e->effects[0].level], "qemu");
	assert_close(e->effects[0].ratio, 0.5, 0.01, "qemu / native");
	analysis_free(a);
	json_decref(ex);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_2x2x2),
	    cmocka_unit_test(test_partial),
	    cmocka_unit_test(test_noise_floor),
	    cmocka_unit_test(test_targets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
