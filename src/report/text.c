/* --format text: per workload, one row per variant with mean ± 95% CI of the
 * headline metrics over the successful repeats, host iowait and target CPU
 * beside them, and every failed run with its reason. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/report.h"
#include "stats/summary.h"

#define MAX_COLS 10

static void fmt_num(double v, char *buf, size_t n)
{
	double a = fabs(v);
	if (a >= 1000)
		snprintf(buf, n, "%.0f", v);
	else if (a >= 10)
		snprintf(buf, n, "%.1f", v);
	else
		snprintf(buf, n, "%.3g", v);
}

/* Collects the values of one metric for (variant, workload) over ok runs. */
static int collect(const json_t *runs, const char *variant, const char *workload,
		   const char *field, const char *metric, double *out, int max)
{
	size_t i;
	json_t *run;
	int n = 0;
	json_array_foreach(runs, i, run)
	{
		if (strcmp(json_string_value(json_object_get(run, "variant")), variant) ||
		    strcmp(json_string_value(json_object_get(run, "workload")), workload) ||
		    strcmp(json_string_value(json_object_get(run, "status")), "ok"))
			continue;
		json_t *v = json_object_get(json_object_get(run, field), metric);
		if (json_is_number(v) && n < max)
			out[n++] = json_number_value(v);
	}
	return n;
}

static int seen(const char **list, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

struct col {
	const char *field, *metric, *title;
};

static void print_workload(struct report_ctx *c, const char *wl, const char *type)
{
	const json_t *runs = json_object_get(c->exp, "runs");
	const json_t *variants = json_object_get(c->exp, "variants");
	struct col cols[MAX_COLS];
	int ncols = 0, nruns = (int)json_array_size(runs);
	double *vals = malloc(sizeof(double) * (size_t)(nruns ? nruns : 1));
	size_t i;
	json_t *v;

	const char *const *head = report_headline(type);
	for (int k = 0; head && head[k] && ncols < MAX_COLS - 2; k++) {
		int any = 0;
		json_array_foreach(variants, i, v)
		{
			const char *vn = json_string_value(json_object_get(v, "name"));
			any |= collect(runs, vn, wl, "metrics", head[k], vals, nruns) > 0;
		}
		if (any)
			cols[ncols++] = (struct col){"metrics", head[k], head[k]};
	}
	cols[ncols++] = (struct col){"telemetry", "host_iowait_pct", "iowait%"};
	cols[ncols++] = (struct col){"telemetry", "target_cpu_pct", "target_cpu%"};

	fprintf(c->out, "\n%s (%s)\n", wl, type);
	fprintf(c->out, "  %-16s %3s", "variant", "n");
	for (int k = 0; k < ncols; k++)
		fprintf(c->out, "  %22s", cols[k].title);
	fputc('\n', c->out);
	json_array_foreach(variants, i, v)
	{
		const char *vn = json_string_value(json_object_get(v, "name"));
		int n0 = collect(runs, vn, wl, "metrics", cols[0].metric, vals, nruns);
		/* a variant the workload does not run on has no runs at all */
		size_t j;
		json_t *run;
		int any = 0;
		json_array_foreach(runs, j, run)
		{
			any |= !strcmp(json_string_value(json_object_get(run, "variant")), vn) &&
			       !strcmp(json_string_value(json_object_get(run, "workload")), wl);
		}
		if (!any)
			continue;
		fprintf(c->out, "  %-16s %3d", vn, n0);
		for (int k = 0; k < ncols; k++) {
			int n = collect(runs, vn, wl, cols[k].field, cols[k].metric, vals, nruns);
			char cell[96] = "-", a[32], b[32];
			if (n) {
				struct summary s;
				summary_compute(vals, n, &s);
				fmt_num(s.mean, a, sizeof(a));
				if (n > 1) {
					fmt_num(s.ci95, b, sizeof(b));
					snprintf(cell, sizeof(cell), "%s ± %s", a, b);
				} else {
					snprintf(cell, sizeof(cell), "%s", a);
				}
			}
			/* "±" is two bytes but one column: pad by display width */
			int extra = strstr(cell, "±") ? 1 : 0;
			fprintf(c->out, "  %*s", 22 + extra, cell);
		}
		fputc('\n', c->out);
	}
	free(vals);
}

static int text_end(struct report_ctx *c)
{
	const json_t *exp = json_object_get(c->exp, "experiment");
	const json_t *runs = json_object_get(c->exp, "runs");
	const char *workloads[256], *types[256];
	int nw = 0, nok = 0, nfail = 0;
	size_t i;
	json_t *run;
	char when[64] = "?";
	time_t t = (time_t)json_number_value(json_object_get(exp, "started"));
	struct tm tm;
	if (localtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);

	json_array_foreach(runs, i, run)
	{
		const char *wl = json_string_value(json_object_get(run, "workload"));
		if (!seen(workloads, nw, wl) && nw < 256) {
			workloads[nw] = wl;
			types[nw++] = json_string_value(json_object_get(run, "type"));
		}
		if (strcmp(json_string_value(json_object_get(run, "status")), "ok") == 0)
			nok++;
		else
			nfail++;
	}
	fprintf(c->out, "experiment %lld '%s': %s, started %s, %d runs ok, %d failed\n",
		(long long)json_integer_value(json_object_get(exp, "id")),
		json_string_value(json_object_get(exp, "name")),
		json_string_value(json_object_get(exp, "status")), when, nok, nfail);
	fprintf(c->out, "values: mean ± 95%% CI over the successful repeats (n)\n");
	for (int k = 0; k < nw; k++)
		print_workload(c, workloads[k], types[k]);
	if (nfail) {
		fprintf(c->out, "\nfailed runs:\n");
		json_array_foreach(runs, i, run)
		{
			if (strcmp(json_string_value(json_object_get(run, "status")), "ok") == 0)
				continue;
			const char *err = json_string_value(json_object_get(run, "error"));
			fprintf(c->out, "  %s / %s #%lld: %s\n",
				json_string_value(json_object_get(run, "variant")),
				json_string_value(json_object_get(run, "workload")),
				(long long)json_integer_value(json_object_get(run, "repeat")),
				err ? err : "unknown error");
		}
	}
	if (c->db_path)
		fprintf(c->out, "\ndatabase: %s (vmbench show %lld --format json|csv)\n", c->db_path,
			(long long)json_integer_value(json_object_get(exp, "id")));
	return 0;
}

const struct report_ops text_report = {.name = "text", .end = text_end};
