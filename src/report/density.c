/* The density section of the analysis (analysis.h): per ramp (a variant with
 * KSM off or on) its steps and launch times with their median, p99 and
 * maximum, and per variant that ran both ramps the memory per instance with
 * KSM off against on. Built once from the "density" object that
 * density_store_attach() adds to the experiment JSON; every format renders
 * these figures and computes none of its own. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/analysis.h"
#include "stats/summary.h"
#include "util/err.h"

const char *const analysis_density_what[3] = {"used", "available", "PSS"};
static const char *const what_key[3] = {"used_mib", "available_mib", "pss_mib"};

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static double num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static double step_value(const struct analysis_density_step *s, int what)
{
	return what == 0 ? s->used_mib : what == 1 ? s->available_mib : s->pss_mib;
}

static int build_ramp(const json_t *j, struct analysis_ramp *r)
{
	const json_t *steps = json_object_get(j, "steps");
	const json_t *launches = json_object_get(j, "launches");
	size_t i;
	json_t *x;
	r->json = j;
	r->variant = str(j, "variant");
	r->target = str(j, "target");
	r->instance = str(j, "instance");
	r->ksm = str(j, "ksm");
	r->stopped = str(j, "stopped");
	r->reached = (int)json_integer_value(json_object_get(j, "reached"));
	r->skipped = json_is_true(json_object_get(j, "skipped"));
	r->steps = calloc(json_array_size(steps) + 1, sizeof(*r->steps));
	r->launches = calloc(json_array_size(launches) + 1, sizeof(*r->launches));
	if (!r->steps || !r->launches)
		return -ENOMEM;
	json_array_foreach(steps, i, x)
	{
		struct analysis_density_step *s = &r->steps[r->nsteps++];
		const json_t *ksm = json_object_get(x, "ksm");
		s->n = (int)json_integer_value(json_object_get(x, "n"));
		s->used_mib = num(x, "used_mib");
		s->available_mib = num(x, "available_mib");
		s->pss_mib = num(x, "pss_mib");
		s->launch_s_median = num(x, "launch_s_median");
		s->settle_s = num(x, "settle_s");
		s->stable = json_is_true(json_object_get(x, "stable"));
		s->ksm = json_is_object(ksm) ? ksm : NULL;
	}
	json_array_foreach(launches, i, x)
	{
		if (json_is_number(x))
			r->launches[r->nlaunches++] = json_number_value(x);
	}
	summary_compute(r->launches, r->nlaunches, &r->launch);
	r->launch_median = summary_percentile(r->launches, r->nlaunches, 50);
	r->launch_p99 = summary_percentile(r->launches, r->nlaunches, 99);
	r->launch_max = summary_percentile(r->launches, r->nlaunches, 100);
	return 0;
}

static const struct analysis_density_step *step_at(const struct analysis_ramp *r, int n)
{
	for (int i = 0; i < r->nsteps; i++)
		if (r->steps[i].n == n)
			return &r->steps[i];
	return NULL;
}

/* KSM off against on per variant, at the largest N both reached. */
static void savings(struct analysis_density *d)
{
	for (int i = 0; i < d->nramps; i++) {
		const struct analysis_ramp *off = &d->ramps[i];
		if (strcmp(off->ksm, "off"))
			continue;
		for (int j = 0; j < d->nramps; j++) {
			const struct analysis_ramp *on = &d->ramps[j];
			if (strcmp(on->ksm, "on") || strcmp(on->variant, off->variant))
				continue;
			const struct analysis_density_step *so = NULL, *sn = NULL;
			for (int k = 0; k < off->nsteps; k++) {
				const struct analysis_density_step *t =
				    step_at(on, off->steps[k].n);
				if (t && (!so || off->steps[k].n > so->n)) {
					so = &off->steps[k];
					sn = t;
				}
			}
			if (!so || so->n <= 0)
				continue;
			struct analysis_ksm_saving *s = &d->savings[d->nsavings++];
			s->variant = off->variant;
			s->n = so->n;
			for (int w = 0; w < 3; w++) {
				s->off[w] = step_value(so, w) / so->n;
				s->on[w] = step_value(sn, w) / sn->n;
			}
		}
	}
}

int analysis_density_build(const json_t *exp, struct analysis_density **out)
{
	const json_t *ramps = json_object_get(json_object_get(exp, "density"), "ramps");
	size_t i;
	json_t *x;
	*out = NULL;
	if (!json_is_array(ramps))
		return 0;
	struct analysis_density *d = calloc(1, sizeof(*d));
	size_t nr = json_array_size(ramps);
	if (d) {
		d->ramps = calloc(nr + 1, sizeof(*d->ramps));
		d->savings = calloc(nr + 1, sizeof(*d->savings));
	}
	if (!d || !d->ramps || !d->savings) {
		analysis_density_free(d);
		return vb_err(-ENOMEM, "out of memory");
	}
	json_array_foreach(ramps, i, x)
	{
		if (build_ramp(x, &d->ramps[d->nramps++]) < 0) {
			analysis_density_free(d);
			return vb_err(-ENOMEM, "out of memory");
		}
	}
	savings(d);
	*out = d;
	return 0;
}

void analysis_density_free(struct analysis_density *d)
{
	if (!d)
		return;
	for (int i = 0; d->ramps && i < d->nramps; i++) {
		free(d->ramps[i].steps);
		free(d->ramps[i].launches);
	}
	free(d->ramps);
	free(d->savings);
	free(d);
}

static json_t *jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *analysis_density_to_json(const struct analysis_density *d)
{
	json_t *ramps = json_array(), *sav = json_array();
	for (int i = 0; i < d->nramps; i++) {
		const struct analysis_ramp *r = &d->ramps[i];
		json_t *per = json_array();
		for (int k = 0; k < r->nsteps; k++) {
			const struct analysis_density_step *s = &r->steps[k];
			json_array_append_new(per, json_pack("{s:i, s:o, s:o, s:o}", "n", s->n,
							     "used_mib", jnum(s->used_mib / s->n),
							     "available_mib",
							     jnum(s->available_mib / s->n),
							     "pss_mib", jnum(s->pss_mib / s->n)));
		}
		json_array_append_new(
		    ramps,
		    json_pack("{s:s, s:s, s:b, s:i, s:i, s:{s:i, s:o, s:o, s:o}, s:o}", "variant",
			      r->variant, "ksm", r->ksm, "skipped", r->skipped, "reached",
			      r->reached, "steps", r->nsteps, "launch", "n", r->nlaunches,
			      "median_s", jnum(r->launch_median), "p99_s", jnum(r->launch_p99),
			      "max_s", jnum(r->launch_max), "per_instance", per));
	}
	for (int i = 0; i < d->nsavings; i++) {
		const struct analysis_ksm_saving *s = &d->savings[i];
		json_t *o = json_pack("{s:s, s:i}", "variant", s->variant, "n", s->n);
		for (int w = 0; w < 3; w++) {
			char key[32];
			snprintf(key, sizeof(key), "%s_off", what_key[w]);
			json_object_set_new(o, key, jnum(s->off[w]));
			snprintf(key, sizeof(key), "%s_on", what_key[w]);
			json_object_set_new(o, key, jnum(s->on[w]));
		}
		json_array_append_new(sav, o);
	}
	return json_pack("{s:o, s:o}", "ramps", ramps, "ksm_savings", sav);
}
