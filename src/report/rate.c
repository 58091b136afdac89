#include "report/rate.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/analysis.h"

/* The options of run that define its sweep: everything but rate and seed,
 * where the server's threads are pinned (a per-target placement: a plan
 * pins them natively but not in a one-vCPU guest) and what the runner adds
 * (the target's facts, the network layout). */
static char *sweep_key(const json_t *spec)
{
	json_t *k = json_deep_copy(spec);
	json_object_del(k, "rate");
	json_object_del(k, "seed");
	json_object_del(k, "server-cpus");
	json_object_del(k, "target");
	json_object_del(k, "net");
	char *s = json_dumps(k, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(k);
	return s;
}

/* The spec of the first run of workload name (NULL: none). */
static const json_t *spec_of(const json_t *runs, const char *name)
{
	size_t i;
	const json_t *run;
	json_array_foreach(runs, i, run)
	{
		if (!strcmp(json_string_value(json_object_get(run, "workload")), name))
			return json_object_get(run, "spec");
	}
	return NULL;
}

static int is_open_http(const json_t *spec, const struct analysis_workload *wl)
{
	const char *load = json_string_value(json_object_get(spec, "load"));
	return spec && !strcmp(wl->type, "http") && load && !strcmp(load, "open") &&
	       json_number_value(json_object_get(spec, "rate")) > 0;
}

static int cmp_point(const void *a, const void *b)
{
	double x = ((const struct rate_point *)a)->offered,
	       y = ((const struct rate_point *)b)->offered;
	return x < y ? -1 : x > y;
}

/* One point: workload wl on variant v (the runs and the pooled `lat`). */
static void fill_point(const struct analysis *a, const struct analysis_workload *wl, int cell,
		       double offered, struct rate_point *pt)
{
	const struct analysis_cell *c = &wl->cells[cell];
	const json_t *runs = json_object_get(a->exp, "runs"), *run;
	double sum = 0;
	int nrate = 0;
	size_t i;
	memset(pt, 0, sizeof(*pt));
	pt->offered = offered;
	pt->achieved = pt->p50_us = pt->p99_us = pt->p999_us = NAN;
	json_array_foreach(runs, i, run)
	{
		if (strcmp(json_string_value(json_object_get(run, "workload")), wl->name) ||
		    strcmp(json_string_value(json_object_get(run, "variant")), c->variant))
			continue;
		if (analysis_run_skipped(run))
			continue;
		const json_t *m = json_object_get(run, "metrics");
		pt->runs++;
		pt->behind += json_number_value(json_object_get(m, "generator_behind")) > 0;
		if (strcmp(json_string_value(json_object_get(run, "status")), "ok"))
			continue;
		pt->ok++;
		const json_t *rps = json_object_get(m, "requests_per_s");
		if (json_is_number(rps)) {
			sum += json_number_value(rps);
			nrate++;
		}
	}
	if (nrate)
		pt->achieved = sum / nrate;
	for (int h = 0; h < c->nhists; h++)
		if (!strcmp(c->hists[h].name, "lat") && c->hists[h].runs > 0) {
			pt->p50_us = c->hists[h].pct_us[0];
			pt->p99_us = c->hists[h].pct_us[2];
			pt->p999_us = c->hists[h].pct_us[3];
		}
}

static char *sweep_name(const char *wname)
{
	char *s = strdup(wname);
	char *r = s ? strstr(s, "-rate") : NULL;
	if (r && r != s)
		*r = '\0';
	return s;
}

/* Adds the sweep of the workloads in idx[0..n) (n >= 2). */
static int add_sweep(const struct analysis *a, struct analysis_rates *rs, const int *idx, int n,
		     const double *rates)
{
	struct rate_sweep *sw = realloc(rs->sweeps, (size_t)(rs->nsweeps + 1) * sizeof(*sw));
	if (!sw)
		return -ENOMEM;
	rs->sweeps = sw;
	sw = &rs->sweeps[rs->nsweeps++];
	memset(sw, 0, sizeof(*sw));
	sw->name = sweep_name(a->workloads[idx[0]].name);
	sw->curves = calloc((size_t)a->nvariants, sizeof(*sw->curves));
	if (!sw->name || !sw->curves)
		return -ENOMEM;
	for (int v = 0; v < a->nvariants; v++) {
		struct rate_curve *cv = &sw->curves[sw->ncurves];
		cv->variant = a->variants[v];
		cv->pts = calloc((size_t)n, sizeof(*cv->pts));
		if (!cv->pts)
			return -ENOMEM;
		for (int k = 0; k < n; k++) {
			const struct analysis_workload *wl = &a->workloads[idx[k]];
			for (int c = 0; c < wl->ncells; c++)
				if (!strcmp(wl->cells[c].variant, cv->variant) &&
				    wl->cells[c].nruns)
					fill_point(a, wl, c, rates[k], &cv->pts[cv->n++]);
		}
		if (cv->n) {
			qsort(cv->pts, (size_t)cv->n, sizeof(*cv->pts), cmp_point);
			sw->ncurves++;
		} else {
			free(cv->pts);
			cv->pts = NULL;
		}
	}
	return 0;
}

int analysis_rates_build(const struct analysis *a, struct analysis_rates **out)
{
	const json_t *runs = json_object_get(a->exp, "runs");
	int nw = a->nworkloads, r = 0;
	char **keys = calloc((size_t)nw + 1, sizeof(*keys));
	double *rates = calloc((size_t)nw + 1, sizeof(*rates));
	int *idx = calloc((size_t)nw + 1, sizeof(*idx)),
	    *used = calloc((size_t)nw + 1, sizeof(int));
	struct analysis_rates *rs = calloc(1, sizeof(*rs));
	*out = NULL;
	if (!keys || !rates || !idx || !used || !rs) {
		r = -ENOMEM;
		goto out;
	}
	for (int w = 0; w < nw; w++) {
		const json_t *spec = spec_of(runs, a->workloads[w].name);
		if (!is_open_http(spec, &a->workloads[w]))
			continue;
		keys[w] = sweep_key(spec);
		rates[w] = json_number_value(json_object_get(spec, "rate"));
	}
	for (int w = 0; w < nw && r == 0; w++) {
		if (!keys[w] || used[w])
			continue;
		int n = 0;
		double rk[512];
		for (int k = w; k < nw && n < 512; k++)
			if (keys[k] && !used[k] && !strcmp(keys[k], keys[w])) {
				idx[n] = k;
				rk[n++] = rates[k];
				used[k] = 1;
			}
		if (n >= 2)
			r = add_sweep(a, rs, idx, n, rk);
	}
out:
	for (int w = 0; keys && w < nw; w++)
		free(keys[w]);
	free(keys);
	free(rates);
	free(idx);
	free(used);
	if (r < 0 || (rs && !rs->nsweeps)) {
		analysis_rates_free(rs);
		return r;
	}
	*out = rs;
	return 0;
}

void analysis_rates_free(struct analysis_rates *r)
{
	if (!r)
		return;
	for (int s = 0; s < r->nsweeps; s++) {
		for (int c = 0; c < r->sweeps[s].ncurves; c++)
			free(r->sweeps[s].curves[c].pts);
		free(r->sweeps[s].curves);
		free(r->sweeps[s].name);
	}
	free(r->sweeps);
	free(r);
}

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *analysis_rates_to_json(const struct analysis_rates *r)
{
	json_t *arr = json_array();
	for (int s = 0; r && s < r->nsweeps; s++) {
		const struct rate_sweep *sw = &r->sweeps[s];
		json_t *curves = json_array();
		for (int c = 0; c < sw->ncurves; c++) {
			json_t *pts = json_array();
			for (int k = 0; k < sw->curves[c].n; k++) {
				const struct rate_point *p = &sw->curves[c].pts[k];
				json_array_append_new(
				    pts,
				    json_pack("{s:o,s:o,s:o,s:o,s:o,s:i,s:i,s:i}", "offered",
					      num(p->offered), "achieved", num(p->achieved),
					      "lat_p50_us", num(p->p50_us), "lat_p99_us",
					      num(p->p99_us), "lat_p99_9_us", num(p->p999_us),
					      "runs", p->runs, "ok", p->ok, "behind", p->behind));
			}
			json_array_append_new(curves,
					      json_pack("{s:s,s:o}", "variant",
							sw->curves[c].variant, "points", pts));
		}
		json_array_append_new(arr, json_pack("{s:s,s:s,s:o}", "name", sw->name, "latency",
						     "lat (from each request's intended start)",
						     "variants", curves));
	}
	return arr;
}

static void fmt_us(char *buf, size_t n, double us)
{
	if (!isfinite(us))
		snprintf(buf, n, "-");
	else if (us >= 10000)
		snprintf(buf, n, "%.0f ms", us / 1000);
	else if (us >= 1000)
		snprintf(buf, n, "%.1f ms", us / 1000);
	else
		snprintf(buf, n, "%.0f us", us);
}

void report_rate_text(FILE *out, const struct analysis_rates *r)
{
	for (int s = 0; r && s < r->nsweeps; s++) {
		const struct rate_sweep *sw = &r->sweeps[s];
		fprintf(out,
			"\nrate sweep %s: latency from each request's intended start "
			"(pooled over the repeats) against the offered rate\n",
			sw->name);
		fprintf(out, "  %-20s %9s %9s %10s %10s %10s  %s\n", "variant", "offered/s",
			"reached/s", "p50", "p99", "p99.9", "runs");
		for (int c = 0; c < sw->ncurves; c++)
			for (int k = 0; k < sw->curves[c].n; k++) {
				const struct rate_point *p = &sw->curves[c].pts[k];
				char a[16], b[16], d[16], ach[16];
				fmt_us(a, sizeof(a), p->p50_us);
				fmt_us(b, sizeof(b), p->p99_us);
				fmt_us(d, sizeof(d), p->p999_us);
				if (isfinite(p->achieved))
					snprintf(ach, sizeof(ach), "%.0f", p->achieved);
				else
					snprintf(ach, sizeof(ach), "-");
				fprintf(out, "  %-20s %9.0f %9s %10s %10s %10s  %d/%d ok%s\n",
					k ? "" : sw->curves[c].variant, p->offered, ach, a, b, d,
					p->ok, p->runs, p->behind ? ", generator behind" : "");
			}
	}
}
