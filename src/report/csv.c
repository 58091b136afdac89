/* --format csv: long format, one row per run x metric (telemetry included,
 * with source=telemetry), for spreadsheets and pandas; and csv_summary(),
 * one row per workload x variant x metric of the analysis (`vmbench report
 * --format csv --summary`). */
#include <math.h>
#include <string.h>

#include "report/analysis.h"
#include "report/report.h"

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

static int csv_begin(struct report_ctx *c)
{
	fputs("experiment,run_id,variant,workload,type,repeat,status,source,metric,value,unit\n",
	      c->out);
	return 0;
}

static void rows(struct report_ctx *c, const json_t *run, const char *source, const char *values,
		 const char *units)
{
	const char *name;
	json_t *v;
	json_object_foreach(json_object_get(run, values), name, v)
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
		fprintf(c->out, ",%.17g,", json_number_value(v));
		field(c->out,
		      json_string_value(json_object_get(json_object_get(run, units), name)));
		fputc('\n', c->out);
	}
}

static int csv_row(struct report_ctx *c, const json_t *run)
{
	rows(c, run, "workload", "metrics", "units");
	rows(c, run, "telemetry", "telemetry", "telemetry_units");
	return 0;
}

const struct report_ops csv_report = {.name = "csv", .begin = csv_begin, .row = csv_row};

static void num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, ",%.17g", v);
	else if (isnan(v))
		fputs(",", f);
	else
		fputs(v > 0 ? ",inf" : ",-inf", f);
}

int csv_summary(const json_t *exp, FILE *out)
{
	struct analysis *a;
	int r = analysis_build(exp, NULL, &a);
	if (r < 0)
		return r;
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
				num(out, s->mean);
				num(out, s->sd);
				num(out, s->cv);
				num(out, s->ci95);
				num(out, s->median);
				num(out, s->min);
				num(out, s->max);
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
	analysis_free(a);
	return 0;
}
