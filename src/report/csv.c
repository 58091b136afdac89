/* --format csv: long format, one row per run x metric (telemetry included,
 * with source=telemetry), for spreadsheets and pandas, then the density
 * section (source=density: one row per ramp step x figure, and per launch);
 * with summary=on (`vmbench report --format csv --summary`) one row per
 * workload x variant x metric of the analysis instead, and one per density
 * ramp for its launch times. */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "report/analysis.h"
#include "report/report.h"

struct csv_opts {
	int summary;
};

static const struct opt_def csv_options[] = {
    OPT_BOOL("summary", struct csv_opts, summary, "off",
	     "one row per workload x variant x metric of the analysis (summary, comparison) "
	     "instead of one per run x metric"),
    OPT_END,
};

static void field(FILE *f, const char *s)
{
	if (!s)
		s = "";
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* One row per value of run.values; a run without any value (failed,
 * skipped) gets one row with source "run" and no metric, for its status. */
static void rows(const struct report_ctx *c, const json_t *run, const char *source,
		 const char *values, const char *units)
{
	const char *name;
	json_t *v, *none = NULL;
	const json_t *all = values ? json_object_get(run, values) : NULL;
	if (!values) {
		if (json_object_size(json_object_get(run, "metrics")) ||
		    json_object_size(json_object_get(run, "telemetry")))
			return;
		all = none = json_pack("{s:n}", "");
	}
	json_object_foreach((json_t *)all, name, v)
	{
		fprintf(c->out, "%lld,%lld,",
			(long long)json_integer_value(
			    json_object_get(json_object_get(c->exp, "experiment"), "id")),
			(long long)json_integer_value(json_object_get(run, "id")));
		field(c->out, json_string_value(json_object_get(run, "variant")));
		fputc(',', c->out);
		field(c->out, json_string_value(json_object_get(run, "workload")));
		fputc(',', c->out);
		field(c->out, json_string_value(json_object_get(run, "type")));
		fprintf(c->out, ",%lld,",
			(long long)json_integer_value(json_object_get(run, "repeat")));
		field(c->out, json_string_value(json_object_get(run, "status")));
		fprintf(c->out, ",%s,", source);
		field(c->out, name);
		if (json_is_number(v))
			fprintf(c->out, ",%.17g,", json_number_value(v));
		else
			fputs(",,", c->out);
		if (units)
			field(c->out, json_string_value(
					  json_object_get(json_object_get(run, units), name)));
		fputc('\n', c->out);
	}
	json_decref(none);
}

/* A density row: the ramp (ksm-off, ksm-on) as the workload, type density,
 * N in the repeat column, stable or unstable as the status. */
static void density_row(FILE *f, long long id, const struct analysis_ramp *r, int n,
			const char *status, const char *metric, double v, const char *unit)
{
	if (isnan(v))
		return;
	fprintf(f, "%lld,,", id);
	field(f, r->variant);
	fprintf(f, ",ksm-%s,density,%d,%s,density,%s,%.17g,%s\n", r->ksm, n, status, metric, v,
		unit);
}

static void density_rows(FILE *f, long long id, const struct analysis_density *d)
{
	for (int i = 0; i < d->nramps; i++) {
		const struct analysis_ramp *r = &d->ramps[i];
		if (r->skipped && !r->nsteps) {
			/* its status, as a run without values has */
			fprintf(f, "%lld,,", id);
			field(f, r->variant);
			fprintf(f, ",ksm-%s,density,0,skipped,density,,,\n", r->ksm);
		}
		for (int k = 0; k < r->nsteps; k++) {
			const struct analysis_density_step *s = &r->steps[k];
			const char *st = s->stable ? "stable" : "unstable";
			density_row(f, id, r, s->n, st, "used_mib", s->used_mib, "MiB");
			density_row(f, id, r, s->n, st, "available_mib", s->available_mib, "MiB");
			density_row(f, id, r, s->n, st, "pss_mib", s->pss_mib, "MiB");
			density_row(f, id, r, s->n, st, "launch_s_median", s->launch_s_median, "s");
			density_row(f, id, r, s->n, st, "settle_s", s->settle_s, "s");
			if (s->ksm) {
				const json_t *ps = json_object_get(s->ksm, "pages_sharing");
				const json_t *ph = json_object_get(s->ksm, "pages_shared");
				if (json_is_number(ps))
					density_row(f, id, r, s->n, st, "ksm_pages_sharing",
						    json_number_value(ps), "count");
				if (json_is_number(ph))
					density_row(f, id, r, s->n, st, "ksm_pages_shared",
						    json_number_value(ph), "count");
			}
		}
		/* each launch, N being the instance launched */
		for (int k = 0; k < r->nlaunches; k++)
			density_row(f, id, r, k + 1, "ok", "launch_s", r->launches[k], "s");
	}
}

static int csv_long(const struct report_ctx *c)
{
	size_t i;
	json_t *run;
	fputs("experiment,run_id,variant,workload,type,repeat,status,source,metric,value,unit\n",
	      c->out);
	json_array_foreach(json_object_get(c->exp, "runs"), i, run)
	{
		rows(c, run, "workload", "metrics", "units");
		rows(c, run, "telemetry", "telemetry", "telemetry_units");
		rows(c, run, "run", NULL, NULL);
	}
	if (c->a->density)
		density_rows(c->out,
			     (long long)json_integer_value(
				 json_object_get(json_object_get(c->exp, "experiment"), "id")),
			     c->a->density);
	return 0;
}

static void num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, ",%.17g", v);
	else if (isnan(v))
		fputs(",", f);
	else
		fputs(v > 0 ? ",inf" : ",-inf", f);
}

/* mean, sd, cv, ci95, median, min, max: the summary columns */
static void summary_nums(FILE *f, const struct summary *s)
{
	const double v[] = {s->mean, s->sd, s->cv, s->ci95, s->median, s->min, s->max};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		num(f, v[i]);
}

static int csv_summary(const struct report_ctx *c)
{
	const struct analysis *a = c->a;
	FILE *out = c->out;
	const json_t *exp = c->exp;
	long long id = (long long)json_integer_value(
	    json_object_get(json_object_get(exp, "experiment"), "id"));
	fputs("experiment,workload,type,variant,metric,unit,n,mean,sd,cv,ci95,median,min,max,"
	      "noisy,bimodal,baseline,ratio,ratio_lo,ratio_hi,p,p_adj,verdict\n",
	      out);
	for (int w = 0; w < a->nworkloads; w++) {
		const struct analysis_workload *wl = &a->workloads[w];
		for (int v = 0; v < wl->ncells; v++) {
			const struct analysis_cell *c = &wl->cells[v];
			for (int k = 0; k < wl->nmetrics; k++) {
				const struct analysis_metric *m = &c->metrics[k];
				const struct summary *s = &m->sum;
				if (!s->n)
					continue;
				fprintf(out, "%lld,", id);
				field(out, wl->name);
				fputc(',', out);
				field(out, wl->type);
				fputc(',', out);
				field(out, c->variant);
				fputc(',', out);
				field(out, m->name);
				fputc(',', out);
				field(out, m->unit);
				fprintf(out, ",%d", s->n);
				summary_nums(out, s);
				fprintf(out, ",%d,%d,", m->noisy, m->bimodal);
				field(out, a->baseline);
				if (m->has_cmp) {
					num(out, m->cmp.ratio);
					num(out, m->cmp.ratio_lo);
					num(out, m->cmp.ratio_hi);
					num(out, m->cmp.p);
					num(out, m->cmp.p_adj);
					fputc(',', out);
					field(out, analysis_verdict_word(m->name, m->unit,
									 m->cmp.verdict));
				} else {
					fputs(",,,,,,", out);
				}
				fputc('\n', out);
			}
		}
	}
	/* density: the launch times of each ramp */
	for (int i = 0; a->density && i < a->density->nramps; i++) {
		const struct analysis_ramp *r = &a->density->ramps[i];
		const struct summary *s = &r->launch;
		if (!s->n)
			continue;
		fprintf(out, "%lld,ksm-%s,density,", id, r->ksm);
		field(out, r->variant);
		fprintf(out, ",launch_s,s,%d", s->n);
		summary_nums(out, s);
		fputs(",0,0,,,,,,,\n", out);
	}
	return 0;
}

static int csv_render(const struct report_ctx *c)
{
	const struct csv_opts *o = c->opts;
	return o && o->summary ? csv_summary(c) : csv_long(c);
}

const struct report_ops csv_report = {
    .name = "csv",
    .summary = "long form, one row per run x metric (summary=on: per workload x variant)",
    .options = csv_options,
    .opts_size = sizeof(struct csv_opts),
    .render = csv_render,
};
