/* The analysis of one experiment (see analysis.h): summaries, pooled
 * latency percentiles, comparisons against the baseline with Bonferroni's
 * correction over the whole report, noise flags. */
#include "report/analysis.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/pool.h"
#include "util/err.h"
#include "workloads/workload.h"

const double analysis_pcts[ANALYSIS_NPCT] = {50, 90, 99, 99.9, 100};

static const char *str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? s : "";
}

static int str_is(const json_t *obj, const char *key, const char *want)
{
	return strcmp(str(obj, key), want) == 0;
}

static int find(const char **list, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return i;
	return -1;
}

/* Appends s to a growing list of borrowed strings unless it is there. */
static int add_unique(const char ***list, int *n, int *cap, const char *s)
{
	if (find(*list, *n, s) >= 0)
		return 0;
	if (*n == *cap) {
		int nc = *cap ? *cap * 2 : 8;
		const char **nl = realloc(*list, sizeof(**list) * (size_t)nc);
		if (!nl)
			return -ENOMEM;
		*list = nl;
		*cap = nc;
	}
	(*list)[(*n)++] = s;
	return 0;
}

/* Values of one field.metric over the ok runs of variant x workload. */
static int collect(const json_t *runs, const char *variant, const char *workload, const char *field,
		   const char *metric, double *out)
{
	size_t i;
	json_t *run;
	int n = 0;
	json_array_foreach(runs, i, run)
	{
		if (!str_is(run, "variant", variant) || !str_is(run, "workload", workload) ||
		    !str_is(run, "status", "ok"))
			continue;
		json_t *v = json_object_get(json_object_get(run, field), metric);
		if (json_is_number(v))
			out[n++] = json_number_value(v);
	}
	return n;
}

static const char *unit_of(const json_t *runs, const char *workload, const char *metric)
{
	size_t i;
	json_t *run;
	json_array_foreach(runs, i, run)
	{
		if (!str_is(run, "workload", workload))
			continue;
		const char *u =
		    json_string_value(json_object_get(json_object_get(run, "units"), metric));
		if (u)
			return u;
	}
	return "";
}

/* The baseline: the option, else what the experiment says, else the first
 * variant. */
static const char *pick_baseline(const json_t *exp, const struct analysis_opts *o)
{
	const json_t *e = json_object_get(exp, "experiment");
	/* experiment.baseline: an override (vmbench report --baseline);
	 * experiment.config.baseline: the plan's [experiment] baseline */
	const char *b[] = {
	    o->baseline,
	    json_string_value(json_object_get(e, "baseline")),
	    json_string_value(json_object_get(json_object_get(e, "config"), "baseline")),
	    json_string_value(json_object_get(exp, "baseline")),
	};
	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++)
		if (b[i] && *b[i])
			return b[i];
	return NULL;
}

static int metrics_of(const json_t *runs, struct analysis_workload *w, const char *only)
{
	const char **list = NULL;
	int n = 0, cap = 0, r = 0;
	size_t i;
	json_t *run;
	const char *const *head = workload_headlines(w->type);
	if (only) {
		r = add_unique(&list, &n, &cap, only);
	} else if (head) {
		for (int k = 0; head[k] && r == 0; k++)
			r = add_unique(&list, &n, &cap, head[k]);
	} else {
		/* a workload type without headline metrics shows all of them */
		json_array_foreach(runs, i, run)
		{
			if (!str_is(run, "workload", w->name))
				continue;
			const char *name;
			json_t *v;
			json_object_foreach(json_object_get(run, "metrics"), name, v)
			{
				if (r == 0)
					r = add_unique(&list, &n, &cap, name);
			}
		}
	}
	if (r < 0) {
		free(list);
		return r;
	}
	/* keep only the metrics some run of this workload has */
	int kept = 0;
	for (int k = 0; k < n; k++) {
		int any = 0;
		json_array_foreach(runs, i, run)
		{
			any |= str_is(run, "workload", w->name) &&
			       json_object_get(json_object_get(run, "metrics"), list[k]) != NULL;
		}
		if (any)
			list[kept++] = list[k];
	}
	w->metrics = list;
	w->nmetrics = kept;
	return 0;
}

static int build_cell(const struct analysis *a, const struct analysis_workload *w,
		      struct analysis_cell *c, const struct analysis_opts *o, double *scratch)
{
	const json_t *runs = json_object_get(a->exp, "runs");
	size_t i;
	json_t *run;
	json_array_foreach(runs, i, run)
	{
		if (!str_is(run, "variant", c->variant) || !str_is(run, "workload", w->name))
			continue;
		c->nruns++;
		if (str_is(run, "status", "ok"))
			c->nok++;
		else if (analysis_run_skipped(run))
			c->nskipped++;
		else
			c->nfailed++;
	}
	c->metrics = calloc((size_t)(w->nmetrics ? w->nmetrics : 1), sizeof(*c->metrics));
	if (!c->metrics)
		return -ENOMEM;
	for (int k = 0; k < w->nmetrics; k++) {
		struct analysis_metric *m = &c->metrics[k];
		m->name = w->metrics[k];
		m->unit = unit_of(runs, w->name, m->name);
		m->higher_is_better = metric_higher_is_better(m->name, m->unit);
		int n = collect(runs, c->variant, w->name, "metrics", m->name, scratch);
		summary_compute(scratch, n, &m->sum);
		if (n) {
			m->values = malloc(sizeof(double) * (size_t)n);
			if (!m->values)
				return -ENOMEM;
			memcpy(m->values, scratch, sizeof(double) * (size_t)n);
		}
		m->noisy = stats_noisy(scratch, n, o->cv_limit);
		m->bimodal = stats_bimodal(scratch, n);
	}
	int n = collect(runs, c->variant, w->name, "telemetry", "host_iowait_pct", scratch);
	summary_compute(scratch, n, &c->iowait);
	n = collect(runs, c->variant, w->name, "telemetry", "target_cpu_pct", scratch);
	summary_compute(scratch, n, &c->target_cpu);

	/* histograms any ok run of this cell has, in order of first appearance */
	const char **names = NULL;
	int nn = 0, cap = 0, r = 0;
	json_array_foreach(runs, i, run)
	{
		if (!str_is(run, "variant", c->variant) || !str_is(run, "workload", w->name) ||
		    !str_is(run, "status", "ok"))
			continue;
		const char *name;
		json_t *v;
		json_object_foreach(json_object_get(run, "histograms"), name, v)
		{
			if (r == 0)
				r = add_unique(&names, &nn, &cap, name);
		}
	}
	if (r == 0 && nn)
		c->hists = calloc((size_t)nn, sizeof(*c->hists));
	if (r < 0 || (nn && !c->hists)) {
		free(names);
		return -ENOMEM;
	}
	for (int k = 0; k < nn; k++) {
		struct analysis_hist *h = &c->hists[c->nhists];
		h->name = names[k];
		h->merged = hist_new();
		if (!h->merged) {
			free(names);
			return -ENOMEM;
		}
		c->nhists++;
		r = pool_merge(runs, c->variant, w->name, h->name, h->merged);
		if (r < 0) {
			free(names);
			return r;
		}
		h->runs = r;
		pool_percentiles_us(h->merged, analysis_pcts, ANALYSIS_NPCT, h->pct_us);
		h->mean_us = hist_mean(h->merged) / 1000.0;
	}
	free(names);
	return 0;
}

/* One family per workload x metric: the variants compared with the
 * baseline on it, judged together by compare_family() (Bonferroni, with
 * intervals at the same adjusted level, so that a verdict and its interval
 * always agree). */
static int compare_all(struct analysis *a)
{
	struct comparison *fam = malloc(sizeof(*fam) * (size_t)(a->nvariants ? a->nvariants : 1));
	struct comparison **where =
	    malloc(sizeof(*where) * (size_t)(a->nvariants ? a->nvariants : 1));
	if (!fam || !where) {
		free(fam);
		free(where);
		return -ENOMEM;
	}
	a->ncomparisons = 0;
	a->family_min = a->family_max = 0;
	for (int w = 0; w < a->nworkloads; w++) {
		struct analysis_workload *wl = &a->workloads[w];
		if (wl->baseline_cell < 0)
			continue;
		const struct analysis_cell *base = &wl->cells[wl->baseline_cell];
		for (int k = 0; k < wl->nmetrics; k++) {
			int n = 0, m = 0;
			for (int v = 0; v < wl->ncells; v++) {
				struct analysis_metric *mm = &wl->cells[v].metrics[k];
				const struct analysis_metric *b = &base->metrics[k];
				if (v == wl->baseline_cell || !mm->sum.n || !b->sum.n)
					continue;
				compare_samples(b->values, b->sum.n, mm->values, mm->sum.n,
						mm->higher_is_better, &mm->cmp);
				mm->has_cmp = 1;
				fam[n] = mm->cmp;
				where[n++] = &mm->cmp;
			}
			compare_family(fam, n, a->alpha);
			for (int i = 0; i < n; i++) {
				*where[i] = fam[i];
				m += fam[i].tested;
			}
			a->ncomparisons += m;
			if (m && (!a->family_min || m < a->family_min))
				a->family_min = m;
			if (m > a->family_max)
				a->family_max = m;
		}
	}
	free(fam);
	free(where);
	return 0;
}

static int build(struct analysis *a, const struct analysis_opts *o)
{
	const json_t *runs = json_object_get(a->exp, "runs");
	size_t i;
	json_t *x;
	int cap = 0, r = 0;

	json_array_foreach(json_object_get(a->exp, "variants"), i, x)
	{
		if (r == 0 && json_string_value(json_object_get(x, "name")))
			r = add_unique(&a->variants, &a->nvariants, &cap, str(x, "name"));
	}
	/* variants the runs name but the list lacks still count */
	json_array_foreach(runs, i, x)
	{
		if (r == 0 && json_string_value(json_object_get(x, "variant")))
			r = add_unique(&a->variants, &a->nvariants, &cap, str(x, "variant"));
		if (str_is(x, "status", "ok"))
			a->nok++;
		else if (analysis_run_skipped(x))
			a->nskipped++;
		else
			a->nfailed++;
	}
	if (r < 0)
		return vb_err(r, "out of memory");

	const char *base = pick_baseline(a->exp, o);
	if (base && find(a->variants, a->nvariants, base) < 0) {
		char names[512] = "";
		size_t used = 0;
		for (int v = 0; v < a->nvariants && used < sizeof(names); v++)
			used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
						 v ? ", " : "", a->variants[v]);
		return vb_err(-EINVAL, "unknown baseline variant '%s' (variants: %s)", base,
			      a->nvariants ? names : "none");
	}
	a->baseline = base ? base : a->nvariants ? a->variants[0] : "";

	const char **wnames = NULL;
	int nw = 0;
	cap = 0;
	json_array_foreach(runs, i, x)
	{
		if (r == 0 && json_string_value(json_object_get(x, "workload")))
			r = add_unique(&wnames, &nw, &cap, str(x, "workload"));
	}
	if (r == 0 && nw)
		a->workloads = calloc((size_t)nw, sizeof(*a->workloads));
	double *scratch = malloc(sizeof(double) * (json_array_size(runs) + 1));
	if (r < 0 || (nw && !a->workloads) || !scratch) {
		free(wnames);
		free(scratch);
		return vb_err(-ENOMEM, "out of memory");
	}
	for (int w = 0; w < nw && r == 0; w++) {
		struct analysis_workload *wl = &a->workloads[w];
		a->nworkloads++;
		wl->name = wnames[w];
		wl->baseline_cell = -1;
		json_array_foreach(runs, i, x)
		{
			if (str_is(x, "workload", wl->name)) {
				wl->type = str(x, "type");
				break;
			}
		}
		if ((r = metrics_of(runs, wl, o->metric)) < 0)
			break;
		wl->cells = calloc((size_t)(a->nvariants ? a->nvariants : 1), sizeof(*wl->cells));
		if (!wl->cells) {
			r = -ENOMEM;
			break;
		}
		for (int v = 0; v < a->nvariants && r == 0; v++) {
			int any = 0;
			json_array_foreach(runs, i, x)
			{
				any |= str_is(x, "variant", a->variants[v]) &&
				       str_is(x, "workload", wl->name);
			}
			if (!any)
				continue; /* this workload does not run on that variant */
			struct analysis_cell *c = &wl->cells[wl->ncells++];
			c->variant = a->variants[v];
			if (strcmp(c->variant, a->baseline) == 0)
				wl->baseline_cell = wl->ncells - 1;
			r = build_cell(a, wl, c, o, scratch);
		}
	}
	free(wnames);
	free(scratch);
	if (r == 0)
		r = compare_all(a);
	if (r == 0)
		r = analysis_design_build(a);
	if (r == 0)
		r = analysis_density_build(a->exp, &a->density);
	if (r == 0)
		r = analysis_rates_build(a, &a->rates);
	if (r == -ENOMEM)
		return vb_err(r, "out of memory");
	return r; /* pool_merge printed its own message */
}

int analysis_build(const json_t *exp, const struct analysis_opts *opts, struct analysis **out)
{
	static const struct analysis_opts defaults = ANALYSIS_OPTS_DEFAULT;
	struct analysis_opts o = opts ? *opts : defaults;
	if (!(o.alpha > 0 && o.alpha < 1))
		o.alpha = defaults.alpha;
	if (!(o.cv_limit > 0))
		o.cv_limit = defaults.cv_limit;
	struct analysis *a = calloc(1, sizeof(*a));
	if (!a)
		return vb_err(-ENOMEM, "out of memory");
	a->exp = exp;
	a->alpha = o.alpha;
	a->cv_limit = o.cv_limit;
	int r = build(a, &o);
	if (r < 0) {
		analysis_free(a);
		return r;
	}
	*out = a;
	return 0;
}

void analysis_free(struct analysis *a)
{
	if (!a)
		return;
	for (int w = 0; w < a->nworkloads; w++) {
		struct analysis_workload *wl = &a->workloads[w];
		for (int v = 0; wl->cells && v < wl->ncells; v++) {
			struct analysis_cell *c = &wl->cells[v];
			for (int k = 0; c->metrics && k < wl->nmetrics; k++)
				free(c->metrics[k].values);
			free(c->metrics);
			for (int h = 0; h < c->nhists; h++)
				hist_free(c->hists[h].merged);
			free(c->hists);
		}
		free(wl->cells);
		free(wl->metrics);
	}
	free(a->workloads);
	free(a->variants);
	analysis_density_free(a->density);
	analysis_rates_free(a->rates);
	analysis_design_free(a->design);
	free(a);
}

int analysis_run_skipped(const json_t *run)
{
	return str_is(run, "status", "skipped");
}

const char *analysis_run_why(const json_t *run)
{
	const char *r = json_string_value(json_object_get(run, "reason"));
	return r && *r ? r : json_string_value(json_object_get(run, "error"));
}

const struct analysis_cell *analysis_cell_find(const struct analysis_workload *w,
					       const char *variant)
{
	for (int v = 0; v < w->ncells; v++)
		if (strcmp(w->cells[v].variant, variant) == 0)
			return &w->cells[v];
	return NULL;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

const char *analysis_verdict_word(const char *metric, const char *unit, int verdict)
{
	if (verdict == 0)
		return "no significant difference";
	metric = metric ? metric : "";
	unit = unit ? unit : "";
	/* speed: rates and throughputs (per second) and times; CPU cost is
	 * measured in us too but is a cost, not a speed */
	int cost = strncmp(metric, "cpu_", 4) == 0 || strstr(metric, "_cpu_") != NULL;
	int speed = !cost && (ends_with(unit, "/s") || ends_with(metric, "_per_s") ||
			      ends_with(metric, "_iops") || !strcmp(unit, "us") ||
			      !strcmp(unit, "ms") || !strcmp(unit, "ns") || !strcmp(unit, "s"));
	if (speed)
		return verdict > 0 ? "faster" : "slower";
	return verdict > 0 ? "better" : "worse";
}

/* --- formatting ------------------------------------------------------- */

void analysis_fmt_num(double v, char *buf, size_t n)
{
	double a = fabs(v);
	if (!isfinite(v))
		snprintf(buf, n, "%s", isnan(v) ? "?" : v > 0 ? "inf" : "-inf");
	else if (a >= 1000)
		snprintf(buf, n, "%.0f", v);
	else if (a >= 10)
		snprintf(buf, n, "%.1f", v);
	else
		snprintf(buf, n, "%.3g", v);
}

void analysis_fmt_summary(const struct summary *s, char *buf, size_t n)
{
	char a[32], b[32];
	if (!s->n) {
		snprintf(buf, n, "-");
		return;
	}
	analysis_fmt_num(s->mean, a, sizeof(a));
	if (s->n < 2) {
		snprintf(buf, n, "%s", a);
		return;
	}
	analysis_fmt_num(s->ci95, b, sizeof(b));
	snprintf(buf, n, "%s ± %s", a, b);
}

void analysis_fmt_ratio(const struct comparison *c, char *buf, size_t n)
{
	char r[32], lo[32], hi[32];
	if (isnan(c->ratio))
		snprintf(r, sizeof(r), "?");
	else
		snprintf(r, sizeof(r), "%.3g", c->ratio);
	if (!isfinite(c->ratio_lo) && !isfinite(c->ratio_hi)) {
		snprintf(buf, n, "x%s [unbounded]", r);
		return;
	}
	snprintf(lo, sizeof(lo), isfinite(c->ratio_lo) ? "%.3g" : "-inf", c->ratio_lo);
	snprintf(hi, sizeof(hi), isfinite(c->ratio_hi) ? "%.3g" : "inf", c->ratio_hi);
	snprintf(buf, n, "x%s [%s, %s]", r, lo, hi);
}

void analysis_fmt_method(const struct analysis *a, char *buf, size_t n)
{
	char k[32];
	if (a->family_max == 0) {
		snprintf(buf, n,
			 "ratio of means to the baseline with Fieller's interval, verdict by "
			 "Welch's t test, one Bonferroni family per workload and metric; no "
			 "comparison here");
		return;
	}
	if (a->family_min == a->family_max)
		snprintf(k, sizeof(k), "%d", a->family_max);
	else
		snprintf(k, sizeof(k), "%d to %d", a->family_min, a->family_max);
	snprintf(buf, n,
		 "ratio of means to the baseline with Fieller's interval, verdict by Welch's t "
		 "test; one family per workload and metric (the K variants compared with the "
		 "baseline on it, K = %s here): p adjusted by Bonferroni (p x K) and the "
		 "interval at confidence 1 - %g/K, so a verdict is given exactly when its "
		 "interval excludes 1",
		 k, a->alpha);
}

void analysis_fmt_p(double p, char *buf, size_t n)
{
	if (p < 0.001)
		snprintf(buf, n, "p<0.001");
	else
		snprintf(buf, n, "p=%.3f", p);
}

void analysis_fmt_flags(const struct analysis_metric *m, char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = '\0';
	if (m->noisy)
		used = (size_t)snprintf(buf, n, "noisy (CV %.0f%%)", m->sum.cv * 100);
	if (m->bimodal && used < n)
		snprintf(buf + used, n - used, "%sbimodal", used ? ", " : "");
}

/* --- JSON --------------------------------------------------------------- */

/* JSON has no infinities or NaN: those are null. */
static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *summary_json(const struct summary *s)
{
	return json_pack("{s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "n", s->n, "mean",
			 num(s->mean), "sd", num(s->sd), "cv", num(s->cv), "ci95", num(s->ci95),
			 "median", num(s->median), "min", num(s->min), "max", num(s->max));
}

static json_t *metric_json(const struct analysis *a, const struct analysis_metric *m)
{
	json_t *o = summary_json(&m->sum);
	json_t *vals = json_array();
	for (int i = 0; i < m->sum.n; i++)
		json_array_append_new(vals, num(m->values[i]));
	json_object_set_new(o, "values", vals);
	json_object_set_new(o, "unit", json_string(m->unit));
	json_object_set_new(o, "higher_is_better", json_boolean(m->higher_is_better));
	json_object_set_new(o, "noisy", json_boolean(m->noisy));
	json_object_set_new(o, "bimodal", json_boolean(m->bimodal));
	if (m->has_cmp) {
		const struct comparison *c = &m->cmp;
		json_t *v =
		    json_pack("{s:s, s:o, s:o, s:o, s:o, s:i, s:b, s:o, s:o, s:o, s:o, s:b, s:i, s:s}",
			      "baseline", a->baseline, "ratio", num(c->ratio), "ratio_lo",
			      num(c->ratio_lo), "ratio_hi", num(c->ratio_hi), "level",
			      num(c->level), "family", c->family, "tested", c->tested,
			      "t", num(c->t), "df", num(c->df), "p", num(c->p), "p_adj",
			      num(c->p_adj), "significant", c->significant, "verdict", c->verdict,
			      "verdict_text", analysis_verdict_word(m->name, m->unit, c->verdict));
		json_object_set_new(o, "vs_baseline", v);
	} else {
		json_object_set_new(o, "vs_baseline", json_null());
	}
	return o;
}

static json_t *hist_json(const struct analysis_hist *h)
{
	static const char *const keys[ANALYSIS_NPCT] = {"p50_us", "p90_us", "p99_us", "p99_9_us",
							"max_us"};
	json_t *o = json_pack("{s:i, s:I, s:o, s:o}", "runs", h->runs, "count",
			      (json_int_t)h->merged->count, "min_us",
			      num(h->merged->count ? (double)h->merged->min / 1000.0 : 0),
			      "mean_us", num(h->mean_us));
	for (int i = 0; i < ANALYSIS_NPCT; i++)
		json_object_set_new(o, keys[i], num(h->pct_us[i]));
	return o;
}

json_t *analysis_to_json(const struct analysis *a)
{
	json_t *root = json_pack(
	    "{s:i, s:s, s:f, s:f, s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:s}", "schema", ANALYSIS_SCHEMA,
	    "baseline", a->baseline, "alpha", a->alpha, "cv_limit", a->cv_limit, "test", "welch",
	    "correction", "bonferroni", "ratio_interval", "fieller", "comparisons", a->ncomparisons,
	    "runs_ok", a->nok, "runs_failed", a->nfailed, "runs_skipped", a->nskipped, "family", "workload x metric");
	char method[512];
	analysis_fmt_method(a, method, sizeof(method));
	json_object_set_new(root, "method", json_string(method));
	json_t *wls = json_array();
	for (int w = 0; w < a->nworkloads; w++) {
		const struct analysis_workload *wl = &a->workloads[w];
		json_t *names = json_array();
		for (int k = 0; k < wl->nmetrics; k++)
			json_array_append_new(names, json_string(wl->metrics[k]));
		json_t *cells = json_array();
		for (int v = 0; v < wl->ncells; v++) {
			const struct analysis_cell *c = &wl->cells[v];
			json_t *ms = json_object();
			for (int k = 0; k < wl->nmetrics; k++)
				if (c->metrics[k].sum.n)
					json_object_set_new(ms, wl->metrics[k],
							    metric_json(a, &c->metrics[k]));
			json_t *tel = json_object();
			if (c->iowait.n)
				json_object_set_new(tel, "host_iowait_pct",
						    summary_json(&c->iowait));
			if (c->target_cpu.n)
				json_object_set_new(tel, "target_cpu_pct",
						    summary_json(&c->target_cpu));
			json_t *lat = json_object();
			for (int h = 0; h < c->nhists; h++)
				json_object_set_new(lat, c->hists[h].name, hist_json(&c->hists[h]));
			json_array_append_new(
			    cells, json_pack("{s:s, s:b, s:i, s:i, s:i, s:i, s:o, s:o, s:o}",
					     "variant", c->variant, "baseline",
					     v == wl->baseline_cell, "runs", c->nruns, "ok", c->nok,
					     "failed", c->nfailed, "skipped", c->nskipped,
					     "metrics", ms, "telemetry", tel, "latency", lat));
		}
		json_array_append_new(wls,
				      json_pack("{s:s, s:s, s:o, s:o}", "name", wl->name, "type",
						wl->type, "metrics", names, "variants", cells));
	}
	json_object_set_new(root, "workloads", wls);
	if (a->design)
		json_object_set_new(root, "design", analysis_design_to_json(a));
	if (a->density)
		json_object_set_new(root, "density", analysis_density_to_json(a->density));
	if (a->rates)
		json_object_set_new(root, "rate_sweeps", analysis_rates_to_json(a->rates));
	return root;
}
